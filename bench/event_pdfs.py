"""How fast an event's organisers get their printable lists: the badges and one day's attendance sheet as PDF.

    .venv/bin/python bench/event_pdfs.py [--people 300] [--days 3] [--repeat 3] [--keep]

In a temporary instance (SQLite database migrated from scratch), it makes a partnership of six institutions in
six countries, --people approved members spread over them (names of 2-4 words with accents, institutions with
long names), and a training event of --days days, then registers every member through
`network.events.services.register` (no limit of places). Then it times, in a request as the pages make them
(`network.events.exports`): the HTML and the PDF of the badges and of the first day's attendance sheet, best of
--repeat, with the CPU time of the best run (on a busy machine compare the CPU figures). This decides whether the PDFs are made in the request (a second or two) or
by a background job (a book's PDF: tens of seconds).

Nothing is asserted. The last line is machine-readable:
`RESULT people=300 days=3 badges_pages=<n> badges_s=<s> sheet_pages=<n> sheet_s=<s>`.
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from datetime import date
from datetime import time as clock
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

FIRST = ("María José", "Aino", "Ioana", "Jean-Baptiste", "Giulia", "Łukasz", "Ana", "Søren", "Eleni", "João",
         "Zoë", "Mihai", "Chiara", "Pierre", "Ilona", "Bárbara")
LAST = ("García Fernández", "Virtanen", "Popescu", "Dubois", "Rossi", "Wiśniewski", "Núñez", "Kristensen",
        "Papadopoulou", "Gonçalves", "Müller-Schmidt", "Ionescu", "Esposito", "Lefèvre", "Nieminen", "Ortiz")
INSTITUTIONS = (("Fundación Familias en Red para la Inclusión Social", "ES"), ("Helsingin perheklinikka", "FI"),
                ("Asociația Casa Deschisă pentru Copii și Familii", "RO"),
                ("Centre communal d'action sociale de Liège", "BE"),
                ("Cooperativa Sociale Rete delle Famiglie", "IT"), ("Stowarzyszenie Rodzin Zastępczych", "PL"))


def build(people: int, days: int, seed: int):
    from network.auth import services as accounts
    from network.auth.models import COORDINATOR
    from network.events import services as events
    from network.institutions import services as institutions

    rng = random.Random(seed)
    members = [institutions.create_institution(None, institutions.InstitutionData(
        name=name, country=country, city="Sevilla", sectors=["social"], languages=["en"]))
        for name, country in INSTITUTIONS]
    partnership = institutions.create_partnership(None, institutions.PartnershipData(
        title="Family resources", reference="2025-1-ES01-KA220-000001", start_date=date(2025, 11, 1),
        end_date=date(2027, 10, 31), coordinating_institution=members[0], partners=members[1:]))
    coordinator = accounts.create_user("Coco Ordinator", "coordinator@bench.example", "a long bench password",
                                       members[0], roles=[COORDINATOR], approved=True)
    event = events.create_event(coordinator, events.EventData(
        title="Short-term training on interfamily groups", kind="training_event", partnership_id=partnership.id,
        host_institution_id=members[0].id, city="Sevilla", country="ES", start_date=date(2027, 1, 19),
        end_date=date(2027, 1, 18 + days), start_time=clock(9), end_time=clock(17), timezone="Europe/Madrid",
        visibility="members", takes_registrations=True, capacity=None))
    for n in range(people):
        name = " ".join(rng.sample(FIRST, rng.choice((1, 1, 2)))) + " " + " ".join(rng.sample(LAST, rng.choice((1, 2))))
        person = accounts.create_user(name, f"person{n}@bench.example", "a long bench password",
                                      rng.choice(members), approved=True)
        events.register(person, event)
    return event


def best_of(repeat: int, make) -> tuple[float, float, object]:
    best = None
    for _ in range(repeat):
        t, cpu = time.perf_counter(), time.process_time()
        result = make()
        took = (time.perf_counter() - t, time.process_time() - cpu, result)
        if best is None or took[0] < best[0]:
            best = took
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance and the PDFs")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-event-pdfs-"))
    os.environ["NETWORK_INSTANCE_PATH"] = str(workdir / "instance")
    from flask_migrate import upgrade
    from pypdf import PdfReader

    from network import create_app
    from network.events import exports
    from network.mobility import weeks

    weeks.today = lambda: date(2026, 11, 30)  # registration is open then (the event is in January 2027)
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
                      "SEARCH_INDEXER": "manual", "JOBS": "immediate", "SERVER_NAME": "localhost",
                      # Cheap hashing: 300 accounts are set up, not timed.
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1})
    try:
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            event = build(args.people, args.days, args.seed)
            setup_s = time.perf_counter() - started
            figures = {}
            with app.test_request_context(f"/events/{event.id}/participants"):
                day = event.start_date
                for name, html, pdf in (("badges", lambda: exports.badges_html(event),
                                         lambda: exports.badges_pdf(event)),
                                        ("sheet", lambda: exports.attendance_sheet_html(event, day),
                                         lambda: exports.attendance_sheet_pdf(event, day))):
                    html_s, _cpu, _page = best_of(args.repeat, html)
                    pdf_s, pdf_cpu_s, data = best_of(args.repeat, pdf)
                    pages = len(PdfReader(io.BytesIO(data)).pages)
                    figures[name] = (html_s, pdf_s, pdf_cpu_s, pages, len(data))
                    if args.keep:
                        (workdir / f"{name}.pdf").write_bytes(data)

        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
        print(f"WeasyPrint {metadata.version('weasyprint')}, pydyf {metadata.version('pydyf')}")
        print(f"data: {args.people} approved participants from {len(INSTITUTIONS)} institutions, an event of "
              f"{args.days} days; setup {setup_s:.1f} s")
        for name, (html_s, pdf_s, pdf_cpu_s, pages, size) in figures.items():
            print(f"{name}: HTML {html_s * 1000:.0f} ms; PDF {pages} pages, {size // 1024} KB, best of {args.repeat} "
                  f"{pdf_s:.2f} s ({pdf_cpu_s:.2f} s of CPU; load average {os.getloadavg()[0]:.1f})")
        if args.keep:
            print(f"kept: {workdir}")
        print(f"RESULT people={args.people} days={args.days} badges_pages={figures['badges'][3]} "
              f"badges_s={figures['badges'][1]:.2f} sheet_pages={figures['sheet'][3]} sheet_s={figures['sheet'][1]:.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
