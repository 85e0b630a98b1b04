"""(being written) Sessions back home."""
from __future__ import annotations

FOLDER = "evaluation"


def remind(today=None) -> int:
    return 0
