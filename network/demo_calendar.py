"""The demo network's dates, computed from today: whenever it is seeded, its partnership is in its second year,
some visits and training events lie behind, and every week it offers is still to come (nothing offers a week
that has begun: network.mobility.weeks.has_begun)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from network.mobility import weeks

# Whole weeks from the Monday of the current week.
PAST_VISIT_WEEKS = (-36, -30, -25, -22)
FUTURE_WEEKS = (6, 9, 13, 17, 21, 25)
TRAINING_EVENT_WEEK = -12  # a five-day training event
ONLINE_COURSE_WEEKS = (-44, -37)  # an eight-week online course: its first and last week
NEXT_TRAINING_WEEK = 5  # a three-day training event, Tuesday to Thursday, next month (network/events/demo.py)
WEBINAR_WEEK = 2  # a webinar on the Wednesday
MULTIPLIER_WEEKS = (-7, 10)  # multiplier events on the Friday: one that took place, one to come


@dataclass(frozen=True)
class DemoCalendar:
    today: date
    partnership_start: date
    partnership_end: date
    past_visit_weeks: list[date]  # Mondays of the visits that took place
    future_weeks: list[date]  # Mondays the hosts offer and the applicants choose
    training_event: tuple[date, date]
    online_course: tuple[date, date]
    kick_off: tuple[date, date]  # the partnership's kick-off meeting, in its second week (Tuesday, Wednesday)
    next_training: tuple[date, date]
    webinar: date
    multiplier_events: tuple[date, date]  # the one that took place, the one to come


def _months_back(day: date, months: int) -> date:
    month = day.year * 12 + day.month - 1 - months
    return date(month // 12, month % 12 + 1, 1)


def demo_calendar(today: date | None = None) -> DemoCalendar:
    today = today or weeks.today()  # mobility's one clock, which its rules read too
    this_monday = today - timedelta(days=today.weekday())

    def monday(weeks: int) -> date:
        return this_monday + timedelta(weeks=weeks)

    start = _months_back(today, 13)  # the first of the month, thirteen months ago: the second year
    end = date(start.year + 2, start.month, 1) - timedelta(days=1)  # two years in all
    course_start, course_last = (monday(w) for w in ONLINE_COURSE_WEEKS)
    second_week = start + timedelta(days=7)
    kick_off = second_week + timedelta(days=(1 - second_week.weekday()) % 7)  # its Tuesday
    return DemoCalendar(
        today=today,
        partnership_start=start,
        partnership_end=end,
        past_visit_weeks=[monday(w) for w in PAST_VISIT_WEEKS],
        future_weeks=[monday(w) for w in FUTURE_WEEKS],
        training_event=(monday(TRAINING_EVENT_WEEK), monday(TRAINING_EVENT_WEEK) + timedelta(days=4)),
        online_course=(course_start, course_last + timedelta(days=4)),
        kick_off=(kick_off, kick_off + timedelta(days=1)),
        next_training=(monday(NEXT_TRAINING_WEEK) + timedelta(days=1), monday(NEXT_TRAINING_WEEK) + timedelta(days=3)),
        webinar=monday(WEBINAR_WEEK) + timedelta(days=2),
        multiplier_events=tuple(monday(w) + timedelta(days=4) for w in MULTIPLIER_WEEKS),
    )
