"""The groups' pages: a partnership's aggregates computed by hand (and none for 4 people), who may read them, the
training needs as a page, a CSV and a printable summary, and the invitations: creating one, its link used by a
new result, and the before/after comparison of one event."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from conftest import read_html
from events_helpers import make_event
from network.auth.models import COORDINATOR, EVALUATOR
from network.extensions import db
from network.self_assessment import services
from network.self_assessment.models import AFTER, BEFORE, AssessmentInvitation, AssessmentResult
from self_assessment_helpers import at, completed_result, tiny_questionnaire

TOO_FEW = "Not enough answers to show without identifying people. Fewer than 5 people in this group answered."


def people_with_results(make_user, institution, questionnaire, points, **extra):
    """One person of `institution` per point: both safety statements answered with it (scores 0, 25, 50...);
    mediation left at 2 (score 50). An older result of each person, all 4s, does not count."""
    people = []
    for point in points:
        person = make_user(institution=institution)
        completed_result(person, questionnaire, {"safety-1": 4, "safety-2": 4}, when=at(2025, 1), **extra)
        completed_result(person, questionnaire, {"safety-1": point, "safety-2": point}, when=at(2025, 7), **extra)
        people.append(person)
    return people


@pytest.fixture
def questionnaire(app):
    return tiny_questionnaire()


def csv_rows(response) -> list[list[str]]:
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_a_partnerships_figures_computed_by_hand(client, auth, exchange, make_user, questionnaire):
    people_with_results(make_user, exchange.seville, questionnaire, [0, 1, 2, 3, 4])
    db.session.commit()
    auth.login(exchange.coordinator)
    response = client.get(f"/self-assessment/groups?partnership={exchange.partnership.id}")
    assert response.status_code == 200
    page = read_html(response)
    assert "People in the group: 5" in page.find(id="group-count").get_text()
    safety = [cell.get_text(strip=True) for cell in page.find(id="dimension-safety").find_all(["th", "td"])]
    # scores 0, 25, 50, 75, 100: mean 50; levels foundation (0, 25), intermediate, advanced, expert; 2 of 5 below
    # intermediate (40).
    assert safety == ["Safety and privacy", "50", "5", "2", "1", "1", "1", "40%"]
    mediation = [cell.get_text(strip=True) for cell in page.find(id="dimension-mediation").find_all(["th", "td"])]
    assert mediation == ["Digital mediation", "50", "5", "0", "5", "0", "0", "0%"]
    assert page.find("svg", class_="bar-chart") is not None
    # Over time: 2025-Q1 (the old results, all 4s: safety 100) and 2025-Q3.
    periods = [[c.get_text(strip=True) for c in row.find_all(["th", "td"])]
               for row in page.find(id="periods-table").tbody.find_all("tr")]
    assert periods == [["2025-Q1", "100", "50"], ["2025-Q3", "50", "50"]]
    links = page.find(id="group-links")
    assert links.find("a", href=f"/self-assessment/groups/needs.csv?partnership={exchange.partnership.id}")


def test_four_people_show_one_sentence_and_no_figure(client, auth, exchange, make_user, questionnaire):
    people_with_results(make_user, exchange.seville, questionnaire, [0, 1, 2, 3])
    db.session.commit()
    auth.login(exchange.coordinator)
    response = client.get(f"/self-assessment/groups?partnership={exchange.partnership.id}")
    assert response.status_code == 200
    results = read_html(response).find(id="group-results")
    text = " ".join(results.get_text(" ", strip=True).split())
    assert TOO_FEW in text
    assert results.find("table") is None and results.find("svg") is None
    for figure in ("4", "50", "25", "100", "%"):
        assert figure not in text.replace("Fewer than 5 people", "")
    needs = read_html(client.get(f"/self-assessment/groups/needs?partnership={exchange.partnership.id}"))
    assert TOO_FEW in needs.find(id="group-needs").get_text(" ", strip=True)
    assert needs.find(id="needs-table") is None
    rows = csv_rows(client.get(f"/self-assessment/groups/needs.csv?partnership={exchange.partnership.id}"))
    assert len(rows) == 1 and rows[0][0] == "Dimension code"  # the header alone
    printed = client.get(f"/self-assessment/groups/needs/print?partnership={exchange.partnership.id}")
    assert TOO_FEW in printed.get_data(as_text=True) and "needs-table" not in printed.get_data(as_text=True)


def test_who_may_read_a_partnerships_figures(client, auth, exchange, make_user, make_institution, make_partnership,
                                            questionnaire):
    url = f"/self-assessment/groups?partnership={exchange.partnership.id}"
    other_coordinator = make_user(COORDINATOR, institution=(elsewhere := make_institution()))
    make_partnership(coordinator=elsewhere)
    professional = make_user(institution=exchange.seville)
    evaluator = make_user(EVALUATOR)
    db.session.commit()
    assert client.get(url).status_code == 302  # to the login page
    for person, status in ((professional, 403), (other_coordinator, 403), (exchange.coordinator, 200),
                           (evaluator, 200)):
        auth.login(person)
        assert client.get(url).status_code == status, person
        assert client.get(url.replace("groups?", "groups/needs.csv?")).status_code == status
        auth.logout()
    # The other coordinator's chooser offers their partnership only.
    auth.login(other_coordinator)
    page = read_html(client.get("/self-assessment/groups"))
    offered = [o.get_text(strip=True) for o in page.find(id="group-partnership").find_all("option")]
    assert offered == ["Family resources"]


def test_unknown_and_malformed_groups(client, auth, exchange, questionnaire):
    auth.login(exchange.coordinator)
    assert client.get("/self-assessment/groups").status_code == 200
    assert client.get("/self-assessment/groups?partnership=999999").status_code == 404
    for query in ("partnership=abc", "partnership=1&role=student", "role=alien", "country=Spain"):
        response = client.get(f"/self-assessment/groups?{query}")
        assert response.status_code == 400, query  # a refused filter, as on the events calendar and search
        assert read_html(response).find(id="group-problem") is not None
    assert client.get("/self-assessment/groups/needs.csv").status_code == 400


def test_network_wide_groups_by_country_and_role(client, auth, exchange, make_user, questionnaire):
    people_with_results(make_user, exchange.seville, questionnaire, [0, 1, 2, 3, 4], role="student")
    evaluator = make_user(EVALUATOR)
    db.session.commit()
    auth.login(evaluator)
    for query in ("country=es", "role=student", f"institution={exchange.seville.id}"):
        page = read_html(client.get(f"/self-assessment/groups?{query}"))
        assert "People in the group: 5" in page.find(id="group-count").get_text(), query
    assert TOO_FEW in " ".join(read_html(client.get("/self-assessment/groups?role=professional")).get_text().split())
    auth.logout()
    auth.login(exchange.coordinator)  # a coordinator reads network-wide groups, and a partner institution
    assert client.get("/self-assessment/groups?country=ES").status_code == 200
    assert client.get(f"/self-assessment/groups?institution={exchange.seville.id}").status_code == 200


def test_training_needs_page_csv_and_print(client, auth, exchange, make_user, questionnaire):
    people_with_results(make_user, exchange.seville, questionnaire, [0, 1, 2, 3, 4])
    db.session.commit()
    auth.login(exchange.coordinator)
    query = f"partnership={exchange.partnership.id}"
    page = read_html(client.get(f"/self-assessment/groups/needs?{query}"))
    ranked = [[c.get_text(strip=True) for c in row.find_all(["th", "td"])]
              for row in page.find(id="needs-table").tbody.find_all("tr")]
    assert ranked == [["Safety and privacy", "40%", "50", "5"], ["Digital mediation", "0%", "50", "5"]]
    assert page.find(id="need-safety") is not None

    response = client.get(f"/self-assessment/groups/needs.csv?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f'filename="training-needs-partnership-{exchange.partnership.id}.csv"' in \
        response.headers["Content-Disposition"]
    assert csv_rows(response) == [
        ["Dimension code", "Dimension", "People who answered", "Mean score (0–100)", "Share needing training (%)",
         "Foundation", "Intermediate", "Advanced", "Expert"],
        ["safety", "Safety and privacy", "5", "50.0", "40.0", "2", "1", "1", "1"],
        ["mediation", "Digital mediation", "5", "50.0", "0.0", "0", "5", "0", "0"],
    ]

    printed = client.get(f"/self-assessment/groups/needs/print?{query}")
    assert printed.status_code == 200
    sheet = read_html(printed)
    assert sheet.find("nav") is None and sheet.find("header") is None
    assert sheet.h1.get_text(strip=True) == "Training needs of Family resources"
    assert date.today().strftime("%Y") in sheet.find(class_="meta").get_text()
    assert sheet.find(id="needs-table") is not None


# --- invitations ---------------------------------------------------------------------------------------------


def test_create_an_invitation_and_its_link_is_used_by_a_new_result(client, auth, exchange, make_user,
                                                                   questionnaire):
    event = make_event(exchange)
    db.session.commit()
    auth.login(exchange.coordinator)
    page = read_html(client.get("/self-assessment/invitations"))
    values = [o["value"] for o in page.find(id="group").find_all("option")]
    assert values == [f"partnership-{exchange.partnership.id}", f"event-{event.id}"]

    past = (date.today() - timedelta(days=1)).isoformat()
    refused = client.post("/self-assessment/invitations", data={
        "group": f"event-{event.id}", "phase": BEFORE, "label": "Before Sevilla", "closes_on": past})
    assert refused.status_code == 422
    form = read_html(refused)
    assert "The closing date has passed." in form.find(id="closes_on-error").get_text()
    assert form.find(id="label")["value"] == "Before Sevilla"
    assert db.session.query(AssessmentInvitation).count() == 0

    response = client.post("/self-assessment/invitations", data={
        "group": f"event-{event.id}", "phase": BEFORE, "label": "Before Sevilla",
        "closes_on": (date.today() + timedelta(days=30)).isoformat()})
    assert response.status_code == 302
    invitation = db.session.query(AssessmentInvitation).one()
    assert (invitation.event_id, invitation.partnership_id, invitation.phase) == (
        event.id, exchange.partnership.id, BEFORE)
    listing = read_html(client.get("/self-assessment/invitations"))
    link = listing.find(id=f"link-{invitation.id}")["value"]
    assert link == f"http://localhost/self-assessment/i/{invitation.token}"
    auth.logout()

    taker = make_user()
    db.session.commit()
    auth.login(taker)
    assert client.get(f"/self-assessment/i/{invitation.token}").status_code == 302
    with client.session_transaction() as session:
        remembered = session[services.INVITATION_SESSION_KEY]
    result = services.start(taker, "professional", db.session.get(AssessmentInvitation, remembered))
    db.session.commit()
    assert db.session.get(AssessmentResult, result.id).invitation_id == invitation.id


def test_only_managers_create_read_and_delete_invitations(client, auth, exchange, make_user, questionnaire):
    invitation = services.create_invitation(exchange.coordinator, partnership=exchange.partnership, phase=BEFORE)
    professional = make_user(institution=exchange.seville)
    evaluator = make_user(EVALUATOR)
    db.session.commit()
    auth.login(professional)
    assert client.get("/self-assessment/invitations").status_code == 403
    assert client.get(f"/self-assessment/invitations/{invitation.id}").status_code == 403
    assert client.post(f"/self-assessment/invitations/{invitation.id}/delete").status_code == 403
    auth.logout()
    auth.login(evaluator)  # evaluators read the comparison, without the link
    page = client.get(f"/self-assessment/invitations/{invitation.id}")
    assert page.status_code == 200 and invitation.token not in page.get_data(as_text=True)
    assert client.post(f"/self-assessment/invitations/{invitation.id}/delete").status_code == 403
    auth.logout()
    auth.login(exchange.coordinator)
    assert client.get("/self-assessment/invitations/999999").status_code == 404
    invitation_id = invitation.id
    assert client.post(f"/self-assessment/invitations/{invitation_id}/delete").status_code == 302
    assert db.session.query(AssessmentInvitation).filter_by(id=invitation_id).count() == 0


def test_before_and_after_one_event_compared(client, auth, exchange, make_user, questionnaire):
    event = make_event(exchange)
    before = services.create_invitation(exchange.coordinator, event=event, phase=BEFORE, label="Day one")
    after = services.create_invitation(exchange.coordinator, event=event, phase=AFTER, label="Last day")
    alone = services.create_invitation(exchange.coordinator, event=make_event(exchange, title="Other"),
                                       phase=AFTER)
    # Before: safety 0, 25, 50, 75, 100 (mean 50); after: every safety statement at 3 (75): +25.
    people_with_results(make_user, exchange.seville, questionnaire, [0, 1, 2, 3, 4], invitation=before)
    people_with_results(make_user, exchange.arad, questionnaire, [3] * 5, invitation=after)
    people_with_results(make_user, exchange.arad, questionnaire, [3] * 4, invitation=alone)
    db.session.commit()
    auth.login(exchange.coordinator)
    page = read_html(client.get(f"/self-assessment/invitations/{after.id}"))
    table = page.find(id="comparison")
    headers = [th.get_text(" ", strip=True) for th in table.thead.find_all("th")]
    assert headers == ["Dimension", "Before the event: Day one 5 people", "After the event: Last day 5 people",
                       "Change (after − before)"]
    rows = [[c.get_text(strip=True) for c in row.find_all(["th", "td"])] for row in table.tbody.find_all("tr")]
    assert rows == [["Safety and privacy", "50", "75", "+25"], ["Digital mediation", "50", "50", "0"]]
    # An invitation with 4 people: its column says so, with no figure and no change.
    lonely = read_html(client.get(f"/self-assessment/invitations/{alone.id}"))
    assert "not enough people to show" in lonely.find(id="comparison").get_text()
    assert lonely.find(id="no-comparison") is not None
    assert [c.get_text(strip=True) for c in lonely.find(id="comparison").tbody.tr.find_all("td")] == ["—not enough answers"]


def test_the_invitation_forms_carry_a_csrf_token(csrf_app, client, auth, exchange, questionnaire):
    invitation = services.create_invitation(exchange.coordinator, partnership=exchange.partnership)
    db.session.commit()
    page = client.get("/login")
    token = read_html(page).find("input", attrs={"name": "csrf_token"})["value"]
    client.post("/login", data={"email": exchange.coordinator.email, "password": "correct horse battery",
                                "csrf_token": token})
    listing = read_html(client.get("/self-assessment/invitations"))
    forms = [f for f in listing.find_all("form", method="post") if "self-assessment" in f.get("action", "")]
    assert forms and all(f.find("input", attrs={"name": "csrf_token"}) for f in forms)
    assert client.post(f"/self-assessment/invitations/{invitation.id}/delete").status_code == 400
    assert db.session.query(AssessmentInvitation).count() == 1
