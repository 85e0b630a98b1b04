"""Partner institutions and the partnerships (funded projects) that join them."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from network.auth.models import User

# The network's sectors; the labels are shown in forms and filters.
SECTORS = ("social", "educational", "mental_health")


class InstitutionSector(db.Model):
    __tablename__ = "institution_sectors"
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True
    )
    sector: Mapped[str] = mapped_column(String(20), primary_key=True)


class InstitutionLanguage(db.Model):
    __tablename__ = "institution_languages"
    institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(2), primary_key=True)


class Institution(db.Model):
    __tablename__ = "institutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    city: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sector_rows: Mapped[list[InstitutionSector]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=InstitutionSector.sector
    )
    language_rows: Mapped[list[InstitutionLanguage]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=InstitutionLanguage.language
    )
    members: Mapped[list[User]] = relationship(back_populates="institution", order_by="User.name")

    @property
    def sectors(self) -> list[str]:
        return [row.sector for row in self.sector_rows]

    @sectors.setter
    def sectors(self, codes) -> None:
        self.sector_rows = [InstitutionSector(sector=code) for code in dict.fromkeys(codes)]

    @property
    def languages(self) -> list[str]:
        return [row.language for row in self.language_rows]

    @languages.setter
    def languages(self, codes) -> None:
        self.language_rows = [InstitutionLanguage(language=code) for code in dict.fromkeys(codes)]

    def __repr__(self) -> str:
        return f"<Institution {self.slug}>"


partnership_partners = Table(
    "partnership_partners",
    db.metadata,
    Column("partnership_id", ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True),
    Column("institution_id", ForeignKey("institutions.id", ondelete="CASCADE"), primary_key=True),
)


class Partnership(db.Model):
    """A funded project (for example an Erasmus+ strategic partnership) between institutions."""

    __tablename__ = "partnerships"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date]
    end_date: Mapped[date]
    coordinating_institution_id: Mapped[int] = mapped_column(
        ForeignKey("institutions.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    coordinating_institution: Mapped[Institution] = relationship()
    partners: Mapped[list[Institution]] = relationship(
        secondary=partnership_partners, order_by=Institution.name, backref="partnerships"
    )

    def __repr__(self) -> str:
        return f"<Partnership {self.reference}>"
