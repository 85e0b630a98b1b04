"""Telling people: one notify() for every feature, each person in the interface language they chose; emails
only after the transaction that made the news has committed (send)."""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale, gettext
from flask_babel import gettext as _
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select

from network import i18n, mail
from network.extensions import db
from network.notifications.models import LINK_MAX, MESSAGE_MAX, Notification
from network.types import utcnow

Email = tuple[str, str, str]  # address, subject, body


def message_code(message) -> tuple[str | None, dict | None]:
    """A lazy interface message (lazy_gettext) as its message id and values, so that it is rendered in the
    reader's language when read; (None, None) for any other text. Values that are not plain become text."""
    if isinstance(message, LazyString) and message._func is gettext and len(message._args) == 1:
        params = {name: value if isinstance(value, (str, int, float)) or value is None else str(value)
                  for name, value in message._kwargs.items()}
        return str(message._args[0]), params
    return None, None


def notification(person, kind: str, message, link: str) -> Notification:
    """The row for one person: their language's text now, and the message's code for later readings."""
    with force_locale(i18n.user_locale(person)):
        text = str(message)[:MESSAGE_MAX]
    message_id, params = message_code(message)
    return Notification(user_id=person.id, kind=kind, message=text, link=link[:LINK_MAX], message_id=message_id,
                        params=params)


def notify(people, kind: str, message, link: str) -> list[Email]:
    """A notification row for each person (once each, in this transaction), in the language they chose (the
    platform's default otherwise), not the actor's; returns the emails to send() after the commit.
    message: a lazy string, rendered for each person, and kept as its code (rendered again when read)."""
    emails, seen = [], set()
    for person in people:
        if person is None or person.id in seen:
            continue
        seen.add(person.id)
        row = notification(person, kind, message, link)
        with force_locale(i18n.user_locale(person)):
            subject = _("Peer Network: %(message)s", message=row.message[:150])
            body = _("%(message)s\n\nSee it here: %(link)s", message=row.message,
                     link=current_app.config.get("PUBLIC_URL", "").rstrip("/") + link)
        db.session.add(row)
        if person.email_notifications:
            emails.append((person.email, subject[:200], body))
    return emails


def send(emails: list[Email], what: str = "notification") -> None:
    """After the commit: the emails notify() prepared, each queued as a background job that is tried again
    while the mail server fails (network.mail.deliver_email); nothing when no mail server is set."""
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
