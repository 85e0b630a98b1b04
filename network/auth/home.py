"""What accounts put on the home page (network/home.py): the membership requests an admin decides on, and, for
someone whose own request waits, what that means."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import func, select

from network import home, permissions
from network.auth.models import PENDING, User
from network.extensions import db


def _pending(user):
    """The membership requests this person may decide on (network.permissions.can_approve_membership), as SQL:
    every one for site admins, their own institution's for its admins."""
    query = select(User).where(User.membership_status == PENDING, User.institution_id.is_not(None))
    if not permissions.is_site_admin(user):
        query = query.where(User.institution_id == user.institution_id)
    return query


def tasks(user) -> list[home.HomeItem]:
    if not permissions.can_review_memberships(user):
        return []
    people = [person for person in db.session.scalars(_pending(user).order_by(User.created_at, User.id)
                                                      .limit(home.LIMIT + 1))
              if permissions.can_approve_membership(user, person)]
    link = url_for("admin.memberships")

    def more() -> home.HomeItem:
        total = db.session.scalar(select(func.count()).select_from(_pending(user).subquery()))
        return home.HomeItem("membership_requests", lazy_ngettext(
            "All %(num)d membership request waiting", "All %(num)d membership requests waiting", total), link)

    return home.some(people, lambda person: home.HomeItem(
        "membership_request", _l("Decide on the membership request of %(name)s"), link,
        {"name": home.Text(person.name)}, when=person.created_at), more)


def first_steps(user) -> list[home.HomeItem]:
    if user.membership_status != PENDING or user.institution_id is None:
        return []
    return [home.HomeItem("membership_waiting", _l("Your institution's admins have yet to confirm your membership: "
                                                   "until then you see what every visitor sees."),
                          url_for("auth.account"))]


def connect() -> None:
    home.connect(tasks=tasks, first_steps=first_steps)
