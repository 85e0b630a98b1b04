"""What seed-demo adds for the self-assessment: the standard questionnaire published in four languages and about
80 results over time, so that the partnership's aggregates, their change over time and an event's before/after
comparison show figures to the demo coordinator."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from network.demo import PARTNERSHIP_REFERENCE, seed_demo
from network.extensions import db
from network.institutions.models import Partnership
from network.self_assessment import services
from network.self_assessment.models import AFTER, BEFORE, AssessmentInvitation, AssessmentResult


def test_the_demo_questionnaire_and_results_over_time(demo):
    questionnaire = services.current_questionnaire()
    assert questionnaire is not None and len(questionnaire.dimensions) == 7 and len(questionnaire.statements) >= 28
    for statement in questionnaire.statements:
        assert set(statement.text) == {"en", "es", "fr", "it"}
    results = db.session.scalars(select(AssessmentResult)).all()
    assert 70 <= len(results) <= 100 and all(r.completed_at for r in results)
    now = datetime.now(timezone.utc)
    assert all(r.completed_at <= now for r in results)
    assert len({r.user_id for r in results}) >= 40

    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    figures = services.aggregate(services.Group("partnership", str(partnership.id)))
    assert figures.enough and all(d.mean is not None for d in figures.dimensions)
    shown = [p for p in figures.periods if p.means]
    assert len(shown) >= 2, "the change over time shows at least two quarters"
    # The training worked on digital mediation: the latest quarter shown is better than the first.
    assert shown[-1].means["mediation"] > shown[0].means["mediation"]
    assert services.training_needs(services.Group("partnership", str(partnership.id)))


def test_the_demo_event_group_compares_before_and_after(demo):
    before = db.session.scalar(select(AssessmentInvitation).where(AssessmentInvitation.phase == BEFORE))
    phases = services.sibling_invitations(before)
    assert [i.phase for i in phases] == [BEFORE, AFTER]
    first, then = (services.aggregate(services.Group("invitation", str(i.id))) for i in phases)
    assert first.enough and then.enough
    assert then.dimension("mediation").mean > first.dimension("mediation").mean
    for invitation in phases:
        taken = [r.completed_at.date() for r in db.session.scalars(
            select(AssessmentResult).where(AssessmentResult.invitation_id == invitation.id))]
        assert all(day < invitation.event.start_date for day in taken) if invitation.phase == BEFORE \
            else all(day > invitation.event.end_date for day in taken)


def test_seeding_again_adds_no_results(demo):
    count = db.session.scalar(select(func.count()).select_from(AssessmentResult))
    seed_demo()
    assert db.session.scalar(select(func.count()).select_from(AssessmentResult)) == count
