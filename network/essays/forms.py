"""Essay forms. The rules live in network.essays.services; the forms carry what was typed, turn it into the
services' data classes, and put the services' messages back on the right fields (or, for messages about no
field in particular, in general_errors, shown first in the error summary)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from network import labels
from network.essays import services
from network.essays.models import DISPLAY_CHOICES
from network.events import services as events
from network.events.models import EVENT_KINDS
from network.forms import ServiceErrors, as_id, comma_list

RUBRIC_EXTRA_ROWS = 3  # empty rows offered without JavaScript; more appear after each save


def _numbers(values) -> list[int]:
    return [n for n in (as_id(v) for v in values or []) if n is not None]


class EssayForm(ServiceErrors, FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": services.TITLE_MAX})
    body = TextAreaField(
        _l("Your essay"), render_kw={"data-markdown": "document"},
        description=_l("Written in Markdown: **bold**, *italic*, lists starting with “-”, an empty line "
                       "between paragraphs. The guiding questions are beside the editor."))
    language = SelectField(_l("Language of the essay"), validate_choice=False)
    practice_ids = SelectMultipleField(
        _l("Practices the essay relates to (optional)"), validate_choice=False,
        description=_l("Hold Ctrl (or Cmd) to choose several."))
    display = RadioField(_l("How the essay appears once published"), validate_choice=False,
                         description=_l("You can change this at any time, even after publication."))
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit"))

    def __init__(self, *args, practices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [("", _l("Choose…"))] + labels.language_choices()
        self.practice_ids.choices = [(str(p.id), p.title) for p in practices]
        self.display.choices = list(DISPLAY_CHOICES.items())

    def fill_from(self, data: services.EssayData) -> None:
        self.title.data = data.title
        self.body.data = data.body
        self.language.data = data.language
        self.practice_ids.data = [str(i) for i in data.practice_ids]
        self.display.data = data.display

    def fill_rescued(self, fields: dict) -> None:
        """Text kept when the session or the form had expired (only the fields the service keeps)."""
        for name in ("title", "body", "language", "display"):
            if name in fields:
                self[name].data = fields[name]

    def to_data(self) -> services.EssayData:
        return services.EssayData(
            title=self.title.data or "", body=self.body.data or "", language=self.language.data or "",
            practice_ids=_numbers(self.practice_ids.data),
            display=self.display.data or "")


class EventForm(ServiceErrors, FlaskForm):
    title = StringField(_l("Title of the event"), render_kw={"maxlength": events.TITLE_MAX})
    kind = SelectField(_l("Kind of event"), validate_choice=False)
    start_date = DateField(_l("First day"), description=_l("For example 2026-05-11."))
    end_date = DateField(_l("Last day"))
    host_institution_id = SelectField(_l("Host institution"), validate_choice=False)
    participant_ids = SelectMultipleField(
        _l("Participants"), validate_choice=False,
        description=_l("Approved members of the partnership's institutions. Hold Ctrl (or Cmd) to choose "
                       "several. Each participant can then write an essay about the event."))
    submit = SubmitField(_l("Record the event"))

    def __init__(self, *args, hosts=(), people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(EVENT_KINDS.items())
        self.host_institution_id.choices = [("", _l("No host institution"))] + [
            (str(i.id), i.name) for i in hosts]
        # Grouped by institution: <optgroup label="Institution">.
        self.participant_ids.choices = {institution.name: [(str(u.id), u.name) for u in members]
                                        for institution, members in people if members}

    def to_data(self) -> events.RecordedEventData:
        return events.RecordedEventData(
            title=self.title.data or "", kind=self.kind.data or "", start_date=self.start_date.data,
            end_date=self.end_date.data, host_institution_id=as_id(self.host_institution_id.data),
            participant_ids=_numbers(self.participant_ids.data))


class DisplayForm(ServiceErrors, FlaskForm):
    display = RadioField(_l("How the essay appears"), validate_choice=False)
    submit = SubmitField(_l("Save this choice"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.display.choices = list(DISPLAY_CHOICES.items())


class ReturnForm(ServiceErrors, FlaskForm):
    comment = TextAreaField(_l("What should the author change?"),
                            description=_l("Required. The author reads it above the editor."))
    submit = SubmitField(_l("Return to the author"))


class AssessmentForm(ServiceErrors, FlaskForm):
    """Tags and notes; the scores are one radio group per criterion of the rubric (score-<criterion id>)."""

    strengths = StringField(_l("Strengths"), description=_l("Separate them with commas, for example: "
                                                            "concrete examples, self-criticism."))
    weaknesses = StringField(_l("Weaknesses"), description=_l("Separate them with commas."))
    skills = StringField(_l("Skills gained"), description=_l("Separate them with commas, for example: "
                                                             "group facilitation, active listening."))
    notes = TextAreaField(_l("Private notes"), description=_l("Only evaluators read them."))
    submit = SubmitField(_l("Save the assessment"))

    def fill_from(self, assessment) -> None:
        def names(kind: str) -> str:
            return ", ".join(t.name for t in assessment.tags if t.kind == kind)

        self.strengths.data, self.weaknesses.data = names("strength"), names("weakness")
        self.skills.data = names("skill")
        self.notes.data = assessment.notes

    def to_data(self, scores: dict[int, int]) -> services.AssessmentData:
        return services.AssessmentData(
            scores=scores, strengths=comma_list(self.strengths.data), weaknesses=comma_list(self.weaknesses.data),
            skills=comma_list(self.skills.data), notes=self.notes.data or "")


class CriterionRow(Form):
    name = StringField(_l("Criterion"))
    description = StringField(_l("What it looks at"))


class RubricForm(ServiceErrors, FlaskForm):
    criteria = FieldList(FormField(CriterionRow), label=_l("Criteria"), min_entries=1)
    submit = SubmitField(_l("Save the rubric"))

    def fill_rows(self, rows: list[tuple[str, str]]) -> None:
        while len(self.criteria.entries):
            self.criteria.pop_entry()
        for name, text in list(rows) + [("", "")] * RUBRIC_EXTRA_ROWS:
            self.criteria.append_entry({"name": name, "description": text})

    def rows(self) -> list[tuple[str, str]]:
        return [(entry.form.name.data or "", entry.form.description.data or "") for entry in self.criteria]
