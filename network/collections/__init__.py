"""Collections: curated, ordered sets of practices (and essays) — manuals, toolboxes and reading
lists — published as frozen editions that read as a book and download as a PDF."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.collections import personal_data
    from network.collections.cli import collections_cli
    from network.collections.search import DOCUMENT_TYPES
    from network.collections.views import bp
    from network.search.documents import register

    app.register_blueprint(bp)
    app.cli.add_command(collections_cli)
    register(*DOCUMENT_TYPES)
    register_data_exporter("collections", personal_data.export)
    register_data_eraser("collections", personal_data.erase)
