"""Institutions and the partnerships they form."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.institutions.search import DOCUMENT_TYPES
    from network.search.documents import register

    register(*DOCUMENT_TYPES)
    from network.institutions.views import bp, partnerships_bp

    app.register_blueprint(bp)
    app.register_blueprint(partnerships_bp)
