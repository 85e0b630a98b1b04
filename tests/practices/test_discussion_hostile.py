"""Comments take the Big List of Naughty Strings and cross-site-scripting payloads: no 500, and no
executable markup comes back on the practice page, the edit form, the flag queue or the notifications.
The page sample of tests/hostile.py; the whole list goes through the sanitiser in test_sanitize.py."""
import contextvars

import pytest
from flask.testing import FlaskClient

from conftest import PASSWORD, read_html
from hostile import XSS, page_sample
from network.practices import discussion


@pytest.fixture(scope="module")
def hostile_strings():
    return page_sample()


class OwnContextClient(FlaskClient):
    """Every request in its own app context, as on a real server (see tests/auth/test_login.py)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


def client_for(app, user):
    app.test_client_class = OwnContextClient
    client = app.test_client()
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def assert_no_executable_markup(response):
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    page = read_html(response)
    # The site's own scripts only (files under /static/, nothing inline): none comes from what people wrote.
    assert all(s.get("src", "").startswith("/static/") and not s.string for s in page.find_all("script"))
    assert page.find(["iframe", "style", "img", "svg", "object", "embed"]) is None
    for element in page.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), element
            if attribute in ("href", "src", "action", "formaction"):
                value = value if isinstance(value, str) else " ".join(value)
                assert not value.strip().lower().startswith(("javascript:", "data:")), element


def test_every_hostile_comment_is_saved_or_refused_and_shown_inert(app, users, make_practice,
                                                                  hostile_strings):
    author = users["professional"]
    commenter = client_for(app, users["outsider"])
    saved = 0
    # A practice per hundred strings keeps each page (rendered again after every refusal) small.
    for start in range(0, len(hostile_strings), 100):
        practice = make_practice(author.institution, actor=author, title=f"Practice {start}")
        url = f"/practices/{practice.id}/comments"
        for text in hostile_strings[start:start + 100]:
            response = commenter.post(url, data={"body": text})
            assert response.status_code in (302, 422), (text, response.status_code)
            if response.status_code == 422:  # empty once trimmed: the page comes back with the text
                assert_no_executable_markup(response)
            saved += response.status_code == 302
        page = commenter.get(f"/practices/{practice.id}")
        assert_no_executable_markup(page)
    assert saved > len(hostile_strings) * 0.9  # all but the few that are empty once trimmed

    # Replies, edits and flag reasons take the same strings, and so do the pages that show them.
    practice = make_practice(author.institution, actor=author, title="Replies and edits")
    url = f"/practices/{practice.id}/comments"
    first = discussion.add_comment(users["coordinator"], practice, "Start")
    for text in hostile_strings[:60] + XSS:
        assert_no_executable_markup(commenter.post(url, data={"body": text, "parent_id": str(first.id)}))
        theirs = discussion.add_comment(users["coordinator"], practice, "theirs")
        assert_no_executable_markup(commenter.post(f"{url}/{theirs.id}/flag", data={"reason": text}))
        own = commenter.post(url, data={"body": "mine"})
        comment_id = own.location.rsplit("-", 1)[-1]
        assert_no_executable_markup(commenter.post(f"{url}/{comment_id}/edit", data={"body": text}))
        assert_no_executable_markup(commenter.get(f"{url}/{comment_id}/edit"))
    assert_no_executable_markup(commenter.get(f"/practices/{practice.id}"))
    moderator = client_for(app, users["institution_admin"])
    assert_no_executable_markup(moderator.get("/practices/flags"))
    assert_no_executable_markup(moderator.get(f"/practices/{practice.id}"))
    author_client = client_for(app, author)
    assert_no_executable_markup(author_client.get("/notifications"))
    assert_no_executable_markup(author_client.get("/account/data"))


def test_hostile_rejected_comments_keep_their_text_escaped(app, users, make_practice):
    practice = make_practice(users["professional"].institution, actor=users["professional"])
    client = client_for(app, users["outsider"])
    text = "</textarea><script>alert(1)</script>" + "x" * 5000
    response = client.post(f"/practices/{practice.id}/comments", data={"body": text})
    assert response.status_code == 422
    assert_no_executable_markup(response)
    assert read_html(response).select_one("textarea#body").get_text().strip() == text
