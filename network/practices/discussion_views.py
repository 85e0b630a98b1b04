"""Discussion on the practice page (comments, replies, flags, moderation), follows and bookmarks, the
moderation queue. Routes on the practices blueprint."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select

from network import permissions
from network.extensions import db
from network.forms import whole_number
from network.panels import panels
from network.practices import discussion, services
from network.practices.discussion_forms import ActionForm, CommentForm, EditCommentForm, FlagForm
from network.practices.models import Comment, CommentFlag, Practice
from network.practices.signals import practice_page
from network.practices.views import _practice_or_404, bp
from network.sanitize import render_comment
from network.web import REFUSED, attempt, form_status, outcome, safe_next

# --- helpers --------------------------------------------------------------------------------------


def _comment_or_404(practice: Practice, comment_id) -> Comment:
    """A comment of this practice that the visitor can see (hidden ones: moderators only)."""
    try:
        comment = discussion.get_comment(int(comment_id))
    except (TypeError, ValueError):
        comment = None
    if comment is None or comment.practice_id != practice.id:
        abort(404)
    hidden = comment.hidden or (comment.parent is not None and comment.parent.hidden)
    if hidden and not permissions.can_moderate_comments(current_user, practice):
        abort(404)
    return comment


def _at_comment(practice: Practice, comment: Comment | None = None) -> str:
    if comment is None:
        return url_for("practices.show", practice_id=practice.id, _anchor="discussion")
    return discussion.comment_path(practice, comment)


def _back(form, default: str):
    return redirect(safe_next(form.next.data) or default)


def _require_form(form: FlaskForm) -> None:
    if not form.validate_on_submit():  # a missing or stale CSRF token
        abort(400)


def show_context(practice: Practice) -> dict:
    """What the practice page needs (as practices.show gives it), to re-render it with a rejected comment."""
    return dict(
        practice=practice,
        sections=services.section_html(practice),
        translations=[p for p in services.translations(practice)
                      if permissions.can_view_practice(current_user, p)],
        action_form=FlaskForm(),
        panels=panels(practice_page, practice, viewer=current_user),
    )


@dataclass
class DiscussionView:
    """The discussion of one practice as the current visitor sees it."""

    threads: list[discussion.Thread]
    count: int
    page: int
    pages: int
    html: dict[int, Markup]
    can_comment: bool
    can_moderate: bool
    can_follow: bool
    can_bookmark: bool
    following: bool
    bookmarked: bool
    flagged: set[int] = field(default_factory=set)  # comments this visitor has already flagged
    form: CommentForm | None = None


@bp.app_template_global("discussion_of")
def discussion_of(practice: Practice, thread_id: int | None = None) -> DiscussionView:
    """Called by templates/practices/_discussion.html, so the show view needs to know nothing of it. The page
    of threads: the one holding thread_id (a refused reply, shown again with its message), or from the
    address: ?comments=<page>, or ?comment=<id> for the page holding that comment."""
    shown = discussion.thread_page(current_user, practice, page=whole_number(request.args.get("comments")) or 1,
                                   comment_id=thread_id or whole_number(request.args.get("comment"), digits=18))
    threads = shown.threads
    comments = [c for t in threads for c in (t.comment, *t.replies)]
    can_comment = permissions.can_comment(current_user, practice)
    flagged = set()
    if current_user.is_authenticated and comments:
        flagged = set(db.session.scalars(select(CommentFlag.comment_id).where(
            CommentFlag.user_id == current_user.id, CommentFlag.comment_id.in_([c.id for c in comments]))))
    return DiscussionView(
        threads=threads,
        count=shown.count,
        page=shown.page,
        pages=shown.pages,
        html={c.id: render_comment(c.body) for c in comments if not c.deleted},
        can_comment=can_comment,
        can_moderate=permissions.can_moderate_comments(current_user, practice),
        can_follow=permissions.can_follow_practice(current_user, practice),
        can_bookmark=permissions.can_bookmark_practice(current_user, practice),
        following=discussion.is_following(current_user, practice),
        bookmarked=discussion.is_bookmarked(current_user, practice),
        flagged=flagged,
        form=CommentForm(formdata=None) if can_comment else None,
    )


# A comment's own address, for the templates (the discussion, the flag queue, the comment's edit page).
bp.add_app_template_global(discussion.comment_path, "comment_path")


# --- comments -------------------------------------------------------------------------------------


@bp.route("/<int:practice_id>/comments", methods=["POST"])
@login_required
def add_comment(practice_id: int):
    practice = _practice_or_404(practice_id)
    permissions.require(permissions.can_comment, practice)
    form = CommentForm()
    _require_form(form)
    parent = _comment_or_404(practice, form.parent_id.data) if form.parent_id.data else None
    comment, refusal = outcome(lambda: discussion.add_comment(current_user, practice, form.body.data, parent))
    if refusal is not None:  # shown beside the comment or reply form it is about, or flashed if that is gone
        thread = (parent.parent or parent) if parent is not None else None
        if thread is not None and (thread.deleted or thread.hidden):
            flash(refusal.text, "error")  # no reply form left on the page to show the message next to
            return redirect(_at_comment(practice, thread))
        if thread is not None:
            reply_error = {"parent_id": thread.id, "body": form.body.data or "", "message": refusal.text}
            page = render_template("practices/show.html", **show_context(practice), reply_error=reply_error)
            return page, 422
        form.body.errors = [*form.body.errors, *refusal.messages]
        return render_template("practices/show.html", **show_context(practice), comment_form=form), 422
    flash(_("Your reply was added.") if comment.parent_id else _("Your comment was added."), "success")
    return redirect(_at_comment(practice, comment))


@bp.route("/<int:practice_id>/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit_comment(practice_id: int, comment_id: int):
    practice = _practice_or_404(practice_id)
    comment = _comment_or_404(practice, comment_id)
    permissions.require(permissions.can_edit_comment, comment)
    form = EditCommentForm(obj=comment)
    if form.validate_on_submit():
        if attempt(lambda: discussion.edit_comment(current_user, comment, form.body.data), _("Your comment was saved."),
                   form=form) is not REFUSED:
            return redirect(_at_comment(practice, comment))
    page = render_template("practices/comment_edit.html", practice=practice, comment=comment, form=form)
    return page, form_status(form)


@bp.route("/<int:practice_id>/comments/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete_comment(practice_id: int, comment_id: int):
    practice = _practice_or_404(practice_id)
    comment = _comment_or_404(practice, comment_id)
    permissions.require(permissions.can_edit_comment, comment)
    _require_form(ActionForm())
    discussion.delete_comment(current_user, comment)
    flash(_("Your comment was deleted."), "success")
    return redirect(_at_comment(practice))


@bp.route("/<int:practice_id>/comments/<int:comment_id>/flag", methods=["POST"])
@login_required
def flag_comment(practice_id: int, comment_id: int):
    practice = _practice_or_404(practice_id)
    comment = _comment_or_404(practice, comment_id)
    permissions.require(permissions.can_flag_comment, comment)
    form = FlagForm()
    _require_form(form)
    attempt(lambda: discussion.flag_comment(current_user, comment, form.reason.data),
            _("Thank you. The moderators will look at this comment."))
    return _back(form, _at_comment(practice, comment))


@bp.route("/<int:practice_id>/comments/<int:comment_id>/hide", methods=["POST"])
@login_required
def hide_comment(practice_id: int, comment_id: int):
    practice = _practice_or_404(practice_id)
    comment = _comment_or_404(practice, comment_id)
    permissions.require(permissions.can_moderate_comments, practice)
    form = ActionForm()
    _require_form(form)
    discussion.hide_comment(current_user, comment)
    flash(_("The comment is hidden. Only moderators see it now."), "success")
    return _back(form, _at_comment(practice, comment))


@bp.route("/<int:practice_id>/comments/<int:comment_id>/restore", methods=["POST"])
@login_required
def restore_comment(practice_id: int, comment_id: int):
    practice = _practice_or_404(practice_id)
    comment = _comment_or_404(practice, comment_id)
    permissions.require(permissions.can_moderate_comments, practice)
    form = ActionForm()
    _require_form(form)
    was_hidden = comment.hidden
    discussion.restore_comment(current_user, comment)
    flash(_("The comment is visible again.") if was_hidden else _("The flags were dismissed."), "success")
    return _back(form, _at_comment(practice, comment))


# --- follow and bookmark --------------------------------------------------------------------------


def _practice_action(practice_id: int, check, action, message: str):
    practice = _practice_or_404(practice_id)
    permissions.require(check, practice)
    form = ActionForm()
    _require_form(form)
    action(current_user, practice)
    flash(message, "success")
    return _back(form, _at_comment(practice))


@bp.route("/<int:practice_id>/follow", methods=["POST"])
@login_required
def follow(practice_id: int):
    return _practice_action(practice_id, permissions.can_follow_practice, discussion.follow,
                            _("You follow this practice: new comments will be in your notifications."))


@bp.route("/<int:practice_id>/unfollow", methods=["POST"])
@login_required
def unfollow(practice_id: int):
    return _practice_action(practice_id, permissions.can_follow_practice, discussion.unfollow,
                            _("You no longer follow this practice."))


@bp.route("/<int:practice_id>/bookmark", methods=["POST"])
@login_required
def bookmark(practice_id: int):
    return _practice_action(practice_id, permissions.can_bookmark_practice, discussion.bookmark,
                            _("Added to your bookmarks."))


@bp.route("/<int:practice_id>/unbookmark", methods=["POST"])
@login_required
def unbookmark(practice_id: int):
    return _practice_action(practice_id, permissions.can_bookmark_practice, discussion.unbookmark,
                            _("Removed from your bookmarks."))


@bp.route("/bookmarks")
@login_required
def bookmarks():
    return render_template("practices/bookmarks.html", practices=discussion.bookmarks_of(current_user),
                           action_form=ActionForm())


# --- moderation queue -----------------------------------------------------------------------------


@bp.route("/flags")
@login_required
def flags():
    permissions.require(permissions.can_see_flag_queue)
    queue = discussion.flag_queue(current_user)
    html = {item.comment.id: render_comment(item.comment.body) for item in queue if not item.comment.deleted}
    return render_template("practices/flags.html", queue=queue, html=html, action_form=ActionForm())
