"""Practice rules without HTTP: validation, revisions, visibility, filters, translations."""
import pytest
from sqlalchemy import select

from conftest import practice_data
from network import permissions
from network.audit import AuditEntry
from network.errors import ServiceError
from network.extensions import db
from network.practices import services
from network.practices.models import Practice


def test_valid_data_creates_a_practice_with_its_first_revision(users, make_practice):
    author = users["professional"]
    practice = make_practice(author.institution, actor=author, tags=["Home Visits ", "parenting", "home visits"])
    assert practice.id and practice.status == "published" and practice.published_at is not None
    assert practice.tag_names == ["home visits", "parenting"]
    assert practice.authors == [author]
    assert [r.number for r in practice.revisions] == [1]
    assert practice.revisions[0].data["title"] == "Interfamily group sessions"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "practice.published"))


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"summary": "x" * 501}, "summary"),
        ({"context": "  "}, "context"),
        ({"methods": ""}, "methods"),
        ({"sectors": []}, "sectors"),
        ({"sectors": ["health"]}, "sectors"),
        ({"intervention_types": ["therapy"]}, "intervention_types"),
        ({"country": "XX"}, "country"),
        ({"language": "zz"}, "language"),
        ({"institution": "nowhere"}, "institution"),
        ({"status": "hidden"}, "status"),
        ({"visibility": "secret"}, "visibility"),
        ({"external_link": "javascript:alert(1)"}, "external_link"),
        ({"tags": ["x" * 61]}, "tags"),
    ],
)
def test_invalid_data_is_refused_naming_the_field(users, overrides, field):
    institution = users["professional"].institution
    with pytest.raises(ServiceError) as raised:
        services.create_practice(users["professional"], practice_data(institution, **overrides))
    assert field in raised.value.errors and raised.value.errors[field][0]
    assert db.session.scalar(select(Practice.id)) is None  # nothing stored half-way


def test_codes_are_normalised(users):
    institution = users["professional"].institution
    clean = services.validate(practice_data(institution, country="es", language="ES", sectors="social; Mental_Health",
                                            status="PUBLISHED"))
    assert (clean.country, clean.language, clean.sectors, clean.status) == ("ES", "es", ["social", "mental_health"],
                                                                             "published")


def test_external_reference_is_unique(users, make_practice):
    institution = users["professional"].institution
    make_practice(institution, external_ref="ref-1")
    with pytest.raises(ServiceError) as raised:
        make_practice(institution, external_ref="ref-1", title="Another")
    assert "external_ref" in raised.value.errors


def test_every_save_keeps_a_revision_and_the_diff_shows_the_change(users, make_practice):
    author, colleague = users["professional"], users["institution_admin"]
    practice = make_practice(author.institution, actor=author)
    data = services.PracticeData.from_practice(practice)
    data.methods = "- Fortnightly sessions\n- Three facilitators"
    services.update_practice(colleague, practice, data)
    services.update_practice(colleague, practice, data)  # nothing changed: no new revision
    assert [r.number for r in practice.revisions] == [1, 2]
    assert practice.revisions[1].author == colleague
    assert {a.id for a in practice.authors} == {author.id, colleague.id}
    changes = services.diff_revisions(practice.revisions[0], practice.revisions[1])
    assert [c.name for c in changes] == ["methods"]
    assert ("-", "- Two facilitators") in changes[0].lines and ("+", "- Three facilitators") in changes[0].lines


def test_a_practice_sent_back_as_a_browser_sends_it_keeps_no_new_revision(users, make_practice):
    """Browsers end a textarea's lines with CRLF and send checkboxes in the form's order: saving the edit
    form unchanged kept a revision each time (found by tests/test_form_round_trip.py)."""
    author = users["professional"]
    practice = make_practice(author.institution, actor=author, sectors=["social", "educational"],
                             intervention_types=["group", "family"], tags=["parenting", "groups"])
    data = services.PracticeData.from_practice(practice)
    data.methods = data.methods.replace("\n", "\r\n")
    data.sectors, data.intervention_types = ["educational", "social"], ["family", "group"]
    data.tags = ["groups", "parenting"]
    services.update_practice(author, practice, data)
    assert [r.number for r in practice.revisions] == [1]
    data.methods += "\r\n- A third facilitator"
    services.update_practice(author, practice, data)
    assert [r.number for r in practice.revisions] == [1, 2]
    saved = db.session.get(Practice, practice.id).methods
    assert saved == "- Fortnightly sessions\n- Two facilitators\n- A third facilitator"


def test_visibility_rules_match_in_python_and_sql(users, make_practice, make_institution):
    home = users["professional"].institution
    practices = {
        "public": make_practice(home, title="public"),
        "members": make_practice(home, title="members", visibility="members"),
        "draft": make_practice(home, title="draft", status="draft"),
        "archived": make_practice(home, title="archived", status="archived"),
    }
    from flask_login import AnonymousUserMixin

    expected = {
        "anonymous": {"public"},
        "outsider": {"public", "members"},
        "professional": {"public", "members", "draft", "archived"},
        "pending": {"public"},
        "site_admin": {"public", "members", "draft", "archived"},
    }
    for who, titles in expected.items():
        user = AnonymousUserMixin() if who == "anonymous" else users[who]
        in_python = {t for t, p in practices.items() if permissions.can_view_practice(user, p)}
        in_sql = set(db.session.scalars(select(Practice.title).where(services.visible_to(user))))
        assert in_python == in_sql == titles, who


def test_filters_combine_and_counts_follow_them(users, make_practice, make_institution):
    spain = users["professional"].institution
    romania = make_institution(name="Casa", country="RO", languages=["ro"])
    make_practice(spain, title="A", sectors=["social"], tags=["parenting"])
    make_practice(spain, title="B", sectors=["mental_health"], intervention_types=["peer"])
    make_practice(romania, title="C", sectors=["social"], language="ro", tags=["parenting"])
    anonymous = None

    def titles(**kw):
        query = services.practice_query(anonymous, services.PracticeFilters(**kw))
        return [p.title for p in db.session.scalars(query)]

    assert sorted(titles(sector="social")) == ["A", "C"]
    assert titles(sector="social", country="RO") == ["C"]
    assert titles(tag="Parenting", language="es") == ["A"]
    assert titles(intervention_type="peer") == ["B"]
    assert titles(institution=romania.slug) == ["C"]
    assert titles(sort="title") == ["A", "B", "C"]
    counts = services.facet_counts(anonymous, services.PracticeFilters(sector="social"))
    assert counts["country"] == {"ES": 1, "RO": 1}
    assert counts["sector"] == {"social": 2, "mental_health": 1}  # a facet ignores its own filter


@pytest.mark.parametrize("active", [
    {},
    {"sector": "social"},
    {"country": "RO"},
    {"language": "es", "evidence": "reviewed"},
    {"tag": "parenting", "intervention_type": "peer"},
    {"evidence": "not-a-level", "sort": "title"},
    {"country": "ES", "language": "es", "evidence": "shared", "sector": "mental_health"},
])
@pytest.mark.parametrize("reader", ["anonymous", "professional"])
def test_every_facet_count_is_the_number_of_practices_choosing_it_would_list(
        users, make_practice, make_institution, active, reader):
    spain = users["professional"].institution
    romania = make_institution(name="Casa", country="RO", languages=["ro", "es"])
    rows = [
        (spain, dict(sectors=["social"], tags=["parenting"], reviewed=True)),
        (spain, dict(sectors=["mental_health", "social"], intervention_types=["peer"], reviewed=False)),
        (spain, dict(sectors=["mental_health"], intervention_types=["peer", "group"], tags=["parenting"],
                     visibility="members", reviewed=False)),
        (spain, dict(sectors=["social"], status="draft")),
        (romania, dict(sectors=["social"], language="ro", tags=["parenting"], intervention_types=["peer"])),
        (romania, dict(sectors=["educational"], language="es", reviewed=True)),
    ]
    for n, (owner, overrides) in enumerate(rows):
        reviewed = overrides.pop("reviewed", False)
        practice = make_practice(owner, title=f"Practice {n}", **overrides)
        practice.evidence_level = "reviewed" if reviewed else "shared"  # set by a review in the app
    db.session.commit()
    user = None if reader == "anonymous" else users[reader]
    filters = services.PracticeFilters(**active)

    counts = services.facet_counts(user, filters)

    def listed(**choice) -> int:
        chosen = services.PracticeFilters(**{**active, **choice})
        return len(db.session.scalars(services.practice_query(user, chosen)).all())

    assert set(counts) == {"sector", "intervention_type", "country", "language", "evidence"}
    for facet, values in counts.items():
        for value, count in values.items():
            assert count == listed(**{facet: value}), (facet, value)
    # No value that would list something is missing from its facet.
    for value in ("social", "mental_health", "educational"):
        assert counts["sector"].get(value, 0) == listed(sector=value)
    for value in ("ES", "RO"):
        assert counts["country"].get(value, 0) == listed(country=value)
    for value in ("reviewed", "shared"):
        assert counts["evidence"].get(value, 0) == listed(evidence=value)

def test_facet_counts_are_kept_per_kind_of_reader_until_they_expire(app, users, make_practice, monkeypatch):
    from cachetools import TTLCache

    spain = users["professional"].institution
    make_practice(spain, title="Public one", sectors=["social"])
    make_practice(spain, title="Members' one", sectors=["social"], visibility="members")
    app.config["PRACTICE_FACETS_CACHE_SECONDS"] = 30
    now = [1000.0]
    app.extensions["practice_facets"] = TTLCache(maxsize=1024, ttl=30, timer=lambda: now[0])
    everything = services.PracticeFilters()
    member = users["professional"]

    assert services.facet_counts(None, everything)["sector"] == {"social": 1}
    assert services.facet_counts(member, everything)["sector"] == {"social": 2}  # not the visitor's counts
    make_practice(spain, title="Another public one", sectors=["social"])
    assert services.facet_counts(None, everything)["sector"] == {"social": 1}  # kept
    assert services.facet_counts(None, services.PracticeFilters(country="ES"))["sector"] == {"social": 2}
    now[0] += 31
    assert services.facet_counts(None, everything)["sector"] == {"social": 2}  # expired, counted again


def test_translations_link_to_the_original(users, make_practice):
    home = users["professional"].institution
    original = make_practice(home, language="es")
    english = make_practice(home, language="en", title="Interfamily groups", translation_of_id=original.id)
    french = make_practice(home, language="fr", title="Groupes", translation_of_id=english.id)
    assert french.translation_of_id == original.id  # a translation of a translation links to the original
    assert [p.language for p in services.translations(original)] == ["en", "fr"]
    assert [p.language for p in services.translations(french)] == ["es", "en"]


def test_review_marks_evidence_and_is_audited(users, make_practice):
    practice = make_practice(users["professional"].institution)
    services.mark_reviewed(users["evaluator"], practice)
    assert practice.evidence_level == "reviewed" and practice.reviewed_by == users["evaluator"]
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "practice.reviewed"))
