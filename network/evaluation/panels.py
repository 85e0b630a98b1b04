"""(being written) The evaluation's panels on other features' pages."""
from __future__ import annotations


def visit_panel(visit, viewer=None, **extra):
    return None


def dashboard_panel(partnership, viewer=None, **extra):
    return None


def institution_panel(institution, viewer=None, **extra):
    return None


def partnership_panel(partnership, viewer=None, **extra):
    return None
