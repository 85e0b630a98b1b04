"""Full-text search: one Whoosh index of every feature's documents, kept in step by an outbox."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.search import sync
    from network.search.cli import search_cli
    from network.search.views import bp

    sync.init_app(app)
    app.register_blueprint(bp)
    app.cli.add_command(search_cli)
