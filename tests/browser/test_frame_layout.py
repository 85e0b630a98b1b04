"""The frame in a real browser (issue 23): the main pages of the demo network fit a phone (375 px) and a laptop
at 200 % zoom (640 CSS px) without scrolling sideways, with the menu closed and open; the header is one row on a
desktop; its menus open and close with the keyboard, work without JavaScript, and pass the axe scan open.
"""
from __future__ import annotations

import pytest

import browser_helpers as bh

pytestmark = pytest.mark.browser

PEOPLE = {"anonymous": None, "professional": "professional@demo.example", "coordinator": "coordinator@demo.example",
          "site admin": "admin@demo.example"}
PHONE = {"width": 375, "height": 740}
ZOOMED = {"width": 640, "height": 450}  # a 1280 × 900 window at 200 % zoom
DESKTOP = {"width": 1280, "height": 900}

# (name, who looks, address): the main pages, each with its widest content (tables, filters, charts).
PAGES = [
    ("home", "anonymous", "/"),
    ("practices", "anonymous", "/practices/?sector=social"),
    ("practice", "professional", "/practices/{practice}"),
    ("institutions", "anonymous", "/institutions/"),
    ("search", "anonymous", "/search?q=family"),
    ("events calendar", "professional", "/events/calendar/{training_month}"),
    ("collection", "anonymous", "/collections/{manual}"),
    ("mobility", "professional", "/mobility/"),
    ("account", "professional", "/account"),
    ("evaluation report", "coordinator", "/essays/report/{partnership}"),
    ("users", "site admin", "/admin/users"),
]

NO_SIDEWAYS_SCROLL = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# For the failure message: elements past the window's right edge, but for those inside a box that scrolls or
# clips (a wide table in its scrolling box), unless absolutely positioned (they may escape it).
WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll("body *")].filter(e => {
    if (!e.getClientRects().length || e.getBoundingClientRect().right <= window.innerWidth + 0.5) return false;
    if (getComputedStyle(e).position === "absolute") return true;
    for (let box = e.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== "visible") return false;
    }
    return true;
  }).slice(0, 5).map(e => e.outerHTML.slice(0, 160))"""


def demo_ids() -> dict[str, object]:
    from sqlalchemy import select

    from network.collections.models import Collection
    from network.events.models import Event
    from network.institutions.models import Partnership
    from network.practices.models import Practice

    one = bh.demo_value
    start = one(select(Event.start_date).where(Event.kind == "training_event").order_by(Event.id))
    return {
        "practice": one(select(Practice.id).where(Practice.status == "published", Practice.visibility == "public")
                        .order_by(Practice.id)),
        "manual": one(select(Collection.id).where(Collection.title.startswith("Manual of family"))),
        "partnership": one(select(Partnership.id).order_by(Partnership.id)),
        "training_month": f"{start.year}/{start.month}",
    }


@pytest.fixture(scope="module")
def demo(request, tmp_path_factory):
    """The demo network behind a live server, indexed (a page searches); yields (server, ids)."""
    with bh.demo_network(request, tmp_path_factory.mktemp("frame"), demo_ids, indexed=True) as served:
        yield served


@pytest.fixture(scope="module")
def browser(demo):
    with bh.chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def people(demo, browser):
    """One page per person, logged in once (axe-core injected on every load), resized by each test."""
    server, ids = demo
    with bh.pages_per_person(browser, server.url, PEOPLE, ids) as page_of:
        def resized(who: str, viewport: dict):
            page = page_of(who)
            page.set_viewport_size(viewport)
            return page

        yield resized


def assert_fits(page, where: str) -> None:
    scroll_width, window_width = page.evaluate(NO_SIDEWAYS_SCROLL)
    assert scroll_width <= window_width, (f"{where}: the page is {scroll_width} px wide in a {window_width} px "
                                          f"window; wider elements: {page.evaluate(WIDER_THAN_THE_WINDOW)}")


def blocking_problems(page) -> list[dict]:
    return [v for v in bh.axe_scan(page) if v["impact"] in bh.BLOCKING_IMPACTS]


@pytest.mark.parametrize("viewport", [PHONE, ZOOMED], ids=["375 px", "200 % zoom"])
@pytest.mark.parametrize("name, who, address", PAGES, ids=[page[0] for page in PAGES])
def test_no_main_page_scrolls_sideways(demo, people, name, who, address, viewport):
    _server, ids = demo
    page = people(who, viewport)
    with bh.screenshot_on_failure(page, f"frame--{name}--{viewport['width']}"):
        response = page.goto(address.format(**ids))
        assert response.status == 200, f"{address} answered {response.status} to the {who}"
        assert_fits(page, f"{name} at {viewport['width']} px")
        page.locator(".site-menu > summary").click()
        assert page.locator("details.site-menu").evaluate("menu => menu.open")
        if who != "anonymous":
            page.locator("details.account-menu > summary").click()
            page.get_by_role("button", name="Log out").wait_for()
        assert_fits(page, f"{name} at {viewport['width']} px, menu open")


@pytest.mark.parametrize("who", ["anonymous", "professional", "site admin"])
def test_the_header_is_one_row_on_a_desktop(demo, people, who):
    page = people(who, DESKTOP)
    with bh.screenshot_on_failure(page, f"frame--one-row--{who}"):
        page.goto("/practices/")
        assert not page.locator(".site-menu > summary").is_visible()  # no "Menu" button: everything is there
        parts = [".brand", ".nav-list", ".header-search", ".language-list",
                 ".account-links" if who == "anonymous" else ".account-menu > summary"]
        middles = {css: page.locator(css).evaluate("e => { const r = e.getBoundingClientRect(); "
                                                   "return r.top + r.height / 2; }") for css in parts}
        assert max(middles.values()) - min(middles.values()) < 12, middles
        nav = page.get_by_role("navigation", name="Main")
        for name in ("Practices", "Institutions", "Partnerships", "Events"):
            assert nav.get_by_role("link", name=name, exact=True).is_visible()
        assert_fits(page, "desktop")


def test_the_phone_menu_by_keyboard_with_an_axe_scan_open(demo, people):
    from playwright.sync_api import expect

    page = people("anonymous", PHONE)
    keyboard = page.keyboard
    with bh.screenshot_on_failure(page, "frame--phone-menu-keyboard"):
        page.goto("/")
        practices = page.get_by_role("navigation", name="Main").get_by_role("link", name="Practices", exact=True)
        expect(practices).to_be_hidden()
        bh.tab_to(page, "summary", "Menu")
        keyboard.press("Enter")
        expect(practices).to_be_visible()
        # "More" is part of the list on a phone: its links are there without another button.
        expect(page.get_by_role("link", name="Self-assessment", exact=True)).to_be_visible()
        bh.tab_to(page, "a", "Practices")
        keyboard.press("Escape")  # closes the menu, the focus back on its button
        expect(practices).to_be_hidden()
        assert page.evaluate("() => document.activeElement.matches('.site-menu > summary')")
        keyboard.press("Space")
        expect(practices).to_be_visible()
        blocking = blocking_problems(page)
        assert not blocking, "home page, menu open:\n" + bh.describe_violations(blocking)
        # The languages are plain links: the page comes back in Spanish, at the same address.
        page.get_by_role("link", name="Español").click()
        page.wait_for_load_state()
        assert page.evaluate("() => document.documentElement.lang") == "es" and page.url.endswith("/")
        page.locator(".site-menu > summary").click()
        page.get_by_role("link", name="English").click()
        page.wait_for_load_state()
        assert page.evaluate("() => document.documentElement.lang") == "en"


def test_the_account_menu_by_keyboard_with_an_axe_scan_open(demo, people):
    from playwright.sync_api import expect

    page = people("site admin", DESKTOP)
    keyboard = page.keyboard
    with bh.screenshot_on_failure(page, "frame--account-menu-keyboard"):
        page.goto("/practices/")
        users = page.get_by_role("link", name="Users", exact=True)
        expect(users).to_be_hidden()
        bh.tab_to(page, ".account-menu > summary")
        keyboard.press("Enter")
        expect(users).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        blocking = blocking_problems(page)
        assert not blocking, "account menu open:\n" + bh.describe_violations(blocking)
        bh.tab_to(page, "a", "Bookmarks")
        keyboard.press("Escape")
        expect(users).to_be_hidden()
        assert page.evaluate("() => document.activeElement.matches('.account-menu > summary')")
        # "More" and the account menu: one open at a time, and a click elsewhere closes them.
        page.get_by_role("navigation", name="Main").locator(".nav-more > details > summary").click()
        expect(page.get_by_role("link", name="Collections", exact=True)).to_be_visible()
        page.locator(".account-menu > summary").click()
        expect(page.get_by_role("link", name="Collections", exact=True)).to_be_hidden()
        page.get_by_role("heading", level=1).click()
        expect(users).to_be_hidden()


def test_a_wide_table_scrolls_in_its_own_box_by_keyboard_too(demo, people):
    """On a phone the users' table is wider than the screen: it scrolls inside a box that takes the focus and
    is named by the table's caption, and the page passes the scan."""
    page = people("site admin", PHONE)
    with bh.screenshot_on_failure(page, "frame--wide-table"):
        page.goto("/admin/users")
        box = page.locator("main .table-scroll").first
        assert box.evaluate("box => box.scrollWidth > box.clientWidth")
        assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
        caption = page.locator("main table caption").first
        assert box.get_attribute("aria-labelledby") == caption.get_attribute("id")
        box.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.querySelector('main .table-scroll').scrollLeft > 0")
        assert_fits(page, "users at 375 px")
        blocking = blocking_problems(page)
        assert not blocking, "users' table on a phone:\n" + bh.describe_violations(blocking)
        page.set_viewport_size(DESKTOP)  # wide enough: no scrolling, no focus stop
        page.wait_for_function("() => !document.querySelector('main .table-scroll').hasAttribute('tabindex')")


def test_the_menus_work_without_javascript(demo, browser):
    from playwright.sync_api import expect

    server, _ids = demo
    context = browser.new_context(base_url=server.url, java_script_enabled=False, locale="en-GB",
                                  viewport=PHONE)
    try:
        page = context.new_page()
        with bh.screenshot_on_failure(page, "frame--without-javascript"):
            page.goto("/")
            practices = page.get_by_role("link", name="Practices", exact=True)
            expect(practices).to_be_hidden()
            page.locator(".site-menu > summary").click()
            expect(practices).to_be_visible()
            page.set_viewport_size(DESKTOP)
            page.goto("/institutions/")  # a new page: the menu closed, the wide row shows it all the same
            expect(page.get_by_role("link", name="Partnerships", exact=True)).to_be_visible()
            expect(page.locator(".site-menu > summary")).to_be_hidden()
            page.locator(".nav-more > details > summary").click()
            expect(page.get_by_role("link", name="Collections", exact=True)).to_be_visible()
    finally:
        context.close()
