"""Practice pages: list, write, read, revisions, attachments, feeds."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from network import permissions, uploads
from network.extensions import db
from network.forms import as_id
from network.institutions import services as institutions
from network.institutions.models import Institution
from network.page_cache import cached_for_visitors
from network.panels import panels
from network.practices import attachments, feeds, services
from network.practices.forms import PracticeForm
from network.practices.models import ARCHIVED, DRAFT, PUBLISHED, Attachment, Practice
from network.practices.signals import practice_page
from network.sanitize import render_markdown
from network.web import REFUSED, attempt, form_status

bp = Blueprint("practices", __name__, url_prefix="/practices")


def _practice_or_404(practice_id: int) -> Practice:
    practice = services.get(practice_id)
    if practice is None or not permissions.can_view_practice(current_user, practice):
        abort(404)  # a draft the visitor may not see does not exist for them
    return practice


def _editable_practice(practice_id: int) -> Practice:
    practice = _practice_or_404(practice_id)
    permissions.require(permissions.can_edit_practice, practice)
    return practice


def _form(practice: Practice | None = None) -> PracticeForm:
    if permissions.is_site_admin(current_user):
        owners = institutions.all_institutions()
    else:
        owners = [current_user.institution]
    originals = db.session.scalars(
        select(Practice).where(services.visible_to(current_user), Practice.translation_of_id.is_(None),
                               Practice.id != (practice.id if practice else 0))
        .order_by(Practice.title)
    ).all()
    form = PracticeForm(institutions=owners, partnerships=institutions.all_partnerships(), originals=originals)
    if request.method == "GET":
        if practice is not None:
            form.fill_from(services.PracticeData.from_practice(practice))
        else:
            home = current_user.institution
            form.institution.data = home.slug if home else ""
            form.country.data = home.country if home else ""
            form.language.data = request.args.get("language") or (home.languages[0] if home and home.languages else "")
            original = _original_to_translate(request.args.get("translation_of"))
            if original is not None:
                _carry_over(form, original, home)
    return form


def _original_to_translate(practice_id) -> Practice | None:
    """The practice "Add a translation" was pressed on (its original, if it is itself a translation), when this
    person may read it."""
    practice = services.get(as_id(practice_id) or 0)
    if practice is not None and practice.original is not None:
        practice = practice.original
    return practice if practice is not None and permissions.can_view_practice(current_user, practice) else None


def _carry_over(form: PracticeForm, original: Practice, home) -> None:
    """A translation describes the same practice: its sectors, intervention types, partnership, tags, country
    and owner come over; its words are to be written, in a language it does not have yet."""
    form.translation_of_id.data = str(original.id)
    form.sectors.data = list(original.sectors)
    form.intervention_types.data = list(original.intervention_types)
    form.partnership_id.data = str(original.partnership_id) if original.partnership_id else ""
    form.tags.data = ", ".join(original.tag_names)
    form.country.data = original.country
    if original.institution.slug in {slug for slug, _name in form.institution.choices}:
        form.institution.data = original.institution.slug
    written = {original.language, *(p.language for p in services.translations(original))}
    if form.language.data in written and not request.args.get("language"):
        free = [code for code in (home.languages if home else []) if code not in written]
        form.language.data = free[0] if free else ""


def _preview(form: PracticeForm) -> dict:
    data = form.to_data()
    return {
        "summary": data.summary,
        "sections": [(services.SECTION_LABELS[name], render_markdown(getattr(data, name)))
                     for name in services.SECTION_NAMES if getattr(data, name).strip()],
    }


def _save(form: PracticeForm, practice: Practice | None):
    """Validate and save; on any problem put the messages on the form and return None."""
    data = form.to_data()
    owner = institutions.get_by_slug(data.institution)
    if not permissions.can_write_for_institution(current_user, owner):
        form.institution.errors = list(form.institution.errors) + [
            _("You can only publish practices for your own institution.")]
        return None
    uploads, upload_errors = attachments.check_uploads(request.files.getlist(form.attachments.name))
    clean = attempt(lambda: services.validate(data, existing=practice), form=form)
    if upload_errors:
        form.attachments.errors = list(form.attachments.errors) + upload_errors
    if clean is REFUSED or upload_errors:
        return None
    if practice is None:
        return services.create_practice(current_user, clean, uploads)
    return services.update_practice(current_user, practice, clean, uploads)


@bp.route("/")
@cached_for_visitors
def index():
    filters = services.PracticeFilters.from_args(request.args)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pagination = services.practice_page(current_user, filters, page)
    return render_template(
        "practices/index.html",
        pagination=pagination,
        filters=filters,
        facets=services.facet_counts(current_user, filters),
        sorts=services.SORTS,
        institution_list=institutions.institution_options(),
        tags=services.tag_suggestions(current_user),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    permissions.require(permissions.can_create_practice)
    form = _form()
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = _preview(form)
        else:
            practice = _save(form, None)
            if practice is not None:
                flash(_("Practice saved."), "success")
                return redirect(url_for("practices.show", practice_id=practice.id))
    return render_template("practices/form.html", form=form, practice=None, preview=preview,
                           tags=services.tag_suggestions(current_user)), form_status(form)


@bp.route("/<int:practice_id>")
@cached_for_visitors
def show(practice_id: int):
    practice = _practice_or_404(practice_id)
    return render_template(
        "practices/show.html",
        practice=practice,
        sections=services.section_html(practice),
        translations=[p for p in services.translations(practice)
                      if permissions.can_view_practice(current_user, p)],
        action_form=FlaskForm(),
        panels=panels(practice_page, practice, viewer=current_user),
    )


@bp.route("/<int:practice_id>/edit", methods=["GET", "POST"])
@login_required
def edit(practice_id: int):
    practice = _editable_practice(practice_id)
    form = _form(practice)
    preview = None
    if form.validate_on_submit():
        if form.preview.data:
            preview = _preview(form)
        elif _save(form, practice) is not None:
            flash(_("Practice saved."), "success")
            return redirect(url_for("practices.show", practice_id=practice.id))
    return render_template("practices/form.html", form=form, practice=practice, preview=preview,
                           tags=services.tag_suggestions(current_user)), form_status(form)


@bp.route("/<int:practice_id>/status", methods=["POST"])
@login_required
def change_status(practice_id: int):
    practice = _editable_practice(practice_id)
    status = request.form.get("status", "")
    if status not in (DRAFT, PUBLISHED, ARCHIVED) or not FlaskForm().validate_on_submit():
        abort(400)
    messages = {PUBLISHED: _("Practice published."), ARCHIVED: _("Practice archived."),
                DRAFT: _("Practice moved back to drafts.")}
    if attempt(lambda: services.change_status(current_user, practice, status), messages[status],
               refused=lambda error: _("The practice cannot be published yet: %(problems)s",
                                       problems=error.text)) is REFUSED:
        return redirect(url_for("practices.edit", practice_id=practice.id))
    return redirect(url_for("practices.show", practice_id=practice.id))


@bp.route("/<int:practice_id>/review", methods=["POST"])
@login_required
def review(practice_id: int):
    practice = _practice_or_404(practice_id)
    permissions.require(permissions.can_review_practice, practice)
    if not FlaskForm().validate_on_submit():
        abort(400)
    reviewed = request.form.get("reviewed") == "1"
    services.mark_reviewed(current_user, practice, reviewed)
    flash(_("Marked as reviewed.") if reviewed else _("Review withdrawn."), "success")
    return redirect(url_for("practices.show", practice_id=practice.id))


@bp.route("/<int:practice_id>/delete", methods=["GET", "POST"])
@login_required
def delete(practice_id: int):
    practice = _practice_or_404(practice_id)
    permissions.require(permissions.can_delete_practice, practice)
    form = FlaskForm()
    if form.validate_on_submit():
        services.delete_practice(current_user, practice)
        flash(_("Practice deleted."), "success")
        return redirect(url_for("practices.index"))
    return render_template("practices/delete.html", practice=practice, form=form)


@bp.route("/<int:practice_id>/revisions")
def revisions(practice_id: int):
    practice = _practice_or_404(practice_id)
    numbers = [r.number for r in practice.revisions]
    newest = numbers[-1] if numbers else 0
    to_number = request.args.get("to", newest, type=int)
    from_number = request.args.get("from", max(to_number - 1, 0), type=int)
    new = services.get_revision(practice, to_number)
    old = services.get_revision(practice, from_number) if from_number else None
    changes = services.diff_revisions(old, new) if new is not None else []
    return render_template("practices/revisions.html", practice=practice, changes=changes,
                           old=old, new=new, numbers=numbers)


@bp.route("/<int:practice_id>/attachments/<int:attachment_id>")
def download(practice_id: int, attachment_id: int):
    practice = _practice_or_404(practice_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.practice_id != practice.id:
        abort(404)
    return uploads.send(attachments.FOLDER, attachment.stored_name, attachment.content_type, attachment.original_name,
                        private=practice.visibility != "public")


@bp.route("/<int:practice_id>/attachments/<int:attachment_id>/delete", methods=["POST"])
@login_required
def delete_attachment(practice_id: int, attachment_id: int):
    practice = _editable_practice(practice_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.practice_id != practice.id or not FlaskForm().validate_on_submit():
        abort(404)
    attachments.delete_attachment(current_user, attachment)
    flash(_("Attachment removed."), "success")
    return redirect(url_for("practices.edit", practice_id=practice.id))


@bp.route("/feed.atom")
def feed():
    slug = request.args.get("institution", "")
    institution = None
    if slug:
        institution = db.session.scalar(select(Institution).where(Institution.slug == slug)) or abort(404)
    title = _("Peer Network: new practices") if institution is None else _(
        "Peer Network: new practices from %(name)s", name=institution.name)
    body = feeds.atom_feed(title, request.url, services.feed_practices(institution))
    return Response(body, mimetype="application/atom+xml")


from network.practices import discussion_views  # noqa: E402,F401  (routes on bp)
