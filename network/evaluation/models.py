"""The programme's evaluation: surveys sent at a visit's or an event's moments, the sessions in which visitors passed
on what they learned back home, a partnership's targets, and its final report's published versions.

Texts a coordinator writes for several languages (a survey's title, sections, questions, options) are stored per
language as JSON objects ({"en": "...", "es": "..."}); the reader sees their language or, failing it, the survey's
first language with a note saying so (surveys.localized).

An anonymous survey's response is stored without anything that leads back to its author: no person, no invitation,
no visit, no time, and a random key (a row's number would tell the order in which people answered, and the
invitations say who answered). Only the host institution or the event it is about is kept, for the aggregated
results of groups of five or more; the invitation remembers that its person answered, to stop the reminders.
"""
from __future__ import annotations

import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import UTCDateTime, utcnow

# A survey's moment: when the platform sends it, and to whom.
BEFORE_VISIT, AFTER_VISIT, SIX_MONTHS, AFTER_EVENT = "before_visit", "after_visit", "six_months", "after_event"
MOMENTS = (BEFORE_VISIT, AFTER_VISIT, SIX_MONTHS, AFTER_EVENT)
VISIT_MOMENTS = (BEFORE_VISIT, AFTER_VISIT, SIX_MONTHS)

DRAFT, OPEN, CLOSED = "draft", "open", "closed"  # a draft is edited; an open survey is sent; a closed one no more
SURVEY_STATUSES = (DRAFT, OPEN, CLOSED)

SCALE, SINGLE, MULTIPLE, NUMBER, SHORT_TEXT, LONG_TEXT = (
    "scale", "single", "multiple", "number", "short_text", "long_text")
QUESTION_KINDS = (SCALE, SINGLE, MULTIPLE, NUMBER, SHORT_TEXT, LONG_TEXT)
CHOICE_KINDS = (SINGLE, MULTIPLE)
TEXT_KINDS = (SHORT_TEXT, LONG_TEXT)
SCALE_POINTS = 5  # 1 .. 5

VISIT, EVENT = "visit", "event"  # what an invitation is about

# Sessions back home: how the visitor passed on what they learned, and to whom.
SESSION_FORMATS = ("team_meeting", "training", "supervision", "conference", "other")
AUDIENCE_ROLES = ("social_workers", "family_therapists", "psychologists", "educators", "managers", "students",
                  "volunteers", "other")

# A partnership's targets.
VISITORS_PER_HOST, ESSAYS_PER_VISIT, SESSIONS_PER_VISITOR, RESPONSE_RATE, PRACTICES_PUBLISHED = (
    "visitors_per_host", "essays_per_visit", "sessions_per_visitor", "response_rate", "practices_published")
TARGET_KINDS = (VISITORS_PER_HOST, ESSAYS_PER_VISIT, SESSIONS_PER_VISITOR, RESPONSE_RATE, PRACTICES_PUBLISHED)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def random_key() -> str:
    return secrets.token_hex(16)


class Survey(db.Model):
    """A survey of a partnership (partnership_id) or a template every partnership may copy (no partnership)."""

    __tablename__ = "evaluation_surveys"
    __table_args__ = (CheckConstraint(_in("moment", MOMENTS), name="moment_known"),
                      CheckConstraint(_in("status", SURVEY_STATUSES), name="status_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    title: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> text
    introduction: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> text (plain, shown with line breaks)
    moment: Mapped[str] = mapped_column(String(20))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    answer_days: Mapped[int] = mapped_column(Integer, default=21)  # how long each person has to answer
    remind_after_days: Mapped[int] = mapped_column(Integer, default=7)  # one reminder, if still unanswered
    opened_on: Mapped[date | None] = mapped_column(Date)  # moments from this day on are sent the survey
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_surveys.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    partnership = relationship("Partnership")
    sections: Mapped[list["SurveySection"]] = relationship(
        back_populates="survey", order_by="SurveySection.position", cascade="all, delete-orphan")

    @property
    def is_template(self) -> bool:
        return self.partnership_id is None

    @property
    def questions(self) -> list["SurveyQuestion"]:
        return [question for section in self.sections for question in section.questions]


class SurveySection(db.Model):
    """A page of the survey: its questions are answered and saved together."""

    __tablename__ = "evaluation_survey_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("evaluation_surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[dict] = mapped_column(JSON, default=dict)

    survey: Mapped[Survey] = relationship(back_populates="sections")
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="section", order_by="SurveyQuestion.position", cascade="all, delete-orphan")


class SurveyQuestion(db.Model):
    """One question. options (single and multiple choice): [{"code": "a", "label": {language: text}}, ...], the
    codes stored in the answers so that a label's wording can be mended; minimum and maximum bound a number."""

    __tablename__ = "evaluation_survey_questions"
    __table_args__ = (CheckConstraint(_in("kind", QUESTION_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("evaluation_survey_sections.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    help: Mapped[dict] = mapped_column(JSON, default=dict)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[list] = mapped_column(JSON, default=list)
    minimum: Mapped[int | None] = mapped_column(Integer)
    maximum: Mapped[int | None] = mapped_column(Integer)
    # Hosts read this question's results for their institution (aggregated, five answers or more).
    shown_to_hosts: Mapped[bool] = mapped_column(Boolean, default=False)

    section: Mapped[SurveySection] = relationship(back_populates="questions")


class SurveyInvitation(db.Model):
    """A survey sent to one person for one visit or event: when it was sent, reminded and closes, whether they
    answered, and (until they send it) the answers they saved as they went."""

    __tablename__ = "evaluation_survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "user_id", "subject_kind", "subject_id", name="invited_once"),
                      CheckConstraint("subject_kind IN ('visit', 'event')", name="subject_known"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("evaluation_surveys.id", ondelete="CASCADE"), index=True)
    # None once its person deleted their account: the invitation still counts as sent (and answered) for the
    # response rate, which the anonymous responses it stands beside keep counting.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    host_institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closes_on: Mapped[date] = mapped_column(Date)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)  # no time: it would date the anonymous answer
    draft: Mapped[dict] = mapped_column(JSON, default=dict)  # question id -> answer, until sent
    draft_section: Mapped[int] = mapped_column(Integer, default=0)  # the page to resume at

    survey: Mapped[Survey] = relationship()
    user = relationship("User")
    host = relationship("Institution")


class SurveyResponse(db.Model):
    """Answers sent. Named: with the person and their invitation. Anonymous: with neither, nor a time (see the
    module's docstring); the key is random."""

    __tablename__ = "evaluation_survey_responses"
    # SQLite keeps a table's rows in the order of a hidden rowid, the order they were written: without it, rows are
    # stored in the order of their random keys.
    __table_args__ = ({"sqlite_with_rowid": False},)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=random_key)
    survey_id: Mapped[int] = mapped_column(ForeignKey("evaluation_surveys.id", ondelete="CASCADE"), index=True)
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation_survey_invitations.id", ondelete="SET NULL"))
    host_institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"),
                                                            index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("training_events.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # named responses only
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # question id (text) -> answer

    survey: Mapped[Survey] = relationship()
    respondent = relationship("User")


dissemination_practices = Table(
    "evaluation_session_practices", db.metadata,
    Column("session_id", ForeignKey("evaluation_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("practice_id", ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True),
)


class DisseminationSession(db.Model):
    """A session back home: after a completed visit, the visitor passing on what they learned to their team."""

    __tablename__ = "evaluation_sessions"
    __table_args__ = (CheckConstraint(_in("format", SESSION_FORMATS), name="format_known"),
                      CheckConstraint("people_reached >= 0", name="people_counted"))

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(20))
    people_reached: Mapped[int] = mapped_column(Integer, default=0)
    audience_text: Mapped[str] = mapped_column("audience", String(200), default="")  # "social_workers,managers"
    summary: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    essay_id: Mapped[int | None] = mapped_column(ForeignKey("essays.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    visit = relationship("Visit")
    user = relationship("User")
    essay = relationship("Essay")
    practices = relationship("Practice", secondary=dissemination_practices, order_by="Practice.title")
    materials: Mapped[list["SessionMaterial"]] = relationship(
        back_populates="session", order_by="SessionMaterial.id", cascade="all, delete-orphan")

    @property
    def audience(self) -> list[str]:
        return [code for code in self.audience_text.split(",") if code]

    @audience.setter
    def audience(self, codes) -> None:
        self.audience_text = ",".join(code for code in AUDIENCE_ROLES if code in set(codes))


class SessionMaterial(db.Model):
    """A file shown or handed out at a session back home (stored under UPLOAD_FOLDER/evaluation)."""

    __tablename__ = "evaluation_session_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("evaluation_sessions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[DisseminationSession] = relationship(back_populates="materials")


class SessionReminder(db.Model):
    """The visitor of this completed visit was asked, once, to record their sessions back home."""

    __tablename__ = "evaluation_session_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Target(db.Model):
    """What a partnership set out to reach, by the end of its period: one value per kind (TARGET_KINDS).
    visitors_per_host, essays_per_visit and sessions_per_visitor are per host or per visit/visitor; response_rate
    a percentage; practices_published a number for the whole partnership."""

    __tablename__ = "evaluation_targets"
    __table_args__ = (UniqueConstraint("partnership_id", "kind", name="one_target_per_kind"),
                      CheckConstraint(_in("kind", TARGET_KINDS), name="kind_known"),
                      CheckConstraint("value >= 0", name="value_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    value: Mapped[float] = mapped_column(Float)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReportDraft(db.Model):
    """The narrative the coordinators are writing for the next version of the partnership's report (Markdown)."""

    __tablename__ = "evaluation_report_drafts"

    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(5), default="en")  # the narrative's language
    summary: Mapped[str] = mapped_column(Text, default="")
    what_worked: Mapped[str] = mapped_column(Text, default="")
    what_did_not: Mapped[str] = mapped_column(Text, default="")
    recommendations: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReportVersion(db.Model):
    """A published version of the report: its figures (codes and numbers, worded when shown) and its narrative,
    frozen; later versions do not change it."""

    __tablename__ = "evaluation_report_versions"
    __table_args__ = (UniqueConstraint("partnership_id", "number", name="report_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(5), default="en")
    texts: Mapped[dict] = mapped_column(JSON, default=dict)  # summary, what_worked, what_did_not, recommendations
    figures: Mapped[dict] = mapped_column(JSON, default=dict)  # reports.figures(): codes, names and numbers
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partnership = relationship("Partnership")
    published_by = relationship("User")
