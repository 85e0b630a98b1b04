"""What mobility holds about a person (see network/auth/personal_data.py).

Applications (with their motivations) and the visits made of them are the applicant's: both are erased,
with the visits' programmes, reminders and waiting-list places; a visit's place at its host is free again,
and a job-shadowing event recorded for a completed visit stays (without the visit) for the essays written
about it (the erasers of essays and events, run before this one, take the reminders and unlink the events). The
database would have cascaded them anyway; erasing them here, through the session, takes their search documents
out of the index with them. Decisions and bookings the person made for others stay, shown as by a former member;
the audit log and others' notifications keep what happened to the application and visits, without the name.
"""
from __future__ import annotations

from sqlalchemy import delete, select

from network import audit
from network.extensions import db
from network.mobility import reasons
from network.mobility.models import CalendarFeed, MobilityApplication, Visit, WaitingListEntry

TABLES = {
    "mobility_applications": "exported (with motivations, interests, languages, preferred hosts, weeks); "
                             "erased with their waiting-list places; decisions made for others kept, "
                             "shown as by a former member",
    "visits": "exported (with their programmes); the person's visits erased (their place is free again, the "
              "search index drops them, a completed visit's event stays without it); visits they booked for "
              "others kept, booker emptied",
}
TABLES_WITHOUT_FOREIGN_KEY = {
    "calendar_feeds": "the person's feed (owner_kind 'user'): exported (its date, never its secret); erased",
}
USER_FEED = "user"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _applications_of(user) -> list[MobilityApplication]:
    return list(db.session.scalars(select(MobilityApplication).where(MobilityApplication.user_id == user.id)
                                   .order_by(MobilityApplication.created_at, MobilityApplication.id)))


def _visits_of(user) -> list[Visit]:
    return list(db.session.scalars(select(Visit).where(Visit.visitor_id == user.id)
                                   .order_by(Visit.week_start, Visit.id)))


def export(user) -> dict:
    decided = db.session.scalars(select(MobilityApplication).where(MobilityApplication.decided_by_id == user.id)
                                 .order_by(MobilityApplication.decided_at, MobilityApplication.id))
    booked = db.session.scalars(select(Visit).where(Visit.created_by_id == user.id)
                                .order_by(Visit.created_at, Visit.id))
    feeds = db.session.scalars(select(CalendarFeed).where(CalendarFeed.owner_kind == USER_FEED,
                                                          CalendarFeed.owner_id == user.id))
    return {
        "applications": [
            {"id": a.id, "partnership": a.partnership.reference, "institution": a.institution.name,
             "motivation": a.motivation, "interests": a.interest_names, "languages": a.languages,
             "preferred_hosts": [p.host.name for p in a.preferences],
             "weeks": [_iso(w) for w in a.available_weeks], "status": a.status,
             "decision_note": a.decision_note, "decided_at": _iso(a.decided_at),
             "created_at": _iso(a.created_at), "updated_at": _iso(a.updated_at)}
            for a in _applications_of(user)
        ],
        "visits": [
            {"id": v.id, "partnership": v.partnership.reference, "host": v.host.name,
             "week_start": _iso(v.week_start), "status": v.status, "match_reasons": "; ".join(reasons.shown(v)),
             "cancel_reason": v.cancel_reason, "confirmed_at": _iso(v.confirmed_at),
             "completed_at": _iso(v.completed_at), "cancelled_at": _iso(v.cancelled_at),
             "programme": [{"day": a.day, "kind": a.kind, "description": a.description} for a in v.activities]}
            for v in _visits_of(user)
        ],
        "applications_decided": [{"application_id": a.id, "status": a.status, "decided_at": _iso(a.decided_at)}
                                 for a in decided],
        "visits_booked": [{"visit_id": v.id, "week_start": _iso(v.week_start), "created_at": _iso(v.created_at)}
                          for v in booked],
        "calendar_feeds": [{"created_at": _iso(f.created_at)} for f in feeds],
    }


def erase(user) -> None:
    from network.auth.personal_data import names, without_name
    from network.auth.services import FORMER_MEMBER
    from network.practices.personal_data import forget_name_in_notifications

    applications, visits = _applications_of(user), _visits_of(user)
    application_ids = [a.id for a in applications]
    visit_ids = [v.id for v in visits]
    # The audit log keeps what was done with them, without the name ("Ana Pérez in 2025-1-ES01...").
    for target_type, ids in (("mobilityapplication", application_ids), ("visit", visit_ids)):
        if not ids:
            continue
        for entry in db.session.scalars(select(audit.AuditEntry).where(
                audit.AuditEntry.target_type == target_type, audit.AuditEntry.target_id.in_(ids))):
            entry.target_label = (without_name(entry.target_label, user.name)
                                  if names(entry.target_label, user.name) else FORMER_MEMBER)[:300]
    links = {f"/mobility/applications/{i}" for i in application_ids} | {f"/mobility/visits/{i}" for i in visit_ids}
    forget_name_in_notifications(user, lambda link: link in links)
    # (The essays' eraser took the visits' reminders, and events' eraser unlinked their events, before this one.)
    if application_ids:
        db.session.execute(delete(WaitingListEntry).where(WaitingListEntry.application_id.in_(application_ids)))
    for visit in visits:  # before the applications they were made of
        db.session.delete(visit)
    db.session.flush()
    for application in applications:
        db.session.delete(application)
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.owner_kind == USER_FEED,
                                                  CalendarFeed.owner_id == user.id))
