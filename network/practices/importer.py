"""Import practices from JSON Lines or CSV files: every record is checked by services.validate (the web
form's rules and messages), the valid ones are saved one transaction per batch, and a record with an
external_ref updates the practice that already has it instead of adding a second one.

The format is documented in docs/import-format.md.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from network import audit
from network.errors import ServiceError
from network.extensions import db
from network.institutions.models import Institution
from network.practices import services
from network.practices.models import SECTION_NAMES, Practice, Tag

# The fields an import record may give: the JSON API's names. Anything else is reported and ignored.
TEXT_FIELDS = ("external_ref", "title", "summary", *SECTION_NAMES, "country", "language", "institution",
               "status", "visibility", "external_link")
LIST_FIELDS = ("sectors", "intervention_types", "tags")
FIELDS = (*TEXT_FIELDS, *LIST_FIELDS)

FORMATS = ("jsonl", "csv")
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
DEFAULT_BATCH_SIZE = 500
_LOOKUP_CHUNK = 500  # external references per IN (...) query: stays far below every database's limit


class ImportFileError(Exception):
    """The file as a whole cannot be read (missing, not UTF-8, unknown format, no CSV header)."""


@dataclass
class Record:
    """One record of the file: its line number, the known fields it gives, or why it could not be read."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def label(self) -> str:
        for name in ("external_ref", "title"):
            value = self.values.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()[:80]
        return ""


class Rejected(NamedTuple):
    line: int
    label: str  # the record's external_ref, else its title, else ""
    reasons: list[str]


@dataclass
class ImportReport:
    filename: str = ""
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    unknown_fields: dict[str, list[int]] = field(default_factory=dict)  # field name -> lines giving it

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len(self.rejected)


# --- reading ----------------------------------------------------------------------------------------


def detect_format(path: str | Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise ImportFileError(f"unknown format {fmt!r}: use {' or '.join(FORMATS)}")
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ImportFileError(
            f"cannot tell the format of {Path(path).name!r} from its extension: name it .jsonl, .ndjson or "
            ".csv, or give --format"
        )
    return EXTENSIONS[suffix]


def read_records(path: str | Path, fmt: str | None = None) -> Iterator[Record]:
    """The file's records in order. A record that cannot be parsed comes back with `error` set."""
    fmt = detect_format(path, fmt)
    try:
        # utf-8-sig: spreadsheets often start their CSV (and some editors their JSON) with a BOM.
        with open(path, encoding="utf-8-sig", newline="" if fmt == "csv" else None) as stream:
            yield from (_read_csv(stream) if fmt == "csv" else _read_jsonl(stream))
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{Path(path).name} is not UTF-8 text ({error.reason} at byte {error.start})") from error
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from error


def count_records(path: str | Path, fmt: str | None = None) -> int:
    """How many records the file holds; reads it through, so a file that cannot be read fails here."""
    return sum(1 for _record in read_records(path, fmt))


def _read_jsonl(stream) -> Iterator[Record]:
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line.rstrip("\r\n"))  # so that an error's column is on this line
        except json.JSONDecodeError as error:
            yield Record(number, error=f"not valid JSON ({error.msg} at column {error.colno})")
            continue
        if not isinstance(value, dict):
            kind = _JSON_TYPES.get(type(value), "a value")
            yield Record(number, error=f"not a JSON object {{...}} but {kind}")
            continue
        yield _record(number, value)


_JSON_TYPES = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}


def _read_csv(stream) -> Iterator[Record]:
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise ImportFileError("the CSV file is empty: it needs a header line naming the columns")
        columns = [cell.strip().lower() for cell in header]
        repeated = sorted({name for name in columns if name and columns.count(name) > 1})
        if repeated:
            raise ImportFileError(f"the CSV header names a column twice: {', '.join(repeated)}")
        previous_end = reader.line_num
        for row in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(columns):
                yield Record(start, error=f"{len(row)} values but the header has {len(columns)} columns")
                continue
            # A short row (trailing empty cells left out by some tools) gives empty values: in CSV every
            # column of the header is given for every row.
            row += [""] * (len(columns) - len(row))
            yield _record(start, {name: value for name, value in zip(columns, row) if name})
    except csv.Error as error:
        raise ImportFileError(f"the CSV file is malformed near line {reader.line_num}: {error}") from error


def _record(line: int, raw: dict[str, Any]) -> Record:
    record = Record(line)
    reasons = []
    for name, value in raw.items():
        if name not in FIELDS:
            record.unknown.append(name)
            continue
        try:
            record.values[name] = _coerce(name, value)
        except ValueError as error:
            record.values[name] = value if isinstance(value, str) else ""
            reasons.append(f"{name}: {error}")
    if reasons:
        record.error = "; ".join(reasons)
    return record


def _coerce(name: str, value: Any) -> Any:
    """Text for text fields, a list of text (or "a; b" text) for list fields; null means empty."""
    if value is None:
        return [] if name in LIST_FIELDS else ""
    if isinstance(value, str):
        return value
    if name in LIST_FIELDS:
        if isinstance(value, list) and all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                           for v in value):
            return [str(v) for v in value]
        raise ValueError("expected a list of codes or names, or text like “a; b”.")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError("expected text.")


# --- importing --------------------------------------------------------------------------------------


def import_file(
    path: str | Path,
    fmt: str | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import one file. The file is read through once first, so an unreadable file (ImportFileError)
    writes nothing."""
    fmt = detect_format(path, fmt)
    count_records(path, fmt)
    return import_records(read_records(path, fmt), filename=Path(path).name, batch_size=batch_size,
                          dry_run=dry_run, progress=progress)


def import_records(
    records: Iterable[Record],
    *,
    filename: str = "",
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate and save records, one transaction per batch; with dry_run, roll each batch back instead.

    Revisions are recorded without an author (the import is nobody's edit); one audit entry names the run.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = ImportReport(filename=filename, dry_run=dry_run)
    seen: dict[str, int] = {}  # external_ref -> line where the file first gives it
    batch: list[Record] = []
    for record in records:
        for name in record.unknown:
            report.unknown_fields.setdefault(name, []).append(record.line)
        batch.append(record)
        if len(batch) >= batch_size:
            _import_batch(batch, report, seen, dry_run, progress)
            batch = []
    if batch:
        _import_batch(batch, report, seen, dry_run, progress)
    if not dry_run:
        audit.record(None, "practices.imported", None, label=filename, created=report.created,
                     updated=report.updated, unchanged=report.unchanged, rejected=len(report.rejected))
        db.session.commit()
    return report


def _import_batch(batch: list[Record], report: ImportReport, seen: dict[str, int], dry_run: bool,
                  progress: Callable[[int], None] | None) -> None:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    rejected: list[Rejected] = []
    saved: list[Record] = []
    try:
        lookups = _Lookups(
            existing=_existing_by_ref(batch),
            institution_slugs=set(db.session.scalars(select(Institution.slug))),
            tags=set(db.session.scalars(select(Tag.name))),
        )
        for record in batch:
            outcome = _import_record(record, lookups, seen)
            if isinstance(outcome, Rejected):
                rejected.append(outcome)
            else:
                counts[outcome] += 1
                saved.append(record)
            if progress is not None:
                progress(1)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except SQLAlchemyError as error:
        # Nothing of this batch is kept: every record that would have been saved is reported instead.
        db.session.rollback()
        reason = (f"not saved: the database refused the batch of lines {batch[0].line}–{batch[-1].line} "
                  f"({_short(error)})")
        rejected += [Rejected(r.line, r.label, [reason]) for r in saved]
        rejected.sort(key=lambda item: item.line)
        counts = dict.fromkeys(counts, 0)
    except BaseException:
        db.session.rollback()
        raise
    report.created += counts["created"]
    report.updated += counts["updated"]
    report.unchanged += counts["unchanged"]
    report.rejected += rejected


@dataclass
class _Lookups:
    """What one batch looks up once instead of once per record."""

    existing: dict[str, Practice]  # external_ref -> practice, for every reference the batch gives
    institution_slugs: set[str]
    tags: set[str]  # tag names in the database (including this batch's flushed new ones)


def _existing_by_ref(batch: list[Record]) -> dict[str, Practice]:
    """The practices this batch's external references already name: one query per 500 references
    (their sectors, types, tags and authors come with them through the models' selectin loading)."""
    refs = sorted({ref for r in batch
                   if not r.error and (ref := str(r.values.get("external_ref") or "").strip())})
    found: dict[str, Practice] = {}
    for start in range(0, len(refs), _LOOKUP_CHUNK):
        chunk = refs[start:start + _LOOKUP_CHUNK]
        found.update((p.external_ref, p) for p in db.session.scalars(
            select(Practice).where(Practice.external_ref.in_(chunk))))
    return found


def _import_record(record: Record, lookups: _Lookups, seen: dict[str, int]):
    """'created', 'updated', 'unchanged', or a Rejected naming every reason."""
    if record.error:
        return Rejected(record.line, record.label, [record.error])
    ref = str(record.values.get("external_ref") or "").strip()
    if ref:
        first = seen.setdefault(ref, record.line)
        if first != record.line:
            return Rejected(record.line, record.label, [
                f"external_ref: “{ref}” is given again; line {first} of this file already has it "
                "(only the first is imported)."])
    existing = lookups.existing.get(ref) if ref else None
    if existing is None:
        data = services.PracticeData(**record.values)
    else:
        # Fields the record leaves out keep their current value (partnership, translation link...).
        data = services.PracticeData.from_practice(existing)
        for name, value in record.values.items():
            setattr(data, name, value)
    # Without autoflush, each record's queries do not first write the records before it one by one: the
    # batch is written at its commit, in a few multi-row INSERTs. What the skipped flushes would have
    # shown the queries is covered here: `seen` catches an external_ref given twice in the file, and a
    # new tag is flushed as soon as it appears, so that services.tags_named() finds it for the next record.
    with db.session.no_autoflush:
        try:
            # Every reference of the batch was looked up at once, so for them these keys are exact.
            taken = lookups.existing.keys() if existing is None else lookups.existing.keys() - {ref}
            clean = services.validate(data, existing=existing, institution_slugs=lookups.institution_slugs,
                                      taken_refs=taken)
        except ServiceError as error:
            reasons = [f"{name}: {message}"
                       for name, messages in error.errors.items() for message in messages]
            return Rejected(record.line, record.label, reasons)
        new_tags = set(clean.tags) - lookups.tags
        if existing is None:
            services.build_practice(None, clean)
            outcome = "created"
        else:
            _keep_list_order(clean, existing)
            if asdict(clean) == asdict(services.PracticeData.from_practice(existing)):
                outcome = "unchanged"  # what apply_update would find, without its look-ups
            elif services.apply_update(None, existing, clean):
                outcome = "updated"
            else:
                outcome = "unchanged"
    if new_tags:
        db.session.flush()
        lookups.tags |= new_tags
    return outcome


def _keep_list_order(clean: services.PracticeData, practice: Practice) -> None:
    """Give sectors, types and tags in the stored order when they are the same set, so that the same
    values in another order count as unchanged (the stored lists come back sorted)."""
    for name, stored in (("sectors", practice.sectors), ("intervention_types", practice.intervention_types),
                         ("tags", practice.tag_names)):
        if set(getattr(clean, name)) == set(stored) and len(getattr(clean, name)) == len(stored):
            setattr(clean, name, list(stored))


def _short(error: SQLAlchemyError) -> str:
    text = str(getattr(error, "orig", None) or error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:200]
