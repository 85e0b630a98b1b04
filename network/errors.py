"""The one error a service raises when it refuses a change."""
from __future__ import annotations


class ServiceError(Exception):
    """A refused change: field name -> messages fit to show the person ("" or a name no field has: the form as
    a whole). Messages may be lazy strings: they are rendered in the reader's language when shown."""

    def __init__(self, errors: dict[str, list]):
        super().__init__("; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in errors.items()))
        self.errors = errors

    @classmethod
    def one(cls, name: str, message) -> "ServiceError":
        return cls({name: [message]})

    @property
    def messages(self) -> list[str]:
        """Every message, in the reader's language, field after field."""
        return [str(message) for messages in self.errors.values() for message in messages]

    @property
    def text(self) -> str:
        """Every message, as one sentence after another (for a flash message)."""
        return " ".join(self.messages)
