"""Fixtures: an app on a migrated temporary database, a client, a CLI runner, users per role.

The database is SQLite by default. With NETWORK_TEST_POSTGRES_URL set (`make test` and .ci/run set it when
they can start a PostgreSQL server), the same suite runs against PostgreSQL instead.
"""
from __future__ import annotations

import contextlib
import contextvars
import itertools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from hypothesis import settings

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
from network.mobility import weeks as mobility_weeks
from network.search import sync as search_sync

PASSWORD = "correct horse battery"

# Hypothesis: a test that sets no example count of its own (the database-backed state machines) runs a few
# examples in the suite; `make test-deep` (HYPOTHESIS_PROFILE=deep) runs many more.
# The suite derandomizes: CI runs the same examples every time (make test-deep explores new ones).
settings.register_profile("suite", max_examples=40, stateful_step_count=30, deadline=None, derandomize=True)
settings.register_profile("deep", max_examples=300, stateful_step_count=60, deadline=None)
# The PostgreSQL run is there for what the database does differently; the examples are the same derandomized
# ones as on SQLite, which explores 40 of each: on PostgreSQL the first 15 are tried (the state machines took
# 50 s each there, half of their SQLite time again for the same sequences).
settings.register_profile("suite-postgres", parent=settings.get_profile("suite"), max_examples=15)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE")
                      or ("suite-postgres" if os.environ.get("NETWORK_TEST_POSTGRES_URL") else "suite"))


def _postgres_url_of_this_process() -> str | None:
    """NETWORK_TEST_POSTGRES_URL, or under pytest-xdist a database of this worker's own on the same server
    (network_test_gw0, network_test_gw1...), created on first use; the processes a test starts read it too."""
    url = os.environ.get("NETWORK_TEST_POSTGRES_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = sa.engine.make_url(url)
    if base.database.endswith(f"_{worker}"):
        return url
    own = base.set(database=f"{base.database}_{worker}")
    maintenance = sa.create_engine(base.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with maintenance.connect() as connection:
        exists = connection.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": own.database})
        if not exists:
            connection.exec_driver_sql(f'CREATE DATABASE "{own.database}"')
    maintenance.dispose()
    own_url = own.render_as_string(hide_password=False)
    os.environ["NETWORK_TEST_POSTGRES_URL"] = own_url
    return own_url


POSTGRES_URL = _postgres_url_of_this_process()

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
    "JOBS": "immediate",  # background jobs run in the caller (tests/jobs drive a SQLite queue of their own)
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


# --- the clock ------------------------------------------------------------------------------------------
# Nothing books a week that has begun (network.mobility.weeks.has_begun). The tests book fixed weeks
# (tests/mobility_helpers.py: W1-W3 in March 2027, a week with a Spanish holiday in December 2026...), so for
# them mobility's today is fixed at BEFORE_THE_WEEKS, whatever the real date. The demo's dates are computed
# from the real today (network/demo_calendar.py): it is seeded, and its tests run, with the real clock.
# tests/test_demo_dates.py moves the whole clock to prove the demo stays right on any day.

_real_mobility_today = mobility_weeks.today


@contextlib.contextmanager
def real_mobility_clock():
    """Mobility's real today within the block (the demo's seeding; what a live server in another process sees)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(mobility_weeks, "today", _real_mobility_today)
        yield


@pytest.fixture(scope="session", autouse=True)
def mobility_clock():
    from mobility_helpers import BEFORE_THE_WEEKS

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(mobility_weeks, "today", lambda: BEFORE_THE_WEEKS)
        yield BEFORE_THE_WEEKS


@pytest.fixture
def real_clock(monkeypatch):
    """Mobility's today is the real one (or the one time-machine sets) for this test."""
    monkeypatch.setattr(mobility_weeks, "today", _real_mobility_today)


@dataclass
class SharedApp:
    """The one app of a test process, and what it was like when it was made (each test gets it back so)."""

    app: Flask
    database_file: Path  # SQLite
    config: dict
    extensions: dict
    client_class: type


@pytest.fixture(scope="session")
def shared_app(database_template, tmp_path_factory) -> Iterator[SharedApp]:
    """One app per test process: create_app costs about 50 ms (most of it compiling the URL map), paid once
    instead of before each of 3,500 tests. The `app` fixture puts it back as it was made before each test."""
    root = tmp_path_factory.mktemp("app")
    url = POSTGRES_URL or f"sqlite:///{root / 'test.sqlite3'}"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(root / "instance"))
        app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    yield SharedApp(app, root / "test.sqlite3", dict(app.config), dict(app.extensions), app.test_client_class)
    with app.app_context():
        db.engine.dispose()  # PostgreSQL's connections, kept open from test to test


def _restore(shared: SharedApp, database_file: Path | None) -> None:
    """The app as it was made: its configuration, its extensions (caches, collected emails), an empty instance
    folder with an empty search index, and (SQLite) the database copied from database_file."""
    app = shared.app
    app.config.clear()
    app.config.update(shared.config)
    app.test_client_class = shared.client_class
    shared.extensions["search_index"].close()
    app.extensions["search_index"].close()
    app.extensions.clear()
    app.extensions.update(shared.extensions)
    app.extensions["jobs"].huey.flush()  # the retries of the last test's failed jobs, in the in-memory queue
    instance = Path(app.instance_path)
    shutil.rmtree(instance, ignore_errors=True)
    instance.mkdir(parents=True)
    with app.app_context():
        search_sync.init_app(app)  # a new SearchIndex object: nothing of the last test's index is cached
        db.session.remove()
        if not POSTGRES_URL:  # the file is replaced below; PostgreSQL's connections stay open from test to test
            db.engine.dispose()
    if database_file is not None and not POSTGRES_URL:
        _copy_sqlite(database_file, shared.database_file)


def _copy_sqlite(source: Path, target: Path) -> None:
    """The database file copied over the app's (closed) one, without the old one's -wal and -shm files."""
    for leftover in target.parent.glob(target.name + "-*"):
        leftover.unlink()
    shutil.copy(source, target)


def _empty_postgres() -> None:
    """Every table that holds rows emptied and every id sequence that was used back at 1, in one round trip.

    The server checks each table and sequence itself: a test writes to a few of the 93 tables, and a DELETE or
    an ALTER SEQUENCE costs 0.1-0.3 ms even when there is nothing to do (25 ms a test for all of them; this
    block takes about 4). Tables are visited children first, so that no row is left referring to a deleted one.
    """
    tables = ", ".join(f"'{table.name}'" for table in reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        connection.exec_driver_sql(f"""
DO $$
DECLARE
  name text;
  used record;
  has_rows boolean;
BEGIN
  FOREACH name IN ARRAY ARRAY[{tables}] LOOP
    EXECUTE 'SELECT EXISTS (SELECT FROM ' || quote_ident(name) || ')' INTO has_rows;
    IF has_rows THEN EXECUTE 'DELETE FROM ' || quote_ident(name); END IF;
  END LOOP;
  -- last_value is NULL for a sequence that handed out nothing since its last restart
  FOR used IN SELECT schemaname, sequencename FROM pg_sequences
              WHERE schemaname = current_schema() AND last_value IS NOT NULL LOOP
    EXECUTE 'ALTER SEQUENCE ' || quote_ident(used.schemaname) || '.' || quote_ident(used.sequencename) || ' RESTART';
  END LOOP;
END $$""")


@pytest.fixture
def app(shared_app, database_template, monkeypatch):
    app = shared_app.app
    monkeypatch.setenv("NETWORK_INSTANCE_PATH", app.instance_path)  # for the processes a test starts
    _restore(shared_app, database_template)
    with app.app_context():
        yield app
        db.session.remove()
        if POSTGRES_URL:
            _empty_postgres()
        else:
            db.engine.dispose()


@dataclass
class DemoTemplate:
    added: dict  # what seed_demo() reported when it seeded the template
    database_file: Path  # SQLite
    database_name: str  # PostgreSQL: the template database
    instance: Path  # the files the seeding wrote


def _maintenance_engine():
    """On the server's own "postgres" database: a database cannot be dropped from a connection to itself."""
    return sa.create_engine(sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database="postgres"),
                            isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def demo_template(database_template, tmp_path_factory) -> DemoTemplate:
    """The demo network (seed_demo: 4-8 s) seeded once per test process into a database of its own."""
    from network.demo import seed_demo

    workdir = tmp_path_factory.mktemp("demo")
    name = ""
    if POSTGRES_URL:
        name = f"{sa.engine.make_url(POSTGRES_URL).database}_demo"
        engine = _maintenance_engine()
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        url = sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    else:
        shutil.copy(database_template, workdir / "demo.sqlite3")
        url = f"sqlite:///{workdir / 'demo.sqlite3'}"
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(workdir / "instance"))
        app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), real_mobility_clock():
        if POSTGRES_URL:
            upgrade()
        added = seed_demo()
        db.session.remove()
        db.engine.dispose()
    app.extensions["search_index"].close()
    return DemoTemplate(added, workdir / "demo.sqlite3", name, workdir / "instance")


@pytest.fixture
def demo(app, shared_app, demo_template, real_clock) -> dict:
    """The app on a fresh copy of the demo network, on the real clock (the demo's dates are relative to it);
    returns what seed_demo() reported when it made it."""
    db.session.remove()
    db.engine.dispose()
    if POSTGRES_URL:
        test_database = sa.engine.make_url(POSTGRES_URL).database
        engine = _maintenance_engine()
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE "{test_database}" WITH (FORCE)')
            connection.exec_driver_sql(  # FILE_COPY: a fifth quicker than WAL_LOG for so small a database
                f'CREATE DATABASE "{test_database}" TEMPLATE "{demo_template.database_name}" STRATEGY FILE_COPY')
        engine.dispose()
    else:
        _copy_sqlite(demo_template.database_file, shared_app.database_file)
    if demo_template.instance.exists():
        shutil.copytree(demo_template.instance, app.instance_path, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("search"))
    return dict(demo_template.added)


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


def foreign_scripts(page) -> list:
    """The <script> elements of a page that are not the site's own files (under /static/, empty): inline scripts
    or scripts from elsewhere, which only injected text could have put there (the CSP forbids inline scripts)."""
    return [script for script in page.find_all("script")
            if not script.get("src", "").startswith("/static/") or script.string]


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
    from mobility_helpers import W1, W2, Exchange, offer_data, week
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
