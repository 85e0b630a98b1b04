"""Demo collections for `seed-demo`: the partnership's published "Manual of family and community resources"
(15 public practices in three chapters, edition 1) and a members-only toolbox of activities that is still
being edited (no edition). Made through network.collections.services, as editors would; a collection that
already exists (matched by its title and owner) is left as it is, so running seed-demo again adds nothing
and keeps what people changed in the demo."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from network.auth.models import User
from network.collections import services as collections
from network.collections.models import Collection
from network.extensions import db
from network.institutions.models import Institution, Partnership
from network.practices.models import Practice

MANUAL_TITLE = "Manual of family and community resources"
TOOLBOX_TITLE = "Toolbox of group activities with families"

MANUAL_INTRODUCTION = """\
This manual gathers what the eight partner institutions learnt about **the resources families and
communities already have**, and how services can help families use them. Each chapter opens with what
the practices in it have in common; the editors' notes say why a practice was chosen and what to read
it with.

The practices are printed in the language they were written in. Read them with a colleague who speaks
it, or with a translation tool: the methods travel better than the words."""

# chapter title, introduction, [(practice external_ref, editor's note)]
MANUAL_CHAPTERS = [
    ("Families supporting families",
     "Groups in which parents learn from other parents: the professional's role is to open the space and "
     "step back. These practices share three ingredients: regular meetings, a stable group and a shared "
     "snack.",
     [("demo-002", "The reference practice of the partnership: start here."),
      ("demo-008", ""),
      ("demo-015", "A light version for parents of babies, run with volunteer peer leaders."),
      ("demo-023", "Peer support when a parent lives with a mental-health problem (the English version of "
                   "the Reykjavík write-up)."),
      ("demo-031", "")]),
    ("Reaching families at home and at school",
     "Home visits and school social work bring the service to where families already are. The practices "
     "differ in who visits and how often, but all of them agree on one thing: the first visit is to listen.",
     [("demo-003", "Compare with the Reykjavík and Thessaloniki home visits: same age group, different "
                   "professionals."),
      ("demo-024", ""),
      ("demo-027", ""),
      ("demo-009", "School social work that prevents early school leaving; see also the Thessaloniki "
                   "practice below."),
      ("demo-028", "")]),
    ("Community resources and the family's own network",
     "When the family itself, its relatives and its neighbourhood make the plan, services become one "
     "resource among others. These practices map what a neighbourhood offers and give families the "
     "first word.",
     [("demo-005", "The community map began as a paper map in a waiting room: a good first step."),
      ("demo-012", ""),
      ("demo-030", "Family group conferencing as Leeds runs it before care proceedings; the Brussels "
                   "practice above is the same model in Flanders."),
      ("demo-033", ""),
      ("demo-007", "")]),
]

TOOLBOX_INTRODUCTION = """\
Activities professionals can run with the families they work with, collected while the partnership's
visits went on. **A working toolbox**: its editors add activities as they try them; it is not published
yet."""

TOOLBOX_CHAPTERS = [
    ("Activities with parents", "",
     [("demo-004", "Members only: the group's materials are shared within the network."),
      ("demo-020", "Homework afternoons where parents and children work side by side."),
      ("demo-032", "")]),
    ("Activities with children and parents together", "",
     [("demo-019", "Multilingual workshops: bring picture books in every family's language."),
      ("demo-013", "")]),
]


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _practices(refs) -> dict[str, Practice]:
    query = select(Practice).where(Practice.external_ref.in_(refs))
    return {p.external_ref: p for p in db.session.scalars(query)}


def _exists(title: str, owner) -> bool:
    owner_column = Collection.institution_id if isinstance(owner, Institution) else Collection.partnership_id
    query = select(Collection.id).where(Collection.title == title, owner_column == owner.id)
    return db.session.scalar(query) is not None


def _fill(editor, collection: Collection, chapters) -> None:
    refs = [ref for _title, _intro, items in chapters for ref, _note in items]
    by_ref = _practices(refs)
    for title, introduction, items in chapters:
        chapter = collections.add_chapter(editor, collection, title, introduction)
        for ref, note in items:
            practice = by_ref.get(ref)
            if practice is not None:
                collections.add_item(editor, collection, practice_id=practice.id, chapter_id=chapter.id,
                                     note=note)


def seed_demo_collections(partnership_reference: str, coordinator_email: str,
                          institution_admin_email: str) -> dict[str, int]:
    """Create the demo manual (published as edition 1) and toolbox if missing; return how many were added.

    Needs the demo partnership, its coordinator, the Sevilla admin and the demo practices."""
    added = {"collections": 0}
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == partnership_reference))
    coordinator, admin = _user(coordinator_email), _user(institution_admin_email)
    if partnership is None or coordinator is None or admin is None:
        return added
    # The PDF of the demo edition is made when someone first asks for it, not by seed-demo (a command
    # that ends at once would leave a half-started background build).
    config = current_app.config
    builder = config.get("COLLECTIONS_PDF_BUILDER")
    config["COLLECTIONS_PDF_BUILDER"] = "off"
    try:
        if not _exists(MANUAL_TITLE, partnership):
            manual = collections.create_collection(coordinator, collections.CollectionData(
                title=MANUAL_TITLE, introduction=MANUAL_INTRODUCTION, kind="manual", visibility="public",
                language="en", owner=collections.owner_key(partnership)))
            _fill(coordinator, manual, MANUAL_CHAPTERS)
            collections.publish_edition(coordinator, manual)
            added["collections"] += 1
        home = admin.institution
        if home is not None and not _exists(TOOLBOX_TITLE, home):
            toolbox = collections.create_collection(admin, collections.CollectionData(
                title=TOOLBOX_TITLE, introduction=TOOLBOX_INTRODUCTION, kind="toolbox", visibility="members",
                language="en", owner=collections.owner_key(home)))
            _fill(admin, toolbox, TOOLBOX_CHAPTERS)
            added["collections"] += 1
    finally:
        if builder is None:
            config.pop("COLLECTIONS_PDF_BUILDER", None)
        else:
            config["COLLECTIONS_PDF_BUILDER"] = builder
    return added
