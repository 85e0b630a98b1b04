"""`flask --app network essays remind`: visitors without an essay two weeks after their visit, once each."""
from datetime import date

from sqlalchemy import select

from mobility_helpers import W1
from network.essays import services as essays
from network.extensions import db
from network.mobility import services as mobility
from network.notifications.models import Notification

FRIDAY = date(2027, 3, 5)  # the last day of a visit in W1


def completed_visit(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    return mobility.complete_visit(exchange.coordinator, visit, today=W1)


def remind(runner, today: date):
    result = runner.invoke(args=["essays", "remind", "--today", today.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_visit_that_ended_over_two_weeks_ago_is_reminded_once(runner, exchange, make_applicant):
    visit = completed_visit(exchange, make_applicant)
    later = FRIDAY + essays.REMIND_AFTER + date.resolution

    assert remind(runner, later) == "Sent 1 essay reminder.\n"
    assert remind(runner, later) == "Sent 0 essay reminders.\n"
    reminders = db.session.scalars(select(Notification).where(Notification.user_id == visit.visitor_id,
                                                              Notification.message.like("Two weeks ago%")))
    assert len(reminders.all()) == 1


def test_no_reminder_before_two_weeks_have_passed(runner, exchange, make_applicant):
    completed_visit(exchange, make_applicant)
    assert remind(runner, FRIDAY + essays.REMIND_AFTER - date.resolution) == "Sent 0 essay reminders.\n"


def test_without_today_it_uses_the_real_date(runner, exchange, make_applicant, monkeypatch):
    completed_visit(exchange, make_applicant)
    seen = []
    monkeypatch.setattr(essays, "remind", lambda today=None: seen.append(today) or 0)
    result = runner.invoke(args=["essays", "remind"])
    assert result.exit_code == 0 and seen == [None]


def test_a_malformed_date_is_a_usage_error(runner):
    result = runner.invoke(args=["essays", "remind", "--today", "05/03/2027"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "%Y-%m-%d" in result.output
