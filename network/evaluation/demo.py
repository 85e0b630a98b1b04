"""The evaluation's demo step (seed-demo): the network's two survey templates ("After your visit", anonymous, with
the host's programme day by day; "Six months after your visit", named), in the four interface languages, from
demo_data/surveys.toml, copied into the demo partnership and open; the completed visits' invitations and answers
(one visitor of six has not answered the first, so the response rate is not a perfect one; the six-month survey
reached the visits at least six months old); sessions back home for all completed visits but one; the
partnership's targets; and its report, with a narrative, published as version 1. Added once: skipped when the
partnership has surveys already."""
from __future__ import annotations

import random
from datetime import timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import select

from network.auth.models import User
from network.demo import PARTNERSHIP_REFERENCE, DemoDataError, check_fields, read_data
from network.demo_calendar import demo_calendar
from network.evaluation import dissemination
from network.evaluation import models as m
from network.events.models import Event
from network.extensions import db
from network.institutions.models import Partnership
from network.mobility.models import Visit
from network.practices.models import Practice
from network.types import utcnow

DATA = Path(__file__).with_name("demo_data")
ADMIN_EMAIL, COORDINATOR_EMAIL = "admin@demo.example", "coordinator@demo.example"
PROFESSIONAL_EMAIL = "professional@demo.example"
SURVEY = {"moment": str, "anonymous": bool, "answer_days": int, "remind_after_days": int, "title": dict,
          "introduction": dict, "sections": list[dict]}
SECTION = {"title": dict, "questions": list[dict]}
QUESTION = {"kind": str, "text": dict}
QUESTION_OPTIONAL = {"required": bool, "shown_to_hosts": bool, "options": list[dict], "minimum": int, "maximum": int}
TARGETS = {m.VISITORS_PER_HOST: 6, m.ESSAYS_PER_VISIT: 1, m.SESSIONS_PER_VISITOR: 2, m.RESPONSE_RATE: 80,
           m.PRACTICES_PUBLISHED: 40}
NARRATIVE = {
    "summary": "In its second year the partnership's hosts welcomed their first job-shadowing visitors. The "
               "visitors rate their weeks highly and most have already passed on what they saw to their teams.",
    "what_worked": "- The five-day programmes, prepared with each visitor before the week.\n"
                   "- Sessions back home within a month of the visit, often with the visitor's essay.",
    "what_did_not": "- Visits are behind the plan of six per host: the first months went to preparing the "
                    "offers.\n- Not every visitor answers the surveys without a reminder.",
    "recommendations": "1. Open the hosts' calendars for the whole of the third year now.\n"
                       "2. Ask each visitor to plan their first session back home before they travel.",
}


@cache
def load(folder: Path = DATA) -> dict:
    """The surveys' texts and the sessions' summaries, checked; DemoDataError names what is missing or wrong."""
    path = str(folder / "surveys.toml")
    data = read_data(folder, "surveys.toml")
    for n, survey in enumerate(data.get("surveys") or []):
        check_fields(survey, f"{path}: surveys[{n}]", SURVEY)
        for s, section in enumerate(survey["sections"]):
            check_fields(section, f"{path}: surveys[{n}].sections[{s}]", SECTION)
            for q, question in enumerate(section["questions"]):
                check_fields(question, f"{path}: surveys[{n}].sections[{s}].questions[{q}]", QUESTION,
                             QUESTION_OPTIONAL)
                if question["kind"] not in m.QUESTION_KINDS:
                    raise DemoDataError(f"{path}: surveys[{n}].sections[{s}].questions[{q}]: unknown kind")
    moments = [survey["moment"] for survey in data.get("surveys") or []]
    if sorted(moments) != sorted((m.AFTER_VISIT, m.SIX_MONTHS, m.AFTER_EVENT)) or not (
            data.get("sessions") or {}).get("summaries"):
        raise DemoDataError(f"{path}: the after-visit, six-month and after-event surveys and the sessions' summaries "
                            "are expected")
    return data


def _survey(spec: dict, partnership_id: int | None, author: User, copied_from: m.Survey | None = None) -> m.Survey:
    survey = m.Survey(partnership_id=partnership_id, title=spec["title"], introduction=spec["introduction"],
                      moment=spec["moment"], anonymous=spec["anonymous"], answer_days=spec["answer_days"],
                      remind_after_days=spec["remind_after_days"], created_by_id=author.id,
                      copied_from_id=copied_from.id if copied_from else None)
    for s, section in enumerate(spec["sections"]):
        row = m.SurveySection(position=s, title=section["title"])
        for q, question in enumerate(section["questions"]):
            row.questions.append(m.SurveyQuestion(
                position=q, kind=question["kind"], text=question["text"], required=question.get("required", False),
                shown_to_hosts=question.get("shown_to_hosts", False), minimum=question.get("minimum"),
                maximum=question.get("maximum"),
                options=[{"code": f"o{n}", "label": label} for n, label in enumerate(question.get("options", []), 1)]))
        survey.sections.append(row)
    db.session.add(survey)
    db.session.flush()
    return survey


def _answer(question: m.SurveyQuestion, rng: random.Random, texts: list[str]):
    """A plausible answer: the visits went well, the later days a little better than the first."""
    if question.kind == m.SCALE:
        return rng.choice((3, 4, 4, 5, 5))
    if question.kind == m.SINGLE:
        return rng.choice(("o1", "o1", "o1", "o2", "o3")) if len(question.options) >= 3 else "o1"
    if question.kind == m.MULTIPLE:
        return sorted(rng.sample([option["code"] for option in question.options], 2))
    if question.kind == m.NUMBER:
        return rng.randint(2, 12)
    return rng.choice(texts)


def _last_day(visit: Visit):
    return visit.week_start + timedelta(days=4)


def _invite_and_answer(survey: m.Survey, visit: Visit, moment_day, rng: random.Random, texts: list[str],
                       answered: bool) -> int:
    """The invitation the daily job would have sent on the moment's day, and (answered) its response."""
    invitation = m.SurveyInvitation(
        survey_id=survey.id, user_id=visit.visitor_id, subject_kind=m.VISIT, subject_id=visit.id,
        host_institution_id=visit.host_institution_id, closes_on=moment_day + timedelta(days=survey.answer_days),
        answered=answered, reminded_at=None if answered else utcnow())
    db.session.add(invitation)
    db.session.flush()
    if not answered:
        return 0
    answers = {str(q.id): _answer(q, rng, texts) for q in survey.questions}
    named = not survey.anonymous
    db.session.add(m.SurveyResponse(
        survey_id=survey.id, respondent_id=visit.visitor_id if named else None,
        invitation_id=invitation.id if named else None, host_institution_id=visit.host_institution_id,
        submitted_at=utcnow() if named else None, answers=answers))
    return 1


def _after_the_training(survey: m.Survey, partnership: Partnership, rng: random.Random, texts: list[str],
                        today) -> int:
    """The latest training event that is over: its survey went to everyone who attended, the morning after; two
    in three answered, the others (the demo professional among them, who can still answer it) were reminded."""
    from network.events.models import Event

    event = db.session.scalar(select(Event).where(Event.partnership_id == partnership.id,
                                                  Event.kind == "training_event", Event.end_date < today)
                              .order_by(Event.end_date.desc()).limit(1))
    if event is None:
        return 0
    sent_on = event.end_date + timedelta(days=1)
    answered = 0
    for n, person in enumerate(sorted(event.participants, key=lambda p: p.id)):
        replies = person.email != PROFESSIONAL_EMAIL and n % 3 != 2
        invitation = m.SurveyInvitation(
            survey_id=survey.id, user_id=person.id, subject_kind=m.EVENT, subject_id=event.id,
            host_institution_id=event.host_institution_id, closes_on=sent_on + timedelta(days=survey.answer_days),
            answered=replies, reminded_at=None if replies else utcnow())
        db.session.add(invitation)
        if replies:
            db.session.add(m.SurveyResponse(survey_id=survey.id, event_id=event.id,
                                            host_institution_id=event.host_institution_id,
                                            answers={str(q.id): _answer(q, rng, texts) for q in survey.questions}))
            answered += 1
    db.session.flush()
    return answered


def _sessions(visits: list[Visit], summaries: list[str], rng: random.Random, today) -> int:
    added = 0
    for n, visit in enumerate(visits[:-1]):  # the last visitor has recorded nothing yet
        event_id = db.session.scalar(select(Event.id).where(Event.visit_id == visit.id))
        essay_id = None
        if event_id is not None:
            from network.essays.models import Essay

            essay_id = db.session.scalar(select(Essay.id).where(Essay.event_id == event_id,
                                                                Essay.author_id == visit.visitor_id).limit(1))
        practice = db.session.scalar(select(Practice).where(Practice.institution_id == visit.host_institution_id,
                                                            Practice.status == "published").limit(1))
        for k in range(1 + n % 2):
            held = min(_last_day(visit) + timedelta(days=10 + 15 * k), today)
            session = m.DisseminationSession(
                visit_id=visit.id, user_id=visit.visitor_id, held_on=held,
                format=m.SESSION_FORMATS[(n + k) % (len(m.SESSION_FORMATS) - 1)], people_reached=rng.randint(5, 24),
                audience=rng.sample(m.AUDIENCE_ROLES[:5], 2), summary=summaries[(n + k) % len(summaries)],
                essay_id=essay_id if k == 0 else None)
            if practice is not None:
                session.practices.append(practice)
            if added == 0:  # the first one has the notes handed out, as a PDF
                session.materials.append(_handout())
            db.session.add(session)
            added += 1
    return added


def _handout() -> m.SessionMaterial:
    """A one-page PDF of notes (written here, so that the demo needs no binary file)."""
    from network import uploads

    text = b"BT /F1 14 Tf 72 720 Td (Notes from the job-shadowing visit: the weekly family group) Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R"
               b" >> >> >>", b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, content in enumerate(objects, 1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    stored = uploads.write(dissemination.FOLDER, uploads.Upload("team-notes.pdf", "application/pdf", body))
    return m.SessionMaterial(filename="team-notes.pdf", stored_name=stored, content_type="application/pdf",
                             size=len(body))


def seed() -> dict[str, int]:
    """The surveys and their answers, the sessions back home, the targets and the published report."""
    data = load()  # a data file that is missing or malformed stops the step before it writes anything
    added = {"surveys": 0, "survey responses": 0, "sessions back home": 0, "targets": 0, "report versions": 0}
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
    coordinator = db.session.scalar(select(User).where(User.email == COORDINATOR_EMAIL))
    if partnership is None or admin is None or coordinator is None or db.session.scalar(
            select(m.Survey.id).where(m.Survey.partnership_id == partnership.id).limit(1)) is not None:
        return added
    rng = random.Random(2222)
    today = demo_calendar().today
    texts = data["sessions"]["summaries"]
    visits = list(db.session.scalars(select(Visit).where(Visit.partnership_id == partnership.id,
                                                         Visit.status == "completed")
                                     .order_by(Visit.week_start, Visit.id)))
    for spec in data["surveys"]:
        template = _survey(spec, None, admin)
        survey = _survey(spec, partnership.id, coordinator, copied_from=template)
        survey.status, survey.opened_on = m.OPEN, partnership.start_date
        added["surveys"] += 2
        if spec["moment"] == m.AFTER_EVENT:
            added["survey responses"] += _after_the_training(survey, partnership, rng, texts, today)
            continue
        for n, visit in enumerate(visits):
            if spec["moment"] == m.AFTER_VISIT:
                added["survey responses"] += _invite_and_answer(survey, visit, _last_day(visit), rng, texts,
                                                                answered=n != len(visits) - 1)
            elif _last_day(visit) + timedelta(days=182) <= today:
                added["survey responses"] += _invite_and_answer(survey, visit, _last_day(visit) + timedelta(days=182),
                                                                rng, texts, answered=True)
    added["sessions back home"] = _sessions(visits, texts, rng, today)
    for kind, value in TARGETS.items():
        db.session.add(m.Target(partnership_id=partnership.id, kind=kind, value=value, updated_by_id=coordinator.id))
        added["targets"] += 1
    db.session.commit()
    added["report versions"] = _publish_report(partnership, coordinator)
    return added


def _publish_report(partnership: Partnership, coordinator: User) -> int:
    """The coordinator's narrative, published as version 1 with the figures of today (through the report's
    services, as the coordinator would from its page)."""
    from network.evaluation import reports

    reports.save_draft(coordinator, partnership, reports.DraftData(language="en", **NARRATIVE))
    reports.publish(coordinator, partnership)
    return 1
