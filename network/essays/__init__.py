"""Essays: what participants learned at a visit or a training event, and their assessment."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, commands, search documents, personal data."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.demo import register_step
    from network.essays import demo, home, personal_data
    from network.essays.cli import essays_cli
    from network.essays.panels import event_panel
    from network.essays.search import DOCUMENT_TYPES
    from network.essays.services import ask_for_the_event_essay, ask_for_the_visit_essay
    from network.essays.tasks import JOBS
    from network.essays.views import bp
    from network.events.signals import event_ended, event_page
    from network.jobs import register_jobs
    from network.mobility.signals import visit_completed
    from network.search.documents import register

    app.register_blueprint(bp)
    app.cli.add_command(essays_cli)
    register(*DOCUMENT_TYPES)
    register_data_exporter("essays", personal_data.export)
    register_data_eraser("essays", personal_data.erase)
    register_jobs(app, *JOBS)  # the daily essay reminders
    register_step(app, "essays", demo.seed)  # its part of seed-demo (network/demo.py)
    # A completed visit asks its visitor for an essay (events made the visit an event first: it plugs in
    # before). weak=False: plain functions, kept for good.
    visit_completed.connect(ask_for_the_visit_essay, weak=False)
    # An event that is over (not a visit's) asks its participants for their essay.
    event_ended.connect(ask_for_the_event_essay, weak=False)
    # An event's page lists, once it is over, the essays written for it.
    event_page.connect(event_panel, weak=False)
    home.connect()  # its part of the home page (network/home.py)
