"""An event's materials: slides and documents uploaded by its organisers, and links to practices and collections,
for the whole event or one of its sessions, seen by everyone who sees the event or only by its registered
participants (permissions.can_see_event_material).

Files are kept with network.uploads (the checks, storage and downloads practices' attachments use too), under
UPLOAD_FOLDER/events/. A link names its page by a kind and an id. The kinds are registered (register_link_kind):
events registers practices' (a lower feature, imported), collections registers its own from its plug (a higher
one, which events may not import); each kind says how to find the page, its title and who may see it, so that a
link is shown only to those who may see the page it leads to.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from network import audit, permissions, uploads
from network.errors import ServiceError
from network.events.models import AUDIENCES, EVERYONE, FILE, Event, EventMaterial
from network.extensions import db
from network.forms import as_id

FOLDER = "events"  # under UPLOAD_FOLDER
KINDS = uploads.FileKinds(
    (uploads.PDF, uploads.ODT, uploads.DOCX, uploads.ODP, uploads.PPTX, uploads.PNG, uploads.JPEG),
    _l("“%(name)s” is not a PDF, ODT, DOCX, ODP, PPTX, PNG or JPEG file."))
TITLE_MAX = 300
MAX_MATERIALS = 100  # per event


# --- the kinds of link ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkKind:
    """A kind of page an event may link to: how it is named, its page's endpoint and URL argument (an address
    typed by an organiser is matched against them), and how to find one, name it and check who may see it."""

    code: str  # kept in event_materials.kind: "practice", "collection"
    label: object  # "Practice" (a lazy text)
    endpoint: str  # "practices.show"
    argument: str  # "practice_id"
    get: Callable[[int], object | None]
    may_view: Callable[[object, object], bool]  # (user, page object)
    title: Callable[[object], str]
    summary: Callable[[object], str] = field(default=lambda _target: "")


_link_kinds: dict[str, LinkKind] = {}


def register_link_kind(kind: LinkKind) -> None:
    """From a feature's plug: a kind of page events may link to as a material."""
    if not kind.code or kind.code == FILE or len(kind.code) > 20:
        raise ValueError(f"a link kind is a code of 1 to 20 characters other than {FILE!r}, not {kind.code!r}")
    _link_kinds[kind.code] = kind


def link_kinds() -> dict[str, LinkKind]:
    return dict(_link_kinds)


def practice_links() -> LinkKind:
    """Practices, which events may import (a lower feature): registered by events' own plug."""
    from network.practices import services as practices

    return LinkKind("practice", _l("Practice"), "practices.show", "practice_id", get=practices.get,
                    may_view=permissions.can_view_practice, title=lambda practice: practice.title,
                    summary=lambda practice: practice.summary or "")


# --- reading ---------------------------------------------------------------------------------------------


def get_material(event: Event, material_id: int) -> EventMaterial | None:
    material = db.session.get(EventMaterial, material_id)
    return material if material is not None and material.event_id == event.id else None


def materials_of(event: Event) -> list[EventMaterial]:
    """Every material of the event, the event's own first, then by session, in the order they were added."""
    return list(db.session.scalars(select(EventMaterial).where(EventMaterial.event_id == event.id)
                                   .order_by(EventMaterial.session_id.is_not(None), EventMaterial.session_id,
                                             EventMaterial.id)))


@dataclass
class Card:
    """A material as a page shows it: its title, where it leads, what it is."""

    material: EventMaterial
    title: str
    href: str
    kind_label: str
    detail: str = ""  # a file's type and size; a link's summary
    available: bool = True  # False: a link whose page is gone or hidden from the reader (organisers see it)


def _size(n: int | None) -> str:
    if not n:
        return ""
    if n < 1024 * 1024:
        return _l("%(kb)s kB", kb=format_decimal(max(n / 1024, 0.1), "#,##0.#"))
    return _l("%(mb)s MB", mb=format_decimal(n / (1024 * 1024), "#,##0.#"))


def card(user, material: EventMaterial) -> Card:
    if material.is_file:
        kind_name = uploads.TYPES.get(material.content_type, ("", ""))[1]
        return Card(material, material.title, url_for("events.material", event_id=material.event_id,
                                                      material_id=material.id),
                    _l("File"), ", ".join(str(part) for part in (kind_name, _size(material.size)) if part))
    kind = _link_kinds.get(material.kind)
    target = kind.get(material.target_id) if kind is not None else None
    if kind is None or target is None or not kind.may_view(user, target):
        return Card(material, "", "", kind.label if kind else material.kind, available=False)
    summary = kind.summary(target)
    if len(summary) > 200:
        summary = summary[:199].rstrip() + "…"
    return Card(material, material.title or kind.title(target), url_for(kind.endpoint, **{kind.argument: target.id}),
                kind.label, summary)


@dataclass
class Shown:
    """What a reader sees of an event's materials: the event's own, and each session's (by session id)."""

    event: list[Card] = field(default_factory=list)
    sessions: dict[int, list[Card]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.event or self.sessions)


def shown_to(user, event: Event) -> Shown:
    """The materials this person may see (a link only if they may see its page too), as cards."""
    shown, by_session = Shown(), defaultdict(list)
    for material in materials_of(event):
        if not permissions.can_see_event_material(user, material):
            continue
        item = card(user, material)
        if not item.available:
            continue
        if material.session_id is None:
            shown.event.append(item)
        else:
            by_session[material.session_id].append(item)
    shown.sessions = dict(by_session)
    return shown


# --- writing ---------------------------------------------------------------------------------------------


@dataclass
class MaterialData:
    """What the organisers give for a material: for a file the upload, for a link its kind and what they typed
    (the page's address, or its number)."""

    title: str = ""
    session_id: int | None = None
    audience: str = EVERYONE
    upload: uploads.Upload | None = None
    link_kind: str = ""
    link: str = ""


def _organiser_only(actor, event: Event) -> None:
    if not permissions.organises_event(actor, event):
        raise ServiceError.one("material", _l("Only the event's organisers add and delete its materials."))


def _check_common(event: Event, data: MaterialData, errors: dict) -> str:
    title = str(data.title or "").replace("\x00", "").strip()
    if len(title) > TITLE_MAX:
        errors["title"].append(_l("Keep the title under %(n)d characters.", n=TITLE_MAX))
    if data.session_id is not None and not any(s.id == data.session_id for s in event.sessions):
        errors["session_id"].append(_l("Choose a session of this event, or the whole event."))
    if data.audience not in AUDIENCES:
        errors["audience"].append(_l("Choose who may see the material."))
    count = db.session.scalar(select(func.count(EventMaterial.id)).where(EventMaterial.event_id == event.id))
    if count >= MAX_MATERIALS:
        errors["material"].append(_l("An event holds %(n)d materials at most.", n=MAX_MATERIALS))
    return title


def add_file(actor, event: Event, data: MaterialData) -> EventMaterial:
    """A file checked by network.uploads (the form's check_upload), written before the commit and removed if
    it fails."""
    _organiser_only(actor, event)
    errors: dict[str, list] = defaultdict(list)
    title = _check_common(event, data, errors)
    if data.upload is None:
        errors["file"].append(_l("Choose the file to add."))
    if errors:
        raise ServiceError(dict(errors))
    upload = data.upload
    with uploads.writing(FOLDER) as files:
        material = EventMaterial(
            event_id=event.id, session_id=data.session_id, kind=FILE, audience=data.audience,
            title=title or upload.original_name, original_name=upload.original_name,
            stored_name=files.write(upload), content_type=upload.content_type, size=len(upload.content),
            added_by_id=getattr(actor, "id", None))
        db.session.add(material)
        db.session.flush()
        audit.record(actor, "event.material_add", event, label=event.title, material=material.id,
                     file=upload.original_name)
        db.session.commit()
    return material


def resolve_link(actor, kind_code: str, typed: str) -> tuple[LinkKind, object]:
    """The page an organiser named: an address of this platform (its path is matched against the URL map), or a
    number with the kind chosen. Only a page the organiser may see; one they may not see does not exist for them."""
    typed = str(typed or "").replace("\x00", "").strip()
    kind, number = _link_kinds.get(kind_code), None
    if not typed:
        raise ServiceError.one("link", _l("Give the address of the page, or its number."))
    if as_id(typed) is not None:
        number = as_id(typed)
        if kind is None:
            raise ServiceError.one("link_kind", _l("Choose what the number is: a practice, a collection…"))
    else:
        found = _match(typed)
        if found is None:
            raise ServiceError.one("link", _l("This is not the address of a practice or a collection of this "
                                              "platform (for example %(example)s).",
                                              example=_example()))
        kind, number = found
    target = kind.get(number)
    if target is None or not kind.may_view(actor, target):
        raise ServiceError.one("link", _l("Nothing you may see has the number %(n)d (%(kind)s).", kind=kind.label,
                                          n=number))
    return kind, target


def _match(address: str) -> tuple[LinkKind, int] | None:
    path = urlsplit(address).path if "://" in address or address.startswith("/") else "/" + address
    try:
        endpoint, arguments = current_app.url_map.bind("localhost").match(path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    for kind in _link_kinds.values():
        if kind.endpoint == endpoint and isinstance(arguments.get(kind.argument), int):
            return kind, arguments[kind.argument]
    return None


def _example() -> str:
    kind = next(iter(_link_kinds.values()), None)
    if kind is None:
        return ""
    try:
        return url_for(kind.endpoint, **{kind.argument: 12}, _external=True)
    except Exception:  # noqa: BLE001 (outside a request: no example rather than an error)
        return ""


def add_link(actor, event: Event, data: MaterialData) -> EventMaterial:
    """A link to a practice or a collection the organiser may see (shown to each reader only if they may see it
    too)."""
    _organiser_only(actor, event)
    errors: dict[str, list] = defaultdict(list)
    title = _check_common(event, data, errors)
    if errors:
        raise ServiceError(dict(errors))
    kind, target = resolve_link(actor, data.link_kind, data.link)
    duplicate = db.session.scalar(select(EventMaterial.id).where(
        EventMaterial.event_id == event.id, EventMaterial.kind == kind.code, EventMaterial.target_id == target.id,
        EventMaterial.session_id.is_(None) if data.session_id is None else EventMaterial.session_id == data.session_id))
    if duplicate is not None:
        raise ServiceError.one("link", _l("This page is among the materials already."))
    material = EventMaterial(event_id=event.id, session_id=data.session_id, kind=kind.code, audience=data.audience,
                             title=title, target_id=target.id, added_by_id=getattr(actor, "id", None))
    db.session.add(material)
    db.session.flush()
    audit.record(actor, "event.material_link", event, label=event.title, material=material.id, link=kind.code,
                 page=target.id)
    db.session.commit()
    return material


def delete_material(actor, material: EventMaterial) -> None:
    """The row goes, then (once committed) its file."""
    event = material.event
    _organiser_only(actor, event)
    stored = material.stored_name
    audit.record(actor, "event.material_delete", event, label=event.title, material=material.id,
                 title=material.title or material.kind)
    db.session.delete(material)
    db.session.commit()
    if stored:
        uploads.remove_files(FOLDER, [stored])
