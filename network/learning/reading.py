"""What the learners' pages read from a frozen version: where a lesson sits in the course, its activities'
state for one learner, the practices and collections it links to, a quiz attempt's questions and its result.
Reads only: every write is in network.learning.services."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from network import permissions
from network.extensions import db
from network.learning import services
from network.learning.models import QUIZ, Course, CourseVersion, Enrolment, QuizAttempt


def contents_for(course: Course, enrolment: Enrolment | None, user=None) -> dict | None:
    """A learner reads their enrolment's version; anyone else the latest published one; its editors, before it
    is first published, a preview of the draft (None: nothing to read)."""
    if enrolment is not None:
        return enrolment.version.contents
    version = course.latest_version
    if version is not None:
        return version.contents
    return services.snapshot(course) if user is not None and permissions.can_edit_course(user, course) else None


def languages_of_courses(user) -> list[str]:
    """The languages of the courses this person may see (the list's filter offers only those)."""
    return sorted({services.facts_for(user, course).language for course in services.visible_courses(user)} - {""})


def clean_filter(value: str | None, pattern: str = r"[A-Za-z0-9_.-]{1,40}") -> str:
    """A filter value typed in the address: kept only when it looks like a code."""
    value = (value or "").strip()
    return value if re.fullmatch(pattern, value) else ""


def dimension_choices() -> list[tuple[str, str]]:
    """The current self-assessment's dimensions (code, name in the reader's language); none without one."""
    from network.self_assessment.services import current_questionnaire, localized

    questionnaire = current_questionnaire()
    if questionnaire is None:
        return []
    return [(d.code, localized(d.name).text or d.code) for d in questionnaire.dimensions]


@dataclass
class Summary:
    """A learner's progress in one line: required lessons done, quizzes passed."""

    lessons_done: int
    lessons: int
    quizzes_passed: int
    quizzes: int
    complete: bool


def summary(progress: services.Progress) -> Summary:
    return Summary(sum(m.lessons_done for m in progress.modules), sum(m.lessons for m in progress.modules),
                   sum(m.quizzes_passed for m in progress.modules), sum(m.quizzes for m in progress.modules),
                   progress.complete)


@dataclass
class Position:
    """Where a lesson sits: its module, its number among all lessons, the lessons before and after it."""

    module: dict
    number: int
    total: int
    previous: dict | None
    following: dict | None


def position_of(contents: dict, lesson_id: int) -> Position | None:
    places = [(module, lesson) for module in contents["modules"] for lesson in module["lessons"]]
    for index, (module, lesson) in enumerate(places):
        if lesson["id"] == lesson_id:
            return Position(module, index + 1, len(places), places[index - 1][1] if index else None,
                            places[index + 1][1] if index + 1 < len(places) else None)
    return None


@dataclass
class LessonState:
    """One learner's answers in a lesson: reflections written, tasks ticked off, best quiz attempts."""

    done: bool = False
    reflections: dict = field(default_factory=dict)  # activity id -> Reflection
    tasks: dict = field(default_factory=dict)  # activity id -> TaskDone
    best: dict = field(default_factory=dict)  # activity id -> QuizAttempt


def lesson_state(enrolment: Enrolment | None, lesson: dict) -> LessonState:
    if enrolment is None:
        return LessonState()
    ids = {a["id"] for a in lesson["activities"]}
    state = LessonState(done=any(row.lesson_id == lesson["id"] for row in enrolment.lessons_done))
    state.reflections = {r.activity_id: r for r in enrolment.reflections if r.activity_id in ids}
    state.tasks = {t.activity_id: t for t in enrolment.tasks_done if t.activity_id in ids}
    state.best = {a["id"]: services.best_attempt(enrolment, a["id"]) for a in lesson["activities"]
                  if a["kind"] == QUIZ}
    return state


def linked_items(user, lesson: dict) -> tuple[list, list]:
    """The practices and collections the lesson links to that this reader may see (the others are left out)."""
    from network.collections import services as collections
    from network.practices import services as practices

    found_practices = [practices.get(pid) for pid in lesson.get("practice_ids") or [] if isinstance(pid, int)]
    found_collections = [collections.get(cid) for cid in lesson.get("collection_ids") or [] if isinstance(cid, int)]
    return ([p for p in found_practices if p is not None and permissions.can_view_practice(user, p)],
            [c for c in found_collections if c is not None and permissions.can_view_collection(user, c)])


def reflection_of(enrolment: Enrolment, activity_id: int) -> str:
    row = next((r for r in enrolment.reflections if r.activity_id == activity_id), None)
    return row.text if row is not None else ""


def task_of(enrolment: Enrolment, activity_id: int):
    return next((t for t in enrolment.tasks_done if t.activity_id == activity_id), None)


def activity_in(contents: dict, activity_id: int, kind: str) -> tuple[dict, dict] | None:
    """(lesson, activity) of this kind in the version, or None."""
    found = services.find_activity(contents, activity_id)
    return found if found is not None and found[1]["kind"] == kind else None


@dataclass
class ShownQuestion:
    """A question as an attempt shows it: its options in the attempt's order, what was chosen, and (once
    submitted) whether it is right."""

    question: dict
    options: list[dict]
    chosen: set[int] = field(default_factory=set)
    right: bool | None = None


def attempt_questions(quiz: dict, attempt: QuizAttempt, chosen: dict[int, set[int]] | None = None
                      ) -> list[ShownQuestion]:
    """The quiz's questions in the attempt's order (a question or option no longer in the quiz is skipped);
    `chosen` (what was just sent) or else the attempt's saved answers."""
    questions = {q["id"]: q for q in quiz["questions"]}
    saved = {int(qid): {int(o) for o in options} for qid, options in (attempt.answers or {}).items()}
    chosen = chosen if chosen is not None else saved
    right = services.score_answers(quiz, attempt.answers)[1] if attempt.submitted_at is not None else {}
    shown = []
    for question_id, option_ids in attempt.order or []:
        question = questions.get(question_id)
        if question is None:
            continue
        options = {o["id"]: o for o in question["options"]}
        ordered = [options[o] for o in option_ids if o in options]
        ordered += [o for o in question["options"] if o["id"] not in option_ids]
        shown.append(ShownQuestion(question, ordered, chosen.get(question_id, set()), right.get(question_id)))
    return shown


def quiz_of_attempt(attempt: QuizAttempt) -> dict | None:
    """The quiz as it was in the version the attempt was made on."""
    version = db.session.get(CourseVersion, attempt.version_id)
    found = activity_in(version.contents, attempt.activity_id, QUIZ) if version is not None else None
    return found[1] if found is not None else None
