"""The evaluation's background jobs (registered by network.evaluation.init_app)."""
from __future__ import annotations

import logging

from network.evaluation import dissemination, report_pdf, surveys
from network.jobs import periodic_task, task

log = logging.getLogger(__name__)


@periodic_task(minute="30", hour="6", retries=2, retry_delay=900)
def send_surveys_and_reminders() -> None:
    """Every morning (06:30 UTC): what `flask --app network evaluation send` does. Each survey reaches each
    person once per visit or event, is reminded once and closes on its day; a visitor is asked once for their
    sessions back home. Each step records what it did, so a retry or a second run repeats nothing, and a day the
    worker was down is caught up the next morning."""
    sent = surveys.send_due()
    asked = dissemination.remind()
    log.info("Surveys: %s; sessions back home: %d visitors asked", sent, asked)


@task(retries=2, retry_delay=120, describe=lambda version_id: f"report version {version_id}")
def build_report_pdf(version_id: int) -> None:
    """A published report version's PDF, made by the job worker instead of a web worker (queued by
    report_pdf.schedule_pdf when the version is published, or when its PDF is asked for and missing)."""
    report_pdf.build_queued(version_id)


JOBS = (send_surveys_and_reminders, build_report_pdf)
