"""Practices: structured write-ups of interventions, their revisions, attachments, translations and
discussion (comments, follows, bookmarks, notifications)."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.practices import personal_data
    from network.practices.cli import practices_cli
    from network.practices.discussion_views import bp  # the practices blueprint, with the discussion's routes
    from network.practices.search import DOCUMENT_TYPES
    from network.search.documents import register

    app.register_blueprint(bp)
    app.cli.add_command(practices_cli)
    register(*DOCUMENT_TYPES)
    register_data_exporter("practices", personal_data.export)
    register_data_exporter("practices_discussion", personal_data.export_discussion)
    register_data_eraser("practices", personal_data.erase)
