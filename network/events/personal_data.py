"""What events hold about a person (see network/auth/personal_data.py).

Registrations (with the answers to the organisers' questions) are the person's: exported and erased; a place
they held in an event still to come goes to the first on its waiting list, as when they cancel. Being marked as
having attended an event is erased too (the essays' eraser, run before this one, has decided what happens to the
essays about it). The event recorded for one of their completed visits stays, without the visit, for the essays
written about it (mobility's eraser, run after this one, erases the visits).
"""
from __future__ import annotations

from sqlalchemy import delete, select, update

from network.events import services
from network.events.models import HOLDS_A_PLACE, Event, EventRegistration, event_participants
from network.extensions import db
from network.mobility.models import Visit

TABLES = {
    "event_registrations": "exported (status, answers, dates); erased (a place held in an event to come goes "
                           "to the waiting list)",
    "event_participants": "exported (the events they attended); erased",
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _registrations_of(user) -> list[EventRegistration]:
    return list(db.session.scalars(select(EventRegistration).where(EventRegistration.user_id == user.id)
                                   .order_by(EventRegistration.registered_at, EventRegistration.id)))


def export(user) -> dict:
    attended = db.session.scalars(
        select(Event).join(event_participants, event_participants.c.event_id == Event.id)
        .where(event_participants.c.user_id == user.id).order_by(Event.start_date, Event.id))
    return {
        "registrations": [
            {"event_id": r.event_id, "event": r.event.title, "status": r.status, "answers": dict(r.answers or {}),
             "registered_at": _iso(r.registered_at), "decided_at": _iso(r.decided_at),
             "cancelled_at": _iso(r.cancelled_at)}
            for r in _registrations_of(user)
        ],
        "attended": [{"id": e.id, "title": e.title, "kind": e.kind, "start_date": _iso(e.start_date),
                      "end_date": _iso(e.end_date)} for e in attended],
    }


def erase(user) -> None:
    from network.auth.services import after_account_deletion
    from network.notifications import services as notifications

    emails = []
    for registration in _registrations_of(user):
        event, held = registration.event, registration.status in HOLDS_A_PLACE
        db.session.delete(registration)
        db.session.flush()
        if held:
            emails += services.free_place(event)
    db.session.execute(delete(event_participants).where(event_participants.c.user_id == user.id))
    # Their visits go (mobility's eraser, next): an event recorded for one stays, for the essays about it.
    visits = select(Visit.id).where(Visit.visitor_id == user.id).scalar_subquery()
    db.session.execute(update(Event).where(Event.visit_id.in_(visits)).values(visit_id=None)
                       .execution_options(synchronize_session=False))
    if emails:
        after_account_deletion(lambda: notifications.send(emails, "event notification"))
