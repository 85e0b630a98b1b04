"""The JSON API on mobility: visits and hosting offers, read with a token, by the same rules as the pages."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import event

from api_helpers import assert_error, bearer
from mobility_helpers import W1, W2, W3, offer_data, week
from network.auth.models import EVALUATOR, INSTITUTION_ADMIN, SITE_ADMIN
from network.extensions import db
from network.mobility import services as mobility
from network.mobility.weeks import holidays_in_week

DECEMBER = date(2026, 12, 7)  # Tuesday 8 December is a public holiday in Spain


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(item["id"] for item in response.get_json()["items"])


def book(exchange, make_applicant, offer=None, monday=W1, **applicant):
    offer = offer or exchange.seville_offer
    return mobility.book_visit(exchange.coordinator, make_applicant(**applicant), offer, monday)


@pytest.fixture
def visits(exchange, make_applicant):
    """A visit to Seville in W1 (confirmed), one to Arad in W2, one from Arad to Seville in W3 (cancelled)."""
    to_seville = book(exchange, make_applicant)
    mobility.confirm_visit(exchange.seville_admin, to_seville)
    to_arad = book(exchange, make_applicant, offer=exchange.arad_offer, monday=W2)
    from_arad = book(exchange, make_applicant, institution=exchange.arad, monday=W3,
                     preferred_hosts=[exchange.seville.id], weeks=[week(W3)])
    mobility.cancel_visit(exchange.coordinator, from_arad, "The visitor fell ill")
    return to_seville, to_arad, from_arad


# --- visits ---------------------------------------------------------------------------------------


def test_visits_need_a_token(client, visits):
    for path in ("/api/v1/visits", f"/api/v1/visits/{visits[0].id}", "/api/v1/offers"):
        response = client.get(path)
        error = assert_error(response, 401, "unauthorized")
        assert "token" in error["message"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    unknown = {"Authorization": "Bearer pn_nope"}
    assert_error(client.get("/api/v1/visits", headers=unknown), 401, "unauthorized")


def test_each_caller_sees_the_visits_the_pages_show_them(client, exchange, visits, make_user):
    to_seville, to_arad, from_arad = visits
    every = sorted(v.id for v in visits)
    expected = [
        (to_seville.visitor, [to_seville.id]),
        (make_user(institution=exchange.seville), [to_seville.id, from_arad.id]),  # a member of the host
        (exchange.sender_admin, [to_seville.id, to_arad.id]),  # the admin of the sending institution
        (make_user(institution=exchange.sender), []),  # a colleague of the visitors
        (exchange.coordinator, every),
        (make_user(EVALUATOR), every),
        (make_user(SITE_ADMIN), every),
        (make_user(), []),  # outside the partnership
    ]
    for person, visible in expected:
        headers = bearer(person)
        assert ids(client.get("/api/v1/visits", headers=headers)) == visible, person.name
        for visit in visits:
            response = client.get(f"/api/v1/visits/{visit.id}", headers=headers)
            if visit.id in visible:
                assert response.status_code == 200
            else:
                assert_error(response, 404, "not_found")


def test_a_missing_visit_is_404_like_a_hidden_one(client, exchange, visits):
    headers = bearer(exchange.coordinator)
    for visit_id in (424242, 2**31, 10**40):
        assert_error(client.get(f"/api/v1/visits/{visit_id}", headers=headers), 404, "not_found")


def test_one_visit_has_its_week_programme_and_holidays_and_no_email(client, exchange, make_applicant):
    mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville,
                        offer_data(weeks={week(W1): 1, week(DECEMBER): 1}))
    visit = book(exchange, make_applicant, monday=DECEMBER, weeks=[week(DECEMBER)])
    response = client.get(f"/api/v1/visits/{visit.id}", headers=bearer(visit.visitor))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == visit.id
    assert body["visitor"] == {"id": visit.visitor.id, "name": visit.visitor.name}
    assert body["host"]["id"] == exchange.seville.id and body["host"]["name"] == "Seville Family Centre"
    assert body["sending_institution"]["id"] == exchange.sender.id
    assert body["partnership"] == {"id": exchange.partnership.id, "reference": exchange.partnership.reference,
                                   "title": exchange.partnership.title}
    assert (body["week"], body["monday"], body["friday"]) == ("2026-W50", "2026-12-07", "2026-12-11")
    assert body["status"] == "proposed" and body["cancel_reason"] == ""
    assert body["programme"] == [
        {"day": 1, "kind": "formal_session", "description": "Welcome and the centre's model"},
        {"day": 2, "kind": "interfamily_group", "description": "Evening group"},
        {"day": 5, "kind": "reflection", "description": "What you take home"},
    ]
    holiday = holidays_in_week("ES", DECEMBER)[date(2026, 12, 8)]
    assert body["holidays"] == [{"date": "2026-12-08", "name": holiday}]
    assert body["created_at"] and body["confirmed_at"] is None
    assert body["url"] == f"http://localhost/mobility/visits/{visit.id}"
    assert body["calendar_url"] == f"http://localhost/mobility/visits/{visit.id}.ics"
    assert "@" not in response.get_data(as_text=True)  # no email address anywhere, the visitor's nor anyone's


def test_a_cancelled_visit_says_why(client, exchange, visits):
    body = client.get(f"/api/v1/visits/{visits[2].id}", headers=bearer(exchange.coordinator)).get_json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "The visitor fell ill"
    assert body["cancelled_at"]


def test_visit_filters(client, exchange, visits):
    to_seville, to_arad, from_arad = visits
    headers = bearer(exchange.coordinator)

    def listed(**args):
        return ids(client.get("/api/v1/visits", query_string=args, headers=headers))

    assert listed(host=exchange.seville.id) == [to_seville.id, from_arad.id]
    assert listed(host=exchange.arad.id) == [to_arad.id]
    assert listed(status="confirmed") == [to_seville.id]
    assert listed(status="cancelled") == [from_arad.id]
    assert listed(status="no-such-status") == []
    assert listed(week=week(W2)) == [to_arad.id]
    assert listed(week="2027-w09") == [to_seville.id]
    assert listed(week=W3.isoformat()) == [from_arad.id]  # the Monday's date works too
    assert listed(partnership=exchange.partnership.id) == sorted(v.id for v in visits)
    assert listed(partnership=exchange.partnership.id, host=exchange.seville.id, status="proposed") == []
    assert listed(partnership=424242) == []


@pytest.mark.parametrize("value", ["next week", "2027-W60", "2027-03-02", "2027-02-30", "W10"])
def test_a_bad_week_is_a_400_naming_the_field(client, exchange, visits, value):
    headers = bearer(exchange.coordinator)
    response = client.get("/api/v1/visits", query_string={"week": value}, headers=headers)
    error = assert_error(response, 400, "bad_request")
    assert set(error["fields"]) == {"week"} and error["fields"]["week"][0]


@pytest.mark.parametrize("args", [{"partnership": "abc"}, {"host": "0"}, {"host": str(2**31)},
                                  {"page": "0"}, {"per_page": "many"}])
def test_bad_numbers_are_400_naming_the_field(client, exchange, args):
    headers = bearer(exchange.coordinator)
    error = assert_error(client.get("/api/v1/visits", query_string=args, headers=headers), 400, "bad_request")
    assert set(error["fields"]) == set(args)


def test_visits_are_paged_like_practices(client, exchange, visits):
    headers = bearer(exchange.coordinator)
    seen = []
    for page in (1, 2):
        args = {"per_page": 2, "page": page}
        body = client.get("/api/v1/visits", query_string=args, headers=headers).get_json()
        assert set(body) == {"items", "total", "page", "per_page"}
        assert (body["total"], body["page"], body["per_page"]) == (3, page, 2)
        seen += [item["id"] for item in body["items"]]
    assert seen == [v.id for v in visits]  # by week
    beyond = client.get("/api/v1/visits", query_string={"per_page": 2, "page": 3}, headers=headers).get_json()
    assert beyond["items"] == [] and beyond["total"] == 3
    large = client.get("/api/v1/visits", query_string={"per_page": 500}, headers=headers).get_json()
    assert large["per_page"] == 100


def test_the_visit_list_runs_the_same_queries_for_2_or_5_visits(client, exchange, make_applicant, make_user):
    headers = bearer(make_user(EVALUATOR))

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/api/v1/visits", headers=headers).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    book(exchange, make_applicant)
    book(exchange, make_applicant, offer=exchange.arad_offer, monday=W2)
    count_queries()  # the token's first use records when it was used: not part of what is compared
    few = count_queries()
    book(exchange, make_applicant, monday=W2)
    book(exchange, make_applicant, monday=W3, weeks=[week(W3)])
    book(exchange, make_applicant, institution=exchange.arad, monday=W3,
         preferred_hosts=[exchange.seville.id], weeks=[week(W3)])
    assert len(client.get("/api/v1/visits", headers=headers).get_json()["items"]) == 5
    assert count_queries() == few


# --- offers ---------------------------------------------------------------------------------------


def test_offers_are_for_the_partnerships_members(client, exchange, make_user, make_partnership):
    host_admin = make_user(INSTITUTION_ADMIN)
    other = make_partnership(partners=[host_admin.institution])
    elsewhere = mobility.save_offer(host_admin, other, host_admin.institution, offer_data())
    mine = sorted([exchange.seville_offer.id, exchange.arad_offer.id])
    for person, expected in ((make_user(institution=exchange.sender), mine),
                             (exchange.coordinator, mine),
                             (make_user(), []),
                             (make_user(EVALUATOR), sorted(mine + [elsewhere.id])),
                             (make_user(SITE_ADMIN), sorted(mine + [elsewhere.id]))):
        assert ids(client.get("/api/v1/offers", headers=bearer(person))) == expected, person.name
    member = bearer(make_user(institution=exchange.sender))
    assert ids(client.get("/api/v1/offers", query_string={"partnership": exchange.partnership.id},
                          headers=member)) == mine
    assert ids(client.get("/api/v1/offers", query_string={"partnership": other.id}, headers=member)) == []
    bad = client.get("/api/v1/offers", query_string={"partnership": "x"}, headers=member)
    assert_error(bad, 400, "bad_request")


def test_an_offer_shows_its_weeks_places_quota_and_programme(client, exchange, make_applicant):
    book(exchange, make_applicant)
    book(exchange, make_applicant, monday=W3, weeks=[week(W3)])
    cancelled = book(exchange, make_applicant, monday=W3, weeks=[week(W3)])
    mobility.cancel_visit(exchange.coordinator, cancelled, "Changed plans")  # frees its place
    response = client.get("/api/v1/offers", headers=bearer(exchange.sender_admin))
    body = {item["id"]: item for item in response.get_json()["items"]}[exchange.seville_offer.id]
    assert body["institution"]["name"] == "Seville Family Centre" and body["institution"]["country"] == "ES"
    assert body["partnership"]["id"] == exchange.partnership.id
    assert body["languages"] == ["es", "en"]
    assert body["approaches"] == ["home visits", "interfamily groups"]
    assert body["weeks"] == [
        {"week": week(W1), "monday": W1.isoformat(), "capacity": 1, "booked": 1},
        {"week": week(W2), "monday": W2.isoformat(), "capacity": 1, "booked": 0},
        {"week": week(W3), "monday": W3.isoformat(), "capacity": 2, "booked": 1},
    ]
    assert body["quota"] == {"total": 6, "used": 2}
    assert body["quota"]["used"] == mobility.quota_used(exchange.seville_offer)
    assert body["programme"][0] == {"day": 1, "kind": "formal_session",
                                    "description": "Welcome and the centre's model"}
    assert body["url"] == f"http://localhost/mobility/offers/{exchange.seville_offer.id}"
    assert "@" not in response.get_data(as_text=True)


def test_offers_are_paged(client, exchange):
    headers = bearer(exchange.coordinator)
    first = client.get("/api/v1/offers", query_string={"per_page": 1}, headers=headers).get_json()
    second = client.get("/api/v1/offers", query_string={"per_page": 1, "page": 2}, headers=headers).get_json()
    assert (first["total"], first["per_page"], len(first["items"]), len(second["items"])) == (2, 1, 1, 1)
    assert [first["items"][0]["institution"]["name"], second["items"][0]["institution"]["name"]] == [
        "Arad Social Services", "Seville Family Centre"]


def test_the_offer_list_runs_the_same_queries_for_2_or_3_offers(client, exchange, make_applicant):
    headers = bearer(exchange.coordinator)
    book(exchange, make_applicant)

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/api/v1/offers", headers=headers).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    count_queries()  # the token's first use records when it was used
    few = count_queries()
    mobility.save_offer(exchange.sender_admin, exchange.partnership, exchange.sender, offer_data())
    assert len(client.get("/api/v1/offers", headers=headers).get_json()["items"]) == 3
    assert count_queries() == few


# --- the OpenAPI description ----------------------------------------------------------------------


@pytest.fixture
def spec(client):
    return json.loads(client.get("/api/v1/openapi.json").get_data(as_text=True))


def test_the_mobility_routes_are_documented_and_need_a_token(spec):
    for path in ("/visits", "/visits/{visit_id}", "/offers"):
        operation = spec["paths"][path]["get"]
        assert operation["security"] == [{"bearer": []}]
        assert "401" in operation["responses"]
    assert "400" in spec["paths"]["/visits"]["get"]["responses"]
    assert {p["name"] for p in spec["paths"]["/visits"]["get"]["parameters"]} == {
        "page", "per_page", "partnership", "host", "status", "week"}


def test_the_schemas_match_real_responses(client, spec, exchange, visits):
    headers = bearer(exchange.coordinator)
    schemas = spec["components"]["schemas"]
    visit = client.get(f"/api/v1/visits/{visits[0].id}", headers=headers).get_json()
    assert set(visit) == set(schemas["Visit"]["properties"]) == set(schemas["Visit"]["required"])
    visitor = schemas["Visit"]["properties"]["visitor"]
    assert set(visit["visitor"]) == set(visitor["required"]) == {"id", "name"}
    listing = client.get("/api/v1/visits", headers=headers).get_json()
    assert set(listing) == set(schemas["VisitList"]["required"])
    offers = client.get("/api/v1/offers", headers=headers).get_json()
    assert set(offers) == set(schemas["OfferList"]["required"])
    offer = offers["items"][0]
    assert set(offer) == set(schemas["Offer"]["properties"]) == set(schemas["Offer"]["required"])
    assert set(offer["weeks"][0]) == set(schemas["Offer"]["properties"]["weeks"]["items"]["required"])
