"""The home page (issue 23): a person's home says what needs them, each task a link that does it, then what is
new for them, with empty states saying what to do first; it is theirs alone (never cached or shared). A visitor's
home keeps the introduction and adds the newest public practices, the manual and search, from the shared cache.
Every word of it comes through the catalogues, worded when shown in the reader's language; it reads the database
a bounded number of times, whatever the number of items."""
from __future__ import annotations

import copy
import re
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from babel.support import NullTranslations
from flask_babel import Domain
from sqlalchemy import event

from conftest import IsolatedClient, read_html
from essays_helpers import EVENT_END, record_training, written
from events_helpers import make_event
from learning_helpers import make_course
from mobility_helpers import BEFORE_THE_WEEKS, W1, application_data, set_today
from network.auth.models import COORDINATOR, EVALUATOR, PENDING
from network.essays.services import REMIND_AFTER
from network.evaluation.models import AFTER_EVENT, OPEN, SCALE, Survey, SurveyInvitation, SurveyQuestion, SurveySection
from network.events import services as events
from network.extensions import db
from network.learning import services as learning
from network.mobility import services as mobility
from network.practices import discussion

# The mobility clock stands on Monday 30 November 2026 (tests/mobility_helpers.py); once the visit of W1 is booked,
# these tests move it into the visit's week, so that the visit is "this month".
IN_THE_VISIT_WEEK = W1 + timedelta(days=2)  # Wednesday 3 March 2027
SPRING_EVENT = dict(start_date=date(2027, 4, 13), end_date=date(2027, 4, 15))


def home_of(app, user, **headers):
    """The home page as this person sees it, in a browser of their own."""
    app.test_client_class = IsolatedClient
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    response = client.get("/", headers=headers)
    assert response.status_code == 200
    return response


def items(page, list_id: str) -> dict[str, list[tuple[str, str]]]:
    """kind -> [(text, link)] of a list of the home."""
    found: dict[str, list[tuple[str, str]]] = {}
    for li in page.select(f"#{list_id} > li.home-item"):
        kind = next(name[len("home-"):] for name in li["class"] if name.startswith("home-") and name != "home-item")
        link = li.find("a")
        found.setdefault(kind, []).append((" ".join(link.get_text().split()), link["href"]))
    return found


def make_survey_invitation(partnership, person, event, closes_on) -> SurveyInvitation:
    survey = Survey(partnership_id=partnership.id, title={"en": "After the training", "es": "Después de la formación"},
                    moment=AFTER_EVENT, status=OPEN, opened_on=date(2026, 1, 1), sections=[SurveySection(
                        position=0, title={"en": "The training"}, questions=[SurveyQuestion(
                            position=0, kind=SCALE, text={"en": "It was useful"})])])
    invitation = SurveyInvitation(survey=survey, user_id=person.id, subject_kind="event", subject_id=event.id,
                                  host_institution_id=event.host_institution_id, closes_on=closes_on)
    db.session.add(invitation)
    db.session.commit()
    return invitation


@pytest.fixture
def busy(exchange, make_user, make_applicant, make_practice, monkeypatch):
    """A professional of the sending institution with one task of each kind that is theirs: an essay to write, an
    upcoming event they registered for, their visit this month with its programme, a survey, a course begun; and
    the sending institution's admin with a membership request, an application and a flagged comment to decide on
    (and an application already endorsed: not a task any more)."""
    ana = make_user(institution=exchange.sender, name="Ana Visitor")
    training = record_training(exchange, [ana])
    spring = make_event(exchange, title="Spring school on family groups", **SPRING_EVENT)
    events.register(ana, spring)
    application = make_applicant()
    ana_application = mobility.save_application(ana, exchange.partnership,
                                                application_data(preferred_hosts=[exchange.seville.id]))
    mobility.decide_application(exchange.sender_admin, ana_application, endorse=True)
    visit = mobility.book_visit(exchange.coordinator, ana_application, exchange.seville_offer, W1)
    invitation = make_survey_invitation(exchange.partnership, ana, training, closes_on=date(2027, 3, 20))
    course = make_course(exchange.sender_admin, exchange.sender)
    enrolment = learning.enrol(ana, course)

    newcomer = make_user(institution=exchange.sender, status=PENDING, name="Nina Newcomer")
    waiting = mobility.save_application(make_user(institution=exchange.sender, name="Pau Applicant"),
                                        exchange.partnership, application_data())
    practice = make_practice(exchange.sender, title="Kitchen-table talks")
    comment = discussion.add_comment(make_user(institution=exchange.arad), practice, "Spam, spam, spam")
    discussion.flag_comment(ana, comment, "Advertising")

    set_today(monkeypatch, IN_THE_VISIT_WEEK)
    return dict(ana=ana, training=training, spring=spring, visit=visit, invitation=invitation, course=course,
                enrolment=enrolment, newcomer=newcomer, waiting=waiting, endorsed=application, comment=comment)


# --- a person's tasks ------------------------------------------------------------------------------------------


def test_each_task_of_a_person_is_a_link_that_does_it(app, exchange, busy):
    page = read_html(home_of(app, busy["ana"]))
    tasks = items(page, "home-tasks")
    training, spring, visit = busy["training"], busy["spring"], busy["visit"]

    assert tasks["essay-to-write"] == [
        ("Write your essay about Training on family group conferencing", f"/essays/new?event={training.id}")]
    due = page.select_one("#home-tasks .home-essay-to-write .home-due").get_text()
    assert due == f"by {(EVENT_END + REMIND_AFTER).strftime('%B %-d, %Y')}"
    assert tasks["registered-event"] == [
        ("You are registered for Spring school on family groups, April 13, 2027", f"/events/{spring.id}")]
    assert tasks["visit-this-month"] == [
        ("Your visit to Seville Family Centre, the week of March 1, 2027", f"/mobility/visits/{visit.id}")]
    programme = [li.get_text() for li in page.select("#home-tasks .home-visit-this-month .home-details li")]
    assert programme == ["Monday: Welcome and the centre's model", "Tuesday: Evening group",
                         "Friday: What you take home"]
    assert tasks["survey-to-answer"] == [
        ("Answer the survey After the training", f"/evaluation/answer/{busy['invitation'].id}")]
    first_lesson = busy["enrolment"].version.contents["modules"][0]["lessons"][0]["id"]
    assert tasks["course-in-progress"] == [
        ("Go on with Getting started in the course Digital mediation in social work",
         f"/courses/{busy['course'].id}/lessons/{first_lesson}")]
    # Soonest first: the essay's deadline (past), this week's visit, the survey closing on the 20th, April's event.
    kinds = list(tasks)
    assert kinds.index("essay-to-write") < kinds.index("visit-this-month") < kinds.index("survey-to-answer") \
        < kinds.index("registered-event")
    # An admin's tasks are not hers.
    assert not {"membership-request", "application-to-endorse", "flagged-comments", "essay-to-assess"} & set(tasks)


def test_an_admin_sees_what_waits_for_their_decision(app, exchange, busy):
    page = read_html(home_of(app, exchange.sender_admin))
    tasks = items(page, "home-tasks")
    assert tasks["membership-request"] == [("Decide on the membership request of Nina Newcomer", "/admin/memberships")]
    assert tasks["application-to-endorse"] == [
        ("Endorse or decline the application of Pau Applicant", f"/mobility/applications/{busy['waiting'].id}")]
    assert tasks["flagged-comments"] == [("1 flagged comment waits for your decision", "/practices/flags")]
    # The host's admin sees the visit coming to their institution, not the sender's requests.
    host = items(read_html(home_of(app, exchange.seville_admin)), "home-tasks")
    assert host["visit-this-month"] == [("Ana Visitor visits your institution the week of March 1, 2027",
                                         f"/mobility/visits/{busy['visit'].id}")]
    assert not {"membership-request", "application-to-endorse", "flagged-comments"} & set(host)


def test_more_than_a_few_requests_end_with_a_link_to_all_of_them(app, exchange, make_user):
    for n in range(7):
        make_user(institution=exchange.sender, status=PENDING, name=f"Newcomer {n}")
    tasks = items(read_html(home_of(app, exchange.sender_admin)), "home-tasks")
    assert len(tasks["membership-request"]) == 5
    assert tasks["membership-requests"] == [("All 7 membership requests waiting", "/admin/memberships")]


def test_evaluators_assess_and_coordinators_review_the_essays_sent(app, exchange, make_user, make_partnership):
    author = make_user(institution=exchange.sender)
    essay = written(author, record_training(exchange, [author]), title="Groups that carry families")
    evaluator = make_user(EVALUATOR, institution=exchange.arad)
    evaluator_tasks = items(read_html(home_of(app, evaluator)), "home-tasks")
    assert evaluator_tasks == {"essay-to-assess": [("Assess the essay Groups that carry families",
                                                    f"/essays/{essay.id}/assess")]}
    assert items(read_html(home_of(app, exchange.coordinator)), "home-tasks")["essay-to-review"] == [
        ("Publish or return the essay Groups that carry families", f"/essays/{essay.id}#review-heading")]
    # Not to its author, nor to the coordinators of another partnership.
    assert read_html(home_of(app, author)).select_one("#home-tasks") is None
    elsewhere = make_user(COORDINATOR, institution=make_partnership().coordinating_institution)
    assert read_html(home_of(app, elsewhere)).select_one("#home-tasks") is None


def test_someone_else_sees_none_of_them(app, exchange, busy, make_user):
    stranger = make_user(institution=exchange.arad)
    page = read_html(home_of(app, stranger))
    assert page.select_one("#home-tasks") is None
    assert "Nothing needs you right now." in page.select_one("#home-no-tasks").get_text()
    text = page.get_text()
    for name in ("Nina Newcomer", "Pau Applicant", "Spring school", "Seville Family Centre", "After the training",
                 "Digital mediation"):
        assert name not in text


def test_two_people_each_see_their_own_home_never_a_cached_one(app, exchange, busy, make_user):
    app.config["PAGE_CACHE_SECONDS"] = 30
    stranger = make_user(institution=exchange.arad)
    first = home_of(app, busy["ana"])
    second = home_of(app, stranger)
    third = home_of(app, busy["ana"])
    for response in (first, second, third):
        assert "X-Page-Cache" not in response.headers
        assert response.headers["Cache-Control"] == "private, no-store"
    assert "Write your essay" in first.get_data(as_text=True) and "Write your essay" in third.get_data(as_text=True)
    assert "Write your essay" not in second.get_data(as_text=True)
    assert not app.extensions.get("page_cache")


# --- new for you, empty states ---------------------------------------------------------------------------------


def test_new_practices_and_essays_in_the_person_s_sectors_and_languages(app, make_institution, make_user, make_practice,
                                                                        exchange):
    home_institution = make_institution(sectors=("social",), languages=("es", "en"))
    reader = make_user(institution=home_institution)
    other = make_institution(sectors=("social", "educational"), languages=("es",))
    spanish = make_practice(other, title="Grupos multifamiliares", language="es")
    make_practice(other, title="Only for schools", language="es", sectors=["educational"])
    make_practice(other, title="Auf Deutsch", language="de")
    make_practice(other, title="Still a draft", status="draft")
    make_practice(reader.institution, actor=reader, title="My own practice", language="es")

    news = items(read_html(home_of(app, reader)), "home-news")
    assert news["new-practice"] == [("New practice: Grupos multifamiliares", f"/practices/{spanish.id}")]


def test_discussions_a_person_follows_show_the_new_comments(app, make_institution, make_user, make_practice):
    reader = make_user()
    practice = make_practice(make_institution(), title="Walking groups")
    discussion.follow(reader, practice)
    someone = make_user()
    discussion.add_comment(someone, practice, "We started one too.")
    discussion.add_comment(someone, practice, "It works in winter as well.")
    discussion.add_comment(reader, practice, "Thanks!")  # their own: not news
    page = read_html(home_of(app, reader))
    assert items(page, "home-news")["followed-discussion"] == [
        ("New in the discussion of Walking groups", f"/practices/{practice.id}#discussion")]
    assert page.select_one(".home-followed-discussion .home-details").get_text(strip=True) == "2 new comments"


def test_new_essays_changed_collections_and_the_next_visit(app, exchange, make_user, make_applicant, make_practice):
    from collections_helpers import make_collection
    from network.collections import services as collections
    from network.essays import services as essays

    reader = make_user(institution=exchange.sender)  # Finnish and English
    author = make_user(institution=exchange.seville)
    training = record_training(exchange, [author])
    essay = written(author, training, title="What the groups taught me", language="en")
    essays.publish_essay(exchange.coordinator, essay)
    romanian = make_user(institution=exchange.arad)
    essays.publish_essay(exchange.coordinator, written(romanian, record_training(exchange, [romanian]), language="ro",
                                                       title="Ce am învățat"))
    practice = make_practice(exchange.seville, title="Family group conferencing")
    manual = make_collection(exchange.coordinator, exchange.partnership, practices=[practice], title="Family manual")
    collections.publish_edition(exchange.coordinator, manual)
    toolbox = make_collection(exchange.sender_admin, exchange.sender, practices=[practice], title="Our toolbox",
                              kind="toolbox", language="fi")
    make_collection(exchange.arad_admin, exchange.arad, title="Trusa noastră", kind="toolbox", language="ro")
    application = make_applicant(preferred_hosts=[exchange.seville.id])
    visit = mobility.book_visit(exchange.coordinator, application, exchange.seville_offer, W1)

    news = items(read_html(home_of(app, reader)), "home-news")
    assert news["new-essay"] == [("New essay: What the groups taught me", f"/essays/{essay.id}")]  # not in Romanian
    assert news["new-edition"] == [("New edition of Family manual", f"/collections/{manual.id}/editions/1")]
    assert news["changed-collection"] == [("Changed lately: Our toolbox", f"/collections/{toolbox.id}")]
    assert "next-visit" not in news
    visitor_news = items(read_html(home_of(app, application.user)), "home-news")
    assert visitor_news["next-visit"] == [("Your next visit: Seville Family Centre, the week of March 1, 2027",
                                           f"/mobility/visits/{visit.id}")]


def test_a_new_member_is_told_what_to_do_first(app, make_user):
    newcomer = make_user()
    page = read_html(home_of(app, newcomer))
    assert items(page, "home-first-steps") == {
        "first-practice": [("Share your first practice", "/practices/new")],
        "self-assessment": [("Take the self-assessment", "/self-assessment/")],
    }
    assert page.select_one("#home-no-news") is not None


def test_someone_waiting_for_membership_is_told_so_and_not_asked_to_share(app, make_user):
    page = read_html(home_of(app, make_user(status=PENDING)))
    steps = items(page, "home-first-steps")
    assert set(steps) == {"membership-waiting", "self-assessment"}


# --- a visitor's home ------------------------------------------------------------------------------------------


def test_a_visitor_sees_the_newest_public_practices_the_manual_and_search(client, make_institution, make_practice,
                                                                          make_user):
    owner = make_institution()
    public = [make_practice(owner, title=f"Public practice {n}") for n in range(6)]
    hidden = make_practice(owner, title="For members only", visibility="members")
    make_practice(owner, title="A draft", status="draft")
    page = read_html(client.get("/"))
    shown = items(page, "home-showcase-1")["practice"]
    assert [title for title, _link in shown] == [f"Public practice {n}" for n in (5, 4, 3, 2, 1)]
    assert shown[0][1] == f"/practices/{public[5].id}"
    text = page.get_text()
    assert hidden.title not in text and "A draft" not in text
    search = page.select_one("main form[role=search]")
    assert search["action"] == "/search" and search.select_one("input[name=q]")["id"] == "home-search-q"
    assert page.select_one("label[for=home-search-q]") is not None
    assert page.find("h1").get_text() == "Peer Network" and page.select_one("ul.stats") is not None


def test_the_visitors_home_shows_the_published_manual(client, exchange, make_practice):
    from collections_helpers import make_collection
    from network.collections import services as collections

    practice = make_practice(exchange.seville, title="Family group conferencing")
    manual = make_collection(exchange.coordinator, exchange.partnership, practices=[practice],
                             title="Manual of family resources", kind="manual")
    collections.publish_edition(exchange.coordinator, manual)
    make_collection(exchange.coordinator, exchange.partnership, practices=[practice], title="Members' manual",
                    kind="manual", visibility="members")
    page = read_html(client.get("/"))
    manuals = [section for section in page.select(".home-showcase") if section.find("h2").get_text() == "The manual"]
    assert [(title, link) for title, link in items(manuals[0], manuals[0].ul["id"])["manual"]] == [
        ("Manual of family resources", f"/collections/{manual.id}/editions/1")]
    assert "Members' manual" not in page.get_text()


# --- every word in the reader's language --------------------------------------------------------------------------

MARK = "⟦", "⟧"


class Marked(NullTranslations):
    """Every message of the catalogue comes back between marks: text on the page without them did not come through
    the catalogues (English composed in the code)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def ugettext(self, message):
        return MARK[0] + self.inner.ugettext(message) + MARK[1]

    gettext = ugettext

    def ungettext(self, singular, plural, n):
        return MARK[0] + self.inner.ungettext(singular, plural, n) + MARK[1]

    ngettext = ungettext

    def upgettext(self, context, message):
        return MARK[0] + self.inner.upgettext(context, message) + MARK[1]

    pgettext = upgettext

    def unpgettext(self, context, singular, plural, n):
        return MARK[0] + self.inner.unpgettext(context, singular, plural, n) + MARK[1]

    npgettext = unpgettext


@contextmanager
def marked_catalogues(monkeypatch):
    real = Domain.get_translations
    monkeypatch.setattr(Domain, "get_translations", lambda self: Marked(real(self)))
    yield


def words_outside_the_catalogues(page, people_wrote: set[str]) -> list[str]:
    """Words of the main content that are neither in a catalogue's message (marked), nor inside an element marked
    with the language people wrote them in, nor in the texts people wrote, nor digits and punctuation."""
    main = copy.copy(page.select_one("main"))
    for element in main.select("[lang]"):
        element.replace_with(" ")
    text = " ".join(main.get_text(" ").split())
    for written_text in sorted(people_wrote, key=len, reverse=True):
        text = text.replace(written_text, " ")
    while re.search(r"⟦[^⟦⟧]*⟧", text):  # a message inside another's parameters is marked inside its marks
        text = re.sub(r"⟦[^⟦⟧]*⟧", " ", text)
    return [word for word in text.split() if re.search(r"[^\W\d_]", word)]


def test_the_person_s_home_in_spanish_has_no_english_composed_in_the_code(app, exchange, busy, monkeypatch):
    busy["ana"].locale = "es"
    db.session.commit()
    with marked_catalogues(monkeypatch):
        page = read_html(home_of(app, busy["ana"]))
    assert page.html["lang"] == "es"
    assert page.select("#home-tasks > li")
    wrote = {"Ana Visitor", "Training on family group conferencing", "Spring school on family groups",
             "Seville Family Centre", "Welcome and the centre's model", "Evening group", "What you take home",
             "Digital mediation in social work", "Getting started"}
    assert words_outside_the_catalogues(page, wrote) == []
    # Dates in Spanish, the survey's title in Spanish (it has one).
    text = page.get_text()
    assert "1 de marzo de 2027" in text and "Después de la formación" in text


def test_the_admin_s_and_the_visitor_s_home_too(app, client, exchange, busy, make_practice, monkeypatch):
    make_practice(exchange.seville, title="Grupos en la cocina", language="es")
    with marked_catalogues(monkeypatch):
        admin = read_html(home_of(app, exchange.sender_admin, **{"Accept-Language": "es"}))
        visitor = read_html(client.get("/", headers={"Accept-Language": "es"}))
    assert admin.html["lang"] == visitor.html["lang"] == "es"
    assert words_outside_the_catalogues(admin, {"Nina Newcomer", "Pau Applicant", "Kitchen-table talks",
                                                "Ana Visitor"}) == []
    assert words_outside_the_catalogues(visitor, {"Grupos en la cocina", "Seville Family Centre", "Helsinki Family Clinic",
                                                  "Kitchen-table talks",
                                                  "Families meet every fortnight to share how they solve everyday "
                                                  "problems."}) == []


def test_a_title_in_another_language_is_marked_with_it(app, make_institution, make_user, make_practice):
    reader = make_user(institution=make_institution(languages=("es", "en")))
    reader.locale = "en"
    db.session.commit()
    make_practice(make_institution(), title="Grupos multifamiliares", language="es")
    link = read_html(home_of(app, reader)).select_one("#home-news .home-new-practice a")
    assert link.find("span", lang="es").get_text() == "Grupos multifamiliares"


# --- reading the database ----------------------------------------------------------------------------------------


@contextmanager
def counted(app):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


QUERY_BOUND = 35  # a page: the login's, the header's and the features' few queries each


def test_the_home_reads_the_database_a_bounded_number_of_times(app, exchange, busy, make_user, make_practice,
                                                               monkeypatch):
    def more_of_everything(count):
        set_today(monkeypatch, BEFORE_THE_WEEKS)  # applications choose weeks still to come
        for n in range(count):
            make_user(institution=exchange.sender, status=PENDING)
            mobility.save_application(make_user(institution=exchange.sender), exchange.partnership, application_data())
            practice = make_practice(exchange.sender, title=f"Practice {n}")
            comment = discussion.add_comment(make_user(), practice, "Buy now")
            discussion.flag_comment(busy["ana"], comment)
            discussion.follow(busy["ana"], practice)
            discussion.add_comment(make_user(), practice, "A real comment")
        set_today(monkeypatch, IN_THE_VISIT_WEEK)

    more_of_everything(6)  # past the few items of each kind the home lists: each list ends with a link to all
    with counted(app) as some:
        home_of(app, exchange.sender_admin)
        home_of(app, busy["ana"])
    more_of_everything(6)
    with counted(app) as twice_as_many:
        home_of(app, exchange.sender_admin)
        home_of(app, busy["ana"])
    assert len(twice_as_many) == len(some), "the number of queries grows with the number of items (N+1)"
    assert len(some) <= 2 * QUERY_BOUND, "\n".join(some)
