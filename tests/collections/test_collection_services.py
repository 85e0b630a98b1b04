"""Collections' rules: who may do what, ordering, bad input (nothing saved), and frozen editions."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from collections_helpers import collection_data, make_collection
from network import permissions
from network.auth.models import COORDINATOR, EVALUATOR, INSTITUTION_ADMIN, SITE_ADMIN
from network.collections import services as collections
from network.collections.models import Collection, CollectionChapter, CollectionEdition, CollectionItem
from network.errors import ServiceError
from network.extensions import db


@pytest.fixture
def home(make_institution):
    return make_institution(name="Fundación Familias", country="ES")


@pytest.fixture
def admin(make_user, home):
    return make_user(INSTITUTION_ADMIN, institution=home)


def practices():
    """Imported late: importing it configures every mapper, which needs the app's models all loaded."""
    from network.practices import services

    return services


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def positions(collection, chapter=None):
    db.session.expire_all()
    collection = db.session.get(Collection, collection.id)
    items = sorted((i for i in collection.items if i.chapter_id == getattr(chapter, "id", None)),
                   key=lambda i: i.position)
    return [i.practice_id for i in items], [i.position for i in items]


# --- permissions ----------------------------------------------------------------------------------


def test_who_may_create_a_collection(make_user, home):
    assert permissions.can_create_collection(make_user(INSTITUTION_ADMIN, institution=home))
    assert permissions.can_create_collection(make_user(COORDINATOR, institution=home))
    assert permissions.can_create_collection(make_user(SITE_ADMIN, institution=home))
    assert not permissions.can_create_collection(make_user(institution=home))
    assert not permissions.can_create_collection(make_user(EVALUATOR, institution=home))
    pending_admin = make_user(INSTITUTION_ADMIN, institution=home, status="pending")
    assert not permissions.can_create_collection(pending_admin)
    assert not permissions.can_create_collection(AnonymousUserMixin())


def test_who_may_view_and_edit(make_user, make_institution, make_partnership, admin, home):
    other = make_institution(name="Elsewhere")
    public = make_collection(admin, home)
    members = make_collection(admin, home, visibility="members", title="Members' manual")
    professional = make_user(institution=home)
    outsider_admin = make_user(INSTITUTION_ADMIN, institution=other)
    anonymous = AnonymousUserMixin()
    assert permissions.can_view_collection(anonymous, public)
    assert not permissions.can_view_collection(anonymous, members)
    assert permissions.can_view_collection(make_user(institution=other), members)
    assert not permissions.can_view_collection(make_user(institution=other, status="pending"), members)
    assert permissions.can_edit_collection(admin, public)
    assert not permissions.can_edit_collection(professional, public)
    assert not permissions.can_edit_collection(outsider_admin, public)
    assert permissions.can_edit_collection(make_user(SITE_ADMIN, institution=other), public)
    # An added editor edits but does not manage editors.
    collections.add_editor(admin, public, professional.email)
    assert permissions.can_edit_collection(professional, public)
    assert not permissions.can_manage_editors(professional, public)
    assert permissions.can_manage_editors(admin, public)
    # A partnership's collection: its coordinators (of the coordinating institution) edit it.
    partnership = make_partnership(coordinator=home, partners=[other])
    coordinator = make_user(COORDINATOR, institution=home)
    owned = make_collection(coordinator, partnership, title="Toolbox", kind="toolbox")
    assert permissions.can_edit_collection(coordinator, owned)
    assert not permissions.can_edit_collection(make_user(COORDINATOR, institution=other), owned)
    assert not permissions.can_edit_collection(admin, owned)  # an institution admin is not its owner
    # The SQL filters agree with the permission functions.
    for person in (admin, professional, coordinator, outsider_admin):
        editable = {c.id for c in collections.editable_collections(person)}
        expected = {c.id for c in (public, members, owned) if permissions.can_edit_collection(person, c)}
        assert editable == expected


def test_owner_must_be_an_institution_the_person_administers(make_user, make_institution, admin):
    other = make_institution(name="Elsewhere")
    with pytest.raises(ServiceError) as error:
        collections.create_collection(admin, collection_data(other))
    assert "owner" in error.value.errors
    assert count(Collection) == 0


def test_title_is_required_and_bounded(admin, home):
    for title in ("", "   ", "x" * 201):
        with pytest.raises(ServiceError) as error:
            collections.create_collection(admin, collection_data(home, title=title))
        assert "title" in error.value.errors
    assert count(Collection) == 0


# --- items: bad input -----------------------------------------------------------------------------


def test_public_collection_refuses_drafts_and_members_only_practices(admin, home, make_practice):
    collection = make_collection(admin, home)
    draft = make_practice(home, admin, title="Draft practice", status="draft")
    closed = make_practice(home, admin, title="Closed practice", visibility="members")
    with pytest.raises(ServiceError) as error:
        collections.add_item(admin, collection, practice_id=draft.id)
    assert "not published" in error.value.errors["practice_id"][0]
    with pytest.raises(ServiceError) as error:
        collections.add_item(admin, collection, practice_id=closed.id)
    assert "members only" in error.value.errors["practice_id"][0]
    db.session.rollback()
    assert count(CollectionItem) == 0
    # A members-only collection takes a members-only practice.
    members = make_collection(admin, home, visibility="members", title="For members")
    collections.add_item(admin, members, practice_id=closed.id)
    assert count(CollectionItem) == 1


def test_the_same_practice_twice_is_refused(admin, home, make_practice):
    practice = make_practice(home, admin)
    collection = make_collection(admin, home, practices=[practice])
    with pytest.raises(ServiceError) as error:
        collections.add_item(admin, collection, practice_id=practice.id)
    assert "already in this collection" in error.value.errors["practice_id"][0]
    db.session.rollback()
    assert count(CollectionItem) == 1


def test_a_practice_the_editor_may_not_see_is_refused_without_naming_it(make_user, make_institution, admin,
                                                                        home, make_practice):
    other = make_institution(name="Elsewhere")
    secret = make_practice(other, title="Secret draft", status="draft")
    collection = make_collection(admin, home, visibility="members")
    for practice_id in (secret.id, 999999):
        with pytest.raises(ServiceError) as error:
            collections.add_item(admin, collection, practice_id=practice_id)
        assert "Secret draft" not in str(error.value.errors)
        assert error.value.errors["practice_id"] == ["There is no such practice that you may see."]
    db.session.rollback()
    assert count(CollectionItem) == 0


def test_making_a_collection_public_with_closed_items_is_refused(admin, home, make_practice):
    closed = make_practice(home, admin, title="Closed practice", visibility="members")
    collection = make_collection(admin, home, visibility="members", practices=[closed])
    with pytest.raises(ServiceError) as error:
        collections.update_collection(admin, collection, collection_data(home, visibility="public"))
    assert "Closed practice" in error.value.errors["visibility"][0]
    db.session.rollback()
    assert db.session.get(Collection, collection.id).visibility == "members"


def test_empty_chapter_title_is_refused(admin, home):
    collection = make_collection(admin, home)
    with pytest.raises(ServiceError) as error:
        collections.add_chapter(admin, collection, "   ")
    assert "title" in error.value.errors
    db.session.rollback()
    assert count(CollectionChapter) == 0
    chapter = collections.add_chapter(admin, collection, "First steps")
    with pytest.raises(ServiceError):
        collections.update_chapter(admin, chapter, "")
    db.session.rollback()
    assert db.session.get(CollectionChapter, chapter.id).title == "First steps"


def test_editors_are_approved_members_found_by_email(make_user, admin, home):
    collection = make_collection(admin, home)
    pending = make_user(institution=home, status="pending")
    with pytest.raises(ServiceError):
        collections.add_editor(admin, collection, pending.email)
    with pytest.raises(ServiceError):
        collections.add_editor(admin, collection, "nobody@example.org")
    colleague = make_user(institution=home)
    collections.add_editor(admin, collection, colleague.email.upper())
    with pytest.raises(ServiceError) as error:
        collections.add_editor(admin, collection, colleague.email)
    assert "already an editor" in error.value.errors["email"][0]
    db.session.rollback()
    collection = db.session.get(Collection, collection.id)
    assert [row.user_id for row in collection.editor_rows] == [colleague.id]
    collections.remove_editor(admin, collection, colleague.id)
    assert db.session.get(Collection, collection.id).editor_rows == []


# --- ordering ---------------------------------------------------------------------------------------


@pytest.fixture
def five(admin, home, make_practice):
    return [make_practice(home, admin, title=f"Practice {n}") for n in range(5)]


def test_items_keep_dense_positions_when_moved_and_removed(admin, home, five):
    collection = make_collection(admin, home, practices=five)
    ids = [p.id for p in five]
    assert positions(collection) == (ids, [0, 1, 2, 3, 4])
    item = next(i for i in collection.items if i.practice_id == ids[2])
    collections.move_item(admin, item, "up")
    assert positions(collection)[0] == [ids[0], ids[2], ids[1], ids[3], ids[4]]
    item = db.session.get(CollectionItem, item.id)
    collections.move_item(admin, item, "down")
    collections.move_item(admin, db.session.get(CollectionItem, item.id), "down")
    assert positions(collection)[0] == [ids[0], ids[1], ids[3], ids[2], ids[4]]
    first = next(i for i in db.session.get(Collection, collection.id).items if i.practice_id == ids[0])
    collections.move_item(admin, first, "up")  # already first: nothing changes
    assert positions(collection)[0][0] == ids[0]
    collections.remove_item(admin, db.session.get(CollectionItem, item.id))
    assert positions(collection) == ([ids[0], ids[1], ids[3], ids[4]], [0, 1, 2, 3])


def test_an_item_in_a_chapter_is_removed_once(admin, home, five):
    """Its row was deleted twice: loading its chapter flushed the orphaned item as deleted, and the commit
    deleted it again (SQLAlchemy warns that the DELETE matched no row; tests/test_form_round_trip.py found
    it as a failing "Remove" on the collection's edit page)."""
    collection = make_collection(admin, home, practices=five, chapters=["One"])
    chapter = collection.chapters[0]
    ids = [p.id for p in five]
    for item in [i for i in collection.items if i.practice_id in ids[:3]]:
        collections.update_item(admin, item, "", chapter.id)
    item_id = next(i.id for i in collection.items if i.practice_id == ids[1])
    db.session.expire_all()  # as in a request: the item's chapter is not loaded yet
    collections.remove_item(admin, db.session.get(CollectionItem, item_id))
    assert positions(collection, chapter) == ([ids[0], ids[2]], [0, 1])
    assert count(CollectionItem) == 4


def test_chapters_group_items_and_deleting_one_keeps_its_items(admin, home, five):
    collection = make_collection(admin, home, practices=five, chapters=["One", "Two"])
    one, two = collection.chapters
    items = {i.practice_id: i for i in collection.items}
    ids = [p.id for p in five]
    collections.update_item(admin, items[ids[1]], "Read this first.", one.id)
    collections.update_item(admin, db.session.get(CollectionItem, items[ids[3]].id), "", one.id)
    collections.update_item(admin, db.session.get(CollectionItem, items[ids[4]].id), "", two.id)
    assert positions(collection, one) == ([ids[1], ids[3]], [0, 1])
    assert positions(collection, two) == ([ids[4]], [0])
    assert positions(collection) == ([ids[0], ids[2]], [0, 1])
    assert db.session.get(CollectionItem, items[ids[1]].id).note == "Read this first."
    collections.delete_chapter(admin, db.session.get(CollectionChapter, one.id))
    assert count(CollectionItem) == 5
    assert positions(collection) == ([ids[0], ids[2], ids[1], ids[3]], [0, 1, 2, 3])
    chapters = db.session.get(Collection, collection.id).chapters
    assert [(c.title, c.position) for c in chapters] == [("Two", 0)]


def test_chapters_move_up_and_down(admin, home):
    collection = make_collection(admin, home, chapters=["A", "B", "C"])
    c = collection.chapters[2]
    collections.move_chapter(admin, c, "up")
    collection = db.session.get(Collection, collection.id)
    assert [(ch.title, ch.position) for ch in collection.chapters] == [("A", 0), ("C", 1), ("B", 2)]


def test_full_order_moves_items_across_chapters(admin, home, five):
    collection = make_collection(admin, home, practices=five, chapters=["One"])
    one = collection.chapters[0]
    item_of = {i.practice_id: i.id for i in collection.items}
    ids = [p.id for p in five]
    collections.set_order(admin, collection, {
        None: [item_of[ids[4]], item_of[ids[0]]],
        one.id: [item_of[ids[3]], item_of[ids[2]], item_of[ids[1]]]})
    assert positions(collection) == ([ids[4], ids[0]], [0, 1])
    assert positions(collection, one) == ([ids[3], ids[2], ids[1]], [0, 1, 2])


@pytest.mark.parametrize("change", ["missing", "twice", "foreign", "bad chapter"])
def test_a_full_order_that_is_not_the_same_set_is_refused(admin, home, five, make_practice, change):
    collection = make_collection(admin, home, practices=five)
    other = make_collection(admin, home, title="Other", practices=[five[0]])
    ids = [i.id for i in sorted(collection.items, key=lambda i: i.position)]
    order = {"missing": {None: ids[1:]}, "twice": {None: ids + ids[:1]},
             "foreign": {None: ids[:-1] + [other.items[0].id]},
             "bad chapter": {None: ids[1:], 99999: ids[:1]}}
    with pytest.raises(ServiceError):
        collections.set_order(admin, collection, order[change])
    db.session.rollback()
    assert positions(collection) == ([p.id for p in five], [0, 1, 2, 3, 4])


# --- editions ---------------------------------------------------------------------------------------


def test_publishing_freezes_the_text_and_the_revision(admin, home, make_practice):
    practice = make_practice(home, admin, title="Interfamily groups", methods="Fortnightly **sessions**.")
    collection = make_collection(admin, home, practices=[practice], chapters=["Groups"])
    collections.update_item(admin, collection.items[0], "A *classic*.", collection.chapters[0].id)
    first = collections.publish_edition(admin, db.session.get(Collection, collection.id))
    assert first.number == 1
    contents = first.contents
    assert contents["title"] == collection.title and contents["kind"] == "manual"
    assert contents["owner_name"] == home.name
    assert "<em>this</em>" in contents["introduction_html"]
    chapter = contents["chapters"][0]
    assert chapter["title"] == "Groups"
    entry = chapter["items"][0]
    assert entry["kind"] == "practice" and entry["id"] == practice.id and entry["revision"] == 1
    assert entry["title"] == "Interfamily groups" and entry["institution"] == home.name
    assert entry["note_html"] == "<p>A <em>classic</em>.</p>"
    methods = next(s for s in entry["sections"] if s["name"] == "methods")
    assert methods["heading"] == "Methods and activities"
    assert "<strong>sessions</strong>" in methods["html"]
    assert entry["tags"] == ["interfamily groups"]

    # The practice changes: the first edition does not; a second edition has the new text.
    data = practices().PracticeData.from_practice(practice)
    data.methods = "Weekly meetings now."
    practices().update_practice(admin, practice, data)
    assert db.session.get(CollectionEdition, first.id).contents == contents
    second = collections.publish_edition(admin, db.session.get(Collection, collection.id))
    assert second.number == 2
    entry2 = second.contents["chapters"][0]["items"][0]
    assert entry2["revision"] == 2
    assert "Weekly meetings" in next(s for s in entry2["sections"] if s["name"] == "methods")["html"]
    again = db.session.get(CollectionEdition, first.id)
    assert "Fortnightly" in next(s for s in again.contents["chapters"][0]["items"][0]["sections"]
                                 if s["name"] == "methods")["html"]


def test_items_outside_chapters_sit_in_a_first_untitled_chapter(admin, home, make_practice):
    a, b = make_practice(home, admin, title="A"), make_practice(home, admin, title="B")
    collection = make_collection(admin, home, practices=[a, b], chapters=["Later"])
    collections.update_item(admin, collection.items[1], "", collection.chapters[0].id)
    edition = collections.publish_edition(admin, db.session.get(Collection, collection.id))
    assert [(c["title"], [i["title"] for i in c["items"]]) for c in edition.contents["chapters"]] == [
        (None, ["A"]), ("Later", ["B"])]


def test_an_empty_collection_is_not_published(admin, home):
    collection = make_collection(admin, home)
    with pytest.raises(ServiceError) as error:
        collections.publish_edition(admin, collection)
    assert "empty" in error.value.errors[""][0]
    db.session.rollback()
    assert count(CollectionEdition) == 0


def test_a_public_collection_with_a_practice_no_longer_public_is_not_published(admin, home, make_practice):
    practice = make_practice(home, admin, title="Went private")
    collection = make_collection(admin, home, practices=[practice])
    data = practices().PracticeData.from_practice(practice)
    data.visibility = "members"
    practices().update_practice(admin, practice, data)
    with pytest.raises(ServiceError) as error:
        collections.publish_edition(admin, db.session.get(Collection, collection.id))
    assert "Went private" in error.value.errors[""][0]
    db.session.rollback()
    assert count(CollectionEdition) == 0


def test_edition_survives_the_deletion_of_its_practice(admin, home, make_practice):
    practice = make_practice(home, admin, title="Soon gone")
    collection = make_collection(admin, home, practices=[practice])
    edition = collections.publish_edition(admin, collection)
    practices().delete_practice(admin, practice)
    kept = db.session.get(CollectionEdition, edition.id)
    assert kept.contents["chapters"][0]["items"][0]["title"] == "Soon gone"
    assert db.session.get(Collection, collection.id).items == []


# --- reads ------------------------------------------------------------------------------------------


def test_collections_of_practice_are_those_the_viewer_may_see(admin, home, make_practice, make_user):
    practice = make_practice(home, admin)
    public = make_collection(admin, home, practices=[practice])
    members = make_collection(admin, home, practices=[practice], visibility="members", title="Members")
    assert [c.id for c in collections.collections_of_practice(AnonymousUserMixin(), practice)] == [public.id]
    seen = {c.id for c in collections.collections_of_practice(make_user(institution=home), practice)}
    assert seen == {public.id, members.id}


def test_list_filters_by_kind_and_owner(admin, home, make_institution, make_user):
    other = make_institution(name="Elsewhere")
    other_admin = make_user(INSTITUTION_ADMIN, institution=other)
    manual = make_collection(admin, home)
    toolbox = make_collection(admin, home, kind="toolbox", title="Toolbox")
    theirs = make_collection(other_admin, other, title="Theirs")
    anonymous = AnonymousUserMixin()
    ids = lambda query: [c.id for c in db.session.scalars(query)]  # noqa: E731
    assert ids(collections.collection_query(anonymous, kind="toolbox")) == [toolbox.id]
    assert set(ids(collections.collection_query(anonymous, owner=f"institution-{home.id}"))) == {
        manual.id, toolbox.id}
    assert ids(collections.collection_query(anonymous, owner=f"institution-{other.id}")) == [theirs.id]


def test_essays_in_collections_are_read_back_and_checked_again_when_publishing(exchange, make_user):
    """collections_of_essay lists the (visible) collections holding an essay; an essay its author later keeps
    for the evaluators, or one no longer published, stops a new edition (its text would be frozen in it)."""
    from essays_helpers import record_training, written
    from network.essays import services as essays

    author = make_user(institution=exchange.seville, name="Ana Autora")
    event = record_training(exchange, [author])
    essay = written(author, event, status="published", reviewer=exchange.coordinator, title="Groups taught me")
    editor = exchange.seville_admin
    members = make_collection(editor, exchange.seville, title="Members reading list", visibility="members")
    assert collections.essay_may_be_collected(essay)
    collections.add_item(editor, members, essay_id=essay.id)
    assert collections.collections_of_essay(author, essay) == [members]
    assert collections.collections_of_essay(AnonymousUserMixin(), essay) == []
    essays.set_display(author, essay, "private")
    assert not collections.essay_may_be_collected(essay)
    with pytest.raises(ServiceError) as refused:
        collections.publish_edition(editor, members)
    assert "only to the evaluators" in str(refused.value)
    assert count(CollectionEdition) == 0
