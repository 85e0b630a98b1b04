"""What collections put on the home page (network/home.py): the collections that changed lately, in the person's
languages or edited by them, and, for visitors, the network's manuals (public manuals with an edition)."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from network import home
from network.collections.models import MANUAL, PUBLIC, Collection, CollectionEdition
from network.collections.services import collections_visible_to, editable_by
from network.extensions import db
from network.institutions.models import Institution, Partnership


def news(user) -> list[home.HomeItem]:
    """Collections the person may see (permissions.can_view_collection) changed lately: a new edition, or their
    working contents; those in the person's languages and those they edit."""
    _sectors, languages = home.interests(user)
    newest_edition = (select(func.max(CollectionEdition.published_at))
                      .where(CollectionEdition.collection_id == Collection.id).scalar_subquery())
    latest_number = (select(func.max(CollectionEdition.number))
                     .where(CollectionEdition.collection_id == Collection.id).scalar_subquery())
    rows = db.session.execute(
        select(Collection.id, Collection.title, Collection.language, Collection.updated_at,
               newest_edition.label("edition_at"), latest_number.label("number"))
        .where(collections_visible_to(user), Collection.updated_at >= home.since(),
               or_(Collection.language.in_(languages), editable_by(user)))
        .order_by(Collection.updated_at.desc(), Collection.id.desc()).limit(home.LIMIT)).all()
    items = []
    for row in rows:
        title = {"title": home.Text(row.title, row.language)}
        if row.edition_at is not None and row.edition_at >= home.since():
            items.append(home.HomeItem(
                "new_edition", _l("New edition of %(title)s"),
                url_for("collections.edition", collection_id=row.id, number=row.number), title, when=row.edition_at))
        else:
            items.append(home.HomeItem("changed_collection", _l("Changed lately: %(title)s"),
                                       url_for("collections.show", collection_id=row.id), title, when=row.updated_at))
    return items


def showcase(visitor) -> list[home.Showcase]:
    """The public manuals with a published edition, the newest edition first, each opening as its book."""
    latest = (select(CollectionEdition.collection_id, func.max(CollectionEdition.number).label("number"))
              .group_by(CollectionEdition.collection_id).subquery())
    owner = func.coalesce(Institution.name, Partnership.title).label("owner")
    rows = db.session.execute(
        select(Collection.id, Collection.title, Collection.language, latest.c.number, CollectionEdition.published_at,
               owner)
        .join(latest, latest.c.collection_id == Collection.id)
        .join(CollectionEdition, (CollectionEdition.collection_id == Collection.id)
              & (CollectionEdition.number == latest.c.number))
        .outerjoin(Institution, Collection.institution_id == Institution.id)
        .outerjoin(Partnership, Collection.partnership_id == Partnership.id)
        .where(Collection.kind == MANUAL, Collection.visibility == PUBLIC)
        .order_by(CollectionEdition.published_at.desc(), Collection.id.desc()).limit(3)).all()
    if not rows:
        return []
    items = tuple(home.HomeItem(
        "manual", home.Text(row.title, row.language),
        url_for("collections.edition", collection_id=row.id, number=row.number), when=row.published_at,
        details=(home.Words(_l("By %(owner)s; edition %(number)s, %(date)s"),
                            {"owner": home.Text(row.owner), "number": row.number, "date": row.published_at}),))
        for row in rows)
    return [home.Showcase(_l("The manual"), items, url_for("collections.index", kind=MANUAL),
                          _l("All the collections"), 20)]


def connect() -> None:
    home.connect(news=news, showcase=showcase)
