"""Helpers shared by the features' forms: reading numbers and lists typed in a form, and putting a
service's error messages back on the fields they are about."""
from __future__ import annotations

import re


def whole_number(text, digits: int = 9) -> int | None:
    """A whole number typed in a form, or None. ASCII digits only ("²".isdigit() is true), and short: an id
    past the database's integer range would be an error instead of "not found"."""
    text = str(text or "").strip()
    return int(text) if re.fullmatch(r"[0-9]{1,%d}" % digits, text) else None


def as_id(text) -> int | None:
    """A database id chosen or typed in a form (ids start at 1), or None."""
    return whole_number(text, digits=18) or None


def comma_list(text: str | None) -> list[str]:
    """"a, b, c" -> ["a", "b", "c"]: how people type tags."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


class ServiceErrors:
    """Mixed into a form: a service error's messages go on the fields they are about, the others in
    general_errors, which the shared error summary (templates/_forms.html) shows first."""

    RENAMED: dict[str, str] = {}  # the service's name -> the form's field
    NOT_FIELDS = ("submit", "save", "csrf_token")

    @property
    def general_errors(self) -> list[str]:
        if "_general_errors" not in self.__dict__:
            self._general_errors = []
        return self._general_errors

    def show_errors(self, errors: dict) -> None:
        for name, messages in errors.items():
            texts = [str(m) for m in messages]
            target = self.RENAMED.get(name, name)
            if target in self and target not in self.NOT_FIELDS:
                field = self[target]
                field.errors = [e for e in field.errors if isinstance(e, str)] + texts
            else:
                self.general_errors.extend(texts)
