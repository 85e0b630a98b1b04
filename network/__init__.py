"""Peer Network: the application factory."""
from __future__ import annotations

import importlib
import logging
import os
import secrets
from pathlib import Path

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from network import config as default_config
from network.extensions import babel, csrf, db, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(click.ClickException, RuntimeError):
    """The platform refuses to start with a configuration that would be unsafe or is incomplete.

    Its message is one line saying what is missing and how to set it. Under the `flask` command it is all
    that is printed ("Error: <message>", exit status 1: _stop_the_command_line); under gunicorn too
    (gunicorn.conf.py, wsgi.py).
    """


def _flask() -> Flask:
    return Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("NETWORK_INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )


def check_configuration() -> None:
    """Raise ConfigurationError if a required setting is missing, without building the application.

    gunicorn.conf.py calls it before any worker boots, so that gunicorn stops with the one line.
    """
    _load_config(_flask(), None)


def create_app(test_config: dict | None = None) -> Flask:
    app = _flask()
    from network.web import BoundedIntConverter

    # Every <int:...> in a URL: an id past the database's integer range is a 404, not an overflow.
    app.url_map.converters["int"] = BoundedIntConverter
    try:
        _load_config(app, test_config)
    except ConfigurationError as error:
        _stop_the_command_line(error)
        raise
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind reverse proxies, the client's address (throttling) and scheme (HSTS) are in the headers they
        # add; without this setting those headers are ignored, so a client cannot forge them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    _init_extensions(app)
    _register_features(app)
    _register_cli(app)
    from network import page_cache, static_files, web

    page_cache.init_app(app)
    static_files.init_app(app)  # url_for('static', ...) gives fingerprinted addresses, served for a year
    web.init_app(app)
    return app


def _stop_the_command_line(error: ConfigurationError) -> None:
    """Under `flask --app network ...`: print the message as one line and exit with status 1, no traceback.

    Click prints a ClickException raised by a command that way, but Flask's list of commands (`flask --app
    network --help`) catches any exception from the factory, prints its traceback and carries on.
    """
    if click.get_current_context(silent=True) is not None:
        error.show()
        raise SystemExit(error.exit_code)


def _load_config(app: Flask, test_config: dict | None) -> None:
    """Defaults, then instance/config.py, then NETWORK_* variables, then the tests' overrides."""
    app.config.from_object(default_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_pyfile("config.py", silent=True)
    # NETWORK_SECRET_KEY -> SECRET_KEY, NETWORK_MAIL_PORT=25 -> MAIL_PORT (JSON values are parsed).
    app.config.from_prefixed_env("NETWORK")
    if test_config:
        app.config.update(test_config)

    database_url = app.config.get("DATABASE_URL") or app.config.get("SQLALCHEMY_DATABASE_URI")
    if not database_url:
        database_url = "sqlite:///" + str(Path(app.instance_path) / "network.sqlite3")
    app.config["SQLALCHEMY_DATABASE_URI"] = _with_psycopg3(database_url)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    if app.config.get("SECURE_COOKIES"):
        for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            app.config[key] = True
        app.config.setdefault("PREFERRED_URL_SCHEME", "https")
    _ensure_secret_key(app)


def _with_psycopg3(url: str) -> str:
    """postgresql:// URLs would pick psycopg2 by default; the platform ships psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _ensure_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("TESTING") or app.config["ENV"] == "development":
        # Development keeps one generated key in instance/ so that sessions survive restarts.
        key_file = Path(app.instance_path) / "dev-secret-key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
        app.config["SECRET_KEY"] = key_file.read_text().strip()
        return
    raise ConfigurationError(
        f"Peer Network: no SECRET_KEY is set. Put SECRET_KEY = '<64 random hex digits>' in "
        f"{Path(app.instance_path) / 'config.py'} (`make secret` does it for instance/config.py) or set "
        "NETWORK_SECRET_KEY (for local work only, NETWORK_ENV=development keeps a generated key)."
    )


def _init_extensions(app: Flask) -> None:
    from network import database

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    from network.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO)
    app.logger.setLevel(logging.INFO)


# The features, in the order they plug in: each package's init_app(app) registers its blueprints, commands,
# search documents and personal-data exporters (tests/test_features.py: every package with models is here).
FEATURES = ("search", "jobs", "auth", "institutions", "admin", "notifications", "certificates", "practices", "api",
            "mobility", "events", "essays", "collections", "self_assessment", "learning", "evaluation")


def _register_features(app: Flask) -> None:
    for name in FEATURES:
        importlib.import_module(f"network.{name}").init_app(app)


def _register_cli(app: Flask) -> None:
    """The commands of the platform as a whole (each feature adds its own in its plug)."""
    from network.backup import backup_command, restore_command
    from network.demo import seed_demo_command

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
