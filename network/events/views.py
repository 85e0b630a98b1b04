"""Event pages: the list, an event with its programme, the organisers' pages (the event's form, the programme
editor, the participants with approval and attendance), registration, and the calendar files.

Thin: every rule and every write is in network.events.services. Everything works without JavaScript.
"""
from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network import labels, permissions
from network.events import calendars, exports, materials, services
from network.events.forms import (
    ButtonForm,
    EventForm,
    SessionForm,
    answers_of,
    list_filters,
    registration_form,
)
from network.events.models import (
    APPROVED,
    EVENT_KINDS,
    PENDING,
    QUESTIONS,
    REGISTRATION_STATUSES,
    SESSION_KINDS,
    VISIBILITIES,
    WAITING,
    Event,
)
from network.events.signals import event_page
from network.extensions import db, login_manager
from network.forms import as_id
from network.institutions import services as institutions
from network.institutions.models import Institution, Partnership
from network.panels import panels
from network.printing import PdfUnavailable
from network.sanitize import render_markdown
from network.web import REFUSED, attempt, csv_download, form_status

bp = Blueprint("events", __name__, url_prefix="/events")
log = logging.getLogger(__name__)
PAST_PER_PAGE = 20


@bp.app_template_filter("clock")
def clock(value) -> str:
    """A time of day as the reader's language writes it ("09:30", "9:30 AM"); never moved to another zone."""
    return format_time(value, "short", rebase=False) if value is not None else ""


@bp.context_processor
def _helpers():
    return {"event_kinds": EVENT_KINDS, "session_kinds": SESSION_KINDS, "registration_statuses":
            REGISTRATION_STATUSES, "visibilities": VISIBILITIES, "questions": QUESTIONS}


# --- look-ups and checks ------------------------------------------------------------------------------


def _login_first() -> None:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())


def _visible_event(event_id: int) -> Event:
    """The event if this person may see it; one they may not see does not exist for them."""
    event = services.get_event(event_id)
    if event is None or not permissions.can_view_event(current_user, event):
        abort(404)
    return event


def _organised_event(event_id: int) -> Event:
    _login_first()
    event = _visible_event(event_id)
    if not permissions.organises_event(current_user, event):
        abort(403)
    return event


def _partnerships_to_organise(user) -> list[Partnership]:
    """The partnerships the person may create events for: those they coordinate, those their institution
    belongs to when they administer it (site admins: all)."""
    return [p for p in institutions.all_partnerships()
            if permissions.coordinates(user, p) or permissions.may_organise(user, p, user.institution)]


def _hosts_for(user, partnerships) -> list[Institution]:
    if permissions.is_site_admin(user):
        return institutions.all_institutions()
    hosts: dict[int, Institution] = {}
    for partnership in partnerships:
        members = [partnership.coordinating_institution, *partnership.partners]
        for institution in members:
            if permissions.may_organise(user, partnership, institution):
                hosts[institution.id] = institution
    return sorted(hosts.values(), key=lambda i: i.name.lower())


# --- the list -----------------------------------------------------------------------------------------


@bp.route("/")
def index():
    """Events to come, then past ones, filtered by kind, partnership, country and month. A filter value that is
    not one of its choices is answered with its message (400), not with a guess."""
    filters, errors = list_filters(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    past = upcoming = None
    if not errors:
        past = db.paginate(services.past_query(current_user, filters), page=page, per_page=PAST_PER_PAGE,
                           error_out=False)
        upcoming = services.upcoming(current_user, filters)
    return render_template("events/index.html", upcoming=upcoming, past=past, filters=filters, errors=errors,
                           **filter_choices(filters), can_create=permissions.can_create_event(current_user),
                           today=services.today()), 400 if errors else 200


def filter_choices(filters) -> dict:
    """The choices of the filter form: the partnerships and countries of the events the reader may see, and
    whatever was chosen (kept even when nothing matches it)."""
    partnerships = services.partnerships_with_events(current_user)
    if filters.partnership and all(p.id != filters.partnership for p in partnerships):
        chosen = institutions.get_partnership(filters.partnership)
        partnerships += [chosen] if chosen is not None else []
    countries = services.countries_with_events(current_user)
    if filters.country and filters.country not in countries:
        countries.append(filters.country)
    return {"partnerships": partnerships,
            "countries": sorted(countries, key=lambda code: labels.country_name(code).lower())}


# --- one event ----------------------------------------------------------------------------------------


@bp.route("/<int:event_id>")
def show(event_id: int):
    event = _visible_event(event_id)
    registration = services.registration_of(current_user, event)
    active = registration is not None and registration.status in (PENDING, APPROVED, WAITING)
    return render_template(
        "events/show.html", event=event, description_html=render_markdown(event.description),
        days=services.programme(event), registration=registration, active=active,
        position=services.waiting_position(registration) if active and registration.status == WAITING else None,
        state=services.registration_state(event), refusal=services.registration_refusal(event),
        places_left=services.places_left(event), can_organise=permissions.organises_event(current_user, event),
        can_register=permissions.can_register_for_event(current_user, event),
        show_link=permissions.can_see_online_link(current_user, event),
        can_cancel=active and not services.has_begun(event),
        visit_link=event.visit is not None and permissions.can_view_visit(current_user, event.visit),
        certificate=services.certificate_of(current_user, event),
        materials=materials.shown_to(current_user, event),
        panels=panels(event_page, event, viewer=current_user))


@bp.route("/<int:event_id>.ics")
def event_ics(event_id: int):
    event = _visible_event(event_id)
    link = permissions.can_see_online_link(current_user, event)
    return calendars.calendar_file(calendars.event_component(event, link), f"event-{event.id}.ics")


@bp.route("/<int:event_id>/sessions/<int:session_id>.ics")
def session_ics(event_id: int, session_id: int):
    event = _visible_event(event_id)
    session = services.get_session(event, session_id) or abort(404)
    link = permissions.can_see_online_link(current_user, event)
    return calendars.calendar_file(calendars.session_component(session, link),
                                   f"event-{event.id}-session-{session.id}.ics")


@bp.route("/<int:event_id>/programme")
def programme(event_id: int):
    """The programme alone, to print (the browser's Print: no navigation, no buttons)."""
    event = _visible_event(event_id)
    return render_template("events/programme.html", event=event, days=services.programme(event),
                           show_link=permissions.can_see_online_link(current_user, event))


# --- organising -----------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    permissions.require(permissions.can_create_event)
    partnerships = _partnerships_to_organise(current_user)
    hosts = _hosts_for(current_user, partnerships)
    form = EventForm(partnerships=partnerships, hosts=hosts)
    if request.method == "GET":
        own = current_user.institution
        form.takes_registrations.data = True
        form.visibility.data = "partnership"
        form.timezone.data = services.time_zone_of(getattr(own, "country", None))
        if own is not None and any(h.id == own.id for h in hosts):
            form.host_institution_id.data = str(own.id)
            form.country.data, form.city.data = own.country, own.city
    if form.validate_on_submit():
        event = attempt(lambda: services.create_event(current_user, form.to_data()),
                        lambda event: _("The event “%(title)s” is created. Add its programme below.", title=event.title),
                        form=form)
        if event is not REFUSED:
            return redirect(url_for("events.sessions", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), form_status(form)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = _organised_event(event_id)
    partnerships = _partnerships_to_organise(current_user)
    if event.partnership not in partnerships:
        partnerships.append(event.partnership)
    hosts = _hosts_for(current_user, partnerships)
    if event.host is not None and event.host not in hosts:
        hosts.append(event.host)
    form = EventForm(partnerships=partnerships, hosts=hosts, kind=event.kind)
    if request.method == "GET":
        form.fill_from(services.event_data_of(event))
    if form.validate_on_submit():
        if attempt(lambda: services.update_event(current_user, event, form.to_data()), _("The event is saved."),
                   form=form) is not REFUSED:
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/form.html", form=form, event=event), form_status(form)


@bp.route("/<int:event_id>/sessions", methods=["GET", "POST"])
def sessions(event_id: int):
    """The programme editor: the sessions day by day, each with its buttons, and a form to add one."""
    event = _organised_event(event_id)
    form = SessionForm(days=event.days)
    if request.method == "GET" and request.args.get("day"):
        form.day.data = request.args.get("day")
    if form.validate_on_submit():
        if attempt(lambda: services.add_session(current_user, event, form.to_data()),
                   _("The session is added to the programme."), form=form) is not REFUSED:
            return redirect(url_for("events.sessions", event_id=event.id, day=form.day.data))
    return render_template("events/sessions.html", event=event, form=form, days=services.programme(event)), \
        form_status(form)


@bp.route("/<int:event_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
def edit_session(event_id: int, session_id: int):
    event = _organised_event(event_id)
    session = services.get_session(event, session_id) or abort(404)
    form = SessionForm(days=event.days)
    if request.method == "GET":
        form.fill_from(services.session_data_of(session))
    if form.validate_on_submit():
        if attempt(lambda: services.update_session(current_user, session, form.to_data()),
                   _("The session is saved."), form=form) is not REFUSED:
            return redirect(url_for("events.sessions", event_id=event.id, _anchor=f"session-{session.id}"))
    return render_template("events/session_form.html", event=event, session=session, form=form), form_status(form)


@bp.route("/<int:event_id>/sessions/<int:session_id>/delete", methods=["POST"])
def delete_session(event_id: int, session_id: int):
    event = _organised_event(event_id)
    session = services.get_session(event, session_id) or abort(404)
    if ButtonForm().validate_on_submit():
        attempt(lambda: services.delete_session(current_user, session), _("The session is deleted."))
    return redirect(url_for("events.sessions", event_id=event.id))


@bp.route("/<int:event_id>/sessions/<int:session_id>/move", methods=["POST"])
def move_session(event_id: int, session_id: int):
    event = _organised_event(event_id)
    session = services.get_session(event, session_id) or abort(404)
    if ButtonForm().validate_on_submit():
        attempt(lambda: services.move_session(current_user, session, up=request.form.get("direction") != "down"))
    return redirect(url_for("events.sessions", event_id=event.id, _anchor=f"session-{session.id}"))


@bp.route("/<int:event_id>/participants")
def participants(event_id: int):
    """The organisers' page: registrations filtered by status, approval, and the attendance list."""
    event = _organised_event(event_id)
    status = request.args.get("status") if request.args.get("status") in REGISTRATION_STATUSES else ""
    return render_template(
        "events/participants.html", event=event, status=status, rows=services.registrations(event, status),
        counts=services.status_counts(event), taken=services.places_taken(event),
        attendance=services.attendance_list(event), begun=services.has_begun(event),
        over=services.is_over(event), gives_certificates=services.gives_certificates(event),
        certificates=services.certificates_by_person(event), sheet_day=exports.sheet_day(event, None))


@bp.route("/<int:event_id>/registrations/<int:registration_id>/decide", methods=["POST"])
def decide(event_id: int, registration_id: int):
    event = _organised_event(event_id)
    registration = services.get_registration(event, registration_id) or abort(404)
    if ButtonForm().validate_on_submit():
        approve = request.form.get("decision") == "approve"
        attempt(lambda: services.decide_registration(current_user, registration, approve),
                lambda r: _("%(name)s's registration is approved.", name=r.user.name) if approve
                else _("%(name)s's registration is declined.", name=r.user.name))
    return redirect(url_for("events.participants", event_id=event.id, status=request.args.get("status") or None))


@bp.route("/<int:event_id>/attendance", methods=["POST"])
def attendance(event_id: int):
    event = _organised_event(event_id)
    if ButtonForm().validate_on_submit():
        chosen = [n for n in (as_id(v) for v in request.form.getlist("attended")) if n is not None]
        attempt(lambda: services.mark_attendance(current_user, event, chosen, request.form.get("reason", "")),
                lambda counts: _("Attendance is saved: %(added)d added, %(removed)d removed.",
                                 added=counts[0], removed=counts[1]))
    return redirect(url_for("events.participants", event_id=event.id, _anchor="attendance-heading"))


# --- the organisers' exports ----------------------------------------------------------------------------


@bp.route("/<int:event_id>/participants.csv")
def participants_csv(event_id: int):
    """The registrations (of one status, as the page filters them) with the answers and the attendance."""
    event = _organised_event(event_id)
    status = request.args.get("status") if request.args.get("status") in REGISTRATION_STATUSES else ""
    return csv_download(exports.participants_rows(event, status),
                        f"participants-event-{event.id}{'-' + status if status else ''}.csv")


def _printable(event: Event, make, filename: str):
    """A PDF made now (a list of a few hundred names takes a second or two: exports.py), shown in the browser
    to print; a list too long to print, or no WeasyPrint, sends back to the participants' page with a message."""
    try:
        data = attempt(make)
    except PdfUnavailable as error:
        log.error("Cannot make PDFs: %s", error)
        flash(_("PDFs cannot be made on this server at the moment: its administrators will find why in its log."),
              "error")
        data = REFUSED
    if data is REFUSED:
        return redirect(url_for("events.participants", event_id=event.id))
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


@bp.route("/<int:event_id>/badges.pdf")
def badges_pdf(event_id: int):
    event = _organised_event(event_id)
    return _printable(event, lambda: exports.badges_pdf(event), f"badges-event-{event.id}.pdf")


@bp.route("/<int:event_id>/attendance-sheet.pdf")
def attendance_sheet_pdf(event_id: int):
    """One day's sheet (?day=YYYY-MM-DD; by default today's while the event lasts, else its first day's)."""
    event = _organised_event(event_id)
    day = exports.sheet_day(event, request.args.get("day"))
    return _printable(event, lambda: exports.attendance_sheet_pdf(event, day),
                      f"attendance-sheet-event-{event.id}-{day.isoformat()}.pdf")


# --- registration -------------------------------------------------------------------------------------


@bp.route("/<int:event_id>/register", methods=["GET", "POST"])
@login_required
def register(event_id: int):
    event = _visible_event(event_id)
    permissions.require(permissions.can_register_for_event, event)
    registration = services.registration_of(current_user, event)
    if registration is not None and registration.status in (PENDING, APPROVED, WAITING):
        flash(_("You are registered for this event already."), "info")
        return redirect(url_for("events.show", event_id=event.id))
    form = registration_form(event)
    if form.validate_on_submit():
        result = attempt(lambda: services.register(current_user, event, answers_of(form, event)), form=form)
        if result is not REFUSED:
            flash(_registered_text(result), "success")
            return redirect(url_for("events.show", event_id=event.id))
    return render_template("events/register.html", event=event, form=form,
                           refusal=services.registration_refusal(event), places_left=services.places_left(event),
                           questions_asked=[(code, form["answer_" + code]) for code in event.questions]), \
        form_status(form)


def _registered_text(registration) -> str:
    if registration.status == APPROVED:
        return _("You are registered. “Add to your calendar” on the event's page puts it in your calendar.")
    if registration.status == PENDING:
        return _("Your registration is received: the organisers will approve it, and you will be told.")
    return _("The event is full: you are number %(position)d on the waiting list. You will be told when a place "
             "becomes free.", position=services.waiting_position(registration))


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@login_required
def cancel(event_id: int):
    event = _visible_event(event_id)
    if ButtonForm().validate_on_submit():
        attempt(lambda: services.cancel_registration(current_user, event), _("Your registration is cancelled."))
    return redirect(url_for("events.show", event_id=event.id))


from network.events import calendar_views, material_views  # noqa: E402,F401  (their routes on bp)
