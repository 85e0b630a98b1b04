"""Collections: every write (one commit each, nothing saved when a rule is broken), the freezing of an
edition, and the reads shared by the pages, the practice page and search results."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from network import audit, permissions
from network.auth.models import COORDINATOR, INSTITUTION_ADMIN, User
from network.collections.models import (
    CHAPTER_TITLE_MAX,
    KINDS,
    PUBLIC,
    TITLE_MAX,
    VISIBILITIES,
    Collection,
    CollectionChapter,
    CollectionEdition,
    CollectionEditor,
    CollectionItem,
)
from network.errors import ServiceError
from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.practices.models import PUBLISHED, Practice, PracticeRevision
from network.sanitize import render_markdown
from network.types import utcnow

log = logging.getLogger(__name__)

INTRODUCTION_MAX = 20_000
NOTE_MAX = 5_000
UP, DOWN = "up", "down"


# --- owners ---------------------------------------------------------------------------------------


def owner_key(owner) -> str:
    """How a form names an owner: "institution-3" or "partnership-5"."""
    return f"{'institution' if isinstance(owner, Institution) else 'partnership'}-{owner.id}"


def owner_from_key(key: str | None):
    kind, _sep, number = (key or "").partition("-")
    if not number.isdigit() or len(number) > 9:
        return None
    model = {"institution": Institution, "partnership": Partnership}.get(kind)
    return db.session.get(model, int(number)) if model else None


def owners_for(user) -> list:
    """The institutions a person administers and the partnerships they coordinate (site admins: all)."""
    if permissions.is_site_admin(user):
        return (list(db.session.scalars(select(Institution).order_by(Institution.name)))
                + list(db.session.scalars(select(Partnership).order_by(Partnership.title))))
    owners: list = []
    if not permissions.is_member(user):
        return owners
    if user.has_role(INSTITUTION_ADMIN) and user.institution is not None:
        owners.append(user.institution)
    if user.has_role(COORDINATOR):
        owners += list(db.session.scalars(select(Partnership).where(
            Partnership.coordinating_institution_id == user.institution_id).order_by(Partnership.title)))
    return owners


def may_own(user, owner) -> bool:
    if isinstance(owner, Institution):
        return permissions.administers_institution(user, owner)
    if isinstance(owner, Partnership):
        return permissions.coordinates(user, owner)
    return False


# --- collection metadata ----------------------------------------------------------------------------


@dataclass
class CollectionData:
    title: str = ""
    introduction: str = ""
    kind: str = "manual"
    visibility: str = PUBLIC
    language: str = "en"
    owner: str = ""  # owner_key(...)


def _validate(actor, data: CollectionData, existing: Collection | None):
    """The cleaned data and the owner, or ServiceError naming each wrong field."""
    errors: dict[str, list] = {}
    title = (data.title or "").strip()
    introduction = (data.introduction or "").strip()
    if not title:
        errors.setdefault("title", []).append(_l("Give the collection a title."))
    elif len(title) > TITLE_MAX:
        errors.setdefault("title", []).append(
            _l("The title can be at most %(max)d characters long.", max=TITLE_MAX))
    if len(introduction) > INTRODUCTION_MAX:
        errors.setdefault("introduction", []).append(
            _l("The introduction can be at most %(max)d characters long.", max=INTRODUCTION_MAX))
    if data.kind not in KINDS:
        errors.setdefault("kind", []).append(_l("Choose the kind of collection."))
    if data.visibility not in VISIBILITIES:
        errors.setdefault("visibility", []).append(_l("Choose who can read the collection."))
    language = (data.language or "").strip().lower()
    from network import labels

    if language not in labels.language_codes():
        errors.setdefault("language", []).append(_l("Choose the language of the collection."))
    owner = owner_from_key(data.owner)
    unchanged = existing is not None and owner is not None and owner is existing.owner
    if owner is None:
        errors.setdefault("owner", []).append(_l("Choose the institution or partnership that owns it."))
    elif not unchanged and not may_own(actor, owner):
        errors.setdefault("owner", []).append(
            _l("You can only choose an institution you administer or a partnership you coordinate."))
    if existing is not None and data.visibility == PUBLIC and "visibility" not in errors:
        closed = [item.practice.title for item in existing.items
                  if item.practice is not None and not _open_to_everyone(item.practice)]
        closed += [item.essay.title for item in existing.items if item.essay is not None]
        if closed:
            errors.setdefault("visibility", []).append(_l(
                "The collection cannot be public while it holds items not open to everyone: %(titles)s. "
                "Remove them first.", titles=", ".join(f"“{t}”" for t in closed)))
    if errors:
        raise ServiceError(errors)
    return CollectionData(title=title, introduction=introduction, kind=data.kind, visibility=data.visibility,
                          language=language, owner=data.owner), owner


def _set_owner(collection: Collection, owner) -> None:
    if isinstance(owner, Institution):
        collection.institution, collection.partnership = owner, None
        collection.institution_id, collection.partnership_id = owner.id, None
    else:
        collection.institution, collection.partnership = None, owner
        collection.institution_id, collection.partnership_id = None, owner.id


def create_collection(actor, data: CollectionData) -> Collection:
    clean, owner = _validate(actor, data, None)
    collection = Collection(title=clean.title, introduction=clean.introduction, kind=clean.kind,
                            visibility=clean.visibility, language=clean.language,
                            created_by_id=getattr(actor, "id", None))
    _set_owner(collection, owner)
    db.session.add(collection)
    audit.record(actor, "collection.created", collection, label=collection.title)
    db.session.commit()
    return collection


def update_collection(actor, collection: Collection, data: CollectionData) -> Collection:
    clean, owner = _validate(actor, data, collection)
    collection.title, collection.introduction = clean.title, clean.introduction
    collection.kind, collection.visibility, collection.language = clean.kind, clean.visibility, clean.language
    if owner is not collection.owner:
        _set_owner(collection, owner)
    _touch(collection)
    db.session.commit()
    return collection


def delete_collection(actor, collection: Collection) -> None:
    collection_id = collection.id
    audit.record(actor, "collection.deleted", collection, label=collection.title)
    db.session.delete(collection)
    db.session.commit()
    try:
        from network.collections import pdf
    except ImportError:
        return
    pdf.delete_pdfs(collection_id)  # the editions' PDFs go once the deletion has committed


def _touch(collection: Collection) -> None:
    collection.updated_at = utcnow()


# --- editors ----------------------------------------------------------------------------------------


def add_editor(actor, collection: Collection, email: str) -> User:
    from network.auth.models import normalize_email

    address = normalize_email(email)
    if not address:
        raise ServiceError.one("email", _l("Enter the email address of the person to add."))
    user = db.session.scalar(select(User).where(User.email == address))
    if user is None or not user.is_approved_member:
        raise ServiceError.one("email", _l("No approved member of the network has this email address."))
    if any(row.user_id == user.id for row in collection.editor_rows):
        raise ServiceError.one("email", _l("%(name)s is already an editor.", name=user.name))
    collection.editor_rows.append(CollectionEditor(user_id=user.id, added_by_id=getattr(actor, "id", None)))
    audit.record(actor, "collection.editor_added", collection, label=collection.title, user_id=user.id)
    db.session.commit()
    return user


def remove_editor(actor, collection: Collection, user_id: int | None) -> None:
    row = next((r for r in collection.editor_rows if r.user_id == user_id), None)
    if row is None:
        raise ServiceError.one("", _l("This person is not an editor of the collection."))
    collection.editor_rows.remove(row)
    audit.record(actor, "collection.editor_removed", collection, label=collection.title, user_id=user_id)
    db.session.commit()


# --- chapters ---------------------------------------------------------------------------------------


def _chapter_fields(title: str, introduction: str) -> tuple[str, str]:
    title, introduction = (title or "").strip(), (introduction or "").strip()
    errors: dict[str, list] = {}
    if not title:
        errors["title"] = [_l("Give the chapter a title.")]
    elif len(title) > CHAPTER_TITLE_MAX:
        errors["title"] = [_l("A chapter title can be at most %(max)d characters long.",
                              max=CHAPTER_TITLE_MAX)]
    if len(introduction) > INTRODUCTION_MAX:
        errors["introduction"] = [_l("The introduction can be at most %(max)d characters long.",
                                     max=INTRODUCTION_MAX)]
    if errors:
        raise ServiceError(errors)
    return title, introduction


def add_chapter(actor, collection: Collection, title: str, introduction: str = "") -> CollectionChapter:
    title, introduction = _chapter_fields(title, introduction)
    chapter = CollectionChapter(title=title, introduction=introduction, position=len(collection.chapters))
    collection.chapters.append(chapter)
    _touch(collection)
    db.session.commit()
    return chapter


def get_chapter(collection: Collection, chapter_id) -> CollectionChapter | None:
    return next((c for c in collection.chapters if c.id == chapter_id), None)


def get_item(collection: Collection, item_id) -> CollectionItem | None:
    return next((i for i in collection.items if i.id == item_id), None)


def update_chapter(actor, chapter: CollectionChapter, title: str, introduction: str = "") -> None:
    chapter.title, chapter.introduction = _chapter_fields(title, introduction)
    _touch(chapter.collection)
    db.session.commit()


def delete_chapter(actor, chapter: CollectionChapter) -> None:
    """The chapter goes; its items stay in the collection, after those outside any chapter."""
    collection = chapter.collection
    loose = _group(collection, None)
    for offset, item in enumerate(_group(collection, chapter)):
        item.chapter = None
        item.chapter_id = None
        item.position = len(loose) + offset
    collection.chapters.remove(chapter)
    db.session.delete(chapter)
    _renumber(collection, deleted_chapter=chapter)
    _touch(collection)
    db.session.commit()


def _move(ordered: list, element, direction: str) -> None:
    """Swap an element of an ordered list with its neighbour (nothing at either end), then number them
    densely: chapters in a collection and items in a chapter move alike."""
    index = ordered.index(element)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position


def move_chapter(actor, chapter: CollectionChapter, direction: str) -> None:
    _move(sorted(chapter.collection.chapters, key=lambda c: (c.position, c.id)), chapter, direction)
    _touch(chapter.collection)
    db.session.commit()


# --- items ------------------------------------------------------------------------------------------


def _group(collection: Collection, chapter, exclude=None) -> list[CollectionItem]:
    """The items of one chapter (None: outside any chapter), in order."""
    items = [i for i in collection.items if i is not exclude and i.chapter is chapter]
    return sorted(items, key=lambda i: (i.position, i.id or 0))


def _renumber(collection: Collection, deleted_chapter=None) -> None:
    """Dense positions, 0..n-1, for the chapters and for the items of each chapter."""
    chapters = sorted((c for c in collection.chapters if c is not deleted_chapter),
                      key=lambda c: (c.position, c.id or 0))
    for position, chapter in enumerate(chapters):
        chapter.position = position
    for chapter in [None, *chapters]:
        for position, item in enumerate(_group(collection, chapter)):
            item.position = position


def _open_to_everyone(practice: Practice) -> bool:
    return practice.status == PUBLISHED and practice.visibility == PUBLIC


def _check_practice(actor, collection: Collection, practice: Practice | None) -> None:
    if practice is None or not permissions.can_view_practice(actor, practice):
        raise ServiceError.one("practice_id", _l("There is no such practice that you may see."))
    if collection.visibility == PUBLIC:
        if practice.status != PUBLISHED:
            raise ServiceError.one("practice_id", _l(
                "“%(title)s” is not published: a public collection can only hold published practices "
                "everyone may read.", title=practice.title))
        if practice.visibility != PUBLIC:
            raise ServiceError.one("practice_id", _l(
                "“%(title)s” is for network members only: a public collection can only hold practices "
                "everyone may read. Make the collection members-only, or choose another practice.",
                title=practice.title))
    if any(item.practice_id == practice.id for item in collection.items):
        raise ServiceError.one("practice_id", _l("“%(title)s” is already in this collection.",
                                                    title=practice.title))


def essay_may_be_collected(essay) -> bool:
    """Only a published essay its author has not kept for the evaluators may go into a collection."""
    return essay is not None and essay.status == "published" and essay.display != "private"


def _check_essay(actor, collection: Collection, essay) -> None:
    if essay is None or not permissions.can_view_essay(actor, essay) or not essay_may_be_collected(essay):
        raise ServiceError.one("essay_id", _l("There is no such published essay that you may see."))
    if collection.visibility == PUBLIC:
        raise ServiceError.one("essay_id", _l(
            "Essays are published for network members only: add them to a members-only collection."))
    if any(item.essay_id == essay.id for item in collection.items):
        raise ServiceError.one("essay_id", _l("“%(title)s” is already in this collection.",
                                                 title=essay.title))


def add_item(actor, collection: Collection, practice_id=None, essay_id=None, chapter_id=None,
             note: str = "") -> CollectionItem:
    """Add a practice (or a published essay) at the end of a chapter (or of the items outside chapters)."""
    note = (note or "").strip()
    chapter = None
    if chapter_id:
        chapter = get_chapter(collection, chapter_id)
        if chapter is None:
            raise ServiceError.one("chapter_id", _l("Choose one of the collection's chapters."))
    if len(note) > NOTE_MAX:
        raise ServiceError.one("note", _l("A note can be at most %(max)d characters long.", max=NOTE_MAX))
    item = CollectionItem(note=note, added_by_id=getattr(actor, "id", None))
    if essay_id and not practice_id:
        from network.essays.models import Essay

        essay = db.session.get(Essay, essay_id)
        _check_essay(actor, collection, essay)
        item.essay = essay
        item.essay_id = essay.id
    else:
        practice = db.session.get(Practice, practice_id) if practice_id else None
        _check_practice(actor, collection, practice)
        item.practice = practice
        item.practice_id = practice.id
    item.position = len(_group(collection, chapter))
    item.chapter = chapter
    collection.items.append(item)
    _touch(collection)
    db.session.commit()
    return item


def update_item(actor, item: CollectionItem, note: str, chapter_id=None) -> None:
    """Set an item's editor's note and chapter (a new chapter puts it last there)."""
    collection = item.collection
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ServiceError.one("note", _l("A note can be at most %(max)d characters long.", max=NOTE_MAX))
    chapter = None
    if chapter_id:
        chapter = get_chapter(collection, chapter_id)
        if chapter is None:
            raise ServiceError.one("chapter_id", _l("Choose one of the collection's chapters."))
    item.note = note
    if chapter is not item.chapter:
        item.position = len(_group(collection, chapter, exclude=item))
        item.chapter = chapter
        item.chapter_id = getattr(chapter, "id", None)
        _renumber(collection)
    _touch(collection)
    db.session.commit()


def move_item(actor, item: CollectionItem, direction: str) -> None:
    """One place up or down within its chapter; at either end nothing changes."""
    collection = item.collection
    _move(_group(collection, item.chapter), item, direction)
    _touch(collection)
    db.session.commit()


def set_order(actor, collection: Collection, order: dict) -> None:
    """The whole order at once (what the reordering script sends): chapter id (None: outside chapters) ->
    item ids in order. Every item must appear exactly once, in one of the collection's chapters."""
    chapters = {c.id: c for c in collection.chapters}
    seen: list[int] = []
    for chapter_id, item_ids in order.items():
        if chapter_id is not None and chapter_id not in chapters:
            raise ServiceError.one("", _l("The new order names a chapter that is not in the collection."))
        seen += list(item_ids)
    if len(seen) != len(set(seen)) or set(seen) != {i.id for i in collection.items}:
        raise ServiceError.one("", _l(
            "The new order does not hold exactly the collection's items (someone may have changed it "
            "meanwhile). Reload the page and try again."))
    by_id = {i.id: i for i in collection.items}
    for chapter_id, item_ids in order.items():
        chapter = chapters.get(chapter_id)
        for position, item_id in enumerate(item_ids):
            item = by_id[item_id]
            item.chapter = chapter
            item.chapter_id = chapter_id
            item.position = position
    _touch(collection)
    db.session.commit()


def remove_item(actor, item: CollectionItem) -> None:
    collection = item.collection
    _let_go([item])
    _touch(collection)
    db.session.commit()


def _let_go(items: list[CollectionItem]) -> None:
    """Take these items out of their collections; the others close up. Nothing is committed."""
    # No flush until the commit: loading an item's chapter would flush the item, orphaned, as deleted, and
    # the next flush would delete it again (and find no row: SQLAlchemy warns, the request failed).
    with db.session.no_autoflush:
        for item in items:
            collection = item.collection
            collection.items.remove(item)
            if item.chapter is not None and item in item.chapter.items:
                item.chapter.items.remove(item)
            db.session.delete(item)
            _renumber(collection)


def let_go_of_deleted_practice(practice: Practice, actor=None, **_extra) -> None:
    """practices.signals.practice_deleted, in the deletion's transaction: each collection holding the practice
    lets it go as remove_item does (its other items close up), counts as changed, and the audit log says which
    practice it lost. Its published editions keep their frozen text, and their book says it was withdrawn."""
    items = list(db.session.scalars(select(CollectionItem).where(CollectionItem.practice_id == practice.id)))
    holding = list(dict.fromkeys(item.collection for item in items))
    _let_go(items)
    for collection in holding:
        _touch(collection)
        audit.record(actor, "collection.practice_withdrawn", collection, label=collection.title,
                     practice_id=practice.id, practice_title=practice.title)


# --- editions ---------------------------------------------------------------------------------------


def _revision_numbers(practice_ids: list[int]) -> dict[int, int]:
    if not practice_ids:
        return {}
    return dict(db.session.execute(
        select(PracticeRevision.practice_id, func.max(PracticeRevision.number))
        .where(PracticeRevision.practice_id.in_(practice_ids)).group_by(PracticeRevision.practice_id)).all())


def current_revisions(collection: Collection) -> dict[int, int]:
    """Practice id -> its highest revision number now (to tell a newer revision from an edition's)."""
    return _revision_numbers([i.practice_id for i in collection.items if i.practice_id])


def _practice_entry(practice: Practice, revision: int | None, note: str) -> dict:
    from network.practices.services import section_html

    return {
        "kind": "practice", "id": practice.id, "revision": revision, "title": practice.title,
        "summary": practice.summary, "country": practice.country, "language": practice.language,
        "institution": practice.institution.name if practice.institution else "",
        "authors": [a.name if a else str(_l("former member")) for a in practice.authors],
        "sections": [{"name": name, "heading": str(heading), "html": str(html)}
                     for name, heading, html in section_html(practice)],  # the HTML stored when it was saved
        "attachments": [{"name": a.original_name, "size": a.size, "content_type": a.content_type}
                        for a in practice.attachments],
        "tags": list(practice.tag_names),
        "note_html": str(render_markdown(note)) if note else "",
    }


def _essay_entry(essay, note: str) -> dict:
    anonymous = essay.display != "named"
    return {
        "kind": "essay", "id": essay.id, "revision": None, "title": essay.title, "summary": "",
        "country": essay.author_country, "language": essay.language,
        "institution": "" if anonymous or essay.institution is None else essay.institution.name,
        "authors": [] if anonymous or essay.author is None else [essay.author.name],
        "sections": [{"name": "body", "heading": str(_l("Essay")), "html": str(render_markdown(essay.body))}],
        "attachments": [], "tags": [],
        "note_html": str(render_markdown(note)) if note else "",
    }


def _publish_problems(collection: Collection) -> list[str]:
    problems = []
    if not collection.items:
        problems.append(str(_l("The collection is empty: add practices before publishing it.")))
    for item in collection.items:
        practice = item.practice
        if practice is None:
            essay = item.essay
            if essay is not None and essay.status != "published":
                problems.append(str(_l("“%(title)s” is no longer published.", title=essay.title)))
            elif essay is not None and essay.display == "private":
                problems.append(str(_l(
                    "“%(title)s” is now shown only to the evaluators: remove it before publishing.",
                    title=essay.title)))
            continue
        if practice.status != PUBLISHED:
            problems.append(str(_l("“%(title)s” is no longer published.", title=practice.title)))
        elif collection.visibility == PUBLIC and practice.visibility != PUBLIC:
            problems.append(str(_l(
                "“%(title)s” is now for network members only, and the collection is public.",
                title=practice.title)))
    return problems


def freeze_contents(collection: Collection) -> dict:
    """The whole book as it is now, in the format of CollectionEdition.contents."""
    revisions = current_revisions(collection)
    language = collection.language if collection.language in current_app.config["SUPPORTED_LOCALES"] \
        else current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(language):  # section headings in the collection's language, not the publisher's
        chapters = []
        for chapter in [None, *sorted(collection.chapters, key=lambda c: c.position)]:
            items = _group(collection, chapter)
            if chapter is None and not items:
                continue
            entries = []
            for item in items:
                if item.practice is not None:
                    entries.append(_practice_entry(item.practice, revisions.get(item.practice_id), item.note))
                elif item.essay is not None:
                    entries.append(_essay_entry(item.essay, item.note))
            chapters.append({
                "title": chapter.title if chapter is not None else None,
                "introduction_html": (str(render_markdown(chapter.introduction))
                                      if chapter is not None else ""),
                "items": entries,
            })
        owner = collection.owner
        return {
            "title": collection.title,
            "introduction_html": str(render_markdown(collection.introduction)),
            "kind": collection.kind,
            "language": collection.language,
            "owner_name": getattr(owner, "name", None) or getattr(owner, "title", ""),
            "chapters": chapters,
        }


def publish_edition(actor, collection: Collection) -> CollectionEdition:
    """Freeze the collection as its next edition; refused when empty or holding what may not go in it."""
    problems = _publish_problems(collection)
    if problems:
        raise ServiceError({"": problems})
    number = (db.session.scalar(select(func.max(CollectionEdition.number))
                                .where(CollectionEdition.collection_id == collection.id)) or 0) + 1
    edition = CollectionEdition(collection_id=collection.id, number=number, published_at=utcnow(),
                                published_by_id=getattr(actor, "id", None),
                                contents=freeze_contents(collection))
    collection.editions.append(edition)
    audit.record(actor, "collection.edition_published", collection, label=collection.title, number=number)
    db.session.commit()
    _schedule_pdf(edition.id)
    return edition


def _schedule_pdf(edition_id: int) -> None:
    """The PDF is made in the background once the edition exists (network.collections.pdf)."""
    try:
        from network.collections import pdf
    except ImportError as error:  # the module, or its HTML-to-PDF library, is missing
        log.warning("No PDF for edition %s: %s", edition_id, error)
        return
    pdf.schedule_pdf(edition_id)


def get_edition(collection: Collection, number: int) -> CollectionEdition | None:
    return db.session.scalar(select(CollectionEdition).where(
        CollectionEdition.collection_id == collection.id, CollectionEdition.number == number))


# --- reads ------------------------------------------------------------------------------------------


def get(collection_id: int) -> Collection | None:
    return db.session.get(Collection, collection_id)


def collections_visible_to(user):
    """A filter: the collections this person may see (permissions.can_view_collection in SQL)."""
    if permissions.is_member(user):
        return Collection.id.is_not(None)
    return Collection.visibility == PUBLIC


def editable_by(user):
    """A filter: the collections this person may edit (permissions.can_edit_collection in SQL)."""
    if permissions.is_site_admin(user):
        return Collection.id.is_not(None)
    if not permissions.is_member(user):
        return Collection.id.is_(None)
    rules = [Collection.id.in_(
        select(CollectionEditor.collection_id).where(CollectionEditor.user_id == user.id))]
    if user.has_role(INSTITUTION_ADMIN):
        rules.append(Collection.institution_id == user.institution_id)
    if user.has_role(COORDINATOR):
        rules.append(Collection.partnership_id.in_(select(Partnership.id).where(
            Partnership.coordinating_institution_id == user.institution_id)))
    return or_(*rules)


def editable_collections(user) -> list[Collection]:
    """The collections a person may add items to, by title (one query: practice pages, search results)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(db.session.scalars(
        select(Collection).where(editable_by(user)).options(selectinload(Collection.chapters))
        .order_by(func.lower(Collection.title), Collection.id)))


def collections_of_practice(user, practice: Practice) -> list[Collection]:
    return _collections_holding(user, CollectionItem.practice_id == practice.id)


def collections_of_essay(user, essay) -> list[Collection]:
    return _collections_holding(user, CollectionItem.essay_id == essay.id)


def _collections_holding(user, item_condition) -> list[Collection]:
    """The collections this person may see that hold an item matching the condition, by title."""
    return list(db.session.scalars(
        select(Collection).where(
            Collection.id.in_(select(CollectionItem.collection_id).where(item_condition)),
            collections_visible_to(user))
        .order_by(func.lower(Collection.title), Collection.id)))


def collection_query(user, kind: str = "", owner: str = ""):
    """The list page: visible collections, newest change first, filtered by kind and owner."""
    query = select(Collection).where(collections_visible_to(user)).options(
        selectinload(Collection.institution), selectinload(Collection.partnership),
        selectinload(Collection.editions))
    if kind in KINDS:
        query = query.where(Collection.kind == kind)
    kind_, _sep, number = (owner or "").partition("-")
    if number.isdigit() and len(number) <= 9:
        if kind_ == "institution":
            query = query.where(Collection.institution_id == int(number))
        elif kind_ == "partnership":
            query = query.where(Collection.partnership_id == int(number))
    return query.order_by(Collection.updated_at.desc(), Collection.id.desc())


def item_counts(collection_ids: list[int]) -> dict[int, int]:
    if not collection_ids:
        return {}
    return dict(db.session.execute(
        select(CollectionItem.collection_id, func.count())
        .where(CollectionItem.collection_id.in_(collection_ids))
        .group_by(CollectionItem.collection_id)).all())


@dataclass
class Group:
    chapter: CollectionChapter | None
    items: list[CollectionItem]


def working_contents(collection: Collection, viewer=None, everything: bool = False) -> list[Group]:
    """The chapters with their items in order (items outside chapters first); only what the viewer may
    see, unless everything (the edit page counts every item)."""
    groups = []
    for chapter in [None, *sorted(collection.chapters, key=lambda c: (c.position, c.id))]:
        items = [i for i in _group(collection, chapter) if everything or _may_see_item(viewer, i)]
        if chapter is None and not items:
            continue
        groups.append(Group(chapter, items))
    return groups


def _may_see_item(viewer, item: CollectionItem) -> bool:
    if item.practice is not None:
        return permissions.can_view_practice(viewer, item.practice)
    if item.essay is not None:
        return permissions.can_view_essay(viewer, item.essay)
    return False

