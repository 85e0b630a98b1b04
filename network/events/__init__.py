"""Events: training events, partner meetings, webinars, multiplier events and job-shadowing visits of a
partnership, with their programme, registration (waiting list, approval), attendance and calendar files."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, search documents, personal data, demo step, the
    event of a completed visit, its kind of certificate and its daily jobs."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.certificates.services import register_kind
    from network.demo import register_step
    from network.events import demo, feeds, home, materials, personal_data, services, tasks
    from network.events.models import EventMaterial
    from network.events.search import DOCUMENT_TYPES
    from network.events.services import on_visit_completed
    from network.events.views import bp
    from network.jobs import register_jobs
    from network.mobility.signals import calendar_feed_entries, visit_completed
    from network.search.documents import register
    from network.uploads import register_store

    app.register_blueprint(bp)
    register(*DOCUMENT_TYPES)
    register_data_exporter("events", personal_data.export)
    register_data_eraser("events", personal_data.erase)
    register_step(app, "events", demo.seed)  # its part of seed-demo (network/demo.py)
    # Materials: the files' folder (for backups), and links to practices (collections registers its own kind).
    register_store(materials.FOLDER, EventMaterial.__table__.c.stored_name)
    materials.register_link_kind(materials.practice_links())
    # A completed visit becomes an event of kind job-shadowing visit. Connected before essays' receiver (the
    # features plug in in order), which asks the visitor for an essay about that event. weak=False: a plain
    # function, kept for good.
    visit_completed.connect(on_visit_completed, weak=False)
    # The events a person is registered for, in their calendar feed (mobility's, which knows no event).
    calendar_feed_entries.connect(feeds.feed_entries, weak=False)
    # Certificates of attendance (network/certificates): worded in the reader's language, revoked by the event's
    # organisers; issued once an event is over, and the jobs that end events and remind the registered.
    register_kind(services.CERTIFICATE_KIND, services.CERTIFICATE_SENTENCE, services.may_revoke_certificate,
                  heading=services.CERTIFICATE_HEADING)
    register_jobs(app, *tasks.JOBS)
    home.connect()  # its part of the home page (network/home.py)
