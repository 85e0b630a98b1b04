"""Institution pages: the filtered list, an institution's page, creating and editing, error pages."""
import pytest
from sqlalchemy import event, func, select

from conftest import read_html
from network.audit import AuditEntry
from network.auth.models import INSTITUTION_ADMIN, PENDING
from network.extensions import db
from network.institutions.models import Institution


def login(auth, user):
    response = auth.login(user)
    assert response.status_code == 302, "login failed"
    return response


def card_names(response) -> set[str]:
    return {a.get_text(strip=True) for a in read_html(response).select(".card-title a")}


def institution_count() -> int:
    return db.session.scalar(select(func.count(Institution.id)))


# --- the list -------------------------------------------------------------------------------------


@pytest.fixture
def listed(make_institution):
    return [
        make_institution(name="Bucharest Mind", country="RO", city="Bucharest",
                         sectors=("mental_health", "social")),
        make_institution(name="Arad Families", country="RO", city="Arad", sectors=("social",)),
        make_institution(name="Helsinki Mind", country="FI", city="Helsinki", sectors=("mental_health",)),
        make_institution(name="Sevilla School", country="ES", sectors=("educational",)),
    ]


def test_list_shows_every_institution(client, listed):
    response = client.get("/institutions/")
    assert response.status_code == 200
    assert card_names(response) == {"Bucharest Mind", "Arad Families", "Helsinki Mind", "Sevilla School"}
    assert "4 institutions" in read_html(response).select_one("p[role=status]").get_text()


def test_list_filters_by_country(client, listed):
    response = client.get("/institutions/?country=RO")
    assert response.status_code == 200
    assert card_names(response) == {"Bucharest Mind", "Arad Families"}
    selected = read_html(response).select_one("#filter-country option[selected]")
    assert selected["value"] == "RO" and selected.get_text(strip=True) == "Romania"


def test_list_country_filter_ignores_case(client, listed):
    assert card_names(client.get("/institutions/?country=ro")) == {"Bucharest Mind", "Arad Families"}


def test_list_filters_by_sector(client, listed):
    response = client.get("/institutions/?sector=mental_health")
    assert card_names(response) == {"Bucharest Mind", "Helsinki Mind"}
    assert read_html(response).select_one("#filter-sector option[selected]")["value"] == "mental_health"


def test_list_filters_by_country_and_sector(client, listed):
    response = client.get("/institutions/?country=RO&sector=mental_health")
    assert card_names(response) == {"Bucharest Mind"}
    assert "1 institution" in read_html(response).select_one("p[role=status]").get_text()


def test_list_ignores_an_unknown_sector(client, listed):
    response = client.get("/institutions/?sector=astrology")
    assert response.status_code == 200
    assert card_names(response) == {"Bucharest Mind", "Arad Families", "Helsinki Mind", "Sevilla School"}
    assert read_html(response).select_one("#filter-sector option[selected]") is None


def test_list_with_no_match_says_so(client, listed):
    response = client.get("/institutions/?country=IS")
    assert response.status_code == 200
    assert card_names(response) == set()
    assert "No institution matches these filters." in response.get_data(as_text=True)


def test_list_offers_only_countries_in_use(client, listed):
    html = read_html(client.get("/institutions/"))
    codes = [o["value"] for o in html.select("#filter-country option") if o["value"]]
    assert codes == ["FI", "RO", "ES"]  # Finland, Romania, Spain: by name (tests/institutions/test_country_filter.py)


def test_add_button_only_for_site_admins(client, auth, users):
    assert read_html(client.get("/institutions/")).select_one('a[href="/institutions/new"]') is None
    login(auth, users["institution_admin"])
    assert read_html(client.get("/institutions/")).select_one('a[href="/institutions/new"]') is None
    auth.logout()
    login(auth, users["site_admin"])
    assert read_html(client.get("/institutions/")).select_one('a[href="/institutions/new"]') is not None


def test_list_does_not_query_once_per_institution(app, client, make_institution):
    for n in range(15):
        make_institution(name=f"Institution {n:02d}", country=("ES", "RO", "FI")[n % 3],
                         sectors=("social", "mental_health"), languages=("es", "en"))
    db.session.expunge_all()  # nothing already loaded: the page must fetch all it shows
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get("/institutions/")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    assert len(card_names(response)) == 15
    assert len(statements) < 10, "\n".join(statements)


# --- an institution's page ------------------------------------------------------------------------


@pytest.fixture
def arad(make_institution):
    return make_institution(
        name="Asociația Casa Deschisă", country="RO", city="Arad", sectors=("social", "mental_health"),
        languages=("ro", "hu", "en"), website="https://casa.example.org",
        contact_email="contact@casa.example.org",
        description="First paragraph.\n\nSecond paragraph.",
    )


def test_institution_page_shows_its_facts(client, arad):
    response = client.get(f"/institutions/{arad.slug}")
    assert response.status_code == 200
    html = read_html(response)
    assert html.h1.get_text(strip=True) == "Asociația Casa Deschisă"
    facts = html.select_one("dl.facts").get_text(" ", strip=True)
    assert "Arad, Romania" in facts
    assert "Mental health" in facts and "Social" in facts
    languages = {span.get_text(strip=True): span["lang"] for span in html.select("dl.facts span[lang]")}
    assert languages == {"English": "en", "Hungarian": "hu", "Romanian": "ro"}
    assert html.select_one('a[href="https://casa.example.org"]') is not None
    assert html.select_one('a[href="mailto:contact@casa.example.org"]') is not None
    assert [p.get_text() for p in html.select(".prose p")] == ["First paragraph.", "Second paragraph."]


def test_institution_page_lists_its_partnerships(client, arad, make_partnership):
    partnership = make_partnership(coordinator=arad, title="Open doors")
    html = read_html(client.get(f"/institutions/{arad.slug}"))
    assert html.select_one(f'a[href="/partnerships/{partnership.id}"]').get_text(strip=True) == "Open doors"


def test_unknown_institution_is_404(client):
    assert client.get("/institutions/no-such-place").status_code == 404


def test_institution_page_escapes_what_was_typed(client, make_institution):
    institution = make_institution(name="<script>alert(1)</script>", description="<b>bold</b>")
    body = client.get(f"/institutions/{institution.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body
    assert "<b>bold</b>" not in body


def _headings(response) -> list[str]:
    return [h.get_text(strip=True) for h in read_html(response).select("h2")]


def test_members_hidden_from_anonymous_visitors(client, users):
    home = users["professional"].institution
    response = client.get(f"/institutions/{home.slug}")
    assert response.status_code == 200
    assert "Members" not in _headings(response)
    assert users["professional"].name not in response.get_data(as_text=True)


def test_members_shown_to_approved_members_without_pending_people(client, auth, users):
    home = users["professional"].institution
    login(auth, users["outsider"])  # approved at another institution
    response = client.get(f"/institutions/{home.slug}")
    assert "Members" in _headings(response)
    heading = next(h for h in read_html(response).select("h2") if h.get_text(strip=True) == "Members")
    listed = [li.get_text(strip=True) for li in heading.find_next_sibling("ul").select("li")]
    expected = [users[k].name for k in ("professional", "institution_admin", "coordinator", "site_admin")]
    assert listed == sorted(expected)
    assert users["pending"].name not in response.get_data(as_text=True)


def test_members_hidden_from_a_pending_member(client, auth, users):
    home = users["pending"].institution
    login(auth, users["pending"])
    response = client.get(f"/institutions/{home.slug}")
    assert response.status_code == 200
    assert "Members" not in _headings(response)
    assert users["professional"].name not in response.get_data(as_text=True)


def test_institution_without_approved_members(client, auth, users, make_institution):
    empty = make_institution(name="Empty Place")
    login(auth, users["professional"])
    response = client.get(f"/institutions/{empty.slug}")
    assert "No approved members yet." in response.get_data(as_text=True)


@pytest.mark.parametrize("viewer", ["institution_admin", "site_admin"])
def test_membership_requests_shown_to_the_institutions_admins(client, auth, users, make_user, viewer):
    home = users["pending"].institution
    elsewhere = make_user(institution=users["outsider"].institution, status=PENDING)  # not listed here
    login(auth, users[viewer])
    response = client.get(f"/institutions/{home.slug}")
    assert "Membership requests" in _headings(response)
    rows = read_html(response).select("table.table tbody tr")
    assert [r.td.get_text(strip=True) for r in rows] == [users["pending"].name]
    assert elsewhere.email not in response.get_data(as_text=True)
    form = rows[0].form
    assert form["action"] == f"/admin/memberships/{users['pending'].id}"
    assert form.select_one('input[name="next"]')["value"] == f"/institutions/{home.slug}"


@pytest.mark.parametrize("viewer", [None, "professional", "coordinator", "evaluator", "pending"])
def test_membership_requests_hidden_from_others(client, auth, users, viewer):
    home = users["pending"].institution
    if viewer:
        login(auth, users[viewer])
    response = client.get(f"/institutions/{home.slug}")
    assert "Membership requests" not in _headings(response)
    assert users["pending"].email not in response.get_data(as_text=True)


def test_membership_requests_hidden_from_another_institutions_admin(client, auth, users, make_user):
    home = users["pending"].institution
    other_admin = make_user(INSTITUTION_ADMIN, institution=users["outsider"].institution)
    login(auth, other_admin)
    response = client.get(f"/institutions/{home.slug}")
    assert "Membership requests" not in _headings(response)
    assert users["pending"].email not in response.get_data(as_text=True)


# --- creating an institution ----------------------------------------------------------------------


VALID_FORM = {
    "name": "Fundación Pública Andaluza",
    "country": "ES",
    "city": "Sevilla",
    "sectors": ["social", "mental_health"],
    "languages": ["es", "en"],
    "description": "Family services.",
    "website": "https://fpa.example.org",
    "contact_email": "info@fpa.example.org",
}


def test_create_form_sends_anonymous_visitors_to_login(client):
    response = client.get("/institutions/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert "next=" in response.headers["Location"]
    response = client.post("/institutions/new", data=VALID_FORM)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert institution_count() == 0


@pytest.mark.parametrize("role", ["professional", "institution_admin", "coordinator", "evaluator"])
def test_create_form_forbidden_to_everyone_but_site_admins(client, auth, users, role):
    login(auth, users[role])
    assert client.get("/institutions/new").status_code == 403
    before = institution_count()
    assert client.post("/institutions/new", data=VALID_FORM).status_code == 403
    assert institution_count() == before


def test_create_form_for_site_admin(client, auth, users):
    login(auth, users["site_admin"])
    response = client.get("/institutions/new")
    assert response.status_code == 200
    html = read_html(response)
    form = html.select_one("form.form")
    for name in ("name", "country", "city", "description", "website", "contact_email"):
        assert form.select_one(f'[name="{name}"]') is not None, name
    sectors = {i["value"] for i in form.select('input[name="sectors"]')}
    assert sectors == {"social", "educational", "mental_health"}
    assert form.select_one('select[name="languages"][multiple]') is not None
    assert html.select_one(".error-summary") is None


def test_invalid_institution_is_shown_again_with_messages(client, auth, users):
    login(auth, users["site_admin"])
    before = institution_count()
    long_name = "N" * 201
    response = client.post("/institutions/new", data={
        "name": long_name, "country": "RO", "city": "Arad", "languages": ["ro", "en"],
        "website": "ftp://x", "contact_email": "kept@example.org", "description": "Kept description",
    })
    assert response.status_code == 422
    assert institution_count() == before
    html = read_html(response)
    # What was typed is still there.
    assert html.select_one('input[name="name"]')["value"] == long_name
    assert html.select_one('input[name="website"]')["value"] == "ftp://x"
    assert html.select_one('input[name="city"]')["value"] == "Arad"
    assert html.select_one('input[name="contact_email"]')["value"] == "kept@example.org"
    assert html.select_one('textarea[name="description"]').get_text().strip() == "Kept description"
    assert html.select_one('select[name="country"] option[selected]')["value"] == "RO"
    assert {o["value"] for o in html.select('select[name="languages"] option[selected]')} == {"ro", "en"}
    # Each error next to its field, and in the summary.
    assert "At most 200 characters." in html.select_one("#name-error").get_text()
    message = "Enter a full web address, like https://example.org."
    assert message in html.select_one("#website-error").get_text()
    assert "Choose at least one sector." in html.select_one("#sectors-error").get_text()
    assert html.select_one('input[name="name"]')["aria-invalid"] == "true"
    summary = html.select_one(".error-summary")
    assert summary is not None and summary["role"] == "alert"
    links = {a["href"] for a in summary.select("a")}
    assert {"#name", "#website", "#sectors"} <= links
    assert html.select_one("#city-error") is None


@pytest.mark.parametrize(
    "website", ["ftp://x", "ftp://files.example.org", "javascript:alert(1)", "example.org"]
)
def test_institution_website_must_be_a_full_http_address(client, auth, users, website):
    login(auth, users["site_admin"])
    before = institution_count()
    response = client.post("/institutions/new", data={**VALID_FORM, "website": website})
    assert response.status_code == 422
    assert institution_count() == before
    message = "Enter a full web address, like https://example.org."
    # Said once, even when both the URL check and the http(s) check refuse the address.
    assert read_html(response).select_one("#website-error").get_text().count(message) == 1


@pytest.mark.parametrize("website", ["http://example.org", "HTTPS://example.org/path"])
def test_institution_website_http_or_https_accepted(client, auth, users, website):
    login(auth, users["site_admin"])
    response = client.post("/institutions/new", data={**VALID_FORM, "website": website})
    assert response.status_code == 302


def test_missing_required_fields_are_reported(client, auth, users):
    login(auth, users["site_admin"])
    response = client.post("/institutions/new", data={"name": "   ", "city": "x"})
    assert response.status_code == 422
    html = read_html(response)
    assert "Enter the institution's name." in html.select_one("#name-error").get_text()
    assert "Choose a country." in html.select_one("#country-error").get_text()
    assert "Choose at least one language." in html.select_one("#languages-error").get_text()


def test_unknown_country_or_sector_refused(client, auth, users):
    login(auth, users["site_admin"])
    before = institution_count()
    assert client.post("/institutions/new", data={**VALID_FORM, "country": "XX"}).status_code == 422
    assert client.post("/institutions/new", data={**VALID_FORM, "sectors": ["astrology"]}).status_code == 422
    assert client.post("/institutions/new", data={**VALID_FORM, "languages": ["zz"]}).status_code == 422
    assert institution_count() == before


def test_valid_institution_is_created_and_audited(client, auth, users):
    admin = users["site_admin"]
    login(auth, admin)
    response = client.post("/institutions/new", data=VALID_FORM)
    assert response.status_code == 302
    assert response.headers["Location"] == "/institutions/fundacion-publica-andaluza"
    institution = db.session.scalar(
        select(Institution).where(Institution.slug == "fundacion-publica-andaluza")
    )
    assert institution is not None
    assert institution.name == "Fundación Pública Andaluza"
    assert institution.country == "ES" and institution.city == "Sevilla"
    assert sorted(institution.sectors) == ["mental_health", "social"]
    assert sorted(institution.languages) == ["en", "es"]
    assert institution.website == "https://fpa.example.org"
    assert institution.contact_email == "info@fpa.example.org"
    entry = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "institution.created", AuditEntry.target_id == institution.id
        )
    )
    assert entry is not None and entry.actor_id == admin.id and entry.by_person
    page = client.get(response.headers["Location"])
    assert "Institution created." in page.get_data(as_text=True)
    assert read_html(page).h1.get_text(strip=True) == "Fundación Pública Andaluza"


def test_second_institution_of_the_same_name_gets_its_own_address(client, auth, users):
    login(auth, users["site_admin"])
    assert client.post("/institutions/new", data=VALID_FORM).headers["Location"].endswith(
        "/fundacion-publica-andaluza")
    assert client.post("/institutions/new", data=VALID_FORM).headers["Location"].endswith(
        "/fundacion-publica-andaluza-2")


# --- editing an institution -----------------------------------------------------------------------


def test_institution_admin_edits_their_institution(client, auth, users):
    home = users["institution_admin"].institution
    login(auth, users["institution_admin"])
    response = client.get(f"/institutions/{home.slug}/edit")
    assert response.status_code == 200
    html = read_html(response)
    assert html.select_one('input[name="name"]')["value"] == "Home Institution"
    assert html.select_one('select[name="country"] option[selected]')["value"] == "ES"
    assert {i["value"] for i in html.select('input[name="sectors"][checked]')} == {"social"}
    assert {o["value"] for o in html.select('select[name="languages"] option[selected]')} == {"es", "en"}
    # The institution page links to the form.
    page = read_html(client.get(f"/institutions/{home.slug}"))
    assert page.select_one(f'a[href="/institutions/{home.slug}/edit"]') is not None

    response = client.post(f"/institutions/{home.slug}/edit", data={
        **VALID_FORM, "name": "Home Institution Renamed", "city": "Cádiz", "sectors": ["educational"],
    })
    assert response.status_code == 302
    assert response.headers["Location"] == f"/institutions/{home.slug}"
    db.session.expire_all()
    assert home.name == "Home Institution Renamed"
    assert home.city == "Cádiz"
    assert home.sectors == ["educational"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "institution.updated"))
    assert entry.actor_id == users["institution_admin"].id and entry.target_id == home.id


def test_site_admin_edits_any_institution(client, auth, users):
    other = users["outsider"].institution
    login(auth, users["site_admin"])
    response = client.post(
        f"/institutions/{other.slug}/edit", data={**VALID_FORM, "name": "Renamed by admin"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert other.name == "Renamed by admin"


def test_admin_of_another_institution_cannot_edit(client, auth, users, make_user):
    home = users["institution_admin"].institution
    other_admin = make_user(INSTITUTION_ADMIN, institution=users["outsider"].institution)
    login(auth, other_admin)
    assert client.get(f"/institutions/{home.slug}/edit").status_code == 403
    response = client.post(f"/institutions/{home.slug}/edit", data={**VALID_FORM, "name": "Hijacked"})
    assert response.status_code == 403
    db.session.expire_all()
    assert home.name == "Home Institution"
    page = read_html(client.get(f"/institutions/{home.slug}"))
    assert page.select_one(f'a[href="/institutions/{home.slug}/edit"]') is None


@pytest.mark.parametrize("role", ["professional", "coordinator", "evaluator"])
def test_other_roles_cannot_edit(client, auth, users, role):
    home = users["professional"].institution
    login(auth, users[role])
    response = client.post(f"/institutions/{home.slug}/edit", data={**VALID_FORM, "name": "Hijacked"})
    assert response.status_code == 403
    db.session.expire_all()
    assert home.name == "Home Institution"


def test_pending_institution_admin_cannot_edit(client, auth, users, make_user):
    home = users["professional"].institution
    waiting_admin = make_user(INSTITUTION_ADMIN, institution=home, status=PENDING)
    login(auth, waiting_admin)
    assert client.get(f"/institutions/{home.slug}/edit").status_code == 403


def test_edit_anonymous_goes_to_login(client, users):
    home = users["professional"].institution
    response = client.get(f"/institutions/{home.slug}/edit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_invalid_edit_is_shown_again(client, auth, users):
    home = users["institution_admin"].institution
    login(auth, users["institution_admin"])
    response = client.post(
        f"/institutions/{home.slug}/edit", data={**VALID_FORM, "sectors": [], "name": "Typed"}
    )
    assert response.status_code == 422
    html = read_html(response)
    assert html.select_one('input[name="name"]')["value"] == "Typed"
    assert "Choose at least one sector." in html.get_text()
    db.session.expire_all()
    assert home.name == "Home Institution"


def test_edit_of_unknown_institution_is_404(client, auth, users):
    login(auth, users["site_admin"])
    assert client.get("/institutions/nowhere/edit").status_code == 404


# --- error pages ----------------------------------------------------------------------------------


def test_404_page_is_friendly_html_with_security_headers(client):
    response = client.get("/institutions/does-not-exist")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = read_html(response)
    assert html.h1.get_text(strip=True) == "Page not found"
    assert html.select_one('a[href="/"]') is not None
    assert html.select_one("nav") is not None  # the site's layout, not a bare error
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_403_page_has_security_headers(client, auth, users):
    login(auth, users["professional"])
    response = client.get("/institutions/new")
    assert response.status_code == 403
    assert read_html(response).h1.get_text(strip=True) == "You cannot open this page"
    assert "Content-Security-Policy" in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unknown_address_is_404_with_headers(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
