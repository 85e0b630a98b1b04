"""Surveys sent at their moments, answered page by page, and their results: the daily run sends each invitation
once, reminds once and closes; a person answers with the pages' buttons; the figures match a hand count; anonymous
responses keep nothing that leads to their author and are shown only for groups of five or more."""
from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select, text

from conftest import PASSWORD, read_html
from essays_helpers import EVENT_END, record_training
from mobility_helpers import W1, W2
from network.auth.models import COORDINATOR, EVALUATOR
from network.errors import ServiceError
from network.evaluation import surveys
from network.evaluation.models import (
    AFTER_EVENT,
    AFTER_VISIT,
    BEFORE_VISIT,
    CLOSED,
    LONG_TEXT,
    MULTIPLE,
    NUMBER,
    OPEN,
    SCALE,
    SHORT_TEXT,
    SINGLE,
    SIX_MONTHS,
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveySection,
)
from network.extensions import db
from network.mobility import services as mobility
from network.notifications.models import Notification

FRIDAY = W1 + timedelta(days=4)  # the last day of a visit in W1
MORNING_AFTER = FRIDAY + timedelta(days=1)  # its after-visit moment: the morning after its last day


def make_survey(partnership, moment=AFTER_VISIT, anonymous=True, opened_on=None, answer_days=21,
                remind_after_days=7) -> Survey:
    """An open survey of two pages: a required scale and a single choice; then a multiple choice, a required
    number (0 to 100), a short and a long text."""
    first = SurveySection(position=0, title={"en": "The programme", "es": "El programa"}, questions=[
        SurveyQuestion(position=0, kind=SCALE, text={"en": "The programme met my expectations"}, required=True,
                       shown_to_hosts=True),
        SurveyQuestion(position=1, kind=SINGLE, text={"en": "Would you go again?"}, shown_to_hosts=True,
                       options=[{"code": "o1", "label": {"en": "Yes", "es": "Sí"}},
                                {"code": "o2", "label": {"en": "No"}}]),
    ])
    second = SurveySection(position=1, title={"en": "Back home"}, questions=[
        SurveyQuestion(position=0, kind=MULTIPLE, text={"en": "What did you share?"},
                       options=[{"code": "o1", "label": {"en": "Methods"}}, {"code": "o2", "label": {"en": "Tools"}},
                                {"code": "o3", "label": {"en": "Contacts"}}]),
        SurveyQuestion(position=1, kind=NUMBER, text={"en": "How many colleagues did you tell?"}, required=True,
                       minimum=0, maximum=100),
        SurveyQuestion(position=2, kind=SHORT_TEXT, text={"en": "One word for the week"}),
        SurveyQuestion(position=3, kind=LONG_TEXT, text={"en": "What will you change?"}),
    ])
    survey = Survey(partnership_id=partnership.id, title={"en": "After your visit", "es": "Después de tu visita"},
                    moment=moment, anonymous=anonymous, status=OPEN, opened_on=opened_on or W1 - timedelta(days=30),
                    answer_days=answer_days, remind_after_days=remind_after_days, sections=[first, second])
    db.session.add(survey)
    db.session.commit()
    return survey


def questions_of(survey):
    scale, single, multiple, number, short, long_ = survey.questions
    return scale, single, multiple, number, short, long_


def completed_visit(exchange, applicant, offer=None, monday=W1):
    visit = mobility.book_visit(exchange.coordinator, applicant, offer or exchange.seville_offer, monday)
    mobility.confirm_visit(exchange.coordinator, visit)
    return mobility.complete_visit(exchange.coordinator, visit, today=monday)


def invitations(survey):
    return list(db.session.scalars(select(SurveyInvitation).where(SurveyInvitation.survey_id == survey.id)
                                   .order_by(SurveyInvitation.id)))


def respond(survey, answers: dict, host=None, respondent=None):
    """A response stored directly (for the figures' tests): answers keyed by question."""
    response = SurveyResponse(survey_id=survey.id, host_institution_id=host.id if host else None,
                              respondent_id=respondent.id if respondent else None,
                              answers={str(question.id): value for question, value in answers.items()})
    db.session.add(response)
    db.session.commit()
    return response


# --- sending -----------------------------------------------------------------------------------------------------


@pytest.fixture
def emailed(app, monkeypatch):
    """The emails the jobs send (a mail server is set; each email is a job of its own, run at once)."""
    from network import mail

    app.config["MAIL_SERVER"] = "smtp.example.org"
    delivered = []
    monkeypatch.setattr(mail, "send_email", lambda to, subject, body: delivered.append((to, subject)))
    return delivered


def test_after_visit_is_sent_once_on_the_last_day_reminded_once_and_closed(exchange, make_applicant, emailed):
    visit = completed_visit(exchange, make_applicant())
    survey = make_survey(exchange.partnership)
    emailed.clear()  # the visit's own news

    assert surveys.send_due(today=FRIDAY)["sent"] == 0  # the visit's last day: not over yet
    assert surveys.send_due(today=MORNING_AFTER) == {"sent": 1, "reminded": 0, "closed": 0}
    assert surveys.send_due(today=MORNING_AFTER) == {"sent": 0, "reminded": 0, "closed": 0}  # twice: nothing more
    [invitation] = invitations(survey)
    assert (invitation.user_id, invitation.subject_kind, invitation.subject_id) == (visit.visitor_id, "visit",
                                                                                    visit.id)
    assert invitation.host_institution_id == exchange.seville.id
    assert invitation.closes_on == MORNING_AFTER + timedelta(days=21)
    told = db.session.scalars(select(Notification).where(Notification.user_id == visit.visitor_id,
                                                         Notification.kind == "survey")).all()
    assert [n.link for n in told] == [f"/evaluation/answer/{invitation.id}"]
    assert "After your visit" in told[0].text and told[0].params["title"] == "After your visit"
    assert [(to, "After your visit" in subject) for to, subject in emailed] == [(visit.visitor.email, True)]

    # One reminder, seven days after it was sent, not before, not twice.
    assert surveys.send_due(today=MORNING_AFTER + timedelta(days=6))["reminded"] == 0
    assert surveys.send_due(today=MORNING_AFTER + timedelta(days=7))["reminded"] == 1
    assert surveys.send_due(today=MORNING_AFTER + timedelta(days=8))["reminded"] == 0
    assert db.session.scalar(select(SurveyInvitation.reminded_at).where(SurveyInvitation.id == invitation.id))
    assert len(db.session.scalars(select(Notification).where(Notification.user_id == visit.visitor_id,
                                                             Notification.kind == "survey")).all()) == 2

    # Answers saved on the way are cleared once it closes; it takes no more answers.
    scale = questions_of(survey)[0]
    surveys.save_page(visit.visitor, invitation, 0, {scale.id: "4"})
    assert invitation.draft == {str(scale.id): 4}
    assert surveys.send_due(today=invitation.closes_on)["closed"] == 0  # its last day: still open
    assert surveys.send_due(today=invitation.closes_on + timedelta(days=1)) == {"sent": 0, "reminded": 0,
                                                                                 "closed": 1}
    db.session.refresh(invitation)
    assert invitation.draft == {} and not surveys.is_open(invitation, invitation.closes_on + timedelta(days=1))
    assert surveys.send_due(today=invitation.closes_on + timedelta(days=2))["closed"] == 0


def test_each_moment_reaches_its_people_from_the_day_the_survey_opened(exchange, make_applicant, make_user):
    done = completed_visit(exchange, make_applicant())
    coming = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.arad_offer, W2)
    mobility.confirm_visit(exchange.coordinator, coming)
    before = make_survey(exchange.partnership, BEFORE_VISIT)
    six = make_survey(exchange.partnership, SIX_MONTHS)
    late = make_survey(exchange.partnership, opened_on=MORNING_AFTER + timedelta(days=1))  # opened after its moment
    attendees = [make_user(institution=exchange.sender), make_user(institution=exchange.arad)]
    event = record_training(exchange, attendees)
    after_event = make_survey(exchange.partnership, AFTER_EVENT, opened_on=EVENT_END - timedelta(days=3))

    assert surveys.send_due(today=W2 - timedelta(days=15))["sent"] == 0
    surveys.send_due(today=W2 - timedelta(days=14))
    assert [(i.user_id, i.subject_id, i.host_institution_id) for i in invitations(before)] == [
        (coming.visitor_id, coming.id, exchange.arad.id)]

    surveys.send_due(today=FRIDAY + timedelta(days=3))
    assert invitations(late) == []  # a survey opened today does not reach visits that ended before
    assert invitations(six) == []
    surveys.send_due(today=MORNING_AFTER + timedelta(days=181))
    assert invitations(six) == []
    surveys.send_due(today=MORNING_AFTER + timedelta(days=182))  # 26 weeks after the morning after
    assert [(i.user_id, i.subject_id) for i in invitations(six)] == [(done.visitor_id, done.id)]
    # The completed visit is a job-shadowing event too: an after-event survey does not take it for an event.
    assert invitations(after_event) == []

    # After an event: to those who attended, from the morning after its last day; a moment older than the
    # answering time is not caught up.
    surveys.send_due(today=EVENT_END)
    assert invitations(after_event) == []
    surveys.send_due(today=EVENT_END + timedelta(days=2))
    sent = invitations(after_event)
    assert sorted(i.user_id for i in sent) == sorted(p.id for p in attendees)
    assert {(i.subject_kind, i.subject_id, i.host_institution_id) for i in sent} == {
        ("event", event.id, exchange.seville.id)}
    stale = make_survey(exchange.partnership, AFTER_EVENT, opened_on=EVENT_END - timedelta(days=3))
    surveys.send_due(today=EVENT_END + timedelta(days=30))
    assert invitations(stale) == []


def test_a_closed_survey_takes_no_more_answers_and_the_command_sends(exchange, make_applicant, runner, client,
                                                                       auth):
    visit = completed_visit(exchange, make_applicant())
    survey = make_survey(exchange.partnership)
    result = runner.invoke(args=["evaluation", "send", "--today", MORNING_AFTER.isoformat()])
    assert result.exit_code == 0 and "'sent': 1" in result.output
    [invitation] = invitations(survey)
    surveys.save_page(visit.visitor, invitation, 0, {questions_of(survey)[0].id: "2"})
    survey.status = CLOSED
    db.session.commit()

    auth.login(visit.visitor)
    url = f"/evaluation/answer/{invitation.id}"
    assert "This survey has closed" in client.get(url).get_data(as_text=True)
    assert "This survey has closed" in client.post(f"{url}?page=1", data={"action": "send"}).get_data(as_text=True)
    assert surveys.send_due(today=MORNING_AFTER + timedelta(days=1)) == {"sent": 0, "reminded": 0, "closed": 1}
    db.session.refresh(invitation)
    assert invitation.draft == {} and not invitation.answered and invitation.reminded_at is None
    assert db.session.scalar(select(SurveyResponse)) is None


# --- answering ---------------------------------------------------------------------------------------------------


def test_answering_page_by_page_saving_resuming_and_sending(exchange, make_applicant, make_user, client, auth):
    visit = completed_visit(exchange, make_applicant())
    survey = make_survey(exchange.partnership)
    surveys.send_due(today=MORNING_AFTER)
    [invitation] = invitations(survey)
    scale, single, multiple, number, short, long_ = questions_of(survey)
    url = f"/evaluation/answer/{invitation.id}"

    auth.login(make_user(institution=exchange.sender))
    assert client.get(url).status_code == 403  # someone else's
    auth.logout()
    auth.login(visit.visitor)

    page = client.get(url).get_data(as_text=True)
    assert "Page 1 of 2" in page and "The programme" in page
    assert "Strongly disagree" in page and "Strongly agree" in page and "(required)" in page
    assert '<legend>The programme met my expectations' in page
    response = client.post(f"{url}?page=1", data={f"q{scale.id}": "4", f"q{single.id}": "o1", "action": "next"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}?page=2")

    # A wrong value: refused with its message, what was typed kept, nothing saved.
    response = client.post(f"{url}?page=2", data={f"q{number.id}": "500", f"q{short.id}": "Eye-opening",
                                                  "action": "later"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Give a whole number from 0 to 100." in page and f'href="#q{number.id}"' in page
    assert 'value="500"' in page and 'value="Eye-opening"' in page
    response = client.post(f"{url}?page=2", data={f"q{number.id}": "x" * 3, "action": "next"})
    assert response.status_code == 422
    assert client.post(f"{url}?page=2", data={f"q{multiple.id}": ["o1", "o9"], "action": "next"}).status_code == 422

    # Save and finish later, then come back where one stopped.
    response = client.post(f"{url}?page=2", data={f"q{multiple.id}": ["o3", "o1"], f"q{short.id}": "Eye-opening",
                                                  "action": "later"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/evaluation/surveys/mine")
    db.session.refresh(invitation)
    assert invitation.draft == {str(scale.id): 4, str(single.id): "o1", str(multiple.id): ["o1", "o3"],
                                str(short.id): "Eye-opening"}
    mine = client.get("/evaluation/surveys/mine").get_data(as_text=True)
    assert "After your visit" in mine and url in mine
    page = client.get(url).get_data(as_text=True)
    assert "Page 2 of 2" in page and 'value="Eye-opening"' in page and "checked" in page

    # Back, clearing the required scale: sending then goes to the first page with what is missing.
    response = client.post(f"{url}?page=2", data={f"q{multiple.id}": "o1", f"q{number.id}": "12",
                                                  f"q{short.id}": "Eye-opening", "action": "back"})
    assert response.headers["Location"].endswith(f"{url}?page=1")
    client.post(f"{url}?page=1", data={f"q{scale.id}": "", "action": "next"})
    response = client.post(f"{url}?page=2", data={f"q{multiple.id}": "o1", f"q{number.id}": "12",
                                                  "action": "send"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Page 1 of 2" in page
    assert "Answer this question: it is required." in page and f'href="#q{scale.id}-1"' in page
    assert db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)) is None

    client.post(f"{url}?page=1", data={f"q{scale.id}": "5", "action": "next"})
    response = client.post(f"{url}?page=2", data={f"q{multiple.id}": "o1", f"q{number.id}": "12",
                                                  f"q{long_.id}": "Start a group.", "action": "send"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/evaluation/surveys/mine")
    stored = db.session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id))
    assert stored.answers == {str(scale.id): 5, str(multiple.id): ["o1"], str(number.id): 12,
                              str(long_.id): "Start a group."}
    db.session.refresh(invitation)
    assert invitation.answered and invitation.draft == {}
    page = client.get(url).get_data(as_text=True)
    assert "You have sent your answers to this survey" in page and "<form" not in page.split("<main", 1)[-1]
    assert "You have sent your answers" in client.post(f"{url}?page=2", data={"action": "send"}).get_data(
        as_text=True)  # nothing more is stored
    assert len(db.session.scalars(select(SurveyResponse)).all()) == 1
    assert surveys.send_due(today=MORNING_AFTER + timedelta(days=7))["reminded"] == 0  # answered: no reminder


def test_an_anonymous_response_keeps_nothing_that_leads_to_its_author(exchange, make_applicant, client, auth):
    visits = [completed_visit(exchange, make_applicant()), completed_visit(exchange, make_applicant(),
                                                                           exchange.arad_offer)]
    survey = make_survey(exchange.partnership)
    surveys.send_due(today=MORNING_AFTER)
    scale, _single, _multiple, number, *_ = questions_of(survey)
    for visit in visits:
        [invitation] = [i for i in invitations(survey) if i.user_id == visit.visitor_id]
        surveys.save_page(visit.visitor, invitation, 0, {scale.id: "3"})
        surveys.save_page(visit.visitor, invitation, 1, {number.id: "7"})
        surveys.send_answers(visit.visitor, invitation)

    rows = db.session.execute(text("SELECT * FROM evaluation_survey_responses")).mappings().all()
    assert len(rows) == 2
    for row in rows:
        assert row["respondent_id"] is None and row["invitation_id"] is None and row["submitted_at"] is None
        assert row["event_id"] is None and re.fullmatch(r"[0-9a-f]{32}", row["id"])
        assert row["host_institution_id"] in (exchange.seville.id, exchange.arad.id)
    assert {row["host_institution_id"] for row in rows} == {exchange.seville.id, exchange.arad.id}
    assert rows[0]["id"] != rows[1]["id"] and not rows[0]["id"].isdigit()
    # The invitations remember only that their person answered (to stop reminders): no time, no draft.
    assert all(i.answered and i.draft == {} for i in invitations(survey))


# --- results -----------------------------------------------------------------------------------------------------


def test_a_small_named_survey_is_counted_as_by_hand_and_shows_names_to_coordinators(
        exchange, make_user, client, auth):
    survey = make_survey(exchange.partnership, anonymous=False)
    scale, single, multiple, number, short, long_ = questions_of(survey)
    ana, ben, cleo = (make_user(institution=exchange.sender, name=name) for name in ("Ana", "Ben", "Cleo"))
    respond(survey, {scale: 2, single: "o1", multiple: ["o1", "o2"], number: 10, short: "Inspiring"},
            exchange.seville, ana)
    respond(survey, {scale: 4, single: "o2", multiple: ["o1"], number: 3}, exchange.seville, ben)
    respond(survey, {scale: 5, single: "o1", number: 20, long_: "Weekly groups"}, exchange.arad, cleo)

    found = surveys.results(survey, with_names=True)
    assert (found.answered, found.enough) == (3, True)
    by_id = {row.question.id: row for row in found.questions}
    assert by_id[scale.id].distribution == [("1", 0), ("2", 1), ("3", 0), ("4", 1), ("5", 1)]
    assert by_id[scale.id].mean == pytest.approx((2 + 4 + 5) / 3)
    assert by_id[single.id].distribution == [("o1", 2), ("o2", 1)] and by_id[single.id].mean is None
    assert (by_id[multiple.id].answered, by_id[multiple.id].distribution) == (2, [("o1", 2), ("o2", 1), ("o3", 0)])
    assert by_id[number.id].mean == pytest.approx(11) and by_id[number.id].distribution == []
    assert by_id[short.id].texts == [("Ana", "Inspiring")] and by_id[long_.id].texts == [("Cleo", "Weekly groups")]
    assert surveys.results(survey).questions[4].texts == [(None, "Inspiring")]  # without names unless asked
    seville = surveys.results(survey, host_institution_id=exchange.seville.id)
    assert seville.answered == 2 and seville.questions[0].distribution[1:4] == [("2", 1), ("3", 0), ("4", 1)]

    url = f"/evaluation/surveys/{survey.id}/results"
    auth.login(exchange.coordinator)
    page = client.get(url).get_data(as_text=True)
    assert "<svg" in page and "<strong>Ana</strong>: Inspiring" in page and "Weekly groups" in page
    assert "Strongly agree" in page and "3.67" in page
    csv = client.get(f"{url}.csv").get_data(as_text=True)
    assert "The programme met my expectations,scale,3,2,Disagree,1,3.67" in csv.replace("\r", "")
    assert "Ana" not in csv
    auth.logout()
    auth.login(make_user(EVALUATOR, institution=exchange.arad))
    assert "<strong>Cleo</strong>: Weekly groups" in client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login(exchange.seville_admin)  # a host's admin reads the host results, not the survey's
    assert client.get(url).status_code == 403


def test_anonymous_figures_need_five_responses_in_the_group(exchange, make_user, client, auth):
    survey = make_survey(exchange.partnership)
    scale, *_rest, short, _long = questions_of(survey)
    for n in range(4):
        respond(survey, {scale: 4, short: f"Secret {n}"}, exchange.seville)
    url = f"/evaluation/surveys/{survey.id}/results"
    auth.login(exchange.coordinator)

    found = surveys.results(survey)
    assert (found.answered, found.enough, found.questions) == (4, False, [])
    page = client.get(url).get_data(as_text=True)
    assert "fewer than 5 responses" in page and "<svg" not in page and "Secret" not in page
    csv = client.get(f"{url}.csv").get_data(as_text=True)
    assert "Secret" not in csv and "Strongly agree" not in csv and "fewer than 5" in csv

    respond(survey, {scale: 2, short: "Secret 4"}, exchange.seville)
    found = surveys.results(survey)
    assert found.enough and found.questions[0].distribution == [("1", 0), ("2", 1), ("3", 0), ("4", 4), ("5", 0)]
    page = client.get(url).get_data(as_text=True)
    assert "<svg" in page and "Secret 4" in page and "<strong>" not in page.split('id="questions-heading"')[1]

    # By host: the same rule for each group, and no group whose complement is small (it would give it away).
    for _n in range(2):
        respond(survey, {scale: 1}, exchange.arad)
    assert not surveys.results(survey, host_institution_id=exchange.arad.id).enough
    seville = surveys.results(survey, host_institution_id=exchange.seville.id)
    assert (seville.answered, seville.enough, seville.why_not) == (5, False, surveys.FEW_OTHERS)
    assert surveys.results(survey).enough
    page = client.get(f"{url}?host={exchange.seville.id}").get_data(as_text=True)
    assert "<svg" not in page and "other hosts" in page
    assert client.get(f"{url}?host=999999").status_code == 200


def test_hosts_read_their_own_aggregated_results(exchange, make_applicant, make_user, client, auth):
    survey = make_survey(exchange.partnership, anonymous=False)
    scale, single, _multiple, _number, short, _long = questions_of(survey)
    completed_visit(exchange, make_applicant())  # Seville hosted a visit: its members find the link
    surveys.send_due(today=MORNING_AFTER)
    for n in range(4):
        respond(survey, {scale: 5, single: "o1", short: "Named remark"}, exchange.seville,
                make_user(institution=exchange.sender, name=f"Visitor {n}"))
    url = f"/evaluation/hosts/{exchange.seville.id}/results"
    member = make_user(institution=exchange.seville)
    auth.login(member)
    assert url in client.get("/evaluation/surveys/mine").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "fewer than 5 visitors" in page and "<svg" not in page

    respond(survey, {scale: 3, single: "o2", short: "Named remark"}, exchange.seville,
            make_user(institution=exchange.sender, name="Visitor 4"))
    [found] = surveys.host_results(exchange.seville)
    assert [row.question.id for row in found.questions] == [scale.id, single.id]  # shown to hosts, no text
    assert found.questions[0].mean == pytest.approx((5 * 4 + 3) / 5)
    page = client.get(url).get_data(as_text=True)
    assert "<svg" in page and "Visitor" not in page and "Named remark" not in page
    auth.logout()
    auth.login(exchange.arad_admin)
    assert client.get(url).status_code == 403
    assert client.get("/evaluation/hosts/999999/results").status_code == 404


def test_coordinators_outside_the_partnership_read_no_results(exchange, make_user, make_institution, client, auth):
    survey = make_survey(exchange.partnership)
    auth.login(make_user(COORDINATOR, institution=make_institution()))
    assert client.get(f"/evaluation/surveys/{survey.id}/results").status_code == 403
    assert client.get(f"/evaluation/surveys/{survey.id}/results.csv").status_code == 403
    assert client.get("/evaluation/surveys/999999/results").status_code == 404


def test_the_answer_form_carries_its_csrf_token(csrf_app, exchange, make_applicant, client):
    visit = completed_visit(exchange, make_applicant())
    survey = make_survey(exchange.partnership)
    surveys.send_due(today=MORNING_AFTER)
    [invitation] = invitations(survey)
    token = read_html(client.get("/login")).find("input", attrs={"name": "csrf_token"})["value"]
    client.post("/login", data={"email": visit.visitor.email, "password": PASSWORD, "csrf_token": token})
    url = f"/evaluation/answer/{invitation.id}?page=1"
    form = read_html(client.get(url)).find("form", attrs={"action": url})
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    scale = questions_of(survey)[0]
    assert client.post(url, data={f"q{scale.id}": "3", "action": "next"}).status_code == 400
    assert client.post(url, data={f"q{scale.id}": "3", "action": "next", "csrf_token": token}).status_code == 302
    db.session.refresh(invitation)
    assert invitation.draft == {str(scale.id): 3}


# --- review 22 ---------------------------------------------------------------------------------------------------


def confirmed_visit(exchange, applicant, offer, monday=W2):
    visit = mobility.book_visit(exchange.coordinator, applicant, offer, monday)
    return mobility.confirm_visit(exchange.coordinator, visit)


def test_before_a_visit_answers_are_due_by_the_sunday_and_a_cancelled_visit_closes_its_survey(
        exchange, make_applicant, client, auth):
    kept = confirmed_visit(exchange, make_applicant(), exchange.seville_offer)
    cancelled = confirmed_visit(exchange, make_applicant(), exchange.arad_offer)
    survey = make_survey(exchange.partnership, BEFORE_VISIT, answer_days=21, remind_after_days=1)
    sunday = W2 - timedelta(days=1)

    assert surveys.send_due(today=W2 - timedelta(days=10))["sent"] == 2
    assert {i.closes_on for i in invitations(survey)} == {sunday}  # not 21 days on: the visit starts before
    [mine, theirs] = sorted(invitations(survey), key=lambda i: i.user_id != kept.visitor_id)
    surveys.save_page(cancelled.visitor, theirs, 0, {questions_of(survey)[0].id: "4"})
    mobility.cancel_visit(exchange.coordinator, cancelled, "The visitor fell ill.")

    # The cancelled visit's survey takes no answers and gets no reminder; its saved answers are cleared.
    assert surveys.send_due(today=W2 - timedelta(days=9)) == {"sent": 0, "reminded": 1, "closed": 1}
    db.session.refresh(theirs)
    assert theirs.reminded_at is None and theirs.draft == {}
    assert surveys.is_open(mine, sunday) and not surveys.is_open(theirs, W2 - timedelta(days=9))
    with pytest.raises(ServiceError):
        surveys.save_page(cancelled.visitor, theirs, 0, {questions_of(survey)[0].id: "4"})
    auth.login(cancelled.visitor)
    assert "was cancelled" in client.get(f"/evaluation/answer/{theirs.id}").get_data(as_text=True)
    assert "was cancelled" in client.get("/evaluation/surveys/mine").get_data(as_text=True)
    # The other one closes on the Monday the visit starts.
    assert not surveys.is_open(mine, W2)


def test_after_a_visit_counts_from_the_morning_after_its_last_day_however_late_it_was_completed(
        exchange, make_applicant):
    visit = completed_visit(exchange, make_applicant())
    completed = FRIDAY + timedelta(days=10)  # marked completed ten days after its Friday: its last day
    visit.completed_at = datetime.combine(completed, time(15), tzinfo=timezone.utc)
    db.session.commit()
    after = make_survey(exchange.partnership, AFTER_VISIT)
    six = make_survey(exchange.partnership, SIX_MONTHS)

    assert surveys.send_due(today=MORNING_AFTER)["sent"] == 0
    assert surveys.send_due(today=completed)["sent"] == 0
    assert surveys.send_due(today=completed + timedelta(days=1))["sent"] == 1
    assert [i.closes_on for i in invitations(after)] == [completed + timedelta(days=22)]
    assert surveys.send_due(today=completed + timedelta(days=182))["sent"] == 0
    assert surveys.send_due(today=completed + timedelta(days=183))["sent"] == 1
    assert [i.subject_id for i in invitations(six)] == [visit.id]


def test_reminders_skip_deleted_and_deactivated_accounts(exchange, make_applicant):
    visits = [completed_visit(exchange, make_applicant()), completed_visit(exchange, make_applicant(), monday=W2),
              completed_visit(exchange, make_applicant(), exchange.arad_offer)]
    survey = make_survey(exchange.partnership)
    sent = W2 + timedelta(days=5)  # the morning after the second week: the first week's moment is caught up
    assert surveys.send_due(today=sent)["sent"] == 3
    deleted, deactivated, active = (next(i for i in invitations(survey) if i.user_id == v.visitor_id)
                                    for v in visits)
    deleted.user_id = None  # what deleting the account leaves (ON DELETE SET NULL)
    visits[1].visitor.is_active_account = False
    db.session.commit()

    assert surveys.send_due(today=sent + timedelta(days=7))["reminded"] == 1
    db.session.expire_all()
    assert [i.id for i in invitations(survey) if i.reminded_at] == [active.id]
    assert surveys.send_due(today=sent + timedelta(days=30))["closed"] == 0  # no draft: nothing to clear


def test_sending_an_anonymous_response_rewrites_every_answered_row_of_the_survey(
        app, exchange, make_applicant, client, auth):
    from sqlalchemy import event

    visits = [completed_visit(exchange, make_applicant()),
              completed_visit(exchange, make_applicant(), exchange.arad_offer)]
    survey = make_survey(exchange.partnership)
    surveys.send_due(today=MORNING_AFTER)
    scale, _single, _multiple, number, *_ = questions_of(survey)
    first, second = (next(i for i in invitations(survey) if i.user_id == v.visitor_id) for v in visits)
    auth.login(visits[0].visitor)
    page = client.get(f"/evaluation/answer/{first.id}").get_data(as_text=True)
    assert "kept with your account" in page and "stored without it and cleared from your account" in page
    for visit, invitation in zip(visits, (first, second)):
        surveys.save_page(visit.visitor, invitation, 0, {scale.id: "3"})
        surveys.save_page(visit.visitor, invitation, 1, {number.id: "7"})
    surveys.send_answers(visits[0].visitor, first)

    rewritten = {"evaluation_survey_responses": [], "evaluation_survey_invitations": []}

    def record(_connection, _cursor, statement, parameters, _context, executemany):
        found = re.match(r"\s*UPDATE (\w+) SET survey_id\s*=\s*(\w+)\.survey_id", statement)
        if found and found.group(1) == found.group(2):
            for row in (parameters if executemany else [parameters]):
                rewritten[found.group(1)] += list(row.values()) if isinstance(row, dict) else list(row)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        surveys.send_answers(visits[1].visitor, second)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    responses = db.session.scalars(select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)).all()
    assert len(responses) == 2
    # Each row once: both responses (the new one and the older one), both answered invitations.
    assert sorted(rewritten["evaluation_survey_responses"]) == sorted(responses)
    assert sorted(rewritten["evaluation_survey_invitations"]) == sorted([first.id, second.id])
    if db.engine.dialect.name == "postgresql":  # they all carry the last answer's transaction id
        xmins = db.session.execute(text(
            "SELECT xmin::text FROM evaluation_survey_responses WHERE survey_id = :survey UNION ALL "
            "SELECT xmin::text FROM evaluation_survey_invitations WHERE survey_id = :survey AND answered"),
            {"survey": survey.id}).scalars().all()
        assert len(xmins) == 4 and len(set(xmins)) == 1
    db.session.expire_all()
    assert all(i.answered and i.draft == {} for i in invitations(survey))


def test_a_question_answered_by_3_of_6_in_an_anonymous_survey_shows_nothing(exchange, make_user, client, auth):
    survey = make_survey(exchange.partnership)
    scale, single, _multiple, _number, short, _long = questions_of(survey)
    for n in range(6):
        answers = {scale: 4, single: "o1"}
        if n < 3:
            answers[short] = f"Secret remark {n}"
        respond(survey, answers, exchange.seville)

    found = surveys.results(survey)
    by_id = {row.question.id: row for row in found.questions}
    assert found.enough and by_id[scale.id].distribution[3] == ("4", 6) and by_id[scale.id].withheld == ""
    assert (by_id[short.id].answered, by_id[short.id].texts, by_id[short.id].withheld) == (3, [], surveys.FEW_ANSWERS)
    assert (by_id[single.id].distribution, by_id[single.id].withheld) == ([("o1", 6), ("o2", 0)], "")

    exchange.coordinator.locale = "fr"  # the survey has no French title: it is shown in English, marked so
    db.session.commit()
    auth.login(exchange.coordinator)
    url = f"/evaluation/surveys/{survey.id}/results"
    page = client.get(url).get_data(as_text=True)
    assert "Secret remark" not in page and f'id="question-{short.id}-withheld"' in page
    assert re.search(r'<h1>[^<]*<span lang="en">After your visit</span>', page)
    exchange.coordinator.locale = None
    db.session.commit()
    csv = client.get(f"{url}.csv").get_data(as_text=True)
    assert "Secret remark" not in csv and "fewer than 5 people answered this question (3)" in csv


def test_hosts_of_5_5_and_2_responses_show_no_figure_per_host(exchange, make_user, make_institution):
    survey = make_survey(exchange.partnership)
    scale, _single, _multiple, number, *_ = questions_of(survey)
    for host in (exchange.seville, exchange.arad):
        for n in range(5):
            respond(survey, {scale: 4, number: 10} if host == exchange.seville or n < 2 else {scale: 2}, host)
    # Two hosts of 5: each host's figures, but not Seville's number, which Arad's 2 answers would be read from.
    seville = surveys.results(survey, host_institution_id=exchange.seville.id)
    assert seville.enough and seville.questions[0].distribution[3] == ("4", 5)
    assert (seville.questions[3].withheld, seville.questions[3].mean) == (surveys.FEW_OTHERS, None)

    third = make_institution(name="Third Host")
    for _n in range(2):
        respond(survey, {scale: 1}, third)
    for host, why in ((exchange.seville, surveys.FEW_OTHERS), (exchange.arad, surveys.FEW_OTHERS),
                      (third, surveys.FEW_RESPONSES)):
        found = surveys.results(survey, host_institution_id=host.id)
        assert (found.enough, found.why_not, found.questions) == (False, why, []), host.name
    assert surveys.results(survey).enough  # all 12 together

    # The hosts' own results, named survey: the same rule.
    named = make_survey(exchange.partnership, anonymous=False)
    scale, *_rest = questions_of(named)
    for host, count in ((exchange.seville, 5), (exchange.arad, 5), (third, 2)):
        for _n in range(count):
            respond(named, {scale: 5}, host, make_user(institution=exchange.sender))
        db.session.add(SurveyInvitation(survey_id=named.id, user_id=make_user(institution=exchange.sender).id,
                                        subject_kind="visit", subject_id=host.id, host_institution_id=host.id,
                                        closes_on=W1, answered=True))
    db.session.commit()
    [row] = [row for row in surveys.host_results(exchange.seville) if row.survey.id == named.id]
    assert (row.enough, row.why_not, row.questions) == (False, surveys.FEW_OTHERS, [])


def test_a_survey_closed_early_says_the_day_it_closed(exchange, make_applicant, client, auth):
    from babel.dates import format_date

    visit = completed_visit(exchange, make_applicant())
    survey = make_survey(exchange.partnership)
    surveys.send_due(today=MORNING_AFTER)
    [invitation] = invitations(survey)
    closed = MORNING_AFTER + timedelta(days=3)
    survey.status, survey.closed_at = CLOSED, datetime.combine(closed, time(9), tzinfo=timezone.utc)
    db.session.commit()
    assert surveys.closed_on(invitation) == closed < invitation.closes_on

    auth.login(visit.visitor)
    said = format_date(closed, "long", locale="en")
    assert f"closed on {said}" in client.get("/evaluation/surveys/mine").get_data(as_text=True)
    page = client.get(f"/evaluation/answer/{invitation.id}").get_data(as_text=True)
    assert f"answered until {said}" in page
    assert format_date(invitation.closes_on, "long", locale="en") not in page
