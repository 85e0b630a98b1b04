"""Forgotten passwords: /reset-password emails a single-use link valid for an hour."""
import contextvars
import hashlib
import re
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from conftest import PASSWORD, read_html
from network.auth.models import LoginAttempt, PasswordResetToken
from network.extensions import db
from network.types import utcnow

NEW_PASSWORD = "a completely new password"
LINK = re.compile(r"http://localhost/reset-password/([A-Za-z0-9_-]+)")


class OwnContextClient(FlaskClient):
    """Runs every request in its own app context, as a real server does (see test_login.py)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = OwnContextClient
    return app.test_client()


@pytest.fixture
def person(users):
    return users["professional"]


def flashes(response):
    return [p.get_text(strip=True) for p in read_html(response).select(".flash")]


def request_link(client, outbox, email):
    """Ask for a reset link; return the token from the email it produced."""
    sent = len(outbox)
    response = client.post("/reset-password", data={"email": email})
    assert response.status_code == 302
    assert len(outbox) == sent + 1
    tokens = LINK.findall(outbox[-1].get_content())
    assert len(tokens) == 1
    return tokens[0]


def set_password(client, token, password=NEW_PASSWORD, confirm=None):
    return client.post(
        f"/reset-password/{token}", data={"password": password, "confirm": confirm or password}
    )


def can_log_in(app, email, password):
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def test_request_page_renders(client):
    response = client.get("/reset-password")
    assert response.status_code == 200
    assert read_html(response).select_one("input#email") is not None


def test_request_for_an_existing_email_sends_one_link(client, outbox, person):
    response = client.post("/reset-password", data={"email": person.email})
    assert response.status_code == 302
    assert response.location == "/login"
    assert len(outbox) == 1
    message = outbox[0]
    assert message["To"] == person.email
    assert message["Subject"] == "Reset your Peer Network password"
    body = message.get_content()
    assert len(LINK.findall(body)) == 1
    assert "60 minutes" in body
    assert person.name in body
    row = db.session.scalar(select(PasswordResetToken))
    assert row.user_id == person.id
    # Only the token's hash is stored.
    assert row.token_hash == hashlib.sha256(LINK.findall(body)[0].encode()).hexdigest()
    assert timedelta(minutes=59) < row.expires_at - utcnow() <= timedelta(hours=1)


def test_request_is_case_insensitive(client, outbox, person):
    client.post("/reset-password", data={"email": person.email.upper()})
    assert len(outbox) == 1
    assert outbox[0]["To"] == person.email


def test_unknown_email_gets_the_same_answer_and_no_email(client, outbox, person):
    known = client.post("/reset-password", data={"email": person.email})
    known_flashes = flashes(client.get(known.location))
    outbox.clear()

    unknown = client.post("/reset-password", data={"email": "nobody@example.org"})
    assert unknown.status_code == known.status_code == 302
    assert unknown.location == known.location
    assert flashes(client.get(unknown.location)) == known_flashes
    assert known_flashes == [
        "If an account uses this address, we have sent it a link to choose a new password."
    ]
    assert outbox == []
    assert db.session.scalar(
        select(PasswordResetToken.id).where(PasswordResetToken.user_id != person.id)
    ) is None


def test_disabled_account_gets_no_link(client, outbox, person):
    person.is_active_account = False
    db.session.commit()
    assert client.post("/reset-password", data={"email": person.email}).status_code == 302
    assert outbox == []


def test_invalid_email_is_refused_with_422(client, outbox):
    response = client.post("/reset-password", data={"email": "not-an-email"})
    assert response.status_code == 422
    assert outbox == []


def test_the_link_shows_the_new_password_form(client, outbox, person):
    token = request_link(client, outbox, person.email)
    response = client.get(f"/reset-password/{token}")
    assert response.status_code == 200
    assert read_html(response).select_one("input#password[type=password]") is not None


def test_using_the_link_sets_a_new_password(app, client, outbox, person):
    token = request_link(client, outbox, person.email)
    response = set_password(client, token)
    assert response.status_code == 302
    assert response.location == "/login"
    assert "Your password has been changed. Please log in with the new one." in flashes(client.get("/login"))
    assert can_log_in(app, person.email, NEW_PASSWORD)
    assert not can_log_in(app, person.email, PASSWORD)


def test_the_reset_ends_existing_sessions(app, client, outbox, person):
    logged_in = app.test_client()
    logged_in.post("/login", data={"email": person.email, "password": PASSWORD, "remember": "y"})
    assert logged_in.get("/account").status_code == 200
    token = request_link(client, outbox, person.email)
    set_password(client, token)
    assert logged_in.get("/account").status_code == 302


def test_the_reset_logs_out_the_device_it_was_made_on(client, outbox, person):
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    token = request_link(client, outbox, person.email)
    set_password(client, token)
    assert client.get("/account").status_code == 302


def test_bad_new_password_is_refused_and_the_link_stays_usable(app, client, outbox, person):
    token = request_link(client, outbox, person.email)
    response = set_password(client, token, password="short", confirm="short")
    assert response.status_code == 422
    assert "A password needs between 10 and 200 characters." in response.get_data(as_text=True)
    response = set_password(client, token, password=NEW_PASSWORD, confirm="something else entirely")
    assert response.status_code == 422
    assert "The two passwords differ." in response.get_data(as_text=True)
    assert can_log_in(app, person.email, PASSWORD)
    assert set_password(client, token).status_code == 302


def test_a_used_link_is_refused(app, client, outbox, person):
    token = request_link(client, outbox, person.email)
    set_password(client, token)
    again = set_password(client, token, "yet another password")
    for response in (client.get(f"/reset-password/{token}"), again):
        assert response.status_code == 400
        assert "already been used" in response.get_data(as_text=True)
    assert can_log_in(app, person.email, NEW_PASSWORD)
    assert not can_log_in(app, person.email, "yet another password")


def test_an_expired_link_is_refused(app, client, outbox, person):
    token = request_link(client, outbox, person.email)
    db.session.execute(update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    for response in (client.get(f"/reset-password/{token}"), set_password(client, token)):
        assert response.status_code == 400
        assert "expired" in response.get_data(as_text=True)
    assert can_log_in(app, person.email, PASSWORD)


def test_a_link_about_to_expire_still_works(app, client, outbox, person):
    token = request_link(client, outbox, person.email)
    db.session.execute(update(PasswordResetToken).values(expires_at=utcnow() + timedelta(seconds=30)))
    db.session.commit()
    assert set_password(client, token).status_code == 302
    assert can_log_in(app, person.email, NEW_PASSWORD)


@pytest.mark.parametrize("token", ["unknown-token", "x" * 43])
def test_an_unknown_link_is_refused(app, client, outbox, person, token):
    request_link(client, outbox, person.email)  # a real token exists, just not this one
    for response in (client.get(f"/reset-password/{token}"), set_password(client, token)):
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        assert "This reset link is not valid." in text
        assert read_html(response).select_one('a[href="/reset-password"]') is not None
    assert can_log_in(app, person.email, PASSWORD)


def test_using_one_link_retires_the_others(app, client, outbox, person):
    first = request_link(client, outbox, person.email)
    second = request_link(client, outbox, person.email)
    assert first != second
    assert set_password(client, second).status_code == 302
    response = set_password(client, first, "yet another password")
    assert response.status_code == 400
    assert "already been used" in response.get_data(as_text=True)
    assert can_log_in(app, person.email, NEW_PASSWORD)


def test_using_a_link_leaves_other_peoples_links_alone(app, client, outbox, users):
    mine = request_link(client, outbox, users["professional"].email)
    theirs = request_link(client, outbox, users["outsider"].email)
    set_password(client, mine)
    assert set_password(client, theirs, "the outsider's new password").status_code == 302
    assert can_log_in(app, users["outsider"].email, "the outsider's new password")


def test_reset_requests_from_one_address_are_throttled(client, outbox, person):
    environ = {"REMOTE_ADDR": "10.0.0.7"}
    for number in range(10):
        response = client.post(
            "/reset-password", data={"email": f"n{number}@example.org"}, environ_base=environ
        )
        assert response.status_code == 302
    response = client.post("/reset-password", data={"email": person.email}, environ_base=environ)
    assert response.status_code == 429
    assert "Too many failed attempts" in response.get_data(as_text=True)
    assert outbox == []
    # Another address may still ask.
    other = client.post(
        "/reset-password", data={"email": person.email}, environ_base={"REMOTE_ADDR": "10.0.0.8"}
    )
    assert other.status_code == 302
    assert len(outbox) == 1


def test_reset_requests_do_not_count_as_failed_logins(app, client, outbox, person):
    for _ in range(6):
        client.post("/reset-password", data={"email": person.email})
    assert db.session.scalar(select(LoginAttempt.kind).distinct()) == "reset"
    assert can_log_in(app, person.email, PASSWORD)
