"""Building surveys: a partnership's (its coordinators) and the network's templates (site admins), their settings,
sections and questions, opening, closing and copying them. Each change is committed once.

A draft is edited freely. Once a survey is open or closed its structure is frozen, because invitations and answers
point at its questions and at its options' codes: no section or question added, deleted or moved, no kind, option
count, requirement or bounds changed; its wording (every text in every language) may still be mended. A template
has no partnership and is never sent: it stays a draft that partnerships copy.

Texts are {language: text}; English is required (it is shown when a translation is missing). A choice question's
options are [{"code": "o1", "label": {language: text}}, ...]: the codes are given once, in order, and kept when the
wording changes, since the answers store codes.
"""
from __future__ import annotations

import copy
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from network.editing import move, next_position, renumber, texts_by_language
from network.errors import ServiceError
from network.evaluation.models import (
    AFTER_EVENT,
    AFTER_VISIT,
    BEFORE_VISIT,
    CHOICE_KINDS,
    CLOSED,
    DRAFT,
    LONG_TEXT,
    MOMENTS,
    MULTIPLE,
    NUMBER,
    OPEN,
    QUESTION_KINDS,
    SCALE,
    SHORT_TEXT,
    SINGLE,
    SIX_MONTHS,
    VISIT_MOMENTS,
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveySection,
)
from network.extensions import db
from network.types import utcnow

DEFAULT_LANGUAGE = "en"
TITLE_MAX, INTRODUCTION_MAX, QUESTION_MAX, HELP_MAX, OPTION_MAX = 300, 4000, 1000, 1000, 300
MAX_OPTIONS = 30
ANSWER_DAYS_MAX = 120
NUMBER_DIGITS = 9

MOMENT_LABELS = {
    BEFORE_VISIT: _l("Before a visit (expectations)"),
    AFTER_VISIT: _l("After a visit"),
    SIX_MONTHS: _l("Six months after a visit"),
    AFTER_EVENT: _l("After an event, for those who attended"),
}
KIND_LABELS = {
    SCALE: _l("5-point scale"),
    SINGLE: _l("Single choice"),
    MULTIPLE: _l("Multiple choice"),
    NUMBER: _l("Number"),
    SHORT_TEXT: _l("Short text"),
    LONG_TEXT: _l("Long text"),
}
STATUS_LABELS = {DRAFT: _l("Draft"), OPEN: _l("Open"), CLOSED: _l("Closed")}
# Hosts read aggregated results of questions with figures, about visits (not free texts: they could name people).
HOST_KINDS = (SCALE, SINGLE, MULTIPLE, NUMBER)


# --- reading --------------------------------------------------------------------------------------------------


def _today() -> date:
    """The evaluation's today: mobility's one clock, as the sending reads it (tests move it there)."""
    from network.mobility import weeks

    return weeks.today()


def get_survey(survey_id: int) -> Survey | None:
    return db.session.get(Survey, survey_id)


def surveys_of_partnership(partnership) -> list[Survey]:
    """Every survey of the partnership, drafts included, the newest first."""
    return list(db.session.scalars(select(Survey).where(Survey.partnership_id == partnership.id)
                                   .order_by(Survey.created_at.desc(), Survey.id.desc())))


def templates() -> list[Survey]:
    """The network's templates (surveys without a partnership), the newest first."""
    return list(db.session.scalars(select(Survey).where(Survey.partnership_id.is_(None))
                                   .order_by(Survey.created_at.desc(), Survey.id.desc())))


def invitation_counts(survey_ids) -> dict[int, tuple[int, int]]:
    """Survey id -> (invitations sent, invitations answered), for every id asked about ((0, 0) when none)."""
    ids = sorted({int(survey_id) for survey_id in survey_ids})
    counts = {survey_id: (0, 0) for survey_id in ids}
    if not ids:
        return counts
    answered = func.sum(case((SurveyInvitation.answered.is_(True), 1), else_=0))
    rows = db.session.execute(select(SurveyInvitation.survey_id, func.count(), answered)
                              .where(SurveyInvitation.survey_id.in_(ids)).group_by(SurveyInvitation.survey_id))
    for survey_id, sent, done in rows:
        counts[survey_id] = (int(sent), int(done or 0))
    return counts


def is_frozen(survey: Survey) -> bool:
    """Sent (open or closed): its structure is fixed, only its wording may be mended."""
    return survey.status != DRAFT


def opening_problems(survey: Survey) -> list:
    """Why the survey cannot be opened yet (empty when it can): messages to show the person."""
    if survey.is_template:
        return [_l("A template is never sent: copy it into a partnership and open the copy.")]
    problems = []
    if not (survey.title or {}).get(DEFAULT_LANGUAGE):
        problems.append(_l("The survey has no English title."))
    if not survey.questions:
        problems.append(_l("The survey has no question yet: add at least one."))
    for number, section in enumerate(survey.sections, start=1):
        if not section.questions:
            problems.append(_l("Section %(number)d has no question: add one or delete the section.", number=number))
    for number, question in enumerate(survey.questions, start=1):
        if not (question.text or {}).get(DEFAULT_LANGUAGE):
            problems.append(_l("Question %(number)d has no English text.", number=number))
        if question.kind in CHOICE_KINDS and len(question.options or []) < 2:
            problems.append(_l("Question %(number)d is a choice question with fewer than 2 options.",
                               number=number))
    return problems


# --- checks ----------------------------------------------------------------------------------------------------


def _language_name(code: str) -> str:
    from network.labels import language_name

    return language_name(code)


def _texts(values, name: str, old: dict | None = None, required: bool = True, limit: int = TITLE_MAX) -> dict:
    return texts_by_language(values, name, limit, old, required)


def _whole(value, name: str, low: int, high: int, message) -> int:
    text = str(value if value is not None else "").strip()
    if not re.fullmatch(r"[0-9]{1,4}", text) or not low <= int(text) <= high:
        raise ServiceError.one(name, message)
    return int(text)


def _bound(value, name: str) -> int | None:
    """A number question's minimum or maximum: a whole number (possibly negative), or None when left empty."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
    else:
        text = str(value).strip().replace("\u2212", "-")
    if not text:
        return None
    if not re.fullmatch(r"-?[0-9]{1,%d}" % NUMBER_DIGITS, text):
        raise ServiceError.one(name, _l("Give a whole number, for example 0 or 40, or leave it empty."))
    return int(text)


def _refuse_frozen(survey: Survey) -> None:
    if is_frozen(survey):
        raise ServiceError.one("", _l("This survey has been sent: its sections and questions are fixed, because "
                                      "answers point at them. Only their wording can still be mended."))


# --- surveys -----------------------------------------------------------------------------------------------------


def _settings(data: dict, survey: Survey | None) -> dict:
    """The checked values of a survey's settings. Keys missing from data keep the survey's values."""
    def given(key, default):
        return data[key] if key in data and data[key] is not None else default

    values = {
        "title": _texts(data.get("title"), "title", survey.title if survey else None),
        "introduction": _texts(data.get("introduction"), "introduction", survey.introduction if survey else None,
                               required=False, limit=INTRODUCTION_MAX),
    }
    moment = given("moment", survey.moment if survey else None)
    if moment not in MOMENTS:
        raise ServiceError.one("moment", _l("Choose when the survey is sent."))
    anonymous = given("anonymous", survey.anonymous if survey else None)
    if isinstance(anonymous, str):
        anonymous = {"anonymous": True, "named": False}.get(anonymous)
    if anonymous not in (True, False):
        raise ServiceError.one("anonymous", _l("Choose whether the answers are anonymous or named."))
    answer_days = _whole(given("answer_days", survey.answer_days if survey else 21), "answer_days", 1,
                         ANSWER_DAYS_MAX, _l("Give a whole number of days from 1 to %(max)d.", max=ANSWER_DAYS_MAX))
    remind = _whole(given("remind_after_days", survey.remind_after_days if survey else 7), "remind_after_days", 0,
                    ANSWER_DAYS_MAX, _l("Give a whole number of days, 0 for no reminder."))
    if remind and remind >= answer_days:
        raise ServiceError.one("remind_after_days", _l("The reminder must come before the survey closes for the "
                                                       "person: fewer days than the days to answer (%(days)d), or "
                                                       "0 for no reminder.", days=answer_days))
    if survey is not None and is_frozen(survey):
        if moment != survey.moment:
            raise ServiceError.one("moment", _l("This survey has been sent: its moment cannot change. Copy it "
                                                "to send it at another moment."))
        if anonymous != survey.anonymous:
            raise ServiceError.one("anonymous", _l("This survey has been sent: whether its answers are anonymous "
                                                   "cannot change."))
    return dict(values, moment=moment, anonymous=anonymous, answer_days=answer_days, remind_after_days=remind)


def create_survey(actor, partnership, data: dict) -> Survey:
    """A new draft for the partnership, or a template when partnership is None (checking who may is the view's).
    data: title and introduction ({language: text}; English title required), moment (one of models.MOMENTS),
    anonymous (bool, or "anonymous"/"named"), answer_days (1-120, default 21) and remind_after_days (0 = no
    reminder, fewer than answer_days; default 7)."""
    values = _settings(data, None)
    survey = Survey(partnership_id=partnership.id if partnership is not None else None, status=DRAFT,
                    created_by_id=getattr(actor, "id", None), **values)
    db.session.add(survey)
    db.session.commit()
    return survey


def update_survey(survey: Survey, data: dict) -> Survey:
    """The settings (keys of create_survey; missing ones are kept). Once sent, the moment and anonymity are fixed."""
    values = _settings(data, survey)
    if values["moment"] == AFTER_EVENT and survey.moment != AFTER_EVENT:
        for question in survey.questions:  # hosts' results are about visits
            question.shown_to_hosts = False
    for name, value in values.items():
        setattr(survey, name, value)
    db.session.commit()
    return survey


def open_survey(survey: Survey, today: date | None = None) -> Survey:
    """Draft -> open: from today on, the platform sends it at its moment. Refused while opening_problems() finds
    something to mend."""
    if survey.status != DRAFT:
        raise ServiceError.one("", _l("Only a draft can be opened."))
    problems = opening_problems(survey)
    if problems:
        raise ServiceError({"": problems})
    survey.status, survey.opened_on, survey.closed_at = OPEN, today or _today(), None
    db.session.commit()
    return survey


def close_survey(survey: Survey) -> Survey:
    """Open -> closed: no more invitations, reminders or answers."""
    if survey.status != OPEN:
        raise ServiceError.one("", _l("Only an open survey can be closed."))
    survey.status, survey.closed_at = CLOSED, utcnow()
    db.session.commit()
    return survey


def reopen_survey(survey: Survey) -> Survey:
    """Closed -> open again (it keeps the day it was first opened)."""
    if survey.status != CLOSED:
        raise ServiceError.one("", _l("Only a closed survey can be reopened."))
    survey.status, survey.closed_at = OPEN, None
    db.session.commit()
    return survey


def delete_survey(survey: Survey) -> None:
    """A draft that nobody was sent (a template too): with its sections and questions."""
    if survey.status != DRAFT:
        raise ServiceError.one("", _l("A survey that has been sent cannot be deleted: close it instead."))
    if invitation_counts([survey.id])[survey.id][0]:
        raise ServiceError.one("", _l("People were sent this survey: it cannot be deleted."))
    db.session.delete(survey)
    db.session.commit()


def copy_survey(actor, survey: Survey, partnership) -> Survey:
    """A new draft copy of the survey (a template or another survey) for the partnership, or a new template when
    partnership is None: settings, texts, sections, questions and option codes, with copied_from_id set."""
    twin = Survey(partnership_id=partnership.id if partnership is not None else None, status=DRAFT,
                  title=copy.deepcopy(survey.title or {}), introduction=copy.deepcopy(survey.introduction or {}),
                  moment=survey.moment, anonymous=survey.anonymous, answer_days=survey.answer_days,
                  remind_after_days=survey.remind_after_days, copied_from_id=survey.id,
                  created_by_id=getattr(actor, "id", None))
    for section in survey.sections:
        new_section = SurveySection(position=section.position, title=copy.deepcopy(section.title or {}))
        for question in section.questions:
            new_section.questions.append(SurveyQuestion(
                position=question.position, kind=question.kind, text=copy.deepcopy(question.text or {}),
                help=copy.deepcopy(question.help or {}), required=question.required,
                options=copy.deepcopy(question.options or []), minimum=question.minimum, maximum=question.maximum,
                shown_to_hosts=question.shown_to_hosts))
        twin.sections.append(new_section)
    db.session.add(twin)
    db.session.commit()
    return twin


# --- sections ----------------------------------------------------------------------------------------------------


def add_section(survey: Survey, data: dict) -> SurveySection:
    """data: {"title": {language: text}} (English required). The section comes last."""
    _refuse_frozen(survey)
    title = _texts(data.get("title"), "title")
    section = SurveySection(position=next_position(survey.sections), title=title)
    survey.sections.append(section)
    db.session.commit()
    return section


def update_section(section: SurveySection, data: dict) -> SurveySection:
    """data: {"title": {language: text}}. Renaming stays allowed once the survey is sent."""
    section.title = _texts(data.get("title"), "title", section.title)
    db.session.commit()
    return section


def move_section(section: SurveySection, step: int) -> None:
    """step -1: one place up (earlier); +1: one place down."""
    _refuse_frozen(section.survey)
    move(section.survey.sections, section, step)
    db.session.commit()


def delete_section(section: SurveySection) -> None:
    """The section and its questions."""
    survey = section.survey
    _refuse_frozen(survey)
    survey.sections.remove(section)
    renumber(survey.sections)
    db.session.commit()


# --- questions ---------------------------------------------------------------------------------------------------


def _lines(value) -> list[str]:
    """One language's option labels: a list, or a text with one label per line (empty lines are skipped)."""
    if value is None:
        return []
    items = value.splitlines() if isinstance(value, str) else list(value)
    return [str(item or "").strip() for item in items if str(item or "").strip()]


def _next_code(options: list[dict]) -> int:
    numbers = [int(o["code"][1:]) for o in options if re.fullmatch(r"o[0-9]+", str(o.get("code", "")))]
    return max(numbers, default=0) + 1


def _options(values, old: list[dict]) -> list[dict]:
    """The options from {language: labels}: line N of every language is option N; English gives their number, each
    other language gives as many or none. Option N keeps its code; new ones get the next free "o<n>"."""
    if values is None:
        return copy.deepcopy(old)
    lines = {language: _lines(labels) for language, labels in values.items()}
    english = lines.get(DEFAULT_LANGUAGE)
    if english is None:
        english = [(o.get("label") or {}).get(DEFAULT_LANGUAGE, "") for o in old]
    if not english and any(lines.values()):
        raise ServiceError.one(f"options_{DEFAULT_LANGUAGE}", _l("Give the options in English first, one per "
                                                                 "line."))
    if len(english) > MAX_OPTIONS:
        raise ServiceError.one(f"options_{DEFAULT_LANGUAGE}", _l("At most %(max)d options.", max=MAX_OPTIONS))
    for language, labels in lines.items():
        if any(len(label) > OPTION_MAX for label in labels):
            raise ServiceError.one(f"options_{language}", _l("An option has at most %(max)d characters.",
                                                             max=OPTION_MAX))
        if language != DEFAULT_LANGUAGE and labels and len(labels) != len(english):
            raise ServiceError.one(f"options_{language}", _l(
                "Give as many options in %(language)s as in English (%(count)d), one per line in the same order, "
                "or none.", language=_language_name(language), count=len(english)))
    options, next_code = [], _next_code(old)
    for index, label in enumerate(english):
        if index < len(old):
            option = {"code": old[index]["code"], "label": dict(old[index].get("label") or {})}
        else:
            option, next_code = {"code": f"o{next_code}", "label": {}}, next_code + 1
        option["label"][DEFAULT_LANGUAGE] = label
        for language, labels in lines.items():
            if language == DEFAULT_LANGUAGE:
                continue
            if labels:
                option["label"][language] = labels[index]
            else:
                option["label"].pop(language, None)
        options.append(option)
    return options


def _question_values(section: SurveySection, data: dict, question: SurveyQuestion | None) -> dict:
    survey = section.survey

    def given(key, default):
        return data[key] if key in data and data[key] is not None else default

    kind = given("kind", question.kind if question else None)
    if kind not in QUESTION_KINDS:
        raise ServiceError.one("kind", _l("Choose the kind of question."))
    values = {
        "kind": kind,
        "text": _texts(data.get("text"), "text", question.text if question else None, limit=QUESTION_MAX),
        "help": _texts(data.get("help"), "help", question.help if question else None, required=False,
                       limit=HELP_MAX),
        "required": bool(given("required", question.required if question else False)),
    }
    old_options = list(question.options or []) if question and question.kind in CHOICE_KINDS else []
    values["options"] = _options(data.get("options"), old_options) if kind in CHOICE_KINDS else []
    if kind == NUMBER:
        minimum = _bound(data["minimum"], "minimum") if "minimum" in data else (question.minimum if question
                                                                                else None)
        maximum = _bound(data["maximum"], "maximum") if "maximum" in data else (question.maximum if question
                                                                                else None)
        if minimum is not None and maximum is not None and minimum > maximum:
            raise ServiceError.one("maximum", _l("The maximum must be at least the minimum."))
    else:
        minimum = maximum = None
    values["minimum"], values["maximum"] = minimum, maximum
    hosts = bool(given("shown_to_hosts", question.shown_to_hosts if question else False))
    if hosts and kind not in HOST_KINDS:
        raise ServiceError.one("shown_to_hosts", _l("Hosts see the results of scale, choice and number questions "
                                                    "only: free texts could name people."))
    if hosts and survey.moment not in VISIT_MOMENTS:
        raise ServiceError.one("shown_to_hosts", _l("Hosts see results of surveys about visits only."))
    values["shown_to_hosts"] = hosts
    if question is not None and is_frozen(survey):
        if kind != question.kind:
            raise ServiceError.one("kind", _l("This survey has been sent: a question's kind cannot change."))
        if len(values["options"]) != len(question.options or []):
            raise ServiceError.one(f"options_{DEFAULT_LANGUAGE}", _l(
                "This survey has been sent: keep the same number of options (%(count)d), in the same order; only "
                "their wording can be mended.", count=len(question.options or [])))
        if values["required"] != question.required:
            raise ServiceError.one("required", _l("This survey has been sent: whether the question is required "
                                                  "cannot change."))
        if (minimum, maximum) != (question.minimum, question.maximum):
            raise ServiceError.one("minimum", _l("This survey has been sent: the bounds of a number cannot "
                                                 "change."))
    return values


def add_question(section: SurveySection, data: dict) -> SurveyQuestion:
    """A question at the end of the section. data: kind (one of models.QUESTION_KINDS), text and help
    ({language: text}; English text required), required (bool), options (choice kinds: {language: list of labels,
    or a text with one label per line}; line N of every language is option N, English gives their number; codes
    "o1", "o2"... are assigned), minimum and maximum (number kind: whole numbers or None/"", minimum <= maximum),
    shown_to_hosts (bool: hosts read its aggregated results; scale, choice and number questions of visit moments)."""
    _refuse_frozen(section.survey)
    values = _question_values(section, data, None)
    question = SurveyQuestion(position=next_position(section.questions), **values)
    section.questions.append(question)
    db.session.commit()
    return question


def update_question(question: SurveyQuestion, data: dict) -> SurveyQuestion:
    """The keys of add_question; missing ones are kept. Once the survey is sent only the wording may change
    (texts, help, option labels) and shown_to_hosts."""
    for name, value in _question_values(question.section, data, question).items():
        setattr(question, name, value)
    db.session.commit()
    return question


def move_question(question: SurveyQuestion, step: int) -> None:
    """Within its section: step -1 one place up, +1 one place down."""
    _refuse_frozen(question.section.survey)
    move(question.section.questions, question, step)
    db.session.commit()


def delete_question(question: SurveyQuestion) -> None:
    section = question.section
    _refuse_frozen(section.survey)
    section.questions.remove(question)
    renumber(section.questions)
    db.session.commit()
