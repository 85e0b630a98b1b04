"""Institutions and the partnerships they form."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.institutions.search import DOCUMENT_TYPES
    from network.institutions.services import names_by_slug
    from network.institutions.views import bp, partnerships_bp
    from network.search.documents import register, register_facet_names

    app.register_blueprint(bp)
    app.register_blueprint(partnerships_bp)
    register(*DOCUMENT_TYPES)
    register_facet_names("institution", names_by_slug)
