"""The partnership's final report (reports_bp, /partnerships/<id>/report): the draft with today's figures for its
coordinators and evaluators, the narrative's editor, publishing, and every published version as a page, a PDF
and a CSV or XLSX annex for the members of the partnership's institutions."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network import permissions
from network.evaluation import report_pdf, reports
from network.evaluation.blueprint import reports_bp
from network.evaluation.report_forms import DraftForm, PublishForm
from network.institutions import services as institutions
from network.institutions.models import Partnership
from network.web import REFUSED, attempt, csv_download, form_status

PRIVATE_PAGE = {"Cache-Control": "private, no-store"}


def _partnership_or_404(partnership_id: int) -> Partnership:
    return institutions.get_partnership(partnership_id) or abort(404)


def _may_read_versions(partnership: Partnership) -> bool:
    return (permissions.can_read_published_report(current_user, partnership)
            or permissions.can_read_report_draft(current_user, partnership))


def _version_or_404(partnership_id: int, number: int):
    """The partnership and its version, once the reader may read its versions (403 before a 404)."""
    partnership = _partnership_or_404(partnership_id)
    permissions.require(lambda user, p: _may_read_versions(p), partnership)
    version = reports.get_version(partnership, number)
    if version is None:
        abort(404)
    return partnership, version


def _render_version(partnership: Partnership, version, versions, status: int = 200):
    return render_template(
        "evaluation/report/version.html", partnership=partnership, version=version, versions=versions,
        may_read_draft=permissions.can_read_report_draft(current_user, partnership),
        **reports.document(version.figures or {}, version.texts or {}, version.language),
        **reports.template_helpers()), status, PRIVATE_PAGE


@reports_bp.route("/<int:partnership_id>/report")
@login_required
def show(partnership_id: int):
    """Coordinators and evaluators: the draft with today's figures. Other readers: the newest version."""
    partnership = _partnership_or_404(partnership_id)
    permissions.require(lambda user, p: _may_read_versions(p), partnership)
    versions = reports.versions_of(partnership)
    if not permissions.can_read_report_draft(current_user, partnership):
        if not versions:
            return render_template("evaluation/report/none.html", partnership=partnership), 200, PRIVATE_PAGE
        return _render_version(partnership, versions[0], versions)
    return _render_draft(partnership, versions, PublishForm(prefix="publish"))


def _render_draft(partnership: Partnership, versions, publish_form: PublishForm):
    """The draft with today's figures, and (for its coordinators) the publish form, its errors shown when refused."""
    draft = reports.draft_of(partnership)
    texts = {name: getattr(draft, name) or "" for name in reports.TEXTS}
    return render_template(
        "evaluation/report/draft.html", partnership=partnership, draft=draft, versions=versions,
        may_manage=permissions.can_manage_surveys(current_user, partnership), publish_form=publish_form,
        **reports.document(reports.figures(partnership), texts, draft.language),
        **reports.template_helpers()), form_status(publish_form), PRIVATE_PAGE


@reports_bp.route("/<int:partnership_id>/report/edit", methods=["GET", "POST"])
@login_required
def edit(partnership_id: int):
    """The narrative's four sections, kept as a draft until a coordinator publishes."""
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.can_manage_surveys, partnership)
    form = DraftForm()
    if form.validate_on_submit():
        done = attempt(lambda: reports.save_draft(current_user, partnership, form.data_for_service()),
                       done=_("The report's draft has been saved."), form=form)
        if done is not REFUSED:
            return redirect(url_for("reports.show", partnership_id=partnership.id), 303)
    elif request.method == "GET":
        form.fill_from(reports.draft_data_of(reports.draft_of(partnership)))
    return render_template("evaluation/report/edit.html", partnership=partnership, form=form), form_status(form)


@reports_bp.route("/<int:partnership_id>/report/publish", methods=["POST"])
@login_required
def publish(partnership_id: int):
    """Freeze today's figures and the narrative as the next version, once the coordinator ticked that they mean it
    (the draft again with the box's message, 422, when not)."""
    partnership = _partnership_or_404(partnership_id)
    permissions.require(permissions.can_manage_surveys, partnership)
    form = PublishForm(prefix="publish")
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:  # no form of ours: as check_button_post
            abort(400)
        return _render_draft(partnership, reports.versions_of(partnership), form)
    version = attempt(lambda: reports.publish(current_user, partnership),
                      done=lambda v: _("Version %(number)s of the report has been published.", number=v.number))
    if version is REFUSED:
        return redirect(url_for("reports.show", partnership_id=partnership.id), 303)
    return redirect(url_for("reports.version", partnership_id=partnership.id, number=version.number), 303)


@reports_bp.route("/<int:partnership_id>/report/versions/<int:number>")
@login_required
def version(partnership_id: int, number: int):
    """A published version exactly as frozen, worded in the reader's language."""
    partnership, version = _version_or_404(partnership_id, number)
    return _render_version(partnership, version, reports.versions_of(partnership))


@reports_bp.route("/<int:partnership_id>/report/<int:number>.pdf")
@login_required
def pdf(partnership_id: int, number: int):
    """The version's PDF when it is ready; otherwise a page saying it is being made (and its build queued)."""
    partnership, version = _version_or_404(partnership_id, number)
    status = report_pdf.requested(version, retry=bool(request.args.get("retry")))
    if status["state"] == report_pdf.READY:
        response = send_file(report_pdf.pdf_path(version), mimetype="application/pdf", as_attachment=True,
                             download_name=report_pdf.pdf_filename(version), conditional=True, max_age=0)
        response.headers["Cache-Control"] = "private, no-store"
        return response
    return render_template("evaluation/report/pdf_status.html", partnership=partnership, version=version,
                           status=status), 200, {"Cache-Control": "no-store"}


def _annex_name(version, extension: str) -> str:
    return report_pdf.pdf_filename(version).removesuffix(".pdf") + f"-annex.{extension}"


@reports_bp.route("/<int:partnership_id>/report/<int:number>.csv")
@login_required
def annex_csv(partnership_id: int, number: int):
    """Every figure of the version, one row each."""
    _partnership, version = _version_or_404(partnership_id, number)
    return csv_download([reports.ANNEX_COLUMNS, *reports.annex_rows(version)], _annex_name(version, "csv"))


@reports_bp.route("/<int:partnership_id>/report/<int:number>.xlsx")
@login_required
def annex_xlsx(partnership_id: int, number: int):
    """The same figures as a spreadsheet, one sheet per section."""
    _partnership, version = _version_or_404(partnership_id, number)
    return Response(reports.annex_xlsx(version),
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{_annex_name(version, "xlsx")}"',
                             "Cache-Control": "private, no-store"})
