"""Taking the self-assessment through its pages: anonymous (nothing stored), signed in (resumable), answers
carried into the account on logging in, results private to their owner, the chart and its table, English
fallbacks marked for screen readers, and deleting a result."""
from __future__ import annotations

from sqlalchemy import func, select

from conftest import read_html
from network.extensions import db
from network.self_assessment.models import AssessmentResult
from self_assessment_helpers import completed_result, statement_ids, tiny_questionnaire


def _published():
    questionnaire = tiny_questionnaire()
    db.session.commit()
    return questionnaire, statement_ids(questionnaire)


def _stored_results() -> int:
    return db.session.scalar(select(func.count()).select_from(AssessmentResult))


# safety: 4 and 3 -> 88 (expert); mediation: 1, 0 and "does not apply" -> 12 (foundation); index 50.
def _answer_everything(client, ids):
    client.post("/self-assessment/take/1", data={f"s{ids['safety-1']}": "4", f"s{ids['safety-2']}": "3"})
    return client.post("/self-assessment/take/2", data={
        f"s{ids['mediation-1']}": "1", f"s{ids['mediation-2']}": "0", f"s{ids['mediation-3']}": "na"})


def test_an_anonymous_journey_stores_nothing_and_shows_the_computed_result(client):
    _, ids = _published()
    page = client.get("/self-assessment/")
    assert "nothing is stored on our server" in page.text and 'value="student"' in page.text
    started = client.post("/self-assessment/start", data={"role": "student"})
    assert started.status_code == 302 and started.headers["Location"].endswith("/self-assessment/take/1")
    first = client.get("/self-assessment/take/1")
    assert "Page 1 of 2" in first.text and "<progress" in first.text and "<legend>" in first.text
    # One statement left out: the page comes back with the error summary and the answer given kept.
    refused = client.post("/self-assessment/take/1", data={f"s{ids['safety-1']}": "4"})
    assert refused.status_code == 422
    assert f'href="#s{ids["safety-2"]}-0"' in refused.text
    assert f'id="s{ids["safety-1"]}-4" name="s{ids["safety-1"]}" value="4" checked' in refused.text
    moved = client.post("/self-assessment/take/1", data={f"s{ids['safety-2']}": "3"})
    assert moved.headers["Location"].endswith("/self-assessment/take/2")
    last = client.get("/self-assessment/take/2")
    assert "See my result" in last.text
    done = client.post("/self-assessment/take/2", data={
        f"s{ids['mediation-1']}": "1", f"s{ids['mediation-2']}": "0", f"s{ids['mediation-3']}": "na"})
    assert done.headers["Location"].endswith("/self-assessment/result")
    shown = client.get("/self-assessment/result")
    assert shown.status_code == 200
    assert "50 out of 100" in shown.text and "Intermediate" in shown.text
    assert "<td>88</td>" in shown.text and "<td>12</td>" in shown.text and "Expert" in shown.text
    assert "Sign in or register to keep this result" in shown.text and "login?next=/self-assessment/result" in shown.text
    assert _stored_results() == 0


def test_pages_out_of_range_and_without_a_sitting(client):
    _published()
    assert client.get("/self-assessment/take/1").headers["Location"].endswith("/self-assessment/")
    client.post("/self-assessment/start", data={"role": "professional"})
    assert client.get("/self-assessment/take/3").status_code == 404
    assert client.get("/self-assessment/take/0").status_code == 404
    assert client.post("/self-assessment/start", data={"role": "boss"}).status_code == 422


def test_a_signed_in_person_saves_resumes_and_gets_a_stored_result(client, auth, make_user):
    _, ids = _published()
    person = make_user()
    auth.login(person)
    client.post("/self-assessment/start", data={"role": "professional"})
    later = client.post("/self-assessment/take/1", data={f"s{ids['safety-1']}": "4", f"s{ids['safety-2']}": "3",
                                                        "action": "later"}, follow_redirects=True)
    assert "Saved: you can come back any time." in later.text and "Resume" in later.text
    resumed = client.post("/self-assessment/start", data={"role": "professional"})
    assert resumed.headers["Location"].endswith("/self-assessment/take/2")  # the first page not answered
    done = _answer_everything(client, ids)
    result = db.session.scalars(select(AssessmentResult).where(AssessmentResult.user_id == person.id)).one()
    assert done.headers["Location"].endswith(f"/self-assessment/results/{result.id}")
    assert (result.overall, result.completed_at is not None) == (50, True)
    shown = client.get(f"/self-assessment/results/{result.id}")
    assert "50 out of 100" in shown.text and "Take it again" in shown.text
    assert f"/self-assessment/results/{result.id}" in client.get("/self-assessment/").text


def test_answers_given_before_logging_in_become_a_stored_result_once_kept(client, auth, make_user):
    from self_assessment_helpers import at

    questionnaire, ids = _published()
    person = make_user()
    earlier = completed_result(person, questionnaire, {}, when=at(2025, 1))
    db.session.commit()
    client.post("/self-assessment/start", data={"role": "student"})
    _answer_everything(client, ids)
    assert _stored_results() == 1
    logged_in = auth.login(person)
    assert logged_in.status_code == 302
    # Nothing is attached on signing in (the browser may have been someone else's): the person is asked.
    assert _stored_results() == 1
    assert client.get("/self-assessment/result").headers["Location"].endswith("/self-assessment/")
    asked = read_html(client.get("/self-assessment/"))
    assert asked.find(id="waiting-heading") is not None
    kept = client.post("/self-assessment/keep", data={"action": "keep"})
    result = db.session.scalars(select(AssessmentResult).where(AssessmentResult.user_id == person.id,
                                                               AssessmentResult.id != earlier.id)).one()
    assert kept.headers["Location"].endswith(f"/results/{result.id}")
    assert (result.role, result.overall) == ("student", 50)
    assert sorted((s.dimension_code, s.score) for s in result.scores) == [("mediation", 12), ("safety", 88)]
    assert client.get("/self-assessment/result").headers["Location"].endswith(f"/results/{result.id}")
    assert read_html(client.get("/self-assessment/")).find(id="waiting-heading") is None


def test_answers_someone_else_gave_in_the_browser_can_be_discarded(client, auth, make_user):
    questionnaire, ids = _published()
    client.post("/self-assessment/start", data={"role": "professional"})
    _answer_everything(client, ids)
    auth.login(make_user())
    client.post("/self-assessment/keep", data={"action": "discard"})
    assert _stored_results() == 0
    assert read_html(client.get("/self-assessment/")).find(id="waiting-heading") is None
    assert client.get("/self-assessment/result").headers["Location"].endswith("/self-assessment/")


def test_another_persons_result_does_not_exist_and_visitors_are_sent_to_log_in(client, auth, make_user):
    questionnaire, _ = _published()
    owner, other = make_user(), make_user()
    result = completed_result(owner, questionnaire, {})
    db.session.commit()
    assert "/login" in client.get(f"/self-assessment/results/{result.id}").headers["Location"]
    auth.login(other)
    assert client.get(f"/self-assessment/results/{result.id}").status_code == 404
    assert client.post(f"/self-assessment/results/{result.id}/delete").status_code == 404
    assert _stored_results() == 1


def test_the_result_has_an_svg_chart_and_a_table_of_the_same_figures(client, auth, make_user):
    questionnaire, _ = _published()
    person = make_user()
    result = completed_result(person, questionnaire, {"safety-1": 4, "safety-2": 3, "mediation-1": 1,
                                                      "mediation-2": 0, "mediation-3": None})
    db.session.commit()
    auth.login(person)
    page = client.get(f"/self-assessment/results/{result.id}").text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img"' in page
    assert "<title id=" in page and "<desc id=" in page and "http://" not in page.split("<svg")[1].split(">")[1]
    assert "<caption>Your scores by dimension (0 to 100)</caption>" in page and 'scope="row"' in page
    assert "Your strengths" in page and "Nothing matches yet:" in page


def test_changes_since_the_last_and_first_results_are_signed_and_spoken(client, auth, make_user):
    from self_assessment_helpers import at

    questionnaire, _ = _published()
    person = make_user()
    completed_result(person, questionnaire, {"safety-1": 0, "safety-2": 0}, when=at(2025, 1))
    completed_result(person, questionnaire, {"safety-1": 2, "safety-2": 2}, when=at(2025, 6))
    latest = completed_result(person, questionnaire, {"safety-1": 4, "safety-2": 4}, when=at(2026, 1))
    db.session.commit()
    auth.login(person)
    page = client.get(f"/self-assessment/results/{latest.id}").text
    assert page.count("Since ") >= 2 and "+50" in page and "up 50 points" in page and "up 100 points" in page


def test_an_untranslated_statement_is_marked_as_english_in_spanish(client):
    _, ids = _published()
    client.post("/self-assessment/start", data={"role": "student"})
    page = client.get("/self-assessment/take/1", headers={"Accept-Language": "es"}).text
    assert "Distingo un mensaje de phishing de uno real" in page
    assert '<span lang="en">I can choose a strong password</span>' in page
    assert page.count('lang="en">I can') == 1


def test_deleting_ones_result_after_confirming(client, auth, make_user):
    questionnaire, _ = _published()
    person = make_user()
    result = completed_result(person, questionnaire, {})
    db.session.commit()
    auth.login(person)
    assert "Yes, delete this result" in client.get(f"/self-assessment/results/{result.id}/delete").text
    deleted = client.post(f"/self-assessment/results/{result.id}/delete", follow_redirects=True)
    assert "Your result is deleted." in deleted.text
    assert _stored_results() == 0


def test_invitations_are_remembered_and_closed_ones_say_so(client, make_user, make_partnership):
    from datetime import date, timedelta

    from network.self_assessment import services

    _published()
    coordinator = make_user()
    partnership = make_partnership(title="Digital families")
    invitation = services.create_invitation(coordinator, partnership=partnership, phase="before", label="Cohort A")
    closed = services.create_invitation(coordinator, partnership=partnership, label="Old")
    closed.closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    assert client.get("/self-assessment/i/unknown-token").status_code == 404
    assert client.get(f"/self-assessment/i/{closed.token}").status_code == 410
    assert client.get(f"/self-assessment/i/{invitation.token}").status_code == 302
    page = client.get("/self-assessment/").text
    assert "Cohort A" in page and "Digital families" in page and "Before the event" in page


def test_no_published_questionnaire_no_form(client):
    page = client.get("/self-assessment/")
    assert page.status_code == 200 and "not available yet" in page.text and "/self-assessment/start" not in page.text
