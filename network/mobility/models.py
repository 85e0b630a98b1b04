"""Mobility: what host institutions offer, who applies, and the 5-day job-shadowing visits.

A week is stored as the date of its Monday; a visit runs Monday to Friday of that week.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.types import UTCDateTime, utcnow

DEFAULT_QUOTA = 6
DAYS = (1, 2, 3, 4, 5)  # Monday to Friday
DAY_NAMES = {1: _l("Monday"), 2: _l("Tuesday"), 3: _l("Wednesday"), 4: _l("Thursday"), 5: _l("Friday")}
ACTIVITY_KINDS = {
    "cooperative_work": _l("Cooperative work"),
    "formal_session": _l("Formal session"),
    "service_visit": _l("Visit to a local service"),
    "interfamily_group": _l("Interfamily group session"),
    "reflection": _l("Reflection"),
}

# Applications
SUBMITTED, ENDORSED, DECLINED, WITHDRAWN = "submitted", "endorsed", "declined", "withdrawn"
APPLICATION_STATUSES = {SUBMITTED: _l("Waiting for endorsement"), ENDORSED: _l("Endorsed"),
                        DECLINED: _l("Declined"), WITHDRAWN: _l("Withdrawn")}
MAX_PREFERENCES = 3

# Visits
PROPOSED, CONFIRMED, COMPLETED, CANCELLED = "proposed", "confirmed", "completed", "cancelled"
VISIT_STATUSES = {PROPOSED: _l("Proposed"), CONFIRMED: _l("Confirmed"), COMPLETED: _l("Completed"),
                  CANCELLED: _l("Cancelled")}
# Visits that hold a place in the host's week and count towards its quota.
ACTIVE_STATUSES = (PROPOSED, CONFIRMED, COMPLETED)


def week_end(monday: date) -> date:
    return monday + timedelta(days=4)


offer_tags = Table(
    "offer_tags", db.metadata,
    Column("offer_id", ForeignKey("hosting_offers.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)
offer_practices = Table(
    "offer_practices", db.metadata,
    Column("offer_id", ForeignKey("hosting_offers.id", ondelete="CASCADE"), primary_key=True),
    Column("practice_id", ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True),
)
application_tags = Table(
    "application_tags", db.metadata,
    Column("application_id", ForeignKey("mobility_applications.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
)


class _Languages:
    """Working languages kept as "es,en" in a `languages` column."""

    @property
    def languages(self) -> list[str]:
        return [code for code in self.languages_text.split(",") if code]

    @languages.setter
    def languages(self, codes) -> None:
        self.languages_text = ",".join(dict.fromkeys(code.strip().lower() for code in codes if code.strip()))


class HostingOffer(_Languages, db.Model):
    """What one institution offers visitors within one partnership."""

    __tablename__ = "hosting_offers"
    __table_args__ = (
        UniqueConstraint("partnership_id", "institution_id", name="one_offer_per_host"),
        CheckConstraint("total_quota >= 0", name="quota_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, sanitised when shown
    languages_text: Mapped[str] = mapped_column("languages", String(100), default="")  # "es,en"
    total_quota: Mapped[int] = mapped_column(Integer, default=DEFAULT_QUOTA)
    # Bumped by every booking: the first statement of a booking transaction, so bookings of one host
    # wait for each other (a row lock on PostgreSQL, the write lock on SQLite) before counting places.
    booking_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    partnership: Mapped[Partnership] = relationship()
    institution: Mapped[Institution] = relationship()
    weeks: Mapped[list["OfferWeek"]] = relationship(cascade="all, delete-orphan", order_by="OfferWeek.week_start",
                                                    back_populates="offer")
    activities: Mapped[list["OfferActivity"]] = relationship(
        cascade="all, delete-orphan", order_by="(OfferActivity.day, OfferActivity.position)")
    tags = relationship("Tag", secondary=offer_tags, order_by="Tag.name")
    practices = relationship("Practice", secondary=offer_practices, order_by="Practice.title")

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    def capacity_in(self, monday: date) -> int:
        return next((week.capacity for week in self.weeks if week.week_start == monday), 0)


class OfferWeek(db.Model):
    __tablename__ = "offer_weeks"
    __table_args__ = (
        UniqueConstraint("offer_id", "week_start", name="one_row_per_week"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("hosting_offers.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date]
    capacity: Mapped[int] = mapped_column(Integer, default=1)

    offer: Mapped[HostingOffer] = relationship(back_populates="weeks")


class OfferActivity(db.Model):
    """One activity of the host's 5-day programme template."""

    __tablename__ = "offer_activities"
    __table_args__ = (CheckConstraint("day BETWEEN 1 AND 5", name="weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("hosting_offers.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(500), default="")


class MobilityApplication(_Languages, db.Model):
    """A professional's request to visit a host within a partnership."""

    __tablename__ = "mobility_applications"
    __table_args__ = (UniqueConstraint("partnership_id", "user_id", name="one_application_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The sending institution when the person applied (people can move; the application stays put).
    institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    motivation: Mapped[str] = mapped_column(Text, default="")
    languages_text: Mapped[str] = mapped_column("languages", String(100), default="")
    status: Mapped[str] = mapped_column(String(12), default=SUBMITTED, index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    partnership: Mapped[Partnership] = relationship()
    user = relationship("User", foreign_keys=[user_id])
    institution: Mapped[Institution] = relationship()
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    tags = relationship("Tag", secondary=application_tags, order_by="Tag.name")
    preferences: Mapped[list["ApplicationPreference"]] = relationship(
        cascade="all, delete-orphan", order_by="ApplicationPreference.rank")
    weeks: Mapped[list["ApplicationWeek"]] = relationship(cascade="all, delete-orphan",
                                                          order_by="ApplicationWeek.week_start")

    @property
    def interest_names(self) -> list[str]:
        return [tag.name for tag in self.tags]

    @property
    def preferred_host_ids(self) -> list[int]:
        return [preference.host_institution_id for preference in self.preferences]

    @property
    def available_weeks(self) -> list[date]:
        return [week.week_start for week in self.weeks]


class ApplicationPreference(db.Model):
    __tablename__ = "application_preferences"
    __table_args__ = (
        UniqueConstraint("application_id", "rank", name="one_host_per_rank"),
        UniqueConstraint("application_id", "host_institution_id", name="each_host_once"),
        CheckConstraint("rank BETWEEN 1 AND 3", name="rank_one_to_three"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("mobility_applications.id", ondelete="CASCADE"),
                                                index=True)
    rank: Mapped[int] = mapped_column(Integer)
    host_institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"))

    host: Mapped[Institution] = relationship()


class ApplicationWeek(db.Model):
    __tablename__ = "application_weeks"
    __table_args__ = (UniqueConstraint("application_id", "week_start", name="each_week_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("mobility_applications.id", ondelete="CASCADE"),
                                                index=True)
    week_start: Mapped[date]


class Visit(db.Model):
    """One 5-day job-shadowing visit: a visitor at a host for one Monday-to-Friday week."""

    __tablename__ = "visits"
    __table_args__ = (
        # No visitor in two visits: one visit that is not cancelled per application.
        Index("one_active_visit_per_application", "application_id", unique=True,
              sqlite_where=text("status != 'cancelled'"), postgresql_where=text("status != 'cancelled'")),
        Index("visits_by_offer_week", "offer_id", "week_start", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("hosting_offers.id", ondelete="CASCADE"))
    host_institution_id: Mapped[int] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("mobility_applications.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    week_start: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default=PROPOSED, index=True)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    # Why it was proposed: codes with their values (network/mobility/reasons.py), written out when shown; visits
    # stored before the codes have only the sentence in match_reasons.
    match_reasons: Mapped[str] = mapped_column(String(500), default="")
    match_reason_codes: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partnership: Mapped[Partnership] = relationship()
    offer: Mapped[HostingOffer] = relationship()
    host: Mapped[Institution] = relationship()
    application: Mapped[MobilityApplication] = relationship()
    visitor = relationship("User", foreign_keys=[visitor_id])
    activities: Mapped[list["VisitActivity"]] = relationship(
        cascade="all, delete-orphan", order_by="(VisitActivity.day, VisitActivity.position)")

    @property
    def week_end(self) -> date:
        return week_end(self.week_start)

    @property
    def days(self) -> list[date]:
        return [self.week_start + timedelta(days=n) for n in range(5)]


class VisitActivity(db.Model):
    """One activity of a visit's programme (copied from the host's template, then adjusted)."""

    __tablename__ = "visit_activities"
    __table_args__ = (CheckConstraint("day BETWEEN 1 AND 5", name="weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(500), default="")


class WaitingListEntry(db.Model):
    """An endorsed applicant who could not be placed, waiting for a place at a host, in order."""

    __tablename__ = "waiting_list"
    __table_args__ = (UniqueConstraint("offer_id", "application_id", name="once_per_list"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("hosting_offers.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("mobility_applications.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    offer: Mapped[HostingOffer] = relationship()
    application: Mapped[MobilityApplication] = relationship()


class CalendarFeed(db.Model):
    """A secret token for a person's or an institution's iCalendar feed of visits."""

    __tablename__ = "calendar_feeds"
    __table_args__ = (
        UniqueConstraint("owner_kind", "owner_id", name="one_feed_per_owner"),
        CheckConstraint("owner_kind IN ('user', 'institution')", name="known_owner_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(12))
    owner_id: Mapped[int] = mapped_column(Integer)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
