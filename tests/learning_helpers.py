"""A small course for the learning tests: two modules, three lessons (one optional), a quiz with a single- and a
multiple-choice question, a reflection and a practice task."""
from __future__ import annotations

from network.collections.services import owner_key
from network.learning import services
from network.learning.models import QUIZ, REFLECTION, TASK

Option = services.OptionData


def make_course(owner_admin, owner, title="Digital mediation in social work", visibility="public", publish=True):
    course = services.create_course(owner_admin, services.CourseData(
        title=title, summary="Helping families **online**.", language="en", level="introductory", hours="6",
        dimensions=["mediation"], visibility=visibility, owner=owner_key(owner)))
    first = services.add_module(course, "Getting started")
    welcome = services.add_lesson(first, services.LessonData(title="Welcome", body="Read this *first*."))
    quiz = services.add_activity(welcome, QUIZ, "Check yourself", pass_mark="50")
    services.add_question(quiz, "Which site renews an ID card?", False,
                          [Option("The police's", True, "Yes: the national police."), Option("A search engine's", False,
                                                                                     "No: look for the official one.")])
    services.add_question(quiz, "Which are signs of phishing?", True,
                          [Option("A hurried tone", True), Option("An unknown sender", True), Option("Your own bank's app", False)])
    services.add_activity(welcome, REFLECTION, "What do families ask you?")
    second = services.add_module(course, "In practice")
    practice = services.add_lesson(second, services.LessonData(title="Appointments online", body="Book it together."))
    services.add_activity(practice, TASK, "Try it with a family this week")
    services.add_lesson(second, services.LessonData(title="Further reading", body="Optional.", required=False))
    if publish:
        services.publish(owner_admin, course)
    return course


def quiz_of(course):
    return next(a for lesson in course.lessons for a in lesson.activities if a.kind == QUIZ)


def right_answers(quiz) -> dict[int, list[int]]:
    return {q.id: [o.id for o in q.options if o.correct] for q in quiz.questions}
