"""What mobility puts on the home page (network/home.py): the applications an institution's admin endorses, the
visits of this month with their programme (the person's own, and those their institution hosts), and the
person's next visit."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from network import home, permissions
from network.auth.models import INSTITUTION_ADMIN, User
from network.extensions import db
from network.mobility import weeks
from network.mobility.models import (
    ACTIVITY_KINDS,
    CONFIRMED,
    DAY_NAMES,
    PROPOSED,
    SUBMITTED,
    MobilityApplication,
    Visit,
)

COMING = (PROPOSED, CONFIRMED)


def _month(today: date) -> tuple[date, date]:
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def _to_endorse(user):
    """Applications waiting for endorsement that this person may endorse, as SQL (the rule of
    permissions.can_endorse_application: their own institution's, every one for site admins)."""
    query = select(MobilityApplication).where(MobilityApplication.status == SUBMITTED)
    if not permissions.is_site_admin(user):
        query = query.where(MobilityApplication.institution_id == user.institution_id)
    return query


def tasks(user) -> list[home.HomeItem]:
    return _applications(user) + _visits_this_month(user)


def _applications(user) -> list[home.HomeItem]:
    if not (permissions.is_site_admin(user) or (user.is_approved_member and user.has_role(INSTITUTION_ADMIN))):
        return []
    rows = [(application, name) for application, name in db.session.execute(
        _to_endorse(user).add_columns(User.name).join(User, MobilityApplication.user_id == User.id)
        .options(joinedload(MobilityApplication.institution))
        .order_by(MobilityApplication.created_at, MobilityApplication.id).limit(home.LIMIT + 1))
        if permissions.can_endorse_application(user, application)]

    def more() -> home.HomeItem:
        total = db.session.scalar(select(func.count()).select_from(_to_endorse(user).subquery()))
        return home.HomeItem("applications_to_endorse", lazy_ngettext(
            "All %(num)d application waiting for endorsement", "All %(num)d applications waiting for endorsement",
            total), url_for("mobility.index", _anchor="endorse-heading"))

    return home.some(rows, lambda row: home.HomeItem(
        "application_to_endorse", _l("Endorse or decline the application of %(name)s"),
        url_for("mobility.application", application_id=row[0].id), {"name": home.Text(row[1])},
        when=row[0].created_at), more)


def _programme(visit: Visit) -> tuple[home.Words, ...]:
    """The visit's programme, a line a day: its activities as the host described them (or their kind)."""
    by_day = defaultdict(list)
    for activity in visit.activities:
        by_day[activity.day].append(home.Text(activity.description) if activity.description
                                    else ACTIVITY_KINDS.get(activity.kind, activity.kind))
    return tuple(home.Words(_l("%(day)s: %(activities)s"), {"day": DAY_NAMES[day], "activities": by_day[day]})
                 for day in sorted(by_day) if day in DAY_NAMES)


def _visits_this_month(user) -> list[home.HomeItem]:
    """The visits of this month (those whose week touches it): the person's own, and those their institution hosts."""
    first, last = _month(weeks.today())
    whose = Visit.visitor_id == user.id
    if user.is_approved_member:
        whose = or_(whose, Visit.host_institution_id == user.institution_id)
    visits = [visit for visit in db.session.scalars(
        select(Visit).where(Visit.status.in_(COMING), Visit.week_start <= last,
                            Visit.week_start >= first - timedelta(days=4), whose)
        .options(joinedload(Visit.host), joinedload(Visit.visitor), selectinload(Visit.activities))
        .order_by(Visit.week_start, Visit.id).limit(home.LIMIT))
        if permissions.can_view_visit(user, visit)]
    items = []
    for visit in visits:
        if visit.visitor_id == user.id:
            message, params = _l("Your visit to %(host)s, the week of %(date)s"), {"host": home.Text(visit.host.name)}
        else:
            message, params = (_l("%(visitor)s visits your institution the week of %(date)s"),
                               {"visitor": home.Text(visit.visitor.name)})
        items.append(home.HomeItem("visit_this_month", message, url_for("mobility.visit", visit_id=visit.id),
                                   {**params, "date": visit.week_start}, when=visit.week_start,
                                   details=_programme(visit)))
    return items


def news(user) -> list[home.HomeItem]:
    """The person's next visit after this month (this month's is among the tasks)."""
    _first, last = _month(weeks.today())
    visit = db.session.scalar(select(Visit).where(Visit.visitor_id == user.id, Visit.status.in_(COMING),
                                                  Visit.week_start > last)
                              .options(joinedload(Visit.host)).order_by(Visit.week_start, Visit.id).limit(1))
    if visit is None or not permissions.can_view_visit(user, visit):
        return []
    return [home.HomeItem("next_visit", _l("Your next visit: %(host)s, the week of %(date)s"),
                          url_for("mobility.visit", visit_id=visit.id),
                          {"host": home.Text(visit.host.name), "date": visit.week_start}, when=visit.week_start)]


def connect() -> None:
    home.connect(tasks=tasks, news=news)
