"""What the evaluation holds about a person (see network/auth/personal_data.py).

The surveys sent to a person (their invitations, with the answers they saved and had not sent yet) and their named
responses are theirs: exported and erased. An anonymous response holds nothing that leads back to its author (no
person, invitation, visit or time: network/evaluation/models.py), so it can be neither exported nor erased as
theirs: it stays in the survey's figures, as the survey told them before they answered. Their sessions back home
are theirs: exported and erased with their files. What they wrote for the partnership (surveys, targets, the report's
draft and published versions) stays with it, the person unlinked.
"""
from __future__ import annotations

from sqlalchemy import delete, select, update

from network import uploads
from network.evaluation.dissemination import FOLDER
from network.evaluation.models import (
    DisseminationSession,
    ReportDraft,
    ReportVersion,
    SessionMaterial,
    Survey,
    SurveyInvitation,
    SurveyResponse,
    Target,
)
from network.extensions import db
from network.i18n import localized

TABLES = {
    "evaluation_survey_invitations": "exported (the survey, what it was about, when it was sent, reminded and "
                                     "closes, whether they answered, the answers saved and not sent); kept "
                                     "without the person and without those answers (the survey's response rate "
                                     "still counts them)",
    "evaluation_survey_responses": "exported (their named responses, with the answers); erased. Anonymous "
                                   "responses hold no link to anyone: neither exported nor erased",
    "evaluation_sessions": "exported (their sessions back home: date, format, people reached, roles, what was "
                           "shared, practices, essay, files); erased with their files",
    "evaluation_surveys": "kept (the surveys they created) for the partnership, the person unlinked",
    "evaluation_targets": "kept (the targets they set), the person unlinked",
    "evaluation_report_drafts": "kept (the report's draft they last saved), the person unlinked",
    "evaluation_report_versions": "kept (the versions they published), the person unlinked",
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _title(survey: Survey) -> str:
    return localized(survey.title).text


def export(user) -> dict:
    invitations = db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.user_id == user.id)
                                     .order_by(SurveyInvitation.id))
    responses = db.session.scalars(select(SurveyResponse).where(SurveyResponse.respondent_id == user.id)
                                   .order_by(SurveyResponse.submitted_at))
    sessions = db.session.scalars(select(DisseminationSession).where(DisseminationSession.user_id == user.id)
                                  .order_by(DisseminationSession.held_on, DisseminationSession.id))
    created = db.session.scalars(select(Survey).where(Survey.created_by_id == user.id).order_by(Survey.id))
    return {
        "survey_invitations": [{
            "survey": _title(i.survey), "about": i.subject_kind, "about_id": i.subject_id, "sent_at": _iso(i.sent_at),
            "reminded_at": _iso(i.reminded_at), "closes_on": _iso(i.closes_on), "answered": i.answered,
            "answers_not_sent": i.draft or {},
        } for i in invitations],
        "survey_responses": [{
            "survey": _title(r.survey), "submitted_at": _iso(r.submitted_at), "answers": r.answers,
        } for r in responses],
        "sessions_back_home": [{
            "visit": s.visit_id, "held_on": _iso(s.held_on), "format": s.format, "people_reached": s.people_reached,
            "audience": s.audience, "summary": s.summary, "essay": s.essay_id,
            "practices": [p.title for p in s.practices],
            "files": [{"name": m.filename, "type": m.content_type, "size": m.size, "added_at": _iso(m.created_at)}
                      for m in s.materials],
        } for s in sessions],
        "surveys_created": [{"survey": _title(s), "partnership": s.partnership_id, "created_at": _iso(s.created_at)}
                            for s in created],
    }


def erase(user) -> None:
    from network.auth.services import after_account_deletion

    stored = list(db.session.scalars(select(SessionMaterial.stored_name).join(DisseminationSession)
                                     .where(DisseminationSession.user_id == user.id)))
    db.session.execute(delete(SurveyResponse).where(SurveyResponse.respondent_id == user.id))
    db.session.execute(update(SurveyInvitation).where(SurveyInvitation.user_id == user.id)
                       .values(user_id=None, draft={}, draft_section=0)
                       .execution_options(synchronize_session=False))
    for session in db.session.scalars(select(DisseminationSession).where(DisseminationSession.user_id == user.id)):
        db.session.delete(session)  # with its materials' rows and its links to practices
    for model, column in ((Survey, Survey.created_by_id), (Target, Target.updated_by_id),
                          (ReportDraft, ReportDraft.updated_by_id), (ReportVersion, ReportVersion.published_by_id)):
        db.session.execute(update(model).where(column == user.id).values({column.key: None})
                           .execution_options(synchronize_session=False))
    db.session.flush()
    if stored:
        after_account_deletion(lambda: uploads.remove_files(FOLDER, stored))
