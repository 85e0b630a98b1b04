"""The self-assessment's rules, computed by hand: a result's scores and levels, the index, strengths and what to
work on, the change over time across versions, a group's aggregates (and none for 4 people), and an anonymous
taker's answers never stored."""
from __future__ import annotations

import pytest

from network.extensions import db
from network.self_assessment import services
from network.self_assessment.models import AssessmentAnswer, AssessmentResult, ResultScore
from self_assessment_helpers import TINY, at, completed_result, statement_ids, tiny_questionnaire


def test_a_result_computed_by_hand(app, make_user):
    questionnaire = tiny_questionnaire()
    person = make_user()
    # safety: 4 and 3 -> mean 3.5 of 4 -> 87.5 -> 88 (expert); mediation: 1, 0 and "does not apply" -> mean 0.5
    # -> 12.5 -> 12 (foundation); the index: the mean of 88 and 12 = 50.
    result = completed_result(person, questionnaire, {"safety-1": 4, "safety-2": 3, "mediation-1": 1,
                                                      "mediation-2": 0, "mediation-3": None})
    scores = {s.dimension_code: s.score for s in result.scores}
    assert scores == {"safety": 88, "mediation": 12}
    assert result.overall == 50
    shown = services.result_profile(result)
    assert [(d.code, d.score, d.level.code) for d in shown.dimensions] == [
        ("safety", 88, "expert"), ("mediation", 12, "foundation")]
    assert [d.code for d in shown.strengths] == ["safety"]
    assert [d.code for d in shown.to_work_on] == ["mediation"]
    assert shown.overall_level.code == "intermediate"


def test_completing_needs_every_statement(app, make_user):
    questionnaire = tiny_questionnaire()
    result = services.start(make_user(), "student")
    ids = statement_ids(questionnaire)
    services.save_answers(result, {ids["safety-1"]: 3})
    with pytest.raises(services.ServiceError):
        services.complete(result)
    assert result.completed_at is None


def test_change_since_last_and_first_uses_the_statements_both_versions_share(app, make_user):
    first_version = tiny_questionnaire()
    person = make_user()
    completed_result(person, first_version, {"safety-1": 0, "safety-2": 0, "mediation-1": 0}, when=at(2025, 1))
    completed_result(person, first_version, {"safety-1": 2, "safety-2": 2, "mediation-1": 1}, when=at(2025, 6))
    # Version 2 drops safety-2 and adds safety-3: safety compares on safety-1 alone.
    data = dict(TINY)
    data["dimensions"] = [dict(TINY["dimensions"][0], statements=[
        TINY["dimensions"][0]["statements"][0], {"code": "safety-3", "text": {"en": "I update my phone"}}]),
        TINY["dimensions"][1]]
    second_version = services.publish(services.import_questionnaire(data))
    latest = completed_result(person, second_version, {"safety-1": 4, "safety-3": 0, "mediation-1": 2},
                              when=at(2026, 1))
    shown = services.result_profile(latest)
    safety = next(d for d in shown.dimensions if d.code == "safety")
    # safety-1 alone: 100 now, 50 last time, 0 the first time.
    assert (safety.since_last, safety.since_first) == (50, 100)
    mediation = next(d for d in shown.dimensions if d.code == "mediation")
    # mediation-1, -2, -3 shared; given (2, 2, 2) now; (1, 2, 2) last time -> 41.67 -> 42 vs 50: +8; first time
    # (0, 2, 2) -> 33 -> +17.
    assert (mediation.since_last, mediation.since_first) == (8, 17)


def test_an_aggregate_computed_by_hand_and_none_for_four_people(app, make_user, make_institution):
    questionnaire = tiny_questionnaire()
    institution = make_institution()
    people = [make_user(institution=institution) for _ in range(5)]
    safety_points = [0, 1, 2, 3, 4]  # both safety statements: scores 0, 25, 50, 75, 100
    for person, point in zip(people, safety_points):
        # An older result of each person does not count: each person's newest one does.
        completed_result(person, questionnaire, {"safety-1": 4, "safety-2": 4}, when=at(2025, 1))
        completed_result(person, questionnaire, {"safety-1": point, "safety-2": point}, when=at(2025, 7))
    group = services.Group("institution", str(institution.id))
    figures = services.aggregate(group)
    assert figures.count == 5 and figures.enough
    safety = figures.dimension("safety")
    assert safety.mean == 50.0 and safety.count == 5
    assert safety.distribution == {"foundation": 2, "intermediate": 1, "advanced": 1, "expert": 1}
    assert safety.needing == 2  # 0 and 25 are below intermediate (40)
    assert [p.label for p in figures.periods] == ["2025-Q1", "2025-Q3"]
    assert figures.periods[0].means["safety"] == 100.0 and figures.periods[1].means["safety"] == 50.0
    assert services.training_needs(group)[0].code == "safety"

    db.session.delete(people[0])
    db.session.flush()
    four = services.aggregate(group)
    assert four.count == 4 and not four.enough
    assert all(d.mean is None and not d.distribution for d in four.dimensions)
    assert four.periods == [] and services.training_needs(group) == []


def test_an_anonymous_takers_answers_are_never_stored(app, client):
    questionnaire = tiny_questionnaire()
    ids = statement_ids(questionnaire)
    with app.test_request_context():
        sitting = services.start_anonymous("professional")
        services.save_anonymous_answers(sitting, {statement_id: 3 for statement_id in ids.values()})
        services.complete_anonymous(sitting)
        shown = services.profile(questionnaire, sitting.answers)
        assert shown.overall == 75
    assert db.session.query(AssessmentResult).count() == 0
    assert db.session.query(AssessmentAnswer).count() == 0
    assert db.session.query(ResultScore).count() == 0


def test_recommendations_are_what_the_reader_may_see_ranked_by_the_index(app, make_user, make_institution,
                                                                         make_practice):
    from flask_login import AnonymousUserMixin

    from network.search import sync

    questionnaire = tiny_questionnaire()
    mediation = next(d for d in questionnaire.dimensions if d.code == "mediation")
    owner = make_institution()
    make_practice(owner, title="Helping families with online procedures for benefits", status="published",
                  visibility="public")
    make_practice(owner, title="Online procedures clinic for members", status="published", visibility="members")
    make_practice(owner, title="Gardening with grandparents", status="published", visibility="public")
    sync.drain_all()
    with app.test_request_context():
        seen = services.recommendations(AnonymousUserMixin(), mediation)
        assert [(r.doc_type, r.title) for r in seen] == [
            ("practice", "Helping families with online procedures for benefits")]
        assert "/practices/" in seen[0].url
        member = make_user(institution=owner)
        titles = {r.title for r in services.recommendations(member, mediation)}
        assert titles == {"Helping families with online procedures for benefits",
                          "Online procedures clinic for members"}


def test_a_quarter_that_differs_from_the_whole_by_one_result_is_not_shown(app, make_user, make_institution):
    """Six people: five answered in the third quarter, one only in the first. The whole (six) minus the third
    quarter (five) would tell the sixth person's scores, so the third quarter's figures are not shown."""
    questionnaire = tiny_questionnaire()
    institution = make_institution()
    for point in (0, 1, 2, 3, 4):
        completed_result(make_user(institution=institution), questionnaire, {"safety-1": point}, when=at(2025, 8))
    completed_result(make_user(institution=institution), questionnaire, {"safety-1": 4}, when=at(2025, 2))
    figures = services.aggregate(services.Group("institution", str(institution.id)))
    assert figures.enough and figures.count == 6
    assert [(p.label, p.means) for p in figures.periods] == [("2025-Q1", {}), ("2025-Q3", {})]


def test_a_partnership_is_withheld_when_its_small_institutions_could_be_subtracted(app, exchange, make_user):
    questionnaire = tiny_questionnaire()
    for point in (0, 1, 2, 3, 4):
        completed_result(make_user(institution=exchange.seville), questionnaire, {"safety-1": point})
    lonely = completed_result(make_user(institution=exchange.arad), questionnaire, {"safety-1": 4})
    partnership = services.Group("partnership", str(exchange.partnership.id))
    assert not services.aggregate(partnership).enough and not services.aggregate(partnership).too_few
    for point in (0, 1, 2, 3):  # Arad reaches five: each institution can be shown, and so can the whole
        completed_result(make_user(institution=exchange.arad), questionnaire, {"safety-1": point})
    assert services.aggregate(partnership).enough and lonely.institution_id == exchange.arad.id


def test_group_figures_read_every_version_through_the_current_ones_statements(app, make_user, make_institution):
    """A new version renames a dimension (its statements keep their codes): the older results still count for
    it, through the statements both versions share."""
    first = tiny_questionnaire()
    institution = make_institution()
    for point in (0, 1, 2, 3, 4):
        completed_result(make_user(institution=institution), first, {"mediation-1": point, "mediation-2": point,
                                                                      "mediation-3": point})
    renamed = dict(TINY["dimensions"][1], code="digital-mediation")
    services.publish(services.import_questionnaire(dict(TINY, dimensions=[TINY["dimensions"][0], renamed])))
    figures = services.aggregate(services.Group("institution", str(institution.id)))
    assert figures.dimension("digital-mediation").mean == 50.0 and figures.dimension("digital-mediation").count == 5
