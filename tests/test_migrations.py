"""The Alembic migrations build exactly the models' schema, and undo it."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from conftest import BASE_TEST_CONFIG, POSTGRES_URL
from network import create_app
from network.extensions import db


@pytest.fixture
def empty_app(tmp_path, monkeypatch, database_template):
    """An app on an empty database (SQLite), or on the shared test database emptied (PostgreSQL)."""
    monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(tmp_path / "instance"))
    url = POSTGRES_URL or f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if POSTGRES_URL:
            downgrade(revision="base")
        yield app
        if POSTGRES_URL:
            upgrade()  # leave the shared database as the other tests expect it
        db.engine.dispose()


def _schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_nothing_gives_the_models_schema(empty_app):
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _schema_differences() == []


def test_downgrade_to_base_removes_every_table_and_upgrade_again_works(empty_app):
    upgrade()
    downgrade(revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert _schema_differences() == []
