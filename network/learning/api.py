"""Courses and certificates as the JSON API shows them (GET /api/v1/courses, /api/v1/courses/<id>,
/api/v1/certificates).

The routes live in network/api/views.py with the rest of /api/v1; this module reads and serialises. Who sees a
course is permissions.can_view_course's decision (services.courses_visible_to in SQL for the list); a learner
also reads the course they are enrolled on whatever became of it since (permissions.can_follow_course), on the
version they follow. A course's modules and lessons come from the version the caller reads, and its activities
are named only (id, kind, title): never a quiz's questions, options, right answers or feedback. Certificates are
the caller's own only, of every kind (events' attendance certificates too).
"""
from __future__ import annotations

from typing import Any

from flask import request, url_for
from sqlalchemy import false, select
from sqlalchemy.orm import selectinload

from network import permissions
from network.certificates.models import Certificate
from network.extensions import db
from network.learning import reading, services
from network.learning.models import LEVELS, Course, Enrolment


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _site(path: str) -> str:
    """An address on the site, absolute like the API's other URLs."""
    return request.url_root.rstrip("/") + path


def _hours(value) -> float | None:
    return float(value) if value is not None else None


# --- courses -------------------------------------------------------------------------------------------------


def course_page(user, page: int, per_page: int, language: str = "", level: str = "") -> tuple[list[Course], int]:
    """One page of the courses this person may see (as the list page: published ones, members' ones for members,
    drafts for their editors), recently updated first; an unknown level matches nothing. Returns (courses,
    total)."""
    query = select(Course).where(services.courses_visible_to(user))
    if language:
        query = query.where(Course.language == language)
    if level:
        query = query.where(Course.level == level if level in LEVELS else false())
    query = query.options(selectinload(Course.institution), selectinload(Course.partnership),
                          selectinload(Course.versions), selectinload(Course.editor_rows))
    query = query.order_by(Course.updated_at.desc(), Course.id.desc())
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return list(pagination.items), pagination.total


def visible_course(user, course_id: int) -> tuple[Course, Enrolment | None] | None:
    """The course and the caller's enrolment, or None when they may not see it (the course page's rule)."""
    course = services.get(course_id)
    if course is None:
        return None
    enrolment = services.enrolment_of(user, course)
    if not (permissions.can_view_course(user, course) or permissions.can_follow_course(user, enrolment)):
        return None
    return course, enrolment


def _owner(course: Course) -> dict[str, Any] | None:
    if course.institution is not None:
        institution = course.institution
        return {"type": "institution", "id": institution.id, "slug": institution.slug, "name": institution.name}
    partnership = course.partnership
    if partnership is None:
        return None
    return {"type": "partnership", "id": partnership.id, "reference": partnership.reference,
            "name": partnership.title}


def course_summary_to_json(course: Course, user=None) -> dict[str, Any]:
    """One course as the list shows it (its latest version's facts; the draft's for its editors): everything but
    its modules."""
    latest = course.latest_version
    facts = services.facts_for(user, course)
    return {
        "id": course.id,
        "title": facts.title,
        "summary_html": facts.summary_html,
        "language": facts.language,
        "level": facts.level,
        "hours": _hours(facts.hours),
        "dimensions": facts.dimensions,
        "owner": _owner(course),
        "visibility": course.visibility,
        "status": course.status,
        "latest_version": latest.number if latest is not None else None,
        "published_at": _iso(latest.published_at) if latest is not None else None,
        "updated_at": _iso(course.updated_at),
        "url": _site(f"/courses/{course.id}"),
    }


def _activity(activity: dict) -> dict[str, Any]:
    # Named only: a quiz's questions, options, right answers and feedback stay on its pages.
    return {"id": activity["id"], "kind": activity["kind"], "title": activity["title"]}


def _lesson(course: Course, lesson: dict) -> dict[str, Any]:
    return {
        "id": lesson["id"],
        "title": lesson["title"],
        "required": bool(lesson["required"]),
        "minutes": lesson.get("minutes"),
        "language": lesson.get("language") or "",
        "url": _site(f"/courses/{course.id}/lessons/{lesson['id']}"),
        "activities": [_activity(activity) for activity in lesson["activities"]],
    }


def _progress(enrolment: Enrolment) -> dict[str, Any]:
    progress = services.progress(enrolment)
    overall = reading.summary(progress)
    return {
        "lessons_done": overall.lessons_done,
        "lessons": overall.lessons,
        "quizzes_passed": overall.quizzes_passed,
        "quizzes": overall.quizzes,
        "complete": overall.complete,
        "done_lesson_ids": sorted(progress.done),
        "passed_quiz_ids": sorted(progress.passed),
        "next_lesson_id": progress.next_lesson["id"] if progress.next_lesson else None,
        "modules": [{"id": m.module["id"], "lessons_done": m.lessons_done, "lessons": m.lessons,
                     "quizzes_passed": m.quizzes_passed, "quizzes": m.quizzes, "complete": m.complete}
                    for m in progress.modules],
    }


def _enrolment(enrolment: Enrolment) -> dict[str, Any]:
    newer = services.newer_version(enrolment)
    certificate = services.certificate_of(enrolment) if enrolment.completed_at is not None else None
    return {
        "version": enrolment.version.number,
        "newer_version": newer.number if newer is not None else None,
        "enrolled_at": _iso(enrolment.enrolled_at),
        "last_active_at": _iso(enrolment.last_active_at),
        "completed_at": _iso(enrolment.completed_at),
        "certificate": certificate_to_json(certificate) if certificate is not None else None,
    }


def course_to_json(course: Course, enrolment: Enrolment | None, viewer) -> dict[str, Any]:
    """One course with the modules and lessons, in order, of the version the caller reads: their own if enrolled,
    else the latest; an editor's preview of a course never published (version null). Plus the caller's own
    enrolment and progress (null without)."""
    data = course_summary_to_json(course, viewer)
    contents = reading.contents_for(course, enrolment, viewer)
    shown = enrolment.version if enrolment is not None else course.latest_version
    data.update({
        "version": shown.number if shown is not None else None,
        "title": (contents or {}).get("title") or data["title"],
        "summary_html": (contents or {}).get("summary_html") or "",
        "modules": [{
            "id": module["id"],
            "title": module["title"],
            "summary_html": module.get("summary_html") or "",
            "lessons": [_lesson(course, lesson) for lesson in module["lessons"]],
        } for module in (contents or {}).get("modules", [])],
        "enrolment": _enrolment(enrolment) if enrolment is not None else None,
        "progress": _progress(enrolment) if enrolment is not None else None,
    })
    return data


# --- certificates --------------------------------------------------------------------------------------------


def certificate_page(user, page: int, per_page: int) -> tuple[list[Certificate], int]:
    """The person's own certificates, newest first (revoked ones too: they say so)."""
    query = (select(Certificate).where(Certificate.person_id == user.id)
             .order_by(Certificate.issued_on.desc(), Certificate.id.desc()))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return list(pagination.items), pagination.total


def certificate_to_json(certificate: Certificate) -> dict[str, Any]:
    code = certificate.display_code
    is_course = certificate.subject_type == "course"
    return {
        "code": code,
        "kind": certificate.kind,
        "title": certificate.title,
        "subject": {"type": certificate.subject_type, "id": certificate.subject_id},
        "course": {"id": certificate.subject_id, "title": certificate.title,
                   "url": _site(f"/courses/{certificate.subject_id}")} if is_course else None,
        "holder_name": certificate.holder_name,
        "issuer": certificate.issuer,
        "hours": _hours(certificate.hours),
        "language": certificate.language,
        "issued_on": certificate.issued_on.isoformat(),
        "issued_at": _iso(certificate.created_at),
        "revoked": certificate.revoked,
        "revoked_at": _iso(certificate.revoked_at),
        "url": url_for("certificates.show", code=code, _external=True),
        # A revoked certificate's PDF is withdrawn.
        "pdf_url": None if certificate.revoked else url_for("certificates.download", code=code, _external=True),
    }
