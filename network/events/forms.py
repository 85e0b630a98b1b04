"""Event forms. The rules live in network.events.services; the forms carry what was typed, turn it into the
services' data classes, and put the services' messages back on the right fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Optional

from network import labels
from network.events import services
from network.events.models import (
    EVENT_KINDS,
    FORM_KINDS,
    QUESTIONS,
    SESSION_KINDS,
    VISIBILITIES,
)
from network.forms import ServiceErrors, as_id, whole_number
from network.institutions.forms import MultiCheckboxField

ANSWER_PREFIX = "answer_"  # the registration form's fields: answer_dietary, answer_accessibility...


class EventForm(ServiceErrors, FlaskForm):
    title = StringField(_l("Title of the event"), render_kw={"maxlength": services.TITLE_MAX})
    kind = SelectField(_l("Kind of event"), validate_choice=False)
    partnership_id = SelectField(_l("Partnership"), validate_choice=False,
                                 description=_l("The partnership whose event it is: one you coordinate, or one your "
                                                "institution belongs to when it hosts the event."))
    host_institution_id = SelectField(_l("Host institution"), validate_choice=False)
    description = TextAreaField(
        _l("Description"), render_kw={"data-markdown": "document"},
        description=_l("What the event is about and for whom, in Markdown: **bold**, lists starting with “-”."))
    # Optional here: an empty date is the service's to name, with everything else missing (a malformed one the form's).
    start_date = DateField(_l("First day"), validators=[Optional()], description=_l("For example 2027-05-11."))
    end_date = DateField(_l("Last day"), validators=[Optional()])
    start_time = TimeField(_l("Start time (optional)"), validators=[Optional()],
                           description=_l("On the first day, for example 09:30."))
    end_time = TimeField(_l("End time (optional)"), validators=[Optional()],
                         description=_l("On the last day, for example 17:00."))
    timezone = SelectField(_l("Time zone"), validate_choice=False,
                           description=_l("The time zone of the event's place: its times are shown in it."))
    online = BooleanField(_l("Online event"))
    online_link = StringField(
        _l("Link of the online meeting"), render_kw={"maxlength": services.LINK_MAX, "inputmode": "url"},
        description=_l("Shown only to the organisers and to the people whose registration is approved."))
    address = StringField(_l("Address"), render_kw={"maxlength": services.ADDRESS_MAX})
    city = StringField(_l("City"), render_kw={"maxlength": services.CITY_MAX})
    country = SelectField(_l("Country"), validate_choice=False)
    languages = SelectMultipleField(_l("Working languages"), validate_choice=False,
                                    description=_l("Hold Ctrl (or Cmd) to choose several."))
    visibility = RadioField(_l("Who sees the event"), validate_choice=False)
    takes_registrations = BooleanField(_l("People register on the platform"))
    capacity = StringField(_l("Number of places (optional)"), render_kw={"inputmode": "numeric"},
                           description=_l("Leave it empty for no limit. When the places are taken, people join a "
                                          "waiting list and move up when a place becomes free."))
    registration_opens = DateField(_l("Registration opens (optional)"), validators=[Optional()])
    registration_closes = DateField(_l("Registration closes (optional)"), validators=[Optional()],
                                    description=_l("The last day to register, before the event's first day."))
    requires_approval = BooleanField(_l("The organisers approve each registration"))
    questions = MultiCheckboxField(_l("Questions in the registration form"), validate_choice=False)
    submit = SubmitField(_l("Save the event"))

    def __init__(self, *args, partnerships=(), hosts=(), kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = list(FORM_KINDS) + ([kind] if kind and kind not in FORM_KINDS else [])
        self.kind.choices = [(code, EVENT_KINDS[code]) for code in kinds if code in EVENT_KINDS]
        self.partnership_id.choices = [(str(p.id), p.title) for p in partnerships]
        self.host_institution_id.choices = [("", _l("No host institution"))] + [(str(i.id), i.name) for i in hosts]
        self.timezone.choices = [(name, name) for name in services.time_zones()]
        self.country.choices = [("", _l("Choose…"))] + labels.country_choices()
        self.languages.choices = labels.language_choices()
        self.visibility.choices = list(VISIBILITIES.items())
        self.questions.choices = list(QUESTIONS.items())

    def validate_capacity(self, field) -> None:
        text = (field.data or "").strip()
        if text and whole_number(text) is None:
            raise ValueError(_l("Give a whole number, or leave it empty for no limit."))

    def fill_from(self, data: services.EventData) -> None:
        for name in ("title", "kind", "description", "start_date", "end_date", "start_time", "end_time",
                     "timezone", "online", "online_link", "address", "city", "country", "visibility",
                     "takes_registrations", "registration_opens", "registration_closes", "requires_approval"):
            self[name].data = getattr(data, name)
        self.partnership_id.data = str(data.partnership_id or "")
        self.host_institution_id.data = str(data.host_institution_id or "")
        self.languages.data = list(data.languages)
        self.questions.data = list(data.questions)
        self.capacity.data = "" if data.capacity is None else str(data.capacity)

    def to_data(self) -> services.EventData:
        return services.EventData(
            title=self.title.data or "", kind=self.kind.data or "", partnership_id=as_id(self.partnership_id.data),
            host_institution_id=as_id(self.host_institution_id.data), description=self.description.data or "",
            start_date=self.start_date.data, end_date=self.end_date.data, start_time=self.start_time.data,
            end_time=self.end_time.data, timezone=self.timezone.data or "", online=bool(self.online.data),
            online_link=self.online_link.data or "", address=self.address.data or "", city=self.city.data or "",
            country=self.country.data or "", languages=list(self.languages.data or []),
            visibility=self.visibility.data or "", takes_registrations=bool(self.takes_registrations.data),
            capacity=whole_number(self.capacity.data), registration_opens=self.registration_opens.data,
            registration_closes=self.registration_closes.data, requires_approval=bool(self.requires_approval.data),
            questions=list(self.questions.data or []))


class SessionForm(ServiceErrors, FlaskForm):
    day = SelectField(_l("Day"), validate_choice=False)
    start_time = TimeField(_l("Starts at (optional)"), validators=[Optional()])
    end_time = TimeField(_l("Ends at (optional)"), validators=[Optional()])
    title = StringField(_l("Title of the session"), render_kw={"maxlength": services.TITLE_MAX})
    kind = SelectField(_l("Kind of session"), validate_choice=False)
    speakers = StringField(_l("Speakers (optional)"), render_kw={"maxlength": services.SPEAKERS_MAX})
    room = StringField(_l("Room (optional)"), render_kw={"maxlength": services.ROOM_MAX})
    description = TextAreaField(_l("What happens (optional)"))
    submit = SubmitField(_l("Save the session"))

    def __init__(self, *args, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        from flask_babel import format_date

        self.day.choices = [(day.isoformat(), format_date(day, "full")) for day in days]
        self.kind.choices = list(SESSION_KINDS.items())

    def fill_from(self, data: services.SessionData) -> None:
        self.day.data = data.day.isoformat() if data.day else ""
        for name in ("start_time", "end_time", "title", "kind", "speakers", "room", "description"):
            self[name].data = getattr(data, name)

    def to_data(self) -> services.SessionData:
        from datetime import date

        try:
            day = date.fromisoformat(self.day.data or "")
        except ValueError:
            day = None
        return services.SessionData(
            day=day, start_time=self.start_time.data, end_time=self.end_time.data, title=self.title.data or "",
            kind=self.kind.data or "", speakers=self.speakers.data or "", room=self.room.data or "",
            description=self.description.data or "")


class RegistrationForm(ServiceErrors, FlaskForm):
    """The organisers' questions are added per event (answer_<code>); all are optional."""

    submit = SubmitField(_l("Register for the event"))


def registration_form(event):
    """A registration form with a text field for each question the organisers chose."""

    class Form(RegistrationForm):
        pass

    hints = {
        "dietary": _l("Allergies, vegetarian or other meals: anything the hosts should know."),
        "accessibility": _l("Anything that helps you take part: step-free access, interpreting, seating…"),
        "travel": _l("When and how you arrive and leave, for example: arriving on 11 May by train at 18:00."),
    }
    for code in event.questions:
        setattr(Form, ANSWER_PREFIX + code, TextAreaField(
            _l("%(question)s (optional)", question=QUESTIONS[code]), description=hints.get(code),
            render_kw={"maxlength": services.ANSWER_MAX, "rows": 3}))
    Form.RENAMED = {code: ANSWER_PREFIX + code for code in event.questions}
    return Form()


def answers_of(form, event) -> dict[str, str]:
    return {code: form[ANSWER_PREFIX + code].data or "" for code in event.questions}


class ButtonForm(FlaskForm):
    """A form that is only its button (cancel, approve, move up...): the CSRF token and nothing else."""


# --- materials (network.events.materials) -------------------------------------------------------------------


class _MaterialForm(ServiceErrors, FlaskForm):
    """What a file and a link have in common: an optional title, the session (or the whole event), who sees it."""

    title = StringField(_l("Title (optional)"), render_kw={"maxlength": 300})
    session_id = SelectField(_l("Session"), validate_choice=False,
                             description=_l("Shown next to this session in the programme, or with the whole event."))
    audience = RadioField(_l("Who may see it"), validate_choice=False, default="everyone")

    def __init__(self, *args, sessions=(), **kwargs):
        from network.events.models import AUDIENCES

        super().__init__(*args, **kwargs)
        self.session_id.choices = [("", _l("The whole event"))] + [(str(s.id), _session_label(s)) for s in sessions]
        self.audience.choices = list(AUDIENCES.items())

    def common_data(self) -> dict:
        return {"title": self.title.data or "", "session_id": as_id(self.session_id.data),
                "audience": self.audience.data or ""}


def _session_label(session) -> str:
    from flask_babel import format_date, format_time

    when = format_date(session.day, "medium")
    if session.start_time:
        when += ", " + format_time(session.start_time, "short", rebase=False)
    return f"{when} · {session.title}"


class MaterialFileForm(_MaterialForm):
    file = FileField(_l("File"))
    submit = SubmitField(_l("Add the file"))

    def __init__(self, *args, **kwargs):
        from network import uploads
        from network.events.materials import KINDS

        super().__init__(*args, prefix="upload", **kwargs)
        self.file.description = _l("%(kinds)s; at most %(mb)d MB.", kinds=KINDS.names,
                                   mb=uploads.max_bytes() // (1024 * 1024))
        self.title.description = _l("Shown on the material's card; the file's name when left empty.")


class MaterialLinkForm(_MaterialForm):
    link_kind = SelectField(_l("Kind of page"), validate_choice=False)
    link = StringField(_l("Address or number of the page"), render_kw={"inputmode": "url", "maxlength": 500},
                       description=_l("Copy the address of the practice's or collection's page, or type its number."))
    submit = SubmitField(_l("Add the link"))

    def __init__(self, *args, **kwargs):
        from network.events.materials import link_kinds

        super().__init__(*args, prefix="link", **kwargs)
        self.link_kind.choices = [(code, kind.label) for code, kind in link_kinds().items()]
        self.title.description = _l("Shown on the material's card; the page's title when left empty.")

    def link_data(self) -> dict:
        return {"link_kind": self.link_kind.data or "", "link": self.link.data or ""}


# --- the list's and the calendar's filters (a GET form) ---------------------------------------------------------


def list_filters(args, with_month: bool = True) -> tuple[services.ListFilters, dict[str, str]]:
    """The filters in the query string, and a message for each value that is not one of its choices (by the
    parameter's name): the page shows the message instead of guessing."""
    from network.events.month import MAX_YEAR, MIN_YEAR, parse_month
    from network.institutions import services as institutions

    filters, errors = services.ListFilters(), {}
    kind = (args.get("kind") or "").strip()
    if kind and kind not in EVENT_KINDS:
        errors["kind"] = _l("Choose a kind of event from the list.")
    else:
        filters.kind = kind
    partnership = (args.get("partnership") or "").strip()
    if partnership:
        number = as_id(partnership)
        if number is None or institutions.get_partnership(number) is None:
            errors["partnership"] = _l("Choose a partnership from the list.")
        else:
            filters.partnership = number
    country = (args.get("country") or "").strip().upper()
    if country and country not in labels.country_codes():
        errors["country"] = _l("Choose a country from the list.")
    else:
        filters.country = country
    month = (args.get("month") or "").strip()
    if with_month and month:
        first = parse_month(month)
        if first is None:
            errors["month"] = _l("Give the month as its year and number, for example 2027-01 (years %(first)d to "
                                 "%(last)d).", first=MIN_YEAR, last=MAX_YEAR)
        else:
            filters.month = first
    return filters, errors


def filter_arguments(filters: services.ListFilters) -> dict[str, str]:
    """The filters as query arguments (for links that keep them: pages, the previous and next month)."""
    values = {"kind": filters.kind, "partnership": str(filters.partnership or ""), "country": filters.country}
    return {name: value for name, value in values.items() if value}
