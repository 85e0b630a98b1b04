"""The searcher keeps what it read from a segment across index versions (only deletions change)."""
from network.search import sync
from search_helpers import search, titles, write_up


def kept_segments(index) -> dict:
    return {data.segment_id: data for data, _, _ in index.current().leaves}


def test_a_commit_reopens_only_the_new_segment(app, make_institution, make_practice):
    owner = make_institution()
    write_up(make_practice, owner, "Kinship care circles", "Grandparents raising grandchildren.")
    sync.drain_all()
    index = sync.search_index()
    before = kept_segments(index)
    readers_before = {segment_id: data.base for segment_id, data in before.items()}

    write_up(make_practice, owner, "Family group conferences", "The family makes the plan.")
    sync.drain_all()
    after = kept_segments(index)

    assert set(before) < set(after)
    for segment_id, reader in readers_before.items():
        assert after[segment_id].base is reader
    assert titles(search(q="kinship")) == ["Kinship care circles"]
    assert titles(search(q="conferences")) == ["Family group conferences"]


def test_a_deletion_in_a_kept_segment_is_seen_by_the_next_search(app, make_institution, make_practice):
    from network.extensions import db

    owner = make_institution()
    first = write_up(make_practice, owner, "Kinship care circles", "Grandparents raising grandchildren.")
    write_up(make_practice, owner, "Kinship evenings", "Grandparents meet.")
    sync.drain_all()
    assert search(q="kinship").total == 2

    first.title = "Grandparent circles"
    db.session.commit()
    sync.drain_all()
    assert titles(search(q="kinship")) == ["Kinship evenings"]
    assert search(q="grandparent").total == 2


def test_single_changes_merge_six_small_segments_at_a_time_and_optimize_makes_one(app, runner):
    from network.search.backend import MERGE_FACTOR
    from network.search.documents import SearchDocument

    index = sync.search_index()

    def add(n):
        index.write([SearchDocument(doc_type="practice", doc_id=1000 + n, title=f"Kinship evening {n}",
                                    url=f"/p/{n}", status="published", visibility="public")], [])
        return sorted(s.doc_count_all() for s in index.open()._segments())

    for n in range(MERGE_FACTOR):
        assert add(n) == [1] * (n + 1)
    # The next commit folds the six one-document segments into the one it writes.
    assert add(MERGE_FACTOR) == [MERGE_FACTOR + 1]
    assert add(MERGE_FACTOR + 1) == [1, MERGE_FACTOR + 1]
    assert search(q="kinship", per_page=50).total == MERGE_FACTOR + 2

    result = runner.invoke(args=["search", "optimize"])
    assert result.exit_code == 0, result.output
    assert "Merged 2 segments into 1" in result.output
    assert len(index.open()._segments()) == 1
    assert search(q="kinship", per_page=50).total == MERGE_FACTOR + 2
