"""Account forms. Field names are plain (email, password) so that people's password managers work."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, ValidationError

from network.forms import ServiceErrors

PASSWORD_MIN, PASSWORD_MAX = 10, 200

_email_validators = [
    DataRequired(_l("Enter your email address.")),
    Length(max=254, message=_l("An email address can be at most %(max)d characters long.")),
    Email(_l("Enter a valid email address, like name@example.org.")),
]


def _new_password_fields(label):
    password = PasswordField(
        label,
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("A password needs between %(min)d and %(max)d characters."),
            ),
        ],
        description=_l("At least %(min)d characters. A few unrelated words make a strong password.", min=PASSWORD_MIN),
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(_l("Repeat the password.")), EqualTo("password", _l("The two passwords differ."))],
    )
    return password, confirm


class RegistrationForm(ServiceErrors, FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=120, message=_l("A name can be at most %(max)d characters long.")),
        ],
    )
    email = EmailField(_l("Email address"), validators=_email_validators)
    institution = SelectField(
        _l("Your institution"),
        coerce=int,
        validators=[InputRequired(_l("Choose your institution from the list."))],
        description=_l("An administrator of your institution confirms that you work there."),
    )
    password, confirm = _new_password_fields(_l("Password"))
    submit = SubmitField(_l("Create account"))

    def __init__(self, *args, institution_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.institution.choices = [(0, _l("Choose…"))] + list(institution_choices)

    def validate_institution(self, field):
        if field.data == 0 or field.data not in {value for value, _label in self.institution.choices}:
            raise ValidationError(_l("Choose your institution from the list."))


class LoginForm(ServiceErrors, FlaskForm):
    email = EmailField(_l("Email address"), validators=_email_validators)
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in on this device"))
    submit = SubmitField(_l("Log in"))


class ChangePasswordForm(ServiceErrors, FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    password, confirm = _new_password_fields(_l("New password"))
    submit = SubmitField(_l("Change password"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=_email_validators)
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields(_l("New password"))
    submit = SubmitField(_l("Set new password"))


class NotificationSettingsForm(FlaskForm):
    email_notifications = BooleanField(_l("Also send me my notifications by email"),
                                       description=_l("They always appear on your notifications page."))
    submit = SubmitField(_l("Save"))


class DeleteAccountForm(ServiceErrors, FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(_l("Enter your password."))])
    confirm = BooleanField(
        _l("I understand that my account is deleted for good"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Delete my account"))
