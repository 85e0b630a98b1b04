"""How institutions become search documents (public, like their pages)."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network.extensions import db
from network.institutions.models import Institution, InstitutionLanguage, InstitutionSector
from network.search.documents import DocumentType, SearchDocument


def institution_document(institution_id: int) -> SearchDocument | None:
    institution = db.session.get(Institution, institution_id)
    if institution is None:
        return None
    try:
        url = url_for("institutions.show", slug=institution.slug)
    except RuntimeError:
        url = f"/institutions/{institution.slug}"
    return SearchDocument(
        doc_type="institution",
        doc_id=institution.id,
        title=institution.name,
        url=url,
        summary=institution.city,
        body=institution.description,
        sectors=institution.sectors,
        country=institution.country,
        language="en" if "en" in institution.languages else (institution.languages[:1] or [""])[0],
        institution=institution.slug,
        institution_id=institution.id,
        date=institution.created_at,
    )


# Registered by the feature's plug (init_app in __init__.py).
DOCUMENT_TYPES = (
    DocumentType(
        name="institution",
        label=_l("Institutions"),
        model=Institution,
        load=institution_document,
        all_ids=lambda: db.session.scalars(select(Institution.id).order_by(Institution.id)).all(),
        watch=[(InstitutionSector, lambda row: [row.institution_id]),
               (InstitutionLanguage, lambda row: [row.institution_id])],
    ),
)
