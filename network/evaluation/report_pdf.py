"""Each published report version's PDF, made once with WeasyPrint (network/printing.py) by a background job.

Files, under REPORTS_PDF_FOLDER (default <instance>/reports), per version:
    <partnership id>/<number>.pdf          the finished PDF (written to a temporary file, then renamed)
    <partnership id>/<number>.status.json  "queued" while its job waits, or "failed" (with the detail, for the
                                           administrators; the log has it too: readers are only told it failed)
A version is frozen, so its PDF never goes out of date. Its HTML is the version's printable page without the
site around it, its stylesheet inlined: WeasyPrint fetches nothing (printing.local_only_fetcher).

schedule_pdf() queues network.evaluation.tasks.build_report_pdf (publishing does, and requested(), the PDF's
address, when the file is missing or a reader asks to try a failed build again). REPORTS_PDF_BUILDER "off" queues nothing; under tests that is the default, so that publishing
in a test does not start WeasyPrint behind its back (a test turns it on to make a real PDF).
"""
from __future__ import annotations

import logging
import re
import time
import unicodedata
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from network.evaluation import reports
from network.evaluation.models import ReportVersion
from network.extensions import db
from network.printing import html_to_pdf, queues_builds, read_status, weasyprint_missing, write_pdf, write_status

READY, QUEUED, FAILED, MISSING = "ready", "queued", "failed", "missing"
STALE_AFTER_SECONDS = 600  # a job queued this long ago is taken as lost: the next request queues another
STATIC_CSS = Path(__file__).resolve().parent.parent / "static" / "css"
STYLESHEETS = ("report.css",)  # its .report-pdf rules stand in for the site's: WeasyPrint ignores much of site.css

log = logging.getLogger(__name__)


# --- where things are ---------------------------------------------------------------------------------------


def pdf_folder() -> Path:
    folder = current_app.config.get("REPORTS_PDF_FOLDER")
    return Path(folder) if folder else Path(current_app.instance_path) / "reports"


def pdf_path(version: ReportVersion) -> Path:
    return pdf_folder() / str(int(version.partnership_id)) / f"{int(version.number)}.pdf"


def _status_path(version: ReportVersion) -> Path:
    return pdf_folder() / str(int(version.partnership_id)) / f"{int(version.number)}.status.json"


def pdf_filename(version: ReportVersion) -> str:
    """"report-2025-1-es01-ka220-000001-version-2.pdf": ASCII, safe in any browser."""
    reference = version.partnership.reference or version.partnership.title or "partnership"
    ascii_name = unicodedata.normalize("NFKD", reference).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "partnership"
    return f"report-{slug}-version-{int(version.number)}.pdf"


# --- status -------------------------------------------------------------------------------------------------


def _read_status(version) -> dict:
    return read_status(_status_path(version))


def _write_status(version, data: dict) -> None:
    write_status(_status_path(version), data)


def pdf_status(version: ReportVersion) -> dict:
    """{"state": ready|queued|failed|missing}. Why a build failed stays in the status file and the log: the
    exception's text is no reader's business."""
    if pdf_path(version).exists():
        return {"state": READY}
    status = _read_status(version)
    stale_after = current_app.config.get("REPORTS_PDF_STALE_SECONDS", STALE_AFTER_SECONDS)
    if status.get("state") == QUEUED and time.time() - float(status.get("updated") or 0) <= stale_after:
        return {"state": QUEUED}
    if status.get("state") == FAILED:
        return {"state": FAILED}
    return {"state": MISSING}


def requested(version: ReportVersion, retry: bool = False) -> dict:
    """What the PDF's address answers (reports.pdf): pdf_status() once the build is queued when the file is
    missing, or when it failed and the reader asked to try again (retry). Under NETWORK_JOBS=immediate the build
    has then run already, and the state may be ready. Without WeasyPrint the state is failed (and logged)."""
    status = pdf_status(version)
    if status["state"] == MISSING or (status["state"] == FAILED and retry):
        schedule_pdf(version)
        status = pdf_status(version)
        if status["state"] == MISSING and weasyprint_missing():
            status = {"state": FAILED}  # schedule_pdf logged why
    return status


# --- building -----------------------------------------------------------------------------------------------


def stylesheet() -> str:
    return "\n".join((STATIC_CSS / name).read_text(encoding="utf-8") for name in STYLESHEETS)


def version_html(version: ReportVersion) -> str:
    """The PDF's HTML: the version's printable document in its narrative's language (when the interface speaks
    it), without the site around it, its stylesheet inlined."""
    with force_locale(reports.pdf_locale(version)):
        return render_template(
            "evaluation/report/pdf.html", partnership=version.partnership, version=version,
            css=stylesheet(), **reports.document(version.figures or {}, version.texts or {}, version.language),
            **reports.template_helpers())


def build(version: ReportVersion) -> Path:
    """Make the PDF now, in this thread (the job; tests): written to a temporary file renamed into place."""
    try:
        target = write_pdf(pdf_path(version), html_to_pdf(version_html(version)))
    except Exception as error:
        log.exception("The PDF of report version %s failed", version.id)
        _write_status(version, {"state": FAILED, "detail": f"{type(error).__name__}: {error}"[:500]})
        raise
    _status_path(version).unlink(missing_ok=True)
    return target


def build_queued(version_id: int) -> None:
    """The job's work (network.evaluation.tasks): build the PDF unless it exists or the version is gone. A failure
    is in the status file (the page says why) and is raised: the job is tried again, then reported."""
    version = db.session.get(ReportVersion, version_id)
    if version is None or pdf_path(version).exists():
        return
    build(version)


def schedule_pdf(version: ReportVersion) -> bool:
    """Queue the build of the version's PDF unless it exists or waits in the queue already; returns whether a
    build was queued (under NETWORK_JOBS=immediate it has then run already)."""
    if not queues_builds("REPORTS_PDF_BUILDER") or pdf_path(version).exists():
        return False
    missing = weasyprint_missing()
    if missing:
        log.error("Cannot make PDFs: %s", missing)
        return False
    if pdf_status(version)["state"] == QUEUED:
        return False
    _write_status(version, {"state": QUEUED})
    from network.evaluation import tasks

    try:
        tasks.build_report_pdf(version.id)
    except Exception as error:  # the queue is unreachable (Redis down), or the immediate build failed
        log.exception("Could not queue the PDF of report version %s", version.id)
        if pdf_status(version)["state"] != FAILED:
            _write_status(version, {"state": FAILED, "detail": f"The build could not be queued "
                                                               f"({type(error).__name__}: {error})"[:500]})
        return False
    return True

