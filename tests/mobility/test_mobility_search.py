"""Offers and visits in search: members find offers; a visit only by the people who may see its page."""
import pytest

from mobility_helpers import W1
from network.auth.models import EVALUATOR
from network.mobility import services as mobility
from network.search import sync
from search_helpers import search


@pytest.fixture
def visit(exchange, make_applicant):
    application = make_applicant(interests=["interfamily groups"])
    booked = mobility.book_visit(exchange.coordinator, application, exchange.seville_offer, W1)
    sync.drain_all()
    return booked


def found(user, q="shadowing"):
    return {(hit.doc_type, hit.doc_id) for hit in search(user, q=q, per_page=50).hits}


def test_members_find_a_hosting_offer_by_its_approach_anonymous_visitors_do_not(exchange, make_user):
    sync.drain_all()
    member = make_user(institution=exchange.sender)
    assert ("offer", exchange.seville_offer.id) in found(member, "interfamily groups")
    assert ("offer", exchange.arad_offer.id) in found(member, "attachment")
    assert not any(kind == "offer" for kind, _ in found(None, "interfamily groups"))


def test_a_visit_is_found_by_those_who_may_see_it(exchange, visit, make_user, make_institution):
    key = ("visit", visit.id)
    allowed = {
        "visitor": visit.visitor,
        "host member": make_user(institution=exchange.seville),
        "sending admin": exchange.sender_admin,
        "coordinator": exchange.coordinator,
        "evaluator": make_user(EVALUATOR, institution=make_institution(name="Evaluation Unit")),
    }
    refused = {
        "colleague of the visitor": make_user(institution=exchange.sender),
        "other host's admin": exchange.arad_admin,
        "unrelated member": make_user(institution=make_institution(name="Far Away")),
    }
    for who, user in allowed.items():
        assert key in found(user), who
    for who, user in refused.items():
        assert key not in found(user), who
        assert search(user, q="shadowing").facets.get("type", {}).get("visit", 0) == 0, who
    assert key not in found(None)


def test_a_cancelled_visit_leaves_the_index(exchange, visit):
    mobility.cancel_visit(exchange.coordinator, visit, "Could not travel")
    sync.drain_all()
    assert ("visit", visit.id) not in found(exchange.coordinator)


def test_offers_and_visits_are_indexed_without_english_words_and_found_by_their_kind_in_every_language(
        exchange, visit, make_user):
    """Their titles are names and references (shown as they are to readers of every language); their kind is found
    in each interface language ("oferta de acogida", "visite d'observation"...)."""
    member = make_user(institution=exchange.seville)
    offer_hit = next(hit for hit in search(member, q="interfamily groups", per_page=50).hits if hit.doc_type == "offer")
    assert offer_hit.title == f"{exchange.seville.name} · {exchange.partnership.reference}"
    for q in ("hosting offer", "oferta", "offre"):
        assert ("offer", exchange.seville_offer.id) in found(member, q), q
    assert ("visit", visit.id) in found(member, "visite")
