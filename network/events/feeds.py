"""The events a person is registered for, in their secret calendar feed (mobility's /mobility/calendar/<token>.ics).

Mobility, a layer below, knows no event: its feed sends calendar_feed_entries with the feed's owner, and this
receiver (connected by the feature's plug) returns one VEVENT per event whose registration is approved, built as the
event's own .ics file is (network/events/calendars.py: in the event's time zone, its programme in the description).
Waiting, pending, declined and cancelled registrations are not in it; the online link is written only when
permissions.can_see_online_link allows it for the feed's owner.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from network import permissions
from network.auth.models import User
from network.events import calendars
from network.events.models import APPROVED, Event, EventRegistration
from network.extensions import db


def registered_events(user: User) -> list[Event]:
    """The events the person's registration is approved for, the soonest first."""
    return list(db.session.scalars(
        select(Event).join(EventRegistration, EventRegistration.event_id == Event.id)
        .where(EventRegistration.user_id == user.id, EventRegistration.status == APPROVED)
        .options(selectinload(Event.sessions), selectinload(Event.registrations), selectinload(Event.participants),
                 selectinload(Event.partnership), selectinload(Event.host))
        .order_by(Event.start_date, Event.id)))


def feed_entries(owner, kind: str = "", **_extra) -> list:
    """Receiver of mobility's calendar_feed_entries: for a person's feed, their events (an institution's feed has
    only its visits)."""
    if kind != "user" or not isinstance(owner, User):
        return []
    return [calendars.event_component(event, permissions.can_see_online_link(owner, event))
            for event in registered_events(owner)]
