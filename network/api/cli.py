"""`flask --app network tokens ...`: personal access tokens for the JSON API, made by an operator."""
import click
from flask.cli import AppGroup

from network.api import tokens
from network.auth import services as accounts
from network.errors import ServiceError

tokens_cli = AppGroup("tokens", help="Manage personal access tokens for the JSON API.")


def _iso(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"


@tokens_cli.command("create")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
def create_token_command(email, name):
    """Make a token for the account EMAIL and print it (this once only; only its hash is kept)."""
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.BadParameter(f"no account with the email address {email!r}", param_hint="EMAIL")
    if not user.is_active:
        raise click.UsageError(f"the account {user.email} is disabled")
    try:
        token, plain = tokens.create_token(user, name, by_operator=True)
    except ServiceError as error:
        raise click.UsageError(error.text) from error
    # Only the token goes to standard output, so that TOKEN=$(flask --app network tokens create ...) works.
    click.echo(f"Token {token.id} ({token.name}) for {user.email}:", err=True)
    click.echo(plain)
    click.echo("It is shown only this once: store it now. Send it as 'Authorization: Bearer <token>'.",
               err=True)


@tokens_cli.command("list")
@click.argument("email")
def list_tokens_command(email):
    """List the tokens of the account EMAIL (revoked ones too)."""
    user = accounts.find_user_by_email(email)
    if user is None:
        raise click.BadParameter(f"no account with the email address {email!r}", param_hint="EMAIL")
    rows = tokens.tokens_of(user, include_revoked=True)
    if not rows:
        click.echo(f"{user.email} has no tokens.")
        return
    for token in rows:
        state = f"revoked {_iso(token.revoked_at)}" if token.revoked_at else "active"
        click.echo(f"{token.id}\t{token.prefix}…\t{token.name}\tcreated {_iso(token.created_at)}\t"
                   f"last used {_iso(token.last_used_at)}\t{state}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=click.IntRange(min=1))
def revoke_token_command(token_id):
    """Revoke the token TOKEN_ID (see `tokens list`)."""
    try:
        token = tokens.revoke_any_token(token_id)
    except ServiceError as error:
        raise click.UsageError(error.text) from error
    click.echo(f"Revoked token {token.id} ({token.name}, {token.prefix}…) of {token.user.email}.")
