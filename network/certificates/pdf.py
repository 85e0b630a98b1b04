"""Each certificate's PDF, made once with WeasyPrint (network/printing.py) by a background job.

Files, under CERTIFICATES_PDF_FOLDER (default <instance>/certificates):
    <code>.pdf          the finished PDF (written to a temporary file, then renamed: never half a file)
    <code>.status.json  "queued" while its job waits, or why the build failed
A certificate is one page, laid out in well under a second, so two builds of the same one (two requests
before the worker started the first) cost nothing worth a lock: the second finds the file and stops, or
replaces it with the same bytes.

It is made when first asked for (schedule_pdf, from the download page), never by a web worker; a revoked
certificate, or one whose holder deleted their account, has its file removed (delete_pdf).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from flask import current_app, render_template
from flask_babel import force_locale

from network.certificates import services
from network.certificates.models import Certificate
from network.extensions import db
from network.printing import html_to_pdf, read_status, weasyprint_missing, write_pdf, write_status

READY, QUEUED, FAILED, MISSING = "ready", "queued", "failed", "missing"
STALE_AFTER_SECONDS = 600  # a job queued this long ago is taken as lost: the next request queues another
CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "certificate.css"

log = logging.getLogger(__name__)


# --- where things are ---------------------------------------------------------------------------------------


def pdf_folder() -> Path:
    folder = current_app.config.get("CERTIFICATES_PDF_FOLDER")
    return Path(folder) if folder else Path(current_app.instance_path) / "certificates"


def pdf_path(certificate: Certificate) -> Path:
    return pdf_folder() / f"{certificate.code}.pdf"


def _status_path(code: str) -> Path:
    return pdf_folder() / f"{code}.status.json"


def pdf_filename(certificate: Certificate) -> str:
    """certificate-ABCD-EFGH-JKMN.pdf: ASCII, safe in any browser, and names no one."""
    return f"certificate-{certificate.display_code}.pdf"


def delete_pdf(code: str) -> None:
    """Remove a certificate's PDF and status (revoked, or its holder forgotten); after the commit."""
    for path in (pdf_folder() / f"{code}.pdf", _status_path(code)):
        path.unlink(missing_ok=True)


# --- status -------------------------------------------------------------------------------------------------


def _read_status(code) -> dict:
    return read_status(_status_path(code))


def _write_status(code, data: dict) -> None:
    write_status(_status_path(code), data)


def pdf_status(certificate: Certificate) -> dict:
    """{"state": ready|queued|failed|missing}; failed adds the message."""
    if pdf_path(certificate).exists():
        return {"state": READY}
    status = _read_status(certificate.code)
    stale_after = current_app.config.get("CERTIFICATES_PDF_STALE_SECONDS", STALE_AFTER_SECONDS)
    if status.get("state") == QUEUED and time.time() - float(status.get("updated") or 0) <= stale_after:
        return {"state": QUEUED}
    if status.get("state") == FAILED:
        return {"state": FAILED, "message": status.get("message") or ""}
    return {"state": MISSING}


# --- building -----------------------------------------------------------------------------------------------


def certificate_html(certificate: Certificate, verify_url: str) -> str:
    """The PDF's HTML, in the certificate's language: the page alone, its stylesheet inlined."""
    with force_locale(certificate.language):
        return render_template(
            "certificates/pdf.html", certificate=certificate, verify_url=verify_url,
            heading=services.heading(certificate), statement=services.statement(certificate),
            css=CSS.read_text(encoding="utf-8"))


def render_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """The certificate as PDF bytes: real text (tagged for screen readers), A4 landscape, one page."""
    return html_to_pdf(certificate_html(certificate, verify_url))


def build(certificate: Certificate, verify_url: str) -> Path:
    """Make the PDF now, in this thread (the job; tests): written to a temporary file renamed into place."""
    try:
        target = write_pdf(pdf_path(certificate), render_pdf(certificate, verify_url))
    except Exception as error:
        log.exception("The PDF of certificate %s failed", certificate.id)
        _write_status(certificate.code, {"state": FAILED, "message": f"{type(error).__name__}: {error}"[:500]})
        raise
    _status_path(certificate.code).unlink(missing_ok=True)
    return target


def build_queued(certificate_id: int, verify_url: str) -> None:
    """The job's work (network.certificates.tasks): build the PDF unless it exists, or the certificate is gone
    or revoked meanwhile. A failure is in the status file (the page says why) and is raised: the job is tried
    again, then reported."""
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.revoked or pdf_path(certificate).exists():
        return
    build(certificate, verify_url)


def schedule_pdf(certificate: Certificate, verify_url: str) -> bool:
    """Queue the build of the certificate's PDF unless it exists or waits in the queue already; returns whether
    a build was queued (under NETWORK_JOBS=immediate it has then run already). verify_url: the verification
    page's full address, printed on the certificate (a job has no request to build it from)."""
    if certificate.revoked or pdf_path(certificate).exists():
        return False
    missing = weasyprint_missing()
    if missing:
        log.error("Cannot make PDFs: %s", missing)
        return False
    if pdf_status(certificate)["state"] == QUEUED:
        return False
    _write_status(certificate.code, {"state": QUEUED})
    from network.certificates import tasks

    try:
        tasks.build_certificate_pdf(certificate.id, verify_url)
    except Exception as error:  # the queue is unreachable (Redis down): say so on the page, try on request
        log.exception("Could not queue the PDF of certificate %s", certificate.id)
        _write_status(certificate.code, {"state": FAILED, "message": f"The build could not be queued "
                                                                     f"({type(error).__name__}: {error})"[:500]})
        return False
    return True
