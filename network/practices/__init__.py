"""Practices: structured write-ups of interventions, their revisions, attachments, translations and
discussion (comments, follows, bookmarks, notifications)."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.demo import register_step
    from network.institutions.signals import institution_page
    from network.practices import demo, home, personal_data
    from network.practices.attachments import FOLDER
    from network.practices.cli import practices_cli
    from network.practices.discussion_views import bp  # the practices blueprint, with the discussion's routes
    from network.practices.models import Attachment
    from network.practices.panels import institution_panel
    from network.practices.search import DOCUMENT_TYPES
    from network.search.documents import register
    from network.uploads import register_store

    app.register_blueprint(bp)
    app.cli.add_command(practices_cli)
    register(*DOCUMENT_TYPES)
    register_store(FOLDER, Attachment.__table__.c.stored_name)  # its files, for backups
    register_data_exporter("practices", personal_data.export)
    register_data_exporter("practices_discussion", personal_data.export_discussion)
    register_data_eraser("practices", personal_data.erase)
    register_step(app, "practices", demo.seed)  # its part of seed-demo (network/demo.py)
    # The institution page lists the institution's newest practices. weak=False: a plain function, kept for good.
    institution_page.connect(institution_panel, weak=False)
    home.connect()  # its part of the home page (network/home.py)
