"""Institution and partnership services: slugs, filters, partnership rules, audit entries."""
from datetime import date

import pytest
from sqlalchemy import func, select

from network.audit import AuditEntry
from network.errors import ServiceError
from network.extensions import db
from network.institutions import services
from network.institutions.models import Institution, Partnership
from network.institutions.services import InstitutionData, PartnershipData


def _partnership_data(coordinator, partners=(), reference="2025-1-ES01-KA220-ADU-000123",
                      start=date(2025, 11, 1), end=date(2027, 10, 31), title="Family resources"):
    return PartnershipData(
        title=title, reference=reference, start_date=start, end_date=end,
        coordinating_institution=coordinator, partners=list(partners),
    )


@pytest.fixture
def request_context(app):
    """The error messages are translated, and the locale is chosen per request."""
    with app.test_request_context("/"):
        yield


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- slugs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fundación Pública", "fundacion-publica"),
        ("Fundación Pública Andaluza", "fundacion-publica-andaluza"),
        ("  Asociația Casa Deschisă, Arad! ", "asociatia-casa-deschisa-arad"),
        ("Kéntro -- Ψυχικής Υγείας 2", "kentro-2"),
        ("UPPER case", "upper-case"),
        ("???", "institution"),
        ("", "institution"),
    ],
)
def test_slugify(text, expected):
    assert services.slugify(text) == expected


def test_slugify_truncates_without_trailing_hyphen():
    slug = services.slugify("abcd " * 40, max_length=12)
    assert slug == "abcd-abcd-ab"
    assert len(services.slugify("x" * 200)) == 80
    assert not services.slugify("abcd efgh", max_length=5).endswith("-")


def test_unique_slug_numbers_later_institutions_of_the_same_name(make_institution):
    first = make_institution(name="Fundación Pública")
    second = make_institution(name="Fundación Pública")
    third = make_institution(name="FUNDACION publica")
    assert first.slug == "fundacion-publica"
    assert second.slug == "fundacion-publica-2"
    assert third.slug == "fundacion-publica-3"
    # The institution itself does not collide with its own slug.
    assert services.unique_slug("Fundación Pública", exclude_id=first.id) == "fundacion-publica"
    assert services.unique_slug("Fundación Pública") == "fundacion-publica-4"
    assert services.get_by_slug("fundacion-publica-2") == second


def test_unique_slug_of_a_long_name_fits_the_column(make_institution):
    name = "Asociación " + "muy " * 40
    first = make_institution(name=name)
    second = make_institution(name=name)
    assert len(first.slug) <= 80 and len(second.slug) <= 80
    assert second.slug == first.slug + "-2"


# --- lookups --------------------------------------------------------------------------------------


@pytest.fixture
def mixed_institutions(make_institution):
    return {
        "ro_mental": make_institution(
            name="Bucharest Mind", country="RO", sectors=("mental_health", "social")
        ),
        "ro_social": make_institution(name="Arad Families", country="RO", sectors=("social",)),
        "es_mental": make_institution(name="Sevilla Mind", country="ES", sectors=("mental_health",)),
        "fi_school": make_institution(name="Helsinki School", country="FI", sectors=("educational",)),
    }


def _names(institutions):
    return [i.name for i in institutions]


def test_filter_institutions_by_country(mixed_institutions):
    assert _names(services.filter_institutions(country="RO")) == ["Arad Families", "Bucharest Mind"]
    assert _names(services.filter_institutions(country="ro")) == ["Arad Families", "Bucharest Mind"]
    assert services.filter_institutions(country="IS") == []


def test_filter_institutions_by_sector(mixed_institutions):
    assert _names(services.filter_institutions(sector="mental_health")) == ["Bucharest Mind", "Sevilla Mind"]
    assert _names(services.filter_institutions(sector="educational")) == ["Helsinki School"]


def test_filter_institutions_by_country_and_sector(mixed_institutions):
    assert _names(services.filter_institutions(country="RO", sector="mental_health")) == ["Bucharest Mind"]
    assert _names(services.filter_institutions(country="RO", sector="social")) == [
        "Arad Families", "Bucharest Mind",
    ]
    assert services.filter_institutions(country="ES", sector="educational") == []


def test_filter_institutions_without_filters_lists_all_by_name(mixed_institutions):
    assert _names(services.filter_institutions()) == [
        "Arad Families", "Bucharest Mind", "Helsinki School", "Sevilla Mind",
    ]


def test_countries_in_use_and_approved_members(mixed_institutions, make_user):
    assert services.countries_in_use() == ["ES", "FI", "RO"]
    home = mixed_institutions["ro_social"]
    approved = make_user(institution=home, name="Zoe Approved")
    make_user(institution=home, name="Paul Pending", status="pending")
    make_user(institution=home, name="Dan Declined", status="declined")
    assert services.approved_members(home) == [approved]


# --- institutions ---------------------------------------------------------------------------------


def test_create_institution_normalises_data_and_is_audited(make_user):
    admin = make_user("site_admin")
    institution = services.create_institution(
        admin,
        InstitutionData(
            name="  Fundación Pública  ", country="es", city=" Sevilla ",
            sectors=["social", "social", "educational"],
            languages=["ES", "en"], website=" https://example.org ", contact_email=" info@example.org ",
        ),
    )
    db.session.expire_all()
    assert institution.name == "Fundación Pública"
    assert institution.slug == "fundacion-publica"
    assert institution.country == "ES"
    assert institution.city == "Sevilla"
    assert institution.sectors == ["educational", "social"]  # duplicates dropped, stored ordered
    assert institution.languages == ["en", "es"]
    assert institution.website == "https://example.org"
    assert institution.contact_email == "info@example.org"
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "institution.created", AuditEntry.target_id == institution.id
        )
    )
    assert entry is not None
    assert entry.actor_id == admin.id
    assert entry.target_type == "institution"
    assert entry.target_label == "Fundación Pública"


def test_update_institution_keeps_the_slug_and_is_audited(make_institution, make_user):
    institution = make_institution(name="Old Name", sectors=("social",), languages=("es",))
    admin = make_user("site_admin")
    services.update_institution(
        admin, institution,
        InstitutionData(name="New Name", country="RO", sectors=["mental_health"], languages=["ro"]),
    )
    db.session.expire_all()
    assert institution.name == "New Name"
    assert institution.slug == "old-name"
    assert institution.country == "RO"
    assert institution.sectors == ["mental_health"]
    assert institution.languages == ["ro"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "institution.updated"))
    assert entry.actor_id == admin.id and entry.target_id == institution.id


# --- partnerships ---------------------------------------------------------------------------------


def test_create_partnership_adds_the_coordinator_to_the_partners(make_institution):
    coordinator = make_institution(name="Coordinator")
    partner = make_institution(name="Partner")
    partnership = services.create_partnership(None, _partnership_data(coordinator, [partner]))
    db.session.expire_all()
    assert partnership.coordinating_institution == coordinator
    assert {i.id for i in partnership.partners} == {coordinator.id, partner.id}
    assert partnership in coordinator.partnerships


def test_create_partnership_does_not_list_the_coordinator_twice(make_institution):
    coordinator = make_institution(name="Coordinator")
    partner = make_institution(name="Partner")
    partnership = services.create_partnership(
        None, _partnership_data(coordinator, [coordinator, partner, partner])
    )
    db.session.expire_all()
    assert [i.name for i in partnership.partners] == ["Coordinator", "Partner"]


def test_create_partnership_with_only_the_coordinator(make_institution):
    coordinator = make_institution(name="Alone")
    partnership = services.create_partnership(None, _partnership_data(coordinator))
    db.session.expire_all()
    assert partnership.partners == [coordinator]


def test_update_partnership_keeps_the_coordinator_among_partners(
    make_institution, make_partnership, make_user
):
    first = make_institution(name="First")
    second = make_institution(name="Second")
    third = make_institution(name="Third")
    partnership = make_partnership(coordinator=first, partners=[second])
    actor = make_user("coordinator", institution=first)

    # The partner list sent without the coordinator: the coordinator stays.
    services.update_partnership(
        actor, partnership, _partnership_data(first, [third], reference=partnership.reference)
    )
    db.session.expire_all()
    assert {i.name for i in partnership.partners} == {"First", "Third"}

    # A new coordinating institution becomes a partner too.
    services.update_partnership(
        actor, partnership, _partnership_data(second, [], reference=partnership.reference)
    )
    db.session.expire_all()
    assert partnership.coordinating_institution_id == second.id
    assert [i.name for i in partnership.partners] == ["Second"]
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "partnership").order_by(AuditEntry.id)
    ).all()
    assert actions == ["partnership.created", "partnership.updated", "partnership.updated"]


def test_partnership_ending_before_it_starts_is_refused(make_institution, request_context):
    coordinator = make_institution()
    with pytest.raises(ServiceError) as raised:
        services.create_partnership(
            None, _partnership_data(coordinator, start=date(2026, 5, 1), end=date(2026, 4, 30))
        )
    assert set(raised.value.errors) == {"end_date"}
    assert "end date" in raised.value.text
    db.session.rollback()
    assert _count(Partnership) == 0


def test_partnership_of_one_day_is_accepted(make_institution):
    coordinator = make_institution()
    partnership = services.create_partnership(
        None, _partnership_data(coordinator, start=date(2026, 5, 1), end=date(2026, 5, 1))
    )
    assert partnership.id is not None


def test_update_refuses_end_before_start_and_changes_nothing(
    make_institution, make_partnership, request_context
):
    coordinator = make_institution()
    partnership = make_partnership(coordinator=coordinator, title="Unchanged")
    with pytest.raises(ServiceError) as raised:
        services.update_partnership(
            None, partnership,
            _partnership_data(coordinator, reference=partnership.reference, title="Changed",
                              start=date(2027, 1, 1), end=date(2026, 1, 1)),
        )
    assert set(raised.value.errors) == {"end_date"}
    db.session.rollback()
    db.session.expire_all()
    assert partnership.title == "Unchanged"
    assert partnership.start_date == date(2025, 11, 1)


def test_duplicate_reference_is_refused_case_insensitively(
    make_institution, make_partnership, request_context
):
    coordinator = make_institution()
    make_partnership(coordinator=coordinator, reference="2025-1-ES01-KA220-ADU-000123")
    with pytest.raises(ServiceError) as raised:
        services.create_partnership(
            None, _partnership_data(coordinator, reference=" 2025-1-es01-ka220-adu-000123 ")
        )
    assert set(raised.value.errors) == {"reference"}
    assert "reference" in raised.value.text
    db.session.rollback()
    assert _count(Partnership) == 1
    assert services.reference_taken("2025-1-ES01-KA220-adu-000123")
    assert not services.reference_taken("2025-1-ES01-KA220-ADU-000124")


def test_update_may_keep_its_own_reference_but_not_take_another(
    make_institution, make_partnership, request_context
):
    coordinator = make_institution()
    first = make_partnership(coordinator=coordinator, reference="REF-ONE")
    second = make_partnership(coordinator=coordinator, reference="REF-TWO")

    services.update_partnership(
        None, first, _partnership_data(coordinator, reference="ref-one", title="Renamed")
    )
    db.session.expire_all()
    assert first.reference == "ref-one" and first.title == "Renamed"

    with pytest.raises(ServiceError) as raised:
        services.update_partnership(None, second, _partnership_data(coordinator, reference="REF-ONE"))
    assert set(raised.value.errors) == {"reference"}
    db.session.rollback()
    db.session.expire_all()
    assert second.reference == "REF-TWO"


def test_reference_is_stored_trimmed(make_institution):
    partnership = services.create_partnership(
        None, _partnership_data(make_institution(), reference="  REF-9  ")
    )
    db.session.expire_all()
    assert partnership.reference == "REF-9"


def test_network_stats(make_institution, make_partnership, make_user):
    spain = make_institution(country="ES")
    romania = make_institution(country="RO")
    make_partnership(coordinator=spain, partners=[romania])
    make_user(institution=spain)
    make_user(institution=romania, status="pending")
    stats = services.network_stats()
    assert stats == {"institutions": 2, "countries": 2, "partnerships": 1, "members": 1}
    assert _count(Institution) == 2


def test_partnership_error_outside_a_request(make_institution):
    with pytest.raises(ServiceError):
        services.create_partnership(
            None, _partnership_data(make_institution(), start=date(2026, 5, 1), end=date(2026, 4, 30))
        )
