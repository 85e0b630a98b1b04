"""Mobility: every write (offers, applications, endorsement, matching, visits) and the reads shared by
the pages, the API and the dashboard. Each write validates first and commits once: nothing is half-saved.

Places are counted under a lock: a booking's first statement bumps the host offer's booking_version,
which makes concurrent bookings of the same host wait for each other (a row lock on PostgreSQL, the
write lock on SQLite) before they count the places left, so capacity and quota hold under concurrency.
"""
from __future__ import annotations

import re
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import contains_eager, selectinload

from network import audit, labels, permissions
from network.auth.models import INSTITUTION_ADMIN, User
from network.errors import ServiceError
from network.extensions import db
from network.institutions import services as institutions
from network.institutions.models import Institution, Partnership
from network.mobility import matching, signals
from network.mobility import reasons as match_reasons
from network.mobility.models import (
    ACTIVE_STATUSES,
    ACTIVITY_KINDS,
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    DAYS,
    DECLINED,
    ENDORSED,
    MAX_PREFERENCES,
    PROPOSED,
    SUBMITTED,
    WITHDRAWN,
    ApplicationPreference,
    ApplicationWeek,
    CalendarFeed,
    HostingOffer,
    MobilityApplication,
    OfferActivity,
    OfferWeek,
    Visit,
    VisitActivity,
    WaitingListEntry,
    application_tags,
    offer_tags,
)
from network.mobility.weeks import WeekError, friday, has_begun, iso_week, parse_week, still_to_come, weeks_between
from network.notifications import services as notifications
from network.practices.models import Practice, Tag
from network.practices.services import tags_named
from network.types import utcnow

MOTIVATION_MAX, DESCRIPTION_MAX, ACTIVITY_MAX, NOTE_MAX = 5_000, 10_000, 500, 500
MAX_CAPACITY, MAX_QUOTA, MAX_WEEKS, MAX_ACTIVITIES = 20, 100, 120, 40
# Why a visit was proposed: reason codes (network/mobility/reasons.py), or a sentence kept as given.
Reasons = list[dict] | tuple[dict, ...] | str


# --- reading ----------------------------------------------------------------------------------------


def get_offer(offer_id: int) -> HostingOffer | None:
    return db.session.get(HostingOffer, offer_id)


def get_application(application_id: int) -> MobilityApplication | None:
    return db.session.get(MobilityApplication, application_id)


def get_visit(visit_id: int) -> Visit | None:
    return db.session.get(Visit, visit_id)


def offer_of(partnership: Partnership, institution: Institution) -> HostingOffer | None:
    return db.session.scalar(select(HostingOffer).where(HostingOffer.partnership_id == partnership.id,
                                                        HostingOffer.institution_id == institution.id))


def offers_in(partnership: Partnership) -> list[HostingOffer]:
    # Lists show each offer's institution and its number of weeks: loaded with the offers, not one by one.
    return list(db.session.scalars(select(HostingOffer).join(Institution)
                                   .where(HostingOffer.partnership_id == partnership.id).order_by(Institution.name)
                                   .options(contains_eager(HostingOffer.institution),
                                            selectinload(HostingOffer.weeks))))


def partnerships_of(user) -> list[Partnership]:
    """The partnerships a person's institution takes part in (all of them for site admins and evaluators)."""
    from network.institutions import services as institutions

    every = institutions.all_partnerships()
    return [p for p in every if permissions.can_view_mobility(user, p)]


def application_of(user, partnership: Partnership) -> MobilityApplication | None:
    return db.session.scalar(select(MobilityApplication).where(MobilityApplication.partnership_id == partnership.id,
                                                               MobilityApplication.user_id == user.id))


def applications_in(partnership: Partnership, status: str | None = None,
                    institution_id: int | None = None) -> list[MobilityApplication]:
    query = (select(MobilityApplication).join(User, MobilityApplication.user_id == User.id)
             .where(MobilityApplication.partnership_id == partnership.id).order_by(User.name))
    if status:
        query = query.where(MobilityApplication.status == status)
    if institution_id:
        query = query.where(MobilityApplication.institution_id == institution_id)
    return list(db.session.scalars(query))


def applications_to_endorse(user) -> list[MobilityApplication]:
    if not permissions.is_site_admin(user) and not (user.is_authenticated and user.has_role(INSTITUTION_ADMIN)):
        return []
    if not permissions.is_site_admin(user) and not user.is_approved_member:
        return []
    query = select(MobilityApplication).where(MobilityApplication.status == SUBMITTED).order_by(MobilityApplication.created_at)
    if not permissions.is_site_admin(user):
        query = query.where(MobilityApplication.institution_id == user.institution_id)
    return list(db.session.scalars(query))


def visits_in(partnership: Partnership, status: str | None = None) -> list[Visit]:
    query = select(Visit).where(Visit.partnership_id == partnership.id).order_by(Visit.week_start, Visit.id)
    if status:
        query = query.where(Visit.status == status)
    return list(db.session.scalars(query))


def visits_visible_to(user, partnership_id: int | None = None, status: str | None = None) -> list[Visit]:
    query = select(Visit).order_by(Visit.week_start, Visit.id)
    if partnership_id:
        query = query.where(Visit.partnership_id == partnership_id)
    if status:
        query = query.where(Visit.status == status)
    return [visit for visit in db.session.scalars(query) if permissions.can_view_visit(user, visit)]


def visits_of_person(user) -> list[Visit]:
    return list(db.session.scalars(select(Visit).where(Visit.visitor_id == user.id).order_by(Visit.week_start)
                                   .options(selectinload(Visit.host))))


def visits_hosted_by(institution_id: int) -> list[Visit]:
    return list(db.session.scalars(select(Visit).where(Visit.host_institution_id == institution_id)
                                   .order_by(Visit.week_start).options(selectinload(Visit.visitor))))


def active_visit_of(application: MobilityApplication) -> Visit | None:
    return db.session.scalar(select(Visit).where(Visit.application_id == application.id,
                                                 Visit.status.in_(ACTIVE_STATUSES)))


def booked_per_week(offer: HostingOffer) -> Counter:
    """Monday -> visits holding a place that week (proposed, confirmed or completed)."""
    rows = db.session.execute(select(Visit.week_start, func.count()).where(
        Visit.offer_id == offer.id, Visit.status.in_(ACTIVE_STATUSES)).group_by(Visit.week_start)).all()
    return Counter({week: count for week, count in rows})


def quota_used(offer: HostingOffer) -> int:
    return db.session.scalar(select(func.count()).select_from(Visit).where(
        Visit.offer_id == offer.id, Visit.status.in_(ACTIVE_STATUSES))) or 0


# Nothing offers a week that has begun (its Monday is today or earlier): the lists of weeks to choose from
# leave them out, and the writes below refuse them.


def weeks_to_offer(partnership: Partnership) -> list[date]:
    """The partnership's weeks a host can still offer."""
    return still_to_come(weeks_between(partnership.start_date, partnership.end_date))


def weeks_to_choose(offers, application: MobilityApplication | None = None) -> list[date]:
    """The weeks an applicant can tick: those the hosts offer, and those already in their application (a week
    the host dropped stays visible, and kept), but none that has begun."""
    offered = {week.week_start for offer in offers for week in offer.weeks}
    if application is not None:
        offered |= set(application.available_weeks)
    return still_to_come(offered)


def weeks_to_book(offers) -> list[date]:
    """The weeks the hosts offer in which a visit can still be booked."""
    return still_to_come(week.week_start for offer in offers for week in offer.weeks)


def weeks_gone_by(partnership: Partnership) -> list[date]:
    """The partnership's weeks that have begun, the latest first: those a visit that took place is recorded in."""
    return sorted((monday for monday in weeks_between(partnership.start_date, partnership.end_date)
                   if has_begun(monday)), reverse=True)


# --- hosting offers ---------------------------------------------------------------------------------


@dataclass
class ActivityData:
    day: int
    kind: str
    description: str = ""


@dataclass
class OfferData:
    description: str = ""
    languages: list[str] = field(default_factory=list)
    approaches: list[str] = field(default_factory=list)  # tags
    practice_ids: list[int] = field(default_factory=list)
    total_quota: int = 6
    weeks: dict[str, int] = field(default_factory=dict)  # "2027-W10" -> capacity
    activities: list[ActivityData] = field(default_factory=list)


def _week_in(partnership: Partnership, text, problems: list) -> date | None:
    """The Monday of a week inside the partnership's dates, or None with the reason added to problems."""
    try:
        monday = parse_week(text)
    except WeekError as error:
        problems.append(str(error))
        return None
    if monday < partnership.start_date or friday(monday) > partnership.end_date:
        problems.append(_l("%(week)s is outside the partnership's dates (%(start)s to %(end)s).",
                           week=iso_week(monday), start=partnership.start_date.isoformat(),
                           end=partnership.end_date.isoformat()))
        return None
    return monday


def _clean_tags(names) -> list[str]:
    from network.practices.services import normalize_tag

    return list(dict.fromkeys(t for t in (normalize_tag(n) for n in names) if t))[:20]


def _validate_offer(actor, partnership: Partnership, data: OfferData, offer: HostingOffer | None):
    errors: dict[str, list] = defaultdict(list)
    if len(data.description or "") > DESCRIPTION_MAX:
        errors["description"].append(_l("Keep the description under %(n)d characters.", n=DESCRIPTION_MAX))
    languages = [code.strip().lower() for code in data.languages if code.strip()]
    if not languages:
        errors["languages"].append(_l("Choose at least one working language."))
    unknown = [code for code in languages if code not in labels.language_codes()]
    if unknown:
        errors["languages"].append(_l("Unknown language code: %(codes)s.", codes=", ".join(unknown)))
    if not isinstance(data.total_quota, int) or not 0 <= data.total_quota <= MAX_QUOTA:
        errors["total_quota"].append(_l("The quota is a whole number from 0 to %(n)d.", n=MAX_QUOTA))
    # The weeks that have begun are history (visits took place in them): the offer keeps them as they are,
    # whether they are sent back unchanged or left out (the form shows only the weeks still to come), and
    # none can be added or changed.
    begun = {week.week_start: week.capacity for week in (offer.weeks if offer else [])
             if has_begun(week.week_start)}
    weeks: dict[date, int] = {}
    for text, capacity in data.weeks.items():
        monday = _week_in(partnership, text, errors["weeks"])
        if monday is None:
            continue
        if not isinstance(capacity, int) or not 0 <= capacity <= MAX_CAPACITY:
            errors["weeks"].append(_l("The capacity of %(week)s is a whole number from 0 to %(n)d.",
                                      week=iso_week(monday), n=MAX_CAPACITY))
            continue
        if has_begun(monday) and begun.get(monday) != capacity:
            errors["weeks"].append(_l("%(week)s has begun: only weeks still to come can be offered or "
                                      "changed.", week=iso_week(monday)))
            continue
        weeks[monday] = capacity
    weeks.update(begun)
    if len(weeks) > MAX_WEEKS:
        errors["weeks"].append(_l("At most %(n)d weeks.", n=MAX_WEEKS))
    if offer is not None:
        booked = booked_per_week(offer)
        for monday, count in sorted(booked.items()):
            if weeks.get(monday, 0) < count:
                errors["weeks"].append(_l("%(week)s already has %(n)d visits: its capacity cannot be lower.",
                                          week=iso_week(monday), n=count))
        used = sum(booked.values())
        if isinstance(data.total_quota, int) and data.total_quota < used:
            errors["total_quota"].append(_l("%(n)d visits are already planned: the quota cannot be lower.", n=used))
    activities = []
    if len(data.activities) > MAX_ACTIVITIES:
        errors["activities"].append(_l("At most %(n)d activities.", n=MAX_ACTIVITIES))
    for activity in data.activities[:MAX_ACTIVITIES]:
        if activity.day not in DAYS:
            errors["activities"].append(_l("Each activity is on a day from Monday to Friday."))
        elif activity.kind not in ACTIVITY_KINDS:
            errors["activities"].append(_l("Choose the kind of each activity."))
        elif len(activity.description) > ACTIVITY_MAX:
            errors["activities"].append(_l("Keep each activity under %(n)d characters.", n=ACTIVITY_MAX))
        else:
            activities.append(activity)
    practices = []
    for practice_id in dict.fromkeys(data.practice_ids):
        practice = db.session.get(Practice, practice_id)
        if practice is None or not permissions.can_view_practice(actor, practice):
            errors["practice_ids"].append(_l("Practice %(id)s does not exist or you may not see it.", id=practice_id))
        else:
            practices.append(practice)
    errors = {name: found for name, found in errors.items() if found}
    if errors:
        raise ServiceError(errors)
    return languages, weeks, activities, practices


def save_offer(actor, partnership: Partnership, institution: Institution, data: OfferData) -> HostingOffer:
    """Create or update what an institution offers in a partnership."""
    if not permissions.can_manage_offer(actor, partnership, institution):
        raise ServiceError.one("offer", _l("Only the institution's admins can publish what it offers, in partnerships it "
                                "belongs to."))
    offer = offer_of(partnership, institution)
    languages, weeks, activities, practices = _validate_offer(actor, partnership, data, offer)
    created = offer is None
    if created:
        offer = HostingOffer(partnership=partnership, institution=institution)
        db.session.add(offer)
    offer.description = data.description or ""
    offer.languages = languages
    offer.total_quota = data.total_quota
    offer.tags = tags_named(_clean_tags(data.approaches))
    offer.practices = practices
    existing = {week.week_start: week for week in offer.weeks}
    offer.weeks = [existing.get(monday) or OfferWeek(week_start=monday) for monday in sorted(weeks)]
    for week in offer.weeks:
        week.capacity = weeks[week.week_start]
    offer.activities = [OfferActivity(day=a.day, kind=a.kind, description=a.description.strip(), position=n)
                        for n, a in enumerate(sorted(activities, key=lambda a: a.day))]
    audit.record(actor, "offer.create" if created else "offer.update", offer,
                 label=f"{institution.name} · {partnership.reference}")
    db.session.commit()
    return offer


def offer_data_of(offer: HostingOffer) -> OfferData:
    """The offer as its form edits it: the weeks still to come only (save_offer keeps those that have
    begun)."""
    return OfferData(
        description=offer.description, languages=offer.languages, approaches=offer.tag_names,
        practice_ids=[p.id for p in offer.practices], total_quota=offer.total_quota,
        weeks={iso_week(w.week_start): w.capacity for w in offer.weeks if not has_begun(w.week_start)},
        activities=[ActivityData(day=a.day, kind=a.kind, description=a.description) for a in offer.activities],
    )


# --- applications -----------------------------------------------------------------------------------


@dataclass
class ApplicationData:
    motivation: str = ""
    interests: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    preferred_hosts: list[int] = field(default_factory=list)  # institution ids, best first
    weeks: list[str] = field(default_factory=list)  # "2027-W10"


def _validate_application(actor, partnership: Partnership, data: ApplicationData):
    errors: dict[str, list] = defaultdict(list)
    if not (data.motivation or "").strip():
        errors["motivation"].append(_l("Say in a few sentences why you want to visit."))
    elif len(data.motivation) > MOTIVATION_MAX:
        errors["motivation"].append(_l("Keep the motivation under %(n)d characters.", n=MOTIVATION_MAX))
    languages = [code.strip().lower() for code in data.languages if code.strip()]
    if not languages:
        errors["languages"].append(_l("Choose the languages you can work in."))
    elif any(code not in labels.language_codes() for code in languages):
        errors["languages"].append(_l("Choose languages from the list."))
    chosen = [h for h in data.preferred_hosts if h]
    hosts = list(dict.fromkeys(chosen))
    if len(hosts) < len(chosen):
        # Said rather than dropped: the person meant two different hosts. Under a name of its own, so that
        # the form can put it by the choice that repeats an earlier one.
        errors["repeated_hosts"].append(_l("You chose the same host twice: choose another host, or no "
                                           "preference."))
    if len(hosts) > MAX_PREFERENCES:
        errors["preferred_hosts"].append(_l("Choose at most %(n)d hosts.", n=MAX_PREFERENCES))
    offers = {offer.institution_id: offer for offer in offers_in(partnership)}
    for host_id in hosts:
        if host_id == actor.institution_id:
            errors["preferred_hosts"].append(_l("You cannot apply to visit your own institution."))
        elif host_id not in offers:
            errors["preferred_hosts"].append(_l("Choose hosts that offer visits in this partnership."))
    weeks = []
    for text in dict.fromkeys(data.weeks):
        monday = _week_in(partnership, text, errors["weeks"])
        if monday is None or monday in weeks:  # "2027-W10" and "2027-03-08" are one week
            continue
        if has_begun(monday):
            errors["weeks"].append(_l("%(week)s has begun: choose weeks that are still to come.",
                                      week=iso_week(monday)))
        else:
            weeks.append(monday)
    if not weeks and not errors["weeks"]:
        errors["weeks"].append(_l("Choose at least one week when you are available."))
    errors = {name: found for name, found in errors.items() if found}
    if errors:
        raise ServiceError(errors)
    return languages, hosts[:MAX_PREFERENCES], sorted(weeks)


def save_application(actor, partnership: Partnership, data: ApplicationData) -> MobilityApplication:
    """Apply, or change one's application while it is not yet endorsed (a change asks again)."""
    if not permissions.can_apply(actor, partnership):
        raise ServiceError.one("partnership", _l("Only members of the partnership's institutions can apply."))
    application = application_of(actor, partnership)
    if application is not None and active_visit_of(application) is not None:
        raise ServiceError.one("application", _l("Your visit is already planned: ask the coordinator to change it."))
    languages, hosts, weeks = _validate_application(actor, partnership, data)
    if application is not None and application.status in (SUBMITTED, ENDORSED) and (
            application.motivation, application.languages, application.interest_names,
            application.preferred_host_ids, still_to_come(application.available_weeks)) == (
            data.motivation.strip(), languages, sorted(_clean_tags(data.interests)), hosts, weeks):
        # Sent back as it was: still waiting (or endorsed), nobody asked again; the weeks that have begun (no
        # longer a choice, so not on the form) go.
        if application.available_weeks != weeks:
            application.weeks = [week for week in application.weeks if not has_begun(week.week_start)]
            db.session.commit()
        return application
    created = application is None
    if created:
        application = MobilityApplication(partnership=partnership, user_id=actor.id, institution_id=actor.institution_id)
        db.session.add(application)
    application.motivation = data.motivation.strip()
    application.languages = languages
    application.tags = tags_named(_clean_tags(data.interests))
    if application.preferences or application.weeks:
        # The old choices go before the new ones come: SQLAlchemy inserts new rows before it deletes orphans,
        # and the unique constraints (one host per rank, each host and each week once) would refuse a host
        # kept or moved to another rank, and a week kept.
        application.preferences, application.weeks = [], []
        db.session.flush()
    application.preferences = [ApplicationPreference(rank=n, host_institution_id=host) for n, host in enumerate(hosts, 1)]
    application.weeks = [ApplicationWeek(week_start=monday) for monday in weeks]
    application.status = SUBMITTED
    application.decided_by_id, application.decided_at, application.decision_note = None, None, ""
    audit.record(actor, "application.create" if created else "application.update", application,
                 label=f"{actor.name} · {partnership.reference}")
    db.session.flush()
    emails = notifications.notify([u for u in institutions.admins_of(actor.institution_id) if u.id != actor.id], "application",
                     _l("%(name)s applied for a visit in %(partnership)s.", name=actor.name, partnership=partnership.reference),
                     f"/mobility/applications/{application.id}")
    db.session.commit()
    notifications.send(emails, "mobility notification")
    return application


def application_data_of(application: MobilityApplication) -> ApplicationData:
    """The application as its form edits it: the weeks that have begun are no longer a choice, and go."""
    return ApplicationData(motivation=application.motivation, interests=application.interest_names,
                           languages=application.languages, preferred_hosts=application.preferred_host_ids,
                           weeks=[iso_week(w) for w in still_to_come(application.available_weeks)])


def decide_application(actor, application: MobilityApplication, endorse: bool, note: str = "") -> MobilityApplication:
    if not permissions.can_endorse_application(actor, application):
        raise ServiceError.one("application", _l("Only the admins of the applicant's institution can decide."))
    if application.status not in (SUBMITTED, ENDORSED, DECLINED):
        raise ServiceError.one("application", _l("This application was withdrawn."))
    if not endorse and active_visit_of(application) is not None:
        raise ServiceError.one("application", _l("A visit is already planned for this person: cancel it first."))
    application.status = ENDORSED if endorse else DECLINED
    application.decided_by_id, application.decided_at = actor.id, utcnow()
    application.decision_note = (note or "").strip()[:NOTE_MAX]
    audit.record(actor, "application.endorse" if endorse else "application.decline", application,
                 label=f"{application.user.name} · {application.partnership.reference}")
    message = (_l("Your application for %(partnership)s was endorsed.", partnership=application.partnership.reference)
               if endorse else
               _l("Your application for %(partnership)s was declined.", partnership=application.partnership.reference))
    emails = notifications.notify([application.user], "application", message, f"/mobility/applications/{application.id}")
    db.session.commit()
    notifications.send(emails, "mobility notification")
    if endorse:
        # Until the coordinator places them, they wait at their preferred hosts (so a freed place can go
        # to them too).
        update_waiting_lists(application.partnership)
    return application


def withdraw_application(actor, application: MobilityApplication) -> None:
    if application.user_id != actor.id:
        raise ServiceError.one("application", _l("Only the applicant can withdraw an application."))
    if active_visit_of(application) is not None:
        raise ServiceError.one("application", _l("A visit is planned: cancel the visit instead."))
    application.status = WITHDRAWN
    db.session.execute(WaitingListEntry.__table__.delete().where(WaitingListEntry.application_id == application.id))
    audit.record(actor, "application.withdraw", application)
    db.session.commit()


# --- matching ---------------------------------------------------------------------------------------


def _solver_offer(offer: HostingOffer, booked: Counter | None = None, used: int | None = None) -> matching.HostOffer:
    booked = booked_per_week(offer) if booked is None else booked
    used = quota_used(offer) if used is None else used
    return matching.HostOffer(
        offer_id=offer.id, institution_id=offer.institution_id, languages=frozenset(offer.languages),
        approaches=frozenset(offer.tag_names),
        capacity={week.week_start: max(week.capacity - booked.get(week.week_start, 0), 0) for week in offer.weeks},
        quota_left=max(offer.total_quota - used, 0),
    )


def _solver_applicant(application: MobilityApplication) -> matching.Applicant:
    return matching.Applicant(
        application_id=application.id, institution_id=application.institution_id,
        languages=frozenset(application.languages), interests=frozenset(application.interest_names),
        preferred_hosts=tuple(application.preferred_host_ids), available_weeks=frozenset(application.available_weeks),
    )


def _unplaced(partnership: Partnership):
    """The statement of unplaced_applications(), also read column by column for the solver."""
    placed = select(Visit.application_id).where(Visit.partnership_id == partnership.id,
                                                Visit.status.in_(ACTIVE_STATUSES))
    return select(MobilityApplication).where(
        MobilityApplication.partnership_id == partnership.id, MobilityApplication.status == ENDORSED,
        MobilityApplication.id.not_in(placed)).order_by(MobilityApplication.id)


def unplaced_applications(partnership: Partnership) -> list[MobilityApplication]:
    """Endorsed applicants without a visit that holds a place."""
    return list(db.session.scalars(_unplaced(partnership)))


def _solver_inputs(partnership: Partnership) -> tuple[list[matching.Applicant], list[matching.HostOffer]]:
    """Every endorsed applicant not yet placed and every offer of the partnership as the solver's values
    (what _solver_applicant and _solver_offer make of one), read in eight queries of plain rows whatever
    the partnership's size. For 1,000 hosts and 6,000 applicants (bench/matching.py --database sqlite)
    reading them one by one took 21,000 queries and 5.3 s, and loading them as objects with their
    collections 1.8 s."""
    unplaced = _unplaced(partnership)
    ids = unplaced.with_only_columns(MobilityApplication.id).order_by(None)
    interests, preferred, available = defaultdict(set), defaultdict(list), defaultdict(set)
    for application_id, name in db.session.execute(
            select(application_tags.c.application_id, Tag.name).join(Tag, Tag.id == application_tags.c.tag_id)
            .where(application_tags.c.application_id.in_(ids))):
        interests[application_id].add(name)
    for application_id, host_id in db.session.execute(
            select(ApplicationPreference.application_id, ApplicationPreference.host_institution_id)
            .where(ApplicationPreference.application_id.in_(ids))
            .order_by(ApplicationPreference.application_id, ApplicationPreference.rank)):
        preferred[application_id].append(host_id)
    for application_id, monday in db.session.execute(
            select(ApplicationWeek.application_id, ApplicationWeek.week_start)
            .where(ApplicationWeek.application_id.in_(ids))):
        available[application_id].add(monday)
    applicants = [matching.Applicant(
        application_id=application_id, institution_id=institution_id,
        languages=frozenset(code for code in languages.split(",") if code),
        interests=frozenset(interests[application_id]), preferred_hosts=tuple(preferred[application_id]),
        available_weeks=frozenset(available[application_id]))
        for application_id, institution_id, languages in db.session.execute(unplaced.with_only_columns(
            MobilityApplication.id, MobilityApplication.institution_id, MobilityApplication.languages_text))]

    in_partnership = HostingOffer.partnership_id == partnership.id
    taken: dict[int, Counter] = defaultdict(Counter)  # offer -> Monday -> visits holding a place
    for offer_id, monday, count in db.session.execute(
            select(Visit.offer_id, Visit.week_start, func.count()).join(HostingOffer, Visit.offer_id == HostingOffer.id)
            .where(in_partnership, Visit.status.in_(ACTIVE_STATUSES)).group_by(Visit.offer_id, Visit.week_start)):
        taken[offer_id][monday] = count
    approaches, capacity = defaultdict(set), defaultdict(dict)
    for offer_id, name in db.session.execute(
            select(offer_tags.c.offer_id, Tag.name).join(Tag, Tag.id == offer_tags.c.tag_id)
            .join(HostingOffer, HostingOffer.id == offer_tags.c.offer_id).where(in_partnership)):
        approaches[offer_id].add(name)
    for offer_id, monday, places in db.session.execute(
            select(OfferWeek.offer_id, OfferWeek.week_start, OfferWeek.capacity)
            .join(HostingOffer, HostingOffer.id == OfferWeek.offer_id).where(in_partnership)):
        capacity[offer_id][monday] = max(places - taken[offer_id][monday], 0)
    offers = [matching.HostOffer(
        offer_id=offer_id, institution_id=institution_id,
        languages=frozenset(code for code in languages.split(",") if code),
        approaches=frozenset(approaches[offer_id]), capacity=capacity[offer_id],
        quota_left=max(quota - taken[offer_id].total(), 0))
        for offer_id, institution_id, languages, quota in db.session.execute(
            select(HostingOffer.id, HostingOffer.institution_id, HostingOffer.languages_text,
                   HostingOffer.total_quota).where(in_partnership))]
    return applicants, offers


def propose_matching(partnership: Partnership) -> matching.Proposal:
    """The solver's proposal for every endorsed applicant not yet placed, over the places still free in the
    weeks that have not begun (the solver itself knows no date: it sees only those weeks)."""
    applicants, offers = _solver_inputs(partnership)
    applicants = [replace(applicant, available_weeks=frozenset(still_to_come(applicant.available_weeks)))
                  for applicant in applicants]
    offers = [replace(offer, capacity={monday: places for monday, places in offer.capacity.items()
                                       if not has_begun(monday)})
              for offer in offers]
    return matching.propose(applicants, offers)


def _lock_offer(offer: HostingOffer) -> None:
    # The first write of the booking transaction: concurrent bookings of this host queue here.
    db.session.execute(update(HostingOffer).where(HostingOffer.id == offer.id)
                       .values(booking_version=HostingOffer.booking_version + 1)
                       .execution_options(synchronize_session=False))


# The rules that plan a visit to come: a visit that already took place (record_past_visit) need not keep them.
PLANNING_RULES = frozenset({matching.NOT_AVAILABLE, matching.WEEK_NOT_OFFERED, matching.WEEK_FULL,
                            matching.QUOTA_EXHAUSTED, matching.NO_SHARED_LANGUAGE})


def rule_violations(application: MobilityApplication, offer: HostingOffer, monday: date,
                    took_place: bool = False) -> list[str]:
    """Every hard rule this visit would break, counted now (call inside the booking lock). A visit that
    took_place keeps only the rules about people: endorsed, in the partnership, not one's own institution,
    one visit per application."""
    problems = []
    if not took_place and has_begun(monday):
        problems.append(str(_l("The week of %(week)s has begun: only a week still to come can be booked.",
                               week=_week_text(monday))))
    if application.status != ENDORSED:
        problems.append(str(_l("The application is not endorsed by the applicant's institution.")))
    if application.partnership_id != offer.partnership_id:
        problems.append(str(_l("The host does not offer visits in this applicant's partnership.")))
    already = active_visit_of(application) is not None
    for violation in matching.hard_rule_violations(_solver_applicant(application), _solver_offer(offer), monday,
                                                   already_placed=already):
        if took_place and violation.code in PLANNING_RULES:
            continue
        problems.append(_rule_message(violation.code, monday) or str(violation))
    return list(dict.fromkeys(problems))


def _week_text(monday: date) -> str:
    return f"{monday.isoformat()} ({iso_week(monday)})"


def _rule_message(code: str, monday: date) -> str | None:
    """The broken rule in the reader's language (the solver's own sentences are English only)."""
    week = _week_text(monday)
    messages = {
        matching.OWN_INSTITUTION: _l("The visitor cannot visit their own institution."),
        matching.NO_SHARED_LANGUAGE: _l("The host and the visitor share no language."),
        matching.NOT_A_MONDAY: _l("A visit week starts on a Monday."),
        matching.NOT_AVAILABLE: _l("The visitor is not available in the week of %(week)s.", week=week),
        matching.WEEK_NOT_OFFERED: _l("The host does not offer the week of %(week)s.", week=week),
        matching.WEEK_FULL: _l("The host has no place left in the week of %(week)s.", week=week),
        matching.QUOTA_EXHAUSTED: _l("The host has no visit left in its quota for this partnership."),
        matching.ALREADY_PLACED: _l("The visitor already has a visit in this partnership."),
    }
    message = messages.get(code)
    return str(message) if message is not None else None


def book_visit(actor, application: MobilityApplication, offer: HostingOffer, monday: date,
               reasons: Reasons = (), commit: bool = True) -> Visit:
    """A proposed visit, if it breaks no hard rule; otherwise ServiceError naming each broken rule. reasons: why
    (network/mobility/reasons.py codes, written out when shown; a sentence is kept as it is)."""
    if not permissions.coordinates(actor, offer.partnership):
        raise ServiceError.one("visit", _l("Only the partnership's coordinators can assign visitors."))
    _lock_offer(offer)
    problems = rule_violations(application, offer, monday)
    if problems:
        db.session.rollback()
        raise ServiceError({"visit": problems})
    visit = _new_visit(actor, application, offer, monday, PROPOSED, reasons)
    audit.record(actor, "visit.propose", visit, label=_visit_label(visit, application, offer))
    emails = _notify_visit(visit, _l("A visit was proposed: %(label)s.", label=_visit_label(visit, application, offer)))
    if commit:
        db.session.commit()
        notifications.send(emails, "mobility notification")
    return visit


def _new_visit(actor, application: MobilityApplication, offer: HostingOffer, monday: date, status: str,
               reasons: Reasons) -> Visit:
    """A visit with the host's programme, added to the transaction; the visitor leaves the waiting lists."""
    codes, sentence = (None, reasons[:500]) if isinstance(reasons, str) else (list(reasons) or None, "")
    visit = Visit(partnership_id=offer.partnership_id, offer=offer, host_institution_id=offer.institution_id,
                  application=application, visitor_id=application.user_id, week_start=monday, status=status,
                  match_reasons=sentence, match_reason_codes=codes, created_by_id=getattr(actor, "id", None))
    visit.activities = [VisitActivity(day=a.day, position=a.position, kind=a.kind, description=a.description)
                        for a in offer.activities]
    db.session.add(visit)
    db.session.execute(WaitingListEntry.__table__.delete().where(WaitingListEntry.application_id == application.id))
    return visit


def record_past_visit(actor, application: MobilityApplication, offer: HostingOffer, monday: date,
                      reasons: Reasons = ()) -> Visit:
    """Record a visit that already took place (its week has begun): completed at once, and the visitor asked
    for their essay. For coordinators catching up with what happened; a visit still to come is booked with
    book_visit, which refuses weeks that have begun. The rules about people hold; those that plan places do
    not (the week need not be offered or free any more: the visit happened)."""
    if not permissions.coordinates(actor, offer.partnership):
        raise ServiceError.one("visit", _l("Only the partnership's coordinators can record a visit that took place."))
    if not has_begun(monday):
        raise ServiceError.one("visit", _l("%(week)s has not begun: assign the visitor as usual instead.",
                                week=iso_week(monday)))
    _lock_offer(offer)
    problems = rule_violations(application, offer, monday, took_place=True)
    if problems:
        db.session.rollback()
        raise ServiceError({"visit": problems})
    visit = _new_visit(actor, application, offer, monday, COMPLETED, reasons)
    visit.confirmed_at = visit.completed_at = utcnow()
    emails = _visit_completed(actor, visit, "visit.record")
    db.session.commit()
    notifications.send(emails, "mobility notification")
    return visit


def _visit_label(visit: Visit, application=None, offer=None) -> str:
    """Who, where, which week: names and an ISO week, no word of any language (it is kept in notifications and
    the audit log, read later in other languages)."""
    application = application or visit.application
    offer = offer or visit.offer
    return f"{application.user.name} · {offer.institution.name} · {iso_week(visit.week_start)}"


@dataclass
class AcceptResult:
    created: list[Visit]
    refused: dict[int, list[str]]  # application id -> broken rules
    waiting: int  # applicants put on waiting lists


def accept_matches(actor, partnership: Partnership, choices: list[tuple[int, int, date]],
                   reasons: dict[int, Reasons] | None = None) -> AcceptResult:
    """Book the chosen (application, offer, week) matches one by one (each checked under the lock), then
    put the endorsed applicants still without a place on the waiting lists of their preferred hosts."""
    if not permissions.coordinates(actor, partnership):
        raise ServiceError.one("matching", _l("Only the partnership's coordinators can accept matches."))
    created, refused = [], {}
    for application_id, offer_id, monday in choices:
        application, offer = get_application(application_id), get_offer(offer_id)
        if application is None or offer is None or offer.partnership_id != partnership.id:
            refused[application_id] = [str(_l("This applicant or host is not in the partnership."))]
            continue
        try:
            created.append(book_visit(actor, application, offer, monday, reasons=(reasons or {}).get(application_id, ())))
        except ServiceError as error:
            refused[application_id] = [str(m) for m in error.errors.get("visit", [])]
    waiting = update_waiting_lists(partnership)
    return AcceptResult(created=created, refused=refused, waiting=waiting)


def update_waiting_lists(partnership: Partnership) -> int:
    """Endorsed applicants without a place wait at their preferred hosts, in the order they got there;
    a newcomer joins the end of each list. Returns how many applicants are waiting."""
    offers = {offer.institution_id: offer for offer in offers_in(partnership)}
    waiting = 0
    for application in unplaced_applications(partnership):
        hosts = [offers[h] for h in application.preferred_host_ids if h in offers]
        for offer in hosts:
            exists = db.session.scalar(select(WaitingListEntry.id).where(
                WaitingListEntry.offer_id == offer.id, WaitingListEntry.application_id == application.id))
            if exists is None:
                last = db.session.scalar(select(func.max(WaitingListEntry.position))
                                         .where(WaitingListEntry.offer_id == offer.id)) or 0
                db.session.add(WaitingListEntry(offer_id=offer.id, application_id=application.id, position=last + 1))
                db.session.flush()
        waiting += bool(hosts)
    db.session.commit()
    return waiting


def waiting_list(offer: HostingOffer) -> list[WaitingListEntry]:
    return list(db.session.scalars(select(WaitingListEntry).where(WaitingListEntry.offer_id == offer.id)
                                   .order_by(WaitingListEntry.position)))


def next_suitable(visit: Visit) -> MobilityApplication | None:
    """The first person on the host's waiting list who could take this cancelled visit's week."""
    offer = visit.offer
    for entry in waiting_list(offer):
        application = entry.application
        if application.status == ENDORSED and not rule_violations(application, offer, visit.week_start):
            return application
    return None


# --- visits -----------------------------------------------------------------------------------------


def confirm_visit(actor, visit: Visit) -> Visit:
    if not permissions.can_manage_visit(actor, visit):
        raise ServiceError.one("visit", _l("Only the host's admins and the coordinators can confirm a visit."))
    if visit.status != PROPOSED:
        raise ServiceError.one("visit", _l("Only a proposed visit can be confirmed (this one is %(status)s).",
                                status=visit.status))
    if has_begun(visit.week_start):
        raise ServiceError.one("visit", _l("The week of %(week)s has begun: the visit can no longer be confirmed, only "
                                "cancelled.", week=_week_text(visit.week_start)))
    _lock_offer(visit.offer)
    # Capacity can have been lowered since the proposal: count again, under the lock.
    booked = booked_per_week(visit.offer)
    if booked.get(visit.week_start, 0) > visit.offer.capacity_in(visit.week_start):
        db.session.rollback()
        raise ServiceError.one("visit", _l("The host has no place left in the week of %(week)s.", week=iso_week(visit.week_start)))
    visit.status, visit.confirmed_at = CONFIRMED, utcnow()
    audit.record(actor, "visit.confirm", visit, label=_visit_label(visit))
    emails = _notify_visit(visit, _l("The visit %(label)s is confirmed.", label=_visit_label(visit)))
    db.session.commit()
    notifications.send(emails, "mobility notification")
    return visit


def complete_visit(actor, visit: Visit, today: date | None = None) -> Visit:
    if not permissions.can_manage_visit(actor, visit):
        raise ServiceError.one("visit", _l("Only the host's admins and the coordinators can mark a visit completed."))
    if visit.status != CONFIRMED:
        raise ServiceError.one("visit", _l("Only a confirmed visit can be completed."))
    if not has_begun(visit.week_start, today):
        raise ServiceError.one("visit", _l("A visit can be marked completed once its week has begun."))
    visit.status, visit.completed_at = COMPLETED, utcnow()
    emails = _visit_completed(actor, visit, "visit.complete")
    db.session.commit()
    notifications.send(emails, "mobility notification")
    return visit


def _visit_completed(actor, visit: Visit, action: str) -> list[tuple[str, str, str]]:
    """The host's admins and the coordinators are told the visit is completed; the features that care are
    told by the visit_completed signal (essays: the visitor is asked for an essay, which tells them the visit
    is over: they get that one notification, not this one). The emails to send after the commit."""
    audit.record(actor, action, visit, label=_visit_label(visit))
    emails = _notify_visit(visit, _l("The visit %(label)s is completed.", label=_visit_label(visit)),
                           visitor_too=False)
    db.session.flush()
    for _receiver, more in signals.visit_completed.send(visit, actor=actor):
        emails += more or []
    return emails


def cancel_visit(actor, visit: Visit, reason: str) -> Visit:
    if not permissions.can_cancel_visit(actor, visit):
        raise ServiceError.one("visit", _l("You may not cancel this visit."))
    if visit.status not in (PROPOSED, CONFIRMED):
        raise ServiceError.one("visit", _l("Only a proposed or confirmed visit can be cancelled."))
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError.one("reason", _l("Say why the visit is cancelled."))
    visit.status, visit.cancelled_at, visit.cancel_reason = CANCELLED, utcnow(), reason[:NOTE_MAX]
    audit.record(actor, "visit.cancel", visit, label=_visit_label(visit), reason=reason[:NOTE_MAX])
    emails = _notify_visit(visit, _l("The visit %(label)s was cancelled: %(reason)s",
                                     label=_visit_label(visit), reason=reason[:200]))
    db.session.commit()
    notifications.send(emails, "mobility notification")
    return visit


def offer_place_to_next(actor, cancelled: Visit) -> Visit:
    """One click after a cancellation: book the next suitable person from the host's waiting list."""
    if cancelled.status != CANCELLED:
        raise ServiceError.one("visit", _l("The place is only free once the visit is cancelled."))
    application = next_suitable(cancelled)
    if application is None:
        raise ServiceError.one("visit", _l("Nobody on the waiting list can take this week."))
    return book_visit(actor, application, cancelled.offer, cancelled.week_start,
                      reasons=match_reasons.one(match_reasons.WAITING_LIST))


def update_programme(actor, visit: Visit, activities: list[ActivityData]) -> Visit:
    if not permissions.can_manage_visit(actor, visit):
        raise ServiceError.one("activities", _l("Only the host's admins and the coordinators can change the programme."))
    errors = []
    for activity in activities:
        if activity.day not in DAYS or activity.kind not in ACTIVITY_KINDS:
            errors.append(_l("Each activity needs a day from Monday to Friday and a kind."))
        elif len(activity.description) > ACTIVITY_MAX:
            errors.append(_l("Keep each activity under %(n)d characters.", n=ACTIVITY_MAX))
    if len(activities) > MAX_ACTIVITIES:
        errors.append(_l("At most %(n)d activities.", n=MAX_ACTIVITIES))
    if errors:
        raise ServiceError({"activities": list(dict.fromkeys(errors))})
    programme = [(a.day, a.kind, a.description.strip()) for a in sorted(activities, key=lambda a: a.day)]
    if programme == [(a.day, a.kind, a.description) for a in visit.activities]:
        return visit  # sent back as it was: nothing changed, nobody is told
    visit.activities = [VisitActivity(day=day, kind=kind, description=description, position=n)
                        for n, (day, kind, description) in enumerate(programme)]
    visit.updated_at = utcnow()  # the visit's own row does not change otherwise
    audit.record(actor, "visit.programme", visit, label=_visit_label(visit))
    emails = _notify_visit(visit, _l("The programme of the visit %(label)s changed.", label=_visit_label(visit)))
    db.session.commit()
    notifications.send(emails, "mobility notification")
    return visit


# --- notifications ----------------------------------------------------------------------------------


def _notify_visit(visit: Visit, message, visitor_too: bool = True) -> list[tuple[str, str, str]]:
    """To the visitor, the host's admins and the coordinators (not to the visitor when they are told
    otherwise)."""
    db.session.flush()
    people = [visit.visitor, *institutions.admins_of(visit.host_institution_id), *institutions.coordinators_of(visit.partnership)]
    if not visitor_too:
        people = [person for person in people if person.id != visit.visitor_id]
    return notifications.notify(people, "visit", message, f"/mobility/visits/{visit.id}")




# --- calendar feeds -----------------------------------------------------------------------------------


def feed_token(owner_kind: str, owner_id: int, renew: bool = False) -> str:
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.owner_kind == owner_kind,
                                                        CalendarFeed.owner_id == owner_id))
    if feed is None:
        feed = CalendarFeed(owner_kind=owner_kind, owner_id=owner_id, token=secrets.token_urlsafe(32))
        db.session.add(feed)
        db.session.commit()
    elif renew:
        feed.token = secrets.token_urlsafe(32)
        db.session.commit()
    return feed.token


def feed_owner(token: str) -> CalendarFeed | None:
    # Only what feed_token() makes (URL-safe base64); anything else, NUL characters included, is unknown.
    if not token or not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token):
        return None
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))


# --- dashboard ----------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    quota: list[tuple[HostingOffer, int]]  # offer, visits holding a place
    by_sending_institution: list[tuple[Institution, int]]
    by_country: list[tuple[str, int]]
    by_month: list[tuple[str, list[Visit]]]  # "2027-03", visits that month (not cancelled)
    open_applications: list[MobilityApplication]
    waiting: int


def dashboard(partnership: Partnership) -> Dashboard:
    visits = [v for v in visits_in(partnership) if v.status in ACTIVE_STATUSES]
    quota = [(offer, quota_used(offer)) for offer in offers_in(partnership)]
    sending = Counter(v.application.institution_id for v in visits)
    institutions = {i.id: i for i in db.session.scalars(select(Institution).where(Institution.id.in_(sending)))}
    by_sending = sorted(((institutions[i], n) for i, n in sending.items()), key=lambda pair: pair[0].name)
    by_country = sorted(Counter(institutions[v.application.institution_id].country for v in visits).items())
    months = defaultdict(list)
    for visit in visits:
        months[visit.week_start.strftime("%Y-%m")].append(visit)
    open_applications = [a for a in applications_in(partnership) if a.status in (SUBMITTED, ENDORSED)
                         and active_visit_of(a) is None]
    waiting = db.session.scalar(select(func.count(func.distinct(WaitingListEntry.application_id))).join(HostingOffer)
                                .where(HostingOffer.partnership_id == partnership.id)) or 0
    return Dashboard(quota=quota, by_sending_institution=by_sending, by_country=by_country,
                     by_month=sorted(months.items()), open_applications=open_applications, waiting=waiting)


def visits_csv_rows(partnership: Partnership) -> list[list[str]]:
    rows = [["visit", "week", "monday", "friday", "status", "host", "host_country", "visitor",
             "sending_institution", "sending_country", "cancel_reason"]]
    for visit in visits_in(partnership):
        sender = visit.application.institution
        rows.append([str(visit.id), iso_week(visit.week_start), visit.week_start.isoformat(), friday(visit.week_start).isoformat(),
                     visit.status, visit.host.name, visit.host.country, visit.visitor.name, sender.name, sender.country,
                     visit.cancel_reason])
    return rows
