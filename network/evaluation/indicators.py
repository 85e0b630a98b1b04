"""A partnership's targets (one number per kind, blank = none) and its indicators: how far it has come against each.

Definitions (shown on the indicators page as well):
- visitors_per_host: completed visits per host institution, the hosts being the institutions with a hosting offer in
  the partnership. Per host: its completed visits against the target. Overall: every completed visit against the
  target × the number of hosts.
- essays_per_visit: essays submitted or published about the partnership's completed visits (each visit's
  job-shadowing event) per completed visit; per institution, for the visitors it sent (their application's
  institution).
- sessions_per_visitor: sessions back home per visitor of a completed visit; per sending institution likewise.
- response_rate: the invitations answered out of those that can no longer be answered (answered, past their day or
  their survey closed: surveys.is_closed), for the partnership's surveys, in %; an invitation still open is not yet
  a "no", nor is one left unanswered about a visit since cancelled or an event since deleted. Per institution of the person invited (their institution today); a deleted person's invitation counts
  in the overall figure only.
- practices_published: practices published by the partnership's institutions (the coordinating one and the
  partners) with a publication date in the partnership's period; per institution, against an equal share of the
  target.

What is expected by today: for the cumulative kinds (visitors_per_host, practices_published) the target × the share
of the partnership's period gone by (0 before it starts, 1 after it ends); for the ratios (essays_per_visit,
sessions_per_visitor, response_rate) the target itself. An indicator is late when a target is set and what is done
is below what is expected; a ratio with nothing to count yet (no completed visit, no invitation) is not late.

Each figure is one grouped count (no query per institution).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, func, or_, select

from network import audit, permissions
from network.errors import ServiceError
from network.essays.models import PUBLISHED as ESSAY_PUBLISHED
from network.essays.models import SUBMITTED as ESSAY_SUBMITTED
from network.essays.models import Essay
from network.evaluation.models import (
    ESSAYS_PER_VISIT,
    EVENT,
    OPEN,
    PRACTICES_PUBLISHED,
    RESPONSE_RATE,
    SESSIONS_PER_VISITOR,
    TARGET_KINDS,
    VISIT,
    VISITORS_PER_HOST,
    DisseminationSession,
    Survey,
    SurveyInvitation,
    Target,
)
from network.events.models import Event
from network.extensions import db
from network.institutions.models import Institution
from network.mobility import weeks
from network.mobility.models import CANCELLED, COMPLETED, MobilityApplication, Visit
from network.practices.models import PUBLISHED as PRACTICE_PUBLISHED
from network.practices.models import Practice

CUMULATIVE = (VISITORS_PER_HOST, PRACTICES_PUBLISHED)  # grow over the period: expected pro rata
RATIOS = (ESSAYS_PER_VISIT, SESSIONS_PER_VISITOR, RESPONSE_RATE)  # expected at their target all along

TARGET_LABELS = {
    VISITORS_PER_HOST: _l("Visitors each host receives"),
    ESSAYS_PER_VISIT: _l("Essays per completed visit"),
    SESSIONS_PER_VISITOR: _l("Sessions back home per visitor"),
    RESPONSE_RATE: _l("Survey response rate (%)"),
    PRACTICES_PUBLISHED: _l("Practices published"),
}
TARGET_HELP = {
    VISITORS_PER_HOST: _l("Over the partnership's period, for each institution offering visits (the founding "
                          "project: 6)."),
    ESSAYS_PER_VISIT: _l("Essays submitted or published per completed visit (for example 1)."),
    SESSIONS_PER_VISITOR: _l("Sessions back home recorded per visitor of a completed visit (for example 2)."),
    RESPONSE_RATE: _l("Invitations answered out of those answered or closed for the partnership's surveys, from 0 "
                      "to 100."),
    PRACTICES_PUBLISHED: _l("Practices the partner institutions publish during the partnership's period, all "
                            "together."),
}
DEFINITIONS = {
    VISITORS_PER_HOST: _l("Completed visits per institution offering visits in the partnership. Overall: every "
                          "completed visit, against the target times the number of hosts. Expected by today: the "
                          "target times the share of the partnership's period gone by."),
    ESSAYS_PER_VISIT: _l("Essays submitted or published about the partnership's completed visits, per completed "
                         "visit; per institution, for the visitors it sent. Expected: the target, all along."),
    SESSIONS_PER_VISITOR: _l("Sessions back home recorded per visitor of a completed visit; per institution, for the "
                             "visitors it sent. Expected: the target, all along."),
    RESPONSE_RATE: _l("Invitations answered out of those that can no longer be answered (answered, or closed) for the "
                      "partnership's surveys, in %; invitations still open are not counted yet. Per institution of "
                      "the people invited. Expected: the target, all along."),
    PRACTICES_PUBLISHED: _l("Practices published during the partnership's period by its institutions (the "
                            "coordinating one and the partners); each institution's share is the target divided "
                            "equally. Expected by today: the target times the share of the period gone by."),
}
MAXIMUMS = {VISITORS_PER_HOST: 1_000, ESSAYS_PER_VISIT: 100, SESSIONS_PER_VISITOR: 1_000, RESPONSE_RATE: 100,
            PRACTICES_PUBLISHED: 100_000}
assert tuple(TARGET_LABELS) == tuple(TARGET_HELP) == tuple(DEFINITIONS) == tuple(MAXIMUMS) == TARGET_KINDS


@dataclass
class InstitutionProgress:
    institution_id: int
    name: str
    target: float | None
    done: float
    late: bool


@dataclass
class Indicator:
    kind: str  # one of models.TARGET_KINDS
    target: float | None  # the partnership's value (visitors_per_host: the value × the number of hosts)
    done: float  # overall, in the target's unit
    expected: float | None  # what should be reached by today, pro rata of the partnership's period
    late: bool
    institutions: list[InstitutionProgress]

    @property
    def cumulative(self) -> bool:
        return self.kind in CUMULATIVE

    @property
    def share_done(self) -> float | None:
        """done / target, 0..1 (for a bar), or None without a target."""
        if not self.target:
            return None if self.target is None else 1.0
        return max(0.0, min(self.done / self.target, 1.0))


# --- targets ----------------------------------------------------------------------------------------------------


def targets_of(partnership) -> dict[str, float]:
    """The partnership's targets: kind -> value (the kinds without a target left out)."""
    return dict(db.session.execute(select(Target.kind, Target.value).where(
        Target.partnership_id == partnership.id)).all())


def save_targets(actor, partnership, values: dict[str, float | None]) -> dict[str, float]:
    """Set, change or clear (None) each kind's target; the kinds not given stay as they were."""
    if not permissions.can_manage_surveys(actor, partnership):
        raise ServiceError.one("", _l("Only the partnership's coordinators set its targets."))
    errors: dict[str, list] = {}
    for kind, value in values.items():
        if kind not in TARGET_KINDS:
            errors[""] = [_l("Unknown target.")]
        elif value is not None and not 0 <= value <= MAXIMUMS[kind]:
            errors[kind] = [_l("Enter a number from 0 to %(max)s, or leave it blank.", max=MAXIMUMS[kind])]
    if errors:
        raise ServiceError(errors)
    rows = {row.kind: row for row in db.session.scalars(select(Target).where(Target.partnership_id == partnership.id))}
    changes = {}
    for kind in TARGET_KINDS:
        if kind not in values:
            continue
        value, row = values[kind], rows.get(kind)
        if value is None:
            if row is not None:
                db.session.delete(row)
                changes[kind] = None
        elif row is None:
            db.session.add(Target(partnership_id=partnership.id, kind=kind, value=float(value),
                                  updated_by_id=getattr(actor, "id", None)))
            changes[kind] = float(value)
        elif row.value != float(value):
            row.value, row.updated_by_id = float(value), getattr(actor, "id", None)
            changes[kind] = float(value)
    if changes:
        audit.record(actor, "partnership.targets", partnership, label=partnership.title, **changes)
    db.session.commit()
    return targets_of(partnership)


# --- indicators -------------------------------------------------------------------------------------------------


def elapsed_share(partnership, today: date | None = None) -> float:
    """The share of the partnership's period gone by on `today`, from 0 (not begun) to 1 (over)."""
    today = today or weeks.today()
    length = (partnership.end_date - partnership.start_date).days
    if length <= 0:
        return 1.0 if today >= partnership.start_date else 0.0
    return max(0.0, min((today - partnership.start_date).days / length, 1.0))


def _grouped(query) -> dict[int, int]:
    return {key: count for key, count in db.session.execute(query) if key is not None}


def _names(ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(Institution.id, Institution.name).where(Institution.id.in_(ids))).all())


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def _late(target: float | None, done: float, expected: float | None, counted: bool = True) -> bool:
    return target is not None and expected is not None and counted and done < expected - 1e-9


def _sorted(rows: list[InstitutionProgress]) -> list[InstitutionProgress]:
    return sorted(rows, key=lambda row: (row.name.casefold(), row.institution_id))


def _visitors_per_host(partnership, target, share) -> Indicator:
    from network.mobility import services as mobility

    hosts = {offer.institution_id: offer.institution.name for offer in mobility.offers_in(partnership)}
    done = _grouped(select(Visit.host_institution_id, func.count(Visit.id)).where(
        Visit.partnership_id == partnership.id, Visit.status == COMPLETED).group_by(Visit.host_institution_id))
    expected_each = target * share if target is not None else None
    rows = [InstitutionProgress(host_id, name, target, float(done.get(host_id, 0)),
                                _late(target, done.get(host_id, 0), expected_each))
            for host_id, name in hosts.items()]
    overall_target = target * len(hosts) if target is not None else None
    overall_done = float(sum(done.values()))
    expected = overall_target * share if overall_target is not None else None
    return Indicator(VISITORS_PER_HOST, overall_target, overall_done, expected,
                     _late(overall_target, overall_done, expected), _sorted(rows))


def _completed_visits_by_sender(partnership, column) -> dict[int, int]:
    """Per sending institution: completed visits (column Visit.id) or their distinct visitors (Visit.visitor_id)."""
    return _grouped(select(MobilityApplication.institution_id, func.count(func.distinct(column)))
                    .select_from(Visit).join(MobilityApplication, Visit.application_id == MobilityApplication.id)
                    .where(Visit.partnership_id == partnership.id, Visit.status == COMPLETED)
                    .group_by(MobilityApplication.institution_id))


def _per_sender(kind, target, numerators: dict[int, int], denominators: dict[int, int],
                overall_denominator: int) -> Indicator:
    names = _names(denominators)
    rows = []
    for institution_id, denominator in denominators.items():
        done = _ratio(numerators.get(institution_id, 0), denominator)
        rows.append(InstitutionProgress(institution_id, names.get(institution_id, ""), target, done,
                                        _late(target, done, target, denominator > 0)))
    done = _ratio(sum(numerators.values()), overall_denominator)
    return Indicator(kind, target, done, target, _late(target, done, target, overall_denominator > 0), _sorted(rows))


def _essays_per_visit(partnership, target) -> Indicator:
    essays = _grouped(
        select(MobilityApplication.institution_id, func.count(Essay.id)).select_from(Essay)
        .join(Event, Essay.event_id == Event.id).join(Visit, Event.visit_id == Visit.id)
        .join(MobilityApplication, Visit.application_id == MobilityApplication.id)
        .where(Visit.partnership_id == partnership.id, Visit.status == COMPLETED,
               Essay.status.in_((ESSAY_SUBMITTED, ESSAY_PUBLISHED)))
        .group_by(MobilityApplication.institution_id))
    visits = _completed_visits_by_sender(partnership, Visit.id)
    return _per_sender(ESSAYS_PER_VISIT, target, essays, visits, sum(visits.values()))


def _sessions_per_visitor(partnership, target) -> Indicator:
    sessions = _grouped(
        select(MobilityApplication.institution_id, func.count(DisseminationSession.id))
        .select_from(DisseminationSession).join(Visit, DisseminationSession.visit_id == Visit.id)
        .join(MobilityApplication, Visit.application_id == MobilityApplication.id)
        .where(Visit.partnership_id == partnership.id, Visit.status == COMPLETED)
        .group_by(MobilityApplication.institution_id))
    visitors = _completed_visits_by_sender(partnership, Visit.visitor_id)
    every_visitor = db.session.scalar(select(func.count(func.distinct(Visit.visitor_id))).where(
        Visit.partnership_id == partnership.id, Visit.status == COMPLETED)) or 0
    return _per_sender(SESSIONS_PER_VISITOR, target, sessions, visitors, every_visitor)


def _response_rate(partnership, target, today: date) -> Indicator:
    """Answered out of the invitations that are answered or closed (surveys.is_closed's rule, in one query)."""
    from network.auth.models import User

    settled = or_(SurveyInvitation.answered.is_(True), Survey.status != OPEN, SurveyInvitation.closes_on < today)
    # Unanswered about a visit since cancelled or an event since deleted: it could not be answered, it is no "no"
    # (surveys.gone_subjects' rule).
    subject_there = or_(
        and_(SurveyInvitation.subject_kind == VISIT, exists().where(Visit.id == SurveyInvitation.subject_id,
                                                                    Visit.status != CANCELLED)),
        and_(SurveyInvitation.subject_kind == EVENT, exists().where(Event.id == SurveyInvitation.subject_id)))
    counted = or_(SurveyInvitation.answered.is_(True), subject_there)
    rows = db.session.execute(
        select(User.institution_id, func.count(SurveyInvitation.id),
               func.count(SurveyInvitation.id).filter(SurveyInvitation.answered.is_(True)))
        .select_from(SurveyInvitation).join(Survey, SurveyInvitation.survey_id == Survey.id)
        .outerjoin(User, SurveyInvitation.user_id == User.id)  # a deleted person's invitation still counts
        .where(Survey.partnership_id == partnership.id, settled, counted).group_by(User.institution_id)).all()
    settled_count = sum(row[1] for row in rows)
    answered = sum(row[2] for row in rows)
    names = _names(row[0] for row in rows)
    institutions = []
    for institution_id, settled_here, replied in rows:
        if institution_id is None:
            continue
        done = 100.0 * _ratio(replied, settled_here)
        institutions.append(InstitutionProgress(institution_id, names.get(institution_id, ""), target, done,
                                                _late(target, done, target, settled_here > 0)))
    done = 100.0 * _ratio(answered, settled_count)
    return Indicator(RESPONSE_RATE, target, done, target, _late(target, done, target, settled_count > 0),
                     _sorted(institutions))


def _period(partnership) -> tuple[datetime, datetime]:
    """The partnership's period as instants: from its first day's start to its last day's end (UTC)."""
    start = datetime.combine(partnership.start_date, time.min, tzinfo=timezone.utc)
    end = datetime.combine(partnership.end_date + timedelta(days=1), time.min, tzinfo=timezone.utc)
    return start, end


def practices_published(partnership) -> list[tuple[int, str, int]]:
    """(institution id, name, practices published in the partnership's period) for each of its institutions (the
    coordinating one and the partners, those with none too): the practices_published indicator's count, which the
    final report shows as well."""
    members = {partnership.coordinating_institution_id: partnership.coordinating_institution.name}
    members.update({institution.id: institution.name for institution in partnership.partners})
    start, end = _period(partnership)
    published = _grouped(select(Practice.institution_id, func.count(Practice.id)).where(
        Practice.status == PRACTICE_PUBLISHED, Practice.institution_id.in_(members),
        Practice.published_at >= start, Practice.published_at < end).group_by(Practice.institution_id))
    return [(institution_id, name, published.get(institution_id, 0)) for institution_id, name in members.items()]


def _practices_published(partnership, target, share) -> Indicator:
    counts = practices_published(partnership)
    members = {institution_id: name for institution_id, name, _count in counts}
    published = {institution_id: count for institution_id, _name, count in counts}
    each = target / len(members) if target is not None and members else None
    expected_each = each * share if each is not None else None
    rows = [InstitutionProgress(institution_id, name, each, float(published.get(institution_id, 0)),
                                _late(each, published.get(institution_id, 0), expected_each))
            for institution_id, name in members.items()]
    done = float(sum(published.values()))
    expected = target * share if target is not None else None
    return Indicator(PRACTICES_PUBLISHED, target, done, expected, _late(target, done, expected), _sorted(rows))


def indicators(partnership, today: date | None = None) -> list[Indicator]:
    """One Indicator per TARGET_KINDS, in that order (see the module's docstring for each definition)."""
    today = today or weeks.today()
    targets = targets_of(partnership)
    share = elapsed_share(partnership, today)
    return [
        _visitors_per_host(partnership, targets.get(VISITORS_PER_HOST), share),
        _essays_per_visit(partnership, targets.get(ESSAYS_PER_VISIT)),
        _sessions_per_visitor(partnership, targets.get(SESSIONS_PER_VISITOR)),
        _response_rate(partnership, targets.get(RESPONSE_RATE), today),
        _practices_published(partnership, targets.get(PRACTICES_PUBLISHED), share),
    ]


def csv_rows(partnership, today: date | None = None) -> list[list[str]]:
    """The indicators as a spreadsheet: for each kind, a row overall and one per institution."""
    today = today or weeks.today()
    share = elapsed_share(partnership, today)
    rows = [["indicator", "institution", "target", "done", "expected", "late"]]
    for indicator in indicators(partnership, today):
        rows.append([indicator.kind, "", _number(indicator.target), _number(indicator.done),
                     _number(indicator.expected), "yes" if indicator.late else "no"])
        for row in indicator.institutions:
            expected = row.target * share if row.target is not None and indicator.cumulative else row.target
            rows.append([indicator.kind, row.name, _number(row.target), _number(row.done), _number(expected),
                         "yes" if row.late else "no"])
    return rows


def _number(value) -> str:
    """A figure for the spreadsheet: two decimals at most, none when whole ("6", "0.67")."""
    return "" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")
