"""The demo step of events (seed-demo): the partnership's kick-off meeting (past, its attendance taken), a
three-day training event next month with a full programme whose places are all taken (people wait), and a
public webinar, all through the services the pages call; their texts are in demo_data/events.toml. Added once:
skipped when the demo partnership has its kick-off meeting already."""
from __future__ import annotations

import random
from datetime import date, time, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import func, select

from network.auth import services as accounts
from network.auth.models import User
from network.demo import PARTNERSHIP_REFERENCE, DemoDataError, check_fields, read_data
from network.demo_calendar import demo_calendar
from network.events import materials, services
from network.events.models import APPROVED, MEMBERS, PUBLIC, SESSION_KINDS, Event, EventRegistration
from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.practices.models import PUBLISHED, Practice

DATA = Path(__file__).with_name("demo_data")
EVENTS = ("kick_off", "training", "webinar", "multiplier_past", "multiplier_next")
EVENT_FIELDS = {"title": str, "kind": str, "host": str, "languages": list[str], "start": str, "end": str,
                "description": str}
OPTIONAL = {"address": str, "capacity": str, "link": str, "sessions": list[dict]}
SESSION_FIELDS = {"day": str, "start": str, "end": str, "title": str, "kind": str}
SESSION_OPTIONAL = {"speakers": str, "room": str, "description": str}
COORDINATOR_EMAIL, PROFESSIONAL_EMAIL = "coordinator@demo.example", "professional@demo.example"


def _time(value: str, where: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise DemoDataError(f"{where}: {value!r} is not a time (09:30)") from None


@cache
def load(folder: Path = DATA) -> dict[str, dict]:
    """The three events' texts and programmes, checked; DemoDataError names the file and what is wrong."""
    path = folder / "events.toml"
    data = read_data(folder, "events.toml")
    events = {}
    for name in EVENTS:
        if not isinstance(data.get(name), dict):
            raise DemoDataError(f"{path}: no [{name}] table")
        record = check_fields(data[name], f"{path}, [{name}]", EVENT_FIELDS, OPTIONAL)
        _time(record["start"], f"{path}, [{name}] start")
        _time(record["end"], f"{path}, [{name}] end")
        for n, session in enumerate(record.get("sessions", []), 1):
            where = f"{path}, [[{name}.sessions]] {n}"
            check_fields(session, where, SESSION_FIELDS, SESSION_OPTIONAL)
            if not session["day"].isdigit() or session["kind"] not in SESSION_KINDS:
                raise DemoDataError(f"{where}: day should be \"1\", \"2\"... and kind one of {', '.join(SESSION_KINDS)}")
            _time(session["start"], where)
            _time(session["end"], where)
        events[name] = record
    return events


def _institution(slug: str) -> Institution:
    institution = db.session.scalar(select(Institution).where(Institution.slug == slug))
    if institution is None:
        raise DemoDataError(f"{DATA / 'events.toml'}: no institution {slug!r} in the demo network")
    return institution


def _create(coordinator, partnership, record: dict, first: date, last: date,
            questions=("dietary", "accessibility", "travel"), **extra) -> Event:
    host = _institution(record["host"])
    online = "link" in record
    data = services.EventData(
        title=record["title"], kind=record["kind"], partnership_id=partnership.id, host_institution_id=host.id,
        description=record["description"].strip(), online=online, online_link=record.get("link", ""),
        address="" if online else record.get("address", ""), city="" if online else host.city,
        country="" if online else host.country, start_date=first, end_date=last,
        start_time=_time(record["start"], "start"), end_time=_time(record["end"], "end"),
        timezone=services.time_zone_of(host.country), languages=record["languages"],
        capacity=int(record["capacity"]) if record.get("capacity") else None,
        questions=list(questions), **extra)
    event = services.create_event(coordinator, data)
    for session in record.get("sessions", []):
        services.add_session(coordinator, event, services.SessionData(
            day=first + timedelta(days=int(session["day"]) - 1), start_time=_time(session["start"], "start"),
            end_time=_time(session["end"], "end"), title=session["title"], kind=session["kind"],
            speakers=session.get("speakers", ""), room=session.get("room", ""),
            description=session.get("description", "")))
    return event


def seed() -> dict[str, int]:
    """The demo events and their registrations, if the demo partnership has no kick-off meeting yet."""
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    texts = load()  # a data file that is missing or malformed stops the step before it writes anything
    if partnership is None or db.session.scalar(select(func.count(Event.id)).where(
            Event.partnership_id == partnership.id, Event.title == texts["kick_off"]["title"])):
        return {"events": 0, "registrations": 0}
    rng = random.Random(19)
    calendar = demo_calendar()
    today = calendar.today
    coordinator = accounts.find_user_by_email(COORDINATOR_EMAIL)
    professional = accounts.find_user_by_email(PROFESSIONAL_EMAIL)
    partners = {p.id for p in partnership.partners} | {partnership.coordinating_institution_id}
    members = [u for u in db.session.scalars(select(User).order_by(User.id))
               if u.is_approved_member and u.institution_id in partners and not u.roles and u.id != professional.id]
    registrations_before = db.session.scalar(select(func.count(EventRegistration.id)))

    # The kick-off took place: its registrations are written as they were, then attendance is taken.
    kick_off = _create(coordinator, partnership, texts["kick_off"], *calendar.kick_off, visibility=MEMBERS,
                       takes_registrations=True, registration_closes=calendar.kick_off[0] - timedelta(days=7))
    came = [coordinator, professional, *rng.sample(members, 10)]
    for n, person in enumerate(came, 1):
        db.session.add(EventRegistration(event=kick_off, user_id=person.id, status=APPROVED, sequence=n,
                                         answers={}))
    kick_off.registration_version = len(came)
    db.session.commit()
    services.mark_attendance(coordinator, kick_off, [person.id for person in came[:-1]])  # one did not come

    # The training event next month: twelve places, fifteen people registered, the last three waiting.
    first, last = calendar.next_training
    training = _create(coordinator, partnership, texts["training"], first, last, visibility=MEMBERS,
                       takes_registrations=True, registration_opens=today - timedelta(days=10),
                       registration_closes=first - timedelta(days=3))
    for person in [professional, *rng.sample(members, 14)]:
        services.register(person, training, {"dietary": rng.choice(["", "", "Vegetarian", "No pork, please"])})
    # Its materials: a practice it builds on, for everyone; another next to its first session, for the registered.
    linked = db.session.scalars(select(Practice.id).where(Practice.status == PUBLISHED, Practice.visibility == "public")
                                .order_by(Practice.id).limit(2)).all()
    for n, practice_id in enumerate(linked):
        materials.add_link(coordinator, training, materials.MaterialData(
            link_kind="practice", link=str(practice_id), session_id=training.sessions[0].id if n else None,
            audience="registered" if n else "everyone"))

    # The webinar, open to everyone, online.
    webinar = _create(coordinator, partnership, texts["webinar"], calendar.webinar, calendar.webinar,
                      questions=(), visibility=PUBLIC, takes_registrations=True,
                      registration_opens=today - timedelta(days=5), registration_closes=calendar.webinar - timedelta(days=1))
    for person in rng.sample(members, 6):
        services.register(person, webinar)

    # Multiplier events, where partners pass on what they learned to colleagues at home: one took place (its
    # people came without registering on the platform), one is to come and open to everyone.
    held, coming = calendar.multiplier_events
    _create(coordinator, partnership, texts["multiplier_past"], held, held, questions=(), visibility=PUBLIC,
            takes_registrations=False)
    multiplier = _create(coordinator, partnership, texts["multiplier_next"], coming, coming, questions=("accessibility",),
                         visibility=PUBLIC, takes_registrations=True, registration_opens=today - timedelta(days=3),
                         registration_closes=coming - timedelta(days=2))
    for person in rng.sample(members, 4):
        services.register(person, multiplier)
    added = db.session.scalar(select(func.count(EventRegistration.id))) - registrations_before
    return {"events": len(EVENTS), "registrations": added}
