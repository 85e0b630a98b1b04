"""What the evaluation puts on the home page (network/home.py): the surveys the person is asked to answer, by when."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from network import home, permissions
from network.evaluation import surveys
from network.i18n import localized


def tasks(user) -> list[home.HomeItem]:
    """The open invitations (surveys.invitations_of: a few queries for any number), the soonest to close first."""
    to_answer, _answered, _missed = surveys.invitations_of(user)
    invitations = [invitation for invitation in to_answer if permissions.can_answer_survey(user, invitation)]

    def item(invitation) -> home.HomeItem:
        title = localized(invitation.survey.title)
        message = _l("Go on with the survey %(title)s") if invitation.draft else _l("Answer the survey %(title)s")
        return home.HomeItem("survey_to_answer", message, url_for("evaluation.answer", invitation_id=invitation.id),
                             {"title": home.Text(title.text, title.language)}, due=invitation.closes_on,
                             when=invitation.closes_on)

    return home.some(invitations, item, lambda: home.HomeItem("surveys_to_answer", _l("All your surveys"),
                                                              url_for("evaluation.my_surveys")))


def connect() -> None:
    home.connect(tasks=tasks)
