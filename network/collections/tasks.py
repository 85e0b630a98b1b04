"""The collections' background jobs (registered by network.collections.init_app)."""
from __future__ import annotations

from network.collections import pdf
from network.jobs import task


@task(retries=2, retry_delay=120)
def build_edition_pdf(edition_id: int) -> None:
    """An edition's PDF, made by the job worker instead of a web worker (queued by pdf.schedule_pdf)."""
    pdf.build_queued(edition_id)


JOBS = (build_edition_pdf,)
