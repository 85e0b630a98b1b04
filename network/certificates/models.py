"""A certificate: what the platform attests about one person (attended an event, completed a course), with a
verification code anyone can check at /certificates/<code>."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import UTCDateTime, utcnow

CODE_LENGTH = 12  # stored without its dashes; shown as XXXX-XXXX-XXXX
KIND_MAX, SUBJECT_TYPE_MAX, NAME_MAX, TITLE_MAX, ISSUER_MAX, REASON_MAX = 40, 40, 200, 300, 300, 500

# Why a certificate stopped certifying (revocation): a code, worded when shown in the reader's language.
WITHDRAWN = "withdrawn"  # revoked by someone allowed to (revoked_reason says why, in their words)
HOLDER_ERASED = "holder_erased"  # the holder deleted their account: the certificate names no one any more


class Certificate(db.Model):
    """holder_name, title and issuer are frozen when it is issued: later changes to the person, the event or
    course, or the institution do not change what was certified. The sentence that says what it certifies
    ("attended the training event “…”") is the platform's, registered per kind by the feature that issues
    it, and written in the reader's language when shown (the PDF: in the certificate's language)."""

    __tablename__ = "certificates"
    __table_args__ = (
        # One certificate per person, kind and subject: issuing again gives the same one.
        UniqueConstraint("kind", "subject_type", "subject_id", "person_id",
                         name="uq_certificates_kind_subject_person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    kind: Mapped[str] = mapped_column(String(KIND_MAX))
    subject_type: Mapped[str] = mapped_column(String(SUBJECT_TYPE_MAX))
    subject_id: Mapped[int] = mapped_column(Integer)
    # SET NULL: a deleted account's certificates stay, withdrawn and without the name (personal_data.py).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    holder_name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    issued_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(String(ISSUER_MAX), default="")
    language: Mapped[str] = mapped_column(String(10))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revocation: Mapped[str | None] = mapped_column(String(20))  # WITHDRAWN or HOLDER_ERASED
    revoked_reason: Mapped[str] = mapped_column(String(REASON_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def display_code(self) -> str:
        """ABCD-EFGH-JKMN: how the code is printed, linked and read out."""
        return format_code(self.code)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<Certificate {self.display_code} {self.kind} {self.subject_type}:{self.subject_id}>"


def format_code(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
