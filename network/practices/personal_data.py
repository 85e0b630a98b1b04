"""What practices and their discussion hold about a person (see network/auth/personal_data.py).

Practices belong to their institution and comments to the discussion others replied in: both stay, shown as
written by a "former member" (the database empties their foreign keys to the account). What was only the
person's — their notifications, follows and bookmarks — is erased.
"""
from __future__ import annotations

from typing import Callable

from sqlalchemy import delete, select

from network.extensions import db
from network.notifications.models import MESSAGE_MAX, Notification
from network.practices import discussion
from network.practices.models import (
    Attachment,
    Bookmark,
    Comment,
    Practice,
    PracticeAuthor,
    PracticeFollow,
    PracticeRevision,
)

TABLES = {
    "practices": "exported (those they created or marked reviewed); kept, created_by and reviewed_by emptied",
    "practice_authors": "exported (practices written); kept, shown as written by a former member",
    "practice_revisions": "exported (the saves they made); kept, shown as by a former member",
    "attachments": "exported (files they uploaded); kept, uploader emptied",
    "comments": "exported (their comments, those they hid); kept, shown as by a former member; names in "
                "others' notifications of them become former member",
    "comment_flags": "exported; kept for the moderators, shown as by a former member",
    "notifications": "exported; erased",
    "practice_follows": "exported; erased",
    "bookmarks": "exported; erased",
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _practice(practice: Practice) -> dict:
    return {"id": practice.id, "title": practice.title, "status": practice.status,
            "visibility": practice.visibility, "institution": practice.institution.name,
            "language": practice.language}


def export(user) -> dict:
    """The practices they wrote, created, saved, reviewed; the files they uploaded; the comments they hid."""
    written = db.session.scalars(
        select(Practice).join(PracticeAuthor, PracticeAuthor.practice_id == Practice.id)
        .where(PracticeAuthor.user_id == user.id).order_by(Practice.created_at, Practice.id))
    created = db.session.scalars(
        select(Practice).where(Practice.created_by_id == user.id).order_by(Practice.created_at, Practice.id))
    reviewed = db.session.scalars(
        select(Practice).where(Practice.reviewed_by_id == user.id).order_by(Practice.reviewed_at, Practice.id))
    revisions = db.session.scalars(
        select(PracticeRevision).where(PracticeRevision.author_id == user.id)
        .order_by(PracticeRevision.created_at, PracticeRevision.id))
    attachments = db.session.scalars(
        select(Attachment).where(Attachment.uploaded_by_id == user.id).order_by(Attachment.created_at, Attachment.id))
    hidden = db.session.scalars(
        select(Comment).where(Comment.hidden_by_id == user.id).order_by(Comment.hidden_at, Comment.id))
    return {
        "written": [dict(_practice(p), published_at=_iso(p.published_at)) for p in written],
        "created": [dict(_practice(p), created_at=_iso(p.created_at)) for p in created],
        "reviewed": [dict(_practice(p), reviewed_at=_iso(p.reviewed_at)) for p in reviewed],
        "revisions_saved": [{"practice_id": r.practice_id, "number": r.number, "at": _iso(r.created_at)}
                            for r in revisions],
        "attachments_uploaded": [{"practice_id": a.practice_id, "name": a.original_name, "size": a.size,
                                  "content_type": a.content_type, "at": _iso(a.created_at)} for a in attachments],
        "comments_hidden": [{"comment_id": c.id, "practice_id": c.practice_id, "at": _iso(c.hidden_at)}
                            for c in hidden],
    }


# Their comments, flags, follows, bookmarks and notifications (the section /account/data always had).
export_discussion = discussion.export_data


def forget_name_in_notifications(user, about: Callable[[str], bool]) -> None:
    """Others' notifications about something of this person that stays or went (a comment, an application, a
    visit) name them: the name becomes "former member". `about(link)` tells which notifications."""
    from network.auth.personal_data import names, without_name

    if not user.name:
        return
    for notification in db.session.scalars(select(Notification).where(
            Notification.user_id != user.id, Notification.message.contains(user.name, autoescape=True))):
        if about(notification.link or "") and names(notification.message, user.name):
            notification.message = without_name(notification.message, user.name)[:MESSAGE_MAX]
            # The values the message is rendered with when read name them too.
            notification.params = {key: without_name(value, user.name) if isinstance(value, str) else value
                                   for key, value in (notification.params or {}).items()} or None


def erase(user) -> None:
    comments = {f"#comment-{comment_id}" for comment_id in db.session.scalars(
        select(Comment.id).where(Comment.author_id == user.id))}
    forget_name_in_notifications(user, lambda link: "#" in link and link[link.index("#"):] in comments)
    for model in (Notification, PracticeFollow, Bookmark):
        db.session.execute(delete(model).where(model.user_id == user.id))
