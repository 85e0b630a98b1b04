"""Data for event tests: valid event data in the test partnership (make_partnership's dates, mobility's clock
standing on 30 November 2026: tests/mobility_helpers.py), and a training event with its organisers."""
from __future__ import annotations

from datetime import date, time

from network.events import services as events
from network.events.services import EventData, SessionData

# Registration runs through November and December 2026; the event is in January 2027 (Tuesday to Thursday).
OPENS, CLOSES = date(2026, 11, 1), date(2027, 1, 10)
FIRST_DAY, LAST_DAY = date(2027, 1, 19), date(2027, 1, 21)
ONLINE_LINK = "https://meet.example.org/secret-room-4821"


def event_data(exchange, **overrides) -> EventData:
    values = dict(
        title="Training on interfamily groups", kind="training_event", partnership_id=exchange.partnership.id,
        host_institution_id=exchange.seville.id, description="Three days on **interfamily groups**.",
        city="Sevilla", country="ES", address="Calle San Luis 45", start_date=FIRST_DAY, end_date=LAST_DAY,
        start_time=time(9, 0), end_time=time(17, 0), timezone="Europe/Madrid", languages=["en", "es"],
        visibility="members", takes_registrations=True, capacity=None, registration_opens=OPENS,
        registration_closes=CLOSES, requires_approval=False, questions=["dietary"])
    values.update(overrides)
    return EventData(**values)


def make_event(exchange, actor=None, **overrides):
    return events.create_event(actor or exchange.coordinator, event_data(exchange, **overrides))


def session_data(**overrides) -> SessionData:
    values = dict(day=FIRST_DAY, start_time=time(9, 30), end_time=time(10, 30), title="Welcome",
                  kind="formal_session", speakers="Aino Virtanen", room="Room 1", description="")
    values.update(overrides)
    return SessionData(**values)
