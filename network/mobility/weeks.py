"""Weeks of a visit: ISO weeks, Monday to Friday, and the public holidays that fall in them."""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import lru_cache

import holidays as holidays_lib
from flask_babel import lazy_gettext as _l

_ISO_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")
FALLBACK_LANGUAGE = "en"  # holidays' names when the library has none in the reader's language


class WeekError(ValueError):
    pass


def parse_week(value: str | date) -> date:
    """The Monday of a week given as "2027-W10" (what the week picker sends) or as that Monday's date.

    A date that is not a Monday is refused rather than moved: a visit is a Monday-to-Friday week and
    the person should see which week they are choosing."""
    if isinstance(value, date):
        monday = value
    else:
        text = str(value or "")
        if match := _ISO_WEEK.match(text):
            year, week = int(match.group(1)), int(match.group(2))
            try:
                return date.fromisocalendar(year, week, 1)
            except ValueError:
                raise WeekError(_l("%(value)s is not a week of the calendar.", value=text.strip())) from None
        if not (match := _ISO_DATE.match(text)):
            raise WeekError(_l("“%(value)s” is not a week: use the form 2027-W10.", value=text.strip()[:40]))
        try:
            monday = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            raise WeekError(_l("%(value)s is not a date.", value=text.strip())) from None
    if monday.weekday() != 0:
        raise WeekError(_l("A visit is a Monday-to-Friday week: %(day)s is not a Monday.", day=monday.isoformat()))
    return monday


def iso_week(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def friday(monday: date) -> date:
    return monday + timedelta(days=4)


def today() -> date:
    """Today, for every rule about weeks that have begun: the one clock of mobility (tests move it here)."""
    return date.today()


def has_begun(monday: date, as_of: date | None = None) -> bool:
    """A week has begun from its Monday on. Nothing offers it any more: nobody can choose it, offer it,
    be booked in it or have a visit in it confirmed (a visit that took place is still completed)."""
    return monday <= (as_of or today())


def still_to_come(mondays, as_of: date | None = None) -> list[date]:
    """The weeks among these that have not begun, in order: the only ones anybody may still choose."""
    as_of = as_of or today()
    return sorted(monday for monday in set(mondays) if not has_begun(monday, as_of))


def weeks_between(start: date, end: date) -> list[date]:
    """Every Monday whose whole Monday-to-Friday week lies between start and end."""
    monday = start + timedelta(days=(7 - start.weekday()) % 7)
    found = []
    while friday(monday) <= end:
        found.append(monday)
        monday += timedelta(days=7)
    return found


@lru_cache(maxsize=256)
def _country_holidays(country: str, year: int, language: str | None = None) -> tuple[dict[date, str], str]:
    """The country's public holidays of the year, and the language of their names (a BCP 47 code)."""
    try:
        found = holidays_lib.country_holidays(country, years=year)
    except NotImplementedError:  # a country the library does not know: no holidays marked
        return {}, ""
    # The reader's language when the library has it; English otherwise (every country has it), named explicitly:
    # without a language the library's names depend on the machine's locale settings.
    names = (_holiday_language(found.supported_languages, language)
             or _holiday_language(found.supported_languages, FALLBACK_LANGUAGE) or found.default_language)
    if names:
        found = holidays_lib.country_holidays(country, years=year, language=names)
    return dict(found), _bcp47(names or "")


def _bcp47(code: str) -> str:
    """The library's "it_IT" or "en_US" as a page's lang attribute writes it ("it-IT")."""
    return code.replace("_", "-")


def _holiday_language(supported, wanted: str | None) -> str | None:
    """The library's code for the reader's language ("it" -> "it_IT"), if it names this country's days in it."""
    if not wanted:
        return None
    for code in supported or ():
        if code == wanted or code.split("_")[0] == wanted:
            return code
    return None


def holidays_in_week(country: str, monday: date, language: str | None = None) -> dict[date, str]:
    """Public holidays in the host's country from Monday to Friday of this week: date -> name, in `language`
    when the library has the names in it, otherwise in English."""
    return holiday_names(country, monday, language)[0]


def holiday_names(country: str, monday: date, language: str | None = None) -> tuple[dict[date, str], str]:
    """holidays_in_week, and the language the names are in (a BCP 47 code such as "es" or "en-US"; "" when
    there is no holiday): the reader's when the library names the country's days in it, otherwise English, which
    a page then says (its lang attribute, and in words)."""
    found, named_in = {}, ""
    for offset in range(5):
        day = monday + timedelta(days=offset)
        names, named_in_year = _country_holidays((country or "").upper(), day.year, language)
        if names.get(day):
            found[day], named_in = names[day], named_in_year
    return found, named_in
