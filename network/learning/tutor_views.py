"""The tutors' pages of a course (its editors follow its learners): cohorts, the learners' progress table (and
its CSV), one learner's answers, the course's statistics, and reminding those who stalled. Thin: the rules and
the figures are in network.learning.tutoring. Plain pages and POST forms: no JavaScript needed."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from network import permissions
from network.forms import as_id
from network.learning import services, tutoring
from network.learning.blueprint import bp
from network.learning.models import PUBLISHED, Course
from network.learning.tutor_forms import CohortForm
from network.web import REFUSED, attempt, check_button_post, csv_download, form_status

PRIVATE = {"Cache-Control": "private, no-store"}


def _tutored(course_id: int) -> Course:
    """The course, for its tutors only (others: 403; anonymous visitors: the login page)."""
    course = services.get(course_id)
    if course is None:
        abort(404)
    permissions.require(permissions.tutors_course, course)
    return course


def _cohort_filter(course: Course):
    """The cohort named by ?cohort=, if it is one of the course's (anything else: all the learners)."""
    return tutoring.cohort_of(course, as_id(request.args.get("cohort")))


@bp.route("/<int:course_id>/cohorts", methods=["GET", "POST"])
@login_required
def cohorts(course_id: int):
    course = _tutored(course_id)
    form = CohortForm(events=tutoring.event_choices(current_user, course))
    if form.validate_on_submit():
        result = attempt(lambda: tutoring.create_cohort(current_user, course, form.to_data()),
                         lambda done: ngettext("Cohort created: %(num)d learner enrolled or added to it.",
                                               "Cohort created: %(num)d learners enrolled or added to it.", done[1])
                         if done[0].event_id else _("Cohort created."), form=form)
        if result is not REFUSED:
            return redirect(url_for("learning.cohorts", course_id=course_id) + "#cohorts-heading")
        course = services.get(course_id)
    return render_template("learning/tutor/cohorts.html", course=course, form=form,
                           rows=tutoring.cohort_rows(course), published=course.status == PUBLISHED,
                           ), form_status(form), PRIVATE


@bp.route("/<int:course_id>/learners")
@login_required
def learners(course_id: int):
    course = _tutored(course_id)
    cohort = _cohort_filter(course)
    return render_template("learning/tutor/learners.html", course=course, cohort=cohort,
                           cohorts=tutoring.cohorts(course), quizzes=tutoring.quiz_columns(course),
                           rows=tutoring.learner_rows(course, cohort), form=FlaskForm()), PRIVATE


@bp.route("/<int:course_id>/learners.csv")
@login_required
def learners_csv(course_id: int):
    course = _tutored(course_id)
    cohort = _cohort_filter(course)
    suffix = f"-cohort-{cohort.id}" if cohort is not None else ""
    return csv_download(tutoring.csv_rows(course, cohort), f"learners-course-{course.id}{suffix}.csv")


@bp.route("/<int:course_id>/learners/remind", methods=["POST"])
@login_required
def remind_learners(course_id: int):
    """Remind now the course's learners who stalled (the daily job does it for every course)."""
    course = _tutored(course_id)
    check_button_post()
    cohort = _cohort_filter(course)
    attempt(lambda: tutoring.remind(course=course, cohort=cohort),
            lambda sent: ngettext("%(num)d learner reminded.", "%(num)d learners reminded.", sent)
            if sent else _("Nobody to remind: no learner has stalled for two weeks, or they were reminded lately."))
    return redirect(url_for("learning.learners", course_id=course_id, cohort=as_id(request.args.get("cohort"))))


@bp.route("/<int:course_id>/learners/<int:enrolment_id>")
@login_required
def learner(course_id: int, enrolment_id: int):
    course = _tutored(course_id)
    enrolment = tutoring.enrolment_in(course, enrolment_id)
    if enrolment is None:
        abort(404)
    return render_template("learning/tutor/learner.html", course=course,
                           detail=tutoring.learner_detail(enrolment)), PRIVATE


@bp.route("/<int:course_id>/statistics")
@login_required
def statistics(course_id: int):
    course = _tutored(course_id)
    return render_template("learning/tutor/statistics.html", course=course,
                           stats=tutoring.statistics(course)), PRIVATE
