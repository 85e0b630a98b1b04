"""The course editors' pages: a course's settings and outline (modules and their lessons), a lesson with its
activities, a quiz with its questions, publishing versions, archiving, and the editors the owner adds. Every
change is a plain POST form (move up/down are buttons), so all of it works without JavaScript. Editing changes
the draft only: published versions are frozen (services.publish)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.routing import BuildError

from network import permissions, uploads
from network.auth.models import User
from network.collections import services as collections
from network.collections.models import Collection
from network.extensions import db
from network.forms import as_id
from network.learning import attachments, services
from network.learning.blueprint import bp
from network.learning.editor_forms import (
    ActivityForm,
    AttachmentForm,
    CourseForm,
    EditorForm,
    LessonForm,
    ModuleForm,
    NewLessonForm,
    QuestionForm,
)
from network.learning.models import ACTIVITY_KINDS, QUIZ, STATUSES, Activity, Course, CourseModule, Lesson, QuizQuestion
from network.practices import services as practices
from network.practices.models import PUBLISHED as PRACTICE_PUBLISHED
from network.practices.models import Practice
from network.web import REFUSED, attempt, check_button_post, form_status, outcome

LINK_CHOICES = 200  # practices and collections offered to link from a lesson: the most recent ones
STEPS = {"up": -1, "down": 1}


# --- finding what the URL names -------------------------------------------------------------------------------


def _course(course_id: int) -> Course:
    """The course, for its editors only (others: 403; anonymous visitors: the login page)."""
    course = services.get(course_id)
    if course is None:
        abort(404)
    permissions.require(permissions.can_edit_course, course)
    return course


def _owned(course_id: int) -> Course:
    course = _course(course_id)
    permissions.require(permissions.owns_course, course)
    return course


def _module(course: Course, module_id: int) -> CourseModule:
    module = db.session.get(CourseModule, module_id)
    if module is None or module.course_id != course.id:
        abort(404)
    return module


def _lesson(course: Course, lesson_id: int) -> Lesson:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.module.course_id != course.id:
        abort(404)
    return lesson


def _activity(course: Course, activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.lesson.module.course_id != course.id:
        abort(404)
    return activity


def _question(course: Course, question_id: int) -> QuizQuestion:
    question = db.session.get(QuizQuestion, question_id)
    if question is None or question.activity.lesson.module.course_id != course.id:
        abort(404)
    return question


def _step() -> int:
    """The direction of a move button: up or down, checked with its CSRF token (anything else: 400)."""
    check_button_post()
    step = STEPS.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    return step


def _optional_url(endpoint: str, **values) -> str | None:
    """A learners' page, when that part of the feature provides it."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


# --- choices ---------------------------------------------------------------------------------------------------


def _owner_choices(course: Course | None) -> list:
    owners = collections.owners_for(current_user)
    if course is not None and course.owner not in owners:
        owners.insert(0, course.owner)  # an added editor keeps the owner they cannot choose
    return owners


def _dimension_choices(course: Course | None) -> list[tuple[str, str]]:
    """The current self-assessment's dimensions (code and name), and any the course already names."""
    from network.self_assessment import services as assessment

    questionnaire = assessment.current_questionnaire()
    choices = [(d.code, f"{assessment.localized(d.name)} ({d.code})")
               for d in (questionnaire.dimensions if questionnaire else [])]
    known = {code for code, _label in choices}
    choices += [(code, code) for code in (course.dimensions if course else []) or [] if code not in known]
    return choices


def _course_form(course: Course | None, **kwargs) -> CourseForm:
    return CourseForm(owners=_owner_choices(course), dimensions=_dimension_choices(course), **kwargs)


def _link_choices(lesson: Lesson) -> tuple[list, list]:
    """Practices and collections a lesson may link to: the most recent published ones the editor may see, and
    those it already links to."""
    linked = [int(i) for i in lesson.practice_ids or []]
    visible = practices.visible_to(current_user)
    recent = list(db.session.execute(
        select(Practice.id, Practice.title).where(visible, Practice.status == PRACTICE_PUBLISHED)
        .order_by(Practice.published_at.desc().nulls_last(), Practice.id.desc()).limit(LINK_CHOICES)))
    present = [tuple(row) for row in db.session.execute(
        select(Practice.id, Practice.title).where(visible, Practice.id.in_(linked)))] if linked else []
    practice_choices = _merge(present, recent, linked)

    linked = [int(i) for i in lesson.collection_ids or []]
    visible = collections.collections_visible_to(current_user)
    recent = list(db.session.execute(
        select(Collection.id, Collection.title).where(visible, Collection.editions.any())
        .order_by(Collection.updated_at.desc(), Collection.id.desc()).limit(LINK_CHOICES)))
    present = [tuple(row) for row in db.session.execute(
        select(Collection.id, Collection.title).where(visible, Collection.id.in_(linked)))] if linked else []
    return practice_choices, _merge(present, recent, linked)


def _merge(present: list, recent: list, linked: list) -> list[tuple[int, str]]:
    """Those linked first (in their order), then the others."""
    titles = dict(present)
    first = [(i, titles[i]) for i in linked if i in titles]
    return first + [(i, title) for i, title in recent if i not in titles]


def _lesson_form(course: Course, lesson: Lesson, **kwargs) -> LessonForm:
    practice_choices, collection_choices = _link_choices(lesson)
    return LessonForm(course_language=course.language, practices=practice_choices,
                      collections=collection_choices, **kwargs)


def _hidden_links(lesson: Lesson, form: LessonForm):
    """The lesson's data from the form, keeping links the editor cannot see (someone else chose them)."""
    data = form.to_data()
    shown = {as_id(value) for value, _label in form.practice_ids.choices}
    data.practice_ids += [i for i in lesson.practice_ids or [] if i not in shown]
    shown = {as_id(value) for value, _label in form.collection_ids.choices}
    data.collection_ids += [i for i in lesson.collection_ids or [] if i not in shown]
    return data


# --- a course ---------------------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    permissions.require(permissions.can_create_course)
    form = _course_form(None)
    if request.method == "GET":
        institution = current_user.institution
        form.language.data = institution.languages[0] if institution and institution.languages else "en"
    if form.validate_on_submit():
        course = attempt(lambda: services.create_course(current_user, form.to_data()),
                         _("Course created as a draft. Add its modules and lessons."), form=form)
        if course is not REFUSED:
            return redirect(url_for("learning.edit", course_id=course.id))
    return render_template("learning/edit/new.html", form=form), form_status(form)


def _edit_page(course: Course, status: int = 200, problems=None, **forms):
    """The course's editor with every form; a form given (rejected, with what was typed) replaces its blank one."""
    form = forms.get("form")
    if form is None:
        form = _course_form(course, formdata=None)
        form.fill_from(course)
    module_forms = {}
    new_lesson_forms = {}
    for module in course.modules:
        module_forms[module.id] = forms.get(f"module-{module.id}") or ModuleForm(
            prefix=f"module-{module.id}", formdata=None, title=module.title, summary=module.summary)
        new_lesson_forms[module.id] = forms.get(f"new-lesson-{module.id}") or NewLessonForm(
            prefix=f"new-lesson-{module.id}", formdata=None)
    module_form = forms.get("module_form") or ModuleForm(prefix="new-module", formdata=None)
    editor_form = forms.get("editor_form") or EditorForm(formdata=None)
    failed = [f for f in [form, module_form, editor_form, *module_forms.values(), *new_lesson_forms.values()]
              if f.errors or f.general_errors]
    owns = permissions.owns_course(current_user, course)
    editor_ids = [row.user_id for row in course.editor_rows]
    editors = list(db.session.scalars(select(User).where(User.id.in_(editor_ids)).order_by(User.name))) \
        if editor_ids else []
    return render_template(
        "learning/edit/course.html", course=course, form=form, module_form=module_form,
        module_forms=module_forms, new_lesson_forms=new_lesson_forms, editor_form=editor_form, editors=editors,
        failed=failed[0] if failed else None, owns=owns, statuses=STATUSES, kinds=ACTIVITY_KINDS,
        refused_problems=problems, problems=services.publication_problems(course),
        course_url=_optional_url("learning.show", course_id=course.id),
    ), status


def _refused(course: Course, name: str, form):
    """The editor again, after a refusal rolled the session back: this form as it was sent, with its messages."""
    return _edit_page(services.get(course.id), 422, **{name: form})


@bp.route("/<int:course_id>/edit", methods=["GET", "POST"])
@login_required
def edit(course_id: int):
    course = _course(course_id)
    if request.method == "GET":
        return _edit_page(course)
    form = _course_form(course)
    owns = permissions.owns_course(current_user, course)
    if not owns:
        form.owner.data = ""  # only the owner's people move a course: the services keep its owner
    if not form.validate_on_submit():
        return _edit_page(course, 422, form=form)
    if attempt(lambda: services.update_course(current_user, course, form.to_data()), _("Course saved."),
               form=form) is REFUSED:
        return _refused(course, "form", form)
    return redirect(url_for("learning.edit", course_id=course_id))


@bp.route("/<int:course_id>/publish", methods=["POST"])
@login_required
def publish(course_id: int):
    course = _course(course_id)
    check_button_post()
    # Refused: the page itself lists what is missing (a flash message would say it twice).
    version, refusal = outcome(lambda: services.publish(current_user, course))
    if refusal is not None:
        return _edit_page(services.get(course_id), 422, problems=refusal.messages)
    flash(_("Version %(number)d published.", number=version.number), "success")
    return redirect(url_for("learning.edit", course_id=course_id) + "#versions")


@bp.route("/<int:course_id>/archive", methods=["GET", "POST"])
@login_required
def archive(course_id: int):
    """Closing a course to new learners is its owner's decision (its admins or coordinators), not an editor's."""
    course = _owned(course_id)
    back = url_for("learning.edit", course_id=course_id) + "#status"
    if request.method == "POST":
        check_button_post()
        attempt(lambda: services.archive_course(current_user, course), _("Course archived."))
        return redirect(back)
    return _confirm(
        _("Archive “%(title)s”?", title=course.title),
        _("Nobody can enrol any more; learners already enrolled carry on with their version. Publishing the "
          "course again opens it to new learners."),
        _("Archive the course"), back)


@bp.route("/<int:course_id>/editors", methods=["POST"])
@login_required
def editors(course_id: int):
    course = _owned(course_id)
    remove = as_id(request.form.get("remove"))
    if remove:
        check_button_post()
        attempt(lambda: services.remove_editor(current_user, course, remove), _("Editor removed."))
        return redirect(url_for("learning.edit", course_id=course_id) + "#editors")
    form = EditorForm()
    if not form.validate_on_submit():
        return _edit_page(course, 422, editor_form=form)
    if attempt(lambda: services.add_editor(current_user, course, form.email.data),
               lambda person: _("%(name)s can now edit this course.", name=person.name), form=form) is REFUSED:
        return _refused(course, "editor_form", form)
    return redirect(url_for("learning.edit", course_id=course_id) + "#editors")


# --- modules -----------------------------------------------------------------------------------------------------


@bp.route("/<int:course_id>/modules", methods=["POST"])
@login_required
def add_module(course_id: int):
    course = _course(course_id)
    form = ModuleForm(prefix="new-module")
    if not form.validate_on_submit():
        return _edit_page(course, 422, module_form=form)
    module = attempt(lambda: services.add_module(course, form.title.data, form.summary.data), _("Module added."),
                     form=form)
    if module is REFUSED:
        return _refused(course, "module_form", form)
    return redirect(url_for("learning.edit", course_id=course_id) + f"#module-{module.id}")


@bp.route("/<int:course_id>/modules/<int:module_id>", methods=["POST"])
@login_required
def module(course_id: int, module_id: int):
    """Save a module's title and summary, or move it up or down (the button pressed says which)."""
    course = _course(course_id)
    found = _module(course, module_id)
    name = f"module-{module_id}"
    form = ModuleForm(prefix=name)
    if not form.validate_on_submit():
        return _edit_page(course, 422, **{name: form})
    action = request.form.get("action", "save")
    if action in STEPS:
        change, done = (lambda: services.move_module(found, STEPS[action])), None
    elif action == "save":
        change, done = (lambda: services.update_module(found, form.title.data, form.summary.data)), _("Module saved.")
    else:
        abort(400)
    if attempt(change, done, form=form) is REFUSED:
        return _refused(course, name, form)
    return redirect(url_for("learning.edit", course_id=course_id) + f"#module-{module_id}")


@bp.route("/<int:course_id>/modules/<int:module_id>/delete", methods=["GET", "POST"])
@login_required
def delete_module(course_id: int, module_id: int):
    course = _course(course_id)
    found = _module(course, module_id)
    back = url_for("learning.edit", course_id=course_id) + "#outline"
    if request.method == "POST":
        check_button_post()
        attempt(lambda: services.delete_module(found), _("Module deleted."))
        return redirect(back)
    return _confirm(
        _("Delete the module “%(title)s”?", title=found.title),
        _("Its %(count)d lessons and their activities are deleted from the draft. Published versions keep them.",
          count=len(found.lessons)),
        _("Delete the module"), back)


# --- lessons -----------------------------------------------------------------------------------------------------


@bp.route("/<int:course_id>/modules/<int:module_id>/lessons", methods=["POST"])
@login_required
def add_lesson(course_id: int, module_id: int):
    course = _course(course_id)
    found = _module(course, module_id)
    name = f"new-lesson-{module_id}"
    form = NewLessonForm(prefix=name)
    if not form.validate_on_submit():
        return _edit_page(course, 422, **{name: form})
    lesson = attempt(lambda: services.add_lesson(found, services.LessonData(title=form.title.data or "")),
                     _("Lesson added. Write it here."), form=form)
    if lesson is REFUSED:
        return _refused(course, name, form)
    return redirect(url_for("learning.edit_lesson", course_id=course_id, lesson_id=lesson.id))


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/move", methods=["POST"])
@login_required
def move_lesson(course_id: int, lesson_id: int):
    course = _course(course_id)
    found = _lesson(course, lesson_id)
    step = _step()
    attempt(lambda: services.move_lesson(found, step))
    return redirect(url_for("learning.edit", course_id=course_id) + f"#lesson-{lesson_id}")


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/delete", methods=["GET", "POST"])
@login_required
def delete_lesson(course_id: int, lesson_id: int):
    course = _course(course_id)
    found = _lesson(course, lesson_id)
    back = url_for("learning.edit", course_id=course_id) + "#outline"
    if request.method == "POST":
        check_button_post()
        attempt(lambda: services.delete_lesson(found), _("Lesson deleted."))
        return redirect(back)
    return _confirm(
        _("Delete the lesson “%(title)s”?", title=found.title),
        _("Its text and its %(count)d activities are deleted from the draft. Published versions keep them.",
          count=len(found.activities)),
        _("Delete the lesson"), url_for("learning.edit_lesson", course_id=course_id, lesson_id=lesson_id))


def _lesson_page(course: Course, lesson: Lesson, status: int = 200, **forms):
    form = forms.get("form")
    if form is None:
        form = _lesson_form(course, lesson, formdata=None)
        form.fill_from(lesson)
    activity_form = forms.get("activity_form") or ActivityForm(prefix="new-activity", formdata=None)
    attachment_form = forms.get("attachment_form") or AttachmentForm(formdata=None)
    failed = [f for f in (form, activity_form, attachment_form) if f.errors or f.general_errors]
    return render_template(
        "learning/edit/lesson.html", course=course, lesson=lesson, form=form, activity_form=activity_form,
        attachment_form=attachment_form, attachments=attachments.of_lesson(lesson),
        failed=failed[0] if failed else None, kinds=ACTIVITY_KINDS,
    ), status


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
@login_required
def edit_lesson(course_id: int, lesson_id: int):
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    if request.method == "GET":
        return _lesson_page(course, lesson)
    form = _lesson_form(course, lesson)
    if not form.validate_on_submit():
        return _lesson_page(course, lesson, 422, form=form)
    data = _hidden_links(lesson, form)
    if attempt(lambda: services.update_lesson(lesson, data), _("Lesson saved."), form=form) is REFUSED:
        course = services.get(course_id)
        return _lesson_page(course, _lesson(course, lesson_id), 422, form=form)
    return redirect(url_for("learning.edit_lesson", course_id=course_id, lesson_id=lesson_id))


# --- a lesson's files ------------------------------------------------------------------------------------------------


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/attachments", methods=["POST"])
@login_required
def add_attachment(course_id: int, lesson_id: int):
    """Upload a file to the lesson (multipart); a refused one shows the page again (422) with its reason."""
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _lesson_page(course, lesson, 422, attachment_form=form)
    found, problems = uploads.check_uploads([form.file.data], attachments.KINDS)
    if problems:
        form.file.errors = list(form.file.errors) + problems
        return _lesson_page(course, lesson, 422, attachment_form=form)
    added = attempt(lambda: attachments.add(current_user, lesson, found[0] if found else None),
                    lambda a: _("“%(name)s” is added to the lesson.", name=a.filename), form=form)
    if added is REFUSED:
        course = services.get(course_id)
        return _lesson_page(course, _lesson(course, lesson_id), 422, attachment_form=form)
    return redirect(url_for("learning.edit_lesson", course_id=course_id, lesson_id=lesson_id) + "#attachments")


@bp.route("/<int:course_id>/attachments/<int:attachment_id>/remove", methods=["POST"])
@login_required
def remove_attachment(course_id: int, attachment_id: int):
    """The "Remove" button of a file in the draft: published versions keep theirs."""
    course = _course(course_id)
    found = attachments.get(course, attachment_id)
    if found is None or found.lesson_id is None:
        abort(404)
    lesson_id, name = found.lesson_id, found.filename
    check_button_post()
    attempt(lambda: attachments.remove(current_user, found),
            lambda kept: _("“%(name)s” is removed from the lesson; learners of the published versions that have it "
                           "can still download it.", name=name) if kept
            else _("“%(name)s” is removed and deleted.", name=name))
    return redirect(url_for("learning.edit_lesson", course_id=course_id, lesson_id=lesson_id) + "#attachments")


# --- activities ----------------------------------------------------------------------------------------------------


@bp.route("/<int:course_id>/lessons/<int:lesson_id>/activities", methods=["POST"])
@login_required
def add_activity(course_id: int, lesson_id: int):
    course = _course(course_id)
    lesson = _lesson(course, lesson_id)
    form = ActivityForm(prefix="new-activity")
    if not form.validate_on_submit():
        return _lesson_page(course, lesson, 422, activity_form=form)
    activity = attempt(lambda: services.add_activity(lesson, form.kind.data, form.title.data,
                                                     form.instructions.data, form.pass_mark.data),
                       _("Activity added."), form=form)
    if activity is REFUSED:
        course = services.get(course_id)
        return _lesson_page(course, _lesson(course, lesson_id), 422, activity_form=form)
    if activity.kind == QUIZ:
        return redirect(url_for("learning.edit_activity", course_id=course_id, activity_id=activity.id) + "#questions")
    return redirect(url_for("learning.edit_lesson", course_id=course_id, lesson_id=lesson_id)
                    + f"#activity-{activity.id}")


@bp.route("/<int:course_id>/activities/<int:activity_id>/move", methods=["POST"])
@login_required
def move_activity(course_id: int, activity_id: int):
    course = _course(course_id)
    found = _activity(course, activity_id)
    step = _step()
    attempt(lambda: services.move_activity(found, step))
    return redirect(url_for("learning.edit_lesson", course_id=course_id, lesson_id=found.lesson_id)
                    + f"#activity-{activity_id}")


@bp.route("/<int:course_id>/activities/<int:activity_id>/delete", methods=["GET", "POST"])
@login_required
def delete_activity(course_id: int, activity_id: int):
    course = _course(course_id)
    found = _activity(course, activity_id)
    back = url_for("learning.edit_lesson", course_id=course_id, lesson_id=found.lesson_id) + "#activities"
    if request.method == "POST":
        check_button_post()
        attempt(lambda: services.delete_activity(found), _("Activity deleted."))
        return redirect(back)
    return _confirm(
        _("Delete the activity “%(title)s”?", title=found.title),
        _("It is deleted from the draft, with its questions if it is a quiz. Published versions keep it."),
        _("Delete the activity"), back)


def _activity_page(course: Course, activity: Activity, status: int = 200, **forms):
    form = forms.get("form")
    if form is None:
        form = ActivityForm(formdata=None)
        form.fill_from(activity)
    question_form = forms.get("question_form") or QuestionForm(prefix="new-question", formdata=None)
    failed = [f for f in (form, question_form) if f.errors or f.general_errors]
    return render_template(
        "learning/edit/activity.html", course=course, activity=activity, lesson=activity.lesson, form=form,
        question_form=question_form, failed=failed[0] if failed else None, kinds=ACTIVITY_KINDS,
    ), status


@bp.route("/<int:course_id>/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@login_required
def edit_activity(course_id: int, activity_id: int):
    course = _course(course_id)
    activity = _activity(course, activity_id)
    if request.method == "GET":
        return _activity_page(course, activity)
    form = ActivityForm()
    form.kind.data = activity.kind  # fixed once added
    if not form.validate_on_submit():
        return _activity_page(course, activity, 422, form=form)
    if attempt(lambda: services.update_activity(activity, form.title.data, form.instructions.data,
                                                form.pass_mark.data), _("Activity saved."), form=form) is REFUSED:
        course = services.get(course_id)
        return _activity_page(course, _activity(course, activity_id), 422, form=form)
    return redirect(url_for("learning.edit_activity", course_id=course_id, activity_id=activity_id))


# --- quiz questions ----------------------------------------------------------------------------------------------


def _quiz(course: Course, activity_id: int) -> Activity:
    activity = _activity(course, activity_id)
    if activity.kind != QUIZ:
        abort(404)
    return activity


@bp.route("/<int:course_id>/activities/<int:activity_id>/questions", methods=["POST"])
@login_required
def add_question(course_id: int, activity_id: int):
    course = _course(course_id)
    activity = _quiz(course, activity_id)
    form = QuestionForm(prefix="new-question")
    if not form.validate_on_submit():
        return _activity_page(course, activity, 422, question_form=form)
    question = attempt(lambda: services.add_question(activity, form.text.data, form.multiple.data,
                                                     form.option_data()), _("Question added."), form=form)
    if question is REFUSED:
        course = services.get(course_id)
        return _activity_page(course, _activity(course, activity_id), 422, question_form=form)
    return redirect(url_for("learning.edit_activity", course_id=course_id, activity_id=activity_id)
                    + f"#question-{question.id}")


@bp.route("/<int:course_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(course_id: int, question_id: int):
    course = _course(course_id)
    question = _question(course, question_id)
    form = QuestionForm(formdata=None) if request.method == "GET" else QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit():
        if attempt(lambda: services.update_question(question, form.text.data, form.multiple.data,
                                                    form.option_data()), _("Question saved."), form=form) \
                is not REFUSED:
            return redirect(url_for("learning.edit_activity", course_id=course_id, activity_id=question.activity_id)
                            + f"#question-{question_id}")
        course = services.get(course_id)
        question = _question(course, question_id)
    return render_template("learning/edit/question.html", course=course, question=question,
                           activity=question.activity, form=form), form_status(form)


@bp.route("/<int:course_id>/questions/<int:question_id>/move", methods=["POST"])
@login_required
def move_question(course_id: int, question_id: int):
    course = _course(course_id)
    found = _question(course, question_id)
    step = _step()
    attempt(lambda: services.move_question(found, step))
    return redirect(url_for("learning.edit_activity", course_id=course_id, activity_id=found.activity_id)
                    + f"#question-{question_id}")


@bp.route("/<int:course_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
@login_required
def delete_question(course_id: int, question_id: int):
    course = _course(course_id)
    found = _question(course, question_id)
    back = url_for("learning.edit_activity", course_id=course_id, activity_id=found.activity_id) + "#questions"
    if request.method == "POST":
        check_button_post()
        attempt(lambda: services.delete_question(found), _("Question deleted."))
        return redirect(back)
    return _confirm(_("Delete this question?"), found.text, _("Delete the question"), back)


def _confirm(heading: str, message: str, button: str, back: str):
    """A deletion (or archiving) asks first: a page with one POST button and a way back."""
    return render_template("learning/edit/confirm.html", heading=heading, message=message, button=button,
                           back=back, form=FlaskForm())
