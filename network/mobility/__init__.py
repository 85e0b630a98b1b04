"""Mobility: hosting offers, applications, matching, job-shadowing visits and their calendars."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.mobility.search import DOCUMENT_TYPES
    from network.search.documents import register

    register(*DOCUMENT_TYPES)
    from network.mobility.calendars import bp as calendars_bp
    from network.mobility.views import bp

    app.register_blueprint(calendars_bp)
    app.register_blueprint(bp)
