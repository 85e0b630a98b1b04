"""The demo step of institutions (seed-demo): the eight demo institutions, the partnership they form and the
demo people, from demo_data/institutions.toml and demo_data/people.toml. What exists (an institution by its
slug, the partnership by its reference, a person by their email) is left as it is."""
from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from network.auth import services as accounts
from network.auth.models import GRANTABLE_ROLES
from network.demo import DEMO_PASSWORD, PARTNERSHIP_REFERENCE, DemoDataError, check_fields, read_data
from network.demo_calendar import demo_calendar
from network.extensions import db
from network.institutions import services as institutions
from network.institutions.models import Partnership

DATA = Path(__file__).with_name("demo_data")


class DemoInstitution(NamedTuple):
    slug: str
    name: str
    country: str
    city: str
    sectors: list[str]
    languages: list[str]
    description: str


class DemoPerson(NamedTuple):
    email: str
    name: str
    institution: str  # slug
    roles: list[str]
    approved: bool


class DemoNetwork(NamedTuple):
    institutions: list[DemoInstitution]
    partnership: dict  # title, coordinating_institution (slug), description
    people: list[DemoPerson]


INSTITUTION = {"slug": str, "name": str, "country": str, "city": str, "sectors": list[str], "languages": list[str],
               "description": str}
PARTNERSHIP = {"title": str, "coordinating_institution": str, "description": str}  # an institution's slug
PERSON = {"email": str, "name": str, "institution": str}  # an institution's slug
PERSON_OPTIONAL = {"roles": list[str], "approved": bool}  # no roles, approved: a member


@cache
def load(folder: Path = DATA) -> DemoNetwork:
    """The demo network's data files, checked (DemoDataError names the file and what is wrong)."""
    path = folder / "institutions.toml"
    data = check_fields(read_data(folder, "institutions.toml"), str(path),
                        {"institutions": list[dict], "partnership": dict})
    found = [DemoInstitution(**check_fields(record, f"{path}, institution {number}", INSTITUTION))
             for number, record in enumerate(data["institutions"], start=1)]
    slugs = {institution.slug for institution in found}
    partnership = check_fields(data["partnership"], f"{path}, partnership", PARTNERSHIP)
    if partnership["coordinating_institution"] not in slugs:
        raise _unknown(path, "partnership", partnership["coordinating_institution"])

    path = folder / "people.toml"
    people = []
    records = check_fields(read_data(folder, "people.toml"), str(path), {"people": list[dict]})["people"]
    for number, record in enumerate(records, start=1):
        where = f"{path}, person {number}"
        record = check_fields(record, where, PERSON, PERSON_OPTIONAL)
        if record["institution"] not in slugs:
            raise _unknown(path, f"person {number}", record["institution"])
        if not set(record.get("roles", ())) <= set(GRANTABLE_ROLES):
            raise DemoDataError(f"{where}: roles should be among {', '.join(GRANTABLE_ROLES)}")
        people.append(DemoPerson(record["email"], record["name"], record["institution"], record.get("roles", []),
                                 record.get("approved", True)))
    return DemoNetwork(found, partnership, people)


def _unknown(path: Path, where: str, slug: str) -> DemoDataError:
    return DemoDataError(f"{path}, {where}: no demo institution {slug!r} in institutions.toml")


def __getattr__(name: str):
    """INSTITUTIONS and PENDING_USER (email, name, slug), read from demo_data/ when first asked for."""
    if name == "INSTITUTIONS":
        return load().institutions
    if name == "PENDING_USER":
        return next((p.email, p.name, p.institution) for p in load().people if not p.approved)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def seed() -> dict[str, int]:
    """Create the demo institutions, partnership and people that are missing; return how many were added."""
    network = load()
    added = {"institutions": 0, "partnerships": 0, "users": 0}
    by_slug = {}
    for item in network.institutions:
        institution = institutions.get_by_slug(item.slug)
        if institution is None:
            institution = institutions.create_institution(
                None,
                institutions.InstitutionData(
                    name=item.name, country=item.country, city=item.city, sectors=item.sectors,
                    languages=item.languages, description=item.description,
                    website=f"https://{item.slug}.example.org", contact_email=f"contact@{item.slug}.example.org",
                ),
                slug=item.slug,
            )
            added["institutions"] += 1
        by_slug[item.slug] = institution

    if db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE)) is None:
        calendar = demo_calendar()  # in its second year whatever the day it is seeded
        institutions.create_partnership(
            None,
            institutions.PartnershipData(
                title=network.partnership["title"],
                reference=PARTNERSHIP_REFERENCE,
                start_date=calendar.partnership_start,
                end_date=calendar.partnership_end,
                coordinating_institution=by_slug[network.partnership["coordinating_institution"]],
                partners=list(by_slug.values()),
                description=network.partnership["description"],
            ),
        )
        added["partnerships"] += 1

    for person in network.people:
        if accounts.find_user_by_email(person.email) is None:
            accounts.create_user(person.name, person.email, DEMO_PASSWORD, by_slug[person.institution],
                                 roles=person.roles, approved=person.approved)
            added["users"] += 1
    return added
