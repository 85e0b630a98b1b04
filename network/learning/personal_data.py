"""What learning modules hold about a person (see network/auth/personal_data.py).

A learner's enrolments are theirs: exported with their progress, quiz attempts, reflections and practice tasks,
and erased with the account (a certificate already issued follows the certificates' rule). The courses they
created or published, and the lessons' files they uploaded, stay with their owner, the person unlinked; being an
editor of a course ends.
"""
from __future__ import annotations

from sqlalchemy import delete, select, update

from network.extensions import db
from network.learning.models import Cohort, Course, CourseEditor, CourseVersion, Enrolment, LessonAttachment

TABLES = {
    "course_enrolments": "exported (course, version, dates, lessons done, quiz attempts and scores, reflections, "
                         "practice tasks and notes); erased, with all of that",
    "course_editors": "exported (the courses they edit); erased",
    "courses": "exported (the courses they created); kept for their owner, the person unlinked",
    "course_versions": "kept (the versions they published), the person unlinked",
    "course_cohorts": "kept (the cohorts they created), the person unlinked",
    "course_lesson_attachments": "exported (the files they uploaded to lessons: course, name, type, size, date); "
                                 "kept for the course, the person unlinked",
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export(user) -> dict:
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.user_id == user.id).order_by(Enrolment.id))
    editing = db.session.scalars(select(CourseEditor).where(CourseEditor.user_id == user.id))
    created = db.session.scalars(select(Course).where(Course.created_by_id == user.id).order_by(Course.id))
    uploaded = db.session.scalars(select(LessonAttachment).where(LessonAttachment.uploaded_by_id == user.id)
                                  .order_by(LessonAttachment.id))
    return {
        "enrolments": [{
            "course": e.course.title, "version": e.version.number, "enrolled_at": _iso(e.enrolled_at),
            "completed_at": _iso(e.completed_at), "reminded_at": _iso(e.reminded_at),
            "cohort": e.cohort.name if e.cohort else None,
            "lessons_done": sorted(row.lesson_id for row in e.lessons_done),
            "quiz_attempts": [{"quiz": a.activity_id, "score": a.score, "passed": a.passed, "answers": a.answers,
                               "submitted_at": _iso(a.submitted_at)} for a in e.attempts],
            "reflections": [{"activity": r.activity_id, "text": r.text, "updated_at": _iso(r.updated_at)}
                            for r in e.reflections],
            "practice_tasks": [{"activity": t.activity_id, "note": t.note, "done_at": _iso(t.done_at)}
                               for t in e.tasks_done],
        } for e in enrolments],
        "courses_edited": sorted(row.course_id for row in editing),
        "courses_created": [{"id": c.id, "title": c.title} for c in created],
        "lesson_files_uploaded": [{
            "course": db.session.get(Course, a.course_id).title, "lesson": a.lesson_id, "filename": a.filename,
            "content_type": a.content_type, "size": a.size, "uploaded_at": _iso(a.uploaded_at),
        } for a in uploaded],
    }


def erase(user) -> None:
    db.session.execute(delete(Enrolment).where(Enrolment.user_id == user.id))
    db.session.execute(delete(CourseEditor).where(CourseEditor.user_id == user.id))
    for model, column in ((Course, Course.created_by_id), (CourseVersion, CourseVersion.published_by_id),
                          (Cohort, Cohort.created_by_id), (LessonAttachment, LessonAttachment.uploaded_by_id)):
        db.session.execute(update(model).where(column == user.id).values({column.key: None}))
