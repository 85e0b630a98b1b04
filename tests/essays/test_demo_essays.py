"""The demo essays that `seed-demo` adds: enough, in several languages and states, with assessments."""
from collections import Counter

from sqlalchemy import select

from network.demo import PARTNERSHIP_REFERENCE, seed_demo
from network.essays import services as essays
from network.essays.models import Assessment, Essay
from network.extensions import db
from network.institutions.models import Partnership


def test_the_demo_essays_fill_the_archive_and_the_report(demo):
    added = demo

    all_essays = list(db.session.scalars(select(Essay)))
    assert added["essays"] == len(all_essays) >= 40
    assert len({e.language for e in all_essays}) >= 4
    assert set(Counter(e.status for e in all_essays)) == {"draft", "submitted", "published", "returned"}
    assert {e.event.kind for e in all_essays} >= {"job_shadowing", "training_event", "online_course",
                                                  "partner_meeting"}
    kick_off = [e for e in all_essays if e.event.kind == "partner_meeting"]
    assert len(kick_off) == 3 and all(e.status == "published" and e.display == "named" for e in kick_off)
    assert all(e.author in e.event.participants for e in kick_off)  # they attended
    assert db.session.scalar(select(Assessment.id).limit(1)) is not None
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    report = essays.report(partnership)
    assert report.assessed >= 20 and all(c.mean is not None for c in report.criteria)
    assert report.tags["skill"] and report.tags["strength"]
    assert seed_demo()["essays"] == 0  # added once
