"""Mobility forms. The rules live in network.mobility.services; the forms only carry what was typed, turn it
into the services' data classes, and put the services' messages back on the right fields."""
from __future__ import annotations

import re
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)

from network import labels
from network.forms import ServiceErrors, as_id, comma_list, whole_number
from network.institutions.forms import MultiCheckboxField
from network.mobility import services
from network.mobility.models import ACTIVITY_KINDS, DAY_NAMES, DEFAULT_QUOTA, MAX_PREFERENCES
from network.mobility.weeks import friday, iso_week

PROGRAMME_ROWS = 10  # empty rows offered without JavaScript; more appear after each save
EXTRA_ROWS = 5


def week_label(monday: date) -> str:
    """“2027-W10: 8 Mar – 12 Mar 2027”: the code the hosts write and the dates people think in."""
    last = friday(monday)
    first = format_date(monday, "d MMM" if monday.year == last.year else "d MMM yyyy")
    return f"{iso_week(monday)}: {first} – {format_date(last, 'd MMM yyyy')}"


class ActivityRow(Form):
    """One row of a 5-day programme: the day, the kind of activity, what happens."""

    day = SelectField(_l("Day"), validate_choice=False)
    kind = SelectField(_l("Kind of activity"), validate_choice=False)
    description = StringField(_l("What happens"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.day.choices = [(str(day), name) for day, name in DAY_NAMES.items()]
        self.kind.choices = [("", _l("(empty row)"))] + list(ACTIVITY_KINDS.items())

    def is_empty(self) -> bool:
        return not (self.kind.data or "").strip() and not (self.description.data or "").strip()


class ProgrammeMixin:
    """The programme rows shared by the offer form and the visit's programme form."""

    def fill_activities(self, activities) -> None:
        rows = [{"day": str(a.day), "kind": a.kind, "description": a.description} for a in activities]
        total = max(PROGRAMME_ROWS, len(rows) + EXTRA_ROWS)
        while len(self.activities.entries):
            self.activities.pop_entry()
        empty = {"day": "1", "kind": "", "description": ""}
        for n in range(total):
            self.activities.append_entry(rows[n] if n < len(rows) else empty)

    def activity_data(self) -> list[services.ActivityData]:
        """The rows that have something in them; a bad day or kind is left for the service to name."""
        rows = [entry.form for entry in self.activities]  # entry.description would be the FormField's own
        return [services.ActivityData(day=whole_number(row.day.data) or 0, kind=(row.kind.data or "").strip(),
                                      description=row.description.data or "")
                for row in rows if not row.is_empty()]


class OfferForm(ServiceErrors, ProgrammeMixin, FlaskForm):
    description = TextAreaField(
        _l("Description"),
        description=_l("What visitors will see and do with you, in Markdown: **bold**, lists starting with "
                       "“-”."))
    languages = SelectMultipleField(
        _l("Working languages"), validate_choice=False,
        description=_l("The languages visitors can work in with you. Hold Ctrl (or Cmd) to choose several."))
    approaches = StringField(
        _l("Approaches"),
        description=_l("Separate them with commas, for example: interfamily groups, home visits."))
    practice_ids = MultiCheckboxField(_l("Practices visitors will see"), validate_choice=False)
    total_quota = StringField(
        _l("Visitors over the whole partnership"), default=str(DEFAULT_QUOTA),
        render_kw={"inputmode": "numeric"},
        description=_l("How many visits you can host in total, in all weeks together."))
    weeks = TextAreaField(
        _l("Weeks you can host"),
        description=_l("One week per line: the week, a space, then how many visitors you can take that "
                       "week. For example “2027-W10 2” means two visitors in week 10 of 2027. You can also "
                       "write the date of the Monday instead: “2027-03-08 2”. Without a number, one visitor. "
                       "The list of weeks below gives each week's dates."))
    activities = FieldList(FormField(ActivityRow), label=_l("Programme of the 5 days"),
                           min_entries=PROGRAMME_ROWS)
    submit = SubmitField(_l("Save the offer"))

    def __init__(self, *args, practices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = labels.language_choices()
        self.practice_ids.choices = [(str(p.id), p.title) for p in practices]

    def fill_from(self, data: services.OfferData) -> None:
        self.description.data = data.description
        self.languages.data = list(data.languages)
        self.approaches.data = ", ".join(data.approaches)
        self.practice_ids.data = [str(i) for i in data.practice_ids]
        self.total_quota.data = str(data.total_quota)
        self.weeks.data = "\n".join(f"{week} {capacity}" for week, capacity in data.weeks.items())
        self.fill_activities(data.activities)

    def week_lines(self) -> dict[str, int | None]:
        """“2027-W10 2” lines -> {"2027-W10": 2}. A capacity that is not a number becomes None and a line
        that is not “week number” is passed whole as the week: the service names either in its message."""
        weeks: dict[str, int | None] = {}
        for line in (self.weeks.data or "").splitlines():
            parts = [part for part in re.split(r"[\s,;]+", line.strip()) if part]
            if not parts:
                continue
            if len(parts) > 2:
                weeks[" ".join(parts)] = None
            else:
                weeks[parts[0]] = whole_number(parts[1]) if len(parts) == 2 else 1
        return weeks

    def to_data(self) -> services.OfferData:
        return services.OfferData(
            description=self.description.data or "",
            languages=list(self.languages.data or []),
            approaches=comma_list(self.approaches.data),
            practice_ids=[i for i in (as_id(v) for v in self.practice_ids.data or []) if i is not None],
            total_quota=whole_number(self.total_quota.data),
            weeks=self.week_lines(),
            activities=self.activity_data(),
        )



class ProgrammeForm(ServiceErrors, ProgrammeMixin, FlaskForm):
    activities = FieldList(FormField(ActivityRow), label=_l("Programme of the 5 days"),
                           min_entries=PROGRAMME_ROWS)
    submit = SubmitField(_l("Save the programme"))


class ApplicationForm(ServiceErrors, FlaskForm):
    motivation = TextAreaField(
        _l("Why you want to visit"),
        description=_l("A few sentences: what you hope to learn and how you will use it at home."))
    interests = StringField(
        _l("What you are interested in"),
        description=_l("Separate them with commas, for example: interfamily groups, home visits."))
    languages = SelectMultipleField(
        _l("Languages you can work in"), validate_choice=False,
        description=_l("Hold Ctrl (or Cmd) to choose several."))
    first_choice = SelectField(_l("1st choice"), validate_choice=False)
    second_choice = SelectField(_l("2nd choice (optional)"), validate_choice=False)
    third_choice = SelectField(_l("3rd choice (optional)"), validate_choice=False)
    weeks = MultiCheckboxField(
        _l("Weeks when you are available"), validate_choice=False,
        description=_l("Each week runs from Monday to Friday. Tick every week you could go."))
    submit = SubmitField(_l("Send the application"))

    CHOICES = ("first_choice", "second_choice", "third_choice")
    RENAMED = {"preferred_hosts": "first_choice", "repeated_hosts": "first_choice"}

    def __init__(self, *args, hosts=(), weeks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = labels.language_choices()
        host_choices = [("", _l("No preference"))] + [
            (str(i.id), f"{i.name} ({labels.country_name(i.country)})") for i in hosts]
        for name in self.CHOICES[:MAX_PREFERENCES]:
            getattr(self, name).choices = host_choices
        self.weeks.choices = [(iso_week(monday), week_label(monday)) for monday in weeks]

    def fill_from(self, data: services.ApplicationData) -> None:
        self.motivation.data = data.motivation
        self.interests.data = ", ".join(data.interests)
        self.languages.data = list(data.languages)
        for name, host in zip(self.CHOICES, data.preferred_hosts):
            getattr(self, name).data = str(host)
        self.weeks.data = list(data.weeks)

    def to_data(self) -> services.ApplicationData:
        return services.ApplicationData(
            motivation=self.motivation.data or "",
            interests=comma_list(self.interests.data),
            languages=list(self.languages.data or []),
            preferred_hosts=[h for h in (as_id(getattr(self, name).data) for name in self.CHOICES) if h],
            weeks=list(self.weeks.data or []),
        )

    def show_errors(self, errors: dict) -> None:
        # A host chosen twice goes by the choice that repeats an earlier one: the service sees only the list
        # of hosts, the form knows which of its fields that is.
        repeating = self._choice_repeating_an_earlier_one()
        if repeating:
            self.RENAMED = {**type(self).RENAMED, "repeated_hosts": repeating}
        super().show_errors(errors)

    def _choice_repeating_an_earlier_one(self) -> str | None:
        seen = set()
        for name in self.CHOICES:
            host = as_id(getattr(self, name).data)
            if host in seen:
                return name
            if host:
                seen.add(host)
        return None


class DecisionForm(FlaskForm):
    note = StringField(_l("Note to the applicant (optional)"))


class CancelForm(ServiceErrors, FlaskForm):
    reason = TextAreaField(
        _l("Why is the visit cancelled?"),
        description=_l("Required. The visitor, the host and the coordinators will read it."))
    submit = SubmitField(_l("Cancel the visit"))


class AssignForm(FlaskForm):
    application_id = SelectField(_l("Applicant"), validate_choice=False)
    offer_id = SelectField(_l("Host"), validate_choice=False)
    week = SelectField(_l("Week"), validate_choice=False)
    submit = SubmitField(_l("Assign"))

    def __init__(self, *args, applications=(), offers=(), weeks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.application_id.choices = [("", _l("Choose…"))] + [
            (str(a.id), f"{a.user.name} ({a.institution.name})") for a in applications]
        self.offer_id.choices = [("", _l("Choose…"))] + [(str(o.id), o.institution.name) for o in offers]
        self.week.choices = [("", _l("Choose…"))] + [(iso_week(monday), week_label(monday))
                                                     for monday in weeks]


class PastVisitForm(AssignForm):
    """The same choices, for a visit that already took place (its weeks: those that have begun)."""

    submit = SubmitField(_l("Record the visit"))

