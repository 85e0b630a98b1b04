"""Institutions and partnerships: lookups for the pages and every write, each committed once."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from network import audit
from network.auth.models import APPROVED, COORDINATOR, INSTITUTION_ADMIN, User
from network.errors import ServiceError
from network.extensions import db
from network.institutions.models import Institution, InstitutionSector, Partnership


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII, lower case, hyphens: "Fundación Pública Andaluza" -> "fundacion-publica-andaluza"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "institution"


def unique_slug(name: str, exclude_id: int | None = None) -> str:
    """The name's slug, numbered ("-2", "-3", ...) when taken; one query whatever the number of namesakes."""
    base = slugify(name, 72)
    query = select(Institution.slug).where(Institution.slug.startswith(base, autoescape=True))
    if exclude_id is not None:
        query = query.where(Institution.id != exclude_id)
    taken = set(db.session.scalars(query))
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def get(institution_id: int | None) -> Institution | None:
    return db.session.get(Institution, institution_id) if institution_id else None


def get_by_slug(slug: str) -> Institution | None:
    return db.session.scalar(select(Institution).where(Institution.slug == slug))


def all_institutions() -> list[Institution]:
    return list(db.session.scalars(select(Institution).order_by(Institution.name)))


def institution_options() -> list:
    """(slug, name) of every institution, for filter menus: no full rows, no related lists."""
    return list(db.session.execute(select(Institution.slug, Institution.name).order_by(Institution.name)))


def institution_choices() -> list[tuple[int, str]]:
    return [(i.id, f"{i.name} ({i.city + ', ' if i.city else ''}{i.country})") for i in all_institutions()]


def filter_institutions(country: str | None = None, sector: str | None = None) -> list[Institution]:
    query = select(Institution).order_by(Institution.name)
    if country:
        query = query.where(Institution.country == country.upper())
    if sector:
        query = query.where(
            Institution.id.in_(select(InstitutionSector.institution_id).where(InstitutionSector.sector == sector))
        )
    return list(db.session.scalars(query))


def countries_in_use() -> list[str]:
    return list(db.session.scalars(select(Institution.country).distinct().order_by(Institution.country)))


def approved_members(institution: Institution) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.institution_id == institution.id, User.membership_status == APPROVED)
            .order_by(User.name)
        )
    )


@dataclass
class InstitutionData:
    name: str
    country: str
    city: str = ""
    sectors: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    description: str = ""
    website: str = ""
    contact_email: str = ""


def _apply(institution: Institution, data: InstitutionData) -> None:
    institution.name = data.name.strip()
    institution.country = data.country.upper()
    institution.city = data.city.strip()
    institution.sectors = data.sectors
    institution.languages = [code.lower() for code in data.languages]
    institution.description = data.description
    institution.website = data.website.strip()
    institution.contact_email = data.contact_email.strip()


def create_institution(actor: User | None, data: InstitutionData, slug: str | None = None) -> Institution:
    institution = Institution(slug=slug or unique_slug(data.name))
    _apply(institution, data)
    db.session.add(institution)
    audit.record(actor, "institution.created", institution)
    db.session.commit()
    return institution


def update_institution(actor: User, institution: Institution, data: InstitutionData) -> Institution:
    _apply(institution, data)
    audit.record(actor, "institution.updated", institution)
    db.session.commit()
    return institution


# --- partnerships ---------------------------------------------------------------------------------


def get_partnership(partnership_id: int) -> Partnership | None:
    return db.session.get(Partnership, partnership_id)


def all_partnerships() -> list[Partnership]:
    return list(db.session.scalars(select(Partnership).order_by(Partnership.start_date.desc(), Partnership.title)))


def reference_taken(reference: str, exclude_id: int | None = None) -> bool:
    query = select(Partnership.id).where(func.lower(Partnership.reference) == reference.strip().lower())
    if exclude_id is not None:
        query = query.where(Partnership.id != exclude_id)
    return db.session.scalar(query) is not None


@dataclass
class PartnershipData:
    title: str
    reference: str
    start_date: date
    end_date: date
    coordinating_institution: Institution
    partners: list[Institution]
    description: str = ""


def _apply_partnership(partnership: Partnership, data: PartnershipData) -> None:
    from flask_babel import gettext as _

    if data.end_date < data.start_date:
        raise ServiceError.one("end_date", _("The end date must not be before the start date."))
    if reference_taken(data.reference, exclude_id=partnership.id):
        raise ServiceError.one("reference", _("Another partnership already uses this reference number."))
    partnership.title = data.title.strip()
    partnership.reference = data.reference.strip()
    partnership.start_date = data.start_date
    partnership.end_date = data.end_date
    partnership.description = data.description
    partnership.coordinating_institution = data.coordinating_institution
    # The coordinating institution is always one of the partners.
    partners = {i.id: i for i in data.partners}
    partners[data.coordinating_institution.id] = data.coordinating_institution
    partnership.partners = list(partners.values())


def create_partnership(actor: User | None, data: PartnershipData) -> Partnership:
    partnership = Partnership()
    _apply_partnership(partnership, data)
    db.session.add(partnership)
    audit.record(actor, "partnership.created", partnership)
    db.session.commit()
    return partnership


def update_partnership(actor: User, partnership: Partnership, data: PartnershipData) -> Partnership:
    _apply_partnership(partnership, data)
    audit.record(actor, "partnership.updated", partnership)
    db.session.commit()
    return partnership


def network_stats() -> dict[str, int]:
    return {
        "institutions": db.session.scalar(select(func.count(Institution.id))) or 0,
        "countries": db.session.scalar(select(func.count(func.distinct(Institution.country)))) or 0,
        "partnerships": db.session.scalar(select(func.count(Partnership.id))) or 0,
        "members": db.session.scalar(select(func.count(User.id)).where(User.membership_status == APPROVED)) or 0,
    }


def names_by_slug(slugs: list[str]) -> dict[str, str]:
    """slug -> name of these institutions (the search page's institution facet)."""
    return dict(db.session.execute(select(Institution.slug, Institution.name).where(Institution.slug.in_(slugs))).all())


def admins_of(institution_id: int | None) -> list[User]:
    """The approved admins of this institution (they endorse its applications, manage its offers)."""
    if institution_id is None:
        return []
    people = db.session.scalars(select(User).where(User.institution_id == institution_id))
    return [user for user in people if user.has_role(INSTITUTION_ADMIN) and user.is_approved_member]


def coordinators_of(partnership: Partnership) -> list[User]:
    """The approved coordinators of the partnership's coordinating institution (they run its exchanges)."""
    people = db.session.scalars(select(User).where(User.institution_id == partnership.coordinating_institution_id))
    return [user for user in people if user.has_role(COORDINATOR) and user.is_approved_member]
