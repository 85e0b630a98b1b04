"""Whatever people type (or paste) into the search box: never a 500, never markup of theirs on the page."""
import logging
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from conftest import foreign_scripts
from hostile import naughty_strings, page_sample
from network.search import backend, services, sync
from search_helpers import ANONYMOUS, search, titles, write_up

EXTRA_QUERIES = [
    '"', '""', '"unbalanced', 'unbalanced"', '"a "b" c', "AND OR", "AND", "OR NOT", "NOT",
    "*", "**", "a*", "*a", "fami*", "f*", "fa?ily", "family~2", "title:family", "family^10",
    "(family", "family)", "[a TO z]", "{a TO z}", "-", "+family -home", "\\", "\\\\\"",
    "\x00", "fami\x00ly", "\x01\x02\x03\x7f", "\t\n\r", "\u200b", "\ufeff", "\ud800", "🏳️‍🌈 family",
    "familia" * 1500, "x" * 10_000, "a " * 5000, "family " * 2000, "fami* " * 500, '"' * 1000,
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
    "%00", "%s%s%s", "{{7*7}}", "{% raw %}", "' OR 1=1 --",
]


@pytest.fixture
def blns() -> list[str]:
    return list(naughty_strings())


@pytest.fixture
def corpus(make_institution, make_practice):
    owner = make_institution(name="Hostile Centre")
    # Text that looks like markup, stored as text: snippets must show it escaped.
    write_up(make_practice, owner, "<script>alert('title')</script> Family club",
             "Family &lt;script&gt;alert(1)&lt;/script&gt; and &lt;img src=x onerror=alert(2)&gt; family "
             "`<b onmouseover=alert(3)>` families.")
    write_up(make_practice, owner, "Family meals", "Families cook together; quotes \" ' are fine.")
    write_up(make_practice, owner, "Ünïcödé family", "Zalgo ̴̡̛ family 🏳️‍🌈 emoji and RTL ‮text‭ here.")
    sync.drain_all()


def assert_safe_page(response, query):
    # The site refuses NUL characters in any parameter with 400 (network/web.py); never a 500.
    assert response.status_code == (400 if "\x00" in query else 200), query
    soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert not foreign_scripts(soup), query
    for element in soup.find_all(True):
        handlers = [name for name in element.attrs if name.lower().startswith("on")]
        assert not handlers, (query, element)
    return soup


def test_hostile_queries_never_break_the_search_nor_the_page(corpus, client, blns, caplog, monkeypatch):
    caplog.set_level(logging.ERROR)
    queries = blns + EXTRA_QUERIES
    index = sync.search_index()
    filters = backend.Filters(values={}, allowed=services.permission_filter_for(ANONYMOUS))
    real_run_search = backend.run_search
    answers = {}

    def parsed_key(text):
        parsed = backend.parse_user_query(text)
        return tuple(parsed.words), tuple(parsed.prefixes), tuple(map(tuple, parsed.phrases))

    # 1. The search function itself, which the page calls (services.search would hide an exception).
    #    run_search depends on the text only through parse_user_query: each distinct query runs once.
    for query in queries:
        key = parsed_key(query)
        if key not in answers:
            answers[key] = real_run_search(index, query, filters)
        for hit in answers[key].hits:
            snippet = BeautifulSoup(hit.snippet, "html.parser")
            assert {tag.name for tag in snippet.find_all(True)} <= {"mark"}, (query, hit.snippet)
    assert len(answers) > 300

    # 2. The page, for the page sample (tests/hostile.py) and the extra queries, with those same answers.
    def remembered(index, text, filters, page=1, per_page=20, sort="relevance", language=""):
        if filters.values or (page, per_page, sort) != (1, 20, "relevance"):
            return real_run_search(index, text, filters, page=page, per_page=per_page, sort=sort, language=language)
        return answers.get(parsed_key(text)) or real_run_search(index, text, filters, language=language)

    with monkeypatch.context() as patch:
        patch.setattr(backend, "run_search", remembered)
        for query in page_sample() + EXTRA_QUERIES:
            response = client.get("/search?q=" + quote(query.encode("utf-8", "surrogatepass"), safe=""))
            assert_safe_page(response, query)

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # services.search never failed
    assert search(q="family").total == 3  # and the index is intact


def test_hostile_queries_through_services_search(corpus, caplog):
    caplog.set_level(logging.ERROR)
    for query in EXTRA_QUERIES:
        results = search(q=query)
        assert results.total >= 0 and len(results.hits) <= 20, query
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert search(q="family").total == 3


def test_hostile_queries_with_filters_on_the_page(corpus, client):
    for query in EXTRA_QUERIES[:20]:
        response = client.get("/search", query_string={
            "q": query, "country": query[:10], "sector": "social", "year": query[:4], "sort": query,
            "page": query[:5], "per_page": "-3", "type": query[:8]})
        assert_safe_page(response, query)


def test_markup_in_documents_is_shown_as_text_in_titles_and_snippets(corpus, client):
    soup = assert_safe_page(client.get("/search?q=family+script+img+onerror"), "family")
    assert "<script>alert('title')</script> Family club" in soup.get_text()
    snippets = soup.select(".snippet")
    assert {tag.name for snippet in snippets for tag in snippet.find_all(True)} == {"mark"}
    text = " ".join(snippet.get_text() for snippet in snippets)
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text


def test_a_ten_thousand_character_query_answers(corpus, client):
    for query in ("x" * 10_000, "family " * 1500, "fami* " * 2000, "\"family " * 1500, "é" * 10_000):
        assert len(query) >= 10_000
        assert client.get("/search", query_string={"q": query}).status_code == 200
        results = search(q=query)
        assert results.total >= 0


def test_a_long_query_still_finds_by_its_first_words(corpus):
    assert "Family meals" in titles(search(q="meals " + "zzz " * 3000))


def test_short_prefixes_do_not_expand_but_longer_ones_do(corpus):
    assert search(q="fami*").total == 3
    assert search(q="f*").total == 0  # a one-letter prefix is a plain word, not a wildcard over everything
    assert search(q="*").total == search(q="").total  # nothing to look for: browse
