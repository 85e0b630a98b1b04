"""A notification: one line for one person, with a link to what it is about."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from network.extensions import db
from network.types import UTCDateTime, utcnow

MESSAGE_MAX, LINK_MAX = 500, 300


class Notification(db.Model):
    """message: the text in the recipient's language when it was written (older rows have only this);
    message_id and params: the interface's message and its values, rendered in the reader's language now."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(String(MESSAGE_MAX))
    link: Mapped[str] = mapped_column(String(LINK_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(MESSAGE_MAX))
    params: Mapped[dict | None] = mapped_column(JSON)

    @property
    def text(self) -> str:
        """What the reader sees, in their language now (the stored text if the message cannot be rendered)."""
        if self.message_id:
            try:
                return gettext(self.message_id, **_values(self.params or {}))[:MESSAGE_MAX]
            except (KeyError, ValueError, TypeError):
                pass
        return self.message


# What an account's deletion leaves in the values instead of the name (network.auth.services.FORMER_MEMBER).
FORMER_MEMBER = "former member"


def _values(params: dict) -> dict:
    """The message's values, a deleted account's "former member" in the reader's language."""
    return {name: value.replace(FORMER_MEMBER, gettext("former member")) if isinstance(value, str) else value
            for name, value in params.items()}
