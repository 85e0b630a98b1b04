"""The partnership's final report: its figures counted by hand, publishing that freezes a version, a version read in
another language, its CSV and XLSX annexes, its PDF, and who may read what.

Surveys' results and the indicators come from their own modules (network/evaluation/surveys.py, indicators.py):
here they are small fakes following the contract, so that these tests check what the report does with them."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from conftest import read_html
from essays_helpers import record_training, written
from mobility_helpers import BEFORE_THE_WEEKS, W1, W2, W3, week
from network.auth.models import COORDINATOR, EVALUATOR
from network.collections.models import Collection, CollectionEdition
from network.essays import services as essays
from network.essays.services import AssessmentData
from network.evaluation import dissemination, report_pdf, reports, surveys
from network.evaluation import indicators as indicator_service
from network.evaluation.models import (
    AFTER_VISIT,
    LONG_TEXT,
    OPEN,
    SCALE,
    SINGLE,
    DisseminationSession,
    ReportVersion,
    Survey,
    SurveyQuestion,
    SurveySection,
)
from network.extensions import db
from network.mobility import services as mobility
from network.printing import weasyprint_missing
from network.types import utcnow

SECRET_TEXT = "Ask Maria about the night shifts"  # a free text answer: never in the report


# --- fakes of the surveys' results and the indicators (their contract: /work/notes/eval-contracts.md) ----------


def _survey(partnership, title, anonymous=True):
    survey = Survey(partnership_id=partnership.id, title=title, moment=AFTER_VISIT, anonymous=anonymous, status=OPEN)
    section = SurveySection(position=0, title={"en": "Your visit"})
    section.questions = [
        SurveyQuestion(position=0, kind=SCALE, text={"en": "How useful was the visit?", "es": "¿Qué utilidad tuvo?"}),
        SurveyQuestion(position=1, kind=SINGLE, text={"en": "Would you go again?"},
                       options=[{"code": "yes", "label": {"en": "Yes", "es": "Sí"}},
                                {"code": "no", "label": {"en": "No"}}]),
        SurveyQuestion(position=2, kind=LONG_TEXT, text={"en": "What will you change?"}),
    ]
    survey.sections = [section]
    db.session.add(survey)
    db.session.commit()
    return survey


@pytest.fixture
def fakes(monkeypatch, exchange):
    """surveys.surveys_of/results and indicators.indicators replaced by fakes with hand-made figures: one survey
    with five answers, one anonymous survey with three (too few to show), and one target."""
    enough = _survey(exchange.partnership, {"en": "After the visit", "es": "Después de la visita"})
    too_few = _survey(exchange.partnership, {"en": "Six months on"})

    def results(survey, *, host_institution_id=None, with_names=False):
        scale, single, long_text = survey.questions
        if survey.id == too_few.id:
            return SimpleNamespace(survey=survey, sent=4, answered=3, enough=False, questions=[])
        return SimpleNamespace(survey=survey, sent=6, answered=5, enough=True, questions=[
            SimpleNamespace(question=scale, answered=5, distribution=[("1", 0), ("2", 0), ("3", 0), ("4", 3), ("5", 2)],
                            mean=4.4, texts=[]),
            SimpleNamespace(question=single, answered=5, distribution=[("yes", 4), ("no", 1)], mean=None, texts=[]),
            SimpleNamespace(question=long_text, answered=2, distribution=[], mean=None,
                            texts=[(None, SECRET_TEXT), (None, "More groups")]),
        ])

    def indicators(partnership, today=None):
        return [SimpleNamespace(kind="visitors_per_host", target=6.0, done=1.0, expected=3.0, late=True, institutions=[
            SimpleNamespace(institution_id=exchange.seville.id, name=exchange.seville.name, target=6.0, done=1.0,
                            late=True)])]

    monkeypatch.setattr(indicator_service, "indicators", indicators)
    monkeypatch.setattr(surveys, "surveys_of", lambda partnership, statuses=None: [enough, too_few])
    monkeypatch.setattr(surveys, "results", results)
    return SimpleNamespace(enough=enough, too_few=too_few)


# --- a small partnership, counted by hand ----------------------------------------------------------------------


def _completed(exchange, application, offer, week):
    visit = mobility.book_visit(exchange.coordinator, application, offer, week)
    mobility.confirm_visit(exchange.coordinator, visit)
    return mobility.complete_visit(exchange.coordinator, visit, today=week)


def _session(visit, format, people, audience):
    session = DisseminationSession(visit_id=visit.id, user_id=visit.visitor_id, held_on=W3 + timedelta(days=30),
                                   format=format, people_reached=people, summary="")
    session.audience = audience
    db.session.add(session)
    db.session.commit()
    return session


@pytest.fixture
def world(exchange, make_applicant, make_user, make_practice, fakes):
    """Visits: Aino (Helsinki, FI) completed at Seville; Bogdan (Seville, ES) completed at Arad; one confirmed and
    one cancelled visit. Aino and Chloé (the coordinating centre, BE, social and educational) attended a
    training. Three sessions back home; one essay assessed; practices; a manual with one edition."""
    x = exchange
    x.coordinating.sectors = ["social", "educational"]
    db.session.commit()
    aino = _completed(x, make_applicant(), x.seville_offer, W1)
    bogdan = _completed(x, make_applicant(institution=x.seville, preferred_hosts=[x.arad.id]), x.arad_offer, W1)
    planned = mobility.book_visit(x.coordinator, make_applicant(weeks=[week(W3)]), x.seville_offer, W3)
    mobility.confirm_visit(x.coordinator, planned)
    cancelled = mobility.book_visit(x.coordinator, make_applicant(), x.seville_offer, W2)
    mobility.cancel_visit(x.coordinator, cancelled, "Ill")
    chloe = make_user(institution=x.coordinating, name="Chloé Participant")
    training = record_training(x, [aino.visitor, chloe])

    _session(aino, "team_meeting", 12, ["social_workers", "managers"])
    _session(aino, "training", 5, ["social_workers"])
    _session(bogdan, "team_meeting", 8, ["educators"])

    essay = written(aino.visitor, training)
    evaluator = make_user(EVALUATOR, institution=x.arad, name="Eva Luator")
    criteria = essays.rubric_of(x.partnership)
    essays.assess(evaluator, essay, AssessmentData(scores={c.id: 3 + n % 2 for n, c in enumerate(criteria)},
                                                   strengths=["Clear examples"], weaknesses=["Too short"],
                                                   skills=["Group facilitation"]))

    start = datetime.combine(x.partnership.start_date, datetime.min.time(), tzinfo=timezone.utc)
    in_period = start + timedelta(days=40)
    for institution, published_at in ((x.seville, in_period), (x.seville, in_period), (x.arad, in_period),
                                      (x.arad, start - timedelta(days=3))):
        practice = make_practice(institution, title=f"Practice of {institution.name} {published_at}")
        practice.published_at = published_at
    make_practice(x.sender, status="draft")
    manual = Collection(title="Manual of family resources", partnership_id=x.partnership.id)
    db.session.add(manual)
    db.session.flush()
    db.session.add(CollectionEdition(collection_id=manual.id, number=1, contents={}, published_at=utcnow()))
    db.session.commit()
    return SimpleNamespace(x=x, aino=aino, bogdan=bogdan, planned=planned, chloe=chloe, evaluator=evaluator,
                           criteria=criteria)


def test_figures_of_a_small_partnership_counted_by_hand(world):
    x = world.x
    figures = reports.figures(x.partnership)
    assert json.loads(json.dumps(figures)) == figures  # storable as it is

    participants = figures["participants"]
    assert participants["total"] == 3  # Aino counted once, as a visitor and an attendee
    assert dict(map(tuple, participants["by_country"])) == {"FI": 1, "ES": 1, "BE": 1}
    assert dict(map(tuple, participants["by_sector"])) == {"social": 3, "educational": 1}
    assert dict(map(tuple, participants["by_institution"])) == {
        x.sender.name: 1, x.seville.name: 1, x.coordinating.name: 1}
    assert "Chloé" not in json.dumps(figures, ensure_ascii=False)  # counted, never named

    visits = figures["visits"]
    assert (visits["completed"], visits["planned"], visits["cancelled"]) == (2, 1, 1)
    assert {host["institution"]: (host["completed"], host["planned"], host["cancelled"]) for host in visits["by_host"]} \
        == {x.seville.name: (1, 1, 1), x.arad.name: (1, 0, 0)}
    assert figures["indicators"] == [{"kind": "visitors_per_host", "target": 6.0, "done": 1.0, "expected": 3.0,
                                      "late": True, "institutions": [{"name": x.seville.name, "target": 6.0,
                                                                      "done": 1.0, "late": True}]}]

    sessions = figures["sessions"]
    assert (sessions["count"], sessions["people_reached"], sessions["visitors"]) == (3, 25, 2)
    assert sessions["by_format"] == [["team_meeting", 2, 20], ["training", 1, 5]]
    assert sessions["by_audience"] == [["social_workers", 2], ["educators", 1], ["managers", 1]]

    essays_part = figures["essays"]
    assert (essays_part["essays"], essays_part["assessed"]) == (1, 1)
    # Each criterion scored once: its count, but no mean or range below five scores.
    assert [(c["label"], c["count"], c["mean"], c["low"], c["high"]) for c in essays_part["criteria"]] == [
        (c.name, 1, None, None, None) for c in world.criteria]
    assert essays_part["tags"] == {"strength": [["clear examples", 1]], "weakness": [["too short", 1]],
                                   "skill": [["group facilitation", 1]]}

    assert figures["practices"] == {"published": 3, "by_institution": [[x.seville.name, 2], [x.arad.name, 1]]}
    assert figures["collections"] == [{"title": "Manual of family resources", "kind": "manual", "editions": [
        {"number": 1, "published_on": utcnow().date().isoformat()}]}]

    shown, withheld = figures["surveys"]
    assert (shown["sent"], shown["answered"], shown["enough"], shown["anonymous"]) == (6, 5, True, True)
    assert shown["title"] == {"en": "After the visit", "es": "Después de la visita"}
    scale, single, long_text = shown["questions"]
    assert (scale["kind"], scale["mean"], scale["distribution"][3:]) == ("scale", 4.4, [["4", 3], ["5", 2]])
    assert single["distribution"] == [["yes", 4], ["no", 1]] and single["options"]["yes"] == {"en": "Yes", "es": "Sí"}
    assert (long_text["answered"], long_text["distribution"], long_text["mean"]) == (2, [], None)
    assert (scale["withheld"], single["withheld"], long_text["withheld"]) == (False, False, True)
    assert SECRET_TEXT not in json.dumps(figures)
    assert (withheld["enough"], withheld["answered"], withheld["questions"]) == (False, 3, [])
    assert figures["self_assessment"] == []  # the partnership sent no self-assessment invitation
    assert figures["as_of"] == BEFORE_THE_WEEKS.isoformat()  # mobility's clock, the one the tests move


def test_the_report_shows_no_group_under_five_named_surveys_questions_and_criteria_too(world, monkeypatch):
    """A version is read by every member: the five-people rule holds for named surveys, for each question and for
    each rubric criterion, whatever surveys.results() shows its own readers."""
    named_few = _survey(world.x.partnership, {"en": "Named, four answers"}, anonymous=False)
    named_many = _survey(world.x.partnership, {"en": "Named, six answers"}, anonymous=False)

    def results(survey, *, host_institution_id=None, with_names=False):
        scale, single, _long_text = survey.questions
        answered = 4 if survey.id == named_few.id else 6
        return SimpleNamespace(survey=survey, sent=8, answered=answered, enough=True, questions=[
            SimpleNamespace(question=scale, answered=answered, distribution=[("4", answered - 1), ("5", 1)],
                            mean=4.2, texts=[]),
            SimpleNamespace(question=single, answered=3, distribution=[("yes", 2), ("no", 1)], mean=None, texts=[])])

    monkeypatch.setattr(surveys, "surveys_of", lambda partnership, statuses=None: [named_few, named_many])
    monkeypatch.setattr(surveys, "results", results)
    criteria = [SimpleNamespace(criterion=SimpleNamespace(name=name), count=count, mean=3.5, stdev=0.5, low=3,
                                high=4, distribution={}) for name, count in (("Four times", 4), ("Five times", 5))]
    monkeypatch.setattr(reports.essays, "report", lambda partnership, top=10: SimpleNamespace(
        essays=9, assessed=5, criteria=criteria, tags={}))

    few, many = reports.figures(world.x.partnership)["surveys"]
    assert (few["sent"], few["answered"], few["enough"], few["questions"]) == (8, 4, False, [])
    scale, single = many["questions"]
    assert (scale["withheld"], scale["distribution"], scale["mean"]) == (False, [["4", 5], ["5", 1]], 4.2)
    assert (single["withheld"], single["answered"], single["distribution"], single["mean"]) == (True, 3, [], None)
    assert [(c["label"], c["count"], c["mean"], c["low"], c["high"])
            for c in reports.figures(world.x.partnership)["essays"]["criteria"]] == [
        ("Four times", 4, None, None, None), ("Five times", 5, 3.5, 3, 4)]


def test_the_reports_sessions_and_practices_are_the_dashboards(world):
    """The same figures as dissemination's totals and the practices_published indicator: a session recorded for a
    visit that is not completed (here a confirmed one) counts in neither."""
    _session(world.planned, "conference", 50, ["students"])
    partnership = world.x.partnership
    sessions = reports.figures(partnership)["sessions"]
    totals = dissemination.totals_of_partnership(partnership)
    assert (sessions["count"], sessions["people_reached"], sessions["visitors"]) == (
        totals.sessions, totals.people_reached, totals.visitors) == (3, 25, 2)
    assert sessions["by_format"] == [["team_meeting", 2, 20], ["training", 1, 5]]
    practices = reports.figures(partnership)["practices"]
    assert practices["published"] == sum(n for _id, _name, n in indicator_service.practices_published(partnership))


def test_the_self_assessment_before_and_after_comes_only_with_five_people_on_each_side(exchange, make_user, fakes,
                                                                                        client, auth):
    from network.self_assessment import services as self_assessment
    from self_assessment_helpers import completed_result, tiny_questionnaire

    questionnaire = tiny_questionnaire()
    before = self_assessment.create_invitation(exchange.coordinator, partnership=exchange.partnership, phase="before")
    after = self_assessment.create_invitation(exchange.coordinator, partnership=exchange.partnership, phase="after")
    people = [make_user(institution=exchange.seville) for _ in range(5)]
    for person in people:  # safety: 1 and 2 of 4 points -> 38 before; 3 and 4 -> 88 after
        completed_result(person, questionnaire, {"safety-1": 1, "safety-2": 2}, invitation=before)
    for person in people[:4]:
        completed_result(person, questionnaire, {"safety-1": 3, "safety-2": 4}, invitation=after)

    group, = reports.figures(exchange.partnership)["self_assessment"]
    safety = next(d for d in group["dimensions"] if d["code"] == "safety")
    assert [c["phase"] for c in group["columns"]] == ["before", "after"]
    assert [c["enough"] for c in group["columns"]] == [True, False]
    assert (safety["means"], safety["change"], group["compares"]) == ([38.0, None], None, False)

    completed_result(people[4], questionnaire, {"safety-1": 3, "safety-2": 4}, invitation=after)
    group, = reports.figures(exchange.partnership)["self_assessment"]
    safety = next(d for d in group["dimensions"] if d["code"] == "safety")
    assert (safety["means"], safety["change"], safety["name"]["es"]) == ([38.0, 88.0], 50.0, "Seguridad y privacidad")

    auth.login(exchange.coordinator)
    page = read_html(client.get(f"/partnerships/{exchange.partnership.id}/report"))
    row = page.select_one(".self-assessment-group tr[data-code='safety']")
    assert [cell.text for cell in row.select("td")] == ["38.0", "88.0", "+50.0"]


# --- the draft, publishing, versions ---------------------------------------------------------------------------


CONFIRMED_BOX = {"publish-confirm": "y"}  # "I understand that this version is published for good"


def _write_draft(client, partnership, **texts):
    data = {"language": "en", "summary": "We **met** our aims.", "what_worked": "Hosting.",
            "what_did_not": "Surveys came late.", "recommendations": "Start earlier.", **texts}
    return client.post(f"/partnerships/{partnership.id}/report/edit", data=data)


def test_publishing_freezes_a_version_while_the_draft_follows_today(world, client, auth):
    x = world.x
    auth.login(x.coordinator)
    page = client.get(f"/partnerships/{x.partnership.id}/report/edit")
    assert page.status_code == 200
    assert _write_draft(client, x.partnership).status_code == 303
    draft = read_html(client.get(f"/partnerships/{x.partnership.id}/report"))
    assert draft.select_one("#report-summary strong").text == "met"
    assert draft.select_one("#sessions-count").text == "3"

    published = client.post(f"/partnerships/{x.partnership.id}/report/publish", data=CONFIRMED_BOX)
    assert published.status_code == 303 and published.location.endswith(f"/partnerships/{x.partnership.id}/report/versions/1")
    first = db.session.scalar(select(ReportVersion).where(ReportVersion.partnership_id == x.partnership.id))
    frozen = json.dumps(first.figures, sort_keys=True)
    assert first.texts["summary"] == "We **met** our aims." and first.published_by_id == x.coordinator.id

    _session(world.bogdan, "conference", 40, ["students"])  # after publishing
    _write_draft(client, x.partnership, summary="A second summary.")
    version_one = read_html(client.get(f"/partnerships/{x.partnership.id}/report/versions/1"))
    assert version_one.select_one("#sessions-count").text == "3"
    assert version_one.select_one("#sessions-reached").text == "25"
    assert version_one.select_one("#report-summary strong").text == "met"
    today = read_html(client.get(f"/partnerships/{x.partnership.id}/report"))
    assert today.select_one("#sessions-count").text == "4"
    assert today.select_one("#sessions-reached").text == "65"
    assert "A second summary." in today.select_one("#report-summary").text

    assert client.post(f"/partnerships/{x.partnership.id}/report/publish", data=CONFIRMED_BOX).status_code == 303
    second = reports.get_version(x.partnership, 2)
    assert second.figures["sessions"]["count"] == 4 and second.texts["summary"] == "A second summary."
    db.session.refresh(first)
    assert json.dumps(first.figures, sort_keys=True) == frozen  # version 1 as it was
    listed = read_html(client.get(f"/partnerships/{x.partnership.id}/report/versions/1"))
    assert [li.text.split(",")[0].strip() for li in listed.select("#report-versions li")] == ["Version 2", "Version 1"]


def test_the_draft_form_keeps_what_was_typed_when_refused(exchange, client, auth, fakes):
    auth.login(exchange.coordinator)
    response = _write_draft(client, exchange.partnership, language="xx", what_worked="Kept as typed")
    assert response.status_code == 422
    page = read_html(response)
    assert page.select_one("#what_worked").text.strip() == "Kept as typed"
    assert page.select_one(".error-summary a[href='#language']") is not None
    assert reports.draft_of(exchange.partnership).what_worked == ""  # nothing stored


def test_publishing_asks_for_the_box_to_be_ticked_in_the_same_form(exchange, client, auth, fakes):
    auth.login(exchange.coordinator)
    _write_draft(client, exchange.partnership)
    base = f"/partnerships/{exchange.partnership.id}/report"
    form = read_html(client.get(base)).select_one("#publish-form")
    assert form["action"] == f"{base}/publish"
    box = form.select_one("input[type=checkbox][name='publish-confirm']")
    assert box is not None and form.select_one(f"label[for='{box['id']}']") is not None
    assert "Publish version 1" in form.select_one("button[type=submit]").text

    refused = client.post(f"{base}/publish", data={})
    assert refused.status_code == 422
    page = read_html(refused)
    assert "Tick the box to confirm" in page.select_one(".error-summary a[href='#publish-confirm']").text
    assert page.select_one("#publish-confirm-error") is not None
    assert reports.versions_of(exchange.partnership) == []

    assert client.post(f"{base}/publish", data=CONFIRMED_BOX).status_code == 303
    assert [v.number for v in reports.versions_of(exchange.partnership)] == [1]


def test_publishing_needs_a_summary(exchange, client, auth, fakes):
    auth.login(exchange.coordinator)
    response = client.post(f"/partnerships/{exchange.partnership.id}/report/publish", data=CONFIRMED_BOX,
                           follow_redirects=True)
    assert "Write the report's summary before publishing it." in read_html(response).select_one(".flashes").text
    assert reports.versions_of(exchange.partnership) == []


def _published(world, client, auth, **texts):
    auth.login(world.x.coordinator)
    _write_draft(client, world.x.partnership, **texts)
    assert client.post(f"/partnerships/{world.x.partnership.id}/report/publish", data=CONFIRMED_BOX).status_code == 303
    auth.logout()
    return reports.get_version(world.x.partnership, 1)


def test_a_version_is_read_in_the_readers_language(world, client, auth, make_user):
    version = _published(world, client, auth)
    reader = make_user(institution=world.x.sender)
    reader.locale = "es"
    db.session.commit()
    auth.login(reader)
    page = read_html(client.get(f"/partnerships/{world.x.partnership.id}/report/versions/{version.number}"))
    assert page.html["lang"] == "es"
    headings = [h2["id"] for h2 in page.select(".report-document h2")]
    assert headings == ["report-summary-heading", "report-participants-heading", "report-visits-heading",
                        "report-surveys-heading", "report-essays-heading", "report-sessions-heading",
                        "report-practices-heading", "report-self-assessment-heading", "report-what_worked-heading",
                        "report-what_did_not-heading", "report-recommendations-heading"]
    # The narrative, written in English, says so; codes are worded in Spanish (countries: Babel's names).
    assert {div["lang"] for div in page.select(".report-text")} == {"en"}
    countries = {row["data-code"]: row.th.text for row in page.select("#participants-by-country tbody tr")}
    assert countries == {"FI": "Finlandia", "ES": "España", "BE": "Bélgica"}
    survey = page.select_one(f"#survey-{version.figures['surveys'][0]['id']}")
    assert "Después de la visita" in survey.h3.text and "¿Qué utilidad tuvo?" in survey.text
    assert "Sí" in [row.th.text for row in survey.select("table tbody tr")]
    assert survey.select_one("svg.bar-chart title") is not None  # a chart beside each table
    assert SECRET_TEXT not in page.text
    assert [row["data-code"] for row in page.select("#sessions-by-format tbody tr")] == ["team_meeting", "training"]
    assert page.select_one("#indicators tbody tr")["data-kind"] == "visitors_per_host"
    assert page.select_one("link[href$='css/report.css']") is not None  # the print stylesheet


def test_the_annexes_hold_every_figure(world, client, auth):
    version = _published(world, client, auth)
    auth.login(world.x.coordinator)
    response = client.get(f"/partnerships/{world.x.partnership.id}/report/1.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert re.search(r'filename="report-[a-z0-9-]+-version-1-annex\.csv"', response.headers["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == reports.ANNEX_COLUMNS
    assert ["participants", "All participants", "", "people", "3"] in rows
    assert ["participants", "Country", "Finland", "people", "1"] in rows
    assert ["sessions", "Format", "Team meeting", "people", "20"] in rows
    assert ["visits", "Host institution", world.x.seville.name, "cancelled", "1"] in rows
    assert ["indicators", "Visitors each host receives", "", "late", "Yes"] in rows
    assert ["surveys", "After the visit · Would you go again?", "Yes", "count", "4"] in rows
    assert ["practices", "Manual of family resources", "Edition 1", "published_on",
            version.figures["collections"][0]["editions"][0]["published_on"]] in rows
    assert SECRET_TEXT not in response.get_data(as_text=True)

    response = client.get(f"/partnerships/{world.x.partnership.id}/report/1.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    book = zipfile.ZipFile(io.BytesIO(response.data))
    workbook = book.read("xl/workbook.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', workbook) == [
        "participants", "visits", "indicators", "surveys", "essays", "sessions", "practices"]
    strings = book.read("xl/sharedStrings.xml").decode()
    assert "Finland" in strings and "Team meeting" in strings and "sub_item" in strings
    first_sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<v>3</v>" in first_sheet  # the participants' total, a number


def test_the_pdf_is_a_page_saying_it_is_made_until_it_is_ready(world, client, auth, app):
    version = _published(world, client, auth)  # under tests the builder is off: publishing made no PDF
    auth.login(world.x.coordinator)
    address = f"/partnerships/{world.x.partnership.id}/report/1.pdf"
    waiting = client.get(address)
    assert waiting.status_code == 200 and waiting.mimetype == "text/html"
    page = read_html(waiting)
    assert page.select_one("#pdf-being-made") is not None
    assert page.select_one("meta[http-equiv=refresh]") is None  # no reload the reader did not ask for
    assert page.select_one("#pdf-check-again")["href"] == address
    assert page.select_one(f"a[href='/partnerships/{world.x.partnership.id}/report/versions/1']") is not None
    assert not report_pdf.pdf_path(version).exists()

    missing = weasyprint_missing()
    if missing:
        pytest.skip(missing)
    app.config["REPORTS_PDF_BUILDER"] = "jobs"  # the job runs at once in tests (JOBS = immediate)
    ready = client.get(address)
    assert ready.status_code == 200 and ready.mimetype == "application/pdf"
    assert ready.data.startswith(b"%PDF")
    assert re.search(r'attachment; filename=report-[a-z0-9-]+-version-1\.pdf', ready.headers["Content-Disposition"])
    ready.close()
    assert report_pdf.pdf_path(version).exists()
    html = report_pdf.version_html(version)
    assert "<style>" in html and 'class="report-section report-part"' in html
    assert "<link" not in html and "<script" not in html  # nothing to fetch
    assert SECRET_TEXT not in html


def test_a_failed_pdf_says_so_plainly_and_is_queued_again_on_request(world, client, auth, app, monkeypatch, caplog):
    version = _published(world, client, auth)
    queued = []
    monkeypatch.setattr("network.evaluation.tasks.build_report_pdf", queued.append)  # a queue that never runs
    monkeypatch.setattr(report_pdf, "weasyprint_missing", lambda: None)
    app.config["REPORTS_PDF_BUILDER"] = "jobs"

    monkeypatch.setattr(report_pdf, "html_to_pdf", lambda html: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        report_pdf.build(version)
    assert "ZeroDivisionError" in caplog.text  # the detail is in the log...
    assert report_pdf.pdf_status(version) == {"state": "failed"}

    auth.login(world.x.coordinator)
    address = f"/partnerships/{world.x.partnership.id}/report/1.pdf"
    page = read_html(client.get(address))
    assert page.select_one("#pdf-failed") is not None
    assert "division" not in page.text and "ZeroDivisionError" not in page.text  # ...never on the page
    assert queued == []  # a failed build is not retried behind the reader's back
    assert page.select_one(f"a[href='{address}?retry=1']") is not None

    assert report_pdf.requested(version, retry=True) == {"state": "queued"}
    assert queued == [version.id]
    assert report_pdf.requested(version, retry=True) == {"state": "queued"}  # queued once
    assert queued == [version.id]


def test_publishing_queues_the_pdf_when_the_builder_is_on(world, client, auth, app):
    missing = weasyprint_missing()
    if missing:
        pytest.skip(missing)
    app.config["REPORTS_PDF_BUILDER"] = "jobs"
    version = _published(world, client, auth)
    assert report_pdf.pdf_status(version) == {"state": "ready"}  # made by the job, at once under tests


# --- who may read what -----------------------------------------------------------------------------------------


def test_who_reads_the_draft_and_who_reads_the_versions(world, client, auth, make_user, make_institution):
    _published(world, client, auth)
    base = f"/partnerships/{world.x.partnership.id}/report"
    addresses = [base, f"{base}/versions/1", f"{base}/1.pdf", f"{base}/1.csv", f"{base}/1.xlsx"]

    assert client.get(base).status_code == 302  # to the login page

    outsider = make_user(institution=make_institution(name="Elsewhere", country="PT"))
    other_coordinator = make_user(COORDINATOR, institution=make_institution(name="Another Centre"))
    for person in (outsider, other_coordinator):
        auth.login(person)
        assert [client.get(address).status_code for address in addresses] == [403] * 5
        assert client.get(f"{base}/edit").status_code == 403
        assert client.post(f"{base}/publish").status_code == 403
        auth.logout()

    member = make_user(institution=world.x.sender)
    auth.login(member)
    assert [client.get(address).status_code for address in addresses] == [200] * 5
    newest = read_html(client.get(base))
    assert newest.select_one("#version-line") is not None  # the published version, not the draft
    assert newest.select_one("#report-actions") is None
    assert client.get(f"{base}/edit").status_code == 403
    assert client.post(f"{base}/publish").status_code == 403
    assert client.get(f"{base}/versions/2").status_code == 404
    assert client.get(f"{base}/2.csv").status_code == 404
    auth.logout()

    auth.login(world.evaluator)  # evaluators read the draft, without editing it
    draft = read_html(client.get(base))
    assert draft.select_one("#draft-line") is not None and draft.select_one("#report-actions") is None
    assert client.get(f"{base}/edit").status_code == 403
    auth.logout()

    assert client.get("/partnerships/999999/report").status_code in (302, 404)
    auth.login(world.x.coordinator)
    assert client.get("/partnerships/999999/report").status_code == 404
    assert client.get("/partnerships/999999/report/versions/1").status_code == 404


def test_a_member_sees_a_note_before_anything_is_published(exchange, client, auth, make_user, fakes):
    auth.login(make_user(institution=exchange.arad))
    page = read_html(client.get(f"/partnerships/{exchange.partnership.id}/report"))
    assert page.select_one("#no-version") is not None
