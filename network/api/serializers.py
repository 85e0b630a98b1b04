"""Practices to JSON and JSON to PracticeData (the API's field names are those of services.PracticeData);
visits and hosting offers to JSON; essays to JSON and JSON to essays.EssayData."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

from flask import request, url_for
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from network import labels, permissions
from network.auth.services import FORMER_MEMBER
from network.essays import services as essays
from network.essays.models import ANONYMOUS, DISPLAY_CHOICES, Assessment, Essay
from network.events.models import Event
from network.extensions import db
from network.mobility.models import ACTIVE_STATUSES, HostingOffer, MobilityApplication, Visit
from network.mobility.weeks import friday, holidays_in_week, iso_week
from network.practices import services
from network.practices.models import Practice, PracticeAuthor

STRING_FIELDS = ("title", "summary", *services.SECTION_NAMES, "country", "language", "institution",
                 "external_ref", "external_link", "status", "visibility")
LIST_FIELDS = ("sectors", "intervention_types", "tags")
ID_FIELDS = ("partnership_id", "translation_of_id")
INPUT_FIELDS = services.PracticeData.field_names()
ID_MAX = 2**31 - 1  # ids are 32-bit integers in PostgreSQL; larger numbers would overflow SQLite
LIST_MAX = 100  # items in one list field; the services' own rules (20 tags at most...) come after


class InputError(ValueError):
    """A body whose shape is wrong (unknown fields, wrong types): field name -> messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in errors.items()))
        self.errors = errors


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def practice_to_json(practice: Practice, translation_ids: list[int] | None = None) -> dict[str, Any]:
    """One practice as the API shows it. translation_ids: the other language versions the caller may see
    (practices_to_json finds them for a whole page at once)."""
    data = asdict(services.PracticeData.from_practice(practice))
    data.update(
        id=practice.id,
        institution={"slug": practice.institution.slug, "name": practice.institution.name},
        evidence_level=practice.evidence_level,
        authors=[user.name if user is not None else FORMER_MEMBER for user in practice.authors],
        created_at=_iso(practice.created_at),
        updated_at=_iso(practice.updated_at),
        published_at=_iso(practice.published_at),
        url=url_for("practices.show", practice_id=practice.id, _external=True),
        attachments=[
            {
                "name": attachment.original_name,
                "size": attachment.size,
                "content_type": attachment.content_type,
                "url": url_for("practices.download", practice_id=practice.id, attachment_id=attachment.id,
                               _external=True),
            }
            for attachment in practice.attachments
        ],
        translations=translation_ids or [],
    )
    return {"id": data.pop("id"), **data}


def with_related(query):
    """Load what practice_to_json reads (files, authors) for a whole page at once, not per practice."""
    return query.options(
        selectinload(Practice.attachments),
        selectinload(Practice.author_rows).selectinload(PracticeAuthor.user),
    )


def practices_to_json(practices: list[Practice], user) -> list[dict[str, Any]]:
    """Several practices with their visible translations, in one query for the translations."""
    translations = visible_translations(practices, user)
    return [practice_to_json(p, translations.get(p.id, [])) for p in practices]


def visible_translations(practices: list[Practice], user) -> dict[int, list[int]]:
    """practice id -> ids of its other language versions that this person may see (oldest first)."""
    roots = {p.id: p.translation_of_id or p.id for p in practices}
    if not roots:
        return {}
    rows = db.session.execute(
        select(Practice.id, Practice.translation_of_id)
        .where(or_(Practice.id.in_(set(roots.values())), Practice.translation_of_id.in_(set(roots.values()))),
               services.visible_to(user))
        .order_by(Practice.id)
    ).all()
    family: dict[int, list[int]] = {}
    for practice_id, original_id in rows:
        family.setdefault(original_id or practice_id, []).append(practice_id)
    return {pid: [i for i in family.get(root, []) if i != pid] for pid, root in roots.items()}


def practice_from_json(payload: dict[str, Any], base: services.PracticeData) -> services.PracticeData:
    """The base data with the given fields replaced: everything for POST, only what changes for PATCH.

    Checks names and types only; services.validate checks the values."""
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    for name, value in payload.items():
        if name not in INPUT_FIELDS:
            errors.setdefault(str(name), []).append("Unknown field (read-only fields cannot be sent).")
            continue
        try:
            changes[name] = _convert(name, value)
        except ValueError as error:
            errors.setdefault(name, []).append(str(error))
    if errors:
        raise InputError(errors)
    return replace(base, **changes)


def _convert(name: str, value: Any) -> Any:
    if name in STRING_FIELDS:
        if value is None and name in ("external_ref", "external_link"):
            return ""
        if not isinstance(value, str):
            raise ValueError("Must be a string.")
        return _checked_text(value)
    if name in LIST_FIELDS:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError("Must be a list of strings.")
        if len(value) > LIST_MAX:
            raise ValueError(f"At most {LIST_MAX} items.")
        return [_checked_text(item) for item in value]
    if name in ID_FIELDS:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= ID_MAX:
            raise ValueError("Must be the id of a record (a positive integer) or null.")
        return value
    raise ValueError("Unknown field.")  # pragma: no cover - INPUT_FIELDS and the groups above agree


def _checked_text(value: str) -> str:
    # Neither database stores these: PostgreSQL refuses NUL in text, and lone surrogates are not UTF-8.
    if "\x00" in value:
        raise ValueError("Must not contain the NUL character.")
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("Must not contain unpaired surrogate characters.")
    return value


# --- mobility -------------------------------------------------------------------------------------
# Read-only: visits and hosting offers are written on the mobility pages, where their rules are explained.


def _institution(institution) -> dict[str, Any]:
    return {"id": institution.id, "slug": institution.slug, "name": institution.name,
            "city": institution.city, "country": institution.country}


def _partnership(partnership) -> dict[str, Any]:
    return {"id": partnership.id, "reference": partnership.reference, "title": partnership.title}


def _programme(activities) -> list[dict[str, Any]]:
    return [{"day": a.day, "kind": a.kind, "description": a.description} for a in activities]


def with_visit_related(query):
    """Load what can_view_visit and visit_to_json read for a whole list at once, not per visit."""
    return query.options(
        joinedload(Visit.host), joinedload(Visit.visitor), joinedload(Visit.partnership),
        joinedload(Visit.application).joinedload(MobilityApplication.institution),
        selectinload(Visit.activities),
    )


def visit_to_json(visit) -> dict[str, Any]:
    """One visit; the visitor by id and name only (never their email address)."""
    sender = visit.application.institution
    holidays = holidays_in_week(visit.host.country, visit.week_start)
    return {
        "id": visit.id,
        "partnership": _partnership(visit.partnership),
        "host": _institution(visit.host),
        "visitor": {"id": visit.visitor.id, "name": visit.visitor.name},
        "sending_institution": _institution(sender),
        "week": iso_week(visit.week_start),
        "monday": visit.week_start.isoformat(),
        "friday": friday(visit.week_start).isoformat(),
        "status": visit.status,
        "programme": _programme(visit.activities),
        "holidays": [{"date": day.isoformat(), "name": name} for day, name in sorted(holidays.items())],
        "cancel_reason": visit.cancel_reason,
        "created_at": _iso(visit.created_at),
        "updated_at": _iso(visit.updated_at),
        "confirmed_at": _iso(visit.confirmed_at),
        "completed_at": _iso(visit.completed_at),
        "cancelled_at": _iso(visit.cancelled_at),
        "url": url_for("mobility.visit", visit_id=visit.id, _external=True),
        "calendar_url": url_for("calendars.visit_ics", visit_id=visit.id, _external=True),
    }


def with_offer_related(query):
    """Load what offer_to_json reads for a whole page at once."""
    return query.options(
        joinedload(HostingOffer.institution), joinedload(HostingOffer.partnership),
        selectinload(HostingOffer.weeks), selectinload(HostingOffer.activities),
        selectinload(HostingOffer.tags),
    )


def places_booked(offer_ids: list[int]) -> dict[int, dict]:
    """offer id -> {Monday: visits holding a place that week}, for a whole page of offers in one query.

    The same count as services.booked_per_week (proposed, confirmed and completed visits); the quota used
    is its sum."""
    booked: dict[int, dict] = {offer_id: {} for offer_id in offer_ids}
    if not offer_ids:
        return booked
    rows = db.session.execute(
        select(Visit.offer_id, Visit.week_start, func.count())
        .where(Visit.offer_id.in_(offer_ids), Visit.status.in_(ACTIVE_STATUSES))
        .group_by(Visit.offer_id, Visit.week_start)
    ).all()
    for offer_id, monday, count in rows:
        booked[offer_id][monday] = count
    return booked


def offer_to_json(offer, booked: dict) -> dict[str, Any]:
    """One hosting offer; booked: Monday -> visits holding a place (see places_booked)."""
    return {
        "id": offer.id,
        "partnership": _partnership(offer.partnership),
        "institution": _institution(offer.institution),
        "description": offer.description,
        "languages": offer.languages,
        "approaches": offer.tag_names,
        "weeks": [{"week": iso_week(w.week_start), "monday": w.week_start.isoformat(), "capacity": w.capacity,
                   "booked": booked.get(w.week_start, 0)} for w in offer.weeks],
        # Every visit holding a place counts, even in a week the host no longer offers.
        "quota": {"total": offer.total_quota, "used": sum(booked.values())},
        "programme": _programme(offer.activities),
        "created_at": _iso(offer.created_at),
        "updated_at": _iso(offer.updated_at),
        "url": url_for("mobility.offer", offer_id=offer.id, _external=True),
    }


# --- essays ---------------------------------------------------------------------------------------
# Essays are read as the archive and the essay pages show them and written by their authors. The
# caller decides what a response holds: the author's name (or the anonymous label) and the assessments.

ESSAY_TEXT_FIELDS = ("title", "body", "language", "practice_ids", "display")  # essays.EssayData's fields
ESSAY_UPDATE_FIELDS = (*ESSAY_TEXT_FIELDS, "submit")
ESSAY_CREATE_FIELDS = ("event_id", *ESSAY_UPDATE_FIELDS)


@dataclass
class EssayInput:
    """A POST or PATCH body: the EssayData fields it names (`changed`), submit, and the event on POST."""

    data: essays.EssayData
    changed: set[str] = field(default_factory=set)
    submit: bool = False
    event_id: int | None = None

    def applied_to(self, base: essays.EssayData) -> essays.EssayData:
        """The base data with only the fields that were sent replaced."""
        return replace(base, **{name: getattr(self.data, name) for name in self.changed})


def essay_url(essay_id: int) -> str:
    """The essay's page on the site: the address the essays' notifications link to (/essays/<id>)."""
    return request.url_root.rstrip("/") + f"/essays/{essay_id}"


def with_essay_related(query):
    """Load what essay_to_json reads (event, host, partnership, author, practices) for a page at once.

    Only their columns are read, so the relationships those models load eagerly by default (a practice's
    tags and authors, an institution's languages, a person's roles) are not loaded here."""
    event = selectinload(Essay.event)
    return query.options(
        event.selectinload(Event.host).lazyload("*"),
        event.selectinload(Event.partnership).lazyload("*"),
        selectinload(Essay.author).lazyload("*"),
        selectinload(Essay.practices).lazyload("*"),
    )


def essay_author(essay: Essay, viewer) -> dict[str, Any]:
    """The author as essays.author_label shows them to this viewer; no id when the label hides who it is.

    Anonymised is read off the label itself (the viewer got the label everyone gets for an anonymous
    essay), so the id follows author_label's rule without repeating it; a doubt hides the id."""
    label = essays.author_label(essay, viewer)
    hidden = essay.author_id is None or (essay.display == ANONYMOUS and label == essays.author_label(essay))
    return {"id": None if hidden else essay.author_id, "name": label}


def _event(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "title": event.title,
        "kind": event.kind,
        "partnership_id": event.partnership_id,
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "host": _institution(event.host) if event.host is not None else None,
    }


def essay_summary_to_json(essay: Essay, viewer) -> dict[str, Any]:
    """One essay as a list shows it: everything but the text and the assessments."""
    anonymised = essays.anonymised_for(essay, viewer)
    return {
        "id": essay.id,
        "title": essay.title,
        "language": essay.language,
        "word_count": essay.word_count,
        "status": essay.status,
        "display": essay.display,
        "author": essay_author(essay, viewer),
        "author_country": essay.author_country,
        # Anonymous to this caller: the month only, never the event, its host, dates or visit (essays.anonymised_for).
        "event": ({"month": essay.event.start_date.strftime("%Y-%m"), "hidden": True}
                  if anonymised else _event(essay.event)),
        "visit_id": None if anonymised else essay.event.visit_id,
        # Linked by the author when they could see them; shown only to callers who may see them too.
        "practices": [{"id": p.id, "title": p.title,
                       "url": url_for("practices.show", practice_id=p.id, _external=True)}
                      for p in essay.practices if permissions.can_view_practice(viewer, p)],
        "created_at": _iso(essay.created_at),
        "updated_at": _iso(essay.updated_at),
        "submitted_at": _iso(essay.submitted_at),
        "published_at": _iso(essay.published_at),
        "url": essay_url(essay.id),
    }


def essay_to_json(essay: Essay, viewer) -> dict[str, Any]:
    """One essay with its text as written (Markdown) and as safe HTML; its assessments only for those who
    may see them (evaluators and site admins: the key is absent for everyone else)."""
    from network.sanitize import render_markdown

    data = essay_summary_to_json(essay, viewer)
    data.update(body=essay.body, body_html=str(render_markdown(essay.body)))
    if permissions.can_see_assessments(viewer, essay):
        data["assessments"] = [assessment_to_json(a) for a in essay.assessments]
    return data


def assessment_to_json(assessment: Assessment) -> dict[str, Any]:
    evaluator = assessment.evaluator
    scores = sorted(assessment.scores, key=lambda row: (row.criterion.position, row.criterion_id))
    tags: dict[str, list[str]] = {kind: [] for kind in ("strength", "weakness", "skill")}
    for tag in assessment.tags:
        tags.setdefault(tag.kind, []).append(tag.name)
    return {
        "id": assessment.id,
        "evaluator": {"id": evaluator.id, "name": evaluator.name} if evaluator is not None
        else {"id": None, "name": FORMER_MEMBER},
        "scores": [{"criterion_id": row.criterion_id, "criterion": row.criterion.name, "score": row.score}
                   for row in scores],
        "strengths": tags["strength"],
        "weaknesses": tags["weakness"],
        "skills": tags["skill"],
        "notes": assessment.notes,
        "created_at": _iso(assessment.created_at),
        "updated_at": _iso(assessment.updated_at),
    }


def essay_from_json(payload: dict[str, Any], creating: bool) -> EssayInput:
    """Check names, types and the limits the database needs; the services check the rules for submitting.

    Unlike the editor's forms, an unknown language or display is refused here rather than ignored, and a
    body or title over the limits is refused rather than cut: a program should learn what was not kept."""
    allowed = ESSAY_CREATE_FIELDS if creating else ESSAY_UPDATE_FIELDS
    errors: dict[str, list[str]] = {}
    result = EssayInput(data=essays.EssayData())
    for name, value in payload.items():
        if name not in allowed:
            message = ("The event of an essay cannot change." if name == "event_id"
                       else "Unknown field (read-only fields cannot be sent).")
            errors.setdefault(str(name), []).append(message)
            continue
        try:
            converted = _convert_essay(name, value)
        except ValueError as error:
            errors.setdefault(name, []).append(str(error))
            continue
        if name == "submit":
            result.submit = converted
        elif name == "event_id":
            result.event_id = converted
        else:
            setattr(result.data, name, converted)
            result.changed.add(name)
    if creating and "event_id" not in payload:
        errors.setdefault("event_id", []).append("Give the id of the event the essay is about.")
    if errors:
        raise InputError(errors)
    return result


def _convert_essay(name: str, value: Any) -> Any:
    if name in ("title", "body"):
        if not isinstance(value, str):
            raise ValueError("Must be a string.")
        limit = essays.TITLE_MAX if name == "title" else essays.BODY_MAX
        if len(value) > limit:
            raise ValueError(f"At most {limit} characters.")
        return _checked_text(value)
    if name == "language":
        if not isinstance(value, str) or value not in labels.language_codes():
            raise ValueError("Must be an ISO 639-1 language code in lower case, like en.")
        return value
    if name == "display":
        if value not in DISPLAY_CHOICES:
            raise ValueError(f"Must be one of: {', '.join(DISPLAY_CHOICES)}.")
        return value
    if name == "practice_ids":
        if value is None:
            return []
        if not isinstance(value, list) or not all(_is_id(item) for item in value):
            raise ValueError("Must be a list of practice ids (positive integers).")
        if len(value) > LIST_MAX:
            raise ValueError(f"At most {LIST_MAX} items.")
        return list(dict.fromkeys(value))
    if name == "submit":
        if not isinstance(value, bool):
            raise ValueError("Must be true or false.")
        return value
    if name == "event_id":
        if not _is_id(value):
            raise ValueError("Must be the id of an event (a positive integer).")
        return value
    raise ValueError("Unknown field.")  # pragma: no cover - the field lists above agree


def _is_id(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and 0 < value <= ID_MAX
