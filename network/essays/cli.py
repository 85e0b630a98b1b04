"""`flask --app network essays ...`: reminders to write the essay after a visit. The job worker sends them
every morning (network/essays/tasks.py); the command sends them now."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from network.essays import services

essays_cli = AppGroup("essays", help="Essays about training events and job-shadowing visits.")


@essays_cli.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Act as if today were this day (to test, or to catch up after missed runs).")
def remind_command(today):
    """Remind visitors whose visit ended two weeks ago or more and who have not submitted an essay.

    The job worker does it every morning; each visit is reminded once, so running it as well is safe."""
    sent = services.remind(today=today.date() if today else None)
    click.echo(f"Sent {sent} essay reminder{'' if sent == 1 else 's'}.")
