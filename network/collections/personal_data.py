"""What collections hold about a person (see network/auth/personal_data.py).

Collections belong to their institution or partnership: what the person created, added, wrote in notes or
published stays, shown as by a former member. Being one of a collection's editors is theirs, and goes.
A published edition is frozen, and stays; the name it printed for the person's practices and essays
becomes "former member" (in the edition's language), and its PDF is made again the next time it is asked
for. Their essays that are erased (network.essays.personal_data) leave the collections holding them.
"""
from __future__ import annotations

import copy

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import delete, select

from network.collections.models import Collection, CollectionEdition, CollectionEditor, CollectionItem
from network.essays import personal_data as essays_data
from network.extensions import db
from network.practices.models import PracticeAuthor

TABLES = {
    "collections": "exported (those they created); kept, creator emptied",
    "collection_editors": "exported (collections they edit, editors they added); their editor rights erased; "
                          "editors they added kept",
    "collection_items": "exported (items they added, with their notes); kept, shown as added by a former "
                        "member (items holding their erased essays go with those)",
    "collection_editions": "exported (editions they published); kept, publisher emptied; the name printed for "
                           "their practices and essays becomes former member",
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export(user) -> dict:
    created = db.session.scalars(select(Collection).where(Collection.created_by_id == user.id)
                                 .order_by(Collection.created_at, Collection.id))
    editing = db.session.scalars(select(CollectionEditor).where(CollectionEditor.user_id == user.id)
                                 .order_by(CollectionEditor.added_at))
    added_editors = db.session.scalars(select(CollectionEditor).where(CollectionEditor.added_by_id == user.id)
                                       .order_by(CollectionEditor.added_at))
    items = db.session.scalars(select(CollectionItem).where(CollectionItem.added_by_id == user.id)
                               .order_by(CollectionItem.added_at, CollectionItem.id))
    editions = db.session.scalars(select(CollectionEdition).where(CollectionEdition.published_by_id == user.id)
                                  .order_by(CollectionEdition.published_at, CollectionEdition.id))
    return {
        "created": [{"collection_id": c.id, "title": c.title, "created_at": _iso(c.created_at)} for c in created],
        "editor_of": [{"collection_id": e.collection_id, "title": e.collection.title, "since": _iso(e.added_at)}
                      for e in editing],
        "editors_added": [{"collection_id": e.collection_id, "at": _iso(e.added_at)} for e in added_editors],
        "items_added": [{"collection_id": i.collection_id, "practice_id": i.practice_id, "essay_id": i.essay_id,
                         "note": i.note, "at": _iso(i.added_at)} for i in items],
        "editions_published": [{"collection_id": e.collection_id, "number": e.number,
                                "published_at": _iso(e.published_at)} for e in editions],
    }


def _former_member(language: str | None) -> str:
    """As freeze_contents writes it: in the edition's language when the interface speaks it."""
    config = current_app.config
    with force_locale(language if language in config["SUPPORTED_LOCALES"] else config["BABEL_DEFAULT_LOCALE"]):
        return _("former member")


def _unname_editions(user) -> list[CollectionEdition]:
    """The editions naming the person as the author of a practice or essay they hold, with the name replaced."""
    practice_ids = set(db.session.scalars(select(PracticeAuthor.practice_id).where(PracticeAuthor.user_id == user.id)))
    essay_ids = {essay.id for essay in essays_data.essays_of(user)}
    if not user.name or not (practice_ids or essay_ids):
        return []
    changed = []
    for edition in db.session.scalars(select(CollectionEdition).order_by(CollectionEdition.id)):
        contents = copy.deepcopy(edition.contents or {})
        replacement, touched = None, False
        for chapter in contents.get("chapters") or []:
            for item in chapter.get("items") or []:
                theirs = practice_ids if item.get("kind", "practice") == "practice" else essay_ids
                if item.get("id") in theirs and user.name in (item.get("authors") or []):
                    replacement = replacement or _former_member(contents.get("language"))
                    item["authors"] = [replacement if name == user.name else name for name in item["authors"]]
                    touched = True
        if touched:
            edition.contents = contents
            changed.append(edition)
    return changed


def erase(user) -> None:
    from network.auth.services import after_account_deletion
    from network.collections import pdf
    from network.collections.services import _let_go

    editions = _unname_editions(user)
    stale_pdfs = [pdf.pdf_path(edition) for edition in editions]
    if stale_pdfs:
        after_account_deletion(lambda: [path.unlink(missing_ok=True) for path in stale_pdfs])
    erased = [essay.id for essay in essays_data.essays_of(user) if not essays_data.stays(essay)]
    if erased:  # as remove_item does it
        _let_go(list(db.session.scalars(select(CollectionItem).where(CollectionItem.essay_id.in_(erased)))))
    db.session.execute(delete(CollectionEditor).where(CollectionEditor.user_id == user.id))
