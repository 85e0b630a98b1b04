"""The organisers' exports of an event's participants: a CSV of the registrations (web.csv_download: safe
against formulas, UTF-8 with a byte-order mark), and two printable PDFs (network/printing.py): the badges and
the attendance sheet to sign, one day at a time.

The PDFs are made in the request. WeasyPrint's time grows with the lines it lays out (bench/event_pdfs.py, figures
in bench/README.md): for 300 people the badges or one day's sheet take one to two seconds, while the sheets of
every day of a three-day event at once took five, and of a sixty-day one would pass the web server's timeout.
So a sheet is one day's, and no list needs a background job as a book does; a list of more than PRINTABLE_MAX
people (ten seconds and more) is refused, the CSV serving it better. Their HTML is written here with its
stylesheet inlined: WeasyPrint fetches nothing."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from network import labels
from network.errors import ServiceError
from network.events import services
from network.events.models import QUESTIONS, REGISTRATION_STATUSES, Event
from network.printing import html_to_pdf

CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "event-print.css"
BADGES_PER_PAGE = 8  # two columns of four on A4 (event-print.css)
PRINTABLE_MAX = 1_000  # people on a printed list: about ten seconds of a web worker (bench/README.md)


def _institution_and_country(person) -> tuple[str, str]:
    institution = person.institution
    if institution is None:
        return "", ""
    return institution.name, labels.country_name(institution.country)


def participants_rows(event: Event, status: str = "") -> list[list]:
    """The CSV: a header, then each registration (with `status`: those in it) in the order they came, and (without
    one) the people marked as attended without a registration (an event recorded with its participants, a
    visit's visitor). Times in the event's time zone; texts in the reader's language."""
    attended = {person.id for person in event.participants}
    header = [_("Name"), _("Email address"), _("Institution"), _("Country"), _("Status"),
              _("Registered at (%(zone)s)", zone=event.timezone),
              *[str(QUESTIONS[code]) for code in event.questions], _("Attended")]
    rows, listed = [header], set()

    def row(person, status_label: str, registered: str, answers: dict) -> list:
        institution, country = _institution_and_country(person)
        return [person.name, person.email, institution, country, status_label, registered,
                *[answers.get(code, "") for code in event.questions],
                _("Yes") if person.id in attended else _("No")]

    for registration in services.registrations(event, status):
        listed.add(registration.user_id)
        registered = registration.registered_at.astimezone(event.zone).strftime("%Y-%m-%d %H:%M")
        rows.append(row(registration.user, str(REGISTRATION_STATUSES.get(registration.status, registration.status)),
                        registered, registration.answers or {}))
    if not status:
        rows += [row(person, "", "", {}) for person in event.participants if person.id not in listed]
    return rows


def people(event: Event) -> list[dict]:
    """Who gets a badge and a line on the attendance sheet: the approved and those marked as attended, by name.
    ServiceError beyond PRINTABLE_MAX people."""
    attendance = services.attendance_list(event)
    if len(attendance) > PRINTABLE_MAX:
        raise ServiceError.one("event", _l("%(n)d people are on this list: lists of more than %(max)d are not printed "
                                           "here. Download the spreadsheet (CSV) to print them.",
                                           n=len(attendance), max=PRINTABLE_MAX))
    listed = []
    for person, _attended in attendance:
        institution, country = _institution_and_country(person)
        listed.append({"name": person.name, "institution": institution, "country": country})
    return listed


def _render(template: str, event: Event, **context) -> str:
    return render_template(template, event=event, css=CSS.read_text(encoding="utf-8"), **context)


def badges_html(event: Event) -> str:
    listed = people(event)
    pages = [listed[n:n + BADGES_PER_PAGE] for n in range(0, len(listed), BADGES_PER_PAGE)]
    return _render("events/pdf_badges.html", event, pages=pages)


def sheet_day(event: Event, value: str | None) -> date:
    """The day a sheet is for: the one asked (YYYY-MM-DD) if it is one of the event's; otherwise today while the
    event lasts, else its first day."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        day = services.today()
    return day if event.start_date <= day <= event.end_date else event.start_date


def attendance_sheet_html(event: Event, day: date) -> str:
    return _render("events/pdf_attendance_sheet.html", event, day=day, days=event.days, people=people(event))


def badges_pdf(event: Event) -> bytes:
    """A4 pages of eight badges: name, institution and country (PdfUnavailable without WeasyPrint)."""
    return html_to_pdf(badges_html(event))


def attendance_sheet_pdf(event: Event, day: date) -> bytes:
    """The sheet of one day of the event (as many pages as it takes): each person with a column to sign."""
    return html_to_pdf(attendance_sheet_html(event, day))
