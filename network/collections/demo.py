"""The demo step of collections (seed-demo): the partnership's published "Manual of family and community
resources" (15 public practices in three chapters, edition 1) and a members-only toolbox of activities that is
still being edited (no edition), from demo_data/manual.toml and demo_data/toolbox.toml. Made through
network.collections.services, as editors would; a collection that already exists (matched by its title and
owner) is left as it is, so running seed-demo again adds nothing and keeps what people changed in the demo."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from network.auth.models import User
from network.collections import services as collections
from network.collections.models import Collection
from network.demo import PARTNERSHIP_REFERENCE, DemoDataError, check_fields, read_data
from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.practices.models import Practice

DATA = Path(__file__).with_name("demo_data")
FILES = ("manual.toml", "toolbox.toml")  # in the order they are made
OWNERS = ("partnership", "institution")  # the demo partnership, or the editor's institution

COLLECTION = {"title": str, "kind": str, "visibility": str, "language": str, "owner": str, "editor": str,
              "introduction": str, "chapters": list[dict]}
CHAPTER = {"title": str, "items": list[dict]}
ITEM = {"practice": str}  # a demo practice's external_ref (network/practices/demo_data/<ref>.toml)


@cache
def load(folder: Path = DATA) -> list[dict]:
    """The demo collections: their fields, editor (email), owner, publish, and chapters as (title,
    introduction, [(practice external_ref, editor's note)]); DemoDataError names a missing or malformed file."""
    found = []
    for name in FILES:
        path = str(folder / name)
        record = check_fields(read_data(folder, name), path, COLLECTION, {"publish": bool})
        if record["owner"] not in OWNERS:
            raise DemoDataError(f"{path}: owner should be one of {', '.join(OWNERS)}")
        chapters = []
        for number, chapter in enumerate(record["chapters"], start=1):
            where = f"{path}, chapter {number}"
            check_fields(chapter, where, CHAPTER, {"introduction": str})
            items = [check_fields(item, f"{where}, item {n}", ITEM, {"note": str})
                     for n, item in enumerate(chapter["items"], start=1)]
            chapters.append((chapter["title"], chapter.get("introduction", ""),
                             [(item["practice"], item.get("note", "")) for item in items]))
        found.append({**record, "publish": record.get("publish", False), "chapters": chapters})
    return found


def __getattr__(name: str):
    """MANUAL_TITLE and TOOLBOX_TITLE, read from demo_data/ when first asked for."""
    titles = {"MANUAL_TITLE": "manual.toml", "TOOLBOX_TITLE": "toolbox.toml"}
    if name in titles:
        return load()[FILES.index(titles[name])]["title"]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _practices(refs) -> dict[str, Practice]:
    query = select(Practice).where(Practice.external_ref.in_(refs))
    return {p.external_ref: p for p in db.session.scalars(query)}


def _exists(title: str, owner) -> bool:
    owner_column = Collection.institution_id if isinstance(owner, Institution) else Collection.partnership_id
    query = select(Collection.id).where(Collection.title == title, owner_column == owner.id)
    return db.session.scalar(query) is not None


def _fill(editor, collection: Collection, chapters) -> None:
    refs = [ref for _title, _intro, items in chapters for ref, _note in items]
    by_ref = _practices(refs)
    for title, introduction, items in chapters:
        chapter = collections.add_chapter(editor, collection, title, introduction)
        for ref, note in items:
            practice = by_ref.get(ref)
            if practice is not None:
                collections.add_item(editor, collection, practice_id=practice.id, chapter_id=chapter.id,
                                     note=note)


def seed() -> dict[str, int]:
    """Create the demo collections that are missing; return how many were added.

    Needs the demo partnership, the editors (its coordinator, the Sevilla admin) and the demo practices."""
    demo_collections = load()
    added = {"collections": 0}
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    editors = {spec["editor"]: _user(spec["editor"]) for spec in demo_collections}
    if partnership is None or None in editors.values():
        return added
    # The PDF of the demo edition is made when someone first asks for it, not by seed-demo (a command
    # that ends at once would leave a half-started background build).
    config = current_app.config
    builder = config.get("COLLECTIONS_PDF_BUILDER")
    config["COLLECTIONS_PDF_BUILDER"] = "off"
    try:
        for spec in demo_collections:
            editor = editors[spec["editor"]]
            owner = partnership if spec["owner"] == "partnership" else editor.institution
            if owner is None or _exists(spec["title"], owner):
                continue
            collection = collections.create_collection(editor, collections.CollectionData(
                title=spec["title"], introduction=spec["introduction"], kind=spec["kind"],
                visibility=spec["visibility"], language=spec["language"], owner=collections.owner_key(owner)))
            _fill(editor, collection, spec["chapters"])
            if spec["publish"]:
                collections.publish_edition(editor, collection)
            added["collections"] += 1
    finally:
        if builder is None:
            config.pop("COLLECTIONS_PDF_BUILDER", None)
        else:
            config["COLLECTIONS_PDF_BUILDER"] = builder
    return added
