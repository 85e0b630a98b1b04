"""The certificates' background jobs (registered by network.certificates.init_app)."""
from __future__ import annotations

from network.certificates import pdf
from network.jobs import task


@task(retries=2, retry_delay=60, describe=lambda certificate_id, verify_url: f"certificate {certificate_id}")
def build_certificate_pdf(certificate_id: int, verify_url: str) -> None:
    """A certificate's PDF, made by the job worker instead of a web worker (queued by pdf.schedule_pdf). Its
    failure report names the certificate's id only: its address holds the verification code."""
    pdf.build_queued(certificate_id, verify_url)


JOBS = (build_certificate_pdf,)
