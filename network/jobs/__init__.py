"""Background jobs: PDFs, emails, reminders and whatever must happen later or on a schedule, run by one
job runner (Huey) beside the web server instead of in its requests (network/jobs/runner.py).

A feature declares its jobs in its tasks.py with @task or @periodic_task and registers them from its plug
with register_jobs(app, *tasks.JOBS). The queue is a SQLite file in the instance folder unless NETWORK_JOBS
names Redis; `flask --app network jobs worker` runs the jobs; failures are on /admin/jobs.
"""
from __future__ import annotations

from network.jobs.runner import Job, Runner, periodic_task, register_jobs, runner_of, task

__all__ = ["Job", "Runner", "init_app", "periodic_task", "register_jobs", "runner_of", "task"]


def init_app(app) -> None:
    """The feature's one plug (network.FEATURES): the app's runner, the failures page, `flask jobs`, and the
    jobs of the platform's core (email delivery) and its own (forgetting old failures)."""
    from network import ConfigurationError
    from network.jobs import tasks
    from network.jobs.cli import jobs_cli
    from network.jobs.views import bp

    try:
        app.extensions["jobs"] = Runner.for_setting(app, app.config.get("JOBS"))
    except ValueError as error:
        raise ConfigurationError(f"Peer Network: {error}.") from None
    register_jobs(app, *tasks.JOBS)
    app.register_blueprint(bp)
    app.cli.add_command(jobs_cli)
