"""What collections show on the pages of lower features (network/panels.py): receivers of their page signals,
connected in the feature's init_app."""
from __future__ import annotations

from flask import render_template

from network.collections.services import collections_of_essay, collections_of_practice, essay_may_be_collected

PANEL = "collections/_practice_collections.html"


def practice_panel(practice, viewer) -> str:
    """practices.signals.practice_page: the collections holding the practice, and the form to add it to one."""
    return render_template(PANEL, practice=practice, in_collections=collections_of_practice(viewer, practice))


def essay_panel(essay, viewer) -> str:
    """essays.signals.essay_page: the same for an essay, which only members-only collections may hold."""
    return render_template(PANEL, add_name="essay_id", add_id=essay.id, may_add=essay_may_be_collected(essay),
                           members_only=True, in_collections=collections_of_essay(viewer, essay))
