"""`flask --app network backup DIR` and `restore DIR`: the database, the uploaded files and the search index.

Consistency while the platform keeps writing:
- the database is copied as one snapshot: SQLite's online backup API in a single step (one read
  transaction; in WAL mode writers go on meanwhile), or pg_dump on a snapshot exported by a
  REPEATABLE READ transaction, in which the manifest's row counts and the attachment list are read too;
- uploaded files never change once written (random names; written before the row is committed, deleted
  after the deletion is committed), so the folder is copied before the snapshot and the files the
  snapshot names that appeared since are copied after it;
- the search index is derived data: its live folder is copied file by file after the snapshot
  (network.search.snapshot), and restore brings it back in line with the restored database (the
  outbox, then a comparison), or rebuilds it when the copy is missing or does not open.
manifest.json (written last, so an unfinished backup has none) lists every file with its size and
SHA-256, the row count of every table and the Alembic revision; restore checks all of it first.
"""
from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.pool import NullPool

from network.extensions import db

MANIFEST = "manifest.json"
FORMAT = "peer-network-backup"
FORMAT_VERSION = 1
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
UPLOADS = "uploads"
SEARCH = "search"
ALEMBIC_TABLE = "alembic_version"
_CHUNK = 1024 * 1024

Report = Callable[[str], None]


def _quiet(_message: str) -> None:
    pass


class BackupError(Exception):
    """A backup or restore that cannot go on; the message tells the operator why and what to do."""


@dataclass
class Snapshot:
    """What the database held at the backup's moment."""

    tables: dict[str, int]
    revision: str | None
    attachment_files: list[str]  # the uploaded files it names, relative to UPLOAD_FOLDER


# --- backup ------------------------------------------------------------------------------------------


def backup_to(directory: str | Path, report: Report = _quiet) -> dict:
    """Write a backup into `directory` (new or empty) while the platform may keep running; return the
    manifest."""
    dest = Path(directory).absolute()
    kind = _database_kind()
    if kind == "postgresql":
        require_pg_tool("pg_dump")  # before anything is written
    upload_root = Path(current_app.config["UPLOAD_FOLDER"]).absolute()
    index = _search_index()
    for inside, what in ((upload_root, "uploads folder"), (index.root.absolute(), "search index")):
        if dest == inside or inside in dest.parents:
            raise BackupError(f"{dest} is inside the {what} ({inside}): choose a folder elsewhere.")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} already exists and is not an empty folder: choose a new folder.")
    created = not dest.exists()
    dest.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds password hashes: not for everyone
    try:
        manifest = _write_backup(dest, kind, upload_root, index, report)
    except BaseException:
        if created:
            shutil.rmtree(dest, ignore_errors=True)
        else:
            for path in dest.iterdir():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        raise
    return manifest


def _write_backup(dest: Path, kind: str, upload_root: Path, index, report: Report) -> dict:
    from network.search import snapshot as index_snapshot

    started = _now()
    # 1. Uploaded files as they are now; those the database snapshot names that appear later follow below.
    copied = _copy_tree(upload_root, dest / UPLOADS)
    report(f"Uploads folder read ({len(copied)} files); copying the database…")
    # 2. The database, as one snapshot.
    database_file = dest / DATABASE_FILES[kind]
    snap = _backup_sqlite(database_file) if kind == "sqlite" else _backup_postgresql(database_file)
    rows = sum(snap.tables.values())
    report(f"Database ({kind}): {rows} rows in {len(snap.tables)} tables, "
           f"revision {snap.revision or 'none'}, {_size(database_file.stat().st_size)}.")
    # 3. Files committed before the snapshot and written after step 1.
    missing = []
    for relative in snap.attachment_files:
        if relative in copied:
            continue
        source = upload_root / relative
        try:
            (dest / UPLOADS / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / UPLOADS / relative)
            copied.add(relative)
        except FileNotFoundError:
            missing.append(relative)
    uploads_bytes = sum((dest / UPLOADS / r).stat().st_size for r in copied)
    report(f"Uploads: {len(copied)} files, {_size(uploads_bytes)}.")
    for relative in missing:
        report(f"Warning: {relative} is named by the database but was not in {upload_root}.")
    # 4. The search index, after the snapshot (restore brings it in line with the database).
    search = None
    try:
        live = index_snapshot.copy_live_index(index.root, dest / SEARCH)
        if live is None:
            report("Search index: none yet; restore will build it from the database.")
    except index_snapshot.SnapshotError as error:
        live = None
        report(f"Warning: search index not copied ({error}); restore will rebuild it from the database.")
    if live is not None:
        from network.search.backend import SearchIndex

        documents = SearchIndex(dest / SEARCH).document_count()
        search = {"folder": SEARCH, "live": live, "documents": documents}
        report(f"Search index: {documents} documents.")

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": started,
        "finished_at": _now(),
        "app_version": _app_version(),
        "alembic_revision": snap.revision,
        "database": {"kind": kind, "file": database_file.name, "tables": snap.tables},
        "uploads": {"folder": UPLOADS, "files": len(copied), "bytes": uploads_bytes, "missing": missing},
        "search_index": search,
        "files": _file_list(dest),
    }
    manifest["checksum"] = manifest_checksum(manifest)
    temporary = dest / (MANIFEST + ".part")
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    temporary.replace(dest / MANIFEST)
    return manifest


def _backup_sqlite(target: Path) -> Snapshot:
    from network.database import SQLITE_BUSY_TIMEOUT_MS

    path = _sqlite_path()
    if not Path(path).is_file():
        raise BackupError(f"The database file {path} does not exist (run `flask --app network db upgrade`).")
    source = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    copy = sqlite3.connect(target)
    try:
        # pages=-1: every page in one step, so within one read transaction (a step-wise copy would start
        # again after every write by another connection and might never finish on a busy server).
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file, no -wal beside it
    except sqlite3.Error as error:
        raise BackupError(f"Could not copy the database {path} ({error}).") from error
    finally:
        copy.close()
        source.close()
    engine = _sqlite_file_engine(target)
    try:
        with engine.connect() as connection:
            return _read_snapshot(connection)
    finally:
        engine.dispose()


def _backup_postgresql(target: Path) -> Snapshot:
    pg_dump = require_pg_tool("pg_dump")
    connection = db.engine.connect().execution_options(isolation_level="REPEATABLE READ")
    try:
        with connection.begin():
            # pg_dump reads this very snapshot, and so do the counts below: they describe the same moment.
            snapshot_id = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            snap = _read_snapshot(connection)
            _run([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot_id}",
                  f"--file={target}", "--dbname", _libpq_url()], "pg_dump")
    finally:
        connection.close()
    return snap


def _read_snapshot(connection: sa.Connection) -> Snapshot:
    from network import uploads

    names = sorted(sa.inspect(connection).get_table_names())
    tables = {name: connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
              for name in names}
    revision = None
    if ALEMBIC_TABLE in names:
        versions = connection.execute(sa.text(f"SELECT version_num FROM {ALEMBIC_TABLE}")).scalars().all()
        revision = ",".join(sorted(versions)) or None
    files = []
    for folder, column in sorted(uploads.stores().items()):  # each feature's files (network.uploads.register_store)
        if column.table.name in names:
            # A row without a file (an event's material that is a link) names none.
            files += sorted(f"{folder}/{name}"
                            for name in connection.execute(sa.select(column).where(column.is_not(None))).scalars())
    return Snapshot(tables=tables, revision=revision, attachment_files=files)


# --- restore -------------------------------------------------------------------------------------------


def restore_from(directory: str | Path, force: bool = False, report: Report = _quiet) -> dict:
    """Check the backup in `directory`, then replace this instance's database, uploads and search index
    with it. A database or uploads folder that holds anything is replaced only with `force`."""
    source = Path(directory).absolute()
    manifest = read_manifest(source)
    verify_files(source, manifest, report)
    kind = _database_kind()
    backup_kind = manifest["database"]["kind"]
    if backup_kind != kind:
        raise BackupError(f"This backup holds a {backup_kind} database; this instance uses {kind} "
                          f"({_safe_url()}). Set NETWORK_DATABASE_URL to a {backup_kind} database.")
    heads = _migration_heads()
    revision = manifest.get("alembic_revision")
    unknown = [r for r in (revision or "").split(",") if r and not _known_revision(r)]
    if unknown:
        raise BackupError(f"The backup's database is at revision {revision}, which this version of the "
                          f"platform does not know: it was made by a newer version. Restore it with that "
                          f"version.")
    backup_file = source / DATABASE_FILES[backup_kind]
    if kind == "sqlite":
        _check_sqlite_copy(backup_file, manifest)
    else:
        _run([require_pg_tool("pg_restore"), "--list", str(backup_file)], "pg_restore --list")

    upload_root = Path(current_app.config["UPLOAD_FOLDER"]).absolute()
    rows = {name: n for name, n in _current_tables().items() if n and name != ALEMBIC_TABLE}
    upload_files = [p for p in upload_root.rglob("*") if p.is_file()] if upload_root.is_dir() else []
    if (rows or upload_files) and not force:
        held = []
        if rows:
            held.append(f"{sum(rows.values())} rows in {len(rows)} tables of {_safe_url()}")
        if upload_files:
            held.append(f"{len(upload_files)} files in {upload_root}")
        raise BackupError("The target instance already holds data (" + "; ".join(held) + "). Restoring would "
                          "replace it: run again with --force if that is what you want.")

    report(f"Restoring the {kind} database from {backup_file.name} (made {manifest['created_at']})…")
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        _restore_sqlite(backup_file)
    else:
        _restore_postgresql(backup_file)
    db.engine.dispose()
    restored = _current_tables()
    if restored != manifest["database"]["tables"]:
        differing = sorted(name for name in set(restored) | set(manifest["database"]["tables"])
                           if restored.get(name) != manifest["database"]["tables"].get(name))
        raise BackupError(f"The restored database does not hold what the manifest lists (tables: "
                          f"{', '.join(differing)}). The backup is damaged; restore another one.")
    report(f"Database: {sum(restored.values())} rows in {len(restored)} tables.")
    if revision not in heads:
        from flask_migrate import upgrade

        report(f"Migrating the database from revision {revision} to {', '.join(heads)}…")
        upgrade()

    _restore_uploads(source, manifest, upload_root, report)
    _restore_search_index(source, manifest, report)
    return manifest


def _restore_sqlite(backup_file: Path) -> None:
    from network.database import SQLITE_BUSY_TIMEOUT_MS

    path = Path(_sqlite_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{backup_file.absolute().as_uri()}?immutable=1", uri=True)
    try:
        target = sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            source.backup(target, pages=-1)  # replaces every page of the target, in one transaction
        finally:
            target.close()
    except sqlite3.Error as error:
        raise BackupError(f"Could not write {path} ({error}). Is the server still running? Stop it and "
                          f"run the restore again.") from error
    finally:
        source.close()


def _restore_postgresql(backup_file: Path) -> None:
    pg_restore = require_pg_tool("pg_restore")
    with db.engine.begin() as connection:
        tables = sa.inspect(connection).get_table_names()
        if tables:
            quote = connection.dialect.identifier_preparer.quote
            connection.execute(sa.text("DROP TABLE " + ", ".join(quote(t) for t in tables) + " CASCADE"))
    try:
        _run([pg_restore, "--no-owner", "--no-privileges", "--clean", "--if-exists", "--single-transaction",
              "--exit-on-error", "--dbname", _libpq_url(), str(backup_file)], "pg_restore")
    except BackupError as error:
        raise BackupError(f"{error}\nThe target database's tables were removed before the restore: fix the "
                          f"problem and run the restore again.") from error


def _restore_uploads(source: Path, manifest: dict, upload_root: Path, report: Report) -> None:
    if upload_root.is_dir() and any(p.is_file() for p in upload_root.rglob("*")):
        aside = upload_root.with_name(f"{upload_root.name}.replaced-{datetime.now():%Y%m%d-%H%M%S}")
        upload_root.rename(aside)
        report(f"The uploads folder that was there is kept as {aside}.")
    prefix = UPLOADS + "/"
    count = 0
    for entry in manifest["files"]:
        if entry["path"].startswith(prefix):
            target = upload_root / entry["path"][len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / entry["path"], target)
            count += 1
    upload_root.mkdir(parents=True, exist_ok=True)
    report(f"Uploads: {count} files into {upload_root}.")


def _restore_search_index(source: Path, manifest: dict, report: Report) -> None:
    from network.search import cli as search_cli
    from network.search import snapshot as index_snapshot
    from network.search import sync

    index = _search_index()
    index.close()
    copied = manifest.get("search_index")
    if not (copied and index_snapshot.restore_index(source / SEARCH, index)):
        report("Search index: building it from the database…")
        total = search_cli.rebuild(index)
        sync.drain_all(index)
        report(f"Search index: {total} documents.")
        return
    # The copy was taken just after the database snapshot: apply what the outbox still holds, then
    # correct anything that changed between the two copies.
    sync.drain_all(index)
    report("Search index: comparing it with the database…")
    check = search_cli.check()
    keys = []
    for key in check.missing + check.outdated + check.extra:
        doc_type, _, doc_id = key.rpartition(":")
        keys.append((doc_type, int(doc_id)))
    for start in range(0, len(keys), sync.BATCH_SIZE):
        upserts, deletions = sync.load_documents(keys[start:start + sync.BATCH_SIZE])
        index.write(upserts, deletions)
    report(f"Search index: {index.document_count()} documents ({len(keys)} brought up to date).")


# --- the manifest and the files ------------------------------------------------------------------


def manifest_checksum(manifest: dict) -> str:
    """SHA-256 of the manifest without its own checksum: finds an edited or damaged manifest."""
    body = {key: value for key, value in manifest.items() if key != "checksum"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    if not Path(source).is_dir():
        raise BackupError(f"{source} is not a folder.")
    if not path.is_file():
        raise BackupError(f"{source} has no {MANIFEST}: it is not a backup, or one that did not finish.")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{path} is damaged ({error}).") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Peer Network backup manifest.")
    if manifest.get("checksum") != manifest_checksum(manifest):
        raise BackupError(f"{path} was changed or damaged after the backup was written (its checksum does "
                          f"not match): refusing to restore from it.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{path} has format version {manifest.get('format_version')}; this version of the "
                          f"platform reads version {FORMAT_VERSION}.")
    database = manifest.get("database")
    if (not isinstance(database, dict) or database.get("kind") not in DATABASE_FILES
            or not isinstance(database.get("tables"), dict) or not isinstance(manifest.get("files"), list)):
        raise BackupError(f"{path} lacks what a backup's manifest holds (database kind, tables, files).")
    return manifest


def _safe_relative(path: str) -> bool:
    """A plain relative path inside the backup: no absolute path, no "..", no backslash or NUL."""
    parts = path.split("/")
    return (bool(path) and "\\" not in path and "\x00" not in path
            and all(part not in ("", ".", "..") for part in parts))


def verify_files(source: Path, manifest: dict, report: Report = _quiet) -> None:
    """Every file the manifest lists is there, whole and unchanged; nothing outside the backup is named."""
    try:
        database_file = DATABASE_FILES[manifest["database"]["kind"]]
        entries = [(str(e["path"]), int(e["size"]), str(e["sha256"])) for e in manifest["files"]]
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f"The manifest in {source} lacks what a backup's manifest holds ({error}).") \
            from error
    listed = set()
    for relative, size, sha256 in entries:
        if (not _safe_relative(relative)
                or not (relative == database_file or relative.startswith((UPLOADS + "/", SEARCH + "/")))):
            raise BackupError(f"The manifest names {relative!r}, which is not a file of a backup: "
                              f"refusing it.")
        path = source / relative
        if not path.is_file():
            raise BackupError(f"{relative} is listed in the manifest but missing from {source}.")
        if path.stat().st_size != size or sha256_of(path) != sha256:
            raise BackupError(f"{relative} in {source} is damaged or was changed since the backup "
                              f"(its size or SHA-256 differs from the manifest): refusing to restore.")
        listed.add(relative)
    if database_file not in listed:
        raise BackupError(f"The manifest does not list the database file {database_file}.")
    extra = sorted(set(_relative_files(source)) - listed - {MANIFEST})
    for relative in extra:
        report(f"Ignoring {relative}: not part of the backup.")
    report(f"Backup checked: {len(listed)} files match the manifest.")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_list(dest: Path) -> list[dict]:
    return [{"path": relative, "size": (dest / relative).stat().st_size, "sha256": sha256_of(dest / relative)}
            for relative in _relative_files(dest)]


def _relative_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _copy_tree(root: Path, dest: Path) -> set[str]:
    """Copy the files under root (a file deleted meanwhile is skipped); return their relative paths."""
    copied = set()
    dest.mkdir(parents=True, exist_ok=True)
    if not root.is_dir():
        return copied
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink() or path.name.endswith(".part"):
            continue  # .part: an upload being written under a temporary name
        relative = path.relative_to(root).as_posix()
        (dest / relative).parent.mkdir(parents=True, exist_ok=True)
        try:
            shutil.copy2(path, dest / relative)
        except FileNotFoundError:
            continue
        copied.add(relative)
    return copied


def _check_sqlite_copy(backup_file: Path, manifest: dict) -> None:
    engine = _sqlite_file_engine(backup_file)
    try:
        with engine.connect() as connection:
            result = connection.execute(sa.text("PRAGMA integrity_check")).scalars().all()
            if result != ["ok"]:
                raise BackupError(f"{backup_file.name} fails SQLite's integrity check: "
                                  f"{'; '.join(result[:5])}")
            snap = _read_snapshot(connection)
    except sa.exc.DatabaseError as error:
        raise BackupError(f"{backup_file.name} is not a readable SQLite database ({error.orig}).") from error
    finally:
        engine.dispose()
    if snap.tables != manifest["database"]["tables"]:
        raise BackupError(f"{backup_file.name} does not hold the row counts the manifest lists: refusing it.")


# --- the database and its tools ----------------------------------------------------------------------


def _database_kind() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {name}.")
    return name


def _sqlite_path() -> str:
    path = db.engine.url.database
    if not path or path == ":memory:" or db.engine.url.query.get("mode") == "memory":
        raise BackupError("The database is in memory: there is nothing on disk to back up or restore.")
    return path


def _sqlite_file_engine(path: Path) -> sa.Engine:
    # immutable=1: read the file as it is, without locks or a -wal beside it, and never write to it.
    uri = f"{Path(path).absolute().as_uri()}?immutable=1"
    return sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool)


def _current_tables() -> dict[str, int]:
    with db.engine.connect() as connection:
        return _read_snapshot(connection).tables


def _safe_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)


def _libpq_url() -> str:
    """The database URL as pg_dump and pg_restore read it; the password goes in PGPASSWORD (see _run),
    not on the command line where every user of the machine could read it."""
    return db.engine.url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def find_pg_tool(name: str) -> str | None:
    """A PostgreSQL client program: on PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found

    def version(path: str) -> tuple:
        return tuple(int(part) if part.isdigit() else 0 for part in Path(path).parts[-3].split("."))

    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version, reverse=True):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def require_pg_tool(name: str) -> str:
    found = find_pg_tool(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH nor under /usr/lib/postgresql/*/bin. Install the "
                          f"PostgreSQL client programs (apt-get install postgresql-client) at the server's "
                          f"version or newer.")
    return found


def _run(command: list[str], what: str) -> None:
    env = dict(os.environ)
    if db.engine.url.password:
        env["PGPASSWORD"] = db.engine.url.password
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit status {result.returncode}): {result.stderr.strip()}")


def _migration_heads() -> list[str]:
    from alembic.script import ScriptDirectory

    migrate = current_app.extensions["migrate"]
    config = migrate.migrate.get_config(migrate.directory)
    return ScriptDirectory.from_config(config).get_heads()


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    migrate = current_app.extensions["migrate"]
    script = ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))
    try:
        return script.get_revision(revision) is not None
    except CommandError:
        return False


def _search_index():
    from network.search import sync

    return sync.search_index()


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("peer-network")
    except PackageNotFoundError:
        return "unknown"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


# --- commands ------------------------------------------------------------------------------------------


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path):
    """Copy the database, uploaded files and search index into DIRECTORY (new or empty).

    The server may keep running: the database is copied as one consistent snapshot."""
    try:
        manifest = backup_to(directory, report=click.echo)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {Path(directory).absolute()} ({len(manifest['files'])} files, "
               f"manifest {MANIFEST}).")


@click.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database and uploads folder that already hold data.")
@with_appcontext
def restore_command(directory: Path, force: bool):
    """Bring back a backup written by `backup DIRECTORY` into this instance (stop the server first)."""
    try:
        manifest = restore_from(directory, force=force, report=click.echo)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored the backup of {manifest['created_at']} from {Path(directory).absolute()}.")
