"""The demo's dates are relative to the day it is seeded: whatever that day, its partnership is running, every
week it offers or lets people choose is still to come, its planned visits lie ahead and those that took place
behind. Proved by seeding it with the whole clock moved (time-machine), and on the real clock (the demo
fixture)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from network.demo import PARTNERSHIP_REFERENCE, seed_demo
from network.events import services as events
from network.events.models import Event
from network.extensions import db
from network.institutions.models import Partnership
from network.mobility import services as mobility
from network.mobility.models import CANCELLED, COMPLETED, CONFIRMED, PROPOSED, ApplicationWeek, OfferWeek, Visit
from network.mobility.weeks import has_begun, today


def assert_the_demo_is_set_around(day: date) -> None:
    assert today() == day
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    assert partnership.start_date < day < partnership.end_date, "the partnership is running"
    offered = db.session.scalars(select(OfferWeek.week_start)).all()
    chosen = db.session.scalars(select(ApplicationWeek.week_start)).all()
    assert offered and chosen
    assert not [monday for monday in [*offered, *chosen] if has_begun(monday)], "a week that has begun is open"
    visits = db.session.scalars(select(Visit)).all()
    assert {visit.status for visit in visits} == {PROPOSED, CONFIRMED, COMPLETED, CANCELLED}
    for visit in visits:
        took_place = visit.status == COMPLETED
        assert has_begun(visit.week_start) == took_place, (visit.status, visit.week_start, day)
        assert partnership.start_date <= visit.week_start <= partnership.end_date
    # What the pages offer: the weeks to offer, to choose and to book are all still to come.
    offers = mobility.offers_in(partnership)
    for weeks in (mobility.weeks_to_offer(partnership), mobility.weeks_to_choose(offers),
                  mobility.weeks_to_book(offers)):
        assert weeks and not [monday for monday in weeks if has_begun(monday)]
    assert not [m for m in mobility.propose_matching(partnership).matches if has_begun(m.week)]
    # The events people took part in (the essays are about them) took place; registration is open only for
    # events still to come, and the demo has some open (network/events/demo.py).
    open_events = 0
    for event in db.session.scalars(select(Event).where(Event.visit_id.is_(None))):
        if event.participants:
            assert event.end_date < day, event.title
        if events.registration_state(event) == events.OPEN:
            assert event.start_date > day, event.title
            open_events += 1
    assert open_events >= 2


@pytest.mark.parametrize("moved_to", [datetime(2029, 2, 28, 10, tzinfo=timezone.utc),  # a leap-year eve
                                      datetime(2031, 12, 29, 10, tzinfo=timezone.utc)],  # ISO week 1 of 2032
                         ids=["2029-02-28", "2031-12-29"])
def test_the_demo_seeded_on_another_day_offers_no_week_that_has_begun(app, real_clock, moved_to):
    with time_machine.travel(moved_to, tick=False):
        assert seed_demo()["visits"] >= 10
        assert_the_demo_is_set_around(moved_to.date())


def test_the_demo_on_the_real_clock_offers_no_week_that_has_begun(demo):
    assert_the_demo_is_set_around(date.today())
