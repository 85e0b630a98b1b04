"""The JSON API (/api/v1) and the personal access tokens it is read with."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.api import personal_data
    from network.api.cli import tokens_cli
    from network.api.token_views import tokens_bp
    from network.api.views import bp
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.extensions import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)  # token authentication only, never the session cookie: nothing to forge
    app.register_blueprint(tokens_bp)
    app.cli.add_command(tokens_cli)
    register_data_exporter("api_tokens", personal_data.export)
    register_data_eraser("api_tokens", personal_data.erase)
