"""Backup and restore: a copy taken while the platform writes holds one moment of it, and a fresh instance
restored from it has every record, every uploaded file and a search index that finds them."""
from __future__ import annotations

import json
import os
import re
import secrets
import threading
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from conftest import BASE_TEST_CONFIG, POSTGRES_URL, practice_data
from network import backup, create_app
from network.extensions import db
from network.practices import attachments
from network.practices import services as practices
from network.practices.models import Attachment, Practice
from network.search import sync
from search_helpers import search

PNG_HEADER = b"\x89PNG\r\n\x1a\n"


def png(n: int) -> bytes:
    return PNG_HEADER + f"practice {n}".encode() + b"\x00" * 32


@pytest.fixture(autouse=True)
def pg_tools():
    """On PostgreSQL the backup needs pg_dump and pg_restore: missing ones skip these tests locally and
    fail them in CI."""
    if POSTGRES_URL and not (backup.find_pg_tool("pg_dump") and backup.find_pg_tool("pg_restore")):
        if os.environ.get("CI") == "true":
            pytest.fail("pg_dump or pg_restore is not installed")
        pytest.skip("pg_dump or pg_restore is not installed (apt-get install postgresql-client)")


@pytest.fixture
def fresh_database_url(tmp_path):
    """An empty database of the kind the suite runs on: a new SQLite file, or a new PostgreSQL database."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"network_restore_{secrets.token_hex(4)}"
    server = sa.engine.make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fresh_app(tmp_path, monkeypatch, fresh_database_url):
    """A second platform with its own instance folder (uploads, search index) and an empty database."""
    monkeypatch.setenv("NETWORK_INSTANCE_PATH", str(tmp_path / "restored-instance"))
    restored = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": fresh_database_url})
    yield restored
    with restored.app_context():
        restored.extensions["search_index"].close()
        db.session.remove()
        db.engine.dispose()


def restore_cli(target_app, directory, *options):
    # In the target's own context: a command run inside the test's context would use the test's app.
    with target_app.app_context():
        return target_app.test_cli_runner().invoke(args=["restore", str(directory), *options])


class Writer(threading.Thread):
    """Keeps creating practices, each with an attached file, and indexing them, as a busy server would."""

    def __init__(self, app, institution_id: int):
        super().__init__(daemon=True)
        self.app, self.institution_id = app, institution_id
        self.committed: list[int] = []  # practice ids, in commit order
        self.numbers: dict[int, int] = {}  # practice id -> n in its title and file
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        from network.institutions.models import Institution

        with self.app.app_context():
            try:
                owner = db.session.get(Institution, self.institution_id)
                for n in range(1, 500):
                    if self.stopping.is_set():
                        break
                    upload = attachments.Upload(f"plan-{n}.png", "image/png", png(n))
                    practice = practices.create_practice(
                        None, practice_data(owner, title=f"Lighthouse keepers {n}", tags=[]), [upload])
                    self.numbers[practice.id] = n
                    self.committed.append(practice.id)
                    sync.drain_all()  # the index changes during the backup too
            except BaseException as error:  # reported by the test
                self.error = error
            finally:
                db.session.remove()

    def wait_for(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.committed) < count:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"the writer made only {len(self.committed)} practices"
            time.sleep(0.01)


def test_a_backup_taken_during_writes_restores_one_moment_with_every_record(
        app, make_institution, fresh_app, tmp_path):
    owner = make_institution(name="Harbour Centre")
    writer = Writer(app, owner.id)
    writer.start()
    try:
        writer.wait_for(5)
        committed_before_backup = list(writer.committed)
        seen = {}

        def keep_writing(message):
            # Each step of the backup lets the writer commit more: before the database snapshot (files
            # written after the uploads folder was read), after it, and while the index is copied.
            seen[message] = len(writer.committed)
            writer.wait_for(len(writer.committed) + 2)

        manifest = backup.backup_to(tmp_path / "backup", report=keep_writing)
        committed_after_backup = len(writer.committed)
    finally:
        writer.stopping.set()
        writer.join(60)
    assert writer.error is None
    before_snapshot = next(n for message, n in seen.items() if message.startswith("Uploads folder read"))

    result = restore_cli(fresh_app, tmp_path / "backup")
    assert result.exit_code == 0, result.output
    corrected = int(re.search(r"\((\d+) brought up to date\)", result.output).group(1))
    assert corrected >= 1  # the index copy held practices committed after the snapshot
    with fresh_app.app_context():
        restored = list(db.session.scalars(sa.select(Practice.id).order_by(Practice.id)))
        # One moment: exactly the first k practices the writer committed, none missing, none later.
        assert restored == writer.committed[:len(restored)]
        assert set(committed_before_backup) <= set(restored)
        assert before_snapshot < len(restored) < committed_after_backup
        assert manifest["database"]["tables"]["practices"] == len(restored)
        for practice_id in restored:
            n = writer.numbers[practice_id]
            files = db.session.scalars(
                sa.select(Attachment).where(Attachment.practice_id == practice_id)).all()
            assert [attachments.path_of(a).read_bytes() for a in files] == [png(n)]
        # The index copied after the snapshot held later practices: restore brought it in line.
        results = search(q="lighthouse keepers", per_page=100)
        assert sorted(hit.doc_id for hit in results.hits) == restored
        assert search(q=f'"Lighthouse keepers {writer.numbers[restored[0]]}"').total >= 1
        revision = db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        assert revision in backup._migration_heads()


def test_backup_and_restore_commands(app, runner, make_institution, make_practice, fresh_app, tmp_path):
    owner = make_institution(name="Quay Institute")
    practice = make_practice(owner, title="Tidal family circles",
                             uploads=[attachments.Upload("circles.png", "image/png", png(1))])
    practice_id, stored_name = practice.id, practice.attachments[0].stored_name
    sync.drain_all()

    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["database"]["kind"] == db.engine.dialect.name
    assert manifest["alembic_revision"] in backup._migration_heads()
    assert manifest["search_index"]["documents"] >= 1
    paths = {entry["path"]: entry for entry in manifest["files"]}
    stored = f"uploads/practices/{stored_name}"
    assert paths[stored]["size"] == len(png(1)) and len(paths[stored]["sha256"]) == 64

    result = restore_cli(fresh_app, tmp_path / "backup")
    assert result.exit_code == 0, result.output
    assert "Restored the backup" in result.output
    # (Objects of the test's session must not be read inside the other app's context: they would load
    # through its database.)
    with fresh_app.app_context():
        found = search(q="tidal circles")
        assert [(hit.doc_type, hit.doc_id) for hit in found.hits] == [("practice", practice_id)]
        restored = db.session.get(Practice, practice_id)
        assert attachments.path_of(restored.attachments[0]).read_bytes() == png(1)


def test_backup_refuses_a_folder_that_is_not_empty(app, runner, tmp_path):
    (tmp_path / "backup").mkdir()
    (tmp_path / "backup" / "notes.txt").write_text("mine")
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 1
    assert "not an empty folder" in result.output
    assert sorted(p.name for p in (tmp_path / "backup").iterdir()) == ["notes.txt"]


@pytest.fixture
def made_backup(app, make_institution, make_practice, tmp_path):
    owner = make_institution(name="Pier Foundation")
    practice = make_practice(owner, title="Dockside parenting group",
                             uploads=[attachments.Upload("dock.png", "image/png", png(7))])
    sync.drain_all()
    backup.backup_to(tmp_path / "backup")
    return tmp_path / "backup", practice.id


def test_restore_refuses_a_damaged_file(made_backup, fresh_app):
    directory, _practice_id = made_backup
    upload = next((directory / "uploads" / "practices").iterdir())
    upload.write_bytes(upload.read_bytes()[:-1] + b"!")
    result = restore_cli(fresh_app, directory)
    assert result.exit_code == 1
    assert f"uploads/practices/{upload.name}" in result.output and "damaged" in result.output
    with fresh_app.app_context():  # nothing was written
        assert sa.inspect(db.engine).get_table_names() == []


def test_restore_refuses_an_edited_manifest(made_backup, fresh_app):
    directory, _practice_id = made_backup
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["database"]["tables"]["practices"] += 1
    (directory / "manifest.json").write_text(json.dumps(manifest))
    result = restore_cli(fresh_app, directory)
    assert result.exit_code == 1
    assert "checksum does not match" in result.output


def test_restore_refuses_a_backup_from_a_newer_version(made_backup, fresh_app):
    directory, _practice_id = made_backup
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["alembic_revision"] = "ffffffffffff"
    manifest["checksum"] = backup.manifest_checksum(manifest)
    (directory / "manifest.json").write_text(json.dumps(manifest))
    result = restore_cli(fresh_app, directory)
    assert result.exit_code == 1
    assert "made by a newer version" in result.output


def test_restore_refuses_a_manifest_naming_files_outside_the_backup(made_backup, fresh_app, tmp_path):
    directory, _practice_id = made_backup
    (tmp_path / "elsewhere.png").write_bytes(png(9))
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["files"].append({"path": "uploads/../../elsewhere.png", "size": len(png(9)),
                              "sha256": backup.sha256_of(tmp_path / "elsewhere.png")})
    manifest["checksum"] = backup.manifest_checksum(manifest)
    (directory / "manifest.json").write_text(json.dumps(manifest))
    result = restore_cli(fresh_app, directory)
    assert result.exit_code == 1
    assert "not a file of a backup" in result.output


def test_restore_refuses_a_folder_that_is_no_backup(app, runner, tmp_path):
    (tmp_path / "empty").mkdir()
    result = runner.invoke(args=["restore", str(tmp_path / "empty")])
    assert result.exit_code == 1
    assert "no manifest.json" in result.output


def test_restore_replaces_data_only_with_force(app, runner, made_backup, make_institution, make_practice):
    directory, practice_id = made_backup
    later = make_practice(make_institution(), title="Written after the backup",
                          uploads=[attachments.Upload("later.png", "image/png", png(8))])
    later_id, later_file = later.id, attachments.path_of(later.attachments[0])

    result = runner.invoke(args=["restore", str(directory)])
    assert result.exit_code == 1
    assert "already holds data" in result.output and "--force" in result.output
    assert db.session.get(Practice, later_id) is not None and later_file.exists()

    result = runner.invoke(args=["restore", str(directory), "--force"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.get(Practice, later_id) is None
    kept = db.session.get(Practice, practice_id)
    assert attachments.path_of(kept.attachments[0]).read_bytes() == png(7)
    assert not later_file.exists()  # the replaced uploads folder was moved aside, not mixed in
    assert "kept as" in result.output
    assert [hit.doc_id for hit in search(q="parenting dockside").hits] == [practice_id]
    assert search(q="written after").total == 0


def test_restore_builds_the_index_when_the_backup_has_none(app, make_institution, make_practice, fresh_app,
                                                           tmp_path):
    practice_id = make_practice(make_institution(), title="Breakwater mentoring").id
    assert not sync.search_index().exists()  # the outbox was never drained: no index yet
    backup.backup_to(tmp_path / "backup")
    assert not (tmp_path / "backup" / "search").exists()
    result = restore_cli(fresh_app, tmp_path / "backup")
    assert result.exit_code == 0, result.output
    assert "building it from the database" in result.output
    with fresh_app.app_context():
        assert [hit.doc_id for hit in search(q="breakwater").hits] == [practice_id]


def test_restoring_an_older_backup_migrates_it(fresh_app, tmp_path):
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    with fresh_app.app_context():
        migrate = fresh_app.extensions["migrate"]
        script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
        head = script.get_current_head()
        older = script.get_revision(head).down_revision
        upgrade(revision=older)
        manifest = backup.backup_to(tmp_path / "older")
    assert manifest["alembic_revision"] == older

    # Only the schema and its revision are there: an empty database, restored without --force.
    result = restore_cli(fresh_app, tmp_path / "older")
    assert result.exit_code == 0, result.output
    assert f"Migrating the database from revision {older} to {head}" in result.output
    with fresh_app.app_context():
        assert db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == head


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite")
def test_sqlite_backup_is_one_self_contained_file(made_backup):
    directory, _practice_id = made_backup
    names = sorted(p.name for p in directory.iterdir())
    assert names == ["database.sqlite3", "manifest.json", "search", "uploads"]
    header = (directory / "database.sqlite3").read_bytes()[:20]
    assert header.startswith(b"SQLite format 3\x00") and header[18:20] == b"\x01\x01"  # not WAL


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="needs NETWORK_TEST_POSTGRES_URL")
def test_postgresql_backup_is_a_pg_dump_archive(made_backup):
    directory, _practice_id = made_backup
    assert (directory / "database.pgdump").read_bytes()[:5] == b"PGDMP"


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="needs NETWORK_TEST_POSTGRES_URL")
def test_postgresql_backup_without_pg_dump_says_what_to_install(app, runner, monkeypatch, tmp_path):
    monkeypatch.setattr(backup, "find_pg_tool", lambda name: None)
    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 1
    assert "pg_dump was not found" in result.output and "postgresql-client" in result.output
    assert not (tmp_path / "backup").exists()


def test_a_row_without_a_file_names_no_file(app, runner, exchange, make_practice, tmp_path):
    """An event's material that is a link has no stored file: the backup neither lists nor misses one for it."""
    from events_helpers import make_event
    from network.events import materials

    event = make_event(exchange)
    linked = make_practice(exchange.seville, title="Linked circles")
    materials.add_link(exchange.coordinator, event, materials.MaterialData(link_kind="practice", link=str(linked.id)))

    result = runner.invoke(args=["backup", str(tmp_path / "backup")])
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output and "None" not in result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert not [entry["path"] for entry in manifest["files"] if entry["path"].startswith("uploads/events/")]
