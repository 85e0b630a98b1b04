"""Learning modules' rules: a course written and published as a frozen version, enrolment, quizzes scored and
shuffled, completion and its certificate, versions kept until the learner moves, and who sees which course."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from learning_helpers import make_course, quiz_of, right_answers
from network import permissions
from network.certificates import services as certificates
from network.errors import ServiceError
from network.extensions import db
from network.learning import services
from network.learning.models import QUIZ, Course


@pytest.fixture
def course(exchange):
    return make_course(exchange.seville_admin, exchange.seville)


def test_publishing_freezes_a_version_with_rendered_text(course):
    version = course.latest_version
    assert (version.number, course.status) == (1, "published")
    lessons = services.lessons_of(version.contents)
    assert [lesson["title"] for lesson in lessons] == ["Welcome", "Appointments online", "Further reading"]
    assert lessons[0]["html"] == "<p>Read this <em>first</em>.</p>"
    services.update_lesson(course.lessons[0], services.LessonData(title="Welcome!", body="Changed."))
    assert services.lessons_of(course.latest_version.contents)[0]["title"] == "Welcome"


def test_a_course_without_lessons_or_with_an_empty_quiz_is_not_published(exchange):
    course = make_course(exchange.seville_admin, exchange.seville, publish=False)
    services.add_activity(course.lessons[2], QUIZ, "Empty quiz")
    with pytest.raises(ServiceError) as refused:
        services.publish(exchange.seville_admin, course)
    assert "Empty quiz" in refused.value.text and course.versions == []


def test_a_quiz_is_scored_by_whole_questions_and_its_best_attempt_kept(course, make_user):
    learner = make_user()
    enrolment = services.enrol(learner, course)
    quiz = quiz_of(course)
    single, multiple = quiz.questions
    attempt = services.start_attempt(enrolment, quiz.id)
    assert sorted(q for q, _options in attempt.order) == sorted(q.id for q in quiz.questions)
    # The single-choice question right, the multiple one half right (one of its two right options): 50, passed.
    half = services.submit_attempt(enrolment, attempt, {single.id: [single.options[0].id],
                                                         multiple.id: [multiple.options[0].id]})
    assert (half.score, half.passed) == (50, True)
    wrong = services.submit_attempt(enrolment, services.start_attempt(enrolment, quiz.id),
                                    {single.id: [single.options[1].id], multiple.id: [multiple.options[2].id]})
    assert (wrong.score, wrong.passed) == (0, False)
    assert services.best_attempt(enrolment, quiz.id) == half
    with pytest.raises(ServiceError):
        services.submit_attempt(enrolment, services.start_attempt(enrolment, quiz.id), {single.id: []})


def test_shuffled_per_attempt(course, make_user):
    enrolment = services.enrol(make_user(), course)
    quiz = quiz_of(course)
    orders = set()
    for _ in range(12):
        attempt = services.start_attempt(enrolment, quiz.id)
        orders.add(repr(attempt.order))
        services.submit_attempt(enrolment, attempt, right_answers(quiz))
    assert len(orders) > 1


def test_completing_the_required_lessons_and_quizzes_issues_one_certificate(course, make_user):
    learner = make_user(name="Lucía Learner")
    enrolment = services.enrol(learner, course)
    welcome, appointments, optional = (lesson.id for lesson in course.lessons)
    services.mark_lesson_done(enrolment, welcome)
    services.mark_lesson_done(enrolment, appointments)
    shown = services.progress(enrolment)
    assert [(m.lessons_done, m.lessons, m.quizzes_passed, m.quizzes) for m in shown.modules] == [(1, 1, 0, 1),
                                                                                               (1, 1, 0, 0)]
    assert enrolment.completed_at is None and services.certificate_of(enrolment) is None
    quiz = quiz_of(course)
    services.submit_attempt(enrolment, services.start_attempt(enrolment, quiz.id), right_answers(quiz))
    assert enrolment.completed_at is not None  # the optional lesson is not needed
    certificate = services.certificate_of(enrolment)
    assert (certificate.holder_name, certificate.title, str(certificate.hours)) == (
        "Lucía Learner", "Digital mediation in social work", "6.00")
    assert certificates.verify(certificate.display_code) == certificate
    assert "completed the course “Digital mediation in social work”" in certificates.statement(certificate)
    services.mark_lesson_done(enrolment, optional)
    assert db.session.scalars(select(type(certificate))).all() == [certificate]


def test_learners_keep_their_version_until_they_move(course, exchange, make_user):
    enrolment = services.enrol(make_user(), course)
    services.mark_lesson_done(enrolment, course.lessons[0].id)
    services.update_lesson(course.lessons[0], services.LessonData(title="Welcome, revised", body="New text."))
    services.publish(exchange.seville_admin, course)
    assert services.find_lesson(enrolment.version.contents, course.lessons[0].id)["title"] == "Welcome"
    assert services.newer_version(enrolment).number == 2
    services.move_to_latest(enrolment)
    assert enrolment.version.number == 2 and services.newer_version(enrolment) is None
    assert services.find_lesson(enrolment.version.contents, course.lessons[0].id)["title"] == "Welcome, revised"
    assert course.lessons[0].id in services.progress(enrolment).done  # carried over by the lesson's id


def test_leaving_removes_the_learners_progress(course, make_user):
    enrolment = services.enrol(make_user(), course)
    services.save_reflection(enrolment, course.lessons[0].activities[1].id, "Mostly benefits.")
    services.leave(enrolment)
    assert db.session.scalars(select(services.Enrolment)).all() == []


@pytest.mark.parametrize("status", ["draft", "published", "archived"])
@pytest.mark.parametrize("visibility", ["public", "members"])
def test_the_sql_rule_of_who_sees_a_course_agrees_with_the_pages(exchange, make_user, status, visibility):
    course = make_course(exchange.seville_admin, exchange.seville, visibility=visibility, publish=False)
    course.status = status
    editor = make_user(name="Course Editor")
    services.add_editor(exchange.seville_admin, course, editor.email)
    db.session.commit()
    people = [AnonymousUserMixin(), make_user(status="pending"), make_user(), editor, exchange.seville_admin,
              exchange.coordinator, exchange.sender_admin]
    for person in people:
        in_sql = course in services.visible_courses(person)
        assert in_sql == permissions.can_view_course(person, course), (status, visibility, person)
    assert db.session.get(Course, course.id) is course


def test_lists_show_the_published_facts_until_the_next_version(course, exchange, make_user):
    services.update_course(exchange.seville_admin, course, services.CourseData(
        title="Renamed in the draft", summary="Not public yet.", hours="99", dimensions=["ethics"],
        owner="", language="en", level="advanced", visibility="public"))
    visitor = make_user()
    facts = services.facts_for(visitor, course)
    assert (facts.title, str(facts.hours), facts.level, facts.dimensions) == (
        "Digital mediation in social work", "6.0", "introductory", ["mediation"])
    assert services.facts_for(exchange.seville_admin, course).title == "Renamed in the draft"
    assert services.visible_courses(visitor, level="advanced") == []
    # The certificate's hours are the learner's version's too.
    enrolment = services.enrol(visitor, course)
    assert str(services.issue_certificate(enrolment).hours) == "6.00"


def test_moving_keeps_the_passes_of_unchanged_quizzes_only(course, exchange, make_user):
    enrolment = services.enrol(make_user(), course)
    quiz = quiz_of(course)
    services.submit_attempt(enrolment, services.start_attempt(enrolment, quiz.id), right_answers(quiz))
    services.update_lesson(course.lessons[2], services.LessonData(title="Further reading", body="More.",
                                                                  required=False))
    services.publish(exchange.seville_admin, course)
    services.move_to_latest(enrolment)
    assert quiz.id in services.progress(enrolment).passed  # the quiz did not change
    services.update_activity(quiz, quiz.title, pass_mark="90")
    services.publish(exchange.seville_admin, course)
    services.move_to_latest(enrolment)
    assert quiz.id not in services.progress(enrolment).passed  # its pass mark changed: taken again


def test_an_attempt_is_submitted_once_and_passes_on_the_exact_share(course, make_user):
    enrolment = services.enrol(make_user(), course)
    quiz = quiz_of(course)
    attempt = services.start_attempt(enrolment, quiz.id)
    services.submit_attempt(enrolment, attempt, right_answers(quiz))
    from sqlalchemy.orm.attributes import set_committed_value

    set_committed_value(attempt, "submitted_at", None)  # as a second request that read it before the first wrote
    with pytest.raises(ServiceError):
        services.submit_attempt(enrolment, attempt, right_answers(quiz))
    assert services.score_answers({"questions": [], "pass_mark": 50}, {}) == (0, {})


def test_resume_goes_back_to_the_lesson_last_opened(course, make_user):
    enrolment = services.enrol(make_user(), course)
    welcome, appointments, optional = (lesson.id for lesson in course.lessons)
    services.visit_lesson(enrolment, appointments)
    assert services.progress(enrolment).next_lesson["id"] == appointments
    services.mark_lesson_done(enrolment, appointments)
    services.mark_lesson_done(enrolment, appointments)  # pressed twice: no duplicate
    assert services.progress(enrolment).next_lesson["id"] == optional
    assert sorted(services.progress(enrolment).done) == [appointments]
