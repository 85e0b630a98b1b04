"""Practices: structured write-ups of family and community interventions, with their revisions,
attachments, discussion, and the people following or bookmarking them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import UTCDateTime, utcnow

DRAFT, PUBLISHED, ARCHIVED = "draft", "published", "archived"
STATUSES = (DRAFT, PUBLISHED, ARCHIVED)
PUBLIC, MEMBERS = "public", "members"
VISIBILITIES = (PUBLIC, MEMBERS)
SHARED, REVIEWED = "shared", "reviewed"
EVIDENCE_LEVELS = (SHARED, REVIEWED)
INTERVENTION_TYPES = ("family", "community", "group", "individual", "peer", "digital")

# The Markdown sections of a practice, in reading order: (field name, required).
SECTIONS = (
    ("context", True),
    ("target_group", True),
    ("objectives", False),
    ("methods", True),
    ("resources", False),
    ("outcomes", True),
    ("lessons", False),
)
SECTION_NAMES = tuple(name for name, _required in SECTIONS)
# What a new practice must have, in every form it arrives in (the web form, the API, the importer): the one
# list the OpenAPI document states and services.validate enforces (tests/practices/test_required_fields.py).
REQUIRED_FIELDS = ("title", "summary", *(name for name, required in SECTIONS if required), "sectors", "country",
                   "language")
SUMMARY_MAX = 500
TITLE_MAX = 200


# The link tables' primary keys start with the practice; a list filtered by sector, type or tag looks them
# up by the other column, hence the reverse indexes (a scan of the whole link table otherwise).
class PracticeSector(db.Model):
    __tablename__ = "practice_sectors"
    __table_args__ = (Index("ix_practice_sectors_sector", "sector", "practice_id"),)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)
    sector: Mapped[str] = mapped_column(String(20), primary_key=True)


class PracticeInterventionType(db.Model):
    __tablename__ = "practice_intervention_types"
    __table_args__ = (Index("ix_practice_intervention_types_type", "intervention_type", "practice_id"),)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)
    intervention_type: Mapped[str] = mapped_column(String(20), primary_key=True)


class Tag(db.Model):
    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)  # stored lower case, trimmed


practice_tags = Table(
    "practice_tags",
    db.metadata,
    Column("practice_id", ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_practice_tags_tag", "tag_id", "practice_id"),
)


class PracticeAuthor(db.Model):
    """An author of a practice. user_id empties when the account is deleted: shown as "former member"."""

    __tablename__ = "practice_authors"
    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    user = relationship("User")


class SectionTexts:
    """The seven sections (SECTION_NAMES), one text column each: a practice's Markdown, or its stored HTML."""

    context: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    methods: Mapped[str] = mapped_column(Text, default="")
    resources: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")


class Practice(SectionTexts, db.Model):
    __tablename__ = "practices"
    __table_args__ = (
        # Lists, their counts and their facets read only these columns. Each row also holds kilobytes of
        # Markdown, so without this index every list filtered on status and visibility reads the whole
        # table (issue 7's load benchmark: 60-160 ms per query at 20,000 practices, 2-5 ms with it).
        # updated_at and title: sorting by them read every row too (60-90 ms; 7-11 ms with them here).
        Index("ix_practices_listing", "status", "visibility", "country", "language", "evidence_level",
              "institution_id", "published_at", "created_at", "updated_at", "title"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX))

    country: Mapped[str] = mapped_column(String(2), index=True)
    language: Mapped[str] = mapped_column(String(2), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="RESTRICT"), index=True)
    partnership_id: Mapped[int | None] = mapped_column(
        ForeignKey("partnerships.id", ondelete="SET NULL"), index=True
    )
    external_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    external_link: Mapped[str] = mapped_column(String(500), default="")

    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLIC, index=True)
    evidence_level: Mapped[str] = mapped_column(String(10), default=SHARED, index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Translations point at the original write-up; the original points nowhere.
    translation_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("practices.id", ondelete="SET NULL"), index=True
    )

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    institution = relationship("Institution", lazy="joined")
    partnership = relationship("Partnership")
    created_by = relationship("User", foreign_keys=[created_by_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    sector_rows: Mapped[list[PracticeSector]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PracticeSector.sector
    )
    type_rows: Mapped[list[PracticeInterventionType]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PracticeInterventionType.intervention_type
    )
    tags: Mapped[list[Tag]] = relationship(secondary=practice_tags, lazy="selectin", order_by=Tag.name)
    author_rows: Mapped[list[PracticeAuthor]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=PracticeAuthor.position
    )
    original = relationship("Practice", remote_side=[id], foreign_keys=[translation_of_id])
    attachments = relationship(
        "Attachment", back_populates="practice", cascade="all, delete-orphan", order_by="Attachment.id"
    )
    revisions = relationship(
        "PracticeRevision", back_populates="practice", cascade="all, delete-orphan",
        order_by="PracticeRevision.number",
    )
    # Read only by the practice's page (a query of its own when first used): lists never load it.
    rendered: Mapped["PracticeHtml | None"] = relationship(
        back_populates="practice", cascade="all, delete-orphan", passive_deletes=True, lazy="select"
    )

    @property
    def sectors(self) -> list[str]:
        return [row.sector for row in self.sector_rows]

    @sectors.setter
    def sectors(self, codes) -> None:
        self.sector_rows = [PracticeSector(sector=code) for code in dict.fromkeys(codes)]

    @property
    def intervention_types(self) -> list[str]:
        return [row.intervention_type for row in self.type_rows]

    @intervention_types.setter
    def intervention_types(self, codes) -> None:
        self.type_rows = [PracticeInterventionType(intervention_type=code) for code in dict.fromkeys(codes)]

    @property
    def authors(self):
        return [row.user for row in self.author_rows]

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    def __repr__(self) -> str:
        return f"<Practice {self.id} {self.title!r}>"


class PracticeRevision(db.Model):
    """A snapshot of a practice after one save: who saved it, when, and every field as it then was."""

    __tablename__ = "practice_revisions"
    __table_args__ = (UniqueConstraint("practice_id", "number", name="number_per_practice"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    data: Mapped[dict] = mapped_column(JSON)

    practice = relationship("Practice", back_populates="revisions")
    author = relationship("User")


class PracticeHtml(SectionTexts, db.Model):
    """A practice's sections as safe HTML, made when the practice is saved (network/practices/rendering.py),
    so that its page runs neither Markdown nor the sanitiser.

    A table of its own rather than columns beside the Markdown: lists scan `practices`, whose rows are
    already longer than a page (bench/README.md, Load), and never need this. One row per practice, for its
    current text: a revision's page shows what changed in the Markdown, not its HTML, so older revisions
    have none. The row is of the practice's text only while source_digest is that text's, and of today's
    sanitiser only while rules is rendering.RULES; otherwise the page renders the text afresh (writing
    nothing) until `flask practices render-html` makes the row again."""

    __tablename__ = "practice_html"

    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)
    rules: Mapped[str] = mapped_column(String(32))
    source_digest: Mapped[str] = mapped_column(String(32))

    practice = relationship("Practice", back_populates="rendered")


class Attachment(db.Model):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # generated; never the person's name
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    practice = relationship("Practice", back_populates="attachments")
    uploaded_by = relationship("User")


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(Text)  # Markdown source; rendered through the sanitiser
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A deleted comment with replies stays as a placeholder so the replies keep their context.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    practice = relationship("Practice")
    author = relationship("User", foreign_keys=[author_id])
    parent = relationship("Comment", remote_side=[id], back_populates="replies")
    replies = relationship("Comment", back_populates="parent", order_by="Comment.created_at")
    flags = relationship("CommentFlag", back_populates="comment", cascade="all, delete-orphan")


class CommentFlag(db.Model):
    __tablename__ = "comment_flags"
    __table_args__ = (UniqueConstraint("comment_id", "user_id", name="one_flag_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    comment = relationship("Comment", back_populates="flags")
    user = relationship("User")


class PracticeFollow(db.Model):
    __tablename__ = "practice_follows"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Bookmark(db.Model):
    __tablename__ = "bookmarks"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    practice = relationship("Practice")
