"""Discussion of a practice: comments and one level of replies, edit and delete, flags and moderation,
notifications and emails, follows and bookmarks, the data export."""
import contextvars
import json

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event, func, select

from conftest import PASSWORD, read_html
from network import mail
from network.audit import AuditEntry
from network.auth import services as accounts
from network.auth.models import INSTITUTION_ADMIN, User
from network.errors import ServiceError
from network.extensions import db
from network.notifications import services as notifications
from network.notifications.models import Notification
from network.practices import discussion, services
from network.practices.models import Bookmark, Comment, CommentFlag, PracticeFollow


@pytest.fixture
def practice(users, make_practice):
    """A public practice of the Home Institution, written by its professional."""
    author = users["professional"]
    return make_practice(author.institution, actor=author, title="Interfamily groups")


class OwnContextClient(FlaskClient):
    """Every request in its own app context, as on a real server (see tests/auth/test_login.py): several
    people can browse side by side. Afterwards the test's session forgets what it had loaded."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


def browser(app):
    app.test_client_class = OwnContextClient
    return app.test_client()


def client_for(app, user):
    """A browser of its own, logged in as this person."""
    client = browser(app)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def comment_url(practice, comment=None, action=""):
    url = f"/practices/{practice.id}/comments"
    if comment is not None:
        url += f"/{comment.id}"
    return f"{url}/{action}" if action else url


def discussion_section(response):
    return read_html(response).select_one("section#discussion")


def comments_of(practice):
    query = select(Comment).where(Comment.practice_id == practice.id).order_by(Comment.id)
    return db.session.scalars(query).all()


# --- comments and replies -------------------------------------------------------------------------


def test_members_comment_and_reply_one_level_deep(app, users, practice):
    outsider = client_for(app, users["outsider"])
    response = outsider.post(comment_url(practice), data={"body": "We run *this* in Arad too."})
    assert response.status_code == 302
    first = comments_of(practice)[0]
    assert response.location.endswith(f"/practices/{practice.id}?comment={first.id}#comment-{first.id}")
    assert first.author == users["outsider"] and first.parent_id is None

    client_for(app, users["coordinator"]).post(comment_url(practice), data={"body": "How many families?",
                                                                            "parent_id": str(first.id)})
    reply = comments_of(practice)[1]
    assert reply.parent_id == first.id
    # A reply to a reply joins the thread of the top-level comment.
    client_for(app, users["evaluator"]).post(comment_url(practice), data={"body": "Twelve.",
                                                                          "parent_id": str(reply.id)})
    third = comments_of(practice)[2]
    assert third.parent_id == first.id

    section = discussion_section(outsider.get(f"/practices/{practice.id}"))
    assert section.h2.get_text(strip=True) == "Discussion"
    assert "3 comments" in section.get_text()
    top = section.select_one(f"#comment-{first.id}")
    assert top.select_one(".prose em").get_text() == "this"  # Markdown rendered
    replies = section.select("ol.comment-replies > li > article")
    assert [a["id"] for a in replies] == [f"comment-{reply.id}", f"comment-{third.id}"]
    assert users["coordinator"].name in replies[0].get_text()


def test_service_refuses_empty_and_overlong_comments(users, practice):
    actor = users["outsider"]
    for body in ("", "   \n ", "x" * (discussion.BODY_MAX + 1)):
        with pytest.raises(ServiceError) as error:
            discussion.add_comment(actor, practice, body)
        assert set(error.value.errors) == {"body"} and error.value.text
        db.session.rollback()
    assert discussion.add_comment(actor, practice, "x" * discussion.BODY_MAX).id
    assert discussion.add_comment(actor, practice, "  trimmed  ").body == "trimmed"


def test_reply_to_a_comment_of_another_practice_is_refused(app, users, practice, make_practice):
    other = make_practice(users["outsider"].institution, actor=users["outsider"], title="Other")
    foreign = discussion.add_comment(users["outsider"], other, "Elsewhere")
    with pytest.raises(ServiceError):
        discussion.add_comment(users["professional"], practice, "Reply", parent=foreign)
    db.session.rollback()
    response = client_for(app, users["professional"]).post(
        comment_url(practice), data={"body": "Reply", "parent_id": str(foreign.id)})
    assert response.status_code == 404


def test_a_rejected_comment_comes_back_with_the_text_and_the_message(app, users, practice):
    client = client_for(app, users["outsider"])
    long_text = "Our experience: " + "x" * discussion.BODY_MAX
    response = client.post(comment_url(practice), data={"body": long_text})
    assert response.status_code == 422
    page = read_html(response)
    assert page.h1.get_text(strip=True) == practice.title  # the practice page, as before
    textarea = page.select_one("form#new-comment textarea#body")
    assert textarea.get_text().strip() == long_text
    assert textarea["aria-invalid"] == "true"
    assert "body-error" in textarea["aria-describedby"]
    assert "at most 5000 characters" in page.select_one("#body-error").get_text()
    assert page.select_one('label[for="body"]') is not None

    empty = read_html(client.post(comment_url(practice), data={"body": "  "}))
    assert empty.select_one("#body-error") is not None
    assert comments_of(practice) == []


def test_a_rejected_reply_comes_back_in_its_open_reply_form(app, users, practice):
    top = discussion.add_comment(users["outsider"], practice, "First")
    client = client_for(app, users["coordinator"])
    response = client.post(comment_url(practice), data={"body": "y" * 5001, "parent_id": str(top.id)})
    assert response.status_code == 422
    page = read_html(response)
    details = page.select_one(f"#reply-{top.id}-body").find_parent("details")
    assert details.has_attr("open")
    assert page.select_one(f"#reply-{top.id}-body").get_text().strip() == "y" * 5001
    assert page.select_one(f"#reply-{top.id}-error") is not None
    assert page.select_one("textarea#body").get_text().strip() == ""  # the new-comment form stays empty


def test_anonymous_visitors_cannot_comment_and_are_told_to_log_in(app, users, practice, make_practice):
    client = browser(app)
    response = client.post(comment_url(practice), data={"body": "Hello"})
    assert response.status_code == 302 and "/login" in response.location
    section = discussion_section(client.get(f"/practices/{practice.id}"))
    assert section.select_one("form#new-comment") is None
    assert section.select_one('a[href^="/login"]').get_text(strip=True) == "Log in to join the discussion."

    members_only = make_practice(users["professional"].institution, actor=users["professional"],
                                 visibility="members", title="For members")
    assert client.get(f"/practices/{members_only.id}").status_code == 404
    response = client.post(comment_url(members_only), data={"body": "Let me in"})
    assert response.status_code in (302, 404)
    assert comments_of(members_only) == []


def test_pending_members_are_told_they_can_comment_once_approved(app, users, practice):
    pending = client_for(app, users["pending"])
    assert pending.post(comment_url(practice), data={"body": "Hi"}).status_code == 403
    section = discussion_section(pending.get(f"/practices/{practice.id}"))
    assert section.select_one("form#new-comment") is None
    assert "once your institution has approved your membership" in section.get_text()


def test_comments_need_a_csrf_token(csrf_app, users, practice):
    client = client_for_csrf(csrf_app, users["outsider"])
    assert client.post(comment_url(practice), data={"body": "No token"}).status_code == 400
    assert comments_of(practice) == []
    form = read_html(client.get(f"/practices/{practice.id}")).select_one("form#new-comment")
    token = form.select_one('input[name="csrf_token"]')["value"]
    response = client.post(form["action"], data={"body": "With token", "csrf_token": token})
    assert response.status_code == 302
    assert [c.body for c in comments_of(practice)] == ["With token"]


def client_for_csrf(app, user):
    client = browser(app)
    page = read_html(client.get("/login"))
    token = page.select_one('input[name="csrf_token"]')["value"]
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    return client


# --- edit and delete ------------------------------------------------------------------------------


def test_only_the_author_edits_a_comment(app, users, practice):
    comment = discussion.add_comment(users["outsider"], practice, "Frist!")
    author = client_for(app, users["outsider"])
    page = read_html(author.get(comment_url(practice, comment, "edit")))
    assert page.select_one("textarea#body").get_text().strip() == "Frist!"
    assert page.select_one('label[for="body"]') is not None
    response = author.post(comment_url(practice, comment, "edit"), data={"body": "First!"})
    assert response.status_code == 302 and response.location.endswith(f"#comment-{comment.id}")
    db.session.refresh(comment)
    assert comment.body == "First!" and comment.edited_at is not None

    assert author.post(comment_url(practice, comment, "edit"), data={"body": ""}).status_code == 422
    for other in ("professional", "institution_admin", "site_admin"):
        client = client_for(app, users[other])
        assert client.get(comment_url(practice, comment, "edit")).status_code == 403
        response = client.post(comment_url(practice, comment, "edit"), data={"body": "Mine now"})
        assert response.status_code == 403
        assert client.post(comment_url(practice, comment, "delete")).status_code == 403
    db.session.refresh(comment)
    assert comment.body == "First!"


def test_edit_and_delete_buttons_show_only_on_own_comments(app, users, practice):
    own = discussion.add_comment(users["outsider"], practice, "Mine")
    theirs = discussion.add_comment(users["coordinator"], practice, "Theirs")
    section = discussion_section(client_for(app, users["outsider"]).get(f"/practices/{practice.id}"))
    assert section.select_one(f'#comment-{own.id} a[href$="/edit"]') is not None
    assert section.select_one(f'#comment-{own.id} form[action$="/delete"]') is not None
    assert section.select_one(f'#comment-{theirs.id} a[href$="/edit"]') is None
    assert section.select_one(f'#comment-{theirs.id} form[action$="/delete"]') is None


def test_deleting_a_comment_without_replies_removes_it(app, users, practice):
    comment = discussion.add_comment(users["outsider"], practice, "Oops")
    response = client_for(app, users["outsider"]).post(comment_url(practice, comment, "delete"))
    assert response.status_code == 302
    assert comments_of(practice) == []


def test_deleting_a_comment_with_replies_leaves_a_placeholder(app, users, practice):
    top = discussion.add_comment(users["outsider"], practice, "Secret details")
    reply = discussion.add_comment(users["coordinator"], practice, "A reply", parent=top)
    author = client_for(app, users["outsider"])
    assert author.post(comment_url(practice, top, "delete")).status_code == 302
    db.session.refresh(top)
    assert top.deleted and top.body == ""
    section = discussion_section(author.get(f"/practices/{practice.id}"))
    assert "This comment was deleted." in section.select_one(f"#comment-{top.id}").get_text()
    assert "Secret details" not in section.get_text()
    assert "A reply" in section.select_one(f"#comment-{reply.id}").get_text()
    assert "1 comment" in section.get_text()
    # Nobody can edit or reply to the placeholder.
    assert author.get(comment_url(practice, top, "edit")).status_code == 403
    assert section.select_one(f"#reply-{top.id}-body") is None

    # When its last reply goes, the placeholder goes too.
    client_for(app, users["coordinator"]).post(comment_url(practice, reply, "delete"))
    assert comments_of(practice) == []


def test_former_members_comments_stay_without_their_name(app, users, practice):
    leaver = users["outsider"]
    comment = discussion.add_comment(leaver, practice, "Still useful")
    accounts.delete_account(leaver, PASSWORD)
    section = discussion_section(browser(app).get(f"/practices/{practice.id}"))
    assert "former member" in section.select_one(f"#comment-{comment.id}").get_text()


# --- flags ----------------------------------------------------------------------------------------


def test_anyone_logged_in_flags_a_comment_once(app, users, practice):
    comment = discussion.add_comment(users["outsider"], practice, "Buy cheap pills")
    pending = client_for(app, users["pending"])
    response = pending.post(comment_url(practice, comment, "flag"), data={"reason": "spam"})
    assert response.status_code == 302
    pending.post(comment_url(practice, comment, "flag"), data={"reason": "again"})
    flags = db.session.scalars(select(CommentFlag)).all()
    assert [(f.user_id, f.reason) for f in flags] == [(users["pending"].id, "spam")]
    page = read_html(pending.get(f"/practices/{practice.id}"))
    assert "already flagged" in page.select_one(".flashes").get_text()
    assert "You flagged this comment." in page.select_one(f"#comment-{comment.id}").get_text()

    client_for(app, users["evaluator"]).post(comment_url(practice, comment, "flag"), data={"reason": ""})
    assert db.session.scalar(select(func.count(CommentFlag.id))) == 2

    with pytest.raises(ServiceError):
        discussion.flag_comment(users["coordinator"], comment, "x" * 501)
    anonymous = browser(app).post(comment_url(practice, comment, "flag"))
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_nobody_flags_their_own_comment(app, users, practice):
    comment = discussion.add_comment(users["outsider"], practice, "Mine")
    author = client_for(app, users["outsider"])
    section = discussion_section(author.get(f"/practices/{practice.id}"))
    assert section.select_one(f'#comment-{comment.id} form[action$="/flag"]') is None
    assert author.post(comment_url(practice, comment, "flag")).status_code == 403
    assert db.session.scalar(select(func.count(CommentFlag.id))) == 0


# --- moderation -----------------------------------------------------------------------------------


@pytest.fixture
def other_admin(make_user, users):
    return make_user(INSTITUTION_ADMIN, institution=users["outsider"].institution)


def test_hide_and_restore_by_the_owning_institutions_admin_and_site_admins(app, users, practice, other_admin):
    comment = discussion.add_comment(users["outsider"], practice, "Rude words")
    for name in ("professional", "outsider", "coordinator", "evaluator", "pending"):
        client = client_for(app, users[name])
        assert client.post(comment_url(practice, comment, "hide")).status_code == 403, name
    assert client_for(app, other_admin).post(comment_url(practice, comment, "hide")).status_code == 403

    for name in ("institution_admin", "site_admin"):
        moderator = client_for(app, users[name])
        assert moderator.post(comment_url(practice, comment, "hide")).status_code == 302
        db.session.refresh(comment)
        assert comment.hidden and comment.hidden_by_id == users[name].id
        assert moderator.post(comment_url(practice, comment, "restore")).status_code == 302
        db.session.refresh(comment)
        assert not comment.hidden and comment.hidden_by_id is None

    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("comment.%"))
                                 .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["comment.hidden", "comment.restored"] * 2
    assert all(e.details["comment_id"] == comment.id and e.target_id == practice.id for e in entries)


def test_a_hidden_comment_is_seen_only_by_moderators(app, users, practice):
    top = discussion.add_comment(users["outsider"], practice, "Offensive remark")
    reply = discussion.add_comment(users["coordinator"], practice, "Reply under it", parent=top)
    visible = discussion.add_comment(users["evaluator"], practice, "Fine comment")
    discussion.hide_comment(users["institution_admin"], top)

    for name in ("outsider", "professional", "pending"):
        client = client_for(app, users[name])
        section = discussion_section(client.get(f"/practices/{practice.id}"))
        text = section.get_text()
        assert "Offensive remark" not in text and "Reply under it" not in text, name
        assert section.select_one(f"#comment-{top.id}") is None
        assert "hidden" not in text
        assert "1 comment" in text and "Fine comment" in text
        assert client.get(comment_url(practice, top, "edit")).status_code == 404
        assert client.post(comment_url(practice, top, "flag")).status_code == 404
        assert client.post(comment_url(practice, reply, "flag")).status_code == 404
    anonymous = discussion_section(browser(app).get(f"/practices/{practice.id}")).get_text()
    assert "Offensive remark" not in anonymous

    for name in ("institution_admin", "site_admin"):
        section = discussion_section(client_for(app, users[name]).get(f"/practices/{practice.id}"))
        article = section.select_one(f"#comment-{top.id}")
        assert "Offensive remark" in article.get_text()
        assert article.select_one(".badge").get_text(strip=True) == "hidden"
        assert article.select_one('form[action$="/restore"]') is not None
        assert section.select_one(f'#comment-{visible.id} form[action$="/hide"]') is not None
        assert section.select_one(f"#reply-{top.id}-body") is None  # no replies to a hidden comment
    with pytest.raises(ServiceError):
        discussion.add_comment(users["evaluator"], practice, "Reply", parent=top)


def test_the_flag_queue_shows_each_moderator_their_institutions_comments(
        app, users, practice, other_admin, make_practice):
    other_practice = make_practice(users["outsider"].institution, actor=users["outsider"],
                                   title="Arad practice")
    home_comment = discussion.add_comment(users["outsider"], practice, "Spam at home")
    other_comment = discussion.add_comment(users["coordinator"], other_practice, "Spam in Arad")
    discussion.add_comment(users["evaluator"], practice, "Nobody flags this")
    discussion.flag_comment(users["evaluator"], home_comment, "advertising")
    discussion.flag_comment(users["pending"], home_comment, "")
    discussion.flag_comment(users["evaluator"], other_comment, "")

    def queue(user):
        return [(item.comment.id, len(item.flags)) for item in discussion.flag_queue(user)]

    assert queue(users["institution_admin"]) == [(home_comment.id, 2)]
    assert queue(other_admin) == [(other_comment.id, 1)]
    assert queue(users["site_admin"]) == [(home_comment.id, 2), (other_comment.id, 1)]
    assert queue(users["professional"]) == []

    client = client_for(app, users["institution_admin"])
    page = read_html(client.get("/practices/flags"))
    assert "Spam at home" in page.get_text() and "advertising" in page.get_text()
    assert "Spam in Arad" not in page.get_text()
    for name in ("professional", "outsider", "coordinator"):
        assert client_for(app, users[name]).get("/practices/flags").status_code == 403
    assert browser(app).get("/practices/flags").status_code == 302

    # Hiding settles the flags; the moderator goes back to the queue.
    response = client.post(comment_url(practice, home_comment, "hide"), data={"next": "/practices/flags"})
    assert response.location.endswith("/practices/flags")
    assert queue(users["institution_admin"]) == []
    assert all(f.resolved_at is not None for f in db.session.scalars(
        select(CommentFlag).where(CommentFlag.comment_id == home_comment.id)))
    # Keeping a flagged comment visible settles its flags too.
    client_for(app, other_admin).post(comment_url(other_practice, other_comment, "restore"))
    assert queue(users["site_admin"]) == []
    db.session.refresh(other_comment)
    assert not other_comment.hidden


def test_moderation_redirect_goes_only_to_a_local_page(app, users, practice):
    comment = discussion.add_comment(users["outsider"], practice, "Hm")
    response = client_for(app, users["site_admin"]).post(
        comment_url(practice, comment, "hide"), data={"next": "https://evil.example/"})
    assert "evil" not in response.location


# --- notifications and email ----------------------------------------------------------------------


def notified(user):
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def test_authors_and_followers_are_notified_but_not_the_commenter(app, users, practice, outbox):
    author, follower, commenter = users["professional"], users["evaluator"], users["outsider"]
    discussion.follow(follower, practice)
    comment = discussion.add_comment(commenter, practice, "A question")
    for user in (author, follower):
        [notification] = notified(user)
        assert notification.kind == "comment"
        assert commenter.name in notification.message and practice.title in notification.message
        assert notification.link == f"/practices/{practice.id}?comment={comment.id}#comment-{comment.id}"
    assert notified(commenter) == []
    # Commenting follows the practice: the commenter hears of the answer.
    assert db.session.get(PracticeFollow, (commenter.id, practice.id)) is not None
    discussion.add_comment(author, practice, "An answer", parent=comment)
    assert [n.kind for n in notified(commenter)] == ["reply"]
    assert len(notified(author)) == 1  # not told of their own reply
    assert outbox == []  # no MAIL_SERVER: no email at all


def test_followers_who_may_no_longer_read_the_practice_are_not_notified(users, make_practice):
    members_only = make_practice(users["professional"].institution, actor=users["professional"],
                                 visibility="members")
    discussion.follow(users["pending"], members_only)
    discussion.add_comment(users["outsider"], members_only, "Members talk")
    assert notified(users["pending"]) == []


def test_unread_count_in_the_header_and_the_notifications_page(app, users, practice):
    for n in range(3):
        discussion.add_comment(users["outsider"], practice, f"Comment {n}")
    client = client_for(app, users["professional"])
    page = read_html(client.get("/"))
    nav = page.select_one(".account-nav")
    assert nav.select_one('a[href="/notifications"]').get_text(strip=True) == "Notifications (3)"
    assert nav.select_one('a[href="/practices/bookmarks"]').get_text(strip=True) == "Bookmarks"

    page = read_html(client.get("/notifications"))
    items = page.select("ol.notifications > li")
    assert len(items) == 3 and all("unread" in li["class"] for li in items)
    newest = comments_of(practice)[-1]
    assert items[0].a["href"] == f"/practices/{practice.id}?comment={newest.id}#comment-{newest.id}"

    assert client.post("/notifications/read-all").status_code == 302
    assert notifications.unread_count(users["professional"]) == 0
    page = read_html(client.get("/notifications"))
    header_link = page.select_one('.account-nav a[href="/notifications"]')
    assert header_link.get_text(strip=True) == "Notifications (0)"
    assert page.select("ol.notifications > li.unread") == []
    assert browser(app).get("/notifications").status_code == 302


def test_notifications_are_paginated(app, users, practice):
    author = users["professional"]
    for n in range(25):
        db.session.add(Notification(user_id=author.id, kind="comment", message=f"Message {n:02d}", link="/"))
    db.session.commit()
    client = client_for(app, author)
    assert len(read_html(client.get("/notifications")).select("ol.notifications > li")) == 20
    second = read_html(client.get("/notifications?page=2"))
    assert len(second.select("ol.notifications > li")) == 5
    assert client.get("/notifications?page=abc").status_code == 200


class FakeSMTP:
    sent = []
    fail = False

    def __init__(self, host, port, timeout=None):
        self.host = host

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, username, password):
        pass

    def send_message(self, message):
        if FakeSMTP.fail:
            raise OSError("connection refused")
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(app, monkeypatch):
    FakeSMTP.sent, FakeSMTP.fail = [], False
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config["MAIL_SERVER"] = "smtp.example.org"
    return FakeSMTP


def test_emails_go_out_after_the_commit_when_mail_is_configured(app, users, practice, smtp, outbox):
    discussion.follow(users["evaluator"], practice)
    response = client_for(app, users["outsider"]).post(comment_url(practice), data={"body": "Hello"})
    assert response.status_code == 302
    recipients = sorted(m["To"] for m in smtp.sent)
    assert recipients == sorted([users["professional"].email, users["evaluator"].email])
    comment = comments_of(practice)[0]
    body = smtp.sent[0].get_content()
    assert f"http://localhost/practices/{practice.id}?comment={comment.id}#comment-{comment.id}" in body
    assert practice.title in smtp.sent[0]["Subject"]
    assert outbox == []


def test_a_failing_mail_server_does_not_lose_the_comment(app, users, practice, smtp):
    smtp.fail = True
    response = client_for(app, users["outsider"]).post(comment_url(practice), data={"body": "Still saved"})
    assert response.status_code == 302
    assert [c.body for c in comments_of(practice)] == ["Still saved"]
    assert len(notified(users["professional"])) == 1


# --- follow and bookmarks -------------------------------------------------------------------------


def test_follow_and_unfollow(app, users, practice):
    client = client_for(app, users["evaluator"])
    section = discussion_section(client.get(f"/practices/{practice.id}"))
    assert section.select_one(f'form[action="/practices/{practice.id}/follow"]') is not None
    assert client.post(f"/practices/{practice.id}/follow").status_code == 302
    client.post(f"/practices/{practice.id}/follow")  # twice is harmless
    assert discussion.is_following(users["evaluator"], practice)
    section = discussion_section(client.get(f"/practices/{practice.id}"))
    assert section.select_one(f'form[action="/practices/{practice.id}/unfollow"]') is not None
    client.post(f"/practices/{practice.id}/unfollow")
    assert not discussion.is_following(users["evaluator"], practice)
    assert browser(app).post(f"/practices/{practice.id}/follow").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(PracticeFollow)) == 0


def test_bookmarks_make_a_personal_list(app, users, practice, make_practice):
    draft = make_practice(users["professional"].institution, actor=users["professional"],
                          title="Later a draft")
    client = client_for(app, users["outsider"])
    assert client.post(f"/practices/{practice.id}/bookmark").status_code == 302
    client.post(f"/practices/{draft.id}/bookmark")
    page = read_html(client.get("/practices/bookmarks"))
    titles = [a.get_text(strip=True) for a in page.select(".practice-list h2 a")]
    assert titles == ["Later a draft", "Interfamily groups"]

    # A practice the person may no longer see drops out of the list.
    services.change_status(users["professional"], draft, "draft")
    page = read_html(client.get("/practices/bookmarks"))
    assert [a.get_text(strip=True) for a in page.select(".practice-list h2 a")] == ["Interfamily groups"]
    assert client.post(f"/practices/{draft.id}/bookmark").status_code == 404

    response = client.post(f"/practices/{practice.id}/unbookmark", data={"next": "/practices/bookmarks"})
    assert response.location.endswith("/practices/bookmarks")
    assert "no bookmarks yet" in read_html(client.get("/practices/bookmarks")).get_text()
    assert discussion.bookmarks_of(users["professional"]) == []
    assert browser(app).get("/practices/bookmarks").status_code == 302


# --- the person's data ----------------------------------------------------------------------------


def test_the_data_export_includes_the_discussion(app, users, practice):
    person = users["outsider"]
    comment = discussion.add_comment(person, practice, "My words")
    discussion.bookmark(person, practice)
    discussion.flag_comment(person, discussion.add_comment(users["evaluator"], practice, "Theirs"), "rude")
    discussion.add_comment(users["professional"], practice, "Answer", parent=comment)
    response = client_for(app, person).get("/account/data.json")
    data = json.loads(response.get_data(as_text=True))["practices_discussion"]
    assert [c["body"] for c in data["comments"]] == ["My words"]
    assert data["bookmarks"][0]["practice_id"] == practice.id
    assert data["follows"][0]["practice_id"] == practice.id
    assert data["flags"][0]["reason"] == "rude"
    assert len(data["notifications"]) == 2  # the evaluator's comment and the answer
    assert db.session.scalar(select(func.count()).select_from(Bookmark)) == 1


# --- the page itself ------------------------------------------------------------------------------


def test_every_control_is_labelled_and_every_id_unique(app, users, practice):
    top = discussion.add_comment(users["outsider"], practice, "One")
    discussion.add_comment(users["coordinator"], practice, "Two", parent=top)
    discussion.add_comment(users["site_admin"], practice, "Three")
    section = discussion_section(client_for(app, users["site_admin"]).get(f"/practices/{practice.id}"))
    ids = [element["id"] for element in section.find_all(id=True)]
    assert len(ids) == len(set(ids)), ids
    controls = section.select("textarea, input:not([type=hidden]), select")
    assert len(controls) >= 5
    for control in controls:
        assert section.select_one(f'label[for="{control["id"]}"]') is not None, control
    for form in section.find_all("form"):
        assert form["method"] == "post"
        assert form.select_one('input[name="csrf_token"]') is not None
    for button in section.find_all("button"):
        assert button.get_text(strip=True), button


def test_the_discussion_does_not_query_once_per_comment(app, users, practice):
    practice_id = practice.id
    people = [users[name].id for name in ("outsider", "coordinator", "evaluator")]
    client = client_for(app, users["institution_admin"])

    def statements_for_page():
        db.session.expunge_all()  # nothing already loaded: the page must fetch all it shows
        statements = []

        def count(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/practices/{practice_id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    def comment(n, parent_id=None):
        author = db.session.get(User, people[n % 3])
        parent = db.session.get(Comment, parent_id) if parent_id else None
        return discussion.add_comment(author, services.get(practice_id), f"C{n}", parent)

    top = comment(0).id
    few = statements_for_page()
    for n in range(1, 13):
        comment(n, top if n % 2 else None)
    assert statements_for_page() == few


def test_a_notification_is_shown_in_the_language_of_whoever_reads_it(app, client, auth, users, make_practice):
    """Written while its recipient's interface was English, read after they chose Spanish: Spanish."""
    from network.auth import services as accounts

    author = users["professional"]
    practice = make_practice(author.institution, actor=author, title="Grupos")
    discussion.add_comment(users["outsider"], practice, "Hola")
    row = db.session.scalar(select(Notification).where(Notification.user_id == author.id))
    assert row.message.endswith("commented on “Grupos”.")  # the English of the moment it was written
    accounts.set_locale(author, "es")
    auth.login(author)
    page = read_html(client.get("/notifications")).get_text(" ", strip=True)
    assert "comentó" in page or "comentado" in page, page[:500]
    assert "commented on" not in page


def test_a_person_chooses_whether_notifications_also_come_by_email(app, client, auth, users, practice, smtp):
    author = users["professional"]
    auth.login(author)
    checkbox = read_html(client.get("/account")).find("input", attrs={"name": "email_notifications"})
    assert checkbox.has_attr("checked")  # on by default
    assert client.post("/account/notifications", data={}).status_code == 302  # unticked
    assert client.get("/account/data.json").get_json()["account"]["email_notifications"] is False

    discussion.add_comment(users["outsider"], practice, "A question")
    assert author.email not in [m["To"] for m in smtp.sent]  # no email...
    assert practice.title in client.get("/notifications").get_data(as_text=True)  # ...the notification is there

    client.post("/account/notifications", data={"email_notifications": "y"})
    discussion.add_comment(users["outsider"], practice, "Another question")
    assert author.email in [m["To"] for m in smtp.sent]
