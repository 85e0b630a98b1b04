"""Sessions back home: after a completed visit, the visitor records how they passed on what they learned (a team
meeting, a training...), to whom, what they shared, with the practices, their essay and the materials they used.
Four weeks after the visit, a visitor who recorded nothing is asked once (remind, run every morning).

Every write here checks its permission and commits once; a material's file is written before the commit and removed
again if it fails (network.uploads.writing), and a deleted session's files go once the deletion is committed.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from network import permissions, uploads
from network.auth.models import User
from network.errors import ServiceError
from network.essays.models import Essay
from network.evaluation.models import (
    AUDIENCE_ROLES,
    SESSION_FORMATS,
    DisseminationSession,
    SessionMaterial,
    SessionReminder,
)
from network.extensions import db
from network.mobility import weeks
from network.mobility.models import COMPLETED, MobilityApplication, Visit, week_end
from network.notifications import services as notifications
from network.practices.models import PUBLISHED, Practice

FOLDER = "evaluation"  # materials, under UPLOAD_FOLDER
KINDS = uploads.DOCUMENTS  # what practices' attachments accept
NOTIFICATION = "evaluation"  # the notifications' kind
REMIND_AFTER = timedelta(days=28)  # four weeks after the visit's last day
REMIND_UNTIL = timedelta(days=180)  # no reminder about a visit that ended longer ago
PEOPLE_MAX = 10_000
SUMMARY_MAX = 20_000
MAX_MATERIALS = 10  # per session
MAX_PRACTICES = 30  # linked to one session
CHOICES_PER_GROUP = 100  # practices offered in the form beyond the host's and the visitor's institution's

FORMAT_LABELS = {
    "team_meeting": _l("Team meeting"),
    "training": _l("Training"),
    "supervision": _l("Supervision"),
    "conference": _l("Conference"),
    "other": _l("Other format"),
}
ROLE_LABELS = {
    "social_workers": _l("Social workers"),
    "family_therapists": _l("Family therapists"),
    "psychologists": _l("Psychologists"),
    "educators": _l("Educators"),
    "managers": _l("Managers"),
    "students": _l("Students"),
    "volunteers": _l("Volunteers"),
    "other": _l("Other roles"),
}
assert tuple(FORMAT_LABELS) == SESSION_FORMATS and tuple(ROLE_LABELS) == AUDIENCE_ROLES


# --- reading ----------------------------------------------------------------------------------------------------


def last_day(visit: Visit) -> date:
    """The day a visit ended: its Friday, or the day it was marked completed if that came later."""
    friday = week_end(visit.week_start)
    completed = visit.completed_at.date() if visit.completed_at else None
    return max(friday, completed) if completed else friday


def _with_details(query):
    """Sessions with what their lists show, loaded together (no query per session)."""
    return query.options(selectinload(DisseminationSession.practices), selectinload(DisseminationSession.materials),
                         selectinload(DisseminationSession.essay),
                         selectinload(DisseminationSession.visit).selectinload(Visit.application)
                         .selectinload(MobilityApplication.institution),
                         selectinload(DisseminationSession.visit).selectinload(Visit.host),
                         selectinload(DisseminationSession.visit).selectinload(Visit.partnership),
                         selectinload(DisseminationSession.user))


def get_session(session_id: int) -> DisseminationSession | None:
    return db.session.get(DisseminationSession, session_id)


def get_material(session: DisseminationSession, material_id: int) -> SessionMaterial | None:
    material = db.session.get(SessionMaterial, material_id)
    return material if material is not None and material.session_id == session.id else None


def sessions_of_visit(visit: Visit) -> list[DisseminationSession]:
    """The visitor's sessions back home after this visit, by date."""
    return list(db.session.scalars(_with_details(select(DisseminationSession).where(
        DisseminationSession.visit_id == visit.id).order_by(DisseminationSession.held_on, DisseminationSession.id))))


def sessions_of_partnership(partnership) -> list[DisseminationSession]:
    """The sessions back home after the partnership's completed visits, by date."""
    return list(db.session.scalars(_with_details(
        select(DisseminationSession).join(Visit, DisseminationSession.visit_id == Visit.id)
        .where(Visit.partnership_id == partnership.id, Visit.status == COMPLETED)
        .order_by(DisseminationSession.held_on, DisseminationSession.id))))


def sessions_of_institution(institution, viewer) -> list[DisseminationSession]:
    """The sessions recorded by visitors sent by this institution (their application's institution) that the
    viewer may see, the latest first."""
    if not getattr(viewer, "is_authenticated", False):
        return []
    found = db.session.scalars(_with_details(
        select(DisseminationSession).join(Visit, DisseminationSession.visit_id == Visit.id)
        .join(MobilityApplication, Visit.application_id == MobilityApplication.id)
        .where(MobilityApplication.institution_id == institution.id, Visit.status == COMPLETED)
        .order_by(DisseminationSession.held_on.desc(), DisseminationSession.id.desc())))
    return [session for session in found if permissions.can_view_session(viewer, session)]


@dataclass
class SessionTotals:
    """What the sessions back home add up to (the dashboard's panel, the final report)."""

    sessions: int = 0
    people_reached: int = 0
    by_format: list[tuple[str, int]] = field(default_factory=list)  # (format, sessions), in SESSION_FORMATS order
    by_role: list[tuple[str, int]] = field(default_factory=list)  # (role, sessions that reached it), AUDIENCE_ROLES
    reached_by_format: list[tuple[str, int]] = field(default_factory=list)  # (format, people), SESSION_FORMATS
    visitors: int = 0  # visitors who recorded at least one session
    completed_visits: int = 0  # the partnership's completed visits (totals_of_partnership)


def totals(sessions, completed_visits: int = 0) -> SessionTotals:
    """Sessions, people reached (also per format), sessions per format and per audience role, and the visitors who
    recorded one."""
    formats = Counter(session.format for session in sessions)
    reached = Counter()
    for session in sessions:
        reached[session.format] += session.people_reached or 0
    roles = Counter(role for session in sessions for role in session.audience)
    return SessionTotals(
        sessions=len(sessions), people_reached=sum(session.people_reached or 0 for session in sessions),
        by_format=[(code, formats[code]) for code in SESSION_FORMATS],
        by_role=[(code, roles[code]) for code in AUDIENCE_ROLES],
        reached_by_format=[(code, reached[code]) for code in SESSION_FORMATS],
        visitors=len({session.user_id for session in sessions}),
        completed_visits=completed_visits)


def totals_of_partnership(partnership) -> SessionTotals:
    """totals() of the partnership's sessions, with its number of completed visits."""
    completed = db.session.scalar(select(func.count(Visit.id)).where(
        Visit.partnership_id == partnership.id, Visit.status == COMPLETED)) or 0
    return totals(sessions_of_partnership(partnership), completed)


def practice_choices(visit: Visit, session: DisseminationSession | None = None) -> list[Practice]:
    """The practices a session can link: those already linked, then the published practices of the visit's host
    and of the visitor's institution, then the most recently published others (CHOICES_PER_GROUP), which the
    visitor may see."""
    from network.practices.services import visible_to

    visitor = visit.visitor
    near = (visit.host_institution_id, visit.application.institution_id)
    published = (Practice.status == PUBLISHED) & visible_to(visitor)
    linked = list(session.practices) if session is not None else []
    own = db.session.scalars(select(Practice).where(published, Practice.institution_id.in_(near))
                             .order_by(Practice.institution_id != near[0], Practice.title).limit(2 * CHOICES_PER_GROUP))
    others = db.session.scalars(select(Practice).where(published, Practice.institution_id.not_in(near))
                                .order_by(Practice.published_at.desc(), Practice.id.desc()).limit(CHOICES_PER_GROUP))
    chosen: dict[int, Practice] = {}
    for practice in [*linked, *own, *others]:
        chosen.setdefault(practice.id, practice)
    return list(chosen.values())


def essay_choices(visit: Visit) -> list[Essay]:
    """The essays the visitor wrote for this visit (its job-shadowing event): at most one."""
    from network.essays import services as essays
    from network.events import services as events

    event = events.visit_event_of(visit)
    essay = essays.essay_of(visit.visitor, event) if event is not None else None
    return [essay] if essay is not None else []


# --- writing ----------------------------------------------------------------------------------------------------


@dataclass
class SessionData:
    """What the form sends: raw values, checked by the service."""

    held_on: date | None = None
    format: str = ""
    people_reached: int | None = None
    audience: list[str] = field(default_factory=list)
    summary: str = ""
    practice_ids: list[int] = field(default_factory=list)
    essay_id: int | None = None


def session_data_of(session: DisseminationSession) -> SessionData:
    return SessionData(held_on=session.held_on, format=session.format, people_reached=session.people_reached,
                       audience=session.audience, summary=session.summary,
                       practice_ids=[practice.id for practice in session.practices], essay_id=session.essay_id)


def _checked(visit: Visit, data: SessionData, session: DisseminationSession | None) -> tuple[list, Essay | None]:
    """The practices and essay the data names, or ServiceError with every problem on its field."""
    errors: dict[str, list] = {}
    today = weeks.today()
    if data.held_on is None:
        errors["held_on"] = [_l("Enter the date of the session.")]
    elif data.held_on > today:
        errors["held_on"] = [_l("The session's date cannot be in the future.")]
    elif data.held_on < visit.week_start:
        errors["held_on"] = [_l("The session cannot be before the visit (it began on %(day)s).",
                                day=format_date(visit.week_start))]
    if data.format not in SESSION_FORMATS:
        errors["format"] = [_l("Choose the session's format.")]
    if data.people_reached is None or not 0 <= data.people_reached <= PEOPLE_MAX:
        errors["people_reached"] = [_l("Enter the number of people reached, from 0 to %(max)d.", max=PEOPLE_MAX)]
    if any(code not in AUDIENCE_ROLES for code in data.audience):
        errors["audience"] = [_l("Choose the roles from the list.")]
    if len(data.summary or "") > SUMMARY_MAX:
        errors["summary"] = [_l("At most %(max)d characters.", max=SUMMARY_MAX)]
    wanted = list(dict.fromkeys(data.practice_ids))
    allowed = {practice.id: practice for practice in practice_choices(visit, session)}
    if len(wanted) > MAX_PRACTICES:
        errors["practice_ids"] = [_l("Link at most %(max)d practices.", max=MAX_PRACTICES)]
    elif any(practice_id not in allowed for practice_id in wanted):
        errors["practice_ids"] = [_l("Choose the practices from the list.")]
    essay = None
    if data.essay_id is not None:
        essay = next((e for e in essay_choices(visit) if e.id == data.essay_id), None)
        if essay is None:
            errors["essay_id"] = [_l("Choose your essay about this visit, or none.")]
    if errors:
        raise ServiceError(errors)
    return [allowed[practice_id] for practice_id in wanted], essay


def _apply(session: DisseminationSession, data: SessionData, practices: list, essay: Essay | None) -> None:
    session.held_on, session.format, session.people_reached = data.held_on, data.format, data.people_reached
    session.audience = data.audience
    session.summary = (data.summary or "").strip()
    session.practices = practices
    session.essay_id = essay.id if essay is not None else None


def _add_materials(session: DisseminationSession, files: uploads.writing, found: list[uploads.Upload]) -> None:
    if len(session.materials) + len(found) > MAX_MATERIALS:
        raise ServiceError.one("materials", _l("A session holds %(max)d files at most.", max=MAX_MATERIALS))
    for upload in found:
        session.materials.append(SessionMaterial(
            filename=upload.original_name, stored_name=files.write(upload), content_type=upload.content_type,
            size=len(upload.content)))


def record_session(actor, visit: Visit, data: SessionData, materials: list[uploads.Upload] = ()) -> DisseminationSession:
    """A new session back home for the visitor's completed visit, with its materials (checked by
    uploads.check_uploads)."""
    if not permissions.can_record_sessions(actor, visit):
        raise ServiceError.one("visit", _l("Only the visitor records the sessions back home of their visit."))
    if visit.status != COMPLETED:
        raise ServiceError.one("visit", _l("Sessions back home are recorded once the visit is completed."))
    practices, essay = _checked(visit, data, None)
    session = DisseminationSession(visit_id=visit.id, user_id=actor.id, visit=visit)
    _apply(session, data, practices, essay)
    with uploads.writing(FOLDER) as files:
        _add_materials(session, files, list(materials))
        db.session.add(session)
        db.session.commit()
    return session


def update_session(actor, session: DisseminationSession, data: SessionData) -> DisseminationSession:
    if not permissions.can_edit_session(actor, session):
        raise ServiceError.one("session", _l("Only the visitor who recorded this session changes it."))
    practices, essay = _checked(session.visit, data, session)
    _apply(session, data, practices, essay)
    db.session.commit()
    return session


def delete_session(actor, session: DisseminationSession) -> None:
    """The session and its materials: rows now, files once that is committed."""
    if not permissions.can_edit_session(actor, session):
        raise ServiceError.one("session", _l("Only the visitor who recorded this session deletes it."))
    stored = [material.stored_name for material in session.materials]
    db.session.delete(session)
    db.session.commit()
    uploads.remove_files(FOLDER, stored)


def add_material(actor, session: DisseminationSession, upload: uploads.Upload | None) -> SessionMaterial:
    if not permissions.can_edit_session(actor, session):
        raise ServiceError.one("file", _l("Only the visitor who recorded this session adds its files."))
    if upload is None:
        raise ServiceError.one("file", _l("Choose the file to add."))
    with uploads.writing(FOLDER) as files:
        try:
            _add_materials(session, files, [upload])
        except ServiceError as error:
            raise ServiceError({"file": error.errors["materials"]}) from None
        db.session.commit()
    return session.materials[-1]


def remove_material(actor, material: SessionMaterial) -> None:
    if not permissions.can_edit_session(actor, material.session):
        raise ServiceError.one("file", _l("Only the visitor who recorded this session removes its files."))
    stored = material.stored_name
    db.session.delete(material)
    db.session.commit()
    uploads.remove_files(FOLDER, [stored])


def stored_names_of(user) -> list[str]:
    """The files of this person's sessions (to remove once their account and sessions are gone)."""
    return list(db.session.scalars(select(SessionMaterial.stored_name).join(DisseminationSession)
                                   .where(DisseminationSession.user_id == user.id)))


# --- asking the visitors ----------------------------------------------------------------------------------------


def _path(endpoint: str, **values) -> str:
    """A page's path for a notification's link, also outside a request (the morning job)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def remind(today: date | None = None) -> int:
    """Ask each visitor whose visit ended (last_day) four weeks ago or more, at most REMIND_UNTIL ago, and who
    recorded no session back home for it, to record their sessions: once per visit (SessionReminder). A visitor whose
    account is deactivated is not asked (as surveys' sending skips them). Returns how many were asked."""
    today = today or weeks.today()
    latest_end = today - REMIND_AFTER
    earliest_end = today - REMIND_UNTIL
    recorded = exists().where(DisseminationSession.visit_id == Visit.id,
                              DisseminationSession.user_id == Visit.visitor_id)
    asked = exists().where(SessionReminder.visit_id == Visit.id)
    earliest_moment = datetime.combine(earliest_end, time.min, tzinfo=timezone.utc)
    visits = db.session.scalars(
        select(Visit).join(User, Visit.visitor_id == User.id).where(
            Visit.status == COMPLETED, ~recorded, ~asked, User.is_active_account.is_(True),
            Visit.week_start <= latest_end - timedelta(days=4),  # its Friday, at least, is four weeks ago
            or_(Visit.week_start >= earliest_end - timedelta(days=4), Visit.completed_at >= earliest_moment))
        .options(selectinload(Visit.host), selectinload(Visit.visitor)).order_by(Visit.id)).all()
    emails, sent = [], 0
    for visit in visits:
        if not earliest_end <= last_day(visit) <= latest_end:
            continue
        emails += notifications.notify(
            [visit.visitor], NOTIFICATION,
            _l("Four weeks ago you finished your visit to %(host)s: record the sessions in which you passed on "
               "what you learned to your team.", host=visit.host.name),
            _path("evaluation.new_session", visit_id=visit.id))
        db.session.add(SessionReminder(visit_id=visit.id))
        sent += 1
    db.session.commit()
    notifications.send(emails, "sessions back home reminder")
    return sent

