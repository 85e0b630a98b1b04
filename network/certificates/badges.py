"""Open Badges 2.0 (hosted verification) for certificates: an Assertion per certificate, a BadgeClass per kind
and subject (an event, a course), and the platform's Issuer profile, as JSON-LD documents that badge backpacks
and employers' tools fetch and check (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/).

The recipient is the holder's e-mail address hashed with a salt of the certificate's own (sha256), as the
specification recommends: the assertion proves the badge is theirs to whoever knows the address, without
publishing it. A revoked certificate answers 410 with `revoked: true` and the reason, which is what a
verifier checks; a holder who deleted their account has no address left to hash, so their assertion is revoked
like the certificate."""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, time, timezone

from flask import current_app, url_for
from flask_babel import gettext as _

from network.auth.models import User
from network.certificates import services
from network.certificates.models import HOLDER_ERASED, Certificate
from network.extensions import db

CONTEXT = "https://w3id.org/openbadges/v2"


def _salt(certificate: Certificate) -> str:
    """Stable for the certificate (the same assertion every time), not guessable from its code."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, f"open-badge:{certificate.code}".encode(), hashlib.sha256).hexdigest()[:16]


def hashed_identity(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def assertion_url(certificate: Certificate) -> str:
    return url_for("certificates.badge_assertion", code=certificate.display_code, _external=True)


def badge_key(kind: str, subject_type: str, subject_id: int) -> str:
    """The badge class's address holds this keyed digest of what it is about: its assertions link to it, but the
    title of a members-only course or event cannot be read by trying ids one after another."""
    message = f"badge-class:{kind}:{subject_type}:{subject_id}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()[:24]


def badge_class_url(certificate: Certificate) -> str:
    return url_for("certificates.badge_class", kind=certificate.kind, subject_type=certificate.subject_type,
                   subject_id=certificate.subject_id,
                   key=badge_key(certificate.kind, certificate.subject_type, certificate.subject_id), _external=True)


def assertion(certificate: Certificate) -> tuple[dict, int]:
    """The certificate's Assertion, and the HTTP status to send it with (410 when revoked)."""
    holder = db.session.get(User, certificate.person_id) if certificate.person_id is not None else None
    if certificate.revoked or holder is None:
        return {"@context": CONTEXT, "id": assertion_url(certificate), "revoked": True,
                "revocationReason": _revocation_reason(certificate)}, 410
    salt = _salt(certificate)
    issued = datetime.combine(certificate.issued_on, time(0, 0), tzinfo=timezone.utc)
    return {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_url(certificate),
        "recipient": {"type": "email", "hashed": True, "salt": salt,
                      "identity": hashed_identity(holder.email, salt)},
        "badge": badge_class_url(certificate),
        "verification": {"type": "HostedBadge"},
        "issuedOn": issued.isoformat().replace("+00:00", "Z"),
        "evidence": url_for("certificates.show", code=certificate.display_code, _external=True),
        "narrative": services.statement(certificate),
    }, 200


def _revocation_reason(certificate: Certificate) -> str:
    if certificate.revocation == HOLDER_ERASED or certificate.person_id is None:
        return _("The holder's account has been deleted.")
    return certificate.revoked_reason or _("Revoked by the issuer.")


def badge_class(certificate: Certificate) -> dict:
    """What the badge stands for, from the newest certificate of this kind and subject (its frozen title)."""
    return {
        "@context": CONTEXT,
        "type": "BadgeClass",
        "id": badge_class_url(certificate),
        "name": certificate.title,
        "description": _("%(heading)s: %(title)s", heading=services.heading(certificate), title=certificate.title),
        "image": url_for("static", filename="badge.svg", _external=True),
        "criteria": {"narrative": _("Issued by Peer Network to each person who %(what)s.",
                                    what=services.statement(certificate))},
        "issuer": url_for("certificates.badge_issuer", _external=True),
    }


def issuer() -> dict:
    return {
        "@context": CONTEXT,
        "type": "Profile",
        "id": url_for("certificates.badge_issuer", _external=True),
        "name": current_app.config.get("PLATFORM_NAME", "Peer Network"),
        "url": url_for("web.home", _external=True),
    }
