"""Administration pages: users and roles, membership requests, the audit log."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from conftest import read_html
from network.audit import AuditEntry
from network.auth.models import APPROVED, DECLINED, INSTITUTION_ADMIN, PENDING
from network.extensions import db

NON_ADMIN_ROLES = ["professional", "institution_admin", "coordinator", "evaluator"]


def login(auth, user):
    response = auth.login(user)
    assert response.status_code == 302, "login failed"


def cells(response, column: int) -> list[str]:
    rows = read_html(response).select("tbody tr")
    return [row.select("td")[column].get_text(" ", strip=True) for row in rows]


def audit_entries(action: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


# --- /admin/users ---------------------------------------------------------------------------------


def test_users_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", NON_ADMIN_ROLES + ["pending"])
def test_users_page_forbidden_to_non_admins(client, auth, users, role):
    login(auth, users[role])
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{users['professional'].id}").status_code == 403


def test_users_page_lists_everyone_for_site_admin(client, auth, users):
    login(auth, users["site_admin"])
    response = client.get("/admin/users")
    assert response.status_code == 200
    assert sorted(cells(response, 0)) == sorted(u.name for u in users.values())
    assert "7 users" in read_html(response).select_one("p[role=status]").get_text()


@pytest.fixture
def named(make_user, make_institution):
    casa = make_institution(name="Casa Deschisă", country="RO")
    return {
        "ana": make_user(name="Ana Pérez Gómez", email="ana.perez@familias.example"),
        "bogdan": make_user(name="Bogdan Ionescu", email="bogdan@casa.example", institution=casa),
        "bianca": make_user(
            "coordinator", name="Bianca Ionescu", email="bianca@casa.example", institution=casa
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Pérez", {"Ana Pérez Gómez"}),
        ("ionescu", {"Bogdan Ionescu", "Bianca Ionescu"}),
        ("IONESCU", {"Bogdan Ionescu", "Bianca Ionescu"}),
        ("Bogd", {"Bogdan Ionescu"}),
        ("casa.example", {"Bogdan Ionescu", "Bianca Ionescu"}),  # part of the email address
        ("BIANCA@CASA", {"Bianca Ionescu"}),
        ("nobody-is-called-this", set()),
    ],
)
def test_users_search_by_name_or_email(client, auth, users, named, query, expected):
    login(auth, users["site_admin"])
    response = client.get("/admin/users", query_string={"q": query})
    assert response.status_code == 200
    assert set(cells(response, 0)) == expected
    assert read_html(response).select_one("input#q")["value"] == query


def test_users_filter_by_role(client, auth, users, named):
    login(auth, users["site_admin"])
    response = client.get("/admin/users?role=coordinator")
    assert set(cells(response, 0)) == {users["coordinator"].name, "Bianca Ionescu"}
    assert read_html(response).select_one("#role option[selected]")["value"] == "coordinator"
    # Combined with the search.
    response = client.get("/admin/users?role=coordinator&q=ionescu")
    assert cells(response, 0) == ["Bianca Ionescu"]


def test_users_unknown_role_filter_is_ignored(client, auth, users, named):
    login(auth, users["site_admin"])
    response = client.get("/admin/users?role=overlord")
    assert response.status_code == 200
    assert len(cells(response, 0)) == len(users) + len(named)


def test_users_filter_by_status_and_institution(client, auth, users, named):
    login(auth, users["site_admin"])
    assert cells(client.get("/admin/users?status=pending"), 0) == [users["pending"].name]
    casa = named["bogdan"].institution
    response = client.get(f"/admin/users?institution={casa.id}")
    assert set(cells(response, 0)) == {"Bogdan Ionescu", "Bianca Ionescu"}


def test_users_page_shows_roles(client, auth, users):
    login(auth, users["site_admin"])
    response = client.get("/admin/users", query_string={"q": users["evaluator"].email})
    assert cells(response, 4) == ["Evaluator"]
    response = client.get("/admin/users", query_string={"q": users["professional"].email})
    assert cells(response, 4) == ["Professional"]


# --- /admin/users/<id> ----------------------------------------------------------------------------


def test_user_page_shows_the_person_and_their_roles(client, auth, users):
    login(auth, users["site_admin"])
    person = users["coordinator"]
    response = client.get(f"/admin/users/{person.id}")
    assert response.status_code == 200
    html = read_html(response)
    assert html.h1.get_text(strip=True) == person.name
    assert person.email in html.select_one("dl.facts").get_text()
    assert {i["value"] for i in html.select('input[name="roles"][checked]')} == {"coordinator"}
    assert {i["value"] for i in html.select('input[name="roles"]')} == {
        "institution_admin", "coordinator", "evaluator", "site_admin",
    }


def test_unknown_user_page_is_404(client, auth, users):
    login(auth, users["site_admin"])
    assert client.get("/admin/users/99999").status_code == 404
    assert client.post("/admin/users/99999", data={"roles": ["evaluator"]}).status_code == 404


def test_site_admin_sets_roles_and_it_is_audited(client, auth, users):
    admin, person = users["site_admin"], users["professional"]
    login(auth, admin)
    response = client.post(f"/admin/users/{person.id}", data={"roles": ["evaluator", "coordinator"]})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/{person.id}"
    db.session.expire_all()
    assert person.roles == {"evaluator", "coordinator"}
    [entry] = audit_entries("user.roles_changed")
    assert entry.actor_id == admin.id
    assert entry.target_type == "user" and entry.target_id == person.id
    assert entry.details == {"before": [], "after": ["coordinator", "evaluator"]}

    page = client.get(response.headers["Location"])
    assert "Roles of %s saved." % person.name in page.get_data(as_text=True)
    checked = {i["value"] for i in read_html(page).select('input[name="roles"][checked]')}
    assert checked == {"coordinator", "evaluator"}


def test_removing_roles_is_audited_and_unchanged_roles_are_not(client, auth, users):
    person = users["coordinator"]
    login(auth, users["site_admin"])
    assert client.post(f"/admin/users/{person.id}", data={"roles": ["coordinator"]}).status_code == 302
    assert audit_entries("user.roles_changed") == []  # nothing changed, nothing recorded
    # Every box unticked: only the submit button is sent.
    assert client.post(f"/admin/users/{person.id}", data={"submit": "Save roles"}).status_code == 302
    db.session.expire_all()
    assert person.roles == set()
    [entry] = audit_entries("user.roles_changed")
    assert entry.details == {"before": ["coordinator"], "after": []}


@pytest.mark.parametrize("bad_role", ["overlord", "professional"])
def test_unknown_role_is_refused(client, auth, users, bad_role):
    person = users["professional"]
    login(auth, users["site_admin"])
    response = client.post(f"/admin/users/{person.id}", data={"roles": ["evaluator", bad_role]})
    assert response.status_code == 422
    db.session.expire_all()
    assert person.roles == set()
    assert audit_entries("user.roles_changed") == []


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_non_admins_cannot_set_roles(client, auth, users, role):
    actor = users[role]
    login(auth, actor)
    response = client.post(f"/admin/users/{actor.id}", data={"roles": ["site_admin"]})
    assert response.status_code == 403
    db.session.expire_all()
    assert "site_admin" not in actor.roles
    assert audit_entries("user.roles_changed") == []


def test_setting_roles_anonymously_goes_to_login(client, users):
    response = client.post(f"/admin/users/{users['professional'].id}", data={"roles": ["site_admin"]})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    db.session.expire_all()
    assert users["professional"].roles == set()


# --- /admin/memberships ---------------------------------------------------------------------------


@pytest.fixture
def far_pending(users, make_user):
    """Someone waiting to join the other institution."""
    return make_user(institution=users["outsider"].institution, status=PENDING, name="Far Pending")


def test_memberships_anonymous_goes_to_login(client):
    response = client.get("/admin/memberships")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ["professional", "coordinator", "evaluator", "pending"])
def test_memberships_forbidden_to_non_admins(client, auth, users, role):
    login(auth, users[role])
    assert client.get("/admin/memberships").status_code == 403


def test_pending_institution_admin_cannot_review(client, auth, users, make_user):
    waiting_admin = make_user(
        INSTITUTION_ADMIN, institution=users["professional"].institution, status=PENDING
    )
    login(auth, waiting_admin)
    assert client.get("/admin/memberships").status_code == 403
    response = client.post(f"/admin/memberships/{users['pending'].id}", data={"approve": "1"})
    assert response.status_code == 403
    db.session.expire_all()
    assert users["pending"].membership_status == PENDING


def test_institution_admin_sees_only_their_institutions_requests(client, auth, users, far_pending):
    login(auth, users["institution_admin"])
    response = client.get("/admin/memberships")
    assert response.status_code == 200
    assert cells(response, 0) == [users["pending"].name]
    assert far_pending.email not in response.get_data(as_text=True)


def test_site_admin_sees_every_request(client, auth, users, far_pending):
    login(auth, users["site_admin"])
    response = client.get("/admin/memberships")
    assert set(cells(response, 0)) == {users["pending"].name, "Far Pending"}
    assert set(cells(response, 2)) == {"Home Institution", "Other Institution"}


def test_no_requests_waiting(client, auth, users):
    login(auth, users["institution_admin"])
    client.post(f"/admin/memberships/{users['pending'].id}", data={"approve": "1"})
    response = client.get("/admin/memberships")
    assert "No requests waiting." in response.get_data(as_text=True)
    assert cells(response, 0) == []


def test_institution_admin_approves_a_member(client, auth, users):
    admin, member = users["institution_admin"], users["pending"]
    login(auth, admin)
    response = client.post(f"/admin/memberships/{member.id}", data={"approve": "1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/memberships"
    db.session.expire_all()
    assert member.membership_status == APPROVED
    [entry] = audit_entries("membership.approved")
    assert entry.actor_id == admin.id and entry.target_id == member.id and entry.target_type == "user"
    assert entry.details == {"institution": member.institution.slug}
    page = client.get("/admin/memberships")
    assert f"{member.name} is now a member." in page.get_data(as_text=True)


def test_institution_admin_cannot_approve_another_institutions_member(client, auth, users, far_pending):
    login(auth, users["institution_admin"])
    response = client.post(f"/admin/memberships/{far_pending.id}", data={"approve": "1"})
    assert response.status_code == 403
    response = client.post(f"/admin/memberships/{far_pending.id}", data={"decline": "1"})
    assert response.status_code == 403
    db.session.expire_all()
    assert far_pending.membership_status == PENDING
    assert audit_entries("membership.approved") == [] and audit_entries("membership.declined") == []


@pytest.mark.parametrize("role", ["professional", "coordinator", "evaluator"])
def test_others_cannot_approve(client, auth, users, role):
    login(auth, users[role])
    assert client.post(f"/admin/memberships/{users['pending'].id}", data={"approve": "1"}).status_code == 403
    db.session.expire_all()
    assert users["pending"].membership_status == PENDING


def test_approving_anonymously_goes_to_login(client, users):
    response = client.post(f"/admin/memberships/{users['pending'].id}", data={"approve": "1"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    db.session.expire_all()
    assert users["pending"].membership_status == PENDING


def test_site_admin_declines_a_request(client, auth, users, far_pending):
    admin = users["site_admin"]
    login(auth, admin)
    response = client.post(f"/admin/memberships/{far_pending.id}", data={"decline": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert far_pending.membership_status == DECLINED
    [entry] = audit_entries("membership.declined")
    assert entry.actor_id == admin.id and entry.target_id == far_pending.id
    assert audit_entries("membership.approved") == []
    assert "was declined" in client.get("/admin/memberships").get_data(as_text=True)


def test_a_decision_must_say_approve_or_decline(client, auth, users):
    login(auth, users["institution_admin"])
    response = client.post(f"/admin/memberships/{users['pending'].id}", data={"next": "/admin/memberships"})
    assert response.status_code == 400
    db.session.expire_all()
    assert users["pending"].membership_status == PENDING
    assert audit_entries("membership.declined") == []


def test_deciding_for_an_unknown_user_is_404(client, auth, users):
    login(auth, users["site_admin"])
    assert client.post("/admin/memberships/99999", data={"approve": "1"}).status_code == 404


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/institutions/home-institution", "/institutions/home-institution"),
        ("https://evil.example/phish", "/admin/memberships"),
        ("//evil.example/phish", "/admin/memberships"),
        ("", "/admin/memberships"),
    ],
)
def test_decision_returns_only_to_a_page_of_this_site(client, auth, users, next_url, expected):
    login(auth, users["institution_admin"])
    response = client.post(
        f"/admin/memberships/{users['pending'].id}", data={"approve": "1", "next": next_url}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_approved_member_then_sees_the_member_list(client, auth, users):
    member = users["pending"]
    login(auth, users["institution_admin"])
    client.post(f"/admin/memberships/{member.id}", data={"approve": "1"})
    auth.logout()
    login(auth, member)
    page = read_html(client.get(f"/institutions/{member.institution.slug}"))
    assert "Members" in [h.get_text(strip=True) for h in page.select("h2")]


# --- /admin/audit ---------------------------------------------------------------------------------


def add_entry(action, label, when, actor=None):
    entry = AuditEntry(action=action, target_label=label, created_at=when,
                       actor_id=getattr(actor, "id", None),
                       by_person=actor is not None, details={})
    db.session.add(entry)
    db.session.commit()
    return entry


@pytest.fixture
def dated_entries(app):
    return [
        add_entry("test.dated", "january", datetime(2024, 1, 10, 12, 0, tzinfo=timezone.utc)),
        add_entry("test.dated", "february", datetime(2024, 2, 15, 23, 30, tzinfo=timezone.utc)),
        add_entry("test.dated", "march", datetime(2024, 3, 20, 0, 0, tzinfo=timezone.utc)),
    ]


def test_audit_anonymous_goes_to_login(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_audit_forbidden_to_non_admins(client, auth, users, role):
    login(auth, users[role])
    assert client.get("/admin/audit").status_code == 403


def test_audit_log_readable_by_site_admin(client, auth, users):
    login(auth, users["site_admin"])
    response = client.get("/admin/audit")
    assert response.status_code == 200
    # The users fixture made seven accounts from the "command line".
    assert cells(response, 2).count("Account created") == 7
    assert "system (command line)" in cells(response, 1)


def test_audit_filter_by_action(client, auth, users, far_pending):
    login(auth, users["site_admin"])
    client.post(f"/admin/memberships/{users['pending'].id}", data={"approve": "1"})
    client.post(f"/admin/memberships/{far_pending.id}", data={"decline": "1"})
    response = client.get("/admin/audit?action=membership.approved")
    assert response.status_code == 200
    assert cells(response, 2) == ["Membership approved"]
    assert users["pending"].email in cells(response, 3)[0]
    assert cells(response, 1) == [users["site_admin"].name]
    html = read_html(response)
    assert html.select_one("#action option[selected]")["value"] == "membership.approved"
    offered = {o["value"] for o in html.select("#action option") if o["value"]}
    assert {"membership.approved", "membership.declined", "user.created"} <= offered


def test_audit_filter_by_actor(client, auth, users):
    login(auth, users["site_admin"])
    client.post(f"/admin/users/{users['evaluator'].id}", data={"roles": ["evaluator", "coordinator"]})
    response = client.get(f"/admin/audit?actor={users['site_admin'].id}")
    assert cells(response, 2) == ["Roles changed"]
    # Named in the reader's language, not a Python list: "Before: Evaluator After: Coordinator, Evaluator".
    assert "After: Coordinator, Evaluator" in cells(response, 4)[0] and "[" not in cells(response, 4)[0]


def test_audit_filter_since(client, auth, users, dated_entries):
    login(auth, users["site_admin"])
    response = client.get("/admin/audit?action=test.dated&since=2024-02-01")
    assert response.status_code == 200
    assert [label.split()[-1] for label in cells(response, 3)] == ["march", "february"]
    assert read_html(response).select_one("input#since")["value"] == "2024-02-01"


def test_audit_filter_until_includes_the_whole_day(client, auth, users, dated_entries):
    login(auth, users["site_admin"])
    response = client.get("/admin/audit?action=test.dated&until=2024-02-15")
    assert [label.split()[-1] for label in cells(response, 3)] == ["february", "january"]


def test_audit_filter_between_dates(client, auth, users, dated_entries):
    login(auth, users["site_admin"])
    response = client.get("/admin/audit?action=test.dated&since=2024-02-15&until=2024-02-15")
    assert [label.split()[-1] for label in cells(response, 3)] == ["february"]
    response = client.get("/admin/audit?action=test.dated&since=2024-03-21")
    assert cells(response, 3) == []


@pytest.mark.parametrize(
    "query", ["since=notadate", "until=2024-13-45", "since=", "since=2024-02-31&until=x"]
)
def test_audit_ignores_a_date_that_is_not_one(client, auth, users, dated_entries, query):
    login(auth, users["site_admin"])
    response = client.get(f"/admin/audit?action=test.dated&{query}")
    assert response.status_code == 200
    assert len(cells(response, 3)) == 3
    html = read_html(response)
    assert html.select_one("input#since")["value"] == ""
    assert html.select_one("input#until")["value"] == ""


def test_audit_shows_former_members(client, auth, users):
    add_entry("test.former", "x", datetime(2024, 1, 1, tzinfo=timezone.utc), actor=users["outsider"])
    entry = audit_entries("test.former")[0]
    entry.actor_id = None
    db.session.commit()
    login(auth, users["site_admin"])
    assert cells(client.get("/admin/audit?action=test.former"), 1) == ["former member"]


def test_audit_is_paginated_and_keeps_filters(client, auth, users):
    for n in range(55):
        add_entry("test.bulk", f"entry {n}", datetime(2024, 1, 1, tzinfo=timezone.utc))
    login(auth, users["site_admin"])
    first = client.get("/admin/audit?action=test.bulk")
    assert len(cells(first, 0)) == 50
    assert "55 entries" in read_html(first).select_one("p[role=status]").get_text()
    next_link = read_html(first).select_one('a[rel="next"]')["href"]
    assert "action=test.bulk" in next_link and "page=2" in next_link
    second = client.get(next_link)
    assert len(cells(second, 0)) == 5
    assert client.get("/admin/audit?action=test.bulk&page=9").status_code == 200
    assert client.get("/admin/audit?action=test.bulk&page=-3").status_code == 200



def test_approval_through_the_real_form_with_csrf(app, client, auth, users):
    login(auth, users["institution_admin"])
    app.config["WTF_CSRF_ENABLED"] = True
    member = users["pending"]
    page = read_html(client.get("/admin/memberships"))
    form = page.select_one(f'form[action="/admin/memberships/{member.id}"]')
    assert form is not None
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert "csrf_token" in fields
    # Without the token: refused.
    assert client.post(form["action"], data={"approve": "1"}).status_code == 400
    db.session.expire_all()
    assert member.membership_status == PENDING
    response = client.post(form["action"], data={**fields, "approve": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/memberships"
    db.session.expire_all()
    assert member.membership_status == APPROVED


def test_user_page_offers_the_decision_for_a_pending_member(client, auth, users):
    member = users["pending"]
    login(auth, users["site_admin"])
    html = read_html(client.get(f"/admin/users/{member.id}"))
    form = html.select_one(f'form[action="/admin/memberships/{member.id}"]')
    assert form is not None
    assert {b["name"] for b in form.select("input[type=submit]")} == {"approve", "decline"}
    response = client.post(form["action"], data={"decline": "Decline", "next": f"/admin/users/{member.id}"})
    assert response.headers["Location"] == f"/admin/users/{member.id}"
    db.session.expire_all()
    assert member.membership_status == DECLINED
    # A declined person can still be approved later, but not declined twice from this page.
    page = read_html(client.get(f"/admin/users/{member.id}"))
    form = page.select_one(f'form[action="/admin/memberships/{member.id}"]')
    assert {b["name"] for b in form.select("input[type=submit]")} == {"approve"}
    assert read_html(client.get(f"/admin/users/{users['professional'].id}")).select_one(
        'form[action^="/admin/memberships/"]') is None
