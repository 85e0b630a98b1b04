"""Mobility pages: offers, applications and their endorsement, matching, visits and the dashboard.

Thin: every rule and every write is in network.mobility.services; a refused form comes back with what was
typed and the service's messages on the fields they are about.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from network import labels, permissions
from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.mobility import matching, services, weeks
from network.mobility import reasons as match_reasons
from network.mobility.forms import (
    ApplicationForm,
    AssignForm,
    CancelForm,
    DecisionForm,
    OfferForm,
    PastVisitForm,
    ProgrammeForm,
    as_id,
    week_label,
)
from network.mobility.models import (
    ACTIVITY_KINDS,
    APPLICATION_STATUSES,
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    DAY_NAMES,
    DECLINED,
    ENDORSED,
    PROPOSED,
    SUBMITTED,
    VISIT_STATUSES,
    WITHDRAWN,
)
from network.mobility.signals import dashboard_page, visit_page
from network.panels import panels
from network.practices.models import Practice
from network.sanitize import render_markdown
from network.web import REFUSED, attempt, check_button_post, csv_download, form_status, month_label, outcome, safe_next

bp = Blueprint("mobility", __name__, url_prefix="/mobility")

# Statuses the templates compare against, so that they do not spell them out.
STATUS_NAMES = {"SUBMITTED": SUBMITTED, "ENDORSED": ENDORSED, "DECLINED": DECLINED, "WITHDRAWN": WITHDRAWN,
                "PROPOSED": PROPOSED, "CONFIRMED": CONFIRMED, "COMPLETED": COMPLETED, "CANCELLED": CANCELLED}


@bp.context_processor
def _helpers():
    return {
        "week_label": week_label,
        "iso_week": weeks.iso_week,
        "day_names": DAY_NAMES,
        "kind_labels": ACTIVITY_KINDS,
        "visit_statuses": VISIT_STATUSES,
        "application_statuses": APPLICATION_STATUSES,
        "status": STATUS_NAMES,
    }


# --- look-ups and checks ------------------------------------------------------------------------------


def _partnership_or_404(partnership_id: int) -> Partnership:
    return db.session.get(Partnership, partnership_id) or abort(404)


def _offer_or_404(offer_id: int):
    return services.get_offer(offer_id) or abort(404)


def _application_or_404(application_id: int):
    return services.get_application(application_id) or abort(404)


def _visit_or_404(visit_id: int):
    return services.get_visit(visit_id) or abort(404)


def _can_see_waiting_list(user, offer) -> bool:
    return (permissions.coordinates(user, offer.partnership)
            or permissions.administers_institution(user, offer.institution))




def _by_day(activities) -> list[tuple[int, str, list]]:
    return [(day, name, [a for a in activities if a.day == day]) for day, name in DAY_NAMES.items()]


def _back(default: str) -> str:
    return safe_next(request.form.get("next")) or default


# --- overview -------------------------------------------------------------------------------------------


@bp.route("/")
@login_required
def index():
    own_visits = services.visits_of_person(current_user)
    institution = current_user.institution
    hosted = []
    if institution is not None and current_user.is_approved_member:
        hosted = services.visits_hosted_by(institution.id)
    rows = []
    for partnership in services.partnerships_of(current_user):
        rows.append({
            "partnership": partnership,
            "offers": services.offers_in(partnership),
            "application": services.application_of(current_user, partnership),
            "visits": [v for v in own_visits if v.partnership_id == partnership.id],
            "hosted": [v for v in hosted if v.partnership_id == partnership.id],
            "own_offer": services.offer_of(partnership, institution) if institution else None,
        })
    return render_template("mobility/index.html", rows=rows,
                           to_endorse=services.applications_to_endorse(current_user))


# --- hosting offers -------------------------------------------------------------------------------------


@bp.route("/offers/<int:offer_id>")
@login_required
def offer(offer_id: int):
    offer = _offer_or_404(offer_id)
    permissions.require(permissions.can_view_mobility, offer.partnership)
    booked = services.booked_per_week(offer)
    return render_template(
        "mobility/offer.html",
        offer=offer,
        description=render_markdown(offer.description),
        weeks=[(w.week_start, w.capacity, max(w.capacity - booked.get(w.week_start, 0), 0))
               for w in offer.weeks],
        quota_used=services.quota_used(offer),
        programme=_by_day(offer.activities),
        practices=[p for p in offer.practices if permissions.can_view_practice(current_user, p)],
        waiting=services.waiting_list(offer) if _can_see_waiting_list(current_user, offer) else None,
    )


def _linkable_practices(institution: Institution, offer) -> list[Practice]:
    """The institution's published practices, and any already linked that this person may see."""
    published = db.session.scalars(
        select(Practice).where(Practice.institution_id == institution.id, Practice.status == "published")
        .order_by(Practice.title))
    found = {p.id: p for p in published if permissions.can_view_practice(current_user, p)}
    for practice in (offer.practices if offer else []):
        if permissions.can_view_practice(current_user, practice):
            found.setdefault(practice.id, practice)
    return list(found.values())


def _offer_form(partnership: Partnership, institution: Institution, offer):
    form = OfferForm(practices=_linkable_practices(institution, offer))
    if request.method == "GET":
        if offer is not None:
            form.fill_from(services.offer_data_of(offer))
        else:
            form.languages.data = list(institution.languages)
            form.fill_activities([])
    if form.validate_on_submit():
        saved = attempt(lambda: services.save_offer(current_user, partnership, institution, form.to_data()),
                        _("The offer is saved."), form=form)
        if saved is not REFUSED:
            return redirect(url_for("mobility.offer", offer_id=saved.id))
    return render_template(
        "mobility/offer_form.html", form=form, partnership=partnership, institution=institution, offer=offer,
        partnership_weeks=services.weeks_to_offer(partnership)), form_status(form)


@bp.route("/offers/new/<int:partnership_id>", methods=["GET", "POST"])
@login_required
def new_offer(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    institution = current_user.institution
    # Coordinators (and site admins) may write the offer of another institution of the partnership.
    if request.args.get("institution"):
        institution_id = as_id(request.args["institution"]) or abort(404)
        institution = db.session.get(Institution, institution_id) or abort(404)
    permissions.require(permissions.can_manage_offer, partnership, institution)
    existing = services.offer_of(partnership, institution)
    if existing is not None:
        return redirect(url_for("mobility.edit_offer", offer_id=existing.id))
    return _offer_form(partnership, institution, None)


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
@login_required
def edit_offer(offer_id: int):
    offer = _offer_or_404(offer_id)
    permissions.require(permissions.can_manage_offer, offer.partnership, offer.institution)
    return _offer_form(offer.partnership, offer.institution, offer)


# --- applications -----------------------------------------------------------------------------------------


@bp.route("/apply/<int:partnership_id>", methods=["GET", "POST"])
@login_required
def apply(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.can_apply, partnership)
    application = services.application_of(current_user, partnership)
    offers = [o for o in services.offers_in(partnership) if o.institution_id != current_user.institution_id]
    form = ApplicationForm(hosts=[o.institution for o in offers],
                           weeks=services.weeks_to_choose(offers, application))
    if request.method == "GET" and application is not None:
        form.fill_from(services.application_data_of(application))
    if form.validate_on_submit():
        sent = attempt(lambda: services.save_application(current_user, partnership, form.to_data()),
                       _("Your application is sent. The admins of your institution will endorse it."), form=form)
        if sent is not REFUSED:
            return redirect(url_for("mobility.application", application_id=sent.id))
    planned = services.active_visit_of(application) if application is not None else None
    return render_template("mobility/apply.html", form=form, partnership=partnership, application=application,
                           planned=planned, offers=offers), form_status(form)


@bp.route("/applications/<int:application_id>")
@login_required
def application(application_id: int):
    application = _application_or_404(application_id)
    permissions.require(permissions.can_view_application, application)
    return render_template("mobility/application.html", application=application,
                           visit=services.active_visit_of(application), form=DecisionForm())


@bp.route("/applications/<int:application_id>/decide", methods=["POST"])
@login_required
def decide(application_id: int):
    application = _application_or_404(application_id)
    permissions.require(permissions.can_endorse_application, application)
    form = DecisionForm()
    decision = request.form.get("decision")
    if not form.validate_on_submit() or decision not in ("endorse", "decline"):
        abort(400)
    name = application.user.name
    attempt(lambda: services.decide_application(current_user, application, decision == "endorse",
                                                form.note.data or ""),
            _("You endorsed the application of %(name)s.", name=name) if decision == "endorse"
            else _("You declined the application of %(name)s.", name=name))
    return redirect(_back(url_for("mobility.application", application_id=application.id)))


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@login_required
def withdraw(application_id: int):
    application = _application_or_404(application_id)
    permissions.require(permissions.can_edit_application, application)
    check_button_post()
    if attempt(lambda: services.withdraw_application(current_user, application),
               _("Your application is withdrawn.")) is REFUSED:
        return redirect(url_for("mobility.application", application_id=application.id))
    return redirect(url_for("mobility.index"))


# --- matching ----------------------------------------------------------------------------------------------


def _unplaced_reason(unplaced) -> str:
    code = getattr(unplaced, "code", None)
    reasons = {
        # Applying takes at least one week: having none left means that those given have begun.
        matching.NO_AVAILABLE_WEEKS: _("They have given no week that is still to come."),
        matching.NO_HOST: _("No host offers visits in this partnership."),
        matching.OWN_INSTITUTION_ONLY: _("The only host is their own institution."),
        matching.NO_SHARED_LANGUAGE: _("No host shares a language with them."),
        matching.NO_COMMON_WEEK: _("None of their weeks is offered by a host that shares a language with "
                                   "them."),
        matching.HOSTS_FULL: _("The suitable hosts are full or out of quota in their weeks."),
        matching.PLACES_TAKEN: _("The places they could take went to other applicants: placing them would "
                                 "not place more people, or would lower the score."),
    }
    return reasons.get(code) or unplaced.reason


def _why(match) -> list[str]:
    """Why the solver proposes this pair, in the reader's language."""
    return match_reasons.render(match_reasons.of_match(match))


def _assign_form(partnership: Partnership, offers) -> AssignForm:
    return AssignForm(applications=services.unplaced_applications(partnership), offers=offers,
                      weeks=services.weeks_to_book(offers))


def _past_visit_form(partnership: Partnership, offers) -> PastVisitForm:
    return PastVisitForm(prefix="past", applications=services.unplaced_applications(partnership), offers=offers,
                         weeks=services.weeks_gone_by(partnership))


def _matching_page(partnership: Partnership, offers, assign_form: AssignForm, refused=(), status: int = 200,
                   past_form: PastVisitForm | None = None, past_refused=()):
    try:
        proposal = services.propose_matching(partnership)
    except (matching.MatchingError, ValueError):
        flash(_("The matching could not be computed. Assign visitors by hand below."), "error")
        proposal = matching.Proposal()
    applications = {a.id: a for a in services.applications_in(partnership)}
    offers_by_id = {o.id: o for o in offers}
    matches = [(m, applications.get(m.application_id), offers_by_id.get(m.offer_id), _why(m))
               for m in proposal.matches]
    unplaced = [(applications.get(u.application_id), _unplaced_reason(u)) for u in proposal.unplaced]
    return render_template("mobility/matching.html", partnership=partnership, proposal=proposal,
                           matches=matches, unplaced=unplaced, assign_form=assign_form, refused=list(refused),
                           past_form=past_form or _past_visit_form(partnership, offers),
                           past_refused=list(past_refused), visits=services.visits_in(partnership)), status


@bp.route("/matching/<int:partnership_id>")
@login_required
def matching_page(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.coordinates, partnership)
    offers = services.offers_in(partnership)
    return _matching_page(partnership, offers, _assign_form(partnership, offers))


def _parse_choice(value: str) -> tuple[int, int, date]:
    """"application:offer:monday" from a ticked match; anything else was not sent by our page."""
    parts = value.split(":")
    ids = [as_id(part) for part in parts[:2]]
    try:
        monday = date.fromisoformat(parts[2]) if len(parts) == 3 else None
    except ValueError:
        monday = None
    if None in ids or monday is None:
        abort(400)
    return ids[0], ids[1], monday


@bp.route("/matching/<int:partnership_id>/accept", methods=["POST"])
@login_required
def accept(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.coordinates, partnership)
    check_button_post()
    choices = list(dict.fromkeys(_parse_choice(v) for v in request.form.getlist("match")))
    if not choices:
        flash(_("Tick at least one proposed visit to accept."), "warning")
        return redirect(url_for("mobility.matching_page", partnership_id=partnership.id))
    # The reasons stored on each visit come from the proposal as it stands now, not from the posted form.
    try:
        proposal = services.propose_matching(partnership)
    except (matching.MatchingError, ValueError):
        proposal = matching.Proposal()
    wanted = set(choices)
    reasons = {m.application_id: match_reasons.of_match(m) for m in proposal.matches
               if (m.application_id, m.offer_id, m.week) in wanted}
    result = services.accept_matches(current_user, partnership, choices, reasons)
    flash(ngettext("%(num)d visit was proposed.", "%(num)d visits were proposed.", len(result.created)),
          "success")
    if result.refused:
        names = {a.id: a.user.name for a in services.applications_in(partnership)}
        flash(ngettext("%(num)d match was refused:", "%(num)d matches were refused:", len(result.refused)),
              "error")
        for application_id, problems in result.refused.items():
            flash(_("%(name)s: %(problems)s", name=names.get(application_id, f"#{application_id}"),
                    problems=" ".join(problems)), "error")
    flash(ngettext("%(num)d applicant without a place waits on the hosts' waiting lists.",
                   "%(num)d applicants without a place wait on the hosts' waiting lists.", result.waiting),
          "info")
    return redirect(url_for("mobility.matching_page", partnership_id=partnership.id))


def _chosen(form: AssignForm, partnership: Partnership):
    """(application, offer, Monday) from an assign or record form, or None with each field's error set."""
    application_id, offer_id = as_id(form.application_id.data), as_id(form.offer_id.data)
    application = services.get_application(application_id) if application_id else None
    offer = services.get_offer(offer_id) if offer_id else None
    monday = None
    if application is None or application.partnership_id != partnership.id:
        form.application_id.errors.append(_("Choose an applicant."))
    if offer is None or offer.partnership_id != partnership.id:
        form.offer_id.errors.append(_("Choose a host."))
    try:
        monday = weeks.parse_week(form.week.data or "")
    except weeks.WeekError as error:
        form.week.errors.append(str(error) if form.week.data else _("Choose a week."))
    return None if form.errors else (application, offer, monday)


def _place_by_hand(form: AssignForm, partnership: Partnership, place, done: str):
    """The chosen visitor placed with the chosen service (book_visit, record_past_visit): a redirect to the
    new visit, or (None, the rules it breaks) for the matching page to show with the form."""
    if not (form.validate_on_submit() and (chosen := _chosen(form, partnership))):
        return None, []
    application, offer, monday = chosen
    visit, refusal = outcome(lambda: place(current_user, application, offer, monday))
    if refusal is not None:  # its rules are listed beside the form, not flashed
        return None, refusal.messages
    flash(done % {"name": application.user.name, "host": offer.institution.name}, "success")
    return redirect(url_for("mobility.visit", visit_id=visit.id)), []


@bp.route("/matching/<int:partnership_id>/assign", methods=["POST"])
@login_required
def assign(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.coordinates, partnership)
    offers = services.offers_in(partnership)
    form = _assign_form(partnership, offers)
    done, refused = _place_by_hand(
        form, partnership, lambda *chosen: services.book_visit(*chosen, reasons=match_reasons.one(match_reasons.ASSIGNED)),
        _("Visit proposed: %(name)s at %(host)s."))
    return done or _matching_page(partnership, services.offers_in(partnership), form, refused, 422)


@bp.route("/matching/<int:partnership_id>/past-visit", methods=["POST"])
@login_required
def record_past(partnership_id: int):
    """A visit that took place, recorded afterwards: completed at once, and the visitor asked for the essay."""
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.coordinates, partnership)
    offers = services.offers_in(partnership)
    form = _past_visit_form(partnership, offers)
    done, refused = _place_by_hand(
        form, partnership,
        lambda *chosen: services.record_past_visit(*chosen, reasons=match_reasons.one(match_reasons.RECORDED)),
        _("Visit recorded: %(name)s at %(host)s. They are asked for their essay."))
    return done or _matching_page(partnership, services.offers_in(partnership), _assign_form(partnership, offers),
                                  status=422, past_form=form, past_refused=refused)


# --- visits -------------------------------------------------------------------------------------------------


def _visit_page(visit, cancel_form: CancelForm, status: int = 200):
    reader = str(get_locale())
    holidays, named_in = weeks.holiday_names(visit.host.country, visit.week_start, reader)
    next_person = None
    if visit.status == CANCELLED and permissions.coordinates(current_user, visit.partnership):
        next_person = services.next_suitable(visit)
    manage = permissions.can_manage_visit(current_user, visit)
    begun = weeks.has_begun(visit.week_start)
    # Completing a visit that has not begun, or confirming one that has, is refused: no button for either. A
    # completed or cancelled visit leaves nothing to do (but offering its place to the next person).
    actions = {
        "confirm": manage and visit.status == PROPOSED and not begun,
        "complete": manage and visit.status == CONFIRMED and begun,
        "programme": manage and visit.status in (PROPOSED, CONFIRMED),
        "cancel": permissions.can_cancel_visit(current_user, visit) and visit.status in (PROPOSED, CONFIRMED),
        "offer_next": next_person is not None,
    }
    return render_template(
        "mobility/visit.html",
        visit=visit,
        reasons=match_reasons.shown(visit),
        days=[(number, DAY_NAMES[number], day, holidays.get(day))
              for number, day in enumerate(visit.days, 1)],
        # The holidays' names are in the reader's language when the library has it, else in English: say so.
        holiday_language=named_in,
        holiday_language_name=(labels.language_name(named_in.split("-")[0])
                               if named_in and named_in.split("-")[0] != reader.split("_")[0] else ""),
        programme=_by_day(visit.activities),
        cancel_form=cancel_form,
        next_person=next_person,
        actions=actions,
        panels=panels(visit_page, visit, viewer=current_user),
    ), status


@bp.route("/visits/<int:visit_id>")
@login_required
def visit(visit_id: int):
    visit = _visit_or_404(visit_id)
    permissions.require(permissions.can_view_visit, visit)
    return _visit_page(visit, CancelForm())


def _visit_action(visit_id: int, check, action, done: str):
    visit = _visit_or_404(visit_id)
    permissions.require(check, visit)
    check_button_post()
    attempt(lambda: action(current_user, visit), done)
    return redirect(url_for("mobility.visit", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>/confirm", methods=["POST"])
@login_required
def confirm(visit_id: int):
    return _visit_action(visit_id, permissions.can_manage_visit, services.confirm_visit,
                         _("The visit is confirmed."))


@bp.route("/visits/<int:visit_id>/complete", methods=["POST"])
@login_required
def complete(visit_id: int):
    return _visit_action(visit_id, permissions.can_manage_visit, services.complete_visit,
                         _("The visit is marked completed."))


@bp.route("/visits/<int:visit_id>/cancel", methods=["POST"])
@login_required
def cancel(visit_id: int):
    visit = _visit_or_404(visit_id)
    permissions.require(permissions.can_cancel_visit, visit)
    form = CancelForm()
    if form.validate_on_submit():
        if attempt(lambda: services.cancel_visit(current_user, visit, form.reason.data or ""),
                   _("The visit is cancelled."), form=form) is not REFUSED:
            return redirect(url_for("mobility.visit", visit_id=visit.id))
    return _visit_page(visit, form, 422)


@bp.route("/visits/<int:visit_id>/offer-next", methods=["POST"])
@login_required
def offer_next(visit_id: int):
    visit = _visit_or_404(visit_id)
    permissions.require(permissions.coordinates, visit.partnership)
    check_button_post()
    new = attempt(lambda: services.offer_place_to_next(current_user, visit),
                  lambda new: _("The place is offered to %(name)s.", name=new.visitor.name))
    return redirect(url_for("mobility.visit", visit_id=visit.id if new is REFUSED else new.id))


@bp.route("/visits/<int:visit_id>/programme", methods=["GET", "POST"])
@login_required
def programme(visit_id: int):
    visit = _visit_or_404(visit_id)
    permissions.require(permissions.can_manage_visit, visit)
    form = ProgrammeForm()
    if request.method == "GET":
        form.fill_activities(visit.activities)
    if form.validate_on_submit():
        if attempt(lambda: services.update_programme(current_user, visit, form.activity_data()),
                   _("The programme is saved."), form=form) is not REFUSED:
            return redirect(url_for("mobility.visit", visit_id=visit.id))
    return render_template("mobility/programme_form.html", form=form, visit=visit), form_status(form)


# --- dashboard --------------------------------------------------------------------------------------------


@bp.route("/dashboard/<int:partnership_id>")
@login_required
def dashboard(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.can_read_mobility_dashboard, partnership)
    board = services.dashboard(partnership)
    months = [(month_label(key), visits) for key, visits in board.by_month]  # "2027-03" -> "March 2027"
    return render_template("mobility/dashboard.html", partnership=partnership, board=board, months=months,
                           panels=panels(dashboard_page, partnership, viewer=current_user))


@bp.route("/dashboard/<int:partnership_id>/visits.csv")
@login_required
def dashboard_csv(partnership_id: int):
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.can_read_mobility_dashboard, partnership)
    return csv_download(services.visits_csv_rows(partnership), f"visits-{partnership.reference}.csv")

