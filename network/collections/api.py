"""Collections as the JSON API shows them (GET /api/v1/collections and /api/v1/collections/<id>).

The routes live in network/api/views.py with the rest of /api/v1; this module reads and serialises.
Who sees a collection is network.permissions.can_view_collection's decision alone. Inside a collection
the caller sees, in order, every item they may read; an item they may not read (a practice that became
members-only, for an anonymous caller; a draft) stays in its place as {"hidden": true} with neither its
title, nor its id, nor the editor's note about it, so the numbering matches the book without leaking it.
"""
from __future__ import annotations

from typing import Any

from flask import request, url_for
from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from network import permissions
from network.collections.models import KINDS, Collection, CollectionChapter, CollectionItem
from network.extensions import db
from network.sanitize import render_markdown


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _site(path: str) -> str:
    """An address on the site (the collections' pages), absolute like the API's other URLs."""
    return request.url_root.rstrip("/") + path


def collection_page(user, page: int, per_page: int, kind: str = "", owner: str = ""):
    """One page of the collections this person may see, as the list page filters them (owner is
    "institution-<id>" or "partnership-<id>"); an unknown kind or owner matches nothing, as the API's other
    filters do. Returns (collections, total)."""
    from network.collections import services

    query = services.collection_query(user, kind=kind, owner=owner)
    owner_kind, _sep, number = owner.partition("-")
    if (kind and kind not in KINDS) or (owner and not (
            owner_kind in ("institution", "partnership") and number.isdigit() and len(number) <= 18)):
        query = query.where(false())
    query = query.options(selectinload(Collection.chapters), selectinload(Collection.items))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return list(pagination.items), pagination.total


def visible_collection(user, collection_id: int) -> Collection | None:
    items = selectinload(Collection.items)
    collection = db.session.scalar(select(Collection).where(Collection.id == collection_id).options(
        selectinload(Collection.institution), selectinload(Collection.partnership),
        selectinload(Collection.editions), selectinload(Collection.chapters),
        items.selectinload(CollectionItem.practice), items.selectinload(CollectionItem.essay)))
    if collection is None or not permissions.can_view_collection(user, collection):
        return None
    return collection


def _owner(collection: Collection) -> dict[str, Any]:
    if collection.institution is not None:
        institution = collection.institution
        return {"type": "institution", "id": institution.id, "slug": institution.slug,
                "name": institution.name}
    partnership = collection.partnership
    return {"type": "partnership", "id": partnership.id, "reference": partnership.reference,
            "name": partnership.title}


def edition_to_json(collection: Collection, edition) -> dict[str, Any]:
    path = f"/collections/{collection.id}/editions/{edition.number}"
    return {"number": edition.number, "published_at": _iso(edition.published_at),
            "url": _site(path), "pdf_url": _site(path + ".pdf")}


def collection_summary_to_json(collection: Collection) -> dict[str, Any]:
    """One collection as a list shows it: everything but its chapters and items."""
    latest = collection.latest_edition
    return {
        "id": collection.id,
        "title": collection.title,
        "kind": collection.kind,
        "visibility": collection.visibility,
        "language": collection.language,
        "owner": _owner(collection),
        "introduction": collection.introduction,
        "introduction_html": str(render_markdown(collection.introduction)),
        "chapter_count": len(collection.chapters),
        "item_count": len(collection.items),
        "latest_edition": edition_to_json(collection, latest) if latest is not None else None,
        "created_at": _iso(collection.created_at),
        "updated_at": _iso(collection.updated_at),
        "url": _site(f"/collections/{collection.id}"),
    }


def item_to_json(item: CollectionItem, viewer) -> dict[str, Any]:
    practice, essay = item.practice, item.essay
    if practice is not None:
        kind, visible = "practice", permissions.can_view_practice(viewer, practice)
    else:
        kind, visible = "essay", essay is not None and permissions.can_view_essay(viewer, essay)
    if not visible:
        return {"kind": kind, "hidden": True, "id": None, "title": None, "url": None, "note": "",
                "note_html": ""}
    if practice is not None:
        url = url_for("practices.show", practice_id=practice.id, _external=True)
        target = practice
    else:
        url = _site(f"/essays/{essay.id}")
        target = essay
    return {"kind": kind, "hidden": False, "id": target.id, "title": target.title, "url": url,
            "note": item.note, "note_html": str(render_markdown(item.note))}


def _chapter(chapter: CollectionChapter | None, items: list[CollectionItem], viewer) -> dict[str, Any]:
    return {
        "id": chapter.id if chapter is not None else None,
        "title": chapter.title if chapter is not None else None,
        "introduction": chapter.introduction if chapter is not None else "",
        "introduction_html": str(render_markdown(chapter.introduction)) if chapter is not None else "",
        "items": [item_to_json(item, viewer) for item in items],
    }


def collection_to_json(collection: Collection, viewer) -> dict[str, Any]:
    """One collection with its chapters in order, each with its items in order, and its editions.
    Items outside any chapter come first, in a chapter whose id and title are null (as in an edition)."""
    data = collection_summary_to_json(collection)
    chapters = []
    loose = sorted((i for i in collection.items if i.chapter_id is None), key=lambda i: (i.position, i.id))
    if loose:
        chapters.append(_chapter(None, loose, viewer))
    for chapter in sorted(collection.chapters, key=lambda c: (c.position, c.id)):
        # From the collection's items (loaded with their practices at once), not chapter.items (a query each).
        items = sorted((i for i in collection.items if i.chapter_id == chapter.id),
                       key=lambda i: (i.position, i.id))
        chapters.append(_chapter(chapter, items, viewer))
    data["chapters"] = chapters
    editions = sorted(collection.editions, key=lambda e: e.number)
    data["editions"] = [edition_to_json(collection, e) for e in editions]
    return data
