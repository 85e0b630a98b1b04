"""How fast a practice page with a long discussion answers: a page of threads against the whole discussion.

    .venv/bin/python bench/discussion.py [--comments 700] [--replies 0.5] [--repeat 5] [--seed 1]

In a temporary instance (SQLite database migrated from scratch), one public practice gets --comments comments
through `network.practices.discussion.add_comment` (a share --replies of them replies to an earlier thread;
each a few sentences of Markdown), from two members. Then, logged in as a member (the heaviest page: reply
forms and editors on every thread), it times GET /practices/<id> with the test client, best of --repeat:

- the first page (the newest threads, `discussion.THREADS_PER_PAGE` of them);
- the page holding the oldest comment (its address, ?comment=<id>);
- the whole discussion on one page, as before issue 23 (THREADS_PER_PAGE set above the number of threads).

Nothing is asserted. The last line is machine-readable:
`RESULT comments=700 threads=<n> first_page_ms=<..> comment_page_ms=<..> one_page_ms=<..>`.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = ("family support children parents group sessions social workers trust neighbourhood school home visits "
         "network services wellbeing relationships problems cooperation volunteers mentors training").split()
PASSWORD = "bench password long enough"


def text(rng: random.Random) -> str:
    sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 18))).capitalize() + "."
                 for _ in range(rng.randint(2, 5))]
    if rng.random() < 0.3:
        sentences[0] = f"**{sentences[0]}**"
    if rng.random() < 0.2:
        sentences.append("\n\n- " + "\n- ".join(rng.choice(WORDS) for _ in range(3)))
    return " ".join(sentences)


def best_ms(client, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=700)
    parser.add_argument("--replies", type=float, default=0.5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-discussion-"))
    os.environ["NETWORK_INSTANCE_PATH"] = str(workdir / "instance")
    from flask_migrate import upgrade

    from network import create_app
    from network.auth import services as accounts
    from network.institutions import services as institutions
    from network.institutions.services import InstitutionData
    from network.practices import discussion
    from network.practices import services as practices
    from network.practices.services import PracticeData

    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
                      "SEARCH_INDEXER": "manual", "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
                      "ARGON2_PARALLELISM": 1, "WTF_CSRF_ENABLED": False})
    rng = random.Random(args.seed)
    try:
        with app.app_context():
            upgrade()
            home = institutions.create_institution(None, InstitutionData(
                name="Bench Centre", country="ES", city="Sevilla", sectors=["social"], languages=["es", "en"]))
            people = [accounts.create_user(f"Member {n}", f"member{n}@example.org", PASSWORD, home, roles=[],
                                           approved=True) for n in range(2)]
            practice = practices.create_practice(people[0], PracticeData(
                title="A much discussed practice", summary="Everyone has something to say.", context=text(rng),
                target_group=text(rng), methods=text(rng), outcomes=text(rng), sectors=["social"],
                intervention_types=["family"], country="ES", language="en", institution=home.slug,
                status="published", visibility="public"))
            threads = []
            for n in range(args.comments):
                parent = rng.choice(threads) if threads and rng.random() < args.replies else None
                comment = discussion.add_comment(people[n % 2], practice, text(rng), parent)
                if parent is None:
                    threads.append(comment)
            oldest = threads[0]
            client = app.test_client()
            assert client.post("/login", data={"email": people[1].email, "password": PASSWORD}).status_code == 302
            url = f"/practices/{practice.id}"
            best_ms(client, url, 1)  # warm up: templates compiled, caches filled
            first = best_ms(client, url, args.repeat)
            holding = best_ms(client, f"{url}?comment={oldest.id}", args.repeat)
            per_page = discussion.THREADS_PER_PAGE
            discussion.THREADS_PER_PAGE = len(threads) + 1
            try:
                best_ms(client, url, 1)
                whole = best_ms(client, url, args.repeat)
            finally:
                discussion.THREADS_PER_PAGE = per_page
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, SQLite")
    print(f"{args.comments} comments in {len(threads)} threads; {per_page} threads a page; best of {args.repeat}")
    print(f"first page:                   {first:8.0f} ms")
    print(f"page holding the oldest one:  {holding:8.0f} ms")
    print(f"whole discussion on one page: {whole:8.0f} ms")
    print(f"RESULT comments={args.comments} threads={len(threads)} first_page_ms={first:.0f} "
          f"comment_page_ms={holding:.0f} one_page_ms={whole:.0f}")


if __name__ == "__main__":
    main()
