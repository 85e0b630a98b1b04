"""The digital-agility self-assessment: a questionnaire anyone can take (stored only for people signed in), a
profile with recommendations and its change over time, the groups' aggregates and training needs for those who
run them, invitations for a group, and the questionnaire's versions edited as content by site admins."""
from __future__ import annotations


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): its pages, command line, personal data, demo step, and the
    answers given before signing in, kept across it for the person to attach to their account."""
    from flask_login import user_logged_in

    from network.auth.services import carry_over_sign_in, register_data_eraser, register_data_exporter
    from network.demo import register_step
    from network.self_assessment import admin_views, cli, demo, group_views, home, personal_data, services, views  # noqa: F401 (the views modules: their routes)
    from network.self_assessment.blueprint import bp

    app.register_blueprint(bp)
    app.cli.add_command(cli.group)
    register_data_exporter("self_assessment", personal_data.export)
    register_data_eraser("self_assessment", personal_data.erase)
    register_step(app, "self_assessment", demo.seed)
    # Signing in starts a fresh session: the answers (and the invitation) kept in it survive, for the person to
    # keep as theirs or discard.
    carry_over_sign_in(services.SESSION_KEY, services.INVITATION_SESSION_KEY)
    user_logged_in.connect(_attach_answers, app, weak=False)
    home.connect()  # its part of the home page (network/home.py)


def _attach_answers(app, user, **extra) -> None:
    """Someone signs in in a browser holding self-assessment answers: they are asked whether those are theirs
    (the self-assessment's start page); a shared computer must not hand one person's answers to the next."""
    from flask import flash
    from flask_babel import gettext as _

    from network.self_assessment.services import answers_waiting_here

    if answers_waiting_here() is not None:
        flash(_("Self-assessment answers were given in this browser before you signed in: keep or discard them "
                "on the self-assessment's page."), "info")
