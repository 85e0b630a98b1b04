"""Sessions back home: the visitor records, edits and deletes them, with their materials; whoever sees the visit (and
the visitor's colleagues) reads them and downloads the materials. The visit's page shows them (panels.visit_panel)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from network import permissions, uploads
from network.evaluation import dissemination
from network.evaluation.blueprint import bp
from network.evaluation.session_forms import MaterialForm, SessionForm
from network.mobility import services as mobility
from network.mobility.models import COMPLETED
from network.sanitize import render_markdown
from network.web import REFUSED, attempt, check_button_post, form_status


def _visit(visit_id: int):
    visit = mobility.get_visit(visit_id)
    if visit is None:
        abort(404)
    return visit


def _session(session_id: int, check=permissions.can_view_session):
    session = dissemination.get_session(session_id)
    if session is None:
        abort(404)
    permissions.require(check, session)
    return session


def _session_form(visit, session=None, **kwargs) -> SessionForm:
    return SessionForm(practices=dissemination.practice_choices(visit, session),
                       essays=dissemination.essay_choices(visit), with_files=session is None, **kwargs)


def _page_helpers() -> dict:
    return {"format_labels": dissemination.FORMAT_LABELS, "role_labels": dissemination.ROLE_LABELS,
            "markdown": render_markdown, "file_kind": lambda t: uploads.TYPES.get(t, ("", ""))[1]}


@bp.route("/visits/<int:visit_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(visit_id: int):
    """Record a session back home (multipart: its materials come with it)."""
    visit = _visit(visit_id)
    permissions.require(permissions.can_record_sessions, visit)
    if visit.status != COMPLETED:
        flash(_("Sessions back home are recorded once the visit is completed."), "error")
        return redirect(url_for("mobility.visit", visit_id=visit.id))
    form = _session_form(visit)
    if form.validate_on_submit():
        found, problems = uploads.check_uploads(form.files(), dissemination.KINDS)
        if problems:
            form.materials.errors = list(form.materials.errors) + problems
        else:
            saved = attempt(lambda: dissemination.record_session(current_user, visit, form.to_data(), found),
                            _("The session back home is recorded."), form=form)
            if saved is not REFUSED:
                return redirect(url_for("mobility.visit", visit_id=visit.id) + "#sessions-heading")
            visit = _visit(visit_id)
    return render_template("evaluation/sessions/form.html", form=form, visit=visit, session=None,
                           **_page_helpers()), form_status(form)


@bp.route("/sessions/<int:session_id>")
@login_required
def session(session_id: int):
    found = _session(session_id)
    return render_template("evaluation/sessions/show.html", session=found, visit=found.visit,
                           material_form=MaterialForm(formdata=None), **_page_helpers())


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    found = _session(session_id, permissions.can_edit_session)
    form = _session_form(found.visit, found)
    if request.method == "GET":
        form.fill_from(dissemination.session_data_of(found))
    elif form.validate_on_submit():
        if attempt(lambda: dissemination.update_session(current_user, found, form.to_data()),
                   _("The session back home is saved."), form=form) is not REFUSED:
            return redirect(url_for("evaluation.session", session_id=session_id))
        found = _session(session_id, permissions.can_edit_session)
    return render_template("evaluation/sessions/form.html", form=form, visit=found.visit, session=found,
                           **_page_helpers()), form_status(form)


@bp.route("/sessions/<int:session_id>/delete", methods=["GET", "POST"])
@login_required
def delete_session(session_id: int):
    found = _session(session_id, permissions.can_edit_session)
    form = FlaskForm()
    if form.validate_on_submit():
        visit_id = found.visit_id
        if attempt(lambda: dissemination.delete_session(current_user, found),
                   _("The session back home is deleted.")) is not REFUSED:
            return redirect(url_for("mobility.visit", visit_id=visit_id) + "#sessions-heading")
        return redirect(url_for("evaluation.session", session_id=session_id))
    return render_template("evaluation/sessions/delete.html", form=form, session=found,
                           format_labels=dissemination.FORMAT_LABELS), form_status(form)


# --- materials -------------------------------------------------------------------------------------------------


@bp.route("/sessions/<int:session_id>/materials/<int:material_id>")
@login_required
def session_material(session_id: int, material_id: int):
    found = _session(session_id)
    material = dissemination.get_material(found, material_id)
    if material is None:
        abort(404)
    return uploads.send(dissemination.FOLDER, material.stored_name, material.content_type, material.filename,
                        private=True, attachment=True)


@bp.route("/sessions/<int:session_id>/materials", methods=["POST"])
@login_required
def add_material(session_id: int):
    """Add a file to a recorded session (multipart); a refused one shows the session again (422) with why."""
    found = _session(session_id, permissions.can_edit_session)
    form = MaterialForm()
    if form.validate_on_submit():
        files, problems = uploads.check_uploads([form.file.data], dissemination.KINDS)
        if problems:
            form.file.errors = list(form.file.errors) + problems
        elif attempt(lambda: dissemination.add_material(current_user, found, files[0] if files else None),
                     lambda added: _("“%(name)s” is added.", name=added.filename), form=form) is not REFUSED:
            return redirect(url_for("evaluation.session", session_id=session_id) + "#materials-heading")
        found = _session(session_id, permissions.can_edit_session)
    return render_template("evaluation/sessions/show.html", session=found, visit=found.visit, material_form=form,
                           **_page_helpers()), 422


@bp.route("/sessions/<int:session_id>/materials/<int:material_id>/remove", methods=["POST"])
@login_required
def remove_material(session_id: int, material_id: int):
    found = _session(session_id, permissions.can_edit_session)
    material = dissemination.get_material(found, material_id)
    if material is None:
        abort(404)
    check_button_post()
    name = material.filename
    attempt(lambda: dissemination.remove_material(current_user, material),
            _("“%(name)s” is removed.", name=name))
    return redirect(url_for("evaluation.session", session_id=session_id) + "#materials-heading")
