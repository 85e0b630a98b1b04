"""The one place that turns people's Markdown and HTML into safe HTML. The only module importing bleach.

Markdown is rendered first, then everything passes bleach's allow-list: no scripts, styles, event
handlers or javascript:/data: URLs survive, and every link gets rel="nofollow noopener".
"""
from __future__ import annotations

import hashlib
import re
import threading
from functools import lru_cache
from html import unescape

import bleach
import markdown as markdown_lib
from bleach.linkifier import DEFAULT_CALLBACKS, Linker
from bleach.sanitizer import Cleaner
from markupsafe import Markup

# The version of the rules below and of the rendering code (the Markdown extensions, the heading shift, the
# linkifier): bump it with any change that can change the HTML made from the same text. HTML stored rendered
# (a practice's sections: network/practices/rendering.py) made under another version is made again by
# `flask --app network practices render-html`, and shown rendered afresh until then.
RENDER_VERSION = 1

PROTOCOLS = frozenset({"http", "https", "mailto"})

# Practice sections and essays: structure, emphasis, lists, quotes, code, tables and links.
DOCUMENT_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre",
        "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "abbr",
    }
)
# Comments: a small subset, no headings or tables.
COMMENT_TAGS = frozenset({"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "a"})
ATTRIBUTES = {"a": ["href", "title", "rel"], "abbr": ["title"], "th": ["scope"]}

MARKDOWN_EXTENSIONS = ["sane_lists", "tables", "fenced_code"]
# A page already has its h1 and h2: headings written in a section start at h3.
_HEADING = re.compile(r"<(/?)h([1-6])(\s|>)", re.IGNORECASE)


def _shift_headings(html: str) -> str:
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}{m.group(3)}", html)


def _rel_nofollow_noopener(attrs, new=False):
    rel_key = (None, "rel")
    values = set((attrs.get(rel_key) or "").split())
    attrs[rel_key] = " ".join(sorted(values | {"nofollow", "noopener"}))
    return attrs


# Building a Markdown converter, a bleach Cleaner or a Linker costs more than using one (two fifths of
# rendering a section), so each thread keeps its own: none is thread-safe (bleach's parser holds state).
# Cleaning and linkifying stay two passes: bleach's LinkifyFilter inside the Cleaner decodes "&amp;" once
# before an entity name, so `&nbsp;` written in code would show as a space.
_per_thread = threading.local()


def _cleaner(tags: frozenset) -> Cleaner:
    cleaners = _per_thread.__dict__.setdefault("cleaners", {})
    if tags not in cleaners:
        cleaners[tags] = Cleaner(tags=tags, attributes=ATTRIBUTES, protocols=PROTOCOLS, strip=True)
    return cleaners[tags]


def _linker() -> Linker:
    linker = getattr(_per_thread, "linker", None)
    if linker is None:
        linker = _per_thread.linker = Linker(callbacks=[*DEFAULT_CALLBACKS, _rel_nofollow_noopener],
                                             parse_email=False)
    return linker


def _markdown() -> markdown_lib.Markdown:
    converter = getattr(_per_thread, "markdown", None)
    if converter is None:
        converter = _per_thread.markdown = markdown_lib.Markdown(extensions=MARKDOWN_EXTENSIONS,
                                                                 output_format="html")
    return converter.reset()


def clean_html(html: str, tags=DOCUMENT_TAGS) -> str:
    """Sanitise HTML against an allow-list; links get rel="nofollow noopener"; bare URLs become links."""
    cleaned = _cleaner(frozenset(tags)).clean(html or "")
    return _linker().linkify(cleaned) if "a" in tags else cleaned


# Rendering and sanitising is a pure function of the text, and the slowest part of showing a practice
# (Markdown plus two html5lib passes: a few ms a section). Popular pages are shown again and again, so
# each worker keeps the last results; an edited section is new text and is rendered afresh.
@lru_cache(maxsize=2048)
def render_markdown(text: str, tags=DOCUMENT_TAGS) -> Markup:
    """Markdown source -> safe HTML ready for a template."""
    html = _markdown().convert(text or "")
    return Markup(clean_html(_shift_headings(html), tags=tags))


def render_markdown_once(text: str, tags=DOCUMENT_TAGS) -> Markup:
    """render_markdown without keeping the result: for HTML that is stored once made (a practice's sections)."""
    return render_markdown.__wrapped__(text, tags)


def rules_fingerprint() -> str:
    """What HTML made by render_markdown depends on besides the text: RENDER_VERSION (this code), the allow-lists,
    the Markdown extensions and the versions of bleach (html5lib is vendored in it) and Markdown, whose upgrade
    may change the HTML (a sanitiser's fix is an upgrade). HTML stored under another fingerprint is made again."""
    from importlib.metadata import version

    parts = (
        sorted(DOCUMENT_TAGS),
        sorted((tag, sorted(names)) for tag, names in ATTRIBUTES.items()),
        sorted(PROTOCOLS),
        list(MARKDOWN_EXTENSIONS),
        version("bleach"),
        version("Markdown"),
    )
    return f"{RENDER_VERSION}.{hashlib.blake2b(repr(parts).encode(), digest_size=6).hexdigest()}"


def render_comment(text: str) -> Markup:
    return render_markdown(text, tags=COMMENT_TAGS)


def plain_text(text: str) -> str:
    """Markdown or HTML reduced to its text (for summaries, feeds and search snippets)."""
    html = markdown_lib.markdown(text or "", output_format="html")
    return unescape(bleach.clean(html, tags=set(), strip=True)).strip()
