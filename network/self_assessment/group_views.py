"""The groups' pages: a group's aggregates (by dimension, over time), its training needs (page, CSV, print), and
the invitations a coordinator or an event's organisers give a group, with the before/after comparison.

Only ever aggregates, and none below services.MIN_GROUP people: the services compute nothing smaller, and these
pages then say so in one sentence, without any figure (not even how many fewer)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, redirect, render_template, request, url_for
from flask_babel import format_percent
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from network import permissions
from network.charts import bar_chart
from network.extensions import db, login_manager
from network.self_assessment import services
from network.self_assessment.blueprint import bp
from network.self_assessment.group_forms import (
    PHASES,
    ChosenGroup,
    InvitationForm,
    chosen_group,
    group_choices,
    may_read,
)
from network.self_assessment.models import AssessmentInvitation
from network.web import REFUSED, attempt, check_button_post, csv_download, form_status, outcome


def _login_first() -> None:
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())


def _group_or_problem() -> tuple[ChosenGroup | None, str | None]:
    """The group the query string names, checked: (group, None), (None, message) for a malformed choice, or
    (None, None) for none; 404 for an id of nothing, 403 for a group the reader may not read. A malformed choice
    is answered like the other refused filters (the events' calendar, search): its message, with 400."""
    _login_first()
    if not permissions.reads_some_assessment_aggregates(current_user):
        abort(403)
    chosen, refused = outcome(lambda: chosen_group(request.args))
    if refused is not None:
        return None, refused.text
    if chosen is not None and not may_read(current_user, chosen):
        abort(403)
    return chosen, None


def _required_group() -> ChosenGroup:
    """For the exports: a group must be named (400 otherwise; there is no form to show it on)."""
    chosen, problem = _group_or_problem()
    if chosen is None:
        abort(400)
    return chosen


def _levels() -> list:
    questionnaire = services.current_questionnaire()
    return [(level.code, services.localized(level.name)) for level in questionnaire.levels] if questionnaire else []


def _needing_label(levels) -> str:
    """What "needing" means: below the second level, named."""
    if len(levels) > 1:
        return _("Below “%(level)s”", level=levels[1][1])
    return _("Needing training")


def _share(value: float) -> str:
    return format_percent(value, "#,##0%")


def _mean_chart(figures):
    """The means by dimension as bars (network.self_assessment.charts)."""
    rows = [(str(d.name), d.mean, "" if d.mean is not None else _("not shown")) for d in figures.dimensions]
    return bar_chart(rows, maximum=100, title=_("Mean score by dimension (0–100)"),
                     description=_("The group's mean score on each dimension, from 0 to 100."))


# --- a group's aggregates ------------------------------------------------------------------------------------


@bp.route("/groups")
def aggregates():
    """Choose a group; see its figures by dimension and over time (never below MIN_GROUP people)."""
    chosen, problem = _group_or_problem()
    figures = services.aggregate(chosen.group) if chosen is not None else None
    levels = _levels()
    return render_template(
        "self_assessment/aggregates.html", choices=group_choices(current_user), chosen=chosen, problem=problem,
        figures=figures, levels=levels, needing_label=_needing_label(levels), share=_share,
        minimum=services.MIN_GROUP, chart=_mean_chart(figures) if figures is not None and figures.enough else None,
    ), 400 if problem else 200


# --- training needs ------------------------------------------------------------------------------------------


def _needs_with_recommendations(figures) -> list[tuple]:
    """(dimension aggregate, recommendations) most needed first; recommendations by the current version's
    dimension of the same code."""
    questionnaire = services.current_questionnaire()
    dimensions = {d.code: d for d in questionnaire.dimensions} if questionnaire else {}
    return [(need, services.recommendations(current_user, dimensions[need.code]) if need.code in dimensions else [])
            for need in services.needs_of(figures)]


def _needs_context(chosen: ChosenGroup) -> dict:
    figures = services.aggregate(chosen.group)
    levels = _levels()
    return {"chosen": chosen, "figures": figures, "levels": levels, "needing_label": _needing_label(levels),
            "needs": _needs_with_recommendations(figures), "share": _share,
            "minimum": services.MIN_GROUP}


@bp.route("/groups/needs")
def needs():
    """The group's dimensions ranked by the share of people below the second level, each with what to read."""
    chosen, problem = _group_or_problem()
    if chosen is None:
        return render_template("self_assessment/needs.html", choices=group_choices(current_user), chosen=None,
                               problem=problem, figures=None, needs=[]), 400 if problem else 200
    return render_template("self_assessment/needs.html", choices=group_choices(current_user), problem=None,
                           **_needs_context(chosen))


@bp.route("/groups/needs/print")
def needs_print():
    """The training needs on one printable page: no navigation, the group's name and today's date."""
    chosen = _required_group()
    return render_template("self_assessment/needs_print.html", today=date.today(), **_needs_context(chosen))


def needs_rows(chosen: ChosenGroup) -> list[list]:
    """The CSV: a header, then one row per dimension, most needed first; only the header below MIN_GROUP people."""
    levels = _levels()
    header = [_("Dimension code"), _("Dimension"), _("People who answered"), _("Mean score (0–100)"),
              _("Share needing training (%)"), *[str(name) for _code, name in levels]]
    rows = [header]
    for need in services.training_needs(chosen.group):
        rows.append([need.code, str(need.name), need.count, need.mean, round(need.needing_share * 100, 1),
                     *[need.distribution.get(code, 0) for code, _name in levels]])
    return rows


@bp.route("/groups/needs.csv")
def needs_csv():
    chosen = _required_group()
    return csv_download(needs_rows(chosen), f"training-needs-{chosen.kind}-{chosen.group.value}.csv")


# --- invitations ---------------------------------------------------------------------------------------------


def _organised_events(user) -> list:
    """The events the reader organises that a group may still answer about: not over for more than a year
    (a "before" and an "after" link of an event are made around it)."""
    from network.events.models import Event

    since = date.today() - timedelta(days=365)
    events = db.session.scalars(select(Event).where(Event.end_date >= since, Event.visit_id.is_(None))
                                .order_by(Event.start_date.desc(), Event.id.desc()))
    return [event for event in events if permissions.organises_event(user, event)]


def _coordinated_partnerships(user) -> list:
    from network.institutions import services as institutions

    return [p for p in institutions.all_partnerships() if permissions.coordinates(user, p)]


def _managed_invitations(user) -> list[AssessmentInvitation]:
    invitations = db.session.scalars(select(AssessmentInvitation).order_by(AssessmentInvitation.created_at.desc(),
                                                                          AssessmentInvitation.id.desc()))
    return [i for i in invitations if permissions.manages_assessment_invitation(user, i)]


def invitation_link(invitation: AssessmentInvitation) -> str:
    return url_for("self_assessment.invitation_landing", token=invitation.token, _external=True)


@bp.route("/invitations", methods=["GET", "POST"])
def invitations():
    """The invitations the reader manages, each with its link, and the form to create one."""
    _login_first()
    partnerships, events = _coordinated_partnerships(current_user), _organised_events(current_user)
    managed = _managed_invitations(current_user)
    if not (partnerships or events or managed):
        abort(403)
    form = InvitationForm(partnerships=partnerships, events=events)
    if form.validate_on_submit():
        partnership, event = form.chosen()
        created = attempt(lambda: services.create_invitation(
            current_user, partnership=partnership, event=event, phase=form.phase.data or "",
            label=form.label.data or "", closes_on=form.closes_on.data),
            _("The link is created: give it to the group."), form=form)
        if created is not REFUSED:
            return redirect(url_for("self_assessment.invitations", _anchor=f"invitation-{created.id}"))
    return render_template("self_assessment/invitations.html", form=form, invitations=managed, phases=PHASES,
                           link=invitation_link, today=date.today(), can_create=bool(partnerships or events),
                           minimum=services.MIN_GROUP), \
        form_status(form)


def _readable_invitation(invitation_id: int) -> AssessmentInvitation:
    _login_first()
    invitation = db.session.get(AssessmentInvitation, invitation_id) or abort(404)
    if not permissions.can_read_assessment_aggregates(current_user, "invitation", invitation):
        abort(403)
    return invitation


@bp.route("/invitations/<int:invitation_id>")
def invitation(invitation_id: int):
    """The invitation's link and its comparison with its siblings (before and after one event): the means by
    dimension per invitation, side by side, each only with at least MIN_GROUP people, and the change."""
    invitation = _readable_invitation(invitation_id)
    comparison = services.compare_invitations(invitation)
    return render_template("self_assessment/invitation.html", invitation=invitation, columns=comparison.columns,
                           rows=comparison.rows, compares=comparison.compares, phases=PHASES,
                           link=invitation_link(invitation), minimum=services.MIN_GROUP,
                           manages=permissions.manages_assessment_invitation(current_user, invitation))


@bp.route("/invitations/<int:invitation_id>/delete", methods=["POST"])
def delete_invitation(invitation_id: int):
    _login_first()
    invitation = db.session.get(AssessmentInvitation, invitation_id) or abort(404)
    if not permissions.manages_assessment_invitation(current_user, invitation):
        abort(403)
    check_button_post()
    attempt(lambda: services.delete_invitation(invitation),
            _("The link is deleted: it no longer works. The results taken through it stay, without it."))
    return redirect(url_for("self_assessment.invitations"))
