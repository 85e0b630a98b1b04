"""Event pages as people use them, without JavaScript: an organiser creates an event from the form and builds its
programme, people register (and some wait) and cancel, the organisers approve and take attendance, the
calendar files carry the event's time zone, and the online link reaches only those who may see it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from conftest import foreign_scripts, read_html
from essays_helpers import written
from events_helpers import FIRST_DAY, LAST_DAY, ONLINE_LINK, make_event, session_data
from mobility_helpers import set_today
from network.events import services as events
from network.events.models import APPROVED, PENDING, WAITING, Event
from network.extensions import db


@pytest.fixture
def people(exchange, make_user):
    return {"ana": make_user(institution=exchange.sender, name="Ana Registrant"),
            "bo": make_user(institution=exchange.sender, name="Bo Waiting"),
            "cy": make_user(institution=exchange.arad, name="Cy Outsider of the event")}


def form_of(page) -> dict:
    """What the page's own form (posted to the page itself) sends as it is shown: inputs, selected options,
    checked boxes and radios, textareas."""
    form = next(f for f in page.select("main form[method=post]") if not f.get("action"))
    data = {}
    for element in form.select("input, select, textarea"):
        name, kind = element.get("name"), (element.get("type") or "").lower()
        if not name or kind == "submit" or (kind in ("checkbox", "radio") and not element.has_attr("checked")):
            continue
        if element.name == "select":
            chosen = element.select("option[selected]") or element.select("option")[:1]
            data[name] = chosen[0].get("value", "") if chosen else ""
        elif element.name == "textarea":
            data[name] = element.get_text()
        else:
            data[name] = element.get("value", "")
    return data


def test_an_organiser_creates_an_event_from_the_form_and_builds_its_programme(client, auth, exchange):
    auth.login(exchange.coordinator)
    page = read_html(client.get("/events/new"))
    assert page.find("legend", string="When") is not None
    data = form_of(page)
    assert data["timezone"] == "Europe/Brussels"  # the coordinating institution is in Belgium
    data.update(title="Training in Helsinki", kind="training_event", partnership_id=str(exchange.partnership.id),
                host_institution_id=str(exchange.sender.id), start_date="2027-01-19", end_date="2027-01-21",
                start_time="09:00", end_time="16:30", timezone="Europe/Helsinki", city="Helsinki", country="FI",
                capacity="1", registration_opens="2026-11-01", registration_closes="2027-01-10",
                visibility="members", takes_registrations="y", questions=["dietary", "travel"])
    response = client.post("/events/new", data=data)
    event = db.session.scalar(select(Event).where(Event.title == "Training in Helsinki"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/events/{event.id}/sessions")
    assert (event.timezone, event.capacity, event.questions) == ("Europe/Helsinki", 1, ["dietary", "travel"])

    editor = read_html(client.get(f"/events/{event.id}/sessions"))
    session = form_of(editor)
    session.update(day="2027-01-19", start_time="09:00", end_time="10:00", title="Welcome", kind="formal_session")
    assert client.post(f"/events/{event.id}/sessions", data=session).status_code == 302
    session.update(start_time="08:00", end_time="08:45", title="Coffee", kind="other")
    client.post(f"/events/{event.id}/sessions", data=session)
    assert [s.title for s in event.sessions] == ["Coffee", "Welcome"]
    welcome = event.sessions[1]
    client.post(f"/events/{event.id}/sessions/{welcome.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert [s.title for s in events.programme(event)[0][1]] == ["Welcome", "Coffee"]
    client.post(f"/events/{event.id}/sessions/{welcome.id}/delete")
    db.session.expire_all()
    assert [s.title for s in event.sessions] == ["Coffee"]

    shown = read_html(client.get(f"/events/{event.id}")).get_text(" ", strip=True)
    assert "Times are given in Europe/Helsinki" in shown and "Coffee" in shown


def test_a_refused_form_comes_back_with_what_was_typed(client, auth, exchange):
    auth.login(exchange.coordinator)
    page = read_html(client.get("/events/new"))
    data = form_of(page)
    data.update(title="Without dates", timezone="Nowhere/Town")
    response = client.post("/events/new", data=data)
    assert response.status_code == 422
    page = read_html(response)
    assert page.select_one("#title")["value"] == "Without dates"
    assert page.select_one(".error-summary") is not None
    assert page.select_one("#timezone-error") is not None and page.select_one("#start_date-error") is not None


def test_people_register_wait_cancel_and_move_up(client, auth, exchange, people):
    event = make_event(exchange, capacity=1)
    auth.login(people["ana"])
    page = read_html(client.get(f"/events/{event.id}/register"))
    assert page.find("label", string="Dietary needs (optional)") is not None
    response = client.post(f"/events/{event.id}/register", data={"answer_dietary": "Vegetarian"})
    assert response.status_code == 302
    assert events.registration_of(people["ana"], event).answers == {"dietary": "Vegetarian"}
    assert "You are registered." in read_html(client.get(f"/events/{event.id}")).get_text(" ", strip=True)
    assert client.get(f"/events/{event.id}/register").status_code == 302  # registered already
    auth.logout()

    auth.login(people["bo"])
    client.post(f"/events/{event.id}/register", data={})
    assert "number 1 on the waiting list" in read_html(client.get(f"/events/{event.id}")).get_text(" ", strip=True)
    auth.logout()

    auth.login(people["ana"])
    assert client.post(f"/events/{event.id}/cancel").status_code == 302
    assert [(r.user_id, r.status) for r in events.registrations(event, APPROVED)] == [(people["bo"].id, APPROVED)]
    shown = read_html(client.get(f"/events/{event.id}")).get_text(" ", strip=True)
    assert "You cancelled an earlier registration" in shown


def test_registration_closed_is_said_on_the_page(client, auth, exchange, people, monkeypatch):
    event = make_event(exchange)
    set_today(monkeypatch, FIRST_DAY)
    auth.login(people["ana"])
    assert "The event has begun" in read_html(client.get(f"/events/{event.id}")).get_text(" ", strip=True)
    response = client.post(f"/events/{event.id}/register", data={})
    assert response.status_code == 422 and events.registration_of(people["ana"], event) is None


def test_the_organisers_filter_approve_and_take_attendance(client, auth, exchange, people, monkeypatch):
    event = make_event(exchange, capacity=1, requires_approval=True)
    ana = events.register(people["ana"], event, {"dietary": "Halal"})
    events.register(people["bo"], event)
    auth.login(exchange.seville_admin)
    page = read_html(client.get(f"/events/{event.id}/participants?status={WAITING}"))
    rows = page.select("#registrations tbody tr")
    assert [row.th.get_text(" ", strip=True).split(" ")[0] for row in rows] == ["Bo"]
    page = read_html(client.get(f"/events/{event.id}/participants"))
    assert "Halal" in page.get_text()
    client.post(f"/events/{event.id}/registrations/{ana.id}/decide", data={"decision": "approve"})
    assert events.registration_of(people["ana"], event).status == APPROVED
    assert "Attendance is taken from the first day" in read_html(
        client.get(f"/events/{event.id}/participants")).get_text(" ", strip=True)

    set_today(monkeypatch, FIRST_DAY + timedelta(days=1))
    page = read_html(client.get(f"/events/{event.id}/participants"))
    box = page.select_one(f"#attended-{people['ana'].id}")
    assert box is not None and page.find("label", attrs={"for": box["id"]}) is not None
    assert page.select_one(f"#attended-{people['bo'].id}") is None  # waiting: not on the list
    client.post(f"/events/{event.id}/attendance", data={"attended": [str(people["ana"].id)]})
    db.session.expire_all()
    assert event.participants == [people["ana"]]
    # The person may now write an essay about the event.
    auth.logout()
    auth.login(people["ana"])
    assert client.get(f"/essays/new?event={event.id}").status_code == 200


def test_the_calendar_file_carries_the_events_time_zone(client, auth, exchange, people):
    event = make_event(exchange, timezone="Europe/Helsinki", city="Helsinki", country="FI", visibility="public")
    session = events.add_session(exchange.coordinator, event, session_data(day=LAST_DAY))
    response = client.get(f"/events/{event.id}.ics")
    assert response.status_code == 200 and response.content_type.startswith("text/calendar")
    text = response.get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Helsinki:20270119T090000" in text
    assert "DTEND;TZID=Europe/Helsinki:20270121T170000" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Helsinki" in text
    [component] = Calendar.from_ical(response.get_data()).walk("VEVENT")
    starts = component.decoded("dtstart")
    assert starts.utcoffset() == timedelta(hours=2)  # read in Madrid, it is 08:00 there
    assert str(component["summary"]) == "Training on interfamily groups"
    assert "Welcome" in str(component["description"])

    text = client.get(f"/events/{event.id}/sessions/{session.id}.ics").get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Helsinki:20270121T093000" in text and "SUMMARY:Welcome" in text


def test_an_event_without_times_is_all_day_in_the_calendar(client, exchange):
    event = make_event(exchange, visibility="public", start_time=None, end_time=None)
    text = client.get(f"/events/{event.id}.ics").get_data(as_text=True)
    assert "DTSTART;VALUE=DATE:20270119" in text and "DTEND;VALUE=DATE:20270122" in text


def test_the_online_link_never_reaches_someone_not_registered(client, auth, exchange, people):
    event = make_event(exchange, online=True, online_link=ONLINE_LINK, city="", capacity=1, visibility="public")
    events.register(people["ana"], event)  # approved
    events.register(people["bo"], event)  # waiting
    addresses = [f"/events/{event.id}", f"/events/{event.id}.ics", f"/events/{event.id}/programme",
                 f"/events/{event.id}/register", "/events/"]
    session = events.add_session(exchange.coordinator, event, session_data())
    addresses.append(f"/events/{event.id}/sessions/{session.id}.ics")
    for who in (None, "bo", "cy"):
        if who:
            auth.login(people[who])
        for address in addresses:
            assert ONLINE_LINK not in client.get(address).get_data(as_text=True), (who, address)
        if who:
            auth.logout()
    auth.login(people["ana"])
    assert ONLINE_LINK in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert ONLINE_LINK in client.get(f"/events/{event.id}.ics").get_data(as_text=True)


def test_the_list_shows_upcoming_and_past_events_and_filters(client, auth, exchange, people, monkeypatch):
    make_event(exchange, title="Coming training", visibility="public")
    make_event(exchange, title="Partners meeting", kind="partner_meeting", visibility="public")
    make_event(exchange, title="Old webinar", kind="webinar", visibility="public",
               start_date=FIRST_DAY - timedelta(days=90), end_date=FIRST_DAY - timedelta(days=90),
               registration_opens=None, registration_closes=None)
    make_event(exchange, title="Members only meeting", visibility="members")
    page = read_html(client.get("/events/"))
    upcoming = page.select_one("#upcoming-events").get_text(" ", strip=True)
    assert "Coming training" in upcoming and "Old webinar" not in upcoming
    assert "Old webinar" in page.select_one("#past-events").get_text()
    assert "Members only meeting" not in page.get_text()
    page = read_html(client.get("/events/?kind=partner_meeting"))
    assert "Partners meeting" in page.get_text() and "Coming training" not in page.get_text()
    auth.login(people["cy"])
    assert "Members only meeting" in read_html(client.get("/events/")).get_text()


def test_the_printable_programme_lists_the_days(client, exchange):
    event = make_event(exchange, visibility="public")
    events.add_session(exchange.coordinator, event, session_data(title="Opening"))
    page = read_html(client.get(f"/events/{event.id}/programme"))
    assert page.h1.get_text() == event.title
    assert [h.get_text() for h in page.select("h3")][0].startswith("Day 1:")
    assert "Opening" in page.get_text() and page.select("form[method=post]") == page.select("header form[method=post]")


def test_after_the_event_its_page_lists_the_essays_written_for_it(client, auth, exchange, people, monkeypatch):
    event = make_event(exchange)
    events.register(people["ana"], event)
    set_today(monkeypatch, LAST_DAY + timedelta(days=1))
    events.mark_attendance(exchange.coordinator, event, [people["ana"].id])
    essay = written(people["ana"], event, "published", reviewer=exchange.coordinator, title="What Sevilla taught me")
    auth.login(people["bo"])
    panel = read_html(client.get(f"/events/{event.id}")).find(id="event-essays-heading").parent
    assert "What Sevilla taught me" in panel.get_text() and "Ana Registrant" in panel.get_text()
    from network.essays import services as essays

    essays.set_display(people["ana"], essay, "anonymous")
    panel = read_html(client.get(f"/events/{event.id}")).find(id="event-essays-heading").parent
    # Anonymous: never listed with its event (its dates, host and participants would say who wrote it).
    assert "Ana Registrant" not in panel.get_text() and "What Sevilla taught me" not in panel.get_text()
    essays.set_display(people["ana"], essay, "private")
    panel = read_html(client.get(f"/events/{event.id}")).find(id="event-essays-heading").parent
    assert "What Sevilla taught me" not in panel.get_text()


def test_a_visits_event_links_its_visit(client, auth, exchange, make_applicant):
    from mobility_helpers import W1
    from network.mobility import services as mobility

    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    mobility.complete_visit(exchange.coordinator, visit, today=W1)
    event = events.visit_event_of(visit)
    auth.login(exchange.coordinator)
    page = read_html(client.get(f"/events/{event.id}"))
    assert page.find("a", href=f"/mobility/visits/{visit.id}") is not None
    assert page.find(id="registration-heading") is None


def test_pending_registrations_are_pointed_out(client, auth, exchange, people):
    event = make_event(exchange, requires_approval=True)
    events.register(people["ana"], event)
    auth.login(people["ana"])
    assert "waits for the organisers' approval" in read_html(client.get(f"/events/{event.id}")).get_text()
    assert events.registration_of(people["ana"], event).status == PENDING


def test_the_main_navigation_links_the_events(client):
    page = read_html(client.get("/"))
    assert page.select_one("nav a[href='/events/']").get_text() == "Events"


def test_hostile_text_in_the_event_forms_breaks_nothing_and_runs_nothing(client, auth, exchange, people):
    from hostile import page_sample

    event = make_event(exchange, questions=["dietary", "accessibility", "travel"], visibility="public")
    auth.login(exchange.coordinator)
    page = read_html(client.get(f"/events/{event.id}/edit"))
    base = form_of(page)
    for n, text in enumerate(page_sample()):
        data = dict(base, title=text, description=text, address=text, city=text or "x")
        response = client.post(f"/events/{event.id}/edit", data=data)
        assert response.status_code < 500, text
        session = dict(day=FIRST_DAY.isoformat(), title=text, kind="other", speakers=text, room=text[:100],
                       description=text)
        assert client.post(f"/events/{event.id}/sessions", data=session).status_code < 500, text
        if n % 25 == 0:
            for address in (f"/events/{event.id}", f"/events/{event.id}/programme", f"/events/{event.id}/sessions",
                            "/events/"):
                shown = read_html(client.get(address))
                assert not foreign_scripts(shown) and not any(
                    attribute.lower().startswith("on") for element in shown.find_all(True) for attribute in element.attrs)
    auth.logout()
    auth.login(people["ana"])
    for text in page_sample()[:40]:
        client.post(f"/events/{event.id}/cancel")
        response = client.post(f"/events/{event.id}/register", data={"answer_dietary": text, "answer_travel": text})
        assert response.status_code < 500, text


@pytest.mark.parametrize("address", ["/events/new", "/events/{id}/edit", "/events/{id}/sessions",
                                     "/events/{id}/participants", "/events/{id}/register", "/events/{id}"])
def test_every_field_of_the_event_pages_has_a_label(client, auth, exchange, people, address, monkeypatch):
    event = make_event(exchange, questions=["dietary", "travel"])
    events.add_session(exchange.coordinator, event, session_data())
    events.register(exchange.seville_admin, event)
    set_today(monkeypatch, FIRST_DAY - timedelta(days=10))
    auth.login(exchange.seville_admin if "register" not in address else people["ana"])
    page = read_html(client.get(address.format(id=event.id)))
    assert page.h1 is not None
    for control in page.select("main input, main select, main textarea"):
        if control.get("type") in ("hidden", "submit"):
            continue
        labelled = control.get("id") and page.find("label", attrs={"for": control["id"]})
        assert labelled or control.get("aria-label"), control
    for fieldset in page.select("main fieldset"):
        assert fieldset.find("legend") is not None
