"""The groups' pages' forms: which group's aggregates to read (a query string, shared with the API) and the
invitation a coordinator or an event's organisers give a group."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import abort
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import Optional

from network import labels, permissions
from network.errors import ServiceError
from network.forms import ServiceErrors, as_id
from network.self_assessment.models import AFTER, ANY_TIME, BEFORE, LABEL_MAX, PROFESSIONAL, STUDENT
from network.self_assessment.services import Group

# The query string's names of the groups one chooses (an invitation's group is read on its own page).
GROUP_ARGS = ("partnership", "institution", "country", "role")
ROLE_GROUPS = {PROFESSIONAL: _l("Professionals"), STUDENT: _l("Students")}
PHASES = {BEFORE: _l("Before the event"), AFTER: _l("After the event"), ANY_TIME: _l("Any time")}


@dataclass
class ChosenGroup:
    """A group named by the query string: the services' Group, the partnership or institution it is (None for a
    country or a role) and its name as pages show it."""

    group: Group
    target: object | None
    name: str

    @property
    def kind(self) -> str:
        return self.group.kind

    @property
    def args(self) -> dict[str, str]:
        """The query string naming it again (links to its other pages)."""
        return {self.group.kind: self.group.value}


def chosen_group(args) -> ChosenGroup | None:
    """The group the query string names (exactly one of GROUP_ARGS), None when it names none. A ServiceError
    (on the argument at fault) for a malformed value or several groups; 404 for an id of nothing."""
    from network.institutions import services as institutions

    given = {name: (args.get(name) or "").strip() for name in GROUP_ARGS if (args.get(name) or "").strip()}
    if not given:
        return None
    if len(given) > 1:
        raise ServiceError.one(next(iter(given)), _l("Choose one group at a time."))
    kind, raw = next(iter(given.items()))
    if kind in ("partnership", "institution"):
        number = as_id(raw)
        if number is None:
            raise ServiceError.one(kind, _l("Choose a partnership from the list.") if kind == "partnership"
                                   else _l("Choose an institution from the list."))
        target = institutions.get_partnership(number) if kind == "partnership" else institutions.get(number)
        if target is None:
            abort(404)
        name = target.title if kind == "partnership" else target.name
        return ChosenGroup(Group(kind, str(number)), target, name)
    if kind == "country":
        code = raw.upper()
        if not re.fullmatch(r"[A-Z]{2}", code) or code not in labels.country_codes():
            raise ServiceError.one(kind, _l("Choose a country from the list."))
        return ChosenGroup(Group(kind, code), None, labels.country_name(code))
    if raw not in ROLE_GROUPS:
        raise ServiceError.one(kind, _l("Choose students or professionals."))
    return ChosenGroup(Group(kind, raw), None, str(ROLE_GROUPS[raw]))


def partnerships_of(institution, partnerships) -> list:
    """The partnerships (of those given) the institution coordinates or is a partner in."""
    return [p for p in partnerships if p.coordinating_institution_id == institution.id
            or any(partner.id == institution.id for partner in p.partners)]


def may_read(user, chosen: ChosenGroup, all_partnerships=None) -> bool:
    if chosen.kind == "institution":
        from network.institutions import services as institutions

        partnerships = partnerships_of(chosen.target, all_partnerships if all_partnerships is not None
                                       else institutions.all_partnerships())
        return permissions.can_read_assessment_aggregates(user, "institution", chosen.target, partnerships)
    return permissions.can_read_assessment_aggregates(user, chosen.kind, chosen.target or chosen.group.value)


@dataclass
class GroupChoices:
    """What the chooser offers this reader: only the groups they may read."""

    partnerships: list
    institutions: list
    countries: list[str]
    roles: dict

    @property
    def empty(self) -> bool:
        return not (self.partnerships or self.institutions or self.countries or self.roles)


def group_choices(user) -> GroupChoices:
    from network.institutions import services as institutions

    partnerships = institutions.all_partnerships()
    readable = [p for p in partnerships if permissions.can_read_assessment_aggregates(user, "partnership", p)]
    members = [i for i in institutions.all_institutions() if permissions.can_read_assessment_aggregates(
        user, "institution", i, partnerships_of(i, partnerships))]
    network_wide = permissions.reads_network_aggregates(user)
    countries = sorted(institutions.countries_in_use(), key=lambda code: labels.country_name(code).lower()) \
        if network_wide else []
    return GroupChoices(readable, members, countries, dict(ROLE_GROUPS) if network_wide else {})


# --- invitations -------------------------------------------------------------------------------------------


class InvitationForm(ServiceErrors, FlaskForm):
    group = SelectField(_l("For whom"), validate_choice=False,
                        description=_l("A partnership you coordinate, or a training event you organise."))
    phase = RadioField(_l("When the group takes it"), validate_choice=False, default=ANY_TIME,
                       description=_l("A link for before an event and one for after it compare the group's "
                                      "results."))
    label = StringField(_l("Label (optional)"), render_kw={"maxlength": LABEL_MAX},
                        description=_l("For you, for example “Tampere training, first day”."))
    closes_on = DateField(_l("Closing date (optional)"), validators=[Optional()],
                          description=_l("The last day the link works, for example 2027-05-11. Leave it empty to "
                                         "keep it open."))
    submit = SubmitField(_l("Create the link"))

    def __init__(self, *args, partnerships=(), events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.partnerships = {p.id: p for p in partnerships}
        self.events = {e.id: e for e in events}
        choices = {}
        if partnerships:
            choices[str(_l("Partnerships"))] = [(f"partnership-{p.id}", p.title) for p in partnerships]
        if events:
            choices[str(_l("Training events"))] = [
                (f"event-{e.id}", _l("%(title)s (%(date)s)", title=e.title, date=e.start_date.isoformat()))
                for e in events]
        self.group.choices = choices
        self.phase.choices = list(PHASES.items())

    def chosen(self) -> tuple[object | None, object | None]:
        """(partnership, event) as chosen; (None, None) when nothing offered was chosen (the service says so)."""
        kind, _, number = (self.group.data or "").partition("-")
        number = as_id(number)
        if kind == "partnership":
            return self.partnerships.get(number), None
        if kind == "event":
            return None, self.events.get(number)
        return None, None
