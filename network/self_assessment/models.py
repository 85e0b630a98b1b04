"""The digital-agility self-assessment: a questionnaire (content, versioned, in the interface languages) and the
results people took on it.

Texts a site admin writes are stored per language as JSON objects ({"en": "...", "es": "..."}); the reader sees
their language, or English with a note saying so (services.localized). A published version is frozen: every
result records the version it was answered on, and results compare across versions through the codes of the
dimensions and statements the versions share.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import UTCDateTime, utcnow

CODE_MAX, LABEL_MAX, TOKEN_MAX = 40, 200, 43

DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"
QUESTIONNAIRE_STATUSES = (DRAFT, PUBLISHED, RETIRED)

# Who answered: the aggregates compare students and professionals.
STUDENT, PROFESSIONAL = "student", "professional"
TAKER_ROLES = (PROFESSIONAL, STUDENT)

# An invitation's moment: answers from before and after a training event are compared for the group.
BEFORE, AFTER, ANY_TIME = "before", "after", "any"
INVITATION_PHASES = (BEFORE, AFTER, ANY_TIME)

SCALE_POINTS = 5  # 0 "not at all" .. 4 "I could teach it"; None: "does not apply"


class Questionnaire(db.Model):
    """One version of the questionnaire. At most one draft at a time; the newest published version is the one
    people take; publishing a newer one retires it (its results stay, attached to it)."""

    __tablename__ = "self_assessment_questionnaires"
    __table_args__ = (CheckConstraint("status IN ('draft', 'published', 'retired')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    title: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> text
    # language -> the five labels of the scale, from "not at all" to "I could teach it"
    scale: Mapped[dict] = mapped_column(JSON, default=dict)
    not_applicable: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> "does not apply"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dimensions: Mapped[list["AssessmentDimension"]] = relationship(
        back_populates="questionnaire", order_by="AssessmentDimension.position", cascade="all, delete-orphan")
    levels: Mapped[list["AssessmentLevel"]] = relationship(
        back_populates="questionnaire", order_by="AssessmentLevel.minimum", cascade="all, delete-orphan")

    @property
    def frozen(self) -> bool:
        return self.status != DRAFT

    @property
    def statements(self) -> list["AssessmentStatement"]:
        return [s for d in self.dimensions for s in d.statements]


class AssessmentDimension(db.Model):
    """A group of statements, one page of the questionnaire, one score of the result. `code` is stable across
    versions (results compare by it); `keywords` (per language) is the search query of its recommendations."""

    __tablename__ = "self_assessment_dimensions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "code", name="uq_self_assessment_dimensions_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessment_questionnaires.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)
    keywords: Mapped[dict] = mapped_column(JSON, default=dict)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="dimensions")
    statements: Mapped[list["AssessmentStatement"]] = relationship(
        back_populates="dimension", order_by="AssessmentStatement.position", cascade="all, delete-orphan")


class AssessmentStatement(db.Model):
    """"I can …", answered on the scale. `code` is unique in its questionnaire and stable across versions."""

    __tablename__ = "self_assessment_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(ForeignKey("self_assessment_dimensions.id", ondelete="CASCADE"),
                                              index=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[dict] = mapped_column(JSON, default=dict)

    dimension: Mapped[AssessmentDimension] = relationship(back_populates="statements")


class AssessmentLevel(db.Model):
    """A band of scores (0-100) with what it means: a score is at the highest level whose minimum it reaches."""

    __tablename__ = "self_assessment_levels"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "code", name="uq_self_assessment_levels_code"),
        CheckConstraint("minimum >= 0 AND minimum <= 100", name="minimum_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessment_questionnaires.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX))
    minimum: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[dict] = mapped_column(JSON, default=dict)
    description: Mapped[dict] = mapped_column(JSON, default=dict)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="levels")


class AssessmentInvitation(db.Model):
    """A link a coordinator or an event's organisers give a group: results taken through it count for the group
    (only ever as aggregates), and a "before" and an "after" link of one event or partnership compare."""

    __tablename__ = "self_assessment_invitations"
    __table_args__ = (
        CheckConstraint("phase IN ('before', 'after', 'any')", name="phase_known"),
        CheckConstraint("partnership_id IS NOT NULL OR event_id IS NOT NULL", name="has_a_group"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(TOKEN_MAX), unique=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"),
                                                       index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("training_events.id", ondelete="CASCADE"), index=True)
    phase: Mapped[str] = mapped_column(String(10), default=ANY_TIME)
    label: Mapped[str] = mapped_column(String(LABEL_MAX), default="")
    closes_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership = relationship("Partnership")
    event = relationship("Event")


class AssessmentResult(db.Model):
    """One sitting of one person. In progress until completed_at; its scores are computed then. Private to the
    person; erased with their account."""

    __tablename__ = "self_assessment_results"
    __table_args__ = (CheckConstraint("role IN ('professional', 'student')", name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("self_assessment_questionnaires.id", ondelete="RESTRICT"),
                                                  index=True)
    role: Mapped[str] = mapped_column(String(20), default=PROFESSIONAL)
    # The institution the person was an approved member of when they finished: the group it counts for.
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"),
                                                       index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("self_assessment_invitations.id", ondelete="SET NULL"),
                                                      index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    overall: Mapped[float | None] = mapped_column(Float)

    questionnaire: Mapped[Questionnaire] = relationship()
    invitation: Mapped[AssessmentInvitation | None] = relationship()
    answers: Mapped[list["AssessmentAnswer"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    scores: Mapped[list["ResultScore"]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class AssessmentAnswer(db.Model):
    __tablename__ = "self_assessment_answers"
    __table_args__ = (CheckConstraint("value IS NULL OR (value >= 0 AND value <= 4)", name="value_on_scale"),)

    result_id: Mapped[int] = mapped_column(ForeignKey("self_assessment_results.id", ondelete="CASCADE"),
                                           primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("self_assessment_statements.id", ondelete="RESTRICT"),
                                              primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)  # None: "does not apply"


class ResultScore(db.Model):
    """A completed result's score on one dimension (0-100; None when every statement was "does not apply"),
    kept by the dimension's code so that the aggregates group results of every version in SQL."""

    __tablename__ = "self_assessment_scores"

    result_id: Mapped[int] = mapped_column(ForeignKey("self_assessment_results.id", ondelete="CASCADE"),
                                           primary_key=True)
    dimension_code: Mapped[str] = mapped_column(String(CODE_MAX), primary_key=True)
    score: Mapped[float | None] = mapped_column(Float)
    answered: Mapped[int] = mapped_column(Integer, default=0)
