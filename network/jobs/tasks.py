"""The runner's own job, and the platform core's (network.mail): registered by network.jobs.init_app."""
from __future__ import annotations

import logging

from network import mail
from network.jobs import services
from network.jobs.runner import periodic_task

log = logging.getLogger(__name__)


@periodic_task(minute="30", hour="3", retries=2)
def forget_old_failures() -> None:
    """Every night: failures older than JOBS_FAILURES_KEPT_DAYS leave the admins' page."""
    forgotten = services.forget_old_failures()
    if forgotten:
        log.info("Forgot %d job failures", forgotten)


JOBS = (forget_old_failures, mail.deliver_email)
