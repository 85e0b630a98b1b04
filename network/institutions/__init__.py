"""Institutions and the partnerships they form."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.auth.services import register_home_institutions
    from network.demo import register_step
    from network.institutions import demo, services
    from network.institutions.search import DOCUMENT_TYPES
    from network.institutions.views import bp, partnerships_bp
    from network.search.documents import register, register_facet_names

    app.register_blueprint(bp)
    app.register_blueprint(partnerships_bp)
    register(*DOCUMENT_TYPES)
    register_facet_names("institution", services.names_by_slug)
    # Registration and `flask users create` choose a person's institution from these.
    register_home_institutions(choices=services.institution_choices, get=services.get,
                               get_by_slug=services.get_by_slug)
    register_step(app, "institutions", demo.seed)  # its part of seed-demo (network/demo.py)
