"""Personal access tokens: the services, the command line and the page on the person's account."""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import read_html
from network.api import tokens
from network.api.models import ApiToken
from network.audit import AuditEntry
from network.auth import services as accounts
from network.errors import ServiceError
from network.extensions import db
from network.practices import services
from network.types import utcnow


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def members_only_practice(institution):
    return services.create_practice(None, services.PracticeData(
        title="Members-only practice", summary="Summary.", context="Context.", target_group="Families.",
        methods="Methods.", outcomes="Outcomes.", sectors=["social"], country=institution.country,
        language="es", institution=institution.slug, status="published", visibility="members",
    ))


def stored_columns(token: ApiToken) -> list[str]:
    return [str(getattr(token, c.key)) for c in ApiToken.__table__.columns]


# --- services -------------------------------------------------------------------------------------


def test_a_new_token_is_returned_once_and_only_its_hash_is_stored(users):
    user = users["professional"]
    token, plain = tokens.create_token(user, "  import   script ")
    assert plain.startswith("pn_") and len(plain) == 3 + 43
    assert token.token_hash == sha256(plain)
    assert token.prefix == plain[:10]
    assert token.name == "import script"
    assert token.user_id == user.id and token.revoked_at is None and token.last_used_at is None
    assert not any(plain in value for value in stored_columns(token))
    assert tokens.create_token(user, "another")[1] != plain


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_name(users, name):
    with pytest.raises(ServiceError):
        tokens.create_token(users["professional"], name)
    assert db.session.scalar(select(ApiToken)) is None


def test_user_for_token(users):
    user = users["professional"]
    token, plain = tokens.create_token(user, "script")
    assert tokens.user_for_token(plain) == user
    for wrong in (None, "", plain[:-1], plain + "x", "pn_" + "a" * 43, plain.upper(), token.token_hash):
        assert tokens.user_for_token(wrong) is None
    tokens.revoke_token(user, token.id)
    assert tokens.user_for_token(plain) is None


def test_a_disabled_account_token_finds_nobody(users):
    user = users["professional"]
    _token, plain = tokens.create_token(user, "script")
    user.is_active_account = False
    db.session.commit()
    assert tokens.user_for_token(plain) is None


def test_last_used_is_written_at_most_once_a_minute(users):
    user = users["professional"]
    token, plain = tokens.create_token(user, "script")
    tokens.user_for_token(plain)
    first = token.last_used_at
    assert first is not None
    tokens.user_for_token(plain)
    assert token.last_used_at == first
    token.last_used_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    tokens.user_for_token(plain)
    assert token.last_used_at > first


def test_tokens_of_lists_newest_first_and_hides_revoked_ones(users):
    user = users["professional"]
    older, _ = tokens.create_token(user, "older")
    newer, _ = tokens.create_token(user, "newer")
    tokens.create_token(users["outsider"], "not theirs")
    assert tokens.tokens_of(user) == [newer, older]
    tokens.revoke_token(user, older.id)
    assert tokens.tokens_of(user) == [newer]
    assert tokens.tokens_of(user, include_revoked=True) == [newer, older]


def test_people_revoke_only_their_own_tokens(users):
    theirs, _ = tokens.create_token(users["outsider"], "theirs")
    with pytest.raises(ServiceError):
        tokens.revoke_token(users["professional"], theirs.id)
    with pytest.raises(ServiceError):
        tokens.revoke_token(users["professional"], 999999)
    assert theirs.revoked_at is None


def test_creating_and_revoking_is_audited(users):
    user = users["professional"]
    token, plain = tokens.create_token(user, "script")
    tokens.revoke_token(user, token.id)
    tokens.revoke_token(user, token.id)  # again: nothing more happens
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.target_type == "apitoken")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.target_id) for e in entries] == [
        ("api_token.created", user.id, token.id), ("api_token.revoked", user.id, token.id)]
    assert token.prefix in entries[0].target_label
    assert all(plain not in e.target_label and token.token_hash not in json.dumps(e.details) for e in entries)


def test_the_data_export_lists_tokens_without_hashes(users):
    user = users["professional"]
    token, plain = tokens.create_token(user, "script")
    tokens.revoke_token(user, token.id)
    tokens.create_token(users["outsider"], "someone else's")
    data = accounts.export_user_data(user)
    [exported] = data["api_tokens"]["tokens"]
    assert exported["name"] == "script" and exported["prefix"] == token.prefix
    assert exported["created_at"] and exported["revoked_at"] and exported["last_used_at"] is None
    text = json.dumps(data)
    assert token.token_hash not in text and plain not in text


# --- command line ---------------------------------------------------------------------------------


def test_cli_create_prints_a_working_token_and_stores_only_its_hash(client, runner, users):
    user = users["professional"]
    practice = members_only_practice(user.institution)
    result = runner.invoke(args=["tokens", "create", user.email.upper(), "--name", "nightly import"])
    assert result.exit_code == 0, result.output
    plain = result.stdout.strip()
    assert plain.startswith("pn_") and "\n" not in plain  # only the token on standard output
    assert "only this once" in result.stderr

    stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert stored.token_hash == sha256(plain) and stored.name == "nightly import"
    assert not any(plain in value for value in stored_columns(stored))
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "api_token.created")).one()
    assert audit.actor_id is None and audit.by_person is False  # made by an operator

    assert client.get(f"/api/v1/practices/{practice.id}").status_code == 404
    response = client.get(f"/api/v1/practices/{practice.id}", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200


def test_cli_list_and_revoke(client, runner, users):
    user = users["professional"]
    plain = runner.invoke(args=["tokens", "create", user.email]).stdout.strip()
    token = db.session.scalars(select(ApiToken)).one()
    assert token.name == "command line"

    listed = runner.invoke(args=["tokens", "list", user.email])
    assert listed.exit_code == 0
    assert token.prefix in listed.output and "active" in listed.output
    assert plain not in listed.output and token.token_hash not in listed.output

    revoked = runner.invoke(args=["tokens", "revoke", str(token.id)])
    assert revoked.exit_code == 0, revoked.output
    assert "Revoked" in revoked.output
    assert "revoked" in runner.invoke(args=["tokens", "list", user.email]).output
    response = client.get("/api/v1/practices", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 401


def test_cli_refuses_unknown_people_and_tokens(runner, users):
    assert runner.invoke(args=["tokens", "create", "nobody@example.org"]).exit_code != 0
    assert runner.invoke(args=["tokens", "list", "nobody@example.org"]).exit_code != 0
    assert runner.invoke(args=["tokens", "revoke", "424242"]).exit_code != 0
    assert runner.invoke(args=["tokens", "revoke", "0"]).exit_code != 0
    assert runner.invoke(args=["tokens", "create", users["professional"].email, "--name", " "]).exit_code != 0
    assert db.session.scalar(select(ApiToken)) is None
    assert "has no tokens" in runner.invoke(args=["tokens", "list", users["professional"].email]).output


# --- the page on the person's account -------------------------------------------------------------


def test_the_account_page_links_to_the_tokens(client, auth, users):
    auth.login(users["professional"])
    page = read_html(client.get("/account"))
    heading = page.find("h2", string="Programs and the API")
    assert heading is not None
    assert heading.find_next("a", string="API tokens")["href"] == "/account/tokens"


def test_the_tokens_page_needs_a_login(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 302
    assert db.session.scalar(select(ApiToken)) is None


def test_create_shows_the_token_once_and_revoke_removes_it(client, auth, users):
    user = users["professional"]
    auth.login(user)
    assert "You have no active tokens." in client.get("/account/tokens").get_data(as_text=True)

    response = client.post("/account/tokens", data={"name": "spreadsheet"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = read_html(response)
    plain = page.find("input", id="new-token")["value"]
    assert plain.startswith("pn_")
    assert "shown only this once" in page.get_text()
    token = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.token_hash == sha256(plain) and token.name == "spreadsheet"
    assert page.find("input", id="name")["value"] in ("", None)  # the form is ready for another

    again = client.get("/account/tokens").get_data(as_text=True)
    assert plain not in again  # never shown again
    assert "spreadsheet" in again and token.prefix in again
    assert client.get("/api/v1/practices", headers={"Authorization": f"Bearer {plain}"}).status_code == 200

    response = client.post(f"/account/tokens/{token.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/tokens")
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert "You have no active tokens." in client.get("/account/tokens").get_data(as_text=True)
    assert client.get("/api/v1/practices", headers={"Authorization": f"Bearer {plain}"}).status_code == 401


def test_a_token_without_a_name_is_refused(client, auth, users):
    auth.login(users["professional"])
    response = client.post("/account/tokens", data={"name": "  "})
    assert response.status_code == 422
    assert read_html(response).find("input", id="new-token") is None
    assert db.session.scalar(select(ApiToken)) is None


def test_nobody_revokes_another_persons_token(client, auth, users):
    theirs, _ = tokens.create_token(users["outsider"], "theirs")
    auth.login(users["professional"])
    assert client.post(f"/account/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_the_token_forms_need_the_csrf_token(csrf_app, client, users):
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    user = users["professional"]
    token, _ = tokens.create_token(user, "script")
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/account/tokens", data={"name": "forged"}).status_code == 400
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 400
    db.session.expire_all()
    assert [t.name for t in tokens.tokens_of(user)] == ["script"]

    page = read_html(client.get("/account/tokens"))
    csrf = page.find("input", attrs={"name": "csrf_token"})["value"]
    response = client.post("/account/tokens", data={"name": "real", "csrf_token": csrf})
    assert response.status_code == 200 and read_html(response).find("input", id="new-token")
