"""Events as the JSON API shows them (GET /api/v1/events, /api/v1/events/<id>, /api/v1/events/registrations).

The routes live in network/api/views.py with the rest of /api/v1; this module reads and serialises. Who sees an
event is permissions.can_view_event's decision (services.visible_to in SQL for the list); the online link is
written only for those permissions.can_see_online_link allows (the organisers, the approved, those who took part),
null for everyone else. Each event carries the caller's own registration (or null), and the caller's registrations
are listed on their own too.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network import permissions
from network.events import services
from network.events.models import WAITING, Event, EventRegistration
from network.extensions import db
from network.sanitize import render_markdown


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _clock(value) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def _with_related(query):
    """What can_view_event, can_see_online_link and event_to_json read, for a whole page at once."""
    return query.options(selectinload(Event.partnership), selectinload(Event.host),
                         selectinload(Event.registrations), selectinload(Event.participants))


def event_page(user, page: int, per_page: int, kind: str = "", partnership: int | None = None,
               first: date | None = None, last: date | None = None) -> tuple[list[Event], int]:
    """One page of the events this person may see, soonest first: of this kind and partnership, running on at
    least one day from `first` to `last` (either may be None). Returns (events, total)."""
    query = select(Event).where(services.visible_to(user))
    if kind:
        query = query.where(Event.kind == kind)
    if partnership:
        query = query.where(Event.partnership_id == partnership)
    if first is not None:
        query = query.where(Event.end_date >= first)
    if last is not None:
        query = query.where(Event.start_date <= last)
    query = _with_related(query.order_by(Event.start_date, Event.start_time, Event.id))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return list(pagination.items), pagination.total


def visible_event(user, event_id: int) -> Event | None:
    event = db.session.scalar(_with_related(select(Event).where(Event.id == event_id))
                              .options(selectinload(Event.sessions)))
    if event is None or not permissions.can_view_event(user, event):
        return None
    return event


def registrations_of(user, events: list[Event]) -> dict[int, EventRegistration]:
    """event id -> the person's registration, for these events (one query)."""
    if not getattr(user, "is_authenticated", False) or not events:
        return {}
    rows = db.session.scalars(select(EventRegistration).where(
        EventRegistration.user_id == user.id, EventRegistration.event_id.in_([e.id for e in events])))
    return {row.event_id: row for row in rows}


def registration_page(user, page: int, per_page: int, status: str = "") -> tuple[list[EventRegistration], int]:
    """The person's own registrations, whatever their status (or of this one), the soonest event first."""
    query = (select(EventRegistration).join(Event, EventRegistration.event_id == Event.id)
             .where(EventRegistration.user_id == user.id)
             .options(selectinload(EventRegistration.event).selectinload(Event.partnership),
                      selectinload(EventRegistration.event).selectinload(Event.host),
                      selectinload(EventRegistration.event).selectinload(Event.registrations),
                      selectinload(EventRegistration.event).selectinload(Event.participants))
             .order_by(Event.start_date, Event.id))
    if status:  # an unknown status matches nothing, as the API's other filters do
        query = query.where(EventRegistration.status == status)
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return list(pagination.items), pagination.total


def registration_to_json(registration: EventRegistration | None) -> dict[str, Any] | None:
    """The caller's registration: never anyone else's."""
    if registration is None:
        return None
    waiting = registration.status == WAITING
    return {
        "id": registration.id,
        "status": registration.status,
        "waiting_position": services.waiting_position(registration) if waiting else None,
        "answers": dict(registration.answers or {}),
        "registered_at": _iso(registration.registered_at),
        "decided_at": _iso(registration.decided_at),
        "cancelled_at": _iso(registration.cancelled_at),
    }


def _institution(institution) -> dict[str, Any] | None:
    if institution is None:
        return None
    return {"id": institution.id, "slug": institution.slug, "name": institution.name, "city": institution.city,
            "country": institution.country}


def event_to_json(event: Event, viewer, registration: EventRegistration | None = None) -> dict[str, Any]:
    """One event as a list shows it: everything but its programme. `registration`: the viewer's own."""
    partnership = event.partnership
    link = event.online and permissions.can_see_online_link(viewer, event)
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "visibility": event.visibility,
        "partnership": {"id": partnership.id, "reference": partnership.reference, "title": partnership.title},
        "host": _institution(event.host),
        "description": event.description,
        "description_html": str(render_markdown(event.description)),
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "start_time": _clock(event.start_time),
        "end_time": _clock(event.end_time),
        "timezone": event.timezone,
        "starts_at": _iso(event.starts_at),
        "ends_at": _iso(event.ends_at),
        "languages": event.languages,
        "online": event.online,
        "online_link": event.online_link if link else None,
        "address": event.address,
        "city": event.city,
        "country": event.country,
        "takes_registrations": event.takes_registrations,
        "capacity": event.capacity,
        "registration_opens": _iso(event.registration_opens),
        "registration_closes": _iso(event.registration_closes),
        "requires_approval": event.requires_approval,
        "registration_state": services.registration_state(event),
        "registration": registration_to_json(registration),
        "visit_id": event.visit_id,
        "created_at": _iso(event.created_at),
        "updated_at": _iso(event.updated_at),
        "url": url_for("events.show", event_id=event.id, _external=True),
        "calendar_url": url_for("events.event_ics", event_id=event.id, _external=True),
    }


def _session(session) -> dict[str, Any]:
    return {
        "id": session.id,
        "start_time": _clock(session.start_time),
        "end_time": _clock(session.end_time),
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
        "title": session.title,
        "kind": session.kind,
        "speakers": session.speakers,
        "room": session.room,
        "description": session.description,
        "calendar_url": url_for("events.session_ics", event_id=session.event_id, session_id=session.id,
                                _external=True),
    }


def event_with_programme_to_json(event: Event, viewer, registration: EventRegistration | None) -> dict[str, Any]:
    """One event with its programme: every day of the event, each with its sessions in the organisers' order."""
    data = event_to_json(event, viewer, registration)
    data["places_left"] = services.places_left(event)
    data["programme"] = [{"date": day.isoformat(), "sessions": [_session(s) for s in sessions]}
                         for day, sessions in services.programme(event)]
    return data


def own_registration_to_json(registration: EventRegistration, viewer) -> dict[str, Any]:
    """One of the caller's registrations, with its event (without programme)."""
    event = registration.event
    data = registration_to_json(registration)
    data["event"] = event_to_json(event, viewer, registration) if permissions.can_view_event(viewer, event) else {
        # Registered once, the event since hidden from them (cancelled, then made the partnership's): its id only.
        "id": event.id, "hidden": True}
    return data
