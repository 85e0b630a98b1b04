"""`flask --app network seed-demo`: a realistic demo network, safe to run again (it adds what is missing)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from network.auth import services as accounts
from network.auth.models import COORDINATOR, EVALUATOR, INSTITUTION_ADMIN, PENDING, SITE_ADMIN, User
from network.demo_calendar import demo_calendar
from network.demo_collections import seed_demo_collections
from network.demo_essays import seed_demo_essays
from network.demo_mobility import seed_demo_mobility
from network.demo_practices import seed_demo_practices
from network.extensions import db
from network.institutions import services as institutions
from network.institutions.models import Partnership

DEMO_PASSWORD = "peer-network-demo"
PARTNERSHIP_REFERENCE = "2025-1-ES01-KA220-ADU-000178301"

# slug, name, country, city, sectors, languages, description
INSTITUTIONS = [
    ("fundacion-familias-sevilla", "Fundación Familias en Red", "ES", "Sevilla",
     ["social", "mental_health"], ["es", "en"],
     "Family support centre running interfamily groups and home visits for families at social risk."),
    ("asociatia-casa-arad", "Asociația Casa Deschisă", "RO", "Arad",
     ["social", "educational"], ["ro", "en", "hu"],
     "Community centre for children and families: after-school support, parenting groups, street work."),
    ("cgg-brussel", "Centrum voor Gezinsbegeleiding Brussel", "BE", "Brussel",
     ["social", "mental_health"], ["nl", "fr", "en"],
     "Family guidance and outreach mental-health team working with multi-problem families."),
    ("perhekeskus-tampere", "Perhekeskus Tampere", "FI", "Tampere",
     ["social", "educational"], ["fi", "sv", "en"],
     "Municipal family centre: early support, peer groups for parents, school social work."),
    ("maison-relais-esch", "Maison Relais Esch", "LU", "Esch-sur-Alzette",
     ["educational", "social"], ["lb", "fr", "de", "en"],
     "Childcare and family education service in a multilingual town."),
    ("fjolskyldumidstod-reykjavik", "Fjölskyldumiðstöð Reykjavíkur", "IS", "Reykjavík",
     ["social", "mental_health"], ["is", "en"],
     "Family counselling centre with a focus on parents' mental health and community resources."),
    ("kentro-oikogeneias-thessaloniki", "Κέντρο Οικογένειας Θεσσαλονίκης", "GR", "Thessaloniki",
     ["social", "mental_health", "educational"], ["el", "en"],
     "Family and community centre offering counselling, group work and support for migrant families."),
    ("family-links-leeds", "Family Links Leeds", "GB", "Leeds",
     ["social", "educational"], ["en"],
     "Charity running family group conferencing and community parenting programmes."),
]

# email, name, institution slug, roles
USERS = [
    ("professional@demo.example", "Ioana Popescu", "asociatia-casa-arad", []),
    ("institution-admin@demo.example", "Lucía Romero", "fundacion-familias-sevilla", [INSTITUTION_ADMIN]),
    ("coordinator@demo.example", "Javier Morales", "fundacion-familias-sevilla", [COORDINATOR]),
    ("evaluator@demo.example", "Anneleen De Smet", "cgg-brussel", [EVALUATOR]),
    ("admin@demo.example", "Site Administrator", "fundacion-familias-sevilla", [SITE_ADMIN]),
    ("aino.virtanen@demo.example", "Aino Virtanen", "perhekeskus-tampere", []),
    ("marc.weber@demo.example", "Marc Weber", "maison-relais-esch", []),
    ("sigrun.jonsdottir@demo.example", "Sigrún Jónsdóttir", "fjolskyldumidstod-reykjavik", []),
    ("eleni.papadopoulou@demo.example", "Eleni Papadopoulou", "kentro-oikogeneias-thessaloniki", []),
    ("sarah.thompson@demo.example", "Sarah Thompson", "family-links-leeds", []),
]
# Waits for approval, so that the membership queue has something to show.
PENDING_USER = ("carmen.ruiz@demo.example", "Carmen Ruiz", "fundacion-familias-sevilla")

DEMO_LOGINS = ("professional", "institution-admin", "coordinator", "evaluator", "admin")


def seed_demo() -> dict[str, int]:
    """Create whatever part of the demo network is missing; return how many rows of each were added."""
    added = {"institutions": 0, "partnerships": 0, "users": 0}
    by_slug = {}
    for slug, name, country, city, sectors, languages, description in INSTITUTIONS:
        institution = institutions.get_by_slug(slug)
        if institution is None:
            institution = institutions.create_institution(
                None,
                institutions.InstitutionData(
                    name=name, country=country, city=city, sectors=sectors, languages=languages,
                    description=description, website=f"https://{slug}.example.org",
                    contact_email=f"contact@{slug}.example.org",
                ),
                slug=slug,
            )
            added["institutions"] += 1
        by_slug[slug] = institution

    if db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE)) is None:
        calendar = demo_calendar()  # in its second year whatever the day it is seeded
        institutions.create_partnership(
            None,
            institutions.PartnershipData(
                title="Family and Community Resources for Social Inclusion",
                reference=PARTNERSHIP_REFERENCE,
                start_date=calendar.partnership_start,
                end_date=calendar.partnership_end,
                coordinating_institution=by_slug["fundacion-familias-sevilla"],
                partners=list(by_slug.values()),
                description="A two-year Erasmus+ strategic partnership in which family and community services "
                "learn from each other through job-shadowing visits, training events and shared practices.",
            ),
        )
        added["partnerships"] += 1

    for email, name, slug, roles in USERS:
        if accounts.find_user_by_email(email) is None:
            accounts.create_user(name, email, DEMO_PASSWORD, by_slug[slug], roles=roles)
            added["users"] += 1
    email, name, slug = PENDING_USER
    if accounts.find_user_by_email(email) is None:
        accounts.create_user(name, email, DEMO_PASSWORD, by_slug[slug], approved=False)
        added["users"] += 1
    added.update(seed_demo_practices())
    mobility = seed_demo_mobility(PARTNERSHIP_REFERENCE, "coordinator@demo.example", DEMO_PASSWORD)
    added["users"] += mobility.pop("users")  # the applicants and host admins of the demo exchanges
    added.update(mobility)
    users_before = db.session.scalar(select(func.count(User.id)))
    added.update(seed_demo_essays(PARTNERSHIP_REFERENCE, "coordinator@demo.example", "evaluator@demo.example",
                                  DEMO_PASSWORD))
    added["users"] += db.session.scalar(select(func.count(User.id))) - users_before  # a second evaluator
    added.update(seed_demo_collections(PARTNERSHIP_REFERENCE, "coordinator@demo.example",
                                       "institution-admin@demo.example"))
    return added


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill the database with a demo network and print the demo logins."""
    added = seed_demo()
    click.echo(
        f"Demo network ready (added {added['institutions']} institutions, "
        f"{added['partnerships']} partnerships, {added['users']} users, {added['practices']} practices, "
        f"{added['comments']} comments, {added['offers']} hosting offers, {added['applications']} applications, "
        f"{added['visits']} visits, {added['essays']} essays, {added['assessments']} assessments, "
        f"{added['collections']} collections)."
    )
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for local_part in DEMO_LOGINS:
        user = db.session.scalar(select(User).where(User.email == f"{local_part}@demo.example"))
        roles = ", ".join(sorted(user.roles)) or "professional"
        click.echo(f"  {user.email:<34} {roles:<18} {user.institution.name}")
    waiting = db.session.scalars(select(User).where(User.membership_status == PENDING)).all()
    if waiting:
        click.echo(f"Membership requests waiting for approval: {', '.join(u.email for u in waiting)}")
