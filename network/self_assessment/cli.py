"""flask --app network self-assessment ...: the questionnaire's versions from the command line."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from network.errors import ServiceError
from network.extensions import db
from network.self_assessment import services

group = click.Group("self-assessment", help="The digital-agility self-assessment.")


@group.command("load-standard")
@click.option("--draft", is_flag=True, help="Keep it as a draft to edit instead of publishing it.")
@with_appcontext
def load_standard(draft: bool) -> None:
    """Load the network's standard questionnaire (four languages) as a new version."""
    try:
        questionnaire = services.load_standard(publish_it=not draft)
    except ServiceError as error:
        raise click.ClickException(error.text) from None
    db.session.commit()
    click.echo(f"Version {questionnaire.version} ({questionnaire.status}): "
               f"{len(questionnaire.statements)} statements in {len(questionnaire.dimensions)} dimensions.")


@group.command("export")
@click.argument("version", type=int, required=False)
@with_appcontext
def export(version: int | None) -> None:
    """Print a version (default: the current one) in the exchange format (JSON)."""
    chosen = next((q for q in services.versions() if q.version == version), None) if version \
        else services.current_questionnaire()
    if chosen is None:
        raise click.ClickException("No such version.")
    click.echo(json.dumps(services.export_questionnaire(chosen), ensure_ascii=False, indent=2))
