"""The demo exchanges that `seed-demo` adds."""
from collections import Counter

from sqlalchemy import func, select

from network.demo import seed_demo
from network.extensions import db
from network.mobility.models import HostingOffer, MobilityApplication, Visit, WaitingListEntry


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_has_offers_applications_a_matching_and_visits_in_every_state(demo):
    added = demo

    assert added["offers"] == count(HostingOffer) == 8
    assert added["applications"] == count(MobilityApplication) == 40
    statuses = Counter(db.session.scalars(select(Visit.status)))
    assert set(statuses) == {"proposed", "confirmed", "completed", "cancelled"}
    assert 10 <= sum(statuses.values()) <= 20
    assert Counter(db.session.scalars(select(MobilityApplication.status))).keys() == {"submitted", "endorsed",
                                                                                     "declined"}
    assert count(WaitingListEntry) > 0  # the endorsed applicants the matching could not place
    for offer in db.session.scalars(select(HostingOffer)):
        assert offer.weeks and len(offer.activities) == 6 and offer.tags


def test_seeding_twice_adds_the_exchanges_once(demo):
    counts = (count(HostingOffer), count(MobilityApplication), count(Visit))
    again = seed_demo()
    assert (again["offers"], again["applications"], again["visits"]) == (0, 0, 0)
    assert (count(HostingOffer), count(MobilityApplication), count(Visit)) == counts
