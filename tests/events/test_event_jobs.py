"""The events' daily jobs (network/events/tasks.py), run as the worker runs them (the tests' runner runs a job at
once in the caller) on a moved clock: the reminder two days before, once per person; the end of an event, once
per event, which issues the certificates and sends event_ended, on which essays ask the participants for their
essay."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from essays_helpers import record_training, written
from events_helpers import FIRST_DAY, LAST_DAY, make_event
from mobility_helpers import W1, set_today
from network import mail
from network.auth import services as accounts
from network.events import services as events
from network.events import tasks
from network.events.signals import event_ended
from network.extensions import db
from network.jobs import runner_of
from network.mobility import services as mobility
from network.notifications.models import Notification

AFTER = LAST_DAY + timedelta(days=1)


@pytest.fixture
def people(exchange, make_user):
    return {name: make_user(institution=exchange.sender, name=name.title())
            for name in ("ana", "bo", "cy", "dee")}


@pytest.fixture
def sent(app, monkeypatch):
    """The emails the jobs send (a mail server is set; each email is a job of its own, run at once)."""
    app.config["MAIL_SERVER"] = "smtp.example.org"
    delivered = []
    monkeypatch.setattr(mail, "send_email", lambda to, subject, body: delivered.append((to, subject)))
    return delivered


def notes(person, kind: str) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == person.id,
                                                              Notification.kind == kind).order_by(Notification.id)))


def test_the_jobs_are_in_the_daily_schedule(app):
    runner = runner_of(app)
    schedule = {job.name: job.schedule_text for job in runner.periodic_jobs()}
    assert schedule["network.events.tasks.end_past_events"] == "15 5 * * *"
    assert schedule["network.events.tasks.send_event_reminders"] == "30 6 * * *"
    due = {type(job).__name__ for job in runner.huey.read_periodic(datetime(2027, 1, 17, 6, 30))}
    assert "send_event_reminders" in due and "end_past_events" not in due


# --- the reminder two days before -------------------------------------------------------------------


def test_the_approved_are_reminded_two_days_before_once_each(exchange, people, sent, monkeypatch):
    event = make_event(exchange, capacity=2)
    for name in ("ana", "bo", "cy"):  # cy waits for a place
        events.register(people[name], event)
    set_today(monkeypatch, FIRST_DAY - timedelta(days=3))
    tasks.send_event_reminders()
    assert notes(people["ana"], events.REMINDER) == []  # not yet

    set_today(monkeypatch, FIRST_DAY - timedelta(days=2))
    tasks.send_event_reminders()
    reminder = notes(people["ana"], events.REMINDER)
    assert [n.text for n in reminder] == ["Reminder: “Training on interfamily groups” begins on Tuesday, January 19, "
                                          "2027. The programme and the practical details are on its page."]
    assert reminder[0].link == f"/events/{event.id}"
    reminded = [to for to, subject in sent if "Reminder" in subject]
    assert sorted(reminded) == sorted([people["ana"].email, people["bo"].email])
    assert notes(people["cy"], events.REMINDER) == []  # waiting: no place to be reminded of

    tasks.send_event_reminders()  # the job run twice (a retry, a second worker): nobody twice
    events.cancel_registration(people["bo"], event)  # cy moves up the day before
    set_today(monkeypatch, FIRST_DAY - timedelta(days=1))
    tasks.send_event_reminders()
    assert [len(notes(people[name], events.REMINDER)) for name in ("ana", "bo", "cy")] == [1, 1, 1]
    assert len([to for to, subject in sent if "Reminder" in subject]) == 3

    set_today(monkeypatch, FIRST_DAY)  # the event has begun: too late for anyone not reminded yet
    assert events.remind_participants() == 0


def test_the_reminder_is_in_each_persons_language(exchange, people, monkeypatch):
    event = make_event(exchange)
    accounts.set_locale(people["ana"], "es")
    events.register(people["ana"], event)
    set_today(monkeypatch, FIRST_DAY - timedelta(days=2))
    assert events.remind_participants() == 1
    reminder = notes(people["ana"], events.REMINDER)[0]
    assert reminder.params["date"] == "martes, 19 de enero de 2027"


def test_pending_registrations_are_not_reminded(exchange, people, monkeypatch):
    event = make_event(exchange, requires_approval=True)
    events.register(people["ana"], event)
    set_today(monkeypatch, FIRST_DAY - timedelta(days=2))
    assert events.remind_participants() == 0


# --- the end of an event: certificates and the essay invitation --------------------------------------


def test_an_event_that_ended_asks_its_participants_for_their_essay_once(exchange, people, sent, monkeypatch):
    event = make_event(exchange)
    for person in people.values():
        events.register(person, event)
    set_today(monkeypatch, LAST_DAY)
    events.mark_attendance(exchange.coordinator, event, [people["ana"].id, people["bo"].id, people["cy"].id])
    written(people["cy"], event, status="draft")  # started already: not asked
    received = []

    def receiver(sender, **kwargs):
        received.append((sender.id, sorted(p.name for p in kwargs["participants"]), kwargs["actor"]))

    with event_ended.connected_to(receiver):
        tasks.end_past_events()  # still its last day: not over
        assert received == []
        set_today(monkeypatch, AFTER)
        tasks.end_past_events()
        tasks.end_past_events()
    assert received == [(event.id, ["Ana", "Bo", "Cy"], None)]
    invitation = notes(people["ana"], "essay")
    assert [(n.text, n.link) for n in invitation] == [
        ("“Training on interfamily groups” is over: write your essay about what you learned there.",
         f"/essays/new?event={event.id}")]
    assert notes(people["cy"], "essay") == [] and notes(people["dee"], "essay") == []
    assert [to for to, subject in sent if "is over" in subject] == [people["ana"].email, people["bo"].email]
    assert events.certificate_of(people["bo"], event) is not None

    # Someone added to the attendance after that is asked too, alone.
    with event_ended.connected_to(receiver):
        events.mark_attendance(exchange.coordinator, event, [p.id for p in people.values()])
    assert received[-1] == (event.id, ["Dee"], exchange.coordinator)
    assert len(notes(people["dee"], "essay")) == 1 and len(notes(people["ana"], "essay")) == 1


def test_events_recorded_with_their_participants_end_too_and_visits_do_not(exchange, people, make_applicant,
                                                                          monkeypatch):
    recorded = record_training(exchange, [people["ana"]])  # in May 2026: over already
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    mobility.complete_visit(exchange.coordinator, visit, today=W1)
    empty = make_event(exchange, title="Nobody came")
    set_today(monkeypatch, W1 + timedelta(days=30))
    received = []
    with event_ended.connected_to(lambda sender, **kwargs: received.append(sender.title)):
        assert events.end_events() == 2
    assert sorted(received) == ["Nobody came", recorded.title]
    assert events.visit_event_of(visit).ended_at is None  # visit_completed asked for that essay already
    assert len(notes(people["ana"], "essay")) == 1
    assert empty.ended_at is not None
