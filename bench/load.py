"""How many requests a second the production server answers, and how fast, on a realistically sized network.

    .venv/bin/python bench/load.py [--practices 20000] [--essays 5000] [--visits 2000] [--users 300]
                                   [--requests 3000] [--clients 4] [--warmup 80] [--seed 1]
                                   [--instance DIR] [--keep] [--workers 2] [--port 0] [--profile]
                                   [--ceiling 300] [--page-cache SECONDS]

What it does, in order:

1. **Seeds** an instance folder (a temporary one, or --instance DIR) with a SQLite database migrated by `flask
   --app network db upgrade`, then filled with bulk Core inserts in one transaction: 40 institutions in 16
   countries, the users (each institution's admin, coordinators, evaluators, one site admin, a few waiting for
   approval), partnerships, N practices written in ten languages (sections, sectors, intervention types, tags,
   authors, a first revision, translations, reviews; 88 % published, 85 % of those public), comments with
   replies, follows and notifications on some of them, hosting offers with weeks and programmes, applications
   with preferences and the visits made from them (completed, confirmed, proposed, cancelled, with their
   programme), a training event per completed visit plus training events, courses and conferences, and the
   essays written about them (published, submitted, returned, drafts) with linked practices. The text comes
   from bench/search.py's generated corpus (the same vocabulary and seed the search benchmark uses). Then
   `flask --app network search reindex` builds the search index once and the search outbox is emptied. With
   --instance DIR, a DIR that already holds a finished seed of the same sizes and seed is reused as it is (no
   seeding, no reindex); a different seed there is refused rather than overwritten.
2. **Serves** a fresh copy of that database (so that comments posted by one run do not change the next) with
   the production set-up of `make serve`: `gunicorn --workers 2 --bind 127.0.0.1:PORT wsgi:app` (sync
   workers, access log to a file) beside one `flask --app network search worker`, NETWORK_SEARCH_INDEXER=
   external, a random NETWORK_SECRET_KEY, NETWORK_ENV=production. Both are always stopped at the end, also
   on Ctrl-C.
3. **Drives** it from a separate process on loopback: --clients threads, each with its own keep-alive
   http.client connection and cookies. Each client logs in once as a different member (the CSRF token is read
   from the login form), then the warm-up requests are shared out (each gunicorn worker opens the search
   index and compiles its templates), then the timed phase runs exactly --requests requests of a
   deterministic mix drawn from --seed (home, practice list plain and with filters and pages, practice pages,
   institution pages, search with and without filters, comment posts), as fast as the server answers
   (a closed loop: a client sends its next request when the previous one is answered). A quarter of the
   page views are by logged-in members. Expected answers: 200 for pages, a 302 to the new comment for a
   comment post; anything else, a timeout or a broken connection is an error, and so is a "Search failed"
   or a traceback in the server's log (the search page answers 200 with no results when search fails).
4. **Prints** per route: count, errors, latency p50/p95/p99/max seen by the client, and the server's own
   time (gunicorn's %(D)s: from the request read to the response written, without the time spent waiting in
   the listen queue); requests per second over the timed phase; the CPU time each process used (the client
   competes with the server for the same cores), the machine's load and what other processes used. With
   --profile both gunicorn workers run under cProfile during the timed phase (slower: its figures are not
   the benchmark's) and the time is broken down by package and function.
   The page cache for anonymous visitors (network/page_cache.py) runs with the app's default unless
   --page-cache SECONDS sets it (0 turns it off); the "cached" column counts the answers it served (its
   X-Page-Cache header, written to gunicorn's access log).

Nothing is asserted: it prints figures. The last line is machine-readable:
RESULT requests=... rps=... p95_page_ms=... p95_search_ms=... errors=...
("page" is every route but search, comment posts included.)
"""
from __future__ import annotations

import argparse
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


def seed_database(instance: str, sizes: Sizes) -> dict:
    """Runs in a child process: fill the migrated database. Returns row counts."""
    env = {**clean_env(), **server_env(Path(instance), BASE_DB, secret="seeding")}
    os.environ.clear()
    os.environ.update(env)
    sys.path[:0] = [str(PROJECT), str(BENCH)]
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
        with engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.engine.dispose()
    counts = dict(insert.counts)
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def _progress(what: str, started: float) -> None:
    print(f"  seeded {what} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)


def _seed_child(instance: str, sizes: Sizes, out) -> None:
    try:
        out.send(("ok", seed_database(instance, sizes)))
    except BaseException as error:  # noqa: B902 - report anything, the parent decides
        import traceback

        out.send(("error", f"{error!r}\n{traceback.format_exc()}"))


def prepare_instance(instance: Path, sizes: Sizes) -> dict:
    """Seed and index the instance unless it already holds this seed; returns the marker's contents."""
    marker = instance / MARKER
    if marker.exists():
        found = json.loads(marker.read_text())
        if found.get("sizes") != asdict(sizes):
            raise SystemExit(f"{instance} holds another seed ({found.get('sizes')}); choose another "
                             "--instance or remove it.")
        print(f"Reusing the seeded instance {instance} (seeded {found['seeded_at']}).", file=sys.stderr)
        # The code may have new migrations since the seed (new tables, indexes): bring the schema up.
        env = {**clean_env(), **server_env(instance, BASE_DB, secret="seeding")}
        subprocess.run([sys.executable, "-m", "flask", "--app", "network", "db", "upgrade"], cwd=PROJECT,
                       env=env, check=True, stdout=subprocess.DEVNULL)
        return found
    partial = instance / PARTIAL
    ours = [instance / name for name in (BASE_DB, BASE_DB + "-wal", BASE_DB + "-shm", "search")]
    if any(path.exists() for path in ours) and not partial.exists():
        raise SystemExit(f"{instance} holds a database or a search index this script did not seed: "
                         "choose a new or empty folder for --instance.")
    partial.touch()  # an interrupted seed is started again from scratch next time
    for path in ours:
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    env = {**clean_env(), **server_env(instance, BASE_DB, secret="seeding")}
    print(f"Migrating {instance / BASE_DB} ...", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "flask", "--app", "network", "db", "upgrade"], cwd=PROJECT, env=env,
                   check=True, stdout=subprocess.DEVNULL)
    print("Seeding ...", file=sys.stderr, flush=True)
    context = multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_seed_child, args=(str(instance), sizes, send))
    child.start()
    try:
        kind, value = receive.recv()
    except EOFError:
        kind, value = "error", "the seeding process died"
    child.join()
    if kind != "ok":
        raise SystemExit(f"Seeding failed: {value}")
    counts = value
    print(f"Seeded in {counts['seconds']} s. Indexing (flask --app network search reindex) ...",
          file=sys.stderr, flush=True)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "flask", "--app", "network", "search", "reindex"], cwd=PROJECT,
                   env=env, check=True, stdout=sys.stderr)
    reindex_seconds = time.monotonic() - started
    connection = sqlite3.connect(instance / BASE_DB)
    try:
        left = connection.execute("SELECT count(*) FROM search_outbox").fetchone()[0]
        connection.execute("DELETE FROM search_outbox")  # everything is in the new index already
        connection.commit()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    found = {"sizes": asdict(sizes), "counts": counts, "reindex_seconds": round(reindex_seconds, 1),
             "outbox_rows_dropped": left,
             "seeded_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    marker.write_text(json.dumps(found, indent=1))
    partial.unlink()
    return found


def server_env(instance: Path, database: str, secret: str) -> dict[str, str]:
    """The environment of the server, the indexer and the flask commands: production settings."""
    return {"NETWORK_INSTANCE_PATH": str(instance),
            "NETWORK_DATABASE_URL": f"sqlite:///{instance / database}", "NETWORK_SECRET_KEY": secret,
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


def build_plan(instance: Path, sizes: Sizes, requests: int,
               warmup: int) -> tuple[list[Item], list[Item], dict]:
    """The timed requests and the warm-up requests, drawn from --seed and the seeded database."""
    sys.path[:0] = [str(BENCH)]
    import search as search_bench

    rng = random.Random(sizes.seed * 31 + requests)
    with sqlite3.connect(instance / RUN_DB) as connection:
        def column(sql: str) -> list:
            return [row[0] for row in connection.execute(sql)]

        public = column("SELECT id FROM practices WHERE status = 'published' AND visibility = 'public' "
                        "ORDER BY id")
        members_only = column("SELECT id FROM practices WHERE status = 'published' "
                              "AND visibility = 'members' ORDER BY id")
        slugs = column("SELECT slug FROM institutions ORDER BY id")
        countries = column("SELECT DISTINCT country FROM practices ORDER BY country")
        languages = column("SELECT DISTINCT language FROM practices ORDER BY language")
        tags = column("SELECT t.name FROM tags t JOIN practice_tags pt ON pt.tag_id = t.id GROUP BY t.id "
                      "ORDER BY count(*) DESC, t.name LIMIT 60")
        members = connection.execute(
            "SELECT u.email, u.institution_id FROM users u WHERE u.membership_status = 'approved' "
            "AND NOT EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id) ORDER BY u.id").fetchall()
        sentences = column("SELECT summary FROM practices ORDER BY id LIMIT 400")
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

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"User-Agent": "peer-network-load-bench", "Accept": "text/html",
                   "Accept-Encoding": "identity"}
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
        return response.status, response.getheader("Location") or "", data

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _login(browser: Browser, email: str) -> str:
    """Log in as this person; return a CSRF token of their new session."""
    status, _location, page = browser.request("GET", "/login")
    token = CSRF.search(page.decode("utf-8", "replace"))
    if status != 200 or token is None:
        raise RuntimeError(f"GET /login answered {status}")
    status, location, _page = browser.request("POST", "/login", {"csrf_token": token.group(1), "email": email,
                                                                 "password": PASSWORD})
    if status != 302:
        raise RuntimeError(f"logging in as {email} answered {status}")
    status, _location, page = browser.request("GET", "/")
    token = CSRF.search(page.decode("utf-8", "replace"))
    if status != 200 or token is None:
        raise RuntimeError(f"the home page after logging in answered {status} without a form token")
    return token.group(1)


def _expected(item: Item, status: int, location: str) -> str | None:
    """None when the answer is the one expected, else what is wrong."""
    if item.route == "comment":
        return None if status == 302 and "#comment-" in location else f"HTTP {status} {location}"
    return None if status == 200 else f"HTTP {status}"


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return (total - idle) / tick, total / tick


def _snapshot(pids: dict[str, int]) -> dict:
    return {"at": time.perf_counter(), "cpu": {name: _cpu_seconds(pid) for name, pid in pids.items()},
            "self": sum(os.times()[:2]), "machine": _machine_busy(), "load": os.getloadavg()}


def run_clients(port: int, timed: list[Item], warm: list[Item], logins: list[str], clients: int,
                pids: dict[str, int], profile_flag: str | None, ceiling: int, out) -> None:
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
    results: list[tuple] = []  # (route, member, ms, error or None, bytes)
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
                status, location, data = browsers[item.member].request(item.method, item.path, form)
                problem, size = _expected(item, status, location), len(data)
            except Exception as error:  # timeouts, resets: counted as errors
                problem, size = f"{type(error).__name__}: {error}", 0
            return (time.perf_counter() - started) * 1000, problem, size

        try:
            while True:
                try:
                    item = warm_queue.get_nowait()
                except queue.Empty:
                    break
                ms, problem, _size = send(item)
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
            ms, problem, size = send(item)
            own.append((item.route, item.member, ms, problem, size, item.path))
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
    marker.request("GET", "/?load-bench=start")
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
    marker.request("GET", "/?load-bench=end")
    marker.close()
    return {"results": results, "setup_errors": setup_errors, "warm_ms": warm_ms, "before": before,
            "after": after, "connections": sum(connections),
            "ceiling": _ceiling(port, ceiling, clients) if ceiling else None}


def _ceiling(port: int, requests: int, clients: int) -> dict:
    """The same clients asking for a small static file: what gunicorn, Flask and this client cost alone."""
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
                status, _location, _data = browser.request("GET", CEILING_PATH)
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
    return {"seconds": time.perf_counter() - started, "ms": times, "failures": failures[0]}


# --- the server -----------------------------------------------------------------------------------------

PROFILE_CONFIG = '''
"""gunicorn hooks written by bench/load.py --profile: cProfile in each worker while the flag file exists."""
import cProfile
import os

FLAG = {flag!r}
OUT = {out!r}


def pre_request(worker, req):
    profile = getattr(worker, "load_bench_profile", None)
    if profile is None and os.path.exists(FLAG):
        worker.load_bench_profile = profile = cProfile.Profile()
        profile.enable()
    elif profile is not None and not os.path.exists(FLAG) and not getattr(worker, "load_bench_done", False):
        profile.disable()
        worker.load_bench_done = True


def worker_exit(server, worker):
    profile = getattr(worker, "load_bench_profile", None)
    if profile is not None:
        profile.disable()
        profile.dump_stats(os.path.join(OUT, "load-profile-%d.pstats" % os.getpid()))
'''


class Server:
    """gunicorn (sync workers) and the search indexer, as `make serve` runs them."""

    def __init__(self, instance: Path, port: int, workers: int, profile: bool, page_cache: float | None = None):
        self.instance = instance
        self.port = port
        self.access_log = instance / "load-access.log"
        self.server_log = instance / "load-server.log"
        self.indexer_log = instance / "load-indexer.log"
        for path in (self.access_log, self.server_log, self.indexer_log):
            path.unlink(missing_ok=True)
        for old in instance.glob("load-profile-*.pstats"):
            old.unlink()
        self.env = {**clean_env(), **server_env(instance, RUN_DB, secret=os.urandom(32).hex())}
        if page_cache is not None:
            self.env["NETWORK_PAGE_CACHE_SECONDS"] = str(page_cache)
        command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                   "--access-logfile", str(self.access_log),
                   "--access-logformat", "%(r)s %(s)s %(D)s %({x-page-cache}o)s"]
        if profile:
            config = instance / "load-gunicorn-profile.py"
            config.write_text(PROFILE_CONFIG.format(flag=str(instance / PROFILE_FLAG), out=str(instance)))
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
            if len(self.worker_pids()) >= workers:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                    connection.request("GET", "/")
                    if connection.getresponse().status == 200:
                        connection.close()
                        return
                except OSError:
                    pass
            time.sleep(0.3)
        raise SystemExit(f"The server did not answer within {timeout:.0f} s; see {self.server_log}")

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rpartition(")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == self.gunicorn.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def stop(self) -> None:
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


def machine_description() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("\n", 1)[0].split()[1])
        memory = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import gunicorn

    return (f"{os.cpu_count()} CPUs ({model or platform.machine()}){memory}, {platform.system()} "
            f"{platform.release()}, CPython {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"gunicorn {gunicorn.__version__}")


def fmt(value: float, digits: int = 1) -> str:
    return "-" if value != value else f"{value:.{digits}f}"


def report(args, sizes: Sizes, seeded: dict, info: dict, outcome: dict, server: Server,
           worker_pids: list[int], workers_after: list[int]) -> None:
    results = outcome["results"]
    before, after = outcome["before"], outcome["after"]
    wall = after["at"] - before["at"]
    by_route: dict[str, list] = {}
    for row in results:
        by_route.setdefault(row[0], []).append(row)
    own, cache_hits = server_times(server.access_log)
    problems = log_problems(server.server_log, args.workers)
    # A failed search still answers 200 (with no results): only the log shows it. Other server errors
    # reach the client as a 5xx or a broken connection and are counted there already.
    errors = sum(1 for r in results if r[3]) + problems["of them search failures"]

    print()
    print(f"Load benchmark: {len(results)} requests, {args.clients} client threads in one process, "
          f"gunicorn {args.workers} sync workers + search worker, SQLite")
    print(f"Machine: {machine_description()}")
    print(f"Date: {datetime.now(timezone.utc).isoformat(timespec='seconds')}; load average before "
          f"{' '.join(fmt(v, 2) for v in before['load'])}, "
          f"after {' '.join(fmt(v, 2) for v in after['load'])}")
    counts = seeded.get("counts", {})
    print(f"Data: {counts.get('practices', '?')} practices ({info['public_practices']} published and public, "
          f"{info['members_only_practices']} for members), {counts.get('comments', '?')} comments, "
          f"{counts.get('essays', '?')} essays, {counts.get('visits', '?')} visits, "
          f"{counts.get('users', '?')} users, "
          f"{counts.get('institutions', '?')} institutions; seed {sizes.seed}; instance {args.instance}")
    if seeded.get("reindex_seconds") is not None:
        print(f"Seeding took {counts.get('seconds', '?')} s, the reindex {seeded['reindex_seconds']} s "
              f"(when this instance was made, {seeded.get('seeded_at')}).")
    if args.profile:
        print("NOTE: --profile: both workers ran under cProfile, so these times are slower than the "
              "server's.")
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
              f"{sum(r[4] for r in rows) / len(rows) / 1024:>6.1f} "
              f"{sum(cache_hits.values()) if route == 'all' else cache_hits.get(route, 0):>6}")
    page_ms = [r[2] for r in results if r[0] not in SEARCH_ROUTES]
    search_ms = [r[2] for r in results if r[0] in SEARCH_ROUTES]
    rps = len(results) / wall if wall > 0 else float("nan")
    print()
    print(f"Page cache: {server.page_cache_setting()}; 'cached' counts the answers it served.")
    print(f"Throughput: {len(results)} requests in {wall:.1f} s = {rps:.1f} requests/s "
          f"(concurrency {args.clients}: latency includes waiting for one of {args.workers} workers; "
          f"'server' columns are gunicorn's own time per request)")
    print(f"Connections opened: {outcome['connections']} for {len(results)} requests (gunicorn's sync "
          "workers close the connection after each response, so keep-alive does not carry over)")
    ceiling = outcome.get("ceiling")
    if ceiling and ceiling["ms"]:
        print(f"Floor: {len(ceiling['ms'])} requests for {CEILING_PATH} (Flask's static route, same clients) "
              f"ran at {len(ceiling['ms']) / ceiling['seconds']:.0f} requests/s, "
              f"p50 {fmt(percentile(ceiling['ms'], 50))} ms, p95 {fmt(percentile(ceiling['ms'], 95))} ms, "
              f"{ceiling['failures']} failures")
    print(f"p95: pages {fmt(percentile(page_ms, 95))} ms (every route but search, comment posts included), "
          f"search {fmt(percentile(search_ms, 95))} ms")
    slowest = sorted(results, key=lambda r: -r[2])[:5]
    print("Slowest requests: " + "; ".join(f"{r[5][:70]} {r[2]:.0f} ms" for r in slowest))
    print(f"Errors: {sum(1 for r in results if r[3])} answers not as expected; in the server log "
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
        print(f"  {name:<30} {fmt(seconds, 1):>6} s  {fmt(100 * seconds / wall, 0):>4} % of one core")
    others = busy - ours
    print(f"  {'other processes':<30} {fmt(others, 1):>6} s  {fmt(100 * others / wall, 0):>4} % of one core")
    if workers_after != worker_pids:
        print(f"NOTE: gunicorn's workers changed during the run ({worker_pids} -> {workers_after}).")
    if args.profile:
        print_profile(server.instance)
    print()
    print(f"RESULT requests={len(results)} rps={rps:.1f} p95_page_ms={fmt(percentile(page_ms, 95))} "
          f"p95_search_ms={fmt(percentile(search_ms, 95))} errors={errors}")


def print_profile(instance: Path) -> None:
    import pstats

    files = sorted(instance.glob("load-profile-*.pstats"))
    if not files:
        print("No profile was written (did the workers stop cleanly?).")
        return
    stats = pstats.Stats(*[str(f) for f in files])
    idle_names = {"select", "poll", "accept", "_accept", "sleep", "wait"}
    groups: dict[str, float] = {}
    total = 0.0
    for (filename, _line, name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        bare = name.strip("<>{}").replace("built-in method ", "").replace("method ", "").split(" of ")[0]
        bare = bare.split(".")[-1].strip("'")
        if filename == "~" and bare in idle_names:
            continue  # a sync worker waiting for the next connection
        total += tottime
        groups[_package_of(filename, name)] = groups.get(_package_of(filename, name), 0.0) + tottime
    print()
    print(f"Profile of the {len(files)} workers over the timed phase: {total:.1f} s of CPU-bound time "
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
             ("handle_request", "gunicorn/workers/sync.py")]
    for name, fragment in steps:
        seconds = sum(ct for (filename, _line, fname), (_cc, _nc, _tt, ct, _c) in stats.stats.items()
                      if fname == name and fragment in filename)
        if seconds:
            print(f"  {name:<28} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print("Functions with the most own time:")
    stream_rows = sorted(((key, value) for key, value in stats.stats.items()
                          if not (key[0] == "~" and any(f"select.{n}" in key[2] or f"'{n}'" in key[2]
                                                          for n in idle_names))),
                         key=lambda kv: -kv[1][2])[:15]
    for (filename, line, name), (_cc, nc, tottime, cumtime, _callers) in stream_rows:
        short = "/".join(Path(filename).parts[-2:]) if filename != "~" else "built-in"
        print(f"  {tottime:7.2f} s own {cumtime:7.2f} s incl. {nc:>9} calls  {name} ({short}:{line})")


def _package_of(filename: str, name: str) -> str:
    if filename == "~":
        if "sqlite3" in name:
            return "sqlite3 (the database itself)"
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
    parser.add_argument("--practices", type=int, default=20_000)
    parser.add_argument("--essays", type=int, default=5_000)
    parser.add_argument("--visits", type=int, default=2_000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--requests", type=int, default=3_000, help="timed requests (3000)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads (4)")
    parser.add_argument("--warmup", type=int, default=80, help="requests before timing (80)")
    parser.add_argument("--ceiling", type=int, default=300,
                        help="requests for a static file after the timed phase, the floor (300; 0 = skip)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--instance", help="instance folder to seed, or to reuse when it holds this seed")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary instance folder (--instance DIR is always kept)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (a free one)")
    parser.add_argument("--profile", action="store_true", help="cProfile both workers over the timed phase")
    parser.add_argument("--page-cache", type=float, default=None, metavar="SECONDS",
                        help="NETWORK_PAGE_CACHE_SECONDS for the server (the app's default; 0 = off)")
    args = parser.parse_args()
    sizes = Sizes(args.practices, args.essays, args.visits, args.users, args.seed)
    if args.users < 80:
        parser.error("--users must be at least 80 (two per institution)")

    created = args.instance is None
    instance = Path(args.instance or tempfile.mkdtemp(prefix="bench-load-")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    args.instance = str(instance)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # also when started in the background
    server = None
    try:
        seeded = prepare_instance(instance, sizes)
        for suffix in ("", "-wal", "-shm"):
            (instance / (RUN_DB + suffix)).unlink(missing_ok=True)
        # A fresh copy for every run: comments posted now do not change the next run.
        source, target = sqlite3.connect(instance / BASE_DB), sqlite3.connect(instance / RUN_DB)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        print("Building the request plan ...", file=sys.stderr, flush=True)
        timed, warm, info = build_plan(instance, sizes, args.requests, args.warmup)
        port = args.port or free_port()
        print(f"Starting gunicorn ({args.workers} workers) and the search worker on 127.0.0.1:{port} ...",
              file=sys.stderr, flush=True)
        server = Server(instance, port, args.workers, args.profile, args.page_cache)
        server.wait_ready(args.workers)
        worker_pids = server.worker_pids()
        pids = {"gunicorn master": server.gunicorn.pid, "search worker": server.indexer.pid}
        pids.update({f"gunicorn worker {n}": pid for n, pid in enumerate(worker_pids, 1)})
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
        server.stop()
        report(args, sizes, seeded, info, outcome, server, worker_pids, workers_after)
    except KeyboardInterrupt:
        print("\nInterrupted: stopping the server.", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        if server is not None:
            server.stop()
        for suffix in ("", "-wal", "-shm"):
            (instance / (RUN_DB + suffix)).unlink(missing_ok=True)
        if created and not args.keep:
            shutil.rmtree(instance, ignore_errors=True)
        elif created:
            print(f"Kept {instance} (reuse it with --instance {instance}).", file=sys.stderr)


if __name__ == "__main__":
    main()
