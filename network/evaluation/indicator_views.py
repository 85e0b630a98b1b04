"""A partnership's targets (its coordinators set them; those who read its dashboard see them) and its indicators
against them, as a page and a CSV file."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network import permissions
from network.evaluation import indicators as service
from network.evaluation.blueprint import bp
from network.evaluation.session_forms import TargetsForm
from network.institutions import services as institutions
from network.mobility import weeks
from network.web import REFUSED, attempt, csv_download, form_status


def _partnership(partnership_id: int):
    partnership = institutions.get_partnership(partnership_id)
    if partnership is None:
        abort(404)
    return partnership


@bp.route("/partnerships/<int:partnership_id>/targets", methods=["GET", "POST"])
@login_required
def targets(partnership_id: int):
    """The targets: a form for the coordinators, the figures for the other readers of the dashboard."""
    partnership = _partnership(partnership_id)
    if request.method == "POST":
        permissions.require(permissions.can_manage_surveys, partnership)
    else:
        permissions.require(permissions.can_read_indicators, partnership)
    may_change = permissions.can_manage_surveys(current_user, partnership)
    form = TargetsForm()
    if request.method == "GET":
        form.fill_from(service.targets_of(partnership))
    elif form.validate_on_submit():
        if attempt(lambda: service.save_targets(current_user, partnership, form.values()),
                   _("The targets are saved."), form=form) is not REFUSED:
            return redirect(url_for("evaluation.indicators", partnership_id=partnership_id))
        partnership = _partnership(partnership_id)
    return render_template("evaluation/indicators/targets.html", partnership=partnership, form=form,
                           may_change=may_change, targets=service.targets_of(partnership),
                           labels=service.TARGET_LABELS, help=service.TARGET_HELP,
                           kinds=service.TARGET_KINDS), form_status(form)


@bp.route("/partnerships/<int:partnership_id>/indicators")
@login_required
def indicators(partnership_id: int):
    partnership = _partnership(partnership_id)
    permissions.require(permissions.can_read_indicators, partnership)
    today = weeks.today()
    return render_template(
        "evaluation/indicators/show.html", partnership=partnership, today=today,
        indicators=service.indicators(partnership, today), share=service.elapsed_share(partnership, today),
        labels=service.TARGET_LABELS, definitions=service.DEFINITIONS,
        may_change=permissions.can_manage_surveys(current_user, partnership))


@bp.route("/partnerships/<int:partnership_id>/indicators.csv")
@login_required
def indicators_csv(partnership_id: int):
    partnership = _partnership(partnership_id)
    permissions.require(permissions.can_read_indicators, partnership)
    return csv_download(service.csv_rows(partnership), f"indicators-{partnership.reference}.csv")
