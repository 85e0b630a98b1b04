"""The index follows the database: every change leaves an outbox row in its own transaction, and the
index changes only when the outbox is drained."""
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from conftest import practice_data
from network.auth.models import SITE_ADMIN
from network.extensions import db
from network.institutions import services as institutions
from network.practices import services as practices
from network.search import sync
from network.search.models import SearchOutbox
from search_helpers import keys, search, titles


def outbox_keys() -> set[tuple[str, int]]:
    rows = db.session.execute(select(SearchOutbox.doc_type, SearchOutbox.doc_id))
    return {(row.doc_type, row.doc_id) for row in rows}


@pytest.fixture
def people(make_institution, make_user):
    home = make_institution(name="Sync Home", country="ES")
    return {
        "home": home,
        "member": make_user(institution=home),
        "outsider": make_user(institution=make_institution(name="Sync Elsewhere", country="RO")),
        "admin": make_user(SITE_ADMIN, institution=home),
    }


def visible(user, title_words: str) -> bool:
    return bool(search(user, q=title_words).total)


def test_a_new_practice_is_queued_at_commit_and_indexed_only_by_the_drain(people, make_practice):
    sync.drain_all()
    practice = make_practice(people["home"], title="Quillwort meadows")

    assert ("practice", practice.id) in outbox_keys()
    assert search(q="quillwort").total == 0  # nothing writes the index before the drain

    sync.drain_all()

    assert titles(search(q="quillwort")) == ["Quillwort meadows"]
    assert outbox_keys() == set()


def test_a_title_change_replaces_the_old_title(people, make_practice):
    practice = make_practice(people["home"], title="Quillwort meadows")
    sync.drain_all()

    practices.update_practice(people["member"], practice,
                              practice_data(people["home"], title="Saxifrage terraces"))
    sync.drain_all()

    assert search(q="quillwort").total == 0
    assert keys(search(q="saxifrage")) == {("practice", practice.id)}


def test_publishing_and_unpublishing_reach_the_index(people, make_practice):
    practice = make_practice(people["home"], title="Quillwort meadows", status="draft")
    sync.drain_all()
    assert not visible(None, "quillwort")
    assert visible(people["member"], "quillwort")  # own institution's draft

    practices.change_status(people["member"], practice, "published")
    sync.drain_all()
    assert visible(None, "quillwort")
    assert visible(people["outsider"], "quillwort")

    practices.change_status(people["member"], practice, "draft")  # back to draft
    sync.drain_all()
    assert not visible(None, "quillwort")
    assert not visible(people["outsider"], "quillwort")
    assert visible(people["admin"], "quillwort")


def test_archiving_hides_from_everyone_outside_the_institution(people, make_practice):
    practice = make_practice(people["home"], title="Quillwort meadows")
    sync.drain_all()

    practices.change_status(people["member"], practice, "archived")
    sync.drain_all()

    assert not visible(None, "quillwort")
    assert not visible(people["outsider"], "quillwort")
    assert visible(people["member"], "quillwort")


def test_a_visibility_change_reaches_the_index(people, make_practice):
    practice = make_practice(people["home"], title="Quillwort meadows")
    sync.drain_all()
    assert visible(None, "quillwort")

    practices.update_practice(people["member"], practice,
                              practice_data(people["home"], title="Quillwort meadows", visibility="members"))
    sync.drain_all()
    assert not visible(None, "quillwort")
    assert visible(people["outsider"], "quillwort")  # any approved member

    practices.update_practice(people["member"], practice,
                              practice_data(people["home"], title="Quillwort meadows", visibility="public"))
    sync.drain_all()
    assert visible(None, "quillwort")


def test_a_deleted_practice_leaves_the_index(people, make_practice):
    practice = make_practice(people["home"], title="Quillwort meadows")
    kept = make_practice(people["home"], title="Quillwort ponds")
    sync.drain_all()
    assert search(people["admin"], q="quillwort").total == 2

    practices.delete_practice(people["admin"], practice)
    sync.drain_all()

    assert keys(search(people["admin"], q="quillwort")) == {("practice", kept.id)}


def test_a_tag_and_sector_change_reach_the_index(people, make_practice):
    practice = make_practice(people["home"], title="Quillwort meadows", tags=["gardens"], sectors=["social"])
    sync.drain_all()

    practices.update_practice(people["member"], practice, practice_data(
        people["home"], title="Quillwort meadows", tags=["orchards"], sectors=["educational"]))
    sync.drain_all()

    assert search(q="gardens").total == 0
    assert titles(search(q="orchards")) == ["Quillwort meadows"]
    assert titles(search(q="quillwort", sector="educational")) == ["Quillwort meadows"]
    assert search(q="quillwort", sector="social").total == 0


def test_a_rolled_back_transaction_leaves_no_outbox_row(people):
    sync.drain_all()
    clean = practices.validate(practice_data(people["home"], title="Quillwort meadows"))
    practice = practices.build_practice(None, clean)
    db.session.flush()
    assert ("practice", practice.id) in outbox_keys()  # queued inside the transaction...

    db.session.rollback()

    assert outbox_keys() == set()  # ...and gone with it
    assert sync.drain_all() == 0
    assert search(people["admin"], q="quillwort").total == 0


def test_a_failed_commit_leaves_no_outbox_row(people, make_practice):
    make_practice(people["home"], title="First", external_ref="REF-1")
    sync.drain_all()
    clean = practices.validate(practice_data(people["home"], title="Quillwort meadows"))
    practices.build_practice(None, clean).external_ref = "REF-1"  # unique constraint: the flush fails

    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    assert outbox_keys() == set()
    assert search(people["admin"], q="quillwort").total == 0


def test_an_institution_rename_reindexes_the_institution(people):
    institution = people["home"]
    sync.drain_all()
    assert ("institution", institution.id) in keys(search(q="sync home"))

    institutions.update_institution(people["admin"], institution, institutions.InstitutionData(
        name="Casa Heliotropo", country=institution.country, city=institution.city,
        sectors=institution.sectors, languages=institution.languages))
    assert ("institution", institution.id) in outbox_keys()
    sync.drain_all()

    assert keys(search(q="heliotropo")) == {("institution", institution.id)}
    assert ("institution", institution.id) not in keys(search(q="sync home"))
