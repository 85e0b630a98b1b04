"""Learning modules' rules: writing a course (modules, lessons, activities, quiz questions), publishing a frozen
version, enrolling, following lessons, quizzes (shuffled per attempt, best score kept), reflections, practice
tasks, completion and its certificate."""
from __future__ import annotations

import random
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, false, or_, select, update
from sqlalchemy.exc import IntegrityError

from network import audit, permissions
from network.auth.models import User
from network.database import upsert
from network.errors import ServiceError
from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.learning.models import (
    ACTIVITY_KINDS,
    ARCHIVED,
    DRAFT,
    LEVELS,
    PUBLIC,
    PUBLISHED,
    QUIZ,
    REFLECTION,
    TASK,
    TEXT_MAX,
    TITLE_MAX,
    VISIBILITIES,
    Activity,
    Cohort,
    Course,
    CourseEditor,
    CourseModule,
    CourseVersion,
    Enrolment,
    Lesson,
    LessonDone,
    QuizAttempt,
    QuizOption,
    QuizQuestion,
    Reflection,
    TaskDone,
)
from network.sanitize import render_markdown
from network.types import utcnow

CERTIFICATE_KIND = "course_completion"
CERTIFICATE_SENTENCE = _l("completed the course “%(title)s”")
CERTIFICATE_HEADING = _l("Certificate of completion")
MAX_OPTIONS = 8
REFLECTION_MAX = 10_000


# --- courses ------------------------------------------------------------------------------------------------


@dataclass
class CourseData:
    title: str = ""
    summary: str = ""
    language: str = "en"
    level: str = "introductory"
    hours: str = ""
    dimensions: list[str] = field(default_factory=list)
    visibility: str = PUBLIC
    owner: str = ""  # "institution-3" or "partnership-5" (network.collections.services.owner_key)


def _owner(actor, key: str, existing: Course | None):
    from network.collections.services import may_own, owner_from_key

    owner = owner_from_key(key)
    if owner is None and existing is not None and not key:
        return existing.owner
    if owner is None or not may_own(actor, owner):
        raise ServiceError.one("owner", _l("Choose an institution you administer or a partnership you coordinate."))
    return owner


def _hours(text: str) -> Decimal | None:
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        raise ServiceError.one("hours", _l("Give the hours as a number, for example 6 or 7.5.")) from None
    if not hours.is_finite() or not Decimal("0.5") <= hours <= Decimal("1000") \
            or hours != hours.quantize(Decimal("0.1")):
        raise ServiceError.one("hours", _l("Give between 0.5 and 1000 hours, to one decimal."))
    return hours


def _title(text: str, name: str = "title") -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError.one(name, _l("A title is required."))
    if len(text) > TITLE_MAX:
        raise ServiceError.one(name, _l("At most %(max)d characters.", max=TITLE_MAX))
    return text


def _text(text: str, name: str, limit: int = TEXT_MAX) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ServiceError.one(name, _l("At most %(max)d characters.", max=limit))
    return text


def _apply(actor, course: Course, data: CourseData) -> None:
    """Check every field (all the messages at once), then change the course."""
    from flask import current_app

    errors: dict[str, list] = {}
    checked = {}
    existing = course if course.id is not None else None
    for name, check in (("title", lambda: _title(data.title)), ("summary", lambda: _text(data.summary, "summary")),
                        ("hours", lambda: _hours(data.hours)), ("owner", lambda: _owner(actor, data.owner, existing))):
        try:
            checked[name] = check()
        except ServiceError as error:
            errors.update(error.errors)
    if data.level not in LEVELS:
        errors["level"] = [_l("Choose a level.")]
    if data.visibility not in VISIBILITIES:
        errors["visibility"] = [_l("Choose who can read it.")]
    if data.language not in current_app.config["SUPPORTED_LOCALES"] and not re.fullmatch(r"[a-z]{2}", data.language):
        errors["language"] = [_l("Choose a language.")]
    if errors:
        raise ServiceError(errors)
    owner = checked["owner"]
    course.title, course.summary, course.hours = checked["title"], checked["summary"], checked["hours"]
    course.language, course.level, course.visibility = data.language, data.level, data.visibility
    course.dimensions = sorted({code.strip() for code in data.dimensions if code and code.strip()})[:20]
    course.institution_id = owner.id if isinstance(owner, Institution) else None
    course.partnership_id = owner.id if isinstance(owner, Partnership) else None
    course.updated_at = utcnow()


def create_course(actor, data: CourseData) -> Course:
    if not permissions.can_create_course(actor):
        raise ServiceError.one("", _l("You may not create courses."))
    course = Course(status=DRAFT, created_by_id=getattr(actor, "id", None))
    _apply(actor, course, data)
    db.session.add(course)
    db.session.flush()
    audit.record(actor, "course.created", course, label=course.title)
    db.session.commit()
    return course


def update_course(actor, course: Course, data: CourseData) -> Course:
    _apply(actor, course, data)
    db.session.commit()
    return course


def archive_course(actor, course: Course) -> None:
    """No new learners; those enrolled carry on with their version."""
    course.status = ARCHIVED
    audit.record(actor, "course.archived", course, label=course.title)
    db.session.commit()


def delete_course(actor, course: Course) -> None:
    """The course with everything of it (versions, enrolments, cohorts) and, once that is committed, its lessons'
    files."""
    from sqlalchemy import delete

    from network.learning import attachments

    stored = attachments.stored_names(course)
    audit.record(actor, "course.deleted", course, label=course.title)
    # Enrolments first: they hold on to the versions (ON DELETE RESTRICT), which go with the course.
    db.session.execute(delete(Enrolment).where(Enrolment.course_id == course.id))
    db.session.delete(course)
    db.session.commit()
    attachments.remove_files(stored)


def add_editor(actor, course: Course, email: str) -> User:
    from sqlalchemy import func

    person = db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))
    if person is None or not permissions.is_member(person):
        raise ServiceError.one("email", _l("No approved member of the network has this email address."))
    if any(row.user_id == person.id for row in course.editor_rows):
        raise ServiceError.one("email", _l("%(name)s already edits this course.", name=person.name))
    course.editor_rows.append(CourseEditor(user_id=person.id))
    db.session.commit()
    return person


def remove_editor(actor, course: Course, user_id: int) -> None:
    course.editor_rows = [row for row in course.editor_rows if row.user_id != user_id]
    db.session.commit()


# --- the draft's parts ---------------------------------------------------------------------------------------


def _touch(course: Course) -> None:
    course.updated_at = utcnow()
    db.session.commit()


def _remove(rows: list, row) -> None:
    """Take a row out of its siblings; the others renumbered 0..n-1."""
    rows.remove(row)
    for position, each in enumerate(rows):
        each.position = position


def _move(rows: list, row, step: int) -> None:
    """Move a row one place up (-1) or down (+1) among its siblings; positions renumbered 0..n-1."""
    ordered = sorted(rows, key=lambda r: (r.position, r.id or 0))
    index = ordered.index(row)
    target = index + (1 if step > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position


def add_module(course: Course, title: str, summary: str = "") -> CourseModule:
    module = CourseModule(title=_title(title), summary=_text(summary, "summary"), position=len(course.modules))
    course.modules.append(module)
    _touch(course)
    return module


def update_module(module: CourseModule, title: str, summary: str = "") -> None:
    module.title, module.summary = _title(title), _text(summary, "summary")
    _touch(module.course)


def delete_module(module: CourseModule) -> None:
    from network.learning import attachments

    course = module.course
    _remove(course.modules, module)
    _touch(course)
    attachments.forget_unlisted(course)  # its lessons' files no version lists


def move_module(module: CourseModule, step: int) -> None:
    _move(module.course.modules, module, step)
    _touch(module.course)


@dataclass
class LessonData:
    title: str = ""
    body: str = ""
    required: bool = True
    minutes: str = ""
    language: str = ""
    practice_ids: list[int] = field(default_factory=list)
    collection_ids: list[int] = field(default_factory=list)


def _apply_lesson(lesson: Lesson, data: LessonData) -> None:
    errors: dict[str, list] = {}
    try:
        lesson.title = _title(data.title)
    except ServiceError as error:
        errors.update(error.errors)
    try:
        lesson.body = _text(data.body, "body")
    except ServiceError as error:
        errors.update(error.errors)
    minutes = (data.minutes or "").strip()
    if minutes and (not re.fullmatch(r"[0-9]{1,3}", minutes) or not 1 <= int(minutes) <= 600):
        errors["minutes"] = [_l("Give the minutes as a whole number from 1 to 600.")]
    if errors:
        raise ServiceError(errors)
    lesson.minutes = int(minutes) if minutes else None
    lesson.required, lesson.language = bool(data.required), (data.language or "").strip()[:10]
    lesson.practice_ids = [int(i) for i in dict.fromkeys(data.practice_ids)][:20]
    lesson.collection_ids = [int(i) for i in dict.fromkeys(data.collection_ids)][:20]


def add_lesson(module: CourseModule, data: LessonData) -> Lesson:
    lesson = Lesson(position=len(module.lessons))
    _apply_lesson(lesson, data)
    module.lessons.append(lesson)
    _touch(module.course)
    return lesson


def update_lesson(lesson: Lesson, data: LessonData) -> None:
    _apply_lesson(lesson, data)
    _touch(lesson.module.course)


def delete_lesson(lesson: Lesson) -> None:
    from network.learning import attachments

    module = lesson.module
    _remove(module.lessons, lesson)
    _touch(module.course)
    attachments.forget_unlisted(module.course)  # its files no version lists


def move_lesson(lesson: Lesson, step: int) -> None:
    _move(lesson.module.lessons, lesson, step)
    _touch(lesson.module.course)


def add_activity(lesson: Lesson, kind: str, title: str, instructions: str = "", pass_mark: str = "70") -> Activity:
    if kind not in ACTIVITY_KINDS:
        raise ServiceError.one("kind", _l("Choose a quiz, a reflection or a practice task."))
    activity = Activity(kind=kind, position=len(lesson.activities))
    _apply_activity(activity, title, instructions, pass_mark)
    lesson.activities.append(activity)
    _touch(lesson.module.course)
    return activity


def _apply_activity(activity: Activity, title: str, instructions: str, pass_mark: str) -> None:
    mark = str(pass_mark or "").strip()
    if activity.kind == QUIZ and (not re.fullmatch(r"[0-9]{1,3}", mark) or not 1 <= int(mark) <= 100):
        raise ServiceError.one("pass_mark", _l("Give the pass mark as a whole number from 1 to 100 (%)."))
    activity.title, activity.instructions = _title(title), _text(instructions, "instructions")
    activity.pass_mark = int(mark) if activity.kind == QUIZ else 0


def update_activity(activity: Activity, title: str, instructions: str = "", pass_mark: str = "70") -> None:
    _apply_activity(activity, title, instructions, pass_mark)
    _touch(activity.lesson.module.course)


def delete_activity(activity: Activity) -> None:
    lesson = activity.lesson
    _remove(lesson.activities, activity)
    _touch(lesson.module.course)


def move_activity(activity: Activity, step: int) -> None:
    _move(activity.lesson.activities, activity, step)
    _touch(activity.lesson.module.course)


@dataclass
class OptionData:
    text: str = ""
    correct: bool = False
    feedback: str = ""


def _apply_question(question: QuizQuestion, text: str, multiple: bool, options: list[OptionData]) -> None:
    given = [o for o in options if (o.text or "").strip()]
    errors: dict[str, list] = {}
    if not (text or "").strip():
        errors["text"] = [_l("Write the question.")]
    if len(given) < 2:
        errors["options"] = [_l("Give at least two options.")]
    elif len(given) > MAX_OPTIONS:
        errors["options"] = [_l("At most %(max)d options.", max=MAX_OPTIONS)]
    correct = sum(bool(o.correct) for o in given)
    if given and not correct:
        errors.setdefault("options", []).append(_l("Mark the right option."))
    if not multiple and correct > 1:
        errors.setdefault("options", []).append(
            _l("A single-choice question has one right option: mark one, or allow several answers."))
    if errors:
        raise ServiceError(errors)
    question.text, question.multiple = _text(text, "text", 2000), bool(multiple)
    question.options = [QuizOption(position=n, text=_text(o.text, "options", 1000), correct=bool(o.correct),
                                   feedback=_text(o.feedback, "options", 2000)) for n, o in enumerate(given)]


def add_question(activity: Activity, text: str, multiple: bool, options: list[OptionData]) -> QuizQuestion:
    if activity.kind != QUIZ:
        raise ServiceError.one("", _l("Only a quiz has questions."))
    question = QuizQuestion(position=len(activity.questions))
    _apply_question(question, text, multiple, options)
    activity.questions.append(question)
    _touch(activity.lesson.module.course)
    return question


def update_question(question: QuizQuestion, text: str, multiple: bool, options: list[OptionData]) -> None:
    _apply_question(question, text, multiple, options)
    _touch(question.activity.lesson.module.course)


def delete_question(question: QuizQuestion) -> None:
    activity = question.activity
    _remove(activity.questions, question)
    _touch(activity.lesson.module.course)


def move_question(question: QuizQuestion, step: int) -> None:
    _move(question.activity.questions, question, step)
    _touch(question.activity.lesson.module.course)


# --- publishing ----------------------------------------------------------------------------------------------


def publication_problems(course: Course) -> list:
    problems = []
    if not course.lessons:
        problems.append(_l("Add at least one lesson."))
    for module in course.modules:
        if not module.lessons:
            problems.append(_l("The module “%(title)s” has no lessons.", title=module.title))
    for lesson in course.lessons:
        for activity in lesson.activities:
            if activity.kind == QUIZ and not activity.questions:
                problems.append(_l("The quiz “%(title)s” has no questions.", title=activity.title))
    return problems


def snapshot(course: Course) -> dict:
    """The course as learners of a version read it: every text rendered and sanitised now, every id kept."""
    from network.learning import attachments

    def html(text: str) -> str:
        return str(render_markdown(text)) if text else ""

    files = attachments.by_lesson(course) if course.id is not None else {}
    return {
        "title": course.title, "summary_html": html(course.summary), "language": course.language,
        "level": course.level, "hours": str(course.hours) if course.hours is not None else None,
        "dimensions": list(course.dimensions or []),
        "modules": [{
            "id": module.id, "title": module.title, "summary_html": html(module.summary),
            "lessons": [{
                "id": lesson.id, "title": lesson.title, "html": html(lesson.body), "required": lesson.required,
                "minutes": lesson.minutes, "language": lesson.language or course.language,
                "practice_ids": list(lesson.practice_ids or []), "collection_ids": list(lesson.collection_ids or []),
                "attachments": [attachments.frozen(a) for a in files.get(lesson.id, [])],
                "activities": [{
                    "id": activity.id, "kind": activity.kind, "title": activity.title,
                    "html": html(activity.instructions), "pass_mark": activity.pass_mark,
                    "questions": [{
                        "id": question.id, "text": question.text, "multiple": question.multiple,
                        "options": [{"id": option.id, "text": option.text, "correct": option.correct,
                                     "feedback": option.feedback} for option in question.options],
                    } for question in activity.questions],
                } for activity in lesson.activities],
            } for lesson in module.lessons],
        } for module in course.modules],
    }


def publish(actor, course: Course) -> CourseVersion:
    """Freeze the course as its next version: new learners enrol on it; those enrolled keep theirs until they
    choose to move."""
    problems = publication_problems(course)
    if problems:
        raise ServiceError({"": problems})
    number = (course.latest_version.number if course.latest_version else 0) + 1
    version = CourseVersion(number=number, contents=snapshot(course), published_by_id=getattr(actor, "id", None))
    course.versions.append(version)
    course.status = PUBLISHED
    audit.record(actor, "course.published", course, label=course.title, number=number)
    db.session.commit()
    return version


# --- reading -------------------------------------------------------------------------------------------------


def get(course_id: int) -> Course | None:
    return db.session.get(Course, course_id)


def courses_visible_to(user):
    """A filter: the courses this person may see (permissions.can_view_course in SQL)."""
    published = Course.status == PUBLISHED
    readable = published & (Course.visibility == PUBLIC)
    if permissions.is_member(user):
        readable = published
    return or_(readable, _editable_by(user))


def _editable_by(user):
    """permissions.can_edit_course in SQL."""
    from network.auth.models import COORDINATOR, INSTITUTION_ADMIN
    from network.institutions.models import Partnership

    if permissions.is_site_admin(user):
        return Course.id.is_not(None)
    if not permissions.is_member(user):
        return false()
    conditions = [Course.id.in_(select(CourseEditor.course_id).where(CourseEditor.user_id == user.id))]
    if user.has_role(INSTITUTION_ADMIN):
        conditions.append(Course.institution_id == user.institution_id)
    if user.has_role(COORDINATOR):
        conditions.append(Course.partnership_id.in_(select(Partnership.id).where(
            Partnership.coordinating_institution_id == user.institution_id)))
    return or_(*conditions)


@dataclass
class CourseFacts:
    """What a list, a card or the API says about a course: its latest version's (the draft's for its editors and
    while it has no version: later edits are not public until published)."""

    title: str
    summary_html: str
    language: str
    level: str
    hours: Decimal | None
    dimensions: list[str]


def facts_for(user, course: Course) -> CourseFacts:
    version = course.latest_version
    if version is None or permissions.can_edit_course(user, course):
        return CourseFacts(course.title, str(render_markdown(course.summary)) if course.summary else "",
                           course.language, course.level, course.hours, list(course.dimensions or []))
    contents = version.contents
    hours = contents.get("hours")
    return CourseFacts(contents["title"], contents.get("summary_html", ""), contents.get("language", ""),
                       contents.get("level", ""), Decimal(hours) if hours else None,
                       list(contents.get("dimensions", [])))


def visible_courses(user, language: str = "", level: str = "", dimension: str = "") -> list[Course]:
    """The courses this person may see, filtered by what facts_for says of each (never an unpublished edit)."""
    query = select(Course).where(courses_visible_to(user)).order_by(Course.updated_at.desc(), Course.id.desc())
    found = []
    for course in db.session.scalars(query):
        facts = facts_for(user, course)
        if (not language or facts.language == language) and (not level or facts.level == level) and (
                not dimension or dimension in facts.dimensions):
            found.append(course)
    return found


def enrolment_of(user, course: Course) -> Enrolment | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Enrolment).where(Enrolment.course_id == course.id, Enrolment.user_id == user.id))


def enrolments_of(user) -> list[Enrolment]:
    return list(db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id)
                                   .order_by(Enrolment.last_active_at.desc())))


# --- a version's contents ------------------------------------------------------------------------------------


def lessons_of(contents: dict) -> list[dict]:
    return [lesson for module in contents["modules"] for lesson in module["lessons"]]


def find_lesson(contents: dict, lesson_id: int) -> dict | None:
    return next((lesson for lesson in lessons_of(contents) if lesson["id"] == lesson_id), None)


def find_activity(contents: dict, activity_id: int) -> tuple[dict, dict] | None:
    """(lesson, activity) of the version, or None."""
    for lesson in lessons_of(contents):
        for activity in lesson["activities"]:
            if activity["id"] == activity_id:
                return lesson, activity
    return None


def quizzes_of(contents: dict) -> list[dict]:
    return [a for lesson in lessons_of(contents) for a in lesson["activities"] if a["kind"] == QUIZ]


# --- learners ------------------------------------------------------------------------------------------------


def enrol(user, course: Course, cohort: Cohort | None = None) -> Enrolment:
    if not permissions.can_enrol(user, course) or course.latest_version is None:
        raise ServiceError.one("", _l("This course is not open for enrolment."))
    existing = enrolment_of(user, course)
    if existing is not None:
        return existing
    enrolment = Enrolment(course_id=course.id, user_id=user.id, version_id=course.latest_version.id,
                          cohort_id=getattr(cohort, "id", None))
    db.session.add(enrolment)
    try:
        db.session.flush()
    except IntegrityError:  # enrolled by a second request at the same moment (a double click): that one stands
        db.session.rollback()
        return enrolment_of(user, course)
    _check_completion(enrolment)  # a course with nothing to do is complete at once
    db.session.commit()
    return enrolment


def leave(enrolment: Enrolment) -> None:
    """The learner leaves: their progress, answers and reflections go with the enrolment; a certificate already
    issued stays theirs."""
    db.session.delete(enrolment)
    db.session.commit()


def newer_version(enrolment: Enrolment) -> CourseVersion | None:
    latest = enrolment.course.latest_version
    return latest if latest is not None and latest.id != enrolment.version_id else None


def move_to_latest(enrolment: Enrolment) -> Enrolment:
    """Onto the newest version: lessons done and tasks ticked carry over by their ids, and so do the passes of
    quizzes that did not change; a quiz whose questions, answers or pass mark changed is taken again."""
    latest = newer_version(enrolment)
    if latest is None:
        raise ServiceError.one("", _l("You already follow the newest version."))
    enrolment.version_id = latest.id
    db.session.flush()
    db.session.expire(enrolment, ["version"])
    _check_completion(enrolment)
    db.session.commit()
    return enrolment


def _touch_enrolment(enrolment: Enrolment, lesson_id: int | None = None) -> None:
    enrolment.last_active_at = utcnow()
    if lesson_id is not None:
        enrolment.last_lesson_id = lesson_id


def visit_lesson(enrolment: Enrolment, lesson_id: int) -> None:
    """Where the learner resumes."""
    if find_lesson(enrolment.version.contents, lesson_id) is not None:
        _touch_enrolment(enrolment, lesson_id)
        db.session.commit()


def mark_lesson_done(enrolment: Enrolment, lesson_id: int, done: bool = True) -> None:
    if find_lesson(enrolment.version.contents, lesson_id) is None:
        raise ServiceError.one("", _l("This lesson is not in your version of the course."))
    # Written in one statement each way, so that the button pressed twice at once is no duplicate key.
    if done:
        upsert(LessonDone, [{"enrolment_id": enrolment.id, "lesson_id": lesson_id, "done_at": utcnow()}],
               ["enrolment_id", "lesson_id"], [])
    else:
        db.session.execute(delete(LessonDone).where(LessonDone.enrolment_id == enrolment.id,
                                                    LessonDone.lesson_id == lesson_id))
    db.session.expire(enrolment, ["lessons_done"])
    _touch_enrolment(enrolment, lesson_id)
    db.session.flush()
    _check_completion(enrolment)
    db.session.commit()


def _activity(enrolment: Enrolment, activity_id: int, kind: str) -> dict:
    found = find_activity(enrolment.version.contents, activity_id)
    if found is None or found[1]["kind"] != kind:
        raise ServiceError.one("", _l("This activity is not in your version of the course."))
    return found[1]


def save_reflection(enrolment: Enrolment, activity_id: int, text: str) -> Reflection:
    _activity(enrolment, activity_id, REFLECTION)
    text = (text or "")[:REFLECTION_MAX]
    # One statement: the autosave and the button arriving together are two writes, not a duplicate key.
    upsert(Reflection, [{"enrolment_id": enrolment.id, "activity_id": activity_id, "text": text,
                         "updated_at": utcnow()}], ["enrolment_id", "activity_id"], ["text", "updated_at"])
    db.session.expire(enrolment, ["reflections"])
    _touch_enrolment(enrolment)
    db.session.commit()
    return next(r for r in enrolment.reflections if r.activity_id == activity_id)


def tick_task(enrolment: Enrolment, activity_id: int, note: str, done: bool = True) -> None:
    _activity(enrolment, activity_id, TASK)
    if done:
        upsert(TaskDone, [{"enrolment_id": enrolment.id, "activity_id": activity_id,
                           "note": _text(note, "note", 5000), "done_at": utcnow()}],
               ["enrolment_id", "activity_id"], ["note", "done_at"])
    else:
        db.session.execute(delete(TaskDone).where(TaskDone.enrolment_id == enrolment.id,
                                                  TaskDone.activity_id == activity_id))
    db.session.expire(enrolment, ["tasks_done"])
    _touch_enrolment(enrolment)
    db.session.commit()


# --- quizzes --------------------------------------------------------------------------------------------------


def current_attempt(enrolment: Enrolment, activity_id: int) -> QuizAttempt | None:
    """The attempt under way (shown, not yet submitted) on the learner's version."""
    return next((a for a in reversed(enrolment.attempts) if a.activity_id == activity_id
                 and a.version_id == enrolment.version_id and a.submitted_at is None), None)


def start_attempt(enrolment: Enrolment, activity_id: int) -> QuizAttempt:
    """A new attempt, its questions and each question's options in an order of their own (unlimited attempts)."""
    quiz = _activity(enrolment, activity_id, QUIZ)
    ongoing = current_attempt(enrolment, activity_id)
    if ongoing is not None:
        return ongoing
    shuffle = random.Random(secrets.randbits(64))
    questions = list(quiz["questions"])
    shuffle.shuffle(questions)
    order = []
    for question in questions:
        options = [option["id"] for option in question["options"]]
        shuffle.shuffle(options)
        order.append([question["id"], options])
    attempt = QuizAttempt(activity_id=activity_id, version_id=enrolment.version_id, order=order, answers={})
    enrolment.attempts.append(attempt)
    _touch_enrolment(enrolment)
    db.session.commit()
    return attempt


def score_answers(quiz: dict, answers: dict) -> tuple[int, dict[int, bool]]:
    """The share of questions answered right (0-100) and which: a question is right when exactly its right
    options are chosen (one for single choice; all of them, and no other, for multiple choice)."""
    right: dict[int, bool] = {}
    for question in quiz["questions"]:
        chosen = {int(o) for o in answers.get(str(question["id"]), answers.get(question["id"], []))}
        right[question["id"]] = chosen == {o["id"] for o in question["options"] if o["correct"]}
    total = len(quiz["questions"])
    return (round(100 * sum(right.values()) / total) if total else 0), right


def submit_attempt(enrolment: Enrolment, attempt: QuizAttempt, answers: dict[int, list[int]]) -> QuizAttempt:
    if attempt.submitted_at is not None:
        raise ServiceError.one("", _l("This attempt is already submitted: start a new one."))
    quiz = _activity(enrolment, attempt.activity_id, QUIZ)
    valid = {q["id"]: ({o["id"] for o in q["options"]}, q["multiple"]) for q in quiz["questions"]}
    kept: dict[str, list[int]] = {}
    for question_id, options in answers.items():
        if question_id in valid:
            allowed, multiple = valid[question_id]
            chosen = [o for o in dict.fromkeys(options) if o in allowed]
            kept[str(question_id)] = chosen if multiple else chosen[:1]
    missing = [q for q in valid if not kept.get(str(q))]
    if missing:
        raise ServiceError.one("", _l("Answer every question (%(count)d left).", count=len(missing)))
    # Claim the attempt in one statement: of two submissions at once (a double click), one only goes on.
    claimed = db.session.execute(update(QuizAttempt).where(QuizAttempt.id == attempt.id,
                                                           QuizAttempt.submitted_at.is_(None))
                                 .values(submitted_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ServiceError.one("", _l("This attempt is already submitted: start a new one."))
    db.session.refresh(attempt, ["submitted_at"])
    attempt.answers = kept
    attempt.score, right = score_answers(quiz, kept)
    # Passed on the exact share, not the rounded score: 2 of 3 (66.7 %) does not pass a mark of 67 %.
    attempt.passed = sum(right.values()) * 100 >= quiz["pass_mark"] * max(len(right), 1)
    _touch_enrolment(enrolment)
    db.session.flush()
    _check_completion(enrolment)
    db.session.commit()
    return attempt


def best_attempt(enrolment: Enrolment, activity_id: int) -> QuizAttempt | None:
    """The best submitted attempt on the learner's version (the score kept)."""
    done = [a for a in enrolment.attempts if a.activity_id == activity_id and a.version_id == enrolment.version_id
            and a.submitted_at is not None]
    return max(done, key=lambda a: (a.score or 0, -a.id)) if done else None


# --- progress and completion ---------------------------------------------------------------------------------


@dataclass
class ModuleProgress:
    module: dict
    lessons_done: int
    lessons: int
    quizzes_passed: int
    quizzes: int

    @property
    def complete(self) -> bool:
        return self.lessons_done == self.lessons and self.quizzes_passed == self.quizzes


@dataclass
class Progress:
    modules: list[ModuleProgress]
    done: set[int]  # lesson ids
    passed: set[int]  # quiz ids
    next_lesson: dict | None

    @property
    def complete(self) -> bool:
        return all(m.complete for m in self.modules)


def _quiz_signature(quiz: dict) -> tuple:
    """What a pass depends on: the questions, their options and which are right, and the pass mark."""
    return (quiz["pass_mark"], tuple((q["id"], q["multiple"], tuple((o["id"], o["correct"]) for o in q["options"]))
                                     for q in quiz["questions"]))


def _passed_quizzes(enrolment: Enrolment, contents: dict) -> set[int]:
    """The quizzes of the learner's version they passed: on this version, or on an earlier one whose quiz was the
    same (moving to a new version keeps the passes of unchanged quizzes)."""
    current = {quiz["id"]: _quiz_signature(quiz) for quiz in quizzes_of(contents)}
    passed: set[int] = set()
    versions: dict[int, dict] = {enrolment.version_id: contents}
    for attempt in enrolment.attempts:
        if not attempt.passed or attempt.activity_id not in current or attempt.activity_id in passed:
            continue
        if attempt.version_id not in versions:
            version = db.session.get(CourseVersion, attempt.version_id)
            versions[attempt.version_id] = version.contents if version is not None else {"modules": []}
        then = find_activity(versions[attempt.version_id], attempt.activity_id)
        if then is not None and _quiz_signature(then[1]) == current[attempt.activity_id]:
            passed.add(attempt.activity_id)
    return passed


def progress(enrolment: Enrolment) -> Progress:
    """Per module: lessons done of its required ones, quizzes passed of those in its required lessons (an optional
    lesson's quiz is optional too); and where to resume: the lesson last opened if not done yet, else the next one
    not done after it, else the first not done."""
    contents = enrolment.version.contents
    done = {row.lesson_id for row in enrolment.lessons_done}
    passed = _passed_quizzes(enrolment, contents)
    modules = []
    for module in contents["modules"]:
        required = [lesson for lesson in module["lessons"] if lesson["required"]]
        quizzes = [a for lesson in required for a in lesson["activities"] if a["kind"] == QUIZ]
        modules.append(ModuleProgress(module, sum(lesson["id"] in done for lesson in required), len(required),
                                      sum(q["id"] in passed for q in quizzes), len(quizzes)))
    lessons = lessons_of(contents)
    last = next((n for n, lesson in enumerate(lessons) if lesson["id"] == enrolment.last_lesson_id), 0)
    following = next((lesson for lesson in lessons[last:] + lessons[:last] if lesson["id"] not in done), None)
    return Progress(modules, done, passed, following or (lessons[last] if lessons else None))


def _check_completion(enrolment: Enrolment) -> None:
    """Every required lesson done and every quiz passed: the course is complete and its certificate issued (in
    the same transaction). Completion is not taken back."""
    if enrolment.completed_at is not None or not progress(enrolment).complete:
        return
    enrolment.completed_at = utcnow()
    issue_certificate(enrolment)


def issue_certificate(enrolment: Enrolment):
    from network.certificates import services as certificates

    course = enrolment.course
    learner = db.session.get(User, enrolment.user_id)
    owner = course.owner
    hours = enrolment.version.contents.get("hours")  # the version's, not a later draft's
    return certificates.issue(learner, CERTIFICATE_KIND, "course", course.id, enrolment.version.contents["title"],
                              getattr(owner, "name", None) or getattr(owner, "title", ""),
                              hours=Decimal(hours) if hours else None, commit=False)


def may_revoke_certificate(user, certificate) -> bool:
    """The course's tutors revoke its certificates (site admins too: permissions.can_revoke_certificate)."""
    course = db.session.get(Course, certificate.subject_id) if certificate.subject_type == "course" else None
    return course is not None and permissions.tutors_course(user, course)


def certificate_of(enrolment: Enrolment):
    from network.certificates.models import Certificate

    return db.session.scalar(select(Certificate).where(
        Certificate.kind == CERTIFICATE_KIND, Certificate.subject_type == "course",
        Certificate.subject_id == enrolment.course_id, Certificate.person_id == enrolment.user_id))

