"""What certificates hold about a person (see network/auth/personal_data.py).

A certificate names its holder. When they delete their account it stays, revoked as "the holder's account was
deleted", without their name and without the link to them, and its PDF is removed: whoever checks a code
they were once given learns that it was genuinely issued (what, when, by whom) and that it certifies no one
now, rather than "no certificate has this code", which would make an honest former holder look like a
forger; and nothing left names the person. The code is never given to another certificate.
"""
from __future__ import annotations

from sqlalchemy import select

from network.certificates.models import HOLDER_ERASED, Certificate
from network.extensions import db
from network.types import utcnow

TABLES = {
    "certificates": "exported (code, kind, what it certifies, hours, dates, issuer, revocation); kept, revoked "
                    "as the holder's account deleted, without the name or the link to them; PDFs removed",
}


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export(user) -> list[dict]:
    certificates = db.session.scalars(select(Certificate).where(Certificate.person_id == user.id)
                                      .order_by(Certificate.issued_on, Certificate.id))
    return [{"code": c.display_code, "kind": c.kind, "subject": f"{c.subject_type}:{c.subject_id}",
             "holder_name": c.holder_name, "title": c.title,
             "hours": str(c.hours) if c.hours is not None else None, "issued_on": _iso(c.issued_on),
             "issuer": c.issuer, "language": c.language, "revoked_at": _iso(c.revoked_at),
             "revoked_reason": c.revoked_reason or None} for c in certificates]


def erase(user) -> None:
    from network.auth.services import after_account_deletion
    from network.certificates import pdf

    certificates = db.session.scalars(select(Certificate).where(Certificate.person_id == user.id)).all()
    now = utcnow()
    for certificate in certificates:
        # A reason typed when it was revoked earlier may name them: it goes with the name.
        certificate.holder_name, certificate.person_id, certificate.revoked_reason = "", None, ""
        certificate.revoked_at, certificate.revocation = certificate.revoked_at or now, HOLDER_ERASED
    codes = [certificate.code for certificate in certificates]
    if codes:
        after_account_deletion(lambda: [pdf.delete_pdf(code) for code in codes])
