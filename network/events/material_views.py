"""An event's materials: the organisers' page (add a file or a link, delete one) and the download of a file, which
reaches only those who may see it (permissions.can_see_event_material). Routes on the events blueprint."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network import permissions, uploads
from network.events import materials
from network.events.forms import ButtonForm, MaterialFileForm, MaterialLinkForm
from network.events.views import _organised_event, _visible_event, bp
from network.extensions import login_manager
from network.web import REFUSED, attempt, form_status


def _page(event, file_form, link_form, status: int = 200):
    cards = [materials.card(current_user, m) for m in materials.materials_of(event)]
    return render_template("events/materials.html", event=event, cards=cards, file_form=file_form,
                           link_form=link_form, sessions={s.id: s for s in event.sessions}), status


@bp.route("/<int:event_id>/materials", methods=["GET", "POST"])
def materials_page(event_id: int):
    """The organisers' page: the materials with a "Delete" button each, a form for a file, one for a link."""
    event = _organised_event(event_id)
    file_form = MaterialFileForm(sessions=event.sessions)
    link_form = MaterialLinkForm(sessions=event.sessions, formdata=None)
    if file_form.validate_on_submit():
        found, problems = uploads.check_uploads([file_form.file.data], materials.KINDS)
        if problems:
            file_form.file.errors = list(file_form.file.errors) + problems
        else:
            data = materials.MaterialData(**file_form.common_data(), upload=found[0] if found else None)
            added = attempt(lambda: materials.add_file(current_user, event, data),
                            lambda m: _("“%(title)s” is added to the materials.", title=m.title), form=file_form)
            if added is not REFUSED:
                return redirect(url_for("events.materials_page", event_id=event.id))
    return _page(event, file_form, link_form, form_status(file_form))


@bp.route("/<int:event_id>/materials/link", methods=["POST"])
def add_material_link(event_id: int):
    event = _organised_event(event_id)
    link_form = MaterialLinkForm(sessions=event.sessions)
    if link_form.validate_on_submit():
        data = materials.MaterialData(**link_form.common_data(), **link_form.link_data())
        added = attempt(lambda: materials.add_link(current_user, event, data),
                        _("The link is added to the materials."), form=link_form)
        if added is not REFUSED:
            return redirect(url_for("events.materials_page", event_id=event.id))
    status = form_status(link_form)
    return _page(event, MaterialFileForm(sessions=event.sessions, formdata=None), link_form, status)


@bp.route("/<int:event_id>/materials/<int:material_id>")
def material(event_id: int, material_id: int):
    """A file, to those who may see it; a material for the registered only is not there for anyone else."""
    event = _visible_event(event_id)
    item = materials.get_material(event, material_id)
    if item is None or not item.is_file:
        abort(404)
    if not permissions.can_see_event_material(current_user, item):
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())  # they may be registered: log in first
        abort(404)
    return uploads.send(materials.FOLDER, item.stored_name, item.content_type, item.original_name,
                        private=event.visibility != "public" or item.audience != "everyone")


@bp.route("/<int:event_id>/materials/<int:material_id>/delete", methods=["POST"])
def delete_material(event_id: int, material_id: int):
    event = _organised_event(event_id)
    item = materials.get_material(event, material_id) or abort(404)
    if ButtonForm().validate_on_submit():
        title = materials.card(current_user, item).title or _("The link")
        attempt(lambda: materials.delete_material(current_user, item),
                _("“%(title)s” is deleted from the materials.", title=title))
    return redirect(url_for("events.materials_page", event_id=event.id))
