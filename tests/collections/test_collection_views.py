"""Collection pages: who gets what, every change as a plain form, rejected forms keep what was typed."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from collections_helpers import make_collection
from conftest import read_html
from network.auth.models import COORDINATOR, INSTITUTION_ADMIN
from network.collections import services as collections
from network.collections.models import Collection, CollectionChapter, CollectionEdition, CollectionItem
from network.extensions import db


@pytest.fixture
def home(make_institution):
    return make_institution(name="Fundación Familias", country="ES")


@pytest.fixture
def admin(make_user, home):
    return make_user(INSTITUTION_ADMIN, institution=home)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(collection) -> Collection:
    db.session.expire_all()
    return db.session.get(Collection, collection.id)


def login(auth, user):
    auth.logout()
    return auth.login(user)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- list, create, show -------------------------------------------------------------------------------


def test_list_shows_public_collections_and_filters_by_kind(client, admin, home, make_practice):
    make_collection(admin, home, title="Public manual")
    make_collection(admin, home, title="Members manual", visibility="members")
    make_collection(admin, home, title="A toolbox", kind="toolbox")
    page = text(client.get("/collections/"))
    assert "Public manual" in page and "A toolbox" in page and "Members manual" not in page
    page = text(client.get("/collections/?kind=toolbox"))
    assert "A toolbox" in page and "Public manual" not in page


def test_list_page_makes_a_fixed_number_of_queries(client, admin, home, make_practice):
    practice = make_practice(home, admin)

    def queries() -> int:
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/collections/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    first = make_collection(admin, home, title="One", practices=[practice])
    collections.publish_edition(admin, first)
    few = queries()
    for n in range(5):
        c = make_collection(admin, home, title=f"More {n}", practices=[practice])
        collections.publish_edition(admin, c)
    assert queries() == few


def test_navigation_links_to_collections(client):
    assert 'href="/collections/"' in text(client.get("/"))


def test_create_a_collection(client, auth, admin, home):
    login(auth, admin)
    assert client.get("/collections/new").status_code == 200
    response = client.post("/collections/new", data={
        "title": "Toolbox of activities", "introduction": "Run them with families.", "kind": "toolbox",
        "visibility": "public", "language": "en", "owner": f"institution-{home.id}"})
    collection = db.session.scalar(select(Collection))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/collections/{collection.id}/edit")
    assert (collection.title, collection.kind, collection.institution_id) == (
        "Toolbox of activities", "toolbox", home.id)


def test_a_rejected_collection_form_keeps_what_was_typed(client, auth, admin, home, make_institution):
    login(auth, admin)
    elsewhere = make_institution(name="Elsewhere")
    response = client.post("/collections/new", data={
        "title": "", "introduction": "My long **introduction**", "kind": "manual", "visibility": "public",
        "language": "en", "owner": f"institution-{elsewhere.id}"})
    assert response.status_code == 422
    page = read_html(response)
    summary = page.select_one(".error-summary")
    assert "Give the collection a title." in summary.text
    assert "You can only choose an institution you administer" in summary.text
    assert page.select_one("#introduction").text.strip() == "My long **introduction**"
    assert count(Collection) == 0


def test_professionals_may_not_create(client, auth, make_user, home):
    login(auth, make_user(institution=home))
    assert client.get("/collections/new").status_code == 403


def test_members_only_collection_is_hidden_from_visitors(client, auth, admin, home, make_user):
    collection = make_collection(admin, home, visibility="members", title="Secret manual")
    assert client.get(f"/collections/{collection.id}").status_code == 404
    login(auth, make_user())
    assert "Secret manual" in text(client.get(f"/collections/{collection.id}"))


def test_show_lists_chapters_items_notes_and_editions(client, auth, admin, home, make_practice, make_user):
    practice = make_practice(home, admin, title="Interfamily groups")
    collection = make_collection(admin, home, practices=[practice], chapters=["Groups"])
    collections.update_item(admin, collection.items[0], "A *classic* of the network.",
                            collection.chapters[0].id)
    collections.publish_edition(admin, fresh(collection))
    page = text(client.get(f"/collections/{collection.id}"))
    assert "Groups" in page and "Interfamily groups" in page and "<em>classic</em>" in page
    assert "Read edition 1" in page  # a reader is sent to the book
    assert "Publish" not in page
    login(auth, admin)
    page = text(client.get(f"/collections/{collection.id}"))
    assert "Publish a new edition" in page and "Edit the collection" in page


def test_show_hides_items_the_viewer_may_not_see(client, auth, admin, home, make_practice):
    closed = make_practice(home, admin, title="Closed to outsiders", visibility="members")
    collection = make_collection(admin, home, visibility="members", practices=[closed])
    login(auth, admin)
    assert "Closed to outsiders" in text(client.get(f"/collections/{collection.id}"))


# --- editing ------------------------------------------------------------------------------------------


@pytest.fixture
def three(admin, home, make_practice):
    return [make_practice(home, admin, title=f"Practice {n}") for n in range(3)]


def items_in_order(collection, chapter_id=None):
    collection = fresh(collection)
    return [i.practice_id for i in sorted((i for i in collection.items if i.chapter_id == chapter_id),
                                          key=lambda i: i.position)]


def test_editing_page_works_for_editors_only(client, auth, admin, home, make_user, three):
    collection = make_collection(admin, home, practices=three, chapters=["One"])
    login(auth, make_user(institution=home))
    assert client.get(f"/collections/{collection.id}/edit").status_code == 403
    login(auth, admin)
    page = read_html(client.get(f"/collections/{collection.id}/edit"))
    assert page.select_one("#order-form") is not None
    assert len(page.select("li[data-item-id]")) == 3
    assert page.select_one('script[src$="collection-order.js"]') is not None


def test_move_up_and_down_with_buttons(client, auth, admin, home, three):
    collection = make_collection(admin, home, practices=three)
    ids = [p.id for p in three]
    item = next(i for i in collection.items if i.practice_id == ids[2])
    login(auth, admin)
    response = client.post(f"/collections/{collection.id}/items/{item.id}", data={"action": "up"})
    assert response.status_code == 302
    assert items_in_order(collection) == [ids[0], ids[2], ids[1]]
    client.post(f"/collections/{collection.id}/items/{item.id}", data={"action": "up"})
    client.post(f"/collections/{collection.id}/items/{item.id}", data={"action": "up"})  # at the top already
    assert items_in_order(collection) == [ids[2], ids[0], ids[1]]
    client.post(f"/collections/{collection.id}/items/{item.id}", data={"action": "down"})
    assert items_in_order(collection) == [ids[0], ids[2], ids[1]]


def test_full_order_form(client, auth, admin, home, three):
    collection = make_collection(admin, home, practices=three, chapters=["One"])
    chapter = collection.chapters[0]
    item_of = {i.practice_id: i.id for i in collection.items}
    ids = [p.id for p in three]
    login(auth, admin)
    client.post(f"/collections/{collection.id}/order", data={
        "order-none": f"{item_of[ids[2]]}", f"order-{chapter.id}": f"{item_of[ids[1]]},{item_of[ids[0]]}"})
    assert items_in_order(collection) == [ids[2]]
    assert items_in_order(collection, chapter.id) == [ids[1], ids[0]]
    positions = sorted(i.position for i in fresh(collection).items if i.chapter_id == chapter.id)
    assert positions == [0, 1]
    # Not the same set of items: refused with a message, nothing changed.
    response = client.post(f"/collections/{collection.id}/order", data={"order-none": f"{item_of[ids[2]]}"},
                           follow_redirects=True)
    assert "does not hold exactly the collection" in text(response)
    assert items_in_order(collection, chapter.id) == [ids[1], ids[0]]
    response = client.post(f"/collections/{collection.id}/order", data={"order-none": "1,x"},
                           follow_redirects=True)
    assert "could not be read" in text(response)


def test_note_and_chapter_of_an_item(client, auth, admin, home, three):
    collection = make_collection(admin, home, practices=three, chapters=["One"])
    chapter, item = collection.chapters[0], collection.items[0]
    login(auth, admin)
    client.post(f"/collections/{collection.id}/items/{item.id}", data={
        "action": "save", f"item-{item.id}-note": "Start here.",
        f"item-{item.id}-chapter_id": str(chapter.id)})
    saved = db.session.get(CollectionItem, item.id)
    assert (saved.note, saved.chapter_id, saved.position) == ("Start here.", chapter.id, 0)
    assert items_in_order(collection) == [three[1].id, three[2].id]
    # Too long a note: shown again, typed text kept, nothing saved.
    long_note = "n" * 5001
    response = client.post(f"/collections/{collection.id}/items/{item.id}", data={
        "action": "save", f"item-{item.id}-note": long_note, f"item-{item.id}-chapter_id": ""})
    assert response.status_code == 422
    page = read_html(response)
    assert "at most 5000 characters" in page.select_one(".error-summary").text
    assert page.select_one(f"#item-{item.id}-note").text.strip() == long_note
    saved = db.session.get(CollectionItem, item.id)
    assert (saved.note, saved.chapter_id) == ("Start here.", chapter.id)


def test_remove_an_item(client, auth, admin, home, three):
    collection = make_collection(admin, home, practices=three)
    login(auth, admin)
    client.post(f"/collections/{collection.id}/items/{collection.items[1].id}", data={"action": "remove"})
    assert items_in_order(collection) == [three[0].id, three[2].id]
    assert sorted(i.position for i in fresh(collection).items) == [0, 1]


def test_chapters_add_rename_delete(client, auth, admin, home, three):
    collection = make_collection(admin, home, practices=three)
    login(auth, admin)
    response = client.post(f"/collections/{collection.id}/chapters",
                           data={"new-chapter-title": "  ", "new-chapter-introduction": "Typed"})
    assert response.status_code == 422
    page = read_html(response)
    assert "Give the chapter a title." in page.select_one(".error-summary").text
    assert page.select_one("#new-chapter-introduction").text.strip() == "Typed"
    assert count(CollectionChapter) == 0
    client.post(f"/collections/{collection.id}/chapters",
                data={"new-chapter-title": "Groups", "new-chapter-introduction": "Typed"})
    chapter = db.session.scalar(select(CollectionChapter))
    prefix = f"chapter-{chapter.id}-"
    client.post(f"/collections/{collection.id}/chapters/{chapter.id}",
                data={"action": "save", prefix + "title": "Group work", prefix + "introduction": ""})
    assert db.session.get(CollectionChapter, chapter.id).title == "Group work"
    response = client.post(f"/collections/{collection.id}/chapters/{chapter.id}",
                           data={"action": "save", prefix + "title": "", prefix + "introduction": "kept"})
    assert response.status_code == 422
    assert read_html(response).select_one(f"#{prefix}introduction").text.strip() == "kept"
    item = fresh(collection).items[0]
    collections.update_item(admin, item, "", chapter.id)
    client.post(f"/collections/{collection.id}/chapters/{chapter.id}", data={"action": "delete"})
    assert count(CollectionChapter) == 0 and count(CollectionItem) == 3


def test_add_a_practice_on_the_edit_page_refuses_a_members_only_one(client, auth, admin, home, make_practice):
    collection = make_collection(admin, home)
    closed = make_practice(home, admin, title="Closed practice", visibility="members")
    login(auth, admin)
    response = client.post(f"/collections/{collection.id}/items",
                           data={"practice_id": str(closed.id), "note": "My note"})
    assert response.status_code == 422
    page = read_html(response)
    assert "for network members only" in page.select_one(".error-summary").text
    assert page.select_one("#note").text.strip() == "My note"
    assert count(CollectionItem) == 0


def test_editors_are_managed_by_the_owners_admins(client, auth, admin, home, make_user):
    collection = make_collection(admin, home)
    colleague = make_user(institution=home)
    login(auth, admin)
    response = client.post(f"/collections/{collection.id}/editors", data={"email": "nobody@example.org"})
    assert response.status_code == 422
    assert read_html(response).select_one("#email")["value"] == "nobody@example.org"
    client.post(f"/collections/{collection.id}/editors", data={"email": colleague.email})
    assert [r.user_id for r in fresh(collection).editor_rows] == [colleague.id]
    login(auth, colleague)
    assert client.get(f"/collections/{collection.id}/edit").status_code == 200
    response = client.post(f"/collections/{collection.id}/editors", data={"email": admin.email})
    assert response.status_code == 403
    assert client.get(f"/collections/{collection.id}/delete").status_code == 403
    login(auth, admin)
    client.post(f"/collections/{collection.id}/editors", data={"remove": str(colleague.id)})
    assert fresh(collection).editor_rows == []


def test_delete_a_collection(client, auth, admin, home):
    collection = make_collection(admin, home)
    login(auth, admin)
    assert client.get(f"/collections/{collection.id}/delete").status_code == 200
    client.post(f"/collections/{collection.id}/delete")
    assert count(Collection) == 0


# --- editions -----------------------------------------------------------------------------------------


def test_publish_then_read_editions(client, auth, admin, home, make_practice):
    from network.practices import services as practices

    practice = make_practice(home, admin, title="Interfamily groups", methods="Fortnightly sessions.")
    collection = make_collection(admin, home, practices=[practice])
    login(auth, admin)
    response = client.post(f"/collections/{collection.id}/publish")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/collections/{collection.id}/editions/1")
    data = practices.PracticeData.from_practice(db.session.get(type(practice), practice.id))
    data.methods = "Weekly meetings."
    practices.update_practice(admin, db.session.get(type(practice), practice.id), data)
    first = text(client.get(f"/collections/{collection.id}/editions/1"))
    assert "Fortnightly sessions." in first and "Weekly meetings." not in first
    assert "Interfamily groups" in text(client.get(f"/collections/{collection.id}"))  # editors: changed since
    client.post(f"/collections/{collection.id}/publish")
    assert "Weekly meetings." in text(client.get(f"/collections/{collection.id}/editions/2"))
    assert "Fortnightly sessions." in text(client.get(f"/collections/{collection.id}/editions/1"))
    assert client.get(f"/collections/{collection.id}/editions/3").status_code == 404


def test_publishing_an_empty_collection_says_why(client, auth, admin, home):
    collection = make_collection(admin, home)
    login(auth, admin)
    response = client.post(f"/collections/{collection.id}/publish", follow_redirects=True)
    assert "The collection is empty" in text(response)
    assert count(CollectionEdition) == 0


def test_members_edition_is_hidden_from_visitors(client, admin, home, make_practice):
    collection = make_collection(admin, home, visibility="members", practices=[make_practice(home, admin)])
    collections.publish_edition(admin, collection)
    assert client.get(f"/collections/{collection.id}/editions/1").status_code == 404


# --- from a practice page and from search results ------------------------------------------------------


def test_practice_page_lists_its_collections_and_offers_to_add(client, auth, admin, home, make_practice,
                                                                make_user):
    practice = make_practice(home, admin, title="Interfamily groups")
    holding = make_collection(admin, home, title="Manual holding it", practices=[practice])
    make_collection(admin, home, title="Members manual", visibility="members", practices=[practice])
    target = make_collection(admin, home, title="Toolbox to fill", kind="toolbox", chapters=["Games"])
    page = read_html(client.get(f"/practices/{practice.id}"))
    listed = page.select_one("#in-collections-heading").find_parent("section").text
    assert "Manual holding it" in listed and "Members manual" not in listed
    assert page.select_one('form[action="/collections/add"]') is None  # visitors edit nothing
    login(auth, make_user(institution=home))
    page = read_html(client.get(f"/practices/{practice.id}"))
    assert page.select_one('form[action="/collections/add"]') is None
    login(auth, admin)
    page = read_html(client.get(f"/practices/{practice.id}"))
    form = page.select_one('form[action="/collections/add"]')
    assert "Toolbox to fill" in form.text and "Games" in form.text
    chapter = target.chapters[0]
    response = client.post("/collections/add", data={"practice_id": str(practice.id),
                                                     "collection_id": str(target.id),
                                                     "chapter_id": str(chapter.id)})
    assert response.status_code == 302
    item = db.session.scalar(select(CollectionItem).where(CollectionItem.collection_id == target.id))
    assert (item.practice_id, item.chapter_id) == (practice.id, chapter.id)
    # Twice: the form comes back with the reason and what was typed.
    response = client.post("/collections/add", data={"practice_id": str(practice.id),
                                                     "collection_id": str(holding.id), "note": "my note"})
    assert response.status_code == 422
    page = read_html(response)
    assert "already in this collection" in page.select_one(".error-summary").text
    assert page.select_one("#note").text.strip() == "my note"


def test_add_refuses_a_collection_the_person_does_not_edit(client, auth, admin, home, make_practice,
                                                           make_user, make_institution):
    other = make_institution(name="Elsewhere")
    other_admin = make_user(INSTITUTION_ADMIN, institution=other)
    theirs = make_collection(other_admin, other, title="Theirs")
    make_collection(admin, home, title="Mine")
    practice = make_practice(home, admin)
    login(auth, admin)
    response = client.post("/collections/add", data={"practice_id": str(practice.id),
                                                     "collection_id": str(theirs.id)})
    assert response.status_code == 403
    assert count(CollectionItem) == 0


def test_search_results_offer_add_to_collection_to_editors(client, auth, admin, home, make_practice):
    from network.search import sync

    practice = make_practice(home, admin, title="Interfamily groups")
    make_collection(admin, home, title="Mine")
    sync.drain_all()
    link = f'/collections/add?practice_id={practice.id}'
    assert link not in text(client.get("/search?q=interfamily"))
    login(auth, admin)
    page = text(client.get("/search?q=interfamily"))
    assert link.replace("&", "&amp;") in page or link in page
    assert client.get(link).status_code == 200


def test_coordinator_creates_a_partnership_collection(client, auth, make_user, make_partnership, home):
    partnership = make_partnership(coordinator=home)
    coordinator = make_user(COORDINATOR, institution=home)
    login(auth, coordinator)
    page = read_html(client.get("/collections/new"))
    assert [o["value"] for o in page.select("#owner option")] == [f"partnership-{partnership.id}"]
    client.post("/collections/new", data={"title": "Partnership manual", "kind": "manual", "language": "en",
                                          "visibility": "members", "owner": f"partnership-{partnership.id}"})
    assert db.session.scalar(select(Collection.partnership_id)) == partnership.id


def test_hostile_text_is_shown_escaped(client, auth, admin, home, make_practice):
    payload = '<script>alert(1)</script><a href="javascript:alert(1)">x</a><img src=x onerror=alert(1)>'
    practice = make_practice(home, admin)
    collection = make_collection(admin, home, title=payload, introduction=payload, practices=[practice],
                                 chapters=[payload])
    collections.update_item(admin, collection.items[0], payload, collection.chapters[0].id)
    collections.publish_edition(admin, fresh(collection))
    login(auth, admin)
    for url in (f"/collections/{collection.id}", f"/collections/{collection.id}/edit", "/collections/",
                f"/practices/{practice.id}"):
        response = client.get(url)
        assert response.status_code == 200
        page = read_html(response)
        assert not [s for s in page.find_all("script") if not s.get("src")], url
        assert not page.select('[href^="javascript"]') and not page.select("[onerror]"), url


def test_every_form_of_the_edit_page_works_with_its_csrf_token(csrf_app, client, admin, home, three):
    """As a browser posts them, with CSRF protection on: each form carries the token its view checks."""
    collection = make_collection(admin, home, practices=three, chapters=["One"])
    login_page = read_html(client.get("/login"))
    client.post("/login", data={"email": admin.email, "password": "correct horse battery",
                                "csrf_token": login_page.select_one('input[name="csrf_token"]')["value"]})
    page = read_html(client.get(f"/collections/{collection.id}/edit"))
    forms = page.select("main form")
    assert len(forms) >= 8
    for form in forms:
        if form.get("id") == "order-form":
            continue
        data = {i["name"]: i.get("value", "") for i in form.select("input[name]")}
        data.update({t["name"]: t.text.strip() for t in form.select("textarea[name]")})
        for select_ in form.select("select[name]"):
            chosen = select_.select_one("option[selected]") or select_.select_one("option")
            data[select_["name"]] = chosen.get("value", "")
        button = form.select_one("button[name]")
        if button is not None:
            data[button["name"]] = button["value"]
        response = client.post(form["action"], data=data)
        assert response.status_code in (302, 422), (form["action"], response.status_code)
        assert "The form had expired" not in response.get_data(as_text=True), form["action"]


def test_search_reads_the_editors_collections_once_per_page(client, auth, admin, home, make_practice):
    from network.search import sync

    for n in range(4):
        make_practice(home, admin, title=f"Interfamily groups {n}")
    make_collection(admin, home, title="Mine", chapters=["One"])
    sync.drain_all()
    login(auth, admin)
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    sa.event.listen(db.engine, "before_cursor_execute", listener)
    try:
        page = text(client.get("/search?q=interfamily"))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listener)
    assert page.count("/collections/add?practice_id=") == 4
    assert len([s for s in seen if "FROM collections" in s]) == 1


# --- essays, added from their own page ------------------------------------------------------------------


@pytest.fixture
def essay_world(exchange, make_user):
    """A training event with published essays (one named, one anonymous, one kept for the evaluators), a
    draft by the Seville admin (who also edits a members-only collection), and that collection."""
    from essays_helpers import record_training, written

    author = make_user(institution=exchange.seville, name="Ana Autora")
    shy = make_user(institution=exchange.arad, name="Silvia Secreta")
    private = make_user(institution=exchange.arad, name="Paula Privada")
    editor = exchange.seville_admin
    event = record_training(exchange, [author, shy, private, editor])
    reviewer = exchange.coordinator
    return {
        "editor": editor, "author": author, "reviewer": reviewer,
        "named": written(author, event, status="published", reviewer=reviewer, title="Groups taught me"),
        "anonymous": written(shy, event, status="published", reviewer=reviewer, title="Quiet lessons",
                             display="anonymous"),
        "private": written(private, event, status="published", reviewer=reviewer, title="Only for you",
                           display="private"),
        "draft": written(editor, event, status="draft", title="My unfinished essay"),
        "members": make_collection(editor, exchange.seville, title="Members reading list",
                                   kind="reading_list", visibility="members", chapters=["Voices"]),
        "public": make_collection(editor, exchange.seville, title="Public manual"),
    }


def test_an_editor_adds_a_published_essay_from_its_page(client, auth, essay_world):
    world = essay_world
    essay, members = world["named"], world["members"]
    login(auth, world["editor"])
    page = read_html(client.get(f"/essays/{essay.id}"))
    form = page.select_one('form[action="/collections/add"]')
    assert form.select_one('input[name="essay_id"]')["value"] == str(essay.id)
    assert form.select_one('input[name="practice_id"]') is None
    assert "Members reading list" in form.text and "Voices" in form.text
    assert "Public manual" not in form.text  # essays go into members-only collections only
    assert page.select_one("#in-collections-heading") is None
    chapter = members.chapters[0]
    response = client.post("/collections/add", data={"essay_id": str(essay.id), "collection_id": str(members.id),
                                                     "chapter_id": str(chapter.id), "note": "Read first"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/essays/{essay.id}")
    item = db.session.scalar(select(CollectionItem).where(CollectionItem.collection_id == members.id))
    assert (item.essay_id, item.practice_id, item.chapter_id, item.note) == (essay.id, None, chapter.id,
                                                                             "Read first")
    page = read_html(client.get(f"/essays/{essay.id}"))
    listed = page.select_one("#in-collections-heading").find_parent("section").text
    assert "Members reading list" in listed
    # The collection's page and its edit page show the essay, its author and a link to it.
    shown = read_html(client.get(f"/collections/{members.id}")).select_one(".collection-items").text
    assert "Groups taught me" in shown and "Ana Autora" in shown
    edit = read_html(client.get(f"/collections/{members.id}/edit"))
    assert edit.select_one(f'#item-{item.id} a[href="/essays/{essay.id}"]').text == "Groups taught me"


def test_the_add_page_takes_an_essay(client, auth, essay_world):
    world = essay_world
    login(auth, world["editor"])
    page = read_html(client.get(f"/collections/add?essay_id={world['named'].id}"))
    assert "Groups taught me" in page.select_one("h1").text
    assert page.select_one('input[name="essay_id"]')["value"] == str(world["named"].id)
    assert page.select_one(f'a[href="/essays/{world["named"].id}"]') is not None


def test_people_who_edit_no_collection_see_no_form_on_an_essay(client, auth, essay_world, make_user, exchange):
    world = essay_world
    login(auth, world["author"])
    page = read_html(client.get(f"/essays/{world['named'].id}"))
    assert page.select_one('form[action="/collections/add"]') is None
    login(auth, world["editor"])  # an editor, but a draft (even their own) cannot go into a collection
    page = read_html(client.get(f"/essays/{world['draft'].id}"))
    assert page.select_one('form[action="/collections/add"]') is None


def test_an_essay_the_person_may_not_read_is_not_found(client, auth, essay_world):
    world = essay_world
    login(auth, world["editor"])
    assert client.get(f"/collections/add?essay_id={world['private'].id}").status_code == 404
    response = client.post("/collections/add", data={"essay_id": str(world["private"].id),
                                                     "collection_id": str(world["members"].id)})
    assert response.status_code == 404
    assert client.post("/collections/add", data={"essay_id": "999999",
                                                 "collection_id": str(world["members"].id)}).status_code == 404
    # Exactly one of them: a practice and an essay at once is not an item.
    assert client.post("/collections/add", data={"essay_id": str(world["named"].id), "practice_id": "1",
                                                 "collection_id": str(world["members"].id)}).status_code == 404
    assert count(CollectionItem) == 0


def test_a_draft_essay_is_refused_with_a_message_keeping_what_was_typed(client, auth, essay_world):
    world = essay_world
    login(auth, world["editor"])
    response = client.post("/collections/add", data={"essay_id": str(world["draft"].id), "note": "my note",
                                                     "collection_id": str(world["members"].id)})
    assert response.status_code == 422
    page = read_html(response)
    assert "no such published essay" in page.select_one(".error-summary").text
    assert page.select_one("#note").text.strip() == "my note"
    assert page.select_one('input[name="essay_id"]')["value"] == str(world["draft"].id)
    assert count(CollectionItem) == 0


def test_the_same_essay_twice_and_a_public_collection_are_refused(client, auth, essay_world):
    world = essay_world
    essay = world["named"]
    login(auth, world["editor"])
    data = {"essay_id": str(essay.id), "collection_id": str(world["members"].id)}
    assert client.post("/collections/add", data=data).status_code == 302
    response = client.post("/collections/add", data=data)
    assert response.status_code == 422
    assert "already in this collection" in read_html(response).select_one(".error-summary").text
    response = client.post("/collections/add", data={**data, "collection_id": str(world["public"].id)})
    assert response.status_code == 422
    assert "members-only collection" in read_html(response).select_one(".error-summary").text
    assert count(CollectionItem) == 1


def test_an_anonymous_essay_never_shows_its_authors_name(client, auth, essay_world):
    world = essay_world
    essay, members = world["anonymous"], world["members"]
    collections.add_item(world["editor"], members, essay_id=essay.id)
    login(auth, world["editor"])
    page = text(client.get(f"/collections/{members.id}"))
    assert "Quiet lessons" in page and "Silvia Secreta" not in page
    assert "A professional from" in page
    assert "Silvia Secreta" not in text(client.get(f"/collections/{members.id}/edit"))
    assert client.post(f"/collections/{members.id}/publish").status_code == 302
    book = client.get(f"/collections/{members.id}/editions/1")
    assert book.status_code == 200
    page = read_html(book)
    item = page.select_one("#item-1")
    assert "Quiet lessons" in item.text and "Silvia Secreta" not in page.text
    assert item.select_one(f'a[href="/essays/{essay.id}"]') is not None
    edition = db.session.scalar(select(CollectionEdition))
    frozen = edition.contents["chapters"][0]["items"][0]
    assert (frozen["kind"], frozen["authors"], frozen["institution"]) == ("essay", [], "")
