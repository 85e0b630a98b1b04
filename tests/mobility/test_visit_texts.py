"""What the platform writes about a visit is kept as codes and written in the reader's language when shown: why it
was proposed, its public holidays (and in which language the library names them), its event's title; the visit
page offers actions only when there are some."""
from __future__ import annotations

from datetime import date

import pytest

from conftest import read_html
from mobility_helpers import W1, offer_data, set_today, week
from network.auth import services as accounts
from network.essays import services as essays
from network.events import services as events
from network.extensions import db
from network.mobility import reasons
from network.mobility import services as mobility
from network.mobility.models import Visit

W50 = date(2026, 12, 7)  # 2026-W50: Tuesday 8 December is a national holiday in Spain


def login(client, person, locale="en"):
    accounts.set_locale(person, locale)
    client.post("/logout")
    assert client.post("/login", data={"email": person.email, "password": "correct horse battery"}).status_code == 302


def test_the_accepted_matching_keeps_its_reasons_as_codes_and_each_reader_reads_them(client, exchange,
                                                                                      make_applicant):
    application = make_applicant(interests=["interfamily groups"], languages=["en", "fi"])
    login(client, exchange.coordinator)
    page = read_html(client.get(f"/mobility/matching/{exchange.partnership.id}"))
    box = page.find(id="proposal").find("input", type="checkbox")
    client.post(f"/mobility/matching/{exchange.partnership.id}/accept", data={"match": [box["value"]]})
    visit = db.session.scalar(db.select(Visit).where(Visit.application_id == application.id))
    assert visit.match_reasons == ""  # no sentence in the coordinator's language
    assert visit.match_reason_codes == [{"code": "choice", "rank": 1},
                                        {"code": "interests", "names": ["interfamily groups"]},
                                        {"code": "languages", "codes": ["en"]}]

    page = read_html(client.get(f"/mobility/visits/{visit.id}"))
    assert page.find(id="match-reasons").get_text() == (
        "Their choice number 1; Shared interests: interfamily groups; Shared languages: English")
    login(client, exchange.coordinator, "es")
    shown = read_html(client.get(f"/mobility/visits/{visit.id}")).find(id="match-reasons").get_text()
    assert "inglés" in shown and "English" not in shown and "Their choice" not in shown


def test_a_visit_stored_with_a_sentence_still_shows_it(client, exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1,
                                reasons="Su opción n.º 1")
    assert visit.match_reason_codes is None
    login(client, exchange.coordinator, "fr")
    assert read_html(client.get(f"/mobility/visits/{visit.id}")).find(id="match-reasons").get_text() == \
        "Su opción n.º 1"


def test_reasons_given_by_hand_and_from_the_waiting_list_are_codes_too(app, exchange, make_applicant):
    assert reasons.render(reasons.one(reasons.ASSIGNED)) == ["Assigned by a coordinator"]
    first, second = make_applicant(), make_applicant()
    visit = mobility.book_visit(exchange.coordinator, first, exchange.seville_offer, W1,
                                reasons=reasons.one(reasons.ASSIGNED))
    mobility.update_waiting_lists(exchange.partnership)
    mobility.cancel_visit(exchange.coordinator, visit, "Could not travel")
    assert mobility.next_suitable(visit).id == second.id
    again = mobility.offer_place_to_next(exchange.coordinator, visit)
    assert again.application_id == second.id
    assert again.match_reason_codes == [{"code": "waiting_list"}] and again.match_reasons == ""
    assert reasons.shown(again) == ["Next on the waiting list"]


@pytest.fixture
def december_visit(exchange, make_applicant):
    mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville,
                        offer_data(weeks={week(W50): 1, week(W1): 1}))
    application = make_applicant(weeks=[week(W50)])
    return mobility.book_visit(exchange.coordinator, application, exchange.seville_offer, W50)


def test_a_holiday_is_named_in_the_reader_s_language_or_the_page_says_in_which(client, exchange, december_visit):
    url = f"/mobility/visits/{december_visit.id}"
    login(client, exchange.coordinator, "es")
    holiday = read_html(client.get(url)).select_one("#days .holiday")
    assert holiday.find("span", lang="es").get_text() == "Inmaculada Concepción"
    assert holiday.find_next_sibling("span", class_="meta") is None  # in the reader's language: nothing to say

    # The library has no French names for Spain's days: English, marked as such, and said in words.
    login(client, exchange.coordinator, "fr")
    days = read_html(client.get(url)).find(id="days")
    holiday = days.select_one(".holiday")
    assert holiday.find("span", lang="en-US").get_text() == "Immaculate Conception"
    assert "anglais" in holiday.find_next_sibling("span", class_="meta").get_text()


def test_a_completed_visit_shows_no_empty_what_you_can_do(client, exchange, make_applicant, monkeypatch):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.seville_admin, visit)
    set_today(monkeypatch, W1)
    login(client, exchange.seville_admin)
    page = read_html(client.get(f"/mobility/visits/{visit.id}"))
    assert page.find(id="actions-heading") and page.find("form", action=f"/mobility/visits/{visit.id}/complete")
    mobility.complete_visit(exchange.seville_admin, visit)
    for person in (exchange.seville_admin, exchange.coordinator):
        login(client, person)
        page = read_html(client.get(f"/mobility/visits/{visit.id}"))
        assert page.find(id="actions-heading") is None, person.name
        assert page.find(id="visit-status").get_text() == "Completed"


def test_the_event_of_a_completed_visit_is_named_in_the_reader_s_language(client, exchange, make_applicant,
                                                                          monkeypatch):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.seville_admin, visit)
    set_today(monkeypatch, W1)
    mobility.complete_visit(exchange.seville_admin, visit)
    event = events.visit_event_of(visit)
    assert event.stored_title == ""  # nothing stored in one language
    assert event.title == "Job-shadowing visit at Seville Family Centre"
    # An organiser saving the title as shown keeps it composed; one they write is theirs.
    event.title = "Job-shadowing visit at Seville Family Centre"
    assert event.stored_title == ""
    event.title = "Ana's week in Seville"
    assert event.stored_title == "Ana's week in Seville" and event.title == "Ana's week in Seville"
    assert db.session.scalar(db.select(type(event)).where(type(event).title == "Ana's week in Seville")) is event
    event.title = ""
    db.session.commit()
    # The host renamed: the title follows (it is written from the host when shown).
    exchange.seville.name = "Centro de Familias de Sevilla"
    db.session.commit()
    essay = essays.start_essay(visit.visitor, event)
    login(client, visit.visitor)
    assert read_html(client.get(f"/essays/{essay.id}/edit")).h1.get_text() == \
        "Your essay about “Job-shadowing visit at Centro de Familias de Sevilla”"
