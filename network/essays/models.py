"""Essays: the essays the participants of an event (network/events: training events, visits...) write, and
evaluators' assessments with a rubric per partnership."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.events.models import Event
from network.extensions import db
from network.institutions.models import Institution
from network.types import UTCDateTime, utcnow

DRAFT, SUBMITTED, PUBLISHED, RETURNED = "draft", "submitted", "published", "returned"
ESSAY_STATUSES = {DRAFT: _l("Draft"), SUBMITTED: _l("Submitted"), PUBLISHED: _l("Published"),
                  RETURNED: _l("Returned to the author")}
# How a published essay appears, chosen (and changeable) by its author.
NAMED, ANONYMOUS, PRIVATE = "named", "anonymous", "private"
DISPLAY_CHOICES = {NAMED: _l("Under my name"),
                   ANONYMOUS: _l("Anonymously (no name; my institution shown only as its country)"),
                   PRIVATE: _l("Only to the evaluators")}
WORDS_GUIDANCE = (500, 1500)
SCALE = (1, 2, 3, 4, 5)
TAG_KINDS = {"strength": _l("Strengths"), "weakness": _l("Weaknesses"), "skill": _l("Skills gained")}


essay_practices = Table(
    "essay_practices", db.metadata,
    Column("essay_id", ForeignKey("essays.id", ondelete="CASCADE"), primary_key=True),
    Column("practice_id", ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Essay(db.Model):
    __tablename__ = "essays"
    __table_args__ = (UniqueConstraint("author_id", "event_id", name="one_essay_per_event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Emptied when the account is deleted: the essay stays in the archive as by a former member.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("training_events.id", ondelete="CASCADE"), index=True)
    # The author's institution and its country when they wrote it (people move; the archive stays put).
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"),
                                                       index=True)
    author_country: Mapped[str] = mapped_column(String(2), default="", index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    language: Mapped[str] = mapped_column(String(3), default="", index=True)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(12), default=DRAFT, index=True)
    display: Mapped[str] = mapped_column(String(12), default=NAMED)
    return_comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    autosaved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    author = relationship("User", foreign_keys=[author_id])
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id])
    event: Mapped[Event] = relationship()
    institution: Mapped[Institution | None] = relationship()
    practices = relationship("Practice", secondary=essay_practices, order_by="Practice.title")
    assessments: Mapped[list["Assessment"]] = relationship(back_populates="essay", cascade="all, delete-orphan")


class RescuedText(db.Model):
    """What someone typed when their session or form token had expired: kept until they log in again and
    are taken back to the editor with it (only the essay's author gets it back, only from that browser)."""

    __tablename__ = "rescued_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    essay_id: Mapped[int | None] = mapped_column(ForeignKey("essays.id", ondelete="CASCADE"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("training_events.id", ondelete="CASCADE"))
    fields: Mapped[dict] = mapped_column(db.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


def N_(text: str) -> str:
    """Marks a text for the catalogues without translating it: it is stored as written, translated when shown."""
    return text


# The rubric a partnership starts with. Stored in English, the catalogues' source language, so that each reader
# sees it in their own language (RubricCriterion.label) until the coordinators write criteria of their own.
DEFAULT_RUBRIC = [
    (N_("Depth of reflection"), N_("How far the essay goes beyond describing what happened.")),
    (N_("Transfer to practice"), N_("How concretely it says what will change in the author's work and team.")),
    (N_("Link to the host's approach"), N_("How well it understands the approach seen and its context.")),
]
_DEFAULT_TEXTS = frozenset(text for pair in DEFAULT_RUBRIC for text in pair)


def rubric_text(stored: str) -> str:
    """A stored criterion text as the reader reads it: the default rubric's in their language, others as written."""
    return gettext(stored) if stored in _DEFAULT_TEXTS else stored


def stored_rubric_text(shown: str) -> str:
    """The reverse, for a rubric sent back from the editor: an unchanged default text is stored as its source,
    so that saving the rubric in another language neither renames the criterion nor drops its scores."""
    return next((source for source in _DEFAULT_TEXTS if gettext(source) == shown), shown)


class RubricCriterion(db.Model):
    """One criterion of a partnership's rubric, scored 1 to 5."""

    __tablename__ = "rubric_criteria"
    __table_args__ = (UniqueConstraint("partnership_id", "name", name="criterion_named_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    @property
    def label(self) -> str:
        return rubric_text(self.name)

    @property
    def explanation(self) -> str:
        return rubric_text(self.description)


class Assessment(db.Model):
    """One evaluator's assessment of one essay."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("essay_id", "evaluator_id", name="one_assessment_per_evaluator"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    essay_id: Mapped[int] = mapped_column(ForeignKey("essays.id", ondelete="CASCADE"), index=True)
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    notes: Mapped[str] = mapped_column(Text, default="")  # private to evaluators
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    essay: Mapped[Essay] = relationship(back_populates="assessments")
    evaluator = relationship("User")
    scores: Mapped[list["AssessmentScore"]] = relationship(cascade="all, delete-orphan")
    tags: Mapped[list["AssessmentTag"]] = relationship(cascade="all, delete-orphan",
                                                       order_by="(AssessmentTag.kind, AssessmentTag.name)")


class AssessmentScore(db.Model):
    __tablename__ = "assessment_scores"
    __table_args__ = (
        UniqueConstraint("assessment_id", "criterion_id", name="one_score_per_criterion"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_on_the_scale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("rubric_criteria.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)

    criterion: Mapped[RubricCriterion] = relationship()


class AssessmentTag(db.Model):
    """A strength, weakness or skill gained that an evaluator saw in an essay."""

    __tablename__ = "assessment_tags"
    __table_args__ = (
        UniqueConstraint("assessment_id", "kind", "name", name="tag_once_per_kind"),
        CheckConstraint("kind IN ('strength', 'weakness', 'skill')", name="known_tag_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(60))


class EssayReminder(db.Model):
    """A reminder sent for a completed visit without an essay (sent once)."""

    __tablename__ = "essay_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
