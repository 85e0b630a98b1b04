"""The month calendar of events: weeks from Monday to Sunday, each day with the events that run on it (an event of
several days on each of them), and the names of the month and the weekdays in the reader's language."""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_skeleton, get_day_names
from flask_babel import get_locale

MIN_YEAR, MAX_YEAR = 1970, 2199  # months outside are refused (prev/next stop there)
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")


def parse_month(text: str) -> date | None:
    """"2027-01" -> 1 January 2027; None for anything else (a month out of range included)."""
    found = _MONTH.match(str(text or "").strip())
    if not found:
        return None
    return month_of(int(found.group(1)), int(found.group(2)))


def month_of(year: int, month: int) -> date | None:
    if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def shift(first: date, months: int) -> date | None:
    """The first day of the month `months` later (earlier when negative); None past the limits."""
    index = first.year * 12 + first.month - 1 + months
    return month_of(index // 12, index % 12 + 1)


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    events: list = field(default_factory=list)


def weeks(first: date, events, today: date) -> list[list[Day]]:
    """The weeks (Monday first) covering the month, each day with the events running on it; days of the months
    around are in the grid, without events (each is in its own month's calendar)."""
    grid = []
    for week in calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year, first.month):
        row = []
        for day in week:
            in_month = day.month == first.month
            running = [e for e in events if e.start_date <= day <= e.end_date] if in_month else []
            row.append(Day(day, in_month, day == today, running))
        grid.append(row)
    return grid


def title(first: date) -> str:
    """"January 2027", "enero de 2027": the month and year in the reader's language, as written inside a
    sentence (Spanish, French and Italian write month names in lower case; a caption capitalises it)."""
    return format_skeleton("yMMMM", first, locale=get_locale())


def weekday_names() -> list[tuple[str, str]]:
    """(abbreviated, wide) names of the weekdays, Monday first, in the reader's language."""
    locale = get_locale()
    wide, short = get_day_names("wide", locale=locale), get_day_names("abbreviated", locale=locale)
    return [(short[n], wide[n]) for n in range(7)]
