"""Practices to JSON and JSON to PracticeData: the API's field names are those of services.PracticeData."""
from __future__ import annotations

from dataclasses import asdict, replace
from typing import Any

from flask import url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from network.auth.services import FORMER_MEMBER
from network.extensions import db
from network.practices import services
from network.practices.models import Practice, PracticeAuthor

STRING_FIELDS = ("title", "summary", *services.SECTION_NAMES, "country", "language", "institution",
                 "external_ref", "external_link", "status", "visibility")
LIST_FIELDS = ("sectors", "intervention_types", "tags")
ID_FIELDS = ("partnership_id", "translation_of_id")
INPUT_FIELDS = services.PracticeData.field_names()
ID_MAX = 2**31 - 1  # ids are 32-bit integers in PostgreSQL; larger numbers would overflow SQLite
LIST_MAX = 100  # items in one list field; the services' own rules (20 tags at most...) come after


class InputError(ValueError):
    """A body whose shape is wrong (unknown fields, wrong types): field name -> messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items()))
        self.errors = errors


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def practice_to_json(practice: Practice, translation_ids: list[int] | None = None) -> dict[str, Any]:
    """One practice as the API shows it. translation_ids: the other language versions the caller may see
    (practices_to_json finds them for a whole page at once)."""
    data = asdict(services.PracticeData.from_practice(practice))
    data.update(
        id=practice.id,
        institution={"slug": practice.institution.slug, "name": practice.institution.name},
        evidence_level=practice.evidence_level,
        authors=[user.name if user is not None else FORMER_MEMBER for user in practice.authors],
        created_at=_iso(practice.created_at),
        updated_at=_iso(practice.updated_at),
        published_at=_iso(practice.published_at),
        url=url_for("practices.show", practice_id=practice.id, _external=True),
        attachments=[
            {
                "name": attachment.original_name,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "url": url_for("practices.download", practice_id=practice.id, attachment_id=attachment.id,
                               _external=True),
            }
            for attachment in practice.attachments
        ],
        translations=translation_ids or [],
    )
    return {"id": data.pop("id"), **data}


def with_related(query):
    """Load what practice_to_json reads (files, authors) for a whole page at once, not per practice."""
    return query.options(
        selectinload(Practice.attachments),
        selectinload(Practice.author_rows).selectinload(PracticeAuthor.user),
    )


def practices_to_json(practices: list[Practice], user) -> list[dict[str, Any]]:
    """Several practices with their visible translations, in one query for the translations."""
    translations = visible_translations(practices, user)
    return [practice_to_json(p, translations.get(p.id, [])) for p in practices]


def visible_translations(practices: list[Practice], user) -> dict[int, list[int]]:
    """practice id -> ids of its other language versions that this person may see (oldest first)."""
    roots = {p.id: p.translation_of_id or p.id for p in practices}
    if not roots:
        return {}
    rows = db.session.execute(
        select(Practice.id, Practice.translation_of_id)
        .where(or_(Practice.id.in_(set(roots.values())), Practice.translation_of_id.in_(set(roots.values()))),
               services.visible_to(user))
        .order_by(Practice.id)
    ).all()
    family: dict[int, list[int]] = {}
    for practice_id, original_id in rows:
        family.setdefault(original_id or practice_id, []).append(practice_id)
    return {pid: [i for i in family.get(root, []) if i != pid] for pid, root in roots.items()}


def practice_from_json(payload: dict[str, Any], base: services.PracticeData) -> services.PracticeData:
    """The base data with the given fields replaced: everything for POST, only what changes for PATCH.

    Checks names and types only; services.validate checks the values."""
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    for name, value in payload.items():
        if name not in INPUT_FIELDS:
            errors.setdefault(str(name), []).append("Unknown field (read-only fields cannot be sent).")
            continue
        try:
            changes[name] = _convert(name, value)
        except ValueError as error:
            errors.setdefault(name, []).append(str(error))
    if errors:
        raise InputError(errors)
    return replace(base, **changes)


def _convert(name: str, value: Any) -> Any:
    if name in STRING_FIELDS:
        if value is None and name in ("external_ref", "external_link"):
            return ""
        if not isinstance(value, str):
            raise ValueError("Must be a string.")
        return _checked_text(value)
    if name in LIST_FIELDS:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError("Must be a list of strings.")
        if len(value) > LIST_MAX:
            raise ValueError(f"At most {LIST_MAX} items.")
        return [_checked_text(item) for item in value]
    if name in ID_FIELDS:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= ID_MAX:
            raise ValueError("Must be the id of a record (a positive integer) or null.")
        return value
    raise ValueError("Unknown field.")  # pragma: no cover - INPUT_FIELDS and the groups above agree


def _checked_text(value: str) -> str:
    # Neither database stores these: PostgreSQL refuses NUL in text, and lone surrogates are not UTF-8.
    if "\x00" in value:
        raise ValueError("Must not contain the NUL character.")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("Must not contain unpaired surrogate characters.")
    return value
