"""Keeping the index in step with the database.

Web requests never write the index. A change to a searchable object adds a row to the search outbox in
the same transaction (after_flush), so a rolled-back transaction leaves nothing and a committed one
always leaves its row, even if the process dies right after the commit. One indexer drains the outbox
in batches: a `flask --app network search worker` process (make serve), or a background thread when the
platform runs as a single process (make run).
"""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app
from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session

from network.extensions import db
from network.search import documents
from network.search.backend import SearchIndex
from network.search.models import SearchOutbox

log = logging.getLogger(__name__)
BATCH_SIZE = 500
MIN_SECONDS_BETWEEN_COMMITS = 1.0


def init_app(app: Flask) -> None:
    from pathlib import Path

    root = app.config.get("SEARCH_INDEX_DIR") or str(Path(app.instance_path) / "search")
    app.extensions["search_index"] = SearchIndex(root, on_recreate=enqueue_all)
    _listen_once()
    if app.config.get("SEARCH_INDEXER", "thread") == "thread":
        app.before_request(_start_thread_once)


def search_index() -> SearchIndex:
    return current_app.extensions["search_index"]


# --- collecting changes ---------------------------------------------------------------------------

_listening = False


_BEFORE_DELETION = "search_documents_before_deletion"


def _listen_once() -> None:
    global _listening
    if not _listening:
        event.listen(Session, "before_flush", _note_deletions)
        event.listen(Session, "after_flush", _queue_changes)
        # A flush that failed never reached after_flush: its notes must not ride on the next one.
        event.listen(Session, "after_soft_rollback",
                     lambda session, _transaction: session.info.pop(_BEFORE_DELETION, None))
        _listening = True


def changed_documents(objects) -> set[tuple[str, int]]:
    """(type, id) of every search document touched by these objects."""
    keys = set()
    types = documents.registered().values()
    for obj in objects:
        for document_type in types:
            if isinstance(obj, document_type.model) and getattr(obj, "id", None) is not None:
                keys.add((document_type.name, obj.id))
            for watched_class, ids_of in document_type.watch:
                if isinstance(obj, watched_class):
                    keys.update((document_type.name, i) for i in ids_of(obj) if i is not None)
    return keys


def _note_deletions(session, _flush_context, _instances) -> None:
    """What a deleted row is linked to, read before the flush: the database's ON DELETE CASCADE removes the
    linking rows with it (a deleted practice's collection items), so after the flush they tell nothing."""
    if session.deleted:
        session.info.setdefault(_BEFORE_DELETION, set()).update(changed_documents(list(session.deleted)))


def _queue_changes(session, _flush_context) -> None:
    keys = changed_documents(list(session.new) + list(session.dirty) + list(session.deleted))
    keys |= session.info.pop(_BEFORE_DELETION, set())
    if keys:
        # A Core insert on the flush's own connection: part of the same transaction, no new flush.
        session.connection().execute(
            insert(SearchOutbox.__table__),
            [{"doc_type": t, "doc_id": i, "created_at": _now()} for t, i in sorted(keys)],
        )


def _now():
    from network.types import utcnow

    return utcnow()


def enqueue_all() -> int:
    """Queue every document of every type (after an index was lost)."""
    rows = [{"doc_type": t.name, "doc_id": i, "created_at": _now()}
            for t in documents.registered().values() for i in t.all_ids()]
    if rows:
        db.session.execute(insert(SearchOutbox.__table__), rows)
    db.session.commit()
    return len(rows)


# --- applying them ----------------------------------------------------------------------------------


def load_document(doc_type: str, doc_id: int):
    """The document as the index holds it (its type's loader, and the words it is found by), or None."""
    document_type = documents.get_type(doc_type)
    document = document_type.load(doc_id) if document_type else None
    if document is not None:
        # Its type's own words (an event's kind in every language) come after the names every type gets.
        words = documents.label_words(document, current_app.config["SUPPORTED_LOCALES"])
        document.labels = list(dict.fromkeys([*words, *document.labels]))
    return document


def load_documents(keys) -> tuple[list, list[str]]:
    upserts, deletions = [], []
    for doc_type, doc_id in keys:
        document = load_document(doc_type, doc_id)
        if document is None:
            deletions.append(f"{doc_type}:{doc_id}")
        else:
            upserts.append(document)
    return upserts, deletions


def drain(batch_size: int = BATCH_SIZE, index: SearchIndex | None = None, folder=None) -> int:
    """Index one batch from the outbox; return how many outbox rows it handled.

    The outbox is read while the index's write lock is held, so a slower indexer can never write an
    older copy of a document after a quicker one wrote the newer copy."""
    index = index or search_index()
    db.session.rollback()  # read the outbox as it is now, not as an earlier transaction saw it
    handled: list[int] = []

    def load_batch():
        rows = db.session.execute(
            select(SearchOutbox.id, SearchOutbox.doc_type, SearchOutbox.doc_id)
            .order_by(SearchOutbox.id).limit(batch_size)
        ).all()
        handled[:] = [row.id for row in rows]
        return load_documents(list(dict.fromkeys((row.doc_type, row.doc_id) for row in rows)))

    index.write(load=load_batch, folder=folder)
    db.session.rollback()  # end the reading transaction before writing (SQLite cannot upgrade a stale one)
    if handled:
        # Only after the index committed: a crash before this line means the batch is indexed again.
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(handled)))
        db.session.commit()
    return len(handled)


def drain_all(index: SearchIndex | None = None) -> int:
    total = 0
    while (count := drain(index=index)):
        total += count
    return total


def pending_count() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count(SearchOutbox.id))) or 0


def run_worker(app: Flask, stop: threading.Event, poll_seconds: float = 0.5) -> None:
    """Drain the outbox until told to stop; commit the index at most about once a second."""
    last_commit = 0.0
    with app.app_context():
        index = app.extensions["search_index"]
        if not index.exists():
            log.warning("No search index at %s: creating one and queueing every document.", index.root)
            index.create_empty()
            enqueue_all()
        while not stop.is_set():
            wait = MIN_SECONDS_BETWEEN_COMMITS - (time.monotonic() - last_commit)
            if wait > 0:
                stop.wait(wait)
            if index.rebuilding:
                stop.wait(poll_seconds)
                continue
            try:
                handled = drain(index=index)
            except Exception:  # the database or index is busy or broken: say so, try again shortly
                log.exception("Search indexer failed on a batch; retrying")
                db.session.rollback()
                handled = 0
                stop.wait(5)
            finally:
                db.session.remove()
            if handled:
                last_commit = time.monotonic()
            else:
                stop.wait(poll_seconds)


_thread_lock = threading.Lock()


def _start_thread_once() -> None:
    app = current_app._get_current_object()
    if app.extensions.get("search_thread"):
        return
    with _thread_lock:
        if app.extensions.get("search_thread"):
            return
        stop = threading.Event()
        thread = threading.Thread(target=run_worker, args=(app, stop), name="search-indexer", daemon=True)
        app.extensions["search_thread"] = (thread, stop)
        thread.start()
