"""A small partnership ready for exchanges: a coordinating institution, two hosts with offers, one
sending institution, and people in each role."""
from __future__ import annotations

import pytest

from mobility_helpers import Exchange, application_data, offer_data, week, W1, W2
from network.auth.models import COORDINATOR, INSTITUTION_ADMIN
from network.mobility import services as mobility


@pytest.fixture
def exchange(make_institution, make_user, make_partnership) -> Exchange:
    coordinating = make_institution(name="Coordinating Centre", country="BE", languages=("fr", "en"))
    seville = make_institution(name="Seville Family Centre", country="ES", languages=("es", "en"))
    arad = make_institution(name="Arad Social Services", country="RO", languages=("ro", "en"))
    sender = make_institution(name="Helsinki Family Clinic", country="FI", languages=("fi", "en"))
    partnership = make_partnership(coordinator=coordinating, partners=[seville, arad, sender])
    coordinator = make_user(COORDINATOR, institution=coordinating, name="Coco Ordinator")
    admins = {name: make_user(INSTITUTION_ADMIN, institution=inst, name=f"{name.title()} Admin")
              for name, inst in (("seville", seville), ("arad", arad), ("sender", sender))}
    seville_offer = mobility.save_offer(admins["seville"], partnership, seville, offer_data())
    arad_offer = mobility.save_offer(admins["arad"], partnership, arad, offer_data(
        languages=["ro", "en"], approaches=["attachment", "community work"], weeks={week(W1): 1, week(W2): 1}))
    return Exchange(partnership, coordinating, coordinator, seville, arad, sender, admins["seville"],
                    admins["arad"], admins["sender"], seville_offer, arad_offer)


@pytest.fixture
def make_applicant(exchange, make_user):
    """An endorsed applicant from the sending institution (or another partner)."""

    def make(institution=None, endorse=True, **overrides):
        institution = institution or exchange.sender
        person = make_user(institution=institution)
        overrides.setdefault("preferred_hosts", [exchange.seville.id, exchange.arad.id])
        application = mobility.save_application(person, exchange.partnership, application_data(**overrides))
        if endorse:
            admin = exchange.sender_admin if institution.id == exchange.sender.id else None
            admin = admin or make_user(INSTITUTION_ADMIN, institution=institution)
            mobility.decide_application(admin, application, endorse=True)
        return application

    return make
