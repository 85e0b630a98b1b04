"""An edition read as a book: everything its template needs, from the frozen contents and today's state.

The text always comes from the edition's frozen `contents`; only the notes about what happened since
(a newer revision of a practice, a practice withdrawn, a newer edition) look at the database, and those
notes never say more than the viewer may know: a practice that became a draft is "withdrawn", its current
title is not shown. The PDF (`for_pdf=True`) is the edition as published, without those notes, since it is
made once and kept.
"""
from __future__ import annotations

import re
from pathlib import Path

from flask import has_request_context, url_for
from markupsafe import Markup
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from network import permissions
from network.collections.models import KINDS, PUBLIC, CollectionEdition
from network.collections.services import essay_may_be_collected
from network.extensions import db
from network.sanitize import ATTRIBUTES, DOCUMENT_TAGS, clean_html

PRACTICE, ESSAY = "practice", "essay"
BOOK_CSS = Path(__file__).resolve().parent.parent / "static" / "css" / "book.css"

# Frozen sections start their own headings at h3 (network.sanitize shifts them); in the book a section is
# already an h4 under its item's h3, so what is inside goes two levels further down (h3 -> h5, capped at h6).
_HEADING = re.compile(r"<(/?)h([1-6])(\s|>)", re.IGNORECASE)


def _below_section(html: str) -> str:
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 2, 6)}{m.group(3)}", html)


_TAG = re.compile(r'<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:\s+[a-zA-Z-]+="[^"<>]*")*)\s*/?>')
_ATTRIBUTE = re.compile(r'\s+([a-zA-Z-]+)="([^"<>]*)"')
_SAFE_HREF = re.compile(r"^(?:https?://|mailto:|#|/(?!/))|^[^:]*$", re.IGNORECASE)


def _already_clean(html: str) -> bool:
    """True when every tag and attribute is one the sanitiser allows and every link is http(s), mailto or
    local: what clean_html() produced at publication. A regular-expression pass, a hundred times cheaper than
    cleaning again (bench/book.py); anything unexpected goes through clean_html()."""
    position = 0
    while (start := html.find("<", position)) != -1:
        match = _TAG.match(html, start)
        if match is None or match.group(2).lower() not in DOCUMENT_TAGS:
            return False
        tag = match.group(2).lower()
        for name, value in _ATTRIBUTE.findall(match.group(3)):
            if name.lower() not in ATTRIBUTES.get(tag, ()):
                return False
            # An entity could spell a scheme ("javascript&#58;"): only &amp; is expected in a clean link.
            if name.lower() == "href" and (not _SAFE_HREF.match(value) or "&" in value.replace("&amp;", "")):
                return False
        position = match.end()
    return True


def _safe(html: str | None) -> Markup:
    """Frozen HTML was cleaned when the edition was published; it is checked again here (defence in depth)
    and cleaned again when it holds anything the sanitiser would not have let through."""
    html = html or ""
    return Markup(html if _already_clean(html) else clean_html(html))


def _url(endpoint: str, **values) -> str | None:
    """A link for the web page; None outside a request (the PDF) or when the route does not exist."""
    if not has_request_context():
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def edition_url(collection_id: int, number: int) -> str | None:
    return _url("collections.edition", collection_id=collection_id, number=number)


def pdf_url(collection_id: int, number: int) -> str | None:
    return _url("collections.edition_pdf", collection_id=collection_id, number=number)


def _current_state(contents: dict) -> tuple[dict, dict, dict]:
    """Today's practices and essays named by the edition, and each practice's latest revision number.

    Three queries whatever the size of the book."""
    from network.essays.models import Essay
    from network.practices.models import Practice, PracticeRevision

    practice_ids, essay_ids = set(), set()
    for chapter in contents.get("chapters") or []:
        for item in chapter.get("items") or []:
            if item.get("id") is None:
                continue
            (essay_ids if item.get("kind") == ESSAY else practice_ids).add(item["id"])
    practices, latest, essays = {}, {}, {}
    if practice_ids:
        found = db.session.scalars(select(Practice).where(Practice.id.in_(practice_ids)))
        practices = {p.id: p for p in found}
        latest = dict(db.session.execute(
            select(PracticeRevision.practice_id, func.max(PracticeRevision.number))
            .where(PracticeRevision.practice_id.in_(practice_ids))
            .group_by(PracticeRevision.practice_id)).all())
    if essay_ids:
        essays = {e.id: e for e in db.session.scalars(select(Essay).where(Essay.id.in_(essay_ids)))}
    return practices, latest, essays


def _practice_withdrawn(practice, collection) -> bool:
    """Deleted, no longer published, or members-only now while the collection is public."""
    if practice is None or practice.status != "published":
        return True
    return collection.visibility == PUBLIC and practice.visibility != "public"


def _essay_withdrawn(essay) -> bool:
    """Deleted, no longer published, or now shown only to the evaluators (its author's choice)."""
    return not essay_may_be_collected(essay)


def _item(raw: dict, number: int, collection, viewer, state, for_pdf: bool) -> dict:
    practices, latest, essays = state
    anchor = f"item-{number}"
    item = dict(raw)
    item.update(
        number=number,
        anchor=anchor,
        kind=raw.get("kind") or PRACTICE,
        title=raw.get("title") or "",
        authors=list(raw.get("authors") or []),
        tags=list(raw.get("tags") or []),
        attachments=list(raw.get("attachments") or []),
        note_html=_safe(raw.get("note_html")) if raw.get("note_html") else None,
        sections=[
            dict(section, anchor=f"{anchor}-{section.get('name') or index}",
                 html=Markup(_below_section(str(_safe(section.get("html"))))))
            for index, section in enumerate(raw.get("sections") or [], start=1)
        ],
        withdrawn=False,
        newer_revision=False,
        current_url=None,
    )
    if for_pdf:
        return item  # the PDF is the edition as published: no notes about what happened since
    if item["kind"] == ESSAY:
        essay = essays.get(raw.get("id"))
        item["withdrawn"] = _essay_withdrawn(essay)
        if essay is not None and not item["withdrawn"] and permissions.can_view_essay(viewer, essay):
            item["current_url"] = _url("essays.show", essay_id=essay.id)
        return item
    practice = practices.get(raw.get("id"))
    item["withdrawn"] = _practice_withdrawn(practice, collection)
    if practice is None or item["withdrawn"]:
        return item
    frozen_revision = raw.get("revision")
    # That a practice changed since is harmless to say; what it now says is behind its own permission.
    item["newer_revision"] = frozen_revision is not None and (latest.get(practice.id) or 0) > frozen_revision
    if permissions.can_view_practice(viewer, practice):
        item["current_url"] = _url("practices.show", practice_id=practice.id)
    return item


def _tag_index(chapters: list[dict]) -> list[dict]:
    """Tag -> the items carrying it: tags alphabetically (ignoring case), items in book order."""
    index: dict[str, dict] = {}
    for chapter in chapters:
        for item in chapter["items"]:
            for tag in item["tags"]:
                entry = index.setdefault(tag.casefold(), {"tag": tag, "items": []})
                if not any(existing["anchor"] == item["anchor"] for existing in entry["items"]):
                    entry["items"].append({"title": item["title"], "anchor": item["anchor"],
                                           "number": item["number"]})
    return [index[key] for key in sorted(index)]


def _can_edit(viewer, collection) -> bool:
    return viewer is not None and permissions.can_edit_collection(viewer, collection)


def book_css() -> str:
    """The print stylesheet, inlined into the PDF's HTML so that WeasyPrint fetches nothing."""
    return BOOK_CSS.read_text(encoding="utf-8")


def book_context(edition: CollectionEdition, viewer=None, for_pdf: bool = False) -> dict:
    """Everything collections/book.html needs to show this edition (on the web, printed, or as the PDF)."""
    collection = edition.collection
    contents = edition.contents or {}
    state = _current_state(contents) if not for_pdf else ({}, {}, {})
    chapters, number = [], 0
    for position, raw_chapter in enumerate(contents.get("chapters") or [], start=1):
        items = []
        for raw in raw_chapter.get("items") or []:
            number += 1
            items.append(_item(raw, number, collection, viewer, state, for_pdf))
        title = raw_chapter.get("title")
        if title is None and not items and not raw_chapter.get("introduction_html"):
            continue  # the empty chapter of "items outside any chapter"
        chapters.append({
            "number": position,
            "title": title,
            "anchor": f"chapter-{position}",
            "introduction_html": _safe(raw_chapter.get("introduction_html"))
            if raw_chapter.get("introduction_html") else None,
            "items": items,
        })
    toc = [{"title": c["title"], "anchor": c["anchor"],
            "items": [{"title": i["title"], "anchor": i["anchor"], "number": i["number"]}
                      for i in c["items"]]}
           for c in chapters]
    editions = [{"number": e.number, "published_at": e.published_at, "is_current": e.id == edition.id,
                 "url": edition_url(collection.id, e.number)} for e in collection.editions]
    latest = collection.latest_edition
    kind = contents.get("kind") or collection.kind
    items = [item for chapter in chapters for item in chapter["items"]]
    return {
        "collection": collection,
        "edition": edition,
        "contents": contents,
        "book_title": contents.get("title") or collection.title,
        "book_language": contents.get("language") or collection.language or "en",
        "kind": kind,
        "kind_label": KINDS.get(kind, kind),
        "owner_name": contents.get("owner_name") or "",
        "introduction_html": _safe(contents.get("introduction_html")) if contents.get("introduction_html")
        else None,
        "chapters": chapters,
        "toc": toc,
        "items": items,
        "tag_index": _tag_index(chapters),
        "editions": editions,
        "newer_edition": latest if latest is not None and latest.number > edition.number else None,
        "newer_edition_url": edition_url(collection.id, latest.number)
        if latest is not None and latest.number > edition.number else None,
        "pdf_url": pdf_url(collection.id, edition.number),
        "collection_url": _url("collections.show", collection_id=collection.id),
        "can_edit": False if for_pdf else _can_edit(viewer, collection),
        "withdrawn_count": sum(1 for item in items if item["withdrawn"]),
        "newer_revision_count": sum(1 for item in items if item["newer_revision"]),
        "for_pdf": for_pdf,
        "book_css": book_css() if for_pdf else None,
    }
