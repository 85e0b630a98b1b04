"""`flask --app network search reindex | check`."""
import pytest

from network.extensions import db
from network.search import cli, sync
from network.search.documents import SearchDocument
from search_helpers import index_root, search, titles, write_up


@pytest.fixture
def corpus(make_institution, make_practice):
    owner = make_institution(name="Command Centre")
    made = [write_up(make_practice, owner, f"Family evening {n}", "Families meet.") for n in range(3)]
    write_up(make_practice, owner, "Draft evening", "Families meet.", status="draft")
    sync.drain_all()
    return owner, made


def test_reindex_prints_progress_and_the_count(corpus, runner):
    old_folder = (index_root() / "CURRENT").read_text()

    result = runner.invoke(args=["search", "reindex"])

    assert result.exit_code == 0, result.output
    assert "Indexing" in result.output  # the progress bar's label
    assert "Reindexed 5 documents" in result.output  # 4 practices (the draft too) and the institution
    assert (index_root() / "CURRENT").read_text() != old_folder  # a new index replaced the old one
    assert len(titles(search(q="evening", per_page=50))) == 3
    assert cli.check().ok, cli.check()
    # The previous folder stays until the next swap (a searcher may be opening it); then it goes.
    assert (index_root() / old_folder).exists()
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert not (index_root() / old_folder).exists()
    assert len([p for p in index_root().iterdir() if p.name.startswith("index-")]) == 2


def test_reindex_brings_back_what_the_index_lost(corpus, runner):
    owner, made = corpus
    sync.search_index().write([], [f"practice:{made[0].id}"])
    assert search(q="evening").total == 2

    assert runner.invoke(args=["search", "reindex"]).exit_code == 0

    assert search(q="evening").total == 3


def test_check_passes_when_in_sync(corpus, runner):
    result = runner.invoke(args=["search", "check"])

    assert result.exit_code == 0, result.output
    assert ("0 missing from the index, 0 out of date, 0 in the index but not in the database, "
            "0 changes waiting") in result.output


def test_check_fails_for_a_document_missing_from_the_index(corpus, runner):
    owner, made = corpus
    sync.search_index().write([], [f"practice:{made[1].id}"])

    result = runner.invoke(args=["search", "check"])

    assert result.exit_code == 1
    assert f"missing: practice:{made[1].id}" in result.output
    report = cli.check()
    assert (report.missing, report.extra, report.outdated) == ([f"practice:{made[1].id}"], [], [])


def test_check_fails_for_a_practice_not_yet_drained(corpus, runner, make_practice):
    owner, _made = corpus
    waiting = write_up(make_practice, owner, "Undrained evening")

    result = runner.invoke(args=["search", "check"])

    assert result.exit_code == 1
    assert f"missing: practice:{waiting.id}" in result.output
    assert "1 changes waiting in the outbox" in result.output
    sync.drain_all()
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_check_fails_for_a_document_left_in_the_index(corpus, runner):
    sync.search_index().write([SearchDocument(doc_type="practice", doc_id=9999, title="Ghost", url="/x")], [])

    result = runner.invoke(args=["search", "check"])

    assert result.exit_code == 1
    assert "not in the database: practice:9999" in result.output
    assert cli.check().extra == ["practice:9999"]


def test_check_reports_a_document_the_index_holds_an_older_version_of(corpus, runner):
    owner, made = corpus
    older = sync.load_documents([("practice", made[2].id)])[0][0]
    made[2].title = "Family evening renamed"
    db.session.commit()
    sync.drain_all()
    assert runner.invoke(args=["search", "check"]).exit_code == 0
    sync.search_index().write([older], [])  # as if an indexer had written a stale copy

    result = runner.invoke(args=["search", "check"])

    assert result.exit_code == 1
    assert f"out of date: practice:{made[2].id}" in result.output
    assert cli.check().outdated == [f"practice:{made[2].id}"]
    assert runner.invoke(args=["search", "reindex"]).exit_code == 0
    assert cli.check().ok
