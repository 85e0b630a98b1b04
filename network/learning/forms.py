"""Learners' forms: a reflection, a practice task ticked off, a lesson marked done, a quiz's answers."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from network.forms import ServiceErrors, as_id
from network.learning.services import REFLECTION_MAX


class ReflectionForm(ServiceErrors, FlaskForm):
    text = TextAreaField(_l("Your answer"), validators=[Optional(), Length(max=REFLECTION_MAX)],
                         description=_l("Only you and the course's tutors read it. You can change it at any time."))
    submit = SubmitField(_l("Save your answer"))


class TaskForm(ServiceErrors, FlaskForm):
    note = TextAreaField(_l("What happened? (optional)"), validators=[Optional(), Length(max=5000)],
                         description=_l("A few words for yourself and your tutors: what you tried and how it went."))
    submit = SubmitField(_l("Tick it off as done"))
    undo = SubmitField(_l("Not done yet"))


class LessonDoneForm(FlaskForm):
    done = HiddenField(validators=[AnyOf(["1", "0"])])


class QuizForm(ServiceErrors, FlaskForm):
    """Only the form token and the attempt: the questions are the attempt's (read from request.form by
    answers_from)."""

    attempt = HiddenField()

    @property
    def attempt_id(self) -> int | None:
        return as_id(self.attempt.data)


def answers_from(formdata, question_ids) -> dict[int, list[int]]:
    """The options chosen per question ("q-<id>" fields); anything that is not an id is ignored."""
    answers = {}
    for question_id in question_ids:
        chosen = [as_id(value) for value in formdata.getlist(f"q-{question_id}")[:20]]
        answers[question_id] = [option for option in chosen if option is not None]
    return answers
