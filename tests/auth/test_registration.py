"""Registration at /register: a pending professional who is logged in at once, or a form that says why not."""
import contextvars

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from conftest import PASSWORD, read_html
from network.auth.models import PENDING, User
from network.auth.services import find_user_by_email, password_matches
from network.extensions import db


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
    return make_institution(name="Fundación Familias", city="Sevilla", country="ES")


@pytest.fixture
def register(client, home):
    def post(**overrides):
        data = {
            "name": "Ana Pérez",
            "email": "ana.perez@example.org",
            "institution": str(home.id),
            "password": "a long enough password",
            "confirm": "a long enough password",
        }
        data.update(overrides)
        return client.post("/register", data=data)

    return post


def user_count():
    return db.session.scalar(select(func.count(User.id)))


def field_error(response, field_id):
    error = read_html(response).select_one(f"#{field_id}-error")
    return error.get_text(" ", strip=True) if error else None


def test_register_page_lists_the_institutions(client, home):
    response = client.get("/register")
    assert response.status_code == 200
    options = {o["value"]: o.get_text() for o in read_html(response).select("select#institution option")}
    assert options[str(home.id)] == "Fundación Familias (Sevilla, ES)"
    assert "0" in options  # the "Choose…" placeholder


def test_registration_creates_a_pending_user_and_logs_them_in(client, register, home):
    response = register()
    assert response.status_code == 302
    assert response.location == "/account"

    user = find_user_by_email("ana.perez@example.org")
    assert user is not None
    assert user.name == "Ana Pérez"
    assert user.membership_status == PENDING
    assert not user.is_approved_member
    assert user.institution_id == home.id
    assert user.roles == set()
    assert user.password_hash != "a long enough password"
    assert password_matches(user, "a long enough password")

    account = client.get("/account")
    assert account.status_code == 200
    text = account.get_data(as_text=True)
    assert "Welcome, Ana Pérez!" in text
    assert "waiting for approval" in text


def test_registered_person_can_log_in_again_with_their_password(client, register):
    register()
    client.post("/logout")
    assert client.get("/account").status_code == 302
    data = {"email": "ana.perez@example.org", "password": "a long enough password"}
    response = client.post("/login", data=data)
    assert response.status_code == 302


def test_email_is_stored_in_lower_case(register):
    assert register(email="Ana.Perez@Example.ORG").status_code == 302
    assert db.session.scalar(select(User.email)) == "ana.perez@example.org"


def test_name_is_stripped(register):
    register(name="  Ana Pérez  ")
    assert find_user_by_email("ana.perez@example.org").name == "Ana Pérez"


@pytest.mark.parametrize("typed", ["person@example.org", "PERSON@EXAMPLE.ORG", "Person@Example.org"])
def test_duplicate_email_in_any_letter_case_is_refused(register, make_user, typed):
    make_user(email="person@example.org")
    before = user_count()
    response = register(name="Second Person", email=typed)
    assert response.status_code == 422
    assert field_error(response, "email") == "An account with this email address already exists."
    page = read_html(response)
    assert page.select_one("input#email")["value"] == typed
    assert page.select_one("input#name")["value"] == "Second Person"
    assert page.select_one("input#email")["aria-invalid"] == "true"
    assert page.select_one(".error-summary") is not None
    assert user_count() == before


def test_duplicate_registration_does_not_log_anyone_in(client, register, make_user):
    make_user(email="person@example.org")
    register(email="person@example.org")
    assert client.get("/account").status_code == 302


def test_unknown_institution_is_refused(register):
    response = register(institution="99999")
    assert response.status_code == 422
    assert "Choose your institution from the list." in field_error(response, "institution")
    assert user_count() == 0


@pytest.mark.parametrize("value", ["0", "", "not-a-number"])
def test_institution_must_be_chosen(register, value):
    response = register(institution=value)
    assert response.status_code == 422
    assert field_error(response, "institution")
    assert user_count() == 0


def test_name_of_121_characters_is_refused(register):
    response = register(name="A" * 121)
    assert response.status_code == 422
    assert field_error(response, "name") == "A name can be at most 120 characters long."
    assert user_count() == 0


def test_name_of_120_characters_is_accepted(register):
    assert register(name="A" * 120).status_code == 302
    assert find_user_by_email("ana.perez@example.org").name == "A" * 120


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name_is_refused(register, name):
    response = register(name=name)
    assert response.status_code == 422
    assert field_error(response, "name") == "Enter your name."


@pytest.mark.parametrize(
    "email", ["not-an-email", "ana@", "@example.org", "ana perez@example.org", "ana@example"]
)
def test_bad_email_is_refused(register, email):
    response = register(email=email)
    assert response.status_code == 422
    assert field_error(response, "email") == "Enter a valid email address, like name@example.org."
    assert read_html(response).select_one("input#email")["value"] == email
    assert user_count() == 0


def test_missing_email_is_refused(register):
    response = register(email="")
    assert response.status_code == 422
    assert field_error(response, "email") == "Enter your email address."


def test_password_mismatch_is_refused(register):
    response = register(password="a long enough password", confirm="another long password")
    assert response.status_code == 422
    assert field_error(response, "confirm") == "The two passwords differ."
    assert user_count() == 0


def test_short_password_is_refused(register):
    response = register(password="nine char", confirm="nine char")
    assert response.status_code == 422
    assert field_error(response, "password") == "A password needs between 10 and 200 characters."
    assert user_count() == 0


def test_password_of_ten_characters_is_accepted(register):
    assert register(password="ten chars!", confirm="ten chars!").status_code == 302


def test_password_of_201_characters_is_refused(register):
    response = register(password="x" * 201, confirm="x" * 201)
    assert response.status_code == 422
    assert field_error(response, "password") == "A password needs between 10 and 200 characters."


def test_passwords_are_never_sent_back(register):
    response = register(confirm="another long password")
    text = response.get_data(as_text=True)
    assert "a long enough password" not in text
    assert "another long password" not in text


def test_logged_in_person_is_sent_to_their_account(client, auth, users, register):
    auth.login(users["professional"], PASSWORD)
    response = register(email="someone.else@example.org")
    assert response.status_code == 302
    assert response.location == "/account"
    assert find_user_by_email("someone.else@example.org") is None
