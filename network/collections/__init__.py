"""Collections: curated, ordered sets of practices (and essays) — manuals, toolboxes and reading
lists — published as frozen editions that read as a book and download as a PDF."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.collections import demo, home, personal_data
    from network.collections.cli import collections_cli
    from network.collections.event_links import collection_links
    from network.collections.panels import essay_panel, practice_panel
    from network.collections.search import DOCUMENT_TYPES
    from network.collections.services import let_go_of_deleted_practice
    from network.collections.tasks import JOBS
    from network.collections.views import bp
    from network.demo import register_step
    from network.essays.signals import essay_page
    from network.events.materials import register_link_kind
    from network.jobs import register_jobs
    from network.practices.signals import practice_deleted, practice_page
    from network.search.documents import register

    app.register_blueprint(bp)
    app.cli.add_command(collections_cli)
    register(*DOCUMENT_TYPES)
    register_data_exporter("collections", personal_data.export)
    register_data_eraser("collections", personal_data.erase)
    register_jobs(app, *JOBS)  # the PDFs' builds
    register_step(app, "collections", demo.seed)  # its part of seed-demo (network/demo.py)
    register_link_kind(collection_links())  # an event's organisers link collections as materials
    # Receivers (weak=False: plain functions, kept for good). A practice's and an essay's page list the
    # collections holding them; a deleted practice leaves the collections holding it.
    practice_page.connect(practice_panel, weak=False)
    essay_page.connect(essay_panel, weak=False)
    practice_deleted.connect(let_go_of_deleted_practice, weak=False)
    home.connect()  # its part of the home page (network/home.py)
