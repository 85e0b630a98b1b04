"""`flask --app network practices ...`: import practices from a file, find orphaned attachment files."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from network.practices import attachments, importer

practices_cli = AppGroup("practices", help="Import practices; tidy attachment files.")

EXIT_REJECTED, EXIT_UNREADABLE = 1, 2
_LINES_SHOWN = 5


@practices_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(importer.FORMATS),
              help="The file's format; by default from its extension (.jsonl, .ndjson, .csv).")
@click.option("--batch-size", type=click.IntRange(min=1), default=importer.DEFAULT_BATCH_SIZE,
              show_default=True, help="Records saved per transaction.")
@click.option("--dry-run", is_flag=True, help="Check every record and report, but save nothing.")
def import_command(file: Path, fmt: str | None, batch_size: int, dry_run: bool):
    """Import practices from FILE (JSON Lines or CSV; see docs/import-format.md).

    Records with an external_ref update the practice that has it. Exit code: 0 when every record was
    imported, 1 when some were rejected, 2 when the file cannot be read.
    """
    try:
        total = importer.count_records(file, fmt)  # reads the file through: an unreadable one stops here
    except importer.ImportFileError as error:
        click.echo(f"Error: {error}", err=True)
        raise SystemExit(EXIT_UNREADABLE) from error
    started = time.perf_counter()
    label = f"{'Checking' if dry_run else 'Importing'} {file.name} ({total} records)"
    with click.progressbar(length=total, label=label, show_pos=True, show_eta=True) as bar:
        report = importer.import_file(file, fmt, batch_size=batch_size, dry_run=dry_run, progress=bar.update)
    _print_summary(report, time.perf_counter() - started)
    if report.rejected:
        raise SystemExit(EXIT_REJECTED)


def _print_summary(report: importer.ImportReport, seconds: float) -> None:
    figures = (f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged, "
               f"{len(report.rejected)} rejected")
    if report.dry_run:
        click.echo(f"Dry run of {report.filename}, nothing saved: would be {figures} ({seconds:.1f} s).")
    else:
        click.echo(f"Imported {report.filename}: {figures} ({seconds:.1f} s).")
    for name, lines in sorted(report.unknown_fields.items()):
        shown = ", ".join(map(str, lines[:_LINES_SHOWN])) + (", …" if len(lines) > _LINES_SHOWN else "")
        click.echo(f"Warning: “{name}” is not an import field and was ignored "
                   f"({len(lines)} record{'s' if len(lines) != 1 else ''}: line {shown}).")
    if report.rejected:
        click.echo(f"Rejected records ({len(report.rejected)}):")
        for rejected in report.rejected:
            who = f" ({rejected.label})" if rejected.label else ""
            click.echo(f"  line {rejected.line}{who}: {'; '.join(rejected.reasons)}")


@practices_cli.command("cleanup-files")
@click.option("--delete", is_flag=True, help="Remove the orphaned files (by default they are only listed).")
@click.option("--min-age", type=click.IntRange(min=0), default=60, show_default=True,
              help="Minutes: younger files are kept even with --delete (an upload may be being saved).")
def cleanup_files_command(delete: bool, min_age: int):
    """List attachment files that no attachment names; with --delete, remove them."""
    folder = attachments.folder()
    orphans = attachments.orphaned_files()
    if not orphans:
        click.echo(f"No orphaned files in {folder}.")
        return
    cutoff = time.time() - min_age * 60
    old = [name for name in orphans if (folder / name).stat().st_mtime <= cutoff]
    click.echo(f"{len(orphans)} orphaned file{'s' if len(orphans) != 1 else ''} in {folder}:")
    for name in orphans:
        click.echo(f"  {name}{'' if name in old else f'  (younger than {min_age} min)'}")
    if not delete:
        click.echo("Nothing removed; run again with --delete to remove them.")
        return
    attachments.remove_files(old)
    kept = len(orphans) - len(old)
    click.echo(f"Removed {len(old)} file{'s' if len(old) != 1 else ''}"
               + (f"; kept {kept} younger than {min_age} min." if kept else "."))
