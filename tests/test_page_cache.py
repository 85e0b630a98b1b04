"""The whole-page cache for anonymous visitors: who is served from it, what it keeps, and when it lets go."""
from __future__ import annotations

import pytest
from flask import template_rendered

from conftest import IsolatedClient, practice_data, read_html
from network import page_cache
from network.extensions import db
from network.practices import discussion
from network.practices import services as practices


@pytest.fixture
def cached(app):
    app.config["PAGE_CACHE_SECONDS"] = 30
    return app


@pytest.fixture
def renders(app):
    """Names of the templates rendered since the test began (a hit renders none)."""
    seen: list[str] = []

    def record(sender, template, context, **extra):
        seen.append(template.name)

    template_rendered.connect(record, app)
    yield seen
    template_rendered.disconnect(record, app)


def other_client(app):
    """A second browser, with its own cookie jar."""
    app.test_client_class = IsolatedClient
    return app.test_client()


def entries(app) -> list:
    cache = app.extensions.get("page_cache")
    return list(cache.values()) if cache is not None else []


def test_a_second_anonymous_view_of_a_page_is_served_from_the_cache(cached, client, make_institution,
                                                                    make_practice, renders):
    practice = make_practice(make_institution(), title="Walking groups for carers")
    url = f"/practices/{practice.id}"

    first = client.get(url)
    assert first.status_code == 200 and first.headers["X-Page-Cache"] == "miss"
    rendered = len(renders)
    assert rendered > 0

    second = other_client(cached).get(url)
    assert second.status_code == 200 and second.headers["X-Page-Cache"] == "hit"
    assert len(renders) == rendered
    assert "Walking groups for carers" in second.get_data(as_text=True)
    # The same headers a fresh render gives (the security headers come from after_request either way).
    for name in ("Content-Type", "Content-Security-Policy", "X-Frame-Options", "Vary"):
        assert second.headers.get(name) == first.headers.get(name)

    assert client.head(url).headers["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("url", ["/", "/practices/", "/institutions/", "/collections/"])
def test_the_pages_visitors_read_most_are_cached(cached, client, make_institution, url):
    make_institution()
    assert client.get(url).headers["X-Page-Cache"] == "miss"
    assert client.get(url).headers["X-Page-Cache"] == "hit"


def test_query_strings_and_locales_are_different_entries(cached, client, make_institution, make_practice):
    make_practice(make_institution())
    assert client.get("/practices/").headers["X-Page-Cache"] == "miss"
    assert client.get("/practices/?sector=social").headers["X-Page-Cache"] == "miss"
    assert client.get("/practices/?sector=social").headers["X-Page-Cache"] == "hit"

    english = client.get("/practices/", headers={"Accept-Language": "en"})
    spanish = client.get("/practices/", headers={"Accept-Language": "es"})
    assert english.headers["X-Page-Cache"] == "hit"
    assert spanish.headers["X-Page-Cache"] == "miss"
    assert read_html(spanish).html["lang"] == "es" and read_html(english).html["lang"] == "en"
    assert client.get("/practices/", headers={"Accept-Language": "es"}).headers["X-Page-Cache"] == "hit"
    assert len(entries(cached)) == 3


def csrf_tokens(response) -> set[str]:
    return {tag["value"] for tag in read_html(response).select("input[name=csrf_token]")}


def test_a_visitor_served_from_the_cache_gets_their_own_csrf_token(csrf_app, cached, client):
    """A cached page that holds a form (none does since the header's language switcher became links: a
    page with the marker is made here) gets each reader's own token."""
    first = client.get("/")
    assert first.headers["X-Page-Cache"] == "miss"
    assert csrf_tokens(first) == set()  # the visitors' pages hold no token: nothing to swap
    for entry in entries(csrf_app):
        assert page_cache.CSRF_MARKER not in entry.body and not entry.has_csrf_token

    second_browser = other_client(csrf_app)
    switched = second_browser.get("/language/es?next=/")
    assert switched.status_code == 303
    in_spanish = second_browser.get("/")
    assert read_html(in_spanish).html["lang"] == "es"
    assert in_spanish.headers["X-Page-Cache"] == "miss"


def test_a_page_showing_a_flashed_message_is_neither_served_from_nor_stored_in_the_cache(cached, client):
    assert client.get("/").headers["X-Page-Cache"] == "miss"
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Your comment was added.")]

    with_message = client.get("/")
    assert "X-Page-Cache" not in with_message.headers
    assert "Your comment was added." in with_message.get_data(as_text=True)
    after = client.get("/")
    assert after.headers["X-Page-Cache"] == "hit"
    assert "Your comment was added." not in after.get_data(as_text=True)
    assert all(b"Your comment was added." not in entry.body for entry in entries(cached))


def test_a_page_that_flashes_while_it_renders_is_not_stored(cached, client, monkeypatch):
    from flask import flash

    from network.page_cache import cached_for_visitors

    @cached_for_visitors
    def flashing():
        flash("Only for you", "info")
        return "<p>Done.</p>"

    # The home page becomes one that flashes (the app is shared by the tests of this process: no new route).
    home, _arguments = cached.url_map.bind("localhost").match("/")
    monkeypatch.setitem(cached.view_functions, home, flashing)
    assert client.get("/").headers["X-Page-Cache"] == "miss"
    # The message now waits in the session: that visitor's next page is theirs alone.
    assert client.get("/").headers.get("X-Page-Cache") is None
    assert entries(cached) == []


def test_error_pages_are_not_cached(cached, client):
    for _ in range(2):
        response = client.get("/practices/999999")
        assert response.status_code == 404
        assert response.headers.get("X-Page-Cache") != "hit"
    assert entries(cached) == []


def test_logged_in_people_never_use_the_cache(cached, client, auth, make_user, renders):
    anonymous = other_client(cached)
    anonymous.get("/")
    assert anonymous.get("/").headers["X-Page-Cache"] == "hit"
    stored = len(entries(cached))

    user = make_user()
    assert auth.login(user).status_code == 302
    for _ in range(2):
        page = client.get("/")
        assert page.status_code == 200 and "X-Page-Cache" not in page.headers
        assert "Log out" in page.get_data(as_text=True)
    assert len(entries(cached)) == stored
    assert "Log in" in anonymous.get("/").get_data(as_text=True)


def test_an_edited_practice_is_shown_fresh_at_once(cached, client, make_institution, make_practice):
    owner = make_institution()
    practice = make_practice(owner, title="Old title for the cache")
    url = f"/practices/{practice.id}"
    client.get(url)
    assert client.get(url).headers["X-Page-Cache"] == "hit"
    generation = page_cache.read_generation()

    practices.update_practice(None, practice, practice_data(owner, title="New title for the cache"))

    assert page_cache.read_generation() != generation
    page = client.get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "New title for the cache" in page.get_data(as_text=True)
    assert "Old title for the cache" not in page.get_data(as_text=True)


def test_a_practice_made_members_only_disappears_at_once(cached, client, make_institution, make_practice):
    owner = make_institution()
    practice = make_practice(owner, title="Soon for members only")
    url = f"/practices/{practice.id}"
    client.get(url)
    assert "Soon for members only" in client.get("/practices/").get_data(as_text=True)
    assert client.get("/practices/").headers["X-Page-Cache"] == "hit"

    practices.update_practice(None, practice, practice_data(owner, title="Soon for members only",
                                                            visibility="members"))

    assert client.get(url).status_code == 404
    assert "Soon for members only" not in client.get("/practices/").get_data(as_text=True)


def test_the_facet_counts_beside_a_list_follow_an_update_at_once(cached, make_institution, make_practice):
    cached.config["PRACTICE_FACETS_CACHE_SECONDS"] = 30
    owner = make_institution(country="PT")
    practice = make_practice(owner, title="Counted in Portugal", country="PT")
    everything = practices.PracticeFilters()
    assert practices.facet_counts(None, everything)["country"] == {"PT": 1}

    practices.update_practice(None, practice, practice_data(owner, title="Counted in Portugal",
                                                            country="PT", visibility="members"))

    assert practices.facet_counts(None, everything)["country"] == {}

def test_a_deleted_practice_disappears_at_once(cached, client, make_institution, make_practice):
    practice = make_practice(make_institution())
    url = f"/practices/{practice.id}"
    client.get(url)
    practices.delete_practice(None, practice)
    assert client.get(url).status_code == 404


def test_a_change_only_to_linked_rows_counts_as_an_update(cached, client, make_institution, make_practice):
    """Removing a tag deletes a row of practice_tags and changes no column of the practice."""
    owner = make_institution()
    practice = make_practice(owner, tags=["hedgehog walks"])
    generation = page_cache.read_generation()
    practices.update_practice(None, practice, practice_data(owner, tags=[]))
    assert page_cache.read_generation() != generation


def test_an_addition_alone_keeps_the_cache_and_appears_once_the_page_expires(
        cached, client, make_institution, make_practice, make_user):
    owner = make_institution()
    practice = make_practice(owner)
    url = f"/practices/{practice.id}"
    client.get(url)
    generation = page_cache.read_generation()

    discussion.add_comment(make_user(institution=owner), practice, "A comment about hedgehogs")

    # Only inserts: the generation stays, so the other cached pages keep being served.
    assert page_cache.read_generation() == generation
    cached.extensions["page_cache"].expire(time=cached.extensions["page_cache"].timer() + 60)
    page = client.get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert "A comment about hedgehogs" in page.get_data(as_text=True)


def test_a_rolled_back_update_changes_nothing(cached, make_institution, make_practice):
    practice = make_practice(make_institution())
    generation = page_cache.read_generation()
    practice.title = "Never saved"
    db.session.flush()
    db.session.rollback()
    assert page_cache.read_generation() == generation


def test_the_cache_is_off_with_zero_seconds(app, client, renders):
    assert app.config["PAGE_CACHE_SECONDS"] == 0
    for _ in range(2):
        assert "X-Page-Cache" not in client.get("/").headers
    assert "page_cache" not in app.extensions
    assert renders.count("home.html") == 2


def test_the_cache_keeps_within_its_size(cached, client, make_institution, make_practice):
    owner = make_institution()
    made = [make_practice(owner, title=f"Sized practice {n}") for n in range(3)]
    one_page = len(client.get(f"/practices/{made[0].id}").get_data())
    cached.config["PAGE_CACHE_MAX_BYTES"] = int(one_page * 1.5) + page_cache.ENTRY_OVERHEAD_BYTES

    for practice in made:
        assert client.get(f"/practices/{practice.id}").headers["X-Page-Cache"] == "miss"
    cache = cached.extensions["page_cache"]
    assert len(cache) == 1 and cache.currsize <= cache.maxsize
    assert client.get(f"/practices/{made[-1].id}").headers["X-Page-Cache"] == "hit"

    cached.config["PAGE_CACHE_MAX_BYTES"] = 100  # smaller than any page: nothing is kept, nothing fails
    assert client.get("/").status_code == 200
    assert len(cached.extensions["page_cache"]) == 0
