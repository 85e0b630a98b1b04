"""What essays put on the home page (network/home.py): the essays the person has to write (an event they took part
in, over, with no essay sent yet) and by when; the essays an evaluator has yet to assess, and those a coordinator
has yet to publish or return; and new essays in the person's languages."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import contains_eager

from network import home, permissions
from network.essays.models import DRAFT, PRIVATE, PUBLISHED, RETURNED, SUBMITTED, Assessment, Essay
from network.essays.services import REMIND_AFTER, _visible
from network.events.models import Event, event_participants
from network.events.services import today
from network.extensions import db
from network.institutions.models import Partnership

# The essay is asked for once the event is over; the reminder comes REMIND_AFTER later: that is its deadline.
MESSAGES = {
    None: _l("Write your essay about %(title)s"),
    DRAFT: _l("Finish your essay about %(title)s"),
    RETURNED: _l("Revise your essay about %(title)s: it was returned to you"),
}


def tasks(user) -> list[home.HomeItem]:
    return _to_write(user) + _to_assess(user) + _to_review(user)


def _to_write(user) -> list[home.HomeItem]:
    """The events the person took part in (permissions.can_write_essay), over, whose essay is not started, a draft
    or returned to them (permissions.can_edit_essay): the oldest deadline first."""
    rows = db.session.execute(
        select(Event.id, Event.title, Event.end_date, Essay.id.label("essay_id"), Essay.status)
        .join(event_participants, and_(event_participants.c.event_id == Event.id,
                                       event_participants.c.user_id == user.id))
        .outerjoin(Essay, and_(Essay.event_id == Event.id, Essay.author_id == user.id))
        .where(Event.end_date <= today(), or_(Essay.id.is_(None), Essay.status.in_((DRAFT, RETURNED))))
        .order_by(Event.end_date, Event.id).limit(home.LIMIT + 1)).all()

    def item(row) -> home.HomeItem:
        link = (url_for("essays.start", event=row.id) if row.essay_id is None
                else url_for("essays.edit", essay_id=row.essay_id))
        due = row.end_date + REMIND_AFTER
        return home.HomeItem("essay_to_write", MESSAGES[row.status], link, {"title": home.Text(row.title)},
                             due=due, when=due)

    return home.some(rows, item, lambda: home.HomeItem("essays_to_write", _l("All the events you may write about"),
                                                        url_for("essays.index")))


def _waiting_assessment(user):
    """Essays sent for assessment (submitted or published) that this evaluator has not assessed, not their own."""
    return select(Essay).where(
        Essay.status.in_((SUBMITTED, PUBLISHED)),
        Essay.id.not_in(select(Assessment.essay_id).where(Assessment.evaluator_id == user.id)),
        or_(Essay.author_id.is_(None), Essay.author_id != user.id))


def _to_assess(user) -> list[home.HomeItem]:
    if not permissions.is_evaluator(user):
        return []
    essays = [essay for essay in db.session.scalars(
        _waiting_assessment(user).order_by(Essay.submitted_at, Essay.id).limit(home.LIMIT + 1))
        if permissions.can_assess_essay(user, essay)]

    def more() -> home.HomeItem:
        total = db.session.scalar(select(func.count()).select_from(_waiting_assessment(user).subquery()))
        return home.HomeItem("essays_to_assess", lazy_ngettext(
            "All %(num)d essay waiting for your assessment", "All %(num)d essays waiting for your assessment",
            total), url_for("essays.index", status=SUBMITTED))

    return home.some(essays, lambda essay: home.HomeItem(
        "essay_to_assess", _l("Assess the essay %(title)s"), url_for("essays.assess", essay_id=essay.id),
        {"title": home.Text(essay.title, essay.language)}, when=essay.submitted_at), more)


def _waiting_review(user):
    """Essays submitted in the partnerships this person coordinates (every partnership for site admins): the rule of
    permissions.reviews_essays, as SQL, for those who are not evaluators (they have the essays to assess)."""
    query = select(Essay).join(Event, Essay.event_id == Event.id).where(Essay.status == SUBMITTED)
    if permissions.is_site_admin(user):
        return query
    return query.where(Event.partnership_id.in_(select(Partnership.id).where(
        Partnership.coordinating_institution_id == user.institution_id)))


def _to_review(user) -> list[home.HomeItem]:
    if permissions.is_evaluator(user) or not (permissions.is_site_admin(user) or (
            permissions.is_coordinator(user) and permissions.is_member(user))):
        return []
    essays = [essay for essay in db.session.scalars(
        _waiting_review(user).options(contains_eager(Essay.event).joinedload(Event.partnership))
        .order_by(Essay.submitted_at, Essay.id).limit(home.LIMIT + 1))
        if permissions.can_review_essay(user, essay)]

    def more() -> home.HomeItem:
        total = db.session.scalar(select(func.count()).select_from(_waiting_review(user).subquery()))
        return home.HomeItem("essays_to_review", lazy_ngettext(
            "All %(num)d essay waiting for review", "All %(num)d essays waiting for review", total),
            url_for("essays.index", status=SUBMITTED))

    return home.some(essays, lambda essay: home.HomeItem(
        "essay_to_review", _l("Publish or return the essay %(title)s"),
        url_for("essays.show", essay_id=essay.id, _anchor="review-heading"),
        {"title": home.Text(essay.title, essay.language)}, when=essay.submitted_at), more)


def news(user) -> list[home.HomeItem]:
    """Essays published lately, in the person's languages, that they may read (permissions.can_view_essay)."""
    _sectors, languages = home.interests(user)
    if not languages:
        return []
    rows = db.session.execute(
        select(Essay.id, Essay.title, Essay.language, Essay.published_at).where(
            _visible(user), Essay.status == PUBLISHED, Essay.display != PRIVATE, Essay.published_at >= home.since(),
            Essay.language.in_(languages), or_(Essay.author_id.is_(None), Essay.author_id != user.id))
        .order_by(Essay.published_at.desc(), Essay.id.desc()).limit(home.LIMIT)).all()
    return [home.HomeItem("new_essay", _l("New essay: %(title)s"), url_for("essays.show", essay_id=row.id),
                          {"title": home.Text(row.title, row.language)}, when=row.published_at) for row in rows]


def connect() -> None:
    home.connect(tasks=tasks, news=news)
