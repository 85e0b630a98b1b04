"""The programme's evaluation: surveys sent at the right moments of visits and events, the sessions in which
visitors passed on what they learned back home, a partnership's targets and indicators, and its final report."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, command line, jobs, personal data, demo step, the
    materials of sessions back home, and its panels on the pages of visits, institutions, partnerships and the
    mobility dashboard."""
    from network.auth.services import register_data_eraser, register_data_exporter
    from network.demo import register_step
    from network.evaluation import (  # noqa: F401 (the views modules: their routes)
        cli,
        demo,
        dissemination,
        editor_views,
        home,
        indicator_views,
        panels,
        personal_data,
        report_views,
        session_views,
        survey_views,
        tasks,
    )
    from network.evaluation.blueprint import bp, reports_bp
    from network.evaluation.models import SessionMaterial
    from network.institutions.signals import institution_page, partnership_page
    from network.jobs import register_jobs
    from network.mobility.signals import dashboard_page, visit_page
    from network.uploads import register_store

    app.register_blueprint(bp)
    app.register_blueprint(reports_bp)
    app.cli.add_command(cli.group)  # flask --app network evaluation send
    register_jobs(app, *tasks.JOBS)  # every morning: surveys sent, reminded and closed; visitors asked for sessions
    register_store(dissemination.FOLDER, SessionMaterial.__table__.c.stored_name)  # sessions' materials, for backups
    register_data_exporter("evaluation", personal_data.export)
    register_data_eraser("evaluation", personal_data.erase)
    register_step(app, "evaluation", demo.seed)  # seed-demo: surveys and answers, sessions, targets, a report
    visit_page.connect(panels.visit_panel, weak=False)
    dashboard_page.connect(panels.dashboard_panel, weak=False)
    institution_page.connect(panels.institution_panel, weak=False)
    partnership_page.connect(panels.partnership_panel, weak=False)
    home.connect()  # its part of the home page (network/home.py)
