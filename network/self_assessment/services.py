"""The self-assessment's rules: taking it (signed in or not), scoring, comparing over time, the groups'
aggregates and training needs, invitations, and the questionnaire's versions and exchange format."""
from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from statistics import mean

from flask import session
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from network.database import upsert
from network.errors import ServiceError
from network.extensions import db
from network.i18n import Localized, localized, reader_language  # noqa: F401 (services.localized: its views and templates)
from network.self_assessment.models import (
    AFTER,
    ANY_TIME,
    BEFORE,
    CODE_MAX,
    DRAFT,
    INVITATION_PHASES,
    PROFESSIONAL,
    PUBLISHED,
    RETIRED,
    SCALE_POINTS,
    TAKER_ROLES,
    AssessmentAnswer,
    AssessmentDimension,
    AssessmentInvitation,
    AssessmentLevel,
    AssessmentResult,
    AssessmentStatement,
    Questionnaire,
    ResultScore,
)
from network.types import utcnow

DEFAULT_LANGUAGE = "en"
# k-anonymity: a group's figures are shown only when at least this many people answered (issue 20).
MIN_GROUP = 5
STANDARD_FILE = Path(__file__).with_name("standard_questionnaire.json")
EXCHANGE_FORMAT = "peer-network-self-assessment/1"
# The session of someone who is not signed in holds their answers: nothing about them is stored on the server.
SESSION_KEY = "self_assessment"
INVITATION_SESSION_KEY = "self_assessment_invitation"
STRENGTHS, TO_WORK_ON = 2, 3


# --- texts in the reader's language -------------------------------------------------------------------------


def scale_labels(questionnaire: Questionnaire, language: str | None = None) -> list[Localized]:
    """The five points of the scale and, last, "does not apply", in the reader's language."""
    language = language or reader_language()
    fallback = not questionnaire.scale.get(language)
    labels = questionnaire.scale.get(DEFAULT_LANGUAGE if fallback else language) or [""] * SCALE_POINTS
    points = [Localized(text, DEFAULT_LANGUAGE if fallback else language, fallback) for text in labels]
    return points + [localized(questionnaire.not_applicable, language)]


# --- versions -----------------------------------------------------------------------------------------------


def current_questionnaire() -> Questionnaire | None:
    """The version people take: the newest published one."""
    return db.session.scalars(select(Questionnaire).where(Questionnaire.status == PUBLISHED)
                              .order_by(Questionnaire.version.desc()).limit(1)).first()


def draft_questionnaire() -> Questionnaire | None:
    return db.session.scalars(select(Questionnaire).where(Questionnaire.status == DRAFT).limit(1)).first()


def versions() -> list[Questionnaire]:
    return list(db.session.scalars(select(Questionnaire).order_by(Questionnaire.version.desc())))


def _next_version() -> int:
    return (db.session.scalar(select(func.max(Questionnaire.version))) or 0) + 1


def new_draft() -> Questionnaire:
    """A draft to edit: a copy of the current version (or an empty one when none was ever published)."""
    if draft_questionnaire() is not None:
        raise ServiceError.one("", _l("A draft already exists: edit it or delete it first."))
    current = current_questionnaire()
    if current is None:
        draft = Questionnaire(version=_next_version(), status=DRAFT, title={DEFAULT_LANGUAGE: "Self-assessment"},
                              scale={}, not_applicable={})
        db.session.add(draft)
        db.session.commit()
        return draft
    return import_questionnaire(export_questionnaire(current))


def delete_draft(draft: Questionnaire) -> None:
    if draft.status != DRAFT:
        raise ServiceError.one("", _l("A published version is frozen: it cannot be deleted."))
    db.session.delete(draft)
    db.session.commit()


def publish(draft: Questionnaire) -> Questionnaire:
    """Freeze the draft and make it the version people take; the previous one retires (its results keep it)."""
    if draft.status != DRAFT:
        raise ServiceError.one("", _l("This version is already published."))
    problems = publication_problems(draft)
    if problems:
        raise ServiceError({"": problems})
    for old in db.session.scalars(select(Questionnaire).where(Questionnaire.status == PUBLISHED)):
        old.status = RETIRED
    draft.status = PUBLISHED
    draft.published_at = utcnow()
    db.session.commit()
    return draft


def publication_problems(questionnaire: Questionnaire) -> list:
    """What stops a draft from being published, in the reader's language."""
    problems = []
    if not questionnaire.dimensions:
        problems.append(_l("Add at least one dimension."))
    for dimension in questionnaire.dimensions:
        if not dimension.statements:
            problems.append(_l("The dimension “%(name)s” has no statements.", name=localized(dimension.name)))
        if not dimension.name.get(DEFAULT_LANGUAGE):
            problems.append(_l("A dimension has no English name (%(code)s).", code=dimension.code))
        for statement in dimension.statements:
            if not statement.text.get(DEFAULT_LANGUAGE):
                problems.append(_l("The statement %(code)s has no English text.", code=statement.code))
    if len(questionnaire.scale.get(DEFAULT_LANGUAGE) or []) != SCALE_POINTS:
        problems.append(_l("The scale needs its five labels in English."))
    if not questionnaire.levels or questionnaire.levels[0].minimum != 0:
        problems.append(_l("The lowest level must start at 0."))
    if len({level.minimum for level in questionnaire.levels}) != len(questionnaire.levels):
        problems.append(_l("Two levels start at the same score."))
    codes = [s.code for s in questionnaire.statements]
    if len(codes) != len(set(codes)):
        problems.append(_l("Two statements have the same code."))
    return problems


# --- the exchange format (JSON) ----------------------------------------------------------------------------


def export_questionnaire(questionnaire: Questionnaire) -> dict:
    return {
        "format": EXCHANGE_FORMAT,
        "version": questionnaire.version,
        "title": dict(questionnaire.title),
        "scale": {code: list(labels) for code, labels in questionnaire.scale.items()},
        "not_applicable": dict(questionnaire.not_applicable),
        "levels": [{"code": level.code, "minimum": level.minimum, "name": dict(level.name),
                    "description": dict(level.description)} for level in questionnaire.levels],
        "dimensions": [{"code": d.code, "name": dict(d.name), "description": dict(d.description),
                        "keywords": dict(d.keywords),
                        "statements": [{"code": s.code, "text": dict(s.text)} for s in d.statements]}
                       for d in questionnaire.dimensions],
    }


def import_questionnaire(data) -> Questionnaire:
    """A new draft from the exchange format. Anything malformed is refused with a message naming the place."""
    if draft_questionnaire() is not None:
        raise ServiceError.one("file", _l("A draft already exists: delete it or publish it before importing."))
    checked = _checked_exchange(data)
    draft = Questionnaire(version=_next_version(), status=DRAFT, title=checked["title"], scale=checked["scale"],
                          not_applicable=checked["not_applicable"])
    for level in checked["levels"]:
        draft.levels.append(AssessmentLevel(**level))
    for position, dimension in enumerate(checked["dimensions"]):
        statements = dimension.pop("statements")
        row = AssessmentDimension(position=position, **dimension)
        row.statements = [AssessmentStatement(position=n, **statement) for n, statement in enumerate(statements)]
        draft.dimensions.append(row)
    db.session.add(draft)
    db.session.commit()
    return draft


def parse_exchange_file(raw: bytes) -> dict:
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ServiceError.one("file", _l("This file is not JSON: %(error)s", error=str(error))) from error


def _texts(value, where: str, required: bool = True) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ServiceError.one("file", _l("%(where)s: expected texts by language, like {\"en\": \"…\"}.",
                                          where=where))
    texts = {code[:10]: text.strip() for code, text in value.items() if text.strip()}
    if any(len(text) > TEXT_MAX for text in texts.values()):
        raise ServiceError.one("file", _l("%(where)s: a text is longer than %(max)d characters.", where=where,
                                          max=TEXT_MAX))
    if required and not texts.get(DEFAULT_LANGUAGE):
        raise ServiceError.one("file", _l("%(where)s: the English text is missing.", where=where))
    return texts


# A code links a dimension, statement or level across versions (and names them in pages' addresses and ids):
# lowercase letters, digits and hyphens, the same rule for the editor (editing.py) and the exchange format.
CODE_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TEXT_MAX = 2000


def valid_code(value) -> str | None:
    """The code as stored (trimmed, lower case), or None if it breaks the rule."""
    code = str(value or "").strip().lower()
    return code if code and len(code) <= CODE_MAX and CODE_PATTERN.fullmatch(code) else None


def _code(value, where: str) -> str:
    code = valid_code(value) if isinstance(value, str) else None
    if code is None:
        raise ServiceError.one("file", _l("%(where)s: a code of 1 to %(max)d lowercase letters, digits and "
                                          "hyphens is required.", where=where, max=CODE_MAX))
    return code


def _checked_exchange(data) -> dict:
    if not isinstance(data, dict) or data.get("format") != EXCHANGE_FORMAT:
        raise ServiceError.one("file", _l("This is not a self-assessment questionnaire (format %(format)s).",
                                          format=EXCHANGE_FORMAT))
    scale = data.get("scale")
    if not isinstance(scale, dict) or not all(
            isinstance(labels, list) and len(labels) == SCALE_POINTS and all(isinstance(t, str) and t.strip()
                                                                              for t in labels)
            for labels in scale.values()) or DEFAULT_LANGUAGE not in scale:
        raise ServiceError.one("file", _l("scale: five labels per language are required, English included."))
    levels, dimensions, statement_codes = [], [], set()
    for n, level in enumerate(data.get("levels") or []):
        where = f"levels[{n}]"
        if not isinstance(level, dict) or not isinstance(level.get("minimum"), int) \
                or not 0 <= level["minimum"] <= 100:
            raise ServiceError.one("file", _l("%(where)s: a minimum score from 0 to 100 is required.", where=where))
        levels.append({"code": _code(level.get("code"), where), "minimum": level["minimum"],
                       "name": _texts(level.get("name"), where), "description": _texts(level.get("description", {}),
                                                                                          where, required=False)})
    if not levels or min(level["minimum"] for level in levels) != 0:
        raise ServiceError.one("file", _l("levels: the lowest level must start at 0."))
    if len({level["code"] for level in levels}) != len(levels):
        raise ServiceError.one("file", _l("levels: two levels have the same code."))
    if len({level["minimum"] for level in levels}) != len(levels):
        raise ServiceError.one("file", _l("levels: two levels start at the same score."))
    for n, dimension in enumerate(data.get("dimensions") or []):
        where = f"dimensions[{n}]"
        if not isinstance(dimension, dict) or not isinstance(dimension.get("statements"), list) \
                or not dimension["statements"]:
            raise ServiceError.one("file", _l("%(where)s: statements are required.", where=where))
        statements = []
        for m, statement in enumerate(dimension["statements"]):
            inner = f"{where}.statements[{m}]"
            if not isinstance(statement, dict):
                raise ServiceError.one("file", _l("%(where)s: expected a code and texts.", where=inner))
            code = _code(statement.get("code"), inner)
            if code in statement_codes:
                raise ServiceError.one("file", _l("%(where)s: the code %(code)s is used twice.", where=inner,
                                                  code=code))
            statement_codes.add(code)
            statements.append({"code": code, "text": _texts(statement.get("text"), inner)})
        dimensions.append({"code": _code(dimension.get("code"), where), "name": _texts(dimension.get("name"), where),
                           "description": _texts(dimension.get("description", {}), where, required=False),
                           "keywords": _texts(dimension.get("keywords", {}), where, required=False),
                           "statements": statements})
    if not dimensions:
        raise ServiceError.one("file", _l("dimensions: at least one is required."))
    if len({d["code"] for d in dimensions}) != len(dimensions):
        raise ServiceError.one("file", _l("dimensions: two dimensions have the same code."))
    return {"title": _texts(data.get("title", {"en": "Self-assessment"}), "title"),
            "scale": {code[:10]: [t.strip() for t in labels] for code, labels in scale.items()},
            "not_applicable": _texts(data.get("not_applicable", {"en": "Does not apply"}), "not_applicable"),
            "levels": levels, "dimensions": dimensions}


def load_standard(publish_it: bool = True) -> Questionnaire:
    """The network's standard questionnaire (standard_questionnaire.json, four languages), as a new version."""
    draft = import_questionnaire(json.loads(STANDARD_FILE.read_text(encoding="utf-8")))
    return publish(draft) if publish_it else draft


# --- scoring ------------------------------------------------------------------------------------------------


@dataclass
class DimensionScore:
    dimension: AssessmentDimension
    score: int | None  # 0-100; None when every statement was "does not apply"
    answered: int
    level: AssessmentLevel | None
    since_last: int | None = None
    since_first: int | None = None

    @property
    def code(self) -> str:
        return self.dimension.code

    @property
    def name(self) -> Localized:
        return localized(self.dimension.name)


@dataclass
class Profile:
    """A result as the person sees it."""

    questionnaire: Questionnaire
    dimensions: list[DimensionScore]
    overall: int | None
    strengths: list[DimensionScore] = field(default_factory=list)
    to_work_on: list[DimensionScore] = field(default_factory=list)
    compared_with_last: datetime | None = None
    compared_with_first: datetime | None = None

    @property
    def overall_level(self) -> AssessmentLevel | None:
        return level_for(self.questionnaire, self.overall)


def level_for(questionnaire: Questionnaire, score: float | None) -> AssessmentLevel | None:
    if score is None:
        return None
    reached = [level for level in questionnaire.levels if level.minimum <= score]
    return reached[-1] if reached else None


def dimension_score(values: list[int | None]) -> int | None:
    """The mean of the answered points (0-4) as 0-100; "does not apply" counts for nothing."""
    answered = [v for v in values if v is not None]
    return round(mean(answered) / (SCALE_POINTS - 1) * 100) if answered else None


def overall_score(scores: list[int | None]) -> int | None:
    """The index: the mean of the dimensions' scores, each dimension weighing the same."""
    known = [s for s in scores if s is not None]
    return round(mean(known)) if known else None


def profile(questionnaire: Questionnaire, answers: dict[int, int | None]) -> Profile:
    """Scores, levels, strengths and what to work on from answers {statement id: 0-4 or None}."""
    dimensions = []
    for dimension in questionnaire.dimensions:
        values = [answers[s.id] for s in dimension.statements if s.id in answers]
        score = dimension_score(values)
        dimensions.append(DimensionScore(dimension, score, sum(v is not None for v in values),
                                         level_for(questionnaire, score)))
    result = Profile(questionnaire, dimensions, overall_score([d.score for d in dimensions]))
    scored = [d for d in dimensions if d.score is not None]
    top_level = questionnaire.levels[-1].code if questionnaire.levels else None
    lowest_level = questionnaire.levels[0].code if questionnaire.levels else None
    result.strengths = sorted((d for d in scored if d.level and d.level.code != lowest_level),
                              key=lambda d: -d.score)[:STRENGTHS]
    result.to_work_on = sorted((d for d in scored if d.level and d.level.code != top_level and d not in
                                result.strengths), key=lambda d: d.score)[:TO_WORK_ON]
    return result


# --- sittings: a stored result, or the session of someone not signed in -------------------------------------


def answers_of(result: AssessmentResult) -> dict[int, int | None]:
    return {a.statement_id: a.value for a in result.answers}


def results_of(user) -> list[AssessmentResult]:
    """The person's completed results, oldest first."""
    return _completed_results(user.id)


def _completed_results(user_id: int) -> list[AssessmentResult]:
    return list(db.session.scalars(select(AssessmentResult).where(
        AssessmentResult.user_id == user_id, AssessmentResult.completed_at.is_not(None))
        .order_by(AssessmentResult.completed_at, AssessmentResult.id)))


def in_progress(user) -> AssessmentResult | None:
    return db.session.scalars(select(AssessmentResult).where(
        AssessmentResult.user_id == user.id, AssessmentResult.completed_at.is_(None))
        .order_by(AssessmentResult.id.desc()).limit(1)).first()


def _check_role(role: str) -> str:
    if role not in TAKER_ROLES:
        raise ServiceError.one("role", _l("Choose whether you are a professional or a student."))
    return role


def start(user, role: str, invitation: AssessmentInvitation | None = None) -> AssessmentResult:
    """Begin a sitting on the current version, or go back to the one in progress (resumable)."""
    questionnaire = current_questionnaire()
    if questionnaire is None:
        raise ServiceError.one("", _l("The self-assessment has not been published yet."))
    role = _check_role(role)
    ongoing = in_progress(user)
    if ongoing is not None and ongoing.questionnaire_id == questionnaire.id:
        ongoing.role = role
        if invitation is not None:
            ongoing.invitation_id = invitation.id
        db.session.commit()
        return ongoing
    if ongoing is not None:  # begun on a version retired since: answered again on the new one
        db.session.delete(ongoing)
    result = AssessmentResult(user_id=user.id, questionnaire_id=questionnaire.id, role=role,
                              invitation_id=invitation.id if invitation else None)
    db.session.add(result)
    db.session.commit()
    return result


def save_answers(result: AssessmentResult, answers: dict[int, int | None]) -> None:
    """Keep these answers (statement id -> 0-4 or None), replacing earlier ones; only statements of the
    result's version, only points of the scale."""
    if result.completed_at is not None:
        raise ServiceError.one("", _l("This result is complete: take the self-assessment again to change it."))
    valid = {s.id for s in result.questionnaire.statements}
    rows = [{"result_id": result.id, "statement_id": statement_id, "value": value}
            for statement_id, value in answers.items()
            if statement_id in valid and (value is None or 0 <= value < SCALE_POINTS)]
    if rows:
        # An upsert: a page sent twice at once (a double click) is two writes of the same answer.
        upsert(AssessmentAnswer, rows, ["result_id", "statement_id"], ["value"])
        db.session.expire(result, ["answers"])
    db.session.commit()


def unanswered(questionnaire: Questionnaire, answers: dict[int, int | None]) -> list[AssessmentStatement]:
    return [s for s in questionnaire.statements if s.id not in answers]


def complete(result: AssessmentResult) -> AssessmentResult:
    """Finish a sitting: every statement answered (or "does not apply"), scores kept for the aggregates."""
    answers = answers_of(result)
    missing = unanswered(result.questionnaire, answers)
    if missing:
        raise ServiceError.one("", _l("%(count)d statements are not answered yet.", count=len(missing)))
    scores = profile(result.questionnaire, answers)
    result.scores = [ResultScore(dimension_code=d.code, score=d.score, answered=d.answered)
                     for d in scores.dimensions]
    result.overall = scores.overall
    result.completed_at = utcnow()
    user = db.session.get(_user_class(), result.user_id)
    result.institution_id = user.institution_id if user is not None and user.is_approved_member else None
    db.session.commit()
    return result


def _user_class():
    from network.auth.models import User

    return User


def delete_result(result: AssessmentResult) -> None:
    db.session.delete(result)
    db.session.commit()


MAX_ID = 2**31 - 1  # the databases' integer ids


def _session_id(value) -> int:
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(value)
    return number


@dataclass
class AnonymousSitting:
    """Someone not signed in: their answers live in their own session cookie until they sign in or register
    (attach_session_answers), and the server stores nothing about them."""

    questionnaire_id: int
    role: str
    answers: dict[int, int | None]
    completed: bool = False
    invitation_id: int | None = None

    @classmethod
    def load(cls) -> "AnonymousSitting | None":
        """The sitting kept in this browser's session, or None (and forgotten) if anything in it is not what
        keep() writes: the cookie is signed, but a page must not trust a value it did not check."""
        data = session.get(SESSION_KEY)
        if not isinstance(data, dict):
            return None
        try:
            answers = {_session_id(k): (None if v is None else int(v)) for k, v in dict(data.get("a", {})).items()}
            invitation = data.get("inv")
            sitting = cls(questionnaire_id=_session_id(data["q"]), role=str(data.get("role", PROFESSIONAL)),
                          answers=answers, completed=data.get("done") is True,
                          invitation_id=None if invitation is None else _session_id(invitation))
            if sitting.role not in TAKER_ROLES or any(v is not None and not 0 <= v < SCALE_POINTS
                                                      for v in answers.values()):
                raise ValueError(sitting)
            return sitting
        except (KeyError, TypeError, ValueError):
            session.pop(SESSION_KEY, None)
            return None

    anonymous = True

    def keep(self) -> None:
        """Write it to the session (the browser's signed cookie)."""
        session[SESSION_KEY] = {"q": self.questionnaire_id, "role": self.role, "done": self.completed,
                                "inv": self.invitation_id, "a": {str(k): v for k, v in self.answers.items()}}

    @property
    def questionnaire(self) -> Questionnaire | None:
        return db.session.get(Questionnaire, self.questionnaire_id)


def start_anonymous(role: str, invitation: AssessmentInvitation | None = None) -> AnonymousSitting:
    questionnaire = current_questionnaire()
    if questionnaire is None:
        raise ServiceError.one("", _l("The self-assessment has not been published yet."))
    role = _check_role(role)
    sitting = AnonymousSitting.load()
    if sitting is None or sitting.questionnaire_id != questionnaire.id or sitting.completed:
        sitting = AnonymousSitting(questionnaire.id, role, {})
    sitting.role = role
    sitting.invitation_id = invitation.id if invitation else sitting.invitation_id
    sitting.keep()
    return sitting


def save_anonymous_answers(sitting: AnonymousSitting, answers: dict[int, int | None]) -> None:
    questionnaire = sitting.questionnaire
    valid = {s.id for s in questionnaire.statements} if questionnaire else set()
    for statement_id, value in answers.items():
        if statement_id in valid and (value is None or 0 <= value < SCALE_POINTS):
            sitting.answers[statement_id] = value
    sitting.keep()


def complete_anonymous(sitting: AnonymousSitting) -> AnonymousSitting:
    missing = unanswered(sitting.questionnaire, sitting.answers)
    if missing:
        raise ServiceError.one("", _l("%(count)d statements are not answered yet.", count=len(missing)))
    sitting.completed = True
    sitting.keep()
    return sitting


@dataclass
class StoredSitting:
    """A signed-in person's sitting in progress: their result, stored as they go."""

    result: AssessmentResult
    anonymous = False

    @property
    def questionnaire(self) -> Questionnaire:
        return self.result.questionnaire

    @property
    def role(self) -> str:
        return self.result.role

    @property
    def answers(self) -> dict[int, int | None]:
        return answers_of(self.result)


def current_sitting(user) -> "StoredSitting | AnonymousSitting | None":
    """The sitting in progress of this person (signed in) or this browser (not), if any. Both kinds answer the
    pages the same way (questionnaire, answers, role, anonymous), and save_sitting / complete_sitting take either."""
    if getattr(user, "is_authenticated", False):
        result = in_progress(user)
        return StoredSitting(result) if result is not None else None
    sitting = AnonymousSitting.load()
    if sitting is None or sitting.completed or sitting.questionnaire is None:
        return None
    return sitting


def begin_sitting(user, role: str, invitation: AssessmentInvitation | None = None):
    """Start (or resume) a sitting: stored for someone signed in, in the session otherwise."""
    if getattr(user, "is_authenticated", False):
        return StoredSitting(start(user, role, invitation))
    return start_anonymous(role, invitation)


def save_sitting(sitting, answers: dict[int, int | None]) -> None:
    if sitting.anonymous:
        save_anonymous_answers(sitting, answers)
    else:
        save_answers(sitting.result, answers)


def complete_sitting(sitting):
    """Finish it: the stored result (signed in) or the completed anonymous sitting. The invitation it was taken
    through is forgotten: the next sitting in this browser counts for no group unless its link is opened again."""
    session.pop(INVITATION_SESSION_KEY, None)
    return complete_anonymous(sitting) if sitting.anonymous else complete(sitting.result)


def finished_here() -> "AnonymousSitting | None":
    """This browser's completed sitting (not signed in), whose result the page shows."""
    sitting = AnonymousSitting.load()
    return sitting if sitting is not None and sitting.completed and sitting.questionnaire is not None else None


def answers_waiting_here() -> "AnonymousSitting | None":
    """Answers given in this browser before signing in, waiting for the person to keep or discard them."""
    sitting = AnonymousSitting.load()
    return sitting if sitting is not None and sitting.answers else None


def discard_session_answers() -> None:
    session.pop(SESSION_KEY, None)


def attach_session_answers(user) -> AssessmentResult | None:
    """The answers given in this browser become the signed-in person's result (and leave the session). Only when
    they confirm it (views.keep_answers): a browser someone else used before must not hand its answers on."""
    sitting = AnonymousSitting.load()
    session.pop(SESSION_KEY, None)
    if sitting is None or not sitting.answers:
        return None
    questionnaire = sitting.questionnaire
    if questionnaire is None or questionnaire.status == DRAFT:
        return None
    invitation = db.session.get(AssessmentInvitation, sitting.invitation_id) if sitting.invitation_id else None
    if invitation is not None and not invitation_open(invitation):
        invitation = None
    ongoing = in_progress(user)
    if ongoing is not None:
        db.session.delete(ongoing)  # the newer answers, given in this browser, replace an unfinished sitting
    result = AssessmentResult(user_id=user.id, questionnaire_id=questionnaire.id, role=sitting.role,
                              invitation_id=invitation.id if invitation else None)
    db.session.add(result)
    db.session.flush()
    save_answers(result, sitting.answers)
    if sitting.completed:
        complete(result)
    return result


# --- over time ----------------------------------------------------------------------------------------------


def _scores_on(result: AssessmentResult, statement_codes: set[str]) -> dict[str, int | None]:
    """The result's score per dimension code, counting only these statements (the ones two versions share)."""
    by_dimension: dict[str, list[int | None]] = {}
    statements = {s.id: s for s in result.questionnaire.statements}
    for answer in result.answers:
        statement = statements.get(answer.statement_id)
        if statement is not None and statement.code in statement_codes:
            by_dimension.setdefault(statement.dimension.code, []).append(answer.value)
    return {code: dimension_score(values) for code, values in by_dimension.items()}


def compare(a: AssessmentResult, b: AssessmentResult) -> dict[str, int]:
    """How each dimension changed from a to b, over the statements both versions share."""
    shared = {s.code for s in a.questionnaire.statements} & {s.code for s in b.questionnaire.statements}
    before, after = _scores_on(a, shared), _scores_on(b, shared)
    return {code: after[code] - before[code] for code in after
            if after[code] is not None and before.get(code) is not None}


def result_profile(result: AssessmentResult) -> Profile:
    """A stored result with its changes since the person's previous result and since their first."""
    scores = profile(result.questionnaire, answers_of(result))
    if result.completed_at is None:
        return scores
    earlier = [r for r in _completed_results(result.user_id) if r.completed_at < result.completed_at]
    if earlier:
        last, first = earlier[-1], earlier[0]
        since_last, since_first = compare(last, result), compare(first, result)
        for dimension in scores.dimensions:
            dimension.since_last = since_last.get(dimension.code)
            dimension.since_first = since_first.get(dimension.code) if first is not last else None
        scores.compared_with_last = last.completed_at
        scores.compared_with_first = first.completed_at if first is not last else None
    return scores


# --- recommendations ----------------------------------------------------------------------------------------

# The types of search documents a dimension's recommendations come from, in this order (learning modules join
# by registering theirs under this name).
RECOMMENDED_TYPES = ("course", "practice", "collection")


@dataclass
class Recommendation:
    doc_type: str
    title: str
    url: str
    summary: str


def recommendations(user, dimension: AssessmentDimension, per_type: int = 3) -> list[Recommendation]:
    """What the search index ranks best for the dimension's keywords (in the reader's language and in English),
    among what the reader may see. The index, not exact tags: it already applies each type's visibility rules,
    stems every language and boosts tags, and finds untagged or translated write-ups that tags would miss."""
    from network.search.documents import registered
    from network.search.services import SearchRequest, search

    language = reader_language()
    words = " ".join(dict.fromkeys(filter(None, (dimension.keywords.get(language),
                                                  dimension.keywords.get(DEFAULT_LANGUAGE)))))
    if not words.strip():
        return []
    found = []
    for doc_type in RECOMMENDED_TYPES:
        if doc_type not in registered():
            continue
        results = search(user, SearchRequest(q=words, type=doc_type, per_page=per_type))
        for hit in results.hits[:per_type]:
            found.append(Recommendation(doc_type, hit.title, hit.url, hit.snippet))
    return found


# --- groups and their aggregates ----------------------------------------------------------------------------

GROUP_KINDS = ("partnership", "institution", "country", "role", "invitation")


@dataclass(frozen=True)
class Group:
    """Whose results are pooled: kind is one of GROUP_KINDS; value the partnership's, institution's or
    invitation's id, the country's code or the role."""

    kind: str
    value: str


def group_results(group: Group, since: datetime | None = None, until: datetime | None = None):
    """SELECT of the completed results counting for the group (every one, not yet one per person)."""
    from network.institutions.models import Institution, Partnership, partnership_partners

    query = select(AssessmentResult.id).where(AssessmentResult.completed_at.is_not(None))
    if group.kind == "partnership":
        partnership_id = int(group.value)
        members = select(partnership_partners.c.institution_id).where(
            partnership_partners.c.partnership_id == partnership_id).union(
            select(Partnership.coordinating_institution_id).where(Partnership.id == partnership_id))
        invited = select(AssessmentInvitation.id).where(AssessmentInvitation.partnership_id == partnership_id)
        query = query.where(or_(AssessmentResult.institution_id.in_(members),
                                AssessmentResult.invitation_id.in_(invited)))
    elif group.kind == "institution":
        query = query.where(AssessmentResult.institution_id == int(group.value))
    elif group.kind == "country":
        query = query.where(AssessmentResult.institution_id.in_(
            select(Institution.id).where(Institution.country == group.value.upper())))
    elif group.kind == "role":
        query = query.where(AssessmentResult.role == group.value)
    elif group.kind == "invitation":
        query = query.where(AssessmentResult.invitation_id == int(group.value))
    else:
        raise ValueError(group.kind)
    if since is not None:
        query = query.where(AssessmentResult.completed_at >= since)
    if until is not None:
        query = query.where(AssessmentResult.completed_at < until)
    return query


@dataclass
class DimensionAggregate:
    code: str
    name: Localized
    mean: float | None  # None: fewer than MIN_GROUP people answered it
    count: int
    distribution: dict[str, int]  # level code -> people
    needing: int  # people below the second level: the dimension is a training need for them

    @property
    def needing_share(self) -> float:
        return self.needing / self.count if self.count else 0.0


@dataclass
class Period:
    label: str  # "2026-Q3"
    count: int
    means: dict[str, float | None]


@dataclass
class Aggregate:
    group: Group
    count: int  # people
    dimensions: list[DimensionAggregate]
    periods: list[Period]
    shown: bool = False  # enough people, none singled out by subtracting other figures (_safe_to_show)

    @property
    def enough(self) -> bool:
        return self.shown

    @property
    def too_few(self) -> bool:
        """Withheld because fewer than MIN_GROUP answered (else: a subtraction would single people out)."""
        return self.count < MIN_GROUP

    def dimension(self, code: str) -> DimensionAggregate | None:
        return next((d for d in self.dimensions if d.code == code), None)


def _group_scores(group: Group, reference: Questionnaire | None, since: datetime | None,
                  until: datetime | None):
    """The group's completed results, oldest first, as (result id, person, finished, institution), and their
    scores read through the reference version: result id -> dimension code -> score, a dimension counting the
    answers to its statements (by code) in whatever version they were given, as comparisons over time do. Two
    queries whatever the group's size (no list of ids sent back to the database)."""
    query = group_results(group, since, until)
    results = list(db.session.execute(
        select(AssessmentResult.id, AssessmentResult.user_id, AssessmentResult.completed_at,
               AssessmentResult.institution_id)
        .where(AssessmentResult.id.in_(query)).order_by(AssessmentResult.completed_at, AssessmentResult.id)))
    dimension_of = {s.code: s.dimension.code for s in reference.statements} if reference else {}
    values: dict[int, dict[str, list[int | None]]] = {}
    for result_id, code, value in db.session.execute(
            select(AssessmentAnswer.result_id, AssessmentStatement.code, AssessmentAnswer.value)
            .join(AssessmentStatement, AssessmentStatement.id == AssessmentAnswer.statement_id)
            .where(AssessmentAnswer.result_id.in_(query))):
        if code in dimension_of:
            values.setdefault(result_id, {}).setdefault(dimension_of[code], []).append(value)
    scores = {result_id: {code: dimension_score(points) for code, points in by_dimension.items()}
              for result_id, by_dimension in values.items()}
    return results, scores


def _means(reference: Questionnaire | None, people: list[dict[str, float | None]]) -> list[tuple]:
    """Per dimension of the reference version: (dimension, the known scores), from one score dict per person."""
    return [(dimension, [person[dimension.code] for person in people if person.get(dimension.code) is not None])
            for dimension in (reference.dimensions if reference else [])]


# Groups made of institutions' people: a reader who may see the whole may see its institutions one by one too.
# Whole minus the parts shown (each of MIN_GROUP or more) is the people of the parts too small to show: the
# whole is shown only when they are none or at least MIN_GROUP, or a subtraction would tell their figures.
GROUPS_OF_INSTITUTIONS = ("partnership", "country")


def _safe_to_show(group: Group, people: dict[int, int | None], differs_from_whole: int | None = None) -> bool:
    """people: person -> the institution their result counts for. Enough people, none of them singled out by
    subtracting figures the same reader sees: the institutions' (GROUPS_OF_INSTITUTIONS) or, for a part of a
    group (a quarter), the whole's (differs_from_whole: how many results are in one and not the other)."""
    if len(people) < MIN_GROUP:
        return False
    if differs_from_whole is not None and 0 < differs_from_whole < MIN_GROUP:
        return False
    if group.kind in GROUPS_OF_INSTITUTIONS:
        by_institution: dict[int | None, int] = {}
        for institution_id in people.values():
            by_institution[institution_id] = by_institution.get(institution_id, 0) + 1
        unshown = sum(count for institution_id, count in by_institution.items()
                      if institution_id is None or count < MIN_GROUP)
        if 0 < unshown < MIN_GROUP:
            return False
    return True


def aggregate(group: Group, since: datetime | None = None, until: datetime | None = None) -> Aggregate:
    """The group's figures by dimension from each person's newest result: never below MIN_GROUP people (the
    whole group, each dimension, each period; nor when a subtraction of figures shown would single people out:
    _safe_to_show), and never anyone's own answers."""
    reference = current_questionnaire()  # names, levels and statements: the version people take now
    results, scores = _group_scores(group, reference, since, until)
    newest = {user_id: (result_id, institution_id) for result_id, user_id, _, institution_id in results}
    shown = _safe_to_show(group, {user_id: institution_id for user_id, (_, institution_id) in newest.items()})
    people = [scores.get(result_id, {}) for result_id, _ in newest.values()]
    dimensions = []
    levels = reference.levels if reference else []
    second = levels[1].minimum if len(levels) > 1 else 0
    for dimension, values in _means(reference, people):
        enough = shown and len(values) >= MIN_GROUP
        distribution = {level.code: 0 for level in levels}
        for value in values:
            level = level_for(reference, value)
            if level is not None:
                distribution[level.code] += 1
        dimensions.append(DimensionAggregate(
            dimension.code, localized(dimension.name), round(float(mean(values)), 1) if enough else None,
            len(values), distribution if enough else {}, sum(v < second for v in values) if enough else 0))
    whole = {result_id for result_id, _ in newest.values()}
    periods = _periods(group, reference, results, scores, whole) if shown else []
    return Aggregate(group, len(newest), dimensions, periods, shown)


def _quarter(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def _periods(group: Group, reference: Questionnaire | None, results, scores, whole: set[int]) -> list[Period]:
    """Change over time: by calendar quarter, each person's newest result of the quarter. A quarter shows no
    figures with fewer than MIN_GROUP people, nor when its results and the whole's (each person's newest) differ
    by 1 to MIN_GROUP - 1 results: the whole's figures minus the quarter's would tell theirs."""
    newest: dict[str, dict[int, tuple[int, int | None]]] = {}  # quarter -> person -> (result, institution)
    for result_id, user_id, completed_at, institution_id in results:
        newest.setdefault(_quarter(completed_at), {})[user_id] = (result_id, institution_id)
    periods = []
    for label in sorted(newest):
        in_quarter = newest[label]
        results_of_quarter = {result_id for result_id, _ in in_quarter.values()}
        shown = _safe_to_show(group, {user: institution for user, (_, institution) in in_quarter.items()},
                              len(results_of_quarter ^ whole))
        people = [scores.get(result_id, {}) for result_id, _ in in_quarter.values()]
        means = {dimension.code: round(float(mean(values)), 1) if len(values) >= MIN_GROUP else None
                 for dimension, values in _means(reference, people)}
        periods.append(Period(label, len(people), means if shown else {}))
    return periods


def training_needs(group: Group) -> list[DimensionAggregate]:
    """The dimensions most people of the group need (below the second level), most needed first."""
    return needs_of(aggregate(group))


def needs_of(figures: Aggregate) -> list[DimensionAggregate]:
    """training_needs from a group's figures already computed."""
    if not figures.enough:
        return []
    return sorted((d for d in figures.dimensions if d.mean is not None), key=lambda d: (-d.needing_share, d.mean))


# --- invitations --------------------------------------------------------------------------------------------


def create_invitation(user, *, partnership=None, event=None, phase: str = ANY_TIME, label: str = "",
                      closes_on: date | None = None) -> AssessmentInvitation:
    if partnership is None and event is None:
        raise ServiceError.one("group", _l("Choose a partnership or a training event."))
    if phase not in INVITATION_PHASES:
        raise ServiceError.one("phase", _l("Choose when the group takes it: before, after or any time."))
    if closes_on is not None and closes_on < date.today():
        raise ServiceError.one("closes_on", _l("The closing date has passed."))
    invitation = AssessmentInvitation(
        token=secrets.token_urlsafe(24), partnership_id=getattr(partnership, "id", None) or (
            event.partnership_id if event is not None else None),
        event_id=getattr(event, "id", None), phase=phase, label=label.strip()[:200], closes_on=closes_on,
        created_by_id=user.id)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def invitation_by_token(token: str) -> AssessmentInvitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalars(select(AssessmentInvitation).where(AssessmentInvitation.token == token)).first()


def invitation_open(invitation: AssessmentInvitation) -> bool:
    return invitation.closes_on is None or invitation.closes_on >= date.today()


def remember_invitation(invitation: AssessmentInvitation) -> None:
    session[INVITATION_SESSION_KEY] = invitation.id


def remembered_invitation() -> AssessmentInvitation | None:
    invitation_id = session.get(INVITATION_SESSION_KEY)
    invitation = db.session.get(AssessmentInvitation, invitation_id) if isinstance(invitation_id, int) else None
    return invitation if invitation is not None and invitation_open(invitation) else None


def sibling_invitations(invitation: AssessmentInvitation) -> list[AssessmentInvitation]:
    """The invitations of the same event (or, without one, the same partnership): compared side by side."""
    query = select(AssessmentInvitation)
    if invitation.event_id is not None:
        query = query.where(AssessmentInvitation.event_id == invitation.event_id)
    else:
        query = query.where(AssessmentInvitation.partnership_id == invitation.partnership_id,
                            AssessmentInvitation.event_id.is_(None))
    order = {BEFORE: 0, ANY_TIME: 1, AFTER: 2}
    return sorted(db.session.scalars(query), key=lambda i: (order.get(i.phase, 1), i.created_at, i.id))


@dataclass
class InvitationComparison:
    """The invitations of one group side by side (before and after an event): columns (invitation, its figures),
    rows (dimension name, the mean in each column or None, the change from the first "before" shown to the last
    "after" shown, or None)."""

    columns: list[tuple[AssessmentInvitation, Aggregate]]
    rows: list[tuple[Localized, list[float | None], float | None]]

    @property
    def compares(self) -> bool:
        return any(change is not None for _name, _means, change in self.rows)


def compare_invitations(invitation: AssessmentInvitation) -> InvitationComparison:
    columns = [(sibling, aggregate(Group("invitation", str(sibling.id)))) for sibling in sibling_invitations(invitation)]
    before = next((figures for sibling, figures in columns if sibling.phase == BEFORE and figures.enough), None)
    after = next((figures for sibling, figures in reversed(columns) if sibling.phase == AFTER and figures.enough),
                 None)
    questionnaire = current_questionnaire()
    rows = []
    for dimension in (questionnaire.dimensions if questionnaire else []):
        means = [(figures.dimension(dimension.code).mean if figures.dimension(dimension.code) else None)
                 for _sibling, figures in columns]
        change = None
        if before is not None and after is not None:
            first, last = before.dimension(dimension.code).mean, after.dimension(dimension.code).mean
            if first is not None and last is not None:
                change = round(last - first, 1)
        rows.append((localized(dimension.name), means, change))
    return InvitationComparison(columns, rows)


def delete_invitation(invitation: AssessmentInvitation) -> None:
    db.session.delete(invitation)
    db.session.commit()
