"""What practices show on the pages of lower features (network/panels.py): receivers of their page signals,
connected in the feature's init_app."""
from __future__ import annotations

from flask import render_template

from network.practices.services import institution_practices


def institution_panel(institution, viewer) -> str:
    """institutions.signals.institution_page: the institution's newest practices the viewer may see."""
    practices, practice_total = institution_practices(institution, viewer)
    return render_template("practices/_institution_practices.html", institution=institution,
                           practices=practices, practice_total=practice_total)
