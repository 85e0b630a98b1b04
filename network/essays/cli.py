"""`flask --app network essays ...`: reminders to write the essay after a visit (run it daily, from cron)."""
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

    Each visit is reminded once, so running it every day is safe."""
    sent = services.remind(today=today.date() if today else None)
    click.echo(f"Sent {sent} essay reminder{'' if sent == 1 else 's'}.")
