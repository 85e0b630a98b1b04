"""The person's own API tokens: /account/tokens lists, creates (shown once) and revokes them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from network.api import tokens
from network.forms import ServiceErrors
from network.web import REFUSED, attempt, form_status, outcome

tokens_bp = Blueprint("tokens", __name__)


class CreateTokenForm(ServiceErrors, FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the token a name.")), Length(max=tokens.NAME_MAX)],
        description=_l("What will use it, for example “import script” or “spreadsheet”."),
    )
    submit = SubmitField(_l("Create a token"))


def _page(form: CreateTokenForm, new_token: str | None = None, status: int = 200):
    response = render_template(
        "account/tokens.html", form=form, new_token=new_token,
        tokens=tokens.tokens_of(current_user),
    )
    # The page that shows a new token must not stay in any cache.
    return response, status, {"Cache-Control": "no-store"}


@tokens_bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def index():
    form = CreateTokenForm()
    if form.validate_on_submit():
        created = attempt(lambda: tokens.create_token(current_user, form.name.data), form=form)
        if created is not REFUSED:
            _token, plain = created
            # Shown on this response only (never put in the session cookie, which is signed, not encrypted).
            form = CreateTokenForm(formdata=None)
            return _page(form, new_token=plain)
    return _page(form, status=form_status(form))


@tokens_bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    token, refusal = outcome(lambda: tokens.revoke_token(current_user, token_id))
    if refusal is not None:  # not one of this person's tokens
        abort(404)
    flash(_("The token “%(name)s” has been revoked: programs using it can no longer get in.",
            name=token.name), "success")
    return redirect(url_for("tokens.index"))
