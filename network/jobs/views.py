"""The site admins' page of background jobs: what failed for good, what waits, what runs on a schedule."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from network import permissions
from network.extensions import db
from network.jobs import services
from network.jobs.runner import runner_of

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


@bp.route("")
@permissions.role_required(permissions.can_see_background_jobs)
def failures():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    pagination = db.paginate(services.failures_query(), page=page, per_page=50, error_out=False)
    runner = runner_of(current_app)
    try:
        counts = runner.counts()
    except Exception:  # the queue's storage is unreachable (Redis down): the page still lists the failures
        current_app.logger.exception("Could not count the waiting jobs")
        counts = None
    return render_template("jobs/failures.html", pagination=pagination, counts=counts,
                           storage=runner.describe(), periodic=runner.periodic_jobs())
