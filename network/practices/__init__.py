"""Practices: structured write-ups of interventions, their revisions, attachments, translations and
discussion (comments, follows, bookmarks, notifications)."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.practices.search import DOCUMENT_TYPES
    from network.search.documents import register

    register(*DOCUMENT_TYPES)
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.practices import personal_data
    from network.practices.cli import practices_cli
    from network.practices.discussion_views import notifications_bp
    from network.practices.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(notifications_bp)
    app.cli.add_command(practices_cli)
    register_data_exporter("practices", personal_data.export)
    register_data_exporter("practices_discussion", personal_data.export_discussion)
    register_data_eraser("practices", personal_data.erase)
