"""iCalendar: a visit as an .ics event, and secret-token feeds of a person's and an institution's visits.

Built with the icalendar library. A visit is one all-day event from Monday to Saturday (DTEND is exclusive, so
calendar apps show Monday to Friday). Its UID never changes; SEQUENCE counts the changes recorded in the audit
log after the proposal (confirmation, programme, cancellation...), so calendar apps replace their copy.
A cancelled visit stays in the feeds with STATUS:CANCELLED: that is how subscribed calendars learn to drop it.
The features above mobility add their own entries to the feeds through the calendar_feed_entries signal (events:
the events a person is registered for), each in its time zone with its VTIMEZONE.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from icalendar import Calendar, Event, vDuration
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import HiddenField
from wtforms.validators import AnyOf

from network import labels, permissions
from network.audit import AuditEntry
from network.auth.models import User
from network.extensions import db
from network.institutions.models import Institution
from network.mobility import services, weeks
from network.mobility.models import (
    ACTIVITY_KINDS,
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    DAY_NAMES,
    PROPOSED,
    MobilityApplication,
    Visit,
)
from network.mobility.signals import calendar_feed_entries

bp = Blueprint("calendars", __name__, url_prefix="/mobility")

PERSON, INSTITUTION = "user", "institution"  # CalendarFeed.owner_kind
PRODID = "-//Peer Network//Mobility visits//EN"
# A completed visit did take place: calendars keep showing it as confirmed.
ICS_STATUS = {PROPOSED: "TENTATIVE", CONFIRMED: "CONFIRMED", COMPLETED: "CONFIRMED", CANCELLED: "CANCELLED"}
REFRESH = timedelta(hours=6)  # how often subscribed calendar apps are asked to fetch a feed again


class RenewFeedForm(FlaskForm):
    feed = HiddenField(validators=[AnyOf((PERSON, INSTITUTION))])


# --- building the calendar ------------------------------------------------------------------------


def _uid_domain() -> str:
    """The site's host name, the same whichever address a request came through: UIDs must not change."""
    config = current_app.config
    host = config.get("SERVER_NAME") or urlsplit(config.get("PUBLIC_URL") or "").netloc or request.host
    return urlsplit(f"//{host}").hostname or "peer-network"


def _revisions(visits: list[Visit]) -> dict[int, tuple[int, datetime]]:
    """visit id -> (SEQUENCE, time of the last change), from the audit entries of all the visits at once.

    updated_at alone would miss programme changes, which rewrite the visit's activities, not its row."""
    if not visits:
        return {}
    rows = db.session.execute(
        select(AuditEntry.target_id, func.count(), func.max(AuditEntry.created_at))
        .where(AuditEntry.target_type == "visit", AuditEntry.target_id.in_([v.id for v in visits]))
        .group_by(AuditEntry.target_id)
    ).all()
    changes = {visit_id: (count, last) for visit_id, count, last in rows}
    revisions = {}
    for visit in visits:
        count, last = changes.get(visit.id, (0, None))
        changed = max(t for t in (visit.updated_at, last, visit.created_at) if t)
        revisions[visit.id] = (max(count - 1, 0), changed)
    return revisions


def _day_heading(number: int, day: date) -> str:
    return _("%(day)s, %(date)s", day=DAY_NAMES[number], date=format_date(day, "long"))


def _description(visit: Visit, page_url: str) -> str:
    """The day-by-day programme and the public holidays of the week, as plain text."""
    holidays = weeks.holidays_in_week(visit.host.country, visit.week_start, str(get_locale()))
    lines = [_("Programme"), ""]
    for number, day in enumerate(visit.days, 1):
        heading = _day_heading(number, day)
        if day in holidays:
            heading = _("%(day)s (public holiday: %(name)s)", day=heading, name=holidays[day])
        lines.append(heading)
        activities = [a for a in visit.activities if a.day == number]
        for activity in activities:
            kind = str(ACTIVITY_KINDS.get(activity.kind, activity.kind))
            lines.append(f"- {kind}: {activity.description}" if activity.description else f"- {kind}")
        if not activities:
            lines.append("- " + _("Nothing planned yet."))
        lines.append("")
    if holidays:
        country = labels.country_name(visit.host.country)
        lines.append(_("Public holidays in %(country)s this week:", country=country))
        for day, name in sorted(holidays.items()):
            lines.append(f"- {_day_heading(day.isoweekday(), day)}: {name}")
        lines.append("")
    lines.append(_("Visit page: %(url)s", url=page_url))
    return "\n".join(lines)


def _event(visit: Visit, revision: tuple[int, datetime], domain: str) -> Event:
    host = visit.host
    sequence, changed = revision
    page_url = url_for("mobility.visit", visit_id=visit.id, _external=True)
    event = Event()
    event.add("uid", f"visit-{visit.id}@{domain}")
    # Without a METHOD, DTSTAMP is when the event was last revised (RFC 5545, 3.8.7.2).
    event.add("dtstamp", changed)
    event.add("created", visit.created_at)
    event.add("last-modified", changed)
    event.add("sequence", sequence)
    event.add("dtstart", visit.week_start)
    event.add("dtend", visit.week_start + timedelta(days=5))  # exclusive: the Saturday
    event.add("summary", _("Job-shadowing visit: %(visitor)s at %(host)s",
                           visitor=visit.visitor.name, host=host.name))
    place = (host.name, host.city, labels.country_name(host.country))
    event.add("location", ", ".join(part for part in place if part))
    event.add("description", _description(visit, page_url))
    event.add("status", ICS_STATUS.get(visit.status, "TENTATIVE"))
    event.add("url", page_url)
    return event


def _calendar(visits: list[Visit], name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))
    domain = _uid_domain()
    revisions = _revisions(visits)
    for visit in visits:
        calendar.add_component(_event(visit, revisions[visit.id], domain))
    return calendar


def _ics(calendar: Calendar, filename: str) -> Response:
    response = Response(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Visits name people: no shared cache keeps them, and a secret feed address is not for search engines.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _visits_query():
    """Visits with what an event shows, loaded for all of them at once."""
    return (select(Visit)
            .options(joinedload(Visit.host), joinedload(Visit.visitor), selectinload(Visit.activities))
            .order_by(Visit.week_start, Visit.id))


# --- routes ---------------------------------------------------------------------------------------


@bp.route("/visits/<int:visit_id>.ics")
@login_required
def visit_ics(visit_id: int):
    visit = services.get_visit(visit_id) or abort(404)
    permissions.require(permissions.can_view_visit, visit)
    return _ics(_calendar([visit]), f"visit-{visit.id}.ics")


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    """A subscribed calendar app asks without logging in: the secret token is the only key.

    Every way a token can fail (unknown, renewed, its owner gone or disabled) gives the same 404."""
    owner = services.feed_owner(token)
    if owner is None:
        abort(404)
    if owner.owner_kind == PERSON:
        person = db.session.get(User, owner.owner_id)
        if person is None or not person.is_active:
            abort(404)
        visits = list(db.session.scalars(_visits_query().where(Visit.visitor_id == person.id)).unique())
        name = _("Peer Network: calendar of %(name)s", name=person.name)  # visits, and the signal's entries
        holder = person
    elif owner.owner_kind == INSTITUTION:
        institution = holder = db.session.get(Institution, owner.owner_id) or abort(404)
        # The visits it hosts, and those of the people it sent (the application's institution, which stays
        # what it was when they applied).
        sent = select(MobilityApplication.id).where(MobilityApplication.institution_id == institution.id)
        visits = list(db.session.scalars(_visits_query().where(
            or_(Visit.host_institution_id == institution.id, Visit.application_id.in_(sent)))).unique())
        name = _("Peer Network: visits of %(name)s", name=institution.name)
    else:
        abort(404)
    calendar = _calendar(visits, name=name)
    for _receiver, components in calendar_feed_entries.send(holder, kind=owner.owner_kind):
        for component in components or ():
            calendar.add_component(component)
    calendar.add_missing_timezones()  # the VTIMEZONE of each TZID an added entry uses
    return _ics(calendar, "peer-network-visits.ics")


def _feed_url(kind: str, owner_id: int) -> str:
    return url_for("calendars.feed", token=services.feed_token(kind, owner_id), _external=True)


def _webcal(url: str) -> str:
    """The same address with the webcal scheme, which opens the calendar app's subscribe dialog."""
    return "webcal://" + url.split("://", 1)[1]


@bp.route("/calendars", methods=["GET", "POST"])
@login_required
def index():
    institution = current_user.institution
    if not permissions.administers_institution(current_user, institution):
        institution = None
    form = RenewFeedForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if form.feed.data == INSTITUTION:
            if institution is None:
                abort(403)
            services.feed_token(INSTITUTION, institution.id, renew=True)
            flash(_("%(name)s's calendar has a new address: the old one no longer works. Subscribe again "
                    "with the new one.", name=institution.name), "success")
        else:
            services.feed_token(PERSON, current_user.id, renew=True)
            flash(_("Your calendar has a new address: the old one no longer works. Subscribe again with "
                    "the new one."), "success")
        return redirect(url_for("calendars.index"))
    feeds = [{"kind": PERSON, "url": _feed_url(PERSON, current_user.id)}]
    if institution is not None:
        feeds.append({"kind": INSTITUTION, "url": _feed_url(INSTITUTION, institution.id)})
    for item in feeds:
        item["webcal"] = _webcal(item["url"])
    page = render_template("mobility/calendar_feeds.html", feeds=feeds, institution=institution,
                           PERSON=PERSON, INSTITUTION=INSTITUTION)
    # The page shows secret addresses: no cache keeps it.
    return page, 200, {"Cache-Control": "no-store"}
