"""Does search rank the right things first? A public test collection through the platform's own path,
beside plain Whoosh on the same documents and queries (issue 17, part 2).

    .venv/bin/python bench/relevance.py [--collection bench/data/cisi] [--keep] [--per-query]

What it does (everything in a temporary directory, removed at the end unless --keep):

1. Reads a test collection in the classic SMART form from --collection (default bench/data/cisi, the CISI
   collection: 1,460 abstracts, 76 judged queries): `*.ALL` the documents (`.I id`, then `.T` title, `.W`
   text, other fields ignored), `*.QRY` the queries (`.I id`, `.W` the text; `.T` when there is no `.W`),
   `*.REL` the judgements (`query-id document-id ...`, every listed pair relevant; TREC's
   `query-id 0 document-id level` is recognised too, level > 0 relevant).
2. A fresh instance: a temporary instance folder and SQLite database (NETWORK_INSTANCE_PATH,
   NETWORK_DATABASE_URL), migrated, with one institution. Every document becomes a practice record of a
   JSON Lines file: title = `.T` ("Document <id>" when there is none); summary = the first sentences of `.W` that fit the summary's 500
   characters; context (a required section) = the rest of `.W`, so that summary and sections hold the
   abstract exactly once; the other required sections (target group, methods, outcomes) hold "." (the
   importer requires them; a full stop adds no word, so they cannot rank one document above another);
   language from --language (en), published, public, one sector; external_ref = "<collection>-<id>".
   The file is imported with the platform's command, `flask --app network practices import FILE`, in a
   child process; then the search outbox is drained (network.search.sync.drain_all, what the indexer
   does) until nothing is pending and the index holds every practice.
3. Every judged query runs through network.search.services.search(anonymous visitor,
   SearchRequest(q=text, per_page=100, type="practice")), what the search page and the API call; hits
   are mapped back to the collection's ids through the practices' external_ref. The service cuts a
   query at backend.MAX_QUERY_CHARS characters (and the backend at MAX_QUERY_WORDS words): that is what
   a person gets, so it is measured that way, and the number of queries cut is printed.
4. The baseline, in the same run: plain Whoosh, Schema(key=ID(stored), title=TEXT(StemmingAnalyzer()),
   body=TEXT(StemmingAnalyzer())), default writer and BM25F, the same titles and `.W` texts; each query
   through MultifieldParser(["title", "body"], group=OrGroup) and searcher.search(limit=100). The query
   text is given whole (plain Whoosh cuts nothing), lower-cased and with every character other than
   letters, digits and spaces replaced by a space, so that a question mark is not a wildcard and "AND" no
   operator. For reference it also runs on the text as our service cuts it.
   Then both run the judged queries as a person might type them in a few words: the first 1, 2 and 3
   content words of each (words that are no stop word in the service's lists), so that the run also shows
   whether what people type most ranks as well as plain Whoosh.
5. Prints, for both: nDCG@10 (binary relevance), MAP@100 (average precision over the top 100, divided by
   the number of relevant documents), P@10 and recall@100, each the mean over the judged queries; the
   same for the short queries; the machine, the sizes and the timings. The last line is machine-readable:
   `RESULT collection=cisi ndcg10=.. map=.. p10=.. baseline_ndcg10=.. baseline_map=..`.

Not a test: nothing here asserts a figure. --per-query prints each query's nDCG@10 and AP for both.
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

DEFAULT_COLLECTION = PROJECT_ROOT / "bench" / "data" / "cisi"
SUMMARY_MAX = 500  # network.practices.models.SUMMARY_MAX (checked below)
FILLER = "."  # the required sections that have nothing to hold
DEPTH = 100  # results asked for per query; MAP and recall are measured over these
CUTOFF = 10  # nDCG@10, P@10


# --- the collection ---------------------------------------------------------------------------------

_FIELD = re.compile(r"^\.([A-Z])(?:\s+(.*))?$")


@dataclass
class Collection:
    name: str
    documents: dict[str, tuple[str, str]]  # id -> (title, text)
    queries: dict[str, str]  # id -> text
    relevant: dict[str, set[str]]  # query id -> relevant document ids (judged queries only)
    files: dict[str, Path] = field(default_factory=dict)


def read_smart(path: Path) -> dict[str, dict[str, str]]:
    """id -> {field letter: text with its whitespace collapsed} of a SMART-style file (.I, .T, .W...).
    A field given twice (several .A) is joined."""
    records: dict[str, dict[str, list[str]]] = {}
    current, letter = None, None
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        match = _FIELD.match(line.rstrip())
        if match and match.group(1) == "I":
            current, letter = records.setdefault((match.group(2) or "").strip(), {}), None
        elif match and current is not None:
            letter = match.group(1)
            current.setdefault(letter, [])
            if match.group(2):
                current[letter].append(match.group(2))
        elif current is not None and letter is not None:
            current[letter].append(line)
    return {key: {name: " ".join(" ".join(lines).split()) for name, lines in fields.items()}
            for key, fields in records.items()}


def read_judgements(path: Path) -> dict[str, set[str]]:
    rows = [line.split() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    # TREC's qrels: "query 0 document level" (the second column always 0, the last an integer level).
    trec = all(len(r) == 4 and r[1] == "0" and re.fullmatch(r"-?\d+", r[3]) for r in rows)
    relevant: dict[str, set[str]] = {}
    for row in rows:
        if trec:
            if int(row[3]) > 0:
                relevant.setdefault(_id(row[0]), set()).add(_id(row[2]))
        else:
            relevant.setdefault(_id(row[0]), set()).add(_id(row[1]))
    return relevant


def _id(text: str) -> str:
    """"007" and "7" name the same query or document."""
    return text.lstrip("0") or "0" if text.isdigit() else text


def _one(folder: Path, suffix: str) -> Path:
    found = sorted(p for p in folder.iterdir() if p.is_file() and p.name.upper().endswith(suffix))
    if len(found) != 1:
        raise SystemExit(f"{folder} needs exactly one *{suffix} file (found {len(found)})")
    return found[0]


def read_collection(folder: Path) -> Collection:
    files = {"documents": _one(folder, ".ALL"), "queries": _one(folder, ".QRY"), "judgements": _one(folder, ".REL")}
    documents = {_id(key): (fields.get("T", ""), fields.get("W", ""))
                 for key, fields in read_smart(files["documents"]).items()}
    queries = {}
    for key, fields in read_smart(files["queries"]).items():
        text = fields.get("W") or fields.get("T") or ""
        if text:
            queries[_id(key)] = text
    relevant = {q: docs & documents.keys() for q, docs in read_judgements(files["judgements"]).items()
                if q in queries and docs & documents.keys()}
    name = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-") or "collection"
    return Collection(name, documents, queries, relevant, files)


# --- the documents as practices ---------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def split_summary(text: str, limit: int = SUMMARY_MAX) -> tuple[str, str]:
    """The first sentences that fit `limit` characters, and the rest (at a space when one sentence is longer)."""
    summary = ""
    for match in _SENTENCE_END.finditer(text):
        if match.start() > limit:
            break
        summary = text[:match.start()]
    if not summary:
        if len(text) <= limit:
            return text, ""
        cut = text.rfind(" ", 0, limit + 1)
        summary = text[:cut if cut > 0 else limit]
    return summary.strip(), text[len(summary):].strip()


def practice_records(collection: Collection, institution: str, language: str) -> list[dict]:
    records = []
    for key, (title, text) in collection.documents.items():
        title = title or f"Document {key}"  # the importer needs a title; the same word in every one
        if len(title) > 200:  # network.practices.models.TITLE_MAX
            cut = title.rfind(" ", 0, 200)
            title = title[:cut if cut > 0 else 200]
        summary, rest = split_summary(text or title)
        records.append({
            "external_ref": f"{collection.name}-{key}",
            "title": title,
            "summary": summary,
            "context": rest or FILLER,
            "target_group": FILLER,
            "methods": FILLER,
            "outcomes": FILLER,
            "sectors": ["social"],
            "country": "GB",
            "language": language,
            "institution": institution,
            "status": "published",
            "visibility": "public",
        })
    return records


# --- measures ---------------------------------------------------------------------------------------


def measures(ranked: list[str], relevant: set[str]) -> dict[str, float]:
    """nDCG@10 with binary gains, average precision over the top DEPTH, P@10, recall@DEPTH."""
    ranked = ranked[:DEPTH]
    dcg = sum(1 / math.log2(rank + 2) for rank, doc in enumerate(ranked[:CUTOFF]) if doc in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), CUTOFF)))
    found, precisions = 0, 0.0
    for rank, doc in enumerate(ranked, 1):
        if doc in relevant:
            found += 1
            precisions += found / rank
    return {
        "ndcg10": dcg / ideal if ideal else 0.0,
        "map": precisions / len(relevant) if relevant else 0.0,
        "p10": sum(1 for doc in ranked[:CUTOFF] if doc in relevant) / CUTOFF,
        "recall": found / len(relevant) if relevant else 0.0,
    }


def mean_measures(per_query: dict[str, dict[str, float]]) -> dict[str, float]:
    return {name: statistics.fmean(m[name] for m in per_query.values()) for name in ("ndcg10", "map", "p10", "recall")}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


# --- the platform -----------------------------------------------------------------------------------


def platform_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        NETWORK_INSTANCE_PATH=str(workdir / "instance"),
        NETWORK_DATABASE_URL=f"sqlite:///{workdir / 'network.sqlite3'}",
        NETWORK_SEARCH_INDEX_DIR=str(workdir / "search"),
        NETWORK_SEARCH_INDEXER="manual",
        NETWORK_SECRET_KEY="bench-relevance",
        NETWORK_ENV="development",
        NETWORK_PAGE_CACHE_SECONDS="0",
        PYTHONPATH=str(PROJECT_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    return env


def run_platform(collection: Collection, workdir: Path, language: str, timings: dict) -> dict:
    """Import, index and query through the platform; returns per-query rankings and figures."""
    env = platform_env(workdir)
    os.environ.update({k: v for k, v in env.items() if k.startswith("NETWORK_")})
    from flask_login import AnonymousUserMixin
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from network import create_app
    from network.extensions import db
    from network.institutions import services as institutions
    from network.practices.models import SUMMARY_MAX as PLATFORM_SUMMARY_MAX
    from network.practices.models import Practice
    from network.search import backend, services, sync

    assert PLATFORM_SUMMARY_MAX == SUMMARY_MAX, "the summary limit changed: update SUMMARY_MAX"
    app = create_app()
    result: dict = {}
    with app.app_context():
        started = time.perf_counter()
        logging.disable(logging.INFO)  # the migrations' log lines
        try:
            upgrade()
            sync.search_index().create_empty()  # as the first indexer run would, without its warning
        finally:
            logging.disable(logging.NOTSET)
        institution = institutions.create_institution(None, institutions.InstitutionData(
            name=f"Test collection {collection.name}", country="GB", city="Glasgow", sectors=["social"],
            languages=[language]))
        timings["migrate_s"] = time.perf_counter() - started

        records = practice_records(collection, institution.slug, language)
        jsonl = workdir / f"{collection.name}.jsonl"
        with jsonl.open("w", encoding="utf-8") as stream:
            for record in records:
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        result["jsonl_mb"] = jsonl.stat().st_size / 1e6
        db.session.remove()

        started = time.perf_counter()
        command = [sys.executable, "-m", "flask", "--app", "network", "practices", "import", str(jsonl)]
        done = subprocess.run(command, env=env, cwd=str(PROJECT_ROOT), capture_output=True, text=True)
        timings["import_s"] = time.perf_counter() - started
        result["import_output"] = done.stdout.strip().splitlines()[-1:] + done.stderr.strip().splitlines()[-3:]
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-3000:], sep="\n", file=sys.stderr)
            raise SystemExit(f"the import failed (exit {done.returncode})")

        started = time.perf_counter()
        drained = sync.drain_all()
        index = sync.search_index()
        practices = db.session.scalar(select(func.count()).select_from(Practice))
        indexed = index.document_count()
        timings["index_s"] = time.perf_counter() - started
        if sync.pending_count() or practices != len(records) or indexed < practices:
            raise SystemExit(f"not everything was indexed: {practices} practices, {indexed} documents in the "
                             f"index, {sync.pending_count()} changes pending")
        result.update(practices=practices, indexed=indexed, drained=drained,
                      index_mb=folder_mb(index.root))

        ref_of = {pid: ref.split("-", 1)[1] if ref.startswith(collection.name + "-") else ref
                  for pid, ref in db.session.execute(select(Practice.id, Practice.external_ref))}
        anonymous = AnonymousUserMixin()
        rankings, latencies = {}, []
        with app.test_request_context():
            services.search(anonymous, services.SearchRequest(q="warm up", per_page=10, type="practice"))
            for qid in sorted(collection.relevant, key=_numeric):
                started = time.perf_counter()
                found = services.search(anonymous, services.SearchRequest(
                    q=collection.queries[qid], per_page=DEPTH, type="practice"))
                latencies.append((time.perf_counter() - started) * 1000)
                rankings[qid] = [ref_of[hit.doc_id] for hit in found.hits if hit.doc_type == "practice"]
            short: dict[int, dict[str, list[str]]] = {}
            for words in SHORT_QUERY_WORDS:
                short[words] = {}
                for qid, text in short_queries(collection, backend, words).items():
                    found = services.search(anonymous, services.SearchRequest(q=text, per_page=DEPTH, type="practice"))
                    short[words][qid] = [ref_of[hit.doc_id] for hit in found.hits if hit.doc_type == "practice"]
        result.update(rankings=rankings, latencies=latencies, short=short, max_chars=backend.MAX_QUERY_CHARS,
                      max_words=backend.MAX_QUERY_WORDS, cut=service_cut(collection, backend),
                      short_texts={n: short_queries(collection, backend, n) for n in SHORT_QUERY_WORDS})
        index.close()
        db.session.remove()
        db.engine.dispose()
    return result


def content_words(text: str, backend) -> list[str]:
    """The words of a text that are no stop word in the service's lists, each once, lower case."""
    words = (w.lower() for w in _WORDS.findall(text))
    return list(dict.fromkeys(w for w in words
                              if not all(term in backend.STOP_WORDS for term in backend.plain_terms(w))))


def short_queries(collection: Collection, backend, words: int) -> dict[str, str]:
    """Each judged query as a person might type it in a few words: its first `words` content words."""
    return {qid: " ".join(content_words(collection.queries[qid], backend)[:words]) for qid in collection.relevant}


def service_cut(collection: Collection, backend) -> dict[str, int]:
    """How many judged queries the service shortens: at MAX_QUERY_CHARS characters, and how many of them
    lose content words to MAX_QUERY_WORDS besides (and how many words in all)."""
    chars = queries = words = 0
    for qid in collection.relevant:
        text = collection.queries[qid]
        chars += len(text) > backend.MAX_QUERY_CHARS
        kept = {w.lower() for w in backend.parse_user_query(text).words}
        lost = [w for w in content_words(text[:backend.MAX_QUERY_CHARS], backend) if w not in kept]
        queries += bool(lost)
        words += len(lost)
    return {"chars": chars, "queries": queries, "words": words}


_WORDS = re.compile(r"\w+(?:[-']\w+)*")
SHORT_QUERY_WORDS = (1, 2, 3)


def _numeric(key: str):
    return (0, int(key)) if key.isdigit() else (1, key)


def folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file()) / 1e6


# --- the baseline: plain Whoosh ---------------------------------------------------------------------


def baseline_text(text: str) -> str:
    """The words only: the query parser's syntax (? * wildcards, AND/OR/NOT, field:, quotes, brackets)
    must not change what a natural-language question asks."""
    return " ".join(re.sub(r"[^\w\s]", " ", text).lower().split())


def run_baseline(collection: Collection, folder: Path, cut_at: int, short_texts: dict, timings: dict) -> dict:
    from whoosh import index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser, OrGroup

    folder.mkdir(parents=True)
    started = time.perf_counter()
    schema = Schema(key=ID(stored=True, unique=True), title=TEXT(analyzer=StemmingAnalyzer()),
                    body=TEXT(analyzer=StemmingAnalyzer()))
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer()
    for key, (title, text) in collection.documents.items():
        writer.add_document(key=key, title=title, body=text)
    writer.commit()
    timings["baseline_index_s"] = time.perf_counter() - started
    parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)
    rankings, cut_rankings, latencies = {}, {}, []
    with ix.searcher() as searcher:
        for qid in sorted(collection.relevant, key=_numeric):
            text = collection.queries[qid]
            started = time.perf_counter()
            results = searcher.search(parser.parse(baseline_text(text)), limit=DEPTH)
            rankings[qid] = [hit["key"] for hit in results]
            latencies.append((time.perf_counter() - started) * 1000)
            results = searcher.search(parser.parse(baseline_text(text[:cut_at])), limit=DEPTH)
            cut_rankings[qid] = [hit["key"] for hit in results]
        short = {words: {qid: [hit["key"] for hit in searcher.search(parser.parse(baseline_text(text)), limit=DEPTH)]
                         for qid, text in texts.items()}
                 for words, texts in short_texts.items()}
    return {"rankings": rankings, "cut_rankings": cut_rankings, "short": short, "latencies": latencies,
            "index_mb": folder_mb(folder)}


# --- the report -------------------------------------------------------------------------------------


def evaluate(rankings: dict[str, list[str]], collection: Collection) -> dict[str, dict[str, float]]:
    return {qid: measures(rankings.get(qid, []), collection.relevant[qid]) for qid in collection.relevant}


def ratio(ours: float, base: float) -> str:
    return f"{ours / base:.3f}" if base else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collection", type=Path, default=DEFAULT_COLLECTION,
                        help="a folder with one *.ALL, *.QRY and *.REL file (default: bench/data/cisi)")
    parser.add_argument("--language", default="en", help="the documents' language code (default: en)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument("--per-query", action="store_true", help="print each judged query's figures")
    args = parser.parse_args()

    wall_started = time.perf_counter()
    collection = read_collection(args.collection)
    judged_pairs = sum(len(docs) for docs in collection.relevant.values())
    query_chars = [len(collection.queries[q]) for q in collection.relevant]
    print(f"machine:    {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"Whoosh {__import__('whoosh').versionstring()}")
    print(f"load:       {' '.join(f'{x:.1f}' for x in os.getloadavg())} (1, 5, 15 min) at the start")
    print(f"collection: {collection.name} ({args.collection}): {len(collection.documents)} documents, "
          f"{len(collection.queries)} queries, {len(collection.relevant)} judged, {judged_pairs} relevant pairs "
          f"({judged_pairs / len(collection.relevant):.1f} a query)")
    print(f"queries:    {statistics.median(query_chars):.0f} characters (median), "
          f"{min(query_chars)}-{max(query_chars)}")

    workdir = Path(tempfile.mkdtemp(prefix="bench-relevance-"))
    timings: dict[str, float] = {}
    try:
        ours = run_platform(collection, workdir, args.language, timings)
        base = run_baseline(collection, workdir / "baseline", ours["max_chars"], ours["short_texts"], timings)
    finally:
        if args.keep:
            print(f"kept:       {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"import:     {' / '.join(ours['import_output'])}")
    print(f"            {ours['jsonl_mb']:.1f} MB of JSON Lines; migrating {timings['migrate_s']:.1f} s, "
          f"`practices import` {timings['import_s']:.1f} s, indexing (drain_all, {ours['drained']} changes) "
          f"{timings['index_s']:.1f} s; {ours['practices']} practices, {ours['indexed']} documents in the index "
          f"({ours['index_mb']:.1f} MB)")
    print(f"baseline:   plain Whoosh indexed in {timings['baseline_index_s']:.1f} s ({base['index_mb']:.1f} MB)")
    cut = ours["cut"]
    print(f"cut:        {cut['chars']} of {len(collection.relevant)} judged queries are longer than "
          f"MAX_QUERY_CHARS={ours['max_chars']} and are cut there by the service; {cut['queries']} also lose "
          f"{cut['words']} content words in all to MAX_QUERY_WORDS={ours['max_words']}")
    print(f"latency:    ours p50 {statistics.median(ours['latencies']):.0f} ms, p95 "
          f"{percentile(ours['latencies'], 95):.0f} ms (services.search, {DEPTH} hits with snippets); baseline "
          f"p50 {statistics.median(base['latencies']):.0f} ms, p95 {percentile(base['latencies'], 95):.0f} ms")

    ours_q, base_q = evaluate(ours["rankings"], collection), evaluate(base["rankings"], collection)
    cut_q = evaluate(base["cut_rankings"], collection)
    if args.per_query:
        print("\nquery  relevant  ours nDCG@10  AP     baseline nDCG@10  AP     text")
        for qid in sorted(collection.relevant, key=_numeric):
            o, b = ours_q[qid], base_q[qid]
            print(f"{qid:>5}  {len(collection.relevant[qid]):>8}  {o['ndcg10']:12.3f}  {o['map']:.3f}  "
                  f"{b['ndcg10']:16.3f}  {b['map']:.3f}  {collection.queries[qid][:70]}")
    ours_m, base_m, cut_m = mean_measures(ours_q), mean_measures(base_q), mean_measures(cut_q)
    wins = sum(ours_q[q]["ndcg10"] > base_q[q]["ndcg10"] for q in collection.relevant)
    losses = sum(ours_q[q]["ndcg10"] < base_q[q]["ndcg10"] for q in collection.relevant)

    print(f"\n{'mean over ' + str(len(collection.relevant)) + ' judged queries':<40} {'nDCG@10':>8} {'MAP@100':>8} "
          f"{'P@10':>8} {'R@100':>8}")
    for label, m in (("ours (services.search)", ours_m), ("plain Whoosh BM25F, OrGroup", base_m),
                     (f"  (plain Whoosh on the text cut at {ours['max_chars']})", cut_m)):
        print(f"{label:<40} {m['ndcg10']:8.4f} {m['map']:8.4f} {m['p10']:8.4f} {m['recall']:8.4f}")
    print(f"{'ours / plain Whoosh':<40} {ratio(ours_m['ndcg10'], base_m['ndcg10']):>8} "
          f"{ratio(ours_m['map'], base_m['map']):>8} {ratio(ours_m['p10'], base_m['p10']):>8} "
          f"{ratio(ours_m['recall'], base_m['recall']):>8}")
    print(f"per query (nDCG@10): ours better on {wins}, worse on {losses}, equal on "
          f"{len(collection.relevant) - wins - losses}")
    print("short queries, the first content words of each judged query (nDCG@10 / MAP@100):")
    for words in SHORT_QUERY_WORDS:
        o, b = (mean_measures(evaluate(run["short"][words], collection)) for run in (ours, base))
        print(f"  {words} word{'s' if words > 1 else ' '}: ours {o['ndcg10']:.4f} / {o['map']:.4f}, plain Whoosh "
              f"{b['ndcg10']:.4f} / {b['map']:.4f}  (ours / plain Whoosh: {ratio(o['ndcg10'], b['ndcg10'])}, "
              f"{ratio(o['map'], b['map'])})")
    print(f"total {time.perf_counter() - wall_started:.0f} s; load {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          "at the end")
    print(f"RESULT collection={collection.name} ndcg10={ours_m['ndcg10']:.4f} map={ours_m['map']:.4f} "
          f"p10={ours_m['p10']:.4f} baseline_ndcg10={base_m['ndcg10']:.4f} baseline_map={base_m['map']:.4f}")


if __name__ == "__main__":
    main()
