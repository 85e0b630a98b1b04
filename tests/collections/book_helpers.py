"""A hand-built edition for the book and PDF tests: models made directly, contents as publishing freezes."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from network.collections.models import MEMBERS, PUBLIC, Collection, CollectionEdition
from network.extensions import db
from network.practices.models import PracticeRevision

SECTION_HEADINGS = {"context": "Context and framework", "target_group": "Target group",
                    "methods": "Methods and activities", "outcomes": "Outcomes and evidence"}


def frozen_item(practice, *, tags=None, note_html="", attachments=None, sections=None) -> dict:
    revision = db.session.scalar(select(func.max(PracticeRevision.number))
                                 .where(PracticeRevision.practice_id == practice.id))
    return {
        "kind": "practice", "id": practice.id, "revision": revision, "title": practice.title,
        "summary": practice.summary, "country": practice.country, "language": practice.language,
        "institution": practice.institution.name, "authors": ["Ana Pérez", "Ion Popescu"],
        "sections": sections if sections is not None else [
            {"name": name, "heading": heading,
             "html": f"<p>{heading} of {practice.title}.</p><h3>Details</h3><p>More about it.</p>"}
            for name, heading in SECTION_HEADINGS.items()],
        "attachments": attachments if attachments is not None else [],
        "tags": tags if tags is not None else list(practice.tag_names),
        "note_html": note_html,
    }


def make_edition(institution, chapters, *, title="Manual of family resources", visibility=PUBLIC, number=1,
                 introduction_html="<p>Why this manual exists.</p>", collection=None) -> CollectionEdition:
    """chapters: [(title or None, introduction_html, [frozen_item, ...]), ...]"""
    if collection is None:
        collection = Collection(title=title, kind="manual", visibility=visibility, language="en",
                                institution_id=institution.id, introduction="Why this manual exists.")
        db.session.add(collection)
        db.session.flush()
    contents = {
        "title": title, "introduction_html": introduction_html, "kind": "manual", "language": "en",
        "owner_name": institution.name,
        "chapters": [{"title": t, "introduction_html": intro, "items": items}
                     for t, intro, items in chapters],
    }
    edition = CollectionEdition(collection_id=collection.id, number=number, contents=contents,
                                published_at=datetime(2026, 11, number, 10, 0, tzinfo=timezone.utc))
    db.session.add(edition)
    db.session.commit()
    return edition


__all__ = ["MEMBERS", "PUBLIC", "frozen_item", "make_edition"]
