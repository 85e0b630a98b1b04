"""Headers and sessions (issue 7, item 3): security headers on every kind of response, cookie flags over
HTTPS, a fresh session at login, logout that ends the session, CSRF on every state-changing route (taken
from the URL map, so a new route cannot be missed), and throttling of logins, reset links and API tokens."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from conftest import BASE_TEST_CONFIG, PASSWORD, IsolatedClient, read_html
from network import create_app
from network.api import tokens
from network.audit import AuditEntry
from network.auth.models import SITE_ADMIN, LoginAttempt
from network.extensions import db
from network.types import utcnow
from network.web import CONTENT_SECURITY_POLICY

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CROSS_SITE = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}


def csp_directives(value: str) -> dict[str, list[str]]:
    parts = [part.split() for part in value.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def assert_security_headers(response, https: bool = False):
    headers = response.headers
    what = f"{response.request.method} {response.request.path} -> {response.status_code}"
    csp = headers.get("Content-Security-Policy")
    assert csp == CONTENT_SECURITY_POLICY, what
    directives = csp_directives(csp)
    assert directives["script-src"] == ["'self'"], what
    assert directives["default-src"] == ["'self'"], what
    assert directives["object-src"] == ["'none'"], what
    assert directives["frame-ancestors"] == ["'none'"], what
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "same-origin", what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert ("Strict-Transport-Security" in headers) == https, what


def assert_no_inline_script(response):
    page = read_html(response)
    for script in page.find_all("script"):
        assert script.get("src", "").startswith("/static/"), script
    for element in page.find_all(True):
        assert not [name for name in element.attrs if name.lower().startswith("on")], element


def csrf_token(response) -> str:
    return read_html(response).select_one("input[name=csrf_token]")["value"]


def login_with_csrf(client, user, remember=False, **environ):
    """Log in through the form as a browser does, with the page's CSRF token."""
    token = csrf_token(client.get("/login", environ_base=environ))
    data = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data, environ_base=environ)


def session_cookie(client):
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


# --- headers ----------------------------------------------------------------------------------------


def test_html_json_and_static_responses_carry_the_security_headers(client, auth, users):
    anonymous = {
        "home": client.get("/"),
        "login": client.get("/login"),
        "practices": client.get("/practices/"),
        "search": client.get("/search", query_string={"q": "family"}),
        "api list": client.get("/api/v1/practices"),
        "api description": client.get("/api/v1/openapi.json"),
        "stylesheet": client.get("/static/css/site.css"),
        "icon": client.get("/static/favicon.svg"),
    }
    auth.login(users["professional"])
    logged_in = {
        "account": client.get("/account"),
        "data export": client.get("/account/data.json"),
        "tokens page": client.get("/account/tokens"),
    }
    for name, response in {**anonymous, **logged_in}.items():
        assert response.status_code == 200, name
        assert_security_headers(response)
        if response.mimetype == "text/html":
            assert_no_inline_script(response)
    assert anonymous["api list"].is_json and logged_in["data export"].mimetype == "application/json"
    assert anonymous["stylesheet"].mimetype == "text/css"
    for response in (*anonymous.values(), *logged_in.values()):
        response.close()


def test_error_responses_carry_the_security_headers(app, csrf_app, client, users, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def server_error():
        raise RuntimeError("boom")

    # The home page breaks (the app is shared by the tests of this process: no new route can be added).
    home, _arguments = app.url_map.bind("localhost").match("/")
    monkeypatch.setitem(app.view_functions, home, server_error)

    for _ in range(5):
        client.post("/login", data={"email": users["professional"].email, "password": "wrong",
                                    "csrf_token": csrf_token(client.get("/login"))})
    responses = {
        404: client.get("/no/such/page"),
        405: client.get("/logout"),
        500: client.get("/"),
        400: client.post("/login", data={"email": "a@example.org", "password": "x"}),  # no CSRF token
        429: client.post("/login", data={"email": users["professional"].email, "password": PASSWORD,
                                         "csrf_token": csrf_token(client.get("/login"))}),
    }
    _row, plain = tokens.create_token(users["professional"], "t")
    api_responses = {
        404: client.get("/api/v1/practices/424242"),
        405: client.put("/api/v1/practices"),
        401: client.get("/api/v1/visits", headers={"Authorization": "Bearer pn_not-a-token"}),
        415: client.post("/api/v1/practices", data="x", headers={"Authorization": f"Bearer {plain}"}),
    }
    for status, response in responses.items():
        assert response.status_code == status
        assert response.mimetype == "text/html"
        assert_security_headers(response)
        assert_no_inline_script(response)
    for status, response in api_responses.items():
        assert response.status_code == status
        assert response.is_json
        assert_security_headers(response)


def test_hsts_only_over_https(client):
    assert_security_headers(client.get("/"), https=False)
    assert_security_headers(client.get("/", base_url="https://localhost"), https=True)
    assert_security_headers(client.get("/no/such/page", base_url="https://localhost"), https=True)
    assert_security_headers(client.get("/api/v1/practices", base_url="https://localhost"), https=True)


# --- cookies ----------------------------------------------------------------------------------------


def same_database_app(app):
    """Another instance of the platform (read its settings from the environment again) on this database."""
    other = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other.test_client_class = IsolatedClient
    return other


@pytest.fixture
def https_app(app, monkeypatch):
    """The platform as production runs it behind TLS: NETWORK_SECURE_COOKIES=true, same database."""
    monkeypatch.setenv("NETWORK_SECURE_COOKIES", "true")
    secure = same_database_app(app)
    yield secure
    with secure.app_context():
        db.engine.dispose()


def test_over_https_session_and_remember_cookies_are_secure_httponly_samesite(https_app, users):
    client = https_app.test_client()
    response = client.post("/login", data={"email": users["professional"].email, "password": PASSWORD,
                                           "remember": "y"}, base_url="https://localhost")
    assert response.status_code == 302
    assert "Strict-Transport-Security" in response.headers
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        assert cookie is not None, name
        assert cookie.secure and cookie.http_only and cookie.same_site == "Lax", name
    set_cookie = " ".join(response.headers.getlist("Set-Cookie"))
    assert set_cookie.count("Secure") == 2 and set_cookie.count("HttpOnly") == 2
    assert client.get("/account", base_url="https://localhost").status_code == 200


def test_without_the_secure_cookies_setting_cookies_are_still_httponly_and_samesite(client, auth, users):
    auth.login(users["professional"], remember=True)
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        assert cookie.http_only and cookie.same_site == "Lax", name
        assert not cookie.secure, name  # Secure comes from NETWORK_SECURE_COOKIES, set when served over HTTPS


# --- sessions ---------------------------------------------------------------------------------------


def test_login_starts_a_new_session_nothing_from_before_survives(app, csrf_app, client, users):
    login_page = client.get("/login")
    old_csrf = csrf_token(login_page)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"  # as if an attacker had given the browser this session
    before = session_cookie(client)
    assert before

    assert login_with_csrf(client, users["professional"]).status_code == 302
    after = session_cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")
    # The form token of the anonymous session does not work in the logged-in one.
    assert client.post("/logout", data={"csrf_token": old_csrf}).status_code == 400
    assert client.get("/account").status_code == 200
    # Whoever kept the cookie from before the login is not logged in by it.
    other = app.test_client()
    other.set_cookie("session", before, domain="localhost")
    assert other.get("/account").status_code == 302


def test_logout_ends_the_session_and_the_remember_me_cookie(app, client, auth, users):
    auth.login(users["professional"], remember=True)
    copied_session = session_cookie(client)
    copied_remember = client.get_cookie("remember_token").value
    assert auth.logout().status_code == 302
    assert client.get("/account").status_code == 302

    for name, value in (("session", copied_session), ("remember_token", copied_remember)):
        replay = app.test_client()
        replay.set_cookie(name, value, domain="localhost")
        response = replay.get("/account")
        assert response.status_code == 302, name
        assert response.location.startswith("/login"), name


def test_logout_ends_the_persons_sessions_on_every_device(app, auth, users):
    """The session lives in the signed cookie: logging out ends it by changing the person's session
    version, which every session and remember-me cookie of theirs carries."""
    person, colleague = users["professional"], users["coordinator"]
    laptop, phone, colleagues = app.test_client(), app.test_client(), app.test_client()
    assert laptop.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    assert phone.post("/login", data={"email": person.email, "password": PASSWORD,
                                      "remember": "y"}).status_code == 302
    assert colleagues.post("/login", data={"email": colleague.email, "password": PASSWORD}).status_code == 302
    assert laptop.post("/logout").status_code == 302
    assert phone.get("/account").status_code == 302
    assert colleagues.get("/account").status_code == 200  # other people stay logged in
    assert phone.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302
    assert phone.get("/account").status_code == 200


# --- CSRF -------------------------------------------------------------------------------------------

# A value for each kind of URL placeholder; a new converter fails the sweep until it is taught here.
PLACEHOLDER_VALUES = {"BoundedIntConverter": 1, "UnicodeConverter": "x", "PathConverter": "x"}


def write_routes(app, api: bool):
    """(endpoint, method, url) for every state-changing route of the URL map, the API's or the others."""
    adapter = app.url_map.bind("localhost")
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") != api:
            continue
        values = {}
        for name, converter in rule._converters.items():
            kind = type(converter).__name__
            assert kind in PLACEHOLDER_VALUES, f"{rule.rule}: no test value for a {kind}"
            values[name] = PLACEHOLDER_VALUES[kind]
        for method in sorted(rule.methods & WRITE_METHODS):
            routes.append((rule.endpoint, method, adapter.build(rule.endpoint, values, method=method)))
    return routes


@pytest.fixture
def logged_in_admin(csrf_app, client, make_user):
    admin = make_user(SITE_ADMIN)
    assert login_with_csrf(client, admin).status_code == 302
    return admin


@pytest.mark.parametrize("headers", [CROSS_SITE, {}], ids=["cross-site", "no-origin"])
def test_every_state_changing_route_refuses_a_request_without_the_csrf_token(
        app, client, logged_in_admin, headers):
    routes = write_routes(app, api=False)
    assert len(routes) > 50 and ("auth.logout", "POST", "/logout") in routes
    audit_entries = db.session.scalar(select(func.count(AuditEntry.id)))
    accepted = []
    for endpoint, method, url in routes:
        response = client.open(url, method=method, data={"name": "forged", "confirm": "y"}, headers=headers)
        if response.status_code != 400 or "The form expired" not in response.get_data(as_text=True):
            accepted.append((endpoint, method, url, response.status_code))
    assert accepted == []
    # Nothing was written, and the forged logout did not log the admin out.
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audit_entries
    assert client.get("/account").status_code == 200


def test_the_api_is_exempt_from_csrf_because_it_never_reads_the_session_cookie(app, client, logged_in_admin):
    routes = write_routes(app, api=True)
    assert {method for _endpoint, method, _url in routes} == {"POST", "PATCH", "DELETE"}
    for endpoint, method, url in routes:
        response = client.open(url, method=method, json={}, headers=CROSS_SITE)
        assert response.status_code == 401, (endpoint, method)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


# --- throttling -------------------------------------------------------------------------------------


def retry_after(response) -> int:
    value = int(response.headers["Retry-After"])
    assert 0 < value <= 15 * 60
    return value


def test_throttled_login_says_when_to_retry(client, auth, users):
    person = users["professional"]
    for _ in range(5):
        assert auth.login(person, password="wrong password").status_code == 401
    response = auth.login(person)
    assert response.status_code == 429
    assert retry_after(response) > 14 * 60


def test_throttled_reset_request_says_when_to_retry(client, users, outbox):
    for number in range(10):
        client.post("/reset-password", data={"email": f"n{number}@example.org"})
    response = client.post("/reset-password", data={"email": users["professional"].email})
    assert response.status_code == 429
    retry_after(response)
    assert outbox == []


def reset_link(client, outbox, email) -> str:
    assert client.post("/reset-password", data={"email": email}).status_code == 302
    return re.search(r"/reset-password/([A-Za-z0-9_-]+)", outbox[-1].get_content()).group(1)


def test_guessing_reset_links_from_one_address_is_throttled(app, client, users, outbox):
    person = users["professional"]
    good = reset_link(client, outbox, person.email)
    guesser = {"REMOTE_ADDR": "10.0.3.1"}
    for number in range(10):
        response = client.get(f"/reset-password/guess{number}", environ_base=guesser)
        assert response.status_code == 400
    response = client.get(f"/reset-password/{good}", environ_base=guesser)
    assert response.status_code == 429
    assert retry_after(response) > 14 * 60
    assert "Too many reset links" in response.get_data(as_text=True)
    assert client.post(f"/reset-password/{good}", data={"password": "a new password 1", "confirm":
                       "a new password 1"}, environ_base=guesser).status_code == 429
    # The person, from their own address, still uses their link.
    assert client.get(f"/reset-password/{good}").status_code == 200
    response = client.post(f"/reset-password/{good}", data={"password": "a new password 1",
                                                            "confirm": "a new password 1"})
    assert response.status_code == 302
    kinds = db.session.scalars(select(LoginAttempt.kind).where(LoginAttempt.ip_address == "10.0.3.1"))
    assert set(kinds) == {"reset_link"}


def test_nine_bad_reset_links_do_not_throttle_the_address(client, users, outbox):
    good = reset_link(client, outbox, users["professional"].email)
    for number in range(9):
        client.get(f"/reset-password/guess{number}")
    assert client.get(f"/reset-password/{good}").status_code == 200


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_guessing_api_tokens_from_one_address_is_throttled(app, client, users):
    _row, good = tokens.create_token(users["professional"], "script")
    guesser = {"REMOTE_ADDR": "10.0.4.1"}
    for number in range(20):
        response = client.get("/api/v1/visits", headers=bearer(f"pn_guess{number}"), environ_base=guesser)
        assert response.status_code == 401
    response = client.get("/api/v1/visits", headers=bearer(good), environ_base=guesser)
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    assert retry_after(response) > 14 * 60
    # Anonymous reading goes on; another address uses its token; throttled requests are not counted.
    assert client.get("/api/v1/practices", environ_base=guesser).status_code == 200
    assert client.get("/api/v1/visits", headers=bearer(good)).status_code == 200
    failures = select(func.count(LoginAttempt.id)).where(LoginAttempt.kind == "api_token")
    assert db.session.scalar(failures) == 20

    # Retry-After tells when the oldest counted failure leaves the window; then the address may try again.
    window = app.config["LOGIN_WINDOW"]
    db.session.execute(update(LoginAttempt).values(created_at=utcnow() - window + timedelta(seconds=30)))
    db.session.commit()
    response = client.get("/api/v1/visits", headers=bearer(good), environ_base=guesser)
    assert response.status_code == 429 and retry_after(response) <= 30
    db.session.execute(update(LoginAttempt).values(created_at=utcnow() - window - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/api/v1/visits", headers=bearer(good), environ_base=guesser).status_code == 200


def test_a_revoked_token_counts_as_a_failure_and_a_good_one_does_not(client, users):
    person = users["professional"]
    row, revoked = tokens.create_token(person, "old")
    tokens.revoke_token(person, row.id)
    _row, good = tokens.create_token(person, "new")
    for _ in range(3):
        assert client.get("/api/v1/visits", headers=bearer(good)).status_code == 200
    assert client.get("/api/v1/visits", headers=bearer(revoked)).status_code == 401
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1
    # The address's failures are not part of anybody's data.
    assert db.session.scalar(select(LoginAttempt.email)) == ""


def test_the_openapi_description_documents_the_429(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "429" in spec["paths"]["/practices"]["post"]["responses"]
    assert "429" not in spec["paths"]["/openapi.json"]["get"]["responses"]


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_trusted(app, client, users, monkeypatch):
    # Directly on the internet, a client cannot escape the throttle by naming another address.
    for number in range(20):
        client.get("/api/v1/visits", headers={**bearer(f"pn_guess{number}"),
                                              "X-Forwarded-For": f"10.0.5.{number}"})
    assert client.get("/api/v1/visits", headers={**bearer("pn_x"), "X-Forwarded-For": "10.0.6.1"}
                      ).status_code == 429

    # Behind one trusted proxy (NETWORK_TRUSTED_PROXIES=1), the client's address and scheme are the proxy's
    # X-Forwarded-For and X-Forwarded-Proto.
    monkeypatch.setenv("NETWORK_TRUSTED_PROXIES", "1")
    proxied = same_database_app(app)
    try:
        behind = proxied.test_client()
        response = behind.get("/api/v1/visits", headers={**bearer("pn_y"), "X-Forwarded-For": "10.0.6.1",
                                                        "X-Forwarded-Proto": "https"})
        assert response.status_code == 401
        assert "Strict-Transport-Security" in response.headers
        assert db.session.scalar(select(LoginAttempt.id).where(LoginAttempt.ip_address == "10.0.6.1"))
    finally:
        with proxied.app_context():
            db.engine.dispose()


def test_user_data_export_is_unchanged_by_address_failures(client, auth, users):
    """Failures counted per address (reset links, API tokens) name no account: no one's export holds them."""
    person = users["professional"]
    client.get("/api/v1/visits", headers=bearer("pn_unknown"))
    client.get("/reset-password/unknown")
    auth.login(person)
    exported = client.get("/account/data.json").get_json()
    assert [(a["kind"], a["succeeded"]) for a in exported["login_attempts"]] == [("login", True)]
    assert db.session.scalar(select(func.count(LoginAttempt.id)).where(LoginAttempt.email == "")) == 2
