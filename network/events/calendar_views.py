"""The month calendar of events, without JavaScript: /events/calendar?month=2027-01 (the filter form's address) and
/events/calendar/2027/1 (the previous and next month's links), with the list's filters. Routes on the events
blueprint."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from network.events import month as months
from network.events import services
from network.events.forms import filter_arguments, list_filters
from network.events.views import bp, filter_choices


@bp.route("/calendar")
def calendar():
    """This month (today's) unless the form names another; a month that is not one is answered with its message
    (400)."""
    filters, errors = list_filters(request.args)
    return _month_page(filters.month or services.today().replace(day=1), filters, errors)


@bp.route("/calendar/<int:year>/<int:month>")
def calendar_month(year: int, month: int):
    first = months.month_of(year, month)
    if first is None:
        abort(404)
    filters, errors = list_filters(request.args, with_month=False)
    return _month_page(first, filters, errors)


def _month_page(first, filters, errors):
    today = services.today()
    weeks = None
    if not errors:
        events = services.events_between(current_user, filters, first, services.month_end(first))
        weeks = months.weeks(first, events, today)
    previous, following = months.shift(first, -1), months.shift(first, 1)
    return render_template(
        "events/calendar.html", first=first, weeks=weeks, filters=filters, errors=errors,
        **filter_choices(filters), title=months.title(first), weekdays=months.weekday_names(),
        previous=previous, following=following, previous_title=months.title(previous) if previous else "",
        following_title=months.title(following) if following else "", keep=filter_arguments(filters),
        this_month=today.replace(day=1), has_events=any(day.events for week in weeks or () for day in week)), \
        400 if errors else 200
