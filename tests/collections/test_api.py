"""The JSON API on collections: the list and one collection as each kind of caller may see them, chapters
and items in order, items the caller may not read kept in place without their title, editions, and the
OpenAPI schema agreeing with a real response."""
from __future__ import annotations

import json

import pytest

import network.essays.models  # noqa: F401  (CollectionItem.essay names Essay, Event names Visit:
import network.mobility.models  # noqa: F401  map them all before practices.services configures the mappers)
from api_helpers import assert_error, bearer
from network.collections import services as collections
from network.extensions import db
from network.institutions.models import Partnership
from network.practices import services as practices

HOSTILE_NOTE = '<script>alert(1)</script> Read it **first**. <img src=x onerror="alert(2)">'


@pytest.fixture
def shelf(users, make_practice, make_partnership):
    """A public manual of the home institution (two chapters, one item outside them), a members-only
    toolbox of a partnership, made through the services as an editor would."""
    admin = users["institution_admin"]
    home = admin.institution
    make = lambda title, **kw: make_practice(home, title=title, **kw)  # noqa: E731
    first, second, third = make("Kitchen table talks"), make("Street library"), make("Parents' café")
    loose = make("Toy lending")
    secret = make("Closed circle", visibility="members")
    manual = collections.create_collection(admin, collections.CollectionData(
        title="Manual of family resources", introduction="How to *use* the resources.", kind="manual",
        visibility="public", language="en", owner=collections.owner_key(home)))
    one = collections.add_chapter(admin, manual, "Meeting families", "Where families meet.")
    two = collections.add_chapter(admin, manual, "Lending things")
    collections.add_item(admin, manual, practice_id=first.id, chapter_id=one.id, note=HOSTILE_NOTE)
    collections.add_item(admin, manual, practice_id=third.id, chapter_id=one.id)
    collections.add_item(admin, manual, practice_id=second.id, chapter_id=two.id, note="Borrow books.")
    collections.add_item(admin, manual, practice_id=loose.id)

    coordinator = users["coordinator"]
    partnership = make_partnership(coordinator=home, partners=[home])
    toolbox = collections.create_collection(coordinator, collections.CollectionData(
        title="Toolbox of activities", kind="toolbox", visibility="members", language="en",
        owner=collections.owner_key(partnership)))
    collections.add_item(coordinator, toolbox, practice_id=secret.id, note="Only for members.")
    return {"manual": manual, "toolbox": toolbox, "practices": (first, second, third, loose, secret),
            "partnership": partnership, "admin": admin}


def listed(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["title"] for item in response.get_json()["items"]]


def test_the_list_shows_each_caller_only_what_they_may_see(client, users, shelf):
    assert listed(client.get("/api/v1/collections")) == ["Manual of family resources"]
    assert listed(client.get("/api/v1/collections", headers=bearer(users["pending"]))) == [
        "Manual of family resources"]
    member = bearer(users["outsider"])  # any approved member of the network reads members-only collections
    assert sorted(listed(client.get("/api/v1/collections", headers=member))) == [
        "Manual of family resources", "Toolbox of activities"]
    body = client.get("/api/v1/collections", headers=member).get_json()
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 20)


def test_the_list_filters_by_kind_and_owner_and_pages(client, users, shelf):
    member = bearer(users["professional"])
    get = lambda query: listed(client.get(f"/api/v1/collections?{query}", headers=member))  # noqa: E731
    assert get("kind=toolbox") == ["Toolbox of activities"]
    assert get("kind=manual") == ["Manual of family resources"]
    assert get("kind=cookbook") == []  # an unknown value matches nothing
    assert get(f"owner=partnership-{shelf['partnership'].id}") == ["Toolbox of activities"]
    assert get(f"owner=institution-{shelf['admin'].institution_id}") == ["Manual of family resources"]
    assert get("owner=nobody") == []
    page = client.get("/api/v1/collections?per_page=1&page=2", headers=member).get_json()
    assert (len(page["items"]), page["total"], page["per_page"]) == (1, 2, 1)
    assert client.get("/api/v1/collections?per_page=500").get_json()["per_page"] == 100
    assert_error(client.get("/api/v1/collections?page=0"), 400, "bad_request")


def test_one_collection_has_its_chapters_and_items_in_order(client, shelf):
    manual = shelf["manual"]
    first, second, third, loose, _secret = shelf["practices"]
    body = client.get(f"/api/v1/collections/{manual.id}").get_json()
    assert body["title"] == "Manual of family resources"
    assert body["kind"] == "manual" and body["visibility"] == "public"
    assert body["owner"]["type"] == "institution" and body["owner"]["name"] == manual.institution.name
    assert "<em>use</em>" in body["introduction_html"]
    assert body["url"].endswith(f"/collections/{manual.id}")
    chapters = body["chapters"]
    # Items outside any chapter come first, in a chapter without id or title (as in an edition).
    assert [c["title"] for c in chapters] == [None, "Meeting families", "Lending things"]
    assert [[i["title"] for i in c["items"]] for c in chapters] == [
        ["Toy lending"], ["Kitchen table talks", "Parents' café"], ["Street library"]]
    assert chapters[1]["introduction"] == "Where families meet."
    item = chapters[1]["items"][0]
    assert (item["kind"], item["id"], item["hidden"]) == ("practice", first.id, False)
    assert item["url"].endswith(f"/practices/{first.id}")
    assert item["note"] == HOSTILE_NOTE
    assert "<strong>first</strong>" in item["note_html"]
    assert "<script" not in item["note_html"] and "onerror" not in item["note_html"]
    assert body["editions"] == [] and body["latest_edition"] is None
    assert (body["chapter_count"], body["item_count"]) == (2, 4)


def test_reordering_shows_in_the_api(client, shelf):
    manual = shelf["manual"]
    kitchen = next(i for i in manual.items if i.practice.title == "Kitchen table talks")
    collections.move_item(shelf["admin"], kitchen, collections.DOWN)
    body = client.get(f"/api/v1/collections/{manual.id}").get_json()
    assert [i["title"] for i in body["chapters"][1]["items"]] == ["Parents' café", "Kitchen table talks"]


def test_a_practice_that_became_members_only_keeps_its_place_without_its_title(client, users, shelf):
    manual = shelf["manual"]
    _first, second, *_rest = shelf["practices"]
    data = practices.PracticeData.from_practice(second)
    data.visibility = "members"
    practices.update_practice(shelf["admin"], second, data)

    anonymous = client.get(f"/api/v1/collections/{manual.id}")
    assert anonymous.status_code == 200
    hidden = anonymous.get_json()["chapters"][2]["items"][0]
    assert hidden == {"kind": "practice", "hidden": True, "id": None, "title": None, "url": None, "note": "",
                      "note_html": ""}
    assert "Street library" not in anonymous.get_data(as_text=True)
    assert "Borrow books" not in anonymous.get_data(as_text=True)  # nor the note about it

    member = client.get(f"/api/v1/collections/{manual.id}", headers=bearer(users["outsider"])).get_json()
    shown = member["chapters"][2]["items"][0]
    assert (shown["title"], shown["hidden"], shown["note"]) == ("Street library", False, "Borrow books.")


def test_a_members_only_collection_is_a_404_for_anonymous_callers(client, users, shelf):
    toolbox = shelf["toolbox"]
    assert_error(client.get(f"/api/v1/collections/{toolbox.id}"), 404, "not_found")
    assert_error(client.get(f"/api/v1/collections/{toolbox.id}", headers=bearer(users["pending"])),
                 404, "not_found")
    body = client.get(f"/api/v1/collections/{toolbox.id}", headers=bearer(users["evaluator"])).get_json()
    assert body["owner"]["type"] == "partnership"
    assert body["owner"]["reference"] == db.session.get(Partnership, shelf["partnership"].id).reference
    assert body["chapters"][0]["items"][0]["title"] == "Closed circle"
    assert_error(client.get("/api/v1/collections/424242"), 404, "not_found")
    assert_error(client.get("/api/v1/collections/99999999999999"), 404, "not_found")


def test_editions_are_listed_with_their_book_and_pdf_addresses(client, shelf):
    manual = shelf["manual"]
    collections.publish_edition(shelf["admin"], manual)
    collections.publish_edition(shelf["admin"], manual)
    body = client.get(f"/api/v1/collections/{manual.id}").get_json()
    assert [e["number"] for e in body["editions"]] == [1, 2]
    first = body["editions"][0]
    assert first["url"].endswith(f"/collections/{manual.id}/editions/1")
    assert first["pdf_url"].endswith(f"/collections/{manual.id}/editions/1.pdf")
    assert first["published_at"]
    assert body["latest_edition"]["number"] == 2
    listing = client.get("/api/v1/collections").get_json()["items"][0]
    assert listing["latest_edition"]["number"] == 2 and "chapters" not in listing


def test_the_openapi_schemas_match_real_responses(client, shelf):
    spec = json.loads(client.get("/api/v1/openapi.json").get_data(as_text=True))
    schemas = spec["components"]["schemas"]
    collections.publish_edition(shelf["admin"], shelf["manual"])
    body = client.get(f"/api/v1/collections/{shelf['manual'].id}").get_json()
    assert set(body) == set(schemas["Collection"]["properties"]) == set(schemas["Collection"]["required"])
    chapter = schemas["Collection"]["properties"]["chapters"]["items"]
    assert set(body["chapters"][1]) == set(chapter["required"])
    assert set(body["chapters"][1]["items"][0]) == set(chapter["properties"]["items"]["items"]["required"])
    listing = client.get("/api/v1/collections").get_json()
    assert set(listing) == set(schemas["CollectionList"]["required"])
    assert set(listing["items"][0]) == set(schemas["CollectionSummary"]["required"])


def test_one_collection_is_read_in_a_fixed_number_of_queries(client, make_practice, shelf):
    from sqlalchemy import event

    manual, admin = shelf["manual"], shelf["admin"]
    url = f"/api/v1/collections/{manual.id}"

    def queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    before = queries()
    chapter = collections.add_chapter(admin, manual, "More")
    for number in range(5):
        practice = make_practice(admin.institution, title=f"Extra practice {number}")
        collections.add_item(admin, manual, practice_id=practice.id, chapter_id=chapter.id)
    assert queries() == before
