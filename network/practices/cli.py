"""`flask --app network practices ...`: import practices from a file, find orphaned attachment files, make the
stored HTML of practices."""
from __future__ import annotations

import contextlib
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from network.extensions import db
from network.practices import attachments, importer, rendering, services
from network.practices.models import Practice

practices_cli = AppGroup("practices", help="Import practices; tidy attachment files; render their HTML.")

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


@practices_cli.command("render-html")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True,
              help="Practices read and saved per transaction.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Processes rendering at once (up to the machine's cores: some 4 ms of one core a practice).")
def render_html_command(batch_size: int, jobs: int):
    """Render and store the HTML of every practice that has none, or whose HTML is stale: made from another
    text (rows written past the application, like bulk inserts) or under older sanitiser rules (after
    network.sanitize.RENDER_VERSION changes or bleach or Markdown is upgraded). Until then their pages render
    the Markdown on each view. Run it after `flask db upgrade`; running it again changes nothing."""
    total = db.session.scalar(select(func.count(Practice.id)))
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(click.progressbar(length=total, label=f"Checking {total} practices",
                                                    show_pos=True, show_eta=True))
        render_many = None  # in this process
        if jobs > 1:
            # Spawned, not forked: the children only render text and share nothing of this process.
            pool = stack.enter_context(ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")))
            render_many = lambda items: list(pool.map(rendering.render_sections, items, chunksize=16))  # noqa: E731
        report = services.store_missing_html(batch_size=batch_size, progress=bar.update, render_many=render_many)
    click.echo(f"Checked {report.checked} practices: {report.made} rendered (had no stored HTML), "
               f"{report.remade} rendered again (stale), {report.current} already current "
               f"({time.perf_counter() - started:.1f} s).")
