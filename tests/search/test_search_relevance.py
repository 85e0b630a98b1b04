"""Ranking on small hand-made corpora whose right answers are known."""
from datetime import datetime, timezone

import pytest

from network.extensions import db
from network.search import sync
from search_helpers import search, titles, write_up


@pytest.fixture
def owner(make_institution):
    return make_institution(name="Relevance Centre", country="ES")


def test_title_phrase_outranks_the_same_phrase_in_the_body(owner, make_practice):
    # The body match is indexed first, so index order alone would put it first.
    write_up(make_practice, owner, "Garden allotments", "Neighbours talk about kinship care in the garden.")
    write_up(make_practice, owner, "Kinship care circles", "Neighbours meet in the garden every week.")
    sync.drain_all()

    assert titles(search(q="kinship care")) == ["Kinship care circles", "Garden allotments"]


def test_title_match_outranks_body_match_for_one_word(owner, make_practice):
    write_up(make_practice, owner, "Garden allotments", "Neighbours talk about kinship in the garden.")
    write_up(make_practice, owner, "Kinship circles", "Neighbours meet in the garden every week.")
    sync.drain_all()

    results = search(q="kinship")

    assert titles(results) == ["Kinship circles", "Garden allotments"]
    assert results.hits[0].score > results.hits[1].score


def test_a_strong_title_match_is_on_the_first_page_among_many_body_matches(owner, make_practice):
    for n in range(6):
        write_up(make_practice, owner, f"Weekly meeting {n}", f"Notes on mentoring and other work, part {n}.")
    write_up(make_practice, owner, "Mentoring for teenagers", "Young people meet adults.", tags=["mentoring"])
    sync.drain_all()

    results = search(q="mentoring", per_page=3)

    assert results.total == 7
    assert titles(results)[0] == "Mentoring for teenagers"


def test_phrase_outranks_scattered_words(owner, make_practice):
    write_up(make_practice, owner, "Parents meeting", "We visit the parents at their home every week.")
    write_up(make_practice, owner, "Support at home", "Social workers make home visits every week.")
    write_up(make_practice, owner, "Unrelated", "Cooking together on Sundays.")
    sync.drain_all()

    assert titles(search(q="home visits")) == ["Support at home", "Parents meeting"]
    # Quoted, only the exact phrase is asked for.
    assert titles(search(q='"home visits"')) == ["Support at home"]


def test_tag_counts_more_than_body(owner, make_practice):
    # Every write-up has tags, so the tags field is not rare; only where "mentoring" appears differs.
    write_up(make_practice, owner, "Cooking lessons", "A note on mentoring in the kitchen.", tags=["food"])
    write_up(make_practice, owner, "Sports afternoons", "Teenagers play in the park.", tags=["mentoring"])
    write_up(make_practice, owner, "Arts", "Painting in the park.", tags=["art", "culture"])
    sync.drain_all()

    results = search(q="mentoring")

    assert titles(results) == ["Sports afternoons", "Cooking lessons"]
    assert results.hits[0].score > results.hits[1].score


def test_tag_counts_more_than_body_when_few_write_ups_have_tags(owner, make_practice):
    write_up(make_practice, owner, "Cooking lessons", "A note on mentoring in the kitchen.")
    write_up(make_practice, owner, "Sports afternoons", "Teenagers play in the park.", tags=["mentoring"])
    for n in range(4):
        write_up(make_practice, owner, f"Arts {n}", "Painting in the park.")
    sync.drain_all()

    assert titles(search(q="mentoring")) == ["Sports afternoons", "Cooking lessons"]


def test_tag_alone_finds_a_write_up(owner, make_practice):
    write_up(make_practice, owner, "Sports afternoons", "Teenagers play in the park.", tags=["mentoring"])
    write_up(make_practice, owner, "Arts", "Painting in the park.", tags=["art"])
    sync.drain_all()

    assert titles(search(q="mentoring")) == ["Sports afternoons"]


def test_a_question_in_plain_words_finds_the_write_ups_matching_most_words(owner, make_practice):
    write_up(make_practice, owner, "Dads club", "A club where fathers cook together.")
    write_up(make_practice, owner, "Garden allotments", "How we work in the garden and what we do there.")
    write_up(make_practice, owner, "Family group sessions", "Families meet in group sessions each month.")
    write_up(make_practice, owner, "Fathers in family group sessions",
             "How to involve fathers in family group sessions: invite them personally.")
    sync.drain_all()

    results = search(q="how do we involve fathers in family group sessions?")

    # All the words of the question appear in no single write-up except the last; the others are
    # found by some of the words, ranked by how many; the garden one shares only stop words.
    assert titles(results) == ["Fathers in family group sessions", "Family group sessions", "Dads club"]
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3


def test_sorting_by_date_puts_the_newest_first(owner, make_practice):
    older = write_up(make_practice, owner, "Family meals", "Families cook together.")
    newer = write_up(make_practice, owner, "Family walks", "Families walk together.")
    older.published_at = datetime(2019, 5, 1, tzinfo=timezone.utc)
    newer.published_at = datetime(2024, 5, 1, tzinfo=timezone.utc)
    db.session.commit()
    sync.drain_all()

    assert titles(search(q="family", sort="date")) == ["Family walks", "Family meals"]
    assert search(q="family").facets["year"] == {"2019": 1, "2024": 1}


def test_a_quoted_phrase_too_common_to_check_in_time_gives_an_estimated_total(owner, make_practice, monkeypatch):
    from network.search import backend

    for n in range(6):
        write_up(make_practice, owner, f"Kinship care circle {n}", "Parents talk every week.")
    for n in range(6):
        write_up(make_practice, owner, f"Scattered {n}", "Care for kinship networks.")
    sync.drain_all()
    assert search(q='"kinship care"').total == 6
    assert not search(q='"kinship care"').estimated

    # Checking positions stops at once after the first few documents (the best ones, so the page's
    # top is real); the rest is estimated from the share that held the phrase.
    monkeypatch.setattr(backend, "PHRASE_TIME_LIMIT", 0.0)
    monkeypatch.setattr(backend, "PHRASE_CHUNK", 4)
    results = search(q='"kinship care"')
    assert results.estimated
    assert results.total >= 4
    assert titles(results) and all(title.startswith("Kinship care circle") for title in titles(results))


# --- long questions in plain words (issue 17, part 2; bench/relevance.py measures them on CISI) ---------


def test_a_long_question_ranks_its_rare_words_above_its_common_ones(owner, make_practice):
    # Every evening write-up shares the question's common words ("how", "do", "each", "other", "after");
    # only two share its rare ones ("families", "support", "school").
    for n in range(5):
        write_up(make_practice, owner, f"Volunteer evening {n}",
                 "How do we plan? Each of us tells the other volunteers what happened after the last evening.")
    write_up(make_practice, owner, "Homework club", "Families support their children after school, and each other.")
    write_up(make_practice, owner, "Parents together", "Families meet and support each other.")
    sync.drain_all()

    results = search(q="how do families support each other after school?")

    # All three rare words, then two; the write-ups sharing only common words come after, if at all.
    assert titles(results)[:2] == ["Homework club", "Parents together"]
    assert results.hits[0].score > results.hits[1].score


def test_a_question_weighs_words_by_how_rare_they_are_not_by_how_many_match(owner, make_practice):
    # "parents", "children", "help" and "group" are in every write-up: they tell the write-ups apart less
    # than "miss" and "school", which only one has. Counting matched words alone put the write-up with
    # the most common words first.
    for n in range(5):
        write_up(make_practice, owner, f"Family afternoon {n}", "Parents and children play in a group; volunteers help.")
    write_up(make_practice, owner, "Parents' group",
             "A group of parents help each other; the group meets while the children play.")
    write_up(make_practice, owner, "Attendance mentors", "Mentors visit children who miss school, and their parents.")
    sync.drain_all()

    results = search(q="how can a group of parents help children who miss school?")

    assert titles(results)[0] == "Attendance mentors"
    assert titles(results)[1] == "Parents' group"


def test_a_long_question_keeps_its_last_words_within_the_word_limit(owner, make_practice):
    # 27 words, 11 of them stop words: the rarest and most telling word, "respite", comes 26th. The word
    # limit (MAX_QUERY_WORDS) drops a long question's stop words first, so it is still searched for.
    write_up(make_practice, owner, "Respite care", "Foster carers get a weekend of respite every month.")
    write_up(make_practice, owner, "Parents' circle", "Parents of a child with a disability meet other parents.")
    write_up(make_practice, owner, "Disability rights", "Parents learn about their rights and the help they may ask for.")
    sync.drain_all()

    question = ("What is there for those of us who are the parents of a child with a disability and who "
                "would like to meet other parents, or to get some respite care?")
    results = search(q=question)

    assert "Respite care" in titles(results)[:2]


def test_a_word_typed_twice_in_a_question_counts_twice(owner, make_practice):
    # Two write-ups alike but for one word; a question that comes back to one of the words is about it.
    write_up(make_practice, owner, "Tuesday club", "Volunteers mentor teenagers once a week.")
    write_up(make_practice, owner, "Thursday club", "Volunteers tutor teenagers once a week.")
    sync.drain_all()

    assert titles(search(q="mentor or tutor: which tutor works best?"))[0] == "Thursday club"
    assert titles(search(q="tutor or mentor: which mentor works best?"))[0] == "Tuesday club"
