"""Partnership pages: list, page, creating and editing, who may do what."""
from datetime import date

import pytest
from sqlalchemy import func, select

from conftest import read_html
from network.audit import AuditEntry
from network.auth.models import COORDINATOR, PENDING
from network.extensions import db
from network.institutions.models import Partnership


def login(auth, user):
    response = auth.login(user)
    assert response.status_code == 302, "login failed"


def partnership_count() -> int:
    return db.session.scalar(select(func.count(Partnership.id)))


@pytest.fixture
def home(users):
    return users["coordinator"].institution


@pytest.fixture
def other(users):
    return users["outsider"].institution


def form_data(coordinator, partners=(), **overrides):
    data = {
        "title": "Families first",
        "reference": "2026-1-ES01-KA220-ADU-000777",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "coordinating_institution": str(coordinator.id),
        "partners": [str(p.id) for p in partners],
        "description": "Two years of exchange.",
    }
    data.update(overrides)
    return data


# --- list and page --------------------------------------------------------------------------------


def test_partnership_list_shows_partnerships(client, home, other, make_partnership):
    partnership = make_partnership(
        coordinator=home, partners=[other], reference="REF-LIST-1", title="Open doors"
    )
    response = client.get("/partnerships/")
    assert response.status_code == 200
    html = read_html(response)
    card = html.select_one(".card")
    assert card.select_one(f'a[href="/partnerships/{partnership.id}"]').get_text(strip=True) == "Open doors"
    text = card.get_text(" ", strip=True)
    assert "REF-LIST-1" in text
    assert "2 partner institutions" in text


def test_empty_partnership_list(client):
    response = client.get("/partnerships/")
    assert response.status_code == 200
    assert "No partnerships yet." in response.get_data(as_text=True)


def test_partnership_list_newest_first(client, home, make_partnership):
    make_partnership(coordinator=home, title="Older")
    newer = make_partnership(coordinator=home, title="Newer")
    db.session.get(Partnership, newer.id).start_date = date(2026, 1, 1)
    db.session.commit()
    titles = [a.get_text(strip=True) for a in read_html(client.get("/partnerships/")).select(".card-title a")]
    assert titles == ["Newer", "Older"]


def test_partnership_page_shows_partners(client, home, other, make_partnership):
    partnership = make_partnership(
        coordinator=home, partners=[other], reference="REF-PAGE", title="Open doors"
    )
    response = client.get(f"/partnerships/{partnership.id}")
    assert response.status_code == 200
    html = read_html(response)
    assert html.h1.get_text(strip=True) == "Open doors"
    facts = html.select_one("dl.facts").get_text(" ", strip=True)
    assert "REF-PAGE" in facts and "Home Institution" in facts
    rows = html.select("table.table tbody tr")
    by_name = {r.select_one("td a").get_text(strip=True): r for r in rows}
    assert set(by_name) == {"Home Institution", "Other Institution"}
    assert by_name["Home Institution"].select_one(".badge").get_text(strip=True) == "coordinator"
    assert by_name["Other Institution"].select_one(".badge") is None
    assert "Spain" in by_name["Home Institution"].get_text()
    assert "Romania" in by_name["Other Institution"].get_text()
    assert by_name["Other Institution"].select_one("td a")["href"] == f"/institutions/{other.slug}"


def test_unknown_partnership_is_404(client, auth, users):
    assert client.get("/partnerships/999").status_code == 404
    login(auth, users["site_admin"])
    assert client.get("/partnerships/999/edit").status_code == 404


# --- creating -------------------------------------------------------------------------------------


def test_create_form_sends_anonymous_visitors_to_login(client, home):
    response = client.get("/partnerships/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    response = client.post("/partnerships/new", data=form_data(home))
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert partnership_count() == 0


def test_coordinator_creates_a_partnership(client, auth, users, home, other):
    coordinator = users["coordinator"]
    login(auth, coordinator)
    response = client.get("/partnerships/new")
    assert response.status_code == 200
    html = read_html(response)
    options = {o["value"] for o in html.select('select[name="coordinating_institution"] option')}
    assert {str(home.id), str(other.id)} <= options
    assert {i["value"] for i in html.select('input[name="partners"]')} == {str(home.id), str(other.id)}

    response = client.post("/partnerships/new", data=form_data(home, [other]))
    assert response.status_code == 302
    partnership = db.session.scalar(select(Partnership))
    assert response.headers["Location"] == f"/partnerships/{partnership.id}"
    assert partnership.title == "Families first"
    assert partnership.reference == "2026-1-ES01-KA220-ADU-000777"
    assert partnership.start_date == date(2026, 1, 1) and partnership.end_date == date(2027, 12, 31)
    assert partnership.coordinating_institution_id == home.id
    assert {i.id for i in partnership.partners} == {home.id, other.id}
    assert partnership.description == "Two years of exchange."
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "partnership.created"))
    assert entry.actor_id == coordinator.id and entry.target_id == partnership.id

    page = client.get(response.headers["Location"])
    assert "Partnership created." in page.get_data(as_text=True)
    listing = read_html(client.get("/partnerships/"))
    assert [a.get_text(strip=True) for a in listing.select(".card-title a")] == ["Families first"]


def test_created_partnership_includes_the_coordinator_even_unticked(client, auth, users, home, other):
    login(auth, users["coordinator"])
    response = client.post("/partnerships/new", data=form_data(other, []))
    assert response.status_code == 302
    partnership = db.session.scalar(select(Partnership))
    assert [i.id for i in partnership.partners] == [other.id]


def test_site_admin_creates_a_partnership(client, auth, users, home):
    login(auth, users["site_admin"])
    assert client.post("/partnerships/new", data=form_data(home)).status_code == 302
    assert partnership_count() == 1


@pytest.mark.parametrize("role", ["professional", "institution_admin", "evaluator"])
def test_others_cannot_create_partnerships(client, auth, users, home, role):
    login(auth, users[role])
    assert client.get("/partnerships/new").status_code == 403
    assert client.post("/partnerships/new", data=form_data(home)).status_code == 403
    assert partnership_count() == 0


def test_pending_coordinator_cannot_create(client, auth, home, make_user):
    waiting = make_user(COORDINATOR, institution=home, status=PENDING)
    login(auth, waiting)
    assert client.post("/partnerships/new", data=form_data(home)).status_code == 403
    assert partnership_count() == 0


def test_create_button_shown_to_coordinators_only(client, auth, users):
    assert read_html(client.get("/partnerships/")).select_one('a[href="/partnerships/new"]') is None
    login(auth, users["coordinator"])
    assert read_html(client.get("/partnerships/")).select_one('a[href="/partnerships/new"]') is not None


def test_end_before_start_is_refused(client, auth, users, home, other):
    login(auth, users["coordinator"])
    response = client.post(
        "/partnerships/new", data=form_data(home, [other], start_date="2027-01-01", end_date="2026-12-31")
    )
    assert response.status_code == 422
    assert partnership_count() == 0
    html = read_html(response)
    assert "The end date must not be before the start date." in html.select_one("#end_date-error").get_text()
    assert html.select_one('input[name="start_date"]')["value"] == "2027-01-01"
    assert html.select_one('input[name="end_date"]')["value"] == "2026-12-31"
    assert html.select_one(".error-summary") is not None


def test_missing_fields_are_reported(client, auth, users):
    login(auth, users["coordinator"])
    response = client.post("/partnerships/new", data={"title": "", "reference": "", "start_date": "soon",
                                                      "coordinating_institution": "0"})
    assert response.status_code == 422
    html = read_html(response)
    assert "Enter the partnership's title." in html.select_one("#title-error").get_text()
    assert "Enter the reference number." in html.select_one("#reference-error").get_text()
    assert html.select_one("#start_date-error") is not None
    assert "Enter an end date" in html.select_one("#end_date-error").get_text()
    assert "Choose an institution." in html.select_one("#coordinating_institution-error").get_text()
    assert partnership_count() == 0


def test_unknown_institution_refused(client, auth, users, home):
    login(auth, users["coordinator"])
    response = client.post("/partnerships/new", data=form_data(home, coordinating_institution="9999"))
    assert response.status_code == 422
    response = client.post("/partnerships/new", data={**form_data(home), "partners": ["9999"]})
    assert response.status_code == 422
    assert partnership_count() == 0


def test_duplicate_reference_is_refused_next_to_the_field(client, auth, users, home, other, make_partnership):
    make_partnership(coordinator=other, reference="2026-1-ES01-KA220-ADU-000777")
    login(auth, users["coordinator"])
    response = client.post("/partnerships/new", data=form_data(
        home, [other], reference="2026-1-es01-ka220-adu-000777", title="Typed title",
        description="Typed text",
    ))
    assert response.status_code == 422
    assert partnership_count() == 1
    html = read_html(response)
    error = html.select_one("#reference-error")
    assert error is not None
    assert "Another partnership already uses this reference number." in error.get_text()
    assert html.select_one('input[name="reference"]')["aria-invalid"] == "true"
    assert html.select_one("#title-error") is None
    summary = html.select_one(".error-summary")
    assert summary is not None and summary.select_one('a[href="#reference"]') is not None
    # What was typed is kept.
    assert html.select_one('input[name="title"]')["value"] == "Typed title"
    assert html.select_one('input[name="reference"]')["value"] == "2026-1-es01-ka220-adu-000777"
    assert html.select_one('input[name="start_date"]')["value"] == "2026-01-01"
    assert html.select_one('input[name="end_date"]')["value"] == "2027-12-31"
    assert html.select_one('textarea[name="description"]').get_text().strip() == "Typed text"
    coordinating = html.select_one('select[name="coordinating_institution"] option[selected]')
    assert coordinating["value"] == str(home.id)
    assert {i["value"] for i in html.select('input[name="partners"][checked]')} == {str(other.id)}


# --- editing --------------------------------------------------------------------------------------


@pytest.fixture
def coordinated(home, other, make_partnership):
    return make_partnership(coordinator=home, partners=[other], reference="REF-EDIT", title="Before")


def test_coordinator_of_the_coordinating_institution_edits(client, auth, users, home, other, coordinated):
    login(auth, users["coordinator"])
    page = read_html(client.get(f"/partnerships/{coordinated.id}"))
    assert page.select_one(f'a[href="/partnerships/{coordinated.id}/edit"]') is not None

    response = client.get(f"/partnerships/{coordinated.id}/edit")
    assert response.status_code == 200
    html = read_html(response)
    assert html.select_one('input[name="title"]')["value"] == "Before"
    assert html.select_one('input[name="reference"]')["value"] == "REF-EDIT"
    assert html.select_one('input[name="start_date"]')["value"] == "2025-11-01"
    coordinating = html.select_one('select[name="coordinating_institution"] option[selected]')
    assert coordinating["value"] == str(home.id)
    checked = {i["value"] for i in html.select('input[name="partners"][checked]')}
    assert checked == {str(home.id), str(other.id)}

    response = client.post(f"/partnerships/{coordinated.id}/edit", data=form_data(
        home, [], title="After", reference="ref-edit", start_date="2025-12-01", end_date="2026-12-01",
    ))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/partnerships/{coordinated.id}"
    db.session.expire_all()
    assert coordinated.title == "After"
    assert coordinated.reference == "ref-edit"  # its own reference, in another case, is fine
    assert coordinated.start_date == date(2025, 12, 1)
    assert [i.id for i in coordinated.partners] == [home.id]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "partnership.updated"))
    assert entry.actor_id == users["coordinator"].id and entry.target_id == coordinated.id


def test_coordinator_of_another_institution_cannot_edit(client, auth, other, coordinated, make_user):
    foreign = make_user(COORDINATOR, institution=other)  # a partner, but not the coordinating institution
    login(auth, foreign)
    assert client.get(f"/partnerships/{coordinated.id}/edit").status_code == 403
    response = client.post(f"/partnerships/{coordinated.id}/edit", data=form_data(other, title="Hijacked"))
    assert response.status_code == 403
    db.session.expire_all()
    assert coordinated.title == "Before"
    assert coordinated.coordinating_institution_id != other.id
    page = read_html(client.get(f"/partnerships/{coordinated.id}"))
    assert page.select_one(f'a[href="/partnerships/{coordinated.id}/edit"]') is None


@pytest.mark.parametrize("role", ["professional", "institution_admin", "evaluator"])
def test_non_coordinators_cannot_edit(client, auth, users, home, coordinated, role):
    login(auth, users[role])
    response = client.post(f"/partnerships/{coordinated.id}/edit", data=form_data(home, title="Hijacked"))
    assert response.status_code == 403
    db.session.expire_all()
    assert coordinated.title == "Before"


def test_edit_anonymous_goes_to_login(client, coordinated):
    response = client.get(f"/partnerships/{coordinated.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_site_admin_edits_any_partnership(client, auth, users, home, coordinated):
    login(auth, users["site_admin"])
    response = client.post(f"/partnerships/{coordinated.id}/edit", data=form_data(home, title="By admin",
                                                                                  reference="REF-EDIT"))
    assert response.status_code == 302
    db.session.expire_all()
    assert coordinated.title == "By admin"


def test_edit_to_a_taken_reference_is_refused(client, auth, users, home, coordinated, make_partnership):
    make_partnership(coordinator=home, reference="REF-TAKEN")
    login(auth, users["coordinator"])
    response = client.post(f"/partnerships/{coordinated.id}/edit",
                           data=form_data(home, title="Changed", reference="ref-taken"))
    assert response.status_code == 422
    html = read_html(response)
    message = "Another partnership already uses this reference number."
    assert message in html.select_one("#reference-error").get_text()
    assert html.select_one('input[name="title"]')["value"] == "Changed"
    db.session.expire_all()
    assert coordinated.title == "Before" and coordinated.reference == "REF-EDIT"


def test_edit_with_end_before_start_is_refused(client, auth, users, home, coordinated):
    login(auth, users["coordinator"])
    response = client.post(f"/partnerships/{coordinated.id}/edit", data=form_data(
        home, reference="REF-EDIT", start_date="2026-06-01", end_date="2026-05-31",
    ))
    assert response.status_code == 422
    assert "must not be before the start date" in read_html(response).select_one("#end_date-error").get_text()
    db.session.expire_all()
    assert coordinated.end_date == date(2027, 10, 31)
