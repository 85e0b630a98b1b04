"""The job runner on a real SQLite queue: a job scheduled for later runs once when due, also when the process
that queued it is gone; a failing job is tried again after its delay, then reported. The worker's steps are
driven one at a time (Runner.run_due: the scheduler's step, then the worker's), never by sleeping threads."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask import current_app, has_app_context
from sqlalchemy import select

from network.extensions import db
from network.jobs import Runner, runner_of, task
from network.jobs.models import JobFailure
from network.types import utcnow

RAN: list[tuple[str, bool]] = []
TRIES: list[str] = []


@task(retries=0)
def remember(word: str) -> None:
    RAN.append((word, has_app_context() and current_app.name == "network"))


@task(retries=2, retry_delay=60)
def always_fails(what: str) -> None:
    TRIES.append(what)
    raise RuntimeError(f"no luck with {what}")


JOBS = (remember, always_fails)


@pytest.fixture
def queue_file(tmp_path):
    RAN.clear()
    TRIES.clear()
    return f"sqlite:///{tmp_path / 'jobs.sqlite3'}"


def process(app, queue_file) -> Runner:
    """What a process starting now has: a runner of its own, with its own Huey, on the same queue file."""
    return Runner.for_setting(app, queue_file, JOBS)


def test_a_job_scheduled_for_later_runs_once_when_it_is_due(app, queue_file):
    runner = process(app, queue_file)
    eta = utcnow() + timedelta(hours=1)
    runner.schedule(remember, ("later",), eta=eta)
    assert sum(runner.counts().values()) == 1

    assert runner.run_due(eta - timedelta(minutes=1)) == 0 and RAN == []
    assert runner.counts() == {"queued": 0, "scheduled": 1}  # the worker moved it to the schedule
    assert runner.run_due(eta) == 1
    assert RAN == [("later", True)]  # in the app's context
    assert runner.run_due(eta + timedelta(days=1)) == 0 and RAN == [("later", True)]
    assert runner.counts() == {"queued": 0, "scheduled": 0}


def test_a_scheduled_job_survives_a_restart_and_runs_exactly_once(app, queue_file):
    eta = utcnow() + timedelta(hours=6)
    before = process(app, queue_file)
    before.schedule(remember, ("after the restart",), delay=timedelta(hours=6))
    before.huey.storage.close()  # the process that queued it stops

    after, another = process(app, queue_file), process(app, queue_file)  # two workers start
    assert sum(after.counts().values()) == 1
    assert after.run_due() + another.run_due() == 0  # not due yet: both leave it to its time
    ran = after.run_due(eta + timedelta(seconds=5)) + another.run_due(eta + timedelta(seconds=5))
    ran += after.run_due(eta + timedelta(days=1)) + another.run_due(eta + timedelta(days=1))
    assert ran == 1 and RAN == [("after the restart", True)]
    assert process(app, queue_file).counts() == {"queued": 0, "scheduled": 0}


def test_a_failing_job_is_tried_again_after_its_delay_then_reported(app, queue_file, caplog):
    runner = process(app, queue_file)
    runner.enqueue(always_fails, ("the report",))
    start = utcnow()
    caplog.set_level(logging.WARNING, logger="network.jobs")

    assert runner.run_due(start) == 1 and TRIES == ["the report"]
    assert runner.counts() == {"queued": 0, "scheduled": 1}  # the retry, a minute later
    assert runner.run_due(start + timedelta(seconds=30)) == 0
    assert db.session.scalars(select(JobFailure)).all() == []

    assert runner.run_due(start + timedelta(minutes=2)) == 1 and len(TRIES) == 2
    assert db.session.scalars(select(JobFailure)).all() == []
    assert runner.run_due(start + timedelta(minutes=4)) == 1 and len(TRIES) == 3  # the last try

    [failure] = db.session.scalars(select(JobFailure)).all()
    assert failure.task == "test_job_runner.always_fails"
    assert failure.arguments == "'the report'"
    assert failure.error == "RuntimeError: no luck with the report"
    assert failure.attempts == 3
    assert "raise RuntimeError" in failure.details
    reports = [r for r in caplog.records if r.name == "network.jobs" and r.levelno == logging.ERROR]
    assert len(reports) == 1 and "failed for good after 3 tries" in reports[0].getMessage()
    assert len([r for r in caplog.records if r.name == "network.jobs" and r.levelno == logging.WARNING]) == 2

    assert runner.run_due(start + timedelta(days=1)) == 0 and len(TRIES) == 3  # nothing more to try
    assert runner.counts() == {"queued": 0, "scheduled": 0}


def test_a_job_describes_a_failure_without_its_private_arguments(app, queue_file, monkeypatch):
    from network import mail

    def refused(to, subject, body):
        raise OSError("connection refused")

    monkeypatch.setattr(mail, "send_email", refused)
    runner = process(app, queue_file)
    runner.add(mail.deliver_email)
    runner.enqueue(mail.deliver_email, ("someone@example.org", "Subject", "A private message"),
                   {"what": "essay notification"})
    start = utcnow()
    for minutes in (0, 10, 20, 30, 40):
        assert runner.run_due(start + timedelta(minutes=minutes)) == 1
    [failure] = db.session.scalars(select(JobFailure)).all()
    assert failure.arguments == "essay notification" and failure.attempts == 5
    assert "someone@example.org" not in failure.arguments + failure.error + failure.details
    assert "private" not in failure.arguments + failure.error + failure.details


def test_a_job_that_is_not_registered_is_refused(app, queue_file):
    @task()
    def stray() -> None:
        pass

    with pytest.raises(LookupError, match="not registered"):
        stray()
    with pytest.raises(LookupError, match="not registered"):
        process(app, queue_file).enqueue(stray)


def test_the_setting_names_the_queue(app, tmp_path):
    from network.jobs.runner import parse_setting

    assert parse_setting(app, "immediate") == ("immediate", "")
    assert parse_setting(app, f"sqlite:///{tmp_path}/q.sqlite3") == ("sqlite", f"{tmp_path}/q.sqlite3")
    assert parse_setting(app, "redis://localhost:6379/0") == ("redis", "redis://localhost:6379/0")
    with pytest.raises(ValueError, match="NETWORK_JOBS"):
        parse_setting(app, "amqp://elsewhere")
    app.testing = False
    try:
        assert parse_setting(app, None) == ("sqlite", f"{app.instance_path}/jobs.sqlite3")
    finally:
        app.testing = True
    assert runner_of(app).immediate  # the tests' setting (conftest.BASE_TEST_CONFIG)
    redis = Runner.for_setting(app, "redis://:secret@localhost:6379/0")
    assert "secret" not in redis.describe()
