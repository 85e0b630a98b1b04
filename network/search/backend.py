"""Whoosh, and only here: the schema, the language analysis, opening and swapping the index, writing
batches, and running queries. Swapping the engine means rewriting this one module.

Multilingual design. Each document is analysed twice:
- without stemming (title_plain, body_plain): exact words of every language, phrases, prefixes, the
  spelling dictionary; the only analysis for languages Whoosh cannot stem (Polish, Czech, Icelandic...);
- in its own language (title_stem, body_stem): the document's text run through its language's analyser
  (stop words removed, Snowball stems) when it is written, and indexed as stems tagged with the
  language ("es:famili").
A query word is stemmed once per language Whoosh can stem and each tagged stem is looked up in the two
stem fields (two fields instead of a field pair per language: most of those terms do not exist and cost
nothing), so "familias" finds a Spanish "familia" and "families" an English "family", but a Spanish stem
never matches an English word. Every analyser folds accents, so "intervencion" finds "intervención".

Speed (see bench/README.md for the figures). Whoosh computes everything in Python, so:
- the set of matching documents (for the exact total and the facet counts) is computed from the
  posting lists with Python sets, block by block, and the facet and permission sets are cached per index
  generation; only the top of the page is scored by Whoosh, under a time limit;
- the indexer deletes old versions with one searcher per batch (Whoosh's update_document opens one per
  document) and merges only small segments on commit, so a commit never rewrites the whole index.
"""
from __future__ import annotations

import hashlib
import heapq
import logging
import re
import shutil
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from markupsafe import escape
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import scoring
from whoosh.analysis import (CharsetFilter, LanguageAnalyzer, LowercaseFilter, RegexTokenizer,
                             SpaceSeparatedTokenizer)
from whoosh.collectors import FilterCollector, TimeLimit
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text, highlight
from whoosh.lang import has_stemmer, has_stopwords, stopwords_for_language
from whoosh.reading import SegmentReader, TermNotFound
from whoosh.support.charset import accent_map

from network.search.documents import SearchDocument

log = logging.getLogger(__name__)

# Languages Whoosh stems (Snowball) that the network writes in or may.
STEMMED_LANGUAGES = tuple(
    code for code in ("en", "es", "fr", "it", "pt", "ro", "fi", "da", "de", "nl", "sv", "no", "hu")
    if has_stemmer(code)
)
TITLE_BOOST, TAG_BOOST, BODY_BOOST = 3.0, 2.5, 1.0
MAX_QUERY_CHARS = 200
MAX_QUERY_WORDS = 16
MIN_PREFIX_CHARS = 4  # "fami*" and longer; shorter prefixes expand to too many terms
MAX_PREFIX_TERMS = 50
SNIPPET_SOURCE_CHARS = 1500
# Scoring the top of the page stops after this long and keeps the best found so far: no query may take
# more than a second, whatever it asks.
SCORING_TIME_LIMIT = 0.6
# Segments under this many documents are merged when the indexer commits (a few seconds at most);
# larger ones are left alone until the next full reindex.
SMALL_SEGMENT_DOCS = 5_000
MAX_SMALL_SEGMENTS = 6
# BM25F; a tag list is short and often empty, so its length must not weaken a tag match.
WEIGHTING = scoring.BM25F(tags_B=0, tags_text_B=0)
FACET_FIELDS = ("type", "sector", "country", "language", "year", "institution")


def _plain_analyzer():
    # Words of any script, lower case, accents folded; no stemming and no stop words.
    return RegexTokenizer(r"\w+(?:[-']\w+)*") | LowercaseFilter() | CharsetFilter(accent_map)


def _language_analyzer(code: str):
    return LanguageAnalyzer(code) | CharsetFilter(accent_map)


PLAIN_ANALYZER = _plain_analyzer()
LANGUAGE_ANALYZERS = {code: _language_analyzer(code) for code in STEMMED_LANGUAGES}


def build_schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),
        type=ID(stored=True, sortable=True),
        doc_id=STORED(),
        title_stored=STORED(),
        url=STORED(),
        snippet_source=STORED(),
        fingerprint=STORED(),
        language=ID(stored=True),
        country=ID(stored=True),
        institution=ID(stored=True),
        institution_id=ID(stored=True),
        partnership=ID(stored=True),
        year=ID(stored=True),
        date=DATETIME(stored=True, sortable=True),
        sector=KEYWORD(stored=True, commas=True),
        intervention_type=KEYWORD(stored=True, commas=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True, field_boost=TAG_BOOST),
        # The tags' words, so "groups" finds the tag "interfamily groups".
        tags_text=TEXT(analyzer=_plain_analyzer(), field_boost=TAG_BOOST, phrase=False),
        status=ID(stored=True),
        visibility=ID(stored=True),
        viewers=KEYWORD(commas=True),
        title_plain=TEXT(analyzer=_plain_analyzer(), field_boost=TITLE_BOOST, phrase=True),
        body_plain=TEXT(analyzer=_plain_analyzer(), field_boost=BODY_BOOST, phrase=True),
        # Already analysed in the document's language by to_fields(): only split on spaces here.
        title_stem=TEXT(analyzer=SpaceSeparatedTokenizer(), field_boost=TITLE_BOOST, phrase=False),
        body_stem=TEXT(analyzer=SpaceSeparatedTokenizer(), field_boost=BODY_BOOST, phrase=False),
    )


def fold(text: str) -> str:
    """Lower case without accents, for comparisons outside Whoosh."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def plain_terms(text: str) -> list[str]:
    """The words of a text as the plain fields index them."""
    return [token.text for token in PLAIN_ANALYZER(text, mode="query")]


def _stems(text: str, language: str) -> str:
    """Stems tagged with their language ("es:famili"): a Spanish stem must not match an English word
    that happens to stem the same way. Languages without a stemmer keep their plain words, untagged."""
    analyzer = LANGUAGE_ANALYZERS.get(language)
    if analyzer is None:
        return " ".join(plain_terms(text))
    return " ".join(f"{language}:{token.text}" for token in analyzer(text))


def _clean_text(text: str) -> str:
    # Control characters (people paste them) would only disturb tokenising and highlighting.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", " ", text or "")


def to_fields(document: SearchDocument) -> dict:
    title = _clean_text(document.title)
    body = _clean_text("\n\n".join(part for part in (document.summary, document.body) if part))
    language = document.language or ""
    values = {
        "key": document.key,
        "type": document.doc_type,
        "doc_id": document.doc_id,
        "title_stored": title,
        "url": document.url,
        "snippet_source": body[:SNIPPET_SOURCE_CHARS],
        "language": language,
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
        "viewers": ",".join(document.viewers),
        "title_plain": title,
        "body_plain": body,
        "title_stem": _stems(title, language),
        "body_stem": _stems(body, language),
    }
    if document.date is not None:
        date = document.date if document.date.tzinfo is None else document.date.astimezone(timezone.utc).replace(tzinfo=None)
        values["date"] = date
        values["year"] = str(date.year)
    values["fingerprint"] = fingerprint(values)
    return values


def fingerprint(values: dict) -> str:
    """What `search check` compares to tell an out-of-date document from a current one."""
    digest = hashlib.sha1()
    for name in sorted(values):
        if name not in ("fingerprint", "title_stem", "body_stem", "url"):  # the url depends on the request
            digest.update(f"{name}\x1f{values[name]}\x1e".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _merge_small_segments(writer, segments):
    """Merge policy for the indexer's commits: fold the small segments together, never the large ones
    (Whoosh's default can merge most of the index inside one commit, which took minutes at 10,000
    documents and kept every change waiting)."""
    small = sorted((s for s in segments if s.doc_count_all() < SMALL_SEGMENT_DOCS), key=lambda s: s.doc_count_all())
    if len(small) <= MAX_SMALL_SEGMENTS:
        return segments
    chosen, total = [], 0
    for segment in small:
        if chosen and total + segment.doc_count_all() > SMALL_SEGMENT_DOCS:
            break
        chosen.append(segment)
        total += segment.doc_count_all()
    if len(chosen) < 2:
        return segments
    for segment in chosen:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [s for s in segments if s not in chosen]


# --- the index on disk ------------------------------------------------------------------------------
# <root>/CURRENT names the live index folder; a rebuild fills a new folder and then swaps the name,
# so searching goes on during a rebuild. The previous folder is kept until the next swap, because a
# searcher that read CURRENT just before a swap may still be opening it.


class SearchIndex:
    def __init__(self, root: str | Path, on_recreate=None):
        self.root = Path(root)
        # Called after an empty index replaced a lost one (the application queues every document).
        self.on_recreate = on_recreate
        self._lock = threading.Lock()
        self._searcher = None
        self._searcher_dir = None
        self._generation = None

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

    def readable(self) -> bool:
        """Whether the live index opens (a search that failed for another reason must not wipe it)."""
        try:
            with self.open().searcher():
                return True
        except Exception:
            return False

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
        previous = self._current_dir()
        self._point_to(folder)
        keep = {folder.name, previous.name if previous is not None else None}
        for old in self.root.glob("index-*"):
            if old.name not in keep and old.is_dir() and not self._being_built(old):
                # Readers may still hold files open; on POSIX removing them is safe.
                shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def _being_built(folder: Path) -> bool:
        # A rebuild in another process fills a folder that is not live yet: leave it alone.
        try:
            return time.time() - folder.stat().st_mtime < 6 * 3600 and not whoosh_index.exists_in(str(folder))
        except OSError:
            return False

    def open(self):
        folder = self._current_dir()
        if folder is None:
            raise FileNotFoundError(f"no search index under {self.root}")
        ix = whoosh_index.open_dir(str(folder))
        if sorted(ix.schema.names()) != sorted(build_schema().names()):
            # Written by an older version of the platform: rebuilt like a lost index.
            raise ValueError(f"the index at {folder} has an older schema")
        return ix

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
    def write(self, upserts=(), deletions=(), folder: Path | None = None, timeout: float = 30.0,
              load=None) -> int:
        """Apply one batch and commit once; return how many documents it touched. Only the indexer calls
        this. With `load`, the batch is read by calling load() -> (upserts, deletions) while the index's
        write lock is held, so two indexers can never write an older copy after a newer one."""
        ix = whoosh_index.open_dir(str(folder)) if folder is not None else self.open_or_create()
        writer = ix.writer(timeout=timeout)
        try:
            if load is not None:
                upserts, deletions = load()
            upserts, deletions = list(upserts), list(deletions)
            if not upserts and not deletions:
                writer.cancel()
                return 0
            # One searcher for all the deletions of the batch (update_document opens one per document).
            with writer.searcher() as searcher:
                for key in deletions + [document.key for document in upserts]:
                    writer.delete_by_term("key", key, searcher=searcher)
            for document in upserts:
                writer.add_document(**to_fields(document))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=_merge_small_segments)
        return len(upserts) + len(deletions)

    def bulk_writer(self, folder: Path):
        """A writer for a fresh index being rebuilt: plenty of memory, one commit."""
        ix = whoosh_index.create_in(str(folder), build_schema())
        return ix.writer(limitmb=256, procs=1)

    def document_count(self) -> int:
        with self.open().searcher() as searcher:
            return searcher.doc_count()

    def stored_keys(self) -> dict[str, str | None]:
        """key -> fingerprint of every indexed document (for `search check`)."""
        with self.open().searcher() as searcher:
            return {fields["key"]: fields.get("fingerprint") for fields in searcher.all_stored_fields()}

    # reading
    def searcher(self):
        """This process's long-lived searcher, refreshed when the index changed (cheap when it did not)."""
        with self._lock:
            for attempt in (1, 2):
                folder = self._current_dir()
                try:
                    if self._searcher is None or folder != self._searcher_dir:
                        self._close_searcher()
                        self._searcher = self.open_or_create().searcher(weighting=WEIGHTING)
                        self._searcher_dir = self._current_dir()
                    else:
                        self._searcher = self._searcher.refresh()
                    return self._searcher
                except Exception:
                    # The folder changed under us (a rebuild swapped): read CURRENT again, once.
                    self._close_searcher()
                    if attempt == 2:
                        raise

    def generation(self, searcher) -> "_Generation":
        """Sets of documents per facet value and permission field, for this searcher's index state."""
        with self._lock:
            if self._generation is None or self._generation.searcher is not searcher:
                self._generation = _Generation(searcher)
            return self._generation

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            try:
                self._searcher.close()
            except Exception:  # its files may be gone already
                pass
        self._searcher, self._searcher_dir, self._generation = None, None, None

    def close(self) -> None:
        with self._lock:
            self._close_searcher()


# --- sets of documents -------------------------------------------------------------------------------


def _posting_ids(reader, fieldname: str, text: str) -> list[int]:
    """Document numbers of a term, read a block at a time (Whoosh's matchers go one posting at a time in
    Python). Deleted documents are included; callers intersect with the live documents."""
    ids: list[int] = []
    for leaf, offset in reader.leaf_readers():
        try:
            matcher = leaf.postings(fieldname, text)
        except TermNotFound:
            continue
        matcher = getattr(matcher, "child", matcher)  # unwrap the filter for deleted documents
        if not hasattr(matcher, "_read_ids"):
            block_ids = list(matcher.all_ids())
            ids.extend(block_ids if not offset else [i + offset for i in block_ids])
            continue
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            ids.extend(matcher._ids if not offset else map(offset.__add__, matcher._ids))
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
    return ids


class _Generation:
    """Cached per index state: the live documents and, for the exact-value fields used by facets and
    permissions, each value's documents."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.live = frozenset(self.reader.all_doc_ids())
        self._values: dict[tuple[str, str], frozenset] = {}
        self._facets: dict[str, dict[str, frozenset]] = {}
        self._dates: list | None = None

    def term_docs(self, fieldname: str, text: str, cache: bool = False) -> frozenset | set:
        key = (fieldname, text)
        if key in self._values:
            return self._values[key]
        docs = set(_posting_ids(self.reader, fieldname, text))
        docs &= self.live
        if cache:
            docs = frozenset(docs)
            self._values[key] = docs
        return docs

    def facet(self, fieldname: str) -> dict[str, frozenset]:
        if fieldname not in self._facets:
            values = {}
            for term in self.reader.lexicon(fieldname):
                value = term.decode("utf-8") if isinstance(term, bytes) else term
                docs = self.term_docs(fieldname, value, cache=True)
                if docs and value:
                    values[value] = docs
            self._facets[fieldname] = values
        return self._facets[fieldname]

    def date_key(self):
        """docnum -> sortable date (newest last), for sorting by date without scoring."""
        if self._dates is None:
            column = self.reader.column_reader("date")
            self._dates = [column[n] for n in range(self.reader.doc_count_all())]
        return self._dates.__getitem__


_FILTER_FIELDS = frozenset({"type", "sector", "country", "language", "year", "institution", "institution_id",
                            "status", "visibility", "partnership", "viewers"})


def _docs(query, generation: _Generation):
    """The documents a query matches, as a set (no scoring)."""
    if isinstance(query, Q.Term):
        return generation.term_docs(query.fieldname, query.text, cache=query.fieldname in _FILTER_FIELDS)
    if isinstance(query, Q.Every):
        return generation.live
    if isinstance(query, Q.Or):
        found = set()
        for part in query.subqueries:
            found |= _docs(part, generation)
        return found
    if isinstance(query, Q.And):
        parts = sorted((_docs(part, generation) for part in query.subqueries), key=len)
        if not parts:
            return set()
        found = set(parts[0])
        for part in parts[1:]:
            found &= part
        return found
    # Phrases and anything else: Whoosh's own matcher.
    return set(generation.searcher.docs_for_query(query)) & generation.live


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
        words = [w for token in _WORD.findall(phrase.replace("*", " ")) for w in plain_terms(token)]
        if len(words) > 1:
            parsed.phrases.append(words[:MAX_QUERY_WORDS])
    for token in _WORD.findall(text.replace('"', " "))[:MAX_QUERY_WORDS]:
        if token.endswith("*"):
            stem = "".join(plain_terms(token.rstrip("*")))
            if len(stem) >= MIN_PREFIX_CHARS:
                parsed.prefixes.append(stem)
            elif stem:
                parsed.words.append(stem)
        else:
            parsed.words.append(token)
    parsed.words = list(dict.fromkeys(parsed.words))
    return parsed


def _stop_words() -> frozenset[str]:
    words = set()
    for code in STEMMED_LANGUAGES:
        if has_stopwords(code):
            words.update(term for w in stopwords_for_language(code) for term in plain_terms(w))
    return frozenset(words)


STOP_WORDS = _stop_words()


def _is_stop_word(word: str) -> bool:
    return all(term in STOP_WORDS for term in plain_terms(word))


def word_stems(word: str) -> list[str]:
    """The word's stem in every language Whoosh stems, tagged as the stem fields hold them."""
    return list(dict.fromkeys(f"{code}:{token.text}" for code, analyzer in LANGUAGE_ANALYZERS.items()
                              for token in analyzer(word, mode="query")))


def _word_query(word: str, keep_stop_words: bool = False) -> Q.Query | None:
    # A query word that is a stop word in any of the network's languages ("de", "and", "we") would match
    # nearly everything in the plain fields, so it is looked up there only when nothing else was typed.
    plain = plain_terms(word) if keep_stop_words or not _is_stop_word(word) else []
    stems = list(dict.fromkeys(word_stems(word) + plain))  # plain words: documents in unstemmed languages
    alternatives = []
    for term in plain:
        alternatives += [Q.Term("title_plain", term), Q.Term("body_plain", term),
                         Q.Term("tags", term), Q.Term("tags_text", term)]
    for stem in stems:
        alternatives += [Q.Term("title_stem", stem), Q.Term("body_stem", stem)]
    if plain and fold(word) not in plain:
        alternatives.append(Q.Term("tags", fold(word)))  # a hyphenated tag is one keyword
    return Q.Or(alternatives) if alternatives else None


def _prefix_query(prefix: str, reader) -> Q.Query | None:
    """Bounded expansion: at most MAX_PREFIX_TERMS words per field, whatever the index size."""
    terms = []
    for fieldname in ("title_plain", "body_plain"):
        for n, term in enumerate(reader.expand_prefix(fieldname, prefix)):
            if n >= MAX_PREFIX_TERMS:
                break
            terms.append(Q.Term(fieldname, term.decode("utf-8") if isinstance(term, bytes) else term))
    return Q.Or(terms) if terms else None


def build_query(parsed: ParsedQuery, searcher) -> Q.Query | None:
    """Any word may match; the more of them a document has, and the more of them in the title or tags,
    the higher it ranks. Quoted phrases are required."""
    only_stop_words = all(_is_stop_word(w) for w in parsed.words)
    parts = [q for q in (_word_query(w, only_stop_words) for w in parsed.words) if q is not None]
    reader = searcher.reader()
    parts += [q for q in (_prefix_query(p, reader) for p in parsed.prefixes) if q is not None]
    required = [Q.Or([Q.Phrase("title_plain", words), Q.Phrase("body_plain", words)]) for words in parsed.phrases]
    plain_words = [term for w in parsed.words for term in plain_terms(w)]
    if len(plain_words) > 1 and not parsed.phrases:
        # Words next to each other in the order typed count extra: a phrase beats scattered words.
        parts.append(Q.Or([Q.Phrase("title_plain", plain_words, boost=2.0),
                           Q.Phrase("body_plain", plain_words, boost=2.0)]))
    if not parts and not required:
        return None
    optional = Q.Or(parts, scale=0.9) if parts else None  # scale: a coordination bonus per word matched
    if required:
        return Q.And(required + [optional]) if optional is not None else Q.And(required)
    return optional


@dataclass
class Filters:
    """Exact-value filters (facets) and who is asking."""

    values: dict[str, str] = field(default_factory=dict)  # facet field -> value
    allowed: Q.Query | None = None  # permission filter, from permission_filter()


def permission_filter(anonymous: bool, site_admin: bool, member: bool, institution_id: int | None,
                      user_id: int | None = None, roles=()):
    """The same rules as network.permissions for every document type: published public documents for
    everyone, published members-only ones for members, everything of one's own institution, and the
    restricted documents (visits) that name the person or one of their roles as a viewer."""
    if site_admin:
        return None
    published_public = Q.And([Q.Term("status", "published"), Q.Term("visibility", "public")])
    if anonymous:
        return published_public
    grants = [published_public]
    if member:
        grants.append(Q.And([Q.Term("status", "published"), Q.Term("visibility", "members")]))
        if institution_id:
            grants.append(Q.Term("institution_id", str(institution_id)))
    if user_id:
        grants.append(Q.Term("viewers", f"user:{user_id}"))
    grants += [Q.Term("viewers", f"role:{role}") for role in sorted(roles)]
    return Q.Or(grants) if len(grants) > 1 else published_public


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


def run_search(index: SearchIndex, text: str, filters: Filters, page: int = 1, per_page: int = 20,
               sort: str = "relevance") -> Results:
    searcher = index.searcher()
    generation = index.generation(searcher)
    parsed = parse_user_query(text)
    query = build_query(parsed, searcher) if not parsed.empty else None
    if query is None:
        sort = "date" if sort == "relevance" else sort  # no words: browse everything visible, newest first

    # Which documents match, as sets: the words, who may see them, each chosen facet value.
    matching = _docs(query, generation) if query is not None else generation.live
    allowed = _docs(filters.allowed, generation) if filters.allowed is not None else generation.live
    chosen = {name: generation.term_docs(name, value, cache=True)
              for name, value in filters.values.items() if value and name in _FILTER_FIELDS}
    visible = _intersect(matching, allowed)
    selected = _intersect(visible, *chosen.values())
    total = len(selected)

    start, limit = (page - 1) * per_page, page * per_page
    if start >= total:
        page_hits = []
    elif sort == "date" or query is None:
        newest = heapq.nlargest(limit, selected, key=_date_then_docnum(generation))
        page_hits = [(docnum, 0.0) for docnum in newest[start:limit]]
    else:
        page_hits = _top_scored(searcher, query, selected, limit)[start:limit]

    hits = [_hit(searcher, docnum, score, parsed) for docnum, score in page_hits]
    facets = _facet_counts(generation, visible, chosen)
    suggestion = None
    if total < 3 and parsed.words:
        suggestion = spelling_suggestion(searcher, parsed.words)
        if suggestion is not None:
            # Offered only when it finds more than what was typed.
            better = build_query(parse_user_query(suggestion), searcher)
            if better is None or len(_intersect(_docs(better, generation), allowed, *chosen.values())) <= total:
                suggestion = None
    return Results(total=total, hits=hits, facets=facets, suggestion=suggestion)


def _intersect(first, *others):
    if not others:
        return first
    parts = sorted((first, *others), key=len)
    found = set(parts[0])
    for part in parts[1:]:
        found &= part
    return found


def _date_then_docnum(generation: _Generation):
    date_of = generation.date_key()

    def key(docnum):
        date = date_of(docnum)
        return (date is not None, date or 0, docnum)

    return key


def _top_scored(searcher, query, selected: set, limit: int) -> list[tuple[int, float]]:
    """The best `limit` documents of `selected` by score. Scoring is the slow part of Whoosh: it stops
    after SCORING_TIME_LIMIT and keeps the best found so far."""
    collector = _TimedFilterCollector(searcher.collector(limit=limit), allow=selected, seconds=SCORING_TIME_LIMIT)
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        log.info("Search scoring stopped after %.1f s for %r", SCORING_TIME_LIMIT, query)
    return [(hit.docnum, float(hit.score or 0.0)) for hit in collector.results()]


class _TimedFilterCollector(FilterCollector):
    """Only documents in `allow`, until a deadline. (Whoosh's TimeLimitCollector cannot wrap a
    FilterCollector: it calls the filter's child directly and so bypasses the filter.)"""

    def __init__(self, child, allow: set, seconds: float):
        super().__init__(child, allow=allow)
        self.seconds = seconds
        self.deadline = None

    def prepare(self, top_searcher, q, context):
        super().prepare(top_searcher, q, context)
        self.deadline = time.monotonic() + self.seconds

    def collect_matches(self):
        child, allow, offset, deadline = self.child, self._allow, self.offset, self.deadline
        for n, sub_docnum in enumerate(child.matches()):
            if not n & 255 and time.monotonic() > deadline:
                raise TimeLimit
            if offset + sub_docnum in allow:
                child.collect(sub_docnum)


def _facet_counts(generation: _Generation, visible: set, chosen: dict[str, set]) -> dict[str, dict[str, int]]:
    """Counts per facet value among what the person may see. A facet with a chosen value is counted
    without that choice (so its other values still show their counts), with the other choices."""
    counts = {}
    for name in FACET_FIELDS:
        base = _intersect(visible, *(docs for other, docs in chosen.items() if other != name))
        if not base:
            counts[name] = {}
            continue
        values = {}
        for value, docs in generation.facet(name).items():
            n = len(base & docs) if len(base) < len(docs) else len(docs & base)
            if n:
                values[value] = n
        counts[name] = values
    return counts


def _hit(searcher, docnum: int, score: float, parsed: ParsedQuery) -> Hit:
    stored = searcher.stored_fields(docnum)
    language = stored.get("language", "")
    return Hit(
        doc_type=stored["type"], doc_id=int(stored["doc_id"]), title=stored.get("title_stored", ""),
        url=stored.get("url", ""), snippet=make_snippet(stored.get("snippet_source", ""), language, parsed, searcher),
        score=score, language=language, date=stored.get("date"), stored=stored,
    )


def make_snippet(source: str, language: str, parsed: ParsedQuery, searcher=None) -> str:
    """Up to two short passages of the text with the query's words marked; the text's start otherwise."""
    fragmenter = ContextFragmenter(maxchars=220, surround=60)
    plain = {term for w in parsed.words for term in plain_terms(w)}
    plain |= {w for phrase in parsed.phrases for w in phrase}
    if parsed.prefixes and searcher is not None:
        reader = searcher.reader()
        for prefix in parsed.prefixes:
            for n, term in enumerate(reader.expand_prefix("body_plain", prefix)):
                if n >= MAX_PREFIX_TERMS:
                    break
                plain.add(term.decode("utf-8") if isinstance(term, bytes) else term)
    snippet = ""
    analyzer = LANGUAGE_ANALYZERS.get(language)
    if analyzer is not None and parsed.words:
        stems = {token.text for w in parsed.words for token in analyzer(w, mode="query")}
        snippet = highlight(source, stems, analyzer, fragmenter, _Marker(), top=2)
    if not snippet and plain:
        snippet = highlight(source, plain, PLAIN_ANALYZER, fragmenter, _Marker(), top=2)
    return snippet or str(escape(source[:220]))


def spelling_suggestion(searcher, words: list[str]) -> str | None:
    """"Did you mean": each word that is in no title or text of the index replaced by the closest word
    of the titles and texts (only words sharing its first two letters: the only way to stay fast)."""
    reader = searcher.reader()
    correctors = [searcher.corrector("title_plain"), searcher.corrector("body_plain")]
    changed, corrected = False, []
    for word in words:
        terms = plain_terms(word)
        if len(terms) != 1 or len(terms[0]) < 4 or _known(reader, terms[0], word):
            corrected.append(word)
            continue
        best = None
        for corrector in correctors:
            for suggestion in corrector.suggest(terms[0], limit=1, maxdist=2, prefix=2):
                frequency = reader.doc_frequency("body_plain", suggestion) + reader.doc_frequency("title_plain", suggestion)
                if best is None or frequency > best[1]:
                    best = (suggestion, frequency)
        if best is not None:
            corrected.append(best[0])
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None


def _known(reader, term: str, word: str) -> bool:
    if reader.doc_frequency("body_plain", term) or reader.doc_frequency("title_plain", term):
        return True
    # An inflection of a known word ("familias" when only "familia" is written) is not a misspelling.
    return any(reader.doc_frequency("body_stem", stem) for stem in word_stems(word))
