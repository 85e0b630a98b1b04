"""The demo step of mobility (seed-demo): hosting offers for every demo institution, about forty applications,
visits that already took place, a matching already accepted, and a dozen visits in every state. Added
once: skipped when the demo partnership already has offers."""
from __future__ import annotations

import random

from sqlalchemy import func, select

from network.auth import services as accounts
from network.auth.models import INSTITUTION_ADMIN, User
from network.demo import DEMO_PASSWORD, PARTNERSHIP_REFERENCE
from network.demo_calendar import demo_calendar
from network.extensions import db
from network.institutions.models import Partnership
from network.mobility import reasons as match_reasons
from network.mobility import services as mobility
from network.mobility.models import ENDORSED, HostingOffer
from network.mobility.services import ActivityData, ApplicationData, OfferData
from network.mobility.weeks import iso_week
from network.practices.models import Practice

APPROACHES = {
    "fundacion-familias-sevilla": ["interfamily groups", "home visits", "family group conferencing"],
    "asociatia-casa-arad": ["street work", "parenting groups", "after-school support"],
    "cgg-brussel": ["outreach", "multi-problem families", "mental health"],
    "perhekeskus-tampere": ["early support", "peer groups", "school social work"],
    "maison-relais-esch": ["multilingual childcare", "family education", "community resources"],
    "fjolskyldumidstod-reykjavik": ["parental mental health", "community resources", "home visits"],
    "kentro-oikogeneias-thessaloniki": ["migrant families", "group work", "counselling"],
    "family-links-leeds": ["family group conferencing", "community parenting", "peer groups"],
}
PROGRAMME = [
    ActivityData(1, "formal_session", "Welcome, the centre's model of work and the week ahead"),
    ActivityData(2, "cooperative_work", "Shadowing a family worker through the day"),
    ActivityData(2, "interfamily_group", "Evening interfamily group session"),
    ActivityData(3, "service_visit", "Visit to a local school and the community health centre"),
    ActivityData(4, "cooperative_work", "Case discussion with the team"),
    ActivityData(5, "reflection", "What you take home: reflection with your mentor"),
]
FIRST_NAMES = {
    "ES": ["Marta", "Pablo", "Elena", "Sergio", "Nuria"], "RO": ["Andrei", "Maria", "Elena", "Mihai", "Ana"],
    "BE": ["Lotte", "Pieter", "Sofie", "Wout", "Amélie"], "FI": ["Mikko", "Laura", "Jussi", "Emilia", "Sanna"],
    "LU": ["Luc", "Claire", "Tom", "Anne", "Max"], "IS": ["Jón", "Guðrún", "Einar", "Helga", "Ólafur"],
    "GR": ["Nikos", "Maria", "Giorgos", "Katerina", "Dimitra"], "GB": ["James", "Emma", "Oliver", "Chloe", "Amir"],
}
SURNAMES = {
    "ES": "García", "RO": "Ionescu", "BE": "Peeters", "FI": "Korhonen", "LU": "Schmit", "IS": "Jónsson",
    "GR": "Georgiou", "GB": "Walker",
}
COORDINATOR_EMAIL = "coordinator@demo.example"  # records the past visits and accepts the matching
LANGUAGES = {"ES": "es", "RO": "ro", "BE": "nl", "FI": "fi", "LU": "lb", "IS": "is", "GR": "el", "GB": "en"}


def seed() -> dict[str, int]:
    """Offers, applications and visits, if the demo partnership has no offers yet; how many of each were added
    (users: the host admins and applicants it made)."""
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    if partnership is None or db.session.scalar(select(HostingOffer.id).where(
            HostingOffer.partnership_id == partnership.id).limit(1)) is not None:
        return {"offers": 0, "applications": 0, "visits": 0, "users": 0}
    rng = random.Random(2026)
    calendar = demo_calendar()  # the weeks, from today: the past visits behind, every week offered ahead
    coordinator = accounts.find_user_by_email(COORDINATOR_EMAIL)
    people_before = db.session.scalar(select(func.count(User.id)))
    admins = {inst.id: _admin_of(inst) for inst in partnership.partners}

    offers = {}
    for institution in partnership.partners:
        practices = db.session.scalars(select(Practice.id).where(Practice.institution_id == institution.id,
                                                                 Practice.status == "published").limit(3)).all()
        weeks = {iso_week(monday): rng.choice([1, 1, 2]) for monday in calendar.future_weeks}
        offers[institution.id] = mobility.save_offer(admins[institution.id], partnership, institution, OfferData(
            description=f"{institution.description}\n\nVisitors join our team for a week and take part in "
                        "everything we do with families.",
            languages=list(dict.fromkeys([*institution.languages, "en"])), approaches=APPROACHES.get(institution.slug, []),
            practice_ids=list(practices), total_quota=6, weeks=weeks, activities=PROGRAMME,
        ))

    applications = []
    partners = list(partnership.partners)
    for institution in partners:
        hosts = [p for p in partners if p.id != institution.id]
        for n, first in enumerate(FIRST_NAMES.get(institution.country, ["Alex"] * 5)):
            email = f"{first.lower()}.{institution.slug.split('-')[0]}{n}@demo.example"
            person = accounts.find_user_by_email(email) or accounts.create_user(
                f"{first} {SURNAMES.get(institution.country, 'Demo')}", email, DEMO_PASSWORD, institution)
            preferred = rng.sample(hosts, 3)
            interests = rng.sample(APPROACHES[preferred[0].slug], 2)
            weeks = rng.sample(calendar.future_weeks, 3)
            application = mobility.save_application(person, partnership, ApplicationData(
                motivation=f"I work with families in {institution.city} and want to learn how "
                           f"{preferred[0].name} works on {interests[0]}.",
                interests=interests, languages=[LANGUAGES.get(institution.country, "en"), "en"],
                preferred_hosts=[h.id for h in preferred], weeks=[iso_week(w) for w in weeks]))
            applications.append(application)
    for number, application in enumerate(applications):
        if number % 10 == 9:
            continue  # waiting for endorsement
        mobility.decide_application(admins[application.institution_id], application, endorse=number % 13 != 5,
                                    note="" if number % 13 != 5 else "Not possible this year: team too small.")

    # Some endorsed applicants already went, to their first choice: the coordinator records those visits
    # (booking refuses a week that has begun). Then a matching accepted for part of the weeks to come.
    went = [a for a in applications if a.status == ENDORSED][::6]
    past = [mobility.record_past_visit(coordinator, application, offers[application.preferred_host_ids[0]],
                                       monday, reasons=[{"code": match_reasons.CHOICE, "rank": 1}])
            for application, monday in zip(went, calendar.past_visit_weeks * 2)]
    proposal = mobility.propose_matching(partnership)
    choices = [(m.application_id, m.offer_id, m.week) for m in proposal.matches][:16 - len(past)]
    reasons = {m.application_id: match_reasons.of_match(m) for m in proposal.matches}
    result = mobility.accept_matches(coordinator, partnership, choices, reasons)
    for number, visit in enumerate(result.created):
        if number % 4 == 1:
            mobility.cancel_visit(coordinator, visit, "The visitor's team could not spare them that week.")
        elif number % 4 != 3:
            mobility.confirm_visit(coordinator, visit)
    endorsed = sum(a.status == ENDORSED for a in applications)
    return {"offers": len(offers), "applications": len(applications),
            "visits": len(past) + len(result.created), "endorsed": endorsed,
            "users": db.session.scalar(select(func.count(User.id))) - people_before}


def _admin_of(institution) -> User:
    people = db.session.scalars(select(User).where(User.institution_id == institution.id)).all()
    for person in people:
        if person.has_role(INSTITUTION_ADMIN) and person.is_approved_member:
            return person
    email = f"admin.{institution.slug}@demo.example"
    return accounts.find_user_by_email(email) or accounts.create_user(
        f"{institution.name} admin", email, DEMO_PASSWORD, institution, roles=[INSTITUTION_ADMIN])
