"""The tutors' side of learning modules: cohorts (one may enrol a training event's participants), the progress
table of a course's learners (and its CSV), one learner's answers, a course's statistics (completion, quizzes,
the share of right answers per question) and the reminders to the learners who stalled.

Tutors are the course's editors (permissions.tutors_course); the views check it, these functions do not. Nothing
new is stored about a learner but Enrolment.reminded_at (exported with their data: personal_data.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from network import audit, permissions
from network.auth.models import User
from network.errors import ServiceError
from network.extensions import db
from network.learning import reading, services
from network.learning.models import PUBLISHED, QUIZ, TITLE_MAX, Cohort, Course, Enrolment, QuizAttempt
from network.notifications import services as notifications
from network.types import utcnow

REMIND_AFTER = timedelta(days=14)  # enrolled, inactive and not reminded for this long: reminded
EVENT_CHOICES = 100  # events offered for a cohort: the most recent ones
NOTIFICATION = "course"


# --- cohorts --------------------------------------------------------------------------------------------------


@dataclass
class CohortData:
    name: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    event_id: int | None = None


@dataclass
class CohortRow:
    cohort: Cohort
    learners: int
    completed: int


def cohorts(course: Course) -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).where(Cohort.course_id == course.id)
                                   .order_by(Cohort.starts_on.desc().nulls_last(), Cohort.id.desc())))


def cohort_rows(course: Course) -> list[CohortRow]:
    """Each cohort of the course with its learners and how many of them completed it."""
    counts = {cohort_id: (learners, completed) for cohort_id, learners, completed in db.session.execute(
        select(Enrolment.cohort_id, func.count(Enrolment.id), func.count(Enrolment.completed_at))
        .where(Enrolment.course_id == course.id, Enrolment.cohort_id.is_not(None)).group_by(Enrolment.cohort_id))}
    return [CohortRow(cohort, *counts.get(cohort.id, (0, 0))) for cohort in cohorts(course)]


def cohort_of(course: Course, cohort_id: int | None) -> Cohort | None:
    """The course's cohort with this id, or None (another course's is not this one's)."""
    cohort = db.session.get(Cohort, cohort_id) if cohort_id else None
    return cohort if cohort is not None and cohort.course_id == course.id else None


def _events_of(user, course: Course):
    """The events a cohort may come from: those of the course's partnership, or (a course of an institution)
    those its institution hosts; only those the tutor may see."""
    from network.events import services as events
    from network.events.models import Event

    owned = (Event.partnership_id == course.partnership_id if course.partnership_id is not None
             else Event.host_institution_id == course.institution_id)
    return select(Event).where(owned, events.visible_to(user))


def event_choices(user, course: Course) -> list:
    from network.events.models import Event

    return list(db.session.scalars(_events_of(user, course).order_by(Event.start_date.desc(), Event.id.desc())
                                   .limit(EVENT_CHOICES)))


def _cohort_fields(user, course: Course, data: CohortData):
    from network.events.models import Event

    errors: dict[str, list] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = [_l("Give the cohort a name.")]
    elif len(name) > TITLE_MAX:
        errors["name"] = [_l("At most %(max)d characters.", max=TITLE_MAX)]
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = [_l("A cohort cannot end before it starts.")]
    event = None
    if data.event_id:
        event = db.session.scalar(_events_of(user, course).where(Event.id == data.event_id))
        if event is None:
            errors["event_id"] = [_l("Choose one of the events listed.")]
    if errors:
        raise ServiceError(errors)
    return name, event


def create_cohort(actor, course: Course, data: CohortData) -> tuple[Cohort, int]:
    """A cohort of the course; from an event, its participants who may enrol (approved members) are enrolled on
    the latest version in it, and those already enrolled without a cohort join it. Returns the cohort and how
    many were enrolled or joined it."""
    if course.status != PUBLISHED or course.latest_version is None:
        raise ServiceError.one("", _l("Publish the course first: a cohort's learners enrol on a published version."))
    name, event = _cohort_fields(actor, course, data)
    cohort = Cohort(course_id=course.id, name=name, event_id=getattr(event, "id", None), starts_on=data.starts_on,
                    ends_on=data.ends_on, created_by_id=getattr(actor, "id", None))
    db.session.add(cohort)
    audit.record(actor, "course.cohort_created", course, label=course.title, cohort=name,
                 event=getattr(event, "id", None))
    db.session.commit()
    joined = 0
    for person in event.participants if event is not None else ():
        if not permissions.is_member(person) or not permissions.can_enrol(person, course):
            continue
        existing = services.enrolment_of(person, course)
        if existing is None:
            services.enrol(person, course, cohort=cohort)
            joined += 1
        elif existing.cohort_id is None:
            existing.cohort_id = cohort.id
            joined += 1
    db.session.commit()
    return cohort, joined


# --- the progress table ------------------------------------------------------------------------------------------


def quiz_columns(course: Course) -> list[dict]:
    """The quizzes of the course's latest version, in order: one column each."""
    latest = course.latest_version
    return services.quizzes_of(latest.contents) if latest is not None else []


@dataclass
class LearnerRow:
    enrolment: Enrolment
    person: User
    lessons_done: int
    lessons: int
    scores: list[int | None]  # each quiz column's best score (None: no submitted attempt)
    reflections: int

    @property
    def cohort(self) -> Cohort | None:
        return self.enrolment.cohort


def enrolments(course: Course, cohort: Cohort | None = None) -> list[tuple[Enrolment, User]]:
    """The course's learners (of a cohort), by name, with what their rows read loaded at once."""
    query = (select(Enrolment, User).join(User, User.id == Enrolment.user_id).where(Enrolment.course_id == course.id)
             .options(selectinload(Enrolment.lessons_done), selectinload(Enrolment.attempts),
                      selectinload(Enrolment.reflections), selectinload(Enrolment.version),
                      selectinload(Enrolment.cohort))
             .order_by(User.name, Enrolment.id))
    if cohort is not None:
        query = query.where(Enrolment.cohort_id == cohort.id)
    return [(enrolment, person) for enrolment, person in db.session.execute(query)]


def written(enrolment: Enrolment) -> list:
    return [row for row in enrolment.reflections if (row.text or "").strip()]


def learner_rows(course: Course, cohort: Cohort | None = None) -> list[LearnerRow]:
    """One row per learner: required lessons done of those of their version, the best score of each quiz of the
    latest version (on their version), the reflections they wrote."""
    quizzes = quiz_columns(course)
    rows = []
    for enrolment, person in enrolments(course, cohort):
        summary = reading.summary(services.progress(enrolment))
        best = [services.best_attempt(enrolment, quiz["id"]) for quiz in quizzes]
        rows.append(LearnerRow(enrolment, person, summary.lessons_done, summary.lessons,
                               [attempt.score if attempt is not None else None for attempt in best],
                               len(written(enrolment))))
    return rows


def _day(value) -> str:
    return value.date().isoformat() if value else ""


def csv_rows(course: Course, cohort: Cohort | None = None) -> list[list]:
    """The progress table as a spreadsheet: a header (in the reader's language), then a row per learner."""
    quizzes = quiz_columns(course)
    header = [_("Name"), _("Cohort"), _("Enrolled on"), _("Last active on"), _("Required lessons done"),
              _("Required lessons"), *[_("Best score, %(quiz)s (%%)", quiz=quiz["title"]) for quiz in quizzes],
              _("Reflections written"), _("Completed on")]
    return [header] + [[row.person.name, row.cohort.name if row.cohort else "", _day(row.enrolment.enrolled_at),
                        _day(row.enrolment.last_active_at), row.lessons_done, row.lessons,
                        *["" if score is None else score for score in row.scores], row.reflections,
                        _day(row.enrolment.completed_at)] for row in learner_rows(course, cohort)]


# --- one learner ----------------------------------------------------------------------------------------------------


def enrolment_in(course: Course, enrolment_id: int) -> Enrolment | None:
    enrolment = db.session.get(Enrolment, enrolment_id)
    return enrolment if enrolment is not None and enrolment.course_id == course.id else None


@dataclass
class Answer:
    """A reflection or a practice task of the learner, with the lesson and activity it answers."""

    lesson: str
    activity: str
    text: str
    at: datetime | None


@dataclass
class QuizScore:
    quiz: dict
    best: int | None
    passed: bool
    attempts: int


@dataclass
class LearnerDetail:
    enrolment: Enrolment
    person: User
    summary: reading.Summary
    quizzes: list[QuizScore] = field(default_factory=list)
    reflections: list[Answer] = field(default_factory=list)
    tasks: list[Answer] = field(default_factory=list)


def _places(enrolment: Enrolment) -> dict[int, tuple[str, str]]:
    """activity id -> (lesson title, activity title): the learner's version first, the latest for the others."""
    places: dict[int, tuple[str, str]] = {}
    latest = enrolment.course.latest_version
    for contents in (latest.contents if latest else None, enrolment.version.contents):
        for lesson in services.lessons_of(contents or {"modules": []}):
            for activity in lesson["activities"]:
                places[activity["id"]] = (lesson["title"], activity["title"])
    return places


def _order(enrolment: Enrolment) -> dict[int, int]:
    """activity id -> its place in the learner's version (those not in it last)."""
    ids = [a["id"] for lesson in services.lessons_of(enrolment.version.contents) for a in lesson["activities"]]
    return {activity_id: n for n, activity_id in enumerate(ids)}


def learner_detail(enrolment: Enrolment) -> LearnerDetail:
    """What a tutor reads of one learner: their progress, each quiz's best score on their version, their
    reflections and their practice tasks' notes, in the course's order."""
    person = db.session.get(User, enrolment.user_id)
    detail = LearnerDetail(enrolment, person, reading.summary(services.progress(enrolment)))
    for quiz in services.quizzes_of(enrolment.version.contents):
        best = services.best_attempt(enrolment, quiz["id"])
        tries = sum(1 for a in enrolment.attempts if a.activity_id == quiz["id"]
                    and a.version_id == enrolment.version_id and a.submitted_at is not None)
        detail.quizzes.append(QuizScore(quiz, best.score if best else None, bool(best and best.passed), tries))
    places, order = _places(enrolment), _order(enrolment)
    unknown = (str(_("(no longer in the course)")), str(_("(no longer in the course)")))
    for row in sorted(written(enrolment), key=lambda r: (order.get(r.activity_id, len(order)), r.activity_id)):
        lesson, activity = places.get(row.activity_id, unknown)
        detail.reflections.append(Answer(lesson, activity, row.text, row.updated_at))
    for row in sorted(enrolment.tasks_done, key=lambda r: (order.get(r.activity_id, len(order)), r.activity_id)):
        lesson, activity = places.get(row.activity_id, unknown)
        detail.tasks.append(Answer(lesson, activity, row.note, row.done_at))
    return detail


# --- statistics --------------------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class QuestionStat:
    question: dict
    answered: int = 0
    right: int = 0
    lowest: bool = False  # the lowest share of right answers in its quiz (below 100 %)

    @property
    def share(self) -> int | None:
        return _percent(self.right, self.answered)


@dataclass
class QuizStat:
    quiz: dict
    attempts: int = 0
    passed: int = 0
    questions: list[QuestionStat] = field(default_factory=list)

    @property
    def pass_rate(self) -> int | None:
        return _percent(self.passed, self.attempts)


@dataclass
class Statistics:
    enrolments: int
    completions: int
    quizzes: list[QuizStat]

    @property
    def completion_rate(self) -> int | None:
        return _percent(self.completions, self.enrolments)


def statistics(course: Course) -> Statistics:
    """Enrolments and completions; for each quiz of the latest version, its submitted attempts (on every
    version) and how many passed, and for each of its questions the share of those attempts that answered it
    right (scored as the attempt's version had it, matched by the question's id), the lowest flagged."""
    enrolled, completed = db.session.execute(
        select(func.count(Enrolment.id), func.count(Enrolment.completed_at)).where(Enrolment.course_id == course.id)
    ).one()
    stats = {quiz["id"]: QuizStat(quiz, questions=[QuestionStat(q) for q in quiz["questions"]])
             for quiz in quiz_columns(course)}
    by_question = {(quiz_id, q.question["id"]): q for quiz_id, stat in stats.items() for q in stat.questions}
    if stats:
        versions = {version.id: version.contents for version in course.versions}
        attempts = db.session.execute(
            select(QuizAttempt.version_id, QuizAttempt.activity_id, QuizAttempt.answers, QuizAttempt.passed)
            .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
            .where(Enrolment.course_id == course.id, QuizAttempt.submitted_at.is_not(None),
                   QuizAttempt.activity_id.in_(list(stats))))
        for version_id, quiz_id, answers, passed in attempts:
            stat = stats[quiz_id]
            stat.attempts += 1
            stat.passed += bool(passed)
            found = services.find_activity(versions.get(version_id) or {"modules": []}, quiz_id)
            if found is None or found[1]["kind"] != QUIZ:
                continue
            for question_id, right in services.score_answers(found[1], answers or {})[1].items():
                question = by_question.get((quiz_id, question_id))
                if question is not None:
                    question.answered += 1
                    question.right += bool(right)
    for stat in stats.values():
        shares = [q.share for q in stat.questions if q.share is not None]
        if shares and min(shares) < 100:
            for question in stat.questions:
                question.lowest = question.share == min(shares)
    return Statistics(enrolled, completed, list(stats.values()))


# --- reminders ---------------------------------------------------------------------------------------------------


def _cutoff(today: date) -> datetime:
    """The start of the day after the one REMIND_AFTER before today: anything earlier is that long ago or more."""
    return datetime.combine(today - REMIND_AFTER + timedelta(days=1), time.min, tzinfo=timezone.utc)


def stalled(today: date | None = None, course: Course | None = None, cohort: Cohort | None = None):
    """The enrolments to remind: enrolled and inactive for REMIND_AFTER or more, not completed, not reminded
    for REMIND_AFTER, the learner's account active."""
    cutoff = _cutoff(today or utcnow().date())
    query = (select(Enrolment).join(User, User.id == Enrolment.user_id)
             .where(Enrolment.completed_at.is_(None), Enrolment.enrolled_at < cutoff,
                    Enrolment.last_active_at < cutoff,
                    (Enrolment.reminded_at.is_(None)) | (Enrolment.reminded_at < cutoff),
                    User.is_active_account.is_(True)))
    if course is not None:
        query = query.where(Enrolment.course_id == course.id)
    if cohort is not None:
        query = query.where(Enrolment.cohort_id == cohort.id)
    return query.order_by(Enrolment.id)


def remind(today: date | None = None, course: Course | None = None, cohort: Cohort | None = None) -> int:
    """Remind each learner who stalled (of one course, or of all): a notification and, as they chose, an email,
    in their language; then reminded_at, so that they are not reminded again for REMIND_AFTER. Returns how
    many were reminded."""
    now = utcnow()
    if today is not None and today != now.date():
        now = datetime.combine(today, time.min, tzinfo=timezone.utc)  # as if it were that day
    emails, sent = [], 0
    for enrolment in db.session.scalars(stalled(today or now.date(), course, cohort)).all():
        person = db.session.get(User, enrolment.user_id)
        emails += notifications.notify([person], NOTIFICATION, _l(
            "It has been two weeks since you last worked on the course “%(title)s”: pick up where you left off.",
            title=enrolment.version.contents["title"]), f"/courses/{enrolment.course_id}")
        enrolment.reminded_at = now
        sent += 1
    db.session.commit()
    notifications.send(emails, "course reminder")
    return sent

