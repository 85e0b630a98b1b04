"""How essays become search documents.

Drafts are not indexed. A published essay shown under its author's name or anonymously is for network
members; a submitted or returned essay, or one its author keeps for the evaluators, is restricted to the
author, the partnership's coordinators and evaluators (network.permissions.essay_audience, as
can_view_essay). The
author's name is never put in the index, so an anonymised essay cannot be found by it.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network import permissions
from network.auth.models import User
from network.essays.models import ANONYMOUS, DRAFT, PRIVATE, PUBLISHED, Essay, essay_practices
from network.events.models import Event
from network.extensions import db
from network.institutions.models import Partnership
from network.practices.models import PUBLIC, Practice
from network.practices.models import PUBLISHED as PUBLISHED_PRACTICE
from network.sanitize import plain_text
from network.search.documents import DocumentType, SearchDocument


def essay_document(essay_id: int) -> SearchDocument | None:
    essay = db.session.get(Essay, essay_id)
    if essay is None or essay.status == DRAFT:
        return None
    event = essay.event
    open_to_members = essay.status == PUBLISHED and essay.display != PRIVATE
    # An anonymous essay is found by its own words only: its event, host and partnership would say who wrote it
    # (essays.services.anonymised_for). Its reviewers find it by those words too.
    host = None if essay.display == ANONYMOUS else event.host
    return SearchDocument(
        doc_type="essay",
        doc_id=essay.id,
        title=essay.title,
        url=f"/essays/{essay.id}",
        # The organisers' title, or the host of a visit: names, in no interface language.
        summary="" if essay.display == ANONYMOUS else (event.stored_title or (host.name if host else "")),
        body=plain_text(essay.body),
        tags=[p.title for p in essay.practices if p.status == PUBLISHED_PRACTICE and p.visibility == PUBLIC][:10],
        sectors=host.sectors if host else [],
        country=essay.author_country,
        language=essay.language,
        institution=host.slug if host else "",
        # Not the author's institution: its members must not find a colleague's essay kept private.
        institution_id=None,
        partnership_id=None if essay.display == ANONYMOUS else event.partnership_id,
        date=essay.published_at or essay.submitted_at or essay.created_at,
        status="published",
        visibility="members" if open_to_members else "restricted",
        viewers=permissions.essay_audience(essay),  # its author finds it whatever their membership
    )


def _essays_of(partnership: Partnership) -> list[int]:
    # Its coordinating institution names who may find the restricted ones. Read on the flush's connection.
    return list(db.session.connection().execute(
        select(Essay.id).join(Event, Essay.event_id == Event.id)
        .where(Event.partnership_id == partnership.id)).scalars())


def _essays_of_deleted(user: User) -> list[int]:
    # The database sets their author to NULL: the index must drop the token naming the former author.
    if user not in db.session.deleted:
        return []
    return list(db.session.connection().execute(select(Essay.id).where(Essay.author_id == user.id)).scalars())


# Registered by the feature's plug (init_app in __init__.py).
DOCUMENT_TYPES = (
    DocumentType(
        name="essay",
        label=_l("Essays"),
        model=Essay,
        load=essay_document,
        all_ids=lambda: db.session.scalars(select(Essay.id).order_by(Essay.id)).all(),
        # An essay's tags name the public practices it draws on: their state changes it.
        watch=[(Practice, lambda practice: list(db.session.connection().execute(
            select(essay_practices.c.essay_id).where(essay_practices.c.practice_id == practice.id)).scalars())),
               (Partnership, _essays_of), (User, _essays_of_deleted)],
        may_view=permissions.can_view_essay,
    ),
)
