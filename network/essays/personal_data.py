"""What essays hold about a person (see network/auth/personal_data.py).

An essay published for the network, under its author's name or anonymously, stays in the archive, shown as
by a former member (or, anonymous, by a professional from its country): others read, cite and collect it.
Everything else the person wrote is private — drafts, essays submitted or returned, essays published only
for the evaluators — and is erased with the evaluators' assessments of it and the text rescued for it.
Assessments the person wrote as an evaluator stay, shown as by a former member.
"""
from __future__ import annotations

from sqlalchemy import delete, select, update

from network import audit
from network.essays.models import (
    ANONYMOUS,
    NAMED,
    PUBLISHED,
    Assessment,
    Essay,
    EssayReminder,
    RescuedText,
)
from network.extensions import db
from network.mobility.models import Visit

TABLES = {
    "essays": "exported; published under their name or anonymously: kept, shown as by a former member "
              "(anonymous ones as before); drafts, submitted, returned and evaluator-only essays: erased with "
              "their assessments; essays they reviewed kept, reviewer emptied",
    "assessments": "exported (those they wrote as an evaluator); kept, shown as by a former member",
}
TABLES_WITHOUT_FOREIGN_KEY = {
    "rescued_texts": "the text rescued for one of their essays: exported; erased (text rescued for an essay "
                     "not yet started names no one and expires within two days)",
}
# How an essay stays in the archive when its author leaves (its `display` then no longer changes).
KEPT_DISPLAYS = (NAMED, ANONYMOUS)


def stays(essay: Essay) -> bool:
    """Published for the network: kept (as by a former member) when its author deletes their account."""
    return essay.status == PUBLISHED and essay.display in KEPT_DISPLAYS


def essays_of(user) -> list[Essay]:
    return list(db.session.scalars(select(Essay).where(Essay.author_id == user.id)
                                   .order_by(Essay.created_at, Essay.id)))


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _rescued(essay_ids: list[int]) -> list[RescuedText]:
    if not essay_ids:
        return []
    return list(db.session.scalars(select(RescuedText).where(RescuedText.essay_id.in_(essay_ids))
                                   .order_by(RescuedText.created_at, RescuedText.id)))


def export(user) -> dict:
    essays = essays_of(user)
    assessments = db.session.scalars(select(Assessment).where(Assessment.evaluator_id == user.id)
                                     .order_by(Assessment.created_at, Assessment.id))
    reviewed = db.session.scalars(select(Essay).where(Essay.reviewed_by_id == user.id).order_by(Essay.id))
    return {
        "essays": [
            {"id": e.id, "event": e.event.title, "title": e.title, "body": e.body, "language": e.language,
             "word_count": e.word_count, "status": e.status, "display": e.display,
             "practices": [p.id for p in e.practices], "return_comment": e.return_comment,
             "created_at": _iso(e.created_at), "updated_at": _iso(e.updated_at),
             "submitted_at": _iso(e.submitted_at), "published_at": _iso(e.published_at)}
            for e in essays
        ],
        "assessments_written": [
            {"essay_id": a.essay_id, "notes": a.notes,
             "scores": {s.criterion.name: s.score for s in a.scores},
             "tags": [{"kind": t.kind, "name": t.name} for t in a.tags],
             "created_at": _iso(a.created_at), "updated_at": _iso(a.updated_at)}
            for a in assessments
        ],
        "essays_reviewed": [{"essay_id": e.id, "status": e.status} for e in reviewed],
        "rescued_texts": [{"essay_id": r.essay_id, "fields": r.fields, "created_at": _iso(r.created_at)}
                          for r in _rescued([e.id for e in essays])],
    }


def erase(user) -> None:
    from network.auth.services import FORMER_MEMBER

    essays = essays_of(user)
    erased = [essay for essay in essays if not stays(essay)]
    for row in _rescued([essay.id for essay in essays]):
        db.session.delete(row)
    # The audit log keeps what happened to an erased essay, not its title.
    if erased:
        db.session.execute(update(audit.AuditEntry).where(
            audit.AuditEntry.target_type == "essay", audit.AuditEntry.target_id.in_([e.id for e in erased]))
            .values(target_label=FORMER_MEMBER))
    for essay in erased:
        db.session.delete(essay)  # its assessments go with it; the search index drops it
    # Their visits go (mobility's eraser, after events'): the reminders about them go first. (Events' eraser,
    # next, erases their attendance and keeps a visit's event, without the visit, for the essays about it.)
    visits = select(Visit.id).where(Visit.visitor_id == user.id).scalar_subquery()
    db.session.execute(delete(EssayReminder).where(EssayReminder.visit_id.in_(visits)))
