"""An edition's PDF: served when ready, otherwise queued as a background job with a page that follows it.

The PDF is never made by a web worker: a 60-practice manual takes seconds (bench/book.py); the job worker
makes it (network/collections/tasks.py)."""
from __future__ import annotations

from flask import abort, jsonify, render_template, request, send_file, url_for
from flask_login import current_user

from network import permissions
from network.collections import pdf, services
from network.collections.models import PUBLIC
from network.collections.views import bp


def _edition_or_404(collection_id: int, number: int):
    """A collection the viewer may not see does not exist for them, nor do its editions."""
    collection = services.get(collection_id)
    if collection is None or not permissions.can_view_collection(current_user, collection):
        abort(404)
    edition = services.get_edition(collection, number)
    if edition is None:
        abort(404)
    return collection, edition


def _status_json(collection, edition, status: dict) -> dict:
    return {**status, "pdf_url": url_for("collections.edition_pdf", collection_id=collection.id,
                                         number=edition.number)}


@bp.route("/<int:collection_id>/editions/<int:number>.pdf")
def edition_pdf(collection_id: int, number: int):
    collection, edition = _edition_or_404(collection_id, number)
    status = pdf.pdf_status(edition)
    if status["state"] == pdf.READY:
        response = send_file(pdf.pdf_path(edition), mimetype="application/pdf", as_attachment=True,
                             download_name=pdf.pdf_filename(edition), conditional=True,
                             max_age=3600 if collection.visibility == PUBLIC else 0)
        if collection.visibility != PUBLIC:
            response.headers["Cache-Control"] = "private, no-cache"
        return response
    if status["state"] == pdf.MISSING or (status["state"] == pdf.FAILED and request.args.get("retry")):
        pdf.schedule_pdf(edition.id)
        # The page follows the job; under NETWORK_JOBS=immediate (tests) it is ready already, and the page's
        # script (or its refresh) fetches it at once.
        status = pdf.pdf_status(edition)
        missing = pdf.weasyprint_missing() if status["state"] == pdf.MISSING else None
        if missing:
            status = {"state": pdf.FAILED, "message": missing}
    return render_template(
        "collections/pdf_status.html", collection=collection, edition=edition, status=status,
        book_title=(edition.contents or {}).get("title") or collection.title,
        status_url=url_for("collections.edition_pdf_status", collection_id=collection.id,
                           number=edition.number),
        edition_url=url_for("collections.edition", collection_id=collection.id, number=edition.number),
    )


@bp.route("/<int:collection_id>/editions/<int:number>/pdf-status")
def edition_pdf_status(collection_id: int, number: int):
    """The build's state as JSON, polled by pdf-status.js (the page refreshes itself without JavaScript)."""
    collection, edition = _edition_or_404(collection_id, number)
    response = jsonify(_status_json(collection, edition, pdf.pdf_status(edition)))
    response.headers["Cache-Control"] = "no-store"
    return response
