"""What the features run as background jobs: the PDFs of editions, the notification emails, the daily essay
reminders; each through the app's runner, here on a SQLite queue that the test drives."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from collections_helpers import make_collection
from conftest import read_html
from mobility_helpers import W1
from network import mail
from network.collections import pdf
from network.collections import services as collections
from network.collections.models import PUBLIC, Collection, CollectionEdition
from network.extensions import db
from network.jobs import runner_of
from network.mobility import services as mobility
from network.notifications.models import Notification

FAKE_PDF = b"%PDF-1.4 made by the job"


@pytest.fixture
def queue(app, tmp_path, monkeypatch):
    """The app's runner on a SQLite queue: jobs wait until the test runs them (run_due), as with a worker."""
    runner = runner_of(app).on_storage(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    monkeypatch.setitem(app.extensions, "jobs", runner)
    return runner


@pytest.fixture
def quick_pdfs(app, monkeypatch):
    """PDFs on: WeasyPrint's layout replaced by a few bytes (tests/collections/test_pdf.py makes real ones)."""
    app.config["COLLECTIONS_PDF_BUILDER"] = "jobs"
    monkeypatch.setattr(pdf, "weasyprint_missing", lambda: None)
    monkeypatch.setattr(pdf, "render_book", lambda edition, progress=None: (FAKE_PDF, 1))


@pytest.fixture
def edition(make_institution):
    home = make_institution(name="Casa Deschisă", country="RO")
    collection = Collection(title="Manual of family resources", kind="manual", visibility=PUBLIC, language="en",
                            institution_id=home.id, introduction="Why.")
    db.session.add(collection)
    db.session.flush()
    edition = CollectionEdition(collection_id=collection.id, number=1, published_at=datetime.now(timezone.utc),
                                contents={"title": "Manual of family resources", "chapters": []})
    db.session.add(edition)
    db.session.commit()
    return edition


def test_the_pdf_waits_in_the_queue_and_the_job_worker_builds_it(app, client, queue, quick_pdfs, edition):
    url = f"/collections/{edition.collection_id}/editions/1.pdf"
    status_url = f"/collections/{edition.collection_id}/editions/1/pdf-status"

    page = read_html(client.get(url))
    assert "The PDF is being prepared" in page.get_text() and "Waiting to start" in page.get_text()
    assert client.get(status_url).get_json()["state"] == "queued"
    client.get(url)  # asked again while it waits: not queued twice
    assert queue.counts() == {"queued": 1, "scheduled": 0}
    assert not pdf.pdf_path(edition).exists()  # the request built nothing

    assert queue.run_due() == 1
    assert client.get(status_url).get_json()["state"] == "ready"
    response = client.get(url)
    assert response.mimetype == "application/pdf" and response.data == FAKE_PDF
    response.close()
    assert not pdf._lock_path(edition).exists() and not pdf._status_path(edition).exists()


def test_a_failed_pdf_job_says_why_and_is_tried_again(app, client, queue, quick_pdfs, edition, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no layout today")

    monkeypatch.setattr(pdf, "render_book", broken)
    client.get(f"/collections/{edition.collection_id}/editions/1.pdf")
    assert queue.run_due() == 1
    status = pdf.pdf_status(edition)
    assert status["state"] == pdf.FAILED and "no layout today" in status["message"]
    assert queue.counts()["scheduled"] == 1  # its retry
    assert not pdf._lock_path(edition).exists()


def test_publishing_an_edition_queues_its_pdf(app, queue, quick_pdfs, users, make_practice):
    admin = users["institution_admin"]
    collection = make_collection(admin, admin.institution, [make_practice(admin.institution)])
    edition = collections.publish_edition(admin, collection)
    assert pdf.pdf_status(edition)["state"] == pdf.QUEUED
    assert queue.run_due() == 1
    assert pdf.pdf_path(edition).read_bytes() == FAKE_PDF


def test_the_command_can_queue_the_pdf_instead_of_building_it(app, runner, queue, quick_pdfs, edition):
    result = runner.invoke(args=["collections", "pdf", str(edition.collection_id), "1", "--queue"])
    assert result.exit_code == 0 and "Queued" in result.output, result.output
    assert queue.run_due() == 1 and pdf.pdf_path(edition).exists()


def test_notification_emails_leave_after_the_commit_as_jobs(app, queue, monkeypatch):
    sent = []
    app.config["MAIL_SERVER"] = "smtp.example.org"
    monkeypatch.setattr(mail, "send_email", lambda to, subject, body: sent.append((to, subject)))
    mail.send_notifications([("a@example.org", "One", "Body"), ("b@example.org", "Two", "Body")])
    assert sent == [] and queue.counts()["queued"] == 2
    assert queue.run_due() == 2
    assert sent == [("a@example.org", "One"), ("b@example.org", "Two")]


def test_without_a_mail_server_no_email_is_queued(app, queue):
    mail.send_notifications([("a@example.org", "One", "Body")])
    assert queue.counts() == {"queued": 0, "scheduled": 0}


def test_the_essay_reminders_are_in_the_daily_schedule(app):
    runner = runner_of(app)
    assert {job.name: job.schedule_text for job in runner.periodic_jobs()}[
        "network.essays.tasks.send_essay_reminders"] == "0 6 * * *"
    due = {type(job).__name__ for job in runner.huey.read_periodic(datetime(2027, 3, 22, 6, 0))}
    assert "send_essay_reminders" in due
    assert "send_essay_reminders" not in {type(job).__name__
                                          for job in runner.huey.read_periodic(datetime(2027, 3, 22, 7, 0))}


def test_the_worker_sends_the_essay_reminders_in_the_morning(app, queue, exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    mobility.complete_visit(exchange.coordinator, visit, today=W1)

    def reminders() -> int:
        return len(db.session.scalars(select(Notification).where(
            Notification.user_id == visit.visitor_id, Notification.message.like("Two weeks ago%"))).all())

    with time_machine.travel(datetime(2027, 3, 22, 5, 0, tzinfo=timezone.utc), tick=False):
        queue.run_due(periodic=True)
    assert reminders() == 0  # not yet: the reminders go at six
    with time_machine.travel(datetime(2027, 3, 22, 6, 0, tzinfo=timezone.utc), tick=False):
        assert queue.run_due(periodic=True) == 1
    assert reminders() == 1
    with time_machine.travel(datetime(2027, 3, 23, 6, 0, tzinfo=timezone.utc), tick=False):
        assert queue.run_due(periodic=True) == 1
    assert reminders() == 1  # each visit once
