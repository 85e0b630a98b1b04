"""The organisers' exports: the participants as CSV (answers, attendance; safe in a spreadsheet, accents kept),
the badges and one day's attendance sheet as PDF; for the organisers only."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from conftest import read_html
from essays_helpers import record_training
from events_helpers import FIRST_DAY, LAST_DAY, make_event
from mobility_helpers import set_today
from network.events import exports
from network.events import services as events
from network.printing import PdfUnavailable, weasyprint_missing

needs_weasyprint = pytest.mark.skipif(bool(weasyprint_missing()),
                                      reason=f"no PDFs on this machine: {weasyprint_missing()}")


@pytest.fixture
def people(exchange, make_user):
    return {"ana": make_user(institution=exchange.sender, name="Ana Núñez Peña"),
            "formula": make_user(institution=exchange.arad, name="=HYPERLINK(\"http://evil.example\")"),
            "waiting": make_user(institution=exchange.sender, name="Wanda Waiting")}


@pytest.fixture
def event(exchange, people):
    event = make_event(exchange, capacity=2, questions=["dietary", "travel"])
    events.register(people["ana"], event, {"dietary": "Sin gluten, por favor", "travel": "+34 arrive Monday"})
    events.register(people["formula"], event, {"dietary": "@SUM(A1:A9)"})
    events.register(people["waiting"], event)
    return event


def rows_of(response) -> list[list[str]]:
    body = response.data.decode("utf-8")
    assert body.startswith("\ufeff")  # spreadsheet programs read the accents as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def pdf_text(response) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(response.data))
    return len(reader.pages), " ".join(page.extract_text() for page in reader.pages)


def test_the_participants_as_csv_with_answers_and_attendance_safe_in_a_spreadsheet(client, auth, exchange, event,
                                                                                   people, monkeypatch):
    set_today(monkeypatch, FIRST_DAY)
    events.mark_attendance(exchange.coordinator, event, [people["ana"].id])
    auth.login(exchange.coordinator)
    response = client.get(f"/events/{event.id}/participants.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="participants-event-{event.id}.csv"'
    assert response.headers["Cache-Control"] == "private, no-store"
    header, *rows = rows_of(response)
    assert header == ["Name", "Email address", "Institution", "Country", "Status", "Registered at (Europe/Madrid)",
                      "Dietary needs", "Arrival and departure", "Attended"]
    by_email = {row[1]: row for row in rows}
    ana = by_email[people["ana"].email]
    assert ana[:5] == ["Ana Núñez Peña", people["ana"].email, "Helsinki Family Clinic", "Finland", "Registered"]
    registered = events.registration_of(people["ana"], event).registered_at
    assert ana[5] == registered.astimezone(event.zone).strftime("%Y-%m-%d %H:%M")
    assert ana[6:] == ["Sin gluten, por favor", "'+34 arrive Monday", "Yes"]
    # A cell that a spreadsheet would run as a formula starts with an apostrophe.
    formula = by_email[people["formula"].email]
    assert formula[0] == "'=HYPERLINK(\"http://evil.example\")" and formula[6] == "'@SUM(A1:A9)"
    assert formula[-1] == "No"
    assert by_email[people["waiting"].email][4] == "On the waiting list"

    waiting = rows_of(client.get(f"/events/{event.id}/participants.csv?status=waiting"))
    assert [row[0] for row in waiting[1:]] == ["Wanda Waiting"]


def test_the_csv_of_a_recorded_event_lists_its_participants_without_registration(client, auth, exchange, people):
    recorded = record_training(exchange, [people["ana"]])
    auth.login(exchange.coordinator)
    header, *rows = rows_of(client.get(f"/events/{recorded.id}/participants.csv"))
    assert header[-1] == "Attended" and rows == [
        ["Ana Núñez Peña", people["ana"].email, "Helsinki Family Clinic", "Finland", "", "", "Yes"]]


def test_the_csv_is_in_the_readers_language(client, auth, exchange, event):
    auth.login(exchange.coordinator)
    client.post("/language", data={"locale": "es"})
    header, *rows = rows_of(client.get(f"/events/{event.id}/participants.csv"))
    assert header[:4] == ["Nombre", "Correo electrónico", "Institución", "País"] and "Necesidades alimentarias" in header
    assert rows[0][3] == "Finlandia"


def test_only_the_organisers_export(client, auth, exchange, event, people):
    auth.login(people["ana"])  # registered, and may see the event
    for path in ("participants.csv", "badges.pdf", "attendance-sheet.pdf"):
        assert client.get(f"/events/{event.id}/{path}").status_code == 403
    auth.logout()
    assert client.get(f"/events/{event.id}/participants.csv").headers["Location"].startswith("/login")


@needs_weasyprint
def test_the_badges_put_eight_people_on_a_page(client, auth, exchange, event, people, make_user):
    for n in range(8):
        events.register(make_user(institution=exchange.arad, name=f"Extra {n}"), event)  # 2 places: they wait
    data = events.event_data_of(event)
    data.capacity = None
    events.update_event(exchange.coordinator, event, data)  # no limit: the waiting list moves up
    auth.login(exchange.seville_admin)  # the host's admin organises too
    response = client.get(f"/events/{event.id}/badges.pdf")
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'inline; filename="badges-event-{event.id}.pdf"'
    assert response.headers["Cache-Control"] == "private, no-store"
    pages, text = pdf_text(response)
    assert pages == 2  # eleven approved people
    assert "Ana Núñez Peña" in text and "Arad Social Services" in text and "Romania" in text
    assert "Wanda Waiting" in text and "Extra 7" in text


@needs_weasyprint
def test_the_attendance_sheet_is_one_days_with_a_column_to_sign(client, auth, exchange, event, people,
                                                               monkeypatch):
    auth.login(exchange.coordinator)
    second = FIRST_DAY + timedelta(days=1)
    response = client.get(f"/events/{event.id}/attendance-sheet.pdf?day={second.isoformat()}")
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="attendance-sheet-event-{event.id}-{second.isoformat()}.pdf"')
    pages, text = pdf_text(response)
    assert pages == 1
    assert "Attendance sheet" in text and "Wednesday, January 20, 2027" in text and "day 2 of 3" in text
    assert "Signature" in text and "Ana Núñez Peña" in text and "Wanda Waiting" not in text  # waiting: no place

    # Another day than the event's is its first; during the event, today's.
    assert exports.sheet_day(event, "2030-01-01") == FIRST_DAY and exports.sheet_day(event, "nonsense") == FIRST_DAY
    set_today(monkeypatch, LAST_DAY)
    assert exports.sheet_day(event, None) == LAST_DAY
    page = read_html(client.get(f"/events/{event.id}/participants"))
    assert page.select_one("#sheet-day option[selected]")["value"] == LAST_DAY.isoformat()


def test_without_weasyprint_the_page_says_so(client, auth, exchange, event, monkeypatch):
    def unavailable(*args, **kwargs):
        raise PdfUnavailable("WeasyPrint cannot run here (no Pango)")

    monkeypatch.setattr(exports, "html_to_pdf", unavailable)
    auth.login(exchange.coordinator)
    response = client.get(f"/events/{event.id}/badges.pdf")
    assert response.status_code == 302 and response.headers["Location"] == f"/events/{event.id}/participants"
    page = read_html(client.get(response.headers["Location"]))
    assert "PDFs cannot be made on this server" in page.get_text(" ", strip=True)


def test_the_participants_page_links_the_exports(client, auth, exchange, event):
    auth.login(exchange.coordinator)
    page = read_html(client.get(f"/events/{event.id}/participants?status=approved"))
    links = [a["href"] for a in page.select("#participant-exports a")]
    assert links == [f"/events/{event.id}/participants.csv?status=approved", f"/events/{event.id}/badges.pdf"]
    assert page.select_one("#participant-exports form")["action"] == f"/events/{event.id}/attendance-sheet.pdf"


def test_a_list_too_long_to_print_sends_to_the_spreadsheet(client, auth, exchange, event, monkeypatch):
    monkeypatch.setattr(exports, "PRINTABLE_MAX", 1)  # two people have a place
    auth.login(exchange.coordinator)
    response = client.get(f"/events/{event.id}/badges.pdf")
    assert response.status_code == 302 and response.headers["Location"] == f"/events/{event.id}/participants"
    text = read_html(client.get(response.headers["Location"])).get_text(" ", strip=True)
    assert "2 people are on this list: lists of more than 1 are not printed here." in text
