"""The tutors' side of a course: a cohort made from a training event enrols its participants, the progress table
and its CSV (figures worked out by hand), the statistics' share of right answers per question across versions,
the reminders to learners who stalled (the service, the command, the daily job, the button), and who may see it
all."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import read_html
from events_helpers import make_event
from learning_helpers import make_course, quiz_of
from network.extensions import db
from network.jobs import runner_of
from network.learning import services, tutoring
from network.learning.models import Cohort, Enrolment
from network.notifications.models import Notification
from network.types import utcnow


@pytest.fixture
def course(exchange):
    return make_course(exchange.seville_admin, exchange.seville)


def _location(response) -> str:
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    return response.headers["Location"]


def _answers(quiz, single_right: bool, multiple_right: bool) -> dict[int, list[int]]:
    """The quiz's two questions (learning_helpers: single choice, then multiple choice) answered right or not."""
    single, multiple = quiz.questions
    return {single.id: [single.options[0 if single_right else 1].id],
            multiple.id: [o.id for o in multiple.options if o.correct] if multiple_right else [multiple.options[2].id]}


def _take(enrolment, quiz, single_right: bool, multiple_right: bool):
    attempt = services.start_attempt(enrolment, quiz.id)
    return services.submit_attempt(enrolment, attempt, _answers(quiz, single_right, multiple_right))


# --- cohorts ----------------------------------------------------------------------------------------------------


def test_a_cohort_from_an_event_enrols_its_participants(client, auth, exchange, course, make_user):
    from network.auth.models import PENDING

    event = make_event(exchange, actor=exchange.coordinator, title="Training in Seville")
    elsewhere = make_event(exchange, title="Training in Arad", host_institution_id=exchange.arad.id)
    newcomer = make_user(institution=exchange.seville, name="Ana Newcomer")
    already = make_user(institution=exchange.arad, name="Bea Already")
    placed = make_user(institution=exchange.sender, name="Cai Placed")
    pending = make_user(institution=exchange.seville, name="Dan Pending", status=PENDING)
    event.participants.extend([newcomer, already, placed, pending])
    db.session.commit()
    services.enrol(already, course)
    other = Cohort(course_id=course.id, name="Earlier cohort")
    db.session.add(other)
    db.session.commit()
    services.enrol(placed, course, cohort=other)

    auth.login(exchange.seville_admin)
    page = client.get(f"/courses/{course.id}/cohorts")
    assert page.status_code == 200
    offered = {o.get_text() for o in read_html(page).select("#event_id option")}
    assert any("Training in Seville" in text for text in offered)
    assert not any("Training in Arad" in text for text in offered)  # hosted by another institution

    fields = {"name": "Seville January", "starts_on": "2027-01-19", "ends_on": "2027-01-18", "event_id": str(event.id)}
    refused = client.post(f"/courses/{course.id}/cohorts", data=fields)
    assert refused.status_code == 422 and "cannot end before it starts" in refused.get_data(as_text=True)
    refused = client.post(f"/courses/{course.id}/cohorts", data={**fields, "ends_on": "", "event_id": str(elsewhere.id)})
    assert refused.status_code == 422 and "Choose one of the events listed" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Cohort).where(Cohort.name == "Seville January")) is None

    _location(client.post(f"/courses/{course.id}/cohorts", data={**fields, "ends_on": "2027-03-31"}))
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Seville January"))
    assert (cohort.event_id, str(cohort.starts_on), str(cohort.ends_on)) == (event.id, "2027-01-19", "2027-03-31")
    cohorts = {db.session.get(type(exchange.coordinator), e.user_id).name: e.cohort_id
               for e in db.session.scalars(select(Enrolment).where(Enrolment.course_id == course.id))}
    # The newcomer enrolled in it, the one already enrolled without a cohort joined it, the one in another cohort
    # stays there, the pending member is not enrolled.
    assert cohorts == {"Ana Newcomer": cohort.id, "Bea Already": cohort.id, "Cai Placed": other.id}
    listed = read_html(client.get(f"/courses/{course.id}/cohorts")).select_one("#cohorts")
    row = next(tr for tr in listed.select("tbody tr") if "Seville January" in tr.get_text())
    assert [td.get_text(strip=True) for td in row.select("td")][-2:] == ["2", "0"]


def test_a_cohort_needs_a_published_course(client, auth, exchange):
    draft = make_course(exchange.seville_admin, exchange.seville, title="Not yet", publish=False)
    auth.login(exchange.seville_admin)
    refused = client.post(f"/courses/{draft.id}/cohorts", data={"name": "Too early"})
    assert refused.status_code == 422 and "Publish the course first" in refused.get_data(as_text=True)
    assert db.session.scalars(select(Cohort)).all() == []


# --- the progress table ----------------------------------------------------------------------------------------


@pytest.fixture
def two_learners(course, make_user):
    """Ana: the first lesson done, the quiz failed then passed at 50 %, one reflection; in the cohort "Tuesday".
    Bea: both required lessons done, the quiz at 100 % (so completed), a blank reflection."""
    quiz = quiz_of(course)
    welcome, appointments, _optional = (lesson.id for lesson in course.lessons)
    reflection = next(a for a in course.lessons[0].activities if a.kind == "reflection")
    cohort = Cohort(course_id=course.id, name="Tuesday")
    db.session.add(cohort)
    db.session.commit()
    ana = services.enrol(make_user(name="Ana Learner"), course, cohort=cohort)
    services.mark_lesson_done(ana, welcome)
    _take(ana, quiz, single_right=False, multiple_right=False)  # 0
    _take(ana, quiz, single_right=True, multiple_right=False)  # 50: passed (pass mark 50)
    services.save_reflection(ana, reflection.id, "Families ask about\nappointments.")
    bea = services.enrol(make_user(name="Bea Learner"), course)
    services.mark_lesson_done(bea, welcome)
    services.mark_lesson_done(bea, appointments)
    _take(bea, quiz, single_right=True, multiple_right=True)  # 100
    services.save_reflection(bea, reflection.id, "   ")
    assert ana.completed_at is None and bea.completed_at is not None
    return ana, bea, cohort


def test_the_progress_table_shows_each_learners_figures(client, auth, exchange, course, two_learners):
    ana, bea, cohort = two_learners
    auth.login(exchange.seville_admin)
    page = read_html(client.get(f"/courses/{course.id}/learners"))
    table = page.select_one("#learners")
    assert [th.get_text(" ", strip=True) for th in table.select("thead th")] == [
        "Learner", "Cohort", "Enrolled on", "Last active on", "Lessons", "Quiz: Check yourself", "Reflections",
        "Completed on"]
    rows = [[cell.get_text(" ", strip=True) for cell in tr.select("th, td")] for tr in table.select("tbody tr")]
    assert [row[0] for row in rows] == ["Ana Learner", "Bea Learner"]
    assert [row[1] for row in rows] == ["Tuesday", ""]
    assert [row[4] for row in rows] == ["1 of 2", "2 of 2"]  # required lessons (the third is optional)
    assert [row[5] for row in rows] == ["50 %", "100 %"]  # the best attempts
    assert rows[0][6].startswith("1 to read") and rows[1][6] == "0"  # a blank reflection is not written
    assert rows[0][7] == "Not yet" and rows[1][7] != "Not yet"
    learner_url = f"/courses/{course.id}/learners/{ana.id}"
    assert table.select_one(f'a[href^="{learner_url}#reflections"]') is not None

    one = read_html(client.get(f"/courses/{course.id}/learners?cohort={cohort.id}")).select_one("#learners")
    assert [tr.select_one("th").get_text(strip=True) for tr in one.select("tbody tr")] == ["Ana Learner"]

    detail = client.get(learner_url)
    text = read_html(detail).get_text(" ", strip=True)
    assert detail.status_code == 200 and detail.headers["Cache-Control"] == "private, no-store"
    assert "Families ask about" in text and "What do families ask you?" in text and "Check yourself" in text
    other = make_course(exchange.arad_admin, exchange.arad, title="Another course")
    outsider = services.enrol(db.session.get(type(exchange.coordinator), bea.user_id), other)
    assert client.get(f"/courses/{course.id}/learners/{outsider.id}").status_code == 404


def test_the_learners_csv(client, auth, exchange, course, two_learners):
    ana, bea, cohort = two_learners
    auth.login(exchange.seville_admin)
    response = client.get(f"/courses/{course.id}/learners.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Cohort", "Enrolled on", "Last active on", "Required lessons done", "Required lessons",
                       "Best score, Check yourself (%)", "Reflections written", "Completed on"]
    today = utcnow().date().isoformat()
    assert rows[1] == ["Ana Learner", "Tuesday", today, today, "1", "2", "50", "1", ""]
    assert rows[2] == ["Bea Learner", "", today, today, "2", "2", "100", "0", bea.completed_at.date().isoformat()]
    one = client.get(f"/courses/{course.id}/learners.csv?cohort={cohort.id}").get_data(as_text=True)
    assert "Ana Learner" in one and "Bea Learner" not in one


# --- statistics ----------------------------------------------------------------------------------------------------


def test_statistics_share_of_right_answers_per_question_across_versions(client, auth, exchange, course, make_user):
    quiz = quiz_of(course)
    single, multiple = quiz.questions
    first = services.enrol(make_user(), course)
    _take(first, quiz, single_right=True, multiple_right=False)  # 50, passed
    _take(first, quiz, single_right=True, multiple_right=True)  # 100, passed
    second = services.enrol(make_user(), course)
    _take(second, quiz, single_right=False, multiple_right=False)  # 0, not passed
    services.start_attempt(second, quiz.id)  # started, never submitted: not counted
    services.update_lesson(course.lessons[2], services.LessonData(title="Further reading", body="New.",
                                                                  required=False))
    services.publish(exchange.seville_admin, course)  # version 2: the same questions, by their ids
    third = services.enrol(make_user(), course)
    assert third.version.number == 2
    _take(third, quiz, single_right=True, multiple_right=True)  # 100, passed
    for lesson in course.lessons[:2]:
        services.mark_lesson_done(third, lesson.id)
    assert third.completed_at is not None

    stats = tutoring.statistics(course)
    assert (stats.enrolments, stats.completions, stats.completion_rate) == (3, 1, 33)
    (shown,) = stats.quizzes
    assert (shown.attempts, shown.passed, shown.pass_rate) == (4, 3, 75)
    # Single choice right in 3 of 4 attempts, multiple choice in 2 of 4: the multiple one flagged.
    assert [(q.question["id"], q.answered, q.right, q.share, q.lowest) for q in shown.questions] == [
        (single.id, 4, 3, 75, False), (multiple.id, 4, 2, 50, True)]

    auth.login(exchange.seville_admin)
    page = read_html(client.get(f"/courses/{course.id}/statistics"))
    assert page.select_one("#completion-rate").get_text(strip=True) == "33 %"
    rows = [[c.get_text(" ", strip=True) for c in tr.select("th, td")]
            for tr in page.select(f"#quiz-stats-{quiz.id} tbody tr")]
    assert rows[0] == ["Which site renews an ID card?", "4", "75 %"]
    assert rows[1][0].startswith("Which are signs of phishing?") and "Lowest share" in rows[1][0]
    assert rows[1][1:] == ["4", "50 %"]


# --- reminders -------------------------------------------------------------------------------------------------------


def _enrolled(course, make_user, name, enrolled_days, active_days, reminded_days=None, completed=False):
    now = utcnow()
    enrolment = services.enrol(make_user(name=name), course)
    enrolment.enrolled_at = now - timedelta(days=enrolled_days)
    enrolment.last_active_at = now - timedelta(days=active_days)
    enrolment.reminded_at = now - timedelta(days=reminded_days) if reminded_days is not None else None
    enrolment.completed_at = now - timedelta(days=active_days) if completed else None
    db.session.commit()
    return enrolment


def _reminders(enrolment) -> list[str]:
    return list(db.session.scalars(select(Notification.message).where(
        Notification.user_id == enrolment.user_id, Notification.kind == "course")))


def test_only_the_learners_who_stalled_are_reminded_once(app, runner, course, make_user):
    stalled = _enrolled(course, make_user, "Stalled", enrolled_days=30, active_days=14)
    long_ago = _enrolled(course, make_user, "Reminded long ago", enrolled_days=60, active_days=40, reminded_days=20)
    others = [_enrolled(course, make_user, "Active", enrolled_days=30, active_days=3),
              _enrolled(course, make_user, "Completed", enrolled_days=30, active_days=20, completed=True),
              _enrolled(course, make_user, "Reminded lately", enrolled_days=40, active_days=30, reminded_days=5),
              _enrolled(course, make_user, "Newcomer", enrolled_days=13, active_days=13)]

    result = runner.invoke(args=["learning", "remind"])
    assert result.exit_code == 0 and result.output.strip() == "Reminded 2 learners.", result.output
    for enrolment in (stalled, long_ago):
        (message,) = _reminders(enrolment)
        assert "Digital mediation in social work" in message
        assert db.session.get(Enrolment, enrolment.id).reminded_at.date() == utcnow().date()
    assert all(_reminders(enrolment) == [] for enrolment in others)

    assert runner.invoke(args=["learning", "remind"]).output.strip() == "Reminded 0 learners."
    # Two weeks on, nobody having come back: all but the one who completed the course (the two reminded today
    # among them, once more).
    later = (utcnow() + timedelta(days=14)).date().isoformat()
    assert runner.invoke(args=["learning", "remind", "--today", later]).output.strip() == "Reminded 5 learners."
    assert len(_reminders(stalled)) == 2


def test_a_tutor_reminds_the_stalled_learners_of_their_course(client, auth, exchange, course, make_user):
    stalled = _enrolled(course, make_user, "Stalled", enrolled_days=30, active_days=20)
    other = make_course(exchange.arad_admin, exchange.arad, title="Another course")
    elsewhere = _enrolled(other, make_user, "Elsewhere", enrolled_days=30, active_days=20)
    auth.login(exchange.seville_admin)
    page = client.get(f"/courses/{course.id}/learners")
    assert "Remind those who stalled" in page.get_data(as_text=True)
    done = client.post(f"/courses/{course.id}/learners/remind", follow_redirects=True)
    assert "1 learner reminded." in done.get_data(as_text=True)
    assert len(_reminders(stalled)) == 1 and _reminders(elsewhere) == []


def test_the_reminders_are_a_daily_job(app):
    jobs = {job.name: job.schedule_text for job in runner_of(app).periodic_jobs()}
    assert jobs["network.learning.tasks.send_course_reminders"] == "0 7 * * *"


# --- who may --------------------------------------------------------------------------------------------------------


def _tutor_routes(course, enrolment) -> list[tuple[str, str]]:
    base = f"/courses/{course.id}"
    return [("get", f"{base}/cohorts"), ("post", f"{base}/cohorts"), ("get", f"{base}/learners"),
            ("get", f"{base}/learners.csv"), ("post", f"{base}/learners/remind"),
            ("get", f"{base}/learners/{enrolment.id}"), ("get", f"{base}/statistics")]


def test_only_tutors_follow_the_learners(client, auth, exchange, course, users, make_user):
    learner = make_user(institution=exchange.seville, name="Lucía Learner")
    enrolment = services.enrol(learner, course)
    routes = _tutor_routes(course, enrolment)
    for method, url in routes:
        response = getattr(client, method)(url, data={"name": "Mine"} if method == "post" else None)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    for person in (learner, users["professional"], exchange.arad_admin):
        auth.login(person)
        for method, url in routes:
            assert getattr(client, method)(url, data={"name": "Mine"} if method == "post" else None
                                           ).status_code == 403, (person.name, method, url)
        auth.logout()
    assert db.session.scalars(select(Cohort)).all() == []
    auth.login(exchange.seville_admin)
    for method, url in routes:
        if method == "get":
            assert client.get(url).status_code == 200, url
    page = client.get(f"/courses/{course.id}/edit").get_data(as_text=True)
    assert f'href="/courses/{course.id}/learners"' in page
