"""How fast assisted matching is: `network.mobility.matching.propose()` on generated partnerships.

    .venv/bin/python bench/matching.py [--sizes 8,30,100] [--per-institution 6] [--repeat 7] [--seed 1]
                                       [--database none|sqlite]

For each size N, a partnership of N institutions is generated deterministically from --seed, every institution
both hosting and sending --per-institution applicants:

- languages: each institution has a country language (es, ro, fr, fi, lb - with de and fr -, is, it, pl, cs,
  pt, da, en); hosts also work in English (90 %) and sometimes in one more language (25 %); applicants speak
  their country language, most also English (85 %), some one more language (20 %);
- approach tags (3-6 per host) and interests (2-5 per applicant) from a social-work vocabulary of 30 tags,
  some tags more common than others;
- a season of 30 weeks from 2027-02-01; each host offers 8-12 of them with 1-2 places each and a quota of 6
  visits; each applicant is available in 4-8 weeks (a run of consecutive weeks half of the time);
- 3 preferred hosts per applicant (never their own institution), drawn with weights 1 / rank^0.8 over a
  popularity order of the hosts, so popular hosts are asked for much more than others.

It times `propose()` (building the model included) --repeat times after one untimed warm-up run and prints
min and median (wall and CPU time: on a busy machine compare the CPU figures), the median wall and CPU time
of each phase (load: generating the partnership, which stands for reading it from the database; prepare: the
inputs as arrays; build: the models' pairs and arcs; solve: OR-Tools; price: potentials and pricing; write:
the proposal and the reasons of the unplaced), the model's size (rounds, arcs against the whole network's
triples), the number placed and the unplaced by reason, the score and a digest of the placements (sha256 of
the sorted (application, offer, week) triples: equal digests, equal placements), and the machine. Nothing is
asserted. The last line is machine-readable, for the last size and then every size:
`RESULT institutions=1000 applicants=6000 seconds=<median> cpu_seconds=<median> placed=<n> score=<s>
digest=<16 hex> sizes=100,1000 seconds_100=... cpu_seconds_100=... score_100=... digest_100=... ...`.

With --database sqlite the same partnership is also written to a throw-away SQLite database (migrated, in a
temporary folder, removed at the end) and the production path is timed once, after a warm-up:
`services.propose_matching()`, which reads the partnership and calls `propose()`; "read" is its time outside
`propose()`, with the number of queries, beside reading it one offer and one application at a time as it did
before issue 24. The database's proposal is checked against the in-memory one (same score and placements, the
database's offer ids mapped back). The RESULT line then adds `database=sqlite read_seconds_<N>=...
queries_<N>=... read_before_seconds_<N>=... queries_before_<N>=...`.
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from network.mobility.matching import Applicant, HostOffer, propose  # noqa: E402

COUNTRY_LANGUAGES = {
    "es": {"es"}, "ro": {"ro"}, "fr": {"fr"}, "fi": {"fi"}, "lb": {"lb", "de", "fr"}, "is": {"is"},
    "it": {"it"}, "pl": {"pl"}, "cs": {"cs"}, "pt": {"pt"}, "da": {"da"}, "en": {"en"},
}
EXTRA_LANGUAGES = ["es", "fr", "de", "it", "pt"]
VOCABULARY = [
    "family support", "child protection", "foster care", "youth work", "street outreach", "homelessness",
    "housing first", "mental health", "addiction", "harm reduction", "domestic violence", "migrants",
    "refugees", "roma inclusion", "disability", "elderly care", "community development", "group work",
    "case management", "restorative justice", "probation", "employment", "debt advice", "peer support",
    "school social work", "early intervention", "trauma-informed care", "participation", "supervision",
    "digital inclusion",
]
SEASON_START = date(2027, 2, 1)  # a Monday
SEASON_WEEKS = 30


def generate(n_institutions: int, per_institution: int = 6,
             seed: int = 1) -> tuple[list[Applicant], list[HostOffer]]:
    rng = random.Random(f"{seed}-{n_institutions}-{per_institution}")
    weeks = [SEASON_START + timedelta(weeks=i) for i in range(SEASON_WEEKS)]
    tag_weights = [1 / (i + 1) ** 0.5 for i in range(len(VOCABULARY))]
    countries = list(COUNTRY_LANGUAGES)

    def tags(k: int) -> frozenset[str]:
        chosen: set[str] = set()
        while len(chosen) < k:
            chosen.add(rng.choices(VOCABULARY, tag_weights)[0])
        return frozenset(chosen)

    country = {i: rng.choice(countries) for i in range(1, n_institutions + 1)}
    offers = []
    for inst in range(1, n_institutions + 1):
        langs = set(COUNTRY_LANGUAGES[country[inst]])
        if rng.random() < 0.9:
            langs.add("en")
        if rng.random() < 0.25:
            langs.add(rng.choice(EXTRA_LANGUAGES))
        offered = rng.sample(weeks, rng.randint(8, 12))
        offers.append(HostOffer(
            offer_id=1000 + inst, institution_id=inst, languages=frozenset(langs),
            approaches=tags(rng.randint(3, 6)), capacity={w: rng.randint(1, 2) for w in sorted(offered)},
            quota_left=6,
        ))

    popularity = list(range(1, n_institutions + 1))
    rng.shuffle(popularity)
    pop_weights = [1 / (r + 1) ** 0.8 for r in range(n_institutions)]
    applicants = []
    for inst in range(1, n_institutions + 1):
        for _ in range(per_institution):
            langs = {rng.choice(sorted(COUNTRY_LANGUAGES[country[inst]]))}
            if rng.random() < 0.85:
                langs.add("en")
            if rng.random() < 0.2:
                langs.add(rng.choice(EXTRA_LANGUAGES))
            k = rng.randint(4, 8)
            if rng.random() < 0.5:
                start = rng.randrange(SEASON_WEEKS - k + 1)
                available = weeks[start:start + k]
            else:
                available = rng.sample(weeks, k)
            preferred: list[int] = []
            while len(preferred) < min(3, n_institutions - 1):
                host = rng.choices(popularity, pop_weights)[0]
                if host != inst and host not in preferred:
                    preferred.append(host)
            applicants.append(Applicant(
                application_id=len(applicants) + 1, institution_id=inst, languages=frozenset(langs),
                interests=tags(rng.randint(2, 5)), preferred_hosts=tuple(preferred),
                available_weeks=frozenset(available),
            ))
    return applicants, offers


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def digest(proposal) -> str:
    """sha256 of the sorted (application, offer, week) triples, 16 hex digits."""
    triples = sorted((m.application_id, m.offer_id, m.week.isoformat()) for m in proposal.matches)
    return hashlib.sha256(repr(triples).encode()).hexdigest()[:16]


PHASES = ("prepare", "build", "solve", "price", "write")


def from_database(applicants: list[Applicant], offers: list[HostOffer], proposal) -> dict[str, float]:
    """Write the partnership to a throw-away SQLite database and time `services.propose_matching()` on it."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-matching-"))
    os.environ["NETWORK_INSTANCE_PATH"] = str(workdir / "instance")
    try:
        from flask_migrate import upgrade
        from sqlalchemy import event

        from network import create_app
        from network.auth.models import User
        from network.extensions import db
        from network.institutions.models import Institution, Partnership
        from network.mobility import matching, services
        from network.mobility.models import (
            ENDORSED,
            ApplicationPreference,
            ApplicationWeek,
            HostingOffer,
            MobilityApplication,
            OfferWeek,
        )
        from network.practices.models import Tag

        app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
                          "SEARCH_INDEXER": "manual", "JOBS": "immediate"})
        with app.app_context():
            logging.disable(logging.INFO)  # Alembic's line per migration
            try:
                upgrade()
            finally:
                logging.disable(logging.NOTSET)
            start = time.perf_counter()
            institutions = {i: Institution(name=f"Institution {i}", slug=f"institution-{i}", country="ES")
                            for i in sorted({o.institution_id for o in offers} | {a.institution_id for a in applicants})}
            tags = {name: Tag(name=name) for name in VOCABULARY}
            partnership = Partnership(title="Bench partnership", reference="BENCH-1", start_date=SEASON_START,
                                      end_date=SEASON_START + timedelta(weeks=SEASON_WEEKS),
                                      coordinating_institution=institutions[min(institutions)],
                                      partners=list(institutions.values()))
            db.session.add_all([*institutions.values(), *tags.values(), partnership])
            db.session.flush()
            host_offer = {}
            for o in offers:
                row = HostingOffer(partnership=partnership, institution=institutions[o.institution_id],
                                   total_quota=o.quota_left, tags=[tags[t] for t in sorted(o.approaches)],
                                   weeks=[OfferWeek(week_start=w, capacity=c) for w, c in sorted(o.capacity.items())])
                row.languages = sorted(o.languages)
                host_offer[o.offer_id] = row
            db.session.add_all(host_offer.values())
            application = {}
            for a in applicants:
                user = User(name=f"Applicant {a.application_id}", email=f"applicant{a.application_id}@example.org",
                            password_hash="-", institution=institutions[a.institution_id])
                row = MobilityApplication(
                    partnership=partnership, user=user, institution=institutions[a.institution_id], status=ENDORSED,
                    tags=[tags[t] for t in sorted(a.interests)],
                    preferences=[ApplicationPreference(rank=r + 1, host_institution_id=institutions[h].id)
                                 for r, h in enumerate(a.preferred_hosts)],
                    weeks=[ApplicationWeek(week_start=w) for w in sorted(a.available_weeks)])
                row.languages = sorted(a.languages)
                application[a.application_id] = row
                db.session.add_all([user, row])
            db.session.commit()
            seeded = time.perf_counter() - start
            # The database's ids back to the generated ones, to compare the proposals.
            offer_of = {row.id: offer_id for offer_id, row in host_offer.items()}
            application_of = {row.id: application_id for application_id, row in application.items()}

            queries = []
            event.listen(db.engine, "before_cursor_execute", lambda *_: queries.append(1))
            inside = []

            def timed_propose(*args, **kwargs):
                start = time.perf_counter()
                try:
                    return propose(*args, **kwargs)
                finally:
                    inside.append(time.perf_counter() - start)

            # The season's weeks must not have begun: the mobility's one clock, set a week before them.
            with mock.patch.object(matching, "propose", timed_propose), \
                    mock.patch("network.mobility.weeks.today", lambda: SEASON_START - timedelta(weeks=1)):
                for _ in range(2):  # a warm-up, then the run timed
                    db.session.expire_all()
                    queries.clear()
                    inside.clear()
                    start = time.perf_counter()
                    from_db = services.propose_matching(partnership)
                    total = time.perf_counter() - start
                read, read_queries = total - inside[0], len(queries)
                # Before issue 24: one query per offer for its places, one for its quota, and the tags,
                # preferences and weeks of each application and offer loaded one by one.
                db.session.expire_all()
                queries.clear()
                start = time.perf_counter()
                [services._solver_applicant(a) for a in services.unplaced_applications(partnership)]
                [services._solver_offer(o) for o in services.offers_in(partnership)]
                before, before_queries = time.perf_counter() - start, len(queries)
            mapped = sorted((application_of[m.application_id], offer_of[m.offer_id], m.week.isoformat())
                            for m in from_db.matches)
            same = (from_db.total_score == proposal.total_score
                    and hashlib.sha256(repr(mapped).encode()).hexdigest()[:16] == digest(proposal))
            db.session.remove()
            db.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {"seeded": seeded, "total": total, "read": read, "queries": read_queries, "before": before,
            "before_queries": before_queries, "same": same}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8,30,100", help="numbers of institutions, comma-separated")
    parser.add_argument("--per-institution", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=("none", "sqlite"), default="none",
                        help="also time services.propose_matching() reading the partnership from SQLite")
    args = parser.parse_args()

    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"Python {platform.python_version()}, numpy {_version('numpy')}, "
          f"ortools {_version('ortools')} (SimpleMaxFlow, SimpleMinCostFlow)")
    sizes = [int(s) for s in args.sizes.split(",")]
    per_size: list[str] = []
    last = ""
    for size in sizes:
        start, start_cpu = time.perf_counter(), time.process_time()
        applicants, offers = generate(size, args.per_institution, args.seed)
        load = (time.perf_counter() - start, time.process_time() - start_cpu)
        places = sum(min(sum(o.capacity.values()), o.quota_left) for o in offers)
        proposal = propose(applicants, offers)  # warm-up
        times, cpu, stats = [], [], []
        for _ in range(args.repeat):
            stats.append({})
            start, start_cpu = time.perf_counter(), time.process_time()
            proposal = propose(applicants, offers, stats=stats[-1])
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        reasons = Counter(u.code for u in proposal.unplaced)
        median, median_cpu = statistics.median(times), statistics.median(cpu)
        print(f"\ninstitutions={size} applicants={len(applicants)} places(capacity within quota)={places} "
              f"(load avg {os.getloadavg()[0]:.2f})")
        print(f"  seconds: min {min(times):.3f}  median {median:.3f}  (over {args.repeat} runs; "
              f"CPU min {min(cpu):.3f} median {median_cpu:.3f})")
        print(f"  phases, median wall / CPU s: load {load[0]:.3f} / {load[1]:.3f} (once), " + ", ".join(
            f"{phase} {statistics.median(s.get(f'{phase}_wall', 0.0) for s in stats):.3f} / "
            f"{statistics.median(s.get(f'{phase}_cpu', 0.0) for s in stats):.3f}" for phase in PHASES))
        model = stats[-1]
        print(f"  model: {model.get('rounds', 0)} rounds, last {model.get('arcs', 0):,} arcs "
              f"({model.get('pairs', 0):,} pairs) of the whole network's {model.get('triples', 0):,} triples, "
              f"cost scale {model.get('scale', 1):,}")
        print(f"  placed {len(proposal.matches)}, unplaced {len(proposal.unplaced)}"
              + (": " + ", ".join(f"{code} {n}" for code, n in sorted(reasons.items())) if reasons else ""))
        ranks = Counter(m.preference_rank for m in proposal.matches)
        print("  placed at preference: " + ", ".join(
            f"{'none' if r is None else r}: {ranks[r]}" for r in (1, 2, 3, None)))
        print(f"  total score {proposal.total_score:.0f} (spread penalty {proposal.spread_penalty:.0f}), "
              f"placements sha256 {digest(proposal)}")
        if args.database == "sqlite":
            d = from_database(applicants, offers, proposal)
            print(f"  SQLite (seeded in {d['seeded']:.1f} s): propose_matching {d['total']:.3f} s, of which reading "
                  f"the partnership {d['read']:.3f} s in {d['queries']} queries (one offer and one application at "
                  f"a time, as before: {d['before']:.3f} s in {d['before_queries']} queries); same proposal as "
                  f"in memory: {'yes' if d['same'] else 'NO'}")
            per_size.append(f"read_seconds_{size}={d['read']:.3f} queries_{size}={d['queries']} "
                            f"read_before_seconds_{size}={d['before']:.3f} queries_before_{size}={d['before_queries']}")
        last = (f"RESULT institutions={size} applicants={len(applicants)} seconds={median:.3f} "
                f"cpu_seconds={median_cpu:.3f} placed={len(proposal.matches)} score={proposal.total_score:.0f} "
                f"digest={digest(proposal)}")
        per_size.append(f"seconds_{size}={median:.3f} cpu_seconds_{size}={median_cpu:.3f} "
                        f"score_{size}={proposal.total_score:.0f} digest_{size}={digest(proposal)}")
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    database = " database=sqlite" if args.database == "sqlite" else ""
    print(f"{last}{database} sizes={','.join(map(str, sizes))} {' '.join(per_size)}")


if __name__ == "__main__":
    main()
