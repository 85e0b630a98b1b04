"""(being written) Surveys: sending at their moments, answering, results."""
from __future__ import annotations


def send_due(today=None) -> dict:
    return {}
