"""Collections as materials of an event: events (a lower feature) may not import collections, so collections
registers its kind of link from its plug (network.events.materials.register_link_kind)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network import permissions
from network.collections import services
from network.events.materials import LinkKind


def collection_links() -> LinkKind:
    return LinkKind("collection", _l("Collection"), "collections.show", "collection_id", get=services.get,
                    may_view=permissions.can_view_collection, title=lambda collection: collection.title)
