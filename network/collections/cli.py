"""`flask --app network collections ...`: build an edition's PDF on the command line, with a progress bar."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from network.collections import pdf
from network.collections.models import CollectionEdition
from network.extensions import db
from network.printing import PdfUnavailable

collections_cli = AppGroup("collections", help="Collections of practices and their editions.")

STAGE_LABELS = {"queued": "queued", "html": "building the HTML", "parsing": "reading HTML and CSS",
                "layout": "laying out pages",
                "contents": "numbering the contents and index", "writing": "writing the PDF", "done": "done"}


@collections_cli.command("pdf")
@click.argument("collection_id", type=int)
@click.argument("number", type=int)
@click.option("--force", is_flag=True, help="Build it again even if the PDF exists.")
@click.option("--queue", "queue", is_flag=True,
              help="Queue it for the job worker instead of building it here (as the web does).")
def pdf_command(collection_id: int, number: int, force: bool, queue: bool):
    """Build the PDF of edition NUMBER of collection COLLECTION_ID now (the web queues it as a background job).

    Waits for nothing: if another process is building it, says so and exits with status 1."""
    edition = db.session.scalar(select(CollectionEdition).where(
        CollectionEdition.collection_id == collection_id, CollectionEdition.number == number))
    if edition is None:
        raise click.ClickException(f"Collection {collection_id} has no edition {number}.")
    if pdf.pdf_path(edition).exists() and not force:
        click.echo(f"Already built: {pdf.pdf_path(edition)} (--force builds it again)")
        return
    if queue:
        if force:
            raise click.ClickException("--force builds here only: leave out --queue.")
        if pdf.schedule_pdf(edition.id):
            click.echo(f"Queued: the job worker builds it ({pdf.pdf_status(edition)['state']}).")
        else:
            click.echo(f"Not queued: {pdf.pdf_status(edition)['state']} (COLLECTIONS_PDF_BUILDER="
                       f"{current_app.config.get('COLLECTIONS_PDF_BUILDER') or 'default'})")
        return
    started = time.monotonic()
    details: dict = {}
    with click.progressbar(length=100, label="Building the PDF", show_percent=True, show_eta=False,
                           item_show_func=lambda stage: STAGE_LABELS.get(stage or "", stage)) as bar:
        def progress(stage: str, percent: int, info: dict) -> None:
            details.update(info)
            if percent > bar.pos:
                bar.update(percent - bar.pos, stage)
            else:
                bar.update(0, stage)

        try:
            path = pdf.build_pdf(edition, progress=progress, force=force)
        except pdf.PdfBusy as error:
            raise click.ClickException(f"Another process is building this PDF ({error}).") from None
        except PdfUnavailable as error:
            raise click.ClickException(str(error)) from None
        bar.update(100 - bar.pos, "done")
    pages = details.get("pages")
    click.echo(f"Wrote {path} ({path.stat().st_size // 1024} KB{f', {pages} pages' if pages else ''}) "
               f"in {time.monotonic() - started:.1f} s.")
