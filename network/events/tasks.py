"""The events' background jobs (registered by network.events.init_app): every morning, the events that ended
are ended (certificates of attendance, the essay invitation), then the people registered for an event two days
ahead are reminded. Each does what it does once (services: ended_at, reminded_at), so a retry, a second run or
a day the worker was down neither repeats nor loses anything."""
from __future__ import annotations

import logging

from network.events import services
from network.jobs import periodic_task

log = logging.getLogger(__name__)


@periodic_task(minute="15", hour="5", retries=2, retry_delay=900)
def end_past_events() -> None:
    """05:15 UTC, past midnight in every European time zone: the events whose last day was yesterday or before."""
    ended = services.end_events()
    log.info("Ended %d events", ended)


@periodic_task(minute="30", hour="6", retries=2, retry_delay=900)
def send_event_reminders() -> None:
    """06:30 UTC: the reminders two days before an event."""
    reminded = services.remind_participants()
    log.info("Reminded %d people of an event", reminded)


JOBS = (end_past_events, send_event_reminders)
