"""The survey editor's forms. Texts are typed per interface language: each form has one field per language
(title_en, title_es...), shown as one fieldset per language; to_data() gives network.evaluation.editing its data
dict ({"title": {"en": ..., "es": ...}}), and a refusal's messages come back onto the fields they name (a message
about "title" goes on the English field). The rules are editing's; these forms only carry what was typed, so a
refused one is shown again as it was."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired

from network.evaluation import editing
from network.evaluation.models import QUESTION_KINDS
from network.forms import ServiceErrors

ANONYMITY_CHOICES = (
    ("anonymous", _l("Anonymous: the answers are stored without the person. The platform only remembers that they "
                     "answered, to stop the reminder. Results are shown only once 5 people or more have answered.")),
    ("named", _l("Named: the answers are stored with the person's name, which coordinators and evaluators see "
                 "beside the free texts.")),
)


class ButtonForm(FlaskForm):
    """A form that is only its button (open, close, move, delete...): the CSRF token and nothing else."""


class DeleteSurveyForm(ServiceErrors, FlaskForm):
    """Deleting a draft or a template cannot be undone: a box to tick in the same form (WCAG 3.3.4), checked here
    rather than by a script."""

    confirm = BooleanField(
        _l("I understand that it is deleted for good, with its sections and questions"),
        validators=[DataRequired(_l("Tick the box to confirm that you want to delete it."))])


class CopyForm(ServiceErrors, FlaskForm):
    """Where a copy goes: a partnership's id, or "template" (site admins: a new template)."""

    target = SelectField(_l("Copy into"), validate_choice=False)


class LanguageForm(ServiceErrors, FlaskForm):
    """A form whose texts are typed per language: TEXTS lists (key, label, kind, maximum length, rows)."""

    TEXTS: tuple = ()
    LANGUAGES: tuple = ()

    def language_fields(self, language: str, skip=()) -> list:
        return [self[f"{key}_{language}"] for key, *_ in self.TEXTS if key not in skip]

    def texts_of(self, key: str) -> dict[str, str]:
        return {language: self[f"{key}_{language}"].data or "" for language in self.LANGUAGES}

    def fill_texts(self, key: str, texts: dict) -> None:
        for language in self.LANGUAGES:
            self[f"{key}_{language}"].data = (texts or {}).get(language, "")

    def show_errors(self, errors: dict) -> None:
        # editing names "title" (the English text is missing) or "title_es": the English field or the language's.
        self.RENAMED = {name: f"{name}_{editing.DEFAULT_LANGUAGE}" for name in errors
                        if name not in self and f"{name}_{editing.DEFAULT_LANGUAGE}" in self}
        super().show_errors(errors)


class _SurveyForm(LanguageForm):
    TEXTS = (("title", _l("Title"), StringField, editing.TITLE_MAX, None),
             ("introduction", _l("Introduction (optional)"), TextAreaField, editing.INTRODUCTION_MAX, 4))

    moment = RadioField(_l("When it is sent"), validate_choice=False, description=_l(
        "Before a visit, the visitor says what they expect; after a visit, how it went; six months later, what "
        "they changed back home. After an event, it goes to those who attended."))
    anonymous = RadioField(_l("Anonymous or named answers"), validate_choice=False, default="anonymous")
    answer_days = StringField(_l("Days each person has to answer"), default="21",
                              description=_l("From 1 to %(max)d days after it is sent to them.",
                                             max=editing.ANSWER_DAYS_MAX),
                              render_kw={"inputmode": "numeric", "maxlength": 3})
    remind_after_days = StringField(_l("Remind after (days)"), default="7",
                                    description=_l("One reminder to those who have not answered, this many days "
                                                   "after it was sent: fewer than the days to answer; 0 for no "
                                                   "reminder."),
                                    render_kw={"inputmode": "numeric", "maxlength": 3})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.moment.choices = [(code, label) for code, label in editing.MOMENT_LABELS.items()]
        self.anonymous.choices = list(ANONYMITY_CHOICES)

    def to_data(self, frozen: bool = False) -> dict:
        """frozen (the survey was sent): the moment and anonymity are not on the page, so they are kept."""
        data = {"title": self.texts_of("title"), "introduction": self.texts_of("introduction"),
                "answer_days": self.answer_days.data, "remind_after_days": self.remind_after_days.data}
        if not frozen:
            data.update(moment=self.moment.data or "", anonymous=self.anonymous.data or "")
        return data

    def fill_from(self, survey) -> None:
        self.fill_texts("title", survey.title)
        self.fill_texts("introduction", survey.introduction)
        self.moment.data = survey.moment
        self.anonymous.data = "anonymous" if survey.anonymous else "named"
        self.answer_days.data, self.remind_after_days.data = str(survey.answer_days), str(survey.remind_after_days)


class _SectionForm(LanguageForm):
    TEXTS = (("title", _l("Section title"), StringField, editing.TITLE_MAX, None),)

    def to_data(self) -> dict:
        return {"title": self.texts_of("title")}

    def fill_from(self, section) -> None:
        self.fill_texts("title", section.title)


class _QuestionForm(LanguageForm):
    TEXTS = (("text", _l("Question"), TextAreaField, editing.QUESTION_MAX, 2),
             ("help", _l("Help (optional)"), StringField, editing.HELP_MAX, None),
             ("options", _l("Options, one per line (single and multiple choice)"), TextAreaField,
              editing.MAX_OPTIONS * (editing.OPTION_MAX + 1), 5))

    kind = SelectField(_l("Kind of question"), validate_choice=False, description=_l(
        "A 5-point scale is answered from “Strongly disagree” to “Strongly agree”: write its question as a "
        "statement (“The host had prepared my week well.”)."))
    required = BooleanField(_l("An answer is required"))
    minimum = StringField(_l("Smallest number accepted (optional)"), render_kw={"inputmode": "numeric"},
                          description=_l("Number questions only."))
    maximum = StringField(_l("Largest number accepted (optional)"), render_kw={"inputmode": "numeric"},
                          description=_l("Number questions only."))
    shown_to_hosts = BooleanField(_l("Show to hosts"), description=_l(
        "Hosts see this question's results for their institution, aggregated (5 answers or more). For scale, "
        "choice and number questions of surveys about visits."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(code, editing.KIND_LABELS[code]) for code in QUESTION_KINDS]

    def to_data(self, frozen: bool = False) -> dict:
        """frozen: the kind, requirement and bounds are not on the page (fixed once sent), so they are kept."""
        data = {"text": self.texts_of("text"), "help": self.texts_of("help"),
                "options": self.texts_of("options"), "shown_to_hosts": bool(self.shown_to_hosts.data)}
        if not frozen:
            data.update(kind=self.kind.data or "", required=bool(self.required.data), minimum=self.minimum.data,
                        maximum=self.maximum.data)
        return data

    def fill_from(self, question) -> None:
        self.fill_texts("text", question.text)
        self.fill_texts("help", question.help)
        for language in self.LANGUAGES:
            labels = [(option.get("label") or {}).get(language, "") for option in question.options or []]
            self[f"options_{language}"].data = "\n".join(labels) if any(labels) else ""
        self.kind.data, self.required.data = question.kind, question.required
        self.minimum.data = "" if question.minimum is None else str(question.minimum)
        self.maximum.data = "" if question.maximum is None else str(question.maximum)
        self.shown_to_hosts.data = question.shown_to_hosts


def _language_form(base, languages: tuple[str, ...]):
    attrs = {"LANGUAGES": languages}
    for language in languages:
        for key, label, kind, limit, rows in base.TEXTS:
            render_kw = {"maxlength": limit, "lang": language}
            if rows:
                render_kw["rows"] = rows
            attrs[f"{key}_{language}"] = kind(label, render_kw=render_kw)
    return type(base.__name__.lstrip("_"), (base,), attrs)


@lru_cache(maxsize=16)
def _classes(languages: tuple[str, ...]) -> dict:
    return {"survey": _language_form(_SurveyForm, languages), "section": _language_form(_SectionForm, languages),
            "question": _language_form(_QuestionForm, languages)}


def form_for(kind: str, languages, **kwargs):
    """A form of this kind ("survey", "section", "question") with text fields for these languages."""
    return _classes(tuple(languages))[kind](**kwargs)
