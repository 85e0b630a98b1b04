"""Database engine set-up that the ORM alone does not do."""
from flask import Flask
from sqlalchemy import event

from network.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 10_000


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _configure_sqlite)


def _configure_sqlite(dbapi_connection, _record) -> None:
    """WAL lets readers and one writer work at once, so several server processes can share the file;
    the busy timeout makes a second writer wait instead of failing with "database is locked"."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    if not _is_memory_database(dbapi_connection):
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _is_memory_database(dbapi_connection) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return all(not row[2] for row in rows)


def upsert(model, rows: list[dict], keys: list[str], update: list[str]) -> None:
    """INSERT these rows, or UPDATE the given columns where a row with the same keys exists, in one statement
    (PostgreSQL's and SQLite's ON CONFLICT): a form sent twice at once writes twice, never a duplicate key."""
    if not rows:
        return
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(rows)
    if update:
        statement = statement.on_conflict_do_update(index_elements=keys,
                                                    set_={name: statement.excluded[name] for name in update})
    else:
        statement = statement.on_conflict_do_nothing(index_elements=keys)
    db.session.execute(statement)
