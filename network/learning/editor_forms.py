"""The course editors' forms. Rules live in network.learning.services (a refused change comes back as ServiceError,
its messages put on these fields); the forms carry what was typed, so a rejected one is shown again as it was."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, FieldList, Form, FormField, SelectField, StringField, TextAreaField, ValidationError

from network import labels
from network.collections.services import owner_key
from network.forms import ServiceErrors, as_id
from network.institutions.forms import MultiCheckboxField
from network.learning import services
from network.learning.models import ACTIVITY_KINDS, LEVELS, QUIZ, VISIBILITIES

MARKDOWN_HINT = _l("Markdown: *emphasis*, **strong**, lists, links.")


class CourseForm(ServiceErrors, FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": 200})
    summary = TextAreaField(_l("Summary"), render_kw={"rows": 5, "data-markdown": "document"}, description=_l(
        "What learners will be able to do after the course, and for whom it is. Markdown: *emphasis*, lists, "
        "links."))
    language = SelectField(_l("Language"), validate_choice=False)
    level = SelectField(_l("Level"), validate_choice=False)
    hours = StringField(_l("Hours (estimate)"), render_kw={"inputmode": "decimal"},
                        description=_l("How long the course takes, for example 6 or 7.5. Shown on the certificate."))
    dimensions = MultiCheckboxField(_l("Self-assessment dimensions it serves"), validate_choice=False)
    visibility = SelectField(_l("Who can read it"), validate_choice=False)
    owner = SelectField(_l("Owned by"), validate_choice=False, description=_l(
        "An institution you administer or a partnership you coordinate: its admins or coordinators edit it."))

    def __init__(self, *args, owners=(), dimensions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = labels.language_choices()
        self.level.choices = [(k, str(v)) for k, v in LEVELS.items()]
        self.visibility.choices = [(k, str(v)) for k, v in VISIBILITIES.items()]
        self.owner.choices = [(owner_key(o), getattr(o, "name", None) or o.title) for o in owners]
        self.dimensions.choices = list(dimensions)

    def to_data(self) -> services.CourseData:
        known = {code for code, _label in self.dimensions.choices}
        return services.CourseData(
            title=self.title.data or "", summary=self.summary.data or "", language=self.language.data or "",
            level=self.level.data or "", hours=self.hours.data or "", visibility=self.visibility.data or "",
            dimensions=[code for code in (self.dimensions.data or []) if code in known],
            owner=self.owner.data or "")

    def fill_from(self, course) -> None:
        self.title.data, self.summary.data, self.language.data = course.title, course.summary, course.language
        self.level.data, self.visibility.data = course.level, course.visibility
        self.hours.data = "" if course.hours is None else format(course.hours.normalize(), "f")
        self.dimensions.data = list(course.dimensions or [])
        self.owner.data = owner_key(course.owner)


class ModuleForm(ServiceErrors, FlaskForm):
    title = StringField(_l("Module title"), render_kw={"maxlength": 200})
    summary = TextAreaField(_l("Summary (optional)"), render_kw={"rows": 2})


class NewLessonForm(ServiceErrors, FlaskForm):
    """A lesson is added by its title; the rest is written on the lesson's own page."""

    title = StringField(_l("New lesson's title"), render_kw={"maxlength": 200})


class LessonForm(ServiceErrors, FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": 200})
    body = TextAreaField(_l("Text of the lesson"), render_kw={"rows": 16, "data-markdown": "document"},
                         description=MARKDOWN_HINT)
    required = BooleanField(_l("Required to complete the course"))
    minutes = StringField(_l("Minutes (estimate, optional)"), render_kw={"inputmode": "numeric"})
    language = SelectField(_l("Language"), validate_choice=False)
    practice_ids = MultiCheckboxField(_l("Linked practices"), validate_choice=False)
    collection_ids = MultiCheckboxField(_l("Linked collections"), validate_choice=False)

    def __init__(self, *args, course_language="en", practices=(), collections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [("", str(_l("The course's language (%(language)s)",
                                                 language=labels.language_name(course_language))))]
        self.language.choices += labels.language_choices()
        self.practice_ids.choices = [(str(i), title) for i, title in practices]
        self.collection_ids.choices = [(str(i), title) for i, title in collections]

    def validate_language(self, field) -> None:
        if field.data and field.data not in {code for code, _label in field.choices}:
            raise ValidationError(_l("Choose a language."))

    def to_data(self) -> services.LessonData:
        def ids(field) -> list[int]:
            known = {value for value, _label in field.choices}
            return [as_id(v) for v in field.data or [] if v in known and as_id(v)]

        return services.LessonData(
            title=self.title.data or "", body=self.body.data or "", required=bool(self.required.data),
            minutes=self.minutes.data or "", language=self.language.data or "",
            practice_ids=ids(self.practice_ids), collection_ids=ids(self.collection_ids))

    def fill_from(self, lesson) -> None:
        self.title.data, self.body.data, self.required.data = lesson.title, lesson.body, lesson.required
        self.minutes.data = "" if lesson.minutes is None else str(lesson.minutes)
        self.language.data = lesson.language or ""
        self.practice_ids.data = [str(i) for i in lesson.practice_ids or []]
        self.collection_ids.data = [str(i) for i in lesson.collection_ids or []]


class ActivityForm(ServiceErrors, FlaskForm):
    """A new activity (its kind chosen) or an activity's own fields (its kind fixed)."""

    kind = SelectField(_l("Kind"), validate_choice=False)
    title = StringField(_l("Title"), render_kw={"maxlength": 200})
    instructions = TextAreaField(_l("Instructions"), render_kw={"rows": 4, "data-markdown": "document"},
                                 description=MARKDOWN_HINT)
    pass_mark = StringField(_l("Pass mark (%)"), default="70", render_kw={"inputmode": "numeric"},
                            description=_l("Quizzes only: the share of questions to answer right to pass."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k, str(v)) for k, v in ACTIVITY_KINDS.items()]

    def fill_from(self, activity) -> None:
        self.kind.data, self.title.data, self.instructions.data = activity.kind, activity.title, activity.instructions
        self.pass_mark.data = str(activity.pass_mark) if activity.kind == QUIZ else "70"


class OptionRow(Form):
    """One answer option of a question: its text, whether it is right, the feedback shown once answered."""

    text = StringField(_l("Option"))
    correct = BooleanField(_l("Right answer"))
    feedback = StringField(_l("Feedback"))


class QuestionForm(ServiceErrors, FlaskForm):
    text = TextAreaField(_l("Question"), render_kw={"rows": 2})
    multiple = BooleanField(_l("Allow several right answers"), description=_l(
        "Learners then choose every right option; otherwise exactly one option is right."))
    options = FieldList(FormField(OptionRow), label=_l("Options"), min_entries=services.MAX_OPTIONS,
                        max_entries=services.MAX_OPTIONS)

    def option_data(self) -> list[services.OptionData]:
        return [services.OptionData(text=row.form.text.data or "", correct=bool(row.form.correct.data),
                                    feedback=row.form.feedback.data or "") for row in self.options]

    def fill_from(self, question) -> None:
        self.text.data, self.multiple.data = question.text, question.multiple
        for row, option in zip(self.options, question.options, strict=False):
            row.form.text.data, row.form.correct.data = option.text, option.correct
            row.form.feedback.data = option.feedback


class EditorForm(ServiceErrors, FlaskForm):
    email = StringField(_l("Email address of an approved member"), render_kw={"autocomplete": "off"})


class AttachmentForm(ServiceErrors, FlaskForm):
    """A file for the lesson (checked by network.uploads; the rules in network.learning.attachments)."""

    file = FileField(_l("File"))

    def __init__(self, *args, **kwargs):
        from network import uploads
        from network.learning.attachments import KINDS

        super().__init__(*args, prefix="attachment", **kwargs)
        self.file.description = _l("%(kinds)s; at most %(mb)d MB. Learners get it with the next published version.",
                                   kinds=KINDS.names, mb=uploads.max_bytes() // (1024 * 1024))
