"""Certificates: what the platform attests about a person (attended a training event, completed a course),
each with a verification code that anyone can check at /certificates/<code>, and a PDF made in the background.

One mechanism for every feature that certifies something: the issuing feature registers its kind of
certificate from its own plug (services.register_kind: how it is worded, who may revoke one) and calls
services.issue(); the pages, the PDF, verification and personal data are this package's.
"""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, the PDF job, personal data."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.certificates import personal_data
    from network.certificates.tasks import JOBS
    from network.certificates.views import bp
    from network.jobs import register_jobs

    app.register_blueprint(bp)
    register_jobs(app, *JOBS)  # the PDFs' builds
    register_data_exporter("certificates", personal_data.export)
    register_data_eraser("certificates", personal_data.erase)
