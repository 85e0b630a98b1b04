"""Certificates of attendance (network/certificates, kind "event_attendance"): issued once the event is over to
those marked as attended, with the hours its programme covers; revoked when an organiser unticks someone after
that; none for the event of a visit; the participant downloads theirs from the event's page and the organisers
see each attendee's code."""
from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest

from conftest import read_html
from events_helpers import FIRST_DAY, LAST_DAY, make_event, session_data
from mobility_helpers import W1, set_today
from network import permissions
from network.certificates import services as certificates
from network.errors import ServiceError
from network.events import services as events
from network.extensions import db
from network.mobility import services as mobility

AFTER = LAST_DAY + timedelta(days=1)


@pytest.fixture
def people(exchange, make_user):
    return [make_user(institution=exchange.sender, name=f"Attendee {n}") for n in range(3)]


@pytest.fixture
def training(exchange, people):
    """The three-day training event with a programme of 1 h 30 on the first day and a parallel pair of
    workshops on the last (9:00-12:00 and 10:00-11:00: three hours), everyone registered."""
    event = make_event(exchange)
    coordinator = exchange.coordinator
    events.add_session(coordinator, event, session_data(start_time=time(9, 0), end_time=time(10, 30)))
    events.add_session(coordinator, event, session_data(day=LAST_DAY, start_time=time(9, 0), end_time=time(12, 0),
                                                         title="Workshop A"))
    events.add_session(coordinator, event, session_data(day=LAST_DAY, start_time=time(10, 0), end_time=time(11, 0),
                                                         title="Workshop B"))
    events.add_session(coordinator, event, session_data(day=LAST_DAY, start_time=None, end_time=None,
                                                         title="Farewell dinner"))
    for person in people:
        events.register(person, event)
    return event


def held(event) -> dict[str, bool]:
    """Holder's name -> whether their certificate still certifies."""
    return {c.holder_name: not c.revoked for c in certificates.certificates_for(
        events.CERTIFICATE_KIND, events.CERTIFICATE_SUBJECT, event.id)}


def test_the_hours_are_the_time_the_timed_sessions_cover_parallel_ones_once(training, exchange):
    assert events.programme_hours(training) == Decimal("4.50")
    assert events.programme_hours(make_event(exchange, title="Without a programme")) is None


def test_certificates_come_once_the_event_is_over_for_those_who_attended(training, exchange, people, monkeypatch):
    set_today(monkeypatch, FIRST_DAY)
    events.mark_attendance(exchange.coordinator, training, [people[0].id, people[1].id])
    assert held(training) == {}  # taken at the door: nothing certified while the event goes on

    set_today(monkeypatch, AFTER)
    assert events.end_events() == 1
    assert held(training) == {"Attendee 0": True, "Attendee 1": True}
    certificate = events.certificate_of(people[0], training)
    assert (certificate.title, certificate.hours, certificate.issued_on, certificate.issuer) == (
        "Training on interfamily groups", Decimal("4.50"), LAST_DAY, "Seville Family Centre")
    assert certificates.heading(certificate) == "Certificate of attendance"
    assert certificates.statement(certificate) == "attended “Training on interfamily groups”"
    assert events.certificate_of(people[2], training) is None

    assert events.end_events() == 0  # once
    assert len(certificates.certificates_for(events.CERTIFICATE_KIND, "event", training.id)) == 2


def test_attendance_saved_after_the_event_issues_and_revokes_at_once(training, exchange, people, monkeypatch):
    set_today(monkeypatch, AFTER)
    events.mark_attendance(exchange.coordinator, training, [people[0].id, people[1].id])
    assert held(training) == {"Attendee 0": True, "Attendee 1": True}  # before the daily job came by

    events.mark_attendance(exchange.coordinator, training, [people[0].id], reason="Left on the first morning.")
    assert held(training) == {"Attendee 0": True, "Attendee 1": False}
    assert events.certificate_of(people[1], training).revoked_reason == "Left on the first morning."

    events.mark_attendance(exchange.coordinator, training, [people[2].id])  # no reason given: a fixed one
    assert held(training) == {"Attendee 0": False, "Attendee 1": False, "Attendee 2": True}
    assert events.certificate_of(people[0], training).revoked_reason == (
        "Removed from the event's attendance by its organisers.")
    # Ticked again: the certificates' rule keeps a revoked certificate revoked.
    events.mark_attendance(exchange.coordinator, training, [people[0].id, people[2].id])
    assert held(training)["Attendee 0"] is False


def test_a_visit_gives_no_certificate_of_attendance(exchange, make_applicant, monkeypatch):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    mobility.complete_visit(exchange.coordinator, visit, today=W1)
    event = events.visit_event_of(visit)
    assert not events.gives_certificates(event)
    set_today(monkeypatch, W1 + timedelta(days=14))
    assert events.end_events() == 0  # a visit's event is mobility's: neither ended here nor certified
    assert certificates.certificates_of(visit.visitor) == []


def test_a_job_shadowing_event_the_organisers_set_up_gives_certificates(exchange, people, monkeypatch):
    event = make_event(exchange, kind="job_shadowing", title="Group job shadowing in Seville")
    events.register(people[0], event)
    set_today(monkeypatch, AFTER)
    events.mark_attendance(exchange.coordinator, event, [people[0].id])
    assert events.gives_certificates(event) and held(event) == {"Attendee 0": True}


def test_the_organisers_revoke_an_attendance_certificate_and_no_one_else(training, exchange, people, make_user,
                                                                      monkeypatch):
    set_today(monkeypatch, AFTER)
    events.mark_attendance(exchange.coordinator, training, [people[0].id])
    certificate = events.certificate_of(people[0], training)
    assert permissions.can_revoke_certificate(exchange.seville_admin, certificate)  # the host's admin
    assert not permissions.can_revoke_certificate(exchange.arad_admin, certificate)
    assert not permissions.can_revoke_certificate(people[0], certificate)
    with pytest.raises(ServiceError):
        certificates.revoke(exchange.arad_admin, certificate, "Not mine to say.")
    certificates.revoke(exchange.coordinator, certificate, "Attended another session.")
    assert certificate.revoked


def test_the_participant_downloads_theirs_and_the_organisers_see_the_codes(client, auth, training, exchange, people,
                                                                         monkeypatch):
    set_today(monkeypatch, AFTER)
    events.mark_attendance(exchange.coordinator, training, [people[0].id, people[1].id])
    code = events.certificate_of(people[0], training).display_code

    auth.login(people[0])
    link = read_html(client.get(f"/events/{training.id}")).select_one("#event-certificate a.button")
    assert link.get_text(strip=True) == "Download your certificate of attendance"
    assert link["href"] == f"/certificates/{code}.pdf"
    auth.logout()
    auth.login(people[2])  # registered, not marked as attended
    assert read_html(client.get(f"/events/{training.id}")).select_one("#event-certificate") is None
    auth.logout()

    auth.login(exchange.coordinator)
    page = read_html(client.get(f"/events/{training.id}/participants"))
    codes = [span.get_text(" ", strip=True) for span in page.select(".attendance-list .certificate-code")]
    assert codes == [f"Certificate {code}", f"Certificate {events.certificate_of(people[1], training).display_code}"]
    # Unticking Attendee 1 from the page, with a reason, revokes theirs and says so.
    response = client.post(f"/events/{training.id}/attendance",
                           data={"attended": [str(people[0].id)], "reason": "Was not there."})
    assert response.status_code == 302
    db.session.expire_all()
    assert events.certificate_of(people[1], training).revoked_reason == "Was not there."
    page = read_html(client.get(f"/events/{training.id}/participants"))
    assert "(revoked)" in page.select_one(".attendance-list").get_text(" ", strip=True)
    auth.logout()
    auth.login(people[1])
    assert read_html(client.get(f"/events/{training.id}")).select_one("#event-certificate") is None
