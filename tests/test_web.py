"""The views' service-call helpers in network/web.py: attempt(), outcome() and form_status()."""
from __future__ import annotations

from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from network.errors import ServiceError
from network.extensions import db
from network.forms import ServiceErrors
from network.web import REFUSED, attempt, form_status, outcome


class NoteForm(ServiceErrors, FlaskForm):
    note = StringField()


def _refusing(institution, error: ServiceError):
    """A write that changes the institution, then is refused: the change must not survive."""
    def write():
        institution.name = "Changed before the refusal"
        raise error
    return write


def test_attempt_flashes_done_and_returns_the_result(app):
    with app.test_request_context("/"):
        assert attempt(lambda: 7, "Saved.") == 7
        assert attempt(lambda: 8, lambda result: f"Saved {result}.") == 8
        assert attempt(lambda: None) is None  # a write that returns nothing still went through
        assert get_flashed_messages(with_categories=True) == [("success", "Saved."), ("success", "Saved 8.")]


def test_a_refusal_rolls_back_and_goes_on_the_form(app, make_institution):
    institution = make_institution(name="Kept")
    with app.test_request_context("/", method="POST", data={"note": "typed"}):
        form = NoteForm()
        result = attempt(_refusing(institution, ServiceError({"note": ["Too short."], "": ["Not now."]})),
                         "Saved.", form=form)
        assert result is REFUSED
        assert institution.name == "Kept"
        assert form.note.errors == ["Too short."] and form.general_errors == ["Not now."]
        assert form.note.data == "typed"  # what was typed is shown again
        assert form_status(form) == 422
        assert get_flashed_messages() == []


def test_a_refusal_without_a_form_is_flashed_as_it_is_or_as_refused_words_it(app, make_institution):
    institution = make_institution(name="Kept")
    error = ServiceError({"": ["The title is missing."], "body": ["The text is empty."]})
    with app.test_request_context("/"):
        assert attempt(_refusing(institution, error), "Published.") is REFUSED
        assert attempt(_refusing(institution, error), "Published.",
                       refused=lambda refusal: f"It cannot be published yet: {refusal.text}") is REFUSED
        assert institution.name == "Kept"
        assert get_flashed_messages(with_categories=True) == [
            ("error", "The title is missing. The text is empty."),
            ("error", "It cannot be published yet: The title is missing. The text is empty."),
        ]


def test_outcome_gives_the_result_or_the_refusal_without_showing_it(app, make_institution):
    institution = make_institution(name="Kept")
    error = ServiceError.one("", "Too many.")
    with app.test_request_context("/"):
        assert outcome(lambda: "token") == ("token", None)
        assert outcome(_refusing(institution, error)) == (None, error)
        assert institution.name == "Kept"
        assert get_flashed_messages() == []
    assert db.session.get(type(institution), institution.id).name == "Kept"


def test_form_status_is_422_only_for_a_form_holding_errors(app):
    with app.test_request_context("/"):
        form = NoteForm()
        assert form_status(form) == 200
        form.general_errors.append("Not now.")
        assert form_status(form) == 422
        plain = FlaskForm()
        assert form_status(plain) == 200  # a form without general_errors
