"""The self-assessment's forms: who is taking it, and the CSRF token of a questionnaire page (its answers are
read by answers_from(), one radio group per statement, the statements being the questionnaire's content)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from network.forms import ServiceErrors
from network.self_assessment.models import PROFESSIONAL, SCALE_POINTS, STUDENT

ROLE_LABELS = {PROFESSIONAL: _l("I am a professional"), STUDENT: _l("I am a student")}
NOT_APPLICABLE = "na"  # the value of "does not apply" in a page's form


class StartForm(ServiceErrors, FlaskForm):
    # The service checks the role (services._check_role): its message comes back on this field.
    role = RadioField(_l("Who is taking the self-assessment?"), validate_choice=False,
                      validators=[InputRequired(_l("Choose whether you are a professional or a student."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = list(ROLE_LABELS.items())


class PageForm(ServiceErrors, FlaskForm):
    """A questionnaire page: the CSRF token; the statements' radio groups are drawn by the template."""


def field_name(statement) -> str:
    return f"s{statement.id}"


def answers_from(formdata, statements) -> dict[int, int | None]:
    """The answers given on a page: {statement id: 0-4, or None for "does not apply"}; a statement left
    unanswered, or answered with anything not on the scale, is not in it."""
    answers: dict[int, int | None] = {}
    for statement in statements:
        value = formdata.get(field_name(statement), "")
        if value == NOT_APPLICABLE:
            answers[statement.id] = None
        elif value in {str(n) for n in range(SCALE_POINTS)}:
            answers[statement.id] = int(value)
    return answers
