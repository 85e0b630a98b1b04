"""Searching as a given person: their permissions become a filter, facets and paging come back ready
for the page and the API."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import get_locale

from network import permissions
from network.search import backend, documents
from network.search.sync import search_index

SORTS = ("relevance", "date")
FILTER_NAMES = ("type", "sector", "country", "language", "year", "institution")


@dataclass
class SearchRequest:
    q: str = ""
    type: str = ""
    sector: str = ""
    country: str = ""
    language: str = ""
    year: str = ""
    institution: str = ""
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20

    @classmethod
    def from_args(cls, args, max_per_page: int = 100) -> "SearchRequest":
        def text(name, limit=100):
            return (args.get(name) or "").strip()[:limit]

        request = cls(q=(args.get("q") or "")[: backend.MAX_QUERY_CHARS * 5],
                      **{name: text(name) for name in FILTER_NAMES})
        request.country = request.country.upper()
        request.language = request.language.lower()
        request.sort = text("sort") if text("sort") in SORTS else "relevance"
        request.page = _positive(args.get("page"), 1, 10_000)
        request.per_page = _positive(args.get("per_page"), 20, max_per_page)
        return request

    def filters(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in FILTER_NAMES if getattr(self, name)}


def _positive(value, default: int, maximum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return min(max(number, 1), maximum)


def permission_filter_for(user):
    """The index's coarse filter for this person, from what they are and hold now."""
    signed_in = getattr(user, "is_authenticated", False)
    member = permissions.is_member(user)
    own = getattr(user, "institution_id", None)
    return backend.permission_filter(
        anonymous=not signed_in,
        site_admin=permissions.is_site_admin(user),
        member=member,
        institution_id=own if member and permissions.belongs_to(user, own) else None,
        grants=permissions.search_grants(user),
    )


def search(user, request: SearchRequest) -> backend.Results:
    try:
        results = backend.run_search(
            search_index(), request.q, backend.Filters(values=request.filters(), allowed=permission_filter_for(user)),
            page=request.page, per_page=request.per_page, sort=request.sort, language=_reader_language(),
        )
    except Exception:
        # A broken index must never break the page: log it and, only if the index itself cannot be
        # read, start an empty one and queue everything (a search may fail for other reasons).
        current_app.logger.exception("Search failed")
        _recover()
        return backend.Results(total=0, hits=[], facets={}, suggestion=None)
    return _checked(user, results)


def _reader_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else ""


def _checked(user, results: backend.Results) -> backend.Results:
    """Every hit that is not public is asked about with the page's own rule (network.permissions) before it
    is shown: the index's filter decides the counts, but what a page of results shows cannot drift from what
    the pages allow (a document the indexer has not caught up with yet, a rule restated wrongly)."""
    if permissions.is_site_admin(user):
        return results
    restricted: dict[str, list[int]] = {}
    for hit in results.hits:
        if (hit.stored.get("status"), hit.stored.get("visibility")) != ("published", "public"):
            restricted.setdefault(hit.doc_type, []).append(hit.doc_id)
    if not restricted:
        return results
    allowed: set[tuple[str, int]] = set()
    for doc_type, ids in restricted.items():
        document_type = documents.get_type(doc_type)
        if document_type is not None:
            allowed |= {(doc_type, doc_id) for doc_id in document_type.visible_ids(user, ids)}
    refused = [hit for hit in results.hits
               if hit.doc_type in restricted and hit.doc_id in restricted[hit.doc_type]
               and (hit.doc_type, hit.doc_id) not in allowed]
    if not refused:
        return results
    current_app.logger.warning("Search: the index let through %d hit(s) the pages refuse: %s", len(refused),
                               ", ".join(f"{hit.doc_type}:{hit.doc_id}" for hit in refused))
    results.hits = [hit for hit in results.hits if hit not in refused]
    results.total = max(results.total - len(refused), len(results.hits))
    return results


def _recover() -> None:
    from network.search import sync

    index = search_index()
    index.close()
    if not index.readable():
        current_app.logger.warning("The search index at %s cannot be read: rebuilding it from the database",
                                   index.root)
        index.create_empty()
        sync.enqueue_all()


def type_labels() -> dict[str, str]:
    return {name: str(t.label) for name, t in documents.registered().items()}


def institution_names(results) -> dict[str, str]:
    """slug -> name for the institutions in the facet (the index keeps slugs, names can change), from the
    function the institutions feature registers (documents.register_facet_names)."""
    slugs = list((results.facets.get("institution") or {}).keys()) if results else []
    names_of = documents.facet_names("institution")
    return names_of(slugs) if slugs and names_of is not None else {}


@dataclass
class ResultGroup:
    """One entry of the results page: a hit, and the other language versions of it (a practice's translations)
    that the person may see (language, url), whether they matched or not. `folded` counts the hits of this page that
    are among those versions and so are not listed again."""

    hit: backend.Hit
    translations: list[tuple[str, str]] = field(default_factory=list)
    folded: int = 0


def group_translations(user, hits: list[backend.Hit]) -> list[ResultGroup]:
    """The page's hits, with the language versions of one document shown as one entry at the best-ranked of
    them. The index knows nothing of translations: each document type that has versions says which
    (DocumentType.versions, e.g. network/practices/search.py), with its own permission rule."""
    ids_by_type: dict[str, list[int]] = {}
    for hit in hits:
        ids_by_type.setdefault(hit.doc_type, []).append(hit.doc_id)
    versions_of: dict[tuple[str, int], tuple[int, list[tuple[int, str, str]]]] = {}
    for doc_type, ids in ids_by_type.items():
        document_type = documents.get_type(doc_type)
        if document_type is not None and document_type.versions is not None:
            for doc_id, entry in document_type.versions(user, ids).items():
                versions_of[(doc_type, doc_id)] = entry
    groups: list[ResultGroup] = []
    shown: dict[tuple[str, int], ResultGroup] = {}
    for hit in hits:
        entry = versions_of.get((hit.doc_type, hit.doc_id))
        if entry is None:
            groups.append(ResultGroup(hit))
            continue
        root, versions = entry
        if (hit.doc_type, root) in shown:
            shown[(hit.doc_type, root)].folded += 1
        else:
            group = ResultGroup(hit, [(language, url) for version, language, url in versions if version != hit.doc_id])
            shown[(hit.doc_type, root)] = group
            groups.append(group)
    return groups
