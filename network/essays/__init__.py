"""Essays: what participants learned at a visit or a training event, and their assessment."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.essays.search import DOCUMENT_TYPES
    from network.search.documents import register

    register(*DOCUMENT_TYPES)
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.essays import personal_data
    from network.essays.cli import essays_cli
    from network.essays.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(essays_cli)
    register_data_exporter("essays", personal_data.export)
    register_data_eraser("essays", personal_data.erase)
