"""`flask --app network evaluation ...`: the daily sending, by hand (the job worker runs it every morning)."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from network.evaluation import dissemination, surveys

group = AppGroup("evaluation", help="Surveys, sessions back home and the partnership's report.")


@group.command("send")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Act as if it were this day (YYYY-MM-DD).")
def send_command(today) -> None:
    """Send the surveys whose moment has come, remind once, close those past their day, and ask the visitors who
    recorded no session back home four weeks after their visit."""
    day: date | None = today.date() if today else None
    sent = surveys.send_due(day)
    asked = dissemination.remind(day)
    click.echo(f"Surveys: {sent}. Sessions back home: {asked} visitors asked.")
