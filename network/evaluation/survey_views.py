"""Surveys as people meet them: the ones sent to me, answering one page per section, a survey's results (with the
five-response rule for anonymous ones) and their CSV, and a host's own results."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network import permissions
from network.charts import bar_chart
from network.evaluation import surveys
from network.evaluation.blueprint import bp
from network.evaluation.forms import BACK, LATER, NEXT, AnswerPageForm, action_of, answers_from
from network.evaluation.models import SurveyInvitation
from network.extensions import db
from network.forms import as_id, whole_number
from network.i18n import localized
from network.web import check_button_post, csv_download, outcome

# --- my surveys ------------------------------------------------------------------------------------------------


@bp.route("/surveys/mine")
@login_required
def my_surveys():
    to_answer, answered, missed = surveys.invitations_of(current_user)
    institution = current_user.institution
    hosts = institution if (institution is not None and permissions.can_read_host_results(current_user, institution)
                            and surveys.hosts_visits(institution.id)) else None
    return render_template("evaluation/surveys/mine.html", to_answer=to_answer, answered=answered, missed=missed,
                           host=hosts, localized=localized, subject_of=surveys.subject_of,
                           closed_on=surveys.closed_on)


# --- answering -------------------------------------------------------------------------------------------------


def _stored(value) -> str | list[str]:
    """An answer as the page's fields show it."""
    if isinstance(value, list):
        return [str(code) for code in value]
    return "" if value is None else str(value)


def _answer_page(invitation: SurveyInvitation, sections, page: int, form: AnswerPageForm, typed=None,
                 errors=None, status: int = 200):
    section = sections[page - 1]
    draft = invitation.draft or {}
    shown = {question.id: _stored(draft.get(str(question.id))) for question in section.questions}
    shown.update(typed or {})
    errors = {key: [str(message) for message in messages] for key, messages in (errors or {}).items()}
    wrong = [question for question in section.questions if errors.get(surveys.field_key(question))]
    return render_template(
        "evaluation/surveys/answer.html", invitation=invitation, survey=invitation.survey, sections=sections,
        page=page, section=section, form=form, shown=shown, errors=errors, wrong=wrong, localized=localized,
        field_key=surveys.field_key, scale=surveys.scale_labels(), short_max=surveys.SHORT_MAX,
        long_max=surveys.LONG_MAX, minimum=surveys.MIN_GROUP,
    ), status


def _page_of(sections, keys) -> int:
    """The first page (1-based) holding one of these questions' fields."""
    for number, section in enumerate(sections, start=1):
        if any(surveys.field_key(question) in keys for question in section.questions):
            return number
    return 1


@bp.route("/answer/<int:invitation_id>", methods=["GET", "POST"])
def answer(invitation_id: int):
    invitation = surveys.get_invitation(invitation_id)
    if invitation is None:
        abort(404)
    permissions.require(permissions.can_answer_survey, invitation)
    sections = surveys.pages(invitation.survey)
    if not surveys.is_open(invitation) or not sections:
        return render_template("evaluation/surveys/answer_closed.html", invitation=invitation,
                               survey=invitation.survey, localized=localized,
                               closed_on=surveys.closed_on(invitation))
    asked = request.args.get("page")
    page = whole_number(asked, digits=4) if asked is not None else min(invitation.draft_section, len(sections) - 1) + 1
    if page is None or not 1 <= page <= len(sections):
        abort(404)
    form = AnswerPageForm()
    if request.method == "GET":
        return _answer_page(invitation, sections, page, form)

    check_button_post()
    action = action_of(request.form)
    given = answers_from(request.form, sections[page - 1].questions)
    _saved, error = outcome(lambda: surveys.save_page(current_user, invitation, page - 1, given))
    if error is not None:
        if set(error.errors) <= {""}:  # closed or answered meanwhile: the page says so
            flash(error.text, "error")
            return redirect(url_for("evaluation.answer", invitation_id=invitation.id))
        typed = {question_id: _stored(value) for question_id, value in given.items()}
        return _answer_page(invitation, sections, page, form, typed, error.errors, 422)
    if action == LATER:
        flash(_("Your answers are saved. You can come back and finish before the survey closes."), "success")
        return redirect(url_for("evaluation.my_surveys"))
    if action == BACK:
        return redirect(url_for("evaluation.answer", invitation_id=invitation.id, page=max(1, page - 1)))
    if action == NEXT or page < len(sections):
        return redirect(url_for("evaluation.answer", invitation_id=invitation.id,
                                page=min(page + 1, len(sections))))
    # SEND, from the last page
    _response, error = outcome(lambda: surveys.send_answers(current_user, invitation))
    if error is None:
        flash(_("Thank you: your answers are sent."), "success")
        return redirect(url_for("evaluation.my_surveys"))
    if set(error.errors) <= {""}:
        flash(error.text, "error")
        return redirect(url_for("evaluation.answer", invitation_id=invitation.id))
    db.session.refresh(invitation)
    first = _page_of(sections, error.errors)
    form.general_errors.append(_("Some required questions are not answered yet: answer them, then send your "
                                 "answers from the last page."))
    return _answer_page(invitation, sections, first, form, errors=error.errors, status=422)


# --- results ---------------------------------------------------------------------------------------------------


def _percent(count: int, total: int) -> str:
    return format_percent(count / total, "#,##0%") if total else ""


def _mean(value) -> str:
    return format_decimal(round(value, 2)) if value is not None else ""


def _charts(found: surveys.SurveyResults) -> dict[int, object]:
    """A bar chart per question with a distribution (its table is beside it in the page)."""
    charts = {}
    for row in found.questions:
        if not row.distribution:
            continue
        bars = [(surveys.option_label(row.question, value).text, count, _percent(count, row.answered))
                for value, count in row.distribution]
        charts[row.question.id] = bar_chart(
            bars, maximum=max(row.answered, 1), title=localized(row.question.text).text,
            description=_("Responses per answer, out of %(count)d who answered this question; the same figures are "
                          "in the table beside the chart.", count=row.answered))
    return charts


def _chosen_host(survey):
    """The host the reader filters by (?host=<id>), among the survey's hosts; (hosts, chosen, problem)."""
    hosts = surveys.hosts_of(survey)
    asked = request.args.get("host", "")
    if not asked:
        return hosts, None, None
    chosen = next((host for host in hosts if host.id == as_id(asked)), None)
    if chosen is None:
        return hosts, None, _("This survey was not sent about that host: the results of every host are shown.")
    return hosts, chosen, None


def _readable_survey(survey_id: int):
    survey = surveys.get_survey(survey_id)
    if survey is None:
        abort(404)
    permissions.require(permissions.can_read_survey_results, survey)
    return survey


@bp.route("/surveys/<int:survey_id>/results")
def survey_results(survey_id: int):
    survey = _readable_survey(survey_id)
    hosts, chosen, problem = _chosen_host(survey)
    found = surveys.results(survey, host_institution_id=chosen.id if chosen else None, with_names=True)
    return render_template(
        "evaluation/surveys/results.html", survey=survey, found=found, hosts=hosts, chosen=chosen, problem=problem,
        charts=_charts(found), localized=localized, option_label=surveys.option_label, percent=_percent,
        mean=_mean, why_not=surveys.why_not_text(found) if not found.enough else None,
        withheld=surveys.withheld_text, pages=surveys.pages(survey), minimum=surveys.MIN_GROUP)


@bp.route("/surveys/<int:survey_id>/results.csv")
def survey_results_csv(survey_id: int):
    survey = _readable_survey(survey_id)
    _hosts, chosen, _problem = _chosen_host(survey)
    found = surveys.results(survey, host_institution_id=chosen.id if chosen else None)
    suffix = f"-host-{chosen.id}" if chosen else ""
    return csv_download(surveys.csv_rows(found), f"survey-{survey.id}-results{suffix}.csv")


@bp.route("/hosts/<int:institution_id>/results")
def host_results(institution_id: int):
    from network.institutions.models import Institution

    institution = db.session.get(Institution, institution_id)
    if institution is None:
        abort(404)
    permissions.require(permissions.can_read_host_results, institution)
    found = surveys.host_results(institution)
    charts = {}
    for row in found:
        charts.update(_charts(row))
    return render_template(
        "evaluation/surveys/host_results.html", institution=institution, found=found, charts=charts,
        localized=localized, option_label=surveys.option_label, percent=_percent, mean=_mean,
        why_not=surveys.why_not_text, withheld=surveys.withheld_text, minimum=surveys.MIN_GROUP)
