"""Learners' pages: the courses, a course with its outline and the learner's progress, its lessons (reflections,
practice tasks, lessons marked done), its quizzes, enrolling, leaving and moving to a newer version.

Thin: every rule and every write is in network.learning.services, the reading of a frozen version in
network.learning.reading. Learners read their enrolment's version, everyone else the latest published one.
Everything works without JavaScript; network/static/js/learning.js only autosaves reflections.
"""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup

from network import permissions, uploads
from network.learning import attachments, reading, services
from network.learning.blueprint import bp
from network.learning.forms import LessonDoneForm, QuizForm, ReflectionForm, TaskForm, answers_from
from network.learning.models import ACTIVITY_KINDS, LEVELS, QUIZ, REFLECTION, STATUSES, TASK, Course
from network.web import REFUSED, attempt, check_button_post, form_status, outcome

PRIVATE = {"Cache-Control": "private, no-store"}


@bp.app_template_filter("frozen_html")
def frozen_html(text: str | None) -> Markup:
    """A version's HTML: rendered and sanitised (network.sanitize) when the version was published."""
    return Markup(text or "")


@bp.context_processor
def _helpers():
    return {"levels": LEVELS, "course_statuses": STATUSES, "activity_kinds": ACTIVITY_KINDS,
            "has_page": lambda endpoint: endpoint in current_app.view_functions,
            "file_size": attachments.size_label, "file_kind": attachments.kind_label}


def _course_or_404(course_id: int) -> tuple[Course, services.Enrolment | None]:
    """The course and the reader's enrolment: 404 unless they may see it or are enrolled on it."""
    course = services.get(course_id)
    if course is None:
        abort(404)
    enrolment = services.enrolment_of(current_user, course)
    if not (permissions.can_view_course(current_user, course)
            or permissions.can_follow_course(current_user, enrolment)):
        abort(404)
    return course, enrolment


def _enrolled_or_away(course_id: int):
    """For a learner's action: the course and its enrolment, or a redirect to the course page (not enrolled)."""
    course, enrolment = _course_or_404(course_id)
    if enrolment is None:
        flash(_("Enrol in the course first."), "info")
        return course, None, redirect(url_for("learning.show", course_id=course.id))
    return course, enrolment, None


# --- the courses --------------------------------------------------------------------------------------------


@bp.route("/")
def index():
    language = reading.clean_filter(request.args.get("language"), r"[a-z]{2,3}(_[A-Za-z]{2,4})?")
    level = request.args.get("level", "")
    level = level if level in LEVELS else ""
    dimension = reading.clean_filter(request.args.get("dimension"))
    courses = services.visible_courses(current_user, language=language, level=level, dimension=dimension)
    mine = services.enrolments_of(current_user) if current_user.is_authenticated else []
    progress = {e.course_id: reading.summary(services.progress(e)) for e in mine}
    return render_template(
        "learning/index.html", courses=courses, mine=mine, progress=progress, language=language, level=level,
        facts={c.id: services.facts_for(current_user, c) for c in courses},
        dimension=dimension, languages=reading.languages_of_courses(current_user),
        dimensions=reading.dimension_choices(),
        can_create=permissions.can_create_course(current_user) and "learning.new" in current_app.view_functions,
    ), 200, PRIVATE


@bp.route("/<int:course_id>")
def show(course_id: int):
    course, enrolment = _course_or_404(course_id)
    contents = reading.contents_for(course, enrolment, current_user)
    progress = services.progress(enrolment) if enrolment is not None else None
    certificate = services.certificate_of(enrolment) if enrolment is not None and enrolment.completed_at else None
    return render_template(
        "learning/show.html", course=course, contents=contents, enrolment=enrolment, progress=progress,
        modules={m.module["id"]: m for m in progress.modules} if progress else {},
        overall=reading.summary(progress) if progress else None,
        newer=services.newer_version(enrolment) if enrolment is not None else None,
        certificate=certificate, action_form=FlaskForm(),
        may_enrol=enrolment is None and contents is not None and permissions.can_enrol(current_user, course),
        editor=permissions.can_edit_course(current_user, course),
    ), 200, PRIVATE


@bp.route("/<int:course_id>/attachments/<int:attachment_id>/<filename>")
def attachment(course_id: int, attachment_id: int, filename: str):
    """A lesson's file, for whoever may read a version listing it (its learners, the course's readers while the
    latest version lists it) and the course's editors while the draft has it; 404 for anyone else. The name in
    the address is for people: the download always bears the file's own (cleaned) name."""
    course = services.get(course_id)
    found = attachments.get(course, attachment_id) if course is not None else None
    if found is None or not attachments.may_download(current_user, found, services.enrolment_of(current_user, course)):
        abort(404)
    return uploads.send(attachments.FOLDER, found.stored_name, found.content_type, found.filename,
                        private=attachments.private(found), attachment=True)


# --- enrolling, leaving, moving -----------------------------------------------------------------------------


@bp.route("/<int:course_id>/enrol", methods=["POST"])
@login_required
def enrol(course_id: int):
    course, _enrolment = _course_or_404(course_id)
    check_button_post()
    attempt(lambda: services.enrol(current_user, course),
            _("You are enrolled. Start with the first lesson, or any lesson you like."))
    return redirect(url_for("learning.show", course_id=course.id))


@bp.route("/<int:course_id>/leave", methods=["GET", "POST"])
@login_required
def leave(course_id: int):
    course, enrolment, away = _enrolled_or_away(course_id)
    if away is not None:
        return away
    form = FlaskForm()
    if form.validate_on_submit():
        attempt(lambda: services.leave(enrolment), _("You left the course “%(title)s”.", title=course.title))
        return redirect(url_for("learning.index"))
    return render_template("learning/leave.html", course=course, enrolment=enrolment, form=form,
                           contents=enrolment.version.contents), form_status(form), PRIVATE


@bp.route("/<int:course_id>/move", methods=["POST"])
@login_required
def move(course_id: int):
    course, enrolment, away = _enrolled_or_away(course_id)
    if away is not None:
        return away
    check_button_post()
    attempt(lambda: services.move_to_latest(enrolment),
            lambda moved: _("You now follow version %(number)d of the course.", number=moved.version.number))
    return redirect(url_for("learning.show", course_id=course.id))


# --- lessons ------------------------------------------------------------------------------------------------


def _lesson_page(course: Course, enrolment, lesson_id: int, status: int = 200, **forms):
    """The lesson of the reader's version, with its activities; a form given (rejected) replaces its blank one."""
    contents = reading.contents_for(course, enrolment, current_user)
    lesson = services.find_lesson(contents, lesson_id) if contents is not None else None
    if lesson is None:
        abort(404)
    state = reading.lesson_state(enrolment, lesson)
    reflection_forms, task_forms = {}, {}
    if enrolment is not None:
        for activity in lesson["activities"]:
            key = f"{activity['kind']}-{activity['id']}"
            if activity["kind"] == REFLECTION:
                saved = state.reflections.get(activity["id"])
                reflection_forms[activity["id"]] = forms.get(key) or ReflectionForm(
                    prefix=key, formdata=None, text=saved.text if saved else "")
            elif activity["kind"] == TASK:
                ticked = state.tasks.get(activity["id"])
                task_forms[activity["id"]] = forms.get(key) or TaskForm(
                    prefix=key, formdata=None, note=ticked.note if ticked else "")
    practices, collections = reading.linked_items(current_user, lesson)
    failed = next((f for f in forms.values() if f.errors or f.general_errors), None)
    return render_template(
        "learning/lesson.html", course=course, contents=contents, enrolment=enrolment, lesson=lesson,
        position=reading.position_of(contents, lesson_id), state=state, practices=practices,
        collections=collections, reflection_forms=reflection_forms, task_forms=task_forms, failed=failed,
        done_form=LessonDoneForm(formdata=None), may_enrol=enrolment is None and permissions.can_enrol(
            current_user, course),
    ), status, PRIVATE


@bp.route("/<int:course_id>/lessons/<int:lesson_id>")
def lesson(course_id: int, lesson_id: int):
    course, enrolment = _course_or_404(course_id)
    if enrolment is not None and services.find_lesson(enrolment.version.contents, lesson_id) is not None:
        services.visit_lesson(enrolment, lesson_id)  # where "Resume" leads next time
    return _lesson_page(course, enrolment, lesson_id)


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/done", methods=["POST"])
@login_required
def lesson_done(course_id: int, lesson_id: int):
    course, enrolment, away = _enrolled_or_away(course_id)
    if away is not None:
        return away
    form = LessonDoneForm()
    if not form.validate_on_submit():
        abort(400)
    done = form.done.data == "1"
    was_complete = enrolment.completed_at is not None
    if attempt(lambda: services.mark_lesson_done(enrolment, lesson_id, done),
               _("Lesson marked as done.") if done else _("Lesson marked as not done yet.")) is REFUSED:
        return redirect(url_for("learning.show", course_id=course.id))
    if enrolment.completed_at is not None and not was_complete:
        flash(_("You completed the course. Well done!"), "success")
        return redirect(url_for("learning.show", course_id=course.id, _anchor="completed"))
    following = reading.position_of(enrolment.version.contents, lesson_id).following if done else None
    target = following["id"] if following else lesson_id
    return redirect(url_for("learning.lesson", course_id=course.id, lesson_id=target))


# --- reflections and practice tasks -------------------------------------------------------------------------


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/<int:course_id>/activities/<int:activity_id>/reflection", methods=["POST"])
@login_required
def reflection(course_id: int, activity_id: int):
    """Saved by its button, or every few seconds by learning.js (which asks for JSON)."""
    course, enrolment, away = _enrolled_or_away(course_id)
    if away is not None:
        return (jsonify(error=_("Enrol in the course first.")), 403) if _wants_json() else away
    found = reading.activity_in(enrolment.version.contents, activity_id, REFLECTION)
    if found is None:
        abort(404)
    lesson, _activity = found
    key = f"{REFLECTION}-{activity_id}"
    form = ReflectionForm(prefix=key)
    if _wants_json():
        if not form.validate_on_submit():
            return jsonify(error=" ".join(str(e) for e in form.text.errors) or _("The answer could not be saved.")), 422
        saved, refusal = outcome(lambda: services.save_reflection(enrolment, activity_id, form.text.data or ""))
        if refusal is not None:
            return jsonify(error=refusal.text), 422
        return jsonify(saved_label=_("Saved at %(time)s", time=format_time(saved.updated_at, "short"))), 200, PRIVATE
    if form.validate_on_submit() and attempt(
            lambda: services.save_reflection(enrolment, activity_id, form.text.data or ""),
            _("Your answer is saved."), form=form) is not REFUSED:
        return redirect(url_for("learning.lesson", course_id=course.id, lesson_id=lesson["id"],
                                _anchor=f"activity-{activity_id}"))
    return _lesson_page(course, enrolment, lesson["id"], 422, **{key: form})


@bp.route("/<int:course_id>/activities/<int:activity_id>/task", methods=["POST"])
@login_required
def task(course_id: int, activity_id: int):
    course, enrolment, away = _enrolled_or_away(course_id)
    if away is not None:
        return away
    found = reading.activity_in(enrolment.version.contents, activity_id, TASK)
    if found is None:
        abort(404)
    lesson, _activity = found
    key = f"{TASK}-{activity_id}"
    form = TaskForm(prefix=key)
    done = not form.undo.data
    if form.validate_on_submit() and attempt(
            lambda: services.tick_task(enrolment, activity_id, form.note.data or "", done=done),
            _("Practice task ticked off.") if done else _("Practice task marked as not done yet."),
            form=form) is not REFUSED:
        return redirect(url_for("learning.lesson", course_id=course.id, lesson_id=lesson["id"],
                                _anchor=f"activity-{activity_id}"))
    return _lesson_page(course, enrolment, lesson["id"], 422, **{key: form})


# --- quizzes ------------------------------------------------------------------------------------------------


def _quiz_of(course_id: int, activity_id: int):
    """The course, the learner's enrolment, the quiz's lesson and the quiz (in their version), or a redirect to
    the course page for a reader who is not enrolled."""
    course, enrolment = _course_or_404(course_id)
    contents = reading.contents_for(course, enrolment, current_user)
    found = reading.activity_in(contents, activity_id, QUIZ) if contents is not None else None
    if found is None:
        abort(404)
    if enrolment is None:
        flash(_("Enrol in the course to take its quizzes."), "info")
        return course, None, None, None, redirect(url_for("learning.show", course_id=course.id))
    return course, enrolment, found[0], found[1], None


def _quiz_page(course, enrolment, lesson, quiz, quiz_attempt, form, chosen=None, missing=()):
    return render_template(
        "learning/quiz.html", course=course, enrolment=enrolment, lesson=lesson, quiz=quiz, attempt=quiz_attempt,
        form=form, questions=reading.attempt_questions(quiz, quiz_attempt, chosen), missing=set(missing),
        best=services.best_attempt(enrolment, quiz["id"]), contents=enrolment.version.contents,
    ), form_status(form), PRIVATE


@bp.route("/<int:course_id>/quizzes/<int:activity_id>", methods=["GET", "POST"])
@login_required
def quiz(course_id: int, activity_id: int):
    """GET: the attempt under way (or a new one), its questions shuffled; POST: its answers, then the result."""
    course, enrolment, lesson, found, away = _quiz_of(course_id, activity_id)
    if away is not None:
        return away
    if request.method == "GET":
        started = services.start_attempt(enrolment, activity_id)
        form = QuizForm(formdata=None, attempt=str(started.id))
        return _quiz_page(course, enrolment, lesson, found, started, form)
    form = QuizForm()
    if not form.validate_on_submit():
        abort(400)
    ongoing = services.current_attempt(enrolment, activity_id)
    if ongoing is None or ongoing.id != form.attempt_id:
        flash(_("These answers belong to an attempt already submitted or replaced: here is the quiz again."),
              "info")
        return redirect(url_for("learning.quiz", course_id=course.id, activity_id=activity_id))
    question_ids = [question_id for question_id, _options in ongoing.order]
    answers = answers_from(request.form, question_ids)
    if attempt(lambda: services.submit_attempt(enrolment, ongoing, answers), form=form) is REFUSED:
        chosen = {qid: set(options) for qid, options in answers.items()}
        missing = [qid for qid in question_ids if not chosen.get(qid)]
        return _quiz_page(course, enrolment, lesson, found, ongoing, form, chosen, missing)
    return redirect(url_for("learning.result", course_id=course.id, activity_id=activity_id,
                            attempt_id=ongoing.id))


@bp.route("/<int:course_id>/quizzes/<int:activity_id>/attempts/<int:attempt_id>")
@login_required
def result(course_id: int, activity_id: int, attempt_id: int):
    """A submitted attempt: the score, each question right or wrong with the chosen options' feedback."""
    course, enrolment, away = _enrolled_or_away(course_id)
    if away is not None:
        return away
    done = next((a for a in enrolment.attempts if a.id == attempt_id and a.activity_id == activity_id
                 and a.submitted_at is not None), None)
    found = reading.quiz_of_attempt(done) if done is not None else None
    if found is None:
        abort(404)
    lesson = services.find_activity(enrolment.version.contents, activity_id)
    return render_template(
        "learning/result.html", course=course, enrolment=enrolment, quiz=found, attempt=done,
        lesson=lesson[0] if lesson else None, questions=reading.attempt_questions(found, done),
        best=services.best_attempt(enrolment, activity_id), contents=enrolment.version.contents,
        current=done.version_id == enrolment.version_id,
    ), 200, PRIVATE
