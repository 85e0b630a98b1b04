"""A practice's sections stored as safe HTML: rendered and cleaned once, when the practice is saved, so that
a page view runs neither Markdown nor the sanitiser (issue 24; about half of a practice page's time).

Pure functions of the text, free of the models: the migration that made the first rows
(migrations/versions/2026_12_06_5d1e8a3c9f27_practice_html.py) makes exactly what the services make.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence

from network import sanitize

RULES = sanitize.rules_fingerprint()  # the rules stored HTML was made under


def source_digest(texts: Sequence[str]) -> str:
    """A digest of the sections' Markdown, stored beside their HTML: HTML whose digest is not the practice's
    is of another text (a row written past the services, by SQL or a bulk insert) and is not shown."""
    digest = hashlib.blake2b(digest_size=16)
    for text in texts:
        data = (text or "").encode()
        digest.update(len(data).to_bytes(8, "big"))  # the lengths keep ("ab", "") apart from ("a", "b")
        digest.update(data)
    return digest.hexdigest()


def render_section(text: str) -> str:
    """A section's Markdown as the page shows it ("" for an empty section). Around render_markdown's per-worker
    cache: each text is rendered once here and then read from the database, so keeping it would only push out
    the texts that are shown from it (essays, events, comments)."""
    if not (text or "").strip():
        return ""
    return str(sanitize.render_markdown_once(text))


def render_sections(texts: Sequence[str]) -> list[str]:
    return [render_section(text) for text in texts]
