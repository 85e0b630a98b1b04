"""What events put on the home page (network/home.py): the events still to come the person registered for, with
where their registration stands."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from network import home, permissions
from network.events.models import ACTIVE, APPROVED, PENDING, WAITING, Event, EventRegistration
from network.events.services import today
from network.extensions import db

MESSAGES = {
    APPROVED: _l("You are registered for %(title)s, %(date)s"),
    PENDING: _l("Your registration for %(title)s, %(date)s, waits for the organisers' approval"),
    WAITING: _l("You are on the waiting list of %(title)s, %(date)s"),
}


def tasks(user) -> list[home.HomeItem]:
    registrations = [registration for registration in db.session.scalars(
        select(EventRegistration).join(Event, EventRegistration.event_id == Event.id)
        .where(EventRegistration.user_id == user.id, EventRegistration.status.in_(ACTIVE), Event.end_date >= today())
        .options(contains_eager(EventRegistration.event).joinedload(Event.partnership),
                 contains_eager(EventRegistration.event).joinedload(Event.host),
                 contains_eager(EventRegistration.event).selectinload(Event.registrations))
        .order_by(Event.start_date, Event.id).limit(home.LIMIT))
        if permissions.can_view_event(user, registration.event)]
    return [home.HomeItem("registered_event", MESSAGES.get(registration.status, MESSAGES[APPROVED]),
                          url_for("events.show", event_id=registration.event.id),
                          {"title": home.Text(registration.event.title), "date": registration.event.start_date},
                          when=registration.event.start_date)
            for registration in registrations]


def connect() -> None:
    home.connect(tasks=tasks)
