"""Collections, their chapters and items, the people who edit them, and their frozen editions."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

import network.essays.models  # noqa: F401  (items refer to Essay by name: its mapper must exist first)
import network.practices.models  # noqa: F401
from network.extensions import db
from network.types import UTCDateTime, utcnow

MANUAL, TOOLBOX, READING_LIST = "manual", "toolbox", "reading_list"
KINDS = {MANUAL: _l("Manual"), TOOLBOX: _l("Toolbox"), READING_LIST: _l("Reading list")}
PUBLIC, MEMBERS = "public", "members"
VISIBILITIES = {PUBLIC: _l("Public: anyone can read it"), MEMBERS: _l("Members of the network only")}
TITLE_MAX = 200
CHAPTER_TITLE_MAX = 200


class Collection(db.Model):
    """A curated, ordered set of practices owned by one institution or one partnership."""

    __tablename__ = "collections"
    __table_args__ = (
        # Exactly one owner: an institution or a partnership.
        CheckConstraint("(institution_id IS NULL) <> (partnership_id IS NULL)", name="collection_one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    introduction: Mapped[str] = mapped_column(Text, default="")  # Markdown source, sanitised when shown
    kind: Mapped[str] = mapped_column(String(20), default=MANUAL, index=True)
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLIC, index=True)
    language: Mapped[str] = mapped_column(String(2), default="en")
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    institution = relationship("Institution")
    partnership = relationship("Partnership")
    created_by = relationship("User")
    chapters: Mapped[list[CollectionChapter]] = relationship(
        back_populates="collection", cascade="all, delete-orphan", order_by="CollectionChapter.position")
    items: Mapped[list[CollectionItem]] = relationship(
        back_populates="collection", cascade="all, delete-orphan",
        order_by="CollectionItem.position")
    editor_rows: Mapped[list[CollectionEditor]] = relationship(
        back_populates="collection", cascade="all, delete-orphan")
    editions: Mapped[list[CollectionEdition]] = relationship(
        back_populates="collection", cascade="all, delete-orphan", order_by="CollectionEdition.number")

    @property
    def owner(self):
        return self.institution or self.partnership

    @property
    def latest_edition(self) -> CollectionEdition | None:
        return self.editions[-1] if self.editions else None

    def __repr__(self) -> str:
        return f"<Collection {self.id} {self.title!r}>"


class CollectionEditor(db.Model):
    """Someone an owner's admin or coordinator added as an editor (owners' admins edit anyway)."""

    __tablename__ = "collection_editors"

    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    collection: Mapped[Collection] = relationship(back_populates="editor_rows")
    user = relationship("User", foreign_keys=[user_id])


class CollectionChapter(db.Model):
    """A chapter of a collection with its own short introduction; items are ordered within it."""

    __tablename__ = "collection_chapters"

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(CHAPTER_TITLE_MAX))
    introduction: Mapped[str] = mapped_column(Text, default="")  # Markdown source

    collection: Mapped[Collection] = relationship(back_populates="chapters")
    items: Mapped[list[CollectionItem]] = relationship(
        back_populates="chapter", order_by="CollectionItem.position")


class CollectionItem(db.Model):
    """One practice or essay in a collection, in a chapter (or none), with an editor's note."""

    __tablename__ = "collection_items"
    __table_args__ = (
        CheckConstraint("(practice_id IS NULL) <> (essay_id IS NULL)", name="collection_item_one_target"),
        UniqueConstraint("collection_id", "practice_id", name="collection_item_practice_once"),
        UniqueConstraint("collection_id", "essay_id", name="collection_item_essay_once"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    # Deleting a chapter moves its items out of it (services do that explicitly; SET NULL is the backstop).
    chapter_id: Mapped[int | None] = mapped_column(
        ForeignKey("collection_chapters.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    practice_id: Mapped[int | None] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    essay_id: Mapped[int | None] = mapped_column(ForeignKey("essays.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")  # editor's note, Markdown source
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    collection: Mapped[Collection] = relationship(back_populates="items")
    chapter: Mapped[CollectionChapter | None] = relationship(back_populates="items")
    practice = relationship("Practice")
    essay = relationship("Essay")


class CollectionEdition(db.Model):
    """A published, frozen edition: `contents` holds the whole book as it was when published.

    `contents` is plain JSON so that later edits or deletions of a practice never change it:
    {"title", "introduction_html", "kind", "language", "owner_name",
     "chapters": [{"title", "introduction_html",
                   "items": [{"kind": "practice"|"essay", "id", "revision" (practice revision number,
                              or null for essays), "title", "summary", "country", "language",
                              "institution", "authors": [..], "sections": [{"name", "heading", "html"}],
                              "attachments": [{"name", "size", "content_type"}], "tags": [..],
                              "note_html"}]}]}
    Items outside any chapter sit in a first chapter whose title is null.
    """

    __tablename__ = "collection_editions"
    __table_args__ = (UniqueConstraint("collection_id", "number", name="collection_edition_number_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(ForeignKey("collections.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    contents: Mapped[dict] = mapped_column(JSON)

    collection: Mapped[Collection] = relationship(back_populates="editions")
    published_by = relationship("User")
