"""The events a person is registered for appear in their secret calendar feed (mobility's, through its
calendar_feed_entries signal): approved registrations only, in the event's time zone with its VTIMEZONE, the online
link only for those allowed to see it; a cancelled, waiting or pending registration puts nothing in the feed."""
from __future__ import annotations

from datetime import datetime

import pytest
from icalendar import Calendar

from events_helpers import ONLINE_LINK, make_event, session_data
from mobility_helpers import W1
from network.events import services as events
from network.mobility import services as mobility
from network.mobility.signals import calendar_feed_entries


def feed(client, user) -> Calendar:
    response = client.get(f"/mobility/calendar/{mobility.feed_token('user', user.id)}.ics")
    assert response.status_code == 200, response.get_data(as_text=True)
    return Calendar.from_ical(response.data)


def uids(calendar: Calendar) -> set[str]:
    return {str(component["UID"]) for component in calendar.walk("VEVENT")}


@pytest.fixture
def people(exchange, make_user):
    return {name: make_user(institution=exchange.sender, name=name.title()) for name in ("ana", "bo", "cy")}


def test_a_registered_persons_feed_holds_the_event_in_its_time_zone(client, exchange, people):
    event = make_event(exchange, title="Helsinki training", timezone="Europe/Helsinki", city="Helsinki",
                       country="FI")
    events.add_session(exchange.coordinator, event, session_data(title="Welcome"))
    events.register(people["ana"], event)
    calendar = feed(client, people["ana"])
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["UID"]) == f"event-{event.id}@localhost"
    assert str(entry["SUMMARY"]) == "Helsinki training"
    assert entry["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert entry.decoded("DTSTART").utcoffset().total_seconds() == 2 * 3600  # 9:00 in Helsinki is 7:00 UTC
    assert entry.decoded("DTSTART").replace(tzinfo=None) == datetime(2027, 1, 19, 9, 0)
    assert "Welcome" in str(entry["DESCRIPTION"])  # the programme
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Helsinki"]
    assert str(calendar["X-WR-CALNAME"]) == "Peer Network: calendar of Ana"


def test_a_cancelled_waiting_or_pending_registration_puts_nothing_in_the_feed(client, exchange, people):
    full = make_event(exchange, title="One place", capacity=1)
    approval = make_event(exchange, title="With approval", requires_approval=True)
    for person in ("ana", "bo"):
        events.register(people[person], full)  # Ana has the place, Bo waits
    events.register(people["cy"], approval)  # pending
    events.register(people["ana"], approval)
    events.decide_registration(exchange.coordinator, events.registration_of(people["ana"], approval), approve=True)
    assert uids(feed(client, people["ana"])) == {f"event-{full.id}@localhost", f"event-{approval.id}@localhost"}
    assert uids(feed(client, people["bo"])) == set()
    assert uids(feed(client, people["cy"])) == set()
    events.cancel_registration(people["ana"], full)  # Bo moves up
    assert uids(feed(client, people["ana"])) == {f"event-{approval.id}@localhost"}
    assert uids(feed(client, people["bo"])) == {f"event-{full.id}@localhost"}


def test_the_online_link_is_in_the_feed_of_the_approved_only(client, exchange, people):
    webinar = make_event(exchange, title="Webinar", kind="webinar", online=True, online_link=ONLINE_LINK, city="",
                         capacity=1)
    events.register(people["ana"], webinar)
    events.register(people["bo"], webinar)  # waiting: never the link
    approved = feed(client, people["ana"]).to_ical().decode()
    assert ONLINE_LINK in approved
    (entry,) = feed(client, people["ana"]).walk("VEVENT")
    assert str(entry["LOCATION"]) == ONLINE_LINK
    assert ONLINE_LINK not in feed(client, people["bo"]).to_ical().decode()


def test_the_link_follows_the_page_rule_for_the_feeds_owner(client, exchange, people, monkeypatch):
    """The receiver asks permissions.can_see_online_link about the feed's owner, as the event's .ics file does."""
    webinar = make_event(exchange, title="Webinar", online=True, online_link=ONLINE_LINK, city="")
    events.register(people["ana"], webinar)
    asked = []

    def refuse(user, event):
        asked.append((user.id, event.id))
        return False

    monkeypatch.setattr("network.permissions.can_see_online_link", refuse)
    calendar = feed(client, people["ana"])
    assert asked == [(people["ana"].id, webinar.id)]
    assert ONLINE_LINK not in calendar.to_ical().decode()
    assert uids(calendar) == {f"event-{webinar.id}@localhost"}


def test_visits_and_events_share_the_feed_and_an_institutions_feed_has_no_events(client, exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    event = make_event(exchange, title="Training")
    events.register(visit.visitor, event)
    assert uids(feed(client, visit.visitor)) == {f"visit-{visit.id}@localhost", f"event-{event.id}@localhost"}
    institution_feed = client.get(f"/mobility/calendar/{mobility.feed_token('institution', exchange.seville.id)}.ics")
    assert uids(Calendar.from_ical(institution_feed.data)) == {f"visit-{visit.id}@localhost"}


def test_the_signal_is_sent_with_the_feeds_owner_and_kind(client, exchange, people):
    calls = []

    def receiver(sender, **kwargs):
        calls.append((sender, kwargs))
        return []

    with calendar_feed_entries.connected_to(receiver):
        feed(client, people["ana"])
        client.get(f"/mobility/calendar/{mobility.feed_token('institution', exchange.seville.id)}.ics")
    assert [(sender.id, kwargs) for sender, kwargs in calls] == [
        (people["ana"].id, {"kind": "user"}), (exchange.seville.id, {"kind": "institution"})]
