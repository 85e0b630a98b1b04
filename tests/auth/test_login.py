"""Logging in and out: redirects, errors, remember-me, session versions, throttling and CSRF."""
import contextvars
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from conftest import PASSWORD, read_html
from network.auth.models import LoginAttempt
from network.auth.services import change_password
from network.extensions import db
from network.types import utcnow


class OwnContextClient(FlaskClient):
    """Runs every request in its own app context, as a real server does.

    The `app` fixture keeps one app context pushed for the whole test; Flask reuses it for requests, so
    `g` (where Flask-Login caches the current user) would carry over from one request, or client, to the next.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = OwnContextClient
    return app.test_client()


def flashes(response):
    return [p.get_text(strip=True) for p in read_html(response).select(".flash")]


def field_error(response, field_id):
    error = read_html(response).select_one(f"#{field_id}-error")
    return error.get_text(" ", strip=True) if error else None


def failed_attempts(**match):
    query = select(func.count(LoginAttempt.id)).where(LoginAttempt.succeeded.is_(False))
    for column, value in match.items():
        query = query.where(getattr(LoginAttempt, column) == value)
    return db.session.scalar(query)


# --- logging in ------------------------------------------------------------------------------------


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = read_html(response)
    assert page.select_one("input#email[autocomplete=username]") is not None
    assert page.select_one("input#password[type=password]") is not None


def test_good_login_redirects_home_and_logs_in(client, auth, users):
    person = users["professional"]
    response = auth.login(person)
    assert response.status_code == 302
    assert response.location == "/"
    account = client.get("/account")
    assert account.status_code == 200
    assert person.email in account.get_data(as_text=True)
    db.session.refresh(person)
    assert person.last_login_at is not None
    assert failed_attempts() == 0


def test_wrong_password_shows_error_and_keeps_the_email(client, auth, users):
    person = users["professional"]
    response = auth.login(person, password="not the password")
    assert response.status_code == 401
    assert field_error(response, "password") == "The email address or password is not correct."
    page = read_html(response)
    assert page.select_one("input#email")["value"] == person.email
    # The password is never sent back.
    assert not page.select_one("input#password").get("value")
    assert "not the password" not in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302
    assert failed_attempts(email=person.email) == 1


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(auth):
    response = auth.login("nobody@example.org")
    assert response.status_code == 401
    assert field_error(response, "password") == "The email address or password is not correct."
    assert failed_attempts(email="nobody@example.org") == 1


def test_email_is_case_insensitive(client, auth, make_user):
    make_user(email="ana.perez@example.org")
    response = auth.login("Ana.PEREZ@Example.ORG")
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_invalid_form_is_422_and_records_no_attempt(client):
    response = client.post("/login", data={"email": "not-an-email", "password": ""})
    assert response.status_code == 422
    assert field_error(response, "email") == "Enter a valid email address, like name@example.org."
    assert field_error(response, "password") == "Enter your password."
    assert failed_attempts() == 0


def test_disabled_account_cannot_log_in(client, auth, users):
    person = users["professional"]
    person.is_active_account = False
    db.session.commit()
    response = auth.login(person)
    assert response.status_code == 401
    assert client.get("/account").status_code == 302


def test_pending_member_can_log_in(client, auth, users):
    response = auth.login(users["pending"])
    assert response.status_code == 302
    assert "waiting for approval" in client.get("/account").get_data(as_text=True)


def test_logged_in_visitor_is_sent_away_from_login_page(client, auth, users):
    auth.login(users["professional"])
    response = client.get("/login")
    assert response.status_code == 302
    assert response.location == "/"


# --- the next parameter ----------------------------------------------------------------------------


def test_login_required_page_sends_to_login_and_back(client, users):
    response = client.get("/account/password")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Faccount%2Fpassword"
    data = {"email": users["professional"].email, "password": PASSWORD}
    response = client.post(response.location, data=data)
    assert response.status_code == 302
    assert response.location == "/account/password"


@pytest.mark.parametrize("next_url", ["/account", "/institutions/?country=ES"])
def test_next_follows_local_paths(client, users, next_url):
    response = client.post(
        "/login", query_string={"next": next_url},
        data={"email": users["professional"].email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == next_url


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example",
        "https://evil.example/login",
        "//evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_ignores_anything_but_a_local_path(client, users, next_url):
    response = client.post(
        "/login", query_string={"next": next_url},
        data={"email": users["professional"].email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.location == "/"
    assert client.get("/account").status_code == 200  # logged in all the same


# --- logging out -----------------------------------------------------------------------------------


def test_logout_needs_post(client, auth, users):
    auth.login(users["professional"])
    assert client.get("/logout").status_code == 405
    assert client.get("/account").status_code == 200  # still logged in


def test_logout_ends_the_session(client, auth, users):
    auth.login(users["professional"])
    assert client.get("/account").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert response.location == "/"
    assert "You are logged out." in flashes(client.get("/"))
    response = client.get("/account")
    assert response.status_code == 302
    assert response.location.startswith("/login")


# --- remember me -----------------------------------------------------------------------------------


def test_remember_me_sets_a_long_lived_cookie(app, client, auth, users):
    response = auth.login(users["professional"], remember=True)
    assert response.status_code == 302
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.expires is not None
    assert cookie.expires - utcnow() > timedelta(days=29)
    # The cookie alone (a browser restarted, the session cookie gone) still logs the person in.
    other = app.test_client()
    other.set_cookie("remember_token", cookie.value, domain="localhost")
    assert other.get("/account").status_code == 200


def test_without_remember_me_there_is_no_remember_cookie(client, auth, users):
    auth.login(users["professional"])
    assert client.get_cookie("remember_token") is None


def test_logout_deletes_the_remember_cookie(client, auth, users):
    auth.login(users["professional"], remember=True)
    assert client.get_cookie("remember_token") is not None
    auth.logout()
    assert client.get_cookie("remember_token") is None
    assert client.get("/account").status_code == 302


# --- session_version: a password change ends every other session ------------------------------------


def test_old_session_cookie_stops_working_after_a_password_change(app, client, auth, users):
    person = users["professional"]
    auth.login(person)
    old_session = client.get_cookie("session").value
    change_password(person, PASSWORD, "a brand new password")

    other = app.test_client()
    other.set_cookie("session", old_session, domain="localhost")
    response = other.get("/account")
    assert response.status_code == 302
    assert response.location.startswith("/login")
    assert client.get("/account").status_code == 302


def test_old_remember_cookie_stops_working_after_a_password_change(app, client, auth, users):
    person = users["professional"]
    auth.login(person, remember=True)
    remember = client.get_cookie("remember_token").value
    change_password(person, PASSWORD, "a brand new password")

    other = app.test_client()
    other.set_cookie("remember_token", remember, domain="localhost")
    assert other.get("/account").status_code == 302


# --- throttling ------------------------------------------------------------------------------------


def test_five_failures_on_one_account_block_the_sixth_attempt(client, auth, users):
    person = users["professional"]
    for _ in range(5):
        assert auth.login(person, password="wrong password").status_code == 401
    response = auth.login(person)  # the right password, too late
    assert response.status_code == 429
    assert any("Too many failed attempts" in text and "15 minutes" in text for text in flashes(response))
    assert client.get("/account").status_code == 302


def test_four_failures_still_allow_the_right_password(client, auth, users):
    person = users["professional"]
    for _ in range(4):
        auth.login(person, password="wrong password")
    assert auth.login(person).status_code == 302


def test_the_account_throttle_ignores_letter_case_and_address(client, auth, users):
    person = users["professional"]
    for number in range(5):
        variant = person.email.upper() if number % 2 else person.email.capitalize()
        auth.login(variant, password="wrong password", REMOTE_ADDR=f"10.0.1.{number}")
    assert auth.login(person, REMOTE_ADDR="10.0.2.1").status_code == 429


def test_twenty_failures_from_one_address_throttle_that_address(client, auth, users):
    for number in range(20):
        response = auth.login(f"guess{number}@example.org", REMOTE_ADDR="10.0.0.9")
        assert response.status_code == 401
    response = auth.login(users["professional"], REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429
    assert any("Too many failed attempts" in message for message in flashes(response))
    # Another address, another account: not throttled.
    assert auth.login(users["outsider"], REMOTE_ADDR="10.0.0.10").status_code == 302


def test_nineteen_failures_from_one_address_do_not_throttle_it(client, auth, users):
    for number in range(19):
        auth.login(f"guess{number}@example.org", REMOTE_ADDR="10.0.0.9")
    assert auth.login(users["professional"], REMOTE_ADDR="10.0.0.9").status_code == 302


def test_throttled_attempts_are_not_counted_again(client, auth, users):
    person = users["professional"]
    for _ in range(7):
        auth.login(person, password="wrong password")
    assert failed_attempts(email=person.email) == 5


def test_failures_older_than_the_window_do_not_count(app, client, auth, users):
    person = users["professional"]
    for _ in range(5):
        auth.login(person, password="wrong password")
    for number in range(20):
        auth.login(f"guess{number}@example.org", REMOTE_ADDR="10.0.0.9")
    assert auth.login(person).status_code == 429
    assert auth.login(users["outsider"], REMOTE_ADDR="10.0.0.9").status_code == 429

    window = app.config["LOGIN_WINDOW"]
    db.session.execute(update(LoginAttempt).values(created_at=utcnow() - window - timedelta(seconds=5)))
    db.session.commit()
    assert auth.login(person).status_code == 302
    other = app.test_client()
    assert other.post(
        "/login", data={"email": users["outsider"].email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.9"},
    ).status_code == 302


def test_failures_just_inside_the_window_still_count(app, client, auth, users):
    person = users["professional"]
    for _ in range(5):
        auth.login(person, password="wrong password")
    window = app.config["LOGIN_WINDOW"]
    db.session.execute(update(LoginAttempt).values(created_at=utcnow() - window + timedelta(minutes=1)))
    db.session.commit()
    assert auth.login(person).status_code == 429


# --- CSRF ------------------------------------------------------------------------------------------


def _csrf_token(response):
    return read_html(response).select_one("input[name=csrf_token]")["value"]


def test_login_without_csrf_token_is_refused(csrf_app, client, users):
    response = client.post("/login", data={"email": users["professional"].email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_login_with_a_forged_csrf_token_is_refused(csrf_app, client, users):
    client.get("/login")
    response = client.post(
        "/login", data={"email": users["professional"].email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_login_with_the_pages_csrf_token_works(csrf_app, client, users):
    token = _csrf_token(client.get("/login"))
    response = client.post(
        "/login", data={"email": users["professional"].email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def test_logout_needs_the_csrf_token_too(csrf_app, client, users):
    token = _csrf_token(client.get("/login"))
    data = {"email": users["professional"].email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).status_code == 302
    assert client.post("/logout").status_code == 400  # a cross-site form cannot log people out
    assert client.get("/account").status_code == 200
    token = _csrf_token(client.get("/account"))  # the log-out button in the header
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302
