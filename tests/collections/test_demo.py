"""The demo collections that `seed-demo` adds: the published manual and the toolbox, once."""
from sqlalchemy import select

from network.collections.demo import MANUAL_TITLE, TOOLBOX_TITLE
from network.collections.models import Collection
from network.extensions import db


def test_seed_demo_adds_the_published_manual_and_the_toolbox_once(demo, runner):
    assert demo["collections"] == 2  # its line in seed-demo's output: tests/auth/test_cli_users.py

    manual = db.session.scalar(select(Collection).where(Collection.title == MANUAL_TITLE))
    assert manual.kind == "manual" and manual.visibility == "public"
    assert manual.partnership is not None  # owned by the demo partnership
    assert len(manual.chapters) == 3 and all(c.introduction for c in manual.chapters)
    assert len(manual.items) >= 12
    assert all(i.practice.status == "published" and i.practice.visibility == "public" for i in manual.items)
    assert sum(1 for i in manual.items if i.note) >= 3
    assert [e.number for e in manual.editions] == [1]
    contents = manual.editions[0].contents
    assert contents["title"] == MANUAL_TITLE
    assert [c["title"] for c in contents["chapters"]] == [c.title for c in manual.chapters]
    frozen = [item for chapter in contents["chapters"] for item in chapter["items"]]
    assert len(frozen) == len(manual.items) and all(item["sections"] for item in frozen)

    toolbox = db.session.scalar(select(Collection).where(Collection.title == TOOLBOX_TITLE))
    assert toolbox.kind == "toolbox" and toolbox.items and not toolbox.editions

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "0 collections)" in again.output
    assert db.session.scalar(select(db.func.count(Collection.id))) == 2
    assert [e.number for e in manual.editions] == [1]
