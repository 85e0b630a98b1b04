"""`flask --app network search ...`: the indexer worker, full rebuilds and consistency checks."""
from __future__ import annotations

import shutil
import signal
import threading
from dataclasses import dataclass, field

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
        added = 0
        try:
            with click.progressbar(length=len(keys), label="Indexing", show_pos=True,
                                   file=None if progress else _Null()) as bar:
                for start in range(0, len(keys), 500):
                    chunk = keys[start:start + 500]
                    upserts, _deletions = sync.load_documents(chunk)
                    for document in upserts:
                        writer.add_document(**to_fields(document))
                    added += len(upserts)
                    db.session.expire_all()
                    bar.update(len(chunk))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        # Whoosh's multi-process writer drops a segment without a word if one of its processes dies.
        written = index.folder_document_count(folder)
        if written != added:
            raise click.ClickException(f"The new index holds {written} documents instead of {added}; "
                                       "the live index was kept. Run the reindex again.")
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


@search_cli.command("optimize")
def optimize_command():
    """Merge the index into one segment (run off-hours: changes wait while it runs)."""
    import time

    index: SearchIndex = sync.search_index()
    started = time.monotonic()
    before, after = index.optimize()
    click.echo(f"Merged {before} segments into {after} in {time.monotonic() - started:.1f} s.")


@search_cli.command("check")
def check_command():
    """Report documents missing from the index, out of date in it, or there but gone from the database."""
    report = check()
    click.echo(f"{len(report.missing)} missing from the index, {len(report.outdated)} out of date, "
               f"{len(report.extra)} in the index but not in the database, "
               f"{sync.pending_count()} changes waiting in the outbox.")
    for label, keys in (("missing", report.missing), ("out of date", report.outdated), ("not in the database", report.extra)):
        for key in keys[:50]:
            click.echo(f"  {label}: {key}")
    if not report.ok:
        raise SystemExit(1)


@dataclass
class CheckReport:
    missing: list[str]  # in the database, not in the index
    extra: list[str]  # in the index, gone from the database (or no longer indexable)
    outdated: list[str] = field(default_factory=list)  # in both, but the index holds an older version

    @property
    def ok(self) -> bool:
        return not (self.missing or self.extra or self.outdated)


def check() -> CheckReport:
    index = sync.search_index()
    indexed = index.stored_keys() if index.exists() else {}
    expected = {}
    for document_type in documents.registered().values():
        for doc_id in document_type.all_ids():
            document = sync.load_document(document_type.name, doc_id)
            if document is not None:
                expected[document.key] = to_fields(document)["fingerprint"]
    outdated = sorted(key for key, print_ in expected.items() if key in indexed and indexed[key] != print_)
    return CheckReport(missing=sorted(expected.keys() - indexed.keys()),
                       extra=sorted(indexed.keys() - expected.keys()), outdated=outdated)
