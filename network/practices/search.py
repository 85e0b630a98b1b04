"""How practices become search documents."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network import permissions
from network.extensions import db
from network.practices.models import SECTION_NAMES, Practice, PracticeInterventionType, PracticeSector
from network.practices.services import visible_to
from network.sanitize import plain_text
from network.search.documents import DocumentType, SearchDocument


def _url(practice_id: int) -> str:
    try:
        return url_for("practices.show", practice_id=practice_id)
    except RuntimeError:  # outside a request (worker): a path is enough, pages make it absolute
        return f"/practices/{practice_id}"


def practice_document(practice_id: int) -> SearchDocument | None:
    practice = db.session.get(Practice, practice_id)
    if practice is None:
        return None
    return SearchDocument(
        doc_type="practice",
        doc_id=practice.id,
        title=practice.title,
        url=_url(practice.id),
        summary=practice.summary,
        body="\n\n".join(plain_text(getattr(practice, name)) for name in SECTION_NAMES),
        tags=practice.tag_names,
        sectors=practice.sectors,
        intervention_types=practice.intervention_types,
        country=practice.country,
        language=practice.language,
        institution=practice.institution.slug,
        institution_id=practice.institution_id,
        partnership_id=practice.partnership_id,
        date=practice.published_at or practice.created_at,
        status=practice.status,
        visibility=practice.visibility,
    )


def _versions(user, ids) -> dict[int, tuple[int, list[tuple[int, str, str]]]]:
    """For the results page: each practice's original and every language version of it this person may see
    (network.practices.services.visible_to, the list's own permission filter)."""
    root_of = {pid: original or pid for pid, original in db.session.execute(
        select(Practice.id, Practice.translation_of_id).where(Practice.id.in_(ids)))}
    roots = set(root_of.values())
    versions: dict[int, list[tuple[int, str, str]]] = {}
    # The versions' ids come from two index lookups first: with the OR and the permission filter in one
    # WHERE, SQLite scanned every visible practice (28 of a search's 37 ms on 20,000 practices).
    version_ids = select(Practice.id).where(Practice.id.in_(roots)).union_all(
        select(Practice.id).where(Practice.translation_of_id.in_(roots)))
    for pid, original, language in db.session.execute(
            select(Practice.id, Practice.translation_of_id, Practice.language)
            .where(Practice.id.in_(version_ids), visible_to(user))
            .order_by(Practice.id)):
        versions.setdefault(original or pid, []).append((pid, language, _url(pid)))
    return {pid: (root, versions.get(root, [])) for pid, root in root_of.items()}


def _all_ids():
    return db.session.scalars(select(Practice.id).order_by(Practice.id)).all()


# Registered by the feature's plug (init_app in __init__.py).
DOCUMENT_TYPES = (
    DocumentType(
        name="practice",
        label=_l("Practices"),
        model=Practice,
        load=practice_document,
        all_ids=_all_ids,
        watch=[(PracticeSector, lambda row: [row.practice_id]),
               (PracticeInterventionType, lambda row: [row.practice_id])],
        may_view=permissions.can_view_practice,
        versions=_versions,
    ),
)
