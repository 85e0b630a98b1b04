"""What practices put on the home page (network/home.py): flagged comments to moderate; new practices in the
person's sectors and languages and the discussions they follow; sharing a first practice; and, for visitors, the
newest public practices."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import and_, func, or_, select

from network import home, permissions
from network.extensions import db
from network.institutions.models import Institution
from network.practices.models import (
    PUBLIC,
    PUBLISHED,
    Comment,
    CommentFlag,
    Practice,
    PracticeAuthor,
    PracticeFollow,
    PracticeSector,
)
from network.practices.services import visible_to


def tasks(user) -> list[home.HomeItem]:
    """The comments flagged on the practices this person moderates (network.practices.discussion.flag_queue's
    rule: permissions.can_see_flag_queue, their institution's practices, every practice for site admins)."""
    if not permissions.can_see_flag_queue(user):
        return []
    query = (select(func.count(func.distinct(CommentFlag.comment_id))).join(Comment, CommentFlag.comment_id == Comment.id)
             .join(Practice, Comment.practice_id == Practice.id).where(CommentFlag.resolved_at.is_(None)))
    if not permissions.is_site_admin(user):
        query = query.where(Practice.institution_id == user.institution_id)
    flagged = db.session.scalar(query) or 0
    if not flagged:
        return []
    return [home.HomeItem("flagged_comments", lazy_ngettext(
        "%(num)d flagged comment waits for your decision", "%(num)d flagged comments wait for your decision",
        flagged), url_for("practices.flags"))]


def news(user) -> list[home.HomeItem]:
    return _new_practices(user) + _followed_discussions(user)


def _new_practices(user) -> list[home.HomeItem]:
    """Practices published lately in the person's sectors and languages, not their own."""
    sectors, languages = home.interests(user)
    if not languages:
        return []
    query = select(Practice.id, Practice.title, Practice.language, Practice.published_at).where(
        Practice.status == PUBLISHED, visible_to(user), Practice.published_at >= home.since(),
        Practice.language.in_(languages),
        or_(Practice.created_by_id.is_(None), Practice.created_by_id != user.id),
        Practice.id.not_in(select(PracticeAuthor.practice_id).where(PracticeAuthor.user_id == user.id)))
    if sectors:
        query = query.where(Practice.id.in_(select(PracticeSector.practice_id).where(PracticeSector.sector.in_(sectors))))
    rows = db.session.execute(query.order_by(Practice.published_at.desc(), Practice.id.desc())
                              .limit(home.LIMIT + 1)).all()
    return home.some(rows, lambda row: home.HomeItem(
        "new_practice", _l("New practice: %(title)s"), url_for("practices.show", practice_id=row.id),
        {"title": home.Text(row.title, row.language)}, when=row.published_at),
        lambda: home.HomeItem("more_practices", _l("All the practices, newest first"),
                              url_for("practices.index", sort="newest")))


def _followed_discussions(user) -> list[home.HomeItem]:
    """The practices the person follows with comments by others since they began following (lately): one query,
    grouped by practice."""
    newest = func.max(Comment.created_at).label("newest")
    rows = db.session.execute(
        select(Practice.id, Practice.title, Practice.language, func.count(Comment.id).label("comments"), newest)
        .join(PracticeFollow, and_(PracticeFollow.practice_id == Practice.id, PracticeFollow.user_id == user.id))
        .join(Comment, Comment.practice_id == Practice.id)
        .where(Comment.created_at > PracticeFollow.created_at, Comment.created_at >= home.since(),
               Comment.hidden.is_(False), Comment.deleted.is_(False),
               or_(Comment.author_id.is_(None), Comment.author_id != user.id), visible_to(user))
        .group_by(Practice.id, Practice.title, Practice.language)
        .order_by(newest.desc()).limit(home.LIMIT)).all()
    return [home.HomeItem(
        "followed_discussion", _l("New in the discussion of %(title)s"),
        url_for("practices.show", practice_id=row.id, _anchor="discussion"),
        {"title": home.Text(row.title, row.language)}, when=row.newest,
        details=(home.Words(lazy_ngettext("%(num)d new comment", "%(num)d new comments", row.comments)),))
        for row in rows]


def first_steps(user) -> list[home.HomeItem]:
    """Sharing a first practice, for a member who may and has written none."""
    if not permissions.can_create_practice(user):
        return []
    written = db.session.scalar(select(or_(
        select(PracticeAuthor.practice_id).where(PracticeAuthor.user_id == user.id).exists(),
        select(Practice.id).where(Practice.created_by_id == user.id).exists())))
    if written:
        return []
    return [home.HomeItem("first_practice", _l("Share your first practice"), url_for("practices.create"))]


def showcase(visitor) -> list[home.Showcase]:
    """The newest public practices (the page is cached for every visitor: public ones only, whoever asks)."""
    rows = db.session.execute(
        select(Practice.id, Practice.title, Practice.language, Practice.summary, Practice.published_at,
               Institution.name.label("institution"), Practice.country)
        .join(Institution, Practice.institution_id == Institution.id)
        .where(Practice.status == PUBLISHED, Practice.visibility == PUBLIC)
        .order_by(Practice.published_at.desc(), Practice.id.desc()).limit(home.LIMIT)).all()
    if not rows:
        return []
    items = tuple(home.HomeItem(
        "practice", home.Text(row.title, row.language), url_for("practices.show", practice_id=row.id),
        when=row.published_at,
        details=(home.Words(_l("%(institution)s, %(country)s"),
                            {"institution": home.Text(row.institution), "country": home.Country(row.country)}),
                 home.Words(home.Text(row.summary, row.language))))
        for row in rows)
    return [home.Showcase(_l("Newest practices"), items, url_for("practices.index"), _l("All the practices"), 10)]


def connect() -> None:
    home.connect(tasks=tasks, news=news, first_steps=first_steps, showcase=showcase)
