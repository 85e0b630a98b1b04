"""The /search page: tabs, facets, snippets, spelling suggestion, paging, bookmarkable filters."""
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import read_html
from network.search import sync
from search_helpers import write_up


@pytest.fixture
def corpus(make_institution, make_practice):
    spain = make_institution(name="Centro Girasol", country="ES", sectors=("social",))
    romania = make_institution(name="Casa Deschisa", country="RO", sectors=("educational",))
    write_up(make_practice, spain, "Family group sessions", "Parents meet in family groups every fortnight.",
             sectors=["social"], country="ES")
    write_up(make_practice, spain, "Home visits to families", "A family worker visits at home.",
             sectors=["social", "mental_health"], country="ES")
    write_up(make_practice, romania, "School family clubs", "Teachers and family members meet at school.",
             sectors=["educational"], country="RO", language="ro")
    write_up(make_practice, romania, "Garden afternoons", "Neighbours plant seeds.", sectors=["educational"],
             country="RO")
    sync.drain_all()


def query_of(link) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link["href"]).query)


def facet_links(soup, name):
    return {link.get_text(strip=True): link for link in soup.select(".facets a") if name in query_of(link)}


def test_facets_have_links_with_counts(corpus, client):
    soup = read_html(client.get("/search?q=family"))

    countries = facet_links(soup, "country")
    assert set(countries) == {"Spain", "Romania"}
    assert query_of(countries["Spain"]) == {"q": ["family"], "country": ["ES"]}
    items = {li.a.get_text(strip=True): li.get_text(" ", strip=True) for li in soup.select(".facets li")}
    assert items["Spain"].endswith("(2)") and items["Romania"].endswith("(1)")
    sectors = facet_links(soup, "sector")
    assert query_of(next(iter(sectors.values())))["q"] == ["family"]
    assert {"sector", "language", "year", "institution", "country"} <= {
        key for link in soup.select(".facets a") for key in query_of(link)}


def test_type_tabs_link_to_each_type_with_counts(corpus, client):
    soup = read_html(client.get("/search?q=family"))
    tabs = {link.get_text(" ", strip=True): link for link in soup.select("nav.tabs a")}

    assert tabs["All"]["aria-current"] == "page"
    assert query_of(tabs["Practices (3)"]) == {"q": ["family"], "type": ["practice"]}
    assert "Institutions (0)" in tabs

    soup = read_html(client.get("/search?q=girasol&type=institution"))
    tabs = {link.get_text(" ", strip=True): link for link in soup.select("nav.tabs a")}
    assert tabs["Institutions (1)"]["aria-current"] == "page"
    assert [a.get_text() for a in soup.select(".result-list h3 a")] == ["Centro Girasol"]


def test_snippets_highlight_the_words_found(corpus, client):
    soup = read_html(client.get("/search?q=fortnight"))
    marks = [mark.get_text() for mark in soup.select(".result-list .snippet mark")]
    assert marks and all(mark.lower() == "fortnight" for mark in marks)


def test_did_you_mean_for_a_misspelled_word(corpus, client):
    soup = read_html(client.get("/search?q=fortnigth&country=ES"))
    notice = soup.select_one("p.notice")
    assert notice is not None and "Did you mean" in notice.get_text()
    assert notice.a.get_text() == "fortnight"
    assert query_of(notice.a) == {"q": ["fortnight"], "country": ["ES"]}  # keeps the filters
    assert read_html(client.get("/search?q=fortnight")).select_one("p.notice") is None


def test_pagination_links_when_more_results_than_fit(corpus, client, make_institution, make_practice):
    owner = make_institution(name="Paging Centre")
    for n in range(5):
        write_up(make_practice, owner, f"Family outing {n}", "Families go out together.")
    sync.drain_all()

    first = read_html(client.get("/search?q=family&per_page=3&country=ES"))
    assert len(first.select(".result-list > li")) == 3
    next_link = first.select_one(".pagination a[rel=next]")
    assert query_of(next_link) == {"q": ["family"], "country": ["ES"], "page": ["2"]}
    assert first.select_one(".pagination a[rel=prev]") is None
    assert "Page 1 of 3" in first.select_one(".pagination").get_text()

    last = read_html(client.get("/search?q=family&per_page=3&country=ES&page=3"))
    assert len(last.select(".result-list > li")) == 1
    assert query_of(last.select_one(".pagination a[rel=prev]"))["page"] == ["2"]
    assert last.select_one(".pagination a[rel=next]") is None
    assert last.select_one("ol.result-list")["start"] == "7"


def test_filters_are_plain_query_parameters(corpus, client):
    soup = read_html(client.get("/search?q=family&sector=educational&country=RO"))
    assert [a.get_text() for a in soup.select(".result-list h3 a")] == ["School family clubs"]
    # The search box keeps the filters for the next search...
    hidden = {field["name"]: field["value"] for field in soup.select("form.search-form input[type=hidden]")}
    assert hidden == {"sector": "educational", "country": "RO"}
    # ...and a chosen facet value links back to the same search without that value.
    selected = {a.get_text(strip=True): query_of(a) for a in soup.select(".facets a.selected")}
    assert len(selected) == 2
    assert selected["Romania"] == {"q": ["family"], "sector": ["educational"]}
    assert {"q": ["family"], "country": ["RO"]} in selected.values()

    social = read_html(client.get("/search?q=family&sector=social"))
    assert {a.get_text() for a in social.select(".result-list h3 a")} == {
        "Family group sessions", "Home visits to families"}


def test_sort_by_date_link(corpus, client):
    soup = read_html(client.get("/search?q=family"))
    date_link = next(a for a in soup.select(".results a") if a.get_text() == "date")
    assert query_of(date_link) == {"q": ["family"], "sort": ["date"]}


def test_empty_state_when_nothing_matches(corpus, client):
    soup = read_html(client.get("/search?q=zeppelin&country=ES"))
    empty = soup.select_one(".empty-state")
    assert empty is not None and "Nothing matches this search." in empty.get_text()
    assert any(query_of(a) == {"q": ["zeppelin"]} for a in empty.select("a"))  # without the filters
    assert soup.select(".result-list") == []


def test_the_search_page_without_a_query_shows_only_the_form(client):
    response = client.get("/search")
    soup = read_html(response)
    assert response.status_code == 200
    assert soup.select_one("form.search-form input[name=q]") is not None
    assert soup.select_one(".empty-state") is None and soup.select_one(".result-list") is None


def test_every_page_has_the_header_search_box(client):
    for path in ("/", "/practices/", "/institutions/", "/partnerships/", "/login", "/register", "/search?q=x",
                 "/no-such-page"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code in (200, 404), path
        form = read_html(response).select_one("header form[role=search]")
        assert form is not None and form["method"] == "get" and form["action"] == "/search", path
        field = form.select_one("input[name=q]")
        label = form.select_one(f"label[for={field['id']}]")
        assert label is not None and label.get_text(strip=True), path


def test_a_logged_in_member_sees_members_only_results_on_the_page(client, auth, make_institution, make_user,
                                                                   make_practice):
    home = make_institution(name="Page Home")
    write_up(make_practice, home, "Quiet members circle", "Members only.", visibility="members")
    sync.drain_all()
    assert "Quiet members circle" not in client.get("/search?q=quiet").get_data(as_text=True)

    auth.login(make_user(institution=home))

    assert "Quiet members circle" in client.get("/search?q=quiet").get_data(as_text=True)


@pytest.mark.parametrize("language", ["en", "es", "fr", "it"])
def test_the_search_box_names_every_kind_of_document_it_searches(client, language):
    from flask_babel import force_locale

    from network.search import documents

    page = read_html(client.get("/search", headers={"Accept-Language": language}))
    label = page.find("label", attrs={"for": "search-q"}).get_text()
    with force_locale(language):
        names = [str(document_type.label).lower() for document_type in documents.registered().values()]
    assert len(names) >= 6 and all(name in label for name in names), (label, names)
