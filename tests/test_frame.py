"""The frame every page shares (templates/base.html, issue 23): the header's links for each kind of person, its
menus as <details> disclosures that work without JavaScript, the language switcher's plain links and the
route behind them, the initials avatars and the vendored icons."""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import render_template_string

from conftest import read_html
from network import permissions
from network.auth import services as accounts
from network.extensions import db
from network.notifications.models import Notification

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "network" / "static" / "icons"
SITE_CSS = ROOT / "network" / "static" / "css" / "site.css"
PAGE = "/practices/"  # any page with the frame; the home page has its own tests

SECTIONS = {"/practices/": "Practices", "/institutions/": "Institutions", "/partnerships/": "Partnerships",
            "/events/": "Events", "/collections/": "Collections", "/courses/": "Courses",
            "/self-assessment/": "Self-assessment"}
MEMBER_SECTIONS = {"/mobility/": "Mobility", "/essays/": "Essays"}
ACCOUNT_LINKS = {"/account": "My account", "/notifications": "Notifications (0)",
                 "/practices/bookmarks": "Bookmarks", "/evaluation/surveys/mine": "My surveys"}
# Who sees which administration link: the rule in network.permissions, and the link's name.
ADMIN_LINKS = {
    "/admin/memberships": (permissions.can_review_memberships, "Membership requests"),
    "/admin/users": (permissions.can_manage_users, "Users"),
    "/admin/audit": (permissions.can_read_audit_log, "Audit log"),
    "/self-assessment/admin/": (permissions.can_edit_questionnaire, "Self-assessment questionnaire"),
    "/evaluation/templates": (permissions.can_see_survey_templates, "Survey templates"),
    "/admin/jobs": (permissions.can_see_background_jobs, "Background jobs"),
}


def header_of(response):
    assert response.status_code == 200
    return read_html(response).find("header", class_="site-header")


def link_names(element) -> dict[str, str]:
    """href -> the link's text as a screen reader reads it (aria-hidden parts left out)."""
    names = {}
    for link in element.find_all("a", href=True):
        for hidden in link.find_all(attrs={"aria-hidden": "true"}):
            hidden.extract()
        names[link["href"]] = " ".join(link.get_text(" ", strip=True).split())
    return names


def without_languages(names: dict[str, str]) -> dict[str, str]:
    return {href: name for href, name in names.items() if not href.startswith("/language/")}


def test_a_visitor_s_header(client):
    header = header_of(client.get(PAGE))
    menu = header.find("details", class_="site-menu")
    assert menu.summary.get_text(strip=True) == "Menu" and not menu.has_attr("open")  # closed: a phone's menu
    nav = menu.find("nav", attrs={"aria-label": "Main"})
    assert without_languages(link_names(nav)) == {**SECTIONS, "/login": "Log in", "/register": "Register"}
    more = nav.find("li", class_="nav-more").details
    assert set(link_names(more)) == {"/collections/", "/courses/", "/self-assessment/"}
    search = nav.find("form", role="search")
    assert search["method"] == "get" and search["action"] == "/search"
    assert search.find("label", attrs={"for": "header-search-q"}).get_text() == "Search"
    assert search.button.get_text(strip=True) == "Search"  # the icon beside it is aria-hidden
    # No account menu, no form that needs a token: the page is the same for every visitor (page cache).
    assert header.find(class_="account-menu") is None and header.find("input", attrs={"name": "csrf_token"}) is None
    assert header.find("a", class_="brand")["href"] == "/"


@pytest.mark.parametrize("role", ["professional", "outsider", "institution_admin", "coordinator", "evaluator",
                                  "site_admin"])
def test_a_member_s_header_keeps_every_link_for_the_same_people(client, auth, users, role):
    person = users[role]
    auth.login(person)
    header = header_of(client.get(PAGE))
    nav = header.find("nav", attrs={"aria-label": "Main"})
    group_results = ({"/self-assessment/groups": "Group results"}
                     if permissions.reads_some_assessment_aggregates(person) else {})
    administration = {href: name for href, (rule, name) in ADMIN_LINKS.items() if rule(person)}

    names = without_languages(link_names(nav))
    account_menu = nav.find("details", class_="account-menu")
    assert names == {**SECTIONS, **MEMBER_SECTIONS, **group_results, **ACCOUNT_LINKS,
                     "/account": f"My account ({person.name})", **administration}
    assert set(without_languages(link_names(account_menu))) == set(ACCOUNT_LINKS) | set(administration)
    assert "/login" not in names and "/register" not in names

    # The menu's button: the initials in a circle (hidden from screen readers), the name in text.
    summary = account_menu.summary
    assert summary.find(class_="avatar")["aria-hidden"] == "true"
    first, *_middle, last = person.name.split()
    assert summary.find(class_="avatar").get_text() == (first[0] + last[0]).upper()
    assert summary.find(class_="visually-hidden").get_text() == f"Account menu of {person.name}"

    heading = account_menu.find(id="admin-links-heading")
    if administration:
        assert heading.get_text(strip=True) == "Administration"
        assert account_menu.find("ul", attrs={"aria-labelledby": "admin-links-heading"})
    else:
        assert heading is None

    logout = account_menu.find("form", action="/logout")
    assert logout["method"] == "post" and logout.find("input", attrs={"name": "csrf_token"})
    assert logout.button.get_text(strip=True) == "Log out"


def test_the_site_admin_and_a_professional(client, auth, users):
    """The table above, read from the rules, says what the rules say: here it is in plain words."""
    auth.login(users["site_admin"])
    shown = link_names(header_of(client.get(PAGE)).find(class_="account-menu"))
    assert {"/admin/users", "/admin/audit", "/admin/jobs", "/admin/memberships"} <= set(shown)
    auth.logout()
    auth.login(users["professional"])
    shown = link_names(header_of(client.get(PAGE)).find(class_="account-menu"))
    assert not any(href.startswith("/admin/") for href in shown)


def test_unread_notifications_show_on_the_account_menu_s_button(client, auth, users):
    person = users["professional"]
    for n in range(3):
        db.session.add(Notification(user_id=person.id, kind="comment", message=f"Message {n}", link="/"))
    db.session.commit()
    auth.login(person)
    summary = header_of(client.get(PAGE)).find("details", class_="account-menu").summary
    assert summary.find(class_="count-badge").get_text() == "3"
    assert summary.find(class_="count-badge")["aria-hidden"] == "true"
    assert "3 unread notifications" in [span.get_text() for span in summary.select(".visually-hidden")]
    assert link_names(summary.find_parent("details"))["/notifications"] == "Notifications (3)"


def test_the_header_has_no_badge_without_unread_notifications(client, auth, users):
    auth.login(users["professional"])
    assert header_of(client.get(PAGE)).find(class_="count-badge") is None


# --- the language switcher ------------------------------------------------------------------------------


def language_links(header) -> dict[str, object]:
    return {link["hreflang"]: link for link in header.select(".language-list a")}


def test_the_switcher_is_a_link_per_language_named_in_itself(client):
    header = header_of(client.get("/practices/?sector=social", headers={"Accept-Language": "it"}))
    links = language_links(header)
    names = {code: link.find(class_="language-name").get_text() for code, link in links.items()}
    assert names == {"en": "English", "es": "Español", "fr": "Français", "it": "Italiano"}
    assert {code: link["lang"] for code, link in links.items()} == {code: code for code in links}
    assert [code for code, link in links.items() if link.get("aria-current") == "true"] == ["it"]
    for code, link in links.items():
        address = urlsplit(link["href"])
        assert address.path == f"/language/{code}"
        assert parse_qs(address.query) == {"next": ["/practices/?sector=social"]}
        assert link["rel"] == ["nofollow"]
    label = header.find(id=header.find("ul", class_="language-list")["aria-labelledby"])
    assert label.get_text(strip=True) == "Lingua"
    assert header.find("select") is None  # no select and button any more


def test_a_page_without_a_query_comes_back_without_a_question_mark(client):
    link = language_links(header_of(client.get("/institutions/")))["fr"]
    assert parse_qs(urlsplit(link["href"]).query) == {"next": ["/institutions/"]}


def test_following_a_language_link(client):
    response = client.get("/language/es?next=/practices/?sector=social", headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 303 and response.headers["Location"] == "/practices/?sector=social"
    assert response.headers["Cache-Control"] == "no-store"
    page = read_html(client.get("/", headers={"Accept-Language": "fr"}))
    assert page.html["lang"] == "es" and page.find("a", href="/practices/").get_text() == "Prácticas"
    # Typed or bookmarked (Sec-Fetch-Site: none), or from a browser that does not say: it works too.
    client.get("/language/it", headers={"Sec-Fetch-Site": "none"})
    assert read_html(client.get("/institutions/")).html["lang"] == "it"
    client.get("/language/fr")
    assert read_html(client.get("/institutions/")).html["lang"] == "fr"


def test_a_logged_in_choice_by_link_is_saved_on_the_account(client, auth, users):
    person = users["professional"]
    auth.login(person)
    assert client.get("/language/fr?next=/account").headers["Location"] == "/account"
    db.session.refresh(person)
    assert person.locale == "fr"


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_link_on_another_site_changes_nothing(client, auth, users, site):
    person = users["professional"]
    accounts.set_locale(person, "es")
    auth.login(person)
    response = client.get("/language/it?next=/practices/", headers={"Sec-Fetch-Site": site})
    assert response.status_code == 303 and response.headers["Location"] == "/practices/"
    db.session.refresh(person)
    assert person.locale == "es"
    assert read_html(client.get("/practices/")).html["lang"] == "es"


@pytest.mark.parametrize("target", ["https://elsewhere.example/", "//elsewhere.example/", "/\\elsewhere.example",
                                    "javascript:alert(1)", ""])
def test_a_language_link_never_leaves_the_site(client, target):
    response = client.get("/language/fr", query_string={"next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert read_html(client.get("/institutions/")).html["lang"] == "fr"


def test_an_unknown_language_changes_nothing(client):
    response = client.get("/language/xx?next=/institutions/", headers={"Accept-Language": "it"})
    assert response.status_code == 303 and response.headers["Location"] == "/institutions/"
    assert read_html(client.get("/institutions/", headers={"Accept-Language": "it"})).html["lang"] == "it"


def test_the_switcher_s_form_still_works(client):
    """The POST route stays (scripts, bookmarked forms): it still needs nothing more than before."""
    response = client.post("/language", data={"locale": "es", "next": "/institutions/"})
    assert response.status_code == 303 and response.headers["Location"] == "/institutions/"
    assert read_html(client.get("/institutions/")).html["lang"] == "es"


def test_the_visitor_s_header_is_cacheable(csrf_app, client):
    """A visitor's page carries no token any more (the switcher was its only form): its HTML is the same for
    everyone, whatever the session."""
    first = client.get("/institutions/").get_data(as_text=True)
    other = csrf_app.test_client().get("/institutions/").get_data(as_text=True)
    assert "csrf_token" not in first and first == other


# --- avatars and icons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "initials"), [
    ("Ana María López García", "AG"), ("Zoë", "Z"), ("  jean   dupont ", "JD"), ("Łukasz Żak", "ŁŻ"), ("", "?"),
])
def test_an_avatar_holds_the_initials_and_hides_from_screen_readers(app, name, initials):
    with app.test_request_context():
        html = render_template_string('{% from "_frame.html" import avatar %}{{ avatar(name) }}', name=name)
    span = read_html_text(html).span
    assert span.get_text() == initials and span["aria-hidden"] == "true"
    assert re.fullmatch(r"avatar avatar-[0-5]", " ".join(span["class"]))


def test_the_same_name_gets_the_same_colour(app):
    with app.test_request_context():
        template = '{% from "_frame.html" import avatar %}{{ avatar(name) }}'
        assert (render_template_string(template, name="Eva Evaluator")
                == render_template_string(template, name="Eva Evaluator"))


def read_html_text(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def icons_used() -> set[str]:
    templates = (ROOT / "templates").rglob("*.html")
    used = set()
    for template in templates:
        used |= set(re.findall(r"""icon\(["']([\w-]+)["']\)""", template.read_text()))
    return used


def test_every_icon_a_page_uses_is_vendored_with_its_licence():
    css = SITE_CSS.read_text()
    styled = set(re.findall(r"\.icon-([\w-]+) \{[^}]*mask-image: url\(\.\./icons/([\w-]+)\.svg\)", css))
    assert all(name == file for name, file in styled)
    styled_names = {name for name, _file in styled}
    files = {path.stem for path in ICONS.glob("*.svg")}
    assert icons_used() <= styled_names == files  # each icon used has its rule, each rule its file
    assert (ICONS / "LICENSE").read_text().startswith("ISC License")
    readme = (ICONS / "README.md").read_text()
    version = re.search(r"lucide-static` version (\d+\.\d+\.\d+)", readme).group(1)
    for path in ICONS.glob("*.svg"):
        text = path.read_text()
        assert f"lucide-static v{version}" in text, path.name
        assert "<script" not in text and "href" not in text, path.name


def test_icons_beside_words_are_hidden_from_screen_readers(client, auth, users):
    auth.login(users["site_admin"])
    header = header_of(client.get(PAGE))
    icons = header.select(".icon")
    assert len(icons) >= 8
    assert all(icon.get("aria-hidden") == "true" and not icon.get_text(strip=True) for icon in icons)


def test_the_frame_s_script_is_served_from_this_site(client):
    page = read_html(client.get(PAGE))
    scripts = [tag["src"] for tag in page.find_all("script", src=True)]
    # Under its fingerprinted address (network/static_files.py): /static/<digest>/js/frame.js.
    frame = [src for src in scripts if src.startswith("/static/") and src.endswith("/js/frame.js")]
    assert len(frame) == 1
    with client.get(frame[0]) as script:
        assert script.status_code == 200 and "details" in script.get_data(as_text=True)
