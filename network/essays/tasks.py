"""The essays' background jobs (registered by network.essays.init_app)."""
from __future__ import annotations

import logging

from network.essays import services
from network.jobs import periodic_task

log = logging.getLogger(__name__)


@periodic_task(minute="0", hour="6", retries=2, retry_delay=900)
def send_essay_reminders() -> None:
    """Every morning (06:00 UTC): what `flask --app network essays remind` does. Each visit is reminded once,
    so a retry, or a day the worker was down, neither repeats nor loses a reminder."""
    sent = services.remind()
    log.info("Sent %d essay reminders", sent)


JOBS = (send_essay_reminders,)
