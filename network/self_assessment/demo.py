"""The demo step of the self-assessment (seed-demo): the standard questionnaire (four languages) published, and
about 80 results over time from the members of the demo institutions, so that a coordinator's aggregates, the
change over time and the training needs show something.

Most members took it a year ago; about half took it again in the last weeks, better on the dimensions the
partnership's training worked on (digital mediation, ethics and law, safety). A group answered through a
"before" invitation of the partnership's kick-off meeting and an "after" one, so that the comparison of an
event's group shows too. Dates are relative to today. Added once: skipped when any result exists."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select

from network.auth.models import APPROVED, SITE_ADMIN, User
from network.demo import PARTNERSHIP_REFERENCE
from network.events.models import Event
from network.extensions import db
from network.institutions.models import Partnership
from network.self_assessment import services
from network.self_assessment.models import AFTER, BEFORE, PROFESSIONAL, STUDENT, AssessmentResult

# What the training improved, in points of the 0-4 scale, from the first sitting to the second.
TRAINED = {"mediation": 0.9, "ethics": 0.7, "safety": 0.5}
FIRST_ROUND_DAYS, SECOND_ROUND_DAYS = (330, 420), (3, 60)  # how long ago, in days
STUDENT_SHARE, RETAKE_SHARE = 0.2, 0.45
COORDINATOR_EMAIL = "coordinator@demo.example"


def _members() -> list[User]:
    return list(db.session.scalars(select(User).where(User.membership_status == APPROVED,
                                                      User.institution_id.is_not(None)).order_by(User.id)))


def _invitations(coordinator: User | None):
    """A "before" and an "after" invitation for the kick-off meeting (the partnership's first event)."""
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    if partnership is None or coordinator is None:
        return None, None, None
    event = db.session.scalars(select(Event).where(Event.partnership_id == partnership.id)
                               .order_by(Event.start_date).limit(1)).first()
    if event is None:
        return None, None, None
    before = services.create_invitation(coordinator, event=event, phase=BEFORE, label="Before the kick-off meeting")
    after = services.create_invitation(coordinator, event=event, phase=AFTER, label="After the kick-off meeting")
    return before, after, event


def _answers(questionnaire, ability: dict[str, float], rng: random.Random) -> dict[int, int | None]:
    answers = {}
    for dimension in questionnaire.dimensions:
        for statement in dimension.statements:
            if rng.random() < 0.04:
                answers[statement.id] = None  # "does not apply"
            else:
                answers[statement.id] = max(0, min(4, round(ability[dimension.code] + rng.gauss(0, 0.7))))
    return answers


def _take(user: User, questionnaire, role: str, answers, completed_at: datetime, invitation=None) -> None:
    result = AssessmentResult(user_id=user.id, questionnaire_id=questionnaire.id, role=role,
                              invitation_id=invitation.id if invitation else None)
    db.session.add(result)
    db.session.flush()
    services.save_answers(result, answers)
    services.complete(result)
    result.started_at = completed_at - timedelta(minutes=12)
    result.completed_at = completed_at


def seed() -> dict[str, int]:
    added = {"self-assessment questionnaires": 0, "self-assessment results": 0}
    questionnaire = services.current_questionnaire()
    if questionnaire is None:
        questionnaire = services.load_standard()
        added["self-assessment questionnaires"] += 1
        db.session.commit()
    if db.session.scalar(select(func.count()).select_from(AssessmentResult)):
        return added
    rng = random.Random(20)
    members = [m for m in _members() if not m.has_role(SITE_ADMIN)]
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR_EMAIL))
    before, after, event = _invitations(coordinator)
    today = datetime.now(timezone.utc).date()

    def moment(days: tuple[int, int], base=None) -> datetime:
        day = (base or today) - timedelta(days=rng.randint(*days))
        return datetime.combine(min(day, today), time(rng.randint(8, 17), rng.randint(0, 59)), tzinfo=timezone.utc)

    codes = [d.code for d in questionnaire.dimensions]
    for n, member in enumerate(members):
        role = STUDENT if rng.random() < STUDENT_SHARE else PROFESSIONAL
        base = rng.uniform(1.0, 2.8) - (0.4 if role == STUDENT else 0.0)
        ability = {code: base + rng.uniform(-0.8, 0.8) - (0.6 if code in TRAINED else 0.0) for code in codes}
        # The first dozen answered through the kick-off meeting's invitations, before and after it.
        invited = n < 12 and event is not None
        first = moment((1, 20), event.start_date) if invited else moment(FIRST_ROUND_DAYS)
        _take(member, questionnaire, role, _answers(questionnaire, ability, rng), first, before if invited else None)
        added["self-assessment results"] += 1
        if invited or rng.random() < RETAKE_SHARE:
            better = {code: value + TRAINED.get(code, 0.1) for code, value in ability.items()}
            second = moment((-40, -5), event.end_date) if invited else moment(SECOND_ROUND_DAYS)
            _take(member, questionnaire, role, _answers(questionnaire, better, rng), second, after if invited else None)
            added["self-assessment results"] += 1
    db.session.commit()
    return added
