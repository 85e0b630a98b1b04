"""The notifications page, and the unread count in every page's header."""
from __future__ import annotations

from flask import Blueprint, flash, has_request_context, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.notifications import services
from network.web import check_button_post

bp = Blueprint("notifications", __name__, url_prefix="")


@bp.route("/notifications")
@login_required
def index():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    return render_template("notifications/index.html", pagination=services.notifications_of(current_user, page=page))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    check_button_post()
    services.mark_all_read(current_user)
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.app_context_processor
def _unread_notifications() -> dict:
    """The count in the header, for people who are logged in (one small query per page)."""
    if has_request_context() and current_user.is_authenticated:
        return {"unread_notifications": services.unread_count(current_user)}
    return {}
