"""The month calendar of events and the list's filters, without JavaScript: a real table (caption, weekday
headers, Monday first), events of several days on each of their days, only the events the reader may see, today
marked, the previous and next month keeping the filters, names in the reader's language, and a clear message (never
a 500) for a filter value that is not one of its choices."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import read_html
from events_helpers import make_event
from hostile import page_sample
from network.events import month


def cells(page) -> dict[int, list[str]]:
    """Day of the month -> the titles of the events listed on it (days of the month only)."""
    found = {}
    for cell in page.select("#month-calendar tbody td"):
        stamp = cell.select_one("time")
        if stamp is not None:
            found[date.fromisoformat(stamp["datetime"]).day] = [a.get_text() for a in cell.select(".day-events a")]
    return found


@pytest.fixture
def january(exchange):
    """Events of January 2027 (the test clock stands on 30 November 2026): a public training of three days in
    Seville, a members' webinar online, a partnership's meeting in Helsinki that runs into February."""
    return {
        "training": make_event(exchange, title="Public training", visibility="public"),  # 19-21 January
        "webinar": make_event(exchange, title="Members webinar", kind="webinar", online=True,
                              online_link="https://meet.example.org/w", start_date=date(2027, 1, 5),
                              end_date=date(2027, 1, 5), registration_closes=date(2027, 1, 4)),
        "meeting": make_event(exchange, title="Partners meeting", kind="partner_meeting", visibility="partnership",
                              city="Helsinki", country="FI", timezone="Europe/Helsinki", start_date=date(2027, 1, 30),
                              end_date=date(2027, 2, 2)),
    }


def test_the_month_is_a_table_with_each_event_on_each_of_its_days(client, january):
    page = read_html(client.get("/events/calendar/2027/1"))
    table = page.select_one("table#month-calendar")
    assert table.caption.get_text(strip=True) == "January 2027"
    headers = table.select("thead th")
    assert [th["scope"] for th in headers] == ["col"] * 7
    assert [th.select_one(".visually-hidden").get_text() for th in headers][:2] == ["Monday", "Tuesday"]
    # 1 January 2027 is a Friday: the first row starts with four days of December, outside the month.
    first_row = table.select("tbody tr")[0].select("td")
    assert [("outside" in td["class"]) for td in first_row] == [True] * 4 + [False] * 3
    days = cells(page)
    assert len(days) == 31
    assert [d for d, titles in days.items() if "Public training" in titles] == [19, 20, 21]
    assert "day 2 of 3" in table.get_text()
    # Anonymous: neither the members' webinar nor the partnership's meeting.
    assert all(titles in ([], ["Public training"]) for titles in days.values())
    link = table.select_one(".day-events a")
    assert link["href"] == f"/events/{january['training'].id}"


def test_a_member_sees_the_events_open_to_them_across_the_months(client, auth, exchange, january, make_user):
    auth.login(make_user(institution=exchange.seville))
    days = cells(read_html(client.get("/events/calendar?month=2027-01")))
    assert days[5] == ["Members webinar"]
    assert days[30] == days[31] == ["Partners meeting"]
    february = cells(read_html(client.get("/events/calendar/2027/2")))
    assert february[1] == february[2] == ["Partners meeting"] and february[3] == []


def test_the_partnership_events_stay_hidden_from_an_outsider(client, auth, january, make_user, make_institution):
    auth.login(make_user(institution=make_institution(name="Elsewhere")))
    page = client.get("/events/calendar/2027/1").get_data(as_text=True)
    assert "Members webinar" in page and "Partners meeting" not in page


def test_today_is_marked_and_the_calendar_opens_on_this_month(client):
    page = read_html(client.get("/events/calendar"))  # the clock: 30 November 2026
    assert page.select_one("caption").get_text(strip=True) == "November 2026"
    [today] = page.select("td[aria-current=date]")
    assert today.select_one("time")["datetime"] == "2026-11-30" and "Today" in today.get_text()
    assert page.select_one("a[rel=next]")["href"] == "/events/calendar/2026/12"
    assert page.select_one("a[rel=prev]")["href"] == "/events/calendar/2026/10"
    assert not read_html(client.get("/events/calendar/2027/1")).select("[aria-current=date]")


def test_the_filters_apply_and_are_kept_by_the_other_months_links(client, auth, exchange, january, make_user):
    auth.login(make_user(institution=exchange.seville))
    page = read_html(client.get(f"/events/calendar/2027/1?country=FI&partnership={exchange.partnership.id}"))
    assert {t for titles in cells(page).values() for t in titles} == {"Partners meeting"}
    assert page.select_one("select#country option[selected]")["value"] == "FI"
    assert page.select_one("select#partnership option[selected]")["value"] == str(exchange.partnership.id)
    assert page.select_one("input#month")["value"] == "2027-01"
    following = page.select_one("a[rel=next]")["href"]
    assert following.startswith("/events/calendar/2027/2?") and "country=FI" in following
    kinds = read_html(client.get("/events/calendar/2027/1?kind=webinar"))
    assert {t for titles in cells(kinds).values() for t in titles} == {"Members webinar"}


def test_the_list_filters_by_country_and_month_and_keeps_them(client, auth, exchange, january, make_user):
    later = make_event(exchange, title="March training", start_date=date(2027, 3, 2), end_date=date(2027, 3, 3))
    auth.login(make_user(institution=exchange.seville))
    page = read_html(client.get("/events/?month=2027-01"))
    titles = [a.get_text() for a in page.select("#upcoming-events .card-title a")]
    assert titles == ["Members webinar", "Public training", "Partners meeting"] and later.title not in titles
    assert page.select_one("input#month")["value"] == "2027-01"
    spain = read_html(client.get("/events/?country=ES"))
    assert [a.get_text() for a in spain.select("#upcoming-events .card-title a")] == ["Public training",
                                                                                      "March training"]
    assert spain.select_one("select#country option[selected]").get_text() == "Spain"
    assert spain.select_one("#calendar-link")["href"] == "/events/calendar?country=ES"


def test_names_are_in_the_readers_language(client, january):
    page = read_html(client.get("/events/calendar/2027/1", headers={"Accept-Language": "es"}))
    assert page.select_one("caption").get_text(strip=True) == "Enero de 2027"
    assert page.select_one("thead th .visually-hidden").get_text() == "lunes"
    assert "lunes, 18 de enero de 2027" in page.select_one("#month-calendar tbody").get_text()


@pytest.mark.parametrize("address, field", [
    ("/events/calendar?month=2027-13", "month"),
    ("/events/calendar?month=1969-12", "month"),
    ("/events/?month=January", "month"),
    ("/events/?country=ZZ", "country"),
    ("/events/?kind=party", "kind"),
    ("/events/?partnership=abc", "partnership"),
    ("/events/calendar/2027/1?partnership=999999", "partnership"),
])
def test_a_value_that_is_not_a_choice_gets_its_message(client, january, address, field):
    response = client.get(address)
    assert response.status_code == 400
    page = read_html(response)
    assert page.select_one(".error-summary[role=alert]") is not None
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert page.select_one(f"#{field}-error").get_text(strip=True)
    assert not page.select("#month-calendar, #upcoming-events, #past-events")


def test_a_month_that_does_not_exist_is_not_found(client):
    assert client.get("/events/calendar/2027/13").status_code == 404
    assert client.get("/events/calendar/99999/1").status_code == 404
    page = read_html(client.get(f"/events/calendar/{month.MAX_YEAR}/12"))
    assert page.select_one("a[rel=next]") is None and page.select_one("a[rel=prev]") is not None


def test_hostile_filter_values_never_break_the_pages(client):
    for text in page_sample():
        for address in ("/events/", "/events/calendar"):
            query = {name: text for name in ("kind", "partnership", "country", "month")}
            assert client.get(address, query_string=query).status_code in (200, 400), (address, text)


def test_the_weeks_start_on_monday_and_cover_the_month():
    grid = month.weeks(date(2027, 2, 1), [], date(2027, 2, 10))
    assert [week[0].day.weekday() for week in grid] == [0] * len(grid)
    assert grid[0][0].day == date(2027, 2, 1) and len(grid) == 4  # February 2027 starts on a Monday
    assert [d.day for week in grid for d in week if d.is_today] == [date(2027, 2, 10)]
    assert month.shift(date(2027, 1, 1), -1) == date(2026, 12, 1) and month.shift(date(2027, 12, 1), 1) == date(2028, 1, 1)
    assert month.parse_month("2027-1") is None and month.parse_month(" 2027-01 ") == date(2027, 1, 1)
