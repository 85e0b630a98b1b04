"""Certificates for every feature: issue one (once per person, kind and subject), verify a code, revoke, list.

The feature that issues a kind of certificate registers it from its init_app (register_kind): how the
certificate is worded, as a lazy string with parameters rendered in the reader's language when shown, and who
besides site admins may revoke it. It then calls issue() from its own services (inside its transaction with
commit=False, or on its own); verification, the pages and the PDF are this package's.
"""
from __future__ import annotations

import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from network import audit, i18n, permissions
from network.certificates.models import (
    CODE_LENGTH,
    ISSUER_MAX,
    KIND_MAX,
    NAME_MAX,
    REASON_MAX,
    SUBJECT_TYPE_MAX,
    TITLE_MAX,
    WITHDRAWN,
    Certificate,
)
from network.errors import ServiceError
from network.extensions import db
from network.types import utcnow

# Crockford's base 32: digits and capitals without I, L, O and U, so that nothing in it looks like something
# else in it. 32 ** 12 = 2 ** 60 codes: guessing one of even a million certificates takes about 10 ** 12 tries.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What people type for the letters left out: O for zero, I and L for one.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
HOURS_MAX = Decimal("9999.99")


# --- the kinds of certificate, registered by the features that issue them -------------------------------


@dataclass(frozen=True)
class CertificateKind:
    """sentence: what the holder did, after their name, as a lazy string with any of the parameters
    %(title)s, %(hours)s, %(issuer)s, %(date)s ("attended the training event “%(title)s”"); heading: the
    certificate's title ("Certificate of attendance"); may_revoke(user, certificate): who besides site admins
    may revoke one (the issuing feature's organisers, say)."""

    kind: str
    sentence: object
    may_revoke: Callable[[object, Certificate], bool]
    heading: object


_kinds: dict[str, CertificateKind] = {}
DEFAULT_SENTENCE = _l("holds this certificate for “%(title)s”")
DEFAULT_HEADING = _l("Certificate")


def register_kind(kind: str, sentence, may_revoke: Callable[[object, Certificate], bool],
                  heading=None) -> None:
    """From the issuing feature's init_app: its kind of certificate, how it is worded, who may revoke one."""
    if not kind or len(kind) > KIND_MAX:
        raise ValueError(f"a certificate kind is a code of 1 to {KIND_MAX} characters, not {kind!r}")
    _kinds[kind] = CertificateKind(kind, sentence, may_revoke, heading or DEFAULT_HEADING)


def kinds() -> dict[str, CertificateKind]:
    return dict(_kinds)


def may_revoke(user, certificate: Certificate) -> bool:
    """The kind's own rule (network.permissions.can_revoke_certificate adds site admins)."""
    registered = _kinds.get(certificate.kind)
    return bool(registered is not None and registered.may_revoke(user, certificate))


def _parameters(certificate: Certificate) -> dict:
    return {"title": certificate.title, "issuer": certificate.issuer, "date": format_date(certificate.issued_on),
            "hours": format_decimal(certificate.hours) if certificate.hours is not None else ""}


def statement(certificate: Certificate) -> str:
    """What the certificate says the holder did, in the current language (the reader's; the PDF's own)."""
    registered = _kinds.get(certificate.kind)
    for sentence in ((registered.sentence,) if registered else ()) + (DEFAULT_SENTENCE,):
        try:
            return str(sentence) % _parameters(certificate)
        except (KeyError, ValueError, TypeError):  # a translation with a broken placeholder: the plain words
            continue
    return certificate.title


def heading(certificate: Certificate) -> str:
    registered = _kinds.get(certificate.kind)
    return str(registered.heading if registered else DEFAULT_HEADING)


# --- codes --------------------------------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text) -> str | None:
    """A code as typed or pasted ("abcd efgh jkmn", "ABCD‑EFGH‑JKMN", with O for 0) in its stored form, or None
    when it cannot be a code. Spaces and dashes of any kind are dropped, letters are capitals."""
    if not isinstance(text, str) or len(text) > 100:
        return None
    kept = "".join(c for c in text if not (c.isspace() or unicodedata.category(c) == "Pd"))
    code = kept.upper().translate(_LOOK_ALIKES)
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def verify(code) -> Certificate | None:
    """The certificate with this code (in whatever form it was typed), or None. Costs one indexed read and says
    nothing else: a wrong code is simply no certificate."""
    normalised = normalise_code(code)
    if normalised is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.code == normalised))


def _unused_code() -> str:
    while True:
        code = new_code()
        if db.session.scalar(select(Certificate.id).where(Certificate.code == code)) is None:
            return code


# --- issuing and revoking -------------------------------------------------------------------------------------


def _find(kind: str, subject_type: str, subject_id: int, person_id: int) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.kind == kind, Certificate.subject_type == subject_type, Certificate.subject_id == subject_id,
        Certificate.person_id == person_id))


def _hours(hours) -> Decimal | None:
    if hours is None or hours == "":
        return None
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError) as error:
        raise ValueError(f"hours must be a number, not {hours!r}") from error
    if not Decimal(0) <= value <= HOURS_MAX:
        raise ValueError(f"hours must be between 0 and {HOURS_MAX}, not {hours!r}")
    return value


def _one_line(text, limit: int) -> str:
    return " ".join(str(text or "").split())[:limit]


def _label(certificate: Certificate) -> str:
    """The audit log's label: the code and what it certifies, never the holder's name (it outlives them)."""
    return f"{certificate.display_code} · {certificate.title}"


def issue(person, kind: str, subject_type: str, subject_id: int, title: str, issuer: str, hours=None,
          issued_on: date | None = None, *, language: str | None = None, actor=None,
          commit: bool = True) -> Certificate:
    """The person's certificate of this kind for this subject (an event, a course...), made once: issuing again
    returns the same certificate, as it is (revoked stays revoked). The holder's name, the title and the issuer
    are frozen now; language (default: the holder's interface language) is the PDF's.

    commit=False adds it to the caller's transaction (flushed, not committed: the issuing feature commits its
    own change and the certificate together). Wrong arguments are the calling feature's mistake: ValueError."""
    if kind not in _kinds:
        raise ValueError(f"the certificate kind {kind!r} is not registered (register_kind in its feature's init_app)")
    if person is None or getattr(person, "id", None) is None:
        raise ValueError("a certificate is issued to a person with an account")
    subject_type = str(subject_type or "")
    if not subject_type or len(subject_type) > SUBJECT_TYPE_MAX or not isinstance(subject_id, int):
        raise ValueError(f"a certificate's subject is a type and an id, not {subject_type!r}, {subject_id!r}")
    existing = _find(kind, subject_type, subject_id, person.id)
    if existing is not None:
        return existing
    title = _one_line(title, TITLE_MAX)
    if not title:
        raise ValueError("a certificate says what it certifies: its title is empty")
    certificate = Certificate(
        code=_unused_code(), kind=kind, subject_type=subject_type, subject_id=subject_id, person_id=person.id,
        holder_name=_one_line(person.name, NAME_MAX), title=title, hours=_hours(hours),
        issued_on=issued_on or utcnow().date(), issuer=_one_line(issuer, ISSUER_MAX),
        language=language if i18n.is_supported(language) else i18n.user_locale(person))
    db.session.add(certificate)
    try:
        db.session.flush()
    except IntegrityError:
        if not commit:  # the caller's transaction is theirs to roll back
            raise
        # Issued at the same moment by another request (it committed first): theirs is the one.
        db.session.rollback()
        existing = _find(kind, subject_type, subject_id, person.id)
        if existing is None:
            raise
        return existing
    audit.record(actor, "certificate.issued", certificate, label=_label(certificate), kind=kind,
                 subject=f"{subject_type}:{subject_id}")
    if commit:
        db.session.commit()
    return certificate


def revoke(actor, certificate: Certificate, reason: str, *, commit: bool = True) -> Certificate:
    """The certificate stops certifying: its page says it was revoked, when and why; its PDF is no longer
    served. actor: site admins and whom the kind's may_revoke names (None: the platform itself)."""
    if actor is not None and not permissions.can_revoke_certificate(actor, certificate):
        raise ServiceError.one("reason", _l("You may not revoke this certificate."))
    if certificate.revoked:
        raise ServiceError.one("reason", _l("This certificate has already been revoked."))
    reason = _one_line(reason, REASON_MAX)
    if not reason:
        raise ServiceError.one("reason", _l("Say why it is revoked: the verification page shows the reason."))
    certificate.revoked_at, certificate.revocation, certificate.revoked_reason = utcnow(), WITHDRAWN, reason
    # The reason stays on the certificate only: typed by a person, it may name the holder, and the audit log
    # outlives an erased account.
    audit.record(actor, "certificate.revoked", certificate, label=_label(certificate), kind=certificate.kind)
    if commit:
        db.session.commit()
        from network.certificates import pdf

        pdf.delete_pdf(certificate.code)
    return certificate


# --- reading ------------------------------------------------------------------------------------------------


def certificates_of(person) -> list[Certificate]:
    """The person's certificates, newest first (revoked ones too: their page says so)."""
    if getattr(person, "id", None) is None:
        return []
    return list(db.session.scalars(select(Certificate).where(Certificate.person_id == person.id)
                                   .order_by(Certificate.issued_on.desc(), Certificate.id.desc())))


def certificates_for(kind: str, subject_type: str, subject_id: int) -> list[Certificate]:
    """Every certificate of this kind for one subject (an event's attendance certificates), by holder's name."""
    return list(db.session.scalars(select(Certificate).where(
        Certificate.kind == kind, Certificate.subject_type == subject_type, Certificate.subject_id == subject_id)
        .order_by(Certificate.holder_name, Certificate.id)))

