"""`flask --app network learning ...`: reminders to the learners who stalled. The job worker sends them every
morning (network/learning/tasks.py); the command sends them now."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from network.learning import tutoring

group = AppGroup("learning", help="Learning modules: courses and their learners.")


@group.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="YYYY-MM-DD",
              help="Act as if today were this day (to test, or to catch up after missed runs).")
def remind_command(today):
    """Remind learners enrolled for two weeks or more, who have not completed their course and have not worked
    on it for two weeks (at most once every two weeks each).

    The job worker does it every morning; a learner reminded lately is not reminded again, so running it as well
    is safe."""
    sent = tutoring.remind(today=today.date() if today else None)
    click.echo(f"Reminded {sent} learner{'' if sent == 1 else 's'}.")
