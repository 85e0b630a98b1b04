"""Reads for the administration pages: users and the audit log, filtered and paginated."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, or_, select

from network.audit import AuditEntry
from network.auth.models import User, UserRole
from network.extensions import db


def search_users(text: str = "", role: str = "", status: str = "", institution_id: int | None = None):
    query = select(User).order_by(User.name, User.id)
    if text:
        text = text.strip().lower()
        query = query.where(or_(User.email.contains(text, autoescape=True),
                                func.lower(User.name).contains(text, autoescape=True)))
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if status:
        query = query.where(User.membership_status == status)
    if institution_id:
        query = query.where(User.institution_id == institution_id)
    return query


def audit_query(action: str = "", actor_id: int | None = None, target_type: str = "",
                since: date | None = None, until: date | None = None):
    query = select(AuditEntry).order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if target_type:
        query = query.where(AuditEntry.target_type == target_type)
    if since:
        query = query.where(AuditEntry.created_at >= datetime.combine(since, time.min, timezone.utc))
    if until:
        query = query.where(AuditEntry.created_at < datetime.combine(until + timedelta(days=1), time.min, timezone.utc))
    return query


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
