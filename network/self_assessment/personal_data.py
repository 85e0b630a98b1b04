"""What the self-assessment holds about a person (see network/auth/personal_data.py).

Results are the person's own: exported with every answer and score, and erased with the account (the group
aggregates they counted in lose them, as if they had never answered). Invitations a coordinator created stay
for their group, without the link to them.
"""
from __future__ import annotations

from sqlalchemy import delete, select, update

from network.extensions import db
from network.self_assessment.models import AssessmentInvitation, AssessmentResult
from network.self_assessment.services import answers_of

TABLES = {
    "self_assessment_results": "exported (version, role, dates, overall index, each statement's code and point on "
                               "the scale, the score per dimension); erased, with their answers and scores",
    "self_assessment_invitations": "exported (the invitations they created: group, moment, label); kept for the group, "
                              "the person unlinked",
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export(user) -> dict:
    results = db.session.scalars(select(AssessmentResult).where(AssessmentResult.user_id == user.id)
                                 .order_by(AssessmentResult.started_at, AssessmentResult.id))
    invitations = db.session.scalars(select(AssessmentInvitation).where(AssessmentInvitation.created_by_id == user.id)
                                     .order_by(AssessmentInvitation.id))
    exported = []
    for result in results:
        codes = {s.id: s.code for s in result.questionnaire.statements}
        exported.append({
            "questionnaire_version": result.questionnaire.version, "role": result.role,
            "started_at": _iso(result.started_at), "completed_at": _iso(result.completed_at),
            "overall": result.overall, "invitation": result.invitation.label if result.invitation else None,
            "answers": {codes.get(statement_id, str(statement_id)): value
                        for statement_id, value in sorted(answers_of(result).items())},
            "scores": {score.dimension_code: score.score for score in result.scores},
        })
    return {"results": exported,
            "invitations_created": [{"partnership_id": i.partnership_id, "event_id": i.event_id, "phase": i.phase,
                                     "label": i.label, "created_at": _iso(i.created_at)} for i in invitations]}


def erase(user) -> None:
    db.session.execute(delete(AssessmentResult).where(AssessmentResult.user_id == user.id))
    db.session.execute(update(AssessmentInvitation).where(AssessmentInvitation.created_by_id == user.id)
                       .values(created_by_id=None))
