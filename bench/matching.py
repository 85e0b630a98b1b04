"""How fast assisted matching is: `network.mobility.matching.propose()` on generated partnerships.

    .venv/bin/python bench/matching.py [--sizes 8,30,100] [--per-institution 6] [--repeat 7] [--seed 1]

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
min and median (wall and CPU time: on a busy machine compare the CPU figures), the number placed and the unplaced by reason, and the machine. Nothing is asserted. The last
line is machine-readable: `RESULT institutions=100 applicants=600 seconds=<median> placed=<n>`.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="8,30,100", help="numbers of institutions, comma-separated")
    parser.add_argument("--per-institution", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"Python {platform.python_version()}, numpy {_version('numpy')}, "
          f"ortools {_version('ortools')} (SimpleMinCostFlow)")
    last = ""
    for size in (int(s) for s in args.sizes.split(",")):
        applicants, offers = generate(size, args.per_institution, args.seed)
        places = sum(min(sum(o.capacity.values()), o.quota_left) for o in offers)
        proposal = propose(applicants, offers)  # warm-up
        times, cpu = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            proposal = propose(applicants, offers)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        reasons = Counter(u.code for u in proposal.unplaced)
        median = statistics.median(times)
        print(f"\ninstitutions={size} applicants={len(applicants)} places(capacity within quota)={places}")
        print(f"  seconds: min {min(times):.3f}  median {median:.3f}  (over {args.repeat} runs; "
              f"CPU min {min(cpu):.3f} median {statistics.median(cpu):.3f})")
        print(f"  placed {len(proposal.matches)}, unplaced {len(proposal.unplaced)}"
              + (": " + ", ".join(f"{code} {n}" for code, n in sorted(reasons.items())) if reasons else ""))
        ranks = Counter(m.preference_rank for m in proposal.matches)
        print("  placed at preference: " + ", ".join(
            f"{'none' if r is None else r}: {ranks[r]}" for r in (1, 2, 3, None)))
        print(f"  total score {proposal.total_score:.0f} (spread penalty {proposal.spread_penalty:.0f})")
        last = (f"RESULT institutions={size} applicants={len(applicants)} seconds={median:.3f} "
                f"placed={len(proposal.matches)}")
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(last)


if __name__ == "__main__":
    main()
