"""Practice pages as each kind of visitor sees them."""
import pytest
from sqlalchemy import func, select

from conftest import practice_data, read_html
from network.extensions import db
from network.practices.models import Practice


def form_data(institution, **overrides):
    data = practice_data(institution, **overrides)
    values = {name: getattr(data, name) for name in (
        "title", "summary", "context", "target_group", "objectives", "methods", "resources", "outcomes", "lessons",
        "country", "language", "institution", "status", "visibility", "external_ref", "external_link")}
    values.update(sectors=data.sectors, intervention_types=data.intervention_types, tags=", ".join(data.tags))
    return values


@pytest.fixture
def practices(users, make_practice):
    home = users["professional"].institution
    return {
        "public": make_practice(home, actor=users["professional"], title="Public practice"),
        "members": make_practice(home, title="Members practice", visibility="members"),
        "draft": make_practice(home, title="Draft practice", status="draft"),
        "archived": make_practice(home, title="Archived practice", status="archived"),
    }


EXPECTED_VIEW = {
    # who -> which practices' pages open (others are 404)
    None: {"public"},
    "pending": {"public"},
    "outsider": {"public", "members"},
    "evaluator": {"public", "members"},
    "professional": {"public", "members", "draft", "archived"},
    "institution_admin": {"public", "members", "draft", "archived"},
    "site_admin": {"public", "members", "draft", "archived"},
}


@pytest.mark.parametrize("who", list(EXPECTED_VIEW))
def test_who_sees_which_practice(client, auth, users, practices, who):
    if who:
        auth.login(users[who])
    for name, practice in practices.items():
        status = client.get(f"/practices/{practice.id}").status_code
        assert status == (200 if name in EXPECTED_VIEW[who] else 404), (who, name)
    listed = read_html(client.get("/practices/")).get_text()
    assert ("Public practice" in listed) and (("Members practice" in listed) == (who not in (None, "pending")))
    assert "Draft practice" not in listed  # drafts are listed only when asked for


@pytest.mark.parametrize("who, status", [
    (None, 302), ("pending", 403), ("outsider", 403), ("evaluator", 403),
    ("professional", 200), ("institution_admin", 200), ("site_admin", 200),
])
def test_who_may_edit(client, auth, users, practices, who, status):
    if who:
        auth.login(users[who])
    assert client.get(f"/practices/{practices['public'].id}/edit").status_code == status


def test_a_member_writes_previews_and_saves_a_practice(client, auth, users):
    author = users["professional"]
    auth.login(author)
    data = form_data(author.institution, context="Started with **five** families.")
    preview = client.post("/practices/new", data={**data, "preview": "1"})
    assert preview.status_code == 200
    assert read_html(preview).select_one(".preview strong").get_text() == "five"
    assert db.session.scalar(select(func.count(Practice.id))) == 0
    saved = client.post("/practices/new", data=data)
    assert saved.status_code == 302
    practice = db.session.scalar(select(Practice))
    assert practice.authors == [author] and practice.tag_names == ["interfamily groups"]
    page = read_html(client.get(saved.location))
    assert page.h1.get_text() == data["title"]
    assert page.find("article")["lang"] == "es"


def test_a_rejected_practice_keeps_everything_typed(client, auth, users):
    auth.login(users["professional"])
    data = form_data(users["professional"].institution, summary="x" * 501, methods="",
                     context="My long context that must not be lost")
    response = client.post("/practices/new", data=data)
    assert response.status_code == 422
    page = read_html(response)
    # WTForms starts a textarea with a newline, which browsers drop.
    assert page.find(id="context").get_text().lstrip("\r\n") == "My long context that must not be lost"
    assert page.find(id="title")["value"] == data["title"]
    assert "at most 500 characters" in page.find(id="summary-error").get_text()
    assert "required" in page.find(id="methods-error").get_text()
    assert db.session.scalar(select(func.count(Practice.id))) == 0


def test_a_member_cannot_publish_for_another_institution(client, auth, users):
    auth.login(users["outsider"])
    response = client.post("/practices/new", data=form_data(users["professional"].institution))
    assert response.status_code == 422
    assert "your own institution" in response.get_data(as_text=True)


def test_edit_keeps_revisions_and_the_revision_page_shows_the_change(client, auth, users, practices):
    practice = practices["public"]
    auth.login(users["institution_admin"])
    data = form_data(practice.institution, title="Public practice, revised")
    assert client.post(f"/practices/{practice.id}/edit", data=data).status_code == 302
    page = client.get(f"/practices/{practice.id}/revisions").get_data(as_text=True)
    assert "Public practice, revised" in page and "<ins>" in page and "<del>" in page


def test_status_changes_and_review_badge(client, auth, users, practices):
    draft = practices["draft"]
    auth.login(users["professional"])
    client.post(f"/practices/{draft.id}/status", data={"status": "published"})
    assert db.session.get(Practice, draft.id).status == "published"
    auth.logout()
    auth.login(users["evaluator"])
    client.post(f"/practices/{draft.id}/review", data={"reviewed": "1"})
    page = read_html(client.get(f"/practices/{draft.id}"))
    assert page.select_one(".badge-ok").get_text() == "Reviewed"
    assert "Reviewed" in client.get("/practices/?evidence=reviewed").get_data(as_text=True)


def test_only_evaluators_review_and_only_admins_delete(client, auth, users, practices):
    practice_id = practices["public"].id
    auth.login(users["professional"])
    assert client.post(f"/practices/{practice_id}/review", data={"reviewed": "1"}).status_code == 403
    assert client.post(f"/practices/{practice_id}/delete").status_code == 403
    auth.logout()
    auth.login(users["institution_admin"])
    assert client.post(f"/practices/{practice_id}/delete").status_code == 302
    assert db.session.get(Practice, practice_id) is None


def test_sections_are_rendered_safely(client, make_practice, users):
    practice = make_practice(users["professional"].institution,
                             methods="<script>alert(1)</script>[x](javascript:alert(1)) **ok**")
    page = read_html(client.get(f"/practices/{practice.id}"))
    assert page.select_one("#section-methods + .prose script") is None
    assert all(s.get("src", "").startswith("/static/") and not s.string for s in page.find_all("script"))
    assert not any(a.get("href", "").startswith("javascript:") for a in page.find_all("a"))
    assert page.select_one("#section-methods + .prose strong").get_text() == "ok"


def test_translations_are_linked_and_the_original_labelled(client, make_practice, users):
    home = users["professional"].institution
    original = make_practice(home, language="es", title="Grupos interfamiliares")
    english = make_practice(home, language="en", title="Interfamily groups", translation_of_id=original.id)
    page = read_html(client.get(f"/practices/{original.id}"))
    assert "Original language: Spanish" in page.get_text()
    assert page.find("main").find("a", hreflang="en")["href"] == f"/practices/{english.id}"
    assert "Translation (English)" in read_html(client.get(f"/practices/{english.id}")).get_text()


def test_institution_page_lists_its_published_practices(client, practices):
    slug = practices["public"].institution.slug
    text = client.get(f"/institutions/{slug}").get_data(as_text=True)
    assert "Public practice" in text and "Draft practice" not in text and "Members practice" not in text


def test_atom_feed_lists_public_published_practices(client, practices, make_practice, make_institution):
    other = make_institution(name="Elsewhere")
    make_practice(other, title="Elsewhere practice")
    from xml.etree import ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    response = client.get("/practices/feed.atom")
    assert response.mimetype == "application/atom+xml"
    titles = [e.text for e in ET.fromstring(response.data).findall("a:entry/a:title", ns)]
    assert set(titles) == {"Public practice", "Elsewhere practice"}
    one = ET.fromstring(client.get(f"/practices/feed.atom?institution={other.slug}").data)
    assert [e.text for e in one.findall("a:entry/a:title", ns)] == ["Elsewhere practice"]
    assert client.get("/practices/feed.atom?institution=nope").status_code == 404


def test_list_sorting_and_pagination(client, make_practice, users):
    home = users["professional"].institution
    for n in range(25):
        make_practice(home, title=f"Practice {n:02d}")
    first = read_html(client.get("/practices/?sort=title"))
    titles = [a.get_text() for a in first.select(".card-title a")]
    assert titles[:2] == ["Practice 00", "Practice 01"] and len(titles) == 20
    assert "25 practices" in first.get_text()
    second = read_html(client.get("/practices/?sort=title&page=2"))
    assert [a.get_text() for a in second.select(".card-title a")][0] == "Practice 20"


def test_tag_suggestions_hold_only_the_tags_of_practices_the_reader_may_see(client, auth, make_practice, users):
    """A draft's tags are its institution's business: not suggested to visitors nor to other institutions."""
    home = users["professional"].institution
    make_practice(home, actor=users["professional"], status="draft", tags=["kinship-secret-plan"])
    make_practice(home, actor=users["professional"], status="published", tags=["open family circles"])

    def suggested(address):
        page = read_html(client.get(address))
        return {option["value"] for option in page.select("datalist option")}

    assert "open family circles" in suggested("/practices/")
    assert "kinship-secret-plan" not in suggested("/practices/")
    auth.login(users["outsider"])
    assert "kinship-secret-plan" not in suggested("/practices/new")
    auth.logout()
    auth.login(users["professional"])
    assert "kinship-secret-plan" in suggested("/practices/new")
