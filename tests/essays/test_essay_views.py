"""Essay pages as each kind of visitor sees them: the archive and its filters, events, the editor with and
without JavaScript, text rescued from an expired session, review, assessment, the report and its CSV."""
import csv
import io
import re
from datetime import date
from urllib.parse import unquote

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from conftest import PASSWORD, foreign_scripts, read_html
from essays_helpers import record_training, written
from network.auth.models import EVALUATOR, PENDING
from network.essays import services as essays
from network.essays.models import DRAFT, PUBLISHED, RETURNED, SUBMITTED, Assessment, Essay, RescuedText
from network.essays.services import AssessmentData
from network.events.models import Event
from network.extensions import db


@pytest.fixture
def people(exchange, make_user, make_institution):
    evaluator_home = make_institution(name="Evaluation Unit", country="BE")
    return {
        "author": make_user(institution=exchange.sender, name="Aino Author"),
        "colleague": make_user(institution=exchange.sender, name="Kalle Colleague"),
        "member": make_user(institution=exchange.arad, name="Ana Member"),
        "pending": make_user(institution=exchange.sender, status=PENDING),
        "evaluator": make_user(EVALUATOR, institution=evaluator_home, name="Eva Evaluator"),
        "coordinator": exchange.coordinator,
    }


@pytest.fixture
def event(exchange, people):
    return record_training(exchange, [people["author"], people["colleague"]])


def login_as(auth, people, who):
    if who is not None:
        response = auth.login(people[who])
        assert response.status_code == 302, who


def edit_form(**overrides) -> dict:
    values = {"title": "What the interfamily groups taught me",
              "body": "I learned that families help each other.",
              "language": "en", "display": "named"}
    values.update(overrides)
    return values


def csrf_token_of(response) -> str:
    return read_html(response).select_one("input[name=csrf_token]")["value"]


def login_with_csrf(client, user, next_url=None):
    """Log in as a browser does when CSRF protection is on: the login page's token goes with the form."""
    url = "/login" + (f"?next={next_url}" if next_url else "")
    token = csrf_token_of(client.get(url))
    return client.post(url, data={"email": user.email, "password": PASSWORD, "csrf_token": token})


def rows(page, selector="table.essay-table tbody tr th a"):
    return [a.get_text(strip=True) for a in page.select(selector)]


# --- the archive --------------------------------------------------------------------------------------------


@pytest.fixture
def archive(exchange, people, make_user):
    """Essays in each state and display, by different participants of one event."""
    coordinator = people["coordinator"]
    writers = {name: make_user(institution=exchange.sender, name=f"{name.title()} Writer")
               for name in ("named", "anonymous", "private", "submitted", "returned")}
    training = record_training(exchange, [people["author"], *writers.values()])
    return {
        "event": training,
        "named": written(writers["named"], training, "published", coordinator, title="Named essay"),
        "anonymous": written(writers["anonymous"], training, "published", coordinator,
                             title="Anonymous essay", display="anonymous"),
        "private": written(writers["private"], training, "published", coordinator, title="Private essay",
                           display="private"),
        "submitted": written(writers["submitted"], training, "submitted", title="Submitted essay"),
        "returned": written(writers["returned"], training, "returned", coordinator, title="Returned essay"),
        "draft": written(people["author"], training, "draft", title="My own draft"),
        "writers": writers,
    }


def test_the_archive_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/essays/")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


ARCHIVE_SEES = {
    "member": {"Named essay", "Anonymous essay"},
    "pending": set(),
    "author": {"Named essay", "Anonymous essay", "My own draft"},
    "evaluator": {"Named essay", "Anonymous essay", "Private essay", "Submitted essay", "Returned essay"},
    "coordinator": {"Named essay", "Anonymous essay", "Private essay", "Submitted essay", "Returned essay"},
}


@pytest.mark.parametrize("who", list(ARCHIVE_SEES))
def test_the_archive_lists_what_each_person_may_read(client, auth, people, archive, who):
    login_as(auth, people, who)
    page = read_html(client.get("/essays/"))
    assert set(rows(page)) == ARCHIVE_SEES[who]
    statuses_shown = any(th.get_text() == "Status" for th in page.select("table.essay-table th"))
    assert statuses_shown == (who in ("author", "evaluator", "coordinator"))


def test_the_archive_shows_anonymous_authors_by_country_only(client, auth, people, archive):
    login_as(auth, people, "member")
    page = read_html(client.get("/essays/"))
    row = next(tr for tr in page.select("table.essay-table tbody tr") if "Anonymous essay" in tr.get_text())
    assert "A professional from Finland" in row.get_text()
    assert "Anonymous Writer" not in page.get_text()
    named = next(tr for tr in page.select("table.essay-table tbody tr") if "Named essay" in tr.get_text())
    assert {"Named Writer", "Finland", "English"} <= {td.get_text() for td in named.find_all("td")}


def test_your_events_offer_to_write_or_continue(client, auth, people, event, archive):
    login_as(auth, people, "author")
    box = read_html(client.get("/essays/")).find(id="own-events-heading").parent
    links = {a.get_text(" ", strip=True): a["href"] for a in box.find_all("a")}
    assert links[f"Write your essay about {event.title}"] == f"/essays/new?event={event.id}"
    continue_link = links[f"Continue your essay about {archive['event'].title}"]
    assert continue_link == f"/essays/{archive['draft'].id}/edit"
    assert "Record a training event" not in box.get_text()


def test_coordinators_find_their_tools_in_the_archive(client, auth, people, exchange):
    login_as(auth, people, "coordinator")
    page = read_html(client.get("/essays/"))
    hrefs = {a["href"] for a in page.find_all("a")}
    pid = exchange.partnership.id
    assert {f"/essays/events/new/{pid}", f"/essays/rubric/{pid}", f"/essays/report/{pid}"} <= hrefs
    assert page.find("nav").find("a", string="Essays")["href"] == "/essays/"


def test_the_linked_practice_filter_offers_the_practices_the_reader_may_see(
        client, auth, people, exchange, event, make_practice):
    coordinator = people["coordinator"]
    shown = make_practice(exchange.seville, title="Kitchen table conferences", language="es")
    closed = make_practice(exchange.seville, title="Seville's own draft", status="draft")
    written(people["author"], event, "published", coordinator, title="About the kitchen table",
            practice_ids=[shown.id, closed.id])
    written(people["colleague"], event, "published", coordinator, title="About nothing linked")
    login_as(auth, people, "member")  # of Arad: Seville's draft is not theirs to see

    page = read_html(client.get("/essays/"))
    options = page.select("#filter-practice option[value]")
    offered = {o["value"]: (o.get_text(strip=True), o.get("lang")) for o in options if o["value"]}
    assert offered == {str(shown.id): ("Kitchen table conferences", "es")}
    chosen = read_html(client.get("/essays/", query_string={"practice": shown.id}))
    assert rows(chosen) == ["About the kitchen table"]

def test_archive_filters_come_from_the_query_string(client, auth, people, exchange, make_user):
    coordinator = people["coordinator"]
    spanish = make_user(institution=exchange.seville, name="Spanish Writer")
    first = record_training(exchange, [people["author"], spanish], title="Seville training")
    second = record_training(exchange, [people["colleague"]], title="Arad training",
                             host_institution_id=exchange.arad.id, start_date=date(2027, 2, 1),
                             end_date=date(2027, 2, 3))
    written(people["author"], first, "published", coordinator, title="Beta from Finland", language="fi",
            body="one two three")
    written(spanish, first, "published", coordinator, title="Alpha from Spain", language="es",
            body="one two three four five six")
    written(people["colleague"], second, "published", coordinator, title="Gamma in Arad", body="short")
    login_as(auth, people, "member")

    def titles(**query):
        response = client.get("/essays/", query_string=query)
        assert response.status_code == 200
        return rows(read_html(response))

    assert set(titles()) == {"Beta from Finland", "Alpha from Spain", "Gamma in Arad"}
    assert set(titles(event=first.id)) == {"Beta from Finland", "Alpha from Spain"}
    assert titles(host=exchange.arad.id) == ["Gamma in Arad"]
    assert titles(country="es") == ["Alpha from Spain"]
    assert titles(language="fi") == ["Beta from Finland"]
    assert titles(year=2027) == ["Gamma in Arad"]
    assert titles(partnership=exchange.partnership.id, sort="title") == [
        "Alpha from Spain", "Beta from Finland", "Gamma in Arad"]
    assert titles(sort="words")[0] == "Alpha from Spain"
    # Nonsense in the address is ignored, never an error.
    nonsense = dict(event="x", year="99999999999999999999999", country="<b>", status="nope", sort="drop")
    assert len(titles(**nonsense)) == 3
    page = read_html(client.get("/essays/", query_string={"host": exchange.arad.id}))
    chosen = page.find("select", id="filter-host").find("option", selected=True)
    assert chosen["value"] == str(exchange.arad.id)
    assert page.find("form", class_="filters")["method"] == "get"
    assert page.find("a", string="Clear filters")


def test_the_archive_pages_and_does_not_query_per_essay(client, auth, people, exchange, make_user):
    coordinator = people["coordinator"]
    writers = [make_user(institution=exchange.sender) for _ in range(24)]
    training = record_training(exchange, writers)
    for n, writer in enumerate(writers[:4]):
        written(writer, training, "published", coordinator, title=f"Essay {n:02d}")
    login_as(auth, people, "member")

    def queries_for(url):
        count = 0

        def counter(*args):
            nonlocal count
            count += 1

        sa_event.listen(db.engine, "before_cursor_execute", counter)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", counter)
        return count

    few = queries_for("/essays/")
    for n, writer in enumerate(writers[4:], start=4):
        written(writer, training, "published", coordinator, title=f"Essay {n:02d}")
    assert queries_for("/essays/") == few
    first = read_html(client.get("/essays/?sort=title"))
    assert len(rows(first)) == 20 and "24 essays" in first.get_text()
    assert rows(read_html(client.get("/essays/?sort=title&page=2"))) == [f"Essay {n}" for n in range(20, 24)]


# --- training events ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [(None, 302), ("member", 403), ("evaluator", 403), ("author", 403),
                                         ("coordinator", 200)])
def test_who_records_events(client, auth, people, exchange, who, status):
    login_as(auth, people, who)
    assert client.get(f"/essays/events/new/{exchange.partnership.id}").status_code == status


def test_a_coordinator_records_an_event(client, auth, people, exchange):
    login_as(auth, people, "coordinator")
    url = f"/essays/events/new/{exchange.partnership.id}"
    page = read_html(client.get(url))
    participants = page.find("select", id="participant_ids")
    assert participants.has_attr("multiple") and participants.find("optgroup", label="Helsinki Family Clinic")
    assert people["pending"].name not in participants.get_text()  # approved members only
    host_choices = [o.get_text() for o in page.find("select", id="host_institution_id").find_all("option")]
    assert {"Seville Family Centre", "Arad Social Services", "Coordinating Centre"} <= set(host_choices)

    response = client.post(url, data={
        "title": "Online course on attachment", "kind": "online_course", "start_date": "2026-03-02",
        "end_date": "2026-03-06", "host_institution_id": str(exchange.arad.id),
        "participant_ids": [str(people["author"].id), str(people["member"].id)]})
    assert response.status_code == 302
    event = db.session.scalar(select(Event).where(
        Event.title == "Online course on attachment"))
    assert event.kind == "online_course" and event.host == exchange.arad
    assert {p.id for p in event.participants} == {people["author"].id, people["member"].id}
    assert "Online course on attachment" in client.get(response.location).get_data(as_text=True)


def test_a_refused_event_keeps_what_was_typed(client, auth, people, exchange):
    login_as(auth, people, "coordinator")
    response = client.post(f"/essays/events/new/{exchange.partnership.id}", data={
        "title": "Week in Arad", "kind": "training_event", "start_date": "2026-03-06",
        "end_date": "2026-03-02",
        "participant_ids": [str(people["author"].id)]})
    assert response.status_code == 422
    page = read_html(response)
    assert page.find(id="title")["value"] == "Week in Arad"
    assert "cannot end before it starts" in page.find(id="end_date-error").get_text()
    assert page.select_one(".error-summary a[href='#end_date']")
    assert page.find("option", value=str(people["author"].id)).has_attr("selected")
    assert db.session.scalar(select(Event)) is None


def test_events_of_a_missing_partnership_are_not_found(client, auth, people):
    login_as(auth, people, "coordinator")
    assert client.get("/essays/events/new/999999").status_code == 404


# --- starting and writing -----------------------------------------------------------------------------------


def test_starting_an_essay_needs_a_post(client, auth, people, event):
    login_as(auth, people, "author")
    page = client.get(f"/essays/new?event={event.id}")
    assert page.status_code == 200
    button = read_html(page).select_one("main form[method=post] button")
    assert button.get_text() == "Start writing"
    assert db.session.scalar(select(Essay)) is None  # looking does not create anything
    response = client.post(f"/essays/new?event={event.id}")
    essay = db.session.scalar(select(Essay))
    assert response.status_code == 302 and response.location == f"/essays/{essay.id}/edit"
    assert essay.author_id == people["author"].id and essay.status == DRAFT
    # Once it exists, the link goes straight to it.
    assert client.get(f"/essays/new?event={event.id}").location == f"/essays/{essay.id}/edit"


@pytest.mark.parametrize("who, status", [(None, 302), ("member", 403), ("coordinator", 403),
                                         ("colleague", 200)])
def test_only_participants_start_an_essay(client, auth, people, event, who, status):
    login_as(auth, people, who)
    assert client.get(f"/essays/new?event={event.id}").status_code == status


def test_starting_for_a_missing_event_is_not_found(client, auth, people):
    login_as(auth, people, "author")
    assert client.get("/essays/new?event=999999").status_code == 404
    assert client.get("/essays/new?event=nope").status_code == 404


def test_the_editor_shows_the_prompts_the_word_count_and_its_script(client, auth, people, event):
    essay = written(people["author"], event, "draft", body="Five words are written here.")
    login_as(auth, people, "author")
    response = client.get(f"/essays/{essay.id}/edit")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = read_html(response)
    assert [li.get_text() for li in page.select("#essay-prompts li")] == [str(p) for p in essays.PROMPTS]
    assert page.find(id="word-count").get_text() == "5 words — guidance 500–1,500, not a limit"
    script = page.find("script", src=re.compile(r"^/static/[0-9a-f]{12}/essays\.js$"))  # fingerprinted
    assert script.has_attr("defer") and not script.string and not foreign_scripts(page)
    form = page.find("form", id="essay-form")
    assert form["data-autosave-url"] == f"/essays/{essay.id}/autosave"
    assert {i["value"] for i in form.select("input[type=submit]")} == {"Save draft", "Submit"}
    display = form.find("fieldset", id="display")
    assert display.legend and len(display.select("input[type=radio]")) == 3
    for control in form.select("input:not([type=hidden]):not([type=submit]), select, textarea"):
        assert form.find("label", attrs={"for": control["id"]}), control
    asset = client.get("/static/essays.js")
    assert asset.status_code == 200 and b"autosave" in asset.data
    asset.close()


@pytest.mark.parametrize("who, status", [(None, 302), ("colleague", 404), ("member", 404), ("evaluator", 404),
                                         ("author", 200)])
def test_only_the_author_opens_a_draft_in_the_editor(client, auth, people, event, who, status):
    essay = written(people["author"], event, "draft")
    login_as(auth, people, who)
    assert client.get(f"/essays/{essay.id}/edit").status_code == status


def test_a_submitted_essay_cannot_be_edited(client, auth, people, event):
    essay = written(people["author"], event, "submitted")
    login_as(auth, people, "evaluator")
    assert client.get(f"/essays/{essay.id}/edit").status_code == 403
    auth.logout()
    login_as(auth, people, "author")
    assert client.get(f"/essays/{essay.id}/edit").location == f"/essays/{essay.id}"
    # A post from a page left open is not saved, but the text comes back to be copied.
    response = client.post(f"/essays/{essay.id}/edit", data=edit_form(body="Typed in an old tab"))
    assert response.status_code == 409
    assert read_html(response).find(id="sent-body").get_text().strip() == "Typed in an old tab"
    assert db.session.get(Essay, essay.id).body != "Typed in an old tab"


def test_without_javascript_every_post_saves(client, auth, people, event, make_practice):
    practice = make_practice(people["author"].institution, title="Interfamily groups")
    essay = essays.start_essay(people["author"], event)
    login_as(auth, people, "author")
    url = f"/essays/{essay.id}/edit"
    response = client.post(url, data=edit_form(title="", body="Half a thought", language="fi", save="1",
                                               practice_ids=[str(practice.id)], display="anonymous"))
    assert response.status_code == 302 and response.location == url
    saved = db.session.get(Essay, essay.id)
    assert (saved.body, saved.language, saved.display) == ("Half a thought", "fi", "anonymous")
    assert saved.word_count == 3
    assert saved.practices == [practice] and saved.status == DRAFT
    page = read_html(client.get(url))
    assert page.find(id="body").get_text().strip() == "Half a thought"
    assert "Draft saved." in page.select_one(".flashes").get_text()
    assert page.find("option", value=str(practice.id)).has_attr("selected")

    response = client.post(url, data=edit_form(submit="1"))
    assert response.status_code == 302 and response.location == f"/essays/{essay.id}"
    assert db.session.get(Essay, essay.id).status == SUBMITTED


def test_a_refused_submission_keeps_the_text_and_saves_the_draft(client, auth, people, event):
    essay = essays.start_essay(people["author"], event)
    login_as(auth, people, "author")
    response = client.post(f"/essays/{essay.id}/edit",
                           data=edit_form(title="  ", body="All my thoughts, not lost.", submit="1"))
    assert response.status_code == 422
    page = read_html(response)
    # WTForms starts a textarea with a newline, which browsers drop.
    assert page.find(id="body").get_text().lstrip("\r\n") == "All my thoughts, not lost."
    summary = page.select_one(".error-summary").get_text()
    assert "saved, but it cannot be submitted yet" in summary and "title" in summary
    assert page.select_one(".error-summary a[href='#title']")
    assert page.find(id="title").get("aria-invalid") == "true"
    assert page.find(id="word-count").get_text().startswith("5 words")
    saved = db.session.get(Essay, essay.id)
    assert saved.body == "All my thoughts, not lost." and saved.status == DRAFT


def test_a_returned_essay_shows_the_comment_in_the_editor(client, auth, people, event):
    essay = written(people["author"], event, "returned", people["coordinator"])
    login_as(auth, people, "author")
    page = read_html(client.get(f"/essays/{essay.id}/edit"))
    assert "Say more about your team." in page.find(id="return-comment").get_text()


# --- autosave -----------------------------------------------------------------------------------------------


def test_autosave_saves_and_answers_in_json(client, auth, people, event):
    essay = essays.start_essay(people["author"], event)
    login_as(auth, people, "author")
    response = client.post(f"/essays/{essay.id}/autosave", data=edit_form(body="Four words typed here"))
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    assert data["word_count"] == 4 and data["saved_at"]
    assert data["saved_label"].startswith("Last saved: ")
    assert data["word_count_label"] == "4 words — guidance 500–1,500, not a limit"
    saved = db.session.get(Essay, essay.id)
    assert saved.body == "Four words typed here" and saved.autosaved_at is not None


def test_autosave_refuses_others_and_finished_essays_in_json(client, auth, people, event):
    draft = essays.start_essay(people["author"], event)
    submitted = written(people["colleague"], event, "submitted")
    login_as(auth, people, "colleague")
    hidden = client.post(f"/essays/{draft.id}/autosave", data=edit_form())
    assert hidden.status_code == 404 and hidden.get_json()["error"]  # another's draft does not exist for them
    finished = client.post(f"/essays/{submitted.id}/autosave", data=edit_form())
    assert finished.status_code == 409 and finished.get_json()["error"]
    assert client.post("/essays/999999/autosave", data=edit_form()).status_code == 404
    auth.logout()
    login_as(auth, people, "evaluator")
    refused = client.post(f"/essays/{submitted.id}/autosave", data=edit_form())
    assert refused.status_code == 403 and refused.get_json()["error"]


def test_autosave_says_when_the_text_is_too_long(client, auth, people, event):
    essay = essays.start_essay(people["author"], event)
    login_as(auth, people, "author")
    response = client.post(f"/essays/{essay.id}/autosave", data=edit_form(body="x" * (essays.BODY_MAX + 1)))
    assert response.status_code == 422 and "body" in response.get_json()["errors"]


# --- nothing typed is lost: expired sessions and form tokens ------------------------------------------------


def test_a_post_with_an_expired_session_keeps_the_text_until_after_login(csrf_app, client, people, event):
    essay = written(people["author"], event, "draft", body="Saved earlier.")
    login_with_csrf(client, people["author"])
    token = csrf_token_of(client.get(f"/essays/{essay.id}/edit"))
    client.delete_cookie("session")  # the session ended while the person was writing
    edit_url = f"/essays/{essay.id}/edit"
    response = client.post(edit_url, data=edit_form(body="An hour of careful writing.", csrf_token=token))
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    assert unquote(response.location.split("next=", 1)[1]) == edit_url
    assert client.get_cookie("essay_rescue", path="/essays") is not None
    login_page = read_html(client.get(response.location))
    assert "Your session had expired: log in again and your text will be back" in login_page.get_text()
    assert db.session.get(Essay, essay.id).body == "Saved earlier."  # kept aside, not saved over the draft

    after_login = login_with_csrf(client, people["author"], next_url=edit_url)
    assert after_login.location == edit_url
    page = client.get(edit_url)
    html = read_html(page)
    assert html.find(id="body").get_text().strip() == "An hour of careful writing."
    assert "press Save draft to keep it" in html.find(id="restored-notice").get_text()
    assert client.get_cookie("essay_rescue", path="/essays") is None  # given back once
    assert db.session.scalar(select(RescuedText)) is None
    # Saving it now keeps it for good.
    client.post(edit_url, data=edit_form(body="An hour of careful writing.", csrf_token=csrf_token_of(page)))
    assert db.session.get(Essay, essay.id).body == "An hour of careful writing."


def test_a_wrong_form_token_while_logged_in_goes_back_to_the_editor(csrf_app, client, people, event):
    essay = written(people["author"], event, "draft", body="Saved earlier.")
    login_with_csrf(client, people["author"])
    edit_url = f"/essays/{essay.id}/edit"
    for token in ("forged-or-stale", None):
        data = edit_form(body=f"Text sent with token {token}")
        if token:
            data["csrf_token"] = token
        response = client.post(edit_url, data=data)
        assert response.status_code == 302 and response.location == edit_url
        page = read_html(client.get(edit_url))
        assert page.find(id="body").get_text().strip() == f"Text sent with token {token}"
        assert page.find(id="restored-notice")
    assert db.session.get(Essay, essay.id).body == "Saved earlier."


def test_a_forged_cross_site_post_puts_nothing_in_the_editor(csrf_app, client, people, event):
    essay = written(people["author"], event, "draft", body="Saved earlier.")
    login_with_csrf(client, people["author"])
    response = client.post(f"/essays/{essay.id}/edit", data=edit_form(body="Planted text"),
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 400
    assert client.get_cookie("essay_rescue", path="/essays") is None
    assert db.session.scalar(select(RescuedText)) is None


def test_autosave_with_an_expired_token_answers_400_and_keeps_the_text(csrf_app, client, people, event):
    essay = written(people["author"], event, "draft", body="Saved earlier.")
    login_with_csrf(client, people["author"])
    client.delete_cookie("session")
    response = client.post(f"/essays/{essay.id}/autosave",
                           data=edit_form(body="Typed after the session ended", csrf_token="stale"))
    assert response.status_code == 400 and response.is_json
    data = response.get_json()
    assert "log in again" in data["error"] and data["login_url"].startswith("/login?next=")
    assert client.get_cookie("essay_rescue", path="/essays") is not None
    login_with_csrf(client, people["author"])
    page = read_html(client.get(f"/essays/{essay.id}/edit"))
    assert page.find(id="body").get_text().strip() == "Typed after the session ended"


def test_a_logged_out_post_keeps_the_text_until_after_login(client, auth, people, event):
    essay = written(people["author"], event, "draft", body="Saved earlier.")
    edit_url = f"/essays/{essay.id}/edit"
    auth.login(people["author"])
    auth.logout()
    response = client.post(edit_url, data=edit_form(title="Rescued title", body="Written while logged out."))
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    autosave = client.post(f"/essays/{essay.id}/autosave", data=edit_form(body="Autosaved while logged out."))
    assert autosave.status_code == 401 and autosave.get_json()["login_url"].startswith("/login")

    auth.login(people["author"])
    page = read_html(client.get(edit_url))
    assert page.find(id="body").get_text().strip() == "Autosaved while logged out."  # the latest text wins
    assert page.find(id="restored-notice")
    assert db.session.get(Essay, essay.id).body == "Saved earlier."


def test_rescued_text_is_only_given_back_in_its_own_essay(client, auth, people, event):
    essay = written(people["author"], event, "draft", body="Saved earlier.")
    other = written(people["colleague"], event, "draft", body="The colleague's own text.")
    client.post(f"/essays/{essay.id}/edit", data=edit_form(body="Meant for the author's essay."))
    auth.login(people["colleague"])
    page = read_html(client.get(f"/essays/{other.id}/edit"))
    assert page.find(id="body").get_text().strip() == "The colleague's own text."
    assert page.find(id="restored-notice") is None


def test_the_rescue_cookie_is_http_only_and_same_site(client, people, event):
    essay = written(people["author"], event, "draft")
    response = client.post(f"/essays/{essay.id}/edit", data=edit_form())
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("essay_rescue="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/essays" in cookie


def test_nothing_is_kept_for_a_missing_essay(client, auth, people):
    assert client.post("/essays/999999/edit", data=edit_form()).location.startswith("/login")
    assert db.session.scalar(select(RescuedText)) is None
    auth.login(people["author"])
    assert client.post("/essays/999999/edit", data=edit_form()).status_code == 404


# --- reading, reviewing, display ----------------------------------------------------------------------------


SHOW_STATUS = {
    # who -> status of the page for a draft, a submitted, a published and a private published essay
    None: (302, 302, 302, 302),
    "pending": (404, 404, 404, 404),
    "member": (404, 404, 200, 404),
    "colleague": (404, 404, 200, 404),
    "author": (200, 200, 200, 200),
    "evaluator": (404, 200, 200, 200),
    "coordinator": (404, 200, 200, 200),
}


@pytest.mark.parametrize("who", list(SHOW_STATUS))
def test_who_reads_which_essay(client, auth, people, exchange, make_user, who):
    coordinator = people["coordinator"]
    others = [make_user(institution=exchange.sender) for _ in range(3)]
    training = record_training(exchange, [people["author"], *others])
    essays_ = [
        written(people["author"], training, "draft"),
        written(others[0], training, "submitted"),
        written(others[1], training, "published", coordinator),
        written(others[2], training, "published", coordinator, display="private"),
    ]
    if who == "author":  # the author sees their own essay in any state
        essays_ = [written(people["author"], record_training(exchange, [people["author"]]), status,
                           coordinator) for status in ("draft", "submitted", "published")] + [essays_[0]]
    login_as(auth, people, who)
    assert tuple(client.get(f"/essays/{e.id}").status_code for e in essays_) == SHOW_STATUS[who]
    assert client.get("/essays/999999").status_code == (302 if who is None else 404)


def test_the_essay_page_shows_the_event_practices_and_text(client, auth, people, event, make_practice):
    practice = make_practice(people["author"].institution, title="Interfamily groups")
    essay = written(people["author"], event, "published", people["coordinator"],
                    body="## What I saw\n\nFamilies **help** each other.", practice_ids=[practice.id])
    login_as(auth, people, "member")
    page = read_html(client.get(f"/essays/{essay.id}"))
    assert page.h1.get_text() == essay.title
    assert page.find("article")["lang"] == "en"
    assert page.find(id="essay-author").get_text() == "Aino Author"
    text = page.get_text()
    assert "Training on family group conferencing" in text and "Seville Family Centre" in text
    assert "May 11, 2026 – May 13, 2026" in text
    assert page.select_one(".essay-body strong").get_text() == "help"
    assert page.select_one(".essay-body h4").get_text() == "What I saw"  # headings below the page's own
    assert page.find("a", href=f"/practices/{practice.id}")
    assert page.find(id="assessments") is None and page.find(id="review-heading") is None
    assert page.find(id="display-form") is None
    assert [int(h.name[1]) for h in page.find_all(["h1", "h2", "h3"])][:2] == [1, 2]


def test_an_essay_about_a_visit_shows_its_programme(client, auth, exchange, make_applicant):
    from mobility_helpers import W1
    from network.mobility import services as mobility

    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    mobility.complete_visit(exchange.coordinator, visit, today=W1)
    event = db.session.scalar(select(Event).where(Event.visit_id == visit.id))
    essay = written(visit.visitor, event, "draft")
    auth.login(visit.visitor)
    section = read_html(client.get(f"/essays/{essay.id}")).find(id="programme-heading").parent
    days = [h.get_text() for h in section.find_all("h3")]
    assert len(days) == 5 and days[0].startswith("Monday") and days[4].startswith("Friday")
    assert "Interfamily group session: Evening group" in section.get_text()


def test_the_author_edits_submits_and_chooses_the_display(client, auth, people, event):
    essay = written(people["author"], event, "draft")
    login_as(auth, people, "author")
    page = read_html(client.get(f"/essays/{essay.id}"))
    assert page.find("a", href=f"/essays/{essay.id}/edit")
    assert client.post(f"/essays/{essay.id}/display", data={"display": "anonymous"}).status_code == 302
    assert db.session.get(Essay, essay.id).display == "anonymous"
    assert client.post(f"/essays/{essay.id}/display", data={"display": "famous"}).status_code == 422
    assert client.post(f"/essays/{essay.id}/submit").location == f"/essays/{essay.id}"
    essay = db.session.get(Essay, essay.id)
    assert essay.status == SUBMITTED
    page = read_html(client.get(f"/essays/{essay.id}"))
    assert page.find("a", href=f"/essays/{essay.id}/edit") is None
    assert page.find("form", id="display-form").find("input", value="anonymous").has_attr("checked")


def test_submitting_an_incomplete_essay_from_its_page_goes_back_to_the_editor(client, auth, people, event):
    essay = written(people["author"], event, "draft", title="")
    login_as(auth, people, "author")
    response = client.post(f"/essays/{essay.id}/submit")
    assert response.location == f"/essays/{essay.id}/edit"
    assert db.session.get(Essay, essay.id).status == DRAFT


def test_others_cannot_change_the_display_or_submit(client, auth, people, event):
    essay = written(people["author"], event, "submitted")
    login_as(auth, people, "coordinator")
    assert client.post(f"/essays/{essay.id}/display", data={"display": "private"}).status_code == 403
    assert client.post(f"/essays/{essay.id}/submit").status_code == 403


def test_reviewers_publish_or_return_with_a_comment(client, auth, people, event):
    essay = written(people["author"], event, "submitted")
    login_as(auth, people, "member")
    # A submitted essay is not for members to see, let alone publish.
    assert client.post(f"/essays/{essay.id}/publish").status_code == 404
    auth.logout()
    login_as(auth, people, "coordinator")
    page = read_html(client.get(f"/essays/{essay.id}"))
    assert page.find("form", id="publish-form") and page.find("form", id="return-form")
    refused = client.post(f"/essays/{essay.id}/return", data={"comment": "   "})
    assert refused.status_code == 422
    assert "Tell the author what to change" in read_html(refused).find(id="comment-error").get_text()
    assert client.post(f"/essays/{essay.id}/publish").status_code == 302
    assert db.session.get(Essay, essay.id).status == PUBLISHED
    returned = client.post(f"/essays/{essay.id}/return", data={"comment": "Add your team's plan."})
    assert returned.status_code == 302
    essay = db.session.get(Essay, essay.id)
    assert essay.status == RETURNED and essay.return_comment == "Add your team's plan."


def test_the_author_may_not_review(client, auth, people, event):
    essay = written(people["author"], event, "submitted")
    login_as(auth, people, "author")
    assert client.post(f"/essays/{essay.id}/publish").status_code == 403
    assert client.post(f"/essays/{essay.id}/return", data={"comment": "x"}).status_code == 403


def test_only_evaluators_see_assessments(client, auth, people, event):
    essay = written(people["author"], event, "submitted")
    criteria = essays.rubric_of(event.partnership)
    essays.assess(people["evaluator"], essay, AssessmentData(
        scores={c.id: 4 for c in criteria}, skills=["group facilitation"], notes="Private remark"))
    login_as(auth, people, "evaluator")
    section = read_html(client.get(f"/essays/{essay.id}")).find(id="assessments")
    assert "Private remark" in section.get_text() and "group facilitation" in section.get_text()
    assert section.find("a", href=f"/essays/{essay.id}/assess")
    auth.logout()
    for who in ("coordinator", "author"):
        login_as(auth, people, who)
        page = client.get(f"/essays/{essay.id}").get_data(as_text=True)
        assert "Private remark" not in page and 'id="assessments"' not in page
        auth.logout()


# --- assessment ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [(None, 302), ("member", 404), ("colleague", 404), ("author", 403),
                                         ("coordinator", 403), ("evaluator", 200)])
def test_who_assesses(client, auth, people, event, who, status):
    essay = written(people["author"], event, "submitted")
    login_as(auth, people, who)
    assert client.get(f"/essays/{essay.id}/assess").status_code == status


def test_the_assessment_form_keeps_the_choices_when_a_score_is_missing(client, auth, people, event):
    essay = written(people["author"], event, "submitted")
    first, second, third = essays.rubric_of(event.partnership)
    login_as(auth, people, "evaluator")
    page = read_html(client.get(f"/essays/{essay.id}/assess"))
    groups = page.select("fieldset.score-group")
    assert [g.legend.get_text() for g in groups] == [first.name, second.name, third.name]
    assert all(len(g.select("input[type=radio]")) == 5 for g in groups)

    data = {f"score-{first.id}": "4", f"score-{second.id}": "2", "strengths": "concrete examples, honesty",
            "skills": "group facilitation", "notes": "Good start"}
    response = client.post(f"/essays/{essay.id}/assess", data=data)
    assert response.status_code == 422
    page = read_html(response)
    assert third.name in page.select_one(".error-summary").get_text()
    assert page.find(id=f"score-{first.id}-4").has_attr("checked")
    assert page.find(id=f"score-{second.id}-2").has_attr("checked")
    assert page.find(id=f"score-{third.id}-error")
    assert page.find(id="strengths")["value"] == "concrete examples, honesty"
    assert db.session.scalar(select(Assessment)) is None

    response = client.post(f"/essays/{essay.id}/assess", data={**data, f"score-{third.id}": "5"})
    assert response.status_code == 302
    assessment = db.session.scalar(select(Assessment))
    assert {s.criterion_id: s.score for s in assessment.scores} == {first.id: 4, second.id: 2, third.id: 5}
    assert {(t.kind, t.name) for t in assessment.tags} == {
        ("strength", "concrete examples"), ("strength", "honesty"), ("skill", "group facilitation")}
    # Opened again, the form starts from the saved assessment.
    page = read_html(client.get(f"/essays/{essay.id}/assess"))
    assert page.find(id=f"score-{third.id}-5").has_attr("checked")
    assert page.find(id="skills")["value"] == "group facilitation"


def test_a_score_off_the_scale_is_refused(client, auth, people, event):
    essay = written(people["author"], event, "submitted")
    criteria = essays.rubric_of(event.partnership)
    login_as(auth, people, "evaluator")
    data = {f"score-{c.id}": "3" for c in criteria}
    data[f"score-{criteria[0].id}"] = "9"
    response = client.post(f"/essays/{essay.id}/assess", data=data)
    assert response.status_code == 422 and "Scores go from 1 to 5" in response.get_data(as_text=True)


# --- rubric -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, status", [(None, 302), ("member", 403), ("evaluator", 403),
                                         ("coordinator", 200)])
def test_who_edits_the_rubric(client, auth, people, exchange, who, status):
    login_as(auth, people, who)
    assert client.get(f"/essays/rubric/{exchange.partnership.id}").status_code == status


def test_a_coordinator_edits_the_rubric(client, auth, people, exchange):
    login_as(auth, people, "coordinator")
    url = f"/essays/rubric/{exchange.partnership.id}"
    page = read_html(client.get(url))
    names = [i["value"] for i in page.select("input[name$='-name']") if i.get("value")]
    assert names == [name for name, _text in essays.DEFAULT_RUBRIC]
    data = {"criteria-0-name": "Reflection", "criteria-0-description": "Goes beyond describing",
            "criteria-1-name": "Transfer", "criteria-1-description": "", "criteria-2-name": "",
            "criteria-2-description": ""}
    assert client.post(url, data=data).status_code == 302
    assert [(c.name, c.description) for c in essays.rubric_of(exchange.partnership)] == [
        ("Reflection", "Goes beyond describing"), ("Transfer", "")]
    refused = client.post(url, data={"criteria-0-name": "Same", "criteria-1-name": "same"})
    assert refused.status_code == 422
    page = read_html(refused)
    assert "its own name" in page.select_one(".error-summary").get_text()
    assert [i.get("value") for i in page.select("input[name$='-name']")][:2] == ["Same", "same"]


# --- the report ---------------------------------------------------------------------------------------------


@pytest.fixture
def assessed(exchange, people, make_user, make_institution):
    """Three submitted essays, two events, two hosts, and assessments by two evaluators."""
    coordinator = people["coordinator"]
    writers = [make_user(institution=exchange.sender, name=f"Writer {n}") for n in range(3)]
    seville_event = record_training(exchange, writers[:2], title="Seville training")
    arad_event = record_training(exchange, writers[2:], title="=HYPERLINK(\"http://evil\")",
                                 host_institution_id=exchange.arad.id)
    texts = [written(writers[0], seville_event, "published", coordinator),
             written(writers[1], seville_event, "submitted"),
             written(writers[2], arad_event, "submitted")]
    drafter = make_user(institution=exchange.sender)
    written(drafter, record_training(exchange, [drafter], title="Only a draft"), "draft")  # not counted
    second = make_user(EVALUATOR, institution=make_institution(name="Second Unit", country="BE"))
    criteria = essays.rubric_of(exchange.partnership)
    for evaluator, essay, score, skills in ((people["evaluator"], texts[0], 4, ["listening", "-cmd|calc"]),
                                            (people["evaluator"], texts[1], 2, ["listening"]),
                                            (second, texts[0], 5, ["@SUM(1)"])):
        essays.assess(evaluator, essay, AssessmentData(
            scores={c.id: score for c in criteria}, skills=skills, strengths=["examples"],
            weaknesses=["length"]))
    return texts


@pytest.mark.parametrize("who, status", [(None, 302), ("member", 403), ("author", 403), ("coordinator", 200),
                                         ("evaluator", 200)])
def test_who_reads_the_report(client, auth, people, exchange, who, status):
    login_as(auth, people, who)
    assert client.get(f"/essays/report/{exchange.partnership.id}").status_code == status
    assert client.get(f"/essays/report/{exchange.partnership.id}.csv").status_code == status


def test_the_report_shows_the_numbers_and_draws_them(client, auth, people, exchange, assessed):
    expected = essays.report(exchange.partnership)
    login_as(auth, people, "evaluator")
    response = client.get(f"/essays/report/{exchange.partnership.id}")
    page = read_html(response)
    assert page.find(id="total-essays").get_text() == str(expected.essays) == "3"
    assert page.find(id="total-assessed").get_text() == str(expected.assessed) == "2"
    events = {tr.th.get_text(): tr.td.get_text() for tr in page.select("#table-events tbody tr")}
    assert events == {name: str(n) for name, n in expected.by_event}
    hosts = {tr.th.get_text(): tr.td.get_text() for tr in page.select("#table-hosts tbody tr")}
    assert hosts == {"Seville Family Centre": "2", "Arad Social Services": "1"}
    for row, summary in zip(page.select("#table-criteria tbody tr"), expected.criteria):
        cells = [td.get_text() for td in row.find_all("td")]
        assert row.th.get_text() == summary.criterion.name
        assert cells[:4] == [str(summary.count), f"{summary.mean:.2f}", f"{summary.stdev:.2f}",
                             f"{summary.low} – {summary.high}"]
        assert cells[4] == " / ".join(str(summary.distribution[s]) for s in (1, 2, 3, 4, 5))
    assert cells[1] == "3.67" and cells[4] == "0 / 1 / 0 / 1 / 1"
    skills = {tr.th.get_text(): tr.td.get_text() for tr in page.select("#table-skill tbody tr")}
    assert skills["listening"] == "2"
    charts = page.find_all("svg")
    assert len(charts) >= 6
    for svg in charts:
        assert svg["role"] == "img" and svg.title and svg.title.get_text()
        assert page.find(id=svg["aria-labelledby"]) is svg.title
    event_chart = page.find("svg", id="chart-events")
    assert len(event_chart.select("rect.bar")) == 2
    assert '=HYPERLINK("http://evil")' in event_chart.get_text()  # a label, escaped, never markup
    assert not foreign_scripts(page)
    stylesheet = client.get("/static/css/site.css")
    assert b"@media print" in stylesheet.data and b"break-inside: avoid" in stylesheet.data
    stylesheet.close()


def test_an_empty_report_still_opens(client, auth, people, exchange):
    login_as(auth, people, "coordinator")
    page = read_html(client.get(f"/essays/report/{exchange.partnership.id}"))
    assert page.find(id="total-essays").get_text() == "0"
    assert "No essay submitted yet." in page.get_text()


def test_the_csv_report_matches_and_cannot_run_formulas(client, auth, people, exchange, assessed):
    login_as(auth, people, "coordinator")
    response = client.get(f"/essays/report/{exchange.partnership.id}.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    expected = essays.report_csv_rows(essays.report(exchange.partnership))
    assert len(table) == len(expected) and table[0] == expected[0]
    for row in table:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    items = {row[1] for row in table}
    assert "'=HYPERLINK(\"http://evil\")" in items and "'-cmd|calc" in items and "'@sum(1)" in items
    assert ["essays per host", "Seville Family Centre", "", "2", "", "", ""] in table


# --- hostile input ------------------------------------------------------------------------------------------


HOSTILE = ("<script>alert(1)</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
           "<a href=\"javascript:alert(2)\">x</a> **bold** <svg onload=alert(3)></svg>")


def assert_safe(page):
    assert not foreign_scripts(page)
    for element in page.find_all(True):
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), element
            if attribute in ("href", "src", "action"):
                assert not str(value).strip().lower().startswith(("javascript:", "data:")), element


def test_hostile_markdown_and_titles_are_rendered_safely(client, auth, people, event):
    essay = written(people["author"], event, "published", people["coordinator"],
                    title="<script>alert('title')</script>", body=HOSTILE)
    login_as(auth, people, "member")
    page = read_html(client.get(f"/essays/{essay.id}"))
    assert_safe(page)
    assert not foreign_scripts(page)
    assert page.select_one(".essay-body strong").get_text() == "bold"
    assert page.h1.get_text() == "<script>alert('title')</script>"
    assert_safe(read_html(client.get("/essays/")))
    auth.logout()
    login_as(auth, people, "evaluator")
    assert_safe(read_html(client.get(f"/essays/report/{event.partnership_id}")))


def test_hostile_text_in_the_editor_comes_back_escaped(client, auth, people, event):
    essay = essays.start_essay(people["author"], event)
    login_as(auth, people, "author")
    url = f"/essays/{essay.id}/edit"
    response = client.post(url, data=edit_form(title=" ", body=HOSTILE, submit="1", language="zz"))
    assert response.status_code == 422
    page = read_html(response)
    assert_safe(page)
    assert page.find(id="body").get_text().lstrip("\r\n") == HOSTILE
    client.post(url, data=edit_form(title="\"><script>x</script>", body=HOSTILE))
    page = read_html(client.get(url))
    assert_safe(page)
    assert page.find(id="title")["value"] == "\"><script>x</script>"


# --- accessibility ------------------------------------------------------------------------------------------


def assert_accessible(page, url):
    assert len(page.find_all("h1")) == 1, url
    levels = [int(h.name[1]) for h in page.find("main").find_all(["h1", "h2", "h3", "h4", "h5", "h6"])
              if not h.find_parent(class_="essay-body")]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:])), (url, levels)
    controls = "main input:not([type=hidden]):not([type=submit]), main select, main textarea"
    for control in page.select(controls):
        assert page.find("label", attrs={"for": control["id"]}), (url, control)
        if control.get("type") == "radio":
            assert control.find_parent("fieldset").legend.get_text(strip=True), (url, control)
    for described in page.select("[aria-describedby]"):
        for target in described["aria-describedby"].split():
            assert page.find(id=target), (url, target)


def test_the_essay_pages_are_accessible(client, auth, people, exchange, event):
    essay = written(people["author"], event, "submitted")
    draft = written(people["colleague"], event, "returned", people["coordinator"])
    pid = exchange.partnership.id
    pages = {
        "colleague": [f"/essays/{draft.id}/edit", f"/essays/{draft.id}", "/essays/"],
        "coordinator": [f"/essays/events/new/{pid}", f"/essays/rubric/{pid}", f"/essays/report/{pid}",
                        f"/essays/{essay.id}", "/essays/"],
        "evaluator": [f"/essays/{essay.id}/assess", f"/essays/{essay.id}"],
    }
    for who, urls in pages.items():
        login_as(auth, people, who)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_accessible(read_html(response), url)
        auth.logout()
    login_as(auth, people, "author")
    assert_accessible(read_html(client.post(f"/essays/{essay.id}/display", data={"display": "x"})), "display")
    auth.logout()
    login_as(auth, people, "coordinator")
    assert_accessible(read_html(client.post(f"/essays/{essay.id}/return", data={"comment": ""})), "return")
