"""Attachments: type from content, size limit, generated names, safe downloads, no orphans."""
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from test_practice_views import form_data

from conftest import read_html
from network.extensions import db
from network.practices import attachments
from network.practices.models import Attachment, Practice

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _zip(entries: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
ODT = _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<office/>"})


@pytest.mark.parametrize("content, content_type", [
    (PDF, "application/pdf"), (PNG, "image/png"), (b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
    (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (ODT, "application/vnd.oasis.opendocument.text"),
    (b"<html><script>alert(1)</script>", None), (b"MZ\x90\x00", None), (_zip({"a.txt": "x"}), None),
])
def test_type_comes_from_the_content(content, content_type):
    assert attachments.sniff_type(content) == content_type


def _stored_files(app):
    folder = Path(app.config["UPLOAD_FOLDER"]) / "practices"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _upload(client, institution, files, **overrides):
    data = form_data(institution, **overrides)
    data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
    return client.post("/practices/new", data=data, content_type="multipart/form-data")


def test_upload_and_download_with_the_original_name(app, client, auth, users):
    auth.login(users["professional"])
    response = _upload(client, users["professional"].institution,
                       [("Guía de grupos.pdf", PDF), ("plan.docx", DOCX), ("photo.png", PNG)])
    assert response.status_code == 302
    practice = db.session.scalar(select(Practice))
    assert [a.original_name for a in practice.attachments] == ["Guía de grupos.pdf", "plan.docx", "photo.png"]
    stored = _stored_files(app)
    assert len(stored) == 3 and not any("Guía" in name or "plan" in name for name in stored)
    pdf, docx = practice.attachments[0], practice.attachments[1]
    download = client.get(f"/practices/{practice.id}/attachments/{docx.id}")
    assert download.data == DOCX
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    download.close()
    inline = client.get(f"/practices/{practice.id}/attachments/{pdf.id}")
    assert inline.mimetype == "application/pdf" and "Gu%C3%ADa" in inline.headers["Content-Disposition"]
    inline.close()


def test_disguised_and_oversized_files_are_refused_and_nothing_is_saved(app, client, auth, users):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    auth.login(users["professional"])
    response = _upload(client, users["professional"].institution,
                       [("report.pdf", b"<script>alert(1)</script>"), ("big.pdf", PDF + b"0" * 2000),
                        ("image.pdf", PNG)], title="Kept title")
    assert response.status_code == 422
    text = read_html(response).find(id="attachments-error").get_text()
    assert "report.pdf” is not a PDF" in text and "larger than" in text and "rename it" in text
    assert read_html(response).find(id="title")["value"] == "Kept title"
    assert db.session.scalar(select(func.count(Practice.id))) == 0
    assert _stored_files(app) == []


def test_a_failed_commit_leaves_no_file_and_no_practice(app, users, monkeypatch):
    from conftest import practice_data
    from network.practices import services

    upload = attachments.Upload("a.pdf", "application/pdf", PDF)

    def broken_commit():
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        services.create_practice(users["professional"], practice_data(users["professional"].institution), [upload])
    monkeypatch.undo()
    assert db.session.scalar(select(func.count(Practice.id))) == 0
    assert _stored_files(app) == []


def test_deleting_a_practice_or_an_attachment_removes_its_files(app, client, auth, users):
    auth.login(users["institution_admin"])
    _upload(client, users["professional"].institution, [("a.pdf", PDF), ("b.png", PNG)])
    practice = db.session.scalar(select(Practice))
    first = practice.attachments[0]
    assert client.post(f"/practices/{practice.id}/attachments/{first.id}/delete").status_code == 302
    assert len(_stored_files(app)) == 1
    assert client.post(f"/practices/{practice.id}/delete").status_code == 302
    assert _stored_files(app) == [] and db.session.scalar(select(func.count(Attachment.id))) == 0


def test_attachments_of_invisible_practices_are_not_downloadable(client, auth, users):
    auth.login(users["professional"])
    _upload(client, users["professional"].institution, [("a.pdf", PDF)], visibility="members")
    practice = db.session.scalar(select(Practice))
    url = f"/practices/{practice.id}/attachments/{practice.attachments[0].id}"
    auth.logout()
    assert client.get(url).status_code == 404
