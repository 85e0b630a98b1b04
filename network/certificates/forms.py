"""The certificates' forms: the code to check (a GET form, no session needed) and a revocation's reason."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from network.certificates.models import REASON_MAX
from network.forms import ServiceErrors


class VerifyForm(Form):
    """Read from the query string: anyone can check a code, logged in or not, with or without cookies (no CSRF
    token: it changes nothing)."""

    code = StringField(
        _l("Verification code"),
        validators=[DataRequired(_l("Type the code printed on the certificate."))],
        description=_l("12 letters and digits, as printed on the certificate, for example 7KQ2-M9XD-4HTR. "
                       "Capitals, spaces and dashes do not matter."),
    )


class RevokeForm(ServiceErrors, FlaskForm):
    reason = TextAreaField(
        _l("Why is it revoked?"),
        validators=[DataRequired(_l("Say why it is revoked: the verification page shows the reason.")),
                    Length(max=REASON_MAX)],
        description=_l("Anyone who checks the code reads this."),
    )
    submit = SubmitField(_l("Revoke the certificate"))
