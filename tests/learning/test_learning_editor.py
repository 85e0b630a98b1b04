"""The course editors' pages: a course built, reordered and published (twice) through plain forms, refusals shown
with what was typed, who may edit (and manage editors), and parts of one course not reachable through another."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from conftest import read_html
from learning_helpers import make_course, quiz_of
from network.collections.services import owner_key
from network.extensions import db
from network.learning import services
from network.learning.models import QUIZ, Course


def _location(response) -> str:
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def _course_fields(exchange, **overrides):
    fields = {"title": "Families online", "summary": "Helping families **online**.", "language": "en",
              "level": "introductory", "hours": "4.5", "visibility": "public", "owner": owner_key(exchange.seville)}
    fields.update(overrides)
    return fields


def _question(text, options, multiple=False, prefix="new-question-"):
    """Form fields of a question: options as (text, correct, feedback)."""
    data = {f"{prefix}text": text}
    if multiple:
        data[f"{prefix}multiple"] = "y"
    for n, (option, correct, feedback) in enumerate(options):
        data[f"{prefix}options-{n}-text"] = option
        data[f"{prefix}options-{n}-feedback"] = feedback
        if correct:
            data[f"{prefix}options-{n}-correct"] = "y"
    return data


def test_an_institution_admin_builds_reorders_and_publishes_a_course_twice(client, auth, exchange):
    from self_assessment_helpers import tiny_questionnaire

    tiny_questionnaire()
    auth.login(exchange.seville_admin)
    page = client.get("/courses/new")
    assert page.status_code == 200 and "Digital mediation (mediation)" in page.get_data(as_text=True)
    editor = _location(client.post("/courses/new", data=_course_fields(exchange, dimensions=["mediation"])))
    course = db.session.scalar(select(Course).where(Course.title == "Families online"))
    assert editor.endswith(f"/courses/{course.id}/edit")
    assert (course.status, course.dimensions, str(course.hours)) == ("draft", ["mediation"], "4.5")

    client.post(f"/courses/{course.id}/modules", data={"new-module-title": "Getting started"})
    module = course.modules[0]
    welcome_url = _location(client.post(f"/courses/{course.id}/modules/{module.id}/lessons",
                                        data={f"new-lesson-{module.id}-title": "Welcome"}))
    client.post(f"/courses/{course.id}/modules/{module.id}/lessons", data={f"new-lesson-{module.id}-title": "Safety"})
    welcome, safety = course.modules[0].lessons
    assert welcome_url.endswith(f"/courses/{course.id}/lessons/{welcome.id}/edit")
    saved = client.post(welcome_url, data={"title": "Welcome", "body": "Read *this* first.", "required": "y",
                                           "minutes": "15", "language": ""})
    assert _location(saved).endswith(welcome_url)

    lesson_url = f"/courses/{course.id}/lessons/{welcome.id}/activities"
    quiz_page = _location(client.post(lesson_url, data={"new-activity-kind": QUIZ, "new-activity-title": "Check",
                                                        "new-activity-pass_mark": "50"}))
    quiz = welcome.activities[0]
    assert f"/courses/{course.id}/activities/{quiz.id}/edit" in quiz_page
    questions_url = f"/courses/{course.id}/activities/{quiz.id}/questions"
    client.post(questions_url, data=_question("Which site renews an ID card?",
                                              [("The police's", True, "Yes."), ("A search engine's", False, "No.")]))
    client.post(questions_url, data=_question("Signs of phishing?", [("Hurry", True, ""), ("Unknown sender", True, ""),
                                                                     ("Your bank's app", False, "")], multiple=True))
    client.post(lesson_url, data={"new-activity-kind": "reflection", "new-activity-title": "What do families ask?"})
    client.post(lesson_url, data={"new-activity-kind": "task", "new-activity-title": "Try it this week"})
    page = client.get(f"/courses/{course.id}/activities/{quiz.id}/edit")
    assert page.status_code == 200 and "Signs of phishing?" in page.get_data(as_text=True)

    # Reordering without JavaScript: the second lesson up, the task before the reflection, the questions swapped.
    client.post(f"/courses/{course.id}/lessons/{safety.id}/move", data={"direction": "up"})
    task = welcome.activities[2]
    client.post(f"/courses/{course.id}/activities/{task.id}/move", data={"direction": "up"})
    client.post(f"/courses/{course.id}/questions/{quiz.questions[1].id}/move", data={"direction": "up"})
    assert client.get(f"/courses/{course.id}/edit").status_code == 200

    assert _location(client.post(f"/courses/{course.id}/publish")).endswith("#versions")
    first = course.latest_version
    lessons = services.lessons_of(first.contents)
    assert [lesson["title"] for lesson in lessons] == ["Safety", "Welcome"]
    assert lessons[1]["html"] == "<p>Read <em>this</em> first.</p>" and lessons[1]["minutes"] == 15
    assert [a["kind"] for a in lessons[1]["activities"]] == ["quiz", "task", "reflection"]
    frozen_quiz = lessons[1]["activities"][0]
    assert frozen_quiz["pass_mark"] == 50
    assert [(q["text"], q["multiple"]) for q in frozen_quiz["questions"]] == [
        ("Signs of phishing?", True), ("Which site renews an ID card?", False)]
    assert [(o["text"], o["correct"], o["feedback"]) for o in frozen_quiz["questions"][1]["options"]] == [
        ("The police's", True, "Yes."), ("A search engine's", False, "No.")]

    # Editing the draft leaves version 1 as it was; publishing again makes version 2.
    page = client.get(welcome_url).get_data(as_text=True)
    assert "Changes are saved to the draft; publish to make them a new version." in page
    client.post(welcome_url, data={"title": "Welcome, again", "body": "Changed.", "minutes": ""})
    question = quiz.questions[1]
    edited = client.post(f"/courses/{course.id}/questions/{question.id}/edit", data=_question(
        "Which site renews an ID card, officially?",
        [("The police's", True, "Yes."), ("A search engine's", False, "No."), ("A forum", False, "")], prefix=""))
    assert _location(edited).endswith(f"#question-{question.id}")
    page = client.get(f"/courses/{course.id}/edit").get_data(as_text=True)
    assert "learners already enrolled keep their version until they choose to move to the new one" in page
    client.post(f"/courses/{course.id}/publish")
    db.session.expire_all()
    assert [v.number for v in course.versions] == [1, 2]
    old, new = (services.lessons_of(v.contents)[1] for v in course.versions)
    assert (old["title"], new["title"], new["required"]) == ("Welcome", "Welcome, again", False)
    assert len(old["activities"][0]["questions"][1]["options"]) == 2
    assert [o["text"] for o in new["activities"][0]["questions"][1]["options"]] == [
        "The police's", "A search engine's", "A forum"]


def test_a_question_without_a_right_option_is_refused_with_what_was_typed(client, auth, exchange):
    course = make_course(exchange.seville_admin, exchange.seville, publish=False)
    quiz = quiz_of(course)
    auth.login(exchange.seville_admin)
    refused = client.post(f"/courses/{course.id}/activities/{quiz.id}/questions",
                          data=_question("Which form is the official one?", [("The blue one", False, "Look again."),
                                                                             ("The green one", False, "")]))
    assert refused.status_code == 422
    html = read_html(refused)
    assert "Mark the right option." in html.select_one("#new-question-options-error").get_text()
    assert html.select_one("#new-question-text").get_text().strip() == "Which form is the official one?"
    assert html.select_one("#new-question-options-0-text")["value"] == "The blue one"
    assert html.select_one("#new-question-options-0-feedback")["value"] == "Look again."
    assert len(quiz.questions) == 2
    # The same on the page of an existing question: nothing changes.
    question = quiz.questions[0]
    refused = client.post(f"/courses/{course.id}/questions/{question.id}/edit",
                          data={"text": "Changed?", "options-0-text": "Only one"})
    assert refused.status_code == 422 and "Give at least two options." in refused.get_data(as_text=True)
    assert question.text == "Which site renews an ID card?"


def test_a_course_form_keeps_what_was_typed_when_refused(client, auth, exchange):
    auth.login(exchange.seville_admin)
    refused = client.post("/courses/new", data=_course_fields(exchange, title="", hours="lots"))
    assert refused.status_code == 422
    html = read_html(refused)
    assert html.select_one("#hours")["value"] == "lots" and html.select_one("#summary").get_text().strip().startswith("Help")
    assert "A title is required." in html.select_one("#title-error").get_text()
    assert db.session.scalar(select(Course)) is None
    someone_elses = client.post("/courses/new", data=_course_fields(exchange, owner=owner_key(exchange.arad)))
    assert someone_elses.status_code == 422 and db.session.scalar(select(Course)) is None


def test_publishing_an_empty_course_shows_what_is_missing_and_makes_no_version(client, auth, exchange):
    course = services.create_course(exchange.seville_admin, services.CourseData(
        title="Empty", owner=owner_key(exchange.seville)))
    services.add_module(course, "Nothing inside")
    auth.login(exchange.seville_admin)
    refused = client.post(f"/courses/{course.id}/publish")
    assert refused.status_code == 422
    alert = read_html(refused).select_one(".error-summary").get_text()
    assert "Add at least one lesson." in alert and "“Nothing inside” has no lessons" in alert
    assert course.versions == [] and course.status == "draft"


def _editor_urls(course) -> list[tuple[str, str]]:
    module, lesson = course.modules[0], course.lessons[0]
    quiz = quiz_of(course)
    question = quiz.questions[0]
    handout = _handout(lesson)
    c = f"/courses/{course.id}"
    return [("get", "/courses/new"), ("post", "/courses/new"), ("get", f"{c}/edit"), ("post", f"{c}/edit"),
            ("post", f"{c}/publish"), ("get", f"{c}/archive"), ("post", f"{c}/archive"), ("post", f"{c}/editors"),
            ("post", f"{c}/modules"), ("post", f"{c}/modules/{module.id}"), ("get", f"{c}/modules/{module.id}/delete"),
            ("post", f"{c}/modules/{module.id}/delete"), ("post", f"{c}/modules/{module.id}/lessons"),
            ("get", f"{c}/lessons/{lesson.id}/edit"), ("post", f"{c}/lessons/{lesson.id}/edit"),
            ("post", f"{c}/lessons/{lesson.id}/move"), ("get", f"{c}/lessons/{lesson.id}/delete"),
            ("post", f"{c}/lessons/{lesson.id}/delete"), ("post", f"{c}/lessons/{lesson.id}/activities"),
            ("get", f"{c}/activities/{quiz.id}/edit"), ("post", f"{c}/activities/{quiz.id}/edit"),
            ("post", f"{c}/activities/{quiz.id}/move"), ("get", f"{c}/activities/{quiz.id}/delete"),
            ("post", f"{c}/activities/{quiz.id}/delete"), ("post", f"{c}/activities/{quiz.id}/questions"),
            ("get", f"{c}/questions/{question.id}/edit"), ("post", f"{c}/questions/{question.id}/edit"),
            ("post", f"{c}/questions/{question.id}/move"), ("get", f"{c}/questions/{question.id}/delete"),
            ("post", f"{c}/questions/{question.id}/delete"), ("post", f"{c}/lessons/{lesson.id}/attachments"),
            ("post", f"{c}/attachments/{handout.id}/remove")]


def _handout(lesson):
    """The lesson's file (a row is enough here: the routes are tried, not the download)."""
    from network.learning.models import LessonAttachment

    found = db.session.scalar(select(LessonAttachment).where(LessonAttachment.lesson_id == lesson.id))
    if found is None:
        found = LessonAttachment(lesson_id=lesson.id, course_id=lesson.module.course_id, stored_name="handout.pdf",
                                 filename="handout.pdf", content_type="application/pdf", size=9)
        db.session.add(found)
        db.session.commit()
    return found


def test_only_editors_reach_the_editor_pages(client, auth, exchange, make_user, app):
    course = make_course(exchange.seville_admin, exchange.seville)
    urls = _editor_urls(course)
    editor_rules = {rule.rule for rule in app.url_map.iter_rules()
                    if app.view_functions[rule.endpoint].__module__ == "network.learning.editor_views"}
    assert len(editor_rules) == len({url for _method, url in urls})  # every editor route is tried below
    for method, url in urls:
        assert getattr(client, method)(url).headers.get("Location", "").startswith("/login"), url
    auth.login(make_user(institution=exchange.seville))
    for method, url in urls:
        assert getattr(client, method)(url).status_code == 403, (method, url)
    assert course.modules and course.latest_version.number == 1


def test_empty_or_odd_posts_are_refused_never_a_server_error(client, auth, exchange):
    course = make_course(exchange.seville_admin, exchange.seville, publish=False)
    auth.login(exchange.seville_admin)
    odd = {"title": "x" * 300, "hours": "1e9", "language": "<b>", "level": "expert", "owner": "institution-99999",
           "new-activity-kind": "exam", "new-activity-pass_mark": "-5", "direction": "", "action": "explode",
           "new-question-options-99-text": "too far", "remove": "abc", "email": "", "minutes": "²"}
    for method, url in _editor_urls(course):
        if method == "post" and not url.endswith(("/delete", "/archive", "/publish", "/remove")):
            for data in ({}, odd):
                status = client.post(url, data=data).status_code
                assert status in (302, 400, 422), (url, data and "odd", status)
    assert client.post(f"/courses/{course.id}/lessons/{course.lessons[0].id}/edit",
                       data={"title": "Welcome", "language": "<b>"}).status_code == 422
    assert course.lessons[0].language == ""


def test_parts_of_another_course_are_not_found(client, auth, exchange):
    mine = make_course(exchange.seville_admin, exchange.seville, publish=False)
    other = make_course(exchange.arad_admin, exchange.arad, title="Another course", publish=False)
    auth.login(exchange.seville_admin)
    c = f"/courses/{mine.id}"
    lesson, module, quiz = other.lessons[0], other.modules[0], quiz_of(other)
    for url in (f"{c}/lessons/{lesson.id}/edit", f"{c}/lessons/{lesson.id}/delete",
                f"{c}/modules/{module.id}/delete", f"{c}/activities/{quiz.id}/edit",
                f"{c}/questions/{quiz.questions[0].id}/edit", f"{c}/lessons/999999/edit"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{c}/lessons/{lesson.id}/move", data={"direction": "up"}).status_code == 404
    assert client.get(f"/courses/{other.id}/edit").status_code == 403
    assert client.get("/courses/999999/edit").status_code == 404


def test_an_added_editor_edits_but_does_not_manage_editors(client, auth, exchange, make_user):
    course = make_course(exchange.seville_admin, exchange.seville, publish=False)
    colleague = make_user(institution=exchange.seville, email="colleague@example.org", name="Col League")
    auth.login(exchange.seville_admin)
    added = client.post(f"/courses/{course.id}/editors", data={"email": "COLLEAGUE@example.org"})
    assert _location(added).endswith("#editors") and course.editor_rows[0].user_id == colleague.id
    unknown = client.post(f"/courses/{course.id}/editors", data={"email": "nobody@example.org"})
    assert unknown.status_code == 422 and read_html(unknown).select_one("#email")["value"] == "nobody@example.org"
    auth.logout()

    auth.login(colleague)
    page = read_html(client.get(f"/courses/{course.id}/edit"))
    assert page.select_one("#editors") is None and page.select_one("#owner") is None
    saved = client.post(f"/courses/{course.id}/edit", data=_course_fields(exchange, title="Renamed", owner=""))
    assert _location(saved).endswith(f"/courses/{course.id}/edit")
    assert (course.title, course.institution_id) == ("Renamed", exchange.seville.id)
    module = course.modules[0]
    assert _location(client.post(f"/courses/{course.id}/modules/{module.id}",
                                 data={f"module-{module.id}-title": "First steps", "action": "save"}))
    assert course.modules[0].title == "First steps"
    assert client.post(f"/courses/{course.id}/editors", data={"email": "x@example.org"}).status_code == 403
    assert client.post(f"/courses/{course.id}/editors", data={"remove": str(colleague.id)}).status_code == 403
    assert client.get("/courses/new").status_code == 403


def test_deleting_asks_first_and_removes_only_from_the_draft(client, auth, exchange):
    course = make_course(exchange.seville_admin, exchange.seville)
    module = course.modules[1]
    auth.login(exchange.seville_admin)
    confirm = client.get(f"/courses/{course.id}/modules/{module.id}/delete")
    assert confirm.status_code == 200 and "Delete the module “In practice”?" in confirm.get_data(as_text=True)
    assert len(course.modules) == 2
    client.post(f"/courses/{course.id}/modules/{module.id}/delete")
    assert [m.title for m in course.modules] == ["Getting started"]
    assert len(course.latest_version.contents["modules"]) == 2
    refused = client.post(f"/courses/{course.id}/modules/{course.modules[0].id}",
                          data={f"module-{course.modules[0].id}-title": "", "action": "save"})
    assert refused.status_code == 422 and "A title is required." in refused.get_data(as_text=True)
    assert client.post(f"/courses/{course.id}/archive").status_code == 302 and course.status == "archived"


@pytest.mark.parametrize("direction", ["sideways", ""])
def test_a_move_in_no_known_direction_is_a_bad_request(client, auth, exchange, direction):
    course = make_course(exchange.seville_admin, exchange.seville, publish=False)
    auth.login(exchange.seville_admin)
    assert client.post(f"/courses/{course.id}/lessons/{course.lessons[0].id}/move",
                       data={"direction": direction}).status_code == 400


def test_every_form_of_the_editor_pages_carries_a_csrf_token(csrf_app, client, exchange):
    from test_security import login_with_csrf

    course = make_course(exchange.seville_admin, exchange.seville, publish=False)
    assert login_with_csrf(client, exchange.seville_admin).status_code == 302
    quiz = quiz_of(course)
    for url in ("/courses/new", f"/courses/{course.id}/edit", f"/courses/{course.id}/lessons/{course.lessons[0].id}/edit",
                f"/courses/{course.id}/activities/{quiz.id}/edit", f"/courses/{course.id}/questions/{quiz.questions[0].id}/edit",
                f"/courses/{course.id}/modules/{course.modules[0].id}/delete"):
        page = read_html(client.get(url))
        forms = page.select("main form[method=post]")
        ids = [tag["id"] for tag in page.select("[id]")]
        assert len(ids) == len(set(ids)), url
        assert forms and all(form.select_one("input[name$=csrf_token]") for form in forms), url
    assert client.post(f"/courses/{course.id}/publish").status_code == 400 and course.versions == []
