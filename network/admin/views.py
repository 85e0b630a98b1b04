"""Administration: users and their roles, membership requests, the audit log."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network import permissions
from network.admin import services
from network.admin.forms import DecisionForm, RolesForm
from network.audit import action_label
from network.auth import services as accounts
from network.auth.models import GRANTABLE_ROLES, MEMBERSHIP_STATUSES, User
from network.extensions import db
from network.institutions import services as institutions
from network.labels import ROLE_LABELS
from network.web import form_status, safe_next

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page() -> int:
    return max(request.args.get("page", 1, type=int) or 1, 1)


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/users")
@permissions.role_required(permissions.can_manage_users)
def users():
    filters = {
        "text": request.args.get("q", "")[:200],
        "role": request.args.get("role", "") if request.args.get("role") in GRANTABLE_ROLES else "",
        "status": request.args.get("status", "") if request.args.get("status") in MEMBERSHIP_STATUSES else "",
        "institution_id": request.args.get("institution", type=int),
    }
    pagination = db.paginate(services.search_users(**filters), page=_page(), per_page=50, error_out=False)
    return render_template(
        "admin/users.html",
        pagination=pagination,
        filters=filters,
        role_labels=ROLE_LABELS,
        statuses=MEMBERSHIP_STATUSES,
        institutions=institutions.all_institutions(),
    )


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permissions.role_required(permissions.can_assign_roles)
def user(user_id: int):
    person = db.session.get(User, user_id) or abort(404)
    form = RolesForm(data={"roles": sorted(person.roles)} if request.method == "GET" else None)
    if form.validate_on_submit():
        accounts.set_roles(current_user, person, form.roles.data)
        flash(_("Roles of %(name)s saved.", name=person.name), "success")
        return redirect(url_for("admin.user", user_id=person.id))
    return render_template(
        "admin/user.html", person=person, form=form, decision_form=DecisionForm(), role_labels=ROLE_LABELS
    ), form_status(form)


@bp.route("/memberships")
@permissions.role_required(permissions.can_review_memberships)
def memberships():
    """Site admins see every request; an institution admin sees their own institution's."""
    institution = None if permissions.is_site_admin(current_user) else current_user.institution
    return render_template(
        "admin/memberships.html", pending=accounts.pending_members(institution), form=DecisionForm()
    )


@bp.route("/memberships/<int:user_id>", methods=["POST"])
@login_required
def decide_membership(user_id: int):
    member = db.session.get(User, user_id) or abort(404)
    permissions.require(permissions.can_approve_membership, member)
    form = DecisionForm()
    # A decision names its button: a request without either must not count as "decline".
    if not form.validate_on_submit() or not (form.approve.data or form.decline.data):
        abort(400)
    approve = bool(form.approve.data)
    accounts.decide_membership(current_user, member, approve)
    if approve:
        flash(_("%(name)s is now a member.", name=member.name), "success")
    else:
        flash(_("The request of %(name)s was declined.", name=member.name), "info")
    return redirect(safe_next(request.form.get("next")) or url_for("admin.memberships"))


@bp.route("/audit")
@permissions.role_required(permissions.can_read_audit_log)
def audit():
    filters = {
        "action": request.args.get("action", "")[:50],
        "actor_id": request.args.get("actor", type=int),
        "target_type": request.args.get("target_type", "")[:50],
        "since": _parse_date(request.args.get("since")),
        "until": _parse_date(request.args.get("until")),
    }
    pagination = db.paginate(services.audit_query(**filters), page=_page(), per_page=50, error_out=False)
    return render_template(
        "admin/audit.html", pagination=pagination, filters=filters, actions=services.audit_actions(),
        action_label=action_label,
    )
