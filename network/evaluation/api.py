"""The evaluation as the JSON API shows it (GET /api/v1/partnerships/<id>/indicators, /api/v1/surveys and
/api/v1/surveys/<id>/results, for coordinators and evaluators).

The routes live in network/api/views.py with the rest of /api/v1; this module reads and serialises, by the pages'
rules: permissions.can_read_indicators and can_read_survey_results decide, and an anonymous survey (or a host's
group) with fewer than surveys.MIN_GROUP answers gives `enough: false` and no figure at all.
"""
from __future__ import annotations

from sqlalchemy import select

from network import permissions
from network.evaluation import indicators as indicator_service
from network.evaluation import surveys
from network.evaluation.models import SCALE, Survey
from network.extensions import db
from network.i18n import localized


def indicators_to_json(partnership) -> list[dict]:
    """Each target kind with the partnership's target, what is done, what was due by today, and per institution."""
    return [{
        "kind": indicator.kind,
        "target": indicator.target,
        "done": indicator.done,
        "expected": indicator.expected,
        "late": indicator.late,
        "institutions": [{"id": row.institution_id, "name": row.name, "target": row.target, "done": row.done,
                          "late": row.late} for row in indicator.institutions],
    } for indicator in indicator_service.indicators(partnership)]


def readable_surveys(user, partnership_id: int | None = None) -> list[Survey]:
    """The partnerships' surveys (not templates) whose results this person may read, newest first."""
    query = select(Survey).where(Survey.partnership_id.is_not(None))
    if partnership_id is not None:
        query = query.where(Survey.partnership_id == partnership_id)
    query = query.order_by(Survey.created_at.desc(), Survey.id.desc())
    return [survey for survey in db.session.scalars(query) if permissions.can_read_survey_results(user, survey)]


def survey_to_json(survey: Survey, counts: tuple[int, int]) -> dict:
    sent, answered = counts
    return {
        "id": survey.id,
        "partnership": {"id": survey.partnership.id, "reference": survey.partnership.reference},
        "title": str(localized(survey.title)),
        "moment": survey.moment,
        "anonymous": survey.anonymous,
        "status": survey.status,
        "opened_on": survey.opened_on.isoformat() if survey.opened_on else None,
        "sent": sent,
        "answered": answered,
    }


def _distribution(question, result) -> list[dict]:
    if question.kind == SCALE:
        return [{"value": value, "label": value, "count": count} for value, count in result.distribution]
    return [{"value": value, "label": str(surveys.option_label(question, value)), "count": count}
            for value, count in result.distribution]


def results_to_json(survey: Survey, host_institution_id: int | None = None) -> dict:
    result = surveys.results(survey, host_institution_id=host_institution_id, with_names=not survey.anonymous)
    body = {
        "survey": survey_to_json(survey, (result.sent, result.answered)),
        "host": host_institution_id,
        "enough": result.enough,
        "minimum": surveys.MIN_GROUP if survey.anonymous else None,
    }
    if not result.enough:
        return {**body, "questions": []}
    return {**body, "questions": [{
        "id": row.question.id,
        "kind": row.question.kind,
        "text": str(localized(row.question.text)),
        "answered": row.answered,
        "mean": round(row.mean, 4) if row.mean is not None else None,
        "distribution": _distribution(row.question, row),
        "texts": [{"respondent": name, "text": text} for name, text in row.texts],
        "withheld": str(surveys.withheld_text(row)) if row.withheld else None,
    } for row in result.questions]}
