"""Essays: events, writing, the essay's life, the archive's permissions and filters, rescued text,
rubric and assessment, the report's numbers, reminders."""
from datetime import date

import pytest
from sqlalchemy import select

from essays_helpers import essay_data, record_training, written
from mobility_helpers import W1
from network.auth.models import EVALUATOR
from network.errors import ServiceError
from network.essays import services as essays
from network.essays.models import DRAFT, PUBLISHED, RETURNED, SUBMITTED
from network.essays.services import ArchiveFilters, AssessmentData
from network.events import services as events
from network.events.models import Event
from network.extensions import db
from network.mobility import services as mobility
from network.notifications.models import Notification


@pytest.fixture
def people(exchange, make_user, make_institution):
    evaluator_home = make_institution(name="Evaluation Unit", country="BE")
    return {
        "author": make_user(institution=exchange.sender, name="Aino Author"),
        "colleague": make_user(institution=exchange.sender),
        "member": make_user(institution=exchange.arad),
        "evaluator": make_user(EVALUATOR, institution=evaluator_home),
        "second_evaluator": make_user(EVALUATOR, institution=evaluator_home),
    }


@pytest.fixture
def event(exchange, people):
    return record_training(exchange, [people["author"], people["colleague"]])


def ids(user, **filters) -> set[int]:
    return {e.id for e in db.session.scalars(essays.archive_query(user, ArchiveFilters(**filters)))}


# --- events --------------------------------------------------------------------------------------


def test_a_coordinator_records_an_event_with_participants(exchange, event, people):
    assert event.kind == "training_event" and event.host == exchange.seville
    assert events.events_of(people["author"]) == [event]
    assert events.events_of(people["member"]) == []


@pytest.mark.parametrize("overrides, field", [
    (dict(title=" "), "title"),
    (dict(kind="party"), "kind"),
    (dict(start_date=date(2026, 5, 14)), "end_date"),
    (dict(start_date=date(2024, 1, 1), end_date=date(2024, 1, 2)), "start_date"),
])
def test_a_bad_event_is_refused_with_the_rule_named(exchange, people, overrides, field):
    with pytest.raises(ServiceError) as raised:
        record_training(exchange, [people["author"]], **overrides)
    assert field in raised.value.errors


def test_only_coordinators_record_events(exchange, people):
    with pytest.raises(ServiceError):
        events.record_event(exchange.seville_admin, exchange.partnership, events.RecordedEventData(title="x"))


def test_a_completed_visit_becomes_an_event_and_asks_for_an_essay(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    mobility.complete_visit(exchange.coordinator, visit, today=W1)

    event = db.session.scalar(select(Event).where(Event.visit_id == visit.id))
    assert event.kind == "job_shadowing" and event.participants == [visit.visitor]
    assert (event.start_date, event.end_date) == (W1, date(2027, 3, 5))
    link = f"/essays/new?event={event.id}"
    assert db.session.scalar(select(Notification).where(Notification.user_id == visit.visitor_id,
                                                        Notification.link == link)) is not None


# --- writing -------------------------------------------------------------------------------------


def test_only_participants_write_about_an_event(event, people):
    with pytest.raises(ServiceError):
        essays.start_essay(people["member"], event)
    essay = essays.start_essay(people["author"], event)
    assert essay.status == DRAFT and essays.start_essay(people["author"], event) == essay  # one per event
    assert essay.author_country == "FI"


def test_a_draft_keeps_whatever_was_typed_and_counts_words(event, people):
    essay = essays.start_essay(people["author"], event)
    essays.save_draft(people["author"], essay, essay_data(title="", body="Half a sentence and", language="xx"),
                      autosave=True)
    assert essay.body == "Half a sentence and" and essay.word_count == 4 and essay.autosaved_at is not None


def test_a_refused_submission_keeps_the_text(event, people):
    essay = essays.start_essay(people["author"], event)
    with pytest.raises(ServiceError) as raised:
        essays.submit_essay(people["author"], essay, essay_data(title=" ", body="All my thoughts."))
    assert "title" in raised.value.errors
    db.session.expire_all()
    assert essay.status == DRAFT and essay.body == "All my thoughts."


def test_submitted_then_published_or_returned(exchange, event, people):
    essay = written(people["author"], event)
    assert essay.status == SUBMITTED
    with pytest.raises(ServiceError):
        essays.save_draft(people["author"], essay, essay_data(body="Changed after submitting"))
    with pytest.raises(ServiceError):
        essays.publish_essay(people["member"], essay)
    with pytest.raises(ServiceError) as raised:
        essays.return_essay(people["evaluator"], essay, " ")
    assert "comment" in raised.value.errors
    essays.return_essay(people["evaluator"], essay, "Say more about your team.")
    assert essay.status == RETURNED
    essays.submit_essay(people["author"], essay, essay_data(body="Now with my team."))
    essays.publish_essay(exchange.coordinator, essay)
    assert essay.status == PUBLISHED and essay.published_at is not None
    told = db.session.scalars(select(Notification.message).where(Notification.user_id == people["author"].id)).all()
    assert any("returned" in m for m in told) and any("published" in m for m in told)


def test_hostile_markdown_is_kept_as_typed_and_cleaned_when_shown(event, people):
    from network.sanitize import render_markdown

    essay = written(people["author"], event, body='<script>alert(1)</script>[x](javascript:alert(1)) **ok**')
    html = render_markdown(essay.body)
    assert "<script" not in html and "javascript:" not in html and "<strong>ok</strong>" in html


# --- the archive ---------------------------------------------------------------------------------


def test_who_sees_which_essay(exchange, event, people):
    draft = written(people["author"], event, status="draft")
    submitted = written(people["colleague"], event)
    other_event = record_training(exchange, [people["author"], people["colleague"]], title="Conference")
    published = written(people["author"], other_event, status="published", reviewer=people["evaluator"])
    private = written(people["colleague"], other_event, status="published", reviewer=people["evaluator"],
                      display="private")

    assert ids(people["author"]) == {draft.id, published.id}
    assert ids(people["member"]) == {published.id}
    assert ids(people["evaluator"]) == {submitted.id, published.id, private.id}
    assert ids(exchange.coordinator) == {submitted.id, published.id, private.id}
    from flask_login import AnonymousUserMixin
    assert ids(AnonymousUserMixin()) == set()
    # The Python rule says the same as the SQL one.
    from network.permissions import can_view_essay
    everyone = [draft, submitted, published, private]
    for user in (people["author"], people["member"], people["evaluator"], exchange.coordinator):
        assert {e.id for e in everyone if can_view_essay(user, e)} == ids(user)


def test_archive_filters_combine(exchange, event, people, make_user):
    romanian = make_user(institution=exchange.arad)
    conference = record_training(exchange, [people["author"], romanian], title="Conference",
                                 start_date=date(2027, 2, 1), end_date=date(2027, 2, 2),
                                 host_institution_id=exchange.arad.id)
    first = written(people["author"], event, language="en")
    second = written(people["author"], conference, language="fi")
    third = written(romanian, conference, language="ro")
    evaluator = people["evaluator"]
    assert ids(evaluator, event=event.id) == {first.id}
    assert ids(evaluator, host=exchange.arad.id) == {second.id, third.id}
    assert ids(evaluator, country="FI") == {first.id, second.id}
    assert ids(evaluator, country="FI", year=2027) == {second.id}
    assert ids(evaluator, language="ro") == {third.id}
    assert ids(evaluator, status="published") == set()


def test_anonymised_essays_show_only_the_country(event, people):
    essay = written(people["author"], event, status="published", reviewer=people["evaluator"], display="anonymous")
    assert essays.author_label(essay, people["member"]) == "A professional from Finland"
    assert essays.author_label(essay, people["evaluator"]) == "Aino Author"
    essays.set_display(people["author"], essay, "named")
    assert essays.author_label(essay, people["member"]) == "Aino Author"
    with pytest.raises(ServiceError):
        essays.set_display(people["member"], essay, "private")


# --- rescued text --------------------------------------------------------------------------------


def test_rescued_text_comes_back_once_to_the_right_essay(event, people, exchange):
    essay = essays.start_essay(people["author"], event)
    other = essays.start_essay(people["colleague"], event)
    token = essays.rescue_text({"title": "T", "body": "Everything I typed", "csrf_token": "x"}, essay.id, event.id)
    assert essays.take_rescued(token, other) is None
    assert essays.take_rescued("wrong", essay) is None
    assert essays.take_rescued(token, essay) == {"title": "T", "body": "Everything I typed"}
    assert essays.take_rescued(token, essay) is None


# --- rubric, assessment, report ------------------------------------------------------------------


def test_assessing_needs_an_evaluator_every_criterion_and_the_scale(event, people):
    essay = written(people["author"], event)
    criteria = essays.rubric_of(event.partnership)
    assert [c.name for c in criteria] == ["Depth of reflection", "Transfer to practice", "Link to the host's approach"]
    all_threes = {c.id: 3 for c in criteria}
    with pytest.raises(ServiceError):
        essays.assess(people["member"], essay, AssessmentData(scores=all_threes))
    with pytest.raises(ServiceError) as raised:
        essays.assess(people["evaluator"], essay, AssessmentData(scores={**all_threes, criteria[0].id: 6}))
    assert "1 to 5" in " ".join(map(str, raised.value.errors["scores"]))
    with pytest.raises(ServiceError) as raised:
        essays.assess(people["evaluator"], essay, AssessmentData(scores={criteria[0].id: 3}))
    assert "every criterion" in " ".join(map(str, raised.value.errors["scores"]))
    assessment = essays.assess(people["evaluator"], essay, AssessmentData(
        scores=all_threes, strengths=["Concrete plans", "concrete plans"], skills=["group facilitation"],
        notes="Private note"))
    assert [(t.kind, t.name) for t in assessment.tags] == [("skill", "group facilitation"),
                                                          ("strength", "concrete plans")]
    again = essays.assess(people["evaluator"], essay, AssessmentData(scores={**all_threes, criteria[1].id: 5}))
    assert again.id == assessment.id and sorted(s.score for s in again.scores) == [3, 3, 5] and again.tags == []


def test_the_report_matches_hand_computed_numbers(exchange, event, people):
    conference = record_training(exchange, [people["author"]], title="Conference", host_institution_id=exchange.arad.id)
    one, two = written(people["author"], event), written(people["colleague"], event)
    three = written(people["author"], conference)
    essays.start_essay(people["author"], record_training(exchange, [people["author"]], title="Not written"))  # a draft
    depth, transfer, link = essays.rubric_of(exchange.partnership)
    essays.assess(people["evaluator"], one, AssessmentData(scores={depth.id: 2, transfer.id: 4, link.id: 3},
                                                           strengths=["honest"], skills=["listening"]))
    essays.assess(people["second_evaluator"], one, AssessmentData(scores={depth.id: 4, transfer.id: 4, link.id: 3},
                                                                  strengths=["honest"], weaknesses=["vague"]))
    essays.assess(people["evaluator"], two, AssessmentData(scores={depth.id: 3, transfer.id: 1, link.id: 3},
                                                           skills=["listening", "planning"]))

    result = essays.report(exchange.partnership)

    assert (result.essays, result.assessed) == (3, 2)
    assert result.by_event == [("Training on family group conferencing", 2), ("Conference", 1)]
    assert result.by_host == [("Seville Family Centre", 2), ("Arad Social Services", 1)]
    summary = {s.criterion.name: s for s in result.criteria}
    assert summary["Depth of reflection"].mean == pytest.approx(3.0)  # (2 + 4 + 3) / 3
    assert summary["Depth of reflection"].stdev == pytest.approx((2 / 3) ** 0.5)  # population deviation
    assert summary["Transfer to practice"].mean == pytest.approx(3.0)  # (4 + 4 + 1) / 3
    assert (summary["Transfer to practice"].low, summary["Transfer to practice"].high) == (1, 4)
    assert summary["Transfer to practice"].distribution == {1: 1, 2: 0, 3: 0, 4: 2, 5: 0}
    assert summary["Link to the host's approach"].stdev == 0.0
    assert result.tags["skill"] == [("listening", 2), ("planning", 1)]
    assert result.tags["strength"] == [("honest", 2)] and result.tags["weakness"] == [("vague", 1)]
    rows = essays.report_csv_rows(result)
    assert ["rubric", "Depth of reflection", "3.00", "3", "0.82", "2", "4"] in rows
    assert three.event == conference


# --- reminders -----------------------------------------------------------------------------------


def test_a_visitor_without_an_essay_two_weeks_after_the_visit_is_reminded_once(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    mobility.complete_visit(exchange.coordinator, visit, today=W1)
    friday = date(2027, 3, 5)
    assert essays.remind(today=friday + essays.REMIND_AFTER - date.resolution) == 0  # not yet two weeks
    assert essays.remind(today=friday + essays.REMIND_AFTER) == 1
    assert essays.remind(today=friday + essays.REMIND_AFTER) == 0  # once
    reminder = db.session.scalar(select(Notification).where(Notification.user_id == visit.visitor_id,
                                                            Notification.message.like("Two weeks ago%")))
    assert reminder is not None and reminder.link.startswith("/essays/new?event=")


def test_no_reminder_when_the_essay_is_submitted(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    mobility.complete_visit(exchange.coordinator, visit, today=W1)
    event = db.session.scalar(select(Event).where(Event.visit_id == visit.id))
    written(visit.visitor, event)
    assert essays.remind(today=date(2027, 6, 1)) == 0


def test_rescues_are_bounded_per_essay_and_in_total(event, people, monkeypatch):
    essay = essays.start_essay(people["author"], event)
    tokens = [essays.rescue_text({"body": f"version {n}"}, essay.id, event.id) for n in range(5)]
    assert essays.take_rescued(tokens[0], essay) is None  # only the latest few are kept
    assert essays.take_rescued(tokens[-1], essay) == {"body": "version 4"}
    # Two rescues of this essay are still kept; with room for three in all, one more fits.
    monkeypatch.setattr(essays, "RESCUES_MAX", 3)
    essays.rescue_text({"body": "a"}, None, event.id)
    with pytest.raises(ServiceError):
        essays.rescue_text({"body": "one too many"}, essay.id, event.id)


def test_event_participants_and_host_belong_to_the_partnership(exchange, people, make_user, make_institution):
    stranger = make_user(institution=make_institution(name="Elsewhere"))
    with pytest.raises(ServiceError) as raised:
        record_training(exchange, [people["author"], stranger])
    assert "participant_ids" in raised.value.errors
    with pytest.raises(ServiceError) as raised:
        record_training(exchange, [people["author"]], host_institution_id=stranger.institution_id)
    assert "host_institution_id" in raised.value.errors
