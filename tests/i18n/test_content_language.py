"""The language of what people write (issue 8): pages mark it with lang attributes, lists filter by it, the
language versions of a practice link to each other, and search shows them as one result."""
from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event

from conftest import read_html
from essays_helpers import record_training, written
from network.auth.models import EVALUATOR
from network.extensions import db
from network.search import services as search_services
from network.search import sync
from search_helpers import ANONYMOUS, search


@pytest.fixture
def versions(make_institution, make_practice):
    """A Spanish original with an English and a French translation, and an unrelated practice."""
    home = make_institution(name="Centro Ebro", country="ES")
    original = make_practice(home, title="Grupos de familias de Zaragoza", language="es",
                             summary="Las familias de Zaragoza se reúnen cada quince días.")
    english = make_practice(home, title="Zaragoza family groups", language="en", translation_of_id=original.id,
                            summary="Families in Zaragoza meet every fortnight.")
    french = make_practice(home, title="Groupes de familles de Zaragoza", language="fr",
                           translation_of_id=english.id,  # a translation of a translation links to the original
                           summary="Les familles de Zaragoza se réunissent tous les quinze jours.")
    other = make_practice(home, title="Zaragoza street work", language="en", summary="Youth workers in Zaragoza.")
    sync.drain_all()
    return dict(home=home, original=original, english=english, french=french, other=other)


def test_a_practice_page_marks_its_language_and_the_interface_s(client, versions):
    page = read_html(client.get(f"/practices/{versions['original'].id}", headers={"Accept-Language": "it"}))
    assert page.html["lang"] == "it"
    article = page.find("article")
    assert article["lang"] == "es"
    assert article.h1.get_text() == "Grupos de familias de Zaragoza"
    assert {h2["lang"] for h2 in article.find_all("h2")} == {"it"}  # section headings are the interface's
    assert article.find("p", class_="meta")["lang"] == "it"


def test_language_versions_link_to_each_other(client, versions):
    def also_in(practice):
        page = read_html(client.get(f"/practices/{practice.id}"))
        return {a["hreflang"]: a["href"] for a in page.find("p", class_="meta").find_all("a", hreflang=True)}

    original, english, french = versions["original"], versions["english"], versions["french"]
    assert french.translation_of_id == original.id
    assert also_in(original) == {"en": f"/practices/{english.id}", "fr": f"/practices/{french.id}"}
    assert also_in(english) == {"es": f"/practices/{original.id}", "fr": f"/practices/{french.id}"}
    assert also_in(french) == {"es": f"/practices/{original.id}", "en": f"/practices/{english.id}"}
    assert also_in(versions["other"]) == {}


def test_lists_mark_each_item_s_language_and_filter_by_it(client, versions):
    page = read_html(client.get("/practices/"))
    titles = {a.get_text(): a["lang"] for a in page.select(".practice-list .card-title a")}
    assert titles["Grupos de familias de Zaragoza"] == "es" and titles["Zaragoza family groups"] == "en"
    assert all(p["lang"] for p in page.select(".practice-list .card > p[lang]"))
    filtered = read_html(client.get("/practices/?language=fr"))
    shown = [a.get_text() for a in filtered.select(".practice-list .card-title a")]
    assert shown == ["Groupes de familles de Zaragoza"]
    assert read_html(client.get(f"/institutions/{versions['home'].slug}")).find("a", lang="fr")


def test_the_essay_archive_filters_and_marks_languages(client, auth, exchange, make_user):
    author = make_user(institution=exchange.sender, name="Aino Author")
    colleague = make_user(institution=exchange.sender, name="Kalle Colleague")
    evaluator = make_user(EVALUATOR, institution=exchange.coordinating)
    event = record_training(exchange, [author, colleague])
    finnish = written(author, event, status="published", reviewer=evaluator, language="fi", title="Mitä opin")
    written(colleague, event, status="published", reviewer=evaluator, language="en", title="What I learnt")
    auth.login(colleague)
    page = read_html(client.get("/essays/?language=fi"))
    links = page.select("table a[href^='/essays/']")
    assert [(a.get_text(), a["lang"]) for a in links if a["href"] == f"/essays/{finnish.id}"] == [("Mitä opin", "fi")]
    assert "What I learnt" not in page.get_text()
    options = {o["value"] for o in page.select("#filter-language option")}
    assert {"fi", "en"} <= options
    shown = read_html(client.get(f"/essays/{finnish.id}"))
    assert shown.find("article")["lang"] == "fi"


def test_search_shows_the_versions_of_a_practice_as_one_result(client, versions):
    page = read_html(client.get("/search?q=zaragoza"))
    results = page.select(".result-list > li")
    titles = [li.h3.get_text() for li in results]
    assert len(titles) == 2 and "Zaragoza street work" in titles  # three versions, one entry; the other practice
    grouped = next(li for li in results if li.h3.get_text() != "Zaragoza street work")
    shown_language = grouped.h3.a["lang"]
    links = {a["hreflang"]: a["href"] for a in grouped.select(".translations a")}
    ids = {"es": versions["original"].id, "en": versions["english"].id, "fr": versions["french"].id}
    assert links == {code: f"/practices/{pid}" for code, pid in ids.items() if code != shown_language}
    # The count stays a count of documents, and the page says why fewer entries are listed.
    assert page.find(id="results-heading").get_text() == "4 results"
    assert "2 results are other language versions of practices listed here" in page.get_text()


def test_grouping_keeps_the_ranking_and_leaves_other_results_alone(app, versions, make_user):
    results = search(q="zaragoza")
    with app.test_request_context("/"):
        groups = search_services.group_translations(ANONYMOUS, results.hits)
    order = [(h.doc_type, h.doc_id) for h in results.hits]
    shown = [(g.hit.doc_type, g.hit.doc_id) for g in groups]
    assert shown == [key for key in order if key in shown]  # the index's ranking, fewer entries
    practice_hits = [h for h in results.hits if h.doc_type == "practice"]
    versions_ids = {versions[k].id for k in ("original", "english", "french")}
    first_version = next(h for h in practice_hits if h.doc_id in versions_ids)
    assert groups[[g.hit for g in groups].index(first_version)].folded == 2  # shown at the best-ranked version
    assert sum(g.folded for g in groups) + len(groups) == len(results.hits)


def test_grouping_names_only_versions_the_reader_may_see(app, client, auth, versions, make_practice, make_user):
    draft = make_practice(versions["home"], title="Gruppi di famiglie di Zaragoza", language="it",
                          translation_of_id=versions["original"].id, status="draft")
    sync.drain_all()

    def languages_linked(response):
        grouped = [li for li in read_html(response).select(".result-list > li") if li.select(".translations a")]
        return {a["hreflang"] for li in grouped for a in li.select(".translations a")} | {
            li.h3.a["lang"] for li in grouped}

    assert languages_linked(client.get("/search?q=zaragoza")) == {"es", "en", "fr"}
    member = make_user(institution=versions["home"])
    auth.login(member)
    assert "it" in languages_linked(client.get("/search?q=zaragoza"))
    assert draft.id


def test_grouping_reads_the_database_twice_whatever_the_page_size(app, versions):
    results = search(q="zaragoza")
    statements = []

    def count(*_args):
        statements.append(1)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context("/"):
            search_services.group_translations(ANONYMOUS, results.hits)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 2
