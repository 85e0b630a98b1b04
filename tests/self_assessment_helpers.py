"""Questionnaires for the self-assessment's tests: a tiny one whose results are easy to compute by hand, and
the network's standard one (network/self_assessment/standard_questionnaire.json)."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

from network.extensions import db
from network.self_assessment import services
from network.self_assessment.models import AssessmentResult, ResultScore

TINY = {
    "format": services.EXCHANGE_FORMAT,
    "title": {"en": "Tiny self-assessment", "es": "Autoevaluación mínima"},
    "scale": {"en": ["Not at all", "A little", "Fairly well", "Well", "I could teach it"],
              "es": ["Nada", "Un poco", "Bastante", "Bien", "Podría enseñarlo"]},
    "not_applicable": {"en": "Does not apply", "es": "No se aplica"},
    "levels": [
        {"code": "foundation", "minimum": 0, "name": {"en": "Foundation"}, "description": {"en": "You start."}},
        {"code": "intermediate", "minimum": 40, "name": {"en": "Intermediate"}, "description": {"en": "You manage."}},
        {"code": "advanced", "minimum": 65, "name": {"en": "Advanced"}, "description": {"en": "You are at ease."}},
        {"code": "expert", "minimum": 85, "name": {"en": "Expert"}, "description": {"en": "You could teach it."}},
    ],
    "dimensions": [
        {"code": "safety", "name": {"en": "Safety and privacy", "es": "Seguridad y privacidad"},
         "description": {"en": "Keeping people's data safe."}, "keywords": {"en": "privacy password data"},
         "statements": [{"code": "safety-1", "text": {"en": "I can tell a phishing message from a real one",
                                                      "es": "Distingo un mensaje de phishing de uno real"}},
                        {"code": "safety-2", "text": {"en": "I can choose a strong password"}}]},
        {"code": "mediation", "name": {"en": "Digital mediation"}, "description": {"en": "Helping online."},
         "keywords": {"en": "online procedures benefits"},
         "statements": [{"code": "mediation-1", "text": {"en": "I can help someone renew a document online"}},
                        {"code": "mediation-2", "text": {"en": "I can book an appointment online with someone"}},
                        {"code": "mediation-3", "text": {"en": "I can explain an online form"}}]},
    ],
}


def tiny_questionnaire(**changes):
    """The tiny questionnaire, published as the current version (changes: top-level keys replaced)."""
    data = copy.deepcopy(TINY)
    data.update(changes)
    return services.publish(services.import_questionnaire(data))


def standard_questionnaire():
    return services.load_standard()


def statement_ids(questionnaire) -> dict[str, int]:
    return {s.code: s.id for s in questionnaire.statements}


def completed_result(user, questionnaire, values: dict[str, int | None], *, role="professional", when=None,
                     invitation=None) -> AssessmentResult:
    """A completed result of `user` with these answers by statement code (every statement not given: 2), finished
    at `when` (default now)."""
    ids = statement_ids(questionnaire)
    answers = {ids[code]: values.get(code, 2) for code in ids}
    result = AssessmentResult(user_id=user.id, questionnaire_id=questionnaire.id, role=role,
                              invitation_id=invitation.id if invitation else None)
    db.session.add(result)
    db.session.flush()
    services.save_answers(result, answers)
    services.complete(result)
    if when is not None:
        result.completed_at = when if when.tzinfo else when.replace(tzinfo=timezone.utc)
        result.started_at = result.completed_at
    db.session.commit()
    return result


def at(year: int, month: int, day: int = 15) -> datetime:
    return datetime(year, month, day, 12, 0, tzinfo=timezone.utc)


__all__ = ["TINY", "tiny_questionnaire", "standard_questionnaire", "statement_ids", "completed_result", "at",
           "ResultScore"]
