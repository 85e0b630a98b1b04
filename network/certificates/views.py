"""Certificate pages: checking a code (public, no login), the holder's list and PDF, revoking.

The verification pages are sent with Cache-Control: no-store and noindex. They name a person, so no shared
cache or browser history keeps a copy that would outlive a revocation or the holder's deletion of their
account, and search engines do not list people by certificate. They are not throttled: a code is one of
2 ** 60, so guessing finds nothing, and a wrong code costs one indexed read and tells only that no
certificate has it (throttling would instead lock out employers checking many codes from one address)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network import permissions
from network.certificates import pdf, services
from network.certificates.forms import RevokeForm, VerifyForm
from network.certificates.models import Certificate, format_code
from network.web import REFUSED, attempt, form_status

bp = Blueprint("certificates", __name__, url_prefix="/certificates")

PRIVATE_PAGE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


def _certificate_or_404(code: str) -> Certificate:
    certificate = services.verify(code)
    if certificate is None:
        abort(404)
    return certificate


def _helpers() -> dict:
    return {"statement": services.statement, "heading": services.heading}


@bp.route("/")
def verify():
    """A code typed in the form (GET: it works without a session or JavaScript) goes to its page."""
    form = VerifyForm(request.args)
    if "code" not in request.args:
        return render_template("certificates/verify.html", form=form), 200, PRIVATE_PAGE
    if form.validate():
        code = services.normalise_code(form.code.data)
        if code is not None:
            return redirect(url_for("certificates.show", code=format_code(code)))
        form.code.errors = [_("This is not a certificate code: a code has 12 letters and digits, for example "
                              "7KQ2-M9XD-4HTR.")]
    return render_template("certificates/verify.html", form=form), 422, PRIVATE_PAGE


@bp.route("/<code>")
def show(code: str):
    """Genuine (what it certifies, for whom), revoked (when and why), or no certificate has this code (404)."""
    normalised = services.normalise_code(code)
    if normalised is not None and format_code(normalised) != code:  # typed by hand: its usual address
        return redirect(url_for("certificates.show", code=format_code(normalised)))
    certificate = services.verify(normalised) if normalised else None
    if certificate is None:
        return render_template("certificates/unknown.html", code=code[:40], form=VerifyForm()), 404, PRIVATE_PAGE
    return render_template("certificates/show.html", certificate=certificate, **_helpers()), 200, PRIVATE_PAGE


# --- Open Badges 2.0 (network/certificates/badges.py): JSON-LD, public like the verification page -----------


def _json_ld(document: dict, status: int = 200):
    from flask import jsonify

    response = jsonify(document)
    response.status_code = status
    response.mimetype = "application/ld+json"
    response.headers.update(PRIVATE_PAGE)
    return response


@bp.route("/<code>/badge.json")
def badge_assertion(code: str):
    """The certificate as an Open Badges 2.0 Assertion (hosted verification); 410 once revoked."""
    from network.certificates import badges

    document, status = badges.assertion(_certificate_or_404(code))
    return _json_ld(document, status)


@bp.route("/badges/<kind>/<subject_type>/<int:subject_id>/<key>.json")
def badge_class(kind: str, subject_type: str, subject_id: int, key: str):
    """What a badge stands for: the certificates of this kind for this subject (an event, a course). Its address
    holds a keyed digest (badges.badge_key): without it, the 404 of a subject that has no badge."""
    import hmac

    from network.certificates import badges

    if not hmac.compare_digest(key.encode(), badges.badge_key(kind[:40], subject_type[:40], subject_id).encode()):
        abort(404)
    examples = services.certificates_for(kind[:40], subject_type[:40], subject_id)
    if not examples:
        abort(404)
    return _json_ld(badges.badge_class(max(examples, key=lambda certificate: certificate.id)))


@bp.route("/issuer.json")
def badge_issuer():
    from network.certificates import badges

    return _json_ld(badges.issuer())


@bp.route("/mine")
@login_required
def mine():
    return render_template("certificates/mine.html", certificates=services.certificates_of(current_user),
                           **_helpers()), 200, {"Cache-Control": "private, no-store"}


@bp.route("/<code>.pdf")
@login_required
def download(code: str):
    """The PDF for its holder (and site admins): served when ready; otherwise queued as a background job,
    with a page that reloads itself until it is ready."""
    certificate = _certificate_or_404(code)
    permissions.require(permissions.can_download_certificate, certificate)
    if certificate.revoked:
        pdf.delete_pdf(certificate.code)  # revoked inside another feature's transaction: its file goes now
        flash(_("This certificate has been revoked: its PDF is no longer available."), "error")
        return redirect(url_for("certificates.show", code=certificate.display_code))
    status = pdf.pdf_status(certificate)
    if status["state"] == pdf.MISSING or (status["state"] == pdf.FAILED and request.args.get("retry")):
        verify_url = url_for("certificates.show", code=certificate.display_code, _external=True)
        pdf.schedule_pdf(certificate, verify_url)
        status = pdf.pdf_status(certificate)  # under NETWORK_JOBS=immediate (tests) it is ready already
        missing = pdf.weasyprint_missing() if status["state"] == pdf.MISSING else None
        if missing:
            status = {"state": pdf.FAILED, "message": missing}
    if status["state"] == pdf.READY:
        response = send_file(pdf.pdf_path(certificate), mimetype="application/pdf", as_attachment=True,
                             download_name=pdf.pdf_filename(certificate), conditional=True, max_age=0)
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return render_template("certificates/pdf_status.html", certificate=certificate, status=status,
                           **_helpers()), 200, {"Cache-Control": "no-store"}


@bp.route("/<code>/revoke", methods=["GET", "POST"])
@login_required
def revoke(code: str):
    certificate = _certificate_or_404(code)
    permissions.require(permissions.can_revoke_certificate, certificate)
    page = url_for("certificates.show", code=certificate.display_code)
    if certificate.revoked:
        flash(_("This certificate has already been revoked."), "info")
        return redirect(page)
    form = RevokeForm()
    if form.validate_on_submit():
        done = attempt(lambda: services.revoke(current_user, certificate, form.reason.data),
                       done=_("The certificate has been revoked."), form=form)
        if done is not REFUSED:
            return redirect(page)
    return render_template("certificates/revoke.html", certificate=certificate, form=form,
                           **_helpers()), form_status(form)
