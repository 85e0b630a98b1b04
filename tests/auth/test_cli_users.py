"""`flask users create` and `flask seed-demo`."""
import contextvars

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from network.audit import AuditEntry
from network.auth.models import APPROVED, COORDINATOR, EVALUATOR, PENDING, User
from network.auth.services import find_user_by_email, password_matches
from network.demo import DEMO_LOGINS, DEMO_PASSWORD
from network.extensions import db
from network.institutions.models import Institution, Partnership

LONG_PASSWORD = "a long password"


class OwnContextClient(FlaskClient):
    """Runs every request in its own app context, as a real server does (see test_login.py)."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = OwnContextClient
    return app.test_client()


@pytest.fixture
def home(make_institution):
    return make_institution(name="Fundación Familias en Red")


def create(runner, *extra, email="X@Example.org", name="N", password=LONG_PASSWORD):
    args = ["users", "create", "--email", email, "--name", name, *extra, "--password-stdin"]
    return runner.invoke(args=args, input=password + "\n")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- users create ----------------------------------------------------------------------------------


def test_create_makes_an_approved_user_with_the_role(runner, client, home):
    result = create(runner, "--role", "coordinator", "--institution", home.slug)
    assert result.exit_code == 0, result.output
    user = find_user_by_email("x@example.org")
    assert user is not None
    assert user.email == "x@example.org"
    assert user.name == "N"
    assert user.roles == {COORDINATOR}
    assert user.membership_status == APPROVED
    assert user.is_approved_member
    assert user.institution_id == home.id
    assert password_matches(user, LONG_PASSWORD)
    assert f"Created x@example.org (id {user.id}) with roles: coordinator" in result.output
    # The new account works at once.
    response = client.post("/login", data={"email": "X@EXAMPLE.ORG", "password": LONG_PASSWORD})
    assert response.status_code == 302


def test_create_is_written_to_the_audit_log_as_the_command_line(runner, home):
    create(runner, "--role", "coordinator", "--institution", home.slug)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.created")).one()
    assert entry.actor_id is None and entry.by_person is False
    assert entry.target_label == "x@example.org"
    assert entry.details == {"roles": [COORDINATOR]}


def test_create_with_several_roles(runner, home):
    result = create(runner, "--role", "coordinator", "--role", "evaluator", "--role", "professional",
                    "--institution", home.slug)
    assert result.exit_code == 0, result.output
    assert find_user_by_email("x@example.org").roles == {COORDINATOR, EVALUATOR}
    assert "with roles: coordinator, evaluator" in result.output


def test_create_without_institution_waits_for_membership(runner):
    result = create(runner)
    assert result.exit_code == 0, result.output
    user = find_user_by_email("x@example.org")
    assert user.institution_id is None
    assert user.membership_status == PENDING
    assert user.roles == set()
    assert "with roles: professional" in result.output


def test_create_with_the_password_prompt(runner, home):
    result = runner.invoke(
        args=["users", "create", "--email", "ana@example.org", "--name", "Ana", "--institution", home.slug],
        input=f"{LONG_PASSWORD}\n{LONG_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert password_matches(find_user_by_email("ana@example.org"), LONG_PASSWORD)


def test_unknown_institution_slug_fails(runner, home):
    result = create(runner, "--institution", "no-such-place")
    assert result.exit_code == 2  # a usage error, not a crash
    assert "no institution with the slug 'no-such-place'" in result.output
    assert count(User) == 0


def test_unknown_role_fails(runner, home):
    result = create(runner, "--role", "emperor", "--institution", home.slug)
    assert result.exit_code == 2  # a usage error, not a crash
    assert "emperor" in result.output
    assert count(User) == 0


def test_invalid_email_fails(runner, home):
    result = create(runner, "--institution", home.slug, email="not-an-email")
    assert result.exit_code == 2  # a usage error, not a crash
    assert "--email" in result.output
    assert count(User) == 0


@pytest.mark.parametrize("typed", ["taken@example.org", "Taken@Example.ORG"])
def test_duplicate_email_fails(runner, home, make_user, typed):
    make_user(email="taken@example.org", name="First")
    result = create(runner, "--institution", home.slug, email=typed, name="Second")
    assert result.exit_code == 2  # a usage error, not a crash
    assert "an account with this email address already exists" in result.output
    assert count(User) == 1
    assert find_user_by_email("taken@example.org").name == "First"


@pytest.mark.parametrize("password", ["short", "nine char", "x" * 201, ""])
def test_password_of_wrong_length_fails(runner, home, password):
    result = create(runner, "--institution", home.slug, password=password)
    assert result.exit_code == 2  # a usage error, not a crash
    assert "the password needs between 10 and 200 characters" in result.output
    assert count(User) == 0


def test_password_of_ten_characters_is_accepted(runner, home):
    assert create(runner, "--institution", home.slug, password="ten chars!").exit_code == 0


# --- seed-demo -------------------------------------------------------------------------------------


def test_seed_demo_creates_the_network_and_prints_the_logins(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    # 10 demo people and one pending member, 7 host admins and 40 applicants for the demo exchanges,
    # a second evaluator for the essays.
    assert "added 8 institutions, 1 partnerships, 59 users" in result.output
    assert f"password for all: {DEMO_PASSWORD}" in result.output
    assert DEMO_PASSWORD == "peer-network-demo"
    for role in ("professional", "institution-admin", "coordinator", "evaluator", "admin"):
        assert f"{role}@demo.example" in result.output
    assert len(DEMO_LOGINS) == 5
    assert "Membership requests waiting for approval: carmen.ruiz@demo.example" in result.output
    assert count(Institution) == 8
    assert count(Partnership) == 1
    assert count(User) == 59
    # The one test that seeds from nothing: the rest of each feature's line is checked here too.
    from network.practices.demo import PRACTICES
    from network.practices.models import Comment

    assert f"59 users, {len(PRACTICES)} practices, {count(Comment)} comments," in result.output
    assert "2 collections)" in result.output


def test_seed_demo_is_idempotent(demo, runner):
    counts = (count(Institution), count(Partnership), count(User), count(AuditEntry))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "added 0 institutions, 0 partnerships, 0 users" in result.output
    assert (count(Institution), count(Partnership), count(User), count(AuditEntry)) == counts
    for role in DEMO_LOGINS:
        assert f"{role}@demo.example" in result.output


def test_seed_demo_fills_in_what_is_missing(demo, runner):
    db.session.delete(find_user_by_email("evaluator@demo.example"))
    db.session.commit()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "added 0 institutions, 0 partnerships, 1 users" in result.output


def test_demo_accounts_have_their_roles(demo):
    expected = {
        "professional": set(),
        "institution-admin": {"institution_admin"},
        "coordinator": {"coordinator"},
        "evaluator": {"evaluator"},
        "admin": {"site_admin"},
    }
    for local_part, roles in expected.items():
        user = find_user_by_email(f"{local_part}@demo.example")
        assert user.roles == roles
        assert user.membership_status == APPROVED
    assert find_user_by_email("carmen.ruiz@demo.example").membership_status == PENDING


def test_demo_professional_can_log_in(demo, client):
    demo = {"email": "professional@demo.example", "password": "peer-network-demo"}
    response = client.post("/login", data=demo)
    assert response.status_code == 302
    account = client.get("/account")
    assert account.status_code == 200
    assert "Ioana Popescu" in account.get_data(as_text=True)
    assert client.post("/logout").status_code == 302
    wrong = client.post("/login", data={**demo, "password": "not-the-demo-password"})
    assert wrong.status_code == 401
