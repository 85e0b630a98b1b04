"""iCalendar: one visit as an .ics event, the secret-token feeds of a person and of an institution, and the
page that shows their addresses."""
from __future__ import annotations

import re
from datetime import date

import pytest
from icalendar import Calendar
from sqlalchemy import event

from mobility_helpers import W1, W2, W3, offer_data, week
from network.extensions import db
from network.mobility import services as mobility
from network.mobility.models import CANCELLED, COMPLETED, CONFIRMED, PROPOSED
from network.mobility.weeks import holidays_in_week

DECEMBER = date(2026, 12, 7)  # Tuesday 8 December is a public holiday in Spain


def events(response) -> list:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data).walk("VEVENT")


def only_event(response):
    found = events(response)
    assert len(found) == 1
    return found[0]


def visit(exchange, make_applicant, offer=None, monday=W1, **applicant):
    offer = offer or exchange.seville_offer
    return mobility.book_visit(exchange.coordinator, make_applicant(**applicant), offer, monday)


def feed_path(token: str) -> str:
    return f"/mobility/calendar/{token}.ics"


def uids(response) -> list[str]:
    return sorted(str(e["UID"]) for e in events(response))


# --- one visit ------------------------------------------------------------------------------------


def test_a_visit_is_an_all_day_event_from_monday_to_saturday(client, auth, exchange, make_applicant):
    booked = visit(exchange, make_applicant)
    auth.login(booked.visitor)
    response = client.get(f"/mobility/visits/{booked.id}.ics")
    found = only_event(response)
    assert f'filename="visit-{booked.id}.ics"' in response.headers["Content-Disposition"]
    assert found.decoded("DTSTART") == W1
    assert found.decoded("DTEND") == date(2027, 3, 6)  # the Saturday: DTEND is exclusive
    assert found["DTSTART"].params["VALUE"] == "DATE"
    assert str(found["SUMMARY"]) == f"Job-shadowing visit: {booked.visitor.name} at Seville Family Centre"
    assert str(found["LOCATION"]) == "Seville Family Centre, Sevilla, Spain"
    assert str(found["STATUS"]) == "TENTATIVE"
    assert str(found["UID"]) == f"visit-{booked.id}@localhost"
    assert found.decoded("SEQUENCE") == 0 and found.decoded("DTSTAMP").tzinfo is not None
    assert str(found["URL"]) == f"http://localhost/mobility/visits/{booked.id}"


def test_the_description_holds_the_programme_day_by_day(client, auth, exchange, make_applicant):
    booked = visit(exchange, make_applicant)
    auth.login(booked.visitor)
    description = str(only_event(client.get(f"/mobility/visits/{booked.id}.ics"))["DESCRIPTION"])
    monday, tuesday = description.index("Monday"), description.index("Tuesday")
    assert monday < description.index("Formal session: Welcome and the centre's model") < tuesday
    wednesday = description.index("Wednesday")
    assert tuesday < description.index("Interfamily group session: Evening group") < wednesday
    assert description.index("Friday") < description.index("Reflection: What you take home")
    assert "Public holidays" not in description  # no holiday in Spain that week


def test_a_public_holiday_of_the_host_country_is_in_the_description(client, auth, exchange, make_applicant):
    mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville,
                        offer_data(weeks={week(W1): 1, week(W2): 1, week(W3): 2, week(DECEMBER): 1}))
    booked = visit(exchange, make_applicant, monday=DECEMBER, weeks=[week(DECEMBER)])
    holiday = holidays_in_week("ES", DECEMBER)[date(2026, 12, 8)]
    auth.login(booked.visitor)
    found = only_event(client.get(f"/mobility/visits/{booked.id}.ics"))
    assert (found.decoded("DTSTART"), found.decoded("DTEND")) == (DECEMBER, date(2026, 12, 12))
    description = str(found["DESCRIPTION"])
    assert f"Tuesday, December 8, 2026 (public holiday: {holiday})" in description
    assert "Public holidays in Spain this week:" in description


@pytest.mark.parametrize("status, expected", [(PROPOSED, "TENTATIVE"), (CONFIRMED, "CONFIRMED"),
                                              (COMPLETED, "CONFIRMED"), (CANCELLED, "CANCELLED")])
def test_the_visit_status_maps_to_the_event_status(client, auth, exchange, make_applicant, status, expected):
    booked = visit(exchange, make_applicant)
    if status in (CONFIRMED, COMPLETED):
        mobility.confirm_visit(exchange.seville_admin, booked)
    if status == COMPLETED:
        mobility.complete_visit(exchange.seville_admin, booked, today=W2)
    if status == CANCELLED:
        mobility.cancel_visit(exchange.coordinator, booked, "The host closed that week")
    auth.login(booked.visitor)
    found = only_event(client.get(f"/mobility/visits/{booked.id}.ics"))
    assert str(found["STATUS"]) == expected
    assert found.decoded("SEQUENCE") == {PROPOSED: 0, CONFIRMED: 1, COMPLETED: 2, CANCELLED: 1}[status]


def test_each_change_raises_the_sequence_and_keeps_the_uid(client, auth, exchange, make_applicant):
    booked = visit(exchange, make_applicant)
    auth.login(booked.visitor)
    before = only_event(client.get(f"/mobility/visits/{booked.id}.ics"))
    mobility.update_programme(exchange.seville_admin, booked,
                              [mobility.ActivityData(3, "service_visit", "Food bank")])
    after = only_event(client.get(f"/mobility/visits/{booked.id}.ics"))
    assert after["UID"] == before["UID"]
    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE") + 1
    assert after.decoded("DTSTAMP") >= before.decoded("DTSTAMP")
    assert "Visit to a local service: Food bank" in str(after["DESCRIPTION"])
    assert "Evening group" not in str(after["DESCRIPTION"])


def test_who_may_download_a_visit(client, auth, exchange, make_applicant, make_user):
    booked = visit(exchange, make_applicant)
    path = f"/mobility/visits/{booked.id}.ics"

    anonymous = client.get(path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    host_member = make_user(institution=exchange.seville)
    allowed = (booked.visitor, host_member, exchange.sender_admin, exchange.coordinator)
    refused = (make_user(institution=exchange.arad), make_user(institution=exchange.sender))
    for person, expected in [(p, 200) for p in allowed] + [(p, 403) for p in refused]:
        auth.login(person)
        assert client.get(path).status_code == expected, person.name
        auth.logout()
    auth.login(booked.visitor)
    assert client.get("/mobility/visits/424242.ics").status_code == 404


# --- feeds ----------------------------------------------------------------------------------------


def test_a_persons_feed_lists_their_visits_only_even_cancelled_ones(client, exchange, make_applicant):
    mine = visit(exchange, make_applicant)
    other = visit(exchange, make_applicant, offer=exchange.arad_offer, monday=W2)
    mobility.cancel_visit(exchange.coordinator, mine, "Illness")
    again = mobility.book_visit(exchange.coordinator, mine.application, exchange.seville_offer, W2)
    token = mobility.feed_token("user", mine.visitor_id)

    response = client.get(feed_path(token))  # no login: calendar apps cannot log in
    found = {str(e["UID"]): e for e in events(response)}
    assert set(found) == {f"visit-{mine.id}@localhost", f"visit-{again.id}@localhost"}
    assert f"visit-{other.id}@localhost" not in found
    assert str(found[f"visit-{mine.id}@localhost"]["STATUS"]) == "CANCELLED"
    assert str(found[f"visit-{again.id}@localhost"]["STATUS"]) == "TENTATIVE"
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == f"Peer Network: calendar of {mine.visitor.name}"
    assert calendar["REFRESH-INTERVAL"].to_ical() == b"PT6H"
    assert response.headers["Cache-Control"] == "private, no-store"


def test_an_institutions_feed_has_the_visits_it_hosts_and_those_it_sends(client, exchange, make_applicant):
    to_seville = visit(exchange, make_applicant)
    to_arad = visit(exchange, make_applicant, offer=exchange.arad_offer, monday=W2)
    from_arad = visit(exchange, make_applicant, institution=exchange.arad, monday=W3,
                      preferred_hosts=[exchange.seville.id], weeks=[week(W3)])

    def feed_of(institution):
        return uids(client.get(feed_path(mobility.feed_token("institution", institution.id))))

    def ids(*visits):
        return sorted(f"visit-{v.id}@localhost" for v in visits)

    assert feed_of(exchange.seville) == ids(to_seville, from_arad)
    assert feed_of(exchange.arad) == ids(to_arad, from_arad)
    assert feed_of(exchange.sender) == ids(to_seville, to_arad)
    assert feed_of(exchange.coordinating) == []


def test_a_feed_runs_the_same_queries_for_one_visit_or_four(client, exchange, make_applicant):
    visit(exchange, make_applicant)
    path = feed_path(mobility.feed_token("institution", exchange.sender.id))

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(path).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    one = count_queries()
    visit(exchange, make_applicant, monday=W2)
    visit(exchange, make_applicant, monday=W3, weeks=[week(W3)])
    visit(exchange, make_applicant, offer=exchange.arad_offer, monday=W2)
    assert len(uids(client.get(path))) == 4
    assert count_queries() == one


@pytest.mark.parametrize("token", ["wrong", "x" * 64, "x" * 65, "%00", "..%2F..%2Fetc"])
def test_a_wrong_token_is_404_and_shows_nothing(client, exchange, make_applicant, token):
    visit(exchange, make_applicant)
    mobility.feed_token("institution", exchange.seville.id)
    response = client.get(feed_path(token))
    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.data and b"Seville" not in response.data


def test_a_feed_of_a_disabled_account_is_404(client, exchange, make_applicant):
    booked = visit(exchange, make_applicant)
    token = mobility.feed_token("user", booked.visitor_id)
    booked.visitor.is_active_account = False
    db.session.commit()
    assert client.get(feed_path(token)).status_code == 404


# --- the page -------------------------------------------------------------------------------------


def feed_urls(response) -> list[str]:
    page = response.get_data(as_text=True)
    return re.findall(r'value="(http://localhost/mobility/calendar/[^"]+\.ics)"', page)


def test_the_page_shows_a_members_own_feed_address(client, auth, exchange, make_user):
    person = make_user(institution=exchange.sender)
    assert client.get("/mobility/calendars").status_code == 302  # login first
    auth.login(person)
    response = client.get("/mobility/calendars")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert feed_urls(response) == [f"http://localhost{feed_path(mobility.feed_token('user', person.id))}"]
    assert 'for="feed-user-url"' in response.get_data(as_text=True)
    assert client.post("/mobility/calendars", data={"feed": "institution"}).status_code == 403


def test_an_institution_admin_also_sees_the_institutions_feed(client, auth, exchange):
    auth.login(exchange.seville_admin)
    urls = feed_urls(client.get("/mobility/calendars"))
    assert urls == [f"http://localhost{feed_path(mobility.feed_token('user', exchange.seville_admin.id))}",
                    f"http://localhost{feed_path(mobility.feed_token('institution', exchange.seville.id))}"]


@pytest.mark.parametrize("kind", ["user", "institution"])
def test_making_a_new_address_stops_the_old_one(client, auth, exchange, kind):
    owner_id = exchange.seville_admin.id if kind == "user" else exchange.seville.id
    old = mobility.feed_token(kind, owner_id)
    assert client.get(feed_path(old)).status_code == 200
    auth.login(exchange.seville_admin)
    response = client.post("/mobility/calendars", data={"feed": kind})
    assert response.status_code == 302 and response.headers["Location"].endswith("/mobility/calendars")
    new = mobility.feed_token(kind, owner_id)
    assert new != old
    assert client.get(feed_path(old)).status_code == 404
    assert client.get(feed_path(new)).status_code == 200
    assert f"http://localhost{feed_path(new)}" in feed_urls(client.get("/mobility/calendars"))


def test_a_bad_renewal_is_refused(client, auth, exchange):
    auth.login(exchange.seville_admin)
    old = mobility.feed_token("user", exchange.seville_admin.id)
    assert client.post("/mobility/calendars", data={"feed": "everything"}).status_code == 400
    assert mobility.feed_token("user", exchange.seville_admin.id) == old


def test_renewing_needs_the_csrf_token(csrf_app, client, auth, exchange):
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    auth.login(exchange.seville_admin)
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    old = mobility.feed_token("user", exchange.seville_admin.id)
    assert client.post("/mobility/calendars", data={"feed": "user"}).status_code == 400
    assert mobility.feed_token("user", exchange.seville_admin.id) == old
    page = client.get("/mobility/calendars").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/mobility/calendars", data={"feed": "user", "csrf_token": token}).status_code == 302
    assert mobility.feed_token("user", exchange.seville_admin.id) != old
