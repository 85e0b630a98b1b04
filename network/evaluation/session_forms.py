"""The forms of sessions back home and of a partnership's targets. The rules live in network.evaluation.dissemination
and indicators (a refusal comes back as ServiceError, its messages put on these fields); the forms carry what was
typed, so a rejected one is shown again as it was."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from network import uploads
from network.evaluation import dissemination
from network.evaluation.indicators import MAXIMUMS, TARGET_HELP, TARGET_LABELS
from network.evaluation.models import AUDIENCE_ROLES, SESSION_FORMATS, TARGET_KINDS
from network.forms import ServiceErrors, as_id, whole_number
from network.institutions.forms import MultiCheckboxField


def _files_hint():
    return _l("%(kinds)s; at most %(mb)d MB each, %(n)d files per session.", kinds=dissemination.KINDS.names,
              mb=uploads.max_bytes() // (1024 * 1024), n=dissemination.MAX_MATERIALS)


class SessionForm(ServiceErrors, FlaskForm):
    """A session back home. `materials` only when it is recorded; later, files are added one by one."""

    held_on = DateField(_l("Date of the session"), validators=[Optional()],
                        description=_l("Not before your visit and not in the future, for example 2027-04-15."))
    format = SelectField(_l("Format"), validate_choice=False)
    people_reached = StringField(_l("Number of people reached"), render_kw={"inputmode": "numeric"},
                                 description=_l("From 0 to %(max)d.", max=dissemination.PEOPLE_MAX))
    audience = MultiCheckboxField(_l("Their roles"), validate_choice=False)
    summary = TextAreaField(_l("What you shared"), render_kw={"rows": 8, "data-markdown": "document"}, description=_l(
        "What you presented, what your colleagues asked, what you decided to try. Markdown: *emphasis*, "
        "**strong**, lists, links."))
    practice_ids = MultiCheckboxField(_l("Practices you presented"), validate_choice=False)
    essay_id = SelectField(_l("Your essay about the visit"), validate_choice=False)
    materials = MultipleFileField(_l("Materials (optional)"))

    def __init__(self, *args, practices=(), essays=(), with_files: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.format.choices = [("", _l("Choose…"))] + [(code, dissemination.FORMAT_LABELS[code])
                                                       for code in SESSION_FORMATS]
        self.audience.choices = [(code, dissemination.ROLE_LABELS[code]) for code in AUDIENCE_ROLES]
        self.practice_ids.choices = [(str(p.id), f"{p.title} ({p.institution.name})") for p in practices]
        self.essay_id.choices = [("", _l("None"))] + [(str(e.id), e.title or _l("Your essay (untitled)"))
                                                      for e in essays]
        self.materials.description = _files_hint()
        if not with_files:
            del self.materials

    def validate_people_reached(self, field) -> None:
        text = (field.data or "").strip()
        if text and whole_number(text) is None:
            raise ValidationError(_l("Enter a whole number, from 0 to %(max)d.", max=dissemination.PEOPLE_MAX))

    def fill_from(self, data: dissemination.SessionData) -> None:
        self.held_on.data, self.format.data, self.summary.data = data.held_on, data.format, data.summary
        self.people_reached.data = "" if data.people_reached is None else str(data.people_reached)
        self.audience.data = list(data.audience)
        self.practice_ids.data = [str(i) for i in data.practice_ids]
        self.essay_id.data = str(data.essay_id or "")

    def to_data(self) -> dissemination.SessionData:
        return dissemination.SessionData(
            held_on=self.held_on.data, format=self.format.data or "",
            people_reached=whole_number(self.people_reached.data, digits=6), audience=list(self.audience.data or []),
            summary=self.summary.data or "",
            practice_ids=[i for i in (as_id(text) for text in self.practice_ids.data or []) if i],
            essay_id=as_id(self.essay_id.data))

    def files(self) -> list:
        return list(self.materials.data or []) if "materials" in self else []


class MaterialForm(ServiceErrors, FlaskForm):
    """A file added to a recorded session (checked by network.uploads)."""

    file = FileField(_l("File"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="material", **kwargs)
        self.file.description = _files_hint()


_NUMBER = re.compile(r"^\s*(\d{1,7})(?:[.,](\d{1,3}))?\s*$")


def parse_number(text) -> float | None:
    """"6", "1.5", "1,5" -> a number; anything else None (an empty text too: the caller tells them apart)."""
    match = _NUMBER.match(str(text or ""))
    if not match:
        return None
    whole, fraction = match.groups()
    return float(f"{whole}.{fraction or 0}")


class TargetsForm(ServiceErrors, FlaskForm):
    """One number per target kind; blank: no target."""

    visitors_per_host = StringField(TARGET_LABELS["visitors_per_host"], description=TARGET_HELP["visitors_per_host"])
    essays_per_visit = StringField(TARGET_LABELS["essays_per_visit"], description=TARGET_HELP["essays_per_visit"])
    sessions_per_visitor = StringField(TARGET_LABELS["sessions_per_visitor"],
                                       description=TARGET_HELP["sessions_per_visitor"])
    response_rate = StringField(TARGET_LABELS["response_rate"], description=TARGET_HELP["response_rate"])
    practices_published = StringField(TARGET_LABELS["practices_published"],
                                      description=TARGET_HELP["practices_published"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in TARGET_KINDS:
            self[kind].render_kw = {"inputmode": "decimal", "maxlength": 12}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for kind in TARGET_KINDS:
            text = (self[kind].data or "").strip()
            if text and parse_number(text) is None:
                self[kind].errors = list(self[kind].errors) + [
                    _l("Enter a number from 0 to %(max)s, for example 6 or 1.5, or leave it blank.",
                       max=MAXIMUMS[kind])]
                valid = False
        return valid

    def fill_from(self, targets: dict[str, float]) -> None:
        for kind in TARGET_KINDS:
            value = targets.get(kind)
            self[kind].data = "" if value is None else f"{value:g}"

    def values(self) -> dict[str, float | None]:
        return {kind: parse_number(self[kind].data) for kind in TARGET_KINDS}
