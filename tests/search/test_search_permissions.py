"""Nobody finds, or counts in a facet, a document they may not see."""
from collections import Counter

import pytest
from sqlalchemy import select

from network import permissions
from network.auth.models import PENDING, SITE_ADMIN
from network.extensions import db
from network.practices.models import Practice
from network.search import sync
from search_helpers import practice_ids, search, write_up

FACETS = ("type", "sector", "country", "language", "year", "institution")


@pytest.fixture
def people(make_institution, make_user, make_practice):
    """Two institutions; each kind of hidden write-up has its own country, language and sector, so that
    a facet count would show it if it leaked."""
    home = make_institution(name="Perm Home", country="ES", sectors=("social",))
    other = make_institution(name="Perm Other", country="RO", sectors=("social",))
    visitors = {
        "anonymous": None,
        "pending": make_user(institution=home, status=PENDING),
        "member": make_user(institution=home),
        "outsider": make_user(institution=other),
        "admin": make_user(SITE_ADMIN, institution=other),
    }
    w = lambda owner, title, **kw: write_up(make_practice, owner, title, "Bramble hedges for families.", **kw)
    w(home, "Public home", country="ES", language="es")
    w(other, "Public other", country="RO", language="ro")
    w(home, "Members home", visibility="members", country="FI", language="fi", sectors=["educational"])
    w(home, "Draft home", status="draft", country="IS", language="is", sectors=["mental_health"])
    w(other, "Draft other", status="draft", country="PL", language="pl", sectors=["mental_health"])
    w(other, "Archived other", status="archived", country="CZ", language="cs", sectors=["mental_health"])
    w(other, "Members draft other", status="draft", visibility="members", country="GR", language="el")
    sync.drain_all()
    return visitors


def allowed_practices(user) -> set[int]:
    return {p.id for p in db.session.scalars(select(Practice)) if permissions.can_view_practice(user, p)}


def seen(user, **options) -> set[str]:
    return {hit.title for hit in search(user, per_page=100, **options).hits if hit.doc_type == "practice"}


def test_anonymous_sees_only_published_public_write_ups(people):
    assert seen(None, q="bramble") == {"Public home", "Public other"}
    assert seen(None) == {"Public home", "Public other"}  # browsing without words, too


def test_a_pending_member_sees_what_anonymous_sees(people):
    assert seen(people["pending"], q="bramble") == {"Public home", "Public other"}


def test_a_member_sees_members_only_and_own_drafts_but_not_other_drafts(people):
    assert seen(people["member"], q="bramble") == {
        "Public home", "Public other", "Members home", "Draft home"}
    assert seen(people["outsider"], q="bramble") == {
        "Public home", "Public other", "Members home", "Draft other", "Archived other", "Members draft other"}


def test_site_admin_sees_everything(people):
    assert len(seen(people["admin"], q="bramble")) == 7


def test_search_agrees_with_the_permission_rules(people):
    for who, user in people.items():
        assert practice_ids(search(user, q="bramble", per_page=100)) == allowed_practices(user), who
        assert practice_ids(search(user, per_page=100)) == allowed_practices(user), who


def expected_facets(results) -> dict[str, Counter]:
    counts = {name: Counter() for name in FACETS}
    for hit in results.hits:
        stored = hit.stored
        counts["type"][stored["type"]] += 1
        for sector in filter(None, stored.get("sector", "").split(",")):
            counts["sector"][sector] += 1
        for name in ("country", "language", "year", "institution"):
            if stored.get(name):
                counts[name][stored[name]] += 1
    return counts


def test_facet_counts_count_only_what_the_person_may_see(people):
    for who in ("anonymous", "member", "outsider"):
        for query in ("bramble", "", "families"):
            results = search(people[who], q=query, per_page=100)
            assert results.total == len(results.hits)
            expected = expected_facets(results)
            for name in FACETS:
                assert Counter(results.facets.get(name, {})) == expected[name], (who, query, name)


def test_facet_counts_differ_between_anonymous_and_admin_only_by_hidden_write_ups(people):
    anonymous = search(None, q="bramble").facets
    admin = search(people["admin"], q="bramble").facets

    assert set(anonymous["country"]) == {"ES", "RO"}
    assert set(admin["country"]) == {"ES", "RO", "FI", "IS", "PL", "CZ", "GR"}
    assert "mental_health" not in anonymous["sector"] and admin["sector"]["mental_health"] == 3
    assert set(anonymous["language"]) == {"es", "ro"}
    assert search(None, q="bramble").total == 2 and search(people["admin"], q="bramble").total == 7


def test_facet_counts_with_a_chosen_value_do_not_leak(people):
    # A facet with a chosen value is counted by a search of its own, without that choice: filtered too.
    by_sector = {who: search(people[who], q="bramble", sector="mental_health") for who in people}
    assert by_sector["anonymous"].total == 0 and by_sector["anonymous"].facets["sector"] == {"social": 2}
    assert by_sector["member"].total == 1
    assert by_sector["member"].facets["sector"] == {"social": 2, "educational": 1, "mental_health": 1}
    assert by_sector["admin"].facets["sector"] == {"social": 3, "educational": 1, "mental_health": 3}

    by_country = {who: search(people[who], q="bramble", country="IS") for who in people}
    assert by_country["anonymous"].facets["country"] == {"ES": 1, "RO": 1}
    assert by_country["pending"].facets["country"] == {"ES": 1, "RO": 1}
    assert by_country["member"].facets["country"] == {"ES": 1, "RO": 1, "FI": 1, "IS": 1}
    # The other facets are counted on the filtered search itself.
    assert by_country["anonymous"].facets["language"] == {}
    assert by_country["member"].facets["language"] == {"is": 1}


def test_type_tab_counts_do_not_leak(people):
    anonymous = search(None, q="bramble", type="practice")
    admin = search(people["admin"], q="bramble", type="practice")
    assert anonymous.facets["type"] == {"practice": 2}
    assert admin.facets["type"] == {"practice": 7}


def test_did_you_mean_never_suggests_a_word_only_in_hidden_write_ups(make_institution, make_practice,
                                                                     make_user):
    owner = make_institution()
    write_up(make_practice, owner, "Secret plans", "The zanzibarite scheme.", status="draft")
    write_up(make_practice, owner, "Open plans", "The meadowsweet scheme.")
    sync.drain_all()

    assert search(None, q="zanzibarito").suggestion is None
    assert search(None, q="meadowswet").suggestion == "meadowsweet"
    assert search(make_user(SITE_ADMIN), q="zanzibarito").suggestion == "zanzibarite"
