"""Events in the JSON API: the list (filters kind, partnership, from, to; paged), one event with its programme, the
caller's own registrations; only what the caller may see, the online link only for those allowed, times in the
event's own time zone, and responses that match the OpenAPI description."""
from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import event as sa_event

from api_helpers import assert_error, bearer
from events_helpers import FIRST_DAY, LAST_DAY, ONLINE_LINK, make_event, session_data
from network.events import services as events
from network.extensions import db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


@pytest.fixture
def people(exchange, make_user, make_institution):
    return {"ana": make_user(institution=exchange.sender, name="Ana Approved"),
            "bo": make_user(institution=exchange.sender, name="Bo Waiting"),
            "member": make_user(institution=exchange.arad),
            "outsider": make_user(institution=make_institution(name="Outside Institution"))}


@pytest.fixture
def three(exchange):
    """A public partner meeting in March, a members' webinar online in January (one place), a partnership's
    training event in February."""
    return {
        "public": make_event(exchange, title="Public meeting", kind="partner_meeting", visibility="public",
                             start_date=date(2027, 3, 2), end_date=date(2027, 3, 3)),
        "members": make_event(exchange, title="Members' webinar", kind="webinar", visibility="members", online=True,
                              online_link=ONLINE_LINK, capacity=1, city=""),
        "partnership": make_event(exchange, title="Partnership training", visibility="partnership",
                                  start_date=date(2027, 2, 9), end_date=date(2027, 2, 11)),
    }


def test_the_list_holds_what_the_caller_may_see_soonest_first(client, exchange, people, three):
    ordered = [three["members"].id, three["partnership"].id, three["public"].id]
    assert ids(client.get("/api/v1/events")) == [three["public"].id]
    assert ids(client.get("/api/v1/events", headers=bearer(people["outsider"]))) == [three["members"].id,
                                                                                    three["public"].id]
    assert ids(client.get("/api/v1/events", headers=bearer(people["member"]))) == ordered
    assert ids(client.get("/api/v1/events", headers=bearer(exchange.coordinator))) == ordered


def test_the_list_filters_by_kind_partnership_and_dates(client, exchange, people, make_partnership, three):
    headers = bearer(people["member"])

    def listed(**query):
        return ids(client.get("/api/v1/events", query_string=query, headers=headers))

    assert listed(kind="webinar") == [three["members"].id]
    assert listed(kind="no-such-kind") == []
    assert listed(partnership=exchange.partnership.id) == [three["members"].id, three["partnership"].id,
                                                           three["public"].id]
    assert listed(partnership=make_partnership().id) == []
    # from/to: the events running on at least one of those days (an event of several days counts on each).
    assert listed(**{"from": "2027-02-10"}) == [three["partnership"].id, three["public"].id]
    assert listed(to="2027-02-09") == [three["members"].id, three["partnership"].id]
    assert listed(**{"from": "2027-02-11", "to": "2027-02-11"}) == [three["partnership"].id]
    assert listed(**{"from": "2027-02-12", "to": "2027-03-01"}) == []
    error = assert_error(client.get("/api/v1/events?from=next-week", headers=headers), 400, "bad_request")
    assert set(error["fields"]) == {"from"}
    assert_error(client.get("/api/v1/events?partnership=x"), 400, "bad_request")


def test_the_list_is_paged_like_the_others(client, people, three):
    headers = bearer(people["member"])
    first = client.get("/api/v1/events?per_page=2", headers=headers).get_json()
    second = client.get("/api/v1/events?per_page=2&page=2", headers=headers).get_json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == (3, 1, 2, 2)
    assert [item["id"] for item in second["items"]] == [three["public"].id]
    assert client.get("/api/v1/events?per_page=500").get_json()["per_page"] == 100


def test_the_online_link_reaches_only_the_organisers_and_the_approved(client, exchange, people, three):
    webinar = three["members"]
    events.register(people["ana"], webinar)  # the one place: approved
    events.register(people["bo"], webinar)  # the waiting list
    link_of = {}
    for name, user in [("anonymous", None), ("ana", people["ana"]), ("bo", people["bo"]),
                       ("member", people["member"]), ("coordinator", exchange.coordinator),
                       ("host admin", exchange.seville_admin)]:
        headers = bearer(user) if user is not None else {}
        listing = client.get("/api/v1/events", headers=headers)
        one = client.get(f"/api/v1/events/{webinar.id}", headers=headers)
        items = {item["id"]: item for item in listing.get_json()["items"]}
        if user is None:
            assert webinar.id not in items and one.status_code == 404
            continue
        assert items[webinar.id]["online_link"] == one.get_json()["online_link"]
        link_of[name] = one.get_json()["online_link"]
        assert items[webinar.id]["online"] is True
    assert link_of == {"ana": ONLINE_LINK, "bo": None, "member": None, "coordinator": ONLINE_LINK,
                       "host admin": ONLINE_LINK}
    assert ONLINE_LINK not in client.get("/api/v1/events", headers=bearer(people["bo"])).get_data(as_text=True)


def test_one_event_has_its_programme_by_day_in_its_time_zone(client, exchange, people):
    event = make_event(exchange, title="Helsinki training", visibility="public", timezone="Europe/Helsinki",
                       city="Helsinki", country="FI")
    events.add_session(exchange.coordinator, event, session_data(title="Welcome", start_time=time(9, 30),
                                                                 end_time=time(10, 30)))
    events.add_session(exchange.coordinator, event, session_data(title="Groups", day=LAST_DAY,
                                                                 start_time=None, end_time=None))
    body = client.get(f"/api/v1/events/{event.id}").get_json()
    assert [day["date"] for day in body["programme"]] == ["2027-01-19", "2027-01-20", "2027-01-21"]
    assert [[s["title"] for s in day["sessions"]] for day in body["programme"]] == [["Welcome"], [], ["Groups"]]
    welcome = body["programme"][0]["sessions"][0]
    # Helsinki is two hours ahead of UTC in January: a reader in Madrid (one hour ahead) sees 8:30.
    assert (welcome["start_time"], welcome["starts_at"]) == ("09:30", "2027-01-19T09:30:00+02:00")
    assert body["programme"][2]["sessions"][0]["starts_at"] is None
    assert (body["timezone"], body["starts_at"], body["ends_at"]) == (
        "Europe/Helsinki", "2027-01-19T09:00:00+02:00", "2027-01-21T17:00:00+02:00")
    assert welcome["calendar_url"].endswith(f"/events/{event.id}/sessions/{welcome['id']}.ics")
    assert body["calendar_url"].endswith(f"/events/{event.id}.ics")
    assert body["description_html"] == "<p>Three days on <strong>interfamily groups</strong>.</p>"
    assert body["places_left"] is None and body["registration"] is None and body["registration_state"] == "open"


def test_an_event_the_caller_may_not_see_is_a_404(client, people, three):
    hidden = three["partnership"].id
    assert_error(client.get(f"/api/v1/events/{hidden}"), 404, "not_found")
    assert_error(client.get(f"/api/v1/events/{hidden}", headers=bearer(people["outsider"])), 404, "not_found")
    assert_error(client.get("/api/v1/events/4242"), 404, "not_found")
    assert_error(client.get(f"/api/v1/events/{2**40}"), 404, "not_found")
    assert client.get(f"/api/v1/events/{hidden}", headers=bearer(people["member"])).status_code == 200


def test_each_event_carries_the_callers_own_registration(client, people, three):
    webinar = three["members"]
    events.register(people["ana"], webinar, {"dietary": "Vegetarian"})
    events.register(people["bo"], webinar)
    items = {item["id"]: item for item in client.get("/api/v1/events", headers=bearer(people["bo"])).get_json()["items"]}
    mine = items[webinar.id]["registration"]
    assert (mine["status"], mine["waiting_position"], mine["answers"]) == ("waiting", 1, {})
    assert items[three["partnership"].id]["registration"] is None
    ana = client.get(f"/api/v1/events/{webinar.id}", headers=bearer(people["ana"])).get_json()["registration"]
    assert (ana["status"], ana["waiting_position"], ana["answers"]) == ("approved", None, {"dietary": "Vegetarian"})
    assert "Vegetarian" not in client.get("/api/v1/events", headers=bearer(people["bo"])).get_data(as_text=True)


def test_the_callers_registrations_are_listed_with_their_events(client, exchange, people, three):
    ana = people["ana"]
    assert_error(client.get("/api/v1/events/registrations"), 401, "unauthorized")
    events.register(ana, three["members"])
    events.register(ana, three["public"])
    events.cancel_registration(ana, three["public"])
    events.register(people["bo"], three["partnership"])  # someone else's
    headers = bearer(ana)
    body = client.get("/api/v1/events/registrations", headers=headers).get_json()
    assert [(item["event"]["id"], item["status"]) for item in body["items"]] == [
        (three["members"].id, "approved"), (three["public"].id, "cancelled")]
    assert body["items"][0]["event"]["online_link"] == ONLINE_LINK
    assert body["items"][0]["event"]["registration"]["id"] == body["items"][0]["id"]
    cancelled = client.get("/api/v1/events/registrations?status=cancelled", headers=headers).get_json()
    assert [item["event"]["id"] for item in cancelled["items"]] == [three["public"].id]
    assert client.get("/api/v1/events/registrations?status=nonsense", headers=headers).get_json()["total"] == 0
    # An event they registered for and may no longer see: its id only.
    data = events.event_data_of(three["public"])
    data.visibility = "partnership"
    events.update_event(exchange.coordinator, three["public"], data)
    outsider = people["outsider"]
    events.register(outsider, three["members"])
    events.cancel_registration(outsider, three["members"])
    data = events.event_data_of(three["members"])
    data.visibility = "partnership"
    events.update_event(exchange.coordinator, three["members"], data)
    hidden = client.get("/api/v1/events/registrations", headers=bearer(outsider)).get_json()["items"][0]["event"]
    assert hidden == {"id": three["members"].id, "hidden": True}


def test_responses_match_the_openapi_description(client, exchange, people, three):
    spec = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    events.add_session(exchange.coordinator, three["public"], session_data(day=date(2027, 3, 2)))
    events.register(people["ana"], three["public"])
    headers = bearer(people["ana"])
    summary = client.get("/api/v1/events", headers=headers).get_json()["items"][0]
    assert set(summary) == set(spec["EventSummary"]["required"]) == set(spec["EventSummary"]["properties"])
    one = client.get(f"/api/v1/events/{three['public'].id}", headers=headers).get_json()
    assert set(one) == set(spec["Event"]["required"])
    session = one["programme"][0]["sessions"][0]
    day_schema = spec["Event"]["properties"]["programme"]["items"]
    assert set(session) == set(day_schema["properties"]["sessions"]["items"]["required"])
    own = client.get("/api/v1/events/registrations", headers=headers).get_json()["items"][0]
    assert set(own) == set(spec["EventRegistration"]["required"])


def test_the_list_runs_the_same_queries_for_2_or_5_events(client, exchange, people):
    headers = bearer(people["ana"])

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/api/v1/events", headers=headers).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    def online(title):
        event = make_event(exchange, title=title, online=True, online_link=ONLINE_LINK, city="")
        events.register(people["ana"], event)
        return event

    online("One"), make_event(exchange, title="Two")
    count_queries()  # the token's first use records when it was used
    few = count_queries()
    online("Three"), online("Four"), make_event(exchange, title="Five", start_date=FIRST_DAY)
    assert len(client.get("/api/v1/events", headers=headers).get_json()["items"]) == 5
    assert count_queries() == few
