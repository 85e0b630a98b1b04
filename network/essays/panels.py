"""What essays show on the pages of lower features (network/panels.py): receivers of their page signals,
connected in the feature's init_app."""
from __future__ import annotations

from flask import render_template
from sqlalchemy.orm import selectinload

from network.essays.models import PUBLISHED, Essay
from network.essays.services import ArchiveFilters, archive_query, author_label
from network.events.services import is_over
from network.extensions import db


def event_panel(event, viewer) -> str | None:
    """events.signals.event_page: once the event is over, the published essays written for it that the viewer
    may read (the archive's rule), each author shown as the essay's display allows."""
    if not is_over(event):
        return None
    essays = db.session.scalars(archive_query(viewer, ArchiveFilters(event=event.id, status=PUBLISHED, sort="title"))
                                .options(selectinload(Essay.author))).all()
    return render_template("essays/_event_essays.html", event=event,
                           essays=[(essay, author_label(essay, viewer)) for essay in essays])
