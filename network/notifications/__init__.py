"""Notifications: what the platform tells a person (in the app, and by email when a mail server is set), for
every feature through one notify()."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its page and the unread count in every page's header."""
    from network.notifications.views import bp

    app.register_blueprint(bp)
