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

import copy
import hashlib
import logging
import math
import os
import re
import shutil
import threading
import time
import unicodedata
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from markupsafe import escape
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh import scoring
from whoosh.analysis import CharsetFilter, LanguageAnalyzer, LowercaseFilter, RegexTokenizer, SpaceSeparatedTokenizer
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.highlight import ContextFragmenter, HtmlFormatter, get_text, highlight
from whoosh.lang import has_stemmer, has_stopwords, stopwords_for_language
from whoosh.reading import EmptyReader, MultiReader, SegmentReader, TermNotFound
from whoosh.searching import Searcher
from whoosh.support.charset import accent_map
from whoosh.util.numeric import byte_to_length

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
# Checking where quoted phrases occur (word positions, read in Python) stops after this long; the total
# is then estimated from the documents checked, best first (no query may take more than a second).
PHRASE_TIME_LIMIT = 0.2
# A query's words found next to each other, in the order typed, multiply a document's score; checked
# among this many best documents (positions are costly to read, scores are not).
PROXIMITY_FACTOR = 2.0
PROXIMITY_CANDIDATES = 100
PHRASE_CHUNK = 200  # documents checked between two looks at the clock (the first chunk always is)
# The indexer's commits merge MERGE_FACTOR segments of similar size, at most MERGE_MAX_DOCS documents in
# all (a few seconds); see _merge_similar_segments.
MERGE_FACTOR = 6
MERGE_MAX_DOCS = 300
REINDEX_PROCS = min(2, os.cpu_count() or 1)
# BM25F with Whoosh's default b and k1; a tag list is short and often empty, so its length must not weaken a
# tag match. Queries compute it over whole posting lists at once (_word_scores); WEIGHTING is only what
# Whoosh's own searcher would use (nothing ranks with it). See bench/README.md, "Relevance".
BM25_B, BM25_K1 = 0.75, 1.2
FIELD_B = {"tags": 0.0, "tags_text": 0.0}
WEIGHTING = scoring.BM25F(B=BM25_B, K1=BM25_K1, **{f"{name}_B": b for name, b in FIELD_B.items()})
FACET_FIELDS = ("type", "sector", "country", "language", "year", "institution")


def _folding_map() -> dict[int, str]:
    """Whoosh's accent_map, plus Greek (it has no Greek entries: "κινδυνοι" must find "κίνδυνοι")."""
    table = dict(accent_map)
    for code in (*range(0x0370, 0x0400), *range(0x1F00, 0x2000)):
        letters = "".join(c for c in unicodedata.normalize("NFKD", chr(code)) if not unicodedata.combining(c))
        if letters and letters != chr(code):
            table[code] = letters
    return table


# How many close words "did you mean" weighs (by language, then frequency) for each unknown word.
SUGGESTION_CANDIDATES = 5
FOLDING = _folding_map()
# Changes whenever analysis changes what is indexed: an index analysed otherwise is rebuilt.
# 3: restricted documents carry audience tokens (network.permissions.*_audience), not lists of people.
# 4: the names of a document's kind, sectors and country in every interface language are indexed with it.
# 5: events are documents (an index of before has none of them).
ANALYSIS_VERSION = "5"


def _plain_analyzer():
    # Words of any script, lower case, accents folded; no stemming and no stop words.
    return RegexTokenizer(r"\w+(?:[-']\w+)*") | LowercaseFilter() | CharsetFilter(FOLDING)


def _language_analyzer(code: str):
    return LanguageAnalyzer(code) | CharsetFilter(FOLDING)


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
    # Found by, never shown: the names of its kind, sectors and country (documents.label_words).
    searched = "\n\n".join(part for part in (body, _clean_text(" ".join(document.labels))) if part)
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
        "body_plain": searched,
        "title_stem": _stems(title, language),
        "body_stem": _stems(searched, language),
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


def _merge_similar_segments(writer, segments):
    """Merge policy for the indexer's commits: only cheap merges, so that a change is searchable within
    seconds. Merging rewrites every document through Whoosh's Python posting writer (about 14 ms each
    here), so a commit merges MERGE_FACTOR segments of about the same size (each document is then
    rewritten about log(N) times, not at every commit), and never more than MERGE_MAX_DOCS documents.
    Larger segments stay until `flask --app network search optimize` or a reindex."""
    tiers: dict[int, list] = {}
    for segment in segments:
        count = segment.doc_count_all()
        if count <= MERGE_MAX_DOCS:
            tiers.setdefault(_size_tier(count), []).append(segment)
    for tier in sorted(tiers):
        group = sorted(tiers[tier], key=lambda s: s.doc_count_all())[:MERGE_FACTOR]
        if len(group) == MERGE_FACTOR and sum(s.doc_count_all() for s in group) <= MERGE_MAX_DOCS:
            for segment in group:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
            return [s for s in segments if s not in group]
    return segments


def _size_tier(count: int) -> int:
    tier = 0
    while count >= MERGE_FACTOR:
        count //= MERGE_FACTOR
        tier += 1
    return tier


# --- the index on disk ------------------------------------------------------------------------------
# <root>/CURRENT names the live index folder; a rebuild fills a new folder and then swaps the name,
# so searching goes on during a rebuild. The previous folder is kept until the next swap, because a
# searcher that read CURRENT just before a swap may still be opening it.


class SearchIndex:
    def __init__(self, root: str | Path, on_recreate=None):
        self.root = Path(root)
        # Called after an empty index replaced a lost one (the application queues every document).
        self.on_recreate = on_recreate
        self._lock = threading.RLock()
        # Whoosh's readers seek in shared file objects: one thread reads the kept readers at a time.
        self.reading = threading.Lock()
        self._ix = None
        self._searcher_dir = None
        self._generation: _Generation | None = None
        self._segments: dict[str, _SegmentData] = {}  # the live segments' kept data, by segment id
        self._retired: list[_SegmentData] = []

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
        _create_index(folder)
        self.swap_to(folder)

    def new_folder(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / f"index-{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 1_000_000:06d}"
        folder.mkdir()
        return folder

    def swap_to(self, folder: Path) -> None:
        self._remove_unused_files(folder)
        previous = self._current_dir()
        self._point_to(folder)
        keep = {folder.name, previous.name if previous is not None else None}
        for old in self.root.glob("index-*"):
            if old.name not in keep and old.is_dir() and not self._being_built(old):
                # Readers may still hold files open; on POSIX removing them is safe.
                shutil.rmtree(old, ignore_errors=True)

    @staticmethod
    def _remove_unused_files(folder: Path) -> None:
        """Whoosh's multi-process writer leaves its sub-writers' files behind until the next commit
        (about 10,000 after a reindex of 27,000 documents), and every search lists the folder to find
        the latest version: they are removed before the folder goes live."""
        if not whoosh_index.exists_in(str(folder)):
            return
        ix = whoosh_index.open_dir(str(folder))
        toc = ix._read_toc()
        whoosh_index.clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)

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
        if sorted(ix.schema.names()) != sorted(build_schema().names()) or _analysis_version(folder) != ANALYSIS_VERSION:
            # Written by an older version of the platform: rebuilt like a lost index.
            raise ValueError(f"the index at {folder} has an older schema or analysis")
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
            # One searcher for all the deletions of the batch (update_document opens one per document):
            # the kept one when it shows the version the writer starts from (opening a large segment
            # afresh takes a second).
            generation = self.current() if folder is None else None
            if generation is not None and generation.number == writer.generation - 1:
                searcher, opened = generation.searcher, None
            else:
                searcher = opened = writer.searcher()
            try:
                with self.reading:
                    for key in deletions + [document.key for document in upserts]:
                        writer.delete_by_term("key", key, searcher=searcher)
            finally:
                if opened is not None:
                    opened.close()
            for document in upserts:
                writer.add_document(**to_fields(document))
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=_merge_similar_segments)
        return len(upserts) + len(deletions)

    def optimize(self, timeout: float = 600.0) -> tuple[int, int]:
        """Merge every segment into one (the indexer only makes small merges): searches get faster, and
        changes wait while it runs (minutes at 100,000 documents). Returns the segment counts before and
        after."""
        ix = self.open_or_create()
        before = len(ix._segments())
        if before > 1:
            writer = ix.writer(timeout=timeout)
            writer.commit(optimize=True)
        return before, len(ix._segments())

    def bulk_writer(self, folder: Path, procs: int | None = None):
        """A writer for a fresh index being rebuilt: plenty of memory, one commit. With several processors,
        Whoosh's analysis and posting writing run in REINDEX_PROCS processes, each writing its own
        segment (merging them at the end would take about as long again; searches handle a few)."""
        procs = REINDEX_PROCS if procs is None else procs
        ix = _create_index(folder)
        if procs > 1:
            return ix.writer(procs=procs, multisegment=True, limitmb=128)
        return ix.writer(limitmb=256)

    @staticmethod
    def folder_document_count(folder: Path) -> int:
        with whoosh_index.open_dir(str(folder)).searcher() as searcher:
            return searcher.doc_count()

    def document_count(self) -> int:
        with self.open().searcher() as searcher:
            return searcher.doc_count()

    def stored_keys(self) -> dict[str, str | None]:
        """key -> fingerprint of every indexed document (for `search check`)."""
        with self.open().searcher() as searcher:
            return {fields["key"]: fields.get("fingerprint") for fields in searcher.all_stored_fields()}

    # reading
    def searcher(self):
        """This process's long-lived searcher for the latest index version."""
        return self.current().searcher

    def current(self) -> "_Generation":
        """The latest index version: its searcher and the arrays queries are evaluated on. Cheap when
        nothing changed; after a commit only the new segments are opened."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    folder = self._current_dir()
                    if self._generation is None or folder != self._searcher_dir:
                        self._close_searcher()
                        self._ix = self.open_or_create()
                        self._searcher_dir = self._current_dir()
                        self._generation = self._open_generation(self._ix.latest_generation())
                    else:
                        latest = self._ix.latest_generation()
                        if latest != self._generation.number:
                            self._generation = self._open_generation(latest)
                    return self._generation
                except Exception:
                    # The folder changed under us (a rebuild swapped): read CURRENT again, once.
                    self._close_searcher()
                    if attempt == 2:
                        raise

    def _open_generation(self, number: int) -> "_Generation":
        for attempt in range(10):
            try:
                toc = self._ix._read_toc()
                leaves = self._leaves(toc.segments, self._ix.storage, toc.schema)
                break
            except IOError:
                # A writer removed a merged segment's files between reading the TOC and opening them.
                if attempt == 9:
                    raise
                time.sleep(0.05)
        live_ids = {data.segment_id for data, _, _ in leaves}
        retired = [data for segment_id, data in self._segments.items() if segment_id not in live_ids]
        # Segments merged away are closed one version later: another thread may still be reading them.
        for data in self._retired:
            data.close()
        self._retired = retired
        self._segments = {data.segment_id: data for data, _, _ in leaves}
        readers = [reader for _, reader, _ in leaves]
        if not readers:
            reader = EmptyReader(toc.schema)
        elif len(readers) == 1:
            reader = readers[0]
        else:
            reader = MultiReader(readers, generation=toc.generation)
        searcher = Searcher(reader, weighting=WEIGHTING, closereader=False, fromindex=self._ix)
        return _Generation(searcher, leaves, toc.generation)

    def _leaves(self, segments, storage, schema) -> list[tuple["_SegmentData", object, int]]:
        leaves, offset = [], 0
        for segment in segments:
            data = self._segments.get(segment.segment_id())
            if data is None:
                data = _SegmentData(storage, schema, segment)
            leaves.append((data, data.reader(segment), offset))
            offset += data.size
        return leaves

    def _close_searcher(self) -> None:
        for data in list(self._segments.values()) + self._retired:
            data.close()
        self._segments, self._retired = {}, []
        self._ix, self._searcher_dir, self._generation = None, None, None

    def close(self) -> None:
        with self._lock:
            self._close_searcher()


def _create_index(folder: Path):
    ix = whoosh_index.create_in(str(folder), build_schema())
    (folder / "ANALYSIS").write_text(ANALYSIS_VERSION)
    return ix


def _analysis_version(folder: Path) -> str | None:
    try:
        return (folder / "ANALYSIS").read_text().strip()
    except FileNotFoundError:
        return None


# --- what is kept per segment and per index version ---------------------------------------------------

_BYTE_TO_LENGTH = np.array([byte_to_length(b) for b in range(256)], dtype=np.float32)


class _SegmentData:
    """A segment's documents never change once written; only which of them are deleted does. So its
    open reader and the arrays read from it are kept for as long as the segment is live. (Whoosh 2.7.4
    means to reuse readers when a searcher is refreshed but never does: FileIndex._reader stores them by
    generation and looks them up by segment id; and opening a segment copies its files into memory.)"""

    def __init__(self, storage, schema, segment):
        self.segment_id = segment.segment_id()
        self.size = segment.doc_count_all()
        self.base = SegmentReader(storage, schema, segment)
        self._deleted_count = segment.deleted_count()
        self._masks: dict[tuple[str, str], np.ndarray] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._dates: np.ndarray | None = None
        self.closed = False

    def reader(self, segment):
        """A reader of this segment with `segment`'s deletions, sharing the open files."""
        if segment.deleted_count() == self._deleted_count:
            return self.base  # deletions only ever grow: the same count is the same set
        reader = copy.copy(self.base)
        reader._segment = segment
        reader._perdoc = copy.copy(self.base._perdoc)
        reader._perdoc._segment = segment
        return reader

    def _matcher(self, fieldname: str, text: str):
        """The term's posting reader, deleted documents included (callers mask them), or None."""
        try:
            matcher = self.base.postings(fieldname, text)
        except TermNotFound:
            return None
        return getattr(matcher, "child", matcher)  # unwrap the filter for deleted documents

    def postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Document numbers and weights (term frequency times field boost) of a term, deleted documents
        included, read a block at a time (Whoosh's matchers go one posting at a time in Python)."""
        matcher = self._matcher(fieldname, text)
        if matcher is None:
            return _NO_POSTINGS
        if not hasattr(matcher, "_read_data"):  # a short list kept inline in the term's entry
            ids, weights = [], []
            while matcher.is_active():
                ids.append(matcher.id())
                weights.append(matcher.weight())
                matcher.next()
            return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float32)
        id_blocks, weight_blocks = [], []
        while matcher.is_active():
            matcher._read_data()
            gaps, weights = matcher._data[0], matcher._data[1]
            ids = np.cumsum(np.array(gaps, dtype=np.int64))  # stored as gaps from the previous id
            id_blocks.append(ids)
            if weights is None:
                weight_blocks.append(np.ones(len(ids), dtype=np.float32))
            elif isinstance(weights, float):
                weight_blocks.append(np.full(len(ids), weights, dtype=np.float32))
            else:
                weight_blocks.append(np.frombuffer(weights, dtype=np.float32) if isinstance(weights, array)
                                     else np.array(weights, dtype=np.float32))
            if matcher._lastblock:
                break
            matcher._goto(matcher._nextoffset)
        if not id_blocks:
            return _NO_POSTINGS
        return np.concatenate(id_blocks), np.concatenate(weight_blocks)

    def _blocks(self, matcher) -> tuple[np.ndarray, np.ndarray]:
        """Where each posting block of a term starts and the last document it holds (block headers only)."""
        starts, last_ids, position = [], [], matcher._baseoffset
        while True:
            matcher._goto(position)
            starts.append(position)
            last_ids.append(matcher._maxid)
            if matcher._lastblock:
                break
            position = matcher._nextoffset
        return np.array(starts, dtype=np.int64), np.array(last_ids, dtype=np.int64)

    def positions(self, fieldname: str, text: str, docnums: np.ndarray, blocks: dict) -> dict[int, frozenset]:
        """The word positions of a term in those of `docnums` (sorted, this segment's numbers) that hold
        it, decoding only the blocks that hold them; `blocks` keeps block headers for one query."""
        matcher = self._matcher(fieldname, text)
        if matcher is None:
            return {}
        found = {}
        if not hasattr(matcher, "_read_data"):  # a short list kept inline in the term's entry
            wanted = set(docnums.tolist())
            while matcher.is_active():
                if matcher.id() in wanted:
                    found[matcher.id()] = frozenset(matcher.value_as("positions"))
                matcher.next()
            return found
        key = (self.segment_id, fieldname, text)
        if key not in blocks:
            blocks[key] = self._blocks(matcher)
        starts, last_ids = blocks[key]
        decode = matcher.format.decoder("positions")
        in_block = np.searchsorted(last_ids, docnums)  # the first block whose last document is >= each
        for block in np.unique(in_block[in_block < len(starts)]).tolist():
            matcher._goto(int(starts[block]))
            matcher._read_data()
            ids = np.cumsum(np.array(matcher._data[0], dtype=np.int64))
            values = matcher._data[2]
            wanted = docnums[in_block == block]
            for doc, i in zip(wanted.tolist(), np.searchsorted(ids, wanted).tolist()):
                if i < len(ids) and ids[i] == doc:
                    found[doc] = frozenset(decode(values[i]))
        return found

    def mask(self, fieldname: str, text: str) -> np.ndarray:
        """Which documents of the segment hold an exact value (facets, permissions): kept."""
        key = (fieldname, text)
        mask = self._masks.get(key)
        if mask is None:
            mask = np.zeros(self.size, dtype=bool)
            mask[self.postings(fieldname, text)[0]] = True
            self._masks[key] = mask
        return mask

    def values(self, fieldname: str) -> list[str]:
        return [t.decode("utf-8") if isinstance(t, bytes) else t for t in self.base.lexicon(fieldname)]

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's length in a field, as BM25 uses it (Whoosh stores it in one byte)."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            codes = np.zeros(self.size, dtype=np.uint8)
            column = self.base._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is not None:
                raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), dtype=np.uint8)
                codes[:len(raw)] = raw[:self.size]
            lengths = self._lengths[fieldname] = _BYTE_TO_LENGTH[codes]
        return lengths

    def dates(self) -> np.ndarray:
        """Each document's date as a POSIX timestamp, -inf where it has none (sorted last)."""
        if self._dates is None:
            dates = np.full(self.size, -np.inf)
            if self.base.has_column("date"):
                column = self.base.column_reader("date")
                for docnum in range(self.size):
                    value = column[docnum]
                    if value is not None:
                        dates[docnum] = value.replace(tzinfo=timezone.utc).timestamp()
            self._dates = dates
        return self._dates

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            try:
                self.base.close()
            except Exception:  # its files may be gone already
                pass


_NO_POSTINGS = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32))


class _Generation:
    """One version of the index: its searcher, which documents are live, and the arrays queries and facets
    are computed on (concatenated from the segments' kept arrays, in the searcher's document order)."""

    def __init__(self, searcher, leaves, number: int):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.number = number
        self.leaves = leaves  # (segment data, reader with this version's deletions, first document number)
        self.size = sum(data.size for data, _, _ in leaves)
        live = np.ones(self.size, dtype=bool)
        for _data, reader, offset in leaves:
            if reader.has_deletions():
                live[np.fromiter(reader.segment().deleted_docs(), dtype=np.int64) + offset] = False
        self.live = live
        self._lock = threading.Lock()
        self._masks: dict[tuple[str, str], np.ndarray] = {}
        self._facets: dict[str, dict[str, np.ndarray]] = {}
        self._codes: dict[str, tuple[list[str], np.ndarray] | None] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._average: dict[str, float] = {}
        self._live_count: int | None = None
        self._dates: np.ndarray | None = None

    def _concatenate(self, part) -> np.ndarray:
        if not self.leaves:
            return np.empty(0)
        return np.concatenate([part(data) for data, _, _ in self.leaves])

    def postings(self, fieldname: str, text: str, memo: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        """A term's documents (deleted ones included) and weights; `memo` keeps them for one query."""
        if memo is not None:
            key = (fieldname, text)
            if key not in memo:
                memo[key] = self.postings(fieldname, text)
            return memo[key]
        blocks = [(ids + offset if offset else ids, weights)
                  for data, _, offset in self.leaves
                  for ids, weights in (data.postings(fieldname, text),) if len(ids)]
        if not blocks:
            return _NO_POSTINGS
        if len(blocks) == 1:
            return blocks[0]
        return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks])

    def term_mask(self, fieldname: str, text: str) -> np.ndarray:
        """The live documents holding an exact value (kept for this version)."""
        key = (fieldname, text)
        mask = self._masks.get(key)
        if mask is None:
            mask = self._concatenate(lambda data: data.mask(fieldname, text)).astype(bool) & self.live
            with self._lock:
                self._masks[key] = mask
        return mask

    def facet(self, fieldname: str) -> dict[str, np.ndarray]:
        if fieldname not in self._facets:
            values = sorted({value for data, _, _ in self.leaves for value in data.values(fieldname) if value})
            masks = {value: self.term_mask(fieldname, value) for value in values}
            self._facets[fieldname] = {value: mask for value, mask in masks.items() if mask.any()}
        return self._facets[fieldname]

    def facet_codes(self, fieldname: str) -> tuple[list[str], np.ndarray] | None:
        """For a field with one value per document: each document's value as a number (-1: none), so a
        facet is counted in one pass. None when documents may hold several values (sectors)."""
        if fieldname not in self._codes:
            facet = self.facet(fieldname)
            codes = np.full(self.size, -1, dtype=np.int32)
            total = 0
            for n, mask in enumerate(facet.values()):
                codes[mask] = n
                total += int(np.count_nonzero(mask))
            single = total == int(np.count_nonzero(codes >= 0))
            self._codes[fieldname] = (list(facet), codes) if single else None
        return self._codes[fieldname]

    def lengths(self, fieldname: str) -> np.ndarray:
        if fieldname not in self._lengths:
            self._lengths[fieldname] = self._concatenate(lambda data: data.lengths(fieldname)).astype(np.float32)
        return self._lengths[fieldname]

    @property
    def live_count(self) -> int:
        if self._live_count is None:
            self._live_count = int(np.count_nonzero(self.live))
        return self._live_count

    def average_length(self, fieldname: str) -> float:
        """The field's mean length over the live documents (as BM25 normalises by it)."""
        if fieldname not in self._average:
            lengths = self.lengths(fieldname)[self.live] if self.size else np.empty(0)
            self._average[fieldname] = float(lengths.mean()) if len(lengths) and lengths.any() else 1.0
        return self._average[fieldname]

    def term_frequencies(self, fieldname: str, text: str, memo: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The live documents holding a term, and in each its frequency times the field's boost divided by
        BM25's length normalisation of the field there (the field's own b and mean length): BM25F's
        per-field term frequency, before the fields are added up and saturated (_word_scores).

        The statistics (documents, mean lengths) count live documents only: a posting list still holds
        the old versions of updated documents until a merge drops them, and how many of those a reader
        sees depends on when it was opened (Whoosh's deletion filter skips the leading ones), so counting
        them made the same index rank differently in two processes."""
        ids, weights = self.postings(fieldname, text, memo)
        if not len(ids):
            return ids, weights
        live = self.live[ids]
        ids, weights = ids[live], weights[live]
        if not len(ids):
            return ids, weights
        b = FIELD_B.get(fieldname, BM25_B)
        norm = (1 - b) + b * self.lengths(fieldname)[ids] / self.average_length(fieldname)
        return ids, (weights / norm).astype(np.float32)

    def idf(self, document_frequency: int) -> float:
        """BM25's idf (Robertson and Sparck Jones, as Lucene computes it) over the live documents: near 0
        for a word in every document. Whoosh's log(N / (n + 1)) + 1 never falls below 1 (against 7.6 for
        the rarest word of 1,460 documents), so in a long question the common words outvoted the rare ones."""
        n = document_frequency
        return math.log(1 + (self.live_count - n + 0.5) / (n + 0.5))

    def dates(self) -> np.ndarray:
        if self._dates is None:
            self._dates = self._concatenate(lambda data: data.dates())
        return self._dates


_FILTER_FIELDS = frozenset({"type", "sector", "country", "language", "year", "institution", "institution_id",
                            "status", "visibility", "partnership", "viewers"})


def _filter_mask(query, generation: _Generation) -> np.ndarray:
    """The live documents an exact-value query (permissions, facets) matches."""
    if isinstance(query, Q.Term):
        return generation.term_mask(query.fieldname, query.text)
    if isinstance(query, Q.Every):
        return generation.live
    if isinstance(query, Q.Or):
        found = np.zeros(generation.size, dtype=bool)
        for part in query.subqueries:
            found |= _filter_mask(part, generation)
        return found
    if isinstance(query, Q.And):
        found = generation.live.copy()
        for part in query.subqueries:
            found &= _filter_mask(part, generation)
        return found
    found = np.zeros(generation.size, dtype=bool)
    found[list(generation.searcher.docs_for_query(query))] = True
    return found & generation.live


# --- queries ---------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:[-']\w+)*\*?", re.UNICODE)
_PHRASE = re.compile(r'"([^"]+)"')


@dataclass
class ParsedQuery:
    words: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # the words typed more than once: how many times

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
    typed: dict[str, int] = {}
    for token, times in _capped_words(_WORD.findall(text.replace('"', " "))):
        word = token
        if token.endswith("*"):
            word = "".join(plain_terms(token.rstrip("*")))
            if len(word) >= MIN_PREFIX_CHARS:
                parsed.prefixes.append(word)
                continue
            if not word:
                continue
        typed[word] = typed.get(word, 0) + times
    parsed.words = list(typed)
    parsed.counts = {word: times for word, times in typed.items() if times > 1}
    return parsed


def _capped_words(tokens: list[str]) -> list[tuple[str, int]]:
    """At most MAX_QUERY_WORDS words, each once whatever its case, with how many times it was typed. A
    longer question loses its stop words first ("what", "are", "there", "in"): they find nothing that its
    other words would not, and counted against the cap they pushed out the words that matter. Short
    queries keep them, for proximity."""
    counts: dict[str, int] = {}
    unique = []
    for token in tokens:
        key = fold(token)
        if key not in counts:
            counts[key] = 0
            unique.append(token)
        counts[key] += 1
    if len(unique) > MAX_QUERY_WORDS:
        unique = [t for t in unique if t.endswith("*") or not _is_stop_word(t)] or unique
    return [(token, counts[fold(token)]) for token in unique[:MAX_QUERY_WORDS]]


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


def _word_terms(word: str, keep_stop_words: bool = False) -> list[tuple[str, str]]:
    """The (field, term) pairs any of which matches a query word."""
    # A query word that is a stop word in any of the network's languages ("de", "and", "we") would match
    # nearly everything in the plain fields, so it is looked up there only when nothing else was typed.
    plain = plain_terms(word) if keep_stop_words or not _is_stop_word(word) else []
    stems = list(dict.fromkeys(word_stems(word) + plain))  # plain words: documents in unstemmed languages
    terms = [(name, term) for term in plain for name in ("title_plain", "body_plain", "tags", "tags_text")]
    terms += [(name, stem) for stem in stems for name in ("title_stem", "body_stem")]
    if plain and fold(word) not in plain:
        terms.append(("tags", fold(word)))  # a hyphenated tag is one keyword
    return list(dict.fromkeys(terms))


def _prefix_terms(prefix: str, reader) -> list[tuple[str, str]]:
    """Bounded expansion: at most MAX_PREFIX_TERMS words per field, whatever the index size."""
    terms = []
    for fieldname in ("title_plain", "body_plain"):
        for n, term in enumerate(reader.expand_prefix(fieldname, prefix)):
            if n >= MAX_PREFIX_TERMS:
                break
            terms.append((fieldname, term.decode("utf-8") if isinstance(term, bytes) else term))
    return terms


@dataclass
class QueryPlan:
    """What a typed query asks for. Any word may match; the more of them a document has, the rarer they
    are in the index and the more often they are in its title or tags, the higher it ranks (BM25F,
    _word_scores). Quoted phrases are required; words typed next to each other rank documents where they
    stand together higher."""

    words: list[list[tuple[str, str]]]  # per word or prefix: the terms that match it
    phrases: list[list[str]]  # quoted, required: in the title or in the text
    proximity: list[str]  # the plain words in the order typed, when there are several
    weights: list[float] = field(default_factory=list)  # per word: how many times it was typed (1 if none)


def build_plan(parsed: ParsedQuery, reader) -> QueryPlan | None:
    only_stop_words = all(_is_stop_word(w) for w in parsed.words)
    # A word typed twice counts twice (BM25's query term frequency; Whoosh's and Lucene's parsers do the
    # same by repeating the clause): a question that comes back to a word is about it.
    typed = [(terms, float(parsed.counts.get(w, 1))) for w in parsed.words
             if (terms := _word_terms(w, only_stop_words))]
    typed += [(terms, 1.0) for terms in (_prefix_terms(p, reader) for p in parsed.prefixes) if terms]
    words, weights = [terms for terms, _ in typed], [weight for _, weight in typed]
    plain_words = [term for w in parsed.words for term in plain_terms(w)]
    proximity = plain_words if len(plain_words) > 1 and not parsed.phrases else []
    if not words and not parsed.phrases:
        return None
    return QueryPlan(words=words, phrases=parsed.phrases, proximity=proximity, weights=weights)


@dataclass
class _Matches:
    mask: np.ndarray  # the live documents the query matches
    scores: np.ndarray  # their relevance (0 elsewhere)
    # When checking a phrase ran out of time: the documents left unchecked (not in `mask`), and the share
    # of the checked ones that held the phrase, to estimate the total.
    unchecked: np.ndarray | None = None
    rate: float = 0.0

    def count(self, within: np.ndarray) -> tuple[int, bool]:
        """How many matches `within` holds, and whether that is an estimate."""
        found = int(np.count_nonzero(self.mask & within))
        if self.unchecked is None:
            return found, False
        return found + round(self.rate * int(np.count_nonzero(self.unchecked & within))), True


# A word is looked up in several index fields that hold the same text analysed differently; they are
# one field as far as scoring is concerned.
FIELD_GROUPS = {"title_plain": "title", "title_stem": "title", "body_plain": "body", "body_stem": "body",
                "tags": "tags", "tags_text": "tags"}


def _field_groups(terms: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    groups: dict[str, list[tuple[str, str]]] = {}
    for fieldname, text in terms:
        groups.setdefault(FIELD_GROUPS.get(fieldname, fieldname), []).append((fieldname, text))
    return list(groups.values())


def _word_scores(terms: list[tuple[str, str]], generation: _Generation, postings: dict) -> tuple[np.ndarray, np.ndarray]:
    """The live documents a query word matches, and its BM25F score in each: its frequency in each field
    (times the field's boost, over the field's length normalisation) added up over the fields, then
    saturated once (k1) and weighted by the word's idf over the documents it matches in any field. A word
    found in the title and the body is one word found twice, not two words. Within a field the word
    counts once: the best of its forms there (the exact word and its stem, a prefix's words, the whole
    tag and the tag's words), never their sum."""
    frequency, found = np.zeros(generation.size, dtype=np.float32), False
    for group in _field_groups(terms):
        parts = [part for fieldname, text in group
                 if len((part := generation.term_frequencies(fieldname, text, postings))[0])]
        if len(parts) == 1:
            frequency[parts[0][0]] += parts[0][1]
        elif parts:
            best = np.zeros(generation.size, dtype=np.float32)
            for ids, values in parts:
                best[ids] = np.maximum(best[ids], values)
            frequency += best
        found = found or bool(parts)
    if not found:
        return _NO_POSTINGS
    ids = np.flatnonzero(frequency > 0)  # on booleans: 7 times quicker than on the floats themselves
    frequency = frequency[ids]
    idf = generation.idf(len(ids))
    return ids, (idf * frequency * (BM25_K1 + 1) / (frequency + BM25_K1)).astype(np.float32)


def _match(plan: QueryPlan, generation: _Generation, within: np.ndarray) -> _Matches:
    """Every document the plan matches with its BM25F score, over whole posting lists at once; `within`
    (what the person may see) limits only the costly phrase checks."""
    size, postings = generation.size, {}  # a word's plain postings serve its score and its phrases
    scores = np.zeros(size, dtype=np.float32)
    mask = np.zeros(size, dtype=bool) if plan.words else generation.live.copy()
    # The words' scores add up: more of the words, and rarer ones, rank higher. No multiplier by the share
    # of the words matched besides: the sum already rewards every word found, and the share counted
    # "problems" or "use" as much as "kinship" (bench/README.md, "Relevance").
    for n, terms in enumerate(plan.words):
        ids, word_scores = _word_scores(terms, generation, postings)
        scores[ids] += word_scores * np.float32(plan.weights[n] if n < len(plan.weights) else 1.0)
        mask[ids] = True
    matches = _Matches(mask=mask, scores=scores)
    if plan.phrases:
        deadline = time.monotonic() + PHRASE_TIME_LIMIT
        for words in plan.phrases:
            candidates = _phrase_candidates(words, generation, postings) & matches.mask
            order = np.flatnonzero(candidates & within)
            if plan.words:
                order = order[np.argsort(-scores[order], kind="stable")]
            confirmed, checked = _phrase_docs(words, generation, order, deadline)
            matches.mask = np.zeros(size, dtype=bool)
            matches.mask[confirmed] = True
            if checked < len(order):  # out of time: estimate from the share confirmed so far
                matches.unchecked = np.zeros(size, dtype=bool)
                matches.unchecked[order[checked:]] = True
                matches.rate = len(confirmed) / checked if checked else 0.0
                log.info("Search phrase check stopped after %.1f s for %r", PHRASE_TIME_LIMIT, words)
                break
        if not plan.words:
            scores[matches.mask] = 1.0
    return matches


def _phrase_candidates(words: list[str], generation: _Generation, postings: dict) -> np.ndarray:
    """Documents holding every word of a phrase in the title, or every word in the text."""
    found = np.zeros(generation.size, dtype=bool)
    for fieldname in ("title_plain", "body_plain"):
        inside = generation.live.copy()
        for word in dict.fromkeys(words):
            has = np.zeros(generation.size, dtype=bool)
            has[generation.postings(fieldname, word, postings)[0]] = True
            inside &= has
        found |= inside
    return found


def _phrase_docs(words: list[str], generation: _Generation, docnums: np.ndarray,
                 deadline: float | None) -> tuple[list[int], int]:
    """Which of `docnums` (best first) have the words next to each other, in order, in the title or the
    text; stops at the deadline (after the first chunk: the top of the page is always checked).
    Returns those found and how many were checked."""
    confirmed, checked, chunk, blocks = [], 0, PHRASE_CHUNK, {}
    for start in range(0, len(docnums), chunk):
        if start and deadline is not None and time.monotonic() > deadline:
            break
        part = np.sort(docnums[start:start + chunk])
        found: set[int] = set()
        for fieldname in ("title_plain", "body_plain"):
            found |= _phrase_in_field(words, fieldname, generation, part[~np.isin(part, list(found))], blocks)
        confirmed.extend(int(d) for d in docnums[start:start + chunk] if int(d) in found)
        checked += len(part)
    return confirmed, checked


def _phrase_in_field(words: list[str], fieldname: str, generation: _Generation, docnums: np.ndarray,
                     blocks: dict) -> set[int]:
    """Which of `docnums` (sorted) hold the phrase in this field: the positions of each word are read only
    from the posting blocks that hold those documents."""
    found = set()
    for data, _, offset in generation.leaves:
        local = docnums[(docnums >= offset) & (docnums < offset + data.size)] - offset
        positions = {}
        for word in dict.fromkeys(words):
            if not len(local):
                break
            positions[word] = data.positions(fieldname, word, local, blocks)
            local = local[np.isin(local, list(positions[word]))]  # the next word is read for fewer
        for docnum in local.tolist():
            first, rest = positions[words[0]][docnum], [positions[w][docnum] for w in words[1:]]
            if any(all(p + n in later for n, later in enumerate(rest, 1)) for p in first):
                found.add(docnum + offset)
    return found


@dataclass
class Filters:
    """Exact-value filters (facets) and who is asking."""

    values: dict[str, str] = field(default_factory=dict)  # facet field -> value
    allowed: Q.Query | None = None  # permission filter, from permission_filter()


def permission_filter(anonymous: bool, site_admin: bool, member: bool, institution_id: int | None,
                      grants=()):
    """The coarse rules of network.permissions for every document type: published public documents for
    everyone, published members-only ones for members, everything of one's own institution, and the
    restricted documents (visits, offers, some essays) whose audience holds one of the person's grants
    (network.permissions.search_grants: read from the person at query time, never stored per person)."""
    if site_admin:
        return None
    published_public = Q.And([Q.Term("status", "published"), Q.Term("visibility", "public")])
    if anonymous:
        return published_public
    allowed = [published_public]
    if member:
        allowed.append(Q.And([Q.Term("status", "published"), Q.Term("visibility", "members")]))
        if institution_id:
            allowed.append(Q.Term("institution_id", str(institution_id)))
    allowed += [Q.Term("viewers", grant) for grant in sorted(set(grants))]
    return Q.Or(allowed) if len(allowed) > 1 else published_public


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
    estimated: bool = False  # the total is an estimate (checking a common phrase everywhere took too long)


class _Marker(HtmlFormatter):
    """<mark>word</mark> around each match; Whoosh escapes the text around it."""

    def __init__(self):
        super().__init__(tagname="mark", between=" … ")

    def format_token(self, text, token, replace=False):
        return f"<mark>{self._text(get_text(text, token, replace))}</mark>"


def run_search(index: SearchIndex, text: str, filters: Filters, page: int = 1, per_page: int = 20,
               sort: str = "relevance", language: str = "") -> Results:
    """language: the reader's interface language, whose words a "did you mean" prefers."""
    with index.reading:
        return _run_search(index.current(), text, filters, page, per_page, sort, language)


def _run_search(generation: "_Generation", text: str, filters: Filters, page: int, per_page: int,
                sort: str, language: str = "") -> Results:
    searcher = generation.searcher
    parsed = parse_user_query(text)
    plan = build_plan(parsed, generation.reader) if not parsed.empty else None

    # Who may see what and the chosen facet values, as arrays of booleans over the documents.
    allowed = _filter_mask(filters.allowed, generation) if filters.allowed is not None else generation.live
    chosen = {name: generation.term_mask(name, value)
              for name, value in filters.values.items() if value and name in _FILTER_FIELDS}
    permitted_choice = _all_of(generation, allowed, *chosen.values())
    if plan is None:
        sort = "date" if sort == "relevance" else sort  # no words: browse everything visible, newest first
        matches = _Matches(mask=generation.live, scores=np.zeros(generation.size, dtype=np.float32))
    else:
        matches = _match(plan, generation, within=allowed)
    visible = matches.mask & allowed
    selected = visible & permitted_choice
    total, estimated = matches.count(permitted_choice)

    start, limit = (page - 1) * per_page, page * per_page
    candidates = np.flatnonzero(selected)
    if start >= len(candidates):
        page_hits = []
    elif sort == "date" or plan is None:
        page_hits = [(int(d), 0.0) for d in _newest(candidates, generation, limit)[start:limit]]
    else:
        page_hits = _best(candidates, matches.scores, plan, generation, limit)[start:limit]

    terms = SnippetTerms.of(parsed, generation.reader)
    hits = [_hit(searcher, docnum, score, parsed, terms) for docnum, score in page_hits]
    facets = _facet_counts(generation, visible, chosen)
    suggestion = None
    if total < 3 and parsed.words:
        suggestion = spelling_suggestion(searcher, parsed.words, language)
        if suggestion is not None:
            # Offered only when it finds more than what was typed.
            better = build_plan(parse_user_query(suggestion), generation.reader)
            if better is None or _match(better, generation, within=allowed).count(permitted_choice)[0] <= total:
                suggestion = None
    return Results(total=total, hits=hits, facets=facets, suggestion=suggestion, estimated=estimated)


def _all_of(generation: _Generation, *masks: np.ndarray) -> np.ndarray:
    found = generation.live.copy()
    for mask in masks:
        found &= mask
    return found


def _newest(candidates: np.ndarray, generation: _Generation, limit: int) -> np.ndarray:
    """The `limit` newest documents, newest first (then the last indexed first)."""
    dates = generation.dates()[candidates]
    if len(candidates) > limit:
        keep = np.argpartition(-dates, limit - 1)[:limit]
        cut = dates[keep].min()
        candidates, dates = candidates[dates >= cut], dates[dates >= cut]  # ties at the cut stay in
    order = np.lexsort((-candidates, -dates))
    return candidates[order][:limit]


def _top(candidates: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
    """The `limit` best-scored documents, best first (ties: the first indexed first)."""
    if len(candidates) > limit:
        values = scores[candidates]
        keep = np.argpartition(-values, limit - 1)[:limit]
        cut = values[keep].min()
        candidates = candidates[values >= cut]
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order][:limit]


def _best(candidates: np.ndarray, scores: np.ndarray, plan: QueryPlan, generation: _Generation,
          limit: int) -> list[tuple[int, float]]:
    top = _top(candidates, scores, max(limit, PROXIMITY_CANDIDATES) if plan.proximity else limit)
    if plan.proximity and len(top):
        # Words next to each other count extra: a phrase beats scattered words.
        together, _ = _phrase_docs(plan.proximity, generation, top, deadline=None)
        if together:
            scores = scores.copy()
            scores[together] *= PROXIMITY_FACTOR
            top = _top(top, scores, limit)
    return [(int(d), float(scores[d])) for d in top[:limit]]


def _facet_counts(generation: _Generation, visible: np.ndarray, chosen: dict[str, np.ndarray]) -> dict[str, dict[str, int]]:
    """Counts per facet value among what the person may see. A facet with a chosen value is counted
    without that choice (so its other values still show their counts), with the other choices."""
    counts = {}
    for name in FACET_FIELDS:
        base = visible
        for other, mask in chosen.items():
            if other != name:
                base = base & mask
        if not base.any():
            counts[name] = {}
            continue
        codes = generation.facet_codes(name)
        if codes is not None:
            values, code_of = codes
            tally = np.bincount(code_of[base] + 1, minlength=len(values) + 1)[1:]
            counts[name] = {value: int(n) for value, n in zip(values, tally) if n}
        else:
            counts[name] = {value: n for value, mask in generation.facet(name).items()
                            if (n := int(np.count_nonzero(base & mask)))}
    return counts


def _hit(searcher, docnum: int, score: float, parsed: ParsedQuery, terms: SnippetTerms) -> Hit:
    stored = searcher.stored_fields(docnum)
    language = stored.get("language", "")
    snippet = make_snippet(stored.get("snippet_source", ""), language, parsed, terms=terms)
    return Hit(
        doc_type=stored["type"], doc_id=int(stored["doc_id"]), title=stored.get("title_stored", ""),
        url=stored.get("url", ""), snippet=snippet, score=score, language=language, date=stored.get("date"),
        stored=stored,
    )


@dataclass
class SnippetTerms:
    """What a query marks in snippets, worked out once per query (not once per hit)."""

    plain: set[str]
    words: list[str]
    stems: dict[str, set[str]] = field(default_factory=dict)  # language -> stems, filled as needed
    needles: re.Pattern | None = None  # finds where in a text the first match may be

    @classmethod
    def of(cls, parsed: ParsedQuery, reader=None) -> "SnippetTerms":
        plain = {term for w in parsed.words for term in plain_terms(w)}
        plain |= {w for phrase in parsed.phrases for w in phrase}
        if parsed.prefixes and reader is not None:
            for prefix in parsed.prefixes:
                for n, term in enumerate(reader.expand_prefix("body_plain", prefix)):
                    if n >= MAX_PREFIX_TERMS:
                        break
                    plain.add(term.decode("utf-8") if isinstance(term, bytes) else term)
        return cls(plain=plain, words=list(parsed.words))

    def stems_for(self, language: str) -> set[str]:
        if language not in self.stems:
            analyzer = LANGUAGE_ANALYZERS[language]
            self.stems[language] = {token.text for w in self.words for token in analyzer(w, mode="query")}
        return self.stems[language]

    def window(self, source: str, language: str) -> str:
        """The part of a long text around the first place a query word may stand, so that only that
        part is analysed for highlighting (analysing every hit's whole text was a third of a query)."""
        if len(source) <= SNIPPET_WINDOW_CHARS:
            return source
        stems = self.stems_for(language) if language in LANGUAGE_ANALYZERS else set()
        needles = sorted({n for n in self.plain | stems if len(n) > 2}, key=len, reverse=True)
        if not needles:
            return source
        # Positions in the folded text are close enough to the original's to choose a window.
        found = re.search("|".join(map(re.escape, needles)), source.lower().translate(FOLDING))
        if found is None:
            return source
        start = max(0, found.start() - SNIPPET_WINDOW_CHARS // 3)
        if start:
            # Start on a word: a word cut in two is no word (and Whoosh's Spanish stemmer fails on some ends).
            space = source.find(" ", start, found.start())
            start = space + 1 if space >= 0 else found.start()
        return source[start:start + SNIPPET_WINDOW_CHARS]


SNIPPET_WINDOW_CHARS = 600


def make_snippet(source: str, language: str, parsed: ParsedQuery, searcher=None,
                 terms: SnippetTerms | None = None) -> str:
    """Up to two short passages of the text with the query's words marked; the text's start otherwise."""
    if terms is None:
        terms = SnippetTerms.of(parsed, searcher.reader() if searcher is not None else None)
    fragmenter = ContextFragmenter(maxchars=220, surround=60)
    text = terms.window(source, language)
    snippet = ""
    analyzer = LANGUAGE_ANALYZERS.get(language)
    if analyzer is not None and terms.words:
        try:
            snippet = highlight(text, terms.stems_for(language), analyzer, fragmenter, _Marker(), top=2)
        except Exception:  # Whoosh 2.7.4's Spanish stemmer fails on a few word endings ("igue")
            log.warning("Stemmed highlighting failed (%s); marking the plain words", language, exc_info=True)
            snippet = ""
    if not snippet and terms.plain:
        snippet = highlight(text, terms.plain, PLAIN_ANALYZER, fragmenter, _Marker(), top=2)
    return snippet or str(escape(source[:220]))


def spelling_suggestion(searcher, words: list[str], language: str = "") -> str | None:
    """"Did you mean": each word that is in no title or text of the index replaced by the closest word
    of the titles and texts (only words sharing its first two letters: the only way to stay fast). Never a
    stop word ("essay" must not become the Spanish "esta"), never a word rarer than the one typed; among
    close words, one written in documents of the reader's language first, then the most frequent."""
    reader = searcher.reader()
    correctors = [searcher.corrector("title_plain"), searcher.corrector("body_plain")]
    changed, corrected = False, []

    def frequency(term: str) -> int:
        return reader.doc_frequency("body_plain", term) + reader.doc_frequency("title_plain", term)

    def in_reader_language(term: str) -> bool:
        written = Q.Or([Q.Term("title_plain", term), Q.Term("body_plain", term)])
        return bool(language) and any(True for _ in searcher.docs_for_query(
            Q.And([written, Q.Term("language", language)])))

    for word in words:
        terms = plain_terms(word)
        if len(terms) != 1 or len(terms[0]) < 4 or _known(reader, terms[0], word):
            corrected.append(word)
            continue
        typed = frequency(terms[0])
        candidates = {suggestion for corrector in correctors
                      for suggestion in corrector.suggest(terms[0], limit=SUGGESTION_CANDIDATES, maxdist=2, prefix=2)
                      if suggestion not in STOP_WORDS and frequency(suggestion) > typed}
        if candidates:
            corrected.append(max(sorted(candidates), key=lambda term: (in_reader_language(term), frequency(term))))
            changed = True
        else:
            corrected.append(word)
    return " ".join(corrected) if changed else None


def _known(reader, term: str, word: str) -> bool:
    if reader.doc_frequency("body_plain", term) or reader.doc_frequency("title_plain", term):
        return True
    # An inflection of a known word ("familias" when only "familia" is written) is not a misspelling.
    return any(reader.doc_frequency("body_stem", stem) for stem in word_stems(word))
