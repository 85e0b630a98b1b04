"""Essays: every write (essays and their life, rescued text, rubrics, assessments, reminders) and
the reads behind the archive, the API and the evaluation report.

Nothing typed is lost: saving a draft accepts whatever was typed (within generous size limits); the
rules for submitting are checked after the text is saved, so a refused submission keeps the draft.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from babel.dates import format_interval
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, extract, false, func, or_, select

from network import audit, labels, permissions
from network.errors import ServiceError
from network.essays.models import (
    ANONYMOUS,
    DEFAULT_RUBRIC,
    DISPLAY_CHOICES,
    DRAFT,
    NAMED,
    PRIVATE,
    PUBLISHED,
    RETURNED,
    SCALE,
    SUBMITTED,
    TAG_KINDS,
    Assessment,
    AssessmentScore,
    AssessmentTag,
    Essay,
    EssayReminder,
    RescuedText,
    RubricCriterion,
    essay_practices,
    stored_rubric_text,
)
from network.events import services as events
from network.events.models import Event
from network.extensions import db
from network.institutions import services as institutions
from network.institutions.models import Partnership
from network.mobility.models import COMPLETED, Visit
from network.notifications import services as notifications
from network.practices.models import Practice
from network.types import utcnow

TITLE_MAX, BODY_MAX, COMMENT_MAX, NOTES_MAX, TAG_MAX = 300, 100_000, 5_000, 10_000, 60
REMIND_AFTER = timedelta(days=14)
RESCUE_KEEP = timedelta(days=2)
RESCUES_PER_ESSAY, RESCUES_MAX = 3, 5_000
PROMPTS = [
    _l("What did you learn?"),
    _l("How does it relate to how you worked before?"),
    _l("What will you introduce in your team?"),
]


def count_words(text: str) -> int:
    return len(re.findall(r"\w+(?:[-']\w+)*", text or ""))


# --- asked to write: after a completed visit, after an event --------------------------------------


def ask_for_the_visit_essay(visit: Visit, actor=None) -> list[notifications.Email]:
    """Receiver of mobility's visit_completed: the visitor is asked once to write an essay about their visit
    (the event of the visit is the events feature's: it made it first, its receiver plugging in before this one;
    asking for it again here keeps the order of receivers from mattering). The emails to send after the commit."""
    event = events.ensure_visit_event(visit)
    return notifications.notify([visit.visitor], "essay", _l("Write your essay about your visit to %(host)s.",
                                                             host=visit.host.name), f"/essays/new?event={event.id}")


def ask_for_the_event_essay(event: Event, participants=(), actor=None) -> list[notifications.Email]:
    """Receiver of events' event_ended: each participant it names who has not started an essay about the event is
    asked to write one (events sends it once per event when it is over, and for the people added to its
    attendance afterwards). The emails to send after the commit."""
    people = [person for person in participants if person is not None]
    if not people:
        return []
    started = set(db.session.scalars(select(Essay.author_id).where(
        Essay.event_id == event.id, Essay.author_id.in_([person.id for person in people]))))
    return notifications.notify([person for person in people if person.id not in started], "essay",
                                _l("“%(title)s” is over: write your essay about what you learned there.",
                                   title=event.title), f"/essays/new?event={event.id}")


# --- essays -----------------------------------------------------------------------------------------


@dataclass
class EssayData:
    title: str = ""
    body: str = ""
    language: str = ""
    practice_ids: list[int] = field(default_factory=list)
    display: str = NAMED


def get_essay(essay_id: int) -> Essay | None:
    return db.session.get(Essay, essay_id)


def essay_of(user, event: Event) -> Essay | None:
    return db.session.scalar(select(Essay).where(Essay.author_id == user.id, Essay.event_id == event.id))


def essay_data_of(essay: Essay) -> EssayData:
    return EssayData(title=essay.title, body=essay.body, language=essay.language,
                     practice_ids=[p.id for p in essay.practices], display=essay.display)


def start_essay(actor, event: Event) -> Essay:
    """The person's essay for this event: the existing one, or a new empty draft."""
    if not permissions.can_write_essay(actor, event):
        raise ServiceError.one("event", _l("You can only write about an event you took part in."))
    essay = essay_of(actor, event)
    if essay is None:
        institution = actor.institution
        essay = Essay(author_id=actor.id, event=event, institution_id=getattr(institution, "id", None),
                      author_country=getattr(institution, "country", "") or "",
                      language=_home_language(institution))
        db.session.add(essay)
        audit.record(actor, "essay.start", essay, label=event.title)
        db.session.commit()
    return essay


def _home_language(institution) -> str:
    """A first guess for the essay's language: the institution's own language rather than English."""
    languages = list(getattr(institution, "languages", None) or [])
    return next((code for code in languages if code != "en"), "en")


def _apply_draft(actor, essay: Essay, data: EssayData) -> None:
    """Store what was typed. Only limits that protect the database apply here."""
    if len(data.body or "") > BODY_MAX:
        raise ServiceError.one("body", _l("The text is longer than %(n)d characters: shorten it, nothing was saved yet "
                               "(your text is still in the form).", n=BODY_MAX))
    essay.title = (data.title or "").strip()[:TITLE_MAX]
    essay.body = (data.body or "").replace("\x00", "")
    essay.word_count = count_words(essay.body)
    if data.language in labels.language_codes():
        essay.language = data.language
    if data.display in DISPLAY_CHOICES:
        essay.display = data.display
    practices = []
    for practice_id in dict.fromkeys(data.practice_ids):
        practice = db.session.get(Practice, practice_id)
        if practice is not None and permissions.can_view_practice(actor, practice):
            practices.append(practice)
    essay.practices = practices


def save_draft(actor, essay: Essay, data: EssayData, autosave: bool = False) -> Essay:
    if not permissions.can_edit_essay(actor, essay):
        raise ServiceError.one("essay", _l("This essay can no longer be edited here."))
    _apply_draft(actor, essay, data)
    if autosave:
        essay.autosaved_at = utcnow()
    db.session.commit()
    return essay


def _submission_problems(essay: Essay) -> dict[str, list]:
    errors: dict[str, list] = defaultdict(list)
    if not essay.title:
        errors["title"].append(_l("Give your essay a title before submitting it."))
    if not essay.body.strip():
        errors["body"].append(_l("Write your essay before submitting it."))
    if essay.language not in labels.language_codes():
        errors["language"].append(_l("Choose the language the essay is written in."))
    return dict(errors)


def submit_essay(actor, essay: Essay, data: EssayData) -> Essay:
    """Save the text, then submit it. A refused submission raises ServiceError with the draft saved."""
    save_draft(actor, essay, data)
    problems = _submission_problems(essay)
    if problems:
        raise ServiceError(problems)
    essay.status, essay.submitted_at, essay.return_comment = SUBMITTED, utcnow(), ""
    audit.record(actor, "essay.submit", essay, label=essay.title)

    emails = notifications.notify(institutions.coordinators_of(essay.event.partnership), "essay",
                     _l("A new essay was submitted: “%(title)s”.", title=essay.title), f"/essays/{essay.id}")
    db.session.commit()
    notifications.send(emails, "essay notification")
    return essay


def publish_essay(actor, essay: Essay) -> Essay:
    if not permissions.can_review_essay(actor, essay) or essay.status != SUBMITTED:
        raise ServiceError.one("essay", _l("Only a submitted essay can be published, by an evaluator or coordinator."))
    essay.status, essay.published_at, essay.reviewed_by_id = PUBLISHED, utcnow(), actor.id
    audit.record(actor, "essay.publish", essay, label=essay.title)
    _tell_author(essay, _l("Your essay “%(title)s” is published.", title=essay.title))
    db.session.commit()
    return essay


def return_essay(actor, essay: Essay, comment: str) -> Essay:
    if not permissions.can_review_essay(actor, essay) or essay.status not in (SUBMITTED, PUBLISHED):
        raise ServiceError.one("essay", _l("Only a submitted or published essay can be returned, by an evaluator or "
                                "coordinator."))
    comment = (comment or "").strip()
    if not comment:
        raise ServiceError.one("comment", _l("Tell the author what to change."))
    essay.status, essay.return_comment, essay.reviewed_by_id = RETURNED, comment[:COMMENT_MAX], actor.id
    audit.record(actor, "essay.return", essay, label=essay.title)
    _tell_author(essay, _l("Your essay “%(title)s” was returned with a comment.", title=essay.title))
    db.session.commit()
    return essay


def set_display(actor, essay: Essay, display: str) -> Essay:
    if not (permissions._is_user(actor) and essay.author_id == actor.id):
        raise ServiceError.one("display", _l("Only the author decides how the essay appears."))
    if display not in DISPLAY_CHOICES:
        raise ServiceError.one("display", _l("Choose how the essay appears."))
    essay.display = display
    audit.record(actor, "essay.display", essay, label=essay.title, display=display)
    db.session.commit()
    return essay


def _tell_author(essay: Essay, message) -> None:
    """A notification to the author (no email): the message kept as its code, in their language when read."""
    if essay.author is not None:
        db.session.add(notifications.notification(essay.author, "essay", message, f"/essays/{essay.id}"))


def _sees_the_name(essay: Essay, viewer) -> bool:
    """The author, and those who review the partnership's essays, always know who wrote it."""
    return viewer is not None and (permissions.reviews_essays(viewer, essay.event.partnership)
                                   or getattr(viewer, "id", None) == essay.author_id)


def anonymised_for(essay: Essay, viewer) -> bool:
    """An anonymous essay, read by someone who must not learn who wrote it: it shows the author's country and the
    month of the event only, never the event, its host, its dates or its partnership (a host's staff know who
    visited them, and when), and no list or filter of an event, host or partnership leads to it."""
    return essay.display == ANONYMOUS and not _sees_the_name(essay, viewer)


def author_label(essay: Essay, viewer=None) -> str:
    """How the essay's author is shown to this viewer."""
    if _sees_the_name(essay, viewer):
        return essay.author.name if essay.author else str(_l("Former member"))
    if essay.display == ANONYMOUS:
        return str(_l("A professional from %(country)s", country=labels.country_name(essay.author_country)))
    return essay.author.name if essay.author else str(_l("Former member"))


# --- rescued text (expired session or form token) ---------------------------------------------------


def rescue_text(fields_: dict, essay_id: int | None, event_id: int | None) -> str:
    """Keep what was typed for a while; return the token the browser keeps to get it back after logging in."""
    token = secrets.token_urlsafe(32)
    kept = {name: str(value)[:BODY_MAX] for name, value in fields_.items()
            if name in ("title", "body", "language", "display")}
    db.session.execute(delete(RescuedText).where(RescuedText.created_at < utcnow() - RESCUE_KEEP))
    # Anyone can post to an editor's address: keep only the latest few rescues per essay, and a bounded total.
    older = select(RescuedText.id).where(RescuedText.essay_id == essay_id, RescuedText.event_id == event_id) \
        .order_by(RescuedText.id.desc()).offset(RESCUES_PER_ESSAY - 1)
    stale = list(db.session.scalars(older))
    if stale:
        db.session.execute(delete(RescuedText).where(RescuedText.id.in_(stale)))
    if db.session.scalar(select(func.count(RescuedText.id))) >= RESCUES_MAX:
        db.session.commit()
        raise ServiceError.one("body", _l("Your text could not be kept on the server right now: copy it before you log in."))
    db.session.add(RescuedText(token_hash=_hash(token), essay_id=essay_id, event_id=event_id, fields=kept))
    db.session.commit()
    return token


def take_rescued(token: str | None, essay: Essay) -> dict | None:
    """The text rescued for this essay, once, if the token is right and not too old."""
    if not token:
        return None
    row = db.session.scalar(select(RescuedText).where(RescuedText.token_hash == _hash(token)))
    if row is None or row.created_at < utcnow() - RESCUE_KEEP:
        return None
    if row.essay_id != essay.id and not (row.essay_id is None and row.event_id == essay.event_id):
        return None
    fields_ = dict(row.fields)
    db.session.delete(row)
    db.session.commit()
    return fields_


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- archive ----------------------------------------------------------------------------------------


@dataclass
class ArchiveFilters:
    partnership: int | None = None
    event: int | None = None
    host: int | None = None
    country: str = ""
    language: str = ""
    year: int | None = None
    status: str = ""
    practice: int | None = None
    sort: str = "newest"  # newest, oldest, title, words


def _visible(user):
    """The archive's permission rule in SQL (kept in step with permissions.can_view_essay)."""
    mine = Essay.author_id == user.id if permissions._is_user(user) else false()
    if permissions.is_site_admin(user) or permissions.is_evaluator(user):
        return or_(mine, Essay.status != DRAFT)
    rules = [mine]
    if permissions.is_member(user):
        rules.append(and_(Essay.status == PUBLISHED, Essay.display != PRIVATE))
        coordinated = select(Partnership.id).where(
            Partnership.coordinating_institution_id == user.institution_id)
        if permissions.is_coordinator(user):
            rules.append(and_(Essay.status != DRAFT,
                              Essay.event_id.in_(select(Event.id).where(
                                  Event.partnership_id.in_(coordinated)))))
    return or_(*rules)


def anonymised_sql(user):
    """anonymised_for in SQL, over essays joined to their event."""
    if permissions.is_site_admin(user) or permissions.is_evaluator(user):
        return false()
    rule = Essay.display == ANONYMOUS
    if permissions._is_user(user):
        rule = and_(rule, or_(Essay.author_id.is_(None), Essay.author_id != user.id))
        if permissions.is_coordinator(user) and user.is_approved_member:
            rule = and_(rule, Event.partnership_id.not_in(select(Partnership.id).where(
                Partnership.coordinating_institution_id == user.institution_id)))
    return rule


def archive_query(user, filters: ArchiveFilters):
    query = select(Essay).join(Event).where(_visible(user))
    if filters.partnership or filters.event or filters.host:
        # An essay anonymous to this reader is never found through its event, host or partnership.
        query = query.where(~anonymised_sql(user))
    if filters.partnership:
        query = query.where(Event.partnership_id == filters.partnership)
    if filters.event:
        query = query.where(Essay.event_id == filters.event)
    if filters.host:
        query = query.where(Event.host_institution_id == filters.host)
    if filters.country:
        query = query.where(Essay.author_country == filters.country.upper())
    if filters.language:
        query = query.where(Essay.language == filters.language.lower())
    if filters.year:
        query = query.where(extract("year", Event.start_date) == filters.year)
    if filters.status:
        query = query.where(Essay.status == filters.status)
    if filters.practice:
        query = query.where(Essay.id.in_(select(essay_practices.c.essay_id).where(
            essay_practices.c.practice_id == filters.practice)))
    order = {
        "oldest": (func.coalesce(Essay.submitted_at, Essay.created_at).asc(), Essay.id),
        "title": (func.lower(Essay.title), Essay.id),
        "words": (Essay.word_count.desc(), Essay.id),
    }.get(filters.sort, (func.coalesce(Essay.published_at, Essay.submitted_at, Essay.created_at).desc(),
                         Essay.id.desc()))
    return query.order_by(*order)


def archive(user, filters: ArchiveFilters, page: int = 1, per_page: int = 20):
    return db.paginate(archive_query(user, filters), page=page, per_page=per_page, error_out=False)


# --- rubric and assessment --------------------------------------------------------------------------


def rubric_of(partnership: Partnership) -> list[RubricCriterion]:
    """The partnership's rubric; a default one the first time it is needed."""
    criteria = list(db.session.scalars(select(RubricCriterion).where(
        RubricCriterion.partnership_id == partnership.id).order_by(RubricCriterion.position, RubricCriterion.id)))
    if not criteria:
        criteria = [RubricCriterion(partnership_id=partnership.id, name=name, description=text, position=n)
                    for n, (name, text) in enumerate(DEFAULT_RUBRIC)]
        db.session.add_all(criteria)
        db.session.commit()
    return criteria


def set_rubric(actor, partnership: Partnership, criteria: list[tuple[str, str]]) -> list[RubricCriterion]:
    """Replace the rubric's criteria (names kept keep their scores)."""
    if not permissions.coordinates(actor, partnership):
        raise ServiceError.one("rubric", _l("Only the partnership's coordinators define its rubric."))
    cleaned = [(stored_rubric_text(name.strip())[:120], stored_rubric_text(text.strip())[:500])
               for name, text in criteria if name.strip()]
    if not cleaned:
        raise ServiceError.one("rubric", _l("A rubric needs at least one criterion."))
    if len({name.lower() for name, _ in cleaned}) != len(cleaned):
        raise ServiceError.one("rubric", _l("Each criterion needs its own name."))
    existing = {c.name.lower(): c for c in rubric_of(partnership)}
    keep = []
    for n, (name, text) in enumerate(cleaned):
        criterion = existing.pop(name.lower(), None) or RubricCriterion(partnership_id=partnership.id, name=name)
        criterion.name, criterion.description, criterion.position = name, text, n
        db.session.add(criterion)
        keep.append(criterion)
    for gone in existing.values():
        db.session.delete(gone)
    audit.record(actor, "rubric.update", partnership, criteria=[name for name, _ in cleaned])
    db.session.commit()
    return keep


@dataclass
class AssessmentData:
    scores: dict[int, int] = field(default_factory=dict)  # criterion id -> 1..5
    strengths: list[str] = field(default_factory=list)
    weaknesses: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    notes: str = ""


def assessment_by(user, essay: Essay) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.essay_id == essay.id,
                                                      Assessment.evaluator_id == user.id))


def assess(actor, essay: Essay, data: AssessmentData) -> Assessment:
    if not permissions.can_assess_essay(actor, essay):
        raise ServiceError.one("assessment", _l("Only evaluators assess submitted or published essays."))
    criteria = {c.id: c for c in rubric_of(essay.event.partnership)}
    errors: dict[str, list] = defaultdict(list)
    for criterion_id, score in data.scores.items():
        if criterion_id not in criteria:
            errors["scores"].append(_l("Score the criteria of this partnership's rubric."))
        elif not isinstance(score, int) or score not in SCALE:
            errors["scores"].append(_l("Scores go from 1 to 5 (%(criterion)s).", criterion=criteria[criterion_id].label))
    missing = [c.label for cid, c in criteria.items() if cid not in data.scores]
    if missing:
        errors["scores"].append(_l("Score every criterion: %(names)s.", names=", ".join(missing)))
    if len(data.notes or "") > NOTES_MAX:
        errors["notes"].append(_l("Keep the notes under %(n)d characters.", n=NOTES_MAX))
    if errors:
        raise ServiceError({name: list(dict.fromkeys(map(str, msgs))) for name, msgs in errors.items()})
    assessment = assessment_by(actor, essay)
    if assessment is None:
        assessment = Assessment(essay=essay, evaluator_id=actor.id)
        db.session.add(assessment)
    assessment.notes = (data.notes or "").strip()
    existing = {s.criterion_id: s for s in assessment.scores}
    assessment.scores = [existing.get(cid) or AssessmentScore(criterion_id=cid) for cid in sorted(data.scores)]
    for row in assessment.scores:
        row.score = data.scores[row.criterion_id]
    tags = []
    for kind, names in (("strength", data.strengths), ("weakness", data.weaknesses), ("skill", data.skills)):
        for name in dict.fromkeys(n.strip().lower()[:TAG_MAX] for n in names if n.strip()):
            tags.append((kind, name))
    current = {(t.kind, t.name): t for t in assessment.tags}
    assessment.tags = [current.get(key) or AssessmentTag(kind=key[0], name=key[1]) for key in tags]
    audit.record(actor, "essay.assess", essay, label=essay.title)
    db.session.commit()
    return assessment


# --- the evaluation report --------------------------------------------------------------------------


@dataclass
class CriterionSummary:
    criterion: RubricCriterion
    count: int
    mean: float | None
    stdev: float | None
    low: int | None
    high: int | None
    distribution: dict[int, int]  # score -> how many


@dataclass
class Report:
    partnership: Partnership
    essays: int
    assessed: int
    by_event: list[tuple[str, int]]
    by_host: list[tuple[str, int]]
    criteria: list[CriterionSummary]
    tags: dict[str, list[tuple[str, int]]]  # kind -> (name, count), most frequent first


def report(partnership: Partnership, top: int = 10) -> Report:
    """Aggregates over the partnership's submitted, published and returned essays."""
    essays = list(db.session.scalars(select(Essay).join(Event).where(
        Event.partnership_id == partnership.id, Essay.status != DRAFT)))
    # Counted per event and host (two events may share a title), shown by name; events of the same name are told
    # apart by their dates.
    by_event = Counter((e.event_id, e.event.title) for e in essays)
    counted = {e.event_id: e.event for e in essays}
    by_event = Counter({(event_id, _event_label(counted[event_id], by_event)): n
                        for (event_id, _title), n in by_event.items()})
    by_host = Counter((e.event.host_institution_id, e.event.host.name if e.event.host else str(_l("No host")))
                      for e in essays)
    essay_ids = [e.id for e in essays]
    scores = defaultdict(list)
    tag_counts = {kind: Counter() for kind in TAG_KINDS}
    assessed = set()
    if essay_ids:
        for assessment in db.session.scalars(select(Assessment).where(Assessment.essay_id.in_(essay_ids))):
            assessed.add(assessment.essay_id)
            for row in assessment.scores:
                scores[row.criterion_id].append(row.score)
            for tag in assessment.tags:
                tag_counts[tag.kind][tag.name] += 1
    criteria = []
    for criterion in rubric_of(partnership):
        values = scores.get(criterion.id, [])
        criteria.append(CriterionSummary(
            criterion=criterion, count=len(values),
            mean=statistics.fmean(values) if values else None,
            stdev=statistics.pstdev(values) if len(values) > 1 else (0.0 if values else None),
            low=min(values) if values else None, high=max(values) if values else None,
            distribution={score: values.count(score) for score in SCALE}))
    return Report(
        partnership=partnership, essays=len(essays), assessed=len(assessed),
        by_event=[(title, n) for (_id, title), n in sorted(by_event.items(), key=lambda p: (-p[1], p[0][1], p[0][0] or 0))],
        by_host=[(name, n) for (_id, name), n in sorted(by_host.items(), key=lambda p: (-p[1], p[0][1], p[0][0] or 0))],
        criteria=criteria,
        tags={kind: sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:top]
              for kind, counts in tag_counts.items()},
    )


def _event_label(event: Event, counted: Counter) -> str:
    """The event's title, with its dates when another event counted has the same title."""
    if sum(1 for _id, title in counted if title == event.title) < 2:
        return event.title
    return str(_l("%(title)s (%(dates)s)", title=event.title, dates=_dates(event.start_date, event.end_date)))


def _dates(start: date, end: date) -> str:
    if start == end:
        return format_date(start)
    return format_interval(start, end, "yMMMd", locale=get_locale() or "en")


def report_csv_rows(result: Report) -> list[list[str]]:
    rows = [["section", "item", "value", "count", "stdev", "min", "max"]]
    rows += [["essays per event", name, "", str(n), "", "", ""] for name, n in result.by_event]
    rows += [["essays per host", name, "", str(n), "", "", ""] for name, n in result.by_host]
    for summary in result.criteria:
        rows.append(["rubric", summary.criterion.name,
                     "" if summary.mean is None else f"{summary.mean:.2f}", str(summary.count),
                     "" if summary.stdev is None else f"{summary.stdev:.2f}",
                     "" if summary.low is None else str(summary.low), "" if summary.high is None else str(summary.high)])
    sections = {"strength": "strengths", "weakness": "weaknesses", "skill": "skills gained"}
    for kind, pairs in result.tags.items():
        rows += [[sections[kind], name, "", str(n), "", "", ""] for name, n in pairs]
    return rows


# --- reminders --------------------------------------------------------------------------------------


def remind(today: date | None = None) -> int:
    """Remind every visitor whose visit ended two weeks ago or more and who has no essay for it yet.
    Each visit is reminded once. Returns how many reminders were sent."""

    today = today or date.today()
    reminded = select(EssayReminder.visit_id)
    visits = db.session.scalars(select(Visit).where(
        Visit.status == COMPLETED, Visit.week_start <= today - REMIND_AFTER - timedelta(days=4),
        Visit.id.not_in(reminded)).order_by(Visit.id)).all()
    emails, sent = [], 0
    for visit in visits:
        event = events.ensure_visit_event(visit)
        essay = essay_of(visit.visitor, event)
        if essay is not None and essay.status != DRAFT:
            continue
        emails += notifications.notify([visit.visitor], "essay",
                          _l("Two weeks ago you finished your visit to %(host)s: please write your essay about it.",
                             host=visit.host.name), f"/essays/new?event={event.id}")
        db.session.add(EssayReminder(visit_id=visit.id))
        sent += 1
    db.session.commit()
    notifications.send(emails, "essay notification")
    return sent
