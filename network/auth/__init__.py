"""Accounts: registration, login, roles, membership requests, password reset, personal data."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.auth import home, personal_data
    from network.auth.cli import users_cli
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.auth.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(users_cli)
    for section, exporter in personal_data.SECTIONS.items():
        register_data_exporter(section, exporter)
    register_data_eraser("account", personal_data.erase)
    home.connect()  # its part of the home page (network/home.py)
