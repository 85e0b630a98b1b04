"""Shared helpers for the search tests (not a conftest: tests elsewhere import `conftest` by name)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from flask import current_app
from flask_login import AnonymousUserMixin

from network.search import services

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ANONYMOUS = AnonymousUserMixin()


def search(user=None, q: str = "", **options) -> services.backend.Results:
    """Search as this person (anonymous when None), with SearchRequest options (filters, page...)."""
    return services.search(user if user is not None else ANONYMOUS, services.SearchRequest(q=q, **options))


def titles(results) -> list[str]:
    return [hit.title for hit in results.hits]


def keys(results) -> set[tuple[str, int]]:
    return {(hit.doc_type, hit.doc_id) for hit in results.hits}


def practice_ids(results) -> set[int]:
    return {hit.doc_id for hit in results.hits if hit.doc_type == "practice"}


def write_up(make_practice, owner, title: str, body: str = "", **overrides):
    """A practice whose searchable text is exactly this title and body (plus the short fixed sections),
    so that relevance tests compare like with like."""
    values = dict(
        title=title,
        summary="A practice.",
        context=body or "Weekly meetings.",
        target_group="People.",
        methods="Meetings.",
        outcomes="Good.",
        tags=[],
        language="en",
    )
    values.update(overrides)
    return make_practice(owner, **values)


def index_root() -> Path:
    return current_app.extensions["search_index"].root


def subprocess_env(app) -> dict[str, str]:
    """Environment for a child process that opens the same database and search index as this app."""
    env = dict(os.environ)
    env.update(
        NETWORK_INSTANCE_PATH=str(app.instance_path),
        NETWORK_DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        NETWORK_SEARCH_INDEX_DIR=str(app.extensions["search_index"].root),
        NETWORK_SEARCH_INDEXER="manual",
        NETWORK_SECRET_KEY="subprocess-test-secret",
        PYTHONPATH=str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


def start_python(app, code: str, *args: str) -> subprocess.Popen:
    """Run Python code in a child process with the app's database and index; the code gets `app`
    (a fresh create_app()) and runs inside its app context."""
    header = "from network import create_app\napp = create_app()\nwith app.app_context():\n"
    program = header + textwrap.indent(textwrap.dedent(code), "    ")
    return subprocess.Popen(
        [sys.executable, "-c", program, *args], env=subprocess_env(app), cwd=str(PROJECT_ROOT),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def run_python(app, code: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    process = start_python(app, code, *args)
    stdout, stderr = process.communicate(timeout=timeout)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
