"""Collection pages: the list, writing one, its working contents, managing chapters, items and editors,
publishing editions and reading them. Every change is a plain POST form (the reordering script only
fills in and sends one of them)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select

from network import permissions
from network.collections import book, services
from network.collections.forms import (
    AddItemForm,
    AddToCollectionForm,
    ChapterForm,
    CollectionForm,
    EditorForm,
    ItemForm,
    chapter_choices,
)
from network.collections.models import KINDS, PUBLIC, Collection
from network.extensions import db
from network.forms import as_id
from network.page_cache import cached_for_visitors
from network.practices import services as practices
from network.practices.models import PUBLISHED, Practice
from network.sanitize import render_markdown
from network.web import REFUSED, attempt, check_button_post, form_status

bp = Blueprint("collections", __name__, url_prefix="/collections")


def _collection_or_404(collection_id: int) -> Collection:
    collection = services.get(collection_id)
    if collection is None or not permissions.can_view_collection(current_user, collection):
        abort(404)
    return collection


def _editable(collection_id: int) -> Collection:
    collection = _collection_or_404(collection_id)
    permissions.require(permissions.can_edit_collection, collection)
    return collection


def _owned(collection_id: int) -> Collection:
    collection = _collection_or_404(collection_id)
    permissions.require(permissions.can_manage_editors, collection)
    return collection



@bp.app_template_global()
def collections_i_edit() -> list[Collection]:
    """The collections the current person may add to, read once per request (search results ask per hit)."""
    if "collections_i_edit" not in g:
        g.collections_i_edit = services.editable_collections(current_user)
    return g.collections_i_edit


@bp.app_template_filter("collection_kind")
def collection_kind(code: str) -> str:
    return str(KINDS.get(code, code))


@bp.app_template_filter("essay_byline")
def essay_byline(essay) -> str:
    """An essay's author as every reader of a collection sees it: the name only when the author chose to
    be named (an anonymous essay shows its country, as on the essay archive)."""
    from network import labels

    if essay.display == "named":
        return essay.author.name if essay.author else _("Former member")
    return _("A professional from %(country)s", country=labels.country_name(essay.author_country))


# --- list and create --------------------------------------------------------------------------------


@bp.route("/")
@cached_for_visitors
def index():
    kind = request.args.get("kind", "")
    kind = kind if kind in KINDS else ""
    owner = (request.args.get("owner") or "")[:40]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pagination = db.paginate(services.collection_query(current_user, kind=kind, owner=owner), page=page,
                             per_page=20, error_out=False)
    counts = services.item_counts([c.id for c in pagination.items])
    return render_template("collections/index.html", pagination=pagination, kind=kind, owner=owner,
                           counts=counts, kinds=KINDS,
                           can_create=permissions.can_create_collection(current_user))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    permissions.require(permissions.can_create_collection)
    form = CollectionForm(owners=services.owners_for(current_user))
    if request.method == "GET":
        form.language.data = (current_user.institution.languages[0]
                              if current_user.institution and current_user.institution.languages else "en")
    if form.validate_on_submit():
        collection = attempt(lambda: services.create_collection(current_user, form.to_data()),
                             _("Collection created. Add chapters and practices to it."), form=form)
        if collection is not REFUSED:
            return redirect(url_for("collections.edit", collection_id=collection.id))
    return render_template("collections/form.html", form=form, collection=None), form_status(form)


# --- reading ----------------------------------------------------------------------------------------


def _changed_since(collection: Collection) -> list[str]:
    """Titles of practices with a newer revision than the latest edition froze (editors are told)."""
    edition = collection.latest_edition
    if edition is None:
        return []
    frozen = {item["id"]: item.get("revision") for chapter in edition.contents.get("chapters", [])
              for item in chapter.get("items", []) if item.get("kind") == "practice"}
    current = services.current_revisions(collection)
    titles = [item.practice.title for item in collection.items if item.practice_id in frozen
              and (current.get(item.practice_id) or 0) > (frozen[item.practice_id] or 0)]
    in_edition = set(frozen)
    titles += [_("%(title)s (new since the edition)", title=item.practice.title) for item in collection.items
               if item.practice_id and item.practice_id not in in_edition]
    return titles


@bp.route("/<int:collection_id>")
@cached_for_visitors
def show(collection_id: int):
    collection = _collection_or_404(collection_id)
    editor = permissions.can_edit_collection(current_user, collection)
    return render_template(
        "collections/show.html", collection=collection, editor=editor,
        groups=services.working_contents(collection, viewer=current_user),
        render_markdown=render_markdown, action_form=FlaskForm(),
        changed=_changed_since(collection) if editor else [],
    )


@bp.route("/<int:collection_id>/editions/<int:number>")
def edition(collection_id: int, number: int):
    collection = _collection_or_404(collection_id)
    found = services.get_edition(collection, number)
    if found is None:
        abort(404)
    return render_template("collections/book.html", **book.book_context(found, viewer=current_user))


# --- editing ----------------------------------------------------------------------------------------


def _practice_choices(collection: Collection) -> list[tuple[str, str]]:
    """Practices the editor may add: published ones they may see (for a public collection, public ones)."""
    query = select(Practice.id, Practice.title).where(practices.visible_to(current_user),
                                                     Practice.status == PUBLISHED)
    if collection.visibility == PUBLIC:
        query = query.where(Practice.visibility == PUBLIC)
    present = {item.practice_id for item in collection.items}
    return [("", _("Choose a practice…"))] + [
        (str(pid), title) for pid, title in db.session.execute(query.order_by(func.lower(Practice.title)))
        if pid not in present]


def _edit_page(collection: Collection, status: int = 200, **forms):
    """The edit page with every form; a form given (rejected, with what was typed) replaces its blank one."""
    chapters = chapter_choices(collection)
    form = forms.get("form")
    if form is None:
        form = CollectionForm(owners=_owner_choices(collection), formdata=None)
        form.fill_from(collection)
    add_form = forms.get("add_form") or AddItemForm(formdata=None)
    add_form.practice_id.choices = _practice_choices(collection)
    add_form.chapter_id.choices = chapters
    item_forms = {}
    for item in collection.items:
        item_form = forms.get(f"item-{item.id}")
        if item_form is None:
            item_form = ItemForm(prefix=f"item-{item.id}", formdata=None, note=item.note,
                                 chapter_id=str(item.chapter_id or ""))
        item_form.chapter_id.choices = chapters
        item_forms[item.id] = item_form
    chapter_forms = {}
    for chapter in collection.chapters:
        chapter_form = forms.get(f"chapter-{chapter.id}") or ChapterForm(
            prefix=f"chapter-{chapter.id}", formdata=None, title=chapter.title,
            introduction=chapter.introduction)
        chapter_forms[chapter.id] = chapter_form
    errors = [f for f in [form, add_form, forms.get("chapter_form"), forms.get("editor_form"),
                          *item_forms.values(), *chapter_forms.values()]
              if f is not None and (f.errors or f.general_errors)]
    return render_template(
        "collections/edit.html", collection=collection, form=form, add_form=add_form,
        chapter_form=forms.get("chapter_form") or ChapterForm(prefix="new-chapter", formdata=None),
        editor_form=forms.get("editor_form") or EditorForm(formdata=None),
        item_forms=item_forms, chapter_forms=chapter_forms, failed=errors[0] if errors else None,
        groups=services.working_contents(collection, everything=True), action_form=FlaskForm(),
        manages=permissions.can_manage_editors(current_user, collection),
    ), status


def _owner_choices(collection: Collection) -> list:
    owners = services.owners_for(current_user)
    if collection.owner not in owners:
        owners.insert(0, collection.owner)  # an added editor keeps the owner they cannot choose
    return owners


def _refused(collection: Collection, form, name: str):
    """The edit page again, with this form as it was sent and the service's messages on it."""
    return _edit_page(services.get(collection.id), 422, **{name: form})


@bp.route("/<int:collection_id>/edit", methods=["GET", "POST"])
@login_required
def edit(collection_id: int):
    collection = _editable(collection_id)
    if request.method == "GET":
        return _edit_page(collection)
    form = CollectionForm(owners=_owner_choices(collection))
    if not permissions.can_manage_editors(current_user, collection):
        form.owner.data = services.owner_key(collection.owner)  # only the owner's people move it
    if not form.validate_on_submit():
        return _edit_page(collection, 422, form=form)
    if attempt(lambda: services.update_collection(current_user, collection, form.to_data()), _("Collection saved."),
               form=form) is REFUSED:
        return _refused(collection, form, "form")
    return redirect(url_for("collections.edit", collection_id=collection.id))


@bp.route("/<int:collection_id>/delete", methods=["GET", "POST"])
@login_required
def delete(collection_id: int):
    collection = _owned(collection_id)
    form = FlaskForm()
    if form.validate_on_submit():
        services.delete_collection(current_user, collection)
        flash(_("Collection deleted."), "success")
        return redirect(url_for("collections.index"))
    return render_template("collections/delete.html", collection=collection, form=form)


@bp.route("/<int:collection_id>/editors", methods=["POST"])
@login_required
def editors(collection_id: int):
    collection = _owned(collection_id)
    remove = as_id(request.form.get("remove"))
    if remove:
        check_button_post()
        attempt(lambda: services.remove_editor(current_user, collection, remove), _("Editor removed."))
        return redirect(url_for("collections.edit", collection_id=collection.id) + "#editors")
    form = EditorForm()
    if not form.validate_on_submit():
        return _edit_page(collection, 422, editor_form=form)
    if attempt(lambda: services.add_editor(current_user, collection, form.email.data),
               lambda person: _("%(name)s can now edit this collection.", name=person.name), form=form) is REFUSED:
        return _refused(collection, form, "editor_form")
    return redirect(url_for("collections.edit", collection_id=collection.id) + "#editors")


@bp.route("/<int:collection_id>/chapters", methods=["POST"])
@login_required
def add_chapter(collection_id: int):
    collection = _editable(collection_id)
    form = ChapterForm(prefix="new-chapter")
    if not form.validate_on_submit():
        return _edit_page(collection, 422, chapter_form=form)
    if attempt(lambda: services.add_chapter(current_user, collection, form.title.data, form.introduction.data),
               _("Chapter added."), form=form) is REFUSED:
        return _refused(collection, form, "chapter_form")
    return redirect(url_for("collections.edit", collection_id=collection.id) + "#chapters")


@bp.route("/<int:collection_id>/chapters/<int:chapter_id>", methods=["POST"])
@login_required
def chapter(collection_id: int, chapter_id: int):
    collection = _editable(collection_id)
    found = services.get_chapter(collection, chapter_id) or abort(404)
    form = ChapterForm(prefix=f"chapter-{found.id}")
    if not form.validate_on_submit():
        return _edit_page(collection, 422, **{f"chapter-{found.id}": form})
    action = request.form.get("action", "save")
    if action in (services.UP, services.DOWN):
        change, done = (lambda: services.move_chapter(current_user, found, action)), None
    elif action == "delete":
        change = lambda: services.delete_chapter(current_user, found)
        done = _("Chapter deleted; its practices stay in the collection, outside any chapter.")
    else:
        change = lambda: services.update_chapter(current_user, found, form.title.data, form.introduction.data)
        done = _("Chapter saved.")
    if attempt(change, done, form=form) is REFUSED:
        return _refused(collection, form, f"chapter-{chapter_id}")
    return redirect(url_for("collections.edit", collection_id=collection.id) + "#chapters")


@bp.route("/<int:collection_id>/items", methods=["POST"])
@login_required
def add_item(collection_id: int):
    collection = _editable(collection_id)
    form = AddItemForm()
    if not form.validate_on_submit():
        return _edit_page(collection, 422, add_form=form)
    _collection, practice_id, chapter_id = form.ids()
    if attempt(lambda: services.add_item(current_user, collection, practice_id=practice_id, chapter_id=chapter_id,
                                         note=form.note.data),
               _("Practice added to the collection."), form=form) is REFUSED:
        return _refused(collection, form, "add_form")
    return redirect(url_for("collections.edit", collection_id=collection.id) + "#items")


@bp.route("/<int:collection_id>/items/<int:item_id>", methods=["POST"])
@login_required
def item(collection_id: int, item_id: int):
    collection = _editable(collection_id)
    found = services.get_item(collection, item_id) or abort(404)
    form = ItemForm(prefix=f"item-{found.id}")
    if not form.validate_on_submit():
        return _edit_page(collection, 422, **{f"item-{found.id}": form})
    action = request.form.get("action", "save")
    if action in (services.UP, services.DOWN):
        change, done = (lambda: services.move_item(current_user, found, action)), None
    elif action == "remove":
        change, done = (lambda: services.remove_item(current_user, found)), _("Removed from the collection.")
    else:
        change = lambda: services.update_item(current_user, found, form.note.data, as_id(form.chapter_id.data))
        done = _("Saved.")
    if attempt(change, done, form=form) is REFUSED:
        return _refused(collection, form, f"item-{item_id}")
    anchor = "#items" if action == "remove" else f"#item-{item_id}"
    return redirect(url_for("collections.edit", collection_id=collection.id) + anchor)


def _order_from_form() -> dict | None:
    """order-<chapter id> (order-none: outside chapters) = "item id, item id, ..." -> {chapter id: [ids]}."""
    order = {}
    for key, value in request.form.items():
        if not key.startswith("order-"):
            continue
        name = key[len("order-"):]
        chapter_id = None if name == "none" else as_id(name)
        if name != "none" and chapter_id is None:
            return None
        ids = [as_id(part) for part in value.split(",") if part.strip()]
        if any(i is None for i in ids):
            return None
        order[chapter_id] = ids
    return order


@bp.route("/<int:collection_id>/order", methods=["POST"])
@login_required
def order(collection_id: int):
    collection = _editable(collection_id)
    check_button_post()
    new_order = _order_from_form()
    if new_order is None:
        flash(_("The new order could not be read."), "error")
    else:
        attempt(lambda: services.set_order(current_user, collection, new_order), _("New order saved."))
    return redirect(url_for("collections.edit", collection_id=collection_id) + "#items")


@bp.route("/<int:collection_id>/publish", methods=["POST"])
@login_required
def publish(collection_id: int):
    collection = _editable(collection_id)
    check_button_post()
    published = attempt(lambda: services.publish_edition(current_user, collection),
                        lambda edition: _("Edition %(number)d published.", number=edition.number),
                        refused=lambda error: _("The collection cannot be published yet: %(problems)s",
                                                problems=error.text))
    if published is REFUSED:
        return redirect(url_for("collections.show", collection_id=collection_id))
    return redirect(url_for("collections.edition", collection_id=collection_id, number=published.number))


# --- adding from a practice page or search results --------------------------------------------------


@bp.route("/add", methods=["GET", "POST"])
@login_required
def add():
    """Add one practice, or one published essay, to one of the collections the person edits (the practice
    and essay pages' forms post here; search results link here). Exactly one of practice_id and essay_id."""
    editable = collections_i_edit()
    if not editable:
        abort(403)
    form = AddToCollectionForm()
    practice, essay = _item_to_add()
    form.collection_id.choices = [(str(c.id), c.title) for c in editable]
    form.chapter_id.choices = [("", _("No chapter"))] + [
        (str(ch.id), f"{c.title}: {ch.title}") for c in editable for ch in c.chapters]
    if request.method == "POST" and form.validate_on_submit():
        collection_id, _practice_id, chapter_id = form.ids()
        target = services.get(collection_id or 0)
        if target is None or not permissions.can_view_collection(current_user, target):
            abort(404)
        permissions.require(permissions.can_edit_collection, target)
        chosen = {"essay_id": essay.id} if essay is not None else {"practice_id": practice.id}
        if attempt(lambda: services.add_item(current_user, target, chapter_id=chapter_id, note=form.note.data,
                                             **chosen),
                   lambda item: _("“%(practice)s” added to “%(collection)s”.", practice=(essay or practice).title,
                                  collection=target.title), form=form) is not REFUSED:
            if essay is not None:
                return redirect(url_for("essays.show", essay_id=essay.id))
            return redirect(url_for("practices.show", practice_id=practice.id))
    elif request.method == "GET":
        if essay is not None:
            form.essay_id.data = str(essay.id)
        else:
            form.practice_id.data = str(practice.id)
    return render_template("collections/add.html", form=form, practice=practice, essay=essay), form_status(form)


def _item_to_add():
    """(practice, None) or (None, essay) named by the request; 404 when neither, both, or one the person may
    not see (an essay they may not read does not exist for them)."""
    practice_id = as_id(request.values.get("practice_id"))
    essay_id = as_id(request.values.get("essay_id"))
    if essay_id and not practice_id:
        from network.essays import services as essays

        essay = essays.get_essay(essay_id)
        if essay is None or not permissions.can_view_essay(current_user, essay):
            abort(404)
        return None, essay
    practice = practices.get(practice_id or 0) if not essay_id else None
    if practice is None or not permissions.can_view_practice(current_user, practice):
        abort(404)
    return practice, None


from network.collections import book_views  # noqa: E402,F401  (the edition's PDF routes, on bp)
