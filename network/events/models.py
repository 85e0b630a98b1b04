"""Events of a partnership: training events, partner meetings, webinars, multiplier events and the job-shadowing
visits (one event per completed visit), with their programme (sessions day by day), registrations (with a
waiting list and the organisers' approval) and who attended.

Who attended is the `event_participants` table: it is what essays read (a participant writes an essay about
the event). Attendance taken by the organisers fills it; a completed visit puts its visitor in it.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.mobility.models import ACTIVITY_KINDS
from network.types import UTCDateTime, utcnow

# Every kind an event may have. The form offers FORM_KINDS; the others are kept valid for the events recorded
# before (online courses, conferences).
JOB_SHADOWING = "job_shadowing"  # the event of a completed visit ("Job-shadowing visit")
EVENT_KINDS = {
    "training_event": _l("Short-term training event"),
    "partner_meeting": _l("Partner meeting"),
    "webinar": _l("Webinar"),
    "multiplier_event": _l("Multiplier event"),
    JOB_SHADOWING: _l("Job-shadowing visit"),
    "online_course": _l("Online course"),
    "conference": _l("Conference"),
}
FORM_KINDS = ("training_event", "partner_meeting", "webinar", "multiplier_event", JOB_SHADOWING)

# Who sees an event (permissions.can_view_event).
PUBLIC, MEMBERS, PARTNERSHIP = "public", "members", "partnership"
VISIBILITIES = {PUBLIC: _l("Everyone, also without an account"),
                MEMBERS: _l("Members of the network"),
                PARTNERSHIP: _l("The partnership's institutions")}

# The questions the organisers may ask in the registration form.
QUESTIONS = {"dietary": _l("Dietary needs"), "accessibility": _l("Accessibility needs"),
             "travel": _l("Arrival and departure")}

SESSION_KINDS = {**ACTIVITY_KINDS, "other": _l("Other")}

# Registrations. A pending or approved registration holds a place; a waiting one waits for a place to free.
PENDING, APPROVED, WAITING, DECLINED, CANCELLED = "pending", "approved", "waiting", "declined", "cancelled"
REGISTRATION_STATUSES = {PENDING: _l("Waiting for approval"), APPROVED: _l("Registered"),
                         WAITING: _l("On the waiting list"), DECLINED: _l("Declined"),
                         CANCELLED: _l("Cancelled")}
HOLDS_A_PLACE = (PENDING, APPROVED)
ACTIVE = (PENDING, APPROVED, WAITING)
DEFAULT_TIMEZONE = "UTC"


def _codes(text_: str) -> list[str]:
    return [code for code in (text_ or "").split(",") if code]


def _joined(codes) -> str:
    return ",".join(dict.fromkeys(code.strip() for code in codes if code and code.strip()))


event_participants = Table(
    "event_participants", db.metadata,
    Column("event_id", ForeignKey("training_events.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Event(db.Model):
    """An event of a partnership, or a completed visit (one per visit). Dates and times are in its time zone."""

    # The table keeps the name it had when essays recorded training events only.
    __tablename__ = "training_events"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="event_dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    # The title as stored; empty for the event of a completed visit, whose title is written when shown (title).
    stored_title: Mapped[str] = mapped_column("title", String(300))
    kind: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date]
    end_date: Mapped[date]
    host_institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="SET NULL"),
                                                            index=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)

    description: Mapped[str] = mapped_column(Text, default="", server_default="")  # Markdown, sanitised when shown
    # Where: a place, or online with a link that only the organisers and the registered see.
    online: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    online_link: Mapped[str] = mapped_column(String(500), default="", server_default="")
    address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    city: Mapped[str] = mapped_column(String(120), default="", server_default="")
    country: Mapped[str] = mapped_column(String(2), default="", server_default="")
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE, server_default=DEFAULT_TIMEZONE)
    languages_text: Mapped[str] = mapped_column("languages", String(100), default="", server_default="")
    visibility: Mapped[str] = mapped_column(String(12), default=PARTNERSHIP, server_default=PARTNERSHIP)

    # Registration: only when the organisers open it (not for a visit, nor an event recorded afterwards).
    takes_registrations: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    capacity: Mapped[int | None] = mapped_column(Integer)  # None: no limit
    registration_opens: Mapped[date | None]
    registration_closes: Mapped[date | None]
    requires_approval: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    questions_text: Mapped[str] = mapped_column("questions", String(100), default="", server_default="")
    # Bumped by every registration change: the first statement of its transaction, so that changes to one
    # event's places wait for each other (a row lock on PostgreSQL, the write lock on SQLite) before they count
    # the places; its value orders the waiting list (first come, first served).
    registration_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # When the daily job saw it over (services.end_events): its certificates issued and events.signals.event_ended
    # sent, once. None: still to come, under way, or over since the job last ran.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partnership: Mapped[Partnership] = relationship()
    host: Mapped[Institution | None] = relationship()
    visit = relationship("Visit")

    @hybrid_property
    def title(self) -> str:
        """The title in the reader's language when the platform made it ("Job-shadowing visit at …", the event of
        a completed visit), as its organisers wrote it otherwise. In SQL: the stored title."""
        return self.stored_title or self.composed_title()

    @title.inplace.setter
    def _title_setter(self, value: str) -> None:
        # The composed title sent back unchanged (an organiser saving the visit's event) stays composed.
        self.stored_title = "" if value and value == self.composed_title() else value

    @title.inplace.expression
    @classmethod
    def _title_expression(cls):
        return cls.stored_title

    def composed_title(self) -> str:
        """What the platform calls an event of a completed visit, in the reader's language ("" for other kinds)."""
        if self.kind != JOB_SHADOWING:
            return ""
        if self.host is not None:
            return gettext("Job-shadowing visit at %(host)s", host=self.host.name)
        return str(EVENT_KINDS[JOB_SHADOWING])
    participants = relationship("User", secondary=event_participants, order_by="User.name")
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event", cascade="all, delete-orphan",
        order_by="(EventSession.day, EventSession.position, EventSession.id)")
    registrations: Mapped[list[EventRegistration]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventRegistration.sequence")

    @property
    def languages(self) -> list[str]:
        return _codes(self.languages_text)

    @languages.setter
    def languages(self, codes) -> None:
        self.languages_text = _joined(code.lower() for code in codes)

    @property
    def questions(self) -> list[str]:
        return [code for code in _codes(self.questions_text) if code in QUESTIONS]

    @questions.setter
    def questions(self, codes) -> None:
        self.questions_text = _joined(code for code in QUESTIONS if code in set(codes))

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone or DEFAULT_TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TIMEZONE)

    @property
    def starts_at(self) -> datetime | None:
        """The first day at the start time, in the event's time zone (None without a time)."""
        return datetime.combine(self.start_date, self.start_time, tzinfo=self.zone) if self.start_time else None

    @property
    def ends_at(self) -> datetime | None:
        return datetime.combine(self.end_date, self.end_time, tzinfo=self.zone) if self.end_time else None

    @property
    def days(self) -> list[date]:
        return [self.start_date + timedelta(days=n) for n in range((self.end_date - self.start_date).days + 1)]


class EventSession(db.Model):
    """One session of the programme, on one day of the event (times in the event's time zone)."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("training_events.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    position: Mapped[int] = mapped_column(Integer, default=0)
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20))
    speakers: Mapped[str] = mapped_column(String(500), default="")
    room: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # plain text, shown with its line breaks
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="sessions")

    @property
    def starts_at(self) -> datetime | None:
        return datetime.combine(self.day, self.start_time, tzinfo=self.event.zone) if self.start_time else None

    @property
    def ends_at(self) -> datetime | None:
        return datetime.combine(self.day, self.end_time, tzinfo=self.event.zone) if self.end_time else None


class EventRegistration(db.Model):
    """A person's registration for an event: pending, approved, waiting, declined or cancelled."""

    __tablename__ = "event_registrations"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="one_registration_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("training_events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10), index=True)
    # The event's registration_version when the person (last) registered: the waiting list's order.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[dict] = mapped_column(db.JSON, default=dict)  # question code -> what the person wrote
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the reminder two days before, sent once

    event: Mapped[Event] = relationship(back_populates="registrations")
    user = relationship("User")


# Materials: a file (slides, a document) or a link to a page of another feature (a practice, a collection), for
# the event or one of its sessions, seen by everyone who sees the event or only by its registered participants.
FILE = "file"
EVERYONE, REGISTERED = "everyone", "registered"
AUDIENCES = {EVERYONE: _l("Everyone who sees the event"),
             REGISTERED: _l("Only the registered participants (and the organisers)")}


class EventMaterial(db.Model):
    """Slides, a document or a link, attached to the event or to one of its sessions. A file is stored under
    UPLOAD_FOLDER/events/ with a generated name (network.uploads); a link names its page by kind and id (the
    kinds are registered: network.events.materials.register_link_kind), checked when it is shown."""

    __tablename__ = "event_materials"
    __table_args__ = (CheckConstraint("(kind = 'file') = (stored_name IS NOT NULL)", name="event_material_file"),
                      CheckConstraint("(kind = 'file') <> (target_id IS NOT NULL)", name="event_material_link"))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("training_events.id", ondelete="CASCADE"), index=True)
    # A deleted session leaves its materials to the event.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("event_sessions.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # FILE, or a link's kind ("practice", "collection")
    title: Mapped[str] = mapped_column(String(300))
    audience: Mapped[str] = mapped_column(String(12), default=EVERYONE)
    # A file: its name as uploaded (for the download), the generated one on disk, its type and size.
    original_name: Mapped[str | None] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(80), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None] = mapped_column(Integer)
    target_id: Mapped[int | None] = mapped_column(Integer)  # a link: the id of the practice, the collection...
    # Who added it: unlinked when their account goes (the event keeps the material).
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    session: Mapped[EventSession | None] = relationship()
    added_by = relationship("User")

    @property
    def is_file(self) -> bool:
        return self.kind == FILE
