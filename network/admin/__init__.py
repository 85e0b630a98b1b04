"""The site admins' pages: users and roles, membership requests, the audit log."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.admin.views import bp

    app.register_blueprint(bp)
