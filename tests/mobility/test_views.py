"""Mobility pages as each kind of visitor sees them, and the journey from an offer to a visit."""
import csv
import io
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD, foreign_scripts, read_html
from mobility_helpers import W1, W2, W3, offer_data, set_today, week
from network.auth.models import COORDINATOR, EVALUATOR, INSTITUTION_ADMIN, SITE_ADMIN
from network.extensions import db
from network.mobility import services
from network.mobility.models import CANCELLED, COMPLETED, CONFIRMED, ENDORSED, WITHDRAWN, Visit
from network.mobility.services import ActivityData, ApplicationData, OfferData
from network.notifications.models import Notification

W50 = date(2026, 12, 7)  # 2026-W50: Tuesday 8 December is a national holiday in Spain
W51, W52 = date(2026, 12, 14), date(2026, 12, 21)


# --- small factories ----------------------------------------------------------------------------------


@pytest.fixture
def world(make_institution, make_user, make_partnership):
    """A Spanish host that coordinates, a Romanian partner that sends people, and an institution outside."""
    spain = make_institution(name="Casa Sevilla", country="ES", languages=("es", "en"))
    romania = make_institution(name="Casa Cluj", country="RO", languages=("ro", "en"))
    outside = make_institution(name="Elsewhere", country="PT", languages=("pt",))
    partnership = make_partnership(coordinator=spain, partners=[spain, romania])
    return SimpleNamespace(
        spain=spain, romania=romania, partnership=partnership,
        coordinator=make_user(COORDINATOR, institution=spain, name="Carmen Coordinator"),
        host_admin=make_user(INSTITUTION_ADMIN, institution=spain, name="Hugo Host"),
        sender_admin=make_user(INSTITUTION_ADMIN, institution=romania, name="Sorina Sender"),
        applicant=make_user(institution=romania, name="Ana Pop"),
        second=make_user(institution=romania, name="Bogdan Ionescu"),
        outsider=make_user(institution=outside, name="Otto Outsider"),
        evaluator=make_user(EVALUATOR, institution=outside, name="Eva Evaluator"),
        site_admin=make_user(SITE_ADMIN, institution=outside, name="Sam Siteadmin"),
    )


def make_offer(world, weeks=None, **overrides):
    values = dict(description="We run **interfamily groups**.", languages=["es", "en"],
                  approaches=["interfamily groups"], weeks=weeks or {"2026-W50": 1},
                  activities=[ActivityData(1, "formal_session", "Welcome"),
                              ActivityData(2, "interfamily_group", "Evening group")])
    values.update(overrides)
    return services.save_offer(world.host_admin, world.partnership, world.spain, OfferData(**values))


def make_application(world, person, weeks=("2026-W50",), endorse=True):
    application = services.save_application(person, world.partnership, ApplicationData(
        motivation="I want to see interfamily groups.", interests=["interfamily groups"], languages=["en"],
        preferred_hosts=[world.spain.id], weeks=list(weeks)))
    if endorse:
        services.decide_application(world.sender_admin, application, True)
    return application


def make_visit(world, person=None, monday=W50):
    offer = services.offer_of(world.partnership, world.spain) or make_offer(world)
    application = make_application(world, person or world.applicant)
    return services.book_visit(world.coordinator, application, offer, monday, reasons="Their choice number 1")


def log_in(client, user):
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def assert_accessible(page, url):
    assert len(page.find_all("h1")) == 1, url
    for control in page.select("main input:not([type=hidden]):not([type=submit]), main select, main textarea"):
        assert page.find("label", attrs={"for": control["id"]}), (url, control)
    levels = [int(h.name[1]) for h in page.select("main h1, main h2, main h3, main h4")]
    for before, after in zip(levels, levels[1:]):
        assert after <= before + 1, (url, levels)  # no heading level skipped


def flashes(response):
    return " ".join(p.get_text(" ", strip=True) for p in read_html(response).select(".flash"))


# --- who sees what --------------------------------------------------------------------------------------


# url pattern -> the people who may open it (everyone else logged in gets 403)
ALLOWED = {
    "/mobility/": {"coordinator", "host_admin", "sender_admin", "applicant", "second", "outsider", "evaluator",
                   "site_admin"},
    "/mobility/offers/{offer}": {"coordinator", "host_admin", "sender_admin", "applicant", "second",
                                 "evaluator", "site_admin"},
    "/mobility/offers/new/{pid}": {"sender_admin", "coordinator", "site_admin"},  # the Romanian offer
    "/mobility/offers/{offer}/edit": {"host_admin", "coordinator", "site_admin"},
    "/mobility/apply/{pid}": {"coordinator", "host_admin", "sender_admin", "applicant", "second"},
    "/mobility/applications/{application}": {"applicant", "sender_admin", "coordinator", "site_admin"},
    "/mobility/matching/{pid}": {"coordinator", "site_admin"},
    "/mobility/visits/{visit}": {"applicant", "host_admin", "sender_admin", "coordinator", "evaluator",
                                 "site_admin"},
    "/mobility/visits/{visit}/programme": {"host_admin", "coordinator", "site_admin"},
    "/mobility/dashboard/{pid}": {"coordinator", "evaluator", "site_admin"},
    "/mobility/dashboard/{pid}/visits.csv": {"coordinator", "evaluator", "site_admin"},
}
PEOPLE = ["coordinator", "host_admin", "sender_admin", "applicant", "second", "outsider", "evaluator",
          "site_admin"]


@pytest.fixture
def pages(world):
    """Every page of the feature (pattern -> URL), with an offer, an application and a visit to show."""
    offer = make_offer(world)
    visit = make_visit(world)
    values = {"offer": offer.id, "pid": world.partnership.id, "application": visit.application_id,
              "visit": visit.id}
    return {pattern: pattern.format(**values) for pattern in ALLOWED}


def test_anonymous_visitors_are_sent_to_the_login_page(client, world, pages):
    for url in pages.values():
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location, url


@pytest.mark.parametrize("who", PEOPLE)
def test_each_page_opens_for_the_right_people_only(client, world, pages, who):
    log_in(client, getattr(world, who))
    for pattern, url in pages.items():
        if pattern == "/mobility/offers/new/{pid}" and who in ("coordinator", "site_admin"):
            url += f"?institution={world.romania.id}"  # coordinators may write a partner's offer for it
        response = client.get(url)
        expected = 200 if who in ALLOWED[pattern] else 403
        if pattern == "/mobility/offers/new/{pid}" and who == "host_admin":
            expected = 302  # Spain has its offer already: to its edit page
        assert response.status_code == expected, (who, url, response.status_code)
        if expected == 200 and response.mimetype == "text/html":
            assert_accessible(read_html(response), url)


def test_the_navigation_links_to_mobility_once_logged_in(client, world):
    assert read_html(client.get("/")).find("a", string="Mobility") is None
    log_in(client, world.applicant)
    assert read_html(client.get("/")).find("a", string="Mobility")["href"] == "/mobility/"


def test_missing_things_are_404(client, world):
    log_in(client, world.site_admin)
    for url in ("/mobility/offers/999", "/mobility/visits/999", "/mobility/applications/999",
                "/mobility/matching/999", "/mobility/dashboard/999", "/mobility/apply/999"):
        assert client.get(url).status_code == 404, url


def test_the_overview_lists_offers_links_and_applications_to_endorse(client, world):
    offer = make_offer(world)
    make_application(world, world.applicant, endorse=False)
    log_in(client, world.sender_admin)
    page = read_html(client.get("/mobility/"))
    assert_accessible(page, "/mobility/")
    assert page.find("a", href=f"/mobility/offers/{offer.id}").get_text() == "Casa Sevilla"
    assert page.find("a", href=f"/mobility/offers/new/{world.partnership.id}")  # Romania has no offer yet
    assert page.find("a", href=f"/mobility/matching/{world.partnership.id}") is None
    endorse = page.find(id="endorse-heading").find_parent("section")
    assert "Ana Pop" in endorse.get_text()
    assert {b["value"] for b in endorse.find_all("button")} == {"endorse", "decline"}

    log_in(client, world.coordinator)
    page = read_html(client.get("/mobility/"))
    assert page.find("a", href=f"/mobility/matching/{world.partnership.id}")
    assert page.find("a", href=f"/mobility/dashboard/{world.partnership.id}")
    assert page.find(id="endorse-heading") is None  # Ana's admins endorse her, not Spain's


# --- offers -----------------------------------------------------------------------------------------------


def offer_form(**overrides):
    data = {
        "description": "We run **home visits**. <script>alert(1)</script>",
        "languages": ["ro", "en"],
        "approaches": "home visits, Interfamily groups",
        "total_quota": "4",
        "weeks": "2026-W50 2\n2027-03-08",
        "activities-0-day": "1", "activities-0-kind": "formal_session", "activities-0-description": "Welcome",
        "activities-1-day": "3", "activities-1-kind": "service_visit", "activities-1-description": "Day centre",
        "activities-2-day": "1", "activities-2-kind": "", "activities-2-description": "",
    }
    data.update(overrides)
    return data


def test_an_institution_admin_creates_an_offer_through_the_form(client, world, make_practice):
    practice = make_practice(world.romania, title="Home visiting in Cluj")
    log_in(client, world.sender_admin)
    url = f"/mobility/offers/new/{world.partnership.id}"
    page = read_html(client.get(url))
    assert len(page.select("select[name$='-kind']")) == 10  # rows to fill without JavaScript
    assert page.find("option", value="ro", selected=True)  # the institution's languages to start with
    assert page.find("input", attrs={"name": "practice_ids", "value": str(practice.id)})

    response = client.post(url, data=offer_form(practice_ids=[str(practice.id)]))
    assert response.status_code == 302, read_html(response).select_one(".error-summary")
    offer = services.offer_of(world.partnership, world.romania)
    assert offer.total_quota == 4 and offer.languages == ["ro", "en"]
    assert offer.tag_names == ["home visits", "interfamily groups"]
    assert [(w.week_start, w.capacity) for w in offer.weeks] == [(W50, 2), (date(2027, 3, 8), 1)]
    assert [(a.day, a.kind) for a in offer.activities] == [(1, "formal_session"), (3, "service_visit")]
    assert [p.id for p in offer.practices] == [practice.id]

    page = read_html(client.get(response.location))
    assert page.h1.get_text() == "Visits to Casa Cluj"
    assert page.select_one(".prose strong").get_text() == "home visits"
    assert not foreign_scripts(page)  # the description is sanitised Markdown
    assert page.find("a", href=f"/practices/{practice.id}")
    weeks = page.find(id="weeks-heading").find_parent("section").get_text(" ", strip=True)
    assert "2026-W50: 7 Dec – 11 Dec 2026 2 2" in weeks
    programme = page.find(id="programme-heading").find_parent("section")
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert [h.get_text() for h in programme.find_all("h3")] == days
    assert "Welcome" in programme.find("h3", string="Monday").find_next_sibling("ul").get_text()
    assert "Day centre" in programme.find("h3", string="Wednesday").find_next_sibling("ul").get_text()

    # Opening "new" again leads to the existing offer's edit page, filled in.
    response = client.get(url)
    assert response.status_code == 302 and response.location.endswith(f"/mobility/offers/{offer.id}/edit")
    page = read_html(client.get(response.location))
    assert page.find(id="weeks").get_text().strip() == "2026-W50 2\n2027-W10 1"
    assert page.find(id="activities-1-description")["value"] == "Day centre"
    assert len(page.select("select[name$='-kind']")) == 10


def test_a_rejected_offer_keeps_what_was_typed_and_names_the_rules(client, world):
    log_in(client, world.sender_admin)
    typed = "2027-03-09 2\n2028-W10 1\n2027-W12 lots"
    response = client.post(f"/mobility/offers/new/{world.partnership.id}",
                           data=offer_form(weeks=typed, description="My description that must not be lost",
                                           languages=[], total_quota="many"))
    assert response.status_code == 422
    page = read_html(response)
    assert_accessible(page, "rejected offer")
    errors = page.find(id="weeks-error").get_text()
    assert "2027-03-09 is not a Monday" in errors
    assert "2028-W10 is outside the partnership's dates (2025-11-01 to 2027-10-31)" in errors
    assert "The capacity of 2027-W12 is a whole number" in errors
    assert "at least one working language" in page.find(id="languages-error").get_text()
    assert "whole number" in page.find(id="total_quota-error").get_text()
    assert page.find(id="weeks").get_text().lstrip("\r\n") == typed
    assert page.find(id="description").get_text().lstrip("\r\n") == "My description that must not be lost"
    assert page.find(id="total_quota")["value"] == "many"
    assert page.find(id="activities-1-description")["value"] == "Day centre"
    assert page.find(id="activities-1-kind").find("option", selected=True)["value"] == "service_visit"
    summary = page.select_one(".error-summary")
    assert summary.find("a", href="#weeks") and summary.find("a", href="#languages")
    assert services.offer_of(world.partnership, world.romania) is None


def test_a_programme_row_without_a_kind_is_named(client, world):
    log_in(client, world.sender_admin)
    response = client.post(f"/mobility/offers/new/{world.partnership.id}",
                           data=offer_form(**{"activities-2-description": "Lunch with the team"}))
    assert response.status_code == 422
    assert "Choose the kind of each activity" in read_html(response).find(id="activities-error").get_text()


def test_the_waiting_list_is_shown_to_coordinators_and_host_admins_only(client, world):
    offer = make_offer(world)
    make_visit(world)
    make_application(world, world.second)
    services.update_waiting_lists(world.partnership)
    for who, shown in (("coordinator", True), ("host_admin", True), ("applicant", False), ("evaluator", False)):
        log_in(client, getattr(world, who))
        page = read_html(client.get(f"/mobility/offers/{offer.id}"))
        section = page.find(id="waiting-heading")
        assert (section is not None) == shown, who
        if shown:
            assert "Bogdan Ionescu" in section.find_parent("section").get_text()


# --- applications ---------------------------------------------------------------------------------------


def application_form(world, **overrides):
    data = {"motivation": "I want to learn how interfamily groups work.", "interests": "interfamily groups",
            "languages": ["en", "ro"], "first_choice": str(world.spain.id), "weeks": ["2026-W50"]}
    data.update(overrides)
    return data


def test_the_application_form_offers_other_hosts_and_labelled_weeks(client, world):
    make_offer(world, weeks={"2026-W50": 1, "2026-W51": 1})
    log_in(client, world.applicant)
    page = read_html(client.get(f"/mobility/apply/{world.partnership.id}"))
    first = page.find(id="first_choice")
    assert [o.get_text() for o in first.find_all("option")] == ["No preference", "Casa Sevilla (Spain)"]
    assert page.find("label", string="1st choice") and page.find("label", string="2nd choice (optional)")
    weeks = page.find(id="weeks").find_parent("fieldset")
    assert weeks.find("legend").get_text() == "Weeks when you are available"
    labels = [label.get_text() for label in weeks.find_all("label")]
    assert labels == ["2026-W50: 7 Dec – 11 Dec 2026", "2026-W51: 14 Dec – 18 Dec 2026"]

    # The host's own people do not see their own institution among the choices.
    log_in(client, world.host_admin)
    page = read_html(client.get(f"/mobility/apply/{world.partnership.id}"))
    assert "No other institution" in page.get_text()


def test_an_application_with_no_week_is_refused_and_keeps_what_was_typed(client, world):
    make_offer(world)
    log_in(client, world.applicant)
    response = client.post(f"/mobility/apply/{world.partnership.id}",
                           data=application_form(world, weeks=[], motivation="Keep these words"))
    assert response.status_code == 422
    page = read_html(response)
    assert "at least one week" in page.find(id="weeks-error").get_text()
    assert page.find(id="motivation").get_text().lstrip("\r\n") == "Keep these words"
    assert page.find(id="first_choice").find("option", selected=True)["value"] == str(world.spain.id)
    assert {o["value"] for o in page.find(id="languages").find_all("option", selected=True)} == {"en", "ro"}
    assert services.application_of(world.applicant, world.partnership) is None


def test_an_application_to_ones_own_institution_is_refused(client, world):
    make_offer(world)
    services.save_offer(world.sender_admin, world.partnership, world.romania,
                        OfferData(languages=["ro"], weeks={"2026-W50": 1}))
    log_in(client, world.host_admin)  # Spain's own people see Romania only, but post Spain anyway
    response = client.post(f"/mobility/apply/{world.partnership.id}", data=application_form(world))
    assert response.status_code == 422
    assert "your own institution" in read_html(response).find(id="first_choice-error").get_text()


def test_the_applicant_edits_then_withdraws(client, world):
    make_offer(world)
    application = make_application(world, world.applicant, endorse=False)
    log_in(client, world.applicant)
    page = read_html(client.get(f"/mobility/apply/{world.partnership.id}"))
    assert page.find(id="motivation").get_text().strip() == "I want to see interfamily groups."
    assert page.find("input", attrs={"name": "weeks", "value": "2026-W50"}).has_attr("checked")
    response = client.post(f"/mobility/applications/{application.id}/withdraw")
    assert response.status_code == 302
    assert services.get_application(application.id).status == WITHDRAWN
    # Someone else cannot withdraw it.
    log_in(client, world.sender_admin)
    assert client.post(f"/mobility/applications/{application.id}/withdraw").status_code == 403


def choices_form(exchange, **overrides):
    """The application form of a Helsinki professional who chose Seville then Arad, in W1 and W2."""
    data = {"motivation": "I want to see interfamily groups.", "interests": "interfamily groups",
            "languages": ["en", "fi"], "first_choice": str(exchange.seville.id),
            "second_choice": str(exchange.arad.id), "weeks": [week(W1), week(W2)]}
    data.update(overrides)
    return data


def test_the_applicant_changes_hosts_and_weeks_through_the_form(client, exchange, make_user):
    third = exchange.coordinating  # a third host
    services.save_offer(exchange.coordinator, exchange.partnership, third, offer_data(languages=["fr", "en"]))
    person = make_user(institution=exchange.sender)
    log_in(client, person)
    url = f"/mobility/apply/{exchange.partnership.id}"
    assert client.post(url, data=choices_form(exchange)).status_code == 302
    page = read_html(client.get(url))
    assert page.find(id="second_choice").find("option", selected=True)["value"] == str(exchange.arad.id)
    assert [box["value"] for box in page.select("input[name=weeks][checked]")] == [week(W1), week(W2)]

    # Another second choice; one week kept, one dropped, one added.
    changed = [week(W2), week(W3)]
    response = client.post(url, data=choices_form(exchange, second_choice=str(third.id), weeks=changed))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    # First and second choice swapped.
    response = client.post(url, data=choices_form(exchange, first_choice=str(third.id),
                                                  second_choice=str(exchange.seville.id), weeks=changed))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]

    application = services.application_of(person, exchange.partnership)
    assert application.preferred_host_ids == [third.id, exchange.seville.id]
    assert application.available_weeks == [W2, W3]


def test_a_host_chosen_twice_comes_back_with_the_error_by_the_repeated_choice(client, exchange, make_user):
    person = make_user(institution=exchange.sender)
    log_in(client, person)
    url = f"/mobility/apply/{exchange.partnership.id}"
    response = client.post(url, data=choices_form(exchange, second_choice=str(exchange.seville.id),
                                                  motivation="Keep these words"))
    assert response.status_code == 422
    page = read_html(response)
    assert_accessible(page, "host chosen twice")
    assert "same host twice" in page.find(id="second_choice-error").get_text()
    assert page.find(id="first_choice-error") is None
    assert page.find(id="motivation").get_text().lstrip("\r\n") == "Keep these words"
    for name in ("first_choice", "second_choice"):
        assert page.find(id=name).find("option", selected=True)["value"] == str(exchange.seville.id)
    assert [box["value"] for box in page.select("input[name=weeks][checked]")] == [week(W1), week(W2)]
    assert services.application_of(person, exchange.partnership) is None

    response = client.post(url, data=choices_form(exchange, third_choice=str(exchange.seville.id)))
    assert response.status_code == 422
    assert "same host twice" in read_html(response).find(id="third_choice-error").get_text()


def test_the_application_form_offers_only_weeks_that_have_not_begun(client, world, monkeypatch):
    make_offer(world, weeks={"2026-W50": 1, "2026-W51": 1, "2026-W52": 1})
    application = make_application(world, world.applicant, weeks=("2026-W50",), endorse=False)
    set_today(monkeypatch, W50)  # the Monday of the week Ana chose: it has begun
    log_in(client, world.applicant)
    url = f"/mobility/apply/{world.partnership.id}"

    boxes = read_html(client.get(url)).find_all("input", attrs={"name": "weeks"})
    assert [box["value"] for box in boxes] == ["2026-W51", "2026-W52"]
    assert not any(box.has_attr("checked") for box in boxes)
    response = client.post(url, data=application_form(world, weeks=["2026-W50", "2026-W51"]))
    assert response.status_code == 422
    assert "2026-W50 has begun" in read_html(response).find(id="weeks-error").get_text()

    response = client.post(url, data=application_form(world, weeks=["2026-W52"]))
    assert response.status_code == 302
    assert services.get_application(application.id).available_weeks == [W52]


def test_the_offer_form_shows_and_takes_only_weeks_that_have_not_begun(client, world, monkeypatch):
    offer = make_offer(world, weeks={"2026-W50": 1, "2026-W51": 2})
    set_today(monkeypatch, date(2026, 12, 8))  # the Tuesday of 2026-W50
    log_in(client, world.host_admin)
    url = f"/mobility/offers/{offer.id}/edit"

    page = read_html(client.get(url))
    assert page.find(id="weeks").get_text().strip() == "2026-W51 2"
    listed = page.find("summary", string="The weeks of the partnership and their dates").parent
    assert [li.get_text()[:8] for li in listed.find_all("li")][:2] == ["2026-W51", "2026-W52"]
    response = client.post(url, data=offer_form(weeks="2026-W49 1\n2026-W51 2"))
    assert response.status_code == 422
    assert "2026-W49 has begun" in read_html(response).find(id="weeks-error").get_text()

    response = client.post(url, data=offer_form(weeks="2026-W51 3"))
    assert response.status_code == 302
    assert [(w.week_start, w.capacity) for w in services.get_offer(offer.id).weeks] == [(W50, 1), (W51, 3)]


def test_the_matching_page_proposes_and_assigns_no_week_that_has_begun(client, world, monkeypatch):
    make_offer(world, weeks={"2026-W50": 1, "2026-W51": 1})
    make_application(world, world.applicant, weeks=("2026-W50", "2026-W51"))
    set_today(monkeypatch, W50)
    log_in(client, world.coordinator)

    page = read_html(client.get(f"/mobility/matching/{world.partnership.id}"))

    rows = page.find(id="proposal").find("tbody").find_all("tr")
    assert len(rows) == 1 and "2026-W51" in rows[0].get_text() and "2026-W50" not in rows[0].get_text()
    assert [o["value"] for o in page.find(id="week").find_all("option")] == ["", "2026-W51"]


# --- the journey: apply, endorse, match, accept, confirm, cancel, offer to the next ----------------------


def test_from_application_to_a_visit_and_a_place_offered_again(client, world):
    make_offer(world)  # one place in 2026-W50
    log_in(client, world.applicant)
    response = client.post(f"/mobility/apply/{world.partnership.id}", data=application_form(world))
    assert response.status_code == 302
    application = services.application_of(world.applicant, world.partnership)
    make_application(world, world.second)  # endorsed, same week: one of them will wait

    log_in(client, world.sender_admin)
    response = client.post(f"/mobility/applications/{application.id}/decide",
                           data={"decision": "endorse", "note": "Good luck", "next": "/mobility/"})
    assert response.status_code == 302 and response.location.endswith("/mobility/")
    assert services.get_application(application.id).status == ENDORSED
    assert services.get_application(application.id).decision_note == "Good luck"

    log_in(client, world.coordinator)
    page = read_html(client.get(f"/mobility/matching/{world.partnership.id}"))
    assert_accessible(page, "matching")
    rows = page.find(id="proposal").find("tbody").find_all("tr")
    assert len(rows) == 1
    text = rows[0].get_text(" ", strip=True)
    assert "Ana Pop" in text and "Casa Sevilla" in text and "2026-W50" in text
    assert "Their choice number 1" in text and "Shared interests: interfamily groups" in text
    assert "Shared languages: English" in text
    box = rows[0].find("input", type="checkbox")
    offer = services.offer_of(world.partnership, world.spain)
    assert box.has_attr("checked") and box["value"] == f"{application.id}:{offer.id}:2026-12-07"
    unplaced = page.find(id="unplaced-heading").find_parent("section").get_text(" ", strip=True)
    assert "Bogdan Ionescu" in unplaced and "went to other applicants" in unplaced

    response = client.post(f"/mobility/matching/{world.partnership.id}/accept", data={"match": [box["value"]]},
                           follow_redirects=True)
    said = flashes(response)
    assert "1 visit was proposed." in said and "1 applicant without a place waits" in said
    visit = db.session.query(Visit).one()
    assert visit.match_reason_codes[0] == {"code": "choice", "rank": 1} and visit.match_reasons == ""
    visits = read_html(response).find(id="visits-heading").find_parent("section")
    assert visits.find("a", href=f"/mobility/visits/{visit.id}").get_text() == "Ana Pop"

    log_in(client, world.applicant)
    page = read_html(client.get(f"/mobility/visits/{visit.id}"))
    assert page.find(id="visit-status").get_text() == "Proposed"
    assert page.find("a", href=f"/mobility/visits/{visit.id}.ics")
    assert page.find("form", action=f"/mobility/visits/{visit.id}/confirm") is None  # not the visitor's call

    log_in(client, world.host_admin)
    response = client.post(f"/mobility/visits/{visit.id}/confirm", follow_redirects=True)
    assert "The visit is confirmed." in flashes(response)
    assert read_html(response).find(id="visit-status").get_text() == "Confirmed"
    assert db.session.get(Visit, visit.id).status == CONFIRMED and db.session.get(Visit, visit.id).confirmed_at

    response = client.post(f"/mobility/visits/{visit.id}/cancel", data={"reason": "  "})
    assert response.status_code == 422
    assert_accessible(read_html(response), "refused cancellation")
    assert "Say why" in read_html(response).find(id="reason-error").get_text()
    response = client.post(f"/mobility/visits/{visit.id}/cancel", data={"reason": "Ana broke her leg"},
                           follow_redirects=True)
    page = read_html(response)
    assert page.find(id="visit-status").get_text() == "Cancelled"
    assert page.find(id="cancel-reason").get_text() == "Ana broke her leg"
    assert page.find(id="offer-next") is None  # offering the place again is the coordinators' call

    log_in(client, world.coordinator)
    page = read_html(client.get(f"/mobility/visits/{visit.id}"))
    button = page.find(id="offer-next").find("button")
    assert button.get_text() == "Offer the place to Bogdan Ionescu"
    response = client.post(page.find(id="offer-next")["action"])
    new = db.session.query(Visit).filter(Visit.status != CANCELLED).one()
    assert response.status_code == 302 and response.location.endswith(f"/mobility/visits/{new.id}")
    assert new.visitor_id == world.second.id and new.week_start == W50
    page = read_html(client.get(f"/mobility/visits/{visit.id}"))
    assert page.find(id="offer-next") is None  # the place is taken again


def test_accepting_a_match_that_no_longer_fits_reports_the_rule(client, world):
    offer = make_offer(world)
    application = make_application(world, world.applicant)
    log_in(client, world.coordinator)
    value = f"{application.id}:{offer.id}:2026-12-14"  # a week the host does not offer
    response = client.post(f"/mobility/matching/{world.partnership.id}/accept", data={"match": value},
                           follow_redirects=True)
    said = flashes(response)
    assert "0 visits were proposed." in said and "1 match was refused" in said
    assert "Ana Pop:" in said and "does not offer the week of 2026-12-14" in said
    assert db.session.query(Visit).count() == 0
    assert client.post(f"/mobility/matching/{world.partnership.id}/accept",
                       data={"match": "not-a-choice"}).status_code == 400


def test_a_manual_assignment_names_the_broken_rules(client, world):
    offer = make_offer(world, weeks={"2026-W50": 1, "2026-W51": 1})
    application = make_application(world, world.applicant)  # available in W50 only
    log_in(client, world.coordinator)
    url = f"/mobility/matching/{world.partnership.id}/assign"
    response = client.post(url, data={"application_id": str(application.id), "offer_id": str(offer.id),
                                      "week": "2026-W51"})
    assert response.status_code == 422
    assert_accessible(read_html(response), "refused assignment")
    refused = read_html(response).find(id="refused").get_text(" ", strip=True)
    assert "not available in the week of 2026-12-14" in refused
    assert read_html(response).find(id="week").find("option", selected=True)["value"] == "2026-W51"
    assert db.session.query(Visit).count() == 0

    response = client.post(url, data={"application_id": "", "offer_id": str(offer.id), "week": ""})
    assert response.status_code == 422
    page = read_html(response)
    assert page.find(id="application_id-error") and page.find(id="week-error")

    response = client.post(url, data={"application_id": str(application.id), "offer_id": str(offer.id),
                                      "week": "2026-W50"})
    visit = db.session.query(Visit).one()
    assert response.status_code == 302 and response.location.endswith(f"/mobility/visits/{visit.id}")


def test_odd_numbers_in_forms_are_refused_without_a_crash(client, world):
    offer = make_offer(world)
    huge = "9" * 30
    log_in(client, world.coordinator)
    pid = world.partnership.id
    for value in (f"{huge}:{offer.id}:2026-12-07", f"1:{offer.id}:2026-13-07", "²:1:2026-12-07", "1:2"):
        assert client.post(f"/mobility/matching/{pid}/accept", data={"match": value}).status_code == 400, value
    response = client.post(f"/mobility/matching/{pid}/assign",
                           data={"application_id": huge, "offer_id": "²", "week": "2026-W50"})
    assert response.status_code == 422
    assert client.get(f"/mobility/offers/new/{pid}?institution={huge}").status_code == 404
    response = client.post(f"/mobility/offers/{offer.id}/edit",
                           data=offer_form(practice_ids=[huge], total_quota="²", weeks="2026-W50 ³"))
    assert response.status_code == 422
    page = read_html(response)
    assert page.find(id="total_quota-error") and page.find(id="weeks-error")


def test_the_host_adjusts_the_programme_of_a_visit(client, world):
    visit = make_visit(world)
    log_in(client, world.host_admin)
    url = f"/mobility/visits/{visit.id}/programme"
    page = read_html(client.get(url))
    assert page.find(id="activities-0-description")["value"] == "Welcome"
    response = client.post(url, data={"activities-0-day": "5", "activities-0-kind": "reflection",
                                      "activities-0-description": "What we learnt",
                                      "activities-1-day": "9", "activities-1-kind": "reflection"})
    assert response.status_code == 422
    assert "a day from Monday to Friday" in read_html(response).find(id="activities-error").get_text()
    response = client.post(url, data={"activities-0-day": "5", "activities-0-kind": "reflection",
                                      "activities-0-description": "What we learnt"}, follow_redirects=True)
    programme = read_html(response).find(id="programme-heading").find_parent("section")
    assert "What we learnt" in programme.find("h3", string="Friday").find_next_sibling("ul").get_text()
    assert "Welcome" not in programme.get_text()


def test_the_visit_page_marks_the_hosts_public_holidays(client, world):
    visit = make_visit(world, monday=W50)
    log_in(client, world.applicant)
    days = read_html(client.get(f"/mobility/visits/{visit.id}")).find(id="days").find_all("li")
    assert [d.get_text(" ", strip=True).split(",")[0] for d in days] == [
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    marked = [d for d in days if d.select_one(".holiday")]
    assert len(marked) == 1 and "December 8, 2026" in marked[0].get_text()
    assert "Public holiday in Spain" in marked[0].get_text()


def test_the_visitor_is_asked_for_an_essay_once_the_visit_is_completed(client, world, monkeypatch):
    visit = make_visit(world)  # 2026-W50
    services.confirm_visit(world.host_admin, visit)
    set_today(monkeypatch, date(2026, 12, 12))  # the Saturday after the visit
    log_in(client, world.applicant)
    assert read_html(client.get(f"/mobility/visits/{visit.id}")).find(id="essay-prompt") is None
    log_in(client, world.host_admin)
    response = client.post(f"/mobility/visits/{visit.id}/complete", follow_redirects=True)
    assert "The visit is marked completed." in flashes(response)
    assert db.session.get(Visit, visit.id).status == COMPLETED
    assert read_html(response).find(id="essay-prompt") is None  # the prompt is for the visitor
    log_in(client, world.applicant)
    prompt = read_html(client.get(f"/mobility/visits/{visit.id}")).find(id="essay-prompt")
    assert "write an essay" in prompt.get_text()


def test_a_visit_that_has_not_begun_offers_no_completion(client, world, monkeypatch):
    set_today(monkeypatch, date(2026, 11, 26))
    visit = make_visit(world)  # 2026-W50, after "today"
    services.confirm_visit(world.host_admin, visit)
    log_in(client, world.host_admin)
    page = read_html(client.get(f"/mobility/visits/{visit.id}"))
    assert page.find("form", action=f"/mobility/visits/{visit.id}/complete") is None
    response = client.post(f"/mobility/visits/{visit.id}/complete", follow_redirects=True)
    assert "once its week has begun" in flashes(response)
    assert db.session.get(Visit, visit.id).status == CONFIRMED


def test_a_proposed_visit_whose_week_has_begun_offers_no_confirmation(client, world, monkeypatch):
    visit = make_visit(world)  # 2026-W50, proposed
    set_today(monkeypatch, W50)
    log_in(client, world.host_admin)
    page = read_html(client.get(f"/mobility/visits/{visit.id}"))
    assert page.find("form", action=f"/mobility/visits/{visit.id}/confirm") is None
    assert page.find(id="cancel-form")  # cancelling it is what is left to do
    response = client.post(f"/mobility/visits/{visit.id}/confirm", follow_redirects=True)
    assert "has begun" in flashes(response)
    assert db.session.get(Visit, visit.id).status == "proposed"


# --- dashboard and CSV ------------------------------------------------------------------------------------


def test_the_dashboard_counts_places_senders_countries_and_months(client, world):
    make_offer(world, weeks={"2026-W50": 2})
    make_visit(world)
    make_application(world, world.second, weeks=("2026-W51",))  # endorsed, open, no place
    log_in(client, world.evaluator)
    page = read_html(client.get(f"/mobility/dashboard/{world.partnership.id}"))
    quota = page.find(id="quota")
    assert "1 of 6" in quota.get_text() and quota.find("meter")["value"] == "1"
    assert "Casa Cluj" in page.find(id="sending-heading").find_parent("section").get_text()
    assert "Romania" in page.find(id="country-heading").find_parent("section").get_text()
    months = page.find(id="months-heading").find_parent("section")
    assert months.find("h3").get_text() == "December 2026" and "Ana Pop" in months.get_text()
    assert "Bogdan Ionescu" in page.find(id="open-heading").find_parent("section").get_text()
    assert page.find("a", href=f"/mobility/dashboard/{world.partnership.id}/visits.csv")


def test_the_csv_export_lists_visits_and_defuses_formulas(client, world, make_user):
    sneaky = make_user(institution=world.romania, name="=HYPERLINK(\"http://evil.example\",\"x\")")
    visit = make_visit(world, person=sneaky)
    services.cancel_visit(world.coordinator, visit, "+1 more reason; -2 @home")
    log_in(client, world.coordinator)
    response = client.get(f"/mobility/dashboard/{world.partnership.id}/visits.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"visits-")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["visit", "week", "monday", "friday", "status"]
    row = dict(zip(rows[0], rows[1]))
    assert row["week"] == "2026-W50" and row["monday"] == "2026-12-07" and row["friday"] == "2026-12-11"
    assert row["host"] == "Casa Sevilla" and row["sending_institution"] == "Casa Cluj"
    assert row["visitor"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"
    assert row["cancel_reason"] == "'+1 more reason; -2 @home"
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)


# --- CSRF ----------------------------------------------------------------------------------------------------


def test_a_post_without_the_csrf_token_is_refused(csrf_app, client, world):
    visit = make_visit(world)
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    log_in(client, world.host_admin)
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(f"/mobility/visits/{visit.id}/confirm").status_code == 400
    assert client.post(f"/mobility/visits/{visit.id}/cancel", data={"reason": "forged"}).status_code == 400
    assert db.session.get(Visit, visit.id).status == "proposed"

    page = read_html(client.get(f"/mobility/visits/{visit.id}"))
    form = page.find("form", action=f"/mobility/visits/{visit.id}/confirm")
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    assert client.post(form["action"], data={"csrf_token": token}).status_code == 302
    assert db.session.get(Visit, visit.id).status == CONFIRMED


def test_a_coordinator_records_a_visit_that_took_place_from_the_matching_page(client, world, monkeypatch):
    offer = make_offer(world)  # offers 2026-W50
    application = make_application(world, world.applicant)
    set_today(monkeypatch, date(2026, 12, 21))  # W50 and W51 have gone by
    log_in(client, world.coordinator)
    page = read_html(client.get(f"/mobility/matching/{world.partnership.id}"))
    weeks = [option["value"] for option in page.find(id="past-week").find_all("option") if option["value"]]
    assert weeks[:2] == ["2026-W52", "2026-W51"] and "2027-W01" not in weeks  # begun, the latest first
    assert [o["value"] for o in page.find(id="week").find_all("option") if o["value"]] == []  # none to book

    url = f"/mobility/matching/{world.partnership.id}/past-visit"
    response = client.post(url, data={"past-application_id": str(application.id), "past-offer_id": str(offer.id),
                                      "past-week": "2026-W51"})
    assert response.status_code == 302
    visit = db.session.scalar(select(Visit))
    assert (visit.status, visit.week_start) == ("completed", date(2026, 12, 14))
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == world.applicant.id, Notification.kind == "essay")) == 1


def test_recording_a_visit_in_a_week_to_come_is_refused_with_the_reason(client, world, monkeypatch):
    offer = make_offer(world)
    application = make_application(world, world.applicant)
    log_in(client, world.coordinator)
    response = client.post(f"/mobility/matching/{world.partnership.id}/past-visit", data={
        "past-application_id": str(application.id), "past-offer_id": str(offer.id), "past-week": "2026-W50"})
    assert response.status_code == 422
    assert "has not begun" in read_html(response).find(id="past-refused").get_text(" ", strip=True)
    assert read_html(response).find(id="past-week")  # the form comes back
    assert db.session.scalar(select(func.count(Visit.id))) == 0
