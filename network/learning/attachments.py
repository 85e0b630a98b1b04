"""A lesson's attachment files, kept with network.uploads (the checks, storage and downloads practices'
attachments and events' materials use too): documents and pictures (uploads.DOCUMENTS, what practices accept)
under UPLOAD_FOLDER/learning/.

Files never change. Publishing freezes the lessons' attachments into the version (services.snapshot lists each
one's id, name, size and type), and a version's readers download them as long as a version lists them: removing
an attachment from the draft only unlinks it from its lesson (the row kept for the course) while some version lists
it, and deletes the row and its file when none does. A course deleted takes its files along (after the commit).
"""
from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network import audit, permissions, uploads
from network.errors import ServiceError
from network.extensions import db
from network.learning.models import PUBLIC, Course, CourseVersion, Lesson, LessonAttachment

FOLDER = "learning"  # under UPLOAD_FOLDER
KINDS = uploads.DOCUMENTS  # the kinds practices' attachments accept
MAX_PER_LESSON = 20


# --- reading ----------------------------------------------------------------------------------------------


def get(course: Course, attachment_id: int) -> LessonAttachment | None:
    attachment = db.session.get(LessonAttachment, attachment_id)
    return attachment if attachment is not None and attachment.course_id == course.id else None


def of_lesson(lesson: Lesson) -> list[LessonAttachment]:
    """The draft lesson's attachments, in the order they were added."""
    return list(db.session.scalars(select(LessonAttachment).where(LessonAttachment.lesson_id == lesson.id)
                                   .order_by(LessonAttachment.id)))


def by_lesson(course: Course) -> dict[int, list[LessonAttachment]]:
    """The draft's attachments by lesson id (for services.snapshot)."""
    found: dict[int, list[LessonAttachment]] = {}
    for attachment in db.session.scalars(select(LessonAttachment).where(
            LessonAttachment.course_id == course.id, LessonAttachment.lesson_id.is_not(None))
            .order_by(LessonAttachment.id)):
        found.setdefault(attachment.lesson_id, []).append(attachment)
    return found


def frozen(attachment: LessonAttachment) -> dict:
    """What a version keeps of an attachment."""
    return {"id": attachment.id, "filename": attachment.filename, "size": attachment.size,
            "content_type": attachment.content_type}


def listed_in(contents: dict | None) -> set[int]:
    """The attachment ids a version's contents list (none in versions published before attachments)."""
    if not contents:
        return set()
    return {item["id"] for module in contents.get("modules", []) for lesson in module.get("lessons", [])
            for item in lesson.get("attachments", [])}


def listed_by_versions(course_id: int) -> set[int]:
    """The attachment ids some published version of the course lists."""
    ids: set[int] = set()
    for contents in db.session.scalars(select(CourseVersion.contents).where(CourseVersion.course_id == course_id)):
        ids |= listed_in(contents)
    return ids


def size_label(n: int | None) -> str:
    """A file's size as people read it: "12.5 kB", "1.2 MB"."""
    if not n:
        return ""
    if n < 1024 * 1024:
        return str(_l("%(kb)s kB", kb=format_decimal(max(n / 1024, 0.1), "#,##0.#")))
    return str(_l("%(mb)s MB", mb=format_decimal(n / (1024 * 1024), "#,##0.#")))


def kind_label(content_type: str) -> str:
    """"PDF", "DOCX"...: the kind's short name."""
    return uploads.TYPES.get(content_type, ("", ""))[1]


def path(attachment: LessonAttachment):
    return uploads.folder(FOLDER) / attachment.stored_name


def may_download(user, attachment: LessonAttachment, enrolment=None) -> bool:
    """Whoever may read a version listing it: its learner (their enrolment's version), anyone who may see the
    course when its latest version lists it, and the course's editors while the draft has it."""
    course = db.session.get(Course, attachment.course_id)
    if course is None:
        return False
    if (enrolment is not None and permissions.can_follow_course(user, enrolment)
            and enrolment.course_id == course.id and attachment.id in listed_in(enrolment.version.contents)):
        return True
    latest = course.latest_version
    if (latest is not None and permissions.can_view_course(user, course)
            and attachment.id in listed_in(latest.contents)):
        return True
    return attachment.lesson_id is not None and permissions.can_edit_course(user, course)


def private(attachment: LessonAttachment) -> bool:
    """Not for everyone (no shared cache keeps it): a members' course's, or one no public version shows."""
    course = db.session.get(Course, attachment.course_id)
    latest = course.latest_version if course is not None else None
    return (course is None or course.visibility != PUBLIC or course.status != "published" or latest is None
            or attachment.id not in listed_in(latest.contents))


# --- writing ----------------------------------------------------------------------------------------------


def _editor_only(actor, course: Course) -> None:
    if not permissions.can_edit_course(actor, course):
        raise ServiceError.one("file", _l("Only the course's editors add and remove its files."))


def add(actor, lesson: Lesson, upload: uploads.Upload | None) -> LessonAttachment:
    """A file checked by network.uploads (check_upload), written before the commit and removed if it fails. It
    reaches learners with the next published version."""
    course = lesson.module.course
    _editor_only(actor, course)
    if upload is None:
        raise ServiceError.one("file", _l("Choose the file to add."))
    if len(of_lesson(lesson)) >= MAX_PER_LESSON:
        raise ServiceError.one("file", _l("A lesson holds %(n)d files at most.", n=MAX_PER_LESSON))
    with uploads.writing(FOLDER) as files:
        attachment = LessonAttachment(
            lesson_id=lesson.id, course_id=course.id, stored_name=files.write(upload), filename=upload.original_name,
            content_type=upload.content_type, size=len(upload.content), uploaded_by_id=getattr(actor, "id", None))
        db.session.add(attachment)
        db.session.flush()
        audit.record(actor, "course.attachment_added", course, label=course.title, lesson=lesson.id,
                     attachment=attachment.id, file=upload.original_name)
        db.session.commit()
    return attachment


def remove(actor, attachment: LessonAttachment) -> bool:
    """Take the file off its draft lesson. A version that lists it keeps it (the row stays with the course, its
    lesson unlinked); otherwise the row goes, then (once committed) its file. True: kept for a version."""
    course = db.session.get(Course, attachment.course_id)
    _editor_only(actor, course)
    if attachment.lesson_id is None:
        raise ServiceError.one("file", _l("This file is no longer in the draft."))
    kept = attachment.id in listed_by_versions(course.id)
    audit.record(actor, "course.attachment_removed", course, label=course.title, lesson=attachment.lesson_id,
                 attachment=attachment.id, file=attachment.filename)
    stored = attachment.stored_name
    if kept:
        attachment.lesson_id = None
    else:
        db.session.delete(attachment)
    db.session.commit()
    if not kept:
        uploads.remove_files(FOLDER, [stored])
    return kept


def forget_unlisted(course: Course) -> None:
    """After a lesson or module left the draft: its files that no version lists go, rows then files."""
    listed = listed_by_versions(course.id)
    gone = [a for a in db.session.scalars(select(LessonAttachment).where(
        LessonAttachment.course_id == course.id, LessonAttachment.lesson_id.is_(None))) if a.id not in listed]
    if not gone:
        return
    stored = [a.stored_name for a in gone]
    for attachment in gone:
        db.session.delete(attachment)
    db.session.commit()
    uploads.remove_files(FOLDER, stored)


def stored_names(course: Course) -> list[str]:
    """Every file of the course (the draft's and the versions'), to remove once the course is deleted."""
    return list(db.session.scalars(select(LessonAttachment.stored_name)
                                   .where(LessonAttachment.course_id == course.id)))


def remove_files(stored) -> None:
    uploads.remove_files(FOLDER, stored)
