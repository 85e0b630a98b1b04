"""The world of the authorisation matrix (tests/test_authorization_matrix.py): one partnership with objects
in every state, one person per kind of visitor, and a snapshot of the database to go back to after a
request that changed something. Not a conftest: tests import `conftest` by name."""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app
from flask_login import AnonymousUserMixin

from certificates_helpers import issue_to
from conftest import PASSWORD, practice_data
from essays_helpers import record_training, written
from events_helpers import event_data, session_data
from mobility_helpers import W1, application_data, offer_data
from network import permissions
from network.api import tokens
from network.auth import services as accounts
from network.auth.models import COORDINATOR, EVALUATOR, INSTITUTION_ADMIN, SITE_ADMIN
from network.essays import services as essays
from network.extensions import db
from network.institutions import services as institutions
from network.mobility import services as mobility
from network.practices import discussion
from network.practices import services as practices
from network.practices.attachments import Upload
from network.search import sync

# The kinds of visitor, in the order of the columns of the matrix.
VISITORS = ("anonymous", "outsider", "member", "institution_admin", "coordinator", "evaluator", "site_admin")

PRACTICE_STATES = ("draft", "published", "members", "archived")
ESSAY_STATES = ("draft", "submitted", "published", "private", "returned")
EVENT_STATES = ("public", "members", "partnership")  # an event's visibility

# Text that only some visitors may see anywhere (hidden_text): the leak check looks for it in every response.
HIDDEN_COMMENT = "Authz comment its moderators hid"
MOTIVATION = "Authz motivation of the member's application"
TRAVELLER_MOTIVATION = "Authz motivation of the visitor's application"
PRIVATE_NOTE = "Authz private note of the evaluator"
PENDING_NAME = "Authz Pending"
PENDING_ELSEWHERE = "Authz Elsewhere"  # waits to join the other institution
OFFER_TEXT = "Authz offer of the owning institution"
EVENT_LINK = "https://meet.example.org/authz-online-event"  # the members' event's link: organisers, the approved
EVENT_ANSWER = "Authz answer to the organisers' question"  # the traveller's: the events' organisers only

MATERIAL_TITLE = "Authz material for the registered"  # each event's: organisers and the approved only
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% authz\n"


@dataclass
class World:
    """Ids (not objects: the database goes back to its snapshot between requests) of everything the
    matrix's URLs name."""

    users: dict[str, int] = field(default_factory=dict)  # visitor kind -> user id (no anonymous)
    bearer: dict[str, str] = field(default_factory=dict)  # visitor kind -> plain API token
    owner_slug: str = ""
    other_slug: str = ""  # an institution outside the partnership (the outsider's)
    sending: int = 0  # the sending institution of the partnership (it has an offer too)
    partnership: int = 0
    practices: dict[str, int] = field(default_factory=dict)  # practice state -> id
    attachments: dict[str, int] = field(default_factory=dict)  # practice state -> its attachment's id
    comments: dict[str, int] = field(default_factory=dict)  # practice state -> the member's comment on it
    hidden_comment: int = 0  # the outsider's comment on the published practice, hidden by a moderator
    essays: dict[str, int] = field(default_factory=dict)  # essay state -> the member's essay
    blank_event: int = 0  # an event the member took part in and has not written about yet
    offer: int = 0  # the owning institution's hosting offer
    application: int = 0  # the member's own application (submitted, not yet endorsed)
    visit: int = 0  # a proposed visit hosted by the owning institution, visitor from the sending one
    trip: int = 0  # the application that visit came from
    pending: dict[str, int] = field(default_factory=dict)  # "owner"/"other" -> someone waiting to join it
    spare_token: int = 0  # a second API token of the member (revoking it leaves their own bearer working)
    calendar_token: str = ""  # the member's secret calendar feed
    collections: dict[str, int] = field(default_factory=dict)  # "public"/"members" -> a collection's id
    # "public"/"members" -> the collection's one chapter, and its item (in that chapter); each has edition 1
    collection_chapters: dict[str, int] = field(default_factory=dict)
    collection_items: dict[str, int] = field(default_factory=dict)
    certificate: str = ""  # the code of the member's certificate (of a kind the coordinators may revoke)
    # Events hosted by the owning institution, one per visibility (EVENT_STATES), each with one session and the
    # traveller's registration waiting for approval; the members' one is online, the member's registration approved.
    events: dict[str, int] = field(default_factory=dict)
    event_sessions: dict[str, int] = field(default_factory=dict)
    event_registrations: dict[str, int] = field(default_factory=dict)
    # Each event's material for its registered participants only (a file, on its session); the public event also
    # links the members-only practice (for everyone who sees the event: shown only to who may see the practice).
    event_materials: dict[str, int] = field(default_factory=dict)
    # The self-assessment: the member's completed result (on the published version), the coordinator's invitation
    # for the partnership (and its secret link's token), the published version and a draft.
    assessment_result: int = 0
    assessment_invitation: int = 0
    assessment_token: str = ""
    questionnaire_versions: dict[str, int] = field(default_factory=dict)  # "published"/"draft" -> id
    # "published"/"draft" -> the first dimension, statement and level of that version
    questionnaire_parts: dict[str, dict[str, int]] = field(default_factory=dict)
    # Learning: the owning institution's courses, "public" (published, the member enrolled, with a submitted quiz
    # attempt) and "draft"; state -> the course's id, and its parts: module, lesson (the first), the quiz, the
    # reflection and the task (of the first lessons), the quiz's first question, the first lesson's file (in version 1
    # of the public course, in the draft of the other); the member's attempt.
    courses: dict[str, int] = field(default_factory=dict)
    course_parts: dict[str, dict[str, int]] = field(default_factory=dict)
    quiz_attempt: int = 0
    enrolment: int = 0  # the member's, in the public course
    # Evaluation: the partnership's surveys, "draft" and "open" (named), and a "template"; state -> the survey's id
    # and its parts (section_id, question_id); the member's invitation to the open survey (about the visit); the
    # traveller's session back home after the visit, with a file; the owning institution (a host); report version 1.
    surveys: dict[str, int] = field(default_factory=dict)
    survey_parts: dict[str, dict[str, int]] = field(default_factory=dict)
    survey_invitation: int = 0
    back_home_session: int = 0
    session_material: int = 0
    owner_institution: int = 0
    # visitor kind -> titles (and other marked text) of what that visitor may not see: no page may show it
    hidden_text: dict[str, list[str]] = field(default_factory=dict)


def build_world() -> World:
    """Everything is owned by "Owning Institution", a partner of the partnership coordinated by another."""
    world = World()

    def institution(name, country, languages=("en",)):
        return institutions.create_institution(None, institutions.InstitutionData(
            name=name, country=country, city="Town", sectors=["social"], languages=list(languages)))

    def person(kind, home, role=None, approved=True):
        return accounts.create_user(f"Authz {kind.replace('_', ' ').title()}", f"authz-{kind}@example.org",
                                    PASSWORD, home, roles=[role] if role else [], approved=approved)

    owner = institution("Owning Institution", "ES", ("es", "en"))
    other = institution("Other Institution", "RO", ("ro", "en"))  # not in the partnership
    coordinating = institution("Coordinating Centre", "BE", ("fr", "en"))
    sending = institution("Sending Institution", "FI", ("fi", "en"))
    evaluation = institution("Evaluation Unit", "NL", ("nl", "en"))
    platform = institution("Platform Team", "LU", ("fr", "en"))
    partnership = institutions.create_partnership(None, institutions.PartnershipData(
        title="Authz partnership", reference="2025-1-ES01-KA220-AUTHZ1", start_date=date(2025, 11, 1),
        end_date=date(2027, 10, 31), coordinating_institution=coordinating, partners=[owner, sending]))

    users = {
        "outsider": person("outsider", other),
        "member": person("member", owner),
        "institution_admin": person("institution_admin", owner, INSTITUTION_ADMIN),
        "coordinator": person("coordinator", coordinating, COORDINATOR),
        "evaluator": person("evaluator", evaluation, EVALUATOR),
        "site_admin": person("site_admin", platform, SITE_ADMIN),
    }
    member, owner_admin = users["member"], users["institution_admin"]
    traveller = person("traveller", sending)
    sending_admin = person("sending_admin", sending, INSTITUTION_ADMIN)
    pending = accounts.create_user(PENDING_NAME, "authz-pending@example.org", PASSWORD, owner, approved=False)
    pending_elsewhere = accounts.create_user(PENDING_ELSEWHERE, "authz-elsewhere@example.org", PASSWORD,
                                             other, approved=False)

    # Practices of the owning institution in each state, each with an attachment and a comment by the member
    # (written while it was published; then moved to its state).
    for state in PRACTICE_STATES:
        practice = practices.create_practice(member, practice_data(
            owner, title=f"Authz {state} practice", external_ref=f"authz-{state}",
            visibility="members" if state == "members" else "public"),
            [Upload(f"{state}.png", "image/png", PNG)])
        comment = discussion.add_comment(member, practice, f"Authz comment on the {state} practice")
        if state == "published":  # and a comment its institution's admin hid: moderators only see it
            hidden = discussion.add_comment(users["outsider"], practice, HIDDEN_COMMENT)
            discussion.hide_comment(owner_admin, hidden)
            world.hidden_comment = hidden.id
        if state in ("draft", "archived"):
            practices.change_status(member, practice, state)
        world.practices[state], world.comments[state] = practice.id, comment.id
        world.attachments[state] = practice.attachments[0].id

    # Mobility: offers of the owning and sending institutions, the member's application, a proposed visit.
    # The offer and a published essay link a draft and a members-only practice (their writers may see them):
    # pages that show the links must leave out those a visitor may not see.
    linked = [world.practices["draft"], world.practices["members"]]
    own_offer = mobility.save_offer(owner_admin, partnership, owner, offer_data(
        description=OFFER_TEXT, practice_ids=linked))
    mobility.save_offer(sending_admin, partnership, sending, offer_data(languages=["fi", "en"]))
    application = mobility.save_application(member, partnership, application_data(
        preferred_hosts=[sending.id], motivation=MOTIVATION))
    trip = mobility.save_application(traveller, partnership, application_data(
        preferred_hosts=[owner.id], motivation=TRAVELLER_MOTIVATION))
    mobility.decide_application(sending_admin, trip, endorse=True)
    visit = mobility.book_visit(users["coordinator"], trip, own_offer, W1)

    # Essays of the member in each state, one training event each, and one event not written about yet.
    exchange = SimpleNamespace(coordinator=users["coordinator"], partnership=partnership, seville=owner)
    for state in ESSAY_STATES:
        event = record_training(exchange, [member], title=f"Authz event {state}")
        status = {"private": "published"}.get(state, state)
        essay = written(member, event, status, reviewer=users["coordinator"], title=f"Authz {state} essay",
                        practice_ids=linked if state == "published" else [])
        if state == "private":
            essays.set_display(member, essay, "private")
        if state == "submitted":  # assessed, with notes only evaluators read
            scores = {criterion.id: 4 for criterion in essays.rubric_of(partnership)}
            essays.assess(users["evaluator"], essay, essays.AssessmentData(scores=scores, notes=PRIVATE_NOTE))
        world.essays[state] = essay.id
    world.blank_event = record_training(exchange, [member], title="Authz event to write about").id

    # Collections of the owning institution: a public one holding the published practice, a members-only one
    # holding the members-only practice.
    from network.collections import services as collections

    for visibility, state in (("public", "published"), ("members", "members")):
        collection = collections.create_collection(owner_admin, collections.CollectionData(
            title=f"Authz {visibility} collection", visibility=visibility,
            owner=collections.owner_key(owner)))
        item = collections.add_item(owner_admin, collection, practice_id=world.practices[state])
        world.collections[visibility] = collection.id
        # A chapter holding the item, edition 1 published; the member edits the public collection.
        chapter = collections.add_chapter(owner_admin, collection, f"Authz {visibility} chapter")
        collections.update_item(owner_admin, item, "An editor's note.", chapter.id)
        collections.publish_edition(owner_admin, collection)
        if visibility == "public":
            collections.add_editor(owner_admin, collection, member.email)
        world.collection_chapters[visibility], world.collection_items[visibility] = chapter.id, item.id

    world.certificate = issue_to(member, title="Authz training event").display_code

    from network.events import materials as event_materials
    from network.events import services as events

    for visibility in EVENT_STATES:
        online = visibility == "members"
        event = events.create_event(users["coordinator"], event_data(
            exchange, title=f"Authz {visibility} event", visibility=visibility, requires_approval=True,
            online=online, online_link=EVENT_LINK if online else "", city="Town"))
        session = events.add_session(users["coordinator"], event, session_data(title=f"Authz {visibility} session"))
        waiting = events.register(traveller, event, {"dietary": EVENT_ANSWER})
        if online:
            events.decide_registration(users["coordinator"], events.register(member, event), approve=True)
        world.events[visibility], world.event_sessions[visibility] = event.id, session.id
        world.event_registrations[visibility] = waiting.id
        handout = event_materials.add_file(users["coordinator"], event, event_materials.MaterialData(
            title=f"{MATERIAL_TITLE} {visibility}", session_id=session.id, audience="registered",
            upload=Upload("handout.pdf", "application/pdf", PDF)))
        world.event_materials[visibility] = handout.id
        if visibility == "public":
            event_materials.add_link(users["coordinator"], event, event_materials.MaterialData(
                link_kind="practice", link=str(world.practices["members"])))

    from network.self_assessment import services as self_assessment
    from self_assessment_helpers import completed_result, tiny_questionnaire

    published = tiny_questionnaire()
    world.assessment_result = completed_result(member, published, {"safety-1": 3}).id
    invitation = self_assessment.create_invitation(users["coordinator"], partnership=partnership, label="Authz group")
    world.assessment_invitation, world.assessment_token = invitation.id, invitation.token
    draft = self_assessment.new_draft()
    world.questionnaire_versions = {"published": published.id, "draft": draft.id}
    world.questionnaire_parts = {state: {"dimension_id": version.dimensions[0].id,
                                         "statement_id": version.statements[0].id, "level_id": version.levels[0].id}
                                 for state, version in (("published", published), ("draft", draft))}

    from learning_helpers import make_course, quiz_of, right_answers
    from network.learning import attachments as lesson_files
    from network.learning import services as learning

    for state in ("public", "draft"):
        course = make_course(owner_admin, owner, title=f"Authz {state} course", publish=False)
        # A file of the first lesson: in version 1 of the public course, in the draft of the other.
        handout = lesson_files.add(owner_admin, course.lessons[0], Upload(f"{state}.pdf", "application/pdf", PDF))
        if state == "public":
            learning.publish(owner_admin, course)
        quiz = quiz_of(course)
        world.courses[state] = course.id
        world.course_parts[state] = {
            "module_id": course.modules[0].id, "lesson_id": course.lessons[0].id, "quiz": quiz.id,
            "reflection": course.lessons[0].activities[1].id, "task": course.lessons[1].activities[0].id,
            "question_id": quiz.questions[0].id, "attachment": handout.id}
        if state == "public":
            enrolment = learning.enrol(member, course)
            world.enrolment = enrolment.id
            world.quiz_attempt = learning.submit_attempt(enrolment, learning.start_attempt(enrolment, quiz.id),
                                                         right_answers(quiz)).id

    _evaluation(world, users, partnership, owner, visit, traveller)

    for kind, user in users.items():
        world.bearer[kind] = tokens.create_token(user, "authz matrix")[1]
    world.spare_token = tokens.create_token(member, "authz spare")[0].id
    world.calendar_token = mobility.feed_token("user", member.id)

    world.users = {kind: user.id for kind, user in users.items()}
    world.owner_slug, world.other_slug, world.sending = owner.slug, other.slug, sending.id
    world.partnership = partnership.id
    world.offer, world.application, world.visit, world.trip = own_offer.id, application.id, visit.id, trip.id
    world.pending = {"owner": pending.id, "other": pending_elsewhere.id}
    world.hidden_text = _hidden_text(world, users)
    sync.drain_all()  # search pages and the search API see the world too
    return world


def _evaluation(world: World, users: dict, partnership, owner, visit, traveller) -> None:
    from network import uploads
    from network.evaluation import dissemination, editing, reports
    from network.evaluation import models as evaluation

    coordinator, admin = users["coordinator"], users["site_admin"]
    for state in ("draft", "open", "template"):
        author, home = (admin, None) if state == "template" else (coordinator, partnership)
        survey = editing.create_survey(author, home, {
            "title": {"en": f"Authz {state} survey"}, "introduction": {"en": ""}, "moment": evaluation.AFTER_VISIT,
            "anonymous": "named", "answer_days": 21, "remind_after_days": 7})
        section = editing.add_section(survey, {"title": {"en": "First page"}})
        question = editing.add_question(section, {"kind": evaluation.SCALE, "text": {"en": "How was it?"},
                                                  "required": False})
        if state == "open":
            editing.open_survey(survey)
        world.surveys[state] = survey.id
        world.survey_parts[state] = {"section_id": section.id, "question_id": question.id}
    invitation = evaluation.SurveyInvitation(
        survey_id=world.surveys["open"], user_id=users["member"].id, subject_kind=evaluation.VISIT,
        subject_id=visit.id, host_institution_id=owner.id, closes_on=W1 + timedelta(days=400))
    session = evaluation.DisseminationSession(visit_id=visit.id, user_id=traveller.id, held_on=W1, format="training",
                                              people_reached=4, summary="Authz session back home")
    stored = uploads.write(dissemination.FOLDER, Upload("notes.pdf", "application/pdf", PDF))
    session.materials.append(evaluation.SessionMaterial(filename="notes.pdf", stored_name=stored,
                                                        content_type="application/pdf", size=len(PDF)))
    db.session.add_all([invitation, session])
    db.session.commit()
    reports.save_draft(coordinator, partnership, reports.DraftData(language="en", summary="Authz summary"))
    reports.publish(coordinator, partnership)
    world.survey_invitation, world.back_home_session = invitation.id, session.id
    world.session_material, world.owner_institution = session.materials[0].id, owner.id


def _hidden_text(world: World, users: dict) -> dict[str, list[str]]:
    """What each visitor may not see, decided by network.permissions (the oracle of the leak check)."""
    from network.essays.models import Essay
    from network.institutions.models import Institution, Partnership
    from network.mobility.models import MobilityApplication
    from network.practices.models import Practice

    hidden = {}
    partnership = db.session.get(Partnership, world.partnership)
    owner = db.session.scalar(sa.select(Institution).where(Institution.slug == world.owner_slug))
    other = db.session.scalar(sa.select(Institution).where(Institution.slug == world.other_slug))
    published = db.session.get(Practice, world.practices["published"])
    essay = db.session.get(Essay, world.essays["submitted"])
    for kind in VISITORS:
        user = users.get(kind) or AnonymousUserMixin()
        practices_ = [db.session.get(Practice, pid) for pid in world.practices.values()]
        essays_ = [db.session.get(Essay, eid) for eid in world.essays.values()]
        text = [p.title for p in practices_ if not permissions.can_view_practice(user, p)]
        text += [e.title for e in essays_ if not permissions.can_view_essay(user, e)]
        from network.collections.models import Collection

        text += [c.title for c in (db.session.get(Collection, cid) for cid in world.collections.values())
                 if not permissions.can_view_collection(user, c)]
        if not permissions.can_view_mobility(user, partnership):
            text.append(OFFER_TEXT)
        # A hidden comment: its moderators (and its author, in their own data) only.
        if not permissions.can_moderate_comments(user, published) and kind != "outsider":
            text.append(HIDDEN_COMMENT)
        for application_id, motivation in ((world.application, MOTIVATION),
                                           (world.trip, TRAVELLER_MOTIVATION)):
            application = db.session.get(MobilityApplication, application_id)
            if not permissions.can_view_application(user, application):
                text.append(motivation)
        if not permissions.can_see_assessments(user, essay):
            text.append(PRIVATE_NOTE)
        from network.events.models import Event

        events_ = [db.session.get(Event, eid) for eid in world.events.values()]
        text += [e.title for e in events_ if not permissions.can_view_event(user, e)]
        if not permissions.can_see_online_link(user, db.session.get(Event, world.events["members"])):
            text.append(EVENT_LINK)
        if not any(permissions.organises_event(user, e) for e in events_):
            text.append(EVENT_ANSWER)
        from network.events.models import EventMaterial

        text += [m.title for m in (db.session.get(EventMaterial, mid) for mid in world.event_materials.values())
                 if not permissions.can_see_event_material(user, m)]
        # Who waits to join an institution: for the admins who decide (its own, and site admins).
        if not permissions.administers_institution(user, owner):
            text.append(PENDING_NAME)
        if not permissions.administers_institution(user, other):
            text.append(PENDING_ELSEWHERE)
        hidden[kind] = text
    return hidden


# --- going back to the snapshot ---------------------------------------------------------------------


class Snapshot:
    """Every row of every table, and the upload folder, as they were once the world was built.

    restore() deletes and re-inserts the rows (children after parents, by primary key), which works the
    same on SQLite and PostgreSQL; sequences are left where they are, so new ids never collide."""

    def __init__(self):
        db.session.remove()
        self.tables = db.metadata.sorted_tables
        with db.engine.connect() as connection:
            self.rows = {
                table.name: [dict(row) for row in connection.execute(
                    sa.select(table).order_by(*table.primary_key.columns)).mappings()]
                for table in self.tables
            }
        self.uploads = Path(current_app.config["UPLOAD_FOLDER"])
        self.saved_uploads = self.uploads.with_name(self.uploads.name + "-snapshot")
        shutil.rmtree(self.saved_uploads, ignore_errors=True)
        if self.uploads.exists():
            shutil.copytree(self.uploads, self.saved_uploads)

    def restore(self, written: set[str] | None = None) -> None:
        """Put back the tables a request wrote (`written`, by name; None: every table), with every table that
        refers to them (a delete there may have cascaded or emptied a column; their rows must go before their
        parents' are put back), instead of all of them: most writes touch a few tables of the 90."""
        db.session.remove()
        tables = self.tables if written is None else self._with_referring(written)
        with db.engine.begin() as connection:
            for table in reversed(tables):
                connection.execute(table.delete())
            for table in tables:
                if self.rows[table.name]:
                    connection.execute(table.insert(), self.rows[table.name])
        shutil.rmtree(self.uploads, ignore_errors=True)
        if self.saved_uploads.exists():
            shutil.copytree(self.saved_uploads, self.uploads)

    def _with_referring(self, written: set[str]) -> list:
        names = {name for name in written if name in self.rows}
        if len(names) != len(written):  # a table the snapshot does not know (raw SQL, a temporary one): all
            return self.tables
        while True:
            more = {table.name for table in self.tables if table.name not in names and any(
                key.column.table.name in names for key in table.foreign_keys)}
            if not more:
                return [table for table in self.tables if table.name in names]
            names |= more


class WriteWatch:
    """Notes every statement that changes the database (the requests' own sessions included)."""

    # Reading the API with a token records when it was last used (once a minute at most): not a change
    # made by the request's action.
    IGNORED = ("UPDATE api_tokens SET last_used_at",)

    def __init__(self, engine):
        self.engine = engine
        self.writes: list[str] = []
        self.tables: set[str] = set()  # the tables written (by name), for Snapshot.restore
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    WRITTEN_TABLE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.I)

    def _seen(self, _conn, _cursor, statement, _parameters, _context, _executemany):
        head = statement.lstrip()[:60].upper()
        if head.startswith(("INSERT", "UPDATE", "DELETE")) and not any(
                statement.lstrip().startswith(ignored) for ignored in self.IGNORED):
            self.writes.append(statement.lstrip()[:80])
            found = self.WRITTEN_TABLE.match(statement)
            self.tables.add(found.group(1) if found else "?")  # "?": unknown, Snapshot.restore puts back all

    def clear(self) -> None:
        self.writes.clear()
        self.tables.clear()

    def close(self):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)
