"""Data for collection tests: a collection owned by an institution (or a partnership), with practices."""
from __future__ import annotations

from network.collections import services as collections
from network.collections.services import CollectionData


def collection_data(owner, **overrides) -> CollectionData:
    values = dict(title="Manual of family and community resources", introduction="How to use *this* manual.",
                  kind="manual", visibility="public", language="en", owner=collections.owner_key(owner))
    values.update(overrides)
    return CollectionData(**values)


def make_collection(actor, owner, practices=(), chapters=(), **overrides):
    """A collection written by actor (an admin of owner), with chapters (titles) and practices added in
    order outside any chapter."""
    collection = collections.create_collection(actor, collection_data(owner, **overrides))
    for title in chapters:
        collections.add_chapter(actor, collection, title)
    for practice in practices:
        collections.add_item(actor, collection, practice_id=practice.id)
    return collection


def order_of(collection, chapter=None) -> list[tuple[int, int]]:
    """(practice id, position) of one chapter's items (None: outside chapters), in order."""
    items = sorted((i for i in collection.items if i.chapter_id == getattr(chapter, "id", None)),
                   key=lambda i: i.position)
    return [(i.practice_id, i.position) for i in items]
