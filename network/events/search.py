"""How events become search documents.

An event is found by its title, description, programme (each session's title, kind, speakers and
description), place, kind and partnership; never by its online link, nor by who registered. Who finds it is
permissions.can_view_event: a public event is for everyone, a members' event for the network's members, a
partnership's event for the members of its institutions and evaluators; its organisers, whoever registered and
whoever took part find it too, whatever its visibility (permissions.event_audience: tokens about the event
itself, so the document is indexed again whenever its sessions, registrations, attendance or partnership
change).
"""
from __future__ import annotations

from datetime import datetime, time

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network import labels, permissions
from network.events.models import (
    EVENT_KINDS,
    MEMBERS,
    PUBLIC,
    SESSION_KINDS,
    Event,
    EventRegistration,
    EventSession,
)
from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.sanitize import plain_text
from network.search.documents import DocumentType, SearchDocument

VISIBILITY = {PUBLIC: "public", MEMBERS: "members"}  # a partnership's event is restricted to its audience


def _place(event: Event) -> str:
    if event.online:
        return "Online"  # never the link: only organisers and the approved may see it
    return ", ".join(part for part in (event.address, event.city, labels.country_name(event.country)
                                       if event.country else "") if part)


def _programme(event: Event) -> str:
    lines = []
    for session in event.sessions:
        kind = str(SESSION_KINDS.get(session.kind, session.kind))
        lines.append(" · ".join(part for part in (session.title, kind, session.speakers, session.room) if part))
        if session.description:
            lines.append(session.description)
    return "\n".join(lines)


def _kind_names(event: Event) -> list[str]:
    """The kind's name in every interface language, so that "webinar" and "seminario web" find webinars."""
    names = []
    for code in current_app.config.get("SUPPORTED_LOCALES", ("en",)):
        with force_locale(code):
            names.append(str(EVENT_KINDS.get(event.kind, event.kind)))
    return list(dict.fromkeys(names))


def event_document(event_id: int) -> SearchDocument | None:
    event = db.session.get(Event, event_id)
    if event is None:
        return None
    host, partnership = event.host, event.partnership
    with force_locale("en"):
        title = event.title  # an event of a visit is named when shown: in the index, as its English is
        kind = str(EVENT_KINDS.get(event.kind, event.kind))
        place = _place(event)
        programme = _programme(event)
    summary = " · ".join(part for part in (kind, partnership.title, host.name if host else "", place) if part)
    document = SearchDocument(
        doc_type="event",
        doc_id=event.id,
        title=title,
        url=f"/events/{event.id}",
        summary=summary,
        body="\n\n".join(part for part in (plain_text(event.description), programme) if part),
        tags=[],
        sectors=host.sectors if host else [],
        country=event.country or (host.country if host else ""),
        language=event.languages[0] if event.languages else "",
        institution=host.slug if host else "",
        # Not the host: its members find a partnership's event through the audience, like anyone else's.
        institution_id=None,
        partnership_id=event.partnership_id,
        date=datetime.combine(event.start_date, event.start_time or time()),
        status="published",
        visibility=VISIBILITY.get(event.visibility, "restricted"),
        viewers=permissions.event_audience(event),
    )
    document.labels = _kind_names(event)
    return document


# Called while the session flushes: read on the flush's own connection.


def _events_of(partnership: Partnership) -> list[int]:
    # Its institutions and coordinators are the audience of its events, and its title is in their documents.
    return list(db.session.connection().execute(
        select(Event.id).where(Event.partnership_id == partnership.id)).scalars())


def _events_hosted_by(institution: Institution) -> list[int]:
    # Its name, slug and sectors are in the documents of the events it hosts.
    return list(db.session.connection().execute(
        select(Event.id).where(Event.host_institution_id == institution.id)).scalars())


# Registered by the feature's plug (init_app in __init__.py).
DOCUMENT_TYPES = (
    DocumentType(
        name="event",
        label=_l("Events"),
        model=Event,
        load=event_document,
        all_ids=lambda: db.session.scalars(select(Event.id).order_by(Event.id)).all(),
        # A registration changes who finds the event (its people are in the audience); a session, its text.
        watch=[(EventSession, lambda session: [session.event_id]),
               (EventRegistration, lambda registration: [registration.event_id]),
               (Partnership, _events_of), (Institution, _events_hosted_by)],
        may_view=permissions.can_view_event,
    ),
)
