"""What the self-assessment puts on the home page (network/home.py): taking it, or finishing it, for someone who
has no result yet."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network import home
from network.extensions import db
from network.self_assessment.models import AssessmentResult


def first_steps(user) -> list[home.HomeItem]:
    """One query: whether the person finished a self-assessment, or started one."""
    finished = db.session.execute(select(AssessmentResult.completed_at.is_not(None))
                                  .where(AssessmentResult.user_id == user.id)).scalars().all()
    if any(finished):
        return []
    message = _l("Finish your self-assessment") if finished else _l("Take the self-assessment")
    return [home.HomeItem("self_assessment", message, url_for("self_assessment.index"))]


def connect() -> None:
    home.connect(first_steps=first_steps)
