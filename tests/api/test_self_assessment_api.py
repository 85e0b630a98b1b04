"""The JSON API on the self-assessment: the caller's own results, and a group's figures for those who may read
them (none below 5 people), by the same rules as the pages."""
from __future__ import annotations

from api_helpers import assert_error, bearer
from network.auth.models import COORDINATOR, EVALUATOR
from network.extensions import db
from self_assessment_helpers import at, completed_result, tiny_questionnaire


def test_the_callers_own_results_newest_first(client, make_user):
    questionnaire = tiny_questionnaire()
    person, someone_else = make_user(), make_user()
    first = completed_result(person, questionnaire, {"safety-1": 0, "safety-2": 0}, when=at(2025, 1))
    # safety 4 and 3 -> 88 (expert); mediation 1, 0, "does not apply" -> 12 (foundation); the index 50.
    latest = completed_result(person, questionnaire, {"safety-1": 4, "safety-2": 3, "mediation-1": 1,
                                                      "mediation-2": 0, "mediation-3": None}, when=at(2025, 6),
                              role="student")
    completed_result(someone_else, questionnaire, {})
    headers = bearer(person)
    db.session.commit()
    assert_error(client.get("/api/v1/self-assessments"), 401, "unauthorized")
    body = client.get("/api/v1/self-assessments", headers=headers).get_json()
    assert [r["id"] for r in body["results"]] == [latest.id, first.id]
    assert body["results"][0] == {
        "id": latest.id, "questionnaire_version": questionnaire.version, "role": "student",
        "completed_at": "2025-06-15T12:00:00+00:00", "overall": 50, "level": "intermediate",
        "dimensions": [{"code": "safety", "name": "Safety and privacy", "score": 88, "level": "expert"},
                       {"code": "mediation", "name": "Digital mediation", "score": 12, "level": "foundation"}]}


def _five_and_four(exchange, make_user, questionnaire):
    """Five people at Seville (safety 0, 25, 50, 75, 100; mediation 50) and four at Arad."""
    for point in (0, 1, 2, 3, 4):
        completed_result(make_user(institution=exchange.seville), questionnaire,
                         {"safety-1": point, "safety-2": point}, when=at(2025, 7))
    for _ in range(4):
        completed_result(make_user(institution=exchange.arad), questionnaire, {}, when=at(2025, 7))


def test_a_groups_figures_and_none_below_five(client, exchange, make_user):
    questionnaire = tiny_questionnaire()
    _five_and_four(exchange, make_user, questionnaire)
    headers = bearer(exchange.coordinator)
    db.session.commit()
    body = client.get(f"/api/v1/self-assessments/aggregates?institution={exchange.seville.id}",
                      headers=headers).get_json()
    assert body["group"] == {"kind": "institution", "value": str(exchange.seville.id), "name": "Seville Family Centre"}
    assert (body["enough"], body["count"]) == (True, 5)
    assert body["dimensions"][0] == {
        "code": "safety", "name": "Safety and privacy", "mean": 50.0, "count": 5,
        "distribution": {"foundation": 2, "intermediate": 1, "advanced": 1, "expert": 1}, "needing_share": 0.4}
    assert body["periods"] == [{"label": "2025-Q3", "count": 5, "means": {"safety": 50.0, "mediation": 50.0}}]

    small = client.get(f"/api/v1/self-assessments/aggregates?institution={exchange.arad.id}", headers=headers)
    assert small.status_code == 200
    assert small.get_json() == {
        "group": {"kind": "institution", "value": str(exchange.arad.id), "name": "Arad Social Services"},
        "enough": False, "count": None,
        "message": "Not enough answers to show without identifying people (fewer than 5)."}

    # Seville's 5 and Arad's 4: the partnership's figures minus Seville's would tell Arad's, which are too few.
    partnership = client.get(f"/api/v1/self-assessments/aggregates?partnership={exchange.partnership.id}",
                             headers=headers).get_json()
    assert (partnership["enough"], partnership["count"]) == (False, None)
    assert "institutions with too few answers" in partnership["message"]


def test_who_may_read_a_groups_figures_and_bad_requests(client, exchange, make_user, make_institution,
                                                        make_partnership):
    tiny_questionnaire()
    url = f"/api/v1/self-assessments/aggregates?partnership={exchange.partnership.id}"
    elsewhere = make_institution()
    make_partnership(coordinator=elsewhere)
    professional = bearer(make_user(institution=exchange.seville))
    other_coordinator = bearer(make_user(COORDINATOR, institution=elsewhere))
    evaluator = bearer(make_user(EVALUATOR))
    coordinator = bearer(exchange.coordinator)
    db.session.commit()
    assert_error(client.get(url), 401, "unauthorized")
    assert_error(client.get(url, headers=professional), 403, "forbidden")
    assert_error(client.get(url, headers=other_coordinator), 403, "forbidden")
    assert_error(client.get("/api/v1/self-assessments/aggregates?role=student", headers=professional), 403,
                 "forbidden")
    for headers in (coordinator, evaluator):
        assert client.get(url, headers=headers).get_json()["enough"] is False
    assert_error(client.get("/api/v1/self-assessments/aggregates?partnership=999999", headers=coordinator), 404,
                 "not_found")
    assert_error(client.get("/api/v1/self-assessments/aggregates", headers=coordinator), 400, "bad_request")
    error = assert_error(client.get("/api/v1/self-assessments/aggregates?role=alien", headers=coordinator), 400,
                         "bad_request")
    assert list(error["fields"]) == ["role"]
    assert_error(client.get(f"{url}&country=ES", headers=coordinator), 400, "bad_request")
    assert client.get("/api/v1/self-assessments/aggregates?country=es", headers=evaluator).get_json()["group"] == {
        "kind": "country", "value": "ES", "name": "Spain"}
