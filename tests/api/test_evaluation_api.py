"""The JSON API on the evaluation: a partnership's indicators, its surveys and their results, for its coordinators
and evaluators only, with the pages' rule of five answers for anonymous surveys."""
from __future__ import annotations

from api_helpers import assert_error, bearer
from evaluation.test_surveys import make_survey, questions_of, respond
from network.auth.models import EVALUATOR
from network.evaluation import indicators
from network.evaluation.models import VISITORS_PER_HOST
from network.extensions import db


def test_the_indicators_are_the_dashboards_for_its_coordinators_and_evaluators(client, exchange, make_user):
    indicators.save_targets(exchange.coordinator, exchange.partnership, {VISITORS_PER_HOST: 6})
    evaluator, outsider = make_user(EVALUATOR), make_user(institution=exchange.seville)
    url = f"/api/v1/partnerships/{exchange.partnership.id}/indicators"
    assert_error(client.get(url), 401, "unauthorized")
    assert_error(client.get(url, headers=bearer(outsider)), 403, "forbidden")
    assert_error(client.get("/api/v1/partnerships/999999/indicators", headers=bearer(evaluator)), 404, "not_found")

    body = client.get(url, headers=bearer(exchange.coordinator)).get_json()
    expected = indicators.indicators(exchange.partnership)
    assert (body["total"], body["page"]) == (5, 1)
    assert [item["kind"] for item in body["items"]] == [indicator.kind for indicator in expected]
    hosts = body["items"][0]
    # Two hosts offer visits (Seville, Arad): the overall target is six each; none is done yet.
    assert (hosts["target"], hosts["done"]) == (12, 0)
    assert {(row["name"], row["target"], row["done"]) for row in hosts["institutions"]} == {
        ("Seville Family Centre", 6, 0), ("Arad Social Services", 6, 0)}
    assert client.get(url, headers=bearer(evaluator)).get_json() == body


def test_a_surveys_results_keep_the_rule_of_five(client, exchange, make_user):
    anonymous = make_survey(exchange.partnership)
    scale, single, *_ = questions_of(anonymous)
    for point in (5, 4, 4, 2):
        respond(anonymous, {scale: point, single: "o1"})
    evaluator, member = make_user(EVALUATOR), make_user(institution=exchange.seville)
    db.session.commit()

    listed = client.get("/api/v1/surveys", headers=bearer(exchange.coordinator)).get_json()
    assert [(item["id"], item["anonymous"], item["moment"]) for item in listed["items"]] == [
        (anonymous.id, True, "after_visit")]
    assert client.get("/api/v1/surveys", headers=bearer(member)).get_json()["items"] == []

    url = f"/api/v1/surveys/{anonymous.id}/results"
    assert_error(client.get(url, headers=bearer(member)), 404, "not_found")
    four = client.get(url, headers=bearer(evaluator)).get_json()
    assert (four["enough"], four["minimum"], four["questions"]) == (False, 5, [])

    respond(anonymous, {scale: 5})  # the fifth answer; only four chose an option
    five = client.get(url, headers=bearer(evaluator)).get_json()
    assert five["enough"] is True
    first, second = five["questions"][:2]
    assert (first["answered"], first["mean"], first["withheld"]) == (5, 4.0, None)
    assert {row["value"]: row["count"] for row in first["distribution"]} == {"1": 0, "2": 1, "3": 0, "4": 2, "5": 2}
    # Four people chose an option: no figure, and why.
    assert (second["answered"], second["distribution"], second["withheld"] is not None) == (4, [], True)
