"""Whoosh, and only here: the schema, the language analysis, opening and swapping the index, writing
batches, and running queries. Swapping the engine means rewriting this one module.

Multilingual design: each document is analysed in its own language (a title_<lang>/body_<lang> field
pair per language Whoosh can stem), and also without stemming in title_plain/body_plain (the fallback for
languages Whoosh cannot stem, and exact words for all). A query word is analysed once per language field,
so "familias" finds a Spanish "familia" (Spanish stem) and "families" an English "family". Every
analyser folds accents, so "intervencion" finds "intervención".
"""
from __future__ import annotations

import logging
import re
import shutil
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import scoring, sorting
from whoosh.analysis import CharsetFilter, LanguageAnalyzer, LowercaseFilter, RegexTokenizer
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text
from whoosh.lang import has_stemmer, has_stopwords, stopwords_for_language
from whoosh.support.charset import accent_map

from network.search.documents import SearchDocument

log = logging.getLogger(__name__)

# Languages Whoosh stems (Snowball) that the network writes in or may: each gets its own field pair.
STEMMED_LANGUAGES = tuple(
    code for code in ("en", "es", "fr", "it", "pt", "ro", "fi", "da", "de", "nl", "sv", "no", "hu")
    if has_stemmer(code)
)
TITLE_BOOST, TAG_BOOST, BODY_BOOST = 3.0, 2.5, 1.0
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 16
MIN_PREFIX_CHARS = 4  # "fami*" and longer; shorter prefixes expand to too many terms
MAX_PREFIX_TERMS = 50
SNIPPET_SOURCE_CHARS = 4000
# BM25F; a tag list is short and often empty, so its length must not weaken a tag match.
WEIGHTING = scoring.BM25F(tags_B=0, tags_text_B=0)
FACET_FIELDS = ("type", "sector", "country", "language", "year", "institution")


def _plain_analyzer():
    # Words of any script, lower case, accents folded; no stemming and no stop words.
    return RegexTokenizer(r"\w+(?:[-']\w+)*") | LowercaseFilter() | CharsetFilter(accent_map)


def _language_analyzer(code: str):
    return LanguageAnalyzer(code) | CharsetFilter(accent_map)


def build_schema() -> Schema:
    fields = {
        "key": ID(unique=True, stored=True),
        "type": ID(stored=True, sortable=True),
        "doc_id": STORED(),
        "title_stored": STORED(),
        "url": STORED(),
        "snippet_source": STORED(),
        "language": ID(stored=True, sortable=True),
        "country": ID(stored=True, sortable=True),
        "institution": ID(stored=True, sortable=True),
        "institution_id": ID(stored=True),
        "partnership": ID(stored=True),
        "year": ID(stored=True, sortable=True),
        "date": DATETIME(stored=True, sortable=True),
        "sector": KEYWORD(stored=True, commas=True),
        "intervention_type": KEYWORD(stored=True, commas=True),
        "tags": KEYWORD(stored=True, commas=True, lowercase=True, scorable=True, field_boost=TAG_BOOST),
        # The tags' words, so "groups" finds the tag "interfamily groups".
        "tags_text": TEXT(analyzer=_plain_analyzer(), field_boost=TAG_BOOST, phrase=False),
        "status": ID(stored=True),
        "visibility": ID(stored=True),
        "title_plain": TEXT(analyzer=_plain_analyzer(), field_boost=TITLE_BOOST, phrase=True),
        "body_plain": TEXT(analyzer=_plain_analyzer(), field_boost=BODY_BOOST, phrase=True),
    }
    for code in STEMMED_LANGUAGES:
        fields[f"title_{code}"] = TEXT(analyzer=_language_analyzer(code), field_boost=TITLE_BOOST, phrase=False)
        fields[f"body_{code}"] = TEXT(analyzer=_language_analyzer(code), field_boost=BODY_BOOST, phrase=False)
    return Schema(**fields)


def fold(text: str) -> str:
    """Lower case without accents, for comparisons outside Whoosh."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _clean_text(text: str) -> str:
    # Control characters (people paste them) would only disturb tokenising and highlighting.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", " ", text or "")


def to_fields(document: SearchDocument) -> dict:
    title = _clean_text(document.title)
    body = _clean_text("\n\n".join(part for part in (document.summary, document.body) if part))
    values = {
        "key": document.key,
        "type": document.doc_type,
        "doc_id": document.doc_id,
        "title_stored": title,
        "url": document.url,
        "snippet_source": body[:SNIPPET_SOURCE_CHARS],
        "language": document.language or "",
        "country": document.country or "",
        "institution": document.institution or "",
        "institution_id": str(document.institution_id or ""),
        "partnership": str(document.partnership_id or ""),
        "sector": ",".join(document.sectors),
        "intervention_type": ",".join(document.intervention_types),
        "tags": ",".join(fold(t).replace(",", " ") for t in document.tags),
        "tags_text": " ".join(document.tags),
        "status": document.status,
        "visibility": document.visibility,
        "title_plain": title,
        "body_plain": body,
    }
    if document.date is not None:
        date = document.date if document.date.tzinfo is None else document.date.astimezone(timezone.utc).replace(tzinfo=None)
        values["date"] = date
        values["year"] = str(date.year)
    if document.language in STEMMED_LANGUAGES:
        values[f"title_{document.language}"] = title
        values[f"body_{document.language}"] = body
    return values


# --- the index on disk ------------------------------------------------------------------------------
# <root>/CURRENT names the live index folder; a rebuild fills a new folder and then swaps the name,
# so searching goes on during a rebuild.


class SearchIndex:
    def __init__(self, root: str | Path, on_recreate=None):
        self.root = Path(root)
        # Called after an empty index replaced a lost one (the application queues every document).
        self.on_recreate = on_recreate
        self._lock = threading.Lock()
        self._searcher = None
        self._searcher_dir = None

    # where the live index is
    def _current_dir(self) -> Path | None:
        pointer = self.root / "CURRENT"
        try:
            name = pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return self.root / name if name else None

    def _point_to(self, folder: Path) -> None:
        temporary = self.root / "CURRENT.tmp"
        temporary.write_text(folder.name)
        temporary.replace(self.root / "CURRENT")

    def set_rebuilding(self, on: bool) -> None:
        marker = self.root / "REBUILDING"
        if on:
            self.root.mkdir(parents=True, exist_ok=True)
            marker.write_text(str(time.time()))
        else:
            marker.unlink(missing_ok=True)

    @property
    def rebuilding(self) -> bool:
        marker = self.root / "REBUILDING"
        try:
            started = float(marker.read_text())
        except (FileNotFoundError, ValueError):
            return False
        return time.time() - started < 6 * 3600  # a rebuild that died long ago does not block forever

    def exists(self) -> bool:
        folder = self._current_dir()
        return folder is not None and whoosh_index.exists_in(str(folder))

    def create_empty(self) -> None:
        """A new empty live index (used when none exists or the old one cannot be read)."""
        folder = self.new_folder()
        whoosh_index.create_in(str(folder), build_schema())
        self.swap_to(folder)

    def new_folder(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / f"index-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        folder.mkdir()
        return folder

    def swap_to(self, folder: Path) -> None:
        old = self._current_dir()
        self._point_to(folder)
        if old is not None and old != folder:
            # Readers may still hold files of the old index open; on POSIX removing them is safe.
            shutil.rmtree(old, ignore_errors=True)

    def open(self):
        folder = self._current_dir()
        if folder is None:
            raise FileNotFoundError(f"no search index under {self.root}")
        return whoosh_index.open_dir(str(folder))

    def open_or_create(self):
        try:
            return self.open()
        except Exception as error:  # missing, half-written or unreadable: start afresh, loudly
            log.warning("Search index at %s is missing or unreadable (%s); creating an empty one. "
                        "Run `flask --app network search reindex` (the worker also refills it).", self.root, error)
            self.create_empty()
            if self.on_recreate is not None:
                self.on_recreate()
            return self.open()

    # writing
    def write(self, upserts: list[SearchDocument], deletions: list[str], folder: Path | None = None,
              timeout: float = 30.0) -> None:
        """Apply one batch and commit once. Only the indexer calls this (one writer at a time)."""
        ix = whoosh_index.open_dir(str(folder)) if folder is not None else self.open_or_create()
        writer = ix.writer(timeout=timeout)
        try:
            for key in deletions:
                writer.delete_by_term("key", key)
            for document in upserts:
                writer.update_document(**to_fields(document))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def bulk_writer(self, folder: Path):
        """A writer for a fresh index being rebuilt: several processes' worth of memory, one commit."""
        ix = whoosh_index.create_in(str(folder), build_schema())
        return ix.writer(limitmb=256, procs=1)

    def document_count(self) -> int:
        with self.open().searcher() as searcher:
            return searcher.doc_count()

    def stored_keys(self) -> dict[str, datetime | None]:
        """key -> indexed date of every document (for `search check`)."""
        with self.open().searcher() as searcher:
            return {fields["key"]: fields.get("date") for fields in searcher.all_stored_fields()}

    # reading
    def searcher(self):
        """This process's long-lived searcher, refreshed when the index changed (cheap when it did not)."""
        with self._lock:
            folder = self._current_dir()
            if self._searcher is None or folder != self._searcher_dir:
                if self._searcher is not None:
                    self._searcher.close()
                self._searcher = self.open_or_create().searcher(weighting=WEIGHTING)
                self._searcher_dir = self._current_dir()
            else:
                self._searcher = self._searcher.refresh()
            return self._searcher

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None


# --- queries ---------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:[-']\w+)*\*?", re.UNICODE)
_PHRASE = re.compile(r'"([^"]+)"')


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.words or self.prefixes or self.phrases)


def parse_user_query(text: str) -> ParsedQuery:
    """Words, quoted phrases and trailing-star prefixes from what a person typed; everything else is
    ignored, so no input can produce a syntax error or an expensive query."""
    text = _clean_text(text or "")[:MAX_QUERY_CHARS]
    parsed = ParsedQuery()
    for phrase in _PHRASE.findall(text):
        words = [fold(w) for w in _WORD.findall(phrase.replace("*", " "))]
        if len(words) > 1:
            parsed.phrases.append(words[:MAX_QUERY_WORDS])
    for token in _WORD.findall(text.replace('"', " "))[:MAX_QUERY_WORDS]:
        if token.endswith("*"):
            stem = fold(token.rstrip("*"))
            if len(stem) >= MIN_PREFIX_CHARS:
                parsed.prefixes.append(stem)
            elif stem:
                parsed.words.append(stem)
        else:
            parsed.words.append(token)
    parsed.words = list(dict.fromkeys(parsed.words))
    return parsed


def _analyse(fieldname: str, word: str, schema: Schema) -> list[str]:
    analyzer = schema[fieldname].analyzer
    return [token.text for token in analyzer(word, mode="query")]


def _stop_words() -> frozenset[str]:
    words = set()
    for code in STEMMED_LANGUAGES:
        if has_stopwords(code):
            words.update(fold(w) for w in stopwords_for_language(code))
    return frozenset(words)


STOP_WORDS = _stop_words()


def _word_query(word: str, schema: Schema, keep_stop_words: bool = False) -> Q.Query | None:
    alternatives = []
    # The unstemmed fields keep every word for phrases; a query word that is a stop word in any of the
    # network's languages ("de", "and", "we") would match nearly everything there, so it is not asked.
    plain = keep_stop_words or fold(word) not in STOP_WORDS
    for base in ("title", "body"):
        for term in _analyse(f"{base}_plain", word, schema) if plain else ():
            alternatives.append(Q.Term(f"{base}_plain", term))
        for code in STEMMED_LANGUAGES:
            for term in dict.fromkeys(_analyse(f"{base}_{code}", word, schema)):
                alternatives.append(Q.Term(f"{base}_{code}", term))
    folded = fold(word)
    if folded and plain:
        alternatives.append(Q.Term("tags", folded))
        for term in _analyse("tags_text", word, schema):
            alternatives.append(Q.Term("tags_text", term))
    # A plain Or: Whoosh 2.7.4's DisjunctionMax matcher mixes up scores of different documents.
    return Q.Or(alternatives) if alternatives else None


def _prefix_query(prefix: str, searcher) -> Q.Query | None:
    """Bounded expansion: at most MAX_PREFIX_TERMS words per field, whatever the index size."""
    terms = []
    for fieldname in ("title_plain", "body_plain"):
        for n, term in enumerate(searcher.reader().expand_prefix(fieldname, prefix)):
            if n >= MAX_PREFIX_TERMS:
                break
            terms.append(Q.Term(fieldname, term.decode("utf-8") if isinstance(term, bytes) else term))
    return Q.Or(terms) if terms else None


def build_query(parsed: ParsedQuery, searcher) -> Q.Query | None:
    schema = searcher.schema
    only_stop_words = all(fold(w) in STOP_WORDS for w in parsed.words)
    parts = [q for q in (_word_query(w, schema, only_stop_words) for w in parsed.words) if q is not None]
    parts += [q for q in (_prefix_query(p, searcher) for p in parsed.prefixes) if q is not None]
    required = []
    for words in parsed.phrases:
        required.append(Q.Or([Q.Phrase("title_plain", words), Q.Phrase("body_plain", words)]))
    plain_words = [fold(w) for w in parsed.words]
    if len(plain_words) > 1 and not parsed.phrases:
        # Words next to each other in the order typed count extra: a phrase beats scattered words.
        parts.append(Q.Or([Q.Phrase("title_plain", plain_words, boost=2.0),
                           Q.Phrase("body_plain", plain_words, boost=2.0)]))
    if not parts and not required:
        return None
    # Any word may match; the more words a document has, the higher it ranks (coordination bonus).
    optional = Q.Or(parts, scale=0.9) if parts else None
    if required:
        return Q.And(required + ([optional] if optional is not None else [])) if optional else Q.And(required)
    return optional


@dataclass
class Filters:
    """Exact-value filters (facets) and who is asking."""

    values: dict[str, str] = field(default_factory=dict)  # facet field -> value
    allowed: Q.Query | None = None  # permission filter, from permission_filter()


def permission_filter(anonymous: bool, site_admin: bool, member: bool, institution_id: int | None):
    """The same rules as network.permissions.can_view_practice, for every document type."""
    if site_admin:
        return None
    published_public = Q.And([Q.Term("status", "published"), Q.Term("visibility", "public")])
    if anonymous or not member:
        return published_public
    published = Q.Term("status", "published")
    if institution_id:
        return Q.Or([published, Q.Term("institution_id", str(institution_id))])
    return published


@dataclass
class Hit:
    doc_type: str
    doc_id: int
    title: str
    url: str
    snippet: str  # HTML: escaped text with <mark> around matches
    score: float
    language: str
    date: datetime | None
    stored: dict


@dataclass
class Results:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None


class _Marker(HtmlFormatter):
    """<mark>word</mark> around each match; Whoosh escapes the text around it."""

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text, token, replace=False):
        return f"<mark>{self._text(get_text(text, token, replace))}</mark>"


def _combine(*queries):
    present = [q for q in queries if q is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else Q.And(present)


def run_search(index: SearchIndex, text: str, filters: Filters, page: int = 1, per_page: int = 20,
               sort: str = "relevance") -> Results:
    searcher = index.searcher()
    parsed = parse_user_query(text)
    query = build_query(parsed, searcher) if not parsed.empty else None
    if query is None:
        query = Q.Every()  # no words: browse everything visible, newest first
        sort = "date" if sort == "relevance" else sort
    value_filters = {name: Q.Term(name, value) for name, value in filters.values.items() if value}
    restrict = _combine(filters.allowed, *value_filters.values())
    sortedby = None
    if sort == "date":
        sortedby = sorting.FieldFacet("date", reverse=True)
    limit = page * per_page
    own_facets, other_facets = _facet_plan(filters)
    results = searcher.search(query, filter=restrict, limit=limit, sortedby=sortedby, terms=True,
                              groupedby=own_facets or None)
    total = len(results)
    hits = []
    fragmenter = ContextFragmenter(maxchars=220, surround=60)
    for hit in results[(page - 1) * per_page: page * per_page]:
        stored = hit.fields()
        language = stored.get("language", "")
        highlight_field = f"body_{language}" if language in STEMMED_LANGUAGES else "body_plain"
        results.fragmenter = fragmenter
        results.formatter = _Marker()
        snippet = hit.highlights(highlight_field, text=stored.get("snippet_source", ""), top=2)
        if not snippet and highlight_field != "body_plain":
            snippet = hit.highlights("body_plain", text=stored.get("snippet_source", ""), top=2)
        if not snippet:
            from markupsafe import escape

            snippet = str(escape(stored.get("snippet_source", "")[:220]))
        hits.append(Hit(
            doc_type=stored["type"], doc_id=int(stored["doc_id"]), title=stored.get("title_stored", ""),
            url=stored.get("url", ""), snippet=snippet, score=float(hit.score or 0.0), language=language,
            date=stored.get("date"), stored=stored,
        ))
    facets = {name: _counts(results, name) for name in own_facets}
    facets.update(facet_counts(searcher, query, filters, other_facets))
    suggestion = None
    if total < 3 and parsed.words:
        suggestion = spelling_suggestion(searcher, parsed.words)
        if suggestion is not None:
            # Offered only when it finds more than what was typed.
            better = build_query(parse_user_query(suggestion), searcher)
            if better is None or len(searcher.search(better, filter=restrict, limit=1)) <= total:
                suggestion = None
    return Results(total=total, hits=hits, facets=facets, suggestion=suggestion)


def _facet(name: str):
    # A document has several sectors: it counts once under each.
    return sorting.FieldFacet(name, allow_overlap=name == "sector", maptype=sorting.Count)


def _facet_plan(filters: Filters) -> tuple[dict, list[str]]:
    """Facets without a chosen value are counted on the main search itself; a facet with a chosen value
    needs its own search without that choice (so its other values still show their counts)."""
    active = {name for name, value in filters.values.items() if value and name in FACET_FIELDS}
    own = {name: _facet(name) for name in FACET_FIELDS if name not in active}
    return own, sorted(active)


def _counts(results, name: str) -> dict[str, int]:
    return {key: value for key, value in results.groups(name).items() if key}


def facet_counts(searcher, query, filters: Filters, names) -> dict[str, dict[str, int]]:
    """Counts for facets that have a chosen value: one search each, with the other filters only.
    Counted inside the permission filter, so the counts never reveal what the person may not see."""
    counts: dict[str, dict[str, int]] = {}
    for name in names:
        others = [Q.Term(k, v) for k, v in filters.values.items() if v and k != name]
        restrict = _combine(filters.allowed, *others)
        results = searcher.search(query, filter=restrict, limit=1, groupedby={name: _facet(name)})
        counts[name] = _counts(results, name)
    return counts


def spelling_suggestion(searcher, words: list[str]) -> str | None:
    """"Did you mean": each word replaced by the closest word of the index when it is not in it."""
    corrector = searcher.corrector("body_plain")
    reader = searcher.reader()
    changed, corrected = False, []
    for word in words:
        folded = fold(word)
        if len(folded) < 4 or reader.frequency("body_plain", folded) > 0:
            corrected.append(word)
            continue
        suggestions = corrector.suggest(folded, limit=1, maxdist=2)
        if suggestions:
            corrected.append(suggestions[0])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None
