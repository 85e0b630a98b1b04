"""Events: training events, partner meetings, webinars, multiplier events and job-shadowing visits of a
partnership, with their programme, registration (waiting list, approval), attendance and calendar files."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, personal data, demo step, and the event of a
    completed visit."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.demo import register_step
    from network.events import demo, personal_data
    from network.events.services import on_visit_completed
    from network.events.views import bp
    from network.mobility.signals import visit_completed

    app.register_blueprint(bp)
    register_data_exporter("events", personal_data.export)
    register_data_eraser("events", personal_data.erase)
    register_step(app, "events", demo.seed)  # its part of seed-demo (network/demo.py)
    # A completed visit becomes an event of kind job-shadowing visit. Connected before essays' receiver (the
    # features plug in in order), which asks the visitor for an essay about that event. weak=False: a plain
    # function, kept for good.
    visit_completed.connect(on_visit_completed, weak=False)
