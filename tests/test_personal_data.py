"""Personal data, complete (GDPR articles 15, 17 and 20): every table holding something of a person is some
feature's, the export holds all of it, and deleting the account erases what is personal and private while
what others rely on stays, shown as by a "former member" (README, Accounts)."""
from __future__ import annotations

import importlib
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

import network
from certificates_helpers import issue_to
from collections_helpers import collection_data
from conftest import PASSWORD, read_html
from essays_helpers import record_training, written
from mobility_helpers import W1, W2, application_data
from network.api import tokens
from network.audit import AuditEntry
from network.auth import services as accounts
from network.auth.models import EVALUATOR, SITE_ADMIN, LoginAttempt, User
from network.certificates.models import HOLDER_ERASED, Certificate
from network.collections import pdf
from network.collections import services as collections
from network.collections.models import CollectionEdition, CollectionEditor, CollectionItem
from network.errors import ServiceError
from network.essays import services as essays
from network.essays.models import Assessment, Essay, RescuedText
from network.events.models import Event, EventMaterial
from network.extensions import db
from network.mobility import services as mobility
from network.mobility.models import CalendarFeed, MobilityApplication, Visit
from network.notifications.models import Notification
from network.practices import discussion
from network.practices import services as practices
from network.practices.attachments import Upload
from network.practices.models import Comment, Practice
from network.search import sync
from network.types import utcnow
from search_helpers import keys, search

NAME, EMAIL = "Rita Quintela Vaz", "rita.quintela@example.org"
MOTIVATION = "Rita's motivation: I want to learn how the interfamily groups start."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- which feature answers for which table ------------------------------------------------------------


def personal_data_modules() -> dict:
    modules = {}
    for feature in network.FEATURES:
        try:
            modules[feature] = importlib.import_module(f"network.{feature}.personal_data")
        except ModuleNotFoundError:
            continue
    return modules


def columns_naming_a_person() -> list[sa.Column]:
    """Every column with a foreign key to users.id, from the models' metadata."""
    return [column for table in db.metadata.sorted_tables for column in table.columns
            if any(fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys)]


def test_every_table_with_a_foreign_key_to_users_is_some_features(app):
    declared: dict[str, str] = {}
    for feature, module in personal_data_modules().items():
        for table in module.TABLES:
            assert table not in declared, f"{table} is declared by both {declared[table]} and {feature}"
            declared[table] = feature
    linked = {column.table.name for column in columns_naming_a_person()}
    missing = sorted(linked - set(declared))
    assert not missing, f"tables with a foreign key to users that no feature's personal_data.TABLES covers: {missing}"
    unlinked = sorted(set(declared) - linked)
    assert not unlinked, f"personal_data.TABLES names tables without a foreign key to users: {unlinked}"


def test_tables_holding_a_person_without_a_foreign_key_are_named_too(app):
    linked = {column.table.name for column in columns_naming_a_person()}
    for module in personal_data_modules().values():
        for table in getattr(module, "TABLES_WITHOUT_FOREIGN_KEY", {}):
            assert table in db.metadata.tables and table not in linked, table


def test_every_feature_with_personal_data_registers_its_exporter_and_eraser(app):
    exporters, erasers = accounts.data_exporters(), accounts.data_erasers()
    for feature, module in personal_data_modules().items():
        assert module.erase in erasers.values(), f"network.{feature}.personal_data.erase is not registered"
        # The account's module exports several sections; every other one, one.
        sections = getattr(module, "SECTIONS", None) or {feature: module.export}
        for exporter in sections.values():
            assert exporter in exporters.values(), f"network.{feature}.personal_data: {exporter} is not registered"


def test_deleting_an_account_never_breaks_on_a_foreign_key(app):
    """Every reference to a person is emptied (kept, as by a former member) or goes with them: none refuses."""
    for column in columns_naming_a_person():
        ondelete = next(fk.ondelete for fk in column.foreign_keys if fk.column.table.name == "users")
        assert ondelete in ("SET NULL", "CASCADE"), f"{column.table.name}.{column.name}: {ondelete}"
        if ondelete == "SET NULL":
            assert column.nullable, f"{column.table.name}.{column.name}"


# --- a person with something in every table -----------------------------------------------------------


@pytest.fixture
def rita(app, exchange, make_user, make_practice, outbox):
    """Rita, an evaluator and site admin at the sending institution, has done everything the platform records."""
    x = exchange
    person = make_user(EVALUATOR, institution=x.sender, name=NAME, email=EMAIL)
    accounts.set_roles(None, person, [EVALUATOR, SITE_ADMIN])
    bob = make_user(institution=x.sender, name="Bob Colleague")
    evaluator = make_user(EVALUATOR, institution=x.coordinating, name="Eva Luator")
    accounts.authenticate(EMAIL, PASSWORD, "10.0.0.7")
    accounts.request_password_reset(EMAIL, "10.0.0.7")

    # Practices: one she wrote (with a file), one of Seville's she reviewed, commented on, flagged, bookmarked.
    own = make_practice(x.sender, actor=person, title="Circles of families in Helsinki",
                        uploads=[Upload("plan.png", "image/png", PNG)])
    seville = make_practice(x.seville, actor=x.seville_admin, title="Seville interfamily groups")
    practices.mark_reviewed(person, seville)
    comment = discussion.add_comment(person, seville, "How often do the groups meet?")
    discussion.add_comment(x.seville_admin, seville, "Every fortnight.", parent=comment)  # notifies her
    other = discussion.add_comment(bob, own, "We should try this in Espoo.")
    discussion.flag_comment(person, other, "Off topic")
    rude = discussion.add_comment(bob, own, "Rude words")
    discussion.hide_comment(person, rude)
    discussion.bookmark(person, seville)

    # Mobility: her application, endorsed, a visit at Seville completed and reminded; Bob's application she
    # endorsed and whose visit she booked; her calendar feed.
    application = mobility.save_application(person, x.partnership, application_data(
        preferred_hosts=[x.seville.id], motivation=MOTIVATION))
    mobility.decide_application(x.sender_admin, application, endorse=True)
    visit = mobility.book_visit(x.coordinator, application, x.seville_offer, W1)
    mobility.confirm_visit(x.coordinator, visit)
    mobility.complete_visit(x.coordinator, visit, today=W1 + timedelta(days=4))
    essays.remind(today=W1 + timedelta(days=30))
    visit_event = db.session.scalar(sa.select(Event).where(Event.visit_id == visit.id))
    bobs = mobility.save_application(bob, x.partnership, application_data(preferred_hosts=[x.arad.id]))
    mobility.decide_application(person, bobs, endorse=True)
    bobs_visit = mobility.book_visit(person, bobs, x.arad_offer, W2)
    feed = mobility.feed_token("user", person.id)

    # Essays: hers in every state, one about the visit; Bob's, which she published and assessed.
    def event(title):
        return record_training(x, [person, bob], title=title)

    mine = {state: written(person, event(f"Event {state}"), {"private": "published", "anonymous": "published"}
                           .get(state, state), reviewer=x.coordinator, title=f"Essay {state}")
            for state in ("draft", "submitted", "returned", "published", "anonymous", "private")}
    essays.set_display(person, mine["anonymous"], "anonymous")
    essays.set_display(person, mine["private"], "private")
    scores = {criterion.id: 4 for criterion in essays.rubric_of(x.partnership)}
    essays.assess(evaluator, mine["submitted"], essays.AssessmentData(scores=scores, notes="About Rita's essay"))
    about_visit = written(person, visit_event, "published", reviewer=x.coordinator, title="What Seville taught me")
    essays.rescue_text({"title": "Essay draft", "body": "Rescued words"}, mine["draft"].id, mine["draft"].event_id)
    bobs_essay = written(bob, event("Event of Bob"), "submitted")
    essays.publish_essay(person, bobs_essay)
    essays.assess(person, bobs_essay, essays.AssessmentData(scores=scores, notes="Rita's notes on Bob"))

    # Collections: one she made (her practice and two of her essays), published, Bob added as editor; Seville's,
    # which she edits. Then she keeps one of the collected essays for the evaluators.
    shelf = collections.create_collection(person, collection_data(x.sender, title="Helsinki shelf",
                                                                  visibility="members"))
    collections.add_item(person, shelf, practice_id=own.id)
    collections.add_item(person, shelf, essay_id=mine["published"].id)
    withdrawn = collections.add_item(person, shelf, essay_id=about_visit.id)
    collections.publish_edition(person, shelf)
    collections.add_editor(person, shelf, bob.email)
    sevilles = collections.create_collection(x.seville_admin, collection_data(x.seville, title="Seville shelf"))
    collections.add_editor(x.seville_admin, sevilles, EMAIL)
    essays.set_display(person, about_visit, "private")

    # Events: she registered for a training event with one place (answering the organisers' question), Bob waits.
    from events_helpers import make_event
    from network.events import services as events

    training = make_event(x, capacity=1)
    events.register(person, training, {"dietary": "Rita's diet: no gluten"})
    events.register(bob, training)
    # As a site admin she organises it: she added its slides (kept for the event, without her, once she is gone).
    from network.events import materials

    slides = materials.add_file(person, training, materials.MaterialData(
        title="Slides of the training", upload=Upload("slides.pdf", "application/pdf", b"%PDF-1.4\n")))

    _token, plain = tokens.create_token(person, "my script")
    # Certificates: one of hers, which keeps its code, without her name, once she is gone.
    certificate = issue_to(person, title="Interfamily groups training")
    # The self-assessment: her result, taken through the invitation she made for the partnership.
    from network.self_assessment import services as self_assessment
    from self_assessment_helpers import completed_result, tiny_questionnaire

    invitation = self_assessment.create_invitation(person, partnership=x.partnership, label="Rita's group")
    completed_result(person, tiny_questionnaire(), {"safety-1": 4}, invitation=invitation)
    db.session.commit()
    # Learning: a course she created and published (as a site admin) and edits, in a cohort she made; she follows
    # it, with a reflection, a practice task and a quiz attempt; she uploaded a file to its first lesson.
    from learning_helpers import make_course, quiz_of, right_answers
    from network.learning import attachments as lesson_files
    from network.learning import services as learning
    from network.learning.models import Cohort

    course = make_course(person, x.seville)
    learning.add_editor(person, course, EMAIL)
    lesson_files.add(person, course.lessons[0], Upload("handout.pdf", "application/pdf", b"%PDF-1.4\n"))
    cohort = Cohort(course_id=course.id, name="Rita's cohort", created_by_id=person.id)
    db.session.add(cohort)
    db.session.commit()
    enrolment = learning.enrol(person, course, cohort)
    welcome = course.lessons[0]
    learning.save_reflection(enrolment, welcome.activities[1].id, "Rita's reflection on families online")
    learning.tick_task(enrolment, course.lessons[1].activities[0].id, "Rita tried it with the Garcías")
    learning.submit_attempt(enrolment, learning.start_attempt(enrolment, quiz_of(course).id), right_answers(
        quiz_of(course)))
    # Evaluation: a named survey she wrote and answered about her visit (and one still unanswered), a session back
    # home she recorded with a file, a target she set, the report's draft she saved and the version she published.
    from network.evaluation import models as evaluation

    survey = evaluation.Survey(partnership_id=x.partnership.id, title={"en": "After the visit"},
                               moment=evaluation.AFTER_VISIT, anonymous=False, status=evaluation.OPEN,
                               opened_on=W1, created_by_id=person.id)
    survey.sections.append(evaluation.SurveySection(title={"en": "How it went"}, questions=[
        evaluation.SurveyQuestion(kind=evaluation.LONG_TEXT, text={"en": "What did you learn?"})]))
    db.session.add(survey)
    db.session.flush()
    asked = evaluation.SurveyInvitation(survey_id=survey.id, user_id=person.id, subject_kind="visit",
                                        subject_id=visit.id, host_institution_id=x.seville.id, closes_on=W2,
                                        answered=True)
    waiting = evaluation.SurveyInvitation(survey_id=survey.id, user_id=person.id, subject_kind="event",
                                          subject_id=training.id, closes_on=W2,
                                          draft={str(survey.questions[0].id): "Rita's unsent answer"})
    db.session.add_all([asked, waiting])
    db.session.flush()
    db.session.add(evaluation.SurveyResponse(survey_id=survey.id, respondent_id=person.id, invitation_id=asked.id,
                                             host_institution_id=x.seville.id, submitted_at=utcnow(),
                                             answers={str(survey.questions[0].id): "Rita's answer: the groups"}))
    back_home = evaluation.DisseminationSession(visit_id=visit.id, user_id=person.id, held_on=W1 + timedelta(days=14),
                                                format="team_meeting", people_reached=9, audience=["social_workers"],
                                                summary="Rita told her team about the interfamily groups")
    back_home.practices.append(seville)
    back_home.materials.append(evaluation.SessionMaterial(filename="team-notes.pdf", stored_name="rita-team-notes.pdf",
                                                          content_type="application/pdf", size=9))
    db.session.add(back_home)
    db.session.add(evaluation.Target(partnership_id=x.partnership.id, kind=evaluation.VISITORS_PER_HOST, value=6,
                                     updated_by_id=person.id))
    db.session.add(evaluation.ReportDraft(partnership_id=x.partnership.id, summary="Rita's summary",
                                          updated_by_id=person.id))
    db.session.add(evaluation.ReportVersion(partnership_id=x.partnership.id, number=1, texts={}, figures={},
                                            published_by_id=person.id))
    db.session.commit()
    sync.drain_all()
    return SimpleNamespace(
        person=person, id=person.id, bob=bob, exchange=x, own=own, seville=seville, comment=comment,
        application=application, visit=visit, visit_event=visit_event, bobs=bobs, bobs_visit=bobs_visit,
        feed=feed, mine=mine, about_visit=about_visit, bobs_essay=bobs_essay, shelf=shelf, sevilles=sevilles,
        withdrawn_item=withdrawn, token=plain, certificate=certificate, training=training, slides=slides,
    )


def references_to(person_id: int) -> dict[str, int]:
    """table.column -> how many rows name this person there."""
    found = {}
    for column in columns_naming_a_person():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(column.table).where(column == person_id))
        found[f"{column.table.name}.{column.name}"] = count
    return found


def every_text_in_the_database() -> str:
    rows = []
    for table in db.metadata.sorted_tables:
        rows += [f"{table.name}: {tuple(row)!r}" for row in db.session.execute(sa.select(table))]
    return "\n".join(rows)


def test_the_person_has_something_in_every_column_naming_a_person(rita):
    empty = [name for name, count in references_to(rita.id).items() if not count]
    assert not empty, f"the fixture leaves these empty: {empty}"


def test_the_export_holds_something_in_every_section(rita):
    data = json.loads(json.dumps(accounts.export_user_data(rita.person)))
    assert list(data)[:4] == ["account", "login_attempts", "password_reset_requests", "audit_log"]
    assert set(data) >= {"practices", "practices_discussion", "api_tokens", "mobility", "events", "essays",
                         "collections", "certificates"}
    for section, content in data.items():
        assert content, section
        if isinstance(content, dict) and section != "account":
            empty = [name for name, value in content.items() if not value]
            assert not empty, f"{section}: {empty}"


def test_the_export_holds_what_was_missing(rita):
    data = accounts.export_user_data(rita.person)
    [application] = data["mobility"]["applications"]
    assert application["motivation"] == MOTIVATION
    assert application["preferred_hosts"] == ["Seville Family Centre"]
    assert [v["id"] for v in data["mobility"]["visits"]] == [rita.visit.id]
    assert data["mobility"]["visits"][0]["programme"]
    assert data["mobility"]["calendar_feeds"] and rita.feed not in json.dumps(data)
    assert {e["title"]: e["status"] for e in data["essays"]["essays"]} == {
        "Essay draft": "draft", "Essay submitted": "submitted", "Essay returned": "returned",
        "Essay published": "published", "Essay anonymous": "published", "Essay private": "published",
        "What Seville taught me": "published"}
    assert [a["notes"] for a in data["essays"]["assessments_written"]] == ["Rita's notes on Bob"]
    assert "About Rita's essay" not in json.dumps(data)  # the evaluators' notes are theirs
    assert data["essays"]["rescued_texts"][0]["fields"]["body"] == "Rescued words"
    assert [c["title"] for c in data["collections"]["editor_of"]] == ["Seville shelf"]
    assert [c["title"] for c in data["collections"]["created"]] == ["Helsinki shelf"]
    assert [p["title"] for p in data["practices"]["written"]] == ["Circles of families in Helsinki"]
    assert [p["title"] for p in data["practices"]["reviewed"]] == ["Seville interfamily groups"]
    assert [(m["title"], m["file_name"]) for m in data["events"]["materials_added"]] == [
        ("Slides of the training", "slides.pdf")]
    evaluation = data["evaluation"]
    assert [r["answers"] for r in evaluation["survey_responses"]] == [
        {k: "Rita's answer: the groups" for k in evaluation["survey_responses"][0]["answers"]}]
    assert [i["answers_not_sent"] for i in evaluation["survey_invitations"] if not i["answered"]][0]
    assert [(s["people_reached"], s["practices"], [f["name"] for f in s["files"]])
            for s in evaluation["sessions_back_home"]] == [(9, ["Seville interfamily groups"], ["team-notes.pdf"])]
    text = json.dumps(data)
    assert rita.token not in text and "token_hash" not in text and "password_hash" not in text


def test_the_erasers_leave_nothing_for_the_database_to_cascade(rita):
    accounts.erase_personal_data(rita.person)
    cascaded = {f"{c.table.name}.{c.name}" for c in columns_naming_a_person()
                if any(fk.ondelete == "CASCADE" for fk in c.foreign_keys)}
    left = {name: count for name, count in references_to(rita.id).items() if name in cascaded and count}
    db.session.rollback()
    assert not left


def test_deleting_the_account_erases_what_is_private_and_keeps_what_others_rely_on(rita, app):
    x = rita.exchange
    found = keys(search(x.coordinator, per_page=100))
    assert ("visit", rita.visit.id) in found and ("essay", rita.mine["submitted"].id) in found
    mine = {state: essay.id for state, essay in rita.mine.items()}
    bobs_notifications = db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == rita.bob.id))

    accounts.delete_account(rita.person, PASSWORD)
    db.session.expire_all()

    # Nothing names the person any more: no reference, nowhere their name or email.
    assert not {name: count for name, count in references_to(rita.id).items() if count}
    everything = every_text_in_the_database()
    assert NAME not in everything and EMAIL not in everything

    # Private: applications with their motivations, visits, private and unpublished essays with their
    # assessments, the rescued text, notifications, follows, bookmarks, tokens, the calendar feed.
    assert MOTIVATION not in everything
    assert db.session.get(MobilityApplication, rita.application.id) is None
    assert db.session.get(Visit, rita.visit.id) is None
    for state in ("draft", "submitted", "returned", "private"):
        assert db.session.get(Essay, mine[state]) is None, state
    assert db.session.get(Essay, rita.about_visit.id) is None  # kept for the evaluators at the end
    assert "About Rita's essay" not in everything
    assert db.session.scalar(sa.select(sa.func.count(RescuedText.id))) == 0
    assert mobility.feed_owner(rita.feed) is None
    assert db.session.scalar(sa.select(sa.func.count(CalendarFeed.id))) == 0
    assert db.session.scalar(sa.select(LoginAttempt.id).where(LoginAttempt.email == EMAIL)) is None
    client = app.test_client()
    assert client.get("/api/v1/visits", headers={"Authorization": f"Bearer {rita.token}"}).status_code == 401

    # Kept, as by a former member: practices, comments, essays published for the network, assessments she
    # wrote, Bob's application she decided and the visit she booked, the collection she made.
    own, comment = db.session.get(Practice, rita.own.id), db.session.get(Comment, rita.comment.id)
    assert own.authors == [None] and own.created_by_id is None and own.attachments[0].uploaded_by_id is None
    assert comment.author_id is None and comment.body == "How often do the groups meet?"
    published, anonymous = db.session.get(Essay, mine["published"]), db.session.get(Essay, mine["anonymous"])
    assert published.author_id is None and anonymous.author_id is None
    assert essays.author_label(published) == "Former member"
    assert essays.author_label(anonymous) == "A professional from Finland"
    assert db.session.scalar(sa.select(Assessment.notes).where(Assessment.essay_id == rita.bobs_essay.id)
                             .where(Assessment.evaluator_id.is_(None))) == "Rita's notes on Bob"
    assert db.session.get(Essay, rita.bobs_essay.id).reviewed_by_id is None
    assert db.session.get(MobilityApplication, rita.bobs.id).decided_by_id is None
    assert db.session.get(Visit, rita.bobs_visit.id).created_by_id is None
    # Her registration went with its answer; its place went to Bob, who waited.
    assert "Rita's diet" not in everything
    assert [(r.user_id, r.status) for r in db.session.get(Event, rita.training.id).registrations] == [
        (rita.bob.id, "approved")]
    # The event of her visit stays, without the visit.
    assert db.session.get(Event, rita.visit_event.id).visit_id is None
    # The slides she added to the training stay with it, naming no one.
    slides = db.session.get(EventMaterial, rita.slides.id)
    assert slides.added_by_id is None and slides.title == "Slides of the training"
    # Being an editor was hers; the editor she added stays.
    assert db.session.scalar(sa.select(CollectionEditor).where(
        CollectionEditor.collection_id == rita.sevilles.id)) is None
    assert db.session.scalar(sa.select(CollectionEditor.user_id).where(
        CollectionEditor.collection_id == rita.shelf.id)) == rita.bob.id
    # Her essay kept for the evaluators left the collection; the frozen edition names a former member.
    assert db.session.get(CollectionItem, rita.withdrawn_item.id) is None
    edition = db.session.scalar(sa.select(CollectionEdition).where(CollectionEdition.collection_id == rita.shelf.id))
    authors = [item["authors"] for chapter in edition.contents["chapters"] for item in chapter["items"]]
    assert authors == [["former member"], ["former member"], ["former member"]]
    assert edition.published_by_id is None
    # Her certificate keeps its code and what it certified, revoked, naming no one.
    certificate = db.session.get(Certificate, rita.certificate.id)
    assert certificate.person_id is None and certificate.revocation == HOLDER_ERASED

    # Others' notifications about her comment or her visit keep the news, not her name.
    notified = db.session.scalars(sa.select(Notification.message).where(Notification.message.contains(
        "former member"))).all()
    assert any("commented" in message or "replied" in message for message in notified)
    assert any("visit" in message for message in notified)
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == rita.bob.id)) == bobs_notifications + 1  # and: he moved up to the place she held

    # Her survey answers (named) and sessions back home went; the survey, target and report stay, without her.
    for words in ("Rita's answer", "Rita's unsent answer", "Rita told her team"):
        assert words not in everything
    from network.evaluation.models import ReportVersion, Survey

    assert db.session.scalar(sa.select(Survey.created_by_id).where(Survey.title.is_not(None))) is None
    assert db.session.scalar(sa.select(sa.func.count(ReportVersion.id))) == 1

    # The audit log keeps every action, without the name.
    deleted = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "user.deleted")).one()
    assert deleted.target_label == accounts.FORMER_MEMBER
    proposed = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "visit.propose",
                                                              AuditEntry.target_id == rita.visit.id))
    assert proposed.target_label.startswith("former member · Seville Family Centre")
    made = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "application.endorse",
                                                           AuditEntry.target_id == rita.bobs.id)).one()
    assert made.actor_id is None and made.by_person

    # Search: her visit and erased essays left the index.
    sync.drain_all()
    found = keys(search(x.coordinator, per_page=100))
    assert ("visit", rita.visit.id) not in found
    assert ("essay", mine["submitted"]) not in found and ("essay", mine["published"]) in found

    # The pages show the former member.
    reader = app.test_client()
    reader.post("/login", data={"email": rita.bob.email, "password": PASSWORD})
    page = read_html(reader.get(f"/practices/{rita.own.id}")).get_text(" ", strip=True)
    assert "former member" in page and NAME not in page
    assert "Former member" in read_html(reader.get(f"/essays/{mine['published']}")).get_text(" ", strip=True)


def test_an_edition_naming_the_person_has_its_pdf_made_again(rita, app):
    edition = db.session.scalar(sa.select(CollectionEdition).where(CollectionEdition.collection_id == rita.shelf.id))
    path = pdf.pdf_path(edition)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7 naming " + NAME.encode())

    accounts.delete_account(rita.person, PASSWORD)

    assert not path.exists()


def test_a_refused_deletion_changes_nothing(rita):
    with pytest.raises(ServiceError):
        accounts.delete_account(rita.person, "not the password")
    db.session.expire_all()
    assert db.session.get(User, rita.id) is not None
    assert not [name for name, count in references_to(rita.id).items() if not count]


def test_only_the_whole_name_becomes_former_member(app, users, make_practice):
    """A short name inside a longer word (a title, a host's name) is not the person."""
    ana = users["professional"]
    ana.name = "Ana"
    db.session.commit()
    practice = make_practice(ana.institution, actor=users["coordinator"], title="Anatomy of family care")
    discussion.add_comment(ana, practice, "Ana's question")

    accounts.delete_account(ana, PASSWORD)

    [message] = db.session.scalars(sa.select(Notification.message).where(
        Notification.user_id == users["coordinator"].id)).all()
    assert message == "former member commented on “Anatomy of family care”."
