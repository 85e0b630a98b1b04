"""The tutors' forms: a new cohort. Rules live in network.learning.tutoring (a refusal comes back as
ServiceError, its messages put on these fields)."""
from __future__ import annotations

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Optional

from network.forms import ServiceErrors, as_id
from network.learning import tutoring
from network.learning.models import TITLE_MAX


class CohortForm(ServiceErrors, FlaskForm):
    name = StringField(_l("Name of the cohort"), render_kw={"maxlength": TITLE_MAX},
                       description=_l("For example: Spring 2027, Seville training event."))
    starts_on = DateField(_l("Starts on (optional)"), validators=[Optional()], description=_l("For example 2027-03-01."))
    ends_on = DateField(_l("Ends on (optional)"), validators=[Optional()])
    event_id = SelectField(_l("From a training event (optional)"), validate_choice=False, description=_l(
        "Its participants who are members of the network are enrolled on the course in this cohort; those already "
        "enrolled without a cohort join it."))

    def __init__(self, *args, events=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.event_id.choices = [("", _l("No event"))] + [
            (str(event.id), f"{event.title} ({format_date(event.start_date)})") for event in events]

    def to_data(self) -> tutoring.CohortData:
        return tutoring.CohortData(name=self.name.data or "", starts_on=self.starts_on.data, ends_on=self.ends_on.data,
                                   event_id=as_id(self.event_id.data))
