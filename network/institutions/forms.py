from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from network import labels
from network.forms import ServiceErrors


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes: easier with a keyboard and a screen reader than a multi-select."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _max(n):
    return Length(max=n, message=_l("At most %(max)d characters."))


class InstitutionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter the institution's name.")), _max(200)])
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Choose a country."))])
    city = StringField(_l("City"), validators=[Optional(), _max(120)])
    sectors = MultiCheckboxField(_l("Sectors"), validators=[DataRequired(_l("Choose at least one sector."))])
    languages = SelectMultipleField(
        _l("Languages spoken"),
        validators=[DataRequired(_l("Choose at least one language."))],
        description=_l("Hold Ctrl (or Cmd) to choose several."),
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), _max(5000)])
    website = URLField(
        _l("Website"),
        validators=[Optional(), _max(300), URL(message=_l("Enter a full web address, like https://example.org."))],
    )
    contact_email = EmailField(
        _l("Contact email"), validators=[Optional(), _max(254), Email(_l("Enter a valid email address."))]
    )
    submit = SubmitField(_l("Save institution"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose…"))] + labels.country_choices()
        self.sectors.choices = labels.sector_choices()
        self.languages.choices = labels.language_choices()

    def validate_website(self, field):
        # The URL validator runs first and gives the same message: say it once.
        if field.data and not field.errors and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError(_l("Enter a full web address, like https://example.org."))


class PartnershipForm(ServiceErrors, FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(_l("Enter the partnership's title.")), _max(300)])
    reference = StringField(
        _l("Reference number"),
        validators=[DataRequired(_l("Enter the reference number.")), _max(100)],
        description=_l("For example the Erasmus+ project number."),
    )
    start_date = DateField(_l("Start date"), validators=[InputRequired(_l("Enter a start date (YYYY-MM-DD)."))])
    end_date = DateField(_l("End date"), validators=[InputRequired(_l("Enter an end date (YYYY-MM-DD)."))])
    coordinating_institution = SelectField(
        _l("Coordinating institution"), coerce=int, validators=[InputRequired(_l("Choose an institution."))]
    )
    partners = MultiCheckboxField(_l("Partner institutions"), coerce=int)
    description = TextAreaField(_l("Description"), validators=[Optional(), _max(5000)])
    submit = SubmitField(_l("Save partnership"))

    def __init__(self, *args, institution_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.coordinating_institution.choices = [(0, _l("Choose…"))] + list(institution_choices)
        self.partners.choices = list(institution_choices)

    def validate_coordinating_institution(self, field):
        if field.data == 0:
            raise ValidationError(_l("Choose an institution."))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date must not be before the start date."))
