"""The demo practices `seed-demo` adds: enough of them, in several languages, valid, and added only once."""
from sqlalchemy import func, select

from network.auth.services import find_user_by_email
from network.demo import seed_demo
from network.extensions import db
from network.practices import services
from network.practices.demo import PRACTICES
from network.practices.models import (
    DRAFT,
    MEMBERS,
    PUBLISHED,
    Comment,
    Practice,
    PracticeRevision,
    PracticeSector,
)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def demo_practices():
    return list(db.session.scalars(select(Practice).where(Practice.external_ref.like("demo-%"))))


def test_seeding_twice_adds_the_practices_and_comments_once(demo):
    first = demo
    assert first["practices"] == len(PRACTICES) >= 30
    assert first["comments"] >= 10
    counts = (count(Practice), count(Comment), count(PracticeRevision))
    second = seed_demo()
    assert (second["practices"], second["comments"]) == (0, 0)
    assert (count(Practice), count(Comment), count(PracticeRevision)) == counts


def test_seed_demo_prints_how_many_practices_and_comments_it_added(demo, runner):
    # The first seeding's whole line: tests/auth/test_cli_users.py (the one test that seeds from nothing).
    assert (demo["users"], demo["practices"], demo["comments"]) == (59, len(PRACTICES), count(Comment))
    assert "0 practices, 0 comments," in runner.invoke(args=["seed-demo"]).output


def test_the_demo_covers_languages_sectors_statuses_and_institutions(demo):
    practices = demo_practices()
    assert len(practices) >= 30
    assert len({p.language for p in practices}) >= 4
    assert {"es", "en", "ro", "fi", "el", "is", "fr"} <= {p.language for p in practices}
    sectors = set(db.session.scalars(select(PracticeSector.sector)))
    assert sectors == {"social", "educational", "mental_health"}
    assert len({p.institution_id for p in practices}) == 8
    assert all(p.country == p.institution.country for p in practices)
    statuses = [p.status for p in practices]
    assert 2 <= statuses.count(DRAFT) <= 3
    assert statuses.count(PUBLISHED) == len(practices) - statuses.count(DRAFT)
    assert any(p.visibility == MEMBERS for p in practices)
    assert all(p.intervention_types and p.tag_names for p in practices)


def test_every_demo_practice_passes_the_form_rules(demo):
    for practice in demo_practices():
        services.validate(services.PracticeData.from_practice(practice), existing=practice)
        for name in ("context", "target_group", "methods", "outcomes"):
            assert getattr(practice, name).strip()


def test_practices_are_written_by_demo_users_of_their_institution(demo):
    for practice in demo_practices():
        assert practice.authors, practice.external_ref
        assert all(user.institution_id == practice.institution_id for user in practice.authors)
        assert practice.revisions[0].author_id == practice.authors[0].id


def test_a_spanish_original_has_an_english_translation(demo):
    original = db.session.scalar(select(Practice).where(Practice.external_ref == "demo-001"))
    translations = services.translations(original)
    assert original.language == "es" and original.translation_of_id is None
    assert [(p.external_ref, p.language, p.translation_of_id) for p in translations] == [
        ("demo-002", "en", original.id)]
    pairs = [p for p in demo_practices() if p.translation_of_id]
    assert len(pairs) >= 2


def test_comments_come_from_demo_users_with_replies(demo):
    comments = list(db.session.scalars(select(Comment)))
    assert len({c.practice_id for c in comments}) >= 5
    assert all(c.author is not None and c.author.email.endswith("@demo.example") for c in comments)
    replies = [c for c in comments if c.parent_id]
    assert replies and all(r.parent.practice_id == r.practice_id for r in replies)


def test_seeding_fills_in_a_deleted_practice_without_doubling_comments(demo):
    db.session.delete(db.session.scalar(select(Practice).where(Practice.external_ref == "demo-030")))
    db.session.commit()
    comments = count(Comment)
    added = seed_demo()
    assert added["practices"] == 1
    assert count(Comment) == comments + 2  # demo-030's question and answer went with it and come back
    assert find_user_by_email("sarah.thompson@demo.example") is not None
