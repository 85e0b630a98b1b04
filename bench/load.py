"""How many requests a second the production server answers, and how fast, on a realistically sized network.

    .venv/bin/python bench/load.py [--practices 20000] [--essays N] [--visits N] [--users N]
                                   [--database sqlite|postgresql] [--pg-setting NAME=VALUE ...]
                                   [--front gunicorn|nginx] [--workers N] [--worker-class sync|gthread]
                                   [--threads N] [--requests 3000] [--clients 4] [--warmup 80] [--seed 1]
                                   [--instance DIR] [--seed-only] [--keep] [--port 0] [--profile]
                                   [--ceiling 300] [--page-cache SECONDS]

What it does, in order:

1. **Seeds** an instance folder (a temporary one, or --instance DIR) with a database migrated by `flask --app
   network db upgrade`, then filled with bulk Core inserts in one transaction: 40 institutions in 16
   countries, the users (each institution's admin, coordinators, evaluators, one site admin, a few waiting for
   approval), partnerships, N practices written in ten languages (sections, sectors, intervention types, tags,
   authors, a first revision, translations, reviews; 88 % published, 85 % of those public), comments with
   replies, follows and notifications on some of them, hosting offers with weeks and programmes, applications
   with preferences and the visits made from them (completed, confirmed, proposed, cancelled, with their
   programme), a training event per completed visit plus training events, courses and conferences, and the
   essays written about them (published, submitted, returned, drafts) with linked practices. The text comes
   from bench/search.py's generated corpus (the same vocabulary and seed the search benchmark uses). Then
   `flask --app network practices render-html` stores each practice's HTML (the bulk inserts go past the
   services that do it on save), `flask --app network search reindex` builds the search index once and the
   search outbox is emptied.
   Sizes: --practices N (20,000), and in proportion unless given, as in the default network (20,000
   practices : 5,000 essays : 2,000 visits : 300 users): essays N/4, visits N/10, users 1.5 % of N but at
   least 80 (two per institution). The institutions stay the corpus's 40 (bench/search.py draws each
   practice's institution from them), so an institution holds N/40 practices: its page lists its 20 newest.
   With --instance DIR, a DIR that already holds a finished seed of the same sizes, seed and database is
   reused (no seeding, no reindex): its schema is brought up by `flask --app network db upgrade` and what is
   derived is filled (render-html), as an upgrade in production would; a different seed there is refused
   rather than overwritten. --seed-only seeds and indexes DIR (or brings a reused one up to date) and stops:
   large instances are prepared ahead.
   --database sqlite (the default): the instance's SQLite file. --database postgresql: a PostgreSQL server
   from Debian's packages started by this script on 127.0.0.1 and a socket in DIR/pg-run, its data folder
   DIR/pgdata (so that a finished seed is reused), the seed in the database "seeded" (vacuumed and analysed:
   what autovacuum does on a live installation). Settings (PostgresStore): fsync, synchronous_commit and
   full_page_writes keep their defaults (on: a comment post waits for its WAL flush, as in production);
   shared_buffers 1.5 times the data (at least 128 MB, at most a quarter of the RAM), effective_cache_size
   half the RAM, random_page_cost 1.1, jit off, max_wal_size 2GB; --pg-setting NAME=VALUE overrides any.
2. **Serves** a fresh copy of that database (so that comments posted by one run do not change the next:
   SQLite's backup API, or PostgreSQL's CREATE DATABASE run TEMPLATE seeded) with the production set-up:
   gunicorn with the project's gunicorn.conf.py (its workers, worker class and threads unless --workers,
   --worker-class, --threads say otherwise; all three are put on gunicorn's command line, which wins over
   the file) and one `flask --app network search worker`, NETWORK_SEARCH_INDEXER=external, a random
   NETWORK_SECRET_KEY, NETWORK_ENV=production. --front gunicorn (the default): the clients talk to gunicorn.
   --front nginx: nginx from Debian's package (/usr/sbin/nginx) in front, with the deployment's own
   configuration (deploy/nginx/peer-network.conf in deploy/nginx/standalone.conf, rendered by
   deploy/render.py) on a free loopback port, its runtime files in DIR/nginx, gunicorn behind it on another
   loopback port with NETWORK_TRUSTED_PROXIES=1; nginx serves the static files. Everything this script
   starts (PostgreSQL, gunicorn, the search worker, nginx) is always stopped at the end, also on Ctrl-C,
   `kill` and errors.
3. **Drives** it from a separate process on loopback: --clients threads, each with its own keep-alive
   http.client connection and cookies, accepting gzip as browsers do (nginx compresses; the app does not).
   Each client logs in once as a different member (the CSRF token is read from the login form), then the
   warm-up requests are shared out (each gunicorn worker opens the search index and compiles its
   templates), then the timed phase runs exactly --requests requests of a deterministic mix drawn from
   --seed (home, practice list plain and with filters and pages, practice pages, institution pages, search
   with and without filters, comment posts), as fast as the server answers (a closed loop: a client sends
   its next request when the previous one is answered). A quarter of the page views are by logged-in
   members. Expected answers: 200 for pages, a 302 to the new comment for a comment post; anything else, a
   timeout or a broken connection is an error, and so is a "Search failed" or a traceback in the server's
   log (the search page answers 200 with no results when search fails), or an error in nginx's log.
4. **Prints** per route: count, errors, latency p50/p95/p99/max seen by the client, and the server's own
   time (gunicorn's %(D)s: from the request read to the response written, without the time spent waiting in
   the listen queue; with gthread workers it includes waiting for the worker's other threads), the size on
   the wire and how many answers came from a cache; requests per second over the timed phase; the CPU time
   each process used (PostgreSQL's and nginx's processes counted together; the client competes with the
   server for the same cores), the machine's load and what other processes used; and a floor: the same
   clients fetching the favicon at the address the pages give it (fingerprinted), through Flask or nginx.
   With --profile the gunicorn workers' threads run under cProfile during the timed phase (slower: its
   figures are not the benchmark's; with several threads a thread's profile also counts its waits for the
   GIL) and the time is broken down by package and function.
   The page cache for anonymous visitors (network/page_cache.py) runs with the app's default unless
   --page-cache SECONDS sets it (0 turns it off); the "cached" column counts the answers it served (its
   X-Page-Cache header) and those a front server's cache served (a HIT in a header such as X-Cache-Status).

Nothing is asserted: it prints figures. The last line is machine-readable (bench/load_scaling.py reads it):
RESULT requests=... rps=... p95_page_ms=... p95_search_ms=... errors=... database=... front=... practices=...
       workers=... worker_class=... threads=... clients=... p95_list_ms=... server_p95_list_ms=...
       server_p95_search_ms=... floor_rps=... p95_<route>_ms=... (one per route: home, list_plain,
       list_filters, practice, institution, search_plain, search_filters, comment)
("page" is every route but search, comment posts included; "list" both list routes, "search" both search
routes; the server_ figures are gunicorn's own times.)
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import math
import multiprocessing
import os
import platform
import queue
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

PROJECT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PASSWORD = "peer-network-load"  # every seeded account's password
MARKER = "load-seed.json"  # written last: its presence means the seed and the index are complete
PARTIAL = "load-seed.partial"  # present while seeding: what is there may be replaced
BASE_DB = "network.sqlite3"  # the seeded database (the instance's default name)
RUN_DB = "load-run.sqlite3"  # the copy a run serves and writes to
PROFILE_FLAG = "load-profile.on"
# `flask --app network practices render-html`: stores each practice's HTML (issue 24), for rows written past the
# services like the seed's bulk inserts. Run after seeding and on reuse, when this code has it.
PRERENDER = ("practices", "render-html")

# route, share of the timed requests (percent)
MIX = [("home", 10), ("list", 10), ("list+filters", 14), ("practice", 30), ("institution", 6),
       ("search", 13), ("search+filters", 13), ("comment", 4)]
SEARCH_ROUTES = ("search", "search+filters")
MEMBER_SHARE = 0.25  # page views by logged-in members (comment posts always are)
CLIENT_TIMEOUT = 30.0
CEILING_PATH = "/static/favicon.svg"  # a small file served by Flask: the floor of any request


# --- the seed ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Sizes:
    practices: int
    essays: int
    visits: int
    users: int
    seed: int


FIRST_NAMES = """Ana Marta Pablo Elena Andrei Maria Ioana Mihai Lotte Pieter Sofie Mikko Laura Jussi Emilia Luc Claire
Jón Guðrún Helga Nikos Katerina Giorgos James Emma Oliver Chloe Amir Giulia Marco Chiara João Inês Tiago Agnieszka
Piotr Kasia Aoife Seán Femke Daan Camille Hugo""".split()
SURNAMES = """García López Ionescu Popescu Peeters Janssens Korhonen Virtanen Schmit Jónsson Georgiou Papadopoulou
Walker Smith Rossi Bianchi Silva Santos Nowak Kowalska Murphy Kelly Vermeulen Martin Dubois Borg Camilleri""".split()
PARTNERSHIP_TOPICS = ["Family and community resources for social inclusion", "Interfamily groups across Europe",
                      "Early childhood home visiting", "Peer support for parents",
                      "Schools, families and communities", "Migrant families and local services",
                      "Foster and kinship care together", "Young people at risk: outreach that works",
                      "Community mapping for family services", "Parents' mental health and children's wellbeing"]
EVENT_KINDS = [("training_event", "Short-term training", 4), ("online_course", "Online course", 54),
               ("conference", "Conference", 2)]


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _monday_on_or_after(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _sentences(text: str) -> list[str]:
    return [s.strip() + "." for s in re.split(r"\.\s+", text.replace("\n\n", " ")) if len(s.split()) >= 3]


def _sections(body: str, rng: random.Random) -> dict[str, str]:
    """A generated body cut into the seven Markdown sections: methods as a list, objectives numbered,
    the optional sections sometimes empty (the required four never)."""
    sentences = _sentences(body) or [body]
    names = ["context", "target_group", "objectives", "methods", "resources", "outcomes", "lessons"]
    weights = [4, 2, 2, 4, 1, 3, 2]
    required = ("context", "target_group", "methods", "outcomes")
    keep = [name for name in names if name in required or rng.random() < 0.7]
    parts: dict[str, list[str]] = {name: [] for name in names}
    for k, name in enumerate(keep[:len(sentences)]):
        parts[name].append(sentences[k])
    for sentence in sentences[len(keep):]:
        name = rng.choices(keep, weights=[weights[names.index(n)] for n in keep])[0]
        parts[name].append(sentence)
    sections = {}
    for name, items in parts.items():
        if not items:
            sections[name] = ""
        elif name == "methods":
            sections[name] = "\n".join(f"- {s}" for s in items)
        elif name == "objectives":
            sections[name] = "\n".join(f"{n}. {s}" for n, s in enumerate(items, 1))
        else:
            paragraphs = [" ".join(items[k:k + 4]) for k in range(0, len(items), 4)]
            if paragraphs and rng.random() < 0.3:
                first = paragraphs[0].split()
                paragraphs[0] = " ".join(f"**{w}**" if n == 1 else w for n, w in enumerate(first))
            sections[name] = "\n\n".join(paragraphs)
    if not sections["context"]:
        sections["context"] = sentences[0]
    return sections


def _short(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0] + "…"


class Inserter:
    """Bulk Core inserts on one connection, in chunks."""

    def __init__(self, connection, metadata):
        self.connection = connection
        self.tables = metadata.tables
        self.counts: dict[str, int] = {}

    def __call__(self, table: str, rows: list[dict], chunk: int = 2000) -> None:
        for start in range(0, len(rows), chunk):
            self.connection.execute(self.tables[table].insert(), rows[start:start + chunk])
        self.counts[table] = self.counts.get(table, 0) + len(rows)


def seed_database(instance: str, url: str, sizes: Sizes) -> dict:
    """Runs in a child process: fill the migrated database at `url`. Returns row counts."""
    env = {**clean_env(), **server_env(Path(instance), url, secret="seeding")}
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [str(PROJECT), str(BENCH)]
    from sqlalchemy import text

    import search as search_bench  # bench/search.py: the corpus
    from network import create_app
    from network.auth.models import APPROVED, COORDINATOR, EVALUATOR, INSTITUTION_ADMIN, PENDING, SITE_ADMIN
    from network.auth.services import hash_password
    from network.extensions import db
    from network.mobility.demo import PROGRAMME
    from network.practices.models import INTERVENTION_TYPES

    started = time.monotonic()
    rng = random.Random(sizes.seed)
    corpus = search_bench.Corpus(sizes.seed)
    now = datetime.now(timezone.utc)
    today = now.date()
    app = create_app()
    with app.app_context():
        password_hash = hash_password(PASSWORD)  # once: argon2 on purpose takes a while
        engine = db.engine
        with engine.begin() as connection:
            insert = Inserter(connection, db.metadata)

            # Institutions: bench/search.py's 40, with their countries and languages.
            institutions, slug_id = [], {}
            for n, (slug, country, language) in enumerate(search_bench.INSTITUTIONS, 1):
                words = slug.split("-")
                doc = corpus.document(10_000_000 + n)
                institutions.append(dict(id=n, name=" ".join(w.capitalize() for w in words), slug=slug,
                                         country=country, city=words[-1].capitalize(),
                                         description=_short(doc.summary, 600),
                                         website=f"https://{slug}.example.org",
                                         contact_email=f"contact@{slug}.example.org",
                                         created_at=now - timedelta(days=rng.randint(400, 1500)),
                                         language=language))
                slug_id[slug] = n
            insert("institutions", [{k: v for k, v in i.items() if k != "language"} for i in institutions])
            insert("institution_sectors", [dict(institution_id=i["id"], sector=s) for i in institutions
                                           for s in rng.sample(search_bench.SECTORS, rng.randint(1, 2))])
            insert("institution_languages", [dict(institution_id=i["id"], language=code) for i in institutions
                                             for code in dict.fromkeys([i["language"], "en"])])
            country_of = {i["id"]: i["country"] for i in institutions}
            name_of = {i["id"]: i["name"] for i in institutions}

            # Users: spread over the institutions; each institution's first is its admin.
            users, roles = [], []
            members_of: dict[int, list[int]] = {i["id"]: [] for i in institutions}
            for u in range(1, sizes.users + 1):
                institution_id = (u - 1) % len(institutions) + 1
                pending = u > 2 * len(institutions) and u % 50 == 0 and u != sizes.users  # not the site admin
                name = f"{FIRST_NAMES[u % len(FIRST_NAMES)]} {SURNAMES[(u * 7) % len(SURNAMES)]}"
                users.append(dict(id=u, name=name, email=f"user{u}@load.example", password_hash=password_hash,
                                  institution_id=institution_id,
                                  membership_status=PENDING if pending else APPROVED,
                                  session_version=1, is_active_account=True,
                                  created_at=now - timedelta(days=rng.randint(30, 900)), last_login_at=None))
                if not pending:
                    members_of[institution_id].append(u)
                if u <= len(institutions):
                    roles.append(dict(user_id=u, role=INSTITUTION_ADMIN))
            evaluators = list(range(len(institutions) + 1, sizes.users + 1, max(1, sizes.users // 6)))[:6]
            roles += [dict(user_id=u, role=EVALUATOR) for u in evaluators]
            roles.append(dict(user_id=sizes.users, role=SITE_ADMIN))
            insert("users", users)

            # Partnerships, as many as the visits need (a person applies once per partnership).
            partnerships = []
            for p in range(1, max(4, min(30, math.ceil(sizes.visits / 66))) + 1):
                partners = sorted(rng.sample(range(1, len(institutions) + 1), rng.randint(8, 14)))
                coordinating = rng.choice(partners)
                start = date(2021 + p % 5, (1, 3, 9, 11)[p % 4], 1)
                end = date(start.year + rng.choice((2, 3)), start.month, 1) - timedelta(days=1)
                partnerships.append(dict(
                    id=p, title=f"{PARTNERSHIP_TOPICS[p % len(PARTNERSHIP_TOPICS)]} ({p})",
                    reference=f"{start.year}-1-{country_of[coordinating]}01-KA220-ADU-{p:09d}",
                    description=_short(corpus.document(11_000_000 + p).summary, 800), start_date=start,
                    end_date=end, coordinating_institution_id=coordinating,
                    created_at=now - timedelta(days=1500), partners=partners))
                coordinator = next((u for u in members_of[coordinating] if u > len(institutions)), None)
                if coordinator and dict(user_id=coordinator, role=COORDINATOR) not in roles:
                    roles.append(dict(user_id=coordinator, role=COORDINATOR))
            insert("user_roles", roles)
            insert("partnerships", [{k: v for k, v in p.items() if k != "partners"} for p in partnerships])
            insert("partnership_partners", [dict(partnership_id=p["id"], institution_id=i)
                                            for p in partnerships for i in p["partners"]])
            partners_of = {p["id"]: set(p["partners"]) for p in partnerships}
            _progress(f"institutions, {len(users)} users, {len(partnerships)} partnerships", started)

            # Practices, in chunks: the rows and everything hanging from them.
            tag_ids: dict[str, int] = {}
            practices = []  # (id, institution_id, status, visibility, title, creator, published_at)
            originals: dict[int, list[int]] = {}
            sentence_pool: list[tuple[str, str]] = []
            for chunk_start in range(1, sizes.practices + 1, 1000):
                rows, sectors, types, links, authors, revisions, new_tags = [], [], [], [], [], [], []
                for i in range(chunk_start, min(chunk_start + 1000, sizes.practices + 1)):
                    doc = corpus.document(i)
                    r = random.Random(sizes.seed * 1_000_003 + i)
                    institution_id = slug_id[doc.institution]
                    creator = r.choice(members_of[institution_id])
                    status = doc.status
                    if status == "published" and r.random() < 0.02:
                        status = "archived"
                    created = _aware(doc.date) - timedelta(days=r.randint(0, 30))
                    published = _aware(doc.date) if status != "draft" else None
                    updated = min(now, max(created, published or created) + timedelta(days=r.randint(0, 200)))
                    partnership_id = doc.partnership_id if doc.partnership_id in partners_of and \
                        institution_id in partners_of[doc.partnership_id] else None
                    translation_of = None
                    if originals.get(institution_id) and r.random() < 0.04:
                        translation_of = r.choice(originals[institution_id])
                    else:
                        originals.setdefault(institution_id, []).append(i)
                    reviewed = status == "published" and r.random() < 0.12
                    sections = _sections(doc.body, r)
                    tags = list(dict.fromkeys(" ".join(t.split()).lower()[:60] for t in doc.tags))
                    practice_types = doc.intervention_types or r.sample(INTERVENTION_TYPES, r.randint(1, 3))
                    row = dict(id=i, title=_short(doc.title, 200), summary=_short(doc.summary, 500),
                               **sections, country=country_of[institution_id], language=doc.language,
                               institution_id=institution_id, partnership_id=partnership_id,
                               external_ref=None,
                               external_link=f"https://example.org/practice/{i}" if r.random() < 0.2 else "",
                               status=status, visibility=doc.visibility,
                               evidence_level="reviewed" if reviewed else "shared",
                               reviewed_by_id=r.choice(evaluators) if reviewed and evaluators else None,
                               reviewed_at=updated if reviewed else None, translation_of_id=translation_of,
                               created_by_id=creator, created_at=created, updated_at=updated,
                               published_at=published)
                    rows.append(row)
                    sectors += [dict(practice_id=i, sector=s) for s in doc.sectors]
                    types += [dict(practice_id=i, intervention_type=t) for t in practice_types]
                    for tag in tags:
                        if tag not in tag_ids:
                            tag_ids[tag] = len(tag_ids) + 1
                            new_tags.append(dict(id=tag_ids[tag], name=tag))
                        links.append(dict(practice_id=i, tag_id=tag_ids[tag]))
                    authors.append(dict(practice_id=i, user_id=creator, position=0))
                    if r.random() < 0.2 and len(members_of[institution_id]) > 1:
                        second = r.choice([u for u in members_of[institution_id] if u != creator])
                        authors.append(dict(practice_id=i, user_id=second, position=1))
                    snapshot = {k: row[k] for k in (
                        "title", "summary", "context", "target_group", "objectives", "methods", "resources",
                        "outcomes", "lessons", "country", "language", "partnership_id", "external_link", "status",
                        "visibility", "translation_of_id", "evidence_level")}
                    snapshot.update(sectors=doc.sectors, intervention_types=practice_types, tags=tags,
                                    institution=doc.institution, external_ref="")
                    revisions.append(dict(practice_id=i, number=1, author_id=creator, created_at=created,
                                          data=snapshot))
                    practices.append((i, institution_id, status, doc.visibility, row["title"], creator,
                                      published or created))
                    if len(sentence_pool) < 20_000:
                        sentence_pool += [(doc.language, s) for s in _sentences(doc.summary)]
                insert("tags", new_tags)
                insert("practices", rows, chunk=500)
                insert("practice_sectors", sectors)
                insert("practice_intervention_types", types)
                insert("practice_tags", links)
                insert("practice_authors", authors)
                insert("practice_revisions", revisions, chunk=500)
                _progress(f"{len(practices)} practices", started)
            published = [p for p in practices if p[2] == "published"]
            published_public = [p for p in published if p[3] == "public"]
            approved = [u["id"] for u in users if u["membership_status"] == APPROVED]

            # Comments on one published practice in seven, some replies, follows and notifications.
            comments, follows, notifications = [], set(), []
            for practice_id, _inst, _status, _vis, title, creator, when in published:
                if rng.random() >= 0.15:
                    continue
                tops = []
                for _ in range(min(8, int(rng.expovariate(1 / 2.5)) + 1)):
                    author = rng.choice(approved)
                    cid = len(comments) + 1
                    parent = rng.choice(tops) if tops and rng.random() < 0.3 else None
                    created = min(now, when + timedelta(days=rng.randint(1, 400),
                                                        seconds=rng.randint(0, 86_399)))
                    body = " ".join(s for _l, s in rng.sample(sentence_pool, rng.randint(1, 4)))
                    if rng.random() < 0.15:
                        body += "".join(f"\n- {rng.choice(sentence_pool)[1]}" for _ in range(2))
                    comments.append(dict(id=cid, practice_id=practice_id, parent_id=parent, author_id=author,
                                         body=body, created_at=created, edited_at=None,
                                         deleted=rng.random() < 0.01, hidden=rng.random() < 0.02,
                                         hidden_by_id=None, hidden_at=None))
                    if parent is None:
                        tops.append(cid)
                    follows.add((author, practice_id, created))
                    if creator != author:
                        notifications.append(dict(
                            user_id=creator, kind="reply" if parent else "comment",
                            message=_short(f"{users[author - 1]['name']} commented on “{title}”.", 500),
                            link=f"/practices/{practice_id}#comment-{cid}", created_at=created,
                            read_at=created + timedelta(days=1) if rng.random() < 0.7 else None))
            insert("comments", comments)
            seen = set()
            insert("practice_follows", [dict(user_id=u, practice_id=p, created_at=c)
                                        for u, p, c in sorted(follows)
                                        if (u, p) not in seen and not seen.add((u, p))])
            insert("notifications", notifications)
            _progress(f"{len(comments)} comments", started)

            # Hosting offers: every partner of every partnership.
            programme = [(a.day, a.kind, a.description) for a in PROGRAMME]
            offers, offer_of = [], {}
            for p in partnerships:
                for host in p["partners"]:
                    oid = len(offers) + 1
                    offer_of[(p["id"], host)] = oid
                    offers.append(dict(id=oid, partnership_id=p["id"], institution_id=host,
                                       description=_short(corpus.document(12_000_000 + oid).summary, 1200),
                                       languages=",".join(dict.fromkeys([i["language"] for i in institutions
                                                                         if i["id"] == host] + ["en"])),
                                       total_quota=6, booking_version=0, created_at=now - timedelta(days=700),
                                       updated_at=now - timedelta(days=rng.randint(1, 600))))
            host_practices: dict[int, list[int]] = {}
            for practice_id, inst, _status, _visibility, *_rest in published_public:
                host_practices.setdefault(inst, []).append(practice_id)

            # Applications (a person once per partnership), the first ones placed as visits.
            slots = [(p["id"], u) for p in partnerships for i in p["partners"] for u in members_of[i]]
            rng.shuffle(slots)
            visit_count = min(sizes.visits, len(slots))
            if visit_count < sizes.visits:
                print(f"note: only {visit_count} visits possible with {sizes.users} users", file=sys.stderr)
            applications, preferences, app_weeks, app_tags, visits, activities = [], [], [], [], [], []
            week_load: dict[tuple[int, date], int] = {}
            tag_list = list(tag_ids.values())
            for n, (partnership_id, user_id) in enumerate(slots[:visit_count + visit_count // 10], 1):
                p = partnerships[partnership_id - 1]
                home = users[user_id - 1]["institution_id"]
                hosts = rng.sample([i for i in p["partners"] if i != home], 3)
                first_monday = _monday_on_or_after(p["start_date"])
                last_day = min(p["end_date"], today + timedelta(days=365))
                weeks_total = max(1, (last_day - first_monday).days // 7)
                weeks = sorted({first_monday + timedelta(weeks=rng.randrange(weeks_total)) for _ in range(3)})
                placed = n <= visit_count
                created = _aware(datetime.combine(p["start_date"], datetime.min.time())) + timedelta(days=10)
                status = "endorsed" if placed else rng.choice(("submitted", "declined", "endorsed",
                                                                "withdrawn"))
                applications.append(dict(id=n, partnership_id=partnership_id, user_id=user_id,
                                         institution_id=home,
                                         motivation=" ".join(s for _l, s in rng.sample(sentence_pool, 3)),
                                         languages=f"{institutions[home - 1]['language']},en", status=status,
                                         # user k is the admin of institution k
                                         decided_by_id=home if status in ("endorsed", "declined") else None,
                                         decided_at=None if status == "submitted" else created + timedelta(days=5),
                                         decision_note="", created_at=created, updated_at=created))
                preferences += [dict(application_id=n, rank=k, host_institution_id=h)
                                for k, h in enumerate(hosts, 1)]
                app_weeks += [dict(application_id=n, week_start=w) for w in weeks]
                app_tags += [dict(application_id=n, tag_id=t) for t in set(rng.sample(tag_list, 2))]
                if not placed:
                    continue
                host = hosts[0] if rng.random() < 0.7 else rng.choice(hosts[1:])
                week = rng.choice(weeks)
                if week + timedelta(days=4) < today:
                    status = "completed" if rng.random() < 0.9 else "cancelled"
                else:
                    status = rng.choices(("confirmed", "proposed", "cancelled"), weights=(6, 3, 1))[0]
                vid = len(visits) + 1
                proposed_at = _aware(datetime.combine(week, datetime.min.time())) - timedelta(days=60)
                visits.append(dict(
                    id=vid, partnership_id=partnership_id, offer_id=offer_of[(partnership_id, host)],
                    host_institution_id=host, application_id=n, visitor_id=user_id, week_start=week,
                    status=status, cancel_reason="" if status != "cancelled" else
                    "The visitor's team could not spare them that week.",
                    match_reasons=f"preference {hosts.index(host) + 1}; shared language: en",
                    created_by_id=None, created_at=proposed_at, updated_at=proposed_at,
                    confirmed_at=proposed_at + timedelta(days=7) if status in ("confirmed", "completed")
                    else None,
                    completed_at=proposed_at + timedelta(days=66) if status == "completed" else None,
                    cancelled_at=proposed_at + timedelta(days=20) if status == "cancelled" else None))
                activities += [dict(visit_id=vid, day=day, position=k, kind=kind, description=text)
                               for k, (day, kind, text) in enumerate(programme)]
                if status != "cancelled":
                    key = (offer_of[(partnership_id, host)], week)
                    week_load[key] = week_load.get(key, 0) + 1
            booked: dict[int, int] = {}
            offer_weeks: dict[tuple[int, date], int] = dict(week_load)
            for (oid, _week), count in week_load.items():
                booked[oid] = booked.get(oid, 0) + count
            for offer in offers:
                offer["total_quota"] = max(6, booked.get(offer["id"], 0))
                p = partnerships[offer["partnership_id"] - 1]
                for _ in range(4):
                    week = _monday_on_or_after(p["start_date"]) + timedelta(weeks=rng.randrange(60))
                    offer_weeks.setdefault((offer["id"], week), rng.choice((1, 1, 2)))
            insert("hosting_offers", offers)
            insert("offer_weeks", [dict(offer_id=o, week_start=w, capacity=c)
                                   for (o, w), c in offer_weeks.items()])
            insert("offer_activities", [dict(offer_id=o["id"], day=day, position=k, kind=kind, description=text)
                                        for o in offers for k, (day, kind, text) in enumerate(programme)])
            insert("offer_tags", [dict(offer_id=o["id"], tag_id=t)
                                  for o in offers for t in set(rng.sample(tag_list, 3))])
            insert("offer_practices", [dict(offer_id=o["id"], practice_id=pid) for o in offers
                                       for pid in host_practices.get(o["institution_id"], [])[:3]])
            insert("mobility_applications", applications)
            insert("application_preferences", preferences)
            insert("application_weeks", app_weeks)
            insert("application_tags", app_tags)
            insert("visits", visits)
            insert("visit_activities", activities)
            _progress(f"{len(offers)} offers, {len(applications)} applications, {len(visits)} visits",
                      started)

            # Events: one per completed visit, then trainings, courses and conferences until there are
            # enough participants for the essays.
            events, participants, essay_slots = [], [], []
            for v in visits:
                if v["status"] != "completed":
                    continue
                eid = len(events) + 1
                events.append(dict(id=eid, partnership_id=v["partnership_id"],
                                   title=f"Job-shadowing visit to {name_of[v['host_institution_id']]}",
                                   kind="job_shadowing", start_date=v["week_start"],
                                   end_date=v["week_start"] + timedelta(days=4),
                                   host_institution_id=v["host_institution_id"], visit_id=v["id"],
                                   created_at=v["completed_at"]))
                participants.append(dict(event_id=eid, user_id=v["visitor_id"]))
                if rng.random() < 0.85:
                    essay_slots.append((eid, v["visitor_id"]))
            while len(essay_slots) < sizes.essays:
                p = rng.choice(partnerships)
                people = [u for i in p["partners"] for u in members_of[i]]
                kind, label, length = rng.choice(EVENT_KINDS)
                span = max(1, (p["end_date"] - p["start_date"]).days - 60)
                start = p["start_date"] + timedelta(days=rng.randrange(span))
                eid = len(events) + 1
                events.append(dict(id=eid, partnership_id=p["id"],
                                   title=f"{label}: {rng.choice(search_bench.TAGS_EN)}", kind=kind,
                                   start_date=start, end_date=start + timedelta(days=length),
                                   host_institution_id=rng.choice(p["partners"]), visit_id=None,
                                   created_at=now - timedelta(days=800)))
                for u in rng.sample(people, min(len(people), rng.randint(15, 30))):
                    participants.append(dict(event_id=eid, user_id=u))
                    if rng.random() < 0.8:
                        essay_slots.append((eid, u))
            insert("training_events", events)
            insert("event_participants", participants)

            essays, essay_links = [], []
            events_by_id = {e["id"]: e for e in events}
            for j, (eid, author) in enumerate(rng.sample(essay_slots, sizes.essays), 1):
                doc = corpus.document(sizes.practices + j)
                event = events_by_id[eid]
                home = users[author - 1]["institution_id"]
                status = rng.choices(("published", "submitted", "returned", "draft"), weights=(72, 10, 3, 15))[0]
                written = (_aware(datetime.combine(event["end_date"], datetime.min.time()))
                           + timedelta(days=rng.randint(3, 40)))
                reviewed = status in ("published", "returned") and evaluators
                essays.append(dict(
                    id=j, author_id=author, event_id=eid, institution_id=home, author_country=country_of[home],
                    title=_short(doc.title, 300), body=doc.body, language=doc.language,
                    word_count=len(doc.body.split()), status=status,
                    display=rng.choices(("named", "anonymous", "private"), weights=(70, 20, 10))[0],
                    return_comment="Please say more about what you will change at home." if status == "returned"
                    else "",
                    reviewed_by_id=rng.choice(evaluators) if reviewed else None,
                    created_at=written, updated_at=written + timedelta(days=2), autosaved_at=written,
                    submitted_at=written + timedelta(days=2) if status != "draft" else None,
                    published_at=written + timedelta(days=9) if status == "published" else None))
                inspired = rng.sample(published_public, min(len(published_public), rng.randint(0, 3)))
                for pid in sorted({p[0] for p in inspired}):
                    essay_links.append(dict(essay_id=j, practice_id=pid))
            insert("essays", essays, chunk=500)
            insert("essay_practices", essay_links)
            _progress(f"{len(events)} events, {len(essays)} essays", started)
        if engine.dialect.name == "postgresql":
            # The rows came with their ids: move each id sequence past them, or the first comment a run
            # posts would collide with a seeded one.
            with engine.begin() as connection:
                for table in db.metadata.sorted_tables:
                    column = table.columns.get("id")
                    if column is None or not column.primary_key or table.name not in insert.counts:
                        continue
                    connection.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"coalesce(max(id), 0) + 1, false) FROM {table.name}"))
        db.engine.dispose()
    counts = dict(insert.counts)
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def _progress(what: str, started: float) -> None:
    print(f"  seeded {what} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)


def _seed_child(instance: str, url: str, sizes: Sizes, out) -> None:
    try:
        out.send(("ok", seed_database(instance, url, sizes)))
    except BaseException as error:  # noqa: B902 - report anything, the parent decides
        import traceback

        out.send(("error", f"{error!r}\n{traceback.format_exc()}"))


def _flask(instance: Path, url: str, *command: str, quiet: bool = True) -> None:
    """`flask --app network COMMAND` on this instance's database, with the server's settings."""
    env = {**clean_env(), **server_env(instance, url, secret="seeding")}
    subprocess.run([sys.executable, "-m", "flask", "--app", "network", *command], cwd=PROJECT, env=env,
                   check=True, stdout=subprocess.DEVNULL if quiet else sys.stderr)


def prerender_command(instance: Path, url: str) -> list[str] | None:
    """The command that fills a practice's stored HTML (issue 24), when this code has it."""
    env = {**clean_env(), **server_env(instance, url, secret="seeding")}
    listing = subprocess.run([sys.executable, "-m", "flask", "--app", "network", PRERENDER[0], "--help"],
                             cwd=PROJECT, env=env, capture_output=True, text=True)
    found = re.search(rf"^\s+{re.escape(PRERENDER[1])}\s", listing.stdout, re.MULTILINE)
    return list(PRERENDER) if found else None


def fill_derived(instance: Path, store) -> float | None:
    """Fill what is derived from the seeded rows (the practices' stored HTML) when the code knows how; the
    seconds it took, or None. Run after seeding and on every reuse (a new migration adds an empty column)."""
    command = prerender_command(instance, store.url())
    if command is None:
        return None
    print(f"Running flask --app network {' '.join(command)} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    _flask(instance, store.url(), *command, quiet=False)
    return round(time.monotonic() - started, 1)


def drop_outbox(store) -> int:
    """Empty the search outbox of the seed: everything is in the index already (the seed is never served,
    so only the seeding and the commands above wrote there); left in place, the run's search worker would
    spend the timed phase indexing it again."""
    engine = database_engine(store.url())
    try:
        with engine.begin() as connection:
            left = connection.exec_driver_sql("SELECT count(*) FROM search_outbox").scalar_one()
            connection.exec_driver_sql("DELETE FROM search_outbox")
    finally:
        engine.dispose()
    return left


def prepare_instance(instance: Path, sizes: Sizes, store) -> dict:
    """Seed and index the instance unless it already holds this seed; returns the marker's contents.
    The database server (PostgreSQL) is left running."""
    marker = instance / MARKER
    if marker.exists():
        found = json.loads(marker.read_text())
        kind = found.get("database", "sqlite")  # instances made before --database were SQLite
        if found.get("sizes") != asdict(sizes) or kind != store.kind:
            raise SystemExit(f"{instance} holds another seed ({kind}, {found.get('sizes')}); choose another "
                             "--instance or remove it.")
        print(f"Reusing the seeded instance {instance} (seeded {found['seeded_at']}).", file=sys.stderr)
        store.start()
        # The code may have new migrations since the seed (new tables, indexes, columns to fill): bring the
        # schema up and fill what is derived, as an upgrade in production would.
        _flask(instance, store.url(), "db", "upgrade")
        fill_derived(instance, store)
        drop_outbox(store)
        store.maintain()
        return found
    partial = instance / PARTIAL
    ours = store.seed_paths() + [instance / "search"]
    if any(path.exists() for path in ours) and not partial.exists():
        raise SystemExit(f"{instance} holds a database or a search index this script did not seed: "
                         "choose a new or empty folder for --instance.")
    partial.touch()  # an interrupted seed is started again from scratch next time
    store.remove_seed()
    shutil.rmtree(instance / "search", ignore_errors=True)
    store.create(sizes)
    print(f"Migrating {store.describe_seed()} ...", file=sys.stderr, flush=True)
    _flask(instance, store.url(), "db", "upgrade")
    print("Seeding ...", file=sys.stderr, flush=True)
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_seed_child, args=(str(instance), store.url(), sizes, send))
    child.start()
    try:
        kind, value = receive.recv()
    except EOFError:
        kind, value = "error", "the seeding process died"
    child.join()
    if kind != "ok":
        raise SystemExit(f"Seeding failed: {value}")
    counts = value
    print(f"Seeded in {counts['seconds']} s.", file=sys.stderr, flush=True)
    derived_seconds = fill_derived(instance, store)
    print("Indexing (flask --app network search reindex) ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    _flask(instance, store.url(), "search", "reindex", quiet=False)
    reindex_seconds = time.monotonic() - started
    left = drop_outbox(store)
    started = time.monotonic()
    store.finish_seed()
    found = {"sizes": asdict(sizes), "database": store.kind, "counts": counts,
             "prerender_seconds": derived_seconds, "reindex_seconds": round(reindex_seconds, 1),
             "finish_seconds": round(time.monotonic() - started, 1), "outbox_rows_dropped": left,
             "seeded_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    marker.write_text(json.dumps(found, indent=1))
    partial.unlink()
    return found


def database_engine(url: str, **options):
    """An engine of this process (not the app's) for the few statements the script runs itself."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    return sqlalchemy.create_engine(url, poolclass=NullPool, **options)


class SQLiteStore:
    """The instance's SQLite file, as `make serve` uses it. A run serves a copy made with SQLite's backup API,
    so that the comments one run posts do not change the next."""

    kind = "sqlite"

    def __init__(self, instance: Path):
        self.instance = instance

    def seed_paths(self) -> list[Path]:
        return [self.instance / (BASE_DB + suffix) for suffix in ("", "-wal", "-shm")]

    def url(self, run: bool = False) -> str:
        return f"sqlite:///{self.instance / (RUN_DB if run else BASE_DB)}"

    def describe_seed(self) -> str:
        return str(self.instance / BASE_DB)

    def describe(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    def remove_seed(self) -> None:
        for path in self.seed_paths():
            path.unlink(missing_ok=True)

    def create(self, sizes: Sizes) -> None:
        """Nothing to do: the migration creates the file."""

    def start(self) -> None:
        """Nothing to start: the app opens the file."""

    def stop(self) -> None:
        """Nothing to stop."""

    def maintain(self) -> None:
        """Everything written into the database file, the WAL emptied."""
        engine = database_engine(self.url())
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            engine.dispose()

    def finish_seed(self) -> None:
        self.maintain()

    def fresh_run(self) -> float:
        started = time.monotonic()
        self.drop_run()
        source, target = sqlite3.connect(self.instance / BASE_DB), sqlite3.connect(self.instance / RUN_DB)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return time.monotonic() - started

    def drop_run(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            (self.instance / (RUN_DB + suffix)).unlink(missing_ok=True)

    def run_size(self) -> int:
        return (self.instance / RUN_DB).stat().st_size

    def process(self) -> int | None:
        return None  # inside the workers

    def settings_line(self) -> str:
        return "the app's own connection settings (WAL, synchronous=NORMAL: network/database.py)"


def _postgres_bindir() -> Path:
    """Debian's server programs (/usr/lib/postgresql/<version>/bin, the newest), as scripts/with-postgres.sh
    finds them."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    if shutil.which("pg_ctl"):
        candidates.append(Path(shutil.which("pg_ctl")).parent)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise SystemExit("--database postgresql: no PostgreSQL server found (apt-get install postgresql)")


class PostgresStore:
    """A PostgreSQL server of this script's own, from Debian's packages, its data folder in the instance
    (DIR/pgdata, so that a finished seed is reused), listening on loopback and on a socket in DIR/pg-run; the
    app connects through the socket, as an installation with its database on the same machine does. The seed
    is the database "seeded"; a run serves "run", made from it by CREATE DATABASE ... TEMPLATE (a file copy:
    seconds). The server is started by this script and always stopped by it.

    Settings (PRODUCTION_SETTINGS, overridable with --pg-setting): the durability ones keep their defaults
    (fsync, synchronous_commit, full_page_writes on: a comment post waits for its WAL flush, as in
    production); shared_buffers is sized for the data (1.5 times the seeded database, at least 128 MB, at most
    a quarter of the RAM: the timed phase reads from PostgreSQL's cache, as SQLite's reads come from the
    kernel's); effective_cache_size half the RAM; random_page_cost 1.1 (SSD storage, data in memory: the usual
    advice); jit off (compiling the larger list queries costs more than it saves for a web page's short
    queries); max_wal_size 2GB (bulk seeding without a checkpoint every few seconds)."""

    kind = "postgresql"
    SEED, RUN = "seeded", "run"
    PRODUCTION_SETTINGS = {"random_page_cost": "1.1", "jit": "off", "max_wal_size": "2GB"}
    BYTES_PER_PRACTICE = 20_000  # the database's size per seeded practice, before one exists to measure

    def __init__(self, instance: Path, overrides: dict[str, str] | None = None):
        self.instance = instance
        self.bindir = _postgres_bindir()
        self.data = instance / "pgdata"
        self.runtime = instance / "pg-run"  # the socket and the server's log, writable by the server
        self.log = self.runtime / "server.log"
        self.port = free_port()
        # initdb refuses to run as root: the cluster belongs to the postgres user (scripts/with-postgres.sh).
        self.owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.overrides = overrides or {}
        self.settings: dict[str, str] = {}
        self.running = False
        self.expected_bytes: int | None = None

    def seed_paths(self) -> list[Path]:
        return [self.data, self.runtime]

    def url(self, run: bool = False, database: str | None = None) -> str:
        name = database or (self.RUN if run else self.SEED)
        return f"postgresql+psycopg://postgres@/{name}?host={self.runtime}&port={self.port}"

    def describe_seed(self) -> str:
        return f"the database {self.SEED!r} in {self.data}"

    def describe(self) -> str:
        version = subprocess.run([str(self.bindir / "postgres"), "--version"], capture_output=True,
                                 text=True).stdout.split()
        return f"PostgreSQL {version[2] if len(version) > 2 else '?'}"

    def settings_line(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.settings.items()) + \
            " (fsync, synchronous_commit, full_page_writes: the defaults, on)"

    def _program(self, name: str, *args: str, **options) -> subprocess.CompletedProcess:
        return subprocess.run([*self.owner, str(self.bindir / name), *args], **options)

    def _owned_folder(self, path: Path, mode: int) -> None:
        path.mkdir(parents=True, exist_ok=True)
        if self.owner:
            shutil.chown(path, "postgres", "postgres")
        path.chmod(mode)

    def remove_seed(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._stop_server()
        for path in self.seed_paths():
            shutil.rmtree(path, ignore_errors=True)

    def create(self, sizes: Sizes) -> None:
        if self.owner:
            # The server's user must reach its folders inside the instance (a temporary one is private).
            mode = self.instance.stat().st_mode & 0o777
            if mode & 0o011 != 0o011:
                self.instance.chmod(mode | 0o011)
        self._owned_folder(self.data, 0o700)
        locale = ["--locale=C.UTF-8"] if "c.utf8" in _locales() else ["--no-locale"]
        done = self._program("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                             *locale, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"initdb failed:\n{done.stdout}{done.stderr}")
        self.expected_bytes = sizes.practices * self.BYTES_PER_PRACTICE
        self.start()
        self.admin(f"CREATE DATABASE {self.SEED}")

    def data_bytes(self) -> int:
        """The size of the databases' files (the seed; the run's copy is dropped at the end of each run)."""
        return sum(f.stat().st_size for f in (self.data / "base").rglob("*") if f.is_file())

    def _settings(self) -> dict[str, str]:
        mb = 1024 * 1024
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        data = self.expected_bytes if self.expected_bytes is not None else self.data_bytes()
        shared = min(ram // 4, max(128 * mb, int(data * 1.5)))
        settings = {"shared_buffers": f"{shared // mb}MB", "effective_cache_size": f"{ram // 2 // mb}MB",
                    **self.PRODUCTION_SETTINGS}
        settings.update(self.overrides)
        return settings

    def start(self) -> None:
        if self.running:
            return
        self._owned_folder(self.runtime, 0o755)
        if (self.data / "postmaster.pid").exists():
            self._stop_server()  # left running by a run of this script that was killed outright
        self.settings = self._settings()
        options = ["-c listen_addresses=127.0.0.1", f"-p {self.port}", f"-k {self.runtime}"]
        options += [f"-c {name}={value}" for name, value in self.settings.items()]
        print(f"Starting PostgreSQL on 127.0.0.1:{self.port} ({', '.join(options[3:])}) ...", file=sys.stderr,
              flush=True)
        # Its own session: Ctrl-C in the terminal reaches this script only, which stops the server in order.
        done = self._program("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "120",
                             "-o", " ".join(options), "start", capture_output=True, text=True,
                             start_new_session=True)
        if done.returncode:
            tail = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise SystemExit(f"PostgreSQL did not start:\n{done.stdout}{done.stderr}{tail}")
        self.running = True

    def _stop_server(self) -> None:
        done = self._program("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop",
                             capture_output=True, text=True)
        if done.returncode and (self.data / "postmaster.pid").exists():
            self._program("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", capture_output=True)

    def stop(self) -> None:
        if self.running:
            self._stop_server()
            self.running = False

    def admin(self, *statements: str) -> None:
        engine = database_engine(self.url(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                for statement in statements:
                    connection.exec_driver_sql(statement)
        finally:
            engine.dispose()

    def maintain(self) -> None:
        """What autovacuum does in the background of a live installation after bulk writes (the seed, an
        upgrade's migrations and render-html): the planner's statistics and the visibility map (index-only
        scans)."""
        engine = database_engine(self.url(), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")
        finally:
            engine.dispose()

    def finish_seed(self) -> None:
        """maintain(), then a restart with shared_buffers sized by the real data."""
        self.maintain()
        self.expected_bytes = None
        self.stop()
        self.start()

    def fresh_run(self) -> float:
        started = time.monotonic()
        self.admin(f"DROP DATABASE IF EXISTS {self.RUN} WITH (FORCE)")
        try:
            # FILE_COPY (PostgreSQL 15+) copies the files; the default writes the whole database to the WAL.
            self.admin(f"CREATE DATABASE {self.RUN} TEMPLATE {self.SEED} STRATEGY FILE_COPY")
        except Exception:  # an older server: the copy it knows
            self.admin(f"CREATE DATABASE {self.RUN} TEMPLATE {self.SEED}")
        return time.monotonic() - started

    def drop_run(self) -> None:
        if self.running:
            self.admin(f"DROP DATABASE IF EXISTS {self.RUN} WITH (FORCE)")

    def run_size(self) -> int:
        engine = database_engine(self.url(run=True))
        try:
            with engine.connect() as connection:
                return connection.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
        finally:
            engine.dispose()

    def process(self) -> int | None:
        """The postmaster, whose children are the connections' backends (their CPU time is the database's)."""
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None


def _locales() -> set[str]:
    try:
        found = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout
    except OSError:
        return set()
    return {line.strip().lower().replace("-", "") for line in found.splitlines()}


def make_store(kind: str, instance: Path, overrides: dict[str, str]):
    return PostgresStore(instance, overrides) if kind == "postgresql" else SQLiteStore(instance)


def server_env(instance: Path, url: str, secret: str) -> dict[str, str]:
    """The environment of the server, the indexer and the flask commands: production settings."""
    return {"NETWORK_INSTANCE_PATH": str(instance), "NETWORK_DATABASE_URL": url, "NETWORK_SECRET_KEY": secret,
            "NETWORK_ENV": "production", "NETWORK_SEARCH_INDEXER": "external"}


def clean_env() -> dict[str, str]:
    """This shell's environment without NETWORK_* settings that would change what is measured."""
    return {k: v for k, v in os.environ.items() if not k.startswith("NETWORK_") and k != "FLASK_APP"}


# --- the request plan ----------------------------------------------------------------------------------

@dataclass
class Item:
    route: str
    member: bool
    method: str
    path: str
    form: dict | None = None


def build_plan(url: str, sizes: Sizes, requests: int,
               warmup: int) -> tuple[list[Item], list[Item], dict]:
    """The timed requests and the warm-up requests, drawn from --seed and the seeded database at `url`."""
    sys.path[:0] = [str(BENCH)]
    import search as search_bench

    rng = random.Random(sizes.seed * 31 + requests)
    engine = database_engine(url)
    with engine.connect() as connection:
        def column(sql: str) -> list:
            return [row[0] for row in connection.exec_driver_sql(sql)]

        public = column("SELECT id FROM practices WHERE status = 'published' AND visibility = 'public' "
                        "ORDER BY id")
        members_only = column("SELECT id FROM practices WHERE status = 'published' "
                              "AND visibility = 'members' ORDER BY id")
        slugs = column("SELECT slug FROM institutions ORDER BY id")
        countries = column("SELECT DISTINCT country FROM practices ORDER BY country")
        languages = column("SELECT DISTINCT language FROM practices ORDER BY language")
        tags = column("SELECT t.name FROM tags t JOIN practice_tags pt ON pt.tag_id = t.id GROUP BY t.id "
                      "ORDER BY count(*) DESC, t.name LIMIT 60")
        members = connection.exec_driver_sql(
            "SELECT u.email, u.institution_id FROM users u WHERE u.membership_status = 'approved' "
            "AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id) ORDER BY u.id").fetchall()
        sentences = column("SELECT summary FROM practices ORDER BY id LIMIT 400")
    engine.dispose()
    # The clients log in as members (no other role) of as many institutions as possible.
    first_of: dict[int, str] = {}
    for email, institution_id in members:
        first_of.setdefault(institution_id, email)
    logins = list(first_of.values()) + [email for email, _i in members if email not in first_of.values()]
    popular = rng.sample(public, min(len(public), 200))

    def practice_id(member: bool) -> int:
        if member and members_only and rng.random() < 0.15:
            return rng.choice(members_only)
        return rng.choice(popular) if rng.random() < 0.5 else rng.choice(public)

    def page() -> int:
        r = rng.random()
        return 1 if r < 0.7 else rng.randint(2, 5) if r < 0.95 else rng.randint(6, 60)

    def list_path(filtered: bool) -> str:
        args: dict = {}
        if filtered:
            choices = {"country": lambda: rng.choice(countries),
                       "sector": lambda: rng.choice(search_bench.SECTORS),
                       "language": lambda: rng.choice(languages),
                       "intervention_type": lambda: rng.choice(search_bench.INTERVENTION_TYPES),
                       "tag": lambda: rng.choice(tags), "institution": lambda: rng.choice(slugs),
                       "evidence": lambda: "reviewed"}
            weights = {"country": 5, "sector": 4, "language": 4, "intervention_type": 3, "tag": 3,
                       "institution": 2, "evidence": 1}
            picked = rng.choices(list(weights), weights=list(weights.values()), k=rng.choice((1, 1, 2, 3)))
            for name in sorted(set(picked)):
                args[name] = choices[name]()
            if rng.random() < 0.3:
                args["sort"] = rng.choice(("updated", "discussed", "title"))
        p = page()
        if p > 1:
            args["page"] = p if not filtered else min(p, 3)
        return "/practices/" + ("?" + urlencode(args) if args else "")

    corpus = search_bench.Corpus(sizes.seed)
    phrases: list = []
    for i in range(25, min(sizes.practices, 5000) + 1, 25):
        corpus.document(i, phrases)
    plain_queries, filtered_queries = [], []
    wanted = requests * 26 // 100 + warmup
    for query in search_bench.make_queries(corpus, phrases, wanted * 3, sizes.seed):
        (filtered_queries if query.filters else plain_queries).append(query)
    for query in search_bench.make_queries(corpus, phrases, wanted * 2, sizes.seed + 1000):
        if query.filters:  # make_queries gives about a quarter with filters; the mix wants half
            filtered_queries.append(query)
    seen: set = set()
    plain_queries = [q for q in plain_queries if q.key not in seen and not seen.add(q.key)]
    filtered_queries = [q for q in filtered_queries if q.key not in seen and not seen.add(q.key)]
    rng.shuffle(plain_queries)
    rng.shuffle(filtered_queries)

    def search_path(filtered: bool) -> str:
        query = (filtered_queries if filtered else plain_queries).pop()
        args = {"q": query.text, **query.filters}
        if rng.random() < 0.08:
            args["page"] = 2
        if rng.random() < 0.05:
            args["sort"] = "date"
        return "/search?" + urlencode(args)

    pool = [s for text in sentences for s in _sentences(text)]

    def item(route: str) -> Item:
        member = route == "comment" or rng.random() < MEMBER_SHARE
        if route == "home":
            return Item(route, member, "GET", "/")
        if route in ("list", "list+filters"):
            return Item(route, member, "GET", list_path(route == "list+filters"))
        if route == "practice":
            return Item(route, member, "GET", f"/practices/{practice_id(member)}")
        if route == "institution":
            return Item(route, member, "GET", f"/institutions/{rng.choice(slugs)}")
        if route in SEARCH_ROUTES:
            return Item(route, member, "GET", search_path(route == "search+filters"))
        body = " ".join(rng.sample(pool, rng.randint(1, 3)))
        if rng.random() < 0.2:
            body = "**" + body.split(" ", 1)[0] + "** " + body
        return Item(route, True, "POST", f"/practices/{practice_id(True)}/comments",
                    {"body": body, "parent_id": ""})

    counts = {route: share * requests // 100 for route, share in MIX}
    counts["practice"] += requests - sum(counts.values())
    routes = [route for route, n in counts.items() for _ in range(n)]
    rng.shuffle(routes)
    timed = [item(route) for route in routes]
    warm_routes = [route for route, _share in MIX if route != "comment"]
    warm = [item(warm_routes[k % len(warm_routes)]) for k in range(warmup)]
    info = {"logins": logins, "public_practices": len(public), "members_only_practices": len(members_only)}
    return timed, warm, info


# --- the client process ---------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """One keep-alive connection and a cookie jar: a visitor's browser, without the assets."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.connection: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.opened = 0  # connections opened: gunicorn's sync workers close one after every response

    def request(self, method: str, path: str, form: dict | None = None, text: bool = False):
        """(status, Location, body, served from a cache by); the body as sent (gzip through nginx, like a
        browser's: the app itself does not compress) unless `text`, when it is decoded to read it."""
        headers = {"User-Agent": "peer-network-load-bench", "Accept": "text/html", "Accept-Encoding": "gzip"}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.connection is None:
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=CLIENT_TIMEOUT)
            self.opened += 1
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except Exception:
            self.close()
            raise
        for header in response.msg.get_all("Set-Cookie") or []:
            pair = header.split(";", 1)[0]
            name, _, value = pair.partition("=")
            if not value or "expires=thu, 01 jan 1970" in header.lower() or "max-age=0" in header.lower():
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value.strip()
        if response.will_close:
            self.close()
        if text:
            if (response.getheader("Content-Encoding") or "").lower() == "gzip":
                data = gzip.decompress(data)
            data = data.decode("utf-8", "replace")
        return response.status, response.getheader("Location") or "", data, _cache_of(response)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _cache_of(response) -> str:
    """Who served the answer from a cache: "app" (network/page_cache.py's X-Page-Cache: hit), "proxy" (a front
    server's cache saying HIT in a header such as X-Cache-Status), or ""."""
    if (response.getheader("X-Page-Cache") or "").lower() == "hit":
        return "app"
    for name, value in response.getheaders():
        if "cache" in name.lower() and name.lower() not in ("cache-control", "x-page-cache") \
                and value.strip().upper() in ("HIT", "STALE", "UPDATING", "REVALIDATED"):
            return "proxy"
    return ""


def _login(browser: Browser, email: str) -> str:
    """Log in as this person; return a CSRF token of their new session."""
    status, _location, page, _cache = browser.request("GET", "/login", text=True)
    token = CSRF.search(page)
    if status != 200 or token is None:
        raise RuntimeError(f"GET /login answered {status}")
    status, _location, _page, _cache = browser.request("POST", "/login", {
        "csrf_token": token.group(1), "email": email, "password": PASSWORD})
    if status != 302:
        raise RuntimeError(f"logging in as {email} answered {status}")
    status, _location, page, _cache = browser.request("GET", "/", text=True)
    token = CSRF.search(page)
    if status != 200 or token is None:
        raise RuntimeError(f"the home page after logging in answered {status} without a form token")
    return token.group(1)


def _expected(item: Item, status: int, location: str) -> str | None:
    """None when the answer is the one expected, else what is wrong."""
    if item.route == "comment":
        return None if status == 302 and "#comment-" in location else f"HTTP {status} {location}"
    return None if status == 200 else f"HTTP {status}"


def _cpu_seconds(pid: int, tree: bool = False) -> float:
    """CPU seconds of a process; with `tree`, also of its children, living (their own time) and ended (the
    parent's cutime and cstime): PostgreSQL's backends and nginx's workers are children of one process."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    ticks = int(fields[11]) + int(fields[12])
    if tree:
        ticks += int(fields[13]) + int(fields[14])
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                child = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(child[1]) == pid:
                ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return (total - idle) / tick, total / tick


def _snapshot(pids: dict[str, tuple[int, bool]]) -> dict:
    return {"at": time.perf_counter(),
            "cpu": {name: _cpu_seconds(pid, tree) for name, (pid, tree) in pids.items()},
            "self": sum(os.times()[:2]), "machine": _machine_busy(), "load": os.getloadavg()}


def run_clients(port: int, timed: list[Item], warm: list[Item], logins: list[str], clients: int,
                pids: dict[str, tuple[int, bool]], profile_flag: str | None, ceiling: int, out) -> None:
    """The load driver: runs in its own process. Sends its results through `out`."""
    try:
        out.send(("ok", _drive(port, timed, warm, logins, clients, pids, profile_flag, ceiling)))
    except BaseException as error:  # noqa: B902
        import traceback

        out.send(("error", f"{error!r}\n{traceback.format_exc()}"))


def _drive(port, timed, warm, logins, clients, pids, profile_flag, ceiling) -> dict:
    warm_queue: queue.SimpleQueue = queue.SimpleQueue()
    timed_queue: queue.SimpleQueue = queue.SimpleQueue()
    for item in warm:
        warm_queue.put(item)
    for item in timed:
        timed_queue.put(item)
    ready = threading.Barrier(clients + 1)
    go = threading.Event()
    results: list[tuple] = []  # (route, member, ms, error or None, bytes, path, served from a cache by)
    setup_errors: list[str] = []
    warm_ms: list[float] = []
    connections: list[int] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        anonymous = Browser("127.0.0.1", port)
        member = Browser("127.0.0.1", port)
        token = ""
        try:
            token = _login(member, logins[number % len(logins)])
        except Exception as error:
            with lock:
                setup_errors.append(f"client {number}: {error}")
        browsers = {False: anonymous, True: member}

        def send(item: Item):
            form = dict(item.form, csrf_token=token) if item.form is not None else None
            started = time.perf_counter()
            try:
                status, location, data, cache = browsers[item.member].request(item.method, item.path, form)
                problem, size = _expected(item, status, location), len(data)
            except Exception as error:  # timeouts, resets: counted as errors
                problem, size, cache = f"{type(error).__name__}: {error}", 0, ""
            return (time.perf_counter() - started) * 1000, problem, size, cache

        try:
            while True:
                try:
                    item = warm_queue.get_nowait()
                except queue.Empty:
                    break
                ms, problem, _size, _cache = send(item)
                with lock:
                    warm_ms.append(ms)
                    if problem:
                        setup_errors.append(f"warm-up {item.path}: {problem}")
        finally:
            ready.wait()
        go.wait()
        opened_before = anonymous.opened + member.opened
        own = []
        while True:
            try:
                item = timed_queue.get_nowait()
            except queue.Empty:
                break
            ms, problem, size, cache = send(item)
            own.append((item.route, item.member, ms, problem, size, item.path, cache))
        anonymous.close()
        member.close()
        with lock:
            results.extend(own)
            connections.append(anonymous.opened + member.opened - opened_before)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    ready.wait()
    marker = Browser("127.0.0.1", port)
    marker.request("GET", f"/?load-bench=start&at={time.time_ns()}")
    marker.close()
    time.sleep(0.05)
    if profile_flag:
        Path(profile_flag).touch()
    before = _snapshot(pids)
    go.set()
    for thread in threads:
        thread.join()
    after = _snapshot(pids)
    if profile_flag:
        Path(profile_flag).unlink(missing_ok=True)
    time.sleep(0.05)
    marker = Browser("127.0.0.1", port)
    marker.request("GET", f"/?load-bench=end&at={time.time_ns()}")
    marker.close()
    return {"results": results, "setup_errors": setup_errors, "warm_ms": warm_ms, "before": before,
            "after": after, "connections": sum(connections),
            "ceiling": _ceiling(port, ceiling, clients) if ceiling else None}


def static_path(port: int) -> str:
    """The URL the pages give the favicon (fingerprinted when the app fingerprints its static files)."""
    browser = Browser("127.0.0.1", port)
    try:
        _status, _location, page, _cache = browser.request("GET", "/", text=True)
    finally:
        browser.close()
    found = re.search(r'<link rel="icon" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else CEILING_PATH


def _ceiling(port: int, requests: int, clients: int) -> dict:
    """The same clients asking for a small static file: what the front server (gunicorn and Flask, or nginx)
    and this client cost alone."""
    path = static_path(port)
    left = iter(range(requests))
    lock = threading.Lock()
    times: list[float] = []
    failures = [0]

    def client() -> None:
        browser = Browser("127.0.0.1", port)
        own = []
        while next(left, None) is not None:
            started = time.perf_counter()
            try:
                status, _location, _data, _cache = browser.request("GET", path)
                if status != 200:
                    failures[0] += 1
            except Exception:
                failures[0] += 1
            own.append((time.perf_counter() - started) * 1000)
        browser.close()
        with lock:
            times.extend(own)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"seconds": time.perf_counter() - started, "ms": times, "failures": failures[0], "path": path}


# --- the server -----------------------------------------------------------------------------------------

PROFILE_CONFIG = '''
"""gunicorn settings written by bench/load.py --profile: the project's gunicorn.conf.py, then cProfile in each
worker thread (one with sync workers, --threads with gthread) while the flag file exists. Hooks of the same
names in gunicorn.conf.py are replaced by these during a profile."""
import cProfile
import os
import threading

CONF = {conf!r}
if os.path.exists(CONF):
    with open(CONF) as _file:
        exec(compile(_file.read(), CONF, "exec"))

FLAG = {flag!r}
OUT = {out!r}
_local = threading.local()
_profiles = []


def pre_request(worker, req):
    profile = getattr(_local, "profile", None)
    if profile is None and os.path.exists(FLAG):
        _local.profile = profile = cProfile.Profile()
        _profiles.append(profile)
        profile.enable()
    elif profile is not None and not os.path.exists(FLAG) and not getattr(_local, "done", False):
        profile.disable()
        _local.done = True


def worker_exit(server, worker):
    for number, profile in enumerate(_profiles):
        profile.disable()
        profile.dump_stats(os.path.join(OUT, "load-profile-%d-%d.pstats" % (os.getpid(), number)))
'''


class Server:
    """gunicorn and the search indexer, as `make serve` runs them (sync workers unless --worker-class)."""

    def __init__(self, instance: Path, port: int, workers: int, profile: bool, page_cache: float | None = None,
                 *, database_url: str, worker_class: str = "sync", threads: int = 1, behind_proxy: bool = False):
        self.instance = instance
        self.port = port
        self.access_log = instance / "load-access.log"
        self.server_log = instance / "load-server.log"
        self.indexer_log = instance / "load-indexer.log"
        for path in (self.access_log, self.server_log, self.indexer_log):
            path.unlink(missing_ok=True)
        for old in instance.glob("load-profile-*.pstats"):
            old.unlink()
        self.env = {**clean_env(), **server_env(instance, database_url, secret=os.urandom(32).hex())}
        if page_cache is not None:
            self.env["NETWORK_PAGE_CACHE_SECONDS"] = str(page_cache)
        if behind_proxy:
            # nginx adds X-Forwarded-For and -Proto: one proxy to trust (README, deployment).
            self.env["NETWORK_TRUSTED_PROXIES"] = "1"
        # On gunicorn's command line, which wins over gunicorn.conf.py (read from PROJECT as usual).
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", worker_class,
                   "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
                   "--access-logfile", str(self.access_log),
                   "--access-logformat", "%(r)s %(s)s %(D)s %({x-page-cache}o)s"]
        if profile:
            config = instance / "load-gunicorn-profile.py"
            config.write_text(PROFILE_CONFIG.format(conf=str(PROJECT / "gunicorn.conf.py"),
                                                    flag=str(instance / PROFILE_FLAG), out=str(instance)))
            command += ["--config", str(config)]
        self.processes: list[subprocess.Popen] = []
        self._indexer_out = self.indexer_log.open("w")
        self._server_out = self.server_log.open("w")
        # Own sessions: Ctrl-C in the terminal reaches this script only, which stops them in order.
        indexer = [sys.executable, "-m", "flask", "--app", "network", "search", "worker"]
        self.indexer = subprocess.Popen(indexer, cwd=PROJECT, env=self.env, stdout=self._indexer_out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(self.indexer)
        self.gunicorn = subprocess.Popen(command + ["wsgi:app"], cwd=PROJECT, env=self.env,
                                         stdout=self._server_out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.processes.append(self.gunicorn)
        self.stopped = False

    def page_cache_setting(self) -> str:
        seconds = self.env.get("NETWORK_PAGE_CACHE_SECONDS")
        return f"NETWORK_PAGE_CACHE_SECONDS={seconds}" if seconds is not None else "the app's default"

    def wait_ready(self, workers: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.poll() is not None:
                    raise SystemExit(f"{process.args[2:5]} exited with {process.returncode}; see "
                                     f"{self.server_log} and {self.indexer_log}")
            if len(self.worker_pids()) >= workers and answers(self.port):
                return
            time.sleep(0.3)
        raise SystemExit(f"The server did not answer within {timeout:.0f} s; see {self.server_log}")

    def worker_pids(self) -> list[int]:
        return children_of(self.gunicorn.pid)

    def stop(self) -> None:
        if self.stopped:
            return
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._indexer_out.close()
        self._server_out.close()
        (self.instance / "load-gunicorn-profile.py").unlink(missing_ok=True)
        self.stopped = True


def gunicorn_defaults() -> dict:
    """The worker settings gunicorn.conf.py gives (workers, worker_class, threads): what a deployment runs
    when its environment sets no GUNICORN_* variable. Read by running the file as gunicorn does, with this
    script's environment minus NETWORK_* (so GUNICORN_WORKERS=... in the shell counts, as it would)."""
    conf = PROJECT / "gunicorn.conf.py"
    namespace: dict = {"__file__": str(conf), "__name__": "gunicorn_conf"}
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(clean_env())
        exec(compile(conf.read_text(), str(conf), "exec"), namespace)
    except (OSError, SyntaxError, ValueError):
        namespace = {}
    finally:
        os.environ.clear()
        os.environ.update(saved)
    worker_class = str(namespace.get("worker_class", "sync")).rsplit(".", 1)[-1].lower()
    worker_class = "gthread" if "thread" in worker_class else worker_class
    return {"workers": int(namespace.get("workers", 1)), "worker_class": worker_class,
            "threads": int(namespace.get("threads", 1))}


NGINX = "/usr/sbin/nginx"  # Debian's package
DEPLOY = PROJECT / "deploy"
SITE_TEMPLATE = DEPLOY / "nginx" / "peer-network.conf"  # the site (http context), as installed
STANDALONE_TEMPLATE = DEPLOY / "nginx" / "standalone.conf"  # a main context that includes the site


def render_deploy(template: Path, values: dict[str, str]) -> str:
    """deploy/render.py's render() of a template, given the placeholders (@NAME@) it names: it refuses a
    missing or an unused one, and which of ours each template uses is its business."""
    import importlib.util

    if not template.exists():
        raise SystemExit(f"--front nginx: {template} is missing (the deployment files, deploy/)")
    spec = importlib.util.spec_from_file_location("peer_network_deploy_render", DEPLOY / "render.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    named = set(re.findall(r"@([A-Z][A-Z0-9_]*)@", template.read_text()))
    unknown = named - values.keys()
    if unknown:
        raise SystemExit(f"{template} has placeholders this script does not fill: {', '.join(sorted(unknown))}")
    return module.render(template, {name: values[name] for name in named})


class Nginx:
    """nginx from Debian's package in front of gunicorn, with the deployment's own configuration (deploy/nginx,
    rendered by deploy/render.py): listening on 127.0.0.1:port, its runtime files (pid, logs, temporary files,
    cache) in the instance's nginx/ folder. Started by this script and always stopped by it."""

    def __init__(self, instance: Path, port: int, upstream_port: int):
        self.port = port
        self.runtime = instance / "nginx"
        shutil.rmtree(self.runtime, ignore_errors=True)
        self.runtime.mkdir(parents=True)
        if os.geteuid() == 0:
            # Started as root, nginx runs its workers as "nobody": they must reach the runtime folder
            # (deploy/nginx/standalone.conf).
            mode = instance.stat().st_mode & 0o777
            if mode & 0o011 != 0o011:
                instance.chmod(mode | 0o011)
            self.runtime.chmod(0o755)
        self.site = self.runtime / "site.conf"
        self.config = self.runtime / "nginx.conf"
        self.error_log = self.runtime / "error.log"
        # gunicorn on a loopback port, as deploy/smoke.sh runs it (systemd gives it a unix socket; nginx's
        # workers, "nobody" here, could not open a socket only root's group may).
        values = {"LISTEN": f"127.0.0.1:{port}", "SERVER_NAME": "127.0.0.1 localhost",
                  "UPSTREAM": f"127.0.0.1:{upstream_port}",
                  "STATIC_ROOT": str(PROJECT / "network" / "static"), "RUNTIME_DIR": str(self.runtime),
                  "SITE_CONF": str(self.site)}
        self.site.write_text(render_deploy(SITE_TEMPLATE, values))
        self.config.write_text(render_deploy(STANDALONE_TEMPLATE, values))
        command = [NGINX, "-e", str(self.error_log), "-c", str(self.config), "-p", f"{self.runtime}/"]
        if not re.search(r"^\s*daemon\s+off\s*;", self.config.read_text(), re.MULTILINE):
            command += ["-g", "daemon off;"]  # in the foreground: this script owns the process
        checked = subprocess.run(command + ["-t"], capture_output=True, text=True)
        if checked.returncode:
            raise SystemExit(f"nginx refused {self.config}:\n{checked.stderr}")
        self._out = (self.runtime / "nginx.out").open("w")
        self.process = subprocess.Popen(command, stdout=self._out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.stopped = False

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"nginx exited with {self.process.returncode}; see {self.error_log}")
            if answers(self.port):
                return
            time.sleep(0.2)
        raise SystemExit(f"nginx did not answer within {timeout:.0f} s; see {self.error_log}")

    def version(self) -> str:
        done = subprocess.run([NGINX, "-v"], capture_output=True, text=True)
        return done.stderr.strip().rpartition("/")[2] or "?"

    def problems(self) -> dict[str, int]:
        lines = self.error_log.read_text(errors="replace").splitlines() if self.error_log.exists() else []
        return {"nginx errors": sum(1 for line in lines if "[error]" in line or "[crit]" in line
                                    or "[alert]" in line or "[emerg]" in line)}

    def stop(self) -> None:
        if self.stopped:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish the answers in flight
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._out.close()
        self.stopped = True


def answers(port: int) -> bool:
    """Whether the home page answers 200 on this port."""
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/")
            return connection.getresponse().status == 200
        finally:
            connection.close()
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            pids.append(int(stat.parent.name))
    return sorted(pids)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- figures --------------------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def route_of(method: str, target: str) -> str:
    """The route of a request line, as the client labels it (for the server's own times)."""
    parts = urlsplit(target)
    args = {k for k, _v in parse_qsl(parts.query)}
    path = parts.path
    if path == "/":
        return "marker" if "load-bench" in args else "home"
    if path == "/practices/":
        return "list+filters" if args - {"page"} else "list"
    if re.fullmatch(r"/practices/\d+", path):
        return "practice"
    if re.fullmatch(r"/practices/\d+/comments", path) and method == "POST":
        return "comment"
    if re.fullmatch(r"/institutions/[^/]+", path):
        return "institution"
    if path == "/search":
        return "search+filters" if args - {"q", "page", "sort"} else "search"
    return "other"


def server_times(access_log: Path) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Milliseconds per route from gunicorn's access log, between the start and end markers, and how many
    answers of each route the page cache served (its X-Page-Cache header said "hit")."""
    times: dict[str, list[float]] = {}
    hits: dict[str, int] = {}
    inside = False
    for line in access_log.read_text(errors="replace").splitlines():
        request_line, _, cache = line.rpartition(" ")
        request_line, _, rest = request_line.rpartition(" ")
        request_line, _, _status = request_line.rpartition(" ")
        method, _, target = request_line.partition(" ")
        target = target.rsplit(" ", 1)[0]
        if "load-bench=start" in target:
            inside = True
            continue
        if "load-bench=end" in target:
            break
        if inside and rest.isdigit():
            route = route_of(method, target)
            times.setdefault(route, []).append(int(rest) / 1000)
            hits[route] = hits.get(route, 0) + (cache == "hit")
    return times, hits


def log_problems(server_log: Path, workers: int) -> dict[str, int]:
    """What the server's log says went wrong (the app logs with logging.basicConfig: "ERROR:name:...")."""
    lines = server_log.read_text(errors="replace").splitlines()
    return {"error records": sum(1 for line in lines if line.startswith("ERROR:") or "[ERROR]" in line),
            "of them search failures": sum(1 for line in lines if line.startswith("ERROR:") and "Search failed" in line),
            "worker timeouts": sum(1 for line in lines if "WORKER TIMEOUT" in line),
            "worker restarts": max(0, sum(1 for line in lines if "Booting worker with pid" in line) - workers),
            "phrase checks cut short (not errors)": sum(1 for line in lines if "phrase check stopped" in line)}


def log_errors(server_log: Path) -> list[tuple[str, str]]:
    """Each error record of the log with the last line of its traceback (the exception)."""
    found, record, exception = [], None, ""
    for line in server_log.read_text(errors="replace").splitlines() + ["END"]:
        if line.startswith(("ERROR:", "INFO:", "WARNING:", "[", "END")):
            if record is not None:
                found.append((record, exception))
                record, exception = None, ""
            if line.startswith("ERROR:") or "[ERROR]" in line:
                record = line
        elif record is not None and line.strip() and not line.startswith((" ", "Traceback", "During handling")):
            exception = line.strip()
    return found


def cpu_model() -> str:
    """The processor's name (Linux's /proc/cpuinfo), else the architecture."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def machine_description(database: str) -> str:
    model = cpu_model()
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1])
        memory = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import gunicorn

    return (f"{os.cpu_count()} CPUs ({model}){memory}, {platform.system()} "
            f"{platform.release()}, CPython {platform.python_version()}, {database}, "
            f"gunicorn {gunicorn.__version__}")


def fmt(value: float, digits: int = 1) -> str:
    return "-" if value != value else f"{value:.{digits}f}"


# The routes' names in the RESULT line (p95_<name>_ms): the client's p95 of each route.
RESULT_NAMES = {"home": "home", "list": "list_plain", "list+filters": "list_filters", "practice": "practice",
                "institution": "institution", "search": "search_plain", "search+filters": "search_filters",
                "comment": "comment"}
LIST_ROUTES = ("list", "list+filters")


def report(args, sizes: Sizes, seeded: dict, info: dict, outcome: dict, server: Server, store,
           front: Nginx | None, worker_pids: list[int], workers_after: list[int]) -> None:
    results = outcome["results"]
    before, after = outcome["before"], outcome["after"]
    wall = after["at"] - before["at"]
    by_route: dict[str, list] = {}
    for row in results:
        by_route.setdefault(row[0], []).append(row)
    own, _app_hits = server_times(server.access_log)
    problems = log_problems(server.server_log, args.workers)
    if front is not None:
        problems.update(front.problems())
    # A failed search still answers 200 (with no results): only the log shows it. Other server errors
    # reach the client as a 5xx or a broken connection and are counted there already.
    errors = sum(1 for r in results if r[3]) + problems["of them search failures"]
    threads = f" x {args.threads} threads" if args.worker_class == "gthread" else ""
    front_text = f"nginx {front.version()} in front of " if front is not None else ""

    print()
    print(f"Load benchmark: {len(results)} requests, {args.clients} client threads in one process, "
          f"{front_text}gunicorn {args.workers} {args.worker_class} workers{threads} + search worker, "
          f"{store.describe()}")
    print(f"Machine: {machine_description(store.describe())}")
    print(f"Date: {datetime.now(timezone.utc).isoformat(timespec='seconds')}; load average before "
          f"{' '.join(fmt(v, 2) for v in before['load'])}, "
          f"after {' '.join(fmt(v, 2) for v in after['load'])}")
    print(f"Database settings: {store.settings_line()}; the run's copy {info['database_mb']:.0f} MB, made in "
          f"{info['copy_seconds']:.1f} s")
    counts = seeded.get("counts", {})
    print(f"Data: {counts.get('practices', '?')} practices ({info['public_practices']} published and public, "
          f"{info['members_only_practices']} for members), {counts.get('comments', '?')} comments, "
          f"{counts.get('essays', '?')} essays, {counts.get('visits', '?')} visits, "
          f"{counts.get('users', '?')} users, "
          f"{counts.get('institutions', '?')} institutions; seed {sizes.seed}; instance {args.instance}")
    if seeded.get("reindex_seconds") is not None:
        rendered = (f", storing the practices' HTML {seeded['prerender_seconds']} s"
                    if seeded.get("prerender_seconds") is not None else "")
        print(f"Seeding took {counts.get('seconds', '?')} s{rendered}, the reindex {seeded['reindex_seconds']} s "
              f"(when this instance was made, {seeded.get('seeded_at')}).")
    if args.profile:
        print("NOTE: --profile: the workers ran under cProfile, so these times are slower than the server's."
              + (" With several threads per worker, a thread's profile also counts the time it waited for the"
                 " others (the GIL): compare shares, or profile with --worker-class sync."
                 if args.threads > 1 else ""))
    warm = outcome["warm_ms"]
    print(f"Warm-up: {len(warm)} requests (not counted), "
          f"slowest {fmt(max(warm) if warm else float('nan'), 0)} ms.")
    for problem in outcome["setup_errors"][:10]:
        print(f"  setup problem: {problem}")
    print()
    header = (f"{'route':<15} {'count':>6} {'member':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'max ms':>8} {'server p50':>10} {'server p95':>10} {'kB':>6} {'cached':>6}")
    print(header)
    print("-" * len(header))
    for route, _share in MIX + [("all", 0)]:
        rows = results if route == "all" else by_route.get(route, [])
        if not rows:
            continue
        ms = [r[2] for r in rows]
        server_ms = [v for k, vs in own.items() for v in vs] if route == "all" else own.get(route, [])
        members, failed = sum(1 for r in rows if r[1]), sum(1 for r in rows if r[3])
        print(f"{route:<15} {len(rows):>6} {members:>6} {failed:>6} "
              f"{fmt(percentile(ms, 50)):>8} {fmt(percentile(ms, 95)):>8} {fmt(percentile(ms, 99)):>8} "
              f"{fmt(max(ms)):>8} {fmt(percentile(server_ms, 50)):>10} {fmt(percentile(server_ms, 95)):>10} "
              f"{sum(r[4] for r in rows) / len(rows) / 1024:>6.1f} {sum(1 for r in rows if r[6]):>6}")
    page_ms = [r[2] for r in results if r[0] not in SEARCH_ROUTES]
    search_ms = [r[2] for r in results if r[0] in SEARCH_ROUTES]
    list_ms = [r[2] for r in results if r[0] in LIST_ROUTES]
    server_list = [v for route in LIST_ROUTES for v in own.get(route, [])]
    server_search = [v for route in SEARCH_ROUTES for v in own.get(route, [])]
    rps = len(results) / wall if wall > 0 else float("nan")
    print()
    by_whom = {"app": sum(1 for r in results if r[6] == "app"), "proxy": sum(1 for r in results if r[6] == "proxy")}
    print(f"Page cache: {server.page_cache_setting()}; 'cached' counts the answers served from a cache: "
          f"{by_whom['app']} by the app's page cache (X-Page-Cache: hit), {by_whom['proxy']} by the front "
          "server's (a HIT in its cache status header).")
    print(f"Throughput: {len(results)} requests in {wall:.1f} s = {rps:.1f} requests/s "
          f"(concurrency {args.clients}: latency includes waiting for one of {args.workers} workers; "
          f"'server' columns are gunicorn's own time per request, from its access log)")
    note = ("gunicorn's sync workers close the connection after each response" if args.worker_class == "sync"
            else "gthread workers keep connections alive")
    if front is not None:
        note = f"to nginx, which keeps them alive; behind it {note}"
    print(f"Connections opened by the clients: {outcome['connections']} for {len(results)} requests ({note})")
    ceiling = outcome.get("ceiling")
    floor_rps = float("nan")
    if ceiling and ceiling["ms"]:
        floor_rps = len(ceiling["ms"]) / ceiling["seconds"]
        served_by = "nginx" if front is not None else "Flask's static route"
        print(f"Floor: {len(ceiling['ms'])} requests for {ceiling['path']} ({served_by}, same clients) "
              f"ran at {floor_rps:.0f} requests/s, "
              f"p50 {fmt(percentile(ceiling['ms'], 50))} ms, p95 {fmt(percentile(ceiling['ms'], 95))} ms, "
              f"{ceiling['failures']} failures")
    print(f"p95: pages {fmt(percentile(page_ms, 95))} ms (every route but search, comment posts included), "
          f"search {fmt(percentile(search_ms, 95))} ms, practice lists {fmt(percentile(list_ms, 95))} ms")
    slowest = sorted(results, key=lambda r: -r[2])[:5]
    print("Slowest requests: " + "; ".join(f"{r[5][:70]} {r[2]:.0f} ms" for r in slowest))
    print(f"Errors: {sum(1 for r in results if r[3])} answers not as expected; in the logs "
          + ", ".join(f"{v} {k}" for k, v in problems.items()))
    for row in [r for r in results if r[3]][:10]:
        print(f"  {row[0]} {row[5][:80]}: {row[3]}")
    for record, exception in log_errors(server.server_log)[:5]:
        print(f"  server log: {record[:60]} -> {exception[:120]}")
    # CPU: who used the two cores during the timed phase.
    cores = os.cpu_count() or 1
    used = {name: after["cpu"][name] - before["cpu"][name] for name in before["cpu"]}
    used["load client (this benchmark)"] = after["self"] - before["self"]
    busy = after["machine"][0] - before["machine"][0]
    ours = sum(v for v in used.values() if v == v)
    print(f"CPU seconds in the {wall:.1f} s timed phase ({cores} cores = {cores * wall:.1f} CPU s available; "
          f"the machine was busy {busy:.1f} s):")
    for name, seconds in used.items():
        print(f"  {name:<34} {fmt(seconds, 1):>6} s  {fmt(100 * seconds / wall, 0):>4} % of one core")
    others = busy - ours
    print(f"  {'other processes':<34} {fmt(others, 1):>6} s  {fmt(100 * others / wall, 0):>4} % of one core")
    if workers_after != worker_pids:
        print(f"NOTE: gunicorn's workers changed during the run ({worker_pids} -> {workers_after}).")
    if args.profile:
        print_profile(server.instance)
    print()
    routes = " ".join(f"p95_{name}_ms={fmt(percentile([r[2] for r in by_route.get(route, [])], 95))}"
                      for route, name in RESULT_NAMES.items())
    print(f"RESULT requests={len(results)} rps={rps:.1f} p95_page_ms={fmt(percentile(page_ms, 95))} "
          f"p95_search_ms={fmt(percentile(search_ms, 95))} errors={errors} database={store.kind} "
          f"front={args.front} practices={counts.get('practices', sizes.practices)} workers={args.workers} "
          f"worker_class={args.worker_class} threads={args.threads} clients={args.clients} "
          f"p95_list_ms={fmt(percentile(list_ms, 95))} server_p95_list_ms={fmt(percentile(server_list, 95))} "
          f"server_p95_search_ms={fmt(percentile(server_search, 95))} floor_rps={fmt(floor_rps, 0)} {routes}")


def print_profile(instance: Path) -> None:
    import pstats

    files = sorted(instance.glob("load-profile-*.pstats"))
    if not files:
        print("No profile was written (did the workers stop cleanly?).")
        return
    stats = pstats.Stats(*[str(f) for f in files])
    groups: dict[str, float] = {}
    total = 0.0
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        if _idle(filename, name):
            continue  # a worker waiting for the next connection or request
        total += tottime
        groups[_package_of(filename, name)] = groups.get(_package_of(filename, name), 0.0) + tottime
    print()
    print(f"Profile of the {len(files)} worker threads over the timed phase: {total:.1f} s of busy time "
          "(time waiting for connections left out), own time by package:")
    for package, seconds in sorted(groups.items(), key=lambda kv: -kv[1])[:16]:
        print(f"  {package:<34} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print("Inclusive time of the main steps:")
    steps = [("render_template", "flask/templating.py"), ("_render", "flask/templating.py"),
             ("run_search", "network/search/backend.py"), ("render_markdown", "network/sanitize.py"),
             ("render_comment", "network/sanitize.py"), ("facet_counts", "network/practices/services.py"),
             ("paginate", "flask_sqlalchemy"), ("institution_practices", "network/practices/services.py"),
             ("discussion_of", "network/practices/discussion_views.py"),
             ("add_comment", "network/practices/discussion.py"),
             ("_load_user", "network/web.py"), ("full_dispatch_request", "flask/app.py"),
             ("handle_request", "gunicorn/workers/sync.py"), ("handle_request", "gunicorn/workers/gthread.py")]
    for name, fragment in steps:
        seconds = sum(ct for (filename, _line, fname), (_cc, _nc, _tt, ct, _c) in stats.stats.items()
                      if fname == name and fragment in filename)
        if seconds:
            print(f"  {name:<28} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print("Functions with the most own time:")
    stream_rows = sorted(((key, value) for key, value in stats.stats.items() if not _idle(key[0], key[2])),
                         key=lambda kv: -kv[1][2])[:15]
    for (filename, line, name), (_cc, nc, tottime, cumtime, _callers) in stream_rows:
        short = "/".join(Path(filename).parts[-2:]) if filename != "~" else "built-in"
        print(f"  {tottime:7.2f} s own {cumtime:7.2f} s incl. {nc:>9} calls  {name} ({short}:{line})")


IDLE_NAMES = {"select", "poll", "accept", "_accept", "sleep", "wait", "acquire"}


def _idle(filename: str, name: str) -> bool:
    """A built-in where a worker waits for work: a connection (sync), a request from its queue (gthread)."""
    if filename != "~":
        return False
    bare = name.strip("<>{}").replace("built-in method ", "").replace("method ", "").split(" of ")[0]
    bare = bare.split(".")[-1].strip("'")
    return bare in IDLE_NAMES or (bare == "get" and "SimpleQueue" in name)


def _package_of(filename: str, name: str) -> str:
    if filename == "~":
        if "sqlite3" in name:
            return "sqlite3 (the database itself)"
        if "psycopg" in name:
            return "psycopg C (waits for PostgreSQL)"
        bare = name.split(" of ")[0].replace("<built-in method ", "").replace("<method '", "")
        return "built-ins: " + bare[:24]
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1].split(".")[0]
    if "network" in parts:
        return "network/" + "/".join(parts[parts.index("network") + 1:-1] or ["(top)"])
    if filename.startswith("<template>") or filename.endswith(".html"):
        return "templates (compiled Jinja)"
    return "python stdlib" if "python3" in filename else filename[-40:]


# --- main ---------------------------------------------------------------------------------------------

def _interrupt(*_args) -> None:
    raise KeyboardInterrupt  # so that the server is stopped on `kill` as on Ctrl-C


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--practices", type=int, default=20_000, help="practices (20000)")
    parser.add_argument("--essays", type=int, default=None, help="essays (a quarter of --practices)")
    parser.add_argument("--visits", type=int, default=None, help="visits (a tenth of --practices)")
    parser.add_argument("--users", type=int, default=None,
                        help="users (1.5 %% of --practices, at least 80)")
    parser.add_argument("--requests", type=int, default=3_000, help="timed requests (3000)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads (4)")
    parser.add_argument("--warmup", type=int, default=80, help="requests before timing (80)")
    parser.add_argument("--ceiling", type=int, default=300,
                        help="requests for a static file after the timed phase, the floor (300; 0 = skip)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--instance", help="instance folder to seed, or to reuse when it holds this seed")
    parser.add_argument("--seed-only", action="store_true",
                        help="seed and index --instance (or bring a reused one up to date), then stop")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary instance folder (--instance DIR is always kept)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="sqlite (a file in the instance) or postgresql (a server this script starts)")
    parser.add_argument("--pg-setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a PostgreSQL setting over this script's (repeatable), e.g. jit=on")
    parser.add_argument("--front", choices=("gunicorn", "nginx"), default="gunicorn",
                        help="who the clients talk to: gunicorn, or nginx with deploy/nginx's configuration")
    defaults = gunicorn_defaults()
    parser.add_argument("--workers", type=int, default=None,
                        help=f"gunicorn workers (gunicorn.conf.py's: {defaults['workers']})")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default=None,
                        help=f"gunicorn's worker class (gunicorn.conf.py's: {defaults['worker_class']}); "
                             "gthread keeps connections alive, sync closes each after one answer")
    parser.add_argument("--threads", type=int, default=None,
                        help=f"threads per gthread worker (gunicorn.conf.py's: {defaults['threads']})")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 the clients use (a free one)")
    parser.add_argument("--profile", action="store_true", help="cProfile the workers over the timed phase")
    parser.add_argument("--page-cache", type=float, default=None, metavar="SECONDS",
                        help="NETWORK_PAGE_CACHE_SECONDS for the server (the app's default; 0 = off)")
    args = parser.parse_args()
    # In proportion to the practices, as in the default network (20,000 : 5,000 : 2,000 : 300).
    essays = args.essays if args.essays is not None else round(args.practices / 4)
    visits = args.visits if args.visits is not None else round(args.practices / 10)
    users = args.users if args.users is not None else max(80, round(args.practices * 3 / 200))
    sizes = Sizes(args.practices, essays, visits, users, args.seed)
    if users < 80:
        parser.error("--users must be at least 80 (two per institution)")
    # Given on gunicorn's command line, all three (it wins over gunicorn.conf.py): what is not given here
    # is the deployment's setting.
    args.workers = args.workers or defaults["workers"]
    args.worker_class = args.worker_class or defaults["worker_class"]
    if args.threads is None:
        args.threads = defaults["threads"] if args.worker_class == "gthread" else 1
    if args.workers < 1 or args.threads < 1 or (args.threads > 1 and args.worker_class == "sync"):
        parser.error("--threads N (N > 1) needs --worker-class gthread (gunicorn would switch by itself)")
    if args.seed_only and not args.instance:
        parser.error("--seed-only needs --instance DIR (a temporary instance would be removed)")
    overrides = {}
    for setting in args.pg_setting:
        name, equals, value = setting.partition("=")
        if not equals or not name.strip():
            parser.error(f"--pg-setting {setting!r}: NAME=VALUE")
        overrides[name.strip()] = value.strip()

    created = args.instance is None
    instance = Path(args.instance or tempfile.mkdtemp(prefix="bench-load-")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    args.instance = str(instance)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    store = make_store(args.database, instance, overrides)
    server = front = None
    try:
        seeded = prepare_instance(instance, sizes, store)
        if args.seed_only:
            counts = seeded.get("counts", {})
            print(f"Seeded {instance} ({store.kind}): {counts.get('practices', '?')} practices; seeding "
                  f"{counts.get('seconds', '?')} s, storing the HTML {seeded.get('prerender_seconds')} s, the "
                  f"reindex {seeded.get('reindex_seconds')} s, vacuum/checkpoint {seeded.get('finish_seconds')} s "
                  f"(made {seeded.get('seeded_at')}).")
            return
        store.start()
        # A fresh copy for every run: comments posted now do not change the next run.
        copy_seconds = store.fresh_run()
        print("Building the request plan ...", file=sys.stderr, flush=True)
        timed, warm, info = build_plan(store.url(run=True), sizes, args.requests, args.warmup)
        info.update(copy_seconds=copy_seconds, database_mb=store.run_size() / 1024 / 1024)
        port = args.port or free_port()
        gunicorn_port = free_port() if args.front == "nginx" else port
        print(f"Starting gunicorn ({args.workers} {args.worker_class} workers) and the search worker on "
              f"127.0.0.1:{gunicorn_port} ...", file=sys.stderr, flush=True)
        server = Server(instance, gunicorn_port, args.workers, args.profile, args.page_cache,
                        database_url=store.url(run=True), worker_class=args.worker_class, threads=args.threads,
                        behind_proxy=args.front == "nginx")
        server.wait_ready(args.workers)
        if args.front == "nginx":
            print(f"Starting nginx on 127.0.0.1:{port} ...", file=sys.stderr, flush=True)
            front = Nginx(instance, port, gunicorn_port)
            front.wait_ready()
        worker_pids = server.worker_pids()
        pids = {"gunicorn master": (server.gunicorn.pid, False), "search worker": (server.indexer.pid, False)}
        pids.update({f"gunicorn worker {n}": (pid, False) for n, pid in enumerate(worker_pids, 1)})
        if store.process() is not None:
            pids["PostgreSQL (all its processes)"] = (store.process(), True)
        if front is not None:
            pids["nginx (master and workers)"] = (front.process.pid, True)
        print(f"Running {args.warmup} warm-up and {args.requests} timed requests with {args.clients} "
              "clients ...", file=sys.stderr, flush=True)
        context = multiprocessing.get_context("spawn")
        receive, send = context.Pipe(duplex=False)
        driver = context.Process(target=run_clients, args=(
            port, timed, warm, info["logins"], args.clients, pids,
            str(instance / PROFILE_FLAG) if args.profile else None, args.ceiling, send))
        driver.start()
        try:
            kind, outcome = receive.recv()
        except EOFError:
            kind, outcome = "error", "the load driver died"
        except BaseException:
            driver.terminate()
            raise
        finally:
            driver.join(timeout=10)
            if driver.is_alive():
                driver.terminate()
        if kind != "ok":
            raise SystemExit(f"The load driver failed: {outcome}")
        workers_after = server.worker_pids()
        if front is not None:
            front.stop()
        server.stop()
        report(args, sizes, seeded, info, outcome, server, store, front, worker_pids, workers_after)
    except KeyboardInterrupt:
        print("\nInterrupted: stopping the servers.", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        # In this order: nothing may hold a connection to the database the store drops.
        for process in (front, server):
            if process is not None:
                process.stop()
        try:
            store.drop_run()
        except Exception as error:  # the server may be gone already: stopping it matters more
            print(f"Could not drop the run's database: {error}", file=sys.stderr)
        store.stop()
        if created and not args.keep:
            shutil.rmtree(instance, ignore_errors=True)
        elif created:
            print(f"Kept {instance} (reuse it with --instance {instance}).", file=sys.stderr)


if __name__ == "__main__":
    main()
