"""`flask --app network search ...`: the indexer worker, full rebuilds and consistency checks."""
from __future__ import annotations

import shutil
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from network.search import documents, sync
from network.search.backend import SearchIndex, to_fields

search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("worker")
def worker_command():
    """Keep the index up to date (run one, beside the web server)."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"Search indexer watching the outbox ({sync.pending_count()} changes waiting).")
    sync.run_worker(current_app._get_current_object(), stop)
    click.echo("Search indexer stopped.")


@search_cli.command("reindex")
def reindex_command():
    """Rebuild the whole index from the database into a new index, then switch to it."""
    index: SearchIndex = sync.search_index()
    total = rebuild(index, progress=True)
    click.echo(f"Reindexed {total} documents into {index.root}.")


def rebuild(index: SearchIndex, progress: bool = False) -> int:
    """Fill a fresh index while the old one keeps answering; then catch up with the outbox and swap."""
    from sqlalchemy import func, select

    from network.extensions import db
    from network.search.models import SearchOutbox

    # Changes committed from here on are in the outbox, and are replayed into the new index below.
    start_id = db.session.scalar(select(func.max(SearchOutbox.id))) or 0
    keys = [(t.name, i) for t in documents.registered().values() for i in t.all_ids()]
    folder = index.new_folder()
    # The indexer waits while we build (changes queue up in the outbox and are replayed below);
    # searching goes on from the old index.
    index.set_rebuilding(True)
    try:
        writer = index.bulk_writer(folder)
        try:
            with click.progressbar(length=len(keys), label="Indexing", show_pos=True,
                                   file=None if progress else _Null()) as bar:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    upserts, _deletions = sync.load_documents(chunk)
                    for document in upserts:
                        writer.add_document(**to_fields(document))
                    db.session.expire_all()
                    bar.update(len(chunk))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        _replay_since(index, folder, start_id)
        index.swap_to(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        index.set_rebuilding(False)
    return len(keys)


def _replay_since(index, folder, start_id: int) -> None:
    from sqlalchemy import select

    from network.extensions import db
    from network.search.models import SearchOutbox

    rows = db.session.execute(
        select(SearchOutbox.doc_type, SearchOutbox.doc_id).where(SearchOutbox.id > start_id)
    ).all()
    if rows:
        upserts, deletions = sync.load_documents(list(dict.fromkeys((r.doc_type, r.doc_id) for r in rows)))
        index.write(upserts, deletions, folder=folder)


class _Null:
    def write(self, _text):
        pass

    def flush(self):
        pass


@search_cli.command("check")
def check_command():
    """Report documents missing from the index, or there but gone from the database."""
    missing, extra = check()
    click.echo(f"{len(missing)} missing from the index, {len(extra)} in the index but not in the database, "
               f"{sync.pending_count()} changes waiting in the outbox.")
    for key in missing[:50]:
        click.echo(f"  missing: {key}")
    for key in extra[:50]:
        click.echo(f"  stale:   {key}")
    if missing or extra:
        raise SystemExit(1)


def check() -> tuple[list[str], list[str]]:
    index = sync.search_index()
    indexed = set(index.stored_keys()) if index.exists() else set()
    expected = set()
    for document_type in documents.registered().values():
        for doc_id in document_type.all_ids():
            if document_type.load(doc_id) is not None:
                expected.add(f"{document_type.name}:{doc_id}")
    return sorted(expected - indexed), sorted(indexed - expected)
