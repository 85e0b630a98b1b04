"""The digital-agility self-assessment: a questionnaire anyone can take (stored only for people signed in), a
profile with recommendations and its change over time, the groups' aggregates and training needs for those who
run them, invitations for a group, and the questionnaire's versions edited as content by site admins."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, command line, personal data, demo step, and the
    answers given before signing in, attached to the account when the person signs in or registers."""
    from flask_login import user_logged_in

    from network.auth.services import carry_over_sign_in, register_data_eraser, register_data_exporter
    from network.demo import register_step
    from network.self_assessment import admin_views, cli, demo, group_views, personal_data, services, views  # noqa: F401 (the views modules: their routes)
    from network.self_assessment.blueprint import bp

    app.register_blueprint(bp)
    app.cli.add_command(cli.group)
    register_data_exporter("self_assessment", personal_data.export)
    register_data_eraser("self_assessment", personal_data.erase)
    register_step(app, "self_assessment", demo.seed)
    # Signing in starts a fresh session: the answers (and the invitation) kept in it survive, to be attached.
    carry_over_sign_in(services.SESSION_KEY, services.INVITATION_SESSION_KEY)
    user_logged_in.connect(_attach_answers, app, weak=False)


def _attach_answers(app, user, **extra) -> None:
    from network.self_assessment.services import attach_session_answers

    attach_session_answers(user)
