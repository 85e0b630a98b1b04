"""Writing in a real browser: the Markdown toolbar and its preview used with the keyboard alone, the filter
above long lists (a select, a list of checkboxes, the essay archive's events), an old comment address finding
its page of a long discussion, and the same forms without JavaScript. axe-core scans each state.

The people and their data are made through the services; the tests go through the pages.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

import browser_helpers as bh
from browser_helpers import PASSWORD, log_in, tab_to

pytestmark = pytest.mark.browser

TODAY = date.today()
PRACTICE_TITLES = ["Walking groups for new parents", "Kitchen table conversations", "Family group conferences",
                   "Homework club", "Grandparents' circle", "Street football league", "Parenting podcast",
                   "Mentoring for care leavers", "Community garden", "Respite weekends", "Sibling support group",
                   "Digital skills café", "Early years home visits", "Youth radio workshop"]
# More than 12 events in the archive's filter: it gets the filter box.
EVENTS = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett", "Kilo",
          "Lima", "Mike"]


@dataclass
class World:
    partnership_id: int
    writer: str
    host_admin: str
    coordinator: str
    talk_id: int  # a practice whose discussion has 25 threads: two pages
    oldest_comment_id: int


def seed_world() -> World:
    from network.auth import services as accounts
    from network.auth.models import COORDINATOR, INSTITUTION_ADMIN
    from network.essays import services as essays
    from network.essays.services import EssayData
    from network.events import services as events
    from network.events.services import RecordedEventData
    from network.institutions import services as institutions
    from network.institutions.services import InstitutionData, PartnershipData
    from network.practices import discussion
    from network.practices import services as practices
    from network.practices.services import PracticeData

    home = institutions.create_institution(None, InstitutionData(
        name="Centro de Familias Triana", country="ES", city="Sevilla", sectors=["social"], languages=["es", "en"]))
    partner = institutions.create_institution(None, InstitutionData(
        name="Casa das Famílias", country="PT", city="Porto", sectors=["social"], languages=["pt", "en"]))
    partnership = institutions.create_partnership(None, PartnershipData(
        title="Families Writing Together", reference="2026-1-ES01-KA220-000823",
        start_date=TODAY - timedelta(days=400), end_date=TODAY + timedelta(days=300),
        coordinating_institution=home, partners=[partner]))

    def person(name, email, role=None):
        return accounts.create_user(name, email, PASSWORD, home, roles=[role] if role else [], approved=True)

    writer = person("Wanda Writer", "wanda@example.org")
    host_admin = person("Hugo Anfitrión", "hugo@example.org", INSTITUTION_ADMIN)
    coordinator = person("Claire Coordinatrice", "claire@example.org", COORDINATOR)
    made = [practices.create_practice(writer, PracticeData(
        title=title, summary=f"{title}: what it is.", context="Started in Triana.", target_group="Families.",
        methods="- Meet\n- Talk", outcomes="Families ask for help earlier.", sectors=["social"],
        intervention_types=["family"], tags=["families"], country="ES", language="en", institution=home.slug,
        status="published", visibility="public")) for title in PRACTICE_TITLES]
    talk = made[0]
    comments = [discussion.add_comment(coordinator if n % 2 else writer, talk, f"Thread number {n}")
                for n in range(25)]
    for n, name in enumerate(EVENTS):
        start = TODAY - timedelta(days=300 - 20 * n)
        event = events.record_event(coordinator, partnership, RecordedEventData(
            title=f"Training {name} on family work", start_date=start, end_date=start + timedelta(days=1),
            host_institution_id=home.id, participant_ids=[writer.id]))
        essay = essays.start_essay(writer, event)
        essays.submit_essay(writer, essay, EssayData(title=f"What training {name} taught me",
                                                     body="Families help each other.", language="en",
                                                     practice_ids=[], display="named"))
    return World(partnership.id, writer.email, host_admin.email, coordinator.email, talk.id, comments[0].id)


@pytest.fixture(scope="module")
def world(request, tmp_path_factory):
    bh.require_browser(request.config, axe=True)
    with bh.migrated_app(tmp_path_factory.mktemp("writing")) as app:
        seeded = seed_world()
        with bh.live_server(app) as server:
            yield seeded, server


@pytest.fixture(scope="module")
def browser(world):
    with bh.chromium() as browser:
        yield browser


@pytest.fixture
def page_as(browser, world):
    """A page of this person, logged in, in a context that injects axe-core (and runs the site's scripts)."""
    _seeded, server = world
    contexts = []

    def page_of(email: str):
        context = bh.axe_context(browser, server.url)
        contexts.append(context)
        page = context.new_page()
        log_in(page, email)
        return page

    yield page_of
    for context in contexts:
        context.close()


def assert_no_serious_problem(page, what: str) -> None:
    blocking = [v for v in bh.axe_scan(page) if v["impact"] in bh.BLOCKING_IMPACTS]
    assert not blocking, f"{what}:\n" + bh.describe_violations(blocking)


def focused(page, css: str) -> bool:
    return page.evaluate("css => !!document.activeElement && document.activeElement.matches(css)", css)


def test_the_toolbar_and_the_preview_with_the_keyboard_alone(world, page_as):
    from playwright.sync_api import expect

    seeded, _server = world
    page = page_as(seeded.writer)
    with bh.screenshot_on_failure(page, "writing-toolbar-keyboard"):
        page.goto("/practices/new")
        area = page.locator("textarea#context")
        editor = page.locator(".md-editor").filter(has=area)
        toolbar = editor.get_by_role("toolbar", name="Formatting")
        expect(toolbar.get_by_role("button")).to_have_text(["Bold", "Italic", "Heading", "List", "Link", "Quote"])
        assert_no_serious_problem(page, "practice form with its editors")

        # Words typed, the last one chosen with Shift+arrows; back to the toolbar (one Tab stop), Bold.
        tab_to(page, "textarea#context")
        page.keyboard.type("Families meet weekly")
        for _ in range(len("weekly")):
            page.keyboard.press("Shift+ArrowLeft")
        page.keyboard.press("Shift+Tab")
        assert focused(page, ".md-toolbar button.md-bold"), bh.focused_html(page)
        page.keyboard.press("Enter")
        expect(area).to_have_value("Families meet **weekly**")
        assert focused(page, "textarea#context")

        # A list on a new paragraph: arrow keys move along the toolbar (wrapping round), Space presses.
        page.keyboard.press("End")
        page.keyboard.press("Enter")
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("ArrowLeft")  # from Bold round to Quote
        assert focused(page, ".md-toolbar button.md-quote")
        page.keyboard.press("Home")
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        assert focused(page, ".md-toolbar button.md-list")
        page.keyboard.press("Space")
        page.keyboard.type("Two facilitators")  # replaces the sample words, which are chosen
        expect(area).to_have_value("Families meet **weekly**\n\n- Two facilitators")

        # A link from the keyboard shortcut: the sample words are chosen, then typed over.
        page.keyboard.press("End")
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        page.keyboard.type("Read ")
        page.keyboard.press("Control+k")
        page.keyboard.type("our guide")
        expect(area).to_have_value("Families meet **weekly**\n\n- Two facilitators\n\nRead [our guide](https://)")

        # Write / Preview are tabs: from the toolbar, Shift+Tab reaches the selected one; arrows switch.
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Shift+Tab")
        assert focused(page, "[role=tab][aria-selected=true]"), bh.focused_html(page)
        page.keyboard.press("ArrowRight")
        preview_tab = editor.get_by_role("tab", name="Preview")
        expect(preview_tab).to_have_attribute("aria-selected", "true")
        preview = editor.get_by_role("tabpanel", name="Preview")
        expect(preview.locator("strong")).to_have_text("weekly")
        expect(preview.locator("ul li")).to_have_text("Two facilitators")
        expect(preview.get_by_role("link", name="our guide")).to_have_attribute("href", "https://")
        expect(area).to_be_hidden()
        page.keyboard.press("Tab")  # into the preview itself, to read it
        assert focused(page, "[role=tabpanel].md-preview")
        assert_no_serious_problem(page, "practice form showing a preview")

        page.keyboard.press("Shift+Tab")
        page.keyboard.press("ArrowLeft")
        expect(editor.get_by_role("tab", name="Write")).to_have_attribute("aria-selected", "true")
        expect(area).to_be_visible()
        expect(area).to_have_value(re.compile(r"^Families meet \*\*weekly\*\*"))

        # A comment's editor has no heading (comments show none) and previews as a comment.
        page.goto(f"/practices/{seeded.talk_id}")
        comment_editor = page.locator("#new-comment .md-editor")
        expect(comment_editor.get_by_role("toolbar").get_by_role("button")).to_have_text(
            ["Bold", "Italic", "List", "Link", "Quote"])
        comment_editor.locator("textarea").fill("# Not a heading\n\n*but emphasis*")
        comment_editor.get_by_role("tab", name="Preview").click()
        expect(comment_editor.locator(".md-preview em")).to_have_text("but emphasis")
        assert comment_editor.locator(".md-preview h3, .md-preview h1").count() == 0


def test_the_forms_without_javascript(browser, world):
    """Without JavaScript the text areas and the lists are there as they are, and the form still saves."""
    from playwright.sync_api import expect

    seeded, server = world
    context = browser.new_context(base_url=server.url, java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(bh.TIMEOUT_MS)
    page = context.new_page()
    try:
        with bh.screenshot_on_failure(page, "writing-without-javascript"):
            log_in(page, seeded.writer)
            page.goto("/practices/new")
            assert page.locator(".md-editor, .md-toolbar, .filter-list").count() == 0
            expect(page.locator("textarea[data-markdown]")).to_have_count(7)
            assert page.locator("select#country option").count() > 200
            form = page.get_by_role("main").locator("form").first
            form.get_by_label("Title").fill("Plain writing")
            form.get_by_label("Summary").fill("Written without scripts.")
            form.get_by_label("Context and framework").fill("**Started** in Triana.")
            form.get_by_label("Target group").fill("Families.")
            form.get_by_label("Methods and activities").fill("- Meet")
            form.get_by_label("Outcomes and evidence").fill("Better.")
            form.get_by_role("group", name="Sectors").get_by_label("Social").check()
            form.get_by_label("Country").select_option("ES")
            form.get_by_label("Language of this write-up").select_option("en")
            form.get_by_role("button", name="Save practice").click()
            bh.expect_flash(page, "Practice saved.")
            expect(page.locator(".prose strong")).to_have_text("Started")
    finally:
        context.close()


def visible_options(page, css: str) -> list[str]:
    return page.eval_on_selector(css, "s => Array.from(s.options).filter(o => !o.hidden && o.value)"
                                      ".map(o => o.textContent.trim())")


def test_long_lists_filtered_with_the_keyboard(world, page_as):
    from playwright.sync_api import expect

    seeded, _server = world
    # A select: the practice form's countries, accents and case aside.
    page = page_as(seeded.writer)
    with bh.screenshot_on_failure(page, "writing-filter-select"):
        page.goto("/practices/new")
        total = page.locator("select#country option:not([value=''])").count()
        tab_to(page, "#country-filter")
        filter_box = page.locator("#country-filter")
        expect(filter_box).to_have_accessible_name("Filter")
        expect(filter_box).to_have_accessible_description(re.compile("^Country"))
        page.keyboard.type("cote")
        # Spain, the institution's country, is the one chosen: it stays in sight.
        assert visible_options(page, "select#country") == ["Côte d’Ivoire", "Spain"]
        expect(page.locator("#country-filter-status")).to_have_text(f"2 of {total} shown")
        page.keyboard.press("Enter")  # never sends the form
        assert page.locator(".error-summary").count() == 0 and page.url.endswith("/practices/new")
        page.keyboard.press("ArrowDown")
        assert focused(page, "select#country")
        assert_no_serious_problem(page, "practice form with a filtered list")

    # Checkboxes: the practices a hosting offer shows; a chosen one stays in sight.
    page = page_as(seeded.host_admin)
    with bh.screenshot_on_failure(page, "writing-filter-checkboxes"):
        page.goto(f"/mobility/offers/new/{seeded.partnership_id}")
        group = page.get_by_role("group", name="Practices visitors will see")
        group_filter = group.get_by_role("searchbox", name="Filter")
        group_filter.focus()
        page.keyboard.type("kitchen")
        expect(group.get_by_role("checkbox")).to_have_count(1)
        page.keyboard.press("ArrowDown")
        assert focused(page, "input[type=checkbox]")
        page.keyboard.press("Space")
        expect(group.get_by_label("Kitchen table conversations")).to_be_checked()
        group_filter.fill("")
        expect(group.get_by_role("checkbox")).to_have_count(len(PRACTICE_TITLES))
        group_filter.fill("radio")
        expect(group.get_by_role("checkbox")).to_have_count(2)  # the youth radio, and the one chosen
        expect(group.locator(".filter-list-status")).to_have_text(f"2 of {len(PRACTICE_TITLES)} shown")
        assert_no_serious_problem(page, "hosting offer with a filtered list of practices")

    # The essay archive's events.
    page = page_as(seeded.coordinator)
    with bh.screenshot_on_failure(page, "writing-filter-archive"):
        page.goto("/essays/")
        page.locator("#filter-event-filter").fill("charlie")
        assert [re.sub(r" \(.*", "", o) for o in visible_options(page, "select#filter-event")] == [
            "Training Charlie on family work"]
        page.locator("select#filter-event").select_option(
            page.locator("select#filter-event option", has_text="Training Charlie").get_attribute("value"))
        page.get_by_role("button", name="Show essays").click()
        expect(page.locator("#essay-count")).to_have_text("1 essay")
        assert_no_serious_problem(page, "essay archive with its event filter")


def test_an_old_comment_address_finds_its_page(world, page_as):
    from playwright.sync_api import expect

    seeded, _server = world
    page = page_as(seeded.writer)
    with bh.screenshot_on_failure(page, "writing-old-comment-address"):
        page.goto(f"/practices/{seeded.talk_id}")
        expect(page.locator("nav.discussion-pages")).to_contain_text("Page 1 of 2")
        assert page.locator(f"#comment-{seeded.oldest_comment_id}").count() == 0
        # An address from before the pages (the comment in the fragment only) lands on the right page, followed
        # from elsewhere or within the page.
        for start in ("/notifications", None):
            if start:
                page.goto(start)
            page.goto(f"/practices/{seeded.talk_id}#comment-{seeded.oldest_comment_id}")
            page.wait_for_url(re.compile(rf"\?comment={seeded.oldest_comment_id}#comment-{seeded.oldest_comment_id}$"))
            expect(page.locator(f"#comment-{seeded.oldest_comment_id}")).to_contain_text("Thread number 0")
            expect(page.locator("nav.discussion-pages")).to_contain_text("Page 2 of 2")
            page.goto(f"/practices/{seeded.talk_id}")
        threads = page.locator("section#discussion ol.comments > li")
        pages = page.get_by_role("navigation", name="Pages of the discussion")
        expect(threads).to_have_count(20)
        pages.get_by_role("link", name="Older comments").click()
        expect(threads).to_have_count(5)
        pages.get_by_role("link", name="Newer comments").click()
        expect(threads).to_have_count(20)
        assert_no_serious_problem(page, "a page of a long discussion")
