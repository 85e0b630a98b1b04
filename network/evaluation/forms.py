"""Answering a survey: the CSRF token of a page (its questions are the survey's content: the template draws one
field or group per question, and answers_from() reads them), and what each button asks for."""
from __future__ import annotations

from flask_wtf import FlaskForm

from network.evaluation.models import MULTIPLE
from network.evaluation.surveys import field_key
from network.forms import ServiceErrors

NEXT, BACK, LATER, SEND = "next", "back", "later", "send"  # the page's buttons (name="action")
ACTIONS = (NEXT, BACK, LATER, SEND)
MAX_CHOICES = 50  # more values than a question has options are not read


class AnswerPageForm(ServiceErrors, FlaskForm):
    """A page of a survey: the form token; a service's messages per question (surveys.field_key) are read from
    the ServiceError by the view, the others go to general_errors."""


def answers_from(formdata, questions) -> dict[int, str | list[str]]:
    """What the page's form sent for each of its questions: a list of codes for multiple choice, a text for the
    others ("" when left empty). The services check the values."""
    given: dict[int, str | list[str]] = {}
    for question in questions:
        name = field_key(question)
        if question.kind == MULTIPLE:
            given[question.id] = formdata.getlist(name)[:MAX_CHOICES]
        else:
            given[question.id] = formdata.get(name, "")
    return given


def action_of(formdata) -> str:
    action = formdata.get("action", NEXT)
    return action if action in ACTIONS else NEXT
