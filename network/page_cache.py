"""Whole rendered pages kept a few seconds per worker for anonymous visitors, who all see the same HTML.

Only anonymous GET (and HEAD) requests of views marked @cached_for_visitors are served from or stored into
the cache, and only 200 text/html answers that set no cookie, showed no flashed message and left the session
as it was. The visitor's CSRF token is swapped for a per-process marker when a page is stored, and for the
reader's own token when it is served.

Additions may take PAGE_CACHE_SECONDS to appear. Anything updated or deleted (a practice edited, made
members-only, unpublished, deleted) must disappear at once and in every worker: a commit whose transaction
sent an UPDATE or a DELETE rewrites instance/page-cache-generation, whose content is part of every key.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cachetools import TTLCache
from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event
from sqlalchemy.orm import Session

from network.extensions import db

log = logging.getLogger(__name__)

GENERATION_FILE = "page-cache-generation"
# Writes that no cached page shows and that happen all the time: they must not empty the cache.
UNSHOWN_TABLES = frozenset({"search_outbox", "login_attempts", "api_tokens", "password_reset_tokens",
                            "notifications", "rescued_texts"})
# A random marker per process: no page, whatever people write in it, can contain it by chance or on purpose.
CSRF_MARKER = f"page-cache-csrf-{secrets.token_hex(16)}".encode()
ENTRY_OVERHEAD_BYTES = 512  # the key, the headers and the entry itself, roughly
_WRITE = re.compile(r"\s*(?:UPDATE|DELETE\s+FROM)\s+[\"`\[]?([\w.]+)", re.IGNORECASE)
_CHANGED = "page_cache_changed"
_SESSION_INFO = "page_cache_session_info"

_lock = threading.Lock()


@dataclass(frozen=True)
class Entry:
    body: bytes  # the CSRF token replaced by CSRF_MARKER
    status: int
    headers: tuple[tuple[str, str], ...]
    has_csrf_token: bool


def init_app(app: Flask) -> None:
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _note_write)
    _listen_once()


# --- the decorator ------------------------------------------------------------------------------------


def cached_for_visitors(view):
    """Serve this view's page from the cache to anonymous visitors, and store it for the next ones."""

    @functools.wraps(view)
    def cached_view(*args, **kwargs):
        if not _eligible():
            return view(*args, **kwargs)
        key = (request.host_url, request.full_path, str(get_locale()), read_generation())
        cache = _cache()
        with _lock:
            entry = cache.get(key)
        if entry is not None:
            return _serve(entry)
        session_before = _session_snapshot()
        response = current_app.make_response(view(*args, **kwargs))
        entry = _entry_for(response, session_before)
        if entry is not None:
            with _lock:
                try:
                    cache[key] = entry
                except ValueError:  # a page larger than the whole cache
                    pass
        response.headers["X-Page-Cache"] = "miss"
        return response

    return cached_view


def _seconds() -> float:
    return current_app.config.get("PAGE_CACHE_SECONDS") or 0


def _eligible() -> bool:
    return (request.method in ("GET", "HEAD") and _seconds() > 0 and not current_user.is_authenticated
            and "_flashes" not in session)


def _cache() -> TTLCache:
    seconds = _seconds()
    max_bytes = int(current_app.config.get("PAGE_CACHE_MAX_BYTES") or 0)
    with _lock:
        cache = current_app.extensions.get("page_cache")
        if cache is None or cache.ttl != seconds or cache.maxsize != max_bytes:
            cache = current_app.extensions["page_cache"] = TTLCache(maxsize=max_bytes, ttl=seconds,
                                                                    getsizeof=_entry_size)
        return cache


def _entry_size(entry: Entry) -> int:
    return len(entry.body) + ENTRY_OVERHEAD_BYTES


def _csrf_field() -> str:
    return current_app.config.get("WTF_CSRF_FIELD_NAME") or "csrf_token"


def _session_snapshot() -> dict:
    """The session without the CSRF secret, which a hit sets exactly as the view would have."""
    field = _csrf_field()
    return {k: v for k, v in session.items() if k != field}


def _entry_for(response: Response, session_before: dict) -> Entry | None:
    """What to keep of this freshly rendered answer, or None when it must not be shared."""
    if (response.status_code != 200 or response.mimetype != "text/html" or "Set-Cookie" in response.headers
            or response.is_streamed or response.direct_passthrough):
        return None
    # A message shown on this page, or waiting for the next one, or any other change to the session: the
    # page belongs to this visitor (a hit would not make the same change).
    shown_flashes = getattr(request_ctx, "flashes", None)
    if shown_flashes or "_flashes" in session or _session_snapshot() != session_before:
        return None
    body = response.get_data()
    raw_secret = session.get(_csrf_field())
    if isinstance(raw_secret, str) and raw_secret.encode() in body:
        return None
    token = g.get(_csrf_field())
    if token:
        body = body.replace(token.encode(), CSRF_MARKER)
    headers = tuple((name, value) for name, value in response.headers.items()
                    if name.lower() not in ("set-cookie", "content-length"))
    return Entry(body=body, status=response.status_code, headers=headers, has_csrf_token=bool(token))


def _serve(entry: Entry) -> Response:
    body = entry.body
    if entry.has_csrf_token:
        # This visitor's own token, and its secret in their session, as a fresh render would give them.
        body = body.replace(CSRF_MARKER, generate_csrf().encode())
    response = Response(body, status=entry.status, headers=list(entry.headers))
    response.headers["X-Page-Cache"] = "hit"
    return response


# --- the content generation -------------------------------------------------------------------------------


def generation_path(app: Flask | None = None) -> Path:
    return Path((app or current_app).instance_path) / GENERATION_FILE


def read_generation() -> str:
    """The current generation, shared by every worker. Read before the view reads the database, so that a
    page rendered from rows an update is replacing is stored under the generation that update retires."""
    try:
        return generation_path().read_text()
    except FileNotFoundError:
        return ""


def bump_generation(app: Flask | None = None) -> None:
    """A new generation: every page cached in any worker stops being served. Written atomically."""
    path = generation_path(app)
    try:
        with tempfile.NamedTemporaryFile("w", dir=path.parent, prefix=f".{GENERATION_FILE}-",
                                         delete=False) as out:
            out.write(secrets.token_hex(8))
        os.replace(out.name, path)
    except OSError:
        log.exception("Could not write %s: cached pages may be shown until they expire", path)


def _note_write(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    """Engine listener: an UPDATE or DELETE of a shown table marks the session whose transaction sent it.
    SQL, not the ORM's dirty list: a comment added to a practice dirties the practice's collection without
    an UPDATE, while tags, sectors and bulk statements change rows without dirtying any object."""
    target = conn.info.get(_SESSION_INFO)
    if target is None:
        return
    match = _WRITE.match(statement)
    if match and match.group(1).rsplit(".", 1)[-1].lower() not in UNSHOWN_TABLES:
        target[_CHANGED] = True


_listening = False


def _listen_once() -> None:
    global _listening
    if not _listening:
        event.listen(Session, "after_begin", _bind_connection)
        event.listen(Session, "after_commit", _bump_after_commit)
        event.listen(Session, "after_rollback", _forget_changes)
        _listening = True


def _bind_connection(session, _transaction, connection) -> None:
    connection.info[_SESSION_INFO] = session.info


def _bump_after_commit(session) -> None:
    if not session.info.pop(_CHANGED, False):
        return
    if has_app_context() and (current_app.config.get("PAGE_CACHE_SECONDS") or 0) > 0:
        bump_generation()


def _forget_changes(session) -> None:
    session.info.pop(_CHANGED, None)
