"""How things become search documents. Each feature package registers its own document type here
(see network/practices/search.py), so the search package knows no feature's models."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable

from sqlalchemy import select

from network.extensions import db


@dataclass
class SearchDocument:
    """What the index holds about one object, whatever its type."""

    doc_type: str
    doc_id: int
    title: str
    url: str
    summary: str = ""
    body: str = ""
    tags: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    intervention_types: list[str] = field(default_factory=list)
    country: str = ""
    language: str = ""
    institution: str = ""  # slug
    institution_id: int | None = None
    partnership_id: int | None = None
    date: datetime | None = None
    # Permission filtering: who may see it is decided from these, with the same rules as the pages.
    status: str = "published"
    visibility: str = "public"  # "public", "members", or "restricted": only the viewers below (and the
    # members of institution_id) find it
    # The audience of a restricted document, as network.permissions' *_audience tokens ("user:<id>",
    # "institution:<id>", "admin-of:<id>", "coordinator-of:<id>", "role:<role>"): they name the document's
    # own people and institutions, never the holders of a role, so they cannot go stale when roles change.
    viewers: list[str] = field(default_factory=list)
    # Words the document is found by without showing them: the names of its kind, sectors and country in
    # every interface language (label_words), so that "hosting" finds hosting offers and "Spagna" Spain's;
    # a loader may add words of its own type (an event's kind in every language).
    labels: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.doc_type}:{self.doc_id}"


@dataclass
class DocumentType:
    """A registered kind of document.

    name:     short type name ("practice"), also the tab on the results page
    model:    the SQLAlchemy class whose changes are indexed
    load:     id -> SearchDocument, or None when the object is gone or must not be indexed
    all_ids:  every id to index on a full rebuild
    watch:    model classes whose changes also touch this type (e.g. a practice's tags), as
              (class, function(obj) -> ids of this type to re-index)
    may_view: (user, object) -> bool, the page's own rule (network.permissions): every hit that is not
              public is checked with it before it is shown (visible_ids)
    versions: (user, ids) -> {id: (root id, [(version id, language, url)])}: the other language versions of
              each, that this person may see, so that a page of results shows them as one entry
    """

    name: str
    label: Any
    model: type
    load: Callable[[int], SearchDocument | None]
    all_ids: Callable[[], Iterable[int]]
    watch: list[tuple[type, Callable[[Any], Iterable[int]]]] = field(default_factory=list)
    may_view: Callable[[Any, Any], bool] | None = None
    versions: Callable[[Any, list[int]], dict[int, tuple[int, list[tuple[int, str, str]]]]] | None = None

    def visible_ids(self, user, ids: list[int]) -> set[int]:
        """The ids among these whose objects the person may see by may_view (none without a rule)."""
        if self.may_view is None:
            return set()
        rows = db.session.scalars(select(self.model).where(self.model.id.in_(ids)))
        return {row.id for row in rows if self.may_view(user, row)}


_types: dict[str, DocumentType] = {}


def register(*document_types: DocumentType) -> None:
    """Called by each feature's plug with its DOCUMENT_TYPES (network.FEATURES)."""
    for document_type in document_types:
        _types[document_type.name] = document_type


def registered() -> dict[str, DocumentType]:
    return dict(_types)


def get_type(name: str) -> DocumentType | None:
    return _types.get(name)


# Facet values the index keeps as codes that a feature names (an institution's slug -> its name, now).
_facet_names: dict[str, Callable[[list[str]], dict[str, str]]] = {}


def register_facet_names(facet: str, names_of: Callable[[list[str]], dict[str, str]]) -> None:
    _facet_names[facet] = names_of


def facet_names(facet: str) -> Callable[[list[str]], dict[str, str]] | None:
    return _facet_names.get(facet)


def label_words(document: SearchDocument, languages) -> list[str]:
    """The names of the document's kind, sectors and country in each of these interface languages."""
    from flask_babel import force_locale

    from network import labels

    document_type = get_type(document.doc_type)
    words: list[str] = []
    for code in languages:
        with force_locale(code):
            if document_type is not None:
                words.append(str(document_type.label))
            words += [labels.sector_label(sector) for sector in document.sectors]
            if document.country:
                words.append(labels.country_name(document.country))
    return list(dict.fromkeys(words))
