"""The demo step of essays (seed-demo): two training events besides the completed visits, 40+ essays in several
languages and every state, and evaluators' assessments, so the archive and the report show real
aggregates; the essays are made of the sentences in demo_data/texts.toml. Added once: skipped when the demo
partnership already has essays."""
from __future__ import annotations

import random
from functools import cache
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select

from network.auth import services as accounts
from network.auth.models import EVALUATOR, User
from network.demo import DEMO_PASSWORD, PARTNERSHIP_REFERENCE, DemoDataError, check_fields, read_data
from network.demo_calendar import demo_calendar
from network.essays import services as essays
from network.essays.models import Essay
from network.essays.services import AssessmentData, EssayData
from network.events import services as event_services
from network.events.models import Event
from network.extensions import db
from network.institutions.models import Partnership

DATA = Path(__file__).with_name("demo_data")
LANGUAGE_OF_COUNTRY = {"ES": "es", "RO": "ro", "FI": "fi", "BE": "fr", "LU": "fr"}
STRENGTHS = ["concrete plans", "honest reflection", "links to theory", "clear examples", "team involvement"]
WEAKNESSES = ["vague about next steps", "mostly descriptive", "no link to own context", "too short"]
SKILLS = ["group facilitation", "motivational interviewing", "family group conferencing", "networking with services",
          "reflective practice", "working with interpreters"]
COORDINATOR_EMAIL, EVALUATOR_EMAIL = "coordinator@demo.example", "evaluator@demo.example"


class Texts(NamedTuple):
    """One language's sentences: an essay is a title, an opening, paragraphs of body sentences, a closing."""
    titles: list[str]  # {place}: the host's city, or the event's title
    openings: list[str]
    body: list[str]
    closings: list[str]


@cache
def load_texts(folder: Path = DATA) -> dict[str, Texts]:
    """Language -> its sentences (English among them: the language of any other), from demo_data/texts.toml."""
    path = folder / "texts.toml"
    texts = {}
    for language, record in read_data(folder, "texts.toml").items():
        if not isinstance(record, dict):
            raise DemoDataError(f"{path}: {language} should be a table ([{language}])")
        fields = {name: list[str] for name in Texts._fields}
        texts[language] = Texts(**check_fields(record, f"{path}, [{language}]", fields))
        if not all(texts[language]):
            raise DemoDataError(f"{path}, [{language}]: a list is empty")
    if "en" not in texts:
        raise DemoDataError(f"{path}: no [en]")
    return texts


def _essay_text(rng: random.Random, language: str) -> str:
    texts = load_texts()
    _titles, openings, middles, closings = texts.get(language, texts["en"])
    paragraphs = [rng.choice(openings)]
    for _ in range(rng.randint(3, 6)):
        paragraphs.append(" ".join(rng.sample(middles, min(len(middles), rng.randint(2, 3)))))
    paragraphs.append(rng.choice(closings))
    return "\n\n".join(paragraphs)


def seed() -> dict[str, int]:
    """Events, essays and assessments, if the demo partnership has no essays yet; how many were added (essays:
    how many there are; users: the second evaluator)."""
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    if partnership is None or db.session.scalar(
            select(func.count(Essay.id)).join(Event).where(Event.partnership_id == partnership.id)):
        return {"events": 0, "essays": 0, "assessments": 0}
    load_texts()  # a data file that is missing or malformed stops the step before it writes anything
    users_before = db.session.scalar(select(func.count(User.id)))
    rng = random.Random(6)
    calendar = demo_calendar()
    coordinator = accounts.find_user_by_email(COORDINATOR_EMAIL)
    evaluators = [accounts.find_user_by_email(EVALUATOR_EMAIL)]
    second = "second-evaluator@demo.example"
    evaluators.append(accounts.find_user_by_email(second) or accounts.create_user(
        "Kerstin Berg", second, DEMO_PASSWORD, evaluators[0].institution, roles=[EVALUATOR]))

    members = [u for u in db.session.scalars(select(User).order_by(User.id))
               if u.is_approved_member and u.institution_id and u.institution in partnership.partners
               and not u.roles]
    partners = list(partnership.partners)
    events = [
        event_services.record_event(coordinator, partnership, event_services.RecordedEventData(
            title="Short-term training: family group conferencing", kind="training_event",
            start_date=calendar.training_event[0], end_date=calendar.training_event[1],
            host_institution_id=partners[-1].id,
            participant_ids=[u.id for u in rng.sample(members, 18)])),
        event_services.record_event(coordinator, partnership, event_services.RecordedEventData(
            title="Online course: community resources mapping", kind="online_course",
            start_date=calendar.online_course[0], end_date=calendar.online_course[1],
            host_institution_id=partners[0].id,
            participant_ids=[u.id for u in rng.sample(members, 18)])),
    ]
    visit_events = list(db.session.scalars(select(Event).where(
        Event.partnership_id == partnership.id, Event.visit_id.is_not(None))))
    written = []
    for event in visit_events + events:
        for person in list(event.participants):
            language = LANGUAGE_OF_COUNTRY.get(person.institution.country, "en") if rng.random() < 0.7 else "en"
            essay = essays.start_essay(person, event)
            data = EssayData(title=_title(rng, language, event), body=_essay_text(rng, language), language=language,
                             display=rng.choice(["named", "named", "anonymous", "private"]))
            state = rng.random()
            if state < 0.12:
                essays.save_draft(person, essay, data)
                continue
            essays.submit_essay(person, essay, data)
            if state < 0.25:
                essays.return_essay(coordinator, essay, "Could you say more about what your team will change?")
            elif state < 0.8:
                essays.publish_essay(coordinator, essay)
            written.append(essay)
    _kick_off_essays(partnership, coordinator)
    criteria = essays.rubric_of(partnership)
    assessments = 0
    for essay in written:
        if essay.status not in ("submitted", "published"):
            continue
        for evaluator in evaluators[: rng.choice([1, 1, 2])]:
            essays.assess(evaluator, essay, AssessmentData(
                scores={c.id: min(5, max(1, round(rng.gauss(3.4, 0.9)))) for c in criteria},
                strengths=rng.sample(STRENGTHS, rng.randint(1, 2)),
                weaknesses=rng.sample(WEAKNESSES, rng.randint(0, 1)),
                skills=rng.sample(SKILLS, rng.randint(1, 3)),
                notes="Read for the interim report."))
            assessments += 1
    total = db.session.scalar(select(func.count(Essay.id)))
    users = db.session.scalar(select(func.count(User.id))) - users_before
    return {"events": len(events), "essays": total, "assessments": assessments, "users": users}


def _kick_off_essays(partnership: Partnership, coordinator) -> int:
    """Three of the kick-off meeting's participants (the events' demo step took its attendance) wrote what they
    took from it, published under their names. A generator of its own, so the other essays stay as they were."""
    rng = random.Random(13)
    kick_off = db.session.scalar(select(Event).where(Event.partnership_id == partnership.id,
                                                     Event.kind == "partner_meeting").order_by(Event.id))
    if kick_off is None:
        return 0
    writers = [person for person in kick_off.participants if not person.roles][:3]
    for person in writers:
        language = LANGUAGE_OF_COUNTRY.get(person.institution.country, "en")
        essay = essays.start_essay(person, kick_off)
        essays.submit_essay(person, essay, EssayData(
            title=_title(rng, language, kick_off), body=_essay_text(rng, language), language=language,
            display="named"))
        essays.publish_essay(coordinator, essay)
    return len(writers)


def _title(rng: random.Random, language: str, event: Event) -> str:
    texts = load_texts()
    place = event.host.city if event.host and event.host.city else event.title
    return rng.choice(texts.get(language, texts["en"]).titles).format(place=place)
