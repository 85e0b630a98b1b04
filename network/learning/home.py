"""What learning puts on the home page (network/home.py): the courses the person follows and has not completed,
each with the module and lesson to go on with."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from network import home, permissions
from network.extensions import db
from network.learning.models import Course, Enrolment
from network.learning.services import progress


def tasks(user) -> list[home.HomeItem]:
    """The last courses the person was active in, not completed (permissions.can_follow_course): a few queries for
    any number of them (their versions, lessons done and quiz attempts are loaded together)."""
    enrolments = [enrolment for enrolment in db.session.scalars(
        select(Enrolment).join(Course, Enrolment.course_id == Course.id)
        .where(Enrolment.user_id == user.id, Enrolment.completed_at.is_(None))
        .options(contains_eager(Enrolment.course), selectinload(Enrolment.version),
                 selectinload(Enrolment.lessons_done), selectinload(Enrolment.attempts))
        .order_by(Enrolment.last_active_at.desc(), Enrolment.id.desc()).limit(home.LIMIT))
        if permissions.can_follow_course(user, enrolment)]
    items = []
    for enrolment in enrolments:
        course, state = enrolment.course, progress(enrolment)
        lesson = state.next_lesson
        module = next((m.module for m in state.modules if lesson and any(
            candidate["id"] == lesson["id"] for candidate in m.module["lessons"])), None)
        done = sum(m.lessons_done for m in state.modules)
        total = sum(m.lessons for m in state.modules)
        link = (url_for("learning.lesson", course_id=course.id, lesson_id=lesson["id"]) if lesson
                else url_for("learning.show", course_id=course.id))
        params = {"course": home.Text(course.title, course.language)}
        if module is not None:
            message = _l("Go on with %(module)s in the course %(course)s")
            params["module"] = home.Text(module["title"], course.language)
        else:
            message = _l("Go on with the course %(course)s")
        items.append(home.HomeItem("course_in_progress", message, link, params, details=(
            home.Words(lazy_ngettext("%(done)d of %(num)d lesson done", "%(done)d of %(num)d lessons done",
                                     total, done=done)),)))
    return items


def connect() -> None:
    home.connect(tasks=tasks)
