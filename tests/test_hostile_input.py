"""Every text input takes the Big List of Naughty Strings and cross-site-scripting payloads: no 500, and no
executable markup comes back in the page. The forms take tests/hostile.py's page sample; the sanitiser and the
API's validation take the whole list (tests/practices/test_sanitize.py, tests/api/test_api_practices.py)."""
import pytest

from conftest import foreign_scripts, read_html
from hostile import XSS, kind_of, naughty_strings, page_sample


@pytest.fixture(scope="module")
def hostile_strings():
    """The page-level sample (tests/hostile.py): every markup-shaped naughty string, a few of each other kind."""
    return page_sample()


def assert_no_executable_markup(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    if not response.mimetype == "text/html":
        return
    page = read_html(response)
    # Only the site's own script files (the CSP forbids inline scripts anyway).
    assert not foreign_scripts(page)
    for element in page.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), element
            if attribute in ("href", "src", "action", "formaction"):
                value = value if isinstance(value, str) else " ".join(value)
                assert not value.strip().lower().startswith(("javascript:", "data:")), element


def test_the_sample_holds_every_markup_shaped_string_and_some_of_every_kind(hostile_strings):
    everything = naughty_strings()
    assert len(everything) > 500
    assert {text for text in everything if kind_of(text) == "markup"} <= set(hostile_strings)
    assert set(XSS) <= set(hostile_strings)
    kinds = {kind_of(text) for text in everything}
    assert {kind_of(text) for text in hostile_strings} == kinds and len(kinds) >= 6
    assert hostile_strings == page_sample()  # the same strings every run


def test_public_forms_survive_hostile_input(client, hostile_strings, make_institution):
    institution = make_institution()
    for text in hostile_strings:
        assert_no_executable_markup(client.post("/login", data={"email": text, "password": text}))
        assert_no_executable_markup(client.post("/reset-password", data={"email": text}))
        assert_no_executable_markup(
            client.post(
                "/register",
                data={"name": text, "email": text, "institution": str(institution.id),
                      "password": "long enough password", "confirm": "long enough password"},
            )
        )
        assert_no_executable_markup(client.get("/institutions/", query_string={"country": text, "sector": text}))
        assert_no_executable_markup(client.get("/login", query_string={"next": text}))


def test_registered_names_and_institution_texts_are_shown_escaped(client, auth, users, hostile_strings):
    auth.login(users["site_admin"])
    for text in hostile_strings:
        response = client.post(
            "/institutions/new",
            data={"name": text or "x", "country": "ES", "city": text, "sectors": ["social"], "languages": ["es"],
                  "description": text, "website": "", "contact_email": ""},
        )
        assert_no_executable_markup(response)
        if response.status_code == 302:
            assert_no_executable_markup(client.get(response.location))
        assert_no_executable_markup(client.get("/admin/users", query_string={"q": text, "role": text}))
        assert_no_executable_markup(
            client.get("/admin/audit", query_string={"action": text, "since": text, "until": text})
        )
    assert_no_executable_markup(client.get("/institutions/"))
    assert_no_executable_markup(client.get("/admin/audit"))


def test_practice_form_and_pages_survive_hostile_input(client, auth, users, hostile_strings):
    author = users["professional"]
    auth.login(author)
    institution = author.institution
    for number, text in enumerate(hostile_strings):
        response = client.post("/practices/new", data={
            "title": text, "summary": text, "context": text, "target_group": text, "methods": text,
            "outcomes": text, "lessons": text, "tags": text, "external_ref": text[:100], "external_link": text,
            "sectors": ["social"], "country": institution.country, "language": "es",
            "institution": institution.slug, "status": "published", "visibility": "public",
        })
        assert_no_executable_markup(response)
        if response.status_code == 302:
            assert_no_executable_markup(client.get(response.location))
        query = {"q": text, "tag": text, "sort": text}
        assert client.get("/practices/", query_string=query).status_code == 200
        if number % 10 == 0:  # the parse is the slow part; the markup check on a sample is enough here
            assert_no_executable_markup(client.get("/practices/", query_string=query))
    assert_no_executable_markup(client.get("/practices/?per_page=100"))
    feed = client.get("/practices/feed.atom")
    assert feed.status_code == 200
    from xml.etree import ElementTree

    ElementTree.fromstring(feed.data)  # still well-formed XML whatever people wrote
