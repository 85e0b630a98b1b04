"""The partnership's final report: its figures gathered from every feature, the narrative the coordinators write
(ReportDraft), and the versions they publish (ReportVersion), frozen like a collection's editions.

figures() returns codes, names and numbers only, never composed words: a version is frozen once and read in
every reader's language, its codes labelled when shown (document(), annex_rows()). No person is named in it:
participants are counted, the free texts of surveys are left out (only how many answered), and the
self-assessment's aggregates come only when its own rule (five people or more) lets them be shown.

A published version is read by every member of the partnership's institutions, so the report applies the
five-people rule (surveys.MIN_GROUP) itself, whatever surveys.results() shows its own readers: a survey, named or
anonymous, with fewer responses gives only how many were sent and answered; a question answered by fewer gives
only how many answered; an essay rubric's criterion scored fewer times gives only its count (no mean, lowest,
highest). The sessions back home and the practices are counted by dissemination and indicators themselves, so
that the report's figures are the dashboard's.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from network import audit, i18n, labels, permissions
from network.auth.models import User
from network.charts import bar_chart
from network.collections.models import Collection
from network.errors import ServiceError
from network.essays import services as essays
from network.essays.models import TAG_KINDS, rubric_text
from network.evaluation import dissemination, editing, indicators, surveys
from network.evaluation.models import CHOICE_KINDS, SCALE, TEXT_KINDS, ReportDraft, ReportVersion
from network.events.models import Event, event_participants
from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.mobility import weeks
from network.mobility.models import CANCELLED, COMPLETED, CONFIRMED, PROPOSED, Visit
from network.sanitize import render_markdown
from network.self_assessment import services as self_assessment
from network.self_assessment.models import AssessmentInvitation
from network.types import utcnow

FIGURES_FORMAT = 1  # figures()'s shape: a later shape can still read the versions frozen with this one
TEXTS = ("summary", "what_worked", "what_did_not", "recommendations")
TEXT_MAX = 20_000  # characters per narrative section
TAGS_SHOWN = 25  # the synthesis's most frequent strengths, weaknesses and skills

# The codes a version stores, worded when shown (in the reader's language).
TEXT_HEADINGS = {"summary": _l("Summary"), "what_worked": _l("What worked"), "what_did_not": _l("What did not work"),
                 "recommendations": _l("Recommendations")}
# Sessions' formats and audiences, targets and moments: worded as their own pages word them.
FORMAT_LABELS, AUDIENCE_LABELS = dissemination.FORMAT_LABELS, dissemination.ROLE_LABELS
TARGET_LABELS, MOMENT_LABELS = indicators.TARGET_LABELS, editing.MOMENT_LABELS
PHASE_LABELS = {"before": _l("Before"), "after": _l("After"), "any": _l("Any time")}
SECTION_HEADINGS = {
    "participants": _l("Participants"), "visits": _l("Visits against targets"), "surveys": _l("Survey results"),
    "essays": _l("Essay assessments"), "sessions": _l("Sessions back home"),
    "practices": _l("Practices and the manual's editions"), "self_assessment": _l("Self-assessment before and after"),
}
SECTIONS = ("participants", "visits", "surveys", "essays", "sessions", "practices", "self_assessment")


# --- figures ---------------------------------------------------------------------------------------------------


def figures(partnership: Partnership, today: date | None = None) -> dict:
    """Everything the report counts for the partnership's period, as JSON: codes, names and numbers."""
    today = today or weeks.today()
    return {
        "format": FIGURES_FORMAT,
        "as_of": today.isoformat(),
        "period": {"start": partnership.start_date.isoformat(), "end": partnership.end_date.isoformat()},
        "participants": _participants(partnership),
        "visits": _visits(partnership),
        "indicators": _indicators(partnership, today),
        "surveys": _surveys(partnership),
        "essays": _essays(partnership),
        "sessions": _sessions(partnership),
        "practices": _practices(partnership),
        "collections": _collections(partnership),
        "self_assessment": _self_assessment(partnership),
    }


def _pairs(counter: Counter) -> list[list]:
    """[[key, count], ...], the largest first, then by key: a stable order for a frozen version."""
    return [[key, count] for key, count in sorted(counter.items(), key=lambda pair: (-pair[1], str(pair[0])))]


def _number(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(float(value), digits)


def _participants(partnership: Partnership) -> dict:
    """Distinct people who took part: the visitors of completed visits and whoever attended its events."""
    visitors = select(Visit.visitor_id.label("user_id")).where(
        Visit.partnership_id == partnership.id, Visit.status == COMPLETED,
        Visit.week_start.between(partnership.start_date, partnership.end_date))
    attendees = select(event_participants.c.user_id).join(Event, Event.id == event_participants.c.event_id).where(
        Event.partnership_id == partnership.id, Event.start_date <= partnership.end_date,
        Event.end_date >= partnership.start_date)
    people = union(visitors, attendees).subquery()
    rows = db.session.scalars(select(User).where(User.id.in_(select(people.c.user_id)))
                              .options(selectinload(User.institution))).all()
    by_country, by_sector, by_institution = Counter(), Counter(), Counter()
    for person in rows:
        institution = person.institution
        by_country[institution.country if institution else ""] += 1
        by_institution[institution.name if institution else ""] += 1
        for sector in (institution.sectors if institution else []):
            by_sector[sector] += 1
    return {"total": len(rows), "by_country": _pairs(by_country), "by_sector": _pairs(by_sector),
            "by_institution": _pairs(by_institution)}


def _visits(partnership: Partnership) -> dict:
    counts = db.session.execute(
        select(Institution.name, Visit.status, func.count(Visit.id))
        .join(Institution, Institution.id == Visit.host_institution_id)
        .where(Visit.partnership_id == partnership.id,
               Visit.week_start.between(partnership.start_date, partnership.end_date))
        .group_by(Institution.name, Visit.status)).all()
    kind = {COMPLETED: "completed", CONFIRMED: "planned", PROPOSED: "planned", CANCELLED: "cancelled"}
    totals = {"completed": 0, "planned": 0, "cancelled": 0}
    hosts: dict[str, dict] = {}
    for name, status, count in counts:
        host = hosts.setdefault(name, {"institution": name, "completed": 0, "planned": 0, "cancelled": 0})
        host[kind[status]] += count
        totals[kind[status]] += count
    return {**totals, "by_host": [hosts[name] for name in sorted(hosts, key=str.casefold)]}


def _indicators(partnership: Partnership, today: date) -> list[dict]:
    return [{
        "kind": indicator.kind, "target": _number(indicator.target), "done": _number(indicator.done),
        "expected": _number(indicator.expected), "late": bool(indicator.late),
        "institutions": [{"name": row.name, "target": _number(row.target), "done": _number(row.done),
                          "late": bool(row.late)} for row in indicator.institutions],
    } for indicator in indicators.indicators(partnership, today=today)]


def _surveys(partnership: Partnership) -> list[dict]:
    """Each sent survey's figures under the five-people rule (the module's docstring), named surveys too. The free
    texts are not in the report: they could tell who wrote them; only how many answered."""
    shown = []
    for survey in surveys.surveys_of(partnership):
        result = surveys.results(survey)
        enough = bool(result.enough) and result.answered >= surveys.MIN_GROUP
        questions = []
        for row in (result.questions if enough else []):
            question = row.question
            withheld = row.answered < surveys.MIN_GROUP
            entry = {"id": question.id, "kind": question.kind, "text": dict(question.text or {}),
                     "answered": row.answered, "withheld": withheld,
                     "distribution": [] if withheld else [[str(code), n] for code, n in row.distribution],
                     "mean": None if withheld else _number(row.mean)}
            if question.kind in CHOICE_KINDS:
                entry["options"] = {str(option.get("code")): dict(option.get("label") or {})
                                    for option in (question.options or [])}
            if question.kind in TEXT_KINDS:
                entry["distribution"], entry["mean"] = [], None
            questions.append(entry)
        shown.append({"id": survey.id, "title": dict(survey.title or {}), "moment": survey.moment,
                      "anonymous": bool(survey.anonymous), "sent": result.sent, "answered": result.answered,
                      "enough": enough, "questions": questions})
    return shown


def _essays(partnership: Partnership) -> dict:
    """The essays' counts, and per rubric criterion its mean and range only when scored MIN_GROUP times or more."""
    result = essays.report(partnership, top=TAGS_SHOWN)
    criteria = []
    for summary in result.criteria:
        enough = summary.count >= surveys.MIN_GROUP
        criteria.append({"label": summary.criterion.name, "count": summary.count,
                         "mean": _number(summary.mean) if enough else None,
                         "low": summary.low if enough else None, "high": summary.high if enough else None})
    return {
        "essays": result.essays, "assessed": result.assessed, "criteria": criteria,
        "tags": {kind: [[name, n] for name, n in result.tags.get(kind, [])] for kind in TAG_KINDS},
    }


def _sessions(partnership: Partnership) -> dict:
    """The sessions back home after the partnership's completed visits, and the people they reached: the totals the
    dashboard shows (dissemination.totals_of_partnership)."""
    totals = dissemination.totals_of_partnership(partnership)
    reached = dict(totals.reached_by_format)
    return {
        "count": totals.sessions, "people_reached": totals.people_reached, "visitors": totals.visitors,
        "by_format": [[code, n, reached.get(code, 0)] for code, n in totals.by_format if n],
        "by_audience": [[code, n] for code, n in totals.by_role if n],
    }


def _practices(partnership: Partnership) -> dict:
    """Practices the partnership's institutions published in its period: the practices_published indicator's
    count (indicators.practices_published)."""
    counts = Counter({name: count for _id, name, count in indicators.practices_published(partnership) if count})
    return {"published": sum(counts.values()), "by_institution": _pairs(counts)}


def _collections(partnership: Partnership) -> list[dict]:
    """The partnership's collections (its manual) and their editions."""
    rows = db.session.scalars(select(Collection).where(Collection.partnership_id == partnership.id)
                              .options(selectinload(Collection.editions)).order_by(Collection.title, Collection.id))
    return [{"title": collection.title, "kind": collection.kind,
             "editions": [{"number": edition.number, "published_on": edition.published_at.date().isoformat()}
                          for edition in sorted(collection.editions, key=lambda e: e.number)]}
            for collection in rows]


def _self_assessment(partnership: Partnership) -> list[dict]:
    """The partnership's self-assessment invitations compared, one group per event (or the partnership's own
    links), by self_assessment.compare_invitations: a mean only where its five-people rule shows it."""
    invitations = db.session.scalars(select(AssessmentInvitation).where(
        AssessmentInvitation.partnership_id == partnership.id).order_by(AssessmentInvitation.id)).all()
    questionnaire = self_assessment.current_questionnaire()
    if not invitations or questionnaire is None:
        return []
    groups, seen = [], set()
    for invitation in invitations:
        if invitation.event_id in seen:
            continue
        seen.add(invitation.event_id)
        comparison = self_assessment.compare_invitations(invitation)
        dimensions = [{"code": dimension.code, "name": dict(dimension.name or {}),
                       "means": [_number(mean, 1) for mean in means], "change": _number(change, 1)}
                      for dimension, (_name, means, change) in zip(questionnaire.dimensions, comparison.rows)]
        groups.append({
            "event": invitation.event.title if invitation.event is not None else "",
            "columns": [{"phase": sibling.phase, "label": sibling.label, "enough": bool(figures.enough),
                         "people": figures.count if figures.enough else None}
                        for sibling, figures in comparison.columns],
            "dimensions": dimensions, "compares": comparison.compares,
        })
    return groups


# --- the draft and the versions --------------------------------------------------------------------------------


@dataclass
class DraftData:
    language: str
    summary: str = ""
    what_worked: str = ""
    what_did_not: str = ""
    recommendations: str = ""


def draft_of(partnership: Partnership) -> ReportDraft:
    """The narrative being written (an empty one, not yet stored, before anyone wrote)."""
    return db.session.get(ReportDraft, partnership.id) or ReportDraft(
        partnership_id=partnership.id, language=i18n.reader_language(), summary="", what_worked="",
        what_did_not="", recommendations="")


def draft_data_of(draft: ReportDraft) -> DraftData:
    return DraftData(language=draft.language, **{name: getattr(draft, name) or "" for name in TEXTS})


def save_draft(actor, partnership: Partnership, data: DraftData) -> ReportDraft:
    """Keep the narrative as typed (it is published later, as a whole)."""
    if not permissions.can_manage_surveys(actor, partnership):
        raise ServiceError.one("", _l("Only the partnership's coordinators write its report."))
    errors = {}
    if data.language not in i18n.supported_locales():
        errors["language"] = [_l("Choose the language the narrative is written in.")]
    for name in TEXTS:
        if len(getattr(data, name) or "") > TEXT_MAX:
            errors[name] = [_l("Keep this section under %(count)d characters.", count=TEXT_MAX)]
    if errors:
        raise ServiceError(errors)
    draft = db.session.get(ReportDraft, partnership.id)
    if draft is None:
        draft = ReportDraft(partnership_id=partnership.id)
        db.session.add(draft)
    draft.language = data.language
    for name in TEXTS:
        setattr(draft, name, (getattr(data, name) or "").replace("\r\n", "\n").strip())
    draft.updated_by_id = getattr(actor, "id", None)
    db.session.commit()
    return draft


def versions_of(partnership: Partnership) -> list[ReportVersion]:
    """Its published versions, the newest first."""
    return list(db.session.scalars(select(ReportVersion).where(ReportVersion.partnership_id == partnership.id)
                                   .order_by(ReportVersion.number.desc())))


def get_version(partnership: Partnership, number: int) -> ReportVersion | None:
    return db.session.scalar(select(ReportVersion).where(ReportVersion.partnership_id == partnership.id,
                                                         ReportVersion.number == number))


def publish(actor, partnership: Partnership, today: date | None = None) -> ReportVersion:
    """Freeze today's figures and the draft's narrative as the next version, then queue its PDF."""
    if not permissions.can_manage_surveys(actor, partnership):
        raise ServiceError.one("", _l("Only the partnership's coordinators publish its report."))
    draft = db.session.get(ReportDraft, partnership.id)
    if draft is None or not (draft.summary or "").strip():
        raise ServiceError.one("summary", _l("Write the report's summary before publishing it."))
    frozen = figures(partnership, today)
    last = db.session.scalar(select(func.max(ReportVersion.number))
                             .where(ReportVersion.partnership_id == partnership.id)) or 0
    version = ReportVersion(partnership_id=partnership.id, number=last + 1, language=draft.language,
                            texts={name: getattr(draft, name) or "" for name in TEXTS}, figures=frozen,
                            published_by_id=getattr(actor, "id", None), published_at=utcnow())
    db.session.add(version)
    audit.record(actor, "report.version_published", partnership, label=partnership.title, number=version.number)
    try:
        db.session.commit()
    except IntegrityError:  # someone else published the same number a moment before
        db.session.rollback()
        raise ServiceError.one("", _l("Another version was published at the same moment: publish again.")) \
            from None
    from network.evaluation import report_pdf

    report_pdf.schedule_pdf(version)
    return version


# --- reading a version in the reader's language ----------------------------------------------------------------
# A frozen version holds codes and numbers; these functions word them for the page, the PDF and the annexes.


def label(mapping: dict, code: str | None) -> str:
    """A code's label in the reader's language; an unknown code (a later version removed it) as stored."""
    if not code:
        return _("Unknown")
    return str(mapping[code]) if code in mapping else code


def country_label(code: str | None) -> str:
    return labels.country_name(code) if code else _("Unknown")


def sector_text(code: str | None) -> str:
    return labels.sector_label(code) if code else _("Unknown")


def institution_text(name: str | None) -> str:
    return name or _("No institution")


def decimal(value: float | None, digits: int = 2) -> str:
    """A mean as the reader's language writes it ("3.25", "3,25"); "—" when there is none."""
    return "—" if value is None else format_decimal(value, format="0." + "0" * digits if digits else "0")


def on_day(iso_day: str | None) -> str:
    """A stored day ("2027-03-05") as the reader's language writes it."""
    return format_date(date.fromisoformat(iso_day), format="long") if iso_day else "—"  # as "published on"


def question_label(question: dict, code: str) -> str:
    if question["kind"] == SCALE:
        return code
    if question["kind"] in CHOICE_KINDS:
        return str(i18n.localized((question.get("options") or {}).get(code)) or code)
    return code


def _chart(rows, title: str, maximum: float | None = None):
    """A bar chart of (label, value) rows, beside the table of the same figures on the page."""
    rows = [(str(name), value, "") for name, value in rows]
    if not rows:
        return None
    top = maximum if maximum is not None else max((value or 0) for _name, value, _note in rows) or 1
    return bar_chart(rows, maximum=top, title=title, description=_("The same figures are in the table below."))


def document(figures: dict, texts: dict, language: str) -> dict:
    """What a version's page (and the draft's, and the PDF) shows: its narrative as HTML, marked with its
    language when it is not the page's, and charts whose labels are in the reader's language."""
    page_language = i18n.reader_language()
    narrative = {name: render_markdown(texts.get(name) or "") for name in TEXTS}
    participants = figures.get("participants", {})
    sessions = figures.get("sessions", {})
    essays_part = figures.get("essays", {})
    charts = {
        "country": _chart([(country_label(code), n) for code, n in participants.get("by_country", [])],
                          _("Participants by country")),
        "sector": _chart([(sector_text(code), n) for code, n in participants.get("by_sector", [])],
                         _("Participants by sector")),
        "institution": _chart([(institution_text(name), n) for name, n in participants.get("by_institution", [])],
                              _("Participants by institution")),
        "format": _chart([(label(FORMAT_LABELS, row[0]), row[1]) for row in sessions.get("by_format", [])],
                         _("Sessions back home by format")),
        "audience": _chart([(label(AUDIENCE_LABELS, code), n) for code, n in sessions.get("by_audience", [])],
                           _("Sessions back home by audience")),
        "criteria": _chart([(rubric_text(c["label"]), c["mean"]) for c in essays_part.get("criteria", [])
                            if c.get("mean") is not None], _("Mean score per criterion (1 to 5)"), maximum=5),
        "questions": {},
    }
    for survey in figures.get("surveys", []):
        for question in survey.get("questions", []):
            if question.get("distribution"):
                charts["questions"][question["id"]] = _chart(
                    [(question_label(question, code), n) for code, n in question["distribution"]],
                    str(i18n.localized(question.get("text"))), maximum=max(1, question.get("answered") or 0))
    return {"figures": figures, "narrative": narrative, "narrative_lang": language if language != page_language
            else None, "charts": charts, "headings": SECTION_HEADINGS, "text_headings": TEXT_HEADINGS}


def template_helpers() -> dict:
    """The labelling functions the report's templates use."""
    return {"format_label": lambda code: label(FORMAT_LABELS, code),
            "audience_label": lambda code: label(AUDIENCE_LABELS, code),
            "target_label": lambda code: label(TARGET_LABELS, code),
            "moment_label": lambda code: label(MOMENT_LABELS, code),
            "phase_label": lambda code: label(PHASE_LABELS, code),
            "tag_kinds": TAG_KINDS, "country_label": country_label, "sector_text": sector_text,
            "institution_text": institution_text, "decimal": decimal, "on_day": on_day, "question_label": question_label,
            "rubric_text": rubric_text, "localized": i18n.localized, "TEXT_KINDS": TEXT_KINDS}


# --- the annex: every figure as rows ---------------------------------------------------------------------------

ANNEX_COLUMNS = ["section", "item", "sub_item", "measure", "value"]


def _value(value):
    return "" if value is None else value


def annex_rows(version: ReportVersion) -> list[list]:
    """Every figure of the version as (section, item, sub-item, measure, value), codes worded in the reader's
    language (the section and the measure stay codes: they are the columns' vocabulary)."""
    f = version.figures or {}
    rows: list[list] = []

    def add(section, item, sub_item, measure, value):
        rows.append([section, str(item), str(sub_item), measure, _value(value)])

    participants = f.get("participants", {})
    add("participants", _("All participants"), "", "people", participants.get("total", 0))
    for code, n in participants.get("by_country", []):
        add("participants", _("Country"), country_label(code), "people", n)
    for code, n in participants.get("by_sector", []):
        add("participants", _("Sector"), sector_text(code), "people", n)
    for name, n in participants.get("by_institution", []):
        add("participants", _("Institution"), institution_text(name), "people", n)

    visits = f.get("visits", {})
    for measure in ("completed", "planned", "cancelled"):
        add("visits", _("All visits"), "", measure, visits.get(measure, 0))
    for host in visits.get("by_host", []):
        for measure in ("completed", "planned", "cancelled"):
            add("visits", _("Host institution"), host["institution"], measure, host[measure])
    for indicator in f.get("indicators", []):
        kind = label(TARGET_LABELS, indicator["kind"])
        for measure in ("target", "done", "expected"):
            add("indicators", kind, "", measure, indicator.get(measure))
        add("indicators", kind, "", "late", _("Yes") if indicator.get("late") else _("No"))
        for row in indicator.get("institutions", []):
            for measure in ("target", "done"):
                add("indicators", kind, row["name"], measure, row.get(measure))

    for survey in f.get("surveys", []):
        title = str(i18n.localized(survey.get("title")))
        add("surveys", title, label(MOMENT_LABELS, survey.get("moment")), "sent", survey.get("sent"))
        add("surveys", title, "", "answered", survey.get("answered"))
        for question in survey.get("questions", []):
            text = f"{title} · {i18n.localized(question.get('text'))}"
            add("surveys", text, "", "answered", question.get("answered"))
            for code, n in question.get("distribution", []):
                add("surveys", text, question_label(question, code), "count", n)
            if question.get("mean") is not None:
                add("surveys", text, "", "mean", question["mean"])

    essays_part = f.get("essays", {})
    add("essays", _("Essays"), "", "count", essays_part.get("essays", 0))
    add("essays", _("Essays assessed"), "", "count", essays_part.get("assessed", 0))
    for criterion in essays_part.get("criteria", []):
        name = rubric_text(criterion["label"])
        for measure in ("count", "mean", "low", "high"):
            add("essays", _("Criterion"), name, measure, criterion.get(measure))
    for kind, pairs in (essays_part.get("tags") or {}).items():
        for name, n in pairs:
            add("essays", str(TAG_KINDS.get(kind, kind)), name, "count", n)

    sessions = f.get("sessions", {})
    add("sessions", _("Sessions back home"), "", "count", sessions.get("count", 0))
    add("sessions", _("People reached"), "", "people", sessions.get("people_reached", 0))
    add("sessions", _("Visitors who recorded a session"), "", "people", sessions.get("visitors", 0))
    for code, n, reached in sessions.get("by_format", []):
        add("sessions", _("Format"), label(FORMAT_LABELS, code), "count", n)
        add("sessions", _("Format"), label(FORMAT_LABELS, code), "people", reached)
    for code, n in sessions.get("by_audience", []):
        add("sessions", _("Audience"), label(AUDIENCE_LABELS, code), "count", n)

    practices = f.get("practices", {})
    add("practices", _("Practices published"), "", "count", practices.get("published", 0))
    for name, n in practices.get("by_institution", []):
        add("practices", _("Institution"), name, "count", n)
    for collection in f.get("collections", []):
        add("practices", _("Collection"), collection["title"], "editions", len(collection.get("editions", [])))
        for edition in collection.get("editions", []):
            add("practices", collection["title"], _("Edition %(number)s", number=edition["number"]),
                "published_on", edition["published_on"])

    for group in f.get("self_assessment", []):
        name = group.get("event") or _("The partnership's own invitations")
        for column in group.get("columns", []):
            add("self_assessment", name, f"{label(PHASE_LABELS, column['phase'])} {column.get('label') or ''}".strip(),
                "people", column.get("people"))
        for dimension in group.get("dimensions", []):
            dimension_name = str(i18n.localized(dimension.get("name")))
            for column, mean in zip(group.get("columns", []), dimension.get("means", [])):
                add("self_assessment", name, f"{dimension_name} · {label(PHASE_LABELS, column['phase'])}",
                    "mean", mean)
            add("self_assessment", name, dimension_name, "change", dimension.get("change"))
    return rows


def annex_xlsx(version: ReportVersion) -> bytes:
    """The annex as a spreadsheet: one sheet per section, each with its column headings."""
    import io

    import xlsxwriter

    rows = annex_rows(version)
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    sections = list(dict.fromkeys(row[0] for row in rows))
    for section in sections:
        sheet = workbook.add_worksheet(section[:31])
        sheet.write_row(0, 0, ANNEX_COLUMNS[1:], bold)
        sheet.freeze_panes(1, 0)
        line = 1
        for row in rows:
            if row[0] == section:
                sheet.write_row(line, 0, row[1:])
                line += 1
        sheet.set_column(0, 1, 40)
        sheet.set_column(2, 3, 14)
    workbook.close()
    return out.getvalue()


def pdf_locale(version: ReportVersion) -> str:
    """A PDF is made once for every reader: in the narrative's language when the interface speaks it."""
    supported = current_app.config.get("SUPPORTED_LOCALES", ["en"])
    return version.language if version.language in supported else current_app.config["BABEL_DEFAULT_LOCALE"]

