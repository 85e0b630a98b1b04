"""What failed is shown to the site admins (/admin/jobs) and on the command line; old failures are forgotten."""
from __future__ import annotations

from datetime import timedelta

from conftest import read_html
from network.extensions import db
from network.jobs import services
from network.jobs.models import JobFailure
from network.types import utcnow


def record(task="network.collections.tasks.build_edition_pdf", error="RuntimeError: no layout today"):
    return services.record_failure(task, "12", error, "Traceback (most recent call last):\n  ...", 3)


def test_site_admins_see_the_failures_the_queue_and_the_schedule(app, client, auth, users):
    record()
    auth.login(users["site_admin"])
    response = client.get("/admin/jobs")
    assert response.status_code == 200
    page = read_html(response)
    row = page.select_one("table tbody tr")
    cells = [cell.get_text(" ", strip=True) for cell in row.find_all("td")]
    assert cells[1:4] == ["network.collections.tasks.build_edition_pdf", "12", "3"]
    assert cells[4].startswith("RuntimeError: no layout today")
    assert row.select_one("details summary").get_text() == "Traceback"
    assert "0 waiting, 0 scheduled for later" in page.get_text()
    assert "network.essays.tasks.send_essay_reminders" in page.get_text()


def test_only_site_admins_see_the_page(client, auth, users):
    assert client.get("/admin/jobs").status_code == 302  # to the login page
    auth.login(users["institution_admin"])
    assert client.get("/admin/jobs").status_code == 403


def test_with_no_failure_the_page_says_so(client, auth, users):
    auth.login(users["site_admin"])
    assert "No job has failed." in read_html(client.get("/admin/jobs")).get_text()


def test_the_command_lists_the_failures(runner):
    assert runner.invoke(args=["jobs", "failures"]).output == "No job has failed.\n"
    record()
    output = runner.invoke(args=["jobs", "failures"]).output
    assert "network.collections.tasks.build_edition_pdf(12) after 3 tries: RuntimeError: no layout today" in output


def test_the_worker_refuses_to_start_when_jobs_run_in_the_caller(runner):
    result = runner.invoke(args=["jobs", "worker"])
    assert result.exit_code == 1 and "immediate" in result.output


def test_the_status_command_names_the_periodic_jobs(runner):
    output = runner.invoke(args=["jobs", "status"]).output
    assert "0 queued, 0 scheduled" in output and "0 6 * * *" in output


def test_old_failures_are_forgotten(app):
    old = record()
    old.failed_at = utcnow() - timedelta(days=app.config["JOBS_FAILURES_KEPT_DAYS"] + 1)
    db.session.commit()
    recent = record()
    assert services.forget_old_failures() == 1
    assert [f.id for f in db.session.query(JobFailure)] == [recent.id]
