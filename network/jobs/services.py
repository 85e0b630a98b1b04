"""The failures of background jobs: recorded by the runner, read by the admins' page and the command line,
forgotten after JOBS_FAILURES_KEPT_DAYS."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select

from network.extensions import db
from network.jobs.models import JobFailure
from network.types import utcnow


def record_failure(task: str, arguments: str, error: str, details: str, attempts: int) -> JobFailure:
    failure = JobFailure(task=task[:200], arguments=arguments[:500], error=error[:1000], details=details,
                         attempts=attempts)
    db.session.add(failure)
    db.session.commit()
    return failure


def failures_query():
    """Newest first."""
    return select(JobFailure).order_by(JobFailure.failed_at.desc(), JobFailure.id.desc())


def recent_failures(limit: int = 20) -> list[JobFailure]:
    return list(db.session.scalars(failures_query().limit(limit)))


def forget_old_failures() -> int:
    """Failures older than JOBS_FAILURES_KEPT_DAYS go; returns how many."""
    days = int(current_app.config.get("JOBS_FAILURES_KEPT_DAYS") or 90)
    result = db.session.execute(delete(JobFailure).where(JobFailure.failed_at < utcnow() - timedelta(days=days)))
    db.session.commit()
    return result.rowcount or 0
