"""What the JSON API holds about a person: their access tokens (see network/auth/personal_data.py)."""
from __future__ import annotations

from sqlalchemy import delete

from network.api.models import ApiToken
from network.api.tokens import export_tokens
from network.extensions import db

TABLES = {
    "api_tokens": "exported (names, prefixes and dates, never the hashes); erased",
}

export = export_tokens


def erase(user) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
