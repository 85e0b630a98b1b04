"""How courses and their lessons become search documents.

Only a PUBLISHED course is indexed, as its latest version reads (the frozen JSON of network.learning.services
.snapshot), never its draft: a draft or an archived course, and a lesson that is not in the latest version,
are not in the index (their loaders return None, so the indexer deletes them). A course is found by its title,
summary, modules' and lessons' titles and its owner's name, and tagged with the self-assessment dimensions it
serves (their codes, and their English names in the current questionnaire): the self-assessment's
recommendations (network.self_assessment.services.RECOMMENDED_TYPES) search the type "course". A lesson is
found by its title, its text and its activities' titles and instructions (never a quiz's questions, options or
feedback).

Who finds them is permissions.can_view_course's rule for a published course: a public course (and its
lessons) is "public", found by anyone; a members' course is "members", found by the network's approved
members. No audience of named people is needed: editors see drafts on their pages, and drafts are not indexed.

A lesson's id is its draft row's id, which every version keeps (progress refers to it): a lesson deleted from
the draft stays found while the latest version still holds it, until a version without it is published.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network import permissions
from network.extensions import db
from network.learning.models import MEMBERS, PUBLIC, PUBLISHED, Course, CourseModule, CourseVersion, Lesson
from network.sanitize import plain_text
from network.search.documents import DocumentType, SearchDocument
from network.self_assessment.models import Questionnaire

VISIBILITY = {PUBLIC: "public", MEMBERS: "members"}


def course_url(course_id: int) -> str:
    """A path (the indexer has no request); pages and the API make it absolute."""
    return f"/courses/{course_id}"


def lesson_url(course_id: int, lesson_id: int) -> str:
    return f"/courses/{course_id}/lessons/{lesson_id}"


def _published_contents(course: Course | None) -> dict | None:
    """The latest version's contents of a published course; None for anything that must not be indexed."""
    if course is None or course.status != PUBLISHED or course.latest_version is None:
        return None
    return course.latest_version.contents


def _owner_facets(course: Course) -> dict:
    """The owner's name (searched), and the institution whose slug, sectors and country are the facets (a
    partnership's coordinating institution, as collections do)."""
    institution = course.institution
    if institution is None and course.partnership is not None:
        institution = course.partnership.coordinating_institution
    owner = course.owner
    return {
        "name": getattr(owner, "name", None) or getattr(owner, "title", "") or "",
        "institution": institution.slug if institution is not None else "",
        "sectors": list(institution.sectors or []) if institution is not None else [],
        "country": institution.country if institution is not None else "",
    }


def dimension_tags(codes: list[str]) -> list[str]:
    """The dimensions' codes and, for those in the current self-assessment questionnaire, their English names."""
    from network.self_assessment.services import current_questionnaire, localized

    codes = [code for code in codes or [] if code]
    tags = list(codes)
    questionnaire = current_questionnaire()
    if questionnaire is not None:
        for dimension in questionnaire.dimensions:
            if dimension.code in codes:
                name = localized(dimension.name, "en").text
                if name:
                    tags.append(name)
    return list(dict.fromkeys(tags))


def course_document(course_id: int) -> SearchDocument | None:
    course = db.session.get(Course, course_id)
    contents = _published_contents(course)
    if contents is None:
        return None
    owner = _owner_facets(course)
    parts = [owner["name"]]
    for module in contents["modules"]:
        parts += [module["title"], plain_text(module.get("summary_html") or "")]
        parts += [lesson["title"] for lesson in module["lessons"]]
    return SearchDocument(
        doc_type="course",
        doc_id=course.id,
        title=contents["title"],
        url=course_url(course.id),
        summary=plain_text(contents.get("summary_html") or ""),
        body="\n\n".join(part for part in parts if part),
        tags=dimension_tags(course.dimensions),
        sectors=owner["sectors"],
        country=owner["country"],
        language=contents.get("language") or course.language,
        institution=owner["institution"],
        # Not institution_id: the owner's members would find a members' course whatever its status; the
        # visibility alone decides, as the pages do (permissions.can_view_course).
        institution_id=None,
        partnership_id=course.partnership_id,
        date=course.latest_version.published_at,
        status="published",
        visibility=VISIBILITY.get(course.visibility, "members"),
    )


def course_of_lesson(lesson_id: int) -> Course | None:
    """The course a lesson id belongs to: its draft row's, or (the row deleted since) the published course whose
    latest version still holds it."""
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is not None:
        return lesson.module.course
    for course in db.session.scalars(select(Course).where(Course.status == PUBLISHED).order_by(Course.id)):
        contents = _published_contents(course)
        if contents is not None and _find(contents, lesson_id) is not None:
            return course
    return None


def _find(contents: dict, lesson_id: int) -> tuple[dict, dict] | None:
    """(module, lesson) of the version, or None."""
    for module in contents["modules"]:
        for lesson in module["lessons"]:
            if lesson["id"] == lesson_id:
                return module, lesson
    return None


def _activity_text(activity: dict) -> str:
    # Its title and instructions only: a quiz's questions, options and feedback would give its answers away.
    return "\n".join(part for part in (activity["title"], plain_text(activity.get("html") or "")) if part)


def lesson_document(lesson_id: int) -> SearchDocument | None:
    course = course_of_lesson(lesson_id)
    contents = _published_contents(course)
    found = _find(contents, lesson_id) if contents is not None else None
    if found is None:
        return None
    module, lesson = found
    owner = _owner_facets(course)
    parts = [plain_text(lesson.get("html") or "")] + [_activity_text(a) for a in lesson["activities"]]
    return SearchDocument(
        doc_type="lesson",
        doc_id=lesson["id"],
        title=lesson["title"],
        url=lesson_url(course.id, lesson["id"]),
        summary=" · ".join(part for part in (contents["title"], module["title"]) if part),
        body="\n\n".join(part for part in parts if part),
        tags=[],
        sectors=owner["sectors"],
        country=owner["country"],
        language=lesson.get("language") or contents.get("language") or course.language,
        institution=owner["institution"],
        institution_id=None,
        partnership_id=course.partnership_id,
        date=course.latest_version.published_at,
        status="published",
        visibility=VISIBILITY.get(course.visibility, "members"),
    )


def may_view_lesson(user, lesson: Lesson | None) -> bool:
    """The lesson page's rule for someone who is not enrolled: may they see its course?"""
    return lesson is not None and permissions.can_view_course(user, lesson.module.course)


class LessonDocumentType(DocumentType):
    """Lessons are checked by their course (a lesson deleted from the draft is still in the latest version)."""

    def visible_ids(self, user, ids: list[int]) -> set[int]:
        visible = set()
        for lesson_id in ids:
            course = course_of_lesson(lesson_id)
            if course is not None and permissions.can_view_course(user, course):
                visible.add(lesson_id)
        return visible


# --- what to index again, and everything on a rebuild ------------------------------------------------------
# Called while the session flushes: read on the flush's own connection.


def _lesson_ids_of_course(course_id: int | None) -> list[int]:
    """The course's draft lessons and every lesson of its versions (one a new version left out is deleted)."""
    if course_id is None:
        return []
    connection = db.session.connection()
    ids = set(connection.execute(select(Lesson.id).join(CourseModule, Lesson.module_id == CourseModule.id)
                                 .where(CourseModule.course_id == course_id)).scalars())
    for contents in connection.execute(select(CourseVersion.contents)
                                       .where(CourseVersion.course_id == course_id)).scalars():
        ids.update(lesson["id"] for module in (contents or {}).get("modules", []) for lesson in module["lessons"])
    return sorted(ids)


def _published_course_ids(_questionnaire=None) -> list[int]:
    """A newly published questionnaire names the dimensions again (the courses' tags)."""
    return list(db.session.connection().execute(
        select(Course.id).where(Course.status == PUBLISHED).order_by(Course.id)).scalars())


def _all_course_ids() -> list[int]:
    return db.session.scalars(select(Course.id).where(Course.status == PUBLISHED).order_by(Course.id)).all()


def _all_lesson_ids() -> list[int]:
    ids: list[int] = []
    for course in db.session.scalars(select(Course).where(Course.status == PUBLISHED).order_by(Course.id)):
        contents = _published_contents(course)
        if contents is not None:
            ids += [lesson["id"] for module in contents["modules"] for lesson in module["lessons"]]
    return ids


# Registered by the feature's plug (init_app in __init__.py).
DOCUMENT_TYPES = (
    DocumentType(
        name="course",
        label=_l("Courses"),
        model=Course,
        load=course_document,
        all_ids=_all_course_ids,
        # Publishing adds a version; a questionnaire published names the dimensions (tags) anew.
        watch=[(CourseVersion, lambda version: [version.course_id]),
               (Questionnaire, _published_course_ids)],
        may_view=permissions.can_view_course,
    ),
    LessonDocumentType(
        name="lesson",
        label=_l("Lessons"),
        model=Lesson,
        load=lesson_document,
        all_ids=_all_lesson_ids,
        # A course's changes (published, archived, made members-only) and its new versions change its lessons.
        watch=[(Course, lambda course: _lesson_ids_of_course(course.id)),
               (CourseVersion, lambda version: _lesson_ids_of_course(version.course_id))],
        may_view=may_view_lesson,
    ),
)
