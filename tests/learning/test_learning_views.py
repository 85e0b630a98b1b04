"""Learners' pages: the whole journey through the web (enrol, lessons, reflection, task, quiz failed then passed,
completion and a certificate that verifies), visitors reading but not answering, members-only courses hidden,
versions kept until the learner moves, leaving with a confirmation, and hostile input never giving a 500."""
from __future__ import annotations

import re

import pytest

from conftest import read_html
from learning_helpers import make_course, quiz_of, right_answers
from network.extensions import db
from network.learning import services
from network.learning.models import Course


@pytest.fixture
def course(exchange):
    return make_course(exchange.seville_admin, exchange.seville)


def login(auth, user):
    auth.logout()
    return auth.login(user)


def text(response) -> str:
    return " ".join(read_html(response).get_text(" ").split())


def enrolment(user, course):
    db.session.expire_all()
    return services.enrolment_of(user, db.session.get(Course, course.id))


def quiz_fields(response) -> dict[int, list[int]]:
    """The question ids and their option ids, as the quiz page shows them (its own shuffled order)."""
    fields: dict[int, list[int]] = {}
    for box in read_html(response).select("input[name^=q-]"):
        fields.setdefault(int(box["name"][2:]), []).append(int(box["value"]))
    return fields


def attempt_id(response) -> str:
    return read_html(response).select_one("input[name=attempt]")["value"]


def test_a_learner_follows_a_course_to_its_certificate(client, auth, course, make_user):
    learner = make_user(name="Lucía Learner")
    login(auth, learner)
    welcome, appointments, optional = course.lessons
    quiz = quiz_of(course)
    reflection = welcome.activities[1]
    task = appointments.activities[0]

    page = client.get(f"/courses/{course.id}")
    assert page.status_code == 200 and "Enrol in this course" in text(page)
    response = client.post(f"/courses/{course.id}/enrol", follow_redirects=True)
    assert "You are enrolled" in text(response) and "Start: Welcome" in text(response)
    assert "0 of 1 lesson, quiz not passed yet" in text(response)

    lesson = client.get(f"/courses/{course.id}/lessons/{welcome.id}")
    assert lesson.status_code == 200 and "Lesson 1 of 3" in text(lesson)
    assert "<em>first</em>" in lesson.get_data(as_text=True)
    assert enrolment(learner, course).last_lesson_id == welcome.id

    key = f"reflection-{reflection.id}"
    saved = client.post(f"/courses/{course.id}/activities/{reflection.id}/reflection",
                        data={f"{key}-text": "Mostly how to book appointments."}, follow_redirects=True)
    assert "Your answer is saved" in text(saved) and "Mostly how to book appointments." in text(saved)
    autosaved = client.post(f"/courses/{course.id}/activities/{reflection.id}/reflection",
                            data={f"{key}-text": "Autosaved text."}, headers={"Accept": "application/json"})
    assert autosaved.status_code == 200 and "Saved at" in autosaved.get_json()["saved_label"]
    assert enrolment(learner, course).reflections[0].text == "Autosaved text."

    # The quiz: failed first, then passed; the best score is kept and shown on the lesson.
    page = client.get(f"/courses/{course.id}/quizzes/{quiz.id}")
    assert page.status_code == 200
    shown = quiz_fields(page)
    assert set(shown) == {q.id for q in quiz.questions}
    wrong = {f"q-{q.id}": [o.id for o in q.options if not o.correct][:1] for q in quiz.questions}
    failed = client.post(f"/courses/{course.id}/quizzes/{quiz.id}", data={**wrong, "attempt": attempt_id(page)},
                         follow_redirects=True)
    assert "Score: 0 %" in text(failed) and "Not passed yet" in text(failed)
    assert "No: look for the official one." in text(failed)
    page = client.get(f"/courses/{course.id}/quizzes/{quiz.id}")
    right = {f"q-{qid}": options for qid, options in right_answers(quiz).items()}
    passed = client.post(f"/courses/{course.id}/quizzes/{quiz.id}", data={**right, "attempt": attempt_id(page)},
                         follow_redirects=True)
    assert "Score: 100 %" in text(passed) and "Passed" in text(passed)
    lesson = client.get(f"/courses/{course.id}/lessons/{welcome.id}")
    assert "Best score 100 % — passed" in text(lesson)

    done = client.post(f"/courses/{course.id}/lessons/{welcome.id}/done", data={"done": "1"}, follow_redirects=True)
    assert "Lesson marked as done" in text(done) and "Lesson 2 of 3" in text(done)  # on to the next lesson

    key = f"task-{task.id}"
    ticked = client.post(f"/courses/{course.id}/activities/{task.id}/task",
                         data={f"{key}-note": "The family booked it alone.", f"{key}-submit": "y"},
                         follow_redirects=True)
    assert "Practice task ticked off" in text(ticked) and "The family booked it alone." in text(ticked)

    completed = client.post(f"/courses/{course.id}/lessons/{appointments.id}/done", data={"done": "1"},
                            follow_redirects=True)
    page = text(completed)
    assert "You completed the course" in page and "Course completed on" in page
    certificate = services.certificate_of(enrolment(learner, course))
    assert certificate.display_code in page
    assert f"/certificates/{certificate.display_code}.pdf" in completed.get_data(as_text=True)
    auth.logout()
    verified = client.get(f"/certificates/{certificate.display_code}")
    assert verified.status_code == 200 and "Lucía Learner" in text(verified)

    login(auth, learner)
    listing = client.get("/courses/")
    assert "My courses" in text(listing) and "Course completed" in text(listing)


def test_a_visitor_reads_a_public_course_and_its_lessons_but_takes_no_quiz(client, course):
    welcome = course.lessons[0]
    listing = client.get("/courses/")
    assert listing.status_code == 200 and course.title in text(listing)
    page = client.get(f"/courses/{course.id}")
    assert page.status_code == 200 and "Welcome" in text(page) and "Log in to enrol" in text(page)
    lesson = client.get(f"/courses/{course.id}/lessons/{welcome.id}")
    assert lesson.status_code == 200 and "Enrol to take part" in text(lesson)
    assert not read_html(lesson).select("textarea")  # no activity to answer
    quiz = client.get(f"/courses/{course.id}/quizzes/{quiz_of(course).id}")
    assert quiz.status_code == 302 and "/login" in quiz.headers["Location"]
    assert client.post(f"/courses/{course.id}/enrol").status_code == 302
    assert db.session.scalars(db.select(services.Enrolment)).all() == []


def test_a_member_who_is_not_enrolled_is_sent_to_enrol_before_a_quiz(client, auth, course, make_user):
    login(auth, make_user())
    response = client.get(f"/courses/{course.id}/quizzes/{quiz_of(course).id}", follow_redirects=True)
    assert "Enrol in the course to take its quizzes" in text(response)


def test_a_members_only_course_is_hidden_from_visitors(client, auth, exchange, make_user):
    course = make_course(exchange.seville_admin, exchange.seville, title="Members' course", visibility="members")
    assert client.get(f"/courses/{course.id}").status_code == 404
    assert client.get(f"/courses/{course.id}/lessons/{course.lessons[0].id}").status_code == 404
    assert "Members' course" not in text(client.get("/courses/"))
    login(auth, make_user())
    assert client.get(f"/courses/{course.id}").status_code == 200


def test_a_draft_is_shown_to_its_editors_only(client, auth, exchange, make_user):
    course = make_course(exchange.seville_admin, exchange.seville, title="Unfinished", publish=False)
    login(auth, make_user())
    assert client.get(f"/courses/{course.id}").status_code == 404
    login(auth, exchange.seville_admin)
    page = client.get(f"/courses/{course.id}")
    assert page.status_code == 200 and "not been published yet" in text(page)
    assert "Draft" in text(client.get("/courses/"))


def test_the_learner_keeps_their_version_until_they_move(client, auth, course, exchange, make_user):
    learner = make_user()
    login(auth, learner)
    client.post(f"/courses/{course.id}/enrol")
    welcome = course.lessons[0]
    services.update_lesson(welcome, services.LessonData(title="Welcome, revised", body="New text."))
    services.publish(exchange.seville_admin, course)

    page = client.get(f"/courses/{course.id}")
    assert "A new version of this course is available" in text(page) and "Welcome, revised" not in text(page)
    lesson = client.get(f"/courses/{course.id}/lessons/{welcome.id}")
    assert "Read this <em>first</em>." in lesson.get_data(as_text=True) and "New text." not in text(lesson)

    moved = client.post(f"/courses/{course.id}/move", follow_redirects=True)
    assert "You now follow version 2" in text(moved) and "A new version" not in text(moved)
    lesson = client.get(f"/courses/{course.id}/lessons/{welcome.id}")
    assert "New text." in text(lesson) and "Welcome, revised" in text(lesson)
    # A visitor reads the latest version.
    auth.logout()
    assert "New text." in text(client.get(f"/courses/{course.id}/lessons/{welcome.id}"))


def test_leaving_asks_first_then_removes_the_enrolment(client, auth, course, make_user):
    learner = make_user()
    login(auth, learner)
    client.post(f"/courses/{course.id}/enrol")
    confirm = client.get(f"/courses/{course.id}/leave")
    assert confirm.status_code == 200 and "deleted for good" in text(confirm)
    assert enrolment(learner, course) is not None
    left = client.post(f"/courses/{course.id}/leave", follow_redirects=True)
    assert "You left the course" in text(left)
    assert enrolment(learner, course) is None
    again = client.get(f"/courses/{course.id}/leave", follow_redirects=True)
    assert "Enrol in the course first" in text(again)


def test_an_unanswered_question_shows_the_quiz_again_with_the_choices_kept(client, auth, course, make_user):
    login(auth, make_user())
    client.post(f"/courses/{course.id}/enrol")
    quiz = quiz_of(course)
    single, multiple = quiz.questions
    page = client.get(f"/courses/{course.id}/quizzes/{quiz.id}")
    response = client.post(f"/courses/{course.id}/quizzes/{quiz.id}",
                           data={f"q-{single.id}": str(single.options[1].id), "attempt": attempt_id(page)})
    assert response.status_code == 422
    html = read_html(response)
    assert "Answer every question (1 left)" in text(response)
    assert html.select_one(f"#q-{single.id}-{single.options[1].id}").has_attr("checked")
    assert html.select_one(f"a[href='#question-{multiple.id}']") is not None
    # The same attempt is still the one under way: answering it now works.
    right = {f"q-{qid}": options for qid, options in right_answers(quiz).items()}
    done = client.post(f"/courses/{course.id}/quizzes/{quiz.id}", data={**right, "attempt": attempt_id(page)})
    assert done.status_code == 302 and "/attempts/" in done.headers["Location"]


@pytest.mark.parametrize("data", [
    {"q-1": "abc", "attempt": "x"},
    {"q-999999999999999999999": "1"},
    {"attempt": "-1", "q-abc": "2"},
])
def test_hostile_quiz_posts_never_give_a_500(client, auth, course, make_user, data):
    login(auth, make_user())
    client.post(f"/courses/{course.id}/enrol")
    quiz = quiz_of(course)
    page = client.get(f"/courses/{course.id}/quizzes/{quiz.id}")
    response = client.post(f"/courses/{course.id}/quizzes/{quiz.id}", data=data)
    assert response.status_code in (302, 400, 422)
    bogus = {"attempt": attempt_id(page), **{f"q-{q.id}": ["99999999", "0", "x", "1e9"] for q in quiz.questions}}
    response = client.post(f"/courses/{course.id}/quizzes/{quiz.id}", data=bogus)
    assert response.status_code == 422


@pytest.mark.parametrize("path", [
    "/courses/?language=%27%3B--&level=nope&dimension=%3Cscript%3E",
    "/courses/{course}/lessons/999999",
    "/courses/{course}/quizzes/999999",
    "/courses/{course}/quizzes/{quiz}/attempts/999999",
    "/courses/999999",
    "/courses/{course}/lessons/{task}",
])
def test_odd_addresses_are_404_or_ignored(client, auth, course, make_user, path):
    login(auth, make_user())
    client.post(f"/courses/{course.id}/enrol")
    url = path.format(course=course.id, quiz=quiz_of(course).id, task=course.lessons[1].activities[0].id)
    assert client.get(url).status_code in (200, 404)


def test_posts_about_activities_of_another_kind_or_course_are_404(client, auth, course, exchange, make_user):
    login(auth, make_user())
    client.post(f"/courses/{course.id}/enrol")
    quiz = quiz_of(course)
    assert client.post(f"/courses/{course.id}/activities/{quiz.id}/reflection",
                       data={f"reflection-{quiz.id}-text": "x"}).status_code == 404
    assert client.post(f"/courses/{course.id}/activities/{quiz.id}/task").status_code == 404
    assert client.post(f"/courses/{course.id}/lessons/999999/done", data={"done": "1"},
                       follow_redirects=True).status_code == 200
    assert client.post(f"/courses/{course.id}/lessons/{course.lessons[0].id}/done",
                       data={"done": "maybe"}).status_code == 400


def test_a_reflection_too_long_comes_back_with_what_was_typed(client, auth, course, make_user):
    login(auth, make_user())
    client.post(f"/courses/{course.id}/enrol")
    reflection = course.lessons[0].activities[1]
    key = f"reflection-{reflection.id}"
    long_text = "word " * 2100
    response = client.post(f"/courses/{course.id}/activities/{reflection.id}/reflection",
                           data={f"{key}-text": long_text})
    assert response.status_code == 422
    assert read_html(response).select_one(f"#{key}-text").get_text().strip() == long_text.strip()
    assert re.search(r"error-summary", response.get_data(as_text=True))


def post_form(client, form, extra=None):
    """Post one form of a page as a browser would: its inputs, textareas and first named button."""
    data = {i["name"]: i.get("value", "") for i in form.select("input[name]")
            if i.get("type") not in ("checkbox", "radio", "submit")}
    data.update({t["name"]: t.text.strip() for t in form.select("textarea[name]")})
    button = form.select_one("input[type=submit][name], button[name]")
    if button is not None:
        data[button["name"]] = button.get("value", "")
    data.update(extra or {})
    return client.post(form["action"], data=data)


def test_every_learners_form_works_with_its_csrf_token(csrf_app, client, course, make_user):
    """With CSRF protection on, as in production: each form carries the token its view checks, and every page
    has unique ids (labels and error links point to one element)."""
    from conftest import PASSWORD

    learner = make_user()
    token = read_html(client.get("/login")).select_one('input[name="csrf_token"]')["value"]
    client.post("/login", data={"email": learner.email, "password": PASSWORD, "csrf_token": token})
    assert client.post(f"/courses/{course.id}/enrol").status_code == 400  # no token
    page = read_html(client.get(f"/courses/{course.id}"))
    assert post_form(client, page.select_one("#enrol-form")).status_code == 302
    welcome, appointments, _optional = course.lessons
    for lesson in (welcome, appointments):
        url = f"/courses/{course.id}/lessons/{lesson.id}"
        page = read_html(client.get(url))
        ids = [tag["id"] for tag in page.select("[id]")]
        assert len(ids) == len(set(ids)), url
        forms = page.select("main form")
        assert forms
        for form in forms:
            response = post_form(client, form, {n["name"]: "A note." for n in form.select("textarea[name]")})
            assert response.status_code == 302, (form["action"], response.status_code)
    quiz = read_html(client.get(f"/courses/{course.id}/quizzes/{quiz_of(course).id}"))
    ids = [tag["id"] for tag in quiz.select("[id]")]
    assert len(ids) == len(set(ids))
    answers = {f"q-{qid}": options for qid, options in right_answers(quiz_of(course)).items()}
    assert post_form(client, quiz.select_one("form.quiz-form"), answers).status_code == 302
    page = read_html(client.get(f"/courses/{course.id}"))
    assert page.select_one("#completed") is not None
    leave = read_html(client.get(f"/courses/{course.id}/leave"))
    assert post_form(client, leave.select_one("main form")).status_code == 302


def test_the_list_filters_by_language_level_and_dimension(client, auth, course, exchange):
    other = make_course(exchange.seville_admin, exchange.seville, title="Advanced supervision")
    other.level, other.dimensions = "advanced", ["supervision"]
    db.session.commit()
    # Visitors see the published version's facts: the draft's new level counts once it is published.
    assert "Advanced supervision" not in str(read_html(client.get("/courses/?level=advanced")).select("#courses"))
    services.publish(exchange.seville_admin, other)

    def titles(query):
        return {a.get_text(strip=True) for a in read_html(client.get(f"/courses/{query}")).select("#courses h3 a")}

    assert titles("") == {course.title, "Advanced supervision"}
    assert titles("?level=advanced") == {"Advanced supervision"}
    assert titles("?dimension=mediation") == {course.title}
    assert titles("?language=en&level=introductory") == {course.title}
    assert titles("?language=fr") == set()
    login(auth, exchange.seville_admin)
    page = read_html(client.get(f"/courses/{course.id}"))
    assert page.select_one(f"a[href='/courses/{course.id}/edit']") is not None
    assert read_html(client.get("/courses/")).select_one("a[href='/courses/new']") is not None


def test_a_lesson_shows_only_the_linked_practices_its_reader_may_see(client, auth, exchange, make_practice,
                                                                      make_user):
    shared = make_practice(exchange.seville, exchange.seville_admin, title="Shared practice")
    internal = make_practice(exchange.seville, exchange.seville_admin, title="Internal practice",
                             visibility="members")
    course = make_course(exchange.seville_admin, exchange.seville, publish=False)
    lesson = course.lessons[0]
    services.update_lesson(lesson, services.LessonData(title="Welcome", body="Read.",
                                                       practice_ids=[shared.id, internal.id, 987654]))
    services.publish(exchange.seville_admin, course)
    page = text(client.get(f"/courses/{course.id}/lessons/{lesson.id}"))
    assert "Shared practice" in page and "Internal practice" not in page
    login(auth, make_user())
    page = text(client.get(f"/courses/{course.id}/lessons/{lesson.id}"))
    assert "Shared practice" in page and "Internal practice" in page


def test_a_saved_reflection_says_when_with_the_pages_date_format(client, auth, course, make_user):
    """"Last saved: Dec 5, 2026, 3:04 PM", the locale's medium date as on the rest of the page, not "12/5/26"."""
    login(auth, make_user())
    client.post(f"/courses/{course.id}/enrol")
    reflection = course.lessons[0].activities[1]
    client.post(f"/courses/{course.id}/activities/{reflection.id}/reflection",
                data={f"reflection-{reflection.id}-text": "What I would try with the Garcías"})
    page = read_html(client.get(f"/courses/{course.id}/lessons/{course.lessons[0].id}"))
    saved = next(p.get_text() for p in page.select(".save-status") if p.get_text().strip())
    assert re.fullmatch(r"Last saved: [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M", saved.strip()), saved
