"""`flask --app network jobs ...`: the worker that runs the background jobs, what failed, what waits."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from network.jobs import services
from network.jobs.runner import runner_of

jobs_cli = AppGroup("jobs", help="Background jobs: PDFs, emails, reminders.")


@jobs_cli.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Threads running jobs at once (a long PDF takes one, emails go on in the others).")
def worker_command(workers: int):
    """Run the background jobs and the periodic ones (run one, beside the web server)."""
    runner = runner_of(current_app)
    if runner.immediate:
        raise click.ClickException("NETWORK_JOBS is 'immediate': jobs run in the caller, a worker has nothing "
                                   "to do.")
    periodic = ", ".join(f"{job.name} ({job.schedule_text} UTC)" for job in runner.periodic_jobs())
    click.echo(f"Job worker on {runner.describe()}, {workers} threads; periodic: {periodic or 'none'}.")
    runner.consumer(workers).run()
    click.echo("Job worker stopped.")


@jobs_cli.command("run")
def run_command():
    """Run the jobs that are due now, once, in this process (without a worker: to debug, or catch up)."""
    runner = runner_of(current_app)
    ran = runner.run_due()
    click.echo(f"Ran {ran} job{'' if ran == 1 else 's'}.")


@jobs_cli.command("status")
def status_command():
    """Where the queue is, how many jobs wait, and the periodic jobs."""
    runner = runner_of(current_app)
    counts = runner.counts()
    click.echo(f"Queue: {runner.describe()}; {counts['queued']} queued, {counts['scheduled']} scheduled for later.")
    for job in runner.periodic_jobs():
        click.echo(f"  {job.schedule_text:<16} {job.name}")


@jobs_cli.command("failures")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def failures_command(limit: int):
    """The jobs that failed for good, newest first (also on /admin/jobs)."""
    failures = services.recent_failures(limit)
    if not failures:
        click.echo("No job has failed.")
        return
    for failure in failures:
        click.echo(f"{failure.failed_at:%Y-%m-%d %H:%M} UTC  {failure.task}({failure.arguments}) after "
                   f"{failure.attempts} tries: {failure.error}")
