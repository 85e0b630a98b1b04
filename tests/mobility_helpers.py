"""Data for mobility tests: weeks inside the test partnership, valid offer and application data. The
`exchange` and `make_applicant` fixtures built from them are in conftest.py."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from network.mobility.services import ActivityData, ApplicationData, OfferData

# Mondays inside make_partnership's dates (2025-11-01 to 2027-10-31). Nothing books a week that has
# begun (network.mobility.weeks.has_begun): mobility's today is BEFORE_THE_WEEKS in every test, whatever the
# real date (tests/conftest.py, mobility_clock); a test moves it with set_today().
W1, W2, W3 = date(2027, 3, 1), date(2027, 3, 8), date(2027, 3, 15)
# A day before every fixed week of the tests (2026-W50, the week of a Spanish holiday, included).
BEFORE_THE_WEEKS = date(2026, 11, 30)


def set_today(monkeypatch, day: date) -> None:
    """Make `day` the mobility's today: the one clock the rules about weeks that have begun read."""
    monkeypatch.setattr("network.mobility.weeks.today", lambda: day)


def week(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


@dataclass
class Exchange:
    partnership: object
    coordinating: object
    coordinator: object
    seville: object  # host, Spanish
    arad: object  # host, Romanian
    sender: object  # sending institution, Finnish
    seville_admin: object
    arad_admin: object
    sender_admin: object
    seville_offer: object
    arad_offer: object


def offer_data(**overrides) -> OfferData:
    values = dict(
        description="Interfamily groups on **Tuesdays**.", languages=["es", "en"],
        approaches=["interfamily groups", "home visits"], total_quota=6,
        weeks={week(W1): 1, week(W2): 1, week(W3): 2},
        activities=[ActivityData(day=1, kind="formal_session", description="Welcome and the centre's model"),
                    ActivityData(day=2, kind="interfamily_group", description="Evening group"),
                    ActivityData(day=5, kind="reflection", description="What you take home")],
    )
    values.update(overrides)
    return OfferData(**values)


def application_data(**overrides) -> ApplicationData:
    values = dict(motivation="I want to see how interfamily groups run.", interests=["interfamily groups"],
                  languages=["en", "fi"], preferred_hosts=[], weeks=[week(W1), week(W2)])
    values.update(overrides)
    return ApplicationData(**values)


