"""How fast `flask practices import` is: N generated practices into a fresh, migrated SQLite database.

    .venv/bin/python bench/import_practices.py [--records 10000] [--batch-size 500] [--seed 1]

Runs the importer twice on the demo network: first every record is created, then the same references
are imported again with one record in ten changed (updated) and the rest as before (unchanged). Prints the
figures with the machine they were measured on. Not a test: nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from network import create_app  # noqa: E402
from network.demo import seed_demo  # noqa: E402
from network.extensions import db  # noqa: E402
from network.institutions.demo import INSTITUTIONS  # noqa: E402
from network.practices import importer  # noqa: E402
from network.practices.models import Practice, PracticeRevision, Tag  # noqa: E402

APPROACHES = [
    ("Interfamily group sessions", "families meet every fortnight to share how they solve everyday problems"),
    ("Home visits after birth", "a social worker visits families with a newborn during the first year"),
    ("Parenting group for fathers", "fathers meet weekly to talk about play, limits and their upbringing"),
    ("Family group conference", "the extended family draws up its own plan for the child's safety"),
    ("School social work drop-in", "a social worker holds open hours at school for pupils and parents"),
    ("Peer support for parents with mental-health problems", "trained peers accompany parents in recovery"),
    ("Community mapping of family resources", "families and professionals map the services of a district"),
    ("After-school homework club", "volunteers and a teacher support children with homework and reading"),
    ("Street work with young people", "outreach workers meet young people where they spend their evenings"),
    ("Online support group for foster carers", "foster carers meet by video every month with a facilitator"),
]
PLACES = ["a district with high unemployment", "a rural municipality", "a neighbourhood of new arrivals",
          "the town centre", "a social-housing estate", "three villages sharing one family centre"]
TAG_POOL = ["interfamily groups", "home visits", "parenting", "fathers", "early childhood", "foster care",
            "school", "attendance", "peer support", "recovery", "community mapping", "volunteers",
            "migrant families", "outreach", "youth", "homework", "mental health", "kinship care", "roma",
            "single parents", "digital inclusion", "domestic violence", "housing", "poverty", "resilience"]
ACTIVITIES = ["shared meal", "theme discussion", "role play", "visit", "plan review"]
TYPES = ["family", "community", "group", "individual", "peer", "digital"]
SECTORS = ["social", "educational", "mental_health"]


def generate(n: int, rng: random.Random, variant: int = 0) -> list[dict]:
    """N realistic records owned by the demo institutions; variant 1 changes one record in ten."""
    records = []
    for i in range(1, n + 1):
        r = random.Random(i)  # the same record for the same number, run after run
        slug, _name, country, city, _sectors, languages, _description = INSTITUTIONS[i % len(INSTITUTIONS)]
        title, gist = APPROACHES[i % len(APPROACHES)]
        place = r.choice(PLACES)
        record = {
            "external_ref": f"bench-{i:06d}",
            "title": f"{title} in {city} ({i})",
            "summary": f"In {place} of {city}, {gist}. The practice has run for {r.randint(1, 12)} years "
                       f"and reaches about {r.randint(10, 400)} families a year.",
            "context": f"Started by the team in {city} after a needs assessment in {place}.\n\n"
                       "- Referrals come from schools, health visitors and the families themselves\n"
                       "- The municipality funds two part-time posts",
            "target_group": f"Families with children aged {r.randint(0, 6)} to {r.randint(7, 18)} "
                            f"living in {place}.",
            "objectives": "1. Strengthen informal support between families\n2. Reduce isolation\n"
                          "3. Prevent the escalation of problems to child protection",
            "methods": f"**{title}**: {gist}.\n\n" + "\n".join(
                f"- Session {k}: {r.choice(ACTIVITIES)}" for k in range(1, r.randint(3, 8))),
            "resources": f"{r.randint(1, 4)} professionals, a room, childcare during sessions, "
                         f"about {r.randint(2, 40)} 000 € a year.",
            "outcomes": f"{r.randint(50, 95)} % of families stay until the end; follow-up interviews show "
                        "more contact between families and fewer crisis referrals.",
            "lessons": "Start small, involve families in planning, keep the same facilitators.",
            "sectors": r.sample(SECTORS, r.randint(1, 2)),
            "intervention_types": r.sample(TYPES, r.randint(1, 3)),
            "tags": r.sample(TAG_POOL, r.randint(2, 5)),
            "country": country,
            "language": languages[0] if r.random() < 0.7 else "en",
            "institution": slug,
            "status": "published" if r.random() < 0.85 else "draft",
            "visibility": "public" if r.random() < 0.8 else "members",
        }
        if variant and i % 10 == 0:
            record["title"] += " (revised)"
            record["outcomes"] += " A second evaluation confirmed these results."
        records.append(record)
    return records


def write_jsonl(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as stream:
        for record in records:
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")


def run(path: Path, batch_size: int) -> tuple[importer.ImportReport, float, float]:
    """The report, wall-clock seconds and this process's CPU seconds (less sensitive to a busy machine)."""
    started, cpu_started = time.perf_counter(), time.process_time()
    report = importer.import_file(path, batch_size=batch_size)
    return report, time.perf_counter() - started, time.process_time() - cpu_started


def calibration_seconds() -> float:
    """CPU seconds for a fixed pure-Python loop: how fast this machine is at the moment (a busy machine with
    shared cores is slower even in CPU time), so that two runs' figures can be compared."""
    started, total = time.process_time(), 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=importer.DEFAULT_BATCH_SIZE)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        workdir = Path(tmp)
        os.environ["NETWORK_INSTANCE_PATH"] = str(workdir / "instance")
        app = create_app({"TESTING": True, "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}"})
        with app.app_context():
            upgrade()
            seed_demo()
            first, second = workdir / "practices.jsonl", workdir / "practices-changed.jsonl"
            write_jsonl(first, generate(args.records, random.Random(1)))
            write_jsonl(second, generate(args.records, random.Random(1), variant=1))
            size_mb = first.stat().st_size / 1e6

            processor = platform.processor() or platform.machine()
            print(f"machine:  {platform.platform()}, {os.cpu_count()} CPUs ({processor})")
            print(f"python:   {platform.python_implementation()} {platform.python_version()}, "
                  f"SQLite {__import__('sqlite3').sqlite_version}")
            print(f"data:     {args.records} records, {size_mb:.1f} MB of JSON Lines, "
                  f"batch size {args.batch_size}")
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"load:     {load} (1, 5, 15 min) before the first run; a 10-million-step Python loop takes "
                  f"{calibration_seconds():.2f} s of CPU")
            for name, path in (("first run (create)", first), ("second run (update/unchanged)", second)):
                report, seconds, cpu = run(path, args.batch_size)
                print(f"{name + ':':<31} {report.total} records in {seconds:5.1f} s = "
                      f"{report.total / seconds:4.0f} records/s (CPU {cpu:5.1f} s)  "
                      f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
                      f"rejected {len(report.rejected)}")
            practices = db.session.scalar(select(func.count()).select_from(Practice))
            revisions = db.session.scalar(select(func.count()).select_from(PracticeRevision))
            tags = db.session.scalar(select(func.count()).select_from(Tag))
            print(f"database: {practices} practices, {revisions} revisions, {tags} tags")
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
