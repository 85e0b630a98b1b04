"""`flask practices import`: JSON Lines and CSV, matching by external_ref, rejections with reasons,
dry run, batches that fail as a whole, exit codes; and `flask practices cleanup-files`."""
from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from network.audit import AuditEntry
from network.extensions import db
from network.practices import attachments, importer
from network.practices.models import (
    Practice,
    PracticeInterventionType,
    PracticeRevision,
    PracticeSector,
    Tag,
    practice_tags,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


@pytest.fixture
def home(make_institution):
    return make_institution(name="Fundación Familias en Red", country="ES")


def record(owner, n=1, **overrides):
    values = {
        "external_ref": f"ffr-{n:03d}",
        "title": f"Interfamily group sessions {n}",
        "summary": "Families meet every fortnight to share how they solve everyday problems.",
        "context": "Started in 2015 in a **family support centre**.",
        "target_group": "Families with children at social risk.",
        "objectives": "Build support between families.",
        "methods": "- Fortnightly sessions\n- Two facilitators",
        "outcomes": "Families report more support from each other.",
        # Deliberately not in the stored (alphabetical) order: order alone must not count as a change.
        "sectors": ["social", "mental_health"],
        "intervention_types": ["group", "family"],
        "tags": ["Interfamily groups", "parenting"],
        "country": "ES",
        "language": "es",
        "institution": owner.slug,
        "status": "published",
        "visibility": "public",
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not ...}


def write_jsonl(path: Path, records, extra_lines=()) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records] + list(extra_lines)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_csv(path: Path, records) -> Path:
    columns = list(dict.fromkeys(name for r in records for name in r))
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, columns)
        writer.writeheader()
        for r in records:
            writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in r.items()})
    return path


def run(runner, path, *args):
    return runner.invoke(args=["practices", "import", str(path), *args])


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def by_ref(ref) -> Practice:
    return db.session.scalar(select(Practice).where(Practice.external_ref == ref))


# --- creating ----------------------------------------------------------------------------------------


def test_jsonl_import_creates_practices_with_sectors_types_tags_and_a_revision(runner, home, tmp_path):
    records = [record(home, 1), record(home, 2, tags=["parenting", "New Tag"])]
    path = write_jsonl(tmp_path / "practices.jsonl", records)
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "Imported practices.jsonl: 2 created, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert count(Practice) == 2
    practice = by_ref("ffr-001")
    assert practice.title == "Interfamily group sessions 1"
    assert practice.institution_id == home.id
    assert practice.sectors == ["mental_health", "social"]
    assert practice.intervention_types == ["family", "group"]
    assert practice.tag_names == ["interfamily groups", "parenting"]
    assert practice.status == "published" and practice.published_at is not None
    assert practice.created_by_id is None and practice.author_rows == []
    assert [(r.number, r.author_id) for r in practice.revisions] == [(1, None)]
    # "parenting" is new in this run and used by both records of one batch: one row, shared.
    assert sorted(db.session.scalars(select(Tag.name))) == ["interfamily groups", "new tag", "parenting"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "practices.imported"))
    assert entry.actor_id is None and entry.target_label == "practices.jsonl"
    assert entry.details == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}


def test_csv_import_reads_lists_separated_by_semicolons_or_commas_and_multiline_cells(runner, home, tmp_path):
    path = tmp_path / "practices.csv"
    path.write_text(
        "external_ref,title,summary,context,target_group,methods,outcomes,sectors,intervention_types,tags,"
        "country,language,institution,status,visibility\n"
        f'ffr-1,Home visits,Visits at home.,Context.,Families.,"- First visit\n- Follow-up",Outcome.,'
        f'social; educational,"family,individual","home visits, early years",es,ES,{home.slug},'
        'published,members\n',
        encoding="utf-8-sig",  # as spreadsheets save it, with a BOM
    )
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    practice = by_ref("ffr-1")
    assert practice.methods == "- First visit\n- Follow-up"
    assert practice.sectors == ["educational", "social"]
    assert practice.intervention_types == ["family", "individual"]
    assert practice.tag_names == ["early years", "home visits"]
    assert (practice.country, practice.language, practice.visibility) == ("ES", "es", "members")


def test_records_without_external_ref_are_created_on_every_run(runner, home, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [record(home, 1, external_ref=...)])
    assert run(runner, path).exit_code == 0
    assert run(runner, path).exit_code == 0
    assert count(Practice) == 2
    assert db.session.scalars(select(Practice.external_ref)).all() == [None, None]


def test_format_option_overrides_the_extension(runner, home, tmp_path):
    path = write_csv(tmp_path / "export.txt", [record(home, 1)])
    assert run(runner, path).exit_code == 2
    result = run(runner, path, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert count(Practice) == 1


# --- a second run ----------------------------------------------------------------------------------


@pytest.mark.parametrize("writer", [write_jsonl, write_csv], ids=["jsonl", "csv"])
def test_second_run_of_the_same_file_reports_unchanged_and_adds_nothing(runner, home, tmp_path, writer):
    name = "p.csv" if writer is write_csv else "p.jsonl"
    path = writer(tmp_path / name, [record(home, 1), record(home, 2)])
    assert run(runner, path).exit_code == 0
    counts = (count(Practice), count(PracticeRevision), count(PracticeSector), count(Tag))
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "0 created, 0 updated, 2 unchanged, 0 rejected" in result.output
    assert (count(Practice), count(PracticeRevision), count(PracticeSector), count(Tag)) == counts


def test_a_changed_title_updates_the_practice_and_adds_a_revision(runner, home, tmp_path):
    assert run(runner, write_jsonl(tmp_path / "a.jsonl", [record(home, 1), record(home, 2)])).exit_code == 0
    changed = write_jsonl(tmp_path / "b.jsonl", [record(home, 1, title="Interfamily groups, revised"),
                                                 record(home, 2)])
    result = run(runner, changed)
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated, 1 unchanged, 0 rejected" in result.output
    assert count(Practice) == 2
    practice = by_ref("ffr-001")
    assert practice.title == "Interfamily groups, revised"
    assert [(r.number, r.author_id, r.data["title"]) for r in practice.revisions] == [
        (1, None, "Interfamily group sessions 1"), (2, None, "Interfamily groups, revised")]
    assert len(by_ref("ffr-002").revisions) == 1


def test_an_update_keeps_the_fields_the_record_leaves_out(runner, home, tmp_path, make_practice):
    original = make_practice(home, external_ref="ffr-009", objectives="Keep me.", language="en")
    translation = make_practice(home, external_ref="ffr-010", language="es", translation_of_id=original.id)
    partial = {"external_ref": "ffr-010", "title": "Nuevo título"}
    unchanged = {"external_ref": "ffr-009", "lessons": ""}
    result = run(runner, write_jsonl(tmp_path / "p.jsonl", [partial, unchanged]))
    assert result.exit_code == 0, result.output
    assert "1 updated, 1 unchanged" in result.output
    db.session.refresh(translation)
    assert translation.title == "Nuevo título"
    assert translation.translation_of_id == original.id
    assert translation.summary.startswith("Families meet")
    assert by_ref("ffr-009").objectives == "Keep me."


# --- rejections ------------------------------------------------------------------------------------


def test_invalid_records_are_rejected_with_reasons_and_valid_ones_imported(runner, home, tmp_path):
    records = [
        record(home, 1),
        record(home, 2, title=..., methods=""),
        record(home, 3, sectors=["social", "health"]),
        record(home, 4, country="XX"),
        record(home, 5, institution="nowhere"),
        record(home, 6, summary="x" * 501),
        record(home, 7, institution=...),
        record(home, 8, title=["not", "text"]),
        record(home, 1, title="The same reference again"),
        record(home, 9),
    ]
    path = write_jsonl(tmp_path / "p.jsonl", records, extra_lines=['{"external_ref": "ffr-011", "title": '])
    result = run(runner, path)
    assert result.exit_code == 1
    assert "2 created, 0 updated, 0 unchanged, 9 rejected" in result.output
    assert sorted(db.session.scalars(select(Practice.external_ref))) == ["ffr-001", "ffr-009"]
    expected = [
        "line 2 (ffr-002): title: Give the practice a title.; "
        "methods: The section “Methods and activities” is required.",
        "line 3 (ffr-003): sectors: Unknown sector “health”: use social, educational or mental_health.",
        "line 4 (ffr-004): country: “XX” is not a country code (ISO 3166, like ES or RO).",
        "line 5 (ffr-005): institution: There is no institution “nowhere”.",
        "line 6 (ffr-006): summary: The summary can be at most 500 characters long (it has 501).",
        "line 7 (ffr-007): institution: Choose the owning institution.",
        "line 8 (ffr-008): title: expected text.",
        "line 9 (ffr-001): external_ref: “ffr-001” is given again; line 1 of this file already has it",
        "line 11: not valid JSON (Expecting value at column 38)",
    ]
    for line in expected:
        assert line in result.output
    assert "Rejected records (9):" in result.output
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "practices.imported"))
    assert entry.details == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 9}


def test_a_reference_given_twice_is_caught_across_batches_too(app, home, tmp_path):
    records = [record(home, 1), record(home, 2), record(home, 1, title="Again")]
    path = write_jsonl(tmp_path / "p.jsonl", records)
    report = importer.import_file(path, batch_size=1)
    assert (report.created, len(report.rejected)) == (2, 1)
    assert report.rejected[0].line == 3 and report.rejected[0].label == "ffr-001"
    assert by_ref("ffr-001").title == "Interfamily group sessions 1"


def test_a_line_that_is_not_an_object_and_an_unknown_field_are_reported(runner, home, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [record(home, 1, favourite_colour="blue")],
                       extra_lines=["[1, 2]"])
    result = run(runner, path)
    assert result.exit_code == 1
    assert "line 2: not a JSON object {...} but an array" in result.output
    assert ("Warning: “favourite_colour” is not an import field and was ignored (1 record: line 1)."
            in result.output)
    assert count(Practice) == 1


def test_an_unknown_csv_column_is_reported(runner, home, tmp_path):
    # Each record's methods cell holds two lines: the second record starts on line 4.
    path = write_csv(tmp_path / "p.csv", [record(home, 1, notes="x"), record(home, 2, notes="")])
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "Warning: “notes” is not an import field and was ignored (2 records: line 2, 4)." in result.output


def test_a_csv_row_with_too_many_values_is_rejected(runner, home, tmp_path):
    path = tmp_path / "p.csv"
    row = f"Context.,Families.,Methods.,Outcome.,social,ES,es,{home.slug}"
    path.write_text(
        "external_ref,title,summary,context,target_group,methods,outcomes,sectors,country,language,"
        "institution\n"
        f"ffr-1,Home visits,Visits.,{row}\n"
        "\n"
        f"ffr-2,Home visits,Visits, at home.,{row}\n",
        encoding="utf-8",
    )
    result = run(runner, path)
    assert result.exit_code == 1
    assert "line 4: 12 values but the header has 11 columns" in result.output
    assert "(ffr-2)" not in result.output  # too broken to trust its reference
    assert count(Practice) == 1


def test_a_short_csv_row_gives_empty_values_for_the_missing_cells(runner, home, tmp_path):
    path = write_csv(tmp_path / "p.csv", [record(home, 1, lessons="Keep going.")])
    assert run(runner, path).exit_code == 0
    header, row = path.read_text(encoding="utf-8").split("\n", 1)
    assert header.rstrip("\r").endswith(",lessons")
    path.write_text(f"{header}\n{row.rstrip().removesuffix(',Keep going.')}\n", encoding="utf-8")
    result = run(runner, path)
    assert "1 updated" in result.output, result.output
    assert by_ref("ffr-001").lessons == ""


# --- dry run, exit codes, progress ---------------------------------------------------------------


def test_dry_run_checks_and_reports_but_writes_nothing(runner, home, tmp_path):
    assert run(runner, write_jsonl(tmp_path / "a.jsonl", [record(home, 1)])).exit_code == 0
    tables = (Practice, PracticeRevision, Tag, AuditEntry, practice_tags)
    before = [count(table) for table in tables]
    records = [record(home, 1, title="Changed"), record(home, 2, tags=["brand new"]),
               record(home, 3, country="XX")]
    path = write_jsonl(tmp_path / "b.jsonl", records)
    result = run(runner, path, "--dry-run")
    assert result.exit_code == 1
    assert ("Dry run of b.jsonl, nothing saved: would be 1 created, 1 updated, 0 unchanged, 1 rejected"
            in result.output)
    assert "line 3 (ffr-003): country:" in result.output
    assert [count(table) for table in tables] == before
    assert by_ref("ffr-001").title == "Interfamily group sessions 1"


def test_exit_code_is_0_when_everything_was_imported(runner, home, tmp_path):
    assert run(runner, write_jsonl(tmp_path / "p.jsonl", [record(home, 1)])).exit_code == 0


@pytest.mark.parametrize("name, content, message", [
    ("missing.jsonl", None, "cannot read"),
    ("practices.xlsx", b"PK\x03\x04", "cannot tell the format of 'practices.xlsx'"),
    ("latin1.jsonl", '{"title": "Fundación"}\n'.encode("latin-1"), "is not UTF-8 text"),
    ("empty.csv", b"", "the CSV file is empty"),
    ("twice.csv", b"title,summary,title\n", "the CSV header names a column twice: title"),
])
def test_exit_code_is_2_when_the_file_cannot_be_read(runner, home, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    result = run(runner, path)
    assert result.exit_code == 2
    assert message in result.output
    assert count(Practice) == 0 and count(AuditEntry) == 1  # only the institution's creation


def test_a_file_that_breaks_late_writes_nothing(runner, home, tmp_path):
    """The file is read through before the first batch, so a bad byte at the end stops everything."""
    path = write_jsonl(tmp_path / "p.jsonl", [record(home, n) for n in range(1, 4)])
    path.write_bytes(path.read_bytes() + b'{"title": "\xff"}\n')
    result = run(runner, path, "--batch-size", "1")
    assert result.exit_code == 2
    assert count(Practice) == 0


def test_progress_is_shown_with_the_number_of_records(runner, home, tmp_path):
    path = write_jsonl(tmp_path / "practices.jsonl", [record(home, n) for n in range(1, 4)])
    result = run(runner, path)
    assert result.exit_code == 0, result.output
    assert "Importing practices.jsonl (3 records)" in result.output
    steps = []
    importer.import_file(path, progress=steps.append)
    assert steps == [1, 1, 1]


# --- transactions ----------------------------------------------------------------------------------


def test_a_batch_whose_commit_fails_leaves_nothing_of_that_batch(app, home, tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "p.jsonl", [record(home, n, tags=[f"tag {n}"]) for n in range(1, 6)])
    real_commit, calls = db.session.commit, []

    def failing_second_commit():
        calls.append(1)
        if len(calls) == 2:
            db.session.flush()  # the batch's rows are written in the transaction, then the commit fails
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
        real_commit()

    monkeypatch.setattr(db.session, "commit", failing_second_commit)
    report = importer.import_file(path, batch_size=2)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    assert [(r.line, r.label) for r in report.rejected] == [(3, "ffr-003"), (4, "ffr-004")]
    assert "the database refused the batch of lines 3–4 (disk I/O error)" in report.rejected[0].reasons[0]
    assert sorted(db.session.scalars(select(Practice.external_ref))) == ["ffr-001", "ffr-002", "ffr-005"]
    assert count(PracticeRevision) == 3
    assert count(PracticeSector) == 6 and count(PracticeInterventionType) == 6
    assert sorted(db.session.scalars(select(Tag.name))) == ["tag 1", "tag 2", "tag 5"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "practices.imported"))
    assert entry.details["created"] == 3 and entry.details["rejected"] == 2


def test_a_new_tag_reaches_a_later_record_of_the_same_batch(app, home, tmp_path):
    records = [record(home, n, tags=["shared new tag", f"own {n}"]) for n in range(1, 4)]
    report = importer.import_file(write_jsonl(tmp_path / "p.jsonl", records))
    assert report.created == 3 and not report.rejected
    assert db.session.scalar(select(func.count()).select_from(Tag).where(Tag.name == "shared new tag")) == 1


# --- the documented examples -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["practices.jsonl", "practices.csv"])
def test_the_example_files_import_cleanly_into_the_demo_network(demo, runner, name):
    before = count(Practice)
    result = run(runner, EXAMPLES / name)
    assert result.exit_code == 0, result.output
    assert "3 created, 0 updated, 0 unchanged, 0 rejected" in result.output
    assert count(Practice) == before + 3


# --- cleanup-files ---------------------------------------------------------------------------------


def test_cleanup_files_lists_orphans_and_deletes_only_with_the_flag(runner, home, make_practice):
    upload = attachments.Upload("plan.pdf", "application/pdf", b"%PDF-1.4 a plan")
    practice = make_practice(home, uploads=[upload])
    kept = attachments.path_of(practice.attachments[0])
    old_orphan = attachments.folder() / "0123456789abcdef0123456789abcdef.pdf"
    old_orphan.write_bytes(b"%PDF-1.4 left behind")
    an_hour_ago = time.time() - 2 * 3600
    os.utime(old_orphan, (an_hour_ago, an_hour_ago))
    new_orphan = attachments.folder() / "fedcba9876543210fedcba9876543210.png.part"
    new_orphan.write_bytes(b"being written")

    result = runner.invoke(args=["practices", "cleanup-files"])
    assert result.exit_code == 0, result.output
    assert "2 orphaned files in" in result.output
    assert old_orphan.name in result.output and new_orphan.name in result.output
    assert kept.name not in result.output
    assert "Nothing removed" in result.output
    assert old_orphan.exists() and new_orphan.exists()

    result = runner.invoke(args=["practices", "cleanup-files", "--delete"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 file; kept 1 younger than 60 min." in result.output
    assert not old_orphan.exists() and new_orphan.exists() and kept.exists()

    result = runner.invoke(args=["practices", "cleanup-files", "--delete", "--min-age", "0"])
    assert "Removed 1 file." in result.output
    assert not new_orphan.exists() and kept.exists()
    assert "No orphaned files" in runner.invoke(args=["practices", "cleanup-files"]).output
