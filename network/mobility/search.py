"""How hosting offers and visits become search documents.

An offer is for the members of its partnership's institutions and for evaluators (as
network.permissions.can_view_mobility), and names only the linked practices everyone may read. A visit names a person, so it is restricted: found only by the visitor,
the host institution's members, the admins of the visitor's institution, the partnership's
coordinators, evaluators and site admins (as network.permissions.can_view_visit); cancelled visits
leave the index.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network import permissions
from network.auth.models import User
from network.extensions import db
from network.institutions.models import Partnership
from network.mobility import reasons
from network.mobility.models import (
    ACTIVE_STATUSES,
    ACTIVITY_KINDS,
    DAY_NAMES,
    HostingOffer,
    OfferActivity,
    OfferWeek,
    Visit,
    VisitActivity,
    offer_practices,
)
from network.mobility.weeks import iso_week
from network.practices.models import PUBLIC, PUBLISHED, Practice
from network.search.documents import DocumentType, SearchDocument

VISIT_KIND = _l("Job-shadowing visit")
OFFER_KIND = _l("Hosting offer")


def _programme(activities) -> str:
    with force_locale("en"):
        return "\n".join(f"{DAY_NAMES[a.day]}: {ACTIVITY_KINDS.get(a.kind, a.kind)}. {a.description}"
                         for a in activities)


def _reasons(visit: Visit) -> str:
    with force_locale("en"):  # like the programme: the index's words are English, the interests as typed
        return "; ".join(reasons.shown(visit))


def offer_document(offer_id: int) -> SearchDocument | None:
    offer = db.session.get(HostingOffer, offer_id)
    if offer is None:
        return None
    host = offer.institution
    document = SearchDocument(
        doc_type="offer",
        doc_id=offer.id,
        # Names and a reference, no words: the index is read in every language (the results name the type).
        title=f"{host.name} · {offer.partnership.reference}",
        url=f"/mobility/offers/{offer.id}",
        summary=", ".join(offer.tag_names),
        # Only practices everyone may read: a draft's title must not reach the offer's snippet.
        body="\n\n".join([offer.description, _programme(offer.activities),
                          "\n".join(p.title for p in offer.practices
                                    if p.status == PUBLISHED and p.visibility == PUBLIC)]),
        tags=offer.tag_names,
        sectors=host.sectors,
        country=host.country,
        language=offer.languages[0] if offer.languages else "",
        institution=host.slug,
        # Not the host: its members find the offer only while it is one of the partnership's (the audience).
        institution_id=None,
        partnership_id=offer.partnership_id,
        date=offer.updated_at or offer.created_at,
        status="published",
        visibility="restricted",
        viewers=permissions.mobility_audience(offer.partnership),
    )
    document.labels = _kind_names(OFFER_KIND)  # found as a "hosting offer" in every language, never shown
    return document


def _offers_linking(practice: Practice) -> list[int]:
    # Called while the session flushes: read on the flush's own connection.
    return list(db.session.connection().execute(
        select(offer_practices.c.offer_id).where(offer_practices.c.practice_id == practice.id)).scalars())


def _offers_of(partnership: Partnership) -> list[int]:
    return list(db.session.connection().execute(
        select(HostingOffer.id).where(HostingOffer.partnership_id == partnership.id)).scalars())


def visit_document(visit_id: int) -> SearchDocument | None:
    visit = db.session.get(Visit, visit_id)
    if visit is None or visit.status not in ACTIVE_STATUSES:
        return None
    host, visitor = visit.host, visit.visitor
    document = SearchDocument(
        doc_type="visit",
        doc_id=visit.id,
        # Names and an ISO week, no words: the index is read in every language (the results name the type).
        title=f"{visitor.name} · {host.name} · {iso_week(visit.week_start)}",
        url=f"/mobility/visits/{visit.id}",
        summary=f"{visit.application.institution.name} → {host.name}",
        # Not the application's motivation: the host's members and evaluators may not read the application.
        body="\n\n".join([_programme(visit.activities), _reasons(visit)]),
        tags=visit.application.interest_names,
        sectors=host.sectors,
        country=host.country,
        language=visit.offer.languages[0] if visit.offer.languages else "",
        institution=host.slug,
        institution_id=host.id,
        partnership_id=visit.partnership_id,
        date=visit.confirmed_at or visit.created_at,
        status="published",
        visibility="restricted",
        viewers=permissions.visit_audience(visit),
    )
    document.labels = _kind_names(VISIT_KIND)  # found as a "job-shadowing visit" in every language, never shown
    return document


def _kind_names(kind) -> list[str]:
    names = []
    for code in current_app.config.get("SUPPORTED_LOCALES", ("en",)):
        with force_locale(code):
            names.append(str(kind))
    return list(dict.fromkeys(names))


def _visits_of(partnership: Partnership) -> list[int]:
    # Its coordinating institution names who may find them. Read on the flush's connection.
    return list(db.session.connection().execute(
        select(Visit.id).where(Visit.partnership_id == partnership.id)).scalars())


def _visits_of_deleted(user: User) -> list[int]:
    # The database deletes a deleted person's visits with them: their documents must go too.
    if user not in db.session.deleted:
        return []
    return list(db.session.connection().execute(select(Visit.id).where(Visit.visitor_id == user.id)).scalars())


# Registered by the feature's plug (init_app in __init__.py).
DOCUMENT_TYPES = (
    DocumentType(
        name="offer",
        label=_l("Hosting offers"),
        model=HostingOffer,
        load=offer_document,
        all_ids=lambda: db.session.scalars(select(HostingOffer.id).order_by(HostingOffer.id)).all(),
        watch=[(OfferWeek, lambda row: [row.offer_id]), (OfferActivity, lambda row: [row.offer_id]),
               (Practice, _offers_linking), (Partnership, _offers_of)],
        may_view=lambda user, offer: permissions.can_view_mobility(user, offer.partnership),
    ),
    DocumentType(
        name="visit",
        label=_l("Visits"),
        model=Visit,
        load=visit_document,
        all_ids=lambda: db.session.scalars(select(Visit.id).order_by(Visit.id)).all(),
        watch=[(VisitActivity, lambda row: [row.visit_id]), (Partnership, _visits_of), (User, _visits_of_deleted)],
        may_view=permissions.can_view_visit,
    ),
)
