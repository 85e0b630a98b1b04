from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField

from network.auth.models import GRANTABLE_ROLES
from network.institutions.forms import MultiCheckboxField
from network.labels import ROLE_LABELS


class RolesForm(FlaskForm):
    roles = MultiCheckboxField(_l("Roles"))
    submit = SubmitField(_l("Save roles"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Set here, as in the other forms: WTForms 3.3 warns (DeprecationWarning) about tuple choices
        # given to the field's constructor, and the warning breaks the page under `-W error`.
        self.roles.choices = [(role, ROLE_LABELS[role]) for role in GRANTABLE_ROLES]


class DecisionForm(FlaskForm):
    """Approve or decline a membership request: two buttons in one CSRF-protected form."""

    approve = SubmitField(_l("Approve"))
    decline = SubmitField(_l("Decline"))
