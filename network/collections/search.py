"""How collections become search documents.

A public collection is found by anyone, a members-only one by approved members of the network (as
network.permissions.can_view_collection). The document holds the collection's title, introduction, its
chapters' titles and introductions, and its items' titles and editor's notes; an item's title is indexed
only when everyone who may find the collection may read the item (a public collection never carries the
title of a members-only or draft practice into a snippet). The kind (manual, toolbox, reading list) is a
tag, so "toolbox" finds toolboxes.
"""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network import permissions
from network.collections.models import (
    KINDS,
    MEMBERS,
    PUBLIC,
    Collection,
    CollectionChapter,
    CollectionEdition,
    CollectionItem,
)
from network.essays.models import PRIVATE, Essay
from network.essays.models import PUBLISHED as PUBLISHED_ESSAY
from network.extensions import db
from network.practices.models import PUBLIC as PUBLIC_PRACTICE
from network.practices.models import PUBLISHED, Practice
from network.sanitize import plain_text
from network.search.documents import DocumentType, SearchDocument


def collection_url(collection_id: int) -> str:
    """The collection's page: a path (the worker has no request); pages and the API make it absolute."""
    return f"/collections/{collection_id}"


def _readable_by_finders(item: CollectionItem, visibility: str) -> bool:
    """May everyone who finds the collection read this item? Only then does its title go in the index."""
    if item.practice is not None:
        practice = item.practice
        if practice.status != PUBLISHED:
            return False
        return practice.visibility == PUBLIC_PRACTICE or visibility == MEMBERS
    if item.essay is not None:
        # Published essays are for members (can_view_essay); never in a public collection's text.
        essay = item.essay
        return visibility == MEMBERS and essay.status == PUBLISHED_ESSAY and essay.display != PRIVATE
    return False


def _item_text(item: CollectionItem, visibility: str) -> str:
    target = item.practice or item.essay
    title = target.title if target is not None and _readable_by_finders(item, visibility) else ""
    return "\n".join(part for part in (title, plain_text(item.note)) if part)


def collection_document(collection_id: int) -> SearchDocument | None:
    collection = db.session.get(Collection, collection_id)
    if collection is None:
        return None
    visibility = MEMBERS if collection.visibility == MEMBERS else PUBLIC
    parts = [plain_text(collection.introduction)]
    unchaptered = [item for item in collection.items if item.chapter_id is None]
    parts += [_item_text(item, visibility) for item in unchaptered]
    for chapter in collection.chapters:
        parts += [chapter.title, plain_text(chapter.introduction)]
        parts += [_item_text(item, visibility) for item in chapter.items]
    with force_locale("en"):
        kind = str(KINDS.get(collection.kind, collection.kind))
    institution = collection.institution
    if institution is None and collection.partnership is not None:
        institution = collection.partnership.coordinating_institution
    edition = collection.latest_edition
    if collection.institution is not None:
        owner_name = collection.institution.name
    else:
        owner_name = collection.partnership.title if collection.partnership is not None else ""
    return SearchDocument(
        doc_type="collection",
        doc_id=collection.id,
        title=collection.title,
        url=collection_url(collection.id),
        summary=owner_name,
        body="\n\n".join(part for part in parts if part),
        tags=[kind],
        sectors=institution.sectors if institution is not None else [],
        country=institution.country if institution is not None else "",
        language=collection.language,
        institution=institution.slug if institution is not None else "",
        # Not institution_id: it would let the owner's members find it whatever its visibility, and the
        # visibility alone decides (every approved member of the network reads a members-only collection).
        institution_id=None,
        partnership_id=collection.partnership_id,
        date=edition.published_at if edition is not None
        else (collection.updated_at or collection.created_at),
        status="published",
        visibility=visibility,
    )


def _collections_holding(practice: Practice) -> list[int]:
    # Called while the session flushes: read on the flush's own connection.
    return list(db.session.connection().execute(
        select(CollectionItem.collection_id).where(CollectionItem.practice_id == practice.id)).scalars())


def _collections_holding_essay(essay: Essay) -> list[int]:
    return list(db.session.connection().execute(
        select(CollectionItem.collection_id).where(CollectionItem.essay_id == essay.id)).scalars())


# Registered by the feature's plug (init_app in __init__.py).
DOCUMENT_TYPES = (
    DocumentType(
        name="collection",
        label=_l("Collections"),
        model=Collection,
        load=collection_document,
        all_ids=lambda: db.session.scalars(select(Collection.id).order_by(Collection.id)).all(),
        watch=[(CollectionChapter, lambda row: [row.collection_id]),
               (CollectionItem, lambda row: [row.collection_id]),
               (CollectionEdition, lambda row: [row.collection_id]),
               # An item's title (and whether it may be shown) is the practice's or essay's.
               (Practice, _collections_holding),
               (Essay, _collections_holding_essay)],
        may_view=permissions.can_view_collection,
    ),
)
