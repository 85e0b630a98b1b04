"""The survey editor: a partnership's surveys (its coordinators build them, evaluators read them), the network's
templates (site admins build them, coordinators copy them), and a survey's page with its settings, sections and
questions, a preview, and the buttons that open, close, reopen, copy or delete it. Every change is a plain POST form
(moves are buttons), so all of it works without JavaScript. Thin: the rules are in network.evaluation.editing."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network import i18n, permissions
from network.evaluation import editing, surveys
from network.evaluation.blueprint import bp
from network.evaluation.editor_forms import ANONYMITY_CHOICES, CopyForm, DeleteSurveyForm, form_for
from network.evaluation.models import CHOICE_KINDS, DRAFT, VISIT_MOMENTS, SurveyQuestion, SurveySection
from network.extensions import db
from network.forms import as_id
from network.web import REFUSED, attempt, check_button_post, form_status

STEPS = {"up": -1, "down": 1}
TEMPLATE_TARGET = "template"


# --- finding what the URL names ------------------------------------------------------------------------------------


def _languages() -> list[str]:
    return i18n.supported_locales()


def _partnership(partnership_id: int):
    from network.institutions import services as institutions

    return institutions.get_partnership(partnership_id) or abort(404)


def _survey(survey_id: int, check=permissions.can_edit_survey):
    survey = editing.get_survey(survey_id) or abort(404)
    permissions.require(check, survey)
    return survey


def _section(survey, section_id: int) -> SurveySection:
    section = db.session.get(SurveySection, section_id)
    if section is None or section.survey_id != survey.id:
        abort(404)
    return section


def _question(survey, question_id: int) -> SurveyQuestion:
    question = db.session.get(SurveyQuestion, question_id)
    if question is None or question.section.survey_id != survey.id:
        abort(404)
    return question


def _step() -> int:
    """The direction of a move button (anything else: 400); its CSRF token is checked before (_button)."""
    step = STEPS.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    return step


def _to_survey(survey, anchor: str | None = None):
    return redirect(url_for("evaluation.survey", survey_id=survey.id, _anchor=anchor))


def _home_of(survey):
    """Where a survey's list is: its partnership's surveys, or the templates."""
    if survey.is_template:
        return url_for("evaluation.survey_templates")
    return url_for("evaluation.partnership_surveys", partnership_id=survey.partnership_id)


def results_url(survey) -> str | None:
    """The survey's results page (another part of the feature), for a sent survey the reader may read."""
    if survey.status == DRAFT or survey.is_template or not permissions.can_read_survey_results(current_user, survey):
        return None
    return url_for("evaluation.survey_results", survey_id=survey.id)


def copy_targets(user) -> list[tuple[str, str]]:
    """Where this person may copy a survey: the partnerships they coordinate, and (site admins) a new template."""
    from network.institutions import services as institutions

    targets = [(str(p.id), p.title) for p in institutions.all_partnerships() if permissions.can_manage_surveys(user, p)]
    if permissions.can_create_survey_template(user):
        targets.append((TEMPLATE_TARGET, _("A new template of the network")))
    return targets


def _render(template: str, **context):
    return render_template(f"evaluation/editor/{template}", moments=editing.MOMENT_LABELS, kinds=editing.KIND_LABELS,
                           statuses=editing.STATUS_LABELS, localized=i18n.localized, **context)


# --- lists ----------------------------------------------------------------------------------------------------------


@bp.route("/partnerships/<int:partnership_id>/surveys")
def partnership_surveys(partnership_id: int):
    """The partnership's surveys, with what each has gathered; its coordinators start new ones or copy a template."""
    partnership = _partnership(partnership_id)
    permissions.require(permissions.can_read_mobility_dashboard, partnership)
    surveys = editing.surveys_of_partnership(partnership)
    manages = permissions.can_manage_surveys(current_user, partnership)
    return _render("partnership.html", partnership=partnership, surveys=surveys, manages=manages,
                   counts=editing.invitation_counts(s.id for s in surveys), results_url=results_url,
                   templates=editing.templates() if manages else [])


@bp.route("/templates")
def survey_templates():
    """The network's templates: site admins write them; coordinators copy one into a partnership they run."""
    permissions.require(permissions.can_see_survey_templates)
    return _render("templates.html", templates=editing.templates(), targets=copy_targets(current_user),
                   creates=permissions.can_create_survey_template(current_user))


# --- a survey's settings --------------------------------------------------------------------------------------------


def _settings_page(form, *, survey=None, partnership=None):
    return _render("settings.html", form=form, survey=survey, partnership=partnership, languages=_languages(),
                   frozen=survey is not None and editing.is_frozen(survey)), form_status(form)


def _new_survey(partnership):
    form = form_for("survey", _languages())
    if form.validate_on_submit():
        survey = attempt(lambda: editing.create_survey(current_user, partnership, form.to_data()),
                         _("The survey is created: add its sections and questions."), form=form)
        if survey is not REFUSED:
            return _to_survey(survey)
    return _settings_page(form, partnership=partnership)


@bp.route("/partnerships/<int:partnership_id>/surveys/new", methods=["GET", "POST"])
def new_survey(partnership_id: int):
    partnership = _partnership(partnership_id)
    permissions.require(permissions.can_manage_surveys, partnership)
    return _new_survey(partnership)


@bp.route("/templates/new", methods=["GET", "POST"])
def new_template():
    permissions.require(permissions.can_create_survey_template)
    return _new_survey(None)


@bp.route("/surveys/<int:survey_id>/settings", methods=["GET", "POST"])
def edit_survey(survey_id: int):
    survey = _survey(survey_id)
    form = form_for("survey", _languages())
    if request.method == "GET":
        form.fill_from(survey)
    elif form.validate_on_submit():
        frozen = editing.is_frozen(survey)
        if attempt(lambda: editing.update_survey(survey, form.to_data(frozen=frozen)), _("The settings are saved."),
                   form=form) is not REFUSED:
            return _to_survey(survey)
    return _settings_page(form, survey=survey)


# --- a survey's page ------------------------------------------------------------------------------------------------


def _survey_page(survey, delete_form: DeleteSurveyForm | None = None):
    edits = permissions.can_edit_survey(current_user, survey)
    delete_form = delete_form or DeleteSurveyForm(prefix="delete", formdata=None)
    return _render("survey.html", survey=survey, edits=edits, frozen=editing.is_frozen(survey),
                   problems=editing.opening_problems(survey) if edits and survey.status == DRAFT else [],
                   counts=editing.invitation_counts([survey.id])[survey.id], results_url=results_url(survey),
                   targets=copy_targets(current_user), languages=_languages(), anonymity=dict(ANONYMITY_CHOICES),
                   home=_home_of(survey), choice_kinds=CHOICE_KINDS, delete_form=delete_form), form_status(delete_form)


@bp.route("/surveys/<int:survey_id>")
def survey(survey_id: int):
    """The survey's settings, sections and questions; for its editors, the buttons that change it."""
    return _survey_page(_survey(survey_id, permissions.can_view_survey))


@bp.route("/surveys/<int:survey_id>/preview")
def survey_preview(survey_id: int):
    """The survey as the people it is sent to will see it, page after page (its sections with questions, as
    surveys.pages), in the reader's or a chosen language, the scale's points too."""
    survey = _survey(survey_id, permissions.can_view_survey)
    language = request.args.get("language", "")
    if not i18n.is_supported(language):
        language = i18n.reader_language()
    pages = surveys.pages(survey)
    return _render("preview.html", survey=survey, language=language, languages=_languages(), pages=pages,
                   skipped=len(survey.sections) - len(pages), scale_points=surveys.scale_labels(language),
                   choice_kinds=CHOICE_KINDS)


def _button(survey, write, done, anchor: str | None = None, refused=None):
    check_button_post()
    attempt(write, done, refused=refused)
    return _to_survey(survey, anchor)


def _row_button(survey_id: int, find, row_id: int, change, done: str | None, anchor):
    """A button on one section or question (move, delete): the row found within the survey (find: _section or
    _question; 404 otherwise), change(row) made, then the survey's page at anchor(row), taken before the change
    (a deleted row's fields cannot be read after it)."""
    survey = _survey(survey_id)
    row = find(survey, row_id)
    return _button(survey, lambda: change(row), done, anchor(row))


@bp.route("/surveys/<int:survey_id>/open", methods=["POST"])
def open_survey(survey_id: int):
    survey = _survey(survey_id)
    return _button(survey, lambda: editing.open_survey(survey),
                   _("The survey is open: it is sent at its moment from today on."),
                   refused=lambda error: _("The survey cannot be opened yet: %(problems)s", problems=error.text))


@bp.route("/surveys/<int:survey_id>/close", methods=["POST"])
def close_survey(survey_id: int):
    survey = _survey(survey_id)
    return _button(survey, lambda: editing.close_survey(survey),
                   _("The survey is closed: it is sent to nobody more, and answers are no longer taken."))


@bp.route("/surveys/<int:survey_id>/reopen", methods=["POST"])
def reopen_survey(survey_id: int):
    survey = _survey(survey_id)
    return _button(survey, lambda: editing.reopen_survey(survey), _("The survey is open again."))


@bp.route("/surveys/<int:survey_id>/delete", methods=["POST"])
def delete_survey(survey_id: int):
    """A draft or a template, once its editor ticked that they mean it (the survey's page again with the box's
    message, 422, when not)."""
    survey = _survey(survey_id)
    form = DeleteSurveyForm(prefix="delete")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:  # no form of ours: as check_button_post
            abort(400)
        return _survey_page(survey, form)
    home = _home_of(survey)
    if attempt(lambda: editing.delete_survey(survey), _("The survey is deleted.")) is REFUSED:
        return _to_survey(survey)
    return redirect(home)


@bp.route("/surveys/<int:survey_id>/copy", methods=["POST"])
def copy_survey(survey_id: int):
    """A copy, as a new draft, into a partnership the person coordinates (or, site admins, a new template)."""
    source = _survey(survey_id, permissions.can_view_survey)
    form = CopyForm()
    if not form.validate_on_submit():
        abort(400)
    target = form.target.data or ""
    if target == TEMPLATE_TARGET:
        permissions.require(permissions.can_create_survey_template)
        partnership = None
    else:
        partnership_id = as_id(target)
        if partnership_id is None:
            flash(_("Choose the partnership to copy the survey into."), "error")
            return _to_survey(source)
        partnership = _partnership(partnership_id)
        permissions.require(permissions.can_manage_surveys, partnership)
    copied = attempt(lambda: editing.copy_survey(current_user, source, partnership),
                     _("The copy is ready: a draft to adapt and open."))
    return _to_survey(source if copied is REFUSED else copied)


# --- sections -------------------------------------------------------------------------------------------------------


def _row_page(survey, kind: str, form, *, row=None, section=None):
    return _render("row.html", survey=survey, kind=kind, form=form, row=row, section=section,
                   languages=_languages(), frozen=editing.is_frozen(survey),
                   host_moment=survey.moment in VISIT_MOMENTS, choice_kinds=CHOICE_KINDS,
                   host_kinds=editing.HOST_KINDS), form_status(form)


def _edit_row(survey, kind: str, save, done: str, *, row=None, section=None, adds: bool = False):
    """The add or edit page of a section or question. Adding to a sent survey is refused (its page says so)."""
    if adds and editing.is_frozen(survey) and request.method == "GET":
        flash(_("This survey has been sent: its sections and questions are fixed. Only their wording can be "
                "mended."), "warning")
        return _to_survey(survey)
    form = form_for(kind, _languages())
    if request.method == "GET" and row is not None:
        form.fill_from(row)
    if form.validate_on_submit():
        data = form.to_data(frozen=editing.is_frozen(survey)) if kind == "question" else form.to_data()
        saved = attempt(lambda: save(data), done, form=form)
        if saved is not REFUSED:
            return _to_survey(survey, f"{kind}-{saved.id}")
    return _row_page(survey, kind, form, row=row, section=section)


@bp.route("/surveys/<int:survey_id>/sections/new", methods=["GET", "POST"])
def add_section(survey_id: int):
    survey = _survey(survey_id)
    return _edit_row(survey, "section", lambda data: editing.add_section(survey, data), _("The section is added."),
                     adds=True)


@bp.route("/surveys/<int:survey_id>/sections/<int:section_id>", methods=["GET", "POST"])
def edit_section(survey_id: int, section_id: int):
    survey = _survey(survey_id)
    section = _section(survey, section_id)
    return _edit_row(survey, "section", lambda data: editing.update_section(section, data),
                     _("The section is saved."), row=section)


@bp.route("/surveys/<int:survey_id>/sections/<int:section_id>/move", methods=["POST"])
def move_section(survey_id: int, section_id: int):
    return _row_button(survey_id, _section, section_id, lambda section: editing.move_section(section, _step()), None,
                       lambda section: f"section-{section.id}")


@bp.route("/surveys/<int:survey_id>/sections/<int:section_id>/delete", methods=["POST"])
def delete_section(survey_id: int, section_id: int):
    return _row_button(survey_id, _section, section_id, editing.delete_section,
                       _("The section and its questions are deleted."), lambda section: "sections")


# --- questions ------------------------------------------------------------------------------------------------------


@bp.route("/surveys/<int:survey_id>/sections/<int:section_id>/questions/new", methods=["GET", "POST"])
def add_question(survey_id: int, section_id: int):
    survey = _survey(survey_id)
    section = _section(survey, section_id)
    return _edit_row(survey, "question", lambda data: editing.add_question(section, data),
                     _("The question is added."), section=section, adds=True)


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    return _edit_row(survey, "question", lambda data: editing.update_question(question, data),
                     _("The question is saved."), row=question, section=question.section)


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>/move", methods=["POST"])
def move_question(survey_id: int, question_id: int):
    return _row_button(survey_id, _question, question_id, lambda question: editing.move_question(question, _step()),
                       None, lambda question: f"question-{question.id}")


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>/delete", methods=["POST"])
def delete_question(survey_id: int, question_id: int):
    return _row_button(survey_id, _question, question_id, editing.delete_question, _("The question is deleted."),
                       lambda question: f"section-{question.section_id}")
