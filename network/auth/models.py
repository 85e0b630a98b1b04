"""People, their roles, password-reset tokens and login attempts."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from network.extensions import db
from network.types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from network.institutions.models import Institution

# Everyone is a professional; these roles are granted on top by a site admin.
PROFESSIONAL = "professional"
INSTITUTION_ADMIN = "institution_admin"
COORDINATOR = "coordinator"
EVALUATOR = "evaluator"
SITE_ADMIN = "site_admin"
GRANTABLE_ROLES = (INSTITUTION_ADMIN, COORDINATOR, EVALUATOR, SITE_ADMIN)

PENDING, APPROVED, DECLINED = "pending", "approved", "declined"
MEMBERSHIP_STATUSES = (PENDING, APPROVED, DECLINED)


def normalize_email(email: str) -> str:
    """Emails are unique case-insensitively: one stored form, lower case without surrounding space."""
    return (email or "").strip().lower()


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    institution_id: Mapped[int | None] = mapped_column(
        ForeignKey("institutions.id", ondelete="SET NULL"), index=True
    )
    membership_status: Mapped[str] = mapped_column(String(10), default=PENDING, index=True)
    # Part of the login cookie: bumping it (password change or reset) signs out every other session.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The interface language the person chose with the switcher (a code of SUPPORTED_LOCALES); None: their
    # browser's. Emails and notifications to them are written in it too.
    locale: Mapped[str | None] = mapped_column(String(10))
    # Notifications always appear on the notifications page; by email too unless the person said no.
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    institution: Mapped[Institution | None] = relationship(back_populates="members")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by=UserRole.role
    )

    @validates("email")
    def _normalize_email(self, _key, value):
        return normalize_email(value)

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    @roles.setter
    def roles(self, roles) -> None:
        wanted = set(roles) - {PROFESSIONAL}
        unknown = wanted - set(GRANTABLE_ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            UserRole(role=role) for role in sorted(wanted - self.roles)
        ]

    def has_role(self, role: str) -> bool:
        return role == PROFESSIONAL or role in self.roles

    @property
    def is_approved_member(self) -> bool:
        return self.membership_status == APPROVED and self.institution_id is not None

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot log in
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class PasswordResetToken(db.Model):
    """A single-use, expiring reset token. Only its SHA-256 is stored: a database leak gives no token."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
    """Failed logins, reset requests, unusable reset links and unknown API tokens, counted per account and
    per address to slow down guessing (network.auth.services.check_throttle)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "login", "reset" (a reset request), "reset_link" (a link that cannot be used), "api_token"
    kind: Mapped[str] = mapped_column(String(10), default="login")
    email: Mapped[str] = mapped_column(String(254), index=True)  # "" for reset links and API tokens
    ip_address: Mapped[str] = mapped_column(String(45), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
