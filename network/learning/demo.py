"""The demo step of learning modules (seed-demo): the demo partnership's published course "Digital mediation in
social work" (four modules of three lessons, a quiz in each module, reflections and a practice task; two
lessons in Spanish, one optional, two linked to demo practices), written by its coordinator through the
services editors use, from demo_data/course.toml. Then a cohort of the partnership's kick-off meeting (its
earliest event): eight of the people who attended it, professional@demo.example among them, enrolled with
varied progress; two of them completed the course, so two certificates are issued. Added once: skipped when
the partnership owns the course already."""
from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import select

from network.auth.models import User
from network.collections.services import owner_key
from network.demo import PARTNERSHIP_REFERENCE, DemoDataError, check_fields, read_data
from network.events.models import Event
from network.extensions import db
from network.institutions.models import Partnership
from network.learning import services
from network.learning.models import ACTIVITY_KINDS, QUIZ, REFLECTION, TASK, Cohort, Course, Enrolment
from network.practices.models import Practice

DATA = Path(__file__).with_name("demo_data")
COORDINATOR_EMAIL, PROFESSIONAL_EMAIL = "coordinator@demo.example", "professional@demo.example"
COHORT_NAME, COHORT_DAYS = "Kick-off meeting cohort", 60

COURSE = {"title": str, "summary": str, "language": str, "level": str, "hours": str, "dimensions": list[str],
          "visibility": str, "modules": list[dict]}
MODULE = {"title": str, "lessons": list[dict]}
LESSON = {"title": str, "body": str}
LESSON_OPTIONAL = {"language": str, "required": bool, "minutes": str, "practices": list[str],
                   "activities": list[dict]}
ACTIVITY = {"kind": str, "title": str}
ACTIVITY_OPTIONAL = {"instructions": str, "pass_mark": str, "questions": list[dict], "sample_answers": list[str]}
QUESTION = {"text": str, "options": list[dict]}
OPTION = {"text": str, "feedback": str}

# What each learner of the cohort did, in the order they are enrolled (professional@demo.example first): the
# modules whose lessons they finished, the quizzes they passed (by module) and failed first, whether they wrote
# their reflections and ticked the task. The first two completed the course.
PROFILES = (
    {"modules": 4, "passed": 4, "failed_first": (), "optional": True, "reflections": True, "task": True},
    {"modules": 4, "passed": 4, "failed_first": (1, 3), "optional": False, "reflections": True, "task": True},
    {"modules": 3, "passed": 2, "failed_first": (2,), "optional": False, "reflections": True, "task": True},
    {"modules": 2, "passed": 2, "failed_first": (), "optional": False, "reflections": False, "task": False},
    {"modules": 1, "passed": 1, "failed_first": (0,), "optional": False, "reflections": True, "task": False},
    {"modules": 1, "passed": 0, "failed_first": (0,), "optional": False, "reflections": False, "task": False},
    {"modules": 0, "passed": 0, "failed_first": (), "optional": False, "reflections": False, "task": False},
    {"modules": 0, "passed": 0, "failed_first": (), "optional": False, "reflections": False, "task": False},
)


@cache
def load(folder: Path = DATA) -> dict:
    """The course's texts, checked; DemoDataError names the file and the field that is missing or wrong."""
    path = str(folder / "course.toml")
    course = check_fields(read_data(folder, "course.toml"), path, COURSE)
    for m, module in enumerate(course["modules"], start=1):
        check_fields(module, f"{path}, module {m}", MODULE, {"summary": str})
        for n, lesson in enumerate(module["lessons"], start=1):
            where = f"{path}, module {m}, lesson {n}"
            check_fields(lesson, where, LESSON, LESSON_OPTIONAL)
            for a, activity in enumerate(lesson.get("activities", []), start=1):
                _check_activity(activity, f"{where}, activity {a}")
    return course


def _check_activity(activity: dict, where: str) -> None:
    check_fields(activity, where, ACTIVITY, ACTIVITY_OPTIONAL)
    kind = activity["kind"]
    if kind not in ACTIVITY_KINDS:
        raise DemoDataError(f"{where}: kind should be one of {', '.join(ACTIVITY_KINDS)}")
    if kind == QUIZ and not ("pass_mark" in activity and activity.get("questions")):
        raise DemoDataError(f"{where}: a quiz needs a pass_mark and questions")
    if kind != QUIZ and ("pass_mark" in activity or "questions" in activity):
        raise DemoDataError(f"{where}: only a quiz has a pass_mark and questions")
    for q, question in enumerate(activity.get("questions", []), start=1):
        check_fields(question, f"{where}, question {q}", QUESTION, {"multiple": bool})
        for o, option in enumerate(question["options"], start=1):
            check_fields(option, f"{where}, question {q}, option {o}", OPTION, {"correct": bool})
        if not any(option.get("correct") for option in question["options"]):
            raise DemoDataError(f"{where}, question {q}: no option has correct = true")


def _practice_ids(titles: list[str]) -> list[int]:
    """The demo practices with these titles (none if the practices step made none)."""
    if not titles:
        return []
    return list(db.session.scalars(select(Practice.id).where(Practice.title.in_(titles)).order_by(Practice.id)))


def _build(coordinator: User, partnership: Partnership, texts: dict) -> Course:
    course = services.create_course(coordinator, services.CourseData(
        title=texts["title"], summary=texts["summary"].strip(), language=texts["language"], level=texts["level"],
        hours=texts["hours"], dimensions=texts["dimensions"], visibility=texts["visibility"],
        owner=owner_key(partnership)))
    for spec in texts["modules"]:
        module = services.add_module(course, spec["title"], spec.get("summary", ""))
        for lesson_spec in spec["lessons"]:
            lesson = services.add_lesson(module, services.LessonData(
                title=lesson_spec["title"], body=lesson_spec["body"].strip(),
                required=lesson_spec.get("required", True), minutes=lesson_spec.get("minutes", ""),
                language=lesson_spec.get("language", ""), practice_ids=_practice_ids(lesson_spec.get("practices", []))))
            for activity_spec in lesson_spec.get("activities", []):
                activity = services.add_activity(lesson, activity_spec["kind"], activity_spec["title"],
                                                 activity_spec.get("instructions", "").strip(),
                                                 activity_spec.get("pass_mark", "70"))
                for question in activity_spec.get("questions", []):
                    services.add_question(activity, question["text"], question.get("multiple", False), [
                        services.OptionData(option["text"], option.get("correct", False), option["feedback"])
                        for option in question["options"]])
    services.publish(coordinator, course)
    return course


def _answers(quiz: dict, right: bool) -> dict[int, list[int]]:
    """Every question answered rightly, or only the first one (which fails every demo quiz)."""
    answers = {}
    for n, question in enumerate(quiz["questions"]):
        correct = [o["id"] for o in question["options"] if o["correct"]]
        wrong = [o["id"] for o in question["options"] if not o["correct"]]
        answers[question["id"]] = correct if right or n == 0 else wrong[:1]
    return answers


def _take_quiz(enrolment: Enrolment, quiz: dict, right: bool) -> None:
    attempt = services.start_attempt(enrolment, quiz["id"])
    services.submit_attempt(enrolment, attempt, _answers(quiz, right))


def _follow(enrolment: Enrolment, profile: dict, samples: dict[int, list[str]], number: int) -> None:
    """The learner's progress as the profile says, module by module, in the order a learner goes."""
    contents = enrolment.version.contents
    for m, module in enumerate(contents["modules"]):
        if m >= profile["modules"]:
            break
        for lesson in module["lessons"]:
            if not lesson["required"] and not profile["optional"]:
                continue
            services.visit_lesson(enrolment, lesson["id"])
            for activity in lesson["activities"]:
                sample = samples.get(activity["id"]) or [""]
                if activity["kind"] == REFLECTION and profile["reflections"]:
                    services.save_reflection(enrolment, activity["id"], sample[number % len(sample)])
                elif activity["kind"] == TASK and profile["task"]:
                    services.tick_task(enrolment, activity["id"], sample[number % len(sample)])
                elif activity["kind"] == QUIZ:
                    if m in profile["failed_first"]:
                        _take_quiz(enrolment, activity, right=False)
                    if m < profile["passed"]:
                        _take_quiz(enrolment, activity, right=True)
            services.mark_lesson_done(enrolment, lesson["id"])


def _kick_off(partnership: Partnership) -> Event | None:
    return db.session.scalars(select(Event).where(Event.partnership_id == partnership.id)
                              .order_by(Event.start_date, Event.id).limit(1)).first()


def _learners(event: Event, coordinator: User) -> list[User]:
    """Eight of those who attended the kick-off meeting (not the coordinator, who tutors the course), the demo
    professional first even if they had not come."""
    professional = db.session.scalar(select(User).where(User.email == PROFESSIONAL_EMAIL))
    others = [person for person in event.participants if person.id not in (coordinator.id, professional.id)]
    return [professional, *others][:len(PROFILES)] if professional is not None else others[:len(PROFILES)]


def seed() -> dict[str, int]:
    """The demo course, its cohort and their progress, if the demo partnership has no such course yet."""
    texts = load()  # a data file that is missing or malformed stops the step before it writes anything
    added = {"courses": 0, "cohorts": 0, "enrolments": 0}
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR_EMAIL))
    if partnership is None or coordinator is None or db.session.scalar(select(Course.id).where(
            Course.partnership_id == partnership.id, Course.title == texts["title"])) is not None:
        return added
    course = _build(coordinator, partnership, texts)
    added["courses"] += 1

    # Sample answers of the reflections and the task, by their activity's id (the same in the version).
    activities = [activity for lesson in course.lessons for activity in lesson.activities]
    specs = [activity for module in texts["modules"] for lesson in module["lessons"]
             for activity in lesson.get("activities", [])]
    samples = {activity.id: spec.get("sample_answers", []) for activity, spec in zip(activities, specs, strict=True)}

    event = _kick_off(partnership)
    if event is not None:
        cohort = Cohort(course_id=course.id, name=COHORT_NAME, event_id=event.id, starts_on=event.end_date,
                        ends_on=event.end_date + timedelta(days=COHORT_DAYS), created_by_id=coordinator.id)
        db.session.add(cohort)
        db.session.commit()
        added["cohorts"] += 1
        for number, (learner, profile) in enumerate(zip(_learners(event, coordinator), PROFILES, strict=False)):
            enrolment = services.enrol(learner, course, cohort=cohort)
            added["enrolments"] += 1
            _follow(enrolment, profile, samples, number)
    db.session.commit()
    return added
