"""`flask --app network users ...`: manage accounts from the command line."""
import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup

from network.auth import services
from network.auth.forms import PASSWORD_MAX, PASSWORD_MIN
from network.auth.models import GRANTABLE_ROLES, PROFESSIONAL
from network.errors import ServiceError

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--email", required=True, help="Email address (the login).")
@click.option("--name", required=True, help="The person's full name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice((PROFESSIONAL,) + GRANTABLE_ROLES),
    help="A role to grant; repeat for several. Everyone is a professional.",
)
@click.option("--institution", help="Slug of the home institution (see /institutions/).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email, name, roles, institution, password_stdin):
    """Create an approved account."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="--email") from error
    home = None
    if institution:
        home = services.home_institution_by_slug(institution)
        if home is None:
            raise click.BadParameter(f"no institution with the slug {institution!r}", param_hint="--institution")
    # Checked here, before the password prompt: the service's own (translated) message needs a request.
    if services.email_taken(email):
        raise click.BadParameter("an account with this email address already exists", param_hint="--email")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise click.UsageError(f"the password needs between {PASSWORD_MIN} and {PASSWORD_MAX} characters")
    try:
        user = services.create_user(name, email, password, home, roles=roles)
    except ServiceError as error:
        raise click.UsageError(error.text) from error
    click.echo(f"Created {user.email} (id {user.id}) with roles: {', '.join(sorted(user.roles)) or PROFESSIONAL}")
