"""Learning modules: short courses the network writes (modules of lessons with quizzes, reflections and practice
tasks), published as frozen versions, followed by learners alone or in cohorts, and certified on completion."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, personal data, its kind of certificate and its demo step."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.certificates.services import register_kind
    from network.demo import register_step
    from network.jobs import register_jobs
    from network.learning import (  # noqa: F401
        attachments,
        cli,
        demo,
        editor_views,
        home,
        personal_data,
        services,
        tasks,
        tutor_views,
        views,
    )
    from network.learning.blueprint import bp
    from network.learning.models import LessonAttachment
    from network.learning.search import DOCUMENT_TYPES
    from network.search.documents import register
    from network.uploads import register_store

    app.register_blueprint(bp)
    register_store(attachments.FOLDER, LessonAttachment.__table__.c.stored_name)  # lessons' files, for backups
    app.cli.add_command(cli.group)  # flask --app network learning remind
    register_jobs(app, *tasks.JOBS)  # the daily reminders to the learners who stalled
    register(*DOCUMENT_TYPES)  # published courses and their lessons; the "course" type feeds recommendations
    register_data_exporter("learning", personal_data.export)
    register_data_eraser("learning", personal_data.erase)
    # Certificates of completion (network/certificates): worded in the reader's language, revoked by the tutors.
    register_kind(services.CERTIFICATE_KIND, services.CERTIFICATE_SENTENCE, services.may_revoke_certificate,
                  heading=services.CERTIFICATE_HEADING)
    register_step(app, "learning", demo.seed)  # seed-demo: the demo course, its cohort and their progress
    home.connect()  # its part of the home page (network/home.py)
