"""Sessions back home: the visitor of a completed visit records them through the web (with materials), the visit's
and the visitor's institution's pages show them, and remind() asks a visitor who recorded nothing, once, four weeks
after their visit."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from flask_babel import format_date
from sqlalchemy import func, select

from conftest import read_html
from essays_helpers import written
from mobility_helpers import BEFORE_THE_WEEKS, W1, set_today
from network import uploads
from network.evaluation import dissemination
from network.evaluation.models import DisseminationSession, SessionMaterial, SessionReminder
from network.events import services as events
from network.extensions import db
from network.mobility import services as mobility
from network.notifications.models import Notification

PDF = b"%PDF-1.4\n% slides for the team\n"


def monday_weeks_ago(weeks: int) -> date:
    today = date.today()
    return today - timedelta(days=today.weekday() + 7 * weeks)


@pytest.fixture
def took_place(exchange, make_applicant, monkeypatch):
    """make(institution=None, weeks_ago=6): a visit to Seville recorded as having taken place some weeks ago (and
    completed today), its visitor's application made while mobility's clock stood before the tests' weeks."""
    def make(institution=None, weeks_ago=6, offer=None):
        set_today(monkeypatch, BEFORE_THE_WEEKS)
        application = make_applicant(institution=institution, preferred_hosts=[exchange.seville.id])
        set_today(monkeypatch, date.today())
        return mobility.record_past_visit(exchange.coordinator, application, offer or exchange.seville_offer,
                                          monday_weeks_ago(weeks_ago))
    return make


def status_of(client, url: str) -> int:
    """A GET's status, its response closed (a file's download holds the file open until then)."""
    response = client.get(url)
    response.close()
    return response.status_code


def form_data(visit, **overrides) -> dict:
    data = {"held_on": (visit.week_start + timedelta(days=9)).isoformat(), "format": "training",
            "people_reached": "12", "audience": ["social_workers", "managers"],
            "summary": "We tried **interfamily** groups with two families."}
    data.update(overrides)
    return data


def test_the_visitor_records_a_session_that_the_visit_and_institution_pages_show(
        client, auth, exchange, took_place, make_practice, make_user, make_institution):
    visit = took_place()
    practice = make_practice(exchange.seville, title="Interfamily groups in Seville")
    essay = written(visit.visitor, events.visit_event_of(visit), "submitted")
    auth.login(visit.visitor)

    page = read_html(client.get(f"/mobility/visits/{visit.id}"))
    assert page.find(id="record-session")["href"] == f"/evaluation/visits/{visit.id}/sessions/new"
    form = read_html(client.get(f"/evaluation/visits/{visit.id}/sessions/new"))
    assert form.find("input", {"name": "practice_ids", "value": str(practice.id)}) is not None
    assert form.find("option", {"value": str(essay.id)}) is not None
    assert form.find("legend", string="Their roles") is not None

    response = client.post(f"/evaluation/visits/{visit.id}/sessions/new", content_type="multipart/form-data",
                           data=form_data(visit, practice_ids=[str(practice.id)], essay_id=str(essay.id),
                                          materials=[(io.BytesIO(PDF), "slides.pdf")]))
    assert response.status_code == 302 and response.location.startswith(f"/mobility/visits/{visit.id}")
    session = db.session.scalar(select(DisseminationSession))
    assert (session.visit_id, session.user_id, session.format, session.people_reached) == (
        visit.id, visit.visitor_id, "training", 12)
    assert session.held_on == visit.week_start + timedelta(days=9)
    assert session.audience == ["social_workers", "managers"]
    assert [p.id for p in session.practices] == [practice.id] and session.essay_id == essay.id
    [material] = session.materials
    assert material.filename == "slides.pdf" and material.content_type == uploads.PDF
    assert (uploads.folder(dissemination.FOLDER) / material.stored_name).read_bytes() == PDF

    panel = read_html(client.get(f"/mobility/visits/{visit.id}")).find(id="sessions-back-home")
    text = panel.get_text(" ", strip=True)
    assert "Training" in text and "12" in text and "Social workers, Managers" in text
    assert panel.select_one(".prose strong").get_text() == "interfamily"
    assert panel.find("a", href=f"/practices/{practice.id}") and panel.find("a", href=f"/essays/{essay.id}")
    link = f"/evaluation/sessions/{session.id}/materials/{material.id}"
    assert panel.find("a", href=link)
    download = client.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Cache-Control"] == "private, no-store"
    download.close()

    # The visitor's colleague at home sees it on their institution's page, with the totals.
    auth.logout()
    auth.login(make_user(institution=exchange.sender))
    section = read_html(client.get(f"/institutions/{exchange.sender.slug}")).find(id="institution-sessions")
    assert section.find("a", href=f"/evaluation/sessions/{session.id}") is not None
    assert [li.get_text(" ", strip=True) for li in section.select(".stats li")][:2] == [
        "1 session back home", "12 people reached"]
    assert status_of(client, link) == 200

    # Someone of another partner institution (not the host) sees neither the panel nor the material.
    auth.logout()
    auth.login(make_user(institution=make_institution(name="Elsewhere")))
    assert read_html(client.get(f"/institutions/{exchange.sender.slug}")).find(id="institution-sessions") is None
    assert status_of(client, link) == 403
    assert client.get(f"/evaluation/sessions/{session.id}").status_code == 403


def test_a_rejected_session_form_keeps_what_was_typed(app, client, auth, took_place, monkeypatch):
    visit = took_place()
    auth.login(visit.visitor)
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    response = client.post(f"/evaluation/visits/{visit.id}/sessions/new",
                           data=form_data(visit, held_on=tomorrow, people_reached="lots", format="party"))
    assert response.status_code == 422
    page = read_html(response)
    summary = page.select_one(".error-summary").get_text(" ", strip=True)
    assert "whole number" in summary
    assert page.find("textarea", id="summary").get_text().strip().startswith("We tried")
    assert page.find("input", id="people_reached")["value"] == "lots"

    before = (visit.week_start - timedelta(days=1)).isoformat()
    response = client.post(f"/evaluation/visits/{visit.id}/sessions/new",
                           data=form_data(visit, held_on=before, people_reached="10001", format="party"))
    assert response.status_code == 422
    summary = read_html(response).select_one(".error-summary").get_text(" ", strip=True)
    with app.test_request_context():
        began = format_date(visit.week_start)  # as the reader's language writes it ("Oct 19, 2026"), not ISO
    assert f"cannot be before the visit (it began on {began})" in summary and "from 0 to 10000" in summary
    assert visit.week_start.isoformat() not in summary
    assert "Choose the session's format" in summary

    response = client.post(f"/evaluation/visits/{visit.id}/sessions/new",
                           data=form_data(visit, held_on=tomorrow))
    assert response.status_code == 422
    assert "cannot be in the future" in read_html(response).select_one(".error-summary").get_text()
    assert db.session.scalar(select(func.count(DisseminationSession.id))) == 0

    set_today(monkeypatch, date.today() + timedelta(days=2))  # the future is measured by mobility's clock
    response = client.post(f"/evaluation/visits/{visit.id}/sessions/new", data=form_data(visit, held_on=tomorrow))
    assert response.status_code == 302


def test_sessions_are_refused_for_a_visit_not_completed_and_to_anyone_but_the_visitor(
        client, auth, exchange, make_applicant, took_place, make_user):
    proposed = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.arad_offer, W1)
    auth.login(proposed.visitor)
    response = client.get(f"/evaluation/visits/{proposed.id}/sessions/new")
    assert response.status_code == 302 and response.location == f"/mobility/visits/{proposed.id}"
    response = client.post(f"/evaluation/visits/{proposed.id}/sessions/new", data=form_data(proposed),
                           follow_redirects=True)
    assert "recorded once the visit is completed" in response.get_data(as_text=True)
    assert read_html(client.get(f"/mobility/visits/{proposed.id}")).find(id="sessions-back-home") is None
    assert client.get("/evaluation/visits/999999/sessions/new").status_code == 404

    visit = took_place()
    auth.logout()
    for person in (exchange.coordinator, exchange.seville_admin, make_user(institution=exchange.sender)):
        auth.login(person)
        assert client.get(f"/evaluation/visits/{visit.id}/sessions/new").status_code == 403
        assert client.post(f"/evaluation/visits/{visit.id}/sessions/new", data=form_data(visit)).status_code == 403
        assert read_html(client.get(f"/mobility/visits/{visit.id}")).find(id="record-session") is None
        auth.logout()
    assert db.session.scalar(select(func.count(DisseminationSession.id))) == 0


def test_the_visitor_edits_a_session_its_files_and_deletes_it(client, auth, took_place, make_user):
    visit = took_place()
    session = dissemination.record_session(visit.visitor, visit, dissemination.SessionData(
        held_on=visit.week_start + timedelta(days=10), format="team_meeting", people_reached=5,
        audience=["educators"], summary="First meeting."))
    auth.login(visit.visitor)
    form = read_html(client.get(f"/evaluation/sessions/{session.id}/edit"))
    assert form.find("option", selected=True, value="team_meeting") is not None
    assert form.find("input", id="people_reached")["value"] == "5"
    hostile = "<script>alert(1)</script> [look](javascript:alert(2)) <img src=x onerror=alert(3)>"
    response = client.post(f"/evaluation/sessions/{session.id}/edit", data=form_data(
        visit, format="supervision", people_reached="7", audience=["students"], summary=hostile))
    assert response.status_code == 302
    session = db.session.get(DisseminationSession, session.id)
    assert (session.format, session.people_reached, session.audience) == ("supervision", 7, ["students"])
    shown = read_html(client.get(f"/evaluation/sessions/{session.id}")).select_one(".prose")
    assert shown.find("script") is None and shown.find("img", onerror=True) is None
    assert not any(a.get("href", "").startswith("javascript") for a in shown.find_all("a"))

    response = client.post(f"/evaluation/sessions/{session.id}/materials", content_type="multipart/form-data",
                           data={"material-file": (io.BytesIO(b"not a document"), "notes.pdf")})
    assert response.status_code == 422 and "notes.pdf" in read_html(response).select_one(".error-summary").get_text()
    response = client.post(f"/evaluation/sessions/{session.id}/materials", content_type="multipart/form-data",
                           data={"material-file": (io.BytesIO(PDF), "handout.pdf")})
    assert response.status_code == 302
    [material] = db.session.get(DisseminationSession, session.id).materials
    material_id, stored = material.id, uploads.folder(dissemination.FOLDER) / material.stored_name
    assert stored.exists()

    other = make_user()
    auth.logout()
    auth.login(other)
    session_id = session.id
    assert client.post(f"/evaluation/sessions/{session_id}/edit", data=form_data(visit)).status_code == 403
    assert client.post(f"/evaluation/sessions/{session.id}/materials/{material_id}/remove").status_code == 403
    assert client.post(f"/evaluation/sessions/{session.id}/delete").status_code == 403
    auth.logout()
    auth.login(visit.visitor)
    assert client.post(f"/evaluation/sessions/{session.id}/materials/{material_id}/remove").status_code == 302
    assert db.session.get(SessionMaterial, material_id) is None and not stored.exists()
    assert client.get(f"/evaluation/sessions/{session.id}/materials/{material_id}").status_code == 404

    page = read_html(client.get(f"/evaluation/sessions/{session_id}/delete"))
    assert page.find("button", string="Delete the session") is not None
    response = client.post(f"/evaluation/sessions/{session_id}/delete")
    assert response.status_code == 302 and response.location.startswith(f"/mobility/visits/{visit.id}")
    assert db.session.get(DisseminationSession, session_id) is None
    assert client.get(f"/evaluation/sessions/{session_id}").status_code == 404


def test_remind_asks_once_four_weeks_after_the_visit_and_not_who_recorded_a_session(exchange, took_place,
                                                                                      monkeypatch):
    silent = took_place()
    active = took_place(institution=exchange.arad)
    gone = took_place()  # recorded nothing either, but their account is deactivated: never asked
    gone.visitor.is_active_account = False
    db.session.commit()
    dissemination.record_session(active.visitor, active, dissemination.SessionData(
        held_on=active.week_start + timedelta(days=7), format="training", people_reached=3))
    ended = dissemination.last_day(silent)
    assert ended == silent.completed_at.date() > silent.week_start + timedelta(days=4)  # completed after its Friday

    assert dissemination.remind(ended + dissemination.REMIND_UNTIL + timedelta(days=1)) == 0  # too long ago
    assert dissemination.remind(ended + timedelta(days=27)) == 0
    set_today(monkeypatch, ended + timedelta(days=28))
    assert dissemination.remind() == 1  # by mobility's clock when no day is given
    assert dissemination.remind(ended + timedelta(days=29)) == 0  # never twice
    assert db.session.scalars(select(SessionReminder.visit_id)).all() == [silent.id]
    notes = db.session.scalars(select(Notification).where(Notification.kind == "evaluation")).all()
    assert [(n.user_id, n.link) for n in notes] == [(silent.visitor_id, f"/evaluation/visits/{silent.id}/sessions/new")]
    assert "Seville Family Centre" in notes[0].text and notes[0].message_id is not None


def test_totals_add_up_the_partnerships_sessions(exchange, took_place):
    first, second = took_place(), took_place(institution=exchange.arad)
    for visit, fmt, people, roles in ((first, "training", 10, ["educators", "managers"]),
                                      (first, "team_meeting", 4, ["educators"]),
                                      (second, "training", 6, [])):
        dissemination.record_session(visit.visitor, visit, dissemination.SessionData(
            held_on=visit.week_start + timedelta(days=8), format=fmt, people_reached=people, audience=roles))
    sessions = dissemination.sessions_of_partnership(exchange.partnership)
    assert len(sessions) == 3
    totals = dissemination.totals_of_partnership(exchange.partnership)
    assert (totals.sessions, totals.people_reached, totals.visitors, totals.completed_visits) == (3, 20, 2, 2)
    assert dict(totals.by_format) == {"team_meeting": 1, "training": 2, "supervision": 0, "conference": 0,
                                      "other": 0}
    assert dict(totals.by_role)["educators"] == 2 and dict(totals.by_role)["managers"] == 1
