"""Data for essay tests: an event of the test exchange with participants, and essays in each state."""
from __future__ import annotations

from datetime import date

from network.essays import services as essays
from network.essays.services import EssayData
from network.events import services as events
from network.events.services import RecordedEventData

EVENT_START, EVENT_END = date(2026, 5, 11), date(2026, 5, 13)


def essay_data(**overrides) -> EssayData:
    values = dict(title="What the interfamily groups taught me",
                  body="I learned that **families** help each other.\n\nBack home we will start a group.",
                  language="en", practice_ids=[], display="named")
    values.update(overrides)
    return EssayData(**values)


def record_training(exchange, participants, **overrides):
    values = dict(title="Training on family group conferencing", kind="training_event", start_date=EVENT_START,
                  end_date=EVENT_END, host_institution_id=exchange.seville.id,
                  participant_ids=[p.id for p in participants])
    values.update(overrides)
    return events.record_event(exchange.coordinator, exchange.partnership, RecordedEventData(**values))


def written(author, event, status="submitted", reviewer=None, **overrides):
    """An essay by this author for this event, taken to the given status."""
    essay = essays.start_essay(author, event)
    if status == "draft":
        return essays.save_draft(author, essay, essay_data(**overrides))
    essays.submit_essay(author, essay, essay_data(**overrides))
    if status == "published":
        essays.publish_essay(reviewer, essay)
    elif status == "returned":
        essays.return_essay(reviewer, essay, "Say more about your team.")
    return essay
