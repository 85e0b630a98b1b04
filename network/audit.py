"""The audit log: who approved, published, hid, deleted or changed roles, and when."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import UTCDateTime, utcnow


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # SET NULL: a deleted account's actions stay in the log, shown as "former member".
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    # Tells a deleted member's action (actor_id now empty) from one made by the system or command line.
    by_person: Mapped[bool] = mapped_column(Boolean, default=False)
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_type: Mapped[str] = mapped_column(String(50), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    target_label: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor = relationship("User")


def record(actor, action: str, target=None, label: str | None = None, **details) -> AuditEntry:
    """Add an entry to the current transaction: it is kept only if the change it describes commits."""
    if target is not None and getattr(target, "id", 0) is None:
        db.session.flush()  # a new target needs its id before it can be named
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        by_person=actor is not None,
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        target_label=(label if label is not None else _label_of(target))[:300],
        details=details,
    )
    db.session.add(entry)
    return entry


def _label_of(target) -> str:
    if target is None:
        return ""
    for attribute in ("email", "name", "title", "slug"):
        value = getattr(target, attribute, None)
        if value:
            return str(value)
    return str(getattr(target, "id", ""))
