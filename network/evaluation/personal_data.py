"""(being written) What the evaluation stores about a person: their export and their erasure."""
from __future__ import annotations


def export(user) -> dict:
    return {}


def erase(user) -> None:
    return None
