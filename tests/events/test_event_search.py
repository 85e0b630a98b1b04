"""Events in search: found by their title, description, programme, place and kind (in every interface language),
never by their online link; by whoever may see them (permissions.can_view_event), the registered included; indexed
again when their sessions, registrations, visibility or attendance change; an "Events" tab on the search page."""
from __future__ import annotations

from flask_babel import force_locale
from sqlalchemy import select

from conftest import PASSWORD, read_html
from essays_helpers import record_training
from events_helpers import ONLINE_LINK, make_event, session_data
from network.auth import services as accounts
from network.events import services as events
from network.events.models import EVENT_KINDS
from network.extensions import db
from network.search import sync
from network.search.models import SearchOutbox
from search_helpers import keys, search


def found(user, q: str) -> set[str]:
    return {hit.title for hit in search(user, q=q, per_page=100).hits if hit.doc_type == "event"}


def test_an_event_is_found_by_its_description_programme_place_and_kind(exchange):
    event = make_event(exchange, title="Kinship carers' week", visibility="public", kind="webinar",
                       description="We compare **respite** arrangements.", city="Tampere", country="FI")
    events.add_session(exchange.coordinator, event, session_data(
        title="Grandparents as carers", speakers="Liisa Korhonen", description="Stories of guardianship."))
    sync.drain_all()
    for words in ("respite", "grandparents", "Korhonen", "guardianship", "Tampere", "Finland", "webinar",
                  exchange.partnership.title, "Seville Family Centre"):
        assert found(None, words) == {"Kinship carers' week"}, words
    with force_locale("es"):
        spanish = str(EVENT_KINDS["webinar"])
    assert found(None, f'"{spanish}"') == {"Kinship carers' week"}  # the kind in another interface language
    assert found(None, "Eventos") == {"Kinship carers' week"}  # the type's name too
    hit = search(None, q="respite").hits[0]
    assert (hit.url, hit.stored["country"], hit.stored["institution"]) == (
        f"/events/{event.id}", "FI", exchange.seville.slug)


def test_the_online_link_is_never_in_the_index(exchange):
    make_event(exchange, title="Online kinship webinar", visibility="public", online=True, online_link=ONLINE_LINK)
    sync.drain_all()
    assert found(None, "kinship") == {"Online kinship webinar"}
    assert found(exchange.coordinator, '"secret-room-4821"') == set()
    assert found(exchange.coordinator, "meet.example.org") == set()


def test_who_finds_an_event_follows_its_visibility(exchange, make_user, make_institution):
    member, outsider = make_user(institution=exchange.arad), make_user(institution=make_institution())
    evaluator = make_user("evaluator", institution=make_institution())
    for visibility in ("public", "members", "partnership"):
        make_event(exchange, title=f"Quince {visibility}", visibility=visibility)
    sync.drain_all()
    assert found(None, "quince") == {"Quince public"}
    assert found(outsider, "quince") == {"Quince public", "Quince members"}
    assert found(member, "quince") == {"Quince public", "Quince members", "Quince partnership"}
    assert found(evaluator, "quince") == {"Quince public", "Quince members", "Quince partnership"}
    assert found(exchange.coordinator, "quince") == {"Quince public", "Quince members", "Quince partnership"}


def test_a_registration_keeps_an_event_visible_to_its_person_and_cancelling_ends_it(exchange, make_user,
                                                                                 make_institution):
    outsider = make_user(institution=make_institution())  # outside the partnership
    event = make_event(exchange, title="Walnut meeting", visibility="members")
    events.register(outsider, event)
    data = events.event_data_of(event)
    data.visibility = "partnership"
    events.update_event(exchange.coordinator, event, data)
    sync.drain_all()
    assert found(outsider, "walnut") == {"Walnut meeting"}
    events.cancel_registration(outsider, event)
    sync.drain_all()
    assert found(outsider, "walnut") == set()
    assert found(exchange.seville_admin, "walnut") == {"Walnut meeting"}  # the host's admin organises it


def test_a_programme_change_is_searchable_at_once(exchange):
    event = make_event(exchange, title="Chestnut training", visibility="public")
    session = events.add_session(exchange.coordinator, event, session_data(title="Mapping family networks"))
    sync.drain_all()
    assert found(None, "mapping") == {"Chestnut training"}
    events.update_session(exchange.coordinator, session, session_data(title="Ecomaps with families"))
    sync.drain_all()
    assert found(None, "mapping") == set() and found(None, "ecomaps") == {"Chestnut training"}
    events.delete_session(exchange.coordinator, session)
    sync.drain_all()
    assert found(None, "ecomaps") == set()


def test_deleting_an_account_indexes_again_the_events_they_attended(exchange, make_user):
    """Their id is in the audience of the events they took part in: it must leave the index with them."""
    person = make_user(institution=exchange.sender)
    event = record_training(exchange, [person], title="Hazel training")
    sync.drain_all()
    accounts.delete_account(person, PASSWORD)
    queued = {(row.doc_type, row.doc_id) for row in db.session.scalars(select(SearchOutbox))}
    assert ("event", event.id) in queued
    sync.drain_all()
    assert found(exchange.coordinator, "hazel") == {"Hazel training"}


def test_the_search_page_has_an_events_tab(client, exchange):
    event = make_event(exchange, title="Rowan partner meeting", visibility="public", kind="partner_meeting")
    sync.drain_all()
    page = read_html(client.get("/search?q=rowan"))
    tab = next(a for a in page.select("main a") if "type=event" in a["href"])
    assert tab.get_text(strip=True) == "Events (1)"
    assert keys(search(None, q="rowan", type="event")) == {("event", event.id)}
    assert "events" in page.get_text()  # the kinds of document searched, named under the box
