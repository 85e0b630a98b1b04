"""Targets and indicators: each indicator computed by hand on a small partnership (two hosts, completed visits,
essays, sessions back home, survey invitations, practices) and compared with indicators(); what is expected and late
as the partnership's period goes by; the targets form; the dashboard's and the partnership page's panels."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest

from conftest import read_html
from essays_helpers import record_training, written
from mobility_helpers import BEFORE_THE_WEEKS, W1, set_today
from network.auth.models import EVALUATOR
from network.evaluation import dissemination, indicators
from network.evaluation.models import TARGET_KINDS, Survey, SurveyInvitation
from network.events import services as events
from network.extensions import db
from network.mobility import services as mobility

TARGETS = {"visitors_per_host": 6, "essays_per_visit": 1, "sessions_per_visitor": 2, "response_rate": 80,
           "practices_published": 10}


def monday_weeks_ago(weeks: int) -> date:
    today = date.today()
    return today - timedelta(days=today.weekday() + 7 * weeks)


@pytest.fixture
def small(exchange, make_applicant, make_user, make_institution, make_practice, make_partnership, monkeypatch):
    """The exchange over a period around today (200 days gone, 200 to come), with:
    completed visits sender→Seville ×2 (v1, v2), Arad→Seville (v3), sender→Arad (v5); a proposed one (v4);
    essays: v1 submitted, v2 draft, v3 published, v5 returned, and one about a training (not a visit);
    sessions: v1 ×2, v3 ×2, v5 ×1; invitations of an open survey: v1, v3 and a deleted person's answered, v2's
    unanswered and past its day, the coordinator's unanswered and still open; of a closed survey: the
    coordinator's unanswered (its day not past); v2's visitor's unanswered, past their day, about v4 (cancelled) and
    a deleted event; and one answered for another partnership's survey; practices published in the period: Seville ×2, sender ×1 (and a draft, one
    published before the period, one by an institution outside the partnership)."""
    today = date.today()
    partnership = exchange.partnership
    partnership.start_date, partnership.end_date = today - timedelta(days=200), today + timedelta(days=200)
    db.session.commit()

    seville_first = [exchange.seville.id]
    applications = {name: make_applicant(institution=institution, **({"preferred_hosts": hosts} if hosts else {}))
                    for name, institution, hosts in (("v1", None, seville_first), ("v2", None, seville_first),
                                                     ("v3", exchange.arad, seville_first), ("v4", None, None),
                                                     ("v5", None, [exchange.arad.id]))}
    v4 = mobility.book_visit(exchange.coordinator, applications["v4"], exchange.arad_offer, W1)
    set_today(monkeypatch, today)
    visits = {"v4": v4}
    for name, offer in (("v1", exchange.seville_offer), ("v2", exchange.seville_offer),
                        ("v3", exchange.seville_offer), ("v5", exchange.arad_offer)):
        visits[name] = mobility.record_past_visit(exchange.coordinator, applications[name], offer, monday_weeks_ago(8))
    set_today(monkeypatch, BEFORE_THE_WEEKS)

    def essay(name, status):
        visit = visits[name]
        return written(visit.visitor, events.visit_event_of(visit), status, reviewer=exchange.coordinator)

    essay("v1", "submitted"), essay("v2", "draft"), essay("v3", "published"), essay("v5", "returned")
    trainee = make_user(institution=exchange.sender)
    training = record_training(exchange, [trainee], start_date=today - timedelta(days=30),
                               end_date=today - timedelta(days=29))
    written(trainee, training, "submitted")

    for name, count in (("v1", 2), ("v3", 2), ("v5", 1)):
        visit = visits[name]
        for n in range(count):
            dissemination.record_session(visit.visitor, visit, dissemination.SessionData(
                held_on=visit.week_start + timedelta(days=7 + n), format="team_meeting", people_reached=5))

    survey = Survey(partnership_id=partnership.id, title={"en": "After the visit"}, moment="after_visit",
                    status="open")
    closed_survey = Survey(partnership_id=partnership.id, title={"en": "Closed early"}, moment="after_visit",
                           status="closed")
    other_survey = Survey(partnership_id=make_partnership().id, title={"en": "Elsewhere"}, moment="after_visit",
                          status="open")
    db.session.add_all([survey, closed_survey, other_survey])
    db.session.flush()
    later, past = today + timedelta(days=21), today - timedelta(days=1)
    for person, answered, on, closes_on in (
            (visits["v1"].visitor, True, survey, later), (visits["v2"].visitor, False, survey, past),
            (visits["v3"].visitor, True, survey, later), (None, True, survey, past),
            (exchange.coordinator, False, survey, later), (exchange.coordinator, False, closed_survey, later),
            (visits["v2"].visitor, True, other_survey, later)):
        db.session.add(SurveyInvitation(survey_id=on.id, user_id=person.id if person else None, subject_kind="visit",
                                        subject_id=visits["v1"].id, closes_on=closes_on, answered=answered))
    # Past their day, never answered, but about a visit since cancelled and an event since deleted: no "no".
    mobility.cancel_visit(exchange.coordinator, v4, "The visitor fell ill")
    for kind, subject_id in (("visit", v4.id), ("event", 10_000)):
        db.session.add(SurveyInvitation(survey_id=survey.id, user_id=visits["v2"].visitor.id, subject_kind=kind,
                                        subject_id=subject_id, closes_on=past, answered=False))
    db.session.commit()

    make_practice(exchange.seville, title="Seville one")
    make_practice(exchange.seville, title="Seville two")
    make_practice(exchange.sender, title="Helsinki one", language="fi")
    make_practice(exchange.seville, title="Seville draft", status="draft")
    before = make_practice(exchange.arad, title="Arad, before the period", language="ro")
    before.published_at = datetime.combine(partnership.start_date - timedelta(days=10), datetime.min.time(),
                                           tzinfo=timezone.utc)
    db.session.commit()
    make_practice(make_institution(name="Outside"), title="Not a partner's")
    return visits


def by_kind(found):
    return {indicator.kind: indicator for indicator in found}


def rows(indicator):
    return {row.name: (row.target, pytest.approx(row.done), row.late) for row in indicator.institutions}


def test_each_indicator_matches_the_figures_counted_by_hand(app, exchange, small):
    indicators.save_targets(exchange.coordinator, exchange.partnership, TARGETS)
    middle = exchange.partnership.start_date + timedelta(days=200)  # half the period gone by
    found = indicators.indicators(exchange.partnership, today=middle)
    assert [i.kind for i in found] == list(TARGET_KINDS)
    kinds = by_kind(found)

    hosts = kinds["visitors_per_host"]  # Seville 3 completed visits, Arad 1; target 6 each, 3 due by now
    assert (hosts.target, hosts.done, hosts.expected, hosts.late) == (12, 4, 6, True)
    assert rows(hosts) == {"Seville Family Centre": (6, 3, False), "Arad Social Services": (6, 1, True)}

    essays = kinds["essays_per_visit"]  # v1 submitted and v3 published count; a draft, a returned one do not
    assert (essays.target, essays.expected, essays.late) == (1, 1, True)
    assert essays.done == pytest.approx(2 / 4)
    assert rows(essays) == {"Helsinki Family Clinic": (1, 1 / 3, True), "Arad Social Services": (1, 1.0, False)}

    sessions = kinds["sessions_per_visitor"]  # 5 sessions by 4 visitors
    assert sessions.done == pytest.approx(5 / 4) and sessions.late
    assert rows(sessions) == {"Helsinki Family Clinic": (2, 1.0, True), "Arad Social Services": (2, 2.0, False)}

    # 3 answered (v1, v3, the deleted person) of the 5 that can no longer be answered: v2's past its day and the
    # coordinator's in the closed survey count as not answered; the coordinator's still open does not count yet.
    rate = kinds["response_rate"]
    assert (rate.target, rate.done, rate.late) == (80, pytest.approx(60.0), True)
    assert rows(rate) == {"Helsinki Family Clinic": (80, 50.0, True), "Arad Social Services": (80, 100.0, False),
                          "Coordinating Centre": (80, 0.0, True)}

    practices = kinds["practices_published"]  # 3 in the period, 5 due by now; 2.5 each, 1.25 due by now
    assert (practices.target, practices.done, practices.expected, practices.late) == (10, 3, 5, True)
    assert rows(practices) == {"Seville Family Centre": (2.5, 2, False), "Helsinki Family Clinic": (2.5, 1, True),
                               "Arad Social Services": (2.5, 0, True), "Coordinating Centre": (2.5, 0, True)}


def test_what_is_expected_moves_with_the_period_and_without_targets_nothing_is_late(app, exchange, small,
                                                                                    monkeypatch):
    partnership = exchange.partnership
    untargeted = indicators.indicators(partnership, today=partnership.end_date)
    assert all(i.target is None and i.expected is None and not i.late for i in untargeted)
    assert by_kind(untargeted)["visitors_per_host"].done == 4

    indicators.save_targets(exchange.coordinator, partnership, TARGETS)
    at_start = by_kind(indicators.indicators(partnership, today=partnership.start_date - timedelta(days=5)))
    assert at_start["visitors_per_host"].expected == 0 and not at_start["visitors_per_host"].late
    assert at_start["practices_published"].expected == 0 and not at_start["practices_published"].late
    assert not any(row.late for row in at_start["visitors_per_host"].institutions)
    assert at_start["essays_per_visit"].expected == 1 and at_start["essays_per_visit"].late  # a ratio: due all along

    early = by_kind(indicators.indicators(partnership, today=partnership.start_date + timedelta(days=100)))
    assert early["visitors_per_host"].expected == pytest.approx(3) and not early["visitors_per_host"].late
    assert rows(early["visitors_per_host"])["Arad Social Services"][2] is True  # 1 < 1.5

    over = by_kind(indicators.indicators(partnership, today=partnership.end_date + timedelta(days=30)))
    assert over["visitors_per_host"].expected == 12 and over["practices_published"].expected == 10
    assert rows(over["visitors_per_host"])["Seville Family Centre"][2] is True  # 3 < 6

    indicators.save_targets(exchange.coordinator, partnership, {"visitors_per_host": 2, "practices_published": 2})
    reached = by_kind(indicators.indicators(partnership, today=partnership.end_date))
    assert not reached["visitors_per_host"].late and rows(reached["visitors_per_host"])["Arad Social Services"][2]
    assert not reached["practices_published"].late  # 3 of 2

    # Without a day given: mobility's clock (network.mobility.weeks.today), the one the tests move.
    set_today(monkeypatch, partnership.end_date + timedelta(days=30))
    assert indicators.elapsed_share(partnership) == 1
    assert by_kind(indicators.indicators(partnership))["practices_published"].expected == 2
    set_today(monkeypatch, partnership.start_date - timedelta(days=5))
    assert by_kind(indicators.indicators(partnership))["practices_published"].expected == 0


def test_the_targets_form_round_trip(client, auth, exchange, make_user):
    partnership = exchange.partnership
    url = f"/evaluation/partnerships/{partnership.id}/targets"
    auth.login(exchange.coordinator)
    page = read_html(client.get(url))
    assert [page.find("input", id=kind)["value"] if page.find("input", id=kind).has_attr("value") else ""
            for kind in TARGET_KINDS] == [""] * 5
    assert "the founding project: 6" in page.find(id="visitors_per_host-hint").get_text()

    response = client.post(url, data={"visitors_per_host": "6", "essays_per_visit": "1,5", "sessions_per_visitor": "",
                                      "response_rate": "80", "practices_published": "10"})
    assert response.status_code == 302 and response.location == f"/evaluation/partnerships/{partnership.id}/indicators"
    assert indicators.targets_of(partnership) == {"visitors_per_host": 6, "essays_per_visit": 1.5,
                                                  "response_rate": 80, "practices_published": 10}
    page = read_html(client.get(url))
    assert page.find("input", id="essays_per_visit")["value"] == "1.5"

    response = client.post(url, data={"visitors_per_host": "six", "response_rate": "150", "practices_published": ""})
    assert response.status_code == 422
    page = read_html(response)
    assert page.find("input", id="visitors_per_host")["value"] == "six"
    summary = page.select_one(".error-summary").get_text(" ", strip=True)
    assert "Visitors each host receives" in summary and "from 0 to 100" in summary
    assert indicators.targets_of(partnership)["practices_published"] == 10  # nothing saved

    client.post(url, data={"visitors_per_host": "6", "essays_per_visit": "1.5", "response_rate": "80",
                           "practices_published": ""})
    assert "practices_published" not in indicators.targets_of(partnership)  # blank: no target

    auth.logout()
    evaluator = make_user(EVALUATOR)
    auth.login(evaluator)
    page = read_html(client.get(url))
    assert page.find("form", action=url) is None and "1.5" in page.find(id="targets").get_text()
    assert client.post(url, data={"visitors_per_host": "1"}).status_code == 403
    auth.logout()
    auth.login(make_user(institution=exchange.sender))
    assert client.get(url).status_code == 403
    assert client.get(f"/evaluation/partnerships/{partnership.id}/indicators").status_code == 403
    assert client.get("/evaluation/partnerships/999999/targets").status_code == 404


def test_the_dashboard_shows_the_indicators_to_the_coordinator(client, auth, exchange, small, make_user,
                                                               monkeypatch):
    set_today(monkeypatch, date.today())  # the day the small partnership's invitations were sent around
    partnership = exchange.partnership
    dashboard = f"/mobility/dashboard/{partnership.id}"
    targets = f"/evaluation/partnerships/{partnership.id}/targets"
    auth.login(exchange.coordinator)
    panel = read_html(client.get(dashboard)).find(id="indicators-panel")
    assert panel.find(id="no-targets").find("a", href=targets) is not None
    assert [li.get_text(" ", strip=True) for li in panel.select("#sessions-totals li")][:2] == [
        "5 sessions back home", "25 people reached"]

    indicators.save_targets(exchange.coordinator, partnership, TARGETS)
    panel = read_html(client.get(dashboard)).find(id="indicators-panel")
    hosts = panel.find(id="dashboard-indicator-visitors_per_host")
    assert hosts.find("meter")["max"] == "12.0" and hosts.find("meter")["value"] == "4.0"
    assert "4 of 12" in hosts.get_text(" ", strip=True)
    assert panel.find(id="dashboard-indicator-response_rate").select_one(".badge-warn") is not None
    assert panel.find("a", href=f"/evaluation/partnerships/{partnership.id}/indicators") is not None
    assert panel.find("a", href=targets) is not None

    page = read_html(client.get(f"/evaluation/partnerships/{partnership.id}/indicators"))
    table = page.find(id="institutions-visitors_per_host")
    assert table.find("caption") and [th.get_text() for th in table.select("tbody th[scope=row]")] == [
        "Arad Social Services", "Seville Family Centre"]
    assert page.find(id="late-summary").find("a", href="#response_rate-heading") is not None
    response = client.get(f"/evaluation/partnerships/{partnership.id}/indicators.csv")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert lines[0] == ["indicator", "institution", "target", "done", "expected", "late"]
    assert ["essays_per_visit", "", "1", "0.5", "1", "yes"] in lines
    assert ["essays_per_visit", "Helsinki Family Clinic", "1", "0.33", "1", "yes"] in lines

    links = read_html(client.get(f"/partnerships/{partnership.id}")).find(id="evaluation-links")
    assert links.find("a", href=f"/evaluation/partnerships/{partnership.id}/indicators") is not None
    assert links.find("a", href=targets) is not None
    assert links.find("a", href=f"/evaluation/partnerships/{partnership.id}/surveys") is not None
    assert links.find("a", href=f"/partnerships/{partnership.id}/report") is not None

    auth.logout()
    auth.login(make_user(EVALUATOR))
    panel = read_html(client.get(dashboard)).find(id="indicators-panel")
    assert panel is not None and panel.find("a", href=targets) is None
    auth.logout()
    assert read_html(client.get(f"/partnerships/{partnership.id}")).find(id="evaluation-links") is None
