"""The questionnaire's versions, for site admins (/self-assessment/admin/): the list with new draft, standard
questionnaire, import and export; a version's content, read-only once published; the draft's editor, a page
per row and a POST button per move or deletion, all without JavaScript. Thin: the rules are in editing.py."""
from __future__ import annotations

import json

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from network import i18n, permissions
from network.extensions import db
from network.self_assessment import editing, services
from network.self_assessment.admin_forms import ButtonForm, ImportForm, form_for
from network.self_assessment.blueprint import bp
from network.self_assessment.models import AssessmentDimension, AssessmentLevel, AssessmentStatement
from network.web import REFUSED, attempt, form_status

admin_only = permissions.role_required(permissions.can_edit_questionnaire)


def _languages() -> list[str]:
    return i18n.supported_locales()


def _version(version_id: int):
    return editing.get_version(version_id) or abort(404)


def _row(model, row_id: int, questionnaire):
    row = db.session.get(model, row_id)
    owner = {AssessmentStatement: lambda r: r.dimension.questionnaire_id}.get(model, lambda r: r.questionnaire_id)
    if row is None or owner(row) != questionnaire.id:
        abort(404)
    return row


def _to_version(questionnaire, anchor: str | None = None):
    return redirect(url_for("self_assessment.admin_version", version_id=questionnaire.id, _anchor=anchor))


def _step() -> int:
    return 1 if request.form.get("direction") == "down" else -1


# --- the versions ------------------------------------------------------------------------------------------------


def _index_page(import_form: ImportForm):
    return render_template("self_assessment/admin/index.html", versions=services.versions(),
                           current=services.current_questionnaire(), draft=services.draft_questionnaire(),
                           counts=editing.result_counts(), import_form=import_form)


@bp.route("/admin/")
@admin_only
def admin_index():
    return _index_page(ImportForm())


@bp.route("/admin/new-draft", methods=["POST"])
@admin_only
def admin_new_draft():
    if ButtonForm().validate_on_submit():
        draft = attempt(services.new_draft, _("A new draft is ready to edit."))
        if draft is not REFUSED:
            return _to_version(draft)
    return redirect(url_for("self_assessment.admin_index"))


@bp.route("/admin/load-standard", methods=["POST"])
@admin_only
def admin_load_standard():
    if ButtonForm().validate_on_submit():
        draft = attempt(lambda: services.load_standard(publish_it=False),
                        _("The network's standard questionnaire is loaded as a draft."))
        if draft is not REFUSED:
            return _to_version(draft)
    return redirect(url_for("self_assessment.admin_index"))


@bp.route("/admin/import", methods=["POST"])
@admin_only
def admin_import():
    form = ImportForm()
    if form.validate_on_submit():
        raw = form.raw()
        if raw is None:
            form.file.errors = [_("Choose a JSON file.")]
        else:
            draft = attempt(lambda: services.import_questionnaire(services.parse_exchange_file(raw)),
                            _("The questionnaire is imported as a new draft."),
                            form=form)
            if draft is not REFUSED:
                return _to_version(draft)
    return _index_page(form), form_status(form)


@bp.route("/admin/versions/<int:version_id>/export")
@admin_only
def admin_export(version_id: int):
    questionnaire = _version(version_id)
    body = json.dumps(services.export_questionnaire(questionnaire), ensure_ascii=False, indent=2)
    return Response(body + "\n", mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="self-assessment-v{questionnaire.version}'
                                                    f'.json"', "Cache-Control": "private, no-store"})


@bp.route("/admin/versions/<int:version_id>", methods=["GET", "POST"])
@admin_only
def admin_version(version_id: int):
    """A version's content; for the draft, the form of its texts (title, scale) and the buttons of its rows."""
    questionnaire = _version(version_id)
    languages = _languages()
    form = form_for("texts", languages)
    if request.method == "GET":
        form.fill_from(questionnaire)
    elif form.validate_on_submit():
        if attempt(lambda: editing.update_texts(questionnaire, form.to_data()), _("The texts are saved."),
                   form=form) is not REFUSED:
            return _to_version(questionnaire)
    return render_template(
        "self_assessment/admin/version.html", questionnaire=questionnaire, form=form, languages=languages,
        status=editing.translation_status(questionnaire, languages), missing=editing.missing_languages,
        problems=services.publication_problems(questionnaire) if not questionnaire.frozen else [],
        answered=editing.result_counts().get(questionnaire.id, 0),
        current=services.current_questionnaire()), form_status(form)


@bp.route("/admin/versions/<int:version_id>/publish", methods=["POST"])
@admin_only
def admin_publish(version_id: int):
    questionnaire = _version(version_id)
    if ButtonForm().validate_on_submit():
        attempt(lambda: services.publish(questionnaire),
                _("Version %(version)d is published: people now take it.", version=questionnaire.version),
                refused=lambda error: _("This version cannot be published yet: %(problems)s", problems=error.text))
    return _to_version(questionnaire)


@bp.route("/admin/versions/<int:version_id>/delete", methods=["POST"])
@admin_only
def admin_delete(version_id: int):
    questionnaire = _version(version_id)
    if ButtonForm().validate_on_submit():
        if attempt(lambda: services.delete_draft(questionnaire), _("The draft is deleted.")) is not REFUSED:
            return redirect(url_for("self_assessment.admin_index"))
    return _to_version(questionnaire)


# --- rows: one page per form, one POST button per move or deletion ------------------------------------------------


def _row_page(questionnaire, kind: str, form, *, row=None, dimension=None):
    return render_template("self_assessment/admin/row.html", questionnaire=questionnaire, kind=kind, form=form,
                           row=row, dimension=dimension, languages=_languages()), form_status(form)


def _edit_row(questionnaire, kind: str, save, done: str, *, row=None, dimension=None):
    """The add or edit page of a row: a frozen version's rows are only shown (its POST is refused by editing)."""
    if questionnaire.frozen and request.method == "GET":
        flash(_("This version is published: it is frozen. Start a new draft to make changes."), "warning")
        return _to_version(questionnaire)
    form = form_for(kind, _languages())
    if request.method == "GET" and row is not None:
        form.fill_from(row)
    if form.validate_on_submit():
        saved = attempt(lambda: save(form.to_data()), done, form=form)
        if saved is not REFUSED:
            return _to_version(questionnaire, f"{kind}-{saved.id}")
    return _row_page(questionnaire, kind, form, row=row, dimension=dimension)


def _button(questionnaire, write, done: str | None, anchor: str | None = None):
    if ButtonForm().validate_on_submit():
        attempt(write, done)
    return _to_version(questionnaire, anchor)


@bp.route("/admin/versions/<int:version_id>/levels/new", methods=["GET", "POST"])
@admin_only
def admin_add_level(version_id: int):
    questionnaire = _version(version_id)
    return _edit_row(questionnaire, "level", lambda data: editing.add_level(questionnaire, data),
                     _("The level is added."))


@bp.route("/admin/versions/<int:version_id>/levels/<int:level_id>", methods=["GET", "POST"])
@admin_only
def admin_edit_level(version_id: int, level_id: int):
    questionnaire = _version(version_id)
    level = _row(AssessmentLevel, level_id, questionnaire)
    return _edit_row(questionnaire, "level", lambda data: editing.update_level(level, data),
                     _("The level is saved."), row=level)


@bp.route("/admin/versions/<int:version_id>/levels/<int:level_id>/delete", methods=["POST"])
@admin_only
def admin_delete_level(version_id: int, level_id: int):
    questionnaire = _version(version_id)
    level = _row(AssessmentLevel, level_id, questionnaire)
    return _button(questionnaire, lambda: editing.delete_level(level), _("The level is deleted."), "levels")


@bp.route("/admin/versions/<int:version_id>/dimensions/new", methods=["GET", "POST"])
@admin_only
def admin_add_dimension(version_id: int):
    questionnaire = _version(version_id)
    return _edit_row(questionnaire, "dimension", lambda data: editing.add_dimension(questionnaire, data),
                     _("The dimension is added."))


@bp.route("/admin/versions/<int:version_id>/dimensions/<int:dimension_id>", methods=["GET", "POST"])
@admin_only
def admin_edit_dimension(version_id: int, dimension_id: int):
    questionnaire = _version(version_id)
    dimension = _row(AssessmentDimension, dimension_id, questionnaire)
    return _edit_row(questionnaire, "dimension", lambda data: editing.update_dimension(dimension, data),
                     _("The dimension is saved."), row=dimension)


@bp.route("/admin/versions/<int:version_id>/dimensions/<int:dimension_id>/delete", methods=["POST"])
@admin_only
def admin_delete_dimension(version_id: int, dimension_id: int):
    questionnaire = _version(version_id)
    dimension = _row(AssessmentDimension, dimension_id, questionnaire)
    return _button(questionnaire, lambda: editing.delete_dimension(dimension),
                   _("The dimension and its statements are deleted."), "dimensions")


@bp.route("/admin/versions/<int:version_id>/dimensions/<int:dimension_id>/move", methods=["POST"])
@admin_only
def admin_move_dimension(version_id: int, dimension_id: int):
    questionnaire = _version(version_id)
    dimension = _row(AssessmentDimension, dimension_id, questionnaire)
    return _button(questionnaire, lambda: editing.move_dimension(dimension, _step()), None,
                   f"dimension-{dimension.id}")


@bp.route("/admin/versions/<int:version_id>/dimensions/<int:dimension_id>/statements/new",
          methods=["GET", "POST"])
@admin_only
def admin_add_statement(version_id: int, dimension_id: int):
    questionnaire = _version(version_id)
    dimension = _row(AssessmentDimension, dimension_id, questionnaire)
    return _edit_row(questionnaire, "statement", lambda data: editing.add_statement(dimension, data),
                     _("The statement is added."), dimension=dimension)


@bp.route("/admin/versions/<int:version_id>/statements/<int:statement_id>", methods=["GET", "POST"])
@admin_only
def admin_edit_statement(version_id: int, statement_id: int):
    questionnaire = _version(version_id)
    statement = _row(AssessmentStatement, statement_id, questionnaire)
    return _edit_row(questionnaire, "statement", lambda data: editing.update_statement(statement, data),
                     _("The statement is saved."), row=statement, dimension=statement.dimension)


@bp.route("/admin/versions/<int:version_id>/statements/<int:statement_id>/delete", methods=["POST"])
@admin_only
def admin_delete_statement(version_id: int, statement_id: int):
    questionnaire = _version(version_id)
    statement = _row(AssessmentStatement, statement_id, questionnaire)
    anchor = f"dimension-{statement.dimension_id}"
    return _button(questionnaire, lambda: editing.delete_statement(statement), _("The statement is deleted."),
                   anchor)


@bp.route("/admin/versions/<int:version_id>/statements/<int:statement_id>/move", methods=["POST"])
@admin_only
def admin_move_statement(version_id: int, statement_id: int):
    questionnaire = _version(version_id)
    statement = _row(AssessmentStatement, statement_id, questionnaire)
    return _button(questionnaire, lambda: editing.move_statement(statement, _step()), None,
                   f"statement-{statement.id}")
