"""Events: every write (events, their programme, registrations, attendance, the event of a completed visit) and
the reads shared by the pages, the calendars and the features above (essays).

Places are counted under a lock: every change to an event's registrations first bumps the event's
registration_version, which makes concurrent changes to one event wait for each other (a row lock on
PostgreSQL, the write lock on SQLite) before they count the places, as mobility's bookings do: two people
registering at once never both take the last place. The new value also orders the waiting list, first come,
first served. Each write validates first and commits once; notifications are written in its transaction and
their emails sent after the commit.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, fields, replace
from datetime import date, time, timedelta
from decimal import Decimal
from functools import cache
from importlib import resources
from zoneinfo import available_timezones

from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, true, update
from sqlalchemy.orm import selectinload

from network import audit, i18n, labels, permissions
from network.auth.models import COORDINATOR, INSTITUTION_ADMIN, User
from network.certificates import pdf as certificate_pdfs
from network.certificates import services as certificates
from network.certificates.models import Certificate
from network.errors import ServiceError
from network.events import signals
from network.events.models import (
    ACTIVE,
    APPROVED,
    CANCELLED,
    DECLINED,
    DEFAULT_TIMEZONE,
    EVENT_KINDS,
    FORM_KINDS,
    HOLDS_A_PLACE,
    JOB_SHADOWING,
    MEMBERS,
    PARTNERSHIP,
    PENDING,
    PUBLIC,
    QUESTIONS,
    SESSION_KINDS,
    VISIBILITIES,
    WAITING,
    Event,
    EventRegistration,
    EventSession,
    event_participants,
)
from network.extensions import db
from network.institutions import services as institutions
from network.institutions.models import Institution, Partnership, partnership_partners
from network.mobility import weeks
from network.mobility.models import Visit
from network.notifications import services as notifications
from network.notifications.models import Notification
from network.types import utcnow

TITLE_MAX, DESCRIPTION_MAX, LINK_MAX, ADDRESS_MAX, CITY_MAX = 300, 20_000, 500, 300, 120
ANSWER_MAX, SPEAKERS_MAX, ROOM_MAX, SESSION_TEXT_MAX = 500, 500, 120, 5_000
MAX_CAPACITY, MAX_DAYS, MAX_SESSIONS = 10_000, 60, 300
NOTIFICATION = "event"  # the notifications' kind
_WEB_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def today() -> date:
    """Mobility's one clock (tests move it there): registration, cancellation and attendance follow it."""
    return weeks.today()


def has_begun(event: Event, as_of: date | None = None) -> bool:
    return (as_of or today()) >= event.start_date


def is_over(event: Event, as_of: date | None = None) -> bool:
    return (as_of or today()) > event.end_date


def page_link(event: Event) -> str:
    return f"/events/{event.id}"


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name the platform knows (tzdata), sorted."""
    return tuple(sorted(available_timezones()))


def is_time_zone(name: str) -> bool:
    return bool(name) and name in _zone_set()


@cache
def _zone_set() -> frozenset[str]:
    return frozenset(time_zones())


@cache
def _zones_by_country() -> dict[str, str]:
    """Country code -> its first time zone in the tz database's zone.tab (Spain: Europe/Madrid)."""
    try:
        text_ = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return {}
    zones: dict[str, str] = {}
    for line in text_.splitlines():
        parts = line.split("\t")
        if not line.startswith("#") and len(parts) >= 3:
            zones.setdefault(parts[0], parts[2])
    return zones


def time_zone_of(country: str | None) -> str:
    """A first guess for an event's time zone: its country's (UTC when unknown)."""
    zone = _zones_by_country().get((country or "").upper(), DEFAULT_TIMEZONE)
    return zone if is_time_zone(zone) else DEFAULT_TIMEZONE


# --- reading ----------------------------------------------------------------------------------------


def get_event(event_id: int) -> Event | None:
    return db.session.get(Event, event_id)


def get_session(event: Event, session_id: int) -> EventSession | None:
    session = db.session.get(EventSession, session_id)
    return session if session is not None and session.event_id == event.id else None


def get_registration(event: Event, registration_id: int) -> EventRegistration | None:
    registration = db.session.get(EventRegistration, registration_id)
    return registration if registration is not None and registration.event_id == event.id else None


def events_in(partnership: Partnership) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.partnership_id == partnership.id)
                                   .order_by(Event.start_date, Event.id)))


def events_of(user) -> list[Event]:
    """The events the person took part in (attended, or the visit they made), newest first: what they may
    write essays about."""
    return list(db.session.scalars(select(Event).join(event_participants).where(
        event_participants.c.user_id == user.id).order_by(Event.start_date.desc(), Event.id.desc())))


def registration_of(user, event: Event) -> EventRegistration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(EventRegistration).where(EventRegistration.event_id == event.id,
                                                             EventRegistration.user_id == user.id))


def organisers_of(event: Event) -> list[User]:
    """Who is told about a registration waiting for approval: the coordinators and the host's admins."""
    people = {u.id: u for u in institutions.coordinators_of(event.partnership)}
    people.update({u.id: u for u in institutions.admins_of(event.host_institution_id)})
    return sorted(people.values(), key=lambda u: (u.name.lower(), u.id))


def visible_to(user):
    """permissions.can_view_event in SQL, for the lists."""
    if permissions.is_site_admin(user):
        return true()
    rules = [Event.visibility == PUBLIC]
    if not getattr(user, "is_authenticated", False):
        return or_(*rules)
    rules.append(Event.id.in_(select(EventRegistration.event_id).where(
        EventRegistration.user_id == user.id, EventRegistration.status.in_(ACTIVE))))
    rules.append(Event.id.in_(select(event_participants.c.event_id).where(event_participants.c.user_id == user.id)))
    if permissions.is_member(user):
        rules.append(Event.visibility == MEMBERS)
        institution_id = user.institution_id
        if permissions.is_evaluator(user):
            rules.append(Event.visibility == PARTNERSHIP)
        elif institution_id:
            rules.append(and_(Event.visibility == PARTNERSHIP, or_(
                Event.partnership_id.in_(select(Partnership.id).where(
                    Partnership.coordinating_institution_id == institution_id)),
                Event.partnership_id.in_(select(partnership_partners.c.partnership_id).where(
                    partnership_partners.c.institution_id == institution_id)))))
        if institution_id and user.is_approved_member:
            if user.has_role(COORDINATOR):  # organisers: their partnerships' events
                rules.append(Event.partnership_id.in_(select(Partnership.id).where(
                    Partnership.coordinating_institution_id == institution_id)))
            if user.has_role(INSTITUTION_ADMIN):  # and the events their institution hosts
                rules.append(Event.host_institution_id == institution_id)
    elif permissions.is_evaluator(user):
        rules.append(Event.visibility == PARTNERSHIP)
    return or_(*rules)


@dataclass
class ListFilters:
    kind: str = ""
    partnership: int | None = None
    country: str = ""  # a country code: events held there (online events have none)
    month: date | None = None  # its first day: events that run on at least one day of that month

    @property
    def chosen(self) -> bool:
        return bool(self.kind or self.partnership or self.country or self.month)


def month_end(first: date) -> date:
    """The last day of the month that starts on `first`."""
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def _listed(user, filters: ListFilters):
    query = select(Event).where(visible_to(user)).options(selectinload(Event.partnership))
    if filters.kind:
        query = query.where(Event.kind == filters.kind)
    if filters.partnership:
        query = query.where(Event.partnership_id == filters.partnership)
    if filters.country:
        query = query.where(Event.country == filters.country, Event.online.is_(False))
    if filters.month:
        query = query.where(Event.start_date <= month_end(filters.month), Event.end_date >= filters.month)
    return query


def events_between(user, filters: ListFilters, first: date, last: date) -> list[Event]:
    """The events this person may see that run on at least one day from `first` to `last` (the month calendar),
    by start."""
    return list(db.session.scalars(_listed(user, replace(filters, month=None))
                                   .where(Event.start_date <= last, Event.end_date >= first)
                                   .order_by(Event.start_date, Event.start_time, Event.id)))


def countries_with_events(user) -> list[str]:
    """The country codes of the events this person may see (held in a place), for the list's filter."""
    return sorted(code for code in db.session.scalars(
        select(Event.country).where(visible_to(user), Event.online.is_(False), Event.country != "").distinct()))


def upcoming(user, filters: ListFilters) -> list[Event]:
    """Events still to come or under way, soonest first."""
    return list(db.session.scalars(_listed(user, filters).where(Event.end_date >= today())
                                   .order_by(Event.start_date, Event.id)))


def past_query(user, filters: ListFilters):
    """Events that are over, the latest first (paginated by the page)."""
    return _listed(user, filters).where(Event.end_date < today()).order_by(Event.start_date.desc(), Event.id.desc())


def partnerships_with_events(user) -> list[Partnership]:
    ids = select(Event.partnership_id).where(visible_to(user)).distinct()
    return list(db.session.scalars(select(Partnership).where(Partnership.id.in_(ids)).order_by(Partnership.title)))


def registrations(event: Event, status: str = "") -> list[EventRegistration]:
    query = select(EventRegistration).where(EventRegistration.event_id == event.id)
    if status:
        query = query.where(EventRegistration.status == status)
    return list(db.session.scalars(query.order_by(EventRegistration.sequence, EventRegistration.id)))


def status_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(select(EventRegistration.status, func.count()).where(
        EventRegistration.event_id == event.id).group_by(EventRegistration.status))
    return dict(rows.all())


def waiting_list(event: Event) -> list[EventRegistration]:
    """Who waits for a place, in the order they registered."""
    return registrations(event, WAITING)


def places_taken(event: Event) -> int:
    """Registrations holding a place (approved, or waiting for the organisers' approval)."""
    return db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == event.id, EventRegistration.status.in_(HOLDS_A_PLACE))) or 0


def places_left(event: Event) -> int | None:
    """None: no limit."""
    if event.capacity is None:
        return None
    return max(event.capacity - places_taken(event), 0)


def programme(event: Event) -> list[tuple[date, list[EventSession]]]:
    """Every day of the event with its sessions, in the organisers' order."""
    by_day: dict[date, list[EventSession]] = defaultdict(list)
    for session in event.sessions:
        by_day[session.day].append(session)
    return [(day, by_day.get(day, [])) for day in event.days]


def attendance_list(event: Event) -> list[tuple[User, bool]]:
    """The people attendance is taken for (approved registrations, and anyone marked already), by name, with
    whether they attended."""
    attended = {person.id: person for person in event.participants}
    people = dict(attended)
    for registration in registrations(event, APPROVED):
        people.setdefault(registration.user_id, registration.user)
    return [(person, person.id in attended) for person in sorted(people.values(), key=lambda u: (u.name.lower(), u.id))]


# Why registration is refused, as the event page says it.
NO_REGISTRATION, NOT_YET, CLOSED, BEGUN, OPEN = "none", "not_yet", "closed", "begun", "open"


def registration_state(event: Event, as_of: date | None = None) -> str:
    day = as_of or today()
    if not event.takes_registrations:
        return NO_REGISTRATION
    if day >= event.start_date:
        return BEGUN
    if event.registration_opens and day < event.registration_opens:
        return NOT_YET
    if event.registration_closes and day > event.registration_closes:
        return CLOSED
    return OPEN


def registration_refusal(event: Event, as_of: date | None = None):
    """The reason registration is refused today, or None when it is open."""
    state = registration_state(event, as_of)
    return {
        NO_REGISTRATION: _l("This event takes no registrations on the platform."),
        NOT_YET: _l("Registration opens on %(date)s.", date=_day(event.registration_opens)),
        CLOSED: _l("Registration closed on %(date)s.", date=_day(event.registration_closes)),
        BEGUN: _l("The event has begun: registration is closed."),
    }.get(state)


def _day(value: date | None) -> str:
    return format_date(value, "long") if value else ""


# --- the lock and the waiting list ------------------------------------------------------------------


def _lock(event: Event) -> int:
    """The first write of a registration change: concurrent changes to this event queue here. Returns the
    event's new registration_version (the waiting list's order)."""
    db.session.execute(update(Event).where(Event.id == event.id)
                       .values(registration_version=Event.registration_version + 1)
                       .execution_options(synchronize_session=False))
    return db.session.scalar(select(Event.registration_version).where(Event.id == event.id))


def _fresh(registration_id: int) -> EventRegistration:
    """The registration as it is now (read again under the lock)."""
    return db.session.scalars(select(EventRegistration).where(EventRegistration.id == registration_id)
                              .execution_options(populate_existing=True)).one()


def _fill_places(event: Event) -> list[notifications.Email]:
    """Give the places left to the waiting list, in order (approved, or pending when the organisers approve).
    Call under the lock. Nobody moves up once the event has begun. The emails to send after the commit."""
    if has_begun(event):
        return []
    left = places_left(event)
    emails = []
    for registration in waiting_list(event):
        if left is not None and left <= 0:
            break
        registration.status = PENDING if event.requires_approval else APPROVED
        if left is not None:
            left -= 1
        if registration.status == APPROVED:
            message = _l("A place became free at “%(title)s”: you moved up from the waiting list and are "
                         "registered.", title=event.title)
        else:
            message = _l("A place became free at “%(title)s”: you moved up from the waiting list; the organisers "
                         "will now approve your registration.", title=event.title)
        audit.record(None, "event.moved_up", event, label=event.title, registration=registration.id)
        emails += notifications.notify([registration.user], NOTIFICATION, message, page_link(event))
    return emails


def free_place(event: Event) -> list[notifications.Email]:
    """A place was given up outside the registration pages (an account deleted): the waiting list moves up, in
    the caller's transaction. The emails to send after its commit."""
    _lock(event)
    return _fill_places(event)


# --- registration -----------------------------------------------------------------------------------


def _clean_answers(event: Event, answers: dict) -> dict[str, str]:
    cleaned, errors = {}, {}
    for code in event.questions:
        text_ = _long_text(answers.get(code))
        if len(text_) > ANSWER_MAX:
            errors[code] = [_l("Keep the answer under %(n)d characters.", n=ANSWER_MAX)]
        elif text_:
            cleaned[code] = text_
    if errors:
        raise ServiceError(errors)
    return cleaned


def register(actor, event: Event, answers: dict | None = None) -> EventRegistration:
    """Register the person: approved (or pending, when the organisers approve each registration) while places
    are left, otherwise on the waiting list."""
    if not permissions.can_register_for_event(actor, event):
        raise ServiceError.one("registration", _l("Only approved members of the network who may see this event "
                                                  "can register for it."))
    refusal = registration_refusal(event)
    if refusal is not None:
        raise ServiceError.one("registration", refusal)
    given = _clean_answers(event, answers or {})
    sequence = _lock(event)
    registration = registration_of(actor, event)
    if registration is not None:
        registration = _fresh(registration.id)
        if registration.status in ACTIVE:
            db.session.rollback()
            raise ServiceError.one("registration", _l("You are registered for this event already."))
        if registration.status == DECLINED:
            db.session.rollback()
            raise ServiceError.one("registration", _l("The organisers declined your registration for this event."))
    if event.capacity is not None and places_taken(event) >= event.capacity:
        status = WAITING
    else:
        status = PENDING if event.requires_approval else APPROVED
    if registration is None:
        registration = EventRegistration(event=event, user_id=actor.id, status=status)
        db.session.add(registration)
    registration.status, registration.sequence, registration.answers = status, sequence, given
    registration.registered_at, registration.decided_at, registration.cancelled_at = utcnow(), None, None
    audit.record(actor, "event.register", event, label=event.title, status=status)
    db.session.flush()
    emails = notifications.notify([actor], NOTIFICATION, _registered_message(event, registration), page_link(event))
    if status == PENDING:
        others = [person for person in organisers_of(event) if person.id != actor.id]
        emails += notifications.notify(others, NOTIFICATION, _l("A registration for “%(title)s” waits for your "
                                                                "approval.", title=event.title),
                                       f"/events/{event.id}/participants?status={PENDING}")
    db.session.commit()
    notifications.send(emails, "event notification")
    return registration


def waiting_position(registration: EventRegistration) -> int:
    """1 for the first on the waiting list."""
    return 1 + (db.session.scalar(select(func.count(EventRegistration.id)).where(
        EventRegistration.event_id == registration.event_id, EventRegistration.status == WAITING,
        EventRegistration.sequence < registration.sequence)) or 0)


def _registered_message(event: Event, registration: EventRegistration):
    if registration.status == APPROVED:
        return _l("Your registration for “%(title)s” is confirmed.", title=event.title)
    if registration.status == PENDING:
        return _l("Your registration for “%(title)s” is received: the organisers will approve it.", title=event.title)
    return _l("“%(title)s” is full: you are number %(position)d on the waiting list, and are told when a place "
              "becomes free.", title=event.title, position=waiting_position(registration))


def cancel_registration(actor, event: Event) -> EventRegistration:
    """The person cancels their registration (before the event begins); their place goes to the waiting list."""
    registration = registration_of(actor, event)
    if registration is None or registration.status not in ACTIVE:
        raise ServiceError.one("registration", _l("You are not registered for this event."))
    if has_begun(event):
        raise ServiceError.one("registration", _l("The event has begun: the registration can no longer be "
                                                  "cancelled."))
    _lock(event)
    registration = _fresh(registration.id)
    if registration.status not in ACTIVE:
        db.session.rollback()
        raise ServiceError.one("registration", _l("You are not registered for this event."))
    held = registration.status in HOLDS_A_PLACE
    registration.status, registration.cancelled_at = CANCELLED, utcnow()
    audit.record(actor, "event.cancel_registration", event, label=event.title)
    db.session.flush()
    emails = _fill_places(event) if held else []
    db.session.commit()
    notifications.send(emails, "event notification")
    return registration


def decide_registration(actor, registration: EventRegistration, approve: bool) -> EventRegistration:
    """The organisers approve a pending registration, or decline a pending or waiting one (its place, if it
    held one, goes to the waiting list)."""
    event = registration.event
    if not permissions.organises_event(actor, event):
        raise ServiceError.one("registration", _l("Only the event's organisers decide on registrations."))
    _lock(event)
    registration = _fresh(registration.id)
    if approve and registration.status != PENDING:
        db.session.rollback()
        raise ServiceError.one("registration", _l("Only a registration waiting for approval can be approved."))
    if not approve and registration.status not in (PENDING, WAITING):
        db.session.rollback()
        raise ServiceError.one("registration", _l("Only a registration waiting for approval or on the waiting list "
                                                  "can be declined."))
    held = registration.status in HOLDS_A_PLACE
    registration.status, registration.decided_at = (APPROVED if approve else DECLINED), utcnow()
    audit.record(actor, "event.approve" if approve else "event.decline", event, label=event.title,
                 registration=registration.id)
    db.session.flush()
    message = (_l("The organisers approved your registration for “%(title)s”.", title=event.title) if approve
               else _l("The organisers declined your registration for “%(title)s”.", title=event.title))
    emails = notifications.notify([registration.user], NOTIFICATION, message, page_link(event))
    if held and not approve:
        emails += _fill_places(event)
    db.session.commit()
    notifications.send(emails, "event notification")
    return registration


def mark_attendance(actor, event: Event, user_ids, reason: str = "") -> tuple[int, int]:
    """The organisers tick who attended (from the first day on): attending makes a person a participant of the
    event (essays: they write about it). Once the event is over the certificates follow at once (see
    end_events): the ticked get theirs, the unticked lose theirs (revoked with `reason`, or a fixed one), and
    after the daily job has ended the event, those added are asked for their essay too (event_ended). Returns
    how many were added and removed."""
    if not permissions.organises_event(actor, event):
        raise ServiceError.one("attendance", _l("Only the event's organisers take attendance."))
    if not has_begun(event):
        raise ServiceError.one("attendance", _l("Attendance is taken once the event has begun (from %(date)s).",
                                                date=_day(event.start_date)))
    people = {person.id: person for person, _attended in attendance_list(event)}
    chosen = set(user_ids)
    if not chosen <= set(people):
        raise ServiceError.one("attendance", _l("Mark only people whose registration is approved."))
    before = {person.id for person in event.participants}
    if chosen == before:
        return 0, 0
    event.participants = sorted((people[i] for i in chosen), key=lambda u: (u.name.lower(), u.id))
    added, removed = len(chosen - before), len(before - chosen)
    audit.record(actor, "event.attendance", event, label=event.title, added=added, removed=removed)
    revoked, emails = [], []
    if is_over(event):
        db.session.flush()
        _issue_certificates(actor, event, event.participants)
        revoked = _revoke_certificates(actor, event, before - chosen, reason)
        if event.ended_at is not None and chosen - before:
            emails = _announce_end(event, [people[i] for i in sorted(chosen - before)], actor)
    db.session.commit()
    for code in revoked:
        certificate_pdfs.delete_pdf(code)
    notifications.send(emails, "event notification")
    return added, removed


# --- events -----------------------------------------------------------------------------------------


@dataclass
class EventData:
    title: str = ""
    kind: str = "training_event"
    partnership_id: int | None = None
    host_institution_id: int | None = None
    description: str = ""
    online: bool = False
    online_link: str = ""
    address: str = ""
    city: str = ""
    country: str = ""
    start_date: date | None = None
    end_date: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    timezone: str = DEFAULT_TIMEZONE
    languages: list[str] = field(default_factory=list)
    visibility: str = PARTNERSHIP
    takes_registrations: bool = True
    capacity: int | None = None
    registration_opens: date | None = None
    registration_closes: date | None = None
    requires_approval: bool = False
    questions: list[str] = field(default_factory=list)


# What notifies the registered when it changes: when and where.
WHEN_AND_WHERE = ("start_date", "end_date", "start_time", "end_time", "timezone", "online", "online_link", "address",
                  "city", "country")


def event_data_of(event: Event) -> EventData:
    return EventData(**{f.name: getattr(event, f.name) for f in fields(EventData)})


def _text(value) -> str:
    return str(value or "").replace("\x00", "").strip()


def _long_text(value) -> str:
    """A text of several lines as kept: line ends as "\n" (browsers send "\r\n"), no NUL, trimmed."""
    return str(value or "").replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _institutions_of(partnership: Partnership) -> set[int]:
    return {partnership.coordinating_institution_id} | {p.id for p in partnership.partners}


def _check_event(actor, data: EventData, event: Event | None) -> tuple[dict, Partnership | None, Institution | None]:
    errors: dict[str, list] = defaultdict(list)
    partnership = institutions.get_partnership(data.partnership_id) if data.partnership_id else None
    host = db.session.get(Institution, data.host_institution_id) if data.host_institution_id else None
    if partnership is None:
        errors["partnership_id"].append(_l("Choose the partnership the event belongs to."))
    else:
        if data.host_institution_id and (host is None or host.id not in _institutions_of(partnership)):
            errors["host_institution_id"].append(_l("Choose the host among the partnership's institutions."))
        elif not permissions.may_organise(actor, partnership, host):
            errors["partnership_id"].append(_l("You organise events of the partnerships you coordinate, or as the "
                                               "admin of the host institution."))
    title = _text(data.title)
    if not title:
        errors["title"].append(_l("Give the event a title."))
    elif len(title) > TITLE_MAX:
        errors["title"].append(_l("Keep the title under %(n)d characters.", n=TITLE_MAX))
    allowed_kinds = set(FORM_KINDS) | ({event.kind} if event is not None else set())
    if data.kind not in allowed_kinds or data.kind not in EVENT_KINDS:
        errors["kind"].append(_l("Choose the kind of event."))
    if len(data.description or "") > DESCRIPTION_MAX:
        errors["description"].append(_l("Keep the description under %(n)d characters.", n=DESCRIPTION_MAX))
    _check_dates(data, partnership, event, errors)
    if not is_time_zone(data.timezone or ""):
        errors["timezone"].append(_l("Choose the time zone of the event's place (for example Europe/Helsinki)."))
    if data.online:
        link = _text(data.online_link)
        if not _WEB_LINK.match(link) or len(link) > LINK_MAX:
            errors["online_link"].append(_l("Give the link of the online meeting (starting with https://)."))
    elif not _text(data.city):
        errors["city"].append(_l("Give the city where the event takes place, or tick “Online”."))
    if len(_text(data.address)) > ADDRESS_MAX:
        errors["address"].append(_l("Keep the address under %(n)d characters.", n=ADDRESS_MAX))
    if len(_text(data.city)) > CITY_MAX:
        errors["city"].append(_l("Keep the city under %(n)d characters.", n=CITY_MAX))
    if data.country and data.country not in labels.country_codes():
        errors["country"].append(_l("Choose a country from the list."))
    if any(code not in labels.language_codes() for code in data.languages):
        errors["languages"].append(_l("Choose languages from the list."))
    if data.visibility not in VISIBILITIES:
        errors["visibility"].append(_l("Choose who may see the event."))
    if any(code not in QUESTIONS for code in data.questions):
        errors["questions"].append(_l("Choose questions from the list."))
    if data.capacity is not None:
        if not 1 <= data.capacity <= MAX_CAPACITY:
            errors["capacity"].append(_l("The number of places goes from 1 to %(n)d (leave it empty for no limit).",
                                         n=MAX_CAPACITY))
        elif event is not None and data.capacity < places_taken(event):
            errors["capacity"].append(_l("%(n)d people have a place already: the number of places cannot be lower.",
                                         n=places_taken(event)))
    if data.takes_registrations and event is not None and event.visit_id is not None:
        errors["takes_registrations"].append(_l("The event of a visit takes no registrations."))
    if data.takes_registrations:
        opens, closes = data.registration_opens, data.registration_closes
        if opens and closes and closes < opens:
            errors["registration_closes"].append(_l("Registration cannot close before it opens."))
        elif data.start_date and closes and closes >= data.start_date:
            errors["registration_closes"].append(_l("Registration closes before the first day of the event."))
        elif data.start_date and opens and opens >= data.start_date:
            errors["registration_opens"].append(_l("Registration opens before the first day of the event."))
    return dict(errors), partnership, host


def _check_dates(data: EventData, partnership, event, errors) -> None:
    if data.start_date is None or data.end_date is None:
        errors["start_date"].append(_l("Give the first and last day of the event."))
        return
    if data.end_date < data.start_date:
        errors["end_date"].append(_l("The event cannot end before it starts."))
        return
    if (data.end_date - data.start_date).days >= MAX_DAYS:
        errors["end_date"].append(_l("An event lasts %(n)d days at most.", n=MAX_DAYS))
    if partnership is not None and (data.start_date < partnership.start_date or data.end_date > partnership.end_date):
        errors["start_date"].append(_l("The event must fall within the partnership's dates (%(start)s to %(end)s).",
                                       start=partnership.start_date.isoformat(), end=partnership.end_date.isoformat()))
    if data.end_time is not None and data.start_time is None:
        errors["start_time"].append(_l("Give the start time too, or no time at all."))
    elif (data.start_time and data.end_time and data.start_date == data.end_date
          and data.end_time <= data.start_time):
        errors["end_time"].append(_l("A one-day event ends after it starts."))
    if event is not None:
        outside = sorted({s.day for s in event.sessions if not data.start_date <= s.day <= data.end_date})
        if outside:
            errors["start_date"].append(_l("Sessions are planned on %(days)s: move or delete them before changing "
                                           "the dates.", days=", ".join(_day(d) for d in outside)))


def _stored(data: EventData) -> EventData:
    """The data as the event keeps it: texts trimmed, lists in a fixed order, what does not apply emptied."""
    registering = bool(data.takes_registrations)
    return replace(
        data, title=_text(data.title), description=_long_text(data.description),
        online=bool(data.online), online_link=_text(data.online_link) if data.online else "",
        address=_text(data.address), city=_text(data.city), country=data.country or "",
        languages=sorted(set(code.lower() for code in data.languages)), takes_registrations=registering,
        registration_opens=data.registration_opens if registering else None,
        registration_closes=data.registration_closes if registering else None,
        requires_approval=bool(data.requires_approval) and registering,
        questions=[code for code in QUESTIONS if code in set(data.questions)])


def _apply(event: Event, data: EventData, partnership: Partnership, host: Institution | None) -> None:
    event.partnership, event.host = partnership, host
    for f in fields(EventData):
        if f.name not in ("partnership_id", "host_institution_id"):
            setattr(event, f.name, getattr(data, f.name))


def create_event(actor, data: EventData) -> Event:
    """A new event, organised by the actor: a partnership they coordinate, or hosted by an institution they
    administer."""
    if not permissions.can_create_event(actor):
        raise ServiceError.one("event", _l("Coordinators and institution admins organise events."))
    errors, partnership, host = _check_event(actor, data, None)
    if errors:
        raise ServiceError(errors)
    event = Event()
    _apply(event, _stored(data), partnership, host)
    db.session.add(event)
    audit.record(actor, "event.create", event, label=event.title)
    db.session.commit()
    return event


def update_event(actor, event: Event, data: EventData) -> Event:
    """Change the event. The registered are told when its dates, times or place change; more places (or no
    limit) move the waiting list up."""
    if not permissions.organises_event(actor, event):
        raise ServiceError.one("event", _l("Only the event's organisers change it."))
    places_change = data.capacity != event.capacity
    if places_change:
        _lock(event)  # the places taken are counted (the check) and given (the waiting list) under the lock
    errors, partnership, host = _check_event(actor, data, event)
    if errors:
        db.session.rollback()
        raise ServiceError(errors)
    before, after = event_data_of(event), _stored(data)
    changed = [f.name for f in fields(EventData) if getattr(before, f.name) != getattr(after, f.name)]
    if not changed:
        return event
    more_places = places_change and (after.capacity is None or (before.capacity or 0) < after.capacity)
    _apply(event, after, partnership, host)
    audit.record(actor, "event.update", event, label=event.title, changed=changed)
    db.session.flush()
    emails = []
    if set(changed) & set(WHEN_AND_WHERE):
        emails += _tell_registered(event, "event_details", _l("The dates, times or place of “%(title)s” changed: "
                                                              "see the event's page.", title=event.title))
    if more_places:
        emails += _fill_places(event)
    db.session.commit()
    notifications.send(emails, "event notification")
    return event


def _tell_registered(event: Event, kind: str, message) -> list[notifications.Email]:
    """To the people whose registration is approved, once while they have not read the last such notice."""
    people = [r.user for r in registrations(event, APPROVED)]
    unread = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == kind, Notification.link == page_link(event), Notification.read_at.is_(None))))
    return notifications.notify([p for p in people if p.id not in unread], kind, message, page_link(event))


# --- the programme ----------------------------------------------------------------------------------


@dataclass
class SessionData:
    day: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    title: str = ""
    kind: str = "formal_session"
    speakers: str = ""
    room: str = ""
    description: str = ""


def session_data_of(session: EventSession) -> SessionData:
    return SessionData(**{f.name: getattr(session, f.name) for f in fields(SessionData)})


def _cleaned_session(data: SessionData) -> SessionData:
    return SessionData(day=data.day, start_time=data.start_time, end_time=data.end_time, title=_text(data.title),
                       kind=data.kind, speakers=_text(data.speakers), room=_text(data.room),
                       description=_long_text(data.description))


def _check_session(event: Event, data: SessionData) -> None:
    errors: dict[str, list] = defaultdict(list)
    if data.day is None or not event.start_date <= data.day <= event.end_date:
        errors["day"].append(_l("Choose a day of the event."))
    if not data.title:
        errors["title"].append(_l("Give the session a title."))
    elif len(data.title) > TITLE_MAX:
        errors["title"].append(_l("Keep the title under %(n)d characters.", n=TITLE_MAX))
    if data.kind not in SESSION_KINDS:
        errors["kind"].append(_l("Choose the kind of session."))
    if data.end_time is not None and data.start_time is None:
        errors["start_time"].append(_l("Give the start time too, or no time at all."))
    elif data.start_time and data.end_time and data.end_time <= data.start_time:
        errors["end_time"].append(_l("A session ends after it starts."))
    for name, limit in (("speakers", SPEAKERS_MAX), ("room", ROOM_MAX), ("description", SESSION_TEXT_MAX)):
        if len(getattr(data, name)) > limit:
            errors[name].append(_l("Keep this under %(n)d characters.", n=limit))
    if errors:
        raise ServiceError(dict(errors))


def _day_sessions(event: Event, day: date, without: EventSession | None = None) -> list[EventSession]:
    return [s for s in event.sessions if s.day == day and s is not without]


def _place(event: Event, session: EventSession) -> None:
    """Put the session among its day's sessions by its start time (after those without a later one), and
    number the day's sessions again."""
    others = sorted(_day_sessions(event, session.day, without=session), key=lambda s: (s.position, s.id or 0))
    index = len(others)
    if session.start_time is not None:
        index = next((n for n, other in enumerate(others)
                      if other.start_time is not None and other.start_time > session.start_time), len(others))
    others.insert(index, session)
    for position, other in enumerate(others):
        other.position = position


def _organiser_only(actor, event: Event) -> None:
    if not permissions.organises_event(actor, event):
        raise ServiceError.one("session", _l("Only the event's organisers change its programme."))


def add_session(actor, event: Event, data: SessionData) -> EventSession:
    _organiser_only(actor, event)
    data = _cleaned_session(data)
    _check_session(event, data)
    if len(event.sessions) >= MAX_SESSIONS:
        raise ServiceError.one("session", _l("A programme holds %(n)d sessions at most.", n=MAX_SESSIONS))
    session = EventSession(**{f.name: getattr(data, f.name) for f in fields(SessionData)})
    event.sessions.append(session)
    _place(event, session)
    audit.record(actor, "event.session_add", event, label=event.title, session=session.title)
    return _programme_changed(event, session)


def update_session(actor, session: EventSession, data: SessionData) -> EventSession:
    event = session.event
    _organiser_only(actor, event)
    data = _cleaned_session(data)
    _check_session(event, data)
    if data == session_data_of(session):
        return session  # sent back unchanged: nothing to save, nobody to tell
    moved = data.day != session.day or data.start_time != session.start_time
    for f in fields(SessionData):
        setattr(session, f.name, getattr(data, f.name))
    if moved:
        _place(event, session)
    audit.record(actor, "event.session_update", event, label=event.title, session=session.id)
    return _programme_changed(event, session)


def delete_session(actor, session: EventSession) -> None:
    event = session.event
    _organiser_only(actor, event)
    audit.record(actor, "event.session_delete", event, label=event.title, session=session.title)
    event.sessions.remove(session)
    _programme_changed(event, None)


def move_session(actor, session: EventSession, up: bool) -> EventSession:
    """One place earlier or later within its day (the programme without JavaScript: "Move up", "Move down")."""
    event = session.event
    _organiser_only(actor, event)
    day = sorted(_day_sessions(event, session.day), key=lambda s: (s.position, s.id))
    index = day.index(session)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(day):
        return session
    day[index], day[other] = day[other], day[index]
    for position, item in enumerate(day):
        item.position = position
    audit.record(actor, "event.session_move", event, label=event.title, session=session.id)
    return _programme_changed(event, session)


def _programme_changed(event: Event, session):
    db.session.flush()
    emails = _tell_registered(event, "event_programme", _l("The programme of “%(title)s” changed.",
                                                            title=event.title))
    db.session.commit()
    notifications.send(emails, "event notification")
    return session


# --- events recorded with their participants, and visits ---------------------------------------------


@dataclass
class RecordedEventData:
    """An event recorded with who took part (the essays' coordinators' form): no registration."""

    title: str = ""
    kind: str = "training_event"
    start_date: date | None = None
    end_date: date | None = None
    host_institution_id: int | None = None
    participant_ids: list[int] = field(default_factory=list)


def record_event(actor, partnership: Partnership, data: RecordedEventData) -> Event:
    """A coordinator records an event of the partnership with its participants (who may then write essays)."""
    if not permissions.can_record_event(actor, partnership):
        raise ServiceError.one("event", _l("Only the partnership's coordinators record its events."))
    errors: dict[str, list] = defaultdict(list)
    title = (data.title or "").strip()
    if not title:
        errors["title"].append(_l("Give the event a title."))
    elif len(title) > TITLE_MAX:
        errors["title"].append(_l("Keep the title under %(n)d characters.", n=TITLE_MAX))
    if data.kind not in EVENT_KINDS:
        errors["kind"].append(_l("Choose the kind of event."))
    if data.start_date is None or data.end_date is None:
        errors["start_date"].append(_l("Give the first and last day of the event."))
    elif data.end_date < data.start_date:
        errors["end_date"].append(_l("The event cannot end before it starts."))
    elif data.start_date < partnership.start_date or data.end_date > partnership.end_date:
        errors["start_date"].append(_l("The event must fall within the partnership's dates (%(start)s to %(end)s).",
                                       start=partnership.start_date.isoformat(), end=partnership.end_date.isoformat()))
    members = _institutions_of(partnership)
    host = db.session.get(Institution, data.host_institution_id) if data.host_institution_id else None
    if data.host_institution_id and (host is None or host.id not in members):
        errors["host_institution_id"].append(_l("Choose the host among the partnership's institutions."))
    people = (list(db.session.scalars(select(User).where(User.id.in_(data.participant_ids))))
              if data.participant_ids else [])
    if len(people) != len(set(data.participant_ids)) or any(
            not p.is_approved_member or p.institution_id not in members for p in people):
        errors["participant_ids"].append(_l("Choose participants among the approved members of the partnership's "
                                            "institutions."))
    if errors:
        raise ServiceError(dict(errors))
    event = Event(partnership=partnership, title=title, kind=data.kind, start_date=data.start_date,
                  end_date=data.end_date, host=host, participants=people,
                  city=host.city if host else "", country=host.country if host else "",
                  timezone=time_zone_of(host.country if host else None))
    db.session.add(event)
    audit.record(actor, "event.create", event, label=title)
    db.session.commit()
    return event


def visit_event_of(visit: Visit) -> Event | None:
    return db.session.scalar(select(Event).where(Event.visit_id == visit.id))


def ensure_visit_event(visit: Visit) -> Event:
    """A completed visit is an event of kind job-shadowing visit for its visitor (added to the caller's
    transaction, flushed: it has its id)."""
    event = visit_event_of(visit)
    if event is None:
        host = visit.host
        event = Event(partnership_id=visit.partnership_id, kind=JOB_SHADOWING, visit_id=visit.id,
                      title="",  # written when shown, in the reader's language (Event.title)
                      start_date=visit.week_start, end_date=weeks.friday(visit.week_start),
                      host=host, participants=[visit.visitor],
                      city=host.city or "", country=host.country or "", timezone=time_zone_of(host.country))
        db.session.add(event)
        db.session.flush()
    return event


def on_visit_completed(visit: Visit, actor=None) -> list:
    """Receiver of mobility's visit_completed: the visit becomes an event (no email of its own)."""
    ensure_visit_event(visit)
    return []


# --- certificates of attendance, the reminder, the end of an event -----------------------------------
# Registered by the feature's plug (network/events/__init__.py).
CERTIFICATE_KIND, CERTIFICATE_SUBJECT = "event_attendance", "event"
CERTIFICATE_SENTENCE = _l("attended “%(title)s”")
CERTIFICATE_HEADING = _l("Certificate of attendance")
REMIND_DAYS_BEFORE = 2
REMINDER = "event_reminder"  # the reminder's notification kind


def gives_certificates(event: Event) -> bool:
    """Every event but the one made of a completed visit: that visit is mobility's (the host confirmed the week,
    not the organisers' attendance list), it has no programme to count hours from, and the visitor is asked for
    their essay by visit_completed already. An event of kind job-shadowing visit that organisers set up
    themselves, with registration and attendance, gives them like any other."""
    return event.visit_id is None


def may_revoke_certificate(user, certificate: Certificate) -> bool:
    """The certificates' registry asks: the organisers of the event a certificate of attendance is for."""
    event = get_event(certificate.subject_id) if certificate.subject_type == CERTIFICATE_SUBJECT else None
    return event is not None and permissions.organises_event(user, event)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def programme_hours(event: Event) -> Decimal | None:
    """The time the programme's sessions with a start and an end time cover, day by day, sessions at the same
    time counted once (parallel workshops); None when no session has both times."""
    spans: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for session in event.sessions:
        if session.start_time and session.end_time and session.end_time > session.start_time:
            spans[session.day].append((_minutes(session.start_time), _minutes(session.end_time)))
    if not spans:
        return None
    total = 0
    for intervals in spans.values():
        covered_until = -1
        for start, end in sorted(intervals):
            if end > covered_until:
                total += end - max(start, covered_until)
                covered_until = end
    return (Decimal(total) / 60).quantize(Decimal("0.01"))


def certificate_issuer(event: Event) -> str:
    return event.host.name if event.host is not None else event.partnership.title


def certificates_by_person(event: Event) -> dict[int, Certificate]:
    """The event's certificates of attendance (revoked ones too), by holder (the organisers' page)."""
    return {c.person_id: c for c in certificates.certificates_for(CERTIFICATE_KIND, CERTIFICATE_SUBJECT, event.id)
            if c.person_id is not None}


def certificate_of(user, event: Event) -> Certificate | None:
    """The person's certificate of attendance for the event (revoked too), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return next((c for c in certificates.certificates_of(user) if c.kind == CERTIFICATE_KIND
                 and c.subject_type == CERTIFICATE_SUBJECT and c.subject_id == event.id), None)


def _issue_certificates(actor, event: Event, people) -> None:
    """Each person's certificate, in the caller's transaction (issuing again returns the one they have)."""
    if not gives_certificates(event):
        return
    hours, issuer = programme_hours(event), certificate_issuer(event)
    for person in people:
        certificates.issue(person, CERTIFICATE_KIND, CERTIFICATE_SUBJECT, event.id, event.title, issuer,
                           hours=hours, issued_on=event.end_date, actor=actor, commit=False)


def _revoke_certificates(actor, event: Event, user_ids, reason: str) -> list[str]:
    """The certificates of the people no longer marked as attended, revoked in the caller's transaction; the
    codes whose PDF goes after the commit. The reason is the organiser's, or a fixed one in their language (a
    typed one would be too)."""
    held = certificates_by_person(event) if user_ids else {}
    reason = _text(reason) or str(_l("Removed from the event's attendance by its organisers."))
    revoked = []
    for user_id in sorted(user_ids):
        certificate = held.get(user_id)
        if certificate is not None and not certificate.revoked:
            certificates.revoke(actor, certificate, reason, commit=False)
            revoked.append(certificate.code)
    return revoked


def _announce_end(event: Event, people, actor) -> list[notifications.Email]:
    """events.signals.event_ended, in the transaction; the emails its receivers return."""
    emails: list[notifications.Email] = []
    for _receiver, more in signals.event_ended.send(event, participants=list(people), actor=actor):
        emails += more or []
    return emails


def end_events(as_of: date | None = None) -> int:
    """The daily job (network/events/tasks.py): each event over since it last ran (its last day before today),
    but those made of a visit, is ended once: its participants get their certificates of attendance and
    event_ended is sent (essays ask them for their essay). One transaction per event, which first claims it
    (ended_at, set only where it is still empty): two runs at once end each event once, and a failure leaves
    the events ended before it ended. Returns how many were ended."""
    day = as_of or today()
    due = db.session.scalars(select(Event.id).where(
        Event.end_date < day, Event.ended_at.is_(None), Event.visit_id.is_(None))
        .order_by(Event.end_date, Event.id)).all()
    ended = 0
    for event_id in due:
        claimed = db.session.execute(update(Event).where(Event.id == event_id, Event.ended_at.is_(None))
                                     .values(ended_at=utcnow()).execution_options(synchronize_session=False))
        if not claimed.rowcount:
            db.session.rollback()
            continue
        event = db.session.scalars(select(Event).where(Event.id == event_id)
                                   .execution_options(populate_existing=True)).one()
        people = list(event.participants)
        _issue_certificates(None, event, people)
        audit.record(None, "event.ended", event, label=event.title, participants=len(people))
        emails = _announce_end(event, people, None)
        db.session.commit()
        notifications.send(emails, "event notification")
        ended += 1
    return ended


def remind_participants(as_of: date | None = None) -> int:
    """The daily job: the people whose registration is approved for an event that begins within
    REMIND_DAYS_BEFORE days are reminded of it, each once (reminded_at, claimed in the statement that reads
    them: a second run, or two at once, finds nobody left). A day the job did not run is caught up the next
    day, while the event has not begun. Returns how many were reminded."""
    day = as_of or today()
    soon = db.session.scalars(select(Event).where(
        Event.start_date > day, Event.start_date <= day + timedelta(days=REMIND_DAYS_BEFORE),
        Event.id.in_(select(EventRegistration.event_id).where(
            EventRegistration.status == APPROVED, EventRegistration.reminded_at.is_(None))))
        .order_by(Event.start_date, Event.id)).all()
    reminded = 0
    for event in soon:
        claimed = db.session.scalars(
            update(EventRegistration).where(EventRegistration.event_id == event.id,
                                            EventRegistration.status == APPROVED,
                                            EventRegistration.reminded_at.is_(None))
            .values(reminded_at=utcnow()).returning(EventRegistration.user_id)
            .execution_options(synchronize_session=False)).all()
        people = db.session.scalars(select(User).where(User.id.in_(claimed)).order_by(User.id)).all()
        emails: list[notifications.Email] = []
        for person in people:
            with force_locale(i18n.user_locale(person)):  # the date as the person reads it
                starts = format_date(event.start_date, "full")
            emails += notifications.notify([person], REMINDER, _l(
                "Reminder: “%(title)s” begins on %(date)s. The programme and the practical details are on its page.",
                title=event.title, date=starts), page_link(event))
        db.session.commit()
        notifications.send(emails, "event reminder")
        reminded += len(people)
    return reminded
