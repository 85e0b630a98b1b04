"""Static files under addresses that change with their content: /static/<digest>/css/site.css.

`url_for('static', filename='css/site.css')` gives `/static/3f2a9c0b1d4e/css/site.css`, the first 12 hex digits
of the file's SHA-256 in front of its path. A changed file gets a new address, so the fingerprinted address
may be kept for a year as immutable: by browsers, and by nginx, which serves network/static itself in
production (deploy/nginx/peer-network.conf). Flask serves both forms too (`make run`, the tests).

Why a folder in front of the path, rather than `site.3f2a9c0b1d4e.css` or `?v=3f2a9c0b1d4e`:
- a stylesheet's relative `url(../icons/bell.svg)` resolves under the same folder, so the icons come
  fingerprinted too (a stylesheet's digest covers the files its url()s name, below), and nothing is rewritten;
- nginx serves the same files from the same folder with one location, no copies: no build step that writes
  hashed copies and a manifest (Flask-Static-Digest's way), which a deployment can forget to run and which
  leaves generated files beside the sources;
- some caches ignore or refuse query strings, and nginx could not tell a fingerprinted address from a plain one.

Each digest is computed once per file and process (under `flask run --debug`, again when a file changes).
The plain /static/<path> keeps working, with a short lifetime: the Open Badges image, old bookmarks. An
address whose digest is not the file's own (a page cached before an upgrade) still gets the current file,
with the short lifetime.
"""
from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path

from flask import Flask, current_app, send_from_directory
from werkzeug.security import safe_join

DIGEST_LENGTH = 12  # hex digits: 48 bits, no two versions of one file will share one
IMMUTABLE_MAX_AGE = 365 * 24 * 3600  # a fingerprinted address: its content never changes
PLAIN_MAX_AGE = 300  # /static/<path>: a new version reaches browsers within five minutes
DIGEST_SEGMENT = re.compile(rf"[0-9a-f]{{{DIGEST_LENGTH}}}")
# url(...) and @import "..." in a stylesheet: the files it makes the browser fetch relative to its address.
_CSS_REFERENCE = re.compile(rb"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


class Fingerprints:
    """The digests of the files under one static folder, computed once each (`check_changes`: again when a
    file they read changed)."""

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()
        # filename -> (digest, the files it was computed from with their (mtime, size))
        self._known: dict[str, tuple[str, tuple[tuple[Path, tuple[int, int]], ...]]] = {}
        self._lock = threading.Lock()

    def digest(self, filename: str, check_changes: bool = False) -> str | None:
        """The file's digest, or None when there is no such file under the root."""
        known = self._known.get(filename)
        if known is not None and (not check_changes or all(_stamp(p) == s for p, s in known[1])):
            return known[0]
        with self._lock:
            found = self._compute(filename, set())
            if found is None:
                self._known.pop(filename, None)
                return None
            digest, files = found
            self._known[filename] = (digest, tuple((p, _stamp(p)) for p in files))
            return digest

    def covers(self, digest: str, filename: str, check_changes: bool = False) -> bool:
        """Whether /static/<digest>/<filename> is a current fingerprinted address: the file's own digest, or
        that of a stylesheet whose url()s name it (its address is relative to the stylesheet's)."""
        if self.digest(filename, check_changes) == digest:
            return True
        path = self.path_of(filename)
        for stylesheet in self._stylesheets(check_changes):
            if self.digest(stylesheet, check_changes) == digest:
                files = self._known[stylesheet][1]
                return any(p == path for p, _ in files)
        return False

    def _stylesheets(self, check_changes: bool) -> list[str]:
        if check_changes or not hasattr(self, "_css"):
            self._css = sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*.css"))
        return self._css

    def path_of(self, filename: str) -> Path | None:
        joined = safe_join(str(self.root), filename)
        if joined is None:
            return None
        path = Path(joined).resolve()
        return path if path.is_file() and self.root in path.parents else None

    def _compute(self, filename: str, seen: set[Path]) -> tuple[str, list[Path]] | None:
        path = self.path_of(filename)
        if path is None or path in seen:
            return None
        seen.add(path)
        data = path.read_bytes()
        hashed = hashlib.sha256(data)
        files = [path]
        if path.suffix == ".css":
            # The files it names are fetched under its own fingerprinted folder: they are part of its version.
            for reference in _css_references(data):
                target = (path.parent / reference).resolve()
                if self.root not in target.parents:
                    continue
                found = self._compute(target.relative_to(self.root).as_posix(), seen)
                if found is not None:
                    hashed.update(b"\0" + reference.encode() + b"\0" + found[0].encode())
                    files += found[1]
        return hashed.hexdigest()[:DIGEST_LENGTH], files


def _css_references(data: bytes) -> list[str]:
    """The relative addresses a stylesheet names (not data:, absolute or other sites' ones), without their
    query or fragment, in order."""
    found = []
    for match in _CSS_REFERENCE.finditer(data):
        reference = (match.group(2) or match.group(4)).decode("utf-8", "replace")
        reference = reference.split("#", 1)[0].split("?", 1)[0]
        if reference and ":" not in reference and not reference.startswith("/"):
            found.append(reference)
    return found


def _stamp(path: Path) -> tuple[int, int]:
    try:
        status = path.stat()
    except OSError:
        return (0, -1)
    return (status.st_mtime_ns, status.st_size)


def init_app(app: Flask) -> None:
    fingerprints = Fingerprints(app.static_folder)
    app.extensions["static_fingerprints"] = fingerprints

    def fingerprint(endpoint: str, values: dict) -> None:
        """url_for('static', filename=...): the digest in front of the path (files that exist only)."""
        if endpoint == "static" and values.get("filename"):
            digest = fingerprints.digest(values["filename"], check_changes=current_app.debug)
            if digest is not None:
                values["filename"] = f"{digest}/{values['filename']}"

    def static(filename: str):
        """/static/<digest>/<path> for a year, immutable; /static/<path> (or a digest that is not the file's
        current one) for PLAIN_MAX_AGE. Conditional requests (ETag, Last-Modified) answer 304 in both."""
        digest, _, rest = filename.partition("/")
        if rest and DIGEST_SEGMENT.fullmatch(digest) and fingerprints.path_of(filename) is None:
            if fingerprints.covers(digest, rest, check_changes=current_app.debug):
                response = send_from_directory(fingerprints.root, rest, max_age=IMMUTABLE_MAX_AGE)
                response.cache_control.immutable = True
                return response
            filename = rest
        return send_from_directory(fingerprints.root, filename, max_age=PLAIN_MAX_AGE)

    app.url_defaults(fingerprint)
    app.view_functions["static"] = static
