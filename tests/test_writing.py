"""Writing (issue 23, part 3): Markdown fields marked for the editor's toolbar and its server-rendered preview,
long lists marked for the filter, "Add a translation" carrying the practice's description over, and a long
discussion shown a page of threads at a time with each comment's address finding its page. The scripts
themselves are driven in tests/browser/test_writing.py."""
from __future__ import annotations

import pytest
from flask import render_template_string
from sqlalchemy import event as sa_event
from sqlalchemy import select
from wtforms import SelectField, SelectMultipleField

from conftest import read_html
from network.extensions import db
from network.institutions.forms import MultiCheckboxField
from network.practices import discussion
from network.practices.models import Comment

PREVIEW = "/markdown/preview"


@pytest.fixture
def logged_in(client, auth, users):
    assert auth.login(users["professional"]).status_code == 302
    return client


# --- the preview --------------------------------------------------------------------------------------------


def test_the_preview_asks_anonymous_visitors_to_log_in(client):
    response = client.post(PREVIEW, data={"text": "**hello**"})
    assert response.status_code == 302 and "/login" in response.location


def test_the_preview_renders_through_the_one_sanitiser(logged_in):
    text = ("# Plan\n\n**bold** and *italic*\n\n- one\n- two\n\n> quoted\n\n[site](https://example.org) "
            "<script>alert(1)</script> [bad](javascript:alert(1)) <img src=x onerror=alert(1)>")
    response = logged_in.post(PREVIEW, data={"text": text})
    assert response.status_code == 200
    assert response.mimetype == "text/html" and "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    page = read_html(response)
    assert page.h3.get_text() == "Plan"  # headings start at h3, as on the page
    assert page.strong.get_text() == "bold" and page.em.get_text() == "italic"
    assert [li.get_text() for li in page.select("ul li")] == ["one", "two"]
    assert page.blockquote.get_text(strip=True) == "quoted"
    link = page.find("a", string="site")
    assert link["href"] == "https://example.org" and "nofollow" in link["rel"]
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html and "<img" not in html


def test_hostile_text_previews_inert_or_is_refused(logged_in):
    from hostile import page_sample

    for text in page_sample():
        for kind in ("document", "comment"):
            response = logged_in.post(PREVIEW, data={"text": text, "kind": kind})
            assert response.status_code in (200, 400), (text, response.status_code)  # 400: a NUL character
            page = read_html(response)
            assert page.find(["script", "iframe", "style", "img", "svg", "object", "embed"]) is None, text
            for element in page.find_all(True):
                assert not any(name.lower().startswith("on") for name in element.attrs), text
                href = str(element.get("href", "")).strip().lower()
                assert not href.startswith(("javascript:", "data:", "vbscript:")), text


def test_a_comment_preview_has_the_comments_smaller_set_of_tags(logged_in):
    page = read_html(logged_in.post(PREVIEW, data={"text": "# Title\n\n**yes**", "kind": "comment"}))
    assert page.find(["h1", "h2", "h3", "h4"]) is None and page.strong.get_text() == "yes"


def test_an_empty_preview_is_empty_and_odd_requests_are_refused(logged_in):
    response = logged_in.post(PREVIEW, data={})
    assert response.status_code == 200 and response.get_data(as_text=True) == ""
    assert logged_in.post(PREVIEW, data={"text": "x", "kind": "script"}).status_code == 400
    assert logged_in.get(PREVIEW).status_code == 405


def test_the_preview_is_as_long_as_the_longest_field_at_most(logged_in):
    assert logged_in.post(PREVIEW, data={"text": "a" * 100_000}).status_code == 200
    assert logged_in.post(PREVIEW, data={"text": "a" * 100_001}).status_code == 413


def test_the_preview_needs_the_form_token(csrf_app, users):
    from conftest import IsolatedClient

    csrf_app.test_client_class = IsolatedClient
    client = csrf_app.test_client()
    token = read_html(client.get("/login")).select_one("input[name=csrf_token]")["value"]
    user = users["professional"]
    from conftest import PASSWORD

    assert client.post("/login", data={"email": user.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    assert client.post(PREVIEW, data={"text": "**a**"}).status_code == 400
    token = read_html(client.get("/practices/new")).select_one("input[name=csrf_token]")["value"]
    response = client.post(PREVIEW, data={"text": "**a**", "csrf_token": token})
    assert response.status_code == 200 and "<strong>a</strong>" in response.get_data(as_text=True)


def test_previews_stay_out_of_the_rendering_cache(logged_in):
    from network.sanitize import render_markdown

    before = render_markdown.cache_info().currsize
    for n in range(5):
        logged_in.post(PREVIEW, data={"text": f"draft {n}"})
    assert render_markdown.cache_info().currsize == before


# --- the scripts, once on every page --------------------------------------------------------------------


def scripts(response):
    page = read_html(response)
    return {tag["src"].rsplit("/", 1)[-1]: tag for tag in page.select("script[src]")}


def test_every_page_loads_the_writing_scripts_once_with_their_words(client, auth, users):
    found = scripts(client.get("/login"))
    editor, filters = found["markdown-editor.js"], found["filter-list.js"]
    assert editor.has_attr("defer") and filters.has_attr("defer")
    assert editor["data-msg-bold"] == "Bold" and editor["data-msg-preview"] == "Preview"
    assert filters["data-msg-filter"] == "Filter" and filters["data-msg-shown"] == "{shown} of {total} shown"
    assert not editor.has_attr("data-preview-url")  # no preview for visitors: only logged-in people write
    auth.login(users["professional"])
    page = read_html(client.get("/practices/new"))
    assert len(page.select('script[src$="markdown-editor.js"]')) == 1
    assert page.select_one('script[src$="markdown-editor.js"]')["data-preview-url"] == PREVIEW


def test_the_scripts_speak_the_readers_language(client, auth, users):
    auth.login(users["professional"])
    client.post("/language", data={"locale": "es", "next": "/"})
    editor = scripts(client.get("/practices/new"))["markdown-editor.js"]
    assert editor["data-msg-preview"] == "Vista previa"  # the words go through the catalogues


# --- which fields are Markdown --------------------------------------------------------------------------


def markdown_fields(page) -> dict[str, str]:
    return {area["name"]: area["data-markdown"] for area in page.select("textarea[data-markdown]")}


def test_the_practice_form_marks_its_sections_not_its_summary(logged_in):
    fields = markdown_fields(read_html(logged_in.get("/practices/new")))
    assert fields == {name: "document" for name in ("context", "target_group", "objectives", "methods",
                                                   "resources", "outcomes", "lessons")}


def test_comment_fields_are_marked_as_comments(logged_in, users, make_practice):
    author = users["professional"]
    practice = make_practice(author.institution, actor=author)
    comment = discussion.add_comment(author, practice, "First")
    page = read_html(logged_in.get(f"/practices/{practice.id}"))
    assert page.select_one("#new-comment textarea")["data-markdown"] == "comment"
    assert page.select_one(f"#reply-{comment.id}-body")["data-markdown"] == "comment"
    edit = read_html(logged_in.get(f"/practices/{practice.id}/comments/{comment.id}/edit"))
    assert markdown_fields(edit) == {"body": "comment"}


@pytest.mark.parametrize("module, form, names", [
    ("network.essays.forms", "EssayForm", ["body"]),
    ("network.events.forms", "EventForm", ["description"]),
    ("network.collections.forms", "CollectionForm", ["introduction"]),
    ("network.collections.forms", "ChapterForm", ["introduction"]),
    ("network.learning.editor_forms", "CourseForm", ["summary"]),
    ("network.learning.editor_forms", "LessonForm", ["body"]),
    ("network.evaluation.report_forms", "DraftForm", ["summary", "what_worked", "what_did_not",
                                                       "recommendations"]),
    ("network.evaluation.session_forms", "SessionForm", ["summary"]),
])
def test_the_features_mark_their_markdown_fields(app, module, form, names):
    import importlib

    form_class = getattr(importlib.import_module(module), form)
    with app.test_request_context():
        unbound = {name: getattr(form_class, name) for name in names}
    for name, field in unbound.items():
        assert (field.kwargs.get("render_kw") or {}).get("data-markdown") == "document", f"{form}.{name}"


def test_the_hosting_offer_description_is_marked_in_its_template():
    from pathlib import Path

    template = (Path(__file__).parents[1] / "templates" / "mobility" / "offer_form.html").read_text()
    assert 'field(form.description, markdown="document")' in template


def test_the_field_macro_marks_a_text_area_given_markdown(app):
    from flask_wtf import FlaskForm
    from wtforms import TextAreaField

    class Form(FlaskForm):
        text = TextAreaField("Text")

    with app.test_request_context():
        html = render_template_string('{% from "_forms.html" import field %}{{ field(form.text) }}'
                                      '{{ field(form.text, markdown="comment") }}', form=Form(meta={"csrf": False}))
    areas = read_html_text(html).select("textarea")
    assert not areas[0].has_attr("data-markdown") and areas[1]["data-markdown"] == "comment"


def read_html_text(html):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


# --- long lists ---------------------------------------------------------------------------------------------


def test_lists_longer_than_twelve_choices_are_marked_for_the_filter(app):
    from flask_wtf import FlaskForm

    def choices(n):
        return [(str(i), f"Choice {i}") for i in range(n)]

    class Form(FlaskForm):
        short_select = SelectField("Short")
        long_select = SelectField("Long")
        long_multiple = SelectMultipleField("Several")
        long_boxes = MultiCheckboxField("Boxes")
        short_boxes = MultiCheckboxField("Few boxes")

    with app.test_request_context():
        form = Form(meta={"csrf": False})
        for name, n in (("short_select", 12), ("long_select", 13), ("long_multiple", 40), ("long_boxes", 40),
                        ("short_boxes", 3)):
            form[name].choices = choices(n)
        html = render_template_string(
            '{% from "_forms.html" import field %}{% for f in form %}{{ field(f) }}{% endfor %}'
            '{{ field(form.short_select, filter=True) }}', form=form)
    page = read_html_text(html)
    marked = [node.get("id") or node.select_one("input")["name"] for node in page.select("[data-filter-list]")]
    assert marked == ["long_select", "long_multiple", "long_boxes", "short_select"]
    assert page.select_one("fieldset[data-filter-list] ul.checkbox-list") is not None


def test_the_practice_form_filters_its_country_and_language(logged_in):
    page = read_html(logged_in.get("/practices/new"))
    assert page.select_one("select#country").has_attr("data-filter-list")
    assert page.select_one("select#language").has_attr("data-filter-list")
    assert not page.select_one("select#status").has_attr("data-filter-list")


def test_the_essay_archive_filters_a_long_list_of_events(client, auth, exchange, make_user):
    from essays_helpers import record_training, written

    def archive_select():
        auth.login(exchange.coordinator)
        return read_html(client.get("/essays/")).select_one("select#filter-event")

    for n in range(13):
        author = make_user(institution=exchange.sender)
        written(author, record_training(exchange, [author], title=f"Training {n}"), "submitted")
        if n == 1:
            assert not archive_select().has_attr("data-filter-list")
            auth.logout()
    select_ = archive_select()
    assert select_.has_attr("data-filter-list") and len(select_.select("option")) == 14


# --- "Add a translation" --------------------------------------------------------------------------------


def test_a_translation_starts_with_the_originals_description(logged_in, users, make_partnership, make_practice):
    author = users["professional"]
    partnership = make_partnership(coordinator=author.institution)
    original = make_practice(author.institution, actor=author, sectors=["social", "educational"],
                             intervention_types=["family", "group"], tags=["walking", "parents"],
                             partnership_id=partnership.id, country="PT", language="es")
    show = read_html(logged_in.get(f"/practices/{original.id}"))
    href = show.find("a", string="Add a translation")["href"]
    page = read_html(logged_in.get(href))
    assert {box["value"] for box in page.select("input[name=sectors][checked]")} == {"social", "educational"}
    assert {box["value"] for box in page.select("input[name=intervention_types][checked]")} == {"family", "group"}
    assert page.select_one("select#partnership_id option[selected]")["value"] == str(partnership.id)
    assert sorted(page.select_one("input#tags")["value"].split(", ")) == ["parents", "walking"]
    assert page.select_one("select#country option[selected]")["value"] == "PT"
    assert page.select_one("select#translation_of_id option[selected]")["value"] == str(original.id)
    # Its words are to be written, in a language the practice does not have yet (the institution's next one).
    assert page.select_one("textarea#context").get_text(strip=True) == ""
    assert page.select_one("select#language option[selected]")["value"] == "en"


def test_a_translation_of_a_translation_starts_from_the_original(logged_in, users, make_practice):
    author = users["professional"]
    original = make_practice(author.institution, actor=author, tags=["origin"], language="es")
    english = make_practice(author.institution, actor=author, tags=["other"], language="en",
                            translation_of_id=original.id)
    page = read_html(logged_in.get(f"/practices/new?translation_of={english.id}"))
    assert page.select_one("select#translation_of_id option[selected]")["value"] == str(original.id)
    assert page.select_one("input#tags")["value"] == "origin"
    assert page.select_one("select#language option[selected]")["value"] == ""  # es and en are written: choose


def test_nothing_carries_over_from_a_practice_the_person_may_not_read(logged_in, users, make_practice):
    outsider = users["outsider"]
    hidden = make_practice(outsider.institution, actor=outsider, status="draft", tags=["secret tag"])
    for address in (f"/practices/new?translation_of={hidden.id}", "/practices/new?translation_of=99999999999999999999",
                    "/practices/new?translation_of=abc"):
        response = logged_in.get(address)
        assert response.status_code == 200
        page = read_html(response)
        assert page.select_one("input#tags").get("value", "") == ""
        assert page.select_one("select#translation_of_id option[selected]") is None


# --- a long discussion, a page at a time ------------------------------------------------------------------


@pytest.fixture
def long_discussion(users, make_practice):
    """45 threads (the oldest with a reply), on a public practice."""
    author, other = users["professional"], users["outsider"]
    practice = make_practice(author.institution, actor=author)
    comments = [discussion.add_comment(other if n % 2 else author, practice, f"Thread {n}") for n in range(45)]
    reply = discussion.add_comment(author, practice, "A late reply to the first thread", parent=comments[0])
    return practice, comments, reply


def thread_ids(page):
    return [article["id"] for article in page.select("section#discussion ol.comments > li > article")]


def test_the_newest_threads_come_first_a_page_at_a_time(client, long_discussion):
    practice, comments, reply = long_discussion
    page = read_html(client.get(f"/practices/{practice.id}"))
    assert thread_ids(page) == [f"comment-{c.id}" for c in reversed(comments[-20:])]
    assert "46 comments" in page.select_one("section#discussion").get_text()
    nav = page.select_one("nav.discussion-pages")
    assert "Page 1 of 3" in nav.get_text() and nav.find("a", string="Newer comments") is None
    older = nav.find("a", string="Older comments")["href"]
    assert older == f"/practices/{practice.id}?comments=2#discussion"

    page = read_html(client.get(older))
    assert thread_ids(page) == [f"comment-{c.id}" for c in reversed(comments[5:25])]
    nav = page.select_one("nav.discussion-pages")
    assert nav.find("a", string="Newer comments")["href"] == f"/practices/{practice.id}#discussion"

    last = read_html(client.get(f"/practices/{practice.id}?comments=3"))
    assert thread_ids(last) == [f"comment-{c.id}" for c in reversed(comments[:5])]
    assert [a["id"] for a in last.select("ol.comment-replies article")] == [f"comment-{reply.id}"]
    assert last.select_one("nav.discussion-pages").find("a", string="Older comments") is None


@pytest.mark.parametrize("asked", ["99", "0", "-1", "abc", "9" * 40])
def test_odd_page_numbers_show_a_page(client, long_discussion, asked):
    practice, _comments, _reply = long_discussion
    response = client.get(f"/practices/{practice.id}?comments={asked}")
    assert response.status_code == 200
    assert len(thread_ids(read_html(response))) in (20, 5)


def test_a_comments_address_lands_on_the_page_that_has_it(client, long_discussion):
    practice, comments, reply = long_discussion
    for comment, expected_page in ((reply, 3), (comments[0], 3), (comments[30], 1), (comments[10], 2)):
        address = discussion.comment_path(practice, comment)
        assert address == f"/practices/{practice.id}?comment={comment.id}#comment-{comment.id}"
        page = read_html(client.get(address))
        assert page.select_one(f"#comment-{comment.id}") is not None, comment.body
        assert f"Page {expected_page} of 3" in page.select_one("nav.discussion-pages").get_text()
    # The date of each comment links to its address.
    assert page.select_one(f"#comment-{comments[10].id} a.comment-link")["href"] == discussion.comment_path(
        practice, comments[10])


def test_notifications_and_redirects_use_the_comments_address(app, users, long_discussion):
    from network.notifications.models import Notification

    practice, comments, reply = long_discussion
    link = db.session.scalar(select(Notification.link).where(Notification.user_id == users["professional"].id)
                             .order_by(Notification.id.desc()))
    newest = db.session.scalar(select(Comment).where(Comment.author_id == users["outsider"].id)
                               .order_by(Comment.id.desc()))
    assert link == f"/practices/{practice.id}?comment={newest.id}#comment-{newest.id}"


def test_a_hidden_comment_stays_hidden_and_its_address_shows_the_first_page(client, auth, users, long_discussion):
    practice, comments, _reply = long_discussion
    discussion.hide_comment(users["site_admin"], comments[0])
    page = read_html(client.get(discussion.comment_path(practice, comments[0])))
    assert page.select_one(f"#comment-{comments[0].id}") is None
    assert "44 comments" in page.get_text()  # the hidden thread's comment and its reply are not counted
    assert "Page 1 of 3" in page.select_one("nav.discussion-pages").get_text()
    auth.login(users["site_admin"])
    page = read_html(client.get(discussion.comment_path(practice, comments[0])))
    assert page.select_one(f"#comment-{comments[0].id}") is not None


def test_pages_of_old_addresses_get_the_discussions_script_only_when_there_are_pages(client, users,
                                                                                   make_practice, long_discussion):
    practice, _comments, _reply = long_discussion
    assert read_html(client.get(f"/practices/{practice.id}")).select_one('script[src$="js/discussion.js"]')
    author = users["professional"]
    short = make_practice(author.institution, actor=author, title="Short talk")
    discussion.add_comment(author, short, "Only one")
    page = read_html(client.get(f"/practices/{short.id}"))
    assert page.select_one('script[src$="js/discussion.js"]') is None and page.select_one("nav.discussion-pages") is None


def test_a_long_discussion_costs_the_same_queries_as_a_short_one(client, users, make_practice):
    author, other = users["professional"], users["outsider"]
    practice = make_practice(author.institution, actor=author)

    def queries_for_page():
        statements = []

        def count(*_args):
            statements.append(1)

        engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/practices/{practice.id}").status_code == 200
        finally:
            sa_event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    for n in range(3):
        discussion.add_comment(other, practice, f"Early {n}")
    few = queries_for_page()
    for n in range(60):
        discussion.add_comment(other if n % 2 else author, practice, f"Later {n}")
    assert queries_for_page() == few


def test_a_refused_reply_in_an_old_thread_comes_back_on_its_page(client, auth, users, long_discussion):
    practice, comments, _reply = long_discussion
    auth.login(users["outsider"])
    response = client.post(f"/practices/{practice.id}/comments", data={"body": "  ", "parent_id": comments[2].id})
    assert response.status_code == 422
    page = read_html(response)
    reply_form = page.select_one(f"#comment-{comments[2].id}").find_parent("li").select_one("details.reply")
    assert reply_form.has_attr("open") and reply_form.select_one(f"#reply-{comments[2].id}-error") is not None
    assert "Page 3 of 3" in page.select_one("nav.discussion-pages").get_text()
