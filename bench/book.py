"""How fast an edition becomes a book: the web page's HTML and the PDF of a 60-practice manual.

    .venv/bin/python bench/book.py [--practices 60] [--chapters 4] [--section-bytes 4000] [--seed 1] [--keep]

In a temporary instance (SQLite database migrated from scratch), it writes --practices published practices
through `network.practices.services.create_practice` (all seven sections filled, each about --section-bytes of
Markdown: paragraphs of social-work prose, a bullet list, sometimes a numbered list, a sub-heading or a
table; 2-5 tags from a vocabulary of 30; one practice in five in Spanish, Romanian or French), gathers them
into a manual of --chapters chapters with introductions and an editor's note on every third item, and
publishes an edition with `network.collections.services.publish_edition` (what the "Publish" button does;
the PDF's background job is switched off). Then it times:

- the edition's web page: `book_context()` + `render_template("collections/book.html")` in a request,
  best of 3;
- the PDF: `network.collections.pdf.build_pdf()`, the build the background job runs, with the time spent in
  each stage (the book's HTML, WeasyPrint's parsing, layout and writing).

Nothing is asserted. The last line is machine-readable:
`RESULT practices=60 pages=<n> html_ms=<web page> pdf_s=<seconds> pdf_cpu_s=<CPU seconds>`.
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
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WORDS = (
    "family support centre community children parents group sessions facilitators social workers trust "
    "neighbourhood school outreach home visits network resources services professionals participation "
    "wellbeing resilience relationships everyday problems cooperation volunteers mentors assessment "
    "evidence outcomes methods training supervision partnership local authority referral isolation "
    "poverty housing health education youth elderly migrants inclusion dialogue peer experience"
).split()
TAGS = [
    "family support", "child protection", "foster care", "youth work", "street outreach", "homelessness",
    "housing first", "mental health", "addiction", "harm reduction", "domestic violence", "migrants",
    "refugees", "roma inclusion", "disability", "elderly care", "community development", "group work",
    "case management", "restorative justice", "probation", "employment", "debt advice", "peer support",
    "school social work", "early intervention", "trauma-informed care", "participation", "supervision",
    "digital inclusion",
]
SECTION_FIELDS = ("context", "target_group", "objectives", "methods", "resources", "outcomes", "lessons")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 22))]
    if rng.random() < 0.15:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    return " ".join(words).capitalize() + "."


def section_markdown(rng: random.Random, size: int) -> str:
    parts: list[str] = []
    while sum(len(p) + 2 for p in parts) < size:
        roll = rng.random()
        if roll < 0.62:
            parts.append(" ".join(sentence(rng) for _ in range(rng.randint(3, 6))))
        elif roll < 0.80:
            parts.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(3, 6))))
        elif roll < 0.88:
            parts.append("\n".join(f"{n}. {sentence(rng)}" for n in range(1, rng.randint(3, 5))))
        elif roll < 0.95:
            parts.append(f"### {sentence(rng)[:40].rstrip('.')}")
        else:
            rows = ["| Activity | Frequency | People |", "|---|---|---|"]
            rows += [f"| {rng.choice(WORDS)} {rng.choice(WORDS)} | every {rng.randint(1, 4)} weeks | "
                     f"{rng.randint(4, 30)} |" for _ in range(rng.randint(3, 6))]
            parts.append("\n".join(rows))
    return "\n\n".join(parts)


def build(app, args) -> tuple:
    from network.collections import services as collections
    from network.collections.models import Collection, CollectionChapter, CollectionItem
    from network.extensions import db
    from network.institutions import services as institutions
    from network.practices import services as practices

    rng = random.Random(args.seed)
    owner = institutions.create_institution(None, institutions.InstitutionData(
        name="Fundación Familias en Red", country="ES", city="Sevilla", sectors=["social"],
        languages=["es", "en"]))
    created = []
    for n in range(args.practices):
        language = rng.choice(["en", "en", "en", "en", "es", "ro", "fr"])
        sections = {field: section_markdown(rng, args.section_bytes) for field in SECTION_FIELDS}
        data = practices.PracticeData(
            title=f"{sentence(rng)[:70].rstrip('.')} ({n + 1})", summary=sentence(rng) + " " + sentence(rng),
            sectors=["social"], intervention_types=["family", "community"],
            tags=rng.sample(TAGS, rng.randint(2, 5)),
            country="ES", language=language, institution=owner.slug, status="published", visibility="public",
            **sections)
        created.append(practices.create_practice(None, data))
    collection = Collection(title="Manual of family and community resources", kind="manual",
                            visibility="public",
                            language="en", institution_id=owner.id,
                            introduction="\n\n".join(section_markdown(rng, 1500).split("\n\n")[:4]))
    db.session.add(collection)
    db.session.flush()
    per_chapter = -(-len(created) // args.chapters)
    for c in range(args.chapters):
        chapter = CollectionChapter(collection_id=collection.id, position=c,
                                    title=f"Chapter {c + 1}: " + sentence(rng)[:50].rstrip("."),
                                    introduction=sentence(rng) + " " + sentence(rng))
        db.session.add(chapter)
        db.session.flush()
        for position, practice in enumerate(created[c * per_chapter:(c + 1) * per_chapter]):
            db.session.add(CollectionItem(collection_id=collection.id, chapter_id=chapter.id,
                                          position=position, practice_id=practice.id,
                                          note=sentence(rng) if position % 3 == 0 else ""))
    db.session.commit()
    edition = collections.publish_edition(None, collection)
    return collection, edition


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--practices", type=int, default=60)
    parser.add_argument("--chapters", type=int, default=4)
    parser.add_argument("--section-bytes", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the temporary instance (and the PDF)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-book-"))
    os.environ["NETWORK_INSTANCE_PATH"] = str(workdir / "instance")
    from flask import render_template
    from flask_migrate import upgrade

    from network import create_app
    from network.collections import book, pdf

    database = f"sqlite:///{workdir / 'bench.sqlite3'}"
    app = create_app({"SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": database,
                      "SEARCH_INDEXER": "manual", "COLLECTIONS_PDF_BUILDER": "off",
                      "SERVER_NAME": "localhost"})
    try:
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            collection, edition = build(app, args)
            setup_s = time.perf_counter() - started
            contents = edition.contents
            markdown_bytes = sum(len(s["html"]) for ch in contents["chapters"] for i in ch["items"]
                                 for s in i["sections"])

            html_times = []
            for _ in range(3):
                with app.test_request_context(f"/collections/{collection.id}/editions/1"):
                    t = time.perf_counter()
                    page = render_template("collections/book.html", **book.book_context(edition))
                    html_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            pdf_html = pdf.book_html(edition)
            pdf_html_s = time.perf_counter() - t

            marks: list[tuple[str, float]] = []
            details: dict = {}

            def progress(stage, percent, info):
                details.update(info)
                if not marks or marks[-1][0] != stage:
                    marks.append((stage, time.perf_counter()))

            t, cpu = time.perf_counter(), time.process_time()
            path = pdf.build_pdf(edition, progress=progress)
            pdf_s, pdf_cpu_s = time.perf_counter() - t, time.process_time() - cpu
            marks.append(("end", time.perf_counter()))
            from pypdf import PdfReader

            pages = len(PdfReader(path).pages)
            size_kb = path.stat().st_size // 1024

        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
        print(f"WeasyPrint {metadata.version('weasyprint')}, pydyf {metadata.version('pydyf')}")
        print(f"data: {args.practices} practices x 7 sections of ~{args.section_bytes} B Markdown, "
              f"{args.chapters} chapters; frozen section HTML {markdown_bytes / 1e6:.2f} MB; "
              f"setup (practices + publish) {setup_s:.1f} s")
        print(f"web page: {len(page) / 1e6:.2f} MB HTML, best of 3 {min(html_times) * 1000:.0f} ms "
              f"(all: {', '.join(f'{x * 1000:.0f}' for x in html_times)} ms)")
        print(f"PDF HTML: {len(pdf_html) / 1e6:.2f} MB in {pdf_html_s * 1000:.0f} ms")
        print(f"PDF: {pages} pages, {size_kb} KB, {pdf_s:.1f} s ({pdf_cpu_s:.1f} s of CPU; load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: on a busy machine compare the CPU figure)")
        for (stage, at), (_next, until) in zip(marks, marks[1:]):
            print(f"  {stage:<8} {until - at:6.2f} s")
        if args.keep:
            print(f"kept: {workdir} (PDF: {path})")
        print(f"RESULT practices={args.practices} pages={pages} html_ms={min(html_times) * 1000:.0f} "
              f"pdf_s={pdf_s:.1f} pdf_cpu_s={pdf_cpu_s:.1f}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
