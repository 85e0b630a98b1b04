"""Each edition's PDF, made once on the server with WeasyPrint (network/printing.py), as a background job.

Files, under COLLECTIONS_PDF_FOLDER (default <instance>/collections), per edition:
    <collection id>/edition-<n>.pdf          the finished PDF (written to a temporary file, then renamed)
    <collection id>/edition-<n>.lock         exists while one process builds it (created with O_EXCL, so two
                                             job threads, or a job and the command line, never build the
                                             same PDF at once)
    <collection id>/edition-<n>.status.json  "queued" while its job waits, then the build's stage and
                                             percentage, or why it failed
An edition is frozen, so its PDF never goes out of date; `flask --app network collections pdf ID N --force`
rebuilds one (after a change of the book's layout, say).

schedule_pdf() queues the job network.collections.tasks.build_edition_pdf, which the job worker runs (`flask
--app network jobs worker`; under NETWORK_JOBS=immediate, in the caller): the web workers never lay out a
book. COLLECTIONS_PDF_BUILDER "off" queues nothing (only build_pdf() and the command line build); under tests
that is the default, so that publishing in a test does not start WeasyPrint behind its back.
"""
from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from network.collections.models import CollectionEdition
from network.extensions import db
from network.printing import (
    load_weasyprint,
    local_only_fetcher,
    queues_builds,
    read_status,
    weasyprint_missing,
    write_pdf,
    write_status,
)

READY, QUEUED, RUNNING, FAILED, MISSING = "ready", "queued", "running", "failed", "missing"
# Stages of a build, in order, with the share of the work done when each starts.
STAGES = {"queued": 0, "html": 2, "parsing": 6, "layout": 20, "contents": 75, "writing": 80, "done": 100}
STALE_AFTER_SECONDS = 600  # a lock whose build has not reported progress for this long is abandoned
_STATUS_EVERY_SECONDS = 0.3

Progress = Callable[[str, int, dict], None]  # (stage, percent, details such as {"page": 12})

log = logging.getLogger(__name__)


class PdfBusy(RuntimeError):
    """Another process is building this PDF right now."""


class _ProgressHandler(logging.Handler):
    """Turns WeasyPrint's progress log ("Step 5 - Creating layout - Page 12") into stages and percentages,
    for the records of one thread only (two PDFs may be built at once in one process)."""

    def __init__(self, progress: Progress, estimated_pages: int):
        super().__init__(logging.INFO)
        self.progress = progress
        self.thread = threading.get_ident()
        self.estimated_pages = max(1, estimated_pages)
        self.percent = STAGES["parsing"]

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        message = record.getMessage()
        if message.startswith("Step 5"):
            match = re.search(r"Page (\d+)", message)
            page = int(match.group(1)) if match else 0
            span = STAGES["contents"] - STAGES["layout"]
            percent = STAGES["layout"] + int(span * min(page / self.estimated_pages, 0.97))
            self._report("layout", percent, {"page": page})
        elif message.startswith(("Step 6", "Step 7")):
            self._report("writing", STAGES["writing"] + (5 if message.startswith("Step 7") else 0), {})
        elif message.startswith(("Step 1", "Step 2", "Step 3", "Step 4")):
            step = int(message[5])
            self._report("parsing", STAGES["parsing"] + 3 * step, {})

    def _report(self, stage: str, percent: int, details: dict) -> None:
        self.percent = max(self.percent, percent)  # repagination passes never move the bar back
        self.progress(stage, self.percent, details)


def _estimate_pages(html: str) -> int:
    """About 3,000 characters of markup per A4 page, plus the title page and contents."""
    return 2 + len(html) // 3000


class _progress_from_weasyprint:
    """While WeasyPrint lays out in this thread, its progress log feeds `progress`."""

    def __init__(self, progress: Progress, estimated_pages: int):
        self.handler = _ProgressHandler(progress, estimated_pages)
        self.logger = logging.getLogger("weasyprint.progress")

    def __enter__(self):
        # Progress records are for the handler; the server log would get one line per page otherwise.
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False
        self.logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc_info):
        self.logger.removeHandler(self.handler)
        return False


def render_pdf(html: str, base_url: str | None = None, progress: Progress | None = None) -> bytes:
    """Any HTML -> PDF bytes, in one layout. Nothing is fetched from the network or the disk."""
    weasyprint = load_weasyprint()
    progress = progress or (lambda stage, percent, details: None)
    with _progress_from_weasyprint(progress, _estimate_pages(html)):
        document = _layout(weasyprint, html, base_url)
    progress("writing", STAGES["writing"], {"pages": len(document.pages)})
    return document.write_pdf()


# --- where things are ------------------------------------------------------------------------------


def pdf_folder() -> Path:
    folder = current_app.config.get("COLLECTIONS_PDF_FOLDER")
    return Path(folder) if folder else Path(current_app.instance_path) / "collections"


def _base(collection_id: int, number: int) -> Path:
    return pdf_folder() / str(int(collection_id)) / f"edition-{int(number)}"


def pdf_path(edition: CollectionEdition) -> Path:
    return _base(edition.collection_id, edition.number).with_suffix(".pdf")


def _lock_path(edition) -> Path:
    return _base(edition.collection_id, edition.number).with_suffix(".lock")


def _status_path(edition) -> Path:
    return _base(edition.collection_id, edition.number).with_suffix(".status.json")


def pdf_filename(edition: CollectionEdition) -> str:
    """"manual-of-family-and-community-resources-edition-2.pdf": ASCII, safe in any browser."""
    title = (edition.contents or {}).get("title") or edition.collection.title or "collection"
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80].strip("-") or "collection"
    return f"{slug}-edition-{edition.number}.pdf"


def delete_pdfs(collection_id: int) -> None:
    """Remove a deleted collection's PDFs and build files (its services call this after the commit)."""
    folder = pdf_folder() / str(int(collection_id))
    if folder.is_dir():
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        try:
            folder.rmdir()
        except OSError:
            pass  # a build started meanwhile; its files go with the next deletion


# --- status and lock -------------------------------------------------------------------------------


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock_is_stale(lock: Path, status: Path) -> bool:
    """The process holding it died (same machine), or it has not reported progress for STALE_AFTER_SECONDS."""
    owner = read_status(lock)  # the lock holds its owner, as JSON
    if owner.get("host") == socket.gethostname() and isinstance(owner.get("pid"), int):
        if not _pid_alive(owner["pid"]):
            return True
    last_sign = 0.0
    for path in (lock, status):
        try:
            last_sign = max(last_sign, path.stat().st_mtime)
        except OSError:
            pass
    stale_after = current_app.config.get("COLLECTIONS_PDF_STALE_SECONDS", STALE_AFTER_SECONDS)
    return time.time() - last_sign > stale_after


def _acquire(edition) -> bool:
    """Take the edition's build lock; False when another live build holds it. A stale lock is taken over."""
    lock = _lock_path(edition)
    lock.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            if not _lock_is_stale(lock, _status_path(edition)):
                return False
            log.warning("Removing the stale PDF lock %s", lock)
            lock.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"pid": os.getpid(), "host": socket.gethostname(), "started": time.time()}, handle)
        return True
    return False


def _release(edition) -> None:
    _lock_path(edition).unlink(missing_ok=True)


def _queued_recently(status: dict) -> bool:
    """A job queued within the stale time is still waiting for a worker; an older one is taken as lost (no
    worker ran it), and the next request queues another (which does nothing if the first one ran meanwhile)."""
    stale_after = current_app.config.get("COLLECTIONS_PDF_STALE_SECONDS", STALE_AFTER_SECONDS)
    try:
        return time.time() - float(status.get("updated") or 0) <= stale_after
    except (TypeError, ValueError):
        return False


def pdf_status(edition: CollectionEdition) -> dict:
    """{"state": ready|queued|running|failed|missing, ...}: running adds the stage, percent and page laid out,
    failed the message."""
    path = pdf_path(edition)
    if path.exists():
        return {"state": READY, "size": path.stat().st_size, "percent": 100, "stage": "done"}
    lock, status_file = _lock_path(edition), _status_path(edition)
    status = read_status(status_file)
    if lock.exists() and not _lock_is_stale(lock, status_file):
        return {"state": RUNNING, "stage": status.get("stage", "queued"),
                "percent": int(status.get("percent", 0)), "page": status.get("page"),
                "pages": status.get("pages")}
    if status.get("state") == QUEUED and _queued_recently(status):
        return {"state": QUEUED, "stage": "queued", "percent": 0}
    if status.get("state") == FAILED:
        return {"state": FAILED, "message": status.get("message") or "", "failed_at": status.get("updated")}
    return {"state": MISSING, "stage": None, "percent": 0}


# --- building --------------------------------------------------------------------------------------


def _book_locale(edition: CollectionEdition) -> str:
    """A PDF is made once, for every reader: in the collection's language when the interface speaks it."""
    language = (edition.contents or {}).get("language") or edition.collection.language or "en"
    return language if language in current_app.config.get("SUPPORTED_LOCALES", ["en"]) else \
        current_app.config["BABEL_DEFAULT_LOCALE"]


def book_html(edition: CollectionEdition, *, context: dict | None = None, part: str = "all",
              page_numbers: dict | None = None, first_page: int | None = None, total_pages: int | None = None) -> str:
    """The PDF's HTML: the book template without the site around it. `part`, `page_numbers`, `first_page` and
    `total_pages` serve the second layout of the contents and the index (render_book): laid out alone, their
    pages would count only themselves ("2 / 2" in the contents, "23 / 3" at the end of the index)."""
    from network.collections.book import book_context

    with force_locale(_book_locale(edition)):
        context = context or book_context(edition, viewer=None, for_pdf=True)
        return render_template("collections/book.html", **context, part=part, page_numbers=page_numbers or {},
                               first_page=first_page, total_pages=total_pages)


def _layout(weasyprint, html: str, base_url: str | None = None):
    return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=local_only_fetcher(weasyprint)).render()


def _anchor_pages(document) -> dict[str, int]:
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages


def render_book(edition: CollectionEdition, progress: Progress | None = None) -> tuple[bytes, int]:
    """The edition's PDF and its page count.

    The book is laid out once, with placeholder page numbers in its contents and index; those two parts alone
    are then laid out again with the numbers the first layout found, and their pages replace the first ones.
    CSS target-counter() would do the same by laying out the whole book two or three times (twice the time:
    bench/book.py). If a part comes out with another number of pages, the whole book is laid out again."""
    from network.collections.book import book_context

    weasyprint = load_weasyprint()
    progress = progress or (lambda stage, percent, details: None)
    with force_locale(_book_locale(edition)):
        context = book_context(edition, viewer=None, for_pdf=True)
    html = book_html(edition, context=context)
    progress("parsing", STAGES["parsing"], {})
    with _progress_from_weasyprint(progress, _estimate_pages(html)):
        document = _layout(weasyprint, html)
    total = len(document.pages)
    progress("contents", STAGES["contents"], {"pages": total})
    numbers = _anchor_pages(document)
    chapters = context["chapters"]
    if chapters and chapters[0]["anchor"] in numbers:
        front_count = numbers[chapters[0]["anchor"]] - 1
        back_start = numbers.get("tag-index") if context["tag_index"] else None
        front = _layout(weasyprint, book_html(edition, context=context, part="front", page_numbers=numbers,
                                              total_pages=total))
        back = _layout(weasyprint, book_html(edition, context=context, part="back", page_numbers=numbers,
                                             first_page=back_start, total_pages=total)) if back_start else None
        back_count = total - back_start + 1 if back_start else 0
        if len(front.pages) == front_count and (back is None or len(back.pages) == back_count):
            body = document.pages[front_count:total - back_count]
            pages = front.pages + body + (back.pages if back else [])
            progress("writing", STAGES["writing"], {})
            return document.copy(pages).write_pdf(), total
        log.info("The contents or index of %r changed length with real page numbers: laying it out again",
                 edition)
        document = _layout(weasyprint, book_html(edition, context=context, page_numbers=numbers))
    progress("writing", STAGES["writing"], {})
    return document.write_pdf(), len(document.pages)


class _StatusWriter:
    """Progress into the status file (at most every _STATUS_EVERY_SECONDS) and to an optional listener."""

    def __init__(self, edition, listener: Progress | None = None):
        self.path = _status_path(edition)
        self.listener = listener
        self.last_write = 0.0
        self.details: dict = {}

    def __call__(self, stage: str, percent: int, details: dict) -> None:
        self.details.update(details)
        if self.listener is not None:
            self.listener(stage, percent, dict(self.details))
        now = time.monotonic()
        if now - self.last_write >= _STATUS_EVERY_SECONDS or stage in ("writing", "done"):
            self.last_write = now
            write_status(self.path, {"state": RUNNING, "stage": stage, "percent": percent, **self.details})

    def failed(self, message: str) -> None:
        write_status(self.path, {"state": FAILED, "message": message})


def _build(edition: CollectionEdition, listener: Progress | None = None) -> Path:
    """Build while holding the lock: HTML, layout, then write to a temporary file renamed into place."""
    status = _StatusWriter(edition, listener)
    target = pdf_path(edition)
    try:
        status("html", STAGES["html"], {})
        data, _pages = render_book(edition, progress=status)
        write_pdf(target, data)
    except Exception as error:
        log.exception("The PDF of collection %s, edition %s, failed", edition.collection_id, edition.number)
        status.failed(f"{type(error).__name__}: {error}"[:500])
        raise
    status("done", STAGES["done"], {})
    _status_path(edition).unlink(missing_ok=True)
    return target


def build_pdf(edition: CollectionEdition, *, progress: Progress | None = None, force: bool = False) -> Path:
    """Build the edition's PDF now, in this thread (command line, tests). Raises PdfBusy when another process
    is building it; returns the existing file unless force."""
    if pdf_path(edition).exists() and not force:
        return pdf_path(edition)
    load_weasyprint()  # a clear error before taking the lock
    if not _acquire(edition):
        raise PdfBusy(f"{_lock_path(edition)} is held by another build")
    try:
        return _build(edition, progress)
    finally:
        _release(edition)


def build_queued(edition_id: int) -> None:
    """The job's work (network.collections.tasks): build the edition's PDF unless it exists or another process
    is building it. A failure is in the status file (the page says why) and is raised: the job is tried again,
    then reported."""
    edition = db.session.get(CollectionEdition, edition_id)
    if edition is None or pdf_path(edition).exists():
        return
    if not _acquire(edition):
        return  # another job, or the command line, is on it
    try:
        _build(edition)
    finally:
        _release(edition)


def schedule_pdf(edition_id: int) -> bool:
    """Queue the build of the edition's PDF unless it exists, waits in the queue or is being built; its status
    is "queued" until a worker starts it. Returns whether a build was queued (under NETWORK_JOBS=immediate it
    has then run already)."""
    if not queues_builds("COLLECTIONS_PDF_BUILDER"):
        return False
    edition = db.session.get(CollectionEdition, edition_id)
    if edition is None or pdf_path(edition).exists():
        return False
    missing = weasyprint_missing()
    if missing:
        log.error("Cannot make PDFs: %s", missing)
        return False
    if pdf_status(edition)["state"] in (QUEUED, RUNNING):
        return False
    write_status(_status_path(edition), {"state": QUEUED, "stage": "queued", "percent": 0})
    from network.collections import tasks

    try:
        tasks.build_edition_pdf(edition_id)
    except Exception as error:  # the queue is unreachable (Redis down): say so on the page, try on request
        log.exception("Could not queue the PDF of edition %s", edition_id)
        _StatusWriter(edition).failed(f"The build could not be queued ({type(error).__name__}: {error})"[:500])
        return False
    return True


def wait_for(edition: CollectionEdition, timeout: float | None = None, interval: float = 0.2) -> dict:
    """Wait until the edition's PDF is neither queued nor being built, or timeout seconds (the benchmark,
    tests with a worker); returns its status. Under NETWORK_JOBS=immediate the build is already over."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        status = pdf_status(edition)
        if status["state"] not in (QUEUED, RUNNING) or (deadline is not None and time.monotonic() >= deadline):
            return status
        time.sleep(interval)
