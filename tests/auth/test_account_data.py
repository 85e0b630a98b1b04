"""The person's own account: change password, see and download their data, delete the account."""
import contextvars
import json
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from conftest import PASSWORD, read_html
from network.audit import AuditEntry
from network.auth import services as accounts
from network.auth.models import (
    COORDINATOR,
    EVALUATOR,
    SITE_ADMIN,
    LoginAttempt,
    PasswordResetToken,
    User,
    UserRole,
)
from network.extensions import db

NEW_PASSWORD = "a completely new password"


class OwnContextClient(FlaskClient):
    """Runs every request in its own app context, as a real server does (see test_login.py)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = OwnContextClient
    return app.test_client()


def field_error(response, field_id):
    error = read_html(response).select_one(f"#{field_id}-error")
    return error.get_text(" ", strip=True) if error else None


def flashes(response):
    return [p.get_text(strip=True) for p in read_html(response).select(".flash")]


def can_log_in(app, email, password):
    return app.test_client().post("/login", data={"email": email, "password": password}).status_code == 302


@pytest.mark.parametrize(
    "path", ["/account", "/account/password", "/account/data", "/account/data.json", "/account/delete"]
)
def test_account_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


def test_account_page_shows_the_person(client, auth, make_user, make_institution):
    person = make_user(COORDINATOR, institution=make_institution(name="Casa Deschisă"), name="Ioana Popescu")
    auth.login(person)
    page = read_html(client.get("/account"))
    facts = page.select_one("dl.facts").get_text(" ", strip=True)
    assert "Ioana Popescu" in facts
    assert person.email in facts
    assert "Casa Deschisă" in facts
    assert "waiting for approval" not in facts


# --- change password -------------------------------------------------------------------------------


def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/account/password", data={"current_password": current, "password": new, "confirm": confirm or new}
    )


def test_wrong_current_password_is_refused_on_that_field(app, client, auth, users):
    person = users["professional"]
    auth.login(person)
    response = change(client, current="not my password")
    assert response.status_code == 422
    assert field_error(response, "current_password") == "Your current password is not correct."
    assert field_error(response, "password") is None
    assert can_log_in(app, person.email, PASSWORD)
    assert not can_log_in(app, person.email, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("new", "confirm", "field", "message"),
    [
        ("too short", "too short", "password", "A password needs between 10 and 200 characters."),
        (NEW_PASSWORD, "something different", "confirm", "The two passwords differ."),
    ],
)
def test_bad_new_password_is_refused(app, client, auth, users, new, confirm, field, message):
    auth.login(users["professional"])
    response = change(client, new=new, confirm=confirm)
    assert response.status_code == 422
    assert field_error(response, field) == message
    assert can_log_in(app, users["professional"].email, PASSWORD)


def test_password_change_keeps_this_client_logged_in(app, client, auth, users):
    person = users["professional"]
    auth.login(person)
    response = change(client)
    assert response.status_code == 302
    assert response.location == "/account"
    account = client.get("/account")
    assert account.status_code == 200
    assert "Your password has been changed. Other devices have been logged out." in flashes(account)
    assert can_log_in(app, person.email, NEW_PASSWORD)
    assert not can_log_in(app, person.email, PASSWORD)


def test_password_change_logs_out_other_devices(app, client, auth, users):
    person = users["professional"]
    laptop = app.test_client()
    laptop.post("/login", data={"email": person.email, "password": PASSWORD, "remember": "y"})
    assert laptop.get("/account").status_code == 200
    auth.login(person)
    change(client)
    assert client.get("/account").status_code == 200
    assert laptop.get("/account").status_code == 302


# --- data export -----------------------------------------------------------------------------------


def test_data_download_is_a_json_attachment(client, auth, make_user):
    person = make_user(COORDINATOR, name="Ana Pérez", email="ana@example.org")
    accounts.set_roles(None, person, [COORDINATOR, EVALUATOR])
    auth.login(person)
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert re.fullmatch(
        r'attachment; filename="peer-network-my-data-\d{4}-\d{2}-\d{2}\.json"',
        response.headers["Content-Disposition"],
    )
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["account"]["email"] == "ana@example.org"
    assert data["account"]["name"] == "Ana Pérez"
    assert data["account"]["roles"] == [COORDINATOR, EVALUATOR]
    assert data["account"]["membership_status"] == "approved"
    # Non-ASCII text is written as is.
    assert "Ana Pérez" in response.get_data(as_text=True)


def test_data_download_has_logins_resets_and_audit_entries(client, auth, users, outbox):
    person = users["professional"]
    client.post("/reset-password", data={"email": person.email})
    auth.login(person, password="a wrong password")
    auth.login(person)
    data = client.get("/account/data.json").get_json()
    assert [(a["kind"], a["succeeded"]) for a in data["login_attempts"]] == [
        ("reset", False), ("login", False), ("login", True),
    ]
    assert len(data["password_reset_requests"]) == 1
    assert data["password_reset_requests"][0]["used_at"] is None
    assert "user.created" in [e["action"] for e in data["audit_log"]]
    assert "password_hash" not in json.dumps(data)


def test_data_download_holds_only_the_persons_own_data(client, auth, users):
    auth.login(users["outsider"], password="wrong password, wrong account")
    auth.login(users["professional"])
    data = client.get("/account/data.json").get_json()
    text = json.dumps(data)
    assert users["outsider"].email not in text
    assert data["account"]["email"] == users["professional"].email
    assert data["account"]["roles"] == []


def test_data_page_shows_the_same_data(client, auth, users):
    person = users["coordinator"]
    auth.login(person)
    response = client.get("/account/data")
    assert response.status_code == 200
    shown = json.loads(read_html(response).select_one("pre.data-export").get_text())
    assert shown["account"]["email"] == person.email
    assert shown["account"]["roles"] == [COORDINATOR]


def test_data_download_anonymous_is_sent_to_login(client):
    response = client.get("/account/data.json")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Faccount%2Fdata.json"


# --- account deletion ------------------------------------------------------------------------------


def delete(client, password=PASSWORD, confirm=True):
    data = {"password": password}
    if confirm:
        data["confirm"] = "y"
    return client.post("/account/delete", data=data)


def user_exists(user_id):
    db.session.expire_all()
    return db.session.get(User, user_id) is not None


def test_delete_page_renders(client, auth, users):
    auth.login(users["professional"])
    response = client.get("/account/delete")
    assert response.status_code == 200
    assert read_html(response).select_one("input#confirm[type=checkbox]") is not None


def test_deletion_with_wrong_password_is_refused(client, auth, users):
    person = users["professional"]
    auth.login(person)
    response = delete(client, password="not my password")
    assert response.status_code == 422
    assert field_error(response, "password") == "Your password is not correct."
    assert user_exists(person.id)
    assert client.get("/account").status_code == 200


def test_deletion_without_the_confirmation_box_is_refused(client, auth, users):
    person = users["professional"]
    auth.login(person)
    response = delete(client, confirm=False)
    assert response.status_code == 422
    assert field_error(response, "confirm") == "Tick the box to confirm."
    assert user_exists(person.id)


def test_deletion_removes_the_person_and_logs_out(app, client, auth, users, outbox):
    person = users["coordinator"]
    person_id, email = person.id, person.email
    client.post("/reset-password", data={"email": email})
    auth.login(person, remember=True)
    response = delete(client)
    assert response.status_code == 302
    assert response.location == "/"
    assert "Your account has been deleted." in flashes(client.get("/"))
    assert client.get("/account").status_code == 302

    assert not user_exists(person_id)
    assert accounts.find_user_by_email(email) is None
    assert db.session.scalars(select(UserRole).where(UserRole.user_id == person_id)).all() == []
    tokens = select(PasswordResetToken).where(PasswordResetToken.user_id == person_id)
    assert db.session.scalars(tokens).all() == []
    assert db.session.scalars(select(LoginAttempt).where(LoginAttempt.email == email)).all() == []
    assert not can_log_in(app, email, PASSWORD)


def test_email_of_a_deleted_account_can_register_again(client, auth, users):
    person = users["professional"]
    email, institution_id = person.email, person.institution_id
    auth.login(person)
    delete(client)
    response = client.post("/register", data={
        "name": "Someone New", "email": email, "institution": str(institution_id),
        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    })
    assert response.status_code == 302


def test_audit_entries_about_a_deleted_person_say_former_member(client, auth, users):
    person = users["pending"]
    accounts.decide_membership(users["site_admin"], person, approve=True)
    accounts.set_roles(users["site_admin"], person, [EVALUATOR])
    person_id, email, name = person.id, person.email, person.name
    about = select(AuditEntry).where(AuditEntry.target_type == "user", AuditEntry.target_id == person_id)
    assert {e.action for e in db.session.scalars(about)} == {
        "user.created", "membership.approved", "user.roles_changed",
    }

    auth.login(person)
    assert delete(client).status_code == 302

    db.session.expire_all()
    entries = db.session.scalars(about).all()
    assert len(entries) == 3
    assert {e.target_label for e in entries} == {accounts.FORMER_MEMBER}
    deleted = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.deleted")).one()
    assert deleted.target_label == accounts.FORMER_MEMBER
    assert deleted.actor_id is None and not deleted.by_person
    # No entry still names the person.
    for entry in db.session.scalars(select(AuditEntry)):
        assert email not in entry.target_label and name not in entry.target_label
        assert email not in json.dumps(entry.details)


def test_audit_entries_made_by_a_deleted_person_keep_by_person(app, client, auth, users, make_user):
    admin = users["site_admin"]
    accounts.decide_membership(admin, users["pending"], approve=True)
    accounts.set_roles(admin, users["professional"], [COORDINATOR])
    admin_id = admin.id
    made_by = select(AuditEntry).where(AuditEntry.action.in_(["membership.approved", "user.roles_changed"]))
    assert {e.actor_id for e in db.session.scalars(made_by)} == {admin_id}

    auth.login(admin)
    assert delete(client).status_code == 302

    db.session.expire_all()
    entries = db.session.scalars(made_by).all()
    assert len(entries) == 2
    for entry in entries:
        assert entry.actor_id is None
        assert entry.by_person is True
    # The targets, who still exist, are still named.
    assert {e.target_label for e in entries} == {users["pending"].email, users["professional"].email}

    # The audit log page shows them as made by a former member, not by the command line.
    other_admin = make_user(SITE_ADMIN)
    reader = app.test_client()
    reader.post("/login", data={"email": other_admin.email, "password": PASSWORD})
    page = read_html(reader.get("/admin/audit?action=membership.approved"))
    rows = [row.get_text(" ", strip=True) for row in page.select("tbody tr")]
    assert len(rows) == 1
    assert "former member" in rows[0]
    assert "system (command line)" not in rows[0]

