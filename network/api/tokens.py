"""Personal access tokens: made, listed and revoked here. A token is shown once; only its SHA-256 is kept."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network import audit
from network.api.models import ApiToken
from network.auth import services as accounts
from network.auth.models import User
from network.errors import ServiceError
from network.extensions import db
from network.types import utcnow

TOKEN_START = "pn_"
PREFIX_LENGTH = 10  # "pn_" and 7 random characters: enough to tell tokens apart, useless to guess with
NAME_MAX = 100
# A token longer than this cannot be one of ours: refused before hashing whatever a client sends.
TOKEN_MAX = 100
# last_used_at is written at most this often, so that reading the API is not a database write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(plain: str) -> str:
    return hashlib.sha256(plain.encode("utf-8")).hexdigest()


def create_token(user: User, name: str, *, by_operator: bool = False) -> tuple[ApiToken, str]:
    """A new token for this person: (the stored row, the plain token to show them once).

    by_operator: made on the command line, so the audit log names no person as the actor."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError.one("name", _l("Give the token a name, such as the program that will use it."))
    if len(name) > NAME_MAX:
        raise ServiceError.one("name", _l("A token name can be at most %(num)d characters long.", num=NAME_MAX))
    plain = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(plain), prefix=plain[:PREFIX_LENGTH])
    db.session.add(token)
    audit.record(None if by_operator else user, "api_token.created", token, label=_label(token),
                 owner_id=user.id)
    db.session.commit()
    return token, plain


def _label(token: ApiToken) -> str:
    return f"{token.name} ({token.prefix}…)"


def tokens_of(user: User, include_revoked: bool = False) -> list[ApiToken]:
    """This person's tokens, newest first."""
    query = select(ApiToken).where(ApiToken.user_id == user.id)
    if not include_revoked:
        query = query.where(ApiToken.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def get_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of this person's own tokens; revoking it again changes nothing."""
    token = get_token(token_id)
    if token is None or token.user_id != user.id:
        raise ServiceError.one("", _l("There is no such token."))
    return _revoke(user, token)


def revoke_any_token(token_id: int) -> ApiToken:
    """Revoke any person's token (the command line, run by an operator)."""
    token = get_token(token_id)
    if token is None:
        raise ServiceError.one("", _l("There is no token with the id %(id)d.", id=token_id))
    return _revoke(None, token)


def _revoke(actor, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(actor, "api_token.revoked", token, label=_label(token), owner_id=token.user_id)
        db.session.commit()
    return token


def user_for_token(plain: str | None) -> User | None:
    """The person a presented token belongs to, or None (unknown, revoked, or the account is disabled)."""
    if not plain or not plain.startswith(TOKEN_START) or len(plain) > TOKEN_MAX:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    if token is None or token.revoked_at is not None:
        return None
    user = token.user
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return user


def authenticate(plain: str, ip_address: str) -> User | None:
    """user_for_token, counting every token that finds nobody against the address: after
    API_TOKEN_MAX_FAILURES_PER_ADDRESS in the login window, the address waits (accounts.LoginThrottled)."""
    accounts.check_throttle("api_token", current_app.config["API_TOKEN_MAX_FAILURES_PER_ADDRESS"],
                            message="Too many unknown or revoked tokens from this address.",
                            ip_address=ip_address)
    user = user_for_token(plain)
    if user is None:
        accounts.record_failure("api_token", ip_address)
    return user


def export_tokens(user: User) -> dict:
    """The person's tokens for their data export: names, prefixes and dates, never the hashes."""

    def iso(value):
        return value.isoformat() if value else None

    return {
        "tokens": [
            {"name": t.name, "prefix": t.prefix, "created_at": iso(t.created_at),
             "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at)}
            for t in tokens_of(user, include_revoked=True)
        ]
    }

