"""An anonymous essay cannot be traced: its readers see the author's country and the month only, never its event,
host, dates or partnership (a host's staff know who visited them, and when); no list or filter of an event, a host
or a partnership leads to it, in the pages, the search index or the API. Its author and reviewers see it all."""
from __future__ import annotations

from datetime import timedelta

import pytest

from api_helpers import bearer
from conftest import read_html
from essays_helpers import written
from mobility_helpers import W1, set_today
from network.auth.models import EVALUATOR
from network.essays.search import essay_document
from network.events import services as events
from network.mobility import services as mobility
from network.search import sync
from search_helpers import search

TITLE = "Lo que aprendí en los grupos"


@pytest.fixture
def traced(exchange, make_applicant, make_user, make_institution, monkeypatch):
    """A completed visit of a Finnish professional to Seville in March 2027, and her anonymous published essay;
    someone of the host's staff, who knows who visited them that week."""
    application = make_applicant()
    visit = mobility.book_visit(exchange.coordinator, application, exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.seville_admin, visit)
    set_today(monkeypatch, W1)
    mobility.complete_visit(exchange.seville_admin, visit)
    event = events.visit_event_of(visit)
    evaluator = make_user(EVALUATOR, institution=make_institution(name="Evaluation Unit", country="BE"))
    essay = written(visit.visitor, event, "published", reviewer=evaluator, title=TITLE, display="anonymous",
                    body="Las familias se ayudan entre ellas.")
    sync.drain_all()
    return dict(visit=visit, event=event, essay=essay, evaluator=evaluator,
                host_staff=make_user(institution=exchange.seville, name="Hostina Staff"))


def login(client, person):
    client.post("/logout")
    assert client.post("/login", data={"email": person.email, "password": "correct horse battery"}).status_code == 302


TRACES = ("Seville Family Centre", "Mar 1", "Mar 5", "Job-shadowing visit", "Family resources")


def test_its_page_shows_the_country_and_the_month_only(client, exchange, traced):
    login(client, traced["host_staff"])
    page = read_html(client.get(f"/essays/{traced['essay'].id}"))
    facts = page.select_one("dl.facts").get_text(" ", strip=True)
    assert page.find(id="essay-author").get_text() == "A professional from Finland"
    assert page.find(id="essay-month").get_text() == "March 2027"
    text = page.find("main").get_text(" ", strip=True)
    for trace in TRACES + (traced["visit"].visitor.name,):
        assert trace not in text, trace
    assert page.find("a", href=f"/institutions/{exchange.seville.slug}") is None
    assert page.find("a", href=f"/partnerships/{exchange.partnership.id}") is None
    assert page.find(id="programme-heading") is None and "Language" in facts


def test_its_author_and_its_reviewers_still_see_where_and_when(client, exchange, traced):
    for person in (traced["visit"].visitor, traced["evaluator"], exchange.coordinator):
        login(client, person)
        text = read_html(client.get(f"/essays/{traced['essay'].id}")).find("main").get_text(" ", strip=True)
        assert "Seville Family Centre" in text and "Mar 1, 2027" in text, person.name


def test_no_list_or_filter_of_its_event_host_or_partnership_leads_to_it(client, exchange, traced, monkeypatch):
    login(client, traced["host_staff"])
    page = read_html(client.get("/essays/"))
    row = page.find("a", string=TITLE).find_parent("tr").get_text(" ", strip=True)
    assert "March 2027" in row and "Finland" in row
    assert "Seville" not in row and "Job-shadowing" not in row and "Mar 1" not in row
    # The filters offer no event, host or partnership that only this essay would bring.
    assert page.select("#filter-event option[value]:not([value=''])") == []
    assert page.select("#filter-host option[value]:not([value=''])") == []
    assert page.select("#filter-partnership option[value]:not([value=''])") == []
    for query in (f"event={traced['event'].id}", f"host={exchange.seville.id}",
                  f"partnership={exchange.partnership.id}"):
        assert TITLE not in client.get(f"/essays/?{query}").get_data(as_text=True), query
    assert TITLE in client.get("/essays/?year=2027&country=FI").get_data(as_text=True)

    # The event of the visit, once over, does not list it (its page names the visitor to those who may see it).
    set_today(monkeypatch, W1 + timedelta(days=7))
    panel = read_html(client.get(f"/events/{traced['event'].id}")).find(id="event-essays-heading").parent
    assert TITLE not in panel.get_text() and "Essays written for this event" in panel.get_text()

    # Those who know who wrote it still filter by event.
    login(client, exchange.coordinator)
    assert TITLE in client.get(f"/essays/?event={traced['event'].id}").get_data(as_text=True)


def test_the_search_index_finds_it_by_its_words_only(exchange, traced):
    document = essay_document(traced["essay"].id)
    assert document.summary == "" and document.institution == "" and document.partnership_id is None
    assert document.sectors == []
    staff = traced["host_staff"]
    assert ("essay", traced["essay"].id) in {(h.doc_type, h.doc_id) for h in search(staff, q="familias").hits}
    for hit in search(staff, q="Seville").hits:
        assert (hit.doc_type, hit.doc_id) != ("essay", traced["essay"].id)


def test_the_api_gives_the_month_and_no_event_or_visit(client, exchange, traced):
    essay = traced["essay"]
    data = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(traced["host_staff"])).get_json()
    assert data["event"] == {"month": "2027-03", "hidden": True} and data["visit_id"] is None
    assert "Seville" not in str(data)
    listed = client.get(f"/api/v1/essays?host={exchange.seville.id}", headers=bearer(traced["host_staff"]))
    assert essay.id not in [item["id"] for item in listed.get_json()["items"]]
    known = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(exchange.coordinator)).get_json()
    assert known["event"]["host"]["name"] == "Seville Family Centre" and known["visit_id"] == traced["visit"].id
