"""What the evaluation shows on other features' pages (network/panels.py): receivers of their page signals, connected
in network.evaluation.init_app. Each returns the HTML of a template, or None when it has nothing for this viewer."""
from __future__ import annotations

from flask import render_template, url_for

from network import permissions
from network.evaluation import dissemination
from network.evaluation import indicators as indicator_service
from network.mobility.models import COMPLETED
from network.sanitize import render_markdown


def _helpers() -> dict:
    return {"format_labels": dissemination.FORMAT_LABELS, "role_labels": dissemination.ROLE_LABELS,
            "markdown": render_markdown}


def visit_panel(visit, viewer=None, **extra):
    """mobility.signals.visit_page: a completed visit's sessions back home, and for its visitor the button to record
    one. Nothing for a visit that is not completed."""
    if visit.status != COMPLETED:
        return None
    sessions = [s for s in dissemination.sessions_of_visit(visit) if permissions.can_view_session(viewer, s)]
    may_record = permissions.can_record_sessions(viewer, visit)
    return render_template("evaluation/_visit_sessions.html", visit=visit, sessions=sessions, may_record=may_record,
                           viewer=viewer, **_helpers())


def institution_panel(institution, viewer=None, **extra):
    """institutions.signals.institution_page: the sessions back home of the visitors this institution sent, those
    the viewer may see, with their totals, and for its own people the way to how visitors rated it as a host; None
    when there is neither."""
    sessions = dissemination.sessions_of_institution(institution, viewer)
    rated = permissions.can_read_host_results(viewer, institution)
    if not sessions and not rated:
        return None
    return render_template("evaluation/_institution_sessions.html", institution=institution, sessions=sessions,
                           totals=dissemination.totals(sessions), viewer=viewer, rated=rated, **_helpers())


def dashboard_panel(partnership, viewer=None, **extra):
    """mobility.signals.dashboard_page: each target's progress, what is late, and the sessions back home's totals."""
    if not permissions.can_read_indicators(viewer, partnership):
        return None
    found = indicator_service.indicators(partnership)
    return render_template(
        "evaluation/_dashboard_indicators.html", partnership=partnership, indicators=found,
        any_target=any(indicator.target is not None for indicator in found),
        labels=indicator_service.TARGET_LABELS, totals=dissemination.totals_of_partnership(partnership),
        may_change=permissions.can_manage_surveys(viewer, partnership), **_helpers())


def partnership_panel(partnership, viewer=None, **extra):
    """institutions.signals.partnership_page: links to the final report, the surveys, the indicators and the
    targets, for those allowed to open them; None when there is none."""
    links = []
    if (permissions.can_read_published_report(viewer, partnership)
            or permissions.can_read_report_draft(viewer, partnership)):
        links.append(("report", url_for("reports.show", partnership_id=partnership.id)))
    if permissions.can_read_mobility_dashboard(viewer, partnership):
        links.append(("surveys", url_for("evaluation.partnership_surveys", partnership_id=partnership.id)))
    if permissions.can_read_indicators(viewer, partnership):
        links.append(("indicators", url_for("evaluation.indicators", partnership_id=partnership.id)))
        links.append(("targets", url_for("evaluation.targets", partnership_id=partnership.id)))
    if not links:
        return None
    return render_template("evaluation/_partnership_links.html", partnership=partnership, links=links,
                           may_change=permissions.can_manage_surveys(viewer, partnership))
