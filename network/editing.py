"""What the content editors share (the self-assessment's questionnaire, the evaluation's surveys): texts typed per
language in a form, and the order of sibling rows (sections, questions, dimensions, statements) by `position`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network.errors import ServiceError
from network.i18n import TEXTS_FALLBACK


def texts_by_language(values, name: str, limit: int, old: dict | None = None, required: bool = True) -> dict:
    """Texts by language from a form ({"en": "...", "es": ""}): the languages given replace the old ones (an empty
    one removes its translation); languages the form does not show are kept. A single text is English's. Errors
    are named "<name>_<language>" (or "<name>" for the missing English text, which readers fall back on)."""
    texts = dict(old or {})
    if values is not None and not isinstance(values, dict):
        values = {TEXTS_FALLBACK: values}
    for language, text in (values or {}).items():
        text = str(text or "").strip()
        if len(text) > limit:
            raise ServiceError.one(f"{name}_{language}", _l("At most %(max)d characters.", max=limit))
        if text:
            texts[language] = text
        else:
            texts.pop(language, None)
    if required and not texts.get(TEXTS_FALLBACK):
        raise ServiceError.one(name, _l("The English text is required: it is shown when a translation is "
                                        "missing."))
    return texts


def next_position(rows) -> int:
    """The position of a row added after its siblings: one past the last (0 for the first), whatever gaps the
    numbering has."""
    return max((row.position for row in rows), default=-1) + 1


def renumber(rows) -> list:
    """The rows in their order, numbered 0..n-1 (after one was added or removed)."""
    rows = sorted(rows, key=lambda row: (row.position, row.id or 0))
    for position, row in enumerate(rows):
        row.position = position
    return rows


def move(rows, row, step: int) -> None:
    """Move a row one place up (-1) or down (+1) among its siblings; the first up or the last down stays."""
    if step not in (-1, 1):
        raise ServiceError.one("", _l("Move up or down by one place."))
    rows = renumber(rows)
    index = rows.index(row)
    other = index + step
    if 0 <= other < len(rows):
        rows[index].position, rows[other].position = other, index
