"""Discussion of a practice: comments and one level of replies, flags and moderation, notifications,
follows and bookmarks. Every write commits once; emails go out only after the commit."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from network import audit, i18n, mail, permissions
from network.auth.models import User
from network.errors import ServiceError
from network.extensions import db
from network.notifications import services as notifications
from network.notifications.models import Notification
from network.practices.models import Bookmark, Comment, CommentFlag, Practice, PracticeFollow
from network.types import utcnow

BODY_MAX = 5000
REASON_MAX = 500


# --- comments -------------------------------------------------------------------------------------


def _clean_body(body: str | None) -> str:
    text = (body or "").strip()
    if not text:
        raise ServiceError.one("body", _l("Write something before sending the comment."))
    if len(text) > BODY_MAX:
        raise ServiceError.one("body", _l("A comment can be at most %(max)d characters long (it has %(n)d).",
                                          max=BODY_MAX, n=len(text)))
    return text


def add_comment(actor, practice: Practice, body: str, parent: Comment | None = None) -> Comment:
    """Save a comment or a reply, notify the practice's authors and followers, follow the practice.

    Replies are one level deep: a reply to a reply joins the thread of the top-level comment."""
    text = _clean_body(body)
    if parent is not None:
        if parent.practice_id != practice.id:
            raise ServiceError.one("parent", _l("That comment belongs to another practice."))
        if parent.parent is not None:
            parent = parent.parent
        if parent.deleted or parent.hidden:
            raise ServiceError.one("parent", _l("This comment can no longer be replied to."))
    comment = Comment(practice=practice, author_id=actor.id, body=text, parent=parent)
    db.session.add(comment)
    if db.session.get(PracticeFollow, (actor.id, practice.id)) is None:
        db.session.add(PracticeFollow(user_id=actor.id, practice_id=practice.id))
    db.session.flush()  # the comment's id goes into the notifications' links
    emails = _notify(actor, practice, comment)
    db.session.commit()
    _send_emails(emails)
    return comment


def edit_comment(actor, comment: Comment, body: str) -> Comment:
    text = _clean_body(body)
    if text != comment.body:
        comment.body = text
        comment.edited_at = utcnow()
        db.session.commit()
    return comment


def delete_comment(actor, comment: Comment) -> None:
    """Remove a comment; one with replies stays as an empty "deleted" placeholder above them."""
    parent = comment.parent
    if comment.replies:
        comment.deleted = True
        comment.body = ""  # the words go; only the place in the thread stays
        comment.edited_at = utcnow()
        _resolve_flags(comment)
    else:
        db.session.delete(comment)
        # A placeholder kept only for this reply has nothing left to hold together.
        if parent is not None and parent.deleted and all(r is comment for r in parent.replies):
            db.session.delete(parent)
    db.session.commit()


def flag_comment(actor, comment: Comment, reason: str = "") -> CommentFlag:
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ServiceError.one("reason", _l("The reason can be at most %(max)d characters long.", max=REASON_MAX))
    if comment.deleted:
        raise ServiceError.one("", _l("This comment was deleted."))
    already = select(CommentFlag.id).where(CommentFlag.comment_id == comment.id,
                                           CommentFlag.user_id == actor.id)
    if db.session.scalar(already) is not None:
        raise ServiceError.one("", _l("You have already flagged this comment."))
    flag = CommentFlag(comment=comment, user_id=actor.id, reason=reason)
    db.session.add(flag)
    try:
        db.session.commit()
    except IntegrityError:  # the same person flagging twice at the same moment
        db.session.rollback()
        raise ServiceError.one("", _l("You have already flagged this comment.")) from None
    return flag


def _resolve_flags(comment: Comment) -> int:
    now = utcnow()
    open_flags = [f for f in comment.flags if f.resolved_at is None]
    for flag in open_flags:
        flag.resolved_at = now
    return len(open_flags)


def hide_comment(actor, comment: Comment) -> None:
    """A moderator hides a comment from everyone but moderators; its open flags are settled."""
    comment.hidden = True
    comment.hidden_by_id = getattr(actor, "id", None)
    comment.hidden_at = utcnow()
    flags = _resolve_flags(comment)
    audit.record(actor, "comment.hidden", comment.practice, comment_id=comment.id, flags_resolved=flags)
    db.session.commit()


def restore_comment(actor, comment: Comment) -> None:
    """A moderator shows a hidden comment again, or keeps a flagged one visible: open flags are settled."""
    was_hidden = comment.hidden
    comment.hidden = False
    comment.hidden_by_id = None
    comment.hidden_at = None
    flags = _resolve_flags(comment)
    audit.record(actor, "comment.restored", comment.practice, comment_id=comment.id, was_hidden=was_hidden,
                 flags_resolved=flags)
    db.session.commit()


# --- reads for the practice page ------------------------------------------------------------------


def get_comment(comment_id: int) -> Comment | None:
    return db.session.get(Comment, comment_id)


@dataclass
class Thread:
    """A top-level comment with its replies, as one visitor may see them."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


THREADS_PER_PAGE = 20


@dataclass
class ThreadPage:
    """One page of a discussion as one visitor sees it: newest threads first, each thread's replies oldest
    first; `count` is the whole discussion's comments that everyone can read."""

    threads: list[Thread]
    page: int
    pages: int
    count: int


def thread_page(user, practice: Practice, page: int = 1, comment_id: int | None = None) -> ThreadPage:
    """The page asked for (past the last: the last), or the one holding this comment: a comment's address
    (comment_path) names the comment, not a page, since new threads push older ones to later pages.

    Hidden comments (and the replies under them) only for moderators; a deleted placeholder only while it
    still has replies to show. The shape of the discussion is read as bare columns; only the page's comments
    are loaded whole, with their authors: three queries, however long the discussion."""
    moderator = permissions.can_moderate_comments(user, practice)
    rows = db.session.execute(
        select(Comment.id, Comment.parent_id, Comment.hidden, Comment.deleted)
        .where(Comment.practice_id == practice.id).order_by(Comment.created_at, Comment.id)
    ).all()
    replies: dict[int, list] = {}
    for row in rows:
        if row.parent_id is not None and (moderator or not row.hidden):
            replies.setdefault(row.parent_id, []).append(row)
    tops = [row for row in reversed(rows) if row.parent_id is None and (moderator or not row.hidden)
            and not (row.deleted and not replies.get(row.id))]
    count = sum(1 for top in tops for row in (top, *replies.get(top.id, ())) if not row.hidden and not row.deleted)
    pages = max(1, -(-len(tops) // THREADS_PER_PAGE))
    shown = {row.id: row for top in tops for row in (top, *replies.get(top.id, ()))}
    if comment_id in shown:
        thread_id = shown[comment_id].parent_id or comment_id
        page = next(n for n, top in enumerate(tops) if top.id == thread_id) // THREADS_PER_PAGE + 1
    page = min(max(page, 1), pages)
    on_page = tops[(page - 1) * THREADS_PER_PAGE:page * THREADS_PER_PAGE]
    wanted = [row.id for top in on_page for row in (top, *replies.get(top.id, ()))]
    loaded = {comment.id: comment for comment in db.session.scalars(
        select(Comment).where(Comment.id.in_(wanted)).options(joinedload(Comment.author)))} if wanted else {}
    threads = [Thread(loaded[top.id], [loaded[row.id] for row in replies.get(top.id, ())]) for top in on_page]
    return ThreadPage(threads, page, pages, count)


def comment_path(practice: Practice, comment: Comment, external: bool = False) -> str:
    """A comment's own address: the practice page at the page of the discussion that holds it, whichever
    that is by the time the link is followed."""
    try:
        return url_for("practices.show", practice_id=practice.id, comment=comment.id, _anchor=f"comment-{comment.id}",
                       _external=external)
    except RuntimeError:  # no request and no SERVER_NAME (command line): a path is still useful
        return f"/practices/{practice.id}?comment={comment.id}#comment-{comment.id}"


# --- moderation queue -----------------------------------------------------------------------------


@dataclass
class FlaggedComment:
    comment: Comment
    flags: list[CommentFlag] = field(default_factory=list)


def flag_queue(user) -> list[FlaggedComment]:
    """Open flags on comments of practices this person moderates (site admins: all), oldest first."""
    if not permissions.can_see_flag_queue(user):
        return []
    query = (
        select(CommentFlag)
        .join(CommentFlag.comment)
        .join(Comment.practice)
        .where(CommentFlag.resolved_at.is_(None))
        .options(contains_eager(CommentFlag.comment).contains_eager(Comment.practice),
                 contains_eager(CommentFlag.comment).joinedload(Comment.author),
                 joinedload(CommentFlag.user))
        .order_by(CommentFlag.created_at, CommentFlag.id)
    )
    if not permissions.is_site_admin(user):
        query = query.where(Practice.institution_id == user.institution_id)
    queue: dict[int, FlaggedComment] = {}
    for flag in db.session.scalars(query).unique():
        queue.setdefault(flag.comment_id, FlaggedComment(flag.comment)).flags.append(flag)
    return list(queue.values())


# --- notifications --------------------------------------------------------------------------------


def _recipients(actor, practice: Practice) -> list[User]:
    """The practice's authors and followers, once each, never the commenter, only those who may read it."""
    followers = db.session.scalars(
        select(User).join(PracticeFollow, PracticeFollow.user_id == User.id)
        .where(PracticeFollow.practice_id == practice.id)
        .order_by(User.id)
    ).all()
    people: dict[int, User] = {}
    for user in [*practice.authors, *followers]:
        if user is None or user.id == actor.id or user.id in people:
            continue
        if user.is_active_account and permissions.can_view_practice(user, practice):
            people[user.id] = user
    return list(people.values())


def _notify(actor, practice: Practice, comment: Comment) -> list[tuple[str, str, str]]:
    """Add the notification rows to this transaction; return the emails to send once it has committed."""
    kind = "reply" if comment.parent_id else "comment"
    emails = []
    path = comment_path(practice, comment)
    link = comment_path(practice, comment, external=True)
    if kind == "reply":
        message = _l("%(name)s replied in the discussion of “%(title)s”.", name=actor.name, title=practice.title)
    else:
        message = _l("%(name)s commented on “%(title)s”.", name=actor.name, title=practice.title)
    for user in _recipients(actor, practice):
        # Each person's notification (rendered again in their language when read) and email in the language
        # they chose for the site (default otherwise).
        row = notifications.notification(user, kind, message, path)
        with force_locale(i18n.user_locale(user)):
            subject = _("New comment on “%(title)s”", title=practice.title)
            body = _("%(message)s\n\nRead it here: %(link)s\n\n"
                     "You receive this email because you wrote or follow this practice on Peer Network.",
                     message=row.message, link=link)
        db.session.add(row)
        if user.email_notifications:
            emails.append((user.email, subject[:200], body))
    return emails


def _send_emails(emails: list[tuple[str, str, str]]) -> None:
    mail.send_notifications(emails, "comment notification")




# --- follows and bookmarks ------------------------------------------------------------------------


def is_following(user, practice: Practice) -> bool:
    return bool(getattr(user, "is_authenticated", False)
                and db.session.get(PracticeFollow, (user.id, practice.id)))


def is_bookmarked(user, practice: Practice) -> bool:
    return bool(getattr(user, "is_authenticated", False) and db.session.get(Bookmark, (user.id, practice.id)))


def _add_once(row) -> None:
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:  # already there (a double click): nothing to do
        db.session.rollback()


def follow(user, practice: Practice) -> None:
    if db.session.get(PracticeFollow, (user.id, practice.id)) is None:
        _add_once(PracticeFollow(user_id=user.id, practice_id=practice.id))


def unfollow(user, practice: Practice) -> None:
    row = db.session.get(PracticeFollow, (user.id, practice.id))
    if row is not None:
        db.session.delete(row)
        db.session.commit()


def bookmark(user, practice: Practice) -> None:
    if db.session.get(Bookmark, (user.id, practice.id)) is None:
        _add_once(Bookmark(user_id=user.id, practice_id=practice.id))


def unbookmark(user, practice: Practice) -> None:
    row = db.session.get(Bookmark, (user.id, practice.id))
    if row is not None:
        db.session.delete(row)
        db.session.commit()


def bookmarks_of(user) -> list[Practice]:
    """The practices this person bookmarked and may still see, most recently bookmarked first."""
    from network.practices.services import visible_to

    return list(db.session.scalars(
        select(Practice).join(Bookmark, Bookmark.practice_id == Practice.id)
        .where(Bookmark.user_id == user.id, visible_to(user))
        .order_by(Bookmark.created_at.desc(), Practice.id.desc())
    ))


# --- the person's data export ---------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_data(user) -> dict:
    """Everything of the discussion that belongs to this person, for /account/data."""
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.created_at, Comment.id)
    )
    flags = db.session.scalars(
        select(CommentFlag).where(CommentFlag.user_id == user.id).order_by(CommentFlag.created_at)
    )
    follows = db.session.scalars(
        select(PracticeFollow).where(PracticeFollow.user_id == user.id).order_by(PracticeFollow.created_at)
    )
    bookmarks = db.session.scalars(
        select(Bookmark).where(Bookmark.user_id == user.id).order_by(Bookmark.created_at)
    )
    notifications = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.created_at)
    )
    return {
        "comments": [
            {"id": c.id, "practice_id": c.practice_id, "reply_to": c.parent_id, "body": c.body,
             "created_at": _iso(c.created_at), "edited_at": _iso(c.edited_at), "deleted": c.deleted,
             "hidden": c.hidden}
            for c in comments
        ],
        "flags": [
            {"comment_id": f.comment_id, "reason": f.reason, "created_at": _iso(f.created_at),
             "resolved_at": _iso(f.resolved_at)}
            for f in flags
        ],
        "follows": [{"practice_id": f.practice_id, "since": _iso(f.created_at)} for f in follows],
        "bookmarks": [{"practice_id": b.practice_id, "created_at": _iso(b.created_at)} for b in bookmarks],
        "notifications": [
            {"kind": n.kind, "message": n.message, "link": n.link, "created_at": _iso(n.created_at),
             "read_at": _iso(n.read_at)}
            for n in notifications
        ],
    }

