"""Learning modules: courses the network writes (modules of lessons with quizzes, reflections and practice tasks),
their frozen published versions, and the learners who follow them.

Editors change the draft rows (Course, CourseModule, Lesson, Activity, QuizQuestion, QuizOption). Publishing
freezes the whole course as JSON (CourseVersion.contents, its Markdown already rendered and sanitised): learners
read and answer the version they enrolled on until they choose to move to a newer one. Progress refers to lessons
and activities by the draft rows' ids, which the versions keep, so progress carries over to a newer version.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.extensions import db
from network.types import UTCDateTime, utcnow

TITLE_MAX, TEXT_MAX = 200, 20_000
DRAFT, PUBLISHED, ARCHIVED = "draft", "published", "archived"
STATUSES = {DRAFT: _l("Draft"), PUBLISHED: _l("Published"), ARCHIVED: _l("Archived")}
PUBLIC, MEMBERS = "public", "members"
VISIBILITIES = {PUBLIC: _l("Public: anyone can read it and enrol"), MEMBERS: _l("Members of the network only")}
INTRODUCTORY, INTERMEDIATE, ADVANCED = "introductory", "intermediate", "advanced"
LEVELS = {INTRODUCTORY: _l("Introductory"), INTERMEDIATE: _l("Intermediate"), ADVANCED: _l("Advanced")}
QUIZ, REFLECTION, TASK = "quiz", "reflection", "task"
ACTIVITY_KINDS = {QUIZ: _l("Quiz"), REFLECTION: _l("Reflection"), TASK: _l("Practice task")}


class Course(db.Model):
    """A course owned by one institution or one partnership; its admins (or coordinators) and the editors they
    add write it."""

    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("(institution_id IS NULL) <> (partnership_id IS NULL)", name="course_one_owner"),
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="status_known"),
        CheckConstraint("visibility IN ('public', 'members')", name="visibility_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(10), default="en")
    level: Mapped[str] = mapped_column(String(20), default=INTRODUCTORY)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))  # the duration estimate, in hours
    # The self-assessment's dimensions (their codes) the course serves: its recommendations find it by them.
    dimensions: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    visibility: Mapped[str] = mapped_column(String(10), default=PUBLIC, index=True)
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institutions.id", ondelete="CASCADE"), index=True)
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    institution = relationship("Institution")
    partnership = relationship("Partnership")
    modules: Mapped[list[CourseModule]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseModule.position")
    editor_rows: Mapped[list[CourseEditor]] = relationship(cascade="all, delete-orphan")
    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", cascade="all, delete-orphan", order_by="CourseVersion.number")

    @property
    def owner(self):
        return self.institution or self.partnership

    @property
    def latest_version(self) -> CourseVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]


class CourseEditor(db.Model):
    """Someone the owner's admins added to write the course (and follow its learners as a tutor)."""

    __tablename__ = "course_editors"

    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CourseModule(db.Model):
    __tablename__ = "course_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str] = mapped_column(Text, default="")

    course: Mapped[Course] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", cascade="all, delete-orphan", order_by="Lesson.position")


class Lesson(db.Model):
    """Markdown (sanitised like practices), cards of linked practices and collections, and activities."""

    __tablename__ = "course_lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("course_modules.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    language: Mapped[str] = mapped_column(String(10), default="")  # "": the course's
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    minutes: Mapped[int | None] = mapped_column(Integer)
    practice_ids: Mapped[list] = mapped_column(JSON, default=list)
    collection_ids: Mapped[list] = mapped_column(JSON, default=list)

    module: Mapped[CourseModule] = relationship(back_populates="lessons")
    activities: Mapped[list[Activity]] = relationship(
        back_populates="lesson", cascade="all, delete-orphan", order_by="Activity.position")


class Activity(db.Model):
    """A quiz (questions with options, a pass mark), a reflection (a short written answer) or a practice task
    (ticked off with a note)."""

    __tablename__ = "course_activities"
    __table_args__ = (
        CheckConstraint("kind IN ('quiz', 'reflection', 'task')", name="kind_known"),
        CheckConstraint("pass_mark >= 0 AND pass_mark <= 100", name="pass_mark_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("course_lessons.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    instructions: Mapped[str] = mapped_column(Text, default="")  # Markdown
    pass_mark: Mapped[int] = mapped_column(Integer, default=70)  # a quiz's: the share of points to pass, %

    lesson: Mapped[Lesson] = relationship(back_populates="activities")
    questions: Mapped[list[QuizQuestion]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="QuizQuestion.position")


class QuizQuestion(db.Model):
    __tablename__ = "course_quiz_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("course_activities.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)  # several options may be right

    activity: Mapped[Activity] = relationship(back_populates="questions")
    options: Mapped[list[QuizOption]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="QuizOption.position")


class QuizOption(db.Model):
    __tablename__ = "course_quiz_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("course_quiz_questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean, default=False)
    feedback: Mapped[str] = mapped_column(Text, default="")  # shown once answered: why it is right or not

    question: Mapped[QuizQuestion] = relationship(back_populates="options")


class CourseVersion(db.Model):
    """The course as published, frozen: `contents` is plain JSON (see services.snapshot) so that later edits
    never change what learners on this version read and answer."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "number", name="uq_course_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    contents: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)

    course: Mapped[Course] = relationship(back_populates="versions")


class Cohort(db.Model):
    """Learners who follow a course together, usually the participants of a training event, with dates."""

    __tablename__ = "course_cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TITLE_MAX))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("training_events.id", ondelete="SET NULL"), index=True)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    course: Mapped[Course] = relationship()
    event = relationship("Event")


class Enrolment(db.Model):
    """A learner on a course, on the version they enrolled on (or moved to)."""

    __tablename__ = "course_enrolments"
    __table_args__ = (UniqueConstraint("course_id", "user_id", name="uq_course_enrolments_learner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="RESTRICT"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("course_cohorts.id", ondelete="SET NULL"), index=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_lesson_id: Mapped[int | None] = mapped_column(Integer)  # where to resume (a lesson's id in the version)
    last_active_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    course: Mapped[Course] = relationship()
    version: Mapped[CourseVersion] = relationship()
    cohort: Mapped[Cohort | None] = relationship()
    lessons_done: Mapped[list[LessonDone]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    attempts: Mapped[list[QuizAttempt]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                       order_by="QuizAttempt.id")
    reflections: Mapped[list[Reflection]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    tasks_done: Mapped[list[TaskDone]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class LessonDone(db.Model):
    __tablename__ = "course_lessons_done"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolments.id", ondelete="CASCADE"),
                                              primary_key=True)
    lesson_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the lesson's id in the versions
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuizAttempt(db.Model):
    """One attempt at a quiz: the order its questions and options were shown in, the answers, the score."""

    __tablename__ = "course_quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolments.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(Integer, index=True)  # the quiz's id in the versions
    version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id", ondelete="CASCADE"), index=True)
    order: Mapped[list] = mapped_column(JSON, default=list)  # [question id, ...] as shown
    answers: Mapped[dict] = mapped_column(JSON, default=dict)  # question id -> [option id, ...]
    score: Mapped[int | None] = mapped_column(Integer)  # 0-100, once submitted
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Reflection(db.Model):
    """A learner's written answer to a reflection, seen by them and the course's tutors."""

    __tablename__ = "course_reflections"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolments.id", ondelete="CASCADE"),
                                              primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TaskDone(db.Model):
    """A practice task the learner ticked off, with what happened."""

    __tablename__ = "course_tasks_done"

    enrolment_id: Mapped[int] = mapped_column(ForeignKey("course_enrolments.id", ondelete="CASCADE"),
                                              primary_key=True)
    activity_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LessonAttachment(db.Model):
    """A file of a lesson (network.uploads, under UPLOAD_FOLDER/learning/). Files never change: a published
    version lists its lessons' attachments by id, and its learners download them for as long as a version lists
    them. Removed from the draft's lesson while a version lists it, the row stays with the course (lesson_id
    NULL); deleted with its file once none does, and with the course (network.learning.attachments)."""

    __tablename__ = "course_lesson_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("course_lessons.id", ondelete="SET NULL"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # generated; never the person's name
    filename: Mapped[str] = mapped_column(String(255))  # the uploader's, cleaned (uploads.clean_name)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
