"""WeasyPrint, imported here only: whether it runs on this machine, and a URL fetcher that reaches nothing.

Every PDF the platform makes (collections' books, certificates, events' lists) is laid out from HTML the
server wrote, with its stylesheet inlined and fonts from fontconfig: it needs no resource, and frozen text
people wrote must never make the server fetch an address. So only data: URLs are fetched."""
from __future__ import annotations

from pathlib import Path

from flask import current_app


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries (Pango, fonts) are missing."""


def load_weasyprint():
    """The weasyprint module; PdfUnavailable saying what to install when it cannot run here."""
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango's shared libraries are not installed
        raise PdfUnavailable(
            f"WeasyPrint cannot run here ({error}); install libpango-1.0-0, libpangoft2-1.0-0 and "
            "fonts-dejavu-core (the Makefile does it when run as root)") from error
    return weasyprint


def weasyprint_missing() -> str | None:
    """Why PDFs cannot be made on this machine, or None when they can (pages say it; tests skip with it)."""
    try:
        load_weasyprint()
    except PdfUnavailable as error:
        return str(error)
    return None


def local_only_fetcher(weasyprint):
    """A url_fetcher for weasyprint.HTML that refuses every URL but data: ones (ValueError)."""
    def refuse(url: str) -> None:
        if not url.startswith("data:"):
            raise ValueError(f"a PDF of the platform fetches nothing: {url[:100]} refused")

    if hasattr(weasyprint, "URLFetcher"):  # WeasyPrint 67 and later
        class LocalOnlyFetcher(weasyprint.URLFetcher):
            def fetch(self, url, headers=None):
                refuse(url)
                return super().fetch(url, headers)

        return LocalOnlyFetcher(allowed_protocols={"data"})

    def fetch(url, *args, **kwargs):
        refuse(url)
        return weasyprint.default_url_fetcher(url, *args, **kwargs)

    return fetch


def html_to_pdf(html: str, base_url: str | None = None, **write_options) -> bytes:
    """Lay out `html` and return the PDF's bytes (tagged for screen readers unless told otherwise)."""
    weasyprint = load_weasyprint()
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=local_only_fetcher(weasyprint))
    return document.write_pdf(**{"pdf_tags": True, **write_options})


def queues_builds(setting: str) -> bool:
    """Whether a feature's schedule_pdf() queues its PDFs' builds as background jobs, by its setting (like
    REPORTS_PDF_BUILDER): "off" queues nothing (only a direct build, the command line or a test, makes the file);
    unset, it is off under tests, so that publishing in a test does not start WeasyPrint behind its back, and on
    elsewhere; any other value ("jobs"; collections' "thread" and "sync" from before the jobs) is on."""
    mode = current_app.config.get(setting)
    if not mode:
        return not current_app.testing
    return mode != "off"


def read_status(path) -> dict:
    """A PDF's status file (JSON, written by write_status beside the PDF by the job making it); {} when there is
    none or it cannot be read."""
    import json

    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_atomically(path: Path, data: bytes, prefix: str) -> None:
    """Write to a temporary file in the same folder, then rename it into place: a reader (a download, a status
    check) sees the old file or the new one, never half of one; a failure leaves no temporary file behind."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_status(path, data: dict) -> None:
    """Write a PDF's status file atomically, with the time: a reader sees the old status or the new one, never half
    of one."""
    import json
    import time

    _write_atomically(Path(path), json.dumps({**data, "updated": time.time()}).encode("utf-8"), ".status-")


def write_pdf(path, data: bytes) -> Path:
    """Put a finished PDF's bytes at `path` atomically (its folder made if need be): a download never gets half a
    file, even while a second build of the same PDF replaces it. Returns the path."""
    path = Path(path)
    _write_atomically(path, data, f".{path.stem}-")
    return path
