"""Collections in search: found by their introduction, chapters and items, by whom may see them, kept in
step with every edit, and shown on the search page with a link to the collection."""
from __future__ import annotations

import pytest

import network.essays.models  # noqa: F401  (CollectionItem.essay names Essay, Event names Visit:
import network.mobility.models  # noqa: F401  map them all before practices.services configures the mappers)
from conftest import read_html
from network.collections import services as collections
from network.practices import services as practices
from network.search import sync
from search_helpers import keys, search


def make_collection(actor, title, visibility="public", kind="manual", introduction=""):
    return collections.create_collection(actor, collections.CollectionData(
        title=title, introduction=introduction, kind=kind, visibility=visibility, language="en",
        owner=collections.owner_key(actor.institution)))


@pytest.fixture
def shelf(users, make_practice):
    admin = users["institution_admin"]
    home = admin.institution
    seeds = make_practice(home, title="Seed swapping mornings", language="en")
    manual = make_collection(admin, "Manual of neighbourhood resources",
                             introduction="Everything about *allotments* and shared gardens.")
    chapter = collections.add_chapter(admin, manual, "Wheelbarrow logistics",
                                      "How tools travel between yards.")
    collections.add_item(admin, manual, practice_id=seeds.id, chapter_id=chapter.id,
                         note="Pair it with the compost rota.")
    closed = make_collection(admin, "Members handbook of quinces", visibility="members",
                             introduction="Orchard notes for colleagues.")
    sync.drain_all()
    return {"admin": admin, "manual": manual, "chapter": chapter, "closed": closed, "seeds": seeds}


def found(user, q) -> set[tuple[str, int]]:
    return {key for key in keys(search(user, q, per_page=100)) if key[0] == "collection"}


def test_a_public_collection_is_found_anonymously_by_its_introduction_chapters_and_items(shelf):
    manual = ("collection", shelf["manual"].id)
    assert found(None, "allotments") == {manual}  # introduction
    assert found(None, "wheelbarrow") == {manual}  # chapter title
    assert found(None, "tools travel") == {manual}  # chapter introduction
    assert found(None, "compost rota") == {manual}  # editor's note
    assert manual in found(None, "seed swapping")  # an item's title
    hit = next(h for h in search(None, "allotments").hits if h.doc_type == "collection")
    assert hit.url == f"/collections/{shelf['manual'].id}"
    assert hit.title == "Manual of neighbourhood resources"


def test_the_kind_is_searchable_and_collections_are_a_type_of_result(shelf, users):
    admin = shelf["admin"]
    make_collection(admin, "Activities for rainy afternoons", kind="toolbox")
    sync.drain_all()
    assert {h.title for h in search(None, "toolbox").hits} == {"Activities for rainy afternoons"}
    only = search(users["professional"], "", type="collection", per_page=100)
    assert {h.doc_type for h in only.hits} == {"collection"} and only.total == 3
    assert search(None, "").facets["type"]["collection"] == 2  # the members-only one is not counted


def test_a_members_only_collection_is_found_by_members_only(shelf, users):
    closed = ("collection", shelf["closed"].id)
    assert found(None, "quinces") == set()
    assert found(users["pending"], "quinces") == set()
    assert found(users["outsider"], "quinces") == {closed}  # any approved member of the network
    assert found(users["evaluator"], "orchard") == {closed}
    assert found(users["site_admin"], "orchard") == {closed}


def test_search_agrees_with_can_view_collection(shelf, users):
    from sqlalchemy import select

    from network import permissions
    from network.collections.models import Collection
    from network.extensions import db

    everything = list(db.session.scalars(select(Collection)))
    for user in [None, *users.values()]:
        allowed = {("collection", c.id) for c in everything if permissions.can_view_collection(user, c)}
        assert {key for key in keys(search(user, "", type="collection", per_page=100))} == allowed


def test_edits_to_the_collection_chapters_and_items_are_reflected(shelf, make_practice):
    admin, manual = shelf["admin"], shelf["manual"]
    key = ("collection", manual.id)
    data = collections.CollectionData(title=manual.title, introduction="Now about beekeeping.", kind="manual",
                                      visibility="public", language="en",
                                      owner=collections.owner_key(manual.institution))
    collections.update_collection(admin, manual, data)
    collections.update_chapter(admin, shelf["chapter"], "Ladder sharing", "")
    sync.drain_all()
    assert found(None, "beekeeping") == {key}
    assert found(None, "allotments") == set()
    assert found(None, "ladder") == {key}
    assert found(None, "wheelbarrow") == set()

    loose = make_practice(manual.institution, title="Rhubarb crumble evenings", language="en")
    item = collections.add_item(admin, manual, practice_id=loose.id, note="Mind the parsnips.")
    sync.drain_all()
    assert found(None, "parsnips") == {key}
    assert key in found(None, "rhubarb crumble")
    collections.remove_item(admin, item)
    sync.drain_all()
    assert found(None, "parsnips") == set()
    assert key not in found(None, "rhubarb crumble")

    collections.delete_collection(admin, manual)
    sync.drain_all()
    assert found(None, "beekeeping") == set()


def test_a_practice_renamed_or_closed_changes_the_collections_holding_it(shelf, users):
    seeds, key = shelf["seeds"], ("collection", shelf["manual"].id)
    data = practices.PracticeData.from_practice(seeds)
    data.title = "Bulb exchange mornings"
    practices.update_practice(shelf["admin"], seeds, data)
    sync.drain_all()
    assert key in found(None, "bulb exchange")
    assert key not in found(None, "seed swapping")

    # Made members-only, its title leaves the public collection's text (the collection stays public).
    data = practices.PracticeData.from_practice(seeds)
    data.visibility = "members"
    practices.update_practice(shelf["admin"], seeds, data)
    sync.drain_all()
    assert key not in found(None, "bulb exchange")
    assert key not in found(users["outsider"], "bulb exchange")
    assert found(None, "allotments") == {key}


def test_a_deleted_practice_leaves_the_text_of_the_collections_holding_it(shelf):
    key = ("collection", shelf["manual"].id)
    assert key in found(None, "seed swapping")

    practices.delete_practice(shelf["admin"], shelf["seeds"])
    sync.drain_all()

    assert key not in found(None, "seed swapping")
    assert found(None, "allotments") == {key}  # the collection itself stays findable

def test_the_search_page_lists_collections_with_a_link(shelf, client):
    soup = read_html(client.get("/search?q=allotments"))
    links = [a["href"] for a in soup.select(".result-list a")]
    assert f"/collections/{shelf['manual'].id}" in links
    tabs = [a.get_text(strip=True) for a in soup.select(".tabs a")]
    assert "Collections (1)" in tabs
