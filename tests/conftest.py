"""Fixtures: an app on a migrated temporary database, a client, a CLI runner, users per role.

The database is SQLite by default. With NETWORK_TEST_POSTGRES_URL set (`make test` and .ci/run set it when
they can start a PostgreSQL server), the same suite runs against PostgreSQL instead.
"""
from __future__ import annotations

import contextvars
import itertools
import os
import shutil
from datetime import date

import pytest
import sqlalchemy as sa
from flask import has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade

from network import create_app
from network.auth import services as accounts
from network.auth.models import (
    APPROVED,
    COORDINATOR,
    EVALUATOR,
    INSTITUTION_ADMIN,
    PENDING,
    SITE_ADMIN,
)
from network.extensions import db
from network.institutions import services as institutions

PASSWORD = "correct horse battery"
POSTGRES_URL = os.environ.get("NETWORK_TEST_POSTGRES_URL")

BASE_TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    # Cheap hashing: tests check behaviour, not the cost (the production cost is in config.py).
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "ARGON2_PARALLELISM": 1,
    "SERVER_NAME": "localhost",
    "SEARCH_INDEXER": "manual",  # tests drain the search outbox themselves
    "PRACTICE_FACETS_CACHE_SECONDS": 0,  # tests see every change at once (the cache has its own test)
    "PAGE_CACHE_SECONDS": 0,  # likewise for whole pages (tests/test_page_cache.py turns it on)
}


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + POSTGRES_URL.rsplit('@', 1)[-1] if POSTGRES_URL else 'SQLite'}"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per run; each test then starts from a copy (SQLite) or from emptied tables (PostgreSQL)."""
    workdir = tmp_path_factory.mktemp("template")
    url = POSTGRES_URL or f"sqlite:///{workdir / 'template.sqlite3'}"
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if POSTGRES_URL:
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return workdir / "template.sqlite3"


@pytest.fixture
def app(database_template, tmp_path, monkeypatch):
    monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(tmp_path / "instance"))
    if POSTGRES_URL:
        url = POSTGRES_URL
    else:
        shutil.copy(database_template, tmp_path / "test.sqlite3")
        url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        yield app
        db.session.remove()
        if POSTGRES_URL:
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def csrf_app(app):
    """The same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


class IsolatedClient(FlaskClient):
    """Each request runs in fresh contexts, as on a real server: the user and the database session of
    one request never leak into the next, nor into the test's own session (whose objects are expired,
    so the test reads what the request wrote)."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.expire_all()
        return response


@pytest.fixture
def client(app):
    app.test_client_class = IsolatedClient
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """Emails the app would have sent (no MAIL_SERVER in tests)."""
    return app.extensions.setdefault("network_outbox", [])


# --- factories ------------------------------------------------------------------------------------

_numbers = itertools.count(1)


@pytest.fixture
def make_institution(app):
    def make(name=None, country="ES", sectors=("social",), languages=("es", "en"), **extra):
        n = next(_numbers)
        return institutions.create_institution(
            None,
            institutions.InstitutionData(
                name=name or f"Institution {n}", country=country, city=extra.pop("city", "Sevilla"),
                sectors=list(sectors), languages=list(languages), **extra,
            ),
        )

    return make


@pytest.fixture
def make_user(app, make_institution):
    def make(role=None, institution=None, status=APPROVED, email=None, name=None, password=PASSWORD):
        n = next(_numbers)
        if institution is None:
            institution = make_institution()
        user = accounts.create_user(
            name or f"Person {n}",
            email or f"person{n}@example.org",
            password,
            institution,
            roles=[role] if role else [],
            approved=status == APPROVED,
        )
        if status not in (APPROVED, PENDING):
            user.membership_status = status
            db.session.commit()
        return user

    return make


@pytest.fixture
def make_partnership(app, make_institution):
    def make(coordinator=None, partners=(), reference=None, title="Family resources"):
        coordinator = coordinator or make_institution()
        return institutions.create_partnership(
            None,
            institutions.PartnershipData(
                title=title, reference=reference or f"2025-1-ES01-KA220-{next(_numbers):06d}",
                start_date=date(2025, 11, 1), end_date=date(2027, 10, 31),
                coordinating_institution=coordinator, partners=list(partners),
            ),
        )

    return make


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, user_or_email, password=PASSWORD, remember=False, **environ):
        email = getattr(user_or_email, "email", user_or_email)
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        return self._client.post("/login", data=data, environ_base=environ)

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def users(make_user, make_institution):
    """One user per kind of visitor, all at one institution except the outsider."""
    home = make_institution(name="Home Institution", country="ES")
    other = make_institution(name="Other Institution", country="RO")
    return {
        "professional": make_user(institution=home),
        "outsider": make_user(institution=other),
        "pending": make_user(institution=home, status=PENDING),
        "institution_admin": make_user(INSTITUTION_ADMIN, institution=home),
        "coordinator": make_user(COORDINATOR, institution=home),
        "evaluator": make_user(EVALUATOR, institution=other),
        "site_admin": make_user(SITE_ADMIN, institution=home),
    }


def read_html(response):
    from bs4 import BeautifulSoup

    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def practice_data(owner, **overrides):
    """Valid practice data owned by this institution; override any field."""
    from network.practices.services import PracticeData

    values = dict(
        title="Interfamily group sessions",
        summary="Families meet every fortnight to share how they solve everyday problems.",
        context="Started in 2015 in a **family support centre**.",
        target_group="Families with children at social risk.",
        methods="- Fortnightly sessions\n- Two facilitators",
        outcomes="Families report more support from each other.",
        sectors=["social"],
        intervention_types=["family", "group"],
        tags=["interfamily groups"],
        country=owner.country,
        language="es",
        institution=owner.slug,
        status="published",
        visibility="public",
    )
    values.update(overrides)
    return PracticeData(**values)


@pytest.fixture
def make_practice(app):
    def make(owner, actor=None, uploads=(), **overrides):
        from network.practices import services as practices

        return practices.create_practice(actor, practice_data(owner, **overrides), uploads)

    return make


# --- mobility ------------------------------------------------------------------------------------


@pytest.fixture
def exchange(make_institution, make_user, make_partnership):
    """A partnership ready for exchanges: a coordinating institution, two hosts with offers (Seville,
    Arad), one sending institution (Helsinki), and people in each role."""
    from mobility_helpers import Exchange, offer_data, week, W1, W2
    from network.mobility import services as mobility

    coordinating = make_institution(name="Coordinating Centre", country="BE", languages=("fr", "en"))
    seville = make_institution(name="Seville Family Centre", country="ES", languages=("es", "en"))
    arad = make_institution(name="Arad Social Services", country="RO", languages=("ro", "en"))
    sender = make_institution(name="Helsinki Family Clinic", country="FI", languages=("fi", "en"))
    partnership = make_partnership(coordinator=coordinating, partners=[seville, arad, sender])
    coordinator = make_user(COORDINATOR, institution=coordinating, name="Coco Ordinator")
    admins = {name: make_user(INSTITUTION_ADMIN, institution=inst, name=f"{name.title()} Admin")
              for name, inst in (("seville", seville), ("arad", arad), ("sender", sender))}
    seville_offer = mobility.save_offer(admins["seville"], partnership, seville, offer_data())
    arad_offer = mobility.save_offer(admins["arad"], partnership, arad, offer_data(
        languages=["ro", "en"], approaches=["attachment", "community work"], weeks={week(W1): 1, week(W2): 1}))
    return Exchange(partnership, coordinating, coordinator, seville, arad, sender, admins["seville"],
                    admins["arad"], admins["sender"], seville_offer, arad_offer)


@pytest.fixture
def make_applicant(exchange, make_user):
    """An endorsed applicant from the sending institution (or another partner)."""

    from mobility_helpers import application_data
    from network.mobility import services as mobility

    def make(institution=None, endorse=True, **overrides):
        institution = institution or exchange.sender
        person = make_user(institution=institution)
        overrides.setdefault("preferred_hosts", [exchange.seville.id, exchange.arad.id])
        application = mobility.save_application(person, exchange.partnership, application_data(**overrides))
        if endorse:
            admin = exchange.sender_admin if institution.id == exchange.sender.id else None
            admin = admin or make_user(INSTITUTION_ADMIN, institution=institution)
            mobility.decide_application(admin, application, endorse=True)
        return application

    return make
