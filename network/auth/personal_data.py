"""The account's own personal data: the account, its roles, logins, reset links and the audit log.

Like every feature's personal_data module: TABLES names each table with a foreign key to users that this
feature answers for (tests/test_personal_data.py checks that every such table is some feature's), with
what export and deletion do to it; export gives the person's data, erase removes what is personal before
the account's row goes (network.auth.services.delete_account, one transaction). What an eraser leaves, the
database empties (ON DELETE SET NULL): that row stays, shown as written by a "former member".
"""
from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from network import audit
from network.auth.models import LoginAttempt, PasswordResetToken, User, UserRole
from network.extensions import db

TABLES = {
    "user_roles": "exported (account.roles); erased",
    "password_reset_tokens": "exported (dates only, never the hash); erased",
    "audit_entries": "exported (what they did and what was done to their account); kept: the action stays, "
                     "its actor empties (shown as a former member), labels naming them say former member",
}
# Tables that hold a person's data without a foreign key to users.
TABLES_WITHOUT_FOREIGN_KEY = {
    "users": "the account itself: exported (account); deleted last",
    "login_attempts": "found by email: exported; erased",
}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_account(user: User) -> dict:
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "created_at": _iso(user.created_at),
        "last_login_at": _iso(user.last_login_at),
        "roles": sorted(user.roles),
        "institution": user.institution.name if user.institution else None,
        "membership_status": user.membership_status,
        "interface_language": user.locale,
        "email_notifications": user.email_notifications,
    }


def export_login_attempts(user: User) -> list[dict]:
    return [
        {"kind": a.kind, "ip_address": a.ip_address, "succeeded": a.succeeded, "at": _iso(a.created_at)}
        for a in db.session.scalars(
            select(LoginAttempt).where(LoginAttempt.email == user.email).order_by(LoginAttempt.created_at)
        )
    ]


def export_reset_requests(user: User) -> list[dict]:
    return [
        {"created_at": _iso(t.created_at), "expires_at": _iso(t.expires_at), "used_at": _iso(t.used_at)}
        for t in db.session.scalars(
            select(PasswordResetToken)
            .where(PasswordResetToken.user_id == user.id)
            .order_by(PasswordResetToken.created_at)
        )
    ]


def _about_the_account(user: User):
    return (audit.AuditEntry.target_type == "user") & (audit.AuditEntry.target_id == user.id)


def export_audit_log(user: User) -> list[dict]:
    return [
        {"action": e.action, "at": _iso(e.created_at), "target": e.target_label, "details": e.details}
        for e in db.session.scalars(
            select(audit.AuditEntry)
            .where(or_(audit.AuditEntry.actor_id == user.id, _about_the_account(user)))
            .order_by(audit.AuditEntry.created_at, audit.AuditEntry.id)
        )
    ]


# The account's sections come first in the export, in this order (network.auth's plug registers them).
SECTIONS = {
    "account": export_account,
    "login_attempts": export_login_attempts,
    "password_reset_requests": export_reset_requests,
    "audit_log": export_audit_log,
}


def names(text: str, name: str) -> bool:
    """Does the text name this person (their whole name, not part of a longer word)?"""
    return bool(name) and re.search(_whole(name), text or "") is not None


def without_name(text: str, name: str) -> str:
    """The text with the person's name (as a whole, not inside a longer word) replaced by "former member"."""
    from network.auth.services import FORMER_MEMBER

    return re.sub(_whole(name), lambda _match: FORMER_MEMBER, text or "") if name else text


def _whole(name: str) -> str:
    return rf"(?<!\w){re.escape(name)}(?!\w)"


def erase(user: User) -> None:
    """Roles, reset links and login attempts go; the audit log keeps every action without the name."""
    from network.auth.services import FORMER_MEMBER

    db.session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    db.session.expire(user, ["role_rows"])
    db.session.execute(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    # Entries about the account keep the fact, not the person; those they made keep by_person (their
    # actor_id is emptied by the database: "former member").
    db.session.execute(update(audit.AuditEntry).where(_about_the_account(user)).values(target_label=FORMER_MEMBER))
