"""Mobility: hosting offers, applications, matching, job-shadowing visits and their calendars."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.demo import register_step
    from network.mobility import demo, home, personal_data
    from network.mobility.calendars import bp as calendars_bp
    from network.mobility.search import DOCUMENT_TYPES
    from network.mobility.views import bp
    from network.search.documents import register

    app.register_blueprint(calendars_bp)
    app.register_blueprint(bp)
    register(*DOCUMENT_TYPES)
    register_data_exporter("mobility", personal_data.export)
    register_data_eraser("mobility", personal_data.erase)
    register_step(app, "mobility", demo.seed)  # its part of seed-demo (network/demo.py)
    home.connect()  # its part of the home page (network/home.py)
