"""Log in and out, register, reset a password, and the person's own account pages."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from network import i18n
from network.auth import forms, services
from network.web import REFUSED, attempt, form_status, outcome, safe_next

bp = Blueprint("auth", __name__)


def _client_address() -> str:
    return request.remote_addr or "unknown"


def _retry_after(error: services.LoginThrottled) -> dict:
    return {"Retry-After": str(error.retry_after)}


def _fresh_session() -> str | None:
    """Start a fresh session for the person signing in (nothing set before carries over, but the keys features
    asked to keep: services.carry_over_sign_in); return the language chosen before, for _keep_chosen_language."""
    chosen = session.get(i18n.SESSION_KEY)
    kept = {key: session[key] for key in services.carried_session_keys() if key in session}
    session.clear()
    session.update(kept)
    return chosen


def _keep_chosen_language(user, chosen: str | None) -> None:
    """A language picked with the switcher before logging in becomes the account's, unless it has one."""
    if i18n.is_supported(chosen) and not user.locale:
        services.set_locale(user, chosen)


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = forms.RegistrationForm(institution_choices=services.home_institution_choices())
    if form.validate_on_submit():
        user = attempt(lambda: services.register_user(
            form.name.data, form.email.data, form.password.data, services.home_institution(form.institution.data)
        ), form=form)
        if user is not REFUSED:
            chosen = _fresh_session()
            login_user(user)
            _keep_chosen_language(user, chosen)
            flash(
                _("Welcome, %(name)s! An administrator of %(institution)s will confirm your membership.",
                  name=user.name, institution=user.institution.name),
                "success",
            )
            return redirect(url_for("auth.account"))
    return render_template("auth/register.html", form=form), form_status(form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = forms.LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        user, refusal = outcome(lambda: services.authenticate(form.email.data, form.password.data,
                                                               _client_address()))
        if isinstance(refusal, services.LoginThrottled):
            flash(refusal.text, "error")
            status, headers = 429, _retry_after(refusal)
        elif refusal is not None:
            form.show_errors(refusal.errors)
            status = 401
        else:
            next_url = safe_next(request.args.get("next"))
            chosen = _fresh_session()
            login_user(user, remember=form.remember.data)
            _keep_chosen_language(user, chosen)
            flash(_("You are logged in."), "success")
            return redirect(next_url or url_for("web.home"))
    else:
        status = form_status(form)
    return render_template("auth/login.html", form=form), status, headers


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        # Copies of this session's cookies would otherwise still work: they end too, on every device.
        services.end_sessions(current_user._get_current_object())
    language = getattr(current_user, "locale", None)
    # Clear first: logout_user() leaves in the session the order to delete the remember-me cookie.
    session.clear()
    logout_user()
    if i18n.is_supported(language):
        i18n.remember_for_visitor(language)  # the site does not switch language on the way out
    flash(_("You are logged out."), "info")
    return redirect(url_for("web.home"))


@bp.route("/reset-password", methods=["GET", "POST"])
def request_reset():
    form = forms.ResetRequestForm()
    if form.validate_on_submit():
        _sent, refusal = outcome(lambda: services.request_password_reset(form.email.data, _client_address()))
        if refusal is not None:  # only the throttle refuses: the answer is otherwise the same for every address
            flash(refusal.text, "error")
            return render_template("auth/request_reset.html", form=form), 429, _retry_after(refusal)
        flash(
            _("If an account uses this address, we have sent it a link to choose a new password."), "info"
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/request_reset.html", form=form), form_status(form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    _link, refusal = outcome(lambda: services.check_reset_link(token, _client_address()))
    if refusal is not None:
        page = render_template("auth/reset_invalid.html", message=refusal.text)
        if isinstance(refusal, services.LoginThrottled):
            return page, 429, _retry_after(refusal)
        return page, 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        logout_user()
        session.clear()
        flash(_("Your password has been changed. Please log in with the new one."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form), form_status(form)


@bp.route("/account")
@login_required
def account():
    form = forms.NotificationSettingsForm(email_notifications=current_user.email_notifications)
    return render_template("account/index.html", notification_form=form)


@bp.route("/account/notifications", methods=["POST"])
@login_required
def notification_settings():
    form = forms.NotificationSettingsForm()
    if not form.validate_on_submit():
        abort(400)
    services.set_email_notifications(current_user, form.email_notifications.data)
    flash(_("Your notifications will also come by email.") if form.email_notifications.data
          else _("Your notifications will no longer come by email: they stay on the notifications page."),
          "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = forms.ChangePasswordForm()
    if form.validate_on_submit():
        if attempt(lambda: services.change_password(current_user, form.current_password.data, form.password.data),
                   _("Your password has been changed. Other devices have been logged out."), form=form) is not REFUSED:
            # The session version changed: log in again on this device so it stays signed in.
            login_user(current_user._get_current_object())
            return redirect(url_for("auth.account"))
    return render_template("account/password.html", form=form), form_status(form)


@bp.route("/account/data")
@login_required
def my_data():
    data = services.export_user_data(current_user)
    return render_template("account/data.html", data_json=json.dumps(data, indent=2, ensure_ascii=False))


@bp.route("/account/data.json")
@login_required
def my_data_download():
    data = services.export_user_data(current_user)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{services.data_export_filename(current_user)}"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    form = forms.DeleteAccountForm()
    if form.validate_on_submit():
        if attempt(lambda: services.delete_account(current_user._get_current_object(), form.password.data),
                   form=form) is not REFUSED:
            logout_user()
            session.clear()
            flash(_("Your account has been deleted."), "info")
            return redirect(url_for("web.home"))
    return render_template("account/delete.html", form=form), form_status(form)
