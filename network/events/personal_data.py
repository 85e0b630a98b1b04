"""What events hold about a person (see network/auth/personal_data.py).

Registrations (with the answers to the organisers' questions) are the person's: exported and erased; a place
they held in an event still to come goes to the first on its waiting list, as when they cancel. Being marked as
having attended an event is erased too (the essays' eraser, run before this one, has decided what happens to the
essays about it). The event recorded for one of their completed visits stays, without the visit, for the essays
written about it (mobility's eraser, run after this one, erases the visits). The materials they added to an event
(files, links) stay with the event, which relies on them, with the person unlinked; the export lists them.
"""
from __future__ import annotations

from sqlalchemy import select, update

from network.events import services
from network.events.models import HOLDS_A_PLACE, Event, EventMaterial, EventRegistration, event_participants
from network.extensions import db
from network.mobility.models import Visit

TABLES = {
    "event_registrations": "exported (status, answers, dates); erased (a place held in an event to come goes "
                           "to the waiting list)",
    "event_participants": "exported (the events they attended); erased",
    "event_materials": "exported (the materials they added: title, file name, link); kept for the event, the person "
                       "unlinked",
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _registrations_of(user) -> list[EventRegistration]:
    return list(db.session.scalars(select(EventRegistration).where(EventRegistration.user_id == user.id)
                                   .order_by(EventRegistration.registered_at, EventRegistration.id)))


def _attended(user) -> list[Event]:
    return list(db.session.scalars(
        select(Event).join(event_participants, event_participants.c.event_id == Event.id)
        .where(event_participants.c.user_id == user.id).order_by(Event.start_date, Event.id)))


def export(user) -> dict:
    attended = _attended(user)
    return {
        "registrations": [
            {"event_id": r.event_id, "event": r.event.title, "status": r.status, "answers": dict(r.answers or {}),
             "registered_at": _iso(r.registered_at), "decided_at": _iso(r.decided_at),
             "cancelled_at": _iso(r.cancelled_at), "reminded_at": _iso(r.reminded_at)}
            for r in _registrations_of(user)
        ],
        "attended": [{"id": e.id, "title": e.title, "kind": e.kind, "start_date": _iso(e.start_date),
                      "end_date": _iso(e.end_date)} for e in attended],
        "materials_added": [
            {"id": m.id, "event_id": m.event_id, "event": m.event.title, "session_id": m.session_id, "kind": m.kind,
             "title": m.title, "file_name": m.original_name, "content_type": m.content_type, "size": m.size,
             "link_to": m.target_id, "audience": m.audience, "added_at": _iso(m.created_at)}
            for m in _materials_of(user)
        ],
    }


def _materials_of(user) -> list[EventMaterial]:
    return list(db.session.scalars(select(EventMaterial).where(EventMaterial.added_by_id == user.id)
                                   .order_by(EventMaterial.id)))


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
    # Through the events, not a bulk delete: each event they attended is indexed again (its audience names them).
    for event in _attended(user):
        event.participants.remove(user)
    db.session.flush()
    # Their visits go (mobility's eraser, next): an event recorded for one stays, for the essays about it.
    visits = select(Visit.id).where(Visit.visitor_id == user.id).scalar_subquery()
    db.session.execute(update(Event).where(Event.visit_id.in_(visits)).values(visit_id=None)
                       .execution_options(synchronize_session=False))
    # The materials they added stay with their events (the programme relies on them), without their name.
    db.session.execute(update(EventMaterial).where(EventMaterial.added_by_id == user.id).values(added_by_id=None)
                       .execution_options(synchronize_session=False))
    if emails:
        after_account_deletion(lambda: notifications.send(emails, "event notification"))
