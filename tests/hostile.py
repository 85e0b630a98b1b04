"""Hostile input for the tests: the Big List of Naughty Strings (tests/data/blns.json, MIT licence in
tests/data/blns.LICENSE, copied from ../shared/data so that a fresh clone tests with it) and a fixed sample
of it for the page-level tests.

The whole list goes through the pure, fast layers (the sanitiser, the API's validation, the search
backend's query parser). A page-level test posts a form and parses the page for each string, about 60 ms a
string: it takes `page_sample()`, every string shaped like markup or script (the ones a page could fail to
escape) and a few of each other kind, chosen by a fixed seed so that every run tries the same ones.
Not a conftest: tests import it by name.
"""
from __future__ import annotations

import json
import random
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

BLNS_PATH = Path(__file__).resolve().parent / "data" / "blns.json"

# Cross-site-scripting payloads of our own, beside the list's.
XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<a href="javascript:alert(1)" onclick="alert(1)">x</a>',
    "<svg/onload=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<style>body{display:none}</style>",
    "![x](https://evil.example/x.png)",
    "</textarea><script>alert(1)</script>",
    "';alert(String.fromCharCode(88,83,83))//",
    "{{ 7*7 }}{% raw %}",
]

_MARKUP = re.compile(r"<\s*/?\s*[a-z!?%]|javascript\s*:|vbscript\s*:|data\s*:|\bon[a-z]+\s*=|\{\{|\{%|\$\{", re.I)
PER_KIND = 3
SEED = 20261205


@lru_cache(maxsize=1)
def naughty_strings() -> tuple[str, ...]:
    """The whole list; a missing file fails the test that asked (it is part of the repository)."""
    if not BLNS_PATH.exists():
        raise FileNotFoundError(f"{BLNS_PATH} is missing: the hostile-input tests need it (see tests/hostile.py)")
    strings = tuple(json.loads(BLNS_PATH.read_text(encoding="utf-8")))
    assert len(strings) > 500, f"{BLNS_PATH} holds only {len(strings)} strings"
    return strings


def kind_of(text: str) -> str:
    """A coarse kind, after the list's own sections."""
    if _MARKUP.search(text):
        return "markup"
    if any(0x590 <= ord(c) <= 0x8FF or c in "\u200f\u202b\u202e" for c in text):
        return "right-to-left"
    if any(ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF for c in text):
        return "emoji"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Mn") and c != " " for c in text):
        return "control and combining"
    if re.search(r"--|;|'|\"|\bselect\b|\bdrop\b", text, re.I):
        return "sql and quotes"
    if len(text) > 100:
        return "long"
    if any(ord(c) > 127 for c in text):
        return "unicode"
    return "plain"


def all_hostile() -> list[str]:
    return list(naughty_strings()) + XSS


@lru_cache(maxsize=1)
def _sample() -> tuple[str, ...]:
    by_kind: dict[str, list[str]] = {}
    for text in naughty_strings():
        by_kind.setdefault(kind_of(text), []).append(text)
    chosen = list(by_kind.pop("markup"))
    rng = random.Random(SEED)
    for kind in sorted(by_kind):
        chosen += rng.sample(by_kind[kind], min(PER_KIND, len(by_kind[kind])))
    return tuple(chosen + XSS)


def page_sample() -> list[str]:
    """Every markup-shaped string of the list, PER_KIND of each other kind, and XSS."""
    return list(_sample())
