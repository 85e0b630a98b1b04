"""The demo step of practices (seed-demo): 33 write-ups by the eight demo institutions, each in its own language
(two also translated into English), with a few comments. The write-ups are demo_data/demo-001.toml... (one
file each, named by the practice's external_ref), the comments demo_data/comments.toml. Seeding adds only
what is missing: practices are matched by their external_ref, comments by their practice and text."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from sqlalchemy import select

from network.auth.models import User
from network.demo import DemoDataError, check_fields, read_data
from network.extensions import db
from network.institutions.models import Institution
from network.practices import services
from network.practices.models import PUBLIC, PUBLISHED, STATUSES, VISIBILITIES, Comment, Practice
from network.types import utcnow

DATA = Path(__file__).with_name("demo_data")
# The write-ups, in the order they are created (a translation after its original): demo_data/<ref>.toml. A new
# one is a new file and a longer range; a file that is not listed here is refused, not left out.
REFS = tuple(f"demo-{number:03}" for number in range(1, 34))

REQUIRED = {"title": str, "institution": str, "language": str, "author": str, "sectors": list[str],
            "intervention_types": list[str], "tags": list[str], "summary": str, "context": str,
            "target_group": str, "methods": str, "outcomes": str}
OPTIONAL = {"status": str, "visibility": str, "translation_of": str, "objectives": str, "resources": str,
            "lessons": str}


@cache
def load_practices(folder: Path = DATA) -> list[dict]:
    """The write-ups as PracticeData's fields plus external_ref, institution (slug), author (email) and
    translation_of (external_ref); DemoDataError names a missing, unlisted or malformed file."""
    unlisted = sorted({path.stem for path in folder.glob("demo-*.toml")} - set(REFS))
    if unlisted:
        raise DemoDataError(f"{folder}: {', '.join(unlisted)} not listed in REFS (network/practices/demo.py)")
    practices = []
    for number, ref in enumerate(REFS):
        where = str(folder / f"{ref}.toml")
        item = check_fields(read_data(folder, f"{ref}.toml"), where, REQUIRED, OPTIONAL)
        if "translation_of" in item and item["translation_of"] not in REFS[:number]:
            raise DemoDataError(f"{where}: translation_of names no practice before it")
        if item.get("status", PUBLISHED) not in STATUSES or item.get("visibility", PUBLIC) not in VISIBILITIES:
            raise DemoDataError(f"{where}: status should be one of {STATUSES}, visibility one of {VISIBILITIES}")
        practices.append({
            "external_ref": ref, "status": PUBLISHED, "visibility": PUBLIC, "translation_of": None,
            "objectives": "", "resources": "", "lessons": "", **item,
        })
    return practices


@cache
def load_comments(folder: Path = DATA) -> list[tuple[str, str, str, str | None]]:
    """(practice external_ref, author email, text, the text of the comment it answers), in order."""
    path = folder / "comments.toml"
    records = check_fields(read_data(folder, "comments.toml"), str(path), {"comments": list[dict]})["comments"]
    comments, by_key = [], {}
    for number, record in enumerate(records, start=1):
        where = f"{path}, comment {number}"
        check_fields(record, where, {"practice": str, "author": str, "body": str}, {"key": str, "answers": str})
        if record["practice"] not in REFS:
            raise DemoDataError(f"{where}: no demo practice {record['practice']!r}")
        answers = record.get("answers")
        if answers is not None and answers not in by_key:
            raise DemoDataError(f"{where}: answers {answers!r}, the key of no comment before it")
        comments.append((record["practice"], record["author"], record["body"],
                         by_key[answers] if answers else None))
        if "key" in record:
            by_key[record["key"]] = record["body"]
    return comments


def __getattr__(name: str):
    """PRACTICES (the write-ups' fields) and COMMENTS, read from demo_data/ when first asked for."""
    if name == "PRACTICES":
        return load_practices()
    if name == "COMMENTS":
        return load_comments()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def seed() -> dict[str, int]:
    """Create the demo practices and comments that are missing; return how many of each were added.

    Needs the demo institutions and users (the institutions step makes them first). Each practice is written
    by a demo user of its institution, through the same service as the web form, so it has its revision and
    audit.
    """
    practices, comments = load_practices(), load_comments()
    added = {"practices": 0, "comments": 0}
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("%@demo.example")))}
    countries = {slug: country for slug, country in db.session.execute(
        select(Institution.slug, Institution.country))}
    by_ref: dict[str, Practice] = {}
    for item in practices:
        practice = db.session.scalar(select(Practice).where(Practice.external_ref == item["external_ref"]))
        if practice is None:
            values = {k: v for k, v in item.items() if k not in ("author", "translation_of")}
            data = services.PracticeData(**values, country=countries[item["institution"]])
            original = by_ref.get(item["translation_of"] or "")
            data.translation_of_id = original.id if original is not None else None
            practice = services.create_practice(users.get(item["author"]), data)
            added["practices"] += 1
        by_ref[item["external_ref"]] = practice

    for ref, email, body, answers in comments:
        practice = by_ref[ref]
        existing = {c.body: c for c in db.session.scalars(
            select(Comment).where(Comment.practice_id == practice.id))}
        if body in existing:
            continue
        author = users.get(email)
        parent = existing.get(answers) if answers else None
        db.session.add(Comment(practice_id=practice.id, parent_id=parent.id if parent else None,
                               author_id=author.id if author else None, body=body, created_at=utcnow()))
        db.session.flush()  # a reply further down needs this comment's id
        added["comments"] += 1
    db.session.commit()
    return added
