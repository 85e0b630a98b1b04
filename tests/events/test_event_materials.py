"""An event's materials: the organisers upload slides and documents (checked by their content, stored under the
instance's uploads with generated names) and link practices and collections, for the whole event or a session, for
everyone who sees the event or only its registered participants; a file or a link never reaches someone who may not
see it; deleting removes the file; a person's account going leaves their materials with the event."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

from collections_helpers import collection_data
from conftest import PASSWORD, read_html
from events_helpers import make_event, session_data
from network import uploads
from network.auth import services as accounts
from network.auth.models import User
from network.collections import services as collections
from network.errors import ServiceError
from network.events import materials
from network.events import services as events
from network.events.models import EventMaterial
from network.extensions import db

PDF = b"%PDF-1.4\n% slides\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pptx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<presentation/>")
    return buffer.getvalue()


@pytest.fixture
def training(exchange, make_user):
    """A members' training with one session; Ana registered (approved), Bo a member of a partner who did not."""
    event = make_event(exchange)
    session = events.add_session(exchange.coordinator, event, session_data(title="Opening"))
    ana = make_user(institution=exchange.sender, name="Ana Registered")
    bo = make_user(institution=exchange.arad, name="Bo Not Registered")
    events.register(ana, event)
    return event, session, ana, bo


def upload_form(file_bytes=PDF, name="slides.pdf", **fields) -> dict:
    data = {"upload-file": (io.BytesIO(file_bytes), name), "upload-title": "", "upload-session_id": "",
            "upload-audience": "everyone"}
    data.update({f"upload-{key}": value for key, value in fields.items()})
    return data


def stored_path(material: EventMaterial) -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / materials.FOLDER / material.stored_name


def test_an_organiser_uploads_slides_for_a_session_from_the_page(client, auth, exchange, training):
    event, session, ana, _bo = training
    auth.login(exchange.coordinator)
    page = read_html(client.get(f"/events/{event.id}/materials"))
    assert page.select_one("form[enctype='multipart/form-data'] input[type=file]#upload-file") is not None
    assert page.select_one("fieldset#upload-audience legend").get_text() == "Who may see it"
    response = client.post(f"/events/{event.id}/materials", data=upload_form(
        title="Opening slides", session_id=str(session.id), audience="registered"),
        content_type="multipart/form-data")
    assert response.status_code == 302
    [material] = materials.materials_of(event)
    assert (material.title, material.original_name, material.content_type, material.session_id, material.audience) \
        == ("Opening slides", "slides.pdf", "application/pdf", session.id, "registered")
    assert material.stored_name != "slides.pdf" and stored_path(material).read_bytes() == PDF
    listed = read_html(client.get(f"/events/{event.id}/materials")).select_one("#materials").get_text(" ", strip=True)
    assert "Opening slides" in listed and "Session: Opening" in listed and "Registered participants only" in listed


def test_a_registered_only_file_reaches_only_the_registered_and_the_organisers(client, auth, exchange, training):
    event, session, ana, bo = training
    material = materials.add_file(exchange.coordinator, event, materials.MaterialData(
        title="Handout", session_id=session.id, audience="registered",
        upload=uploads.Upload("handout.pdf", "application/pdf", PDF)))
    address = f"/events/{event.id}/materials/{material.id}"

    auth.login(ana)
    page = read_html(client.get(f"/events/{event.id}"))
    assert page.select_one(f"#session-{session.id} #material-{material.id} a")["href"] == address
    response = client.get(address)
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("inline") and "handout.pdf" in \
        response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()

    auth.logout()
    auth.login(bo)  # sees the members' event, is not registered
    assert client.get(f"/events/{event.id}").status_code == 200
    assert "Handout" not in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert client.get(address).status_code == 404
    auth.logout()
    assert client.get(address).status_code == 404  # anonymous: the members' event does not exist for them

    events.cancel_registration(ana, event)
    auth.login(ana)
    assert client.get(address).status_code == 404  # no longer registered


def test_a_material_for_everyone_follows_the_event(client, auth, exchange, training, make_user):
    event, _session, _ana, bo = training
    material = materials.add_file(exchange.coordinator, event, materials.MaterialData(
        upload=uploads.Upload("Programme.png", "image/png", PNG)))
    assert material.title == "Programme.png"  # the file's name when no title is given
    address = f"/events/{event.id}/materials/{material.id}"
    auth.login(bo)
    page = read_html(client.get(f"/events/{event.id}"))
    assert page.select_one("#materials-heading") is not None
    assert page.select_one(f"#material-{material.id} .meta").get_text(" ", strip=True).startswith("File · PNG")
    response = client.get(address)
    assert response.status_code == 200
    response.close()
    auth.logout()
    assert client.get(address).status_code == 404  # a members' event


def test_a_registered_only_file_of_a_public_event_asks_an_anonymous_reader_to_log_in(client, exchange, make_user):
    event = make_event(exchange, visibility="public")
    material = materials.add_file(exchange.coordinator, event, materials.MaterialData(
        audience="registered", upload=uploads.Upload("list.pdf", "application/pdf", PDF)))
    response = client.get(f"/events/{event.id}/materials/{material.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "list.pdf" not in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_slides_as_pptx_are_accepted_and_a_file_lying_about_its_kind_is_not(client, auth, exchange, training):
    event, *_ = training
    auth.login(exchange.coordinator)
    assert client.post(f"/events/{event.id}/materials", data=upload_form(pptx(), "deck.pptx"),
                       content_type="multipart/form-data").status_code == 302
    [deck] = materials.materials_of(event)
    assert deck.content_type == uploads.PPTX and deck.stored_name.endswith(".pptx")
    for content, name, message in ((PNG, "slides.pdf", "its name says otherwise"),
                                   (b"MZ\x90\x00", "tool.exe", "is not a PDF, ODT, DOCX, ODP, PPTX, PNG or JPEG file"),
                                   (b"", "empty.pdf", "is empty")):
        response = client.post(f"/events/{event.id}/materials", data=upload_form(content, name),
                               content_type="multipart/form-data")
        assert response.status_code == 422, name
        page = read_html(response)
        assert message in page.select_one("#upload-file-error").get_text(), name
        assert page.select_one(".error-summary a[href='#upload-file']") is not None
    response = client.post(f"/events/{event.id}/materials", data={"upload-audience": "everyone"},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose the file to add." in response.get_data(as_text=True)
    assert len(materials.materials_of(event)) == 1


def test_a_file_over_the_limit_is_refused(client, auth, exchange, training, app):
    event, *_ = training
    app.config["ATTACHMENT_MAX_BYTES"] = 100
    auth.login(exchange.coordinator)
    response = client.post(f"/events/{event.id}/materials", data=upload_form(PDF + b"0" * 200),
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "larger than" in response.get_data(as_text=True)
    assert not any((Path(app.config["UPLOAD_FOLDER"]) / materials.FOLDER).glob("*"))


def test_links_to_practices_and_collections_are_shown_to_those_who_may_see_them(
        client, auth, exchange, training, make_practice):
    event, session, _ana, bo = training
    event.visibility = "public"
    db.session.commit()
    public = make_practice(exchange.seville, title="Interfamily groups in Seville")
    members_only = make_practice(exchange.seville, title="Members-only circles", visibility="members")
    shelf = collections.create_collection(exchange.seville_admin, collection_data(
        exchange.seville, title="Seville's shelf"))
    auth.login(exchange.coordinator)
    for kind, typed, session_id in (("practice", f"http://localhost/practices/{public.id}", ""),
                                    ("practice", f"/practices/{members_only.id}", str(session.id)),
                                    ("collection", str(shelf.id), "")):
        response = client.post(f"/events/{event.id}/materials/link", data={
            "link-link_kind": kind, "link-link": typed, "link-title": "", "link-session_id": session_id,
            "link-audience": "everyone"})
        assert response.status_code == 302, read_html(response).select_one(".error-summary")
    kinds = [(m.kind, m.target_id) for m in materials.materials_of(event)]
    assert kinds == [("practice", public.id), ("collection", shelf.id), ("practice", members_only.id)]

    page = read_html(client.get(f"/events/{event.id}"))
    cards = [a.get_text() for a in page.select(".material-cards .card-title a")]
    assert cards == ["Interfamily groups in Seville", "Seville's shelf"]
    assert page.select_one(f"#session-{session.id} .session-materials a").get_text() == "Members-only circles"
    assert page.select_one(".material-cards a")["href"] == f"/practices/{public.id}"

    auth.logout()  # anonymous: the members-only practice is not for them, not even its title
    text = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Interfamily groups in Seville" in text and "Members-only circles" not in text


def test_a_link_to_what_the_organiser_may_not_see_or_to_nothing_is_refused(exchange, training, make_practice):
    event, *_ = training
    draft = make_practice(exchange.arad, title="Arad's draft", status="draft")
    for kind, typed, field in (("practice", str(draft.id), "link"), ("practice", "999999", "link"),
                               ("practice", "/institutions/", "link"), ("practice", "https://example.org/x", "link"),
                               ("", "12", "link_kind"), ("practice", "", "link")):
        with pytest.raises(ServiceError) as refused:
            materials.add_link(exchange.coordinator, event, materials.MaterialData(link_kind=kind, link=typed))
        assert list(refused.value.errors) == [field], (kind, typed)
    public = make_practice(exchange.seville, title="Linked twice")
    materials.add_link(exchange.coordinator, event, materials.MaterialData(link_kind="practice", link=str(public.id)))
    with pytest.raises(ServiceError, match="among the materials already"):
        materials.add_link(exchange.coordinator, event, materials.MaterialData(link_kind="practice",
                                                                               link=str(public.id)))


def test_only_the_organisers_add_and_delete(client, auth, exchange, training):
    event, _session, ana, bo = training
    with pytest.raises(ServiceError):
        materials.add_file(ana, event, materials.MaterialData(upload=uploads.Upload("a.pdf", "application/pdf", PDF)))
    auth.login(bo)
    assert client.get(f"/events/{event.id}/materials").status_code == 403
    assert client.post(f"/events/{event.id}/materials", data=upload_form(),
                       content_type="multipart/form-data").status_code == 403
    assert materials.materials_of(event) == []
    auth.logout()
    auth.login(exchange.seville_admin)  # the host's admin organises it too
    assert client.get(f"/events/{event.id}/materials").status_code == 200


def test_deleting_a_material_removes_its_file(client, auth, exchange, training):
    event, *_ = training
    material = materials.add_file(exchange.coordinator, event, materials.MaterialData(
        upload=uploads.Upload("gone.pdf", "application/pdf", PDF)))
    path = stored_path(material)
    assert path.exists()
    auth.login(exchange.coordinator)
    response = client.post(f"/events/{event.id}/materials/{material.id}/delete")
    assert response.status_code == 302
    assert materials.materials_of(event) == [] and not path.exists()


def test_a_failed_save_leaves_no_file(exchange, training, monkeypatch, app):
    event, *_ = training

    def broken(*_args, **_kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("network.audit.record", broken)
    with pytest.raises(RuntimeError):
        materials.add_file(exchange.coordinator, event, materials.MaterialData(
            upload=uploads.Upload("lost.pdf", "application/pdf", PDF)))
    assert not any((Path(app.config["UPLOAD_FOLDER"]) / materials.FOLDER).glob("*"))


def test_a_deleted_session_leaves_its_materials_to_the_event(exchange, training):
    event, session, *_ = training
    material = materials.add_file(exchange.coordinator, event, materials.MaterialData(
        session_id=session.id, upload=uploads.Upload("s.pdf", "application/pdf", PDF)))
    events.delete_session(exchange.coordinator, session)
    db.session.expire_all()
    assert db.session.get(EventMaterial, material.id).session_id is None


def test_a_session_of_another_event_is_refused(exchange, training):
    event, *_ = training
    other = make_event(exchange, title="Another")
    elsewhere = events.add_session(exchange.coordinator, other, session_data(title="Elsewhere"))
    with pytest.raises(ServiceError) as refused:
        materials.add_file(exchange.coordinator, event, materials.MaterialData(
            session_id=elsewhere.id, upload=uploads.Upload("s.pdf", "application/pdf", PDF)))
    assert "session_id" in refused.value.errors


def test_the_uploaders_materials_stay_with_the_event_when_their_account_goes(exchange, training, make_user):
    event, *_ = training
    admin = exchange.seville_admin
    material = materials.add_file(admin, event, materials.MaterialData(
        title="Seville's slides", upload=uploads.Upload("seville.pdf", "application/pdf", PDF)))
    exported = accounts.export_user_data(admin)["events"]["materials_added"]
    assert [(m["title"], m["file_name"]) for m in exported] == [("Seville's slides", "seville.pdf")]
    accounts.delete_account(admin, PASSWORD)
    db.session.expire_all()
    kept = db.session.get(EventMaterial, material.id)
    assert kept is not None and kept.added_by_id is None and stored_path(kept).exists()


def test_a_backup_knows_the_events_folder(app):
    stores = uploads.stores()
    assert stores[materials.FOLDER] is EventMaterial.__table__.c.stored_name
    assert set(stores) >= {"practices", "events"}


def test_the_event_page_makes_no_query_per_file(client, auth, exchange, training):
    event, session, ana, _bo = training
    event_id, organiser_id = event.id, exchange.coordinator.id

    def statements_for_page() -> int:
        db.session.expunge_all()  # nothing loaded already: the page fetches all it shows
        statements = []

        def count(*_args):
            statements.append(1)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get(f"/events/{event_id}").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    def add(n):
        target = events.get_event(event_id)
        materials.add_file(db.session.get(User, organiser_id), target, materials.MaterialData(
            session_id=target.sessions[0].id if n % 2 else None,
            upload=uploads.Upload(f"{n}.pdf", "application/pdf", PDF)))

    auth.login(ana)
    add(0)
    add(1)
    few = statements_for_page()
    for n in range(2, 8):
        add(n)
    assert statements_for_page() == few
