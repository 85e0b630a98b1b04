"""Telling people: one notify() for every feature, each person in the interface language they chose; emails
only after the transaction that made the news has committed (send)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from network import i18n, mail
from network.extensions import db
from network.notifications.models import LINK_MAX, MESSAGE_MAX, Notification
from network.types import utcnow

Email = tuple[str, str, str]  # address, subject, body


def notify(people, kind: str, message, link: str) -> list[Email]:
    """A notification row for each person (once each, in this transaction), in the language they chose (the
    platform's default otherwise), not the actor's; returns the emails to send() after the commit.
    message: a lazy string (or a function of nothing giving one), rendered for each person."""
    emails, seen = [], set()
    for person in people:
        if person is None or person.id in seen:
            continue
        seen.add(person.id)
        with force_locale(i18n.user_locale(person)):
            text = str(message() if callable(message) else message)[:MESSAGE_MAX]
            subject = _("Peer Network: %(message)s", message=text[:150])
            body = _("%(message)s\n\nSee it here: %(link)s", message=text,
                     link=current_app.config.get("PUBLIC_URL", "").rstrip("/") + link)
        db.session.add(Notification(user_id=person.id, kind=kind, message=text, link=link[:LINK_MAX]))
        emails.append((person.email, subject[:200], body))
    return emails


def send(emails: list[Email], what: str = "notification") -> None:
    """After the commit: the emails notify() prepared (logged instead when no mail server is set)."""
    mail.send_notifications(emails, what)


def notifications_of(user, page: int = 1, per_page: int = 20):
    """One page of this person's notifications, newest first."""
    query = (select(Notification).where(Notification.user_id == user.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    ) or 0


def mark_all_read(user) -> int:
    unread = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))).all()
    now = utcnow()
    for notification in unread:
        notification.read_at = now
    db.session.commit()
    return len(unread)
