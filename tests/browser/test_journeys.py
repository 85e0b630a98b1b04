"""Whole journeys in a real browser (Chromium) against a live server with its search indexer running.

The partnership, its institutions and the people in roles are made through the services (they are not what
these tests are about); every step of the journeys goes through the pages, as a person would: registering,
approval, a practice with an attachment, a comment, an application and its endorsement, matching, the
visit's confirmation and completion, the essay with its autosave, its assessment, and the searches.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

import browser_helpers as bh
from browser_helpers import PASSWORD, expect_flash, log_in, tab_to
from conftest import real_mobility_clock

pytestmark = pytest.mark.browser

TODAY = date.today()
# A visit week still to come (nothing offers, books or confirms a week that has begun): the Monday after next.
VISIT_MONDAY = TODAY - timedelta(days=TODAY.weekday()) + timedelta(weeks=2)
# Where the visit is moved once confirmed, as if its week had gone by, so that it can be marked completed
# (the live server runs on the real clock, in another process).
PAST_MONDAY = TODAY - timedelta(days=TODAY.weekday()) - timedelta(weeks=2)

NEWCOMER = "Aino Virtanen"
NEWCOMER_EMAIL = "aino.virtanen@example.org"
PRACTICE_TITLE = "Walking groups for new parents"
ESSAY_TITLE = "What the Triana walking groups taught me"
ESSAY_BODY = (
    "In Seville I joined the walking groups that the family centre runs every Tuesday morning. "
    "Parents talk while they walk, and the social workers listen more than they speak.\n\n"
    "Back home in Tampere we will start a group of our own in the spring."
)
KITCHEN_TITLE = "Kitchen table conversations"


def iso_week(monday: date) -> str:
    year, number, _ = monday.isocalendar()
    return f"{year}-W{number:02d}"


@dataclass
class World:
    partnership_id: int
    host_id: int
    sender_name: str
    host_name: str
    coordinator: str
    host_admin: str
    sender_admin: str
    evaluator: str
    colleague: str  # a professional of the host institution
    keyboard_user: str
    kitchen_practice_id: int


def seed_world() -> World:
    """Three institutions in a partnership, people in each role, a hosting offer with a week still to come,
    and a published practice for the keyboard journey."""
    from network.auth import services as accounts
    from network.auth.models import COORDINATOR, EVALUATOR, INSTITUTION_ADMIN
    from network.institutions import services as institutions
    from network.institutions.services import InstitutionData, PartnershipData
    from network.mobility import services as mobility
    from network.mobility.services import ActivityData, OfferData
    from network.practices import services as practices
    from network.practices.services import PracticeData

    def institution(name, country, city, languages):
        return institutions.create_institution(None, InstitutionData(
            name=name, country=country, city=city, sectors=["social"], languages=languages))

    coordinating = institution("Centre Familles Liège", "BE", "Liège", ["fr", "en"])
    host = institution("Centro de Familias Triana", "ES", "Sevilla", ["es", "en"])
    sender = institution("Perheklinikka Tampere", "FI", "Tampere", ["fi", "en"])
    partnership = institutions.create_partnership(None, PartnershipData(
        title="Families Walking Together", reference="2026-1-BE01-KA220-000777",
        start_date=TODAY - timedelta(days=200), end_date=TODAY + timedelta(days=400),
        coordinating_institution=coordinating, partners=[host, sender]))

    def person(name, email, home, role=None):
        accounts.create_user(name, email, PASSWORD, home, roles=[role] if role else [], approved=True)
        return email

    world = World(
        partnership_id=partnership.id, host_id=host.id, sender_name=sender.name, host_name=host.name,
        coordinator=person("Claire Coordinatrice", "claire@example.org", coordinating, COORDINATOR),
        host_admin=person("Hugo Anfitrión", "hugo@example.org", host, INSTITUTION_ADMIN),
        sender_admin=person("Sanna Admin", "sanna@example.org", sender, INSTITUTION_ADMIN),
        evaluator=person("Eva Evaluator", "eva@example.org", coordinating, EVALUATOR),
        colleague=person("Lucía Colega", "lucia@example.org", host),
        keyboard_user=person("Kai Keyboard", "kai@example.org", sender),
        kitchen_practice_id=0,
    )
    from network.auth.models import User
    from network.extensions import db

    host_admin = db.session.scalar(db.select(User).filter_by(email=world.host_admin))
    mobility.save_offer(host_admin, partnership, host, OfferData(
        description="Walking groups on Tuesdays, family conferences on Thursdays.", languages=["es", "en"],
        approaches=["walking groups", "family conferences"], total_quota=6, weeks={iso_week(VISIT_MONDAY): 1},
        activities=[ActivityData(day=1, kind="formal_session", description="Welcome and the centre's model"),
                    ActivityData(day=2, kind="interfamily_group", description="Tuesday walking group")]))
    kitchen = practices.create_practice(host_admin, PracticeData(
        title=KITCHEN_TITLE, summary="Social workers meet families at their own kitchen table.",
        context="Home visits in Triana since 2019.", target_group="Families with young children.",
        methods="- One visit a week\n- Two workers", outcomes="Families ask for help earlier.",
        sectors=["social"], intervention_types=["family"], tags=["home visits"], country="ES", language="en",
        institution=host.slug, status="published", visibility="public"))
    world.kitchen_practice_id = kitchen.id
    return world


@pytest.fixture(scope="module")
def world(request, tmp_path_factory):
    bh.require_browser(request.config)
    with bh.migrated_app(tmp_path_factory.mktemp("journeys")) as app, real_mobility_clock():
        seeded = seed_world()
        with bh.live_server(app) as server:
            yield seeded, server


@pytest.fixture(scope="module")
def browser(world):
    with bh.chromium() as browser:
        yield browser


@pytest.fixture
def session(request, browser, world):
    _seeded, server = world
    with bh.browser_session(request, browser, server.url) as session:
        yield session


def search_from_header(page, query: str, expected_title: str) -> None:
    """Search with the box in the page header and find a result with this title (the indexer runs about
    once a second: wait for it, then search)."""
    from playwright.sync_api import expect

    bh.wait_until_indexed()
    box = page.get_by_role("banner").get_by_role("searchbox", name="Search")
    box.fill(query)
    box.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.locator(".result-list").get_by_role("link", name=expected_title, exact=True)).to_be_visible()


def test_newcomer_practice_visit_essay_assessment_and_search(world, session, tmp_path):
    from playwright.sync_api import expect

    from network.essays.models import Essay
    from network.extensions import db
    from network.mobility.models import Visit
    from network.practices.models import Practice

    seeded, _server = world

    with session.step_named("a newcomer registers"):
        newcomer = session.page_for("newcomer")
        newcomer.goto("/")
        newcomer.get_by_role("link", name="Register").click()
        form = newcomer.get_by_role("main")
        form.get_by_label("Your name").fill(NEWCOMER)
        form.get_by_label("Email address").fill(NEWCOMER_EMAIL)
        form.get_by_label("Your institution").select_option(label=f"{seeded.sender_name} (Tampere, FI)")
        form.get_by_label("Password", exact=True).fill(PASSWORD)
        form.get_by_label("Repeat the password").fill(PASSWORD)
        form.get_by_role("button", name="Create account").click()
        expect_flash(newcomer, f"Welcome, {NEWCOMER}!")

    with session.step_named("the institution's admin approves the membership"):
        admin = session.page_for("sender admin")
        log_in(admin, seeded.sender_admin)
        admin.locator(".account-menu > summary").click()  # the administration links are in the account menu
        admin.get_by_role("navigation", name="Main").get_by_role("link", name="Membership requests").click()
        admin.get_by_role("button", name=f"Approve {NEWCOMER}").click()
        expect(admin.get_by_role("button", name=f"Approve {NEWCOMER}")).to_have_count(0)

    with session.step_named("the newcomer publishes a practice with an attachment"):
        pdf = tmp_path / "walking-groups.pdf"
        pdf.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
        newcomer.goto("/practices/")
        newcomer.get_by_role("main").get_by_role("link", name=re.compile("Share a practice")).click()
        form = newcomer.get_by_role("main")
        form.get_by_label("Title").fill(PRACTICE_TITLE)
        form.get_by_label("Summary").fill("New parents walk together every week with a social worker.")
        form.get_by_label("Context and framework").fill("Started in Tampere in 2021 after the pandemic.")
        form.get_by_label("Target group").fill("Parents of babies under one year.")
        form.get_by_label("Methods and activities").fill("- A weekly walk\n- Coffee afterwards")
        form.get_by_label("Outcomes and evidence").fill("Parents report feeling less alone.")
        form.get_by_role("group", name="Sectors").get_by_label("Social").check()
        form.get_by_label("Tags").fill("walking groups, parenting")
        form.get_by_label("Country").select_option("FI")
        form.get_by_label("Language of this write-up").select_option("en")
        form.get_by_label("Status").select_option("published")
        form.get_by_label("Attachments (optional)").set_input_files(str(pdf))
        form.get_by_role("button", name="Save practice").click()
        expect_flash(newcomer, "Practice saved.")
        expect(newcomer.get_by_role("heading", level=1)).to_have_text(PRACTICE_TITLE)
        # A PDF opens in the browser (inline): fetch the link's target with the page's cookies instead.
        href = newcomer.get_by_role("link", name="walking-groups.pdf").get_attribute("href")
        response = newcomer.request.get(href)
        assert response.ok and response.headers["content-type"] == "application/pdf"
        assert response.body() == pdf.read_bytes()
        practice_url = newcomer.url

    with session.step_named("a colleague from another institution comments"):
        colleague = session.page_for("colleague")
        log_in(colleague, seeded.colleague)
        colleague.goto(practice_url)
        colleague.get_by_label("Your comment").fill("We walk with parents too: shall we compare notes?")
        colleague.get_by_role("button", name="Send comment").click()
        expect(colleague.locator("#discussion")).to_contain_text("shall we compare notes?")
        expect(colleague.locator("#discussion")).to_contain_text("Lucía Colega")

    with session.step_named("the newcomer applies for a visit"):
        newcomer.get_by_role("navigation", name="Main").get_by_role("link", name="Mobility").click()
        newcomer.get_by_role("link", name=re.compile("Apply for a visit")).click()
        form = newcomer.get_by_role("main")
        form.get_by_label("Why you want to visit").fill("I want to see how Triana's walking groups work.")
        form.get_by_label("What you are interested in").fill("walking groups")
        form.get_by_label("Languages you can work in").select_option(["en", "fi"])
        form.get_by_label("1st choice").select_option(str(seeded.host_id))
        form.locator(f"input[name=weeks][value='{iso_week(VISIT_MONDAY)}']").check()
        form.get_by_role("button", name="Send the application").click()
        expect_flash(newcomer, "Your application is sent.")

    with session.step_named("the institution's admin endorses the application"):
        admin.get_by_role("navigation", name="Main").get_by_role("link", name="Mobility").click()
        admin.get_by_role("button", name=f"Endorse {NEWCOMER}").click()
        expect_flash(admin, f"You endorsed the application of {NEWCOMER}.")

    with session.step_named("the coordinator accepts the proposed match and confirms the visit"):
        coordinator = session.page_for("coordinator")
        log_in(coordinator, seeded.coordinator)
        coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="Mobility").click()
        coordinator.get_by_role("link", name=re.compile(r"^Matching")).click()
        proposal = coordinator.locator("#proposal")
        expect(proposal).to_contain_text(NEWCOMER)
        expect(proposal).to_contain_text(seeded.host_name)
        expect(proposal.get_by_role("checkbox")).to_be_checked()
        coordinator.get_by_role("button", name="Accept selected").click()
        expect_flash(coordinator, "1 visit was proposed.")
        coordinator.locator("section", has=coordinator.locator("#visits-heading")).get_by_role(
            "link", name=NEWCOMER).click()
        coordinator.get_by_role("button", name="Confirm the visit").click()
        expect(coordinator.locator("#visit-status")).to_have_text("Confirmed")
        expect(coordinator.get_by_role("button", name="Mark as completed")).to_have_count(0)  # not begun yet

    with session.step_named("the visit's week goes by, and the coordinator marks it completed"):
        bh.fresh()
        db.session.execute(db.update(Visit).where(Visit.partnership_id == seeded.partnership_id)
                           .values(week_start=PAST_MONDAY))
        db.session.commit()
        coordinator.reload()
        coordinator.get_by_role("button", name="Mark as completed").click()
        expect(coordinator.locator("#visit-status")).to_have_text("Completed")

    with session.step_named("the visitor writes the essay, saved by the editor's autosave"):
        newcomer.get_by_role("navigation", name="Main").get_by_role("link", name="Essays").click()
        newcomer.get_by_role("link", name=re.compile("Write your essay")).click()
        newcomer.get_by_role("button", name="Start writing").click()
        editor = newcomer.locator("#essay-form")
        # No button pressed: the script saves every 5 seconds (the status then says when, as the page did).
        with newcomer.expect_response(lambda r: r.url.endswith("/autosave") and r.ok, timeout=15_000):
            editor.get_by_label("Title").fill(ESSAY_TITLE)
            editor.get_by_label("Your essay").fill(ESSAY_BODY)
            editor.get_by_label("Practices the essay relates to (optional)").select_option(label=PRACTICE_TITLE)
            words = len(re.findall(r"\w+(?:['-]\w+)*", ESSAY_BODY))
            expect(newcomer.locator("#word-count")).to_contain_text(f"{words} words")
        expect(newcomer.locator("#save-status")).to_contain_text("Last saved:")
        bh.fresh()
        essay = db.session.scalar(db.select(Essay).where(Essay.title == ESSAY_TITLE))
        assert essay is not None and essay.status == "draft" and essay.autosaved_at is not None
        assert essay.body.replace("\r\n", "\n") == ESSAY_BODY  # forms send line breaks as CRLF
        assert [p.title for p in essay.practices] == [PRACTICE_TITLE]
        newcomer.reload()
        expect(editor.get_by_label("Your essay")).to_have_value(ESSAY_BODY)
        expect(editor.get_by_label("Title")).to_have_value(ESSAY_TITLE)
        editor.get_by_role("button", name="Submit").click()
        expect_flash(newcomer, "Your essay is submitted.")
        expect(newcomer.locator("#essay-status")).to_have_text("Submitted")

    with session.step_named("an evaluator assesses the essay"):
        evaluator = session.page_for("evaluator")
        log_in(evaluator, seeded.evaluator)
        evaluator.get_by_role("navigation", name="Main").get_by_role("link", name="Essays").click()
        evaluator.get_by_role("link", name=ESSAY_TITLE).click()
        evaluator.get_by_role("link", name="Assess this essay").click()
        groups = evaluator.locator("#assess-form fieldset.score-group")
        assert groups.count() >= 1
        for n in range(groups.count()):
            groups.nth(n).get_by_label("4", exact=True).check()
        evaluator.get_by_label("Strengths").fill("reflection, transfer to practice")
        evaluator.get_by_label("Skills gained").fill("group facilitation")
        evaluator.get_by_role("button", name="Save the assessment").click()
        expect_flash(evaluator, "Your assessment is saved.")
        expect(evaluator.locator("#assessments")).to_contain_text("group facilitation")

    with session.step_named("search finds the practice, the visit and the essay"):
        bh.fresh()
        practice = db.session.scalar(db.select(Practice).where(Practice.title == PRACTICE_TITLE))
        visit = db.session.scalar(db.select(Visit).where(Visit.partnership_id == seeded.partnership_id))
        assert practice.status == "published" and len(practice.attachments) == 1
        assert visit.status == "completed"
        anonymous = session.page_for("anonymous")
        anonymous.goto("/")
        search_from_header(anonymous, "walking groups parents", PRACTICE_TITLE)
        search_from_header(coordinator, NEWCOMER, f"{NEWCOMER} · {seeded.host_name} · {iso_week(PAST_MONDAY)}")
        search_from_header(evaluator, "Triana walking groups taught", ESSAY_TITLE)


def test_keyboard_only_login_search_comment_bookmark_logout(world, session):
    """Tab, Enter, Space and typing only: no click anywhere."""
    from playwright.sync_api import expect

    seeded, _server = world
    page = session.page_for("keyboard user")
    keyboard = page.keyboard
    page.goto("/")

    with session.step_named("the first Tab reaches the skip link, which moves to the main content"):
        keyboard.press("Tab")
        assert "Skip to main content" in bh.focused_html(page)
        keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.id") == "main"

    with session.step_named("log in with the keyboard"):
        tab_to(page, "a", "Log in", backwards=True)
        keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
        tab_to(page, "input[name=email]")
        keyboard.type(seeded.keyboard_user)
        keyboard.press("Tab")
        keyboard.type(PASSWORD)
        keyboard.press("Enter")
        expect_flash(page, "You are logged in.")

    with session.step_named("search with the header's box and open the result"):
        bh.wait_until_indexed()
        tab_to(page, "#header-search-q")
        keyboard.type("kitchen table")
        keyboard.press("Enter")
        expect(page.locator(".result-list")).to_contain_text(KITCHEN_TITLE)
        tab_to(page, ".result-list a", KITCHEN_TITLE)
        keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(KITCHEN_TITLE)

    with session.step_named("comment with the keyboard"):
        tab_to(page, "#new-comment textarea")
        keyboard.type("We tried this in Tampere: families liked it.")
        tab_to(page, "#new-comment button", "Send comment")
        keyboard.press("Enter")
        expect(page.locator("#discussion")).to_contain_text("We tried this in Tampere")

    with session.step_named("bookmark with the space bar, then find it among the bookmarks"):
        tab_to(page, "button", "Bookmark")
        keyboard.press("Space")
        expect(page.get_by_role("button", name="Remove bookmark")).to_be_visible()
        tab_to(page, ".account-menu > summary", backwards=True)  # the account menu's button
        keyboard.press("Enter")
        tab_to(page, "a", "Bookmarks")
        keyboard.press("Enter")
        expect(page.get_by_role("main")).to_contain_text(KITCHEN_TITLE)

    with session.step_named("log out with the keyboard"):
        tab_to(page, ".account-menu > summary", backwards=True)
        keyboard.press("Enter")
        tab_to(page, "button", "Log out")
        keyboard.press("Enter")
        expect_flash(page, "You are logged out.")
