"""iCalendar files of an event and of one of its sessions (the icalendar library, as mobility's visits).

Times are written in the event's own time zone (DTSTART;TZID=Europe/Helsinki:...) with its VTIMEZONE, so that a
calendar in Madrid shows the Helsinki session an hour earlier; an event or session without times is all-day
(DTEND exclusive). The online link is written only for those who may see it (permissions.can_see_online_link).
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask import Response, current_app, request, url_for
from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from network import labels
from network.events.models import EVENT_KINDS, SESSION_KINDS, Event, EventSession

PRODID = "-//Peer Network//Events//EN"


def _uid_domain() -> str:
    config = current_app.config
    host = config.get("SERVER_NAME") or urlsplit(config.get("PUBLIC_URL") or "").netloc or request.host
    return urlsplit(f"//{host}").hostname or "peer-network"


def _where(event: Event, link: bool) -> str:
    if event.online:
        return event.online_link if link else _("Online")
    place = (event.address, event.city, labels.country_name(event.country) if event.country else "")
    return ", ".join(part for part in place if part)


def _times(component: CalendarEvent, day_start, day_end, starts_at, ends_at) -> None:
    if starts_at is None:
        component.add("dtstart", day_start)
        component.add("dtend", day_end + timedelta(days=1))  # exclusive
        return
    component.add("dtstart", starts_at)
    if ends_at is not None:
        component.add("dtend", ends_at)


def _stamp(component: CalendarEvent, uid: str, changed, created) -> None:
    component.add("uid", uid)
    component.add("dtstamp", changed)
    component.add("created", created)
    component.add("last-modified", changed)


def _programme_text(event: Event) -> list[str]:
    lines = []
    for session in event.sessions:
        when = session.day.isoformat()
        if session.start_time:
            when += " " + session.start_time.strftime("%H:%M")
            if session.end_time:
                when += "–" + session.end_time.strftime("%H:%M")
        lines.append(f"- {when} {session.title} ({SESSION_KINDS.get(session.kind, session.kind)})")
    return lines


def event_component(event: Event, link: bool) -> CalendarEvent:
    page = url_for("events.show", event_id=event.id, _external=True)
    component = CalendarEvent()
    changed = event.updated_at or event.created_at
    _stamp(component, f"event-{event.id}@{_uid_domain()}", changed, event.created_at)
    _times(component, event.start_date, event.end_date, event.starts_at, event.ends_at)
    component.add("summary", event.title)
    component.add("categories", [str(EVENT_KINDS.get(event.kind, event.kind))])
    where = _where(event, link)
    if where:
        component.add("location", where)
    lines = [_("Time zone: %(zone)s", zone=event.timezone)]
    if event.sessions:
        lines += ["", _("Programme"), *_programme_text(event)]
    if event.online and link:
        lines += ["", _("Online meeting: %(link)s", link=event.online_link)]
    lines += ["", _("Event page: %(url)s", url=page)]
    component.add("description", "\n".join(lines))
    component.add("url", page)
    component.add("status", "CONFIRMED")
    return component


def session_component(session: EventSession, link: bool) -> CalendarEvent:
    event = session.event
    page = url_for("events.show", event_id=event.id, _external=True, _anchor=f"session-{session.id}")
    component = CalendarEvent()
    changed = session.updated_at or session.created_at
    _stamp(component, f"event-{event.id}-session-{session.id}@{_uid_domain()}", changed, session.created_at)
    _times(component, session.day, session.day, session.starts_at, session.ends_at)
    component.add("summary", f"{session.title} · {event.title}")
    where = ", ".join(part for part in (session.room, _where(event, link)) if part)
    if where:
        component.add("location", where)
    lines = [str(SESSION_KINDS.get(session.kind, session.kind))]
    if session.speakers:
        lines.append(_("Speakers: %(names)s", names=session.speakers))
    if session.description:
        lines += ["", session.description]
    if event.online and link:
        lines += ["", _("Online meeting: %(link)s", link=event.online_link)]
    lines += ["", _("Event page: %(url)s", url=page)]
    component.add("description", "\n".join(lines))
    component.add("url", page)
    return component


def calendar_file(component: CalendarEvent, filename: str) -> Response:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add_component(component)
    calendar.add_missing_timezones()  # the VTIMEZONE of each TZID used
    response = Response(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # It may hold the online link: for this person only.
    response.headers["Cache-Control"] = "private, no-store"
    return response
