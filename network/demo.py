"""`flask --app network seed-demo`: a realistic demo network, safe to run again (it adds what is missing).

Each feature seeds its own part (network/<feature>/demo.py, its texts in network/<feature>/demo_data/) and
registers that step in its plug (register_step). seed_demo() runs the steps in the order they were
registered, which is network.FEATURES' order: a step builds on what the steps before it made.
"""
from __future__ import annotations

import tomllib
import typing
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from network.auth.models import PENDING, User
from network.extensions import db

DEMO_PASSWORD = "peer-network-demo"  # every demo account's
PARTNERSHIP_REFERENCE = "2025-1-ES01-KA220-ADU-000178301"  # the demo partnership, which later steps build on
# The logins seed-demo prints (<name>@demo.example), made by the institutions step and acting in later steps.
DEMO_LOGINS = ("professional", "institution-admin", "coordinator", "evaluator", "admin")

Step = Callable[[], dict[str, int]]  # adds what is missing of its part; returns how many of each kind it added


class DemoDataError(click.ClickException):
    """A demo data file is missing or malformed: the message names the file and what is wrong with it."""


def register_step(app: Flask, feature: str, seed: Step) -> None:
    """Called by a feature's init_app: seed-demo runs `seed` after the steps registered before it."""
    steps = app.extensions.setdefault("demo_steps", {})
    if feature in steps:
        raise RuntimeError(f"the demo step of {feature!r} is registered twice")
    steps[feature] = seed


def steps(app: Flask | None = None) -> dict[str, Step]:
    """The registered steps, feature -> seed, in the order they run."""
    return dict((app or current_app).extensions.get("demo_steps", {}))


def seed_demo() -> dict[str, int]:
    """Create whatever part of the demo network is missing; return how many rows of each kind were added.

    The counts of a kind that several steps add (users: the demo people, mobility's applicants and host
    admins, a second evaluator) are summed."""
    added: dict[str, int] = {}
    for seed in steps().values():
        for kind, number in seed().items():
            added[kind] = added.get(kind, 0) + number
    return added


def read_data(folder: Path, name: str) -> dict:
    """The TOML file `name` in a feature's demo_data folder; DemoDataError if it is missing or malformed."""
    path = folder / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DemoDataError(f"demo data file {path} is missing") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DemoDataError(f"demo data file {path} is not valid TOML: {error}") from error


# What check_fields accepts, as a data file's reader says it.
KINDS = {str: "a string", bool: "true or false", dict: "a table", list[str]: "a list of strings",
         list[dict]: "a list of tables ([[...]])"}


def check_fields(record: dict, where: str, required: dict, optional: dict | None = None) -> dict:
    """`record` (a table of a data file) if it has the required keys, no others than the optional ones, and
    each of the kind given (a key of KINDS); otherwise DemoDataError saying `where` and what is wrong."""
    optional = optional or {}
    missing = [key for key in required if key not in record]
    unknown = [key for key in record if key not in required and key not in optional]
    if missing:
        raise DemoDataError(f"{where}: missing {', '.join(missing)}")
    if unknown:
        raise DemoDataError(f"{where}: unknown {', '.join(unknown)} (expected {', '.join([*required, *optional])})")
    for key, value in record.items():
        kind = required.get(key) or optional[key]
        if isinstance(kind, type):
            right = isinstance(value, kind)
        else:  # list[str], list[dict]
            (item,) = typing.get_args(kind)
            right = isinstance(value, list) and all(isinstance(v, item) for v in value)
        if not right:
            raise DemoDataError(f"{where}: {key} should be {KINDS[kind]}")
    return record


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Fill the database with a demo network and print the demo logins."""
    added = seed_demo()
    click.echo(
        f"Demo network ready (added {added['institutions']} institutions, "
        f"{added['partnerships']} partnerships, {added['users']} users, {added['practices']} practices, "
        f"{added['comments']} comments, {added['offers']} hosting offers, {added['applications']} applications, "
        f"{added['visits']} visits, {added['essays']} essays, {added['assessments']} assessments, "
        f"{added['collections']} collections)."
    )
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for local_part in DEMO_LOGINS:
        user = db.session.scalar(select(User).where(User.email == f"{local_part}@demo.example"))
        roles = ", ".join(sorted(user.roles)) or "professional"
        click.echo(f"  {user.email:<34} {roles:<18} {user.institution.name}")
    waiting = db.session.scalars(select(User).where(User.membership_status == PENDING)).all()
    if waiting:
        click.echo(f"Membership requests waiting for approval: {', '.join(u.email for u in waiting)}")
