"""The demo events that `seed-demo` adds: a past kick-off with its attendance, a three-day training event next
month whose places are all taken (people wait), a public webinar; their pages as the demo logins see them."""
from __future__ import annotations

from sqlalchemy import select

from conftest import read_html
from network.demo import DEMO_PASSWORD, seed_demo
from network.demo_calendar import demo_calendar
from network.events import services as events
from network.events.models import APPROVED, WAITING, Event
from network.extensions import db


def demo_event(kind: str) -> Event:
    return db.session.scalar(select(Event).where(Event.kind == kind, Event.visit_id.is_(None),
                                                 Event.registration_version > 0).order_by(Event.id))


def test_the_demo_events_are_set_around_today(demo):
    calendar = demo_calendar()
    kick_off, training, webinar = demo_event("partner_meeting"), demo_event("training_event"), demo_event("webinar")
    assert kick_off.end_date < calendar.today and len(kick_off.participants) == 11
    assert all(events.registration_of(p, kick_off).status == APPROVED for p in kick_off.participants)

    assert (training.start_date, training.end_date) == calendar.next_training
    assert training.timezone == "Europe/Helsinki" and training.start_date > calendar.today
    assert events.registration_state(training) == events.OPEN
    assert events.places_left(training) == 0 and len(events.waiting_list(training)) == 3
    assert [len(sessions) for _day, sessions in events.programme(training)] == [3, 2, 2]

    assert webinar.online and webinar.visibility == "public" and webinar.start_date == calendar.webinar
    held, coming = db.session.scalars(select(Event).where(Event.kind == "multiplier_event")
                                      .order_by(Event.start_date)).all()
    assert held.start_date == calendar.multiplier_events[0] < calendar.today and not held.takes_registrations
    assert coming.start_date == calendar.multiplier_events[1] > calendar.today and coming.visibility == "public"
    assert events.registration_state(coming) == events.OPEN and len(events.registrations(coming)) == 4
    assert demo["events"] >= 5  # the essays' two recorded events, and these five
    assert seed_demo()["registrations"] == 0  # added once


def test_the_demo_event_pages_open_for_the_demo_logins(demo, client):
    training = demo_event("training_event")
    for login in ("professional", "institution-admin", "coordinator", "evaluator", "admin"):
        client.post("/login", data={"email": f"{login}@demo.example", "password": DEMO_PASSWORD})
        assert client.get("/events/").status_code == 200
        page = client.get(f"/events/{training.id}")
        assert page.status_code == 200, login
        if login == "professional":  # registered first, so one of the twelve
            assert "You are registered." in read_html(page).get_text(" ", strip=True)
        if login == "coordinator":
            listing = read_html(client.get(f"/events/{training.id}/participants?status={WAITING}"))
            assert len(listing.select("#registrations tbody tr")) == 3
        client.post("/logout")
