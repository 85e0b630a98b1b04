"""Surveys at their moments: sending them every morning (send_due: sent, reminded once, closed), answering them one
page per section (save_page, send_answers), and their results (results, host_results).

An anonymous survey's response keeps nothing that leads to its author (see models' docstring), and its figures are
shown only for groups of MIN_GROUP responses or more: below that, results() says `enough=False` and gives no figure
and no text. The same holds for each question (one answered by fewer than MIN_GROUP shows nothing) and for a group
chosen by host, where every host's group must be empty or large enough, or subtracting would give one away (see
results). An anonymous response keeps the host institution or the event it is about, which these groups need.

Nor can the database's own bookkeeping link an anonymous response to its invitation: answering rewrites, in the same
transaction and in a random order, every answered invitation and every response of the survey (send_answers), so
that they share one transaction id (PostgreSQL's hidden xmin) and their physical order says nothing.
"""
from __future__ import annotations

import re
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import force_locale, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, bindparam, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from network import i18n, permissions
from network.auth.models import User
from network.errors import ServiceError
from network.evaluation.models import (
    AFTER_EVENT,
    AFTER_VISIT,
    BEFORE_VISIT,
    CHOICE_KINDS,
    CLOSED,
    EVENT,
    MULTIPLE,
    NUMBER,
    OPEN,
    SCALE,
    SCALE_POINTS,
    SHORT_TEXT,
    SINGLE,
    SIX_MONTHS,
    TEXT_KINDS,
    VISIT,
    VISIT_MOMENTS,
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
)
from network.extensions import db
from network.i18n import Localized, localized
from network.notifications import services as notifications
from network.types import utcnow

MIN_GROUP = 5  # an anonymous survey's figures are shown for this many responses or more
NOTIFICATION = "survey"  # the notifications' kind
BEFORE_VISIT_DAYS = 14  # before_visit: sent to confirmed visits whose Monday is 1 to 14 days ahead, answered by the
#                        Sunday before it at the latest
# after_visit is sent the morning after the visit's last day (dissemination.last_day: its Friday, or the day it was
# marked completed if later); six_months this many days after that morning (last day + 1 + 182).
SIX_MONTHS_DAYS = 182
SHORT_MAX, LONG_MAX = 300, 5000  # characters of a short and of a long text answer
NUMBER_DIGITS = 9

# The one set of labels of a 5-point scale question (1 .. 5): a scale question is worded as a statement the person
# agrees or disagrees with ("The host's programme met my expectations").
SCALE_LABELS = (_l("Strongly disagree"), _l("Disagree"), _l("Neither agree nor disagree"), _l("Agree"),
                _l("Strongly agree"))
SCALE_VALUES = tuple(str(n) for n in range(1, SCALE_POINTS + 1))

# What results() says when it shows no figure (a survey's or, FEW_ANSWERS and FEW_OTHERS, a question's).
FEW_RESPONSES, FEW_OTHERS, FEW_FOR_HOST, FEW_ANSWERS = "few_responses", "few_others", "few_for_host", "few_answers"


# --- reading ---------------------------------------------------------------------------------------------------


def get_invitation(invitation_id: int) -> SurveyInvitation | None:
    return db.session.get(SurveyInvitation, invitation_id)


def get_survey(survey_id: int) -> Survey | None:
    return db.session.get(Survey, survey_id)


def surveys_of(partnership, statuses=(OPEN, CLOSED)) -> list[Survey]:
    """A partnership's surveys that were sent (open or closed by default), in the order they were opened."""
    return list(db.session.scalars(
        select(Survey).where(Survey.partnership_id == partnership.id, Survey.status.in_(statuses))
        .order_by(Survey.opened_on, Survey.id)))


def option_label(question: SurveyQuestion, code: str, language: str | None = None) -> Localized:
    """The label of a choice (single or multiple choice) in the reader's language, or of a scale's point; a code
    the question does not have (an option removed) is shown as it is."""
    if question.kind == SCALE and code in SCALE_VALUES:
        return Localized(str(SCALE_LABELS[int(code) - 1]), language or i18n.reader_language(), False)
    for option in question.options or ():
        if option.get("code") == code:
            return localized(option.get("label"), language)
    return Localized(str(code), language or i18n.reader_language(), False)


def scale_labels(language: str | None = None) -> list[tuple[str, str]]:
    """The points of a scale question: ("1", "Strongly disagree") .. ("5", "Strongly agree"), in the interface's
    language or in the one given (the editor's preview)."""
    if language is None:
        return [(value, str(label)) for value, label in zip(SCALE_VALUES, SCALE_LABELS)]
    with force_locale(language):
        return [(value, str(label)) for value, label in zip(SCALE_VALUES, SCALE_LABELS)]


def pages(survey: Survey) -> list[SurveySection]:
    """The pages a person answers: the survey's sections that hold questions, in order."""
    return [section for section in survey.sections if section.questions]


def gone_subjects(rows) -> set[int]:
    """The invitations (ids) whose visit was cancelled or deleted, or whose event was deleted: they take no
    answers and get no reminder. Two queries for any number of invitations."""
    from network.events.models import Event
    from network.mobility.models import CANCELLED, Visit

    rows = list(rows)
    visit_ids = {row.subject_id for row in rows if row.subject_kind == VISIT}
    event_ids = {row.subject_id for row in rows if row.subject_kind == EVENT}
    live_visits = set(db.session.scalars(select(Visit.id).where(Visit.id.in_(visit_ids),
                                                                Visit.status != CANCELLED))) if visit_ids else set()
    live_events = set(db.session.scalars(select(Event.id).where(Event.id.in_(event_ids)))) if event_ids else set()
    return {row.id for row in rows
            if row.subject_id not in (live_visits if row.subject_kind == VISIT else live_events)}


def is_closed(invitation: SurveyInvitation, today: date | None = None, gone: set[int] | None = None) -> bool:
    """It no longer takes answers: its day is past, its survey was closed, or the visit it is about was cancelled
    or deleted (or its event deleted). gone: gone_subjects() of a batch, computed once (else looked up)."""
    if invitation.survey.status != OPEN or (today or _today()) > invitation.closes_on:
        return True
    return invitation.id in (gone if gone is not None else gone_subjects([invitation]))


def is_open(invitation: SurveyInvitation, today: date | None = None, gone: set[int] | None = None) -> bool:
    return not invitation.answered and not is_closed(invitation, today, gone)


def closed_on(invitation: SurveyInvitation) -> date | None:
    """The last day the invitation could be answered: its own closing day, or the day its survey was closed if
    that came first; None when its visit or event was cancelled or deleted (no day to tell)."""
    if invitation.id in gone_subjects([invitation]):
        return None
    survey = invitation.survey
    if survey.status == CLOSED and survey.closed_at is not None:
        return min(invitation.closes_on, survey.closed_at.date())
    return invitation.closes_on


def invitations_of(user, today: date | None = None) -> tuple[list[SurveyInvitation], list[SurveyInvitation],
                                                             list[SurveyInvitation]]:
    """The person's surveys: to answer (soonest to close first), answered, and closed before they answered."""
    rows = list(db.session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.user_id == user.id)
        .options(selectinload(SurveyInvitation.survey)).order_by(SurveyInvitation.closes_on, SurveyInvitation.id)))
    gone = gone_subjects(rows)
    to_answer = [row for row in rows if is_open(row, today, gone)]
    answered = [row for row in reversed(rows) if row.answered]
    missed = [row for row in reversed(rows) if not row.answered and is_closed(row, today, gone)]
    return to_answer, answered, missed


def hosts_of(survey: Survey) -> list:
    """The host institutions the survey was sent about (its results can be read per host)."""
    from network.institutions.models import Institution

    invited = select(SurveyInvitation.host_institution_id).where(SurveyInvitation.survey_id == survey.id)
    answered = select(SurveyResponse.host_institution_id).where(SurveyResponse.survey_id == survey.id)
    return list(db.session.scalars(select(Institution).where(or_(Institution.id.in_(invited),
                                                                 Institution.id.in_(answered)))
                                   .order_by(Institution.name)))


def subject_of(invitation: SurveyInvitation):
    """The visit or the event the invitation is about (None if it was deleted)."""
    if invitation.subject_kind == VISIT:
        from network.mobility.models import Visit

        return db.session.get(Visit, invitation.subject_id)
    from network.events.models import Event

    return db.session.get(Event, invitation.subject_id)


def hosts_visits(institution_id: int | None) -> bool:
    """Whether the institution hosted (or is to host) a visit: its members have host results to read."""
    from network.mobility.models import Visit

    return institution_id is not None and db.session.scalar(
        select(Visit.id).where(Visit.host_institution_id == institution_id).limit(1)) is not None


def _today() -> date:
    """The evaluation's today: mobility's one clock (tests move it there)."""
    from network.mobility import weeks

    return weeks.today()


# --- sending ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moment:
    """A survey's moment for one person: the visit or event it is about, and its host."""

    person: User | None
    subject_kind: str
    subject_id: int
    host_institution_id: int | None
    answer_by: date | None = None  # a last day to answer earlier than the survey's answer_days would give


def _moment_of_visit(visit, answer_by: date | None = None) -> Moment:
    return Moment(visit.visitor, VISIT, visit.id, visit.host_institution_id, answer_by)


def due_moments(survey: Survey, today: date) -> list[Moment]:
    """Who should have the survey by today: the moments from its opened_on on, and not older than its answer_days
    (a morning the worker missed is caught up; a moment long gone is not). Before a visit: its Monday is 1 to
    BEFORE_VISIT_DAYS days ahead, and the answers are due by the day before it. After a visit: from the morning
    after its last day (dissemination.last_day), six months: SIX_MONTHS_DAYS after that morning."""
    from network.evaluation.dissemination import last_day
    from network.events import services as events
    from network.events.models import JOB_SHADOWING
    from network.mobility.models import COMPLETED, CONFIRMED, Visit

    if survey.partnership_id is None or survey.opened_on is None:
        return []
    earliest = max(survey.opened_on, today - timedelta(days=survey.answer_days))
    if earliest > today:
        return []
    visits = select(Visit).where(Visit.partnership_id == survey.partnership_id).order_by(Visit.week_start, Visit.id)
    if survey.moment == BEFORE_VISIT:
        first, last = today + timedelta(days=1), today + timedelta(days=BEFORE_VISIT_DAYS)
        found = db.session.scalars(visits.where(Visit.status == CONFIRMED, Visit.week_start.between(first, last)))
        return [_moment_of_visit(visit, visit.week_start - timedelta(days=1)) for visit in found]
    if survey.moment in (AFTER_VISIT, SIX_MONTHS):
        wait = timedelta(days=1 + (SIX_MONTHS_DAYS if survey.moment == SIX_MONTHS else 0))
        friday = timedelta(days=4)  # Monday to Friday
        since = earliest - wait  # the last day of a visit whose moment is from `earliest` on: at least this
        # Its last day is its Friday or, if later, the day it was completed: either may be the recent one.
        found = db.session.scalars(visits.where(
            Visit.status == COMPLETED, Visit.week_start <= today - wait - friday,
            or_(Visit.week_start >= since - friday,
                Visit.completed_at >= datetime.combine(since, time(), tzinfo=timezone.utc))))
        return [_moment_of_visit(visit) for visit in found if earliest <= last_day(visit) + wait <= today]
    if survey.moment == AFTER_EVENT:
        moments = []
        for event in events.events_in(survey.partnership):
            ended = event.end_date + timedelta(days=1)  # the first morning after its last day
            if event.kind == JOB_SHADOWING or not earliest <= ended <= today:
                continue
            moments += [Moment(person, EVENT, event.id, event.host_institution_id) for person in event.participants]
        return moments
    return []


def _at(day: date) -> datetime:
    """Now, or, when the daily run acts as if it were another day (tests, `--today`), that day."""
    now = utcnow()
    return now if day == now.date() else datetime.combine(day, time(6, 30), tzinfo=timezone.utc)


def _title_for(survey: Survey, person) -> str:
    return localized(survey.title, i18n.user_locale(person).split("_")[0]).text


def _invitation_link(invitation: SurveyInvitation) -> str:
    return f"/evaluation/answer/{invitation.id}"


def _invite(survey: Survey, moment: Moment, today: date) -> list[notifications.Email] | None:
    """One invitation and its notification, in a savepoint: None when it exists already (sent by a run that went
    at the same time)."""
    closes_on = today + timedelta(days=survey.answer_days)
    if moment.answer_by is not None:
        closes_on = min(closes_on, moment.answer_by)
    invitation = SurveyInvitation(
        survey_id=survey.id, user_id=moment.person.id, subject_kind=moment.subject_kind,
        subject_id=moment.subject_id, host_institution_id=moment.host_institution_id, sent_at=_at(today),
        closes_on=closes_on, draft={}, draft_section=0)
    try:
        with db.session.begin_nested():
            db.session.add(invitation)
            db.session.flush()
    except IntegrityError:
        return None
    person = moment.person
    with force_locale(i18n.user_locale(person)):
        closes = format_date(invitation.closes_on, "long")
    message = _l("A survey for you: “%(title)s”. Your answers help the partnership; please give them by "
                 "%(date)s.", title=_title_for(survey, person), date=closes)
    return notifications.notify([person], NOTIFICATION, message, _invitation_link(invitation))


def _send_survey(survey: Survey, today: date) -> int:
    """The survey to each person whose moment has come and who does not have it yet; commits, then emails."""
    invited = {tuple(row) for row in db.session.execute(
        select(SurveyInvitation.user_id, SurveyInvitation.subject_kind, SurveyInvitation.subject_id)
        .where(SurveyInvitation.survey_id == survey.id))}
    emails, sent = [], 0
    for moment in due_moments(survey, today):
        if moment.person is None or not moment.person.is_active_account:  # an account deleted or deactivated
            continue
        key = (moment.person.id, moment.subject_kind, moment.subject_id)
        if key in invited:
            continue
        invited.add(key)
        more = _invite(survey, moment, today)
        if more is not None:
            emails += more
            sent += 1
    db.session.commit()
    notifications.send(emails, "survey notification")
    return sent


def _remind(today: date) -> int:
    """Once, to whoever has not answered remind_after_days after it was sent, while it is open: not to a deleted
    account (user_id None) nor a deactivated one, nor about a visit cancelled or deleted (or an event deleted)."""
    candidates = db.session.execute(
        select(SurveyInvitation.id, SurveyInvitation.sent_at, SurveyInvitation.subject_kind,
               SurveyInvitation.subject_id, Survey.remind_after_days)
        .join(Survey, Survey.id == SurveyInvitation.survey_id).join(User, User.id == SurveyInvitation.user_id)
        .where(Survey.status == OPEN, Survey.remind_after_days > 0, SurveyInvitation.answered.is_(False),
               SurveyInvitation.reminded_at.is_(None), SurveyInvitation.closes_on >= today,
               User.is_active_account.is_(True))).all()
    gone = gone_subjects(candidates)
    due = [row.id for row in candidates
           if row.id not in gone and row.sent_at.date() + timedelta(days=row.remind_after_days) <= today]
    if not due:
        return 0
    # Claimed in one statement: a second run at the same time finds them reminded.
    claimed = db.session.scalars(
        update(SurveyInvitation).where(SurveyInvitation.id.in_(due), SurveyInvitation.reminded_at.is_(None))
        .values(reminded_at=_at(today)).returning(SurveyInvitation.id)
        .execution_options(synchronize_session=False)).all()
    emails = []
    for invitation in db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.id.in_(claimed))
                                         .order_by(SurveyInvitation.id)):
        person = invitation.user
        if person is None:  # deleted since the query above
            continue
        with force_locale(i18n.user_locale(person)):
            closes = format_date(invitation.closes_on, "long")
        emails += notifications.notify([person], NOTIFICATION, _l(
            "Reminder: the survey “%(title)s” waits for your answers until %(date)s.",
            title=_title_for(invitation.survey, person), date=closes), _invitation_link(invitation))
    db.session.commit()
    notifications.send(emails, "survey reminder")
    return len(claimed)


def _close(today: date) -> int:
    """Invitations past their day, all of a closed survey's, and those about a visit cancelled or deleted (an event
    deleted) take no more answers: the answers saved on the way by those who did not send them are cleared.
    Returns how many were cleared."""
    held = or_(cast(SurveyInvitation.draft, Text).not_in(["{}", "null"]), SurveyInvitation.draft_section != 0)
    holding = list(db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.answered.is_(False), held)))
    gone = gone_subjects(holding)
    rows = [invitation for invitation in holding if is_closed(invitation, today, gone)]
    for invitation in rows:
        invitation.draft, invitation.draft_section = {}, 0
    db.session.commit()
    return len(rows)


def send_due(today: date | None = None) -> dict[str, int]:
    """The daily run (tasks and `flask --app network evaluation send`): each open survey of a partnership sent to
    whoever's moment has come (once per person and visit or event), one reminder to those who have not answered,
    and the saved answers of closed invitations cleared. Running it twice a day does nothing more."""
    today = today or _today()
    sent = 0
    survey_ids = db.session.scalars(select(Survey.id).where(Survey.status == OPEN, Survey.partnership_id.is_not(None),
                                                            Survey.opened_on.is_not(None)).order_by(Survey.id)).all()
    for survey_id in survey_ids:
        sent += _send_survey(db.session.get(Survey, survey_id), today)
    return {"sent": sent, "reminded": _remind(today), "closed": _close(today)}


# --- answering -------------------------------------------------------------------------------------------------


def _number_message(question: SurveyQuestion):
    low, high = question.minimum, question.maximum
    if low is not None and high is not None:
        return _l("Give a whole number from %(low)d to %(high)d.", low=low, high=high)
    if low is not None:
        return _l("Give a whole number of at least %(low)d.", low=low)
    if high is not None:
        return _l("Give a whole number of at most %(high)d.", high=high)
    return _l("Give a whole number, in figures.")


def clean_answer(question: SurveyQuestion, raw):
    """(the answer as stored, None) or (None, the message saying what is wrong). An empty answer is (None, None).
    raw: what the form sent (a text; a list of codes for multiple choice) or a stored answer."""
    if question.kind == MULTIPLE:
        chosen = [str(code) for code in (raw if isinstance(raw, (list, tuple)) else [raw] if raw else [])]
        chosen = [code for code in chosen if code]
        if not chosen:
            return None, None
        codes = [option.get("code") for option in question.options or ()]
        if not set(chosen) <= set(codes):
            return None, _l("Choose among the answers offered.")
        return [code for code in codes if code in set(chosen)], None
    if isinstance(raw, (list, tuple)):
        return None, _l("Give one answer.")
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None, None
    if question.kind == SCALE:
        if text not in SCALE_VALUES:
            return None, _l("Choose one of the five answers.")
        return int(text), None
    if question.kind == SINGLE:
        if text not in {option.get("code") for option in question.options or ()}:
            return None, _l("Choose one of the answers offered.")
        return text, None
    if question.kind == NUMBER:
        if not re.fullmatch(r"-?[0-9]{1,%d}" % NUMBER_DIGITS, text):
            return None, _number_message(question)
        number = int(text)
        if (question.minimum is not None and number < question.minimum) or (
                question.maximum is not None and number > question.maximum):
            return None, _number_message(question)
        return number, None
    limit = SHORT_MAX if question.kind == SHORT_TEXT else LONG_MAX
    if len(text) > limit:
        return None, _l("Keep your answer to %(max)d characters (it has %(count)d).", max=limit, count=len(text))
    return text, None


def field_key(question: SurveyQuestion) -> str:
    """The name of a question's field in a page's form, and of its messages in a ServiceError."""
    return f"q{question.id}"


def _check_may_answer(actor, invitation: SurveyInvitation) -> None:
    if not permissions.can_answer_survey(actor, invitation):
        raise ServiceError.one("", _l("This survey was sent to someone else."))
    if invitation.answered:
        raise ServiceError.one("", _l("You have sent your answers to this survey already."))
    if is_closed(invitation):
        raise ServiceError.one("", _l("This survey has closed: it no longer takes answers."))


def save_page(actor, invitation: SurveyInvitation, page: int, given: dict) -> SurveyInvitation:
    """Keep the answers of one page (0-based) in the invitation's draft, to resume there later. given: question id
    -> what the form sent. A wrong value refuses the whole page (ServiceError per field_key); an empty one removes
    the answer saved before."""
    _check_may_answer(actor, invitation)
    sections = pages(invitation.survey)
    if not 0 <= page < len(sections):
        raise ServiceError.one("", _l("This page is not part of the survey."))
    draft, errors = dict(invitation.draft or {}), {}
    for question in sections[page].questions:
        value, problem = clean_answer(question, given.get(question.id))
        if problem is not None:
            errors[field_key(question)] = [problem]
        elif value is None:
            draft.pop(str(question.id), None)
        else:
            draft[str(question.id)] = value
    if errors:
        raise ServiceError(errors)
    invitation.draft, invitation.draft_section = draft, page
    db.session.commit()
    return invitation


def missing_answers(invitation: SurveyInvitation) -> list[SurveyQuestion]:
    """The required questions without a (valid) answer in the draft, page after page."""
    draft = invitation.draft or {}
    return [question for section in pages(invitation.survey) for question in section.questions
            if question.required and clean_answer(question, draft.get(str(question.id)))[0] is None]


def send_answers(actor, invitation: SurveyInvitation) -> SurveyResponse:
    """Store the draft as the person's response (anonymous: with nothing leading back to them, the survey's answered
    rows rewritten with it: _rewrite_answered), mark the invitation answered (no more reminders) and clear the
    draft, in one commit. A required question left unanswered refuses it (ServiceError per field_key, in the order
    of the pages)."""
    _check_may_answer(actor, invitation)
    missing = missing_answers(invitation)
    if missing:
        raise ServiceError({field_key(question): [_l("Answer this question: it is required.")]
                            for question in missing})
    survey, draft, answers = invitation.survey, invitation.draft or {}, {}
    for question in survey.questions:
        value, _problem = clean_answer(question, draft.get(str(question.id)))
        if value is not None:
            answers[str(question.id)] = value
    if survey.anonymous:
        # One answer at a time per survey, before any row is claimed: two rewrites running together, each in its
        # own random order, would wait for each other's rows (a deadlock). SQLite writes one at a time anyway.
        db.session.execute(select(Survey.id).where(Survey.id == survey.id).with_for_update())
    # Claimed in one statement: sending twice (two tabs, a double click) stores one response.
    claimed = db.session.execute(
        update(SurveyInvitation).where(SurveyInvitation.id == invitation.id, SurveyInvitation.answered.is_(False))
        .values(answered=True, draft={}, draft_section=0).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.rollback()
        raise ServiceError.one("", _l("You have sent your answers to this survey already."))
    response = SurveyResponse(survey_id=survey.id, host_institution_id=invitation.host_institution_id,
                              event_id=invitation.subject_id if invitation.subject_kind == EVENT else None,
                              answers=answers)
    if not survey.anonymous:
        response.respondent_id, response.invitation_id, response.submitted_at = actor.id, invitation.id, utcnow()
    db.session.add(response)
    db.session.flush()
    if survey.anonymous:
        _rewrite_answered(survey)
    db.session.commit()
    return response


def _rewrite_answered(survey: Survey) -> None:
    """Rewrite every response and every answered invitation of the survey, one row at a time in a random order (an
    UPDATE setting a column to its own value writes a new version of the row): within the transaction that stores
    an anonymous response they all then carry its transaction id (PostgreSQL's xmin), and their physical order
    (ctid) is shuffled, so neither links the new response to the invitation just marked answered."""
    shuffle = secrets.SystemRandom().shuffle
    for model, rows in (
            (SurveyResponse, select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)),
            (SurveyInvitation, select(SurveyInvitation.id).where(SurveyInvitation.survey_id == survey.id,
                                                                 SurveyInvitation.answered.is_(True)))):
        ids = list(db.session.scalars(rows))
        shuffle(ids)
        table = model.__table__
        if ids:
            db.session.execute(table.update().where(table.c.id == bindparam("row_id"))
                               .values(survey_id=table.c.survey_id), [{"row_id": row_id} for row_id in ids])


# --- results ---------------------------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int  # responses that answered it
    distribution: list[tuple[str, int]]  # scale: ("1".."5", n); single/multiple: (option code, n); else []
    mean: float | None  # scale and number questions
    texts: list[tuple[str | None, str]]  # short/long text: (respondent's name or None, text); else []
    # Why its figures and texts are withheld (distribution, mean and texts empty), "" when shown: FEW_ANSWERS (an
    # anonymous survey's or a host's question answered by fewer than MIN_GROUP) or FEW_OTHERS (per host: another
    # host's group answered it fewer than MIN_GROUP times, which subtracting would give away).
    withheld: str = ""


@dataclass
class SurveyResults:
    survey: Survey
    sent: int  # invitations sent
    answered: int  # responses counted
    enough: bool  # False: anonymous with fewer than MIN_GROUP responses -> questions == []
    questions: list[QuestionResult]
    why_not: str = ""  # when not enough: FEW_RESPONSES, FEW_OTHERS (a host's group is 1 to MIN_GROUP - 1: per-host
    #                    figures would give it away by subtraction), FEW_FOR_HOST (host_results: fewer than
    #                    MIN_GROUP about the host, named surveys too)
    host_institution_id: int | None = None


def _responses(survey: Survey) -> list[SurveyResponse]:
    query = select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
    if not survey.anonymous:
        query = query.options(selectinload(SurveyResponse.respondent))
    return list(db.session.scalars(query.order_by(SurveyResponse.id)))


def _by_host(responses: list[SurveyResponse]) -> dict[int | None, list[SurveyResponse]]:
    """The responses per host institution (None: about no host, or one deleted since)."""
    groups: dict[int | None, list[SurveyResponse]] = {}
    for response in responses:
        groups.setdefault(response.host_institution_id, []).append(response)
    return groups


def _small(count: int) -> bool:
    """A group that would single people out: some, but fewer than MIN_GROUP."""
    return 0 < count < MIN_GROUP


def _answered(question: SurveyQuestion, responses: list[SurveyResponse]) -> int:
    return sum(1 for response in responses
               if clean_answer(question, (response.answers or {}).get(str(question.id)))[0] is not None)


def _withhold(rows: list[QuestionResult], groups: dict | None) -> None:
    """Empty the figures of each question answered by fewer than MIN_GROUP and, when groups (per host) are given,
    of each question some host's group answered 1 to MIN_GROUP - 1 times (the others' figures would give it away)."""
    for row in rows:
        if row.answered < MIN_GROUP:
            row.withheld = FEW_ANSWERS
        elif groups is not None and any(_small(_answered(row.question, group)) for group in groups.values()):
            row.withheld = FEW_OTHERS
        if row.withheld:
            row.distribution, row.mean, row.texts = [], None, []


def _sent(survey: Survey, host_institution_id: int | None = None) -> int:
    query = select(func.count(SurveyInvitation.id)).where(SurveyInvitation.survey_id == survey.id)
    if host_institution_id is not None:
        query = query.where(SurveyInvitation.host_institution_id == host_institution_id)
    return db.session.scalar(query) or 0


def _question_result(question: SurveyQuestion, responses: list[SurveyResponse], names: bool) -> QuestionResult:
    given = []
    for response in responses:
        value, _problem = clean_answer(question, (response.answers or {}).get(str(question.id)))
        if value is not None:
            given.append((response, value))
    distribution, mean, texts = [], None, []
    if question.kind == SCALE:
        counts = Counter(value for _response, value in given)
        distribution = [(value, counts[int(value)]) for value in SCALE_VALUES]
    elif question.kind in CHOICE_KINDS:
        counts = Counter(code for _response, value in given for code in (value if isinstance(value, list)
                                                                          else [value]))
        distribution = [(option["code"], counts[option["code"]]) for option in question.options or ()]
    if question.kind in (SCALE, NUMBER) and given:
        mean = sum(value for _response, value in given) / len(given)
    if question.kind in TEXT_KINDS:
        if names:
            texts = sorted(((response.respondent.name if response.respondent else None, value)
                            for response, value in given), key=lambda row: ((row[0] or "").casefold(), row[1]))
        else:  # in no order that could follow who answered when
            texts = sorted(((None, value) for _response, value in given), key=lambda row: row[1].casefold())
    return QuestionResult(question, len(given), distribution, mean, texts)


def results(survey: Survey, *, host_institution_id: int | None = None, with_names: bool = False) -> SurveyResults:
    """A survey's figures, per question, for all its responses or those about one host. An anonymous survey shows
    none below MIN_GROUP responses, and no figure nor text of a question answered by fewer than MIN_GROUP. Per host
    (anonymous), figures are shown only when every host's group (and the one about no host) is empty or of
    MIN_GROUP or more, for the survey and for each question: else the whole minus the other hosts would show the
    small one. with_names: a named survey's free texts with who wrote them (for those who read the results:
    coordinators and evaluators)."""
    every = _responses(survey)
    groups = _by_host(every)
    responses = every if host_institution_id is None else groups.get(host_institution_id, [])
    found = SurveyResults(survey, _sent(survey, host_institution_id), len(responses), True, [],
                          host_institution_id=host_institution_id)
    if survey.anonymous:
        if len(responses) < MIN_GROUP:
            found.enough, found.why_not = False, FEW_RESPONSES
        elif host_institution_id is not None and any(_small(len(group)) for group in groups.values()):
            found.enough, found.why_not = False, FEW_OTHERS
    if found.enough:
        names = with_names and not survey.anonymous
        found.questions = [_question_result(question, responses, names) for question in survey.questions]
        if survey.anonymous:
            _withhold(found.questions, groups if host_institution_id is not None else None)
    return found


def host_results(institution) -> list[SurveyResults]:
    """How visitors rated a host: for each visit survey (every partnership) with questions shown to hosts, the
    figures of those questions over the responses about this host, never free texts nor names. Named surveys too
    follow results()' rules for a host: MIN_GROUP responses or more about this host, every host's group empty or
    of MIN_GROUP or more (survey and question), and each question answered by MIN_GROUP or more."""
    about_host = select(SurveyInvitation.survey_id).where(SurveyInvitation.host_institution_id == institution.id)
    shown = select(SurveySection.survey_id).join(SurveyQuestion).where(SurveyQuestion.shown_to_hosts.is_(True))
    found = []
    for survey in db.session.scalars(
            select(Survey).where(Survey.partnership_id.is_not(None), Survey.status.in_((OPEN, CLOSED)),
                                 Survey.moment.in_(VISIT_MOMENTS), Survey.id.in_(about_host), Survey.id.in_(shown))
            .order_by(Survey.opened_on.desc(), Survey.id.desc())):
        groups = _by_host(_responses(survey))
        responses = groups.get(institution.id, [])
        row = SurveyResults(survey, _sent(survey, institution.id), len(responses), True, [],
                            host_institution_id=institution.id)
        if len(responses) < MIN_GROUP:
            row.enough, row.why_not = False, FEW_FOR_HOST
        elif any(_small(len(group)) for group in groups.values()):
            row.enough, row.why_not = False, FEW_OTHERS
        else:
            row.questions = [_question_result(question, responses, False) for question in survey.questions
                             if question.shown_to_hosts and question.kind not in TEXT_KINDS]
            _withhold(row.questions, groups)
        found.append(row)
    return found


def csv_rows(found: SurveyResults) -> list[list]:
    """The figures as CSV rows: one per question and value (scale point or option; one row for a number or a
    text question), with the question's answers and mean; a sentence instead when they are not shown."""
    header = [str(_l("Page")), str(_l("Question")), str(_l("Kind")), str(_l("Answered")), str(_l("Value")),
              str(_l("Label")), str(_l("Count")), str(_l("Mean"))]
    rows = [[str(_l("Survey")), localized(found.survey.title).text, "", "", "", "", "", ""],
            [str(_l("Sent")), "", "", found.sent, "", "", "", ""],
            [str(_l("Responses")), "", "", found.answered, "", "", "", ""], header]
    if not found.enough:
        rows.append(["", str(why_not_text(found)), "", "", "", "", "", ""])
        return rows
    section_numbers = {section.id: number for number, section in enumerate(pages(found.survey), start=1)}
    for row in found.questions:
        question = row.question
        mean = round(row.mean, 2) if row.mean is not None else ""
        first = [section_numbers.get(question.section_id, ""), localized(question.text).text, question.kind,
                 row.answered]
        if row.withheld:
            rows.append([*first, "", str(withheld_text(row)), "", ""])
        elif row.distribution:
            for value, count in row.distribution:
                rows.append([*first, value, option_label(question, value).text, count, mean])
        else:
            rows.append([*first, "", "", "", mean])
    return rows


def why_not_text(found: SurveyResults):
    if found.why_not == FEW_FOR_HOST:
        return _l("Not shown yet: fewer than %(n)d visitors answered about your institution (%(count)d). Figures "
                  "are shown from %(n)d responses on, so that nobody's answers can be told apart.", n=MIN_GROUP,
                  count=found.answered)
    if found.why_not == FEW_OTHERS:
        return _l("Not shown per host: another host has fewer than %(n)d responses, and the figures of the other "
                  "hosts would give them away.", n=MIN_GROUP)
    return _l("Not shown: the answers are anonymous and there are fewer than %(n)d responses (%(count)d). They are "
              "shown from %(n)d responses on, so that nobody's answers can be told apart.", n=MIN_GROUP,
              count=found.answered)


def withheld_text(row: QuestionResult):
    """Why a question's figures are not shown (QuestionResult.withheld)."""
    if row.withheld == FEW_OTHERS:
        return _l("Not shown per host: another host's visitors answered this question fewer than %(n)d times, and "
                  "the figures of the other hosts would give their answers away.", n=MIN_GROUP)
    return _l("Not shown: fewer than %(n)d people answered this question (%(count)d). Its answers are shown from "
              "%(n)d on, so that nobody's answers can be told apart.", n=MIN_GROUP, count=row.answered)
