"""Taking the self-assessment and seeing one's result: the start page, an invitation's link, one page per
dimension, the result with its chart, recommendations and change over time.

Signed in, the answers are a stored result; not signed in, they live in the browser's session (services.
AnonymousSitting) until the person signs in or registers. One code path serves both (services.current_sitting).
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network import permissions
from network.charts import bar_chart
from network.extensions import db, login_manager
from network.search import services as search_services
from network.self_assessment import services
from network.self_assessment.blueprint import bp
from network.self_assessment.forms import NOT_APPLICABLE, ROLE_LABELS, PageForm, StartForm, answers_from, field_name
from network.self_assessment.group_forms import PHASES
from network.self_assessment.models import ANY_TIME, AssessmentResult
from network.web import REFUSED, attempt, check_button_post, form_status


def _first_page_to_answer(sitting) -> int:
    for number, dimension in enumerate(sitting.questionnaire.dimensions, start=1):
        if any(s.id not in sitting.answers for s in dimension.statements):
            return number
    return max(1, len(sitting.questionnaire.dimensions))


# --- the start page ---------------------------------------------------------------------------------------


def _index_page(form: StartForm, status: int = 200):
    sitting = services.current_sitting(current_user)
    if request.method == "GET" and sitting is not None and not form.role.data:
        form.role.data = sitting.role
    invitation = services.remembered_invitation()
    kept = services.finished_here() if not current_user.is_authenticated else None
    return render_template(
        "self_assessment/index.html", form=form, questionnaire=services.current_questionnaire(),
        sitting=sitting, invitation=invitation, phase_labels={code: label for code, label in PHASES.items() if code != ANY_TIME},
        finished_here=kept is not None, minimum=services.MIN_GROUP,
        waiting=services.answers_waiting_here() if current_user.is_authenticated else None, keep_form=PageForm(),
        results=list(reversed(services.results_of(current_user))) if current_user.is_authenticated else [],
    ), status


@bp.route("/")
def index():
    return _index_page(StartForm())


@bp.route("/keep", methods=["POST"])
def keep_answers():
    """The person signed in keeps (or discards) the answers given in this browser before they did."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    check_button_post()
    if request.form.get("action") == "keep":
        kept = attempt(lambda: services.attach_session_answers(current_user), _("The answers are now yours."))
        if kept not in (None, REFUSED) and kept.completed_at is not None:
            return redirect(url_for("self_assessment.result", result_id=kept.id))
    else:
        services.discard_session_answers()
        flash(_("The answers given in this browser are discarded."), "success")
    return redirect(url_for("self_assessment.index"))


@bp.route("/i/<token>")
def invitation_landing(token: str):
    invitation = services.invitation_by_token(token)
    if invitation is None:
        abort(404)
    if not services.invitation_open(invitation):
        return render_template("self_assessment/closed_invitation.html", invitation=invitation), 410
    services.remember_invitation(invitation)
    return redirect(url_for("self_assessment.index"))


@bp.route("/start", methods=["POST"])
def start():
    form = StartForm()
    if form.validate_on_submit():
        invitation = services.remembered_invitation()
        sitting = attempt(lambda: services.begin_sitting(current_user, form.role.data, invitation), form=form)
        if sitting is not REFUSED:
            return redirect(url_for("self_assessment.take", page=_first_page_to_answer(sitting)))
    return _index_page(form, 422)


# --- the questionnaire, one page per dimension --------------------------------------------------------------


@bp.route("/take/<int:page>", methods=["GET", "POST"])
def take(page: int):
    sitting = services.current_sitting(current_user)
    if sitting is None:
        return redirect(url_for("self_assessment.index"))
    dimensions = sitting.questionnaire.dimensions
    if not 1 <= page <= len(dimensions):
        abort(404)
    dimension = dimensions[page - 1]
    form = PageForm()
    chosen = {s.id: sitting.answers[s.id] for s in dimension.statements if s.id in sitting.answers}
    missing = []
    if request.method == "POST":
        check_button_post()
        given = answers_from(request.form, dimension.statements)
        chosen.update(given)
        if attempt(lambda: services.save_sitting(sitting, given)) is REFUSED:
            return redirect(url_for("self_assessment.take", page=page))
        action = request.form.get("action", "next")
        if action == "later":
            flash(_("Saved: you can come back any time. Your answers are kept in this browser until you close it.")
                  if sitting.anonymous else _("Saved: you can come back any time."), "success")
            return redirect(url_for("self_assessment.index"))
        if action == "previous":
            return redirect(url_for("self_assessment.take", page=page - 1) if page > 1
                            else url_for("self_assessment.index"))
        missing = [s for s in dimension.statements if s.id not in chosen]
        if missing:  # take.html names each one in its error summary and beside its fieldset
            form.show_errors({"": [_("Choose an answer.")]})
        if not missing:
            if page < len(dimensions):
                return redirect(url_for("self_assessment.take", page=page + 1))
            done = attempt(lambda: services.complete_sitting(sitting))
            if done is not REFUSED:
                return redirect(url_for("self_assessment.my_result") if sitting.anonymous
                                else url_for("self_assessment.result", result_id=done.id))
            return redirect(url_for("self_assessment.take", page=_first_page_to_answer(sitting)))
    return render_template(
        "self_assessment/take.html", form=form, sitting=sitting, page=page, dimensions=dimensions,
        dimension=dimension, chosen=chosen, missing=missing, labels=services.scale_labels(sitting.questionnaire),
        field_name=field_name, not_applicable=NOT_APPLICABLE, localized=services.localized,
        states=[_state(d, sitting.answers) for d in dimensions],
    ), form_status(form)


def _state(dimension, answers) -> str:
    given = sum(s.id in answers for s in dimension.statements)
    return "done" if given == len(dimension.statements) else ("started" if given else "todo")


# --- results ---------------------------------------------------------------------------------------------


def _own_result(result_id: int) -> AssessmentResult:
    """A completed result of the person signed in; anyone else's does not exist for them."""
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    result = db.session.get(AssessmentResult, result_id)
    if result is None or result.completed_at is None or not permissions.can_view_assessment_result(current_user,
                                                                                                   result):
        abort(404)
    return result


def _result_page(shown: services.Profile, result: AssessmentResult | None):
    rows = [(str(d.name), d.score, str(services.localized(d.level.name)) if d.level else _("no score"))
            for d in shown.dimensions]
    chart = bar_chart(rows, title=_("Your scores by dimension"),
                      description=_("A bar for each dimension, from 0 to 100; the same figures are in the table "
                                    "below."))
    suggestions = [(d, services.recommendations(current_user, d.dimension)) for d in shown.to_work_on]
    return render_template(
        "self_assessment/result.html", shown=shown, result=result, chart=chart, suggestions=suggestions,
        type_labels=search_services.type_labels(), localized=services.localized, role_labels=ROLE_LABELS,
        completed_at=result.completed_at if result is not None else None)


@bp.route("/results/<int:result_id>")
def result(result_id: int):
    found = _own_result(result_id)
    return _result_page(services.result_profile(found), found)


@bp.route("/result")
def my_result():
    """The result of this browser's sitting (not signed in); signed in, the person's newest result."""
    if current_user.is_authenticated:
        results = services.results_of(current_user)
        if results and services.answers_waiting_here() is None:
            return redirect(url_for("self_assessment.result", result_id=results[-1].id))
        return redirect(url_for("self_assessment.index"))
    sitting = services.finished_here()
    if sitting is None:
        return redirect(url_for("self_assessment.index"))
    return _result_page(services.profile(sitting.questionnaire, sitting.answers), None)


@bp.route("/results/<int:result_id>/delete", methods=["GET", "POST"])
def delete_result(result_id: int):
    found = _own_result(result_id)
    if request.method == "POST":
        check_button_post()
        if attempt(lambda: services.delete_result(found), _("Your result is deleted.")) is not REFUSED:
            return redirect(url_for("self_assessment.index"))
        return redirect(url_for("self_assessment.result", result_id=result_id))
    return render_template("self_assessment/delete.html", result=found, form=PageForm())
