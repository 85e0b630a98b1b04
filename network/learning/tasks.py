"""The learning modules' background jobs (registered by network.learning.init_app)."""
from __future__ import annotations

import logging

from network.jobs import periodic_task
from network.learning import tutoring

log = logging.getLogger(__name__)


@periodic_task(minute="0", hour="7", retries=2, retry_delay=900)
def send_course_reminders() -> None:
    """Every morning (07:00 UTC): what `flask --app network learning remind` does. A learner reminded is not
    reminded again for two weeks (Enrolment.reminded_at), so a retry or a second run repeats nothing, and a day
    the worker was down is caught up the next morning."""
    sent = tutoring.remind()
    log.info("Reminded %d learners of their course", sent)


JOBS = (send_course_reminders,)
