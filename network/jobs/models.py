"""A job that failed for good: what was tried, why it failed, when (the admins' page /admin/jobs)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import UTCDateTime, utcnow


class JobFailure(db.Model):
    """arguments: what the call was about (the job's own description, never a message's text); error: the
    exception's type and message; details: its traceback."""

    __tablename__ = "job_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(200))
    arguments: Mapped[str] = mapped_column(String(500), default="")
    error: Mapped[str] = mapped_column(String(1000))
    details: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
