"""The certificate pages: anyone checks a code without logging in; the holder lists theirs and downloads the
PDF (made by a background job); those the kind names revoke."""
from __future__ import annotations

import io

import pytest

from certificates_helpers import issue_to
from conftest import read_html
from network import printing
from network.auth.models import COORDINATOR
from network.certificates import pdf
from network.certificates import services as certificates
from network.extensions import db
from network.jobs import runner_of

needs_weasyprint = pytest.mark.skipif(
    bool(pdf.weasyprint_missing()), reason=f"no PDFs on this machine: {pdf.weasyprint_missing()}")
FAKE_PDF = b"%PDF-1.7 a certificate made by the job"


def text_of(response) -> str:
    return read_html(response).get_text(" ", strip=True)


@pytest.fixture
def certificate(users):
    return issue_to(users["professional"], title="Family group facilitation", hours="12.5")


@pytest.fixture
def quick_pdfs(monkeypatch):
    """WeasyPrint's layout replaced by a few bytes (test_the_pdf_* below make real ones)."""
    monkeypatch.setattr(pdf, "weasyprint_missing", lambda: None)
    monkeypatch.setattr(pdf, "render_pdf", lambda certificate, verify_url: FAKE_PDF)


@pytest.fixture
def queue(app, tmp_path, monkeypatch):
    """The app's runner on a SQLite queue: jobs wait until the test runs them, as with a worker."""
    runner = runner_of(app).on_storage(f"sqlite:///{tmp_path / 'jobs.sqlite3'}")
    monkeypatch.setitem(app.extensions, "jobs", runner)
    return runner


# --- checking a code, without an account --------------------------------------------------------------------


def test_anyone_sees_that_a_certificate_is_genuine(client, certificate, users):
    response = client.get(f"/certificates/{certificate.display_code}")
    assert response.status_code == 200
    text = text_of(response)
    assert "Genuine" in text and users["professional"].name in text
    assert "Family group facilitation" in text and "12.5" in text and "Fundación Familias en Red" in text
    assert "attended the test event" in text and certificate.display_code in text
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Robots-Tag"] == "noindex"
    assert read_html(response).find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert "Download the PDF" not in text  # not the holder


def test_a_code_typed_another_way_goes_to_its_page(client, certificate):
    for typed in (certificate.code.lower(), certificate.display_code.lower(), certificate.code):
        response = client.get(f"/certificates/{typed}")
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/certificates/{certificate.display_code}")


def test_a_code_nobody_holds_is_a_clear_404(client, certificate):
    other = "".join("2" if c != "2" else "3" for c in certificate.code)
    for code in (f"{other[:4]}-{other[4:8]}-{other[8:]}", "not-a-code", "<script>x"):
        response = client.get(f"/certificates/{code}")
        assert response.status_code == 404
        text = text_of(response)
        assert "No certificate has this code" in text and certificate.holder_name not in text
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script>x" not in response.get_data(as_text=True)


def test_the_form_takes_a_code_without_javascript_or_a_session(client, certificate):
    page = read_html(client.get("/certificates/"))
    form = page.find("form", action="/certificates/")
    assert form["method"] == "get" and form.find("input", attrs={"name": "code"})
    response = client.get("/certificates/", query_string={"code": f" {certificate.display_code.lower()} "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/certificates/{certificate.display_code}")
    for wrong in ("", "12345"):
        response = client.get("/certificates/", query_string={"code": wrong})
        assert response.status_code == 422 and "code" in text_of(response)


def test_a_revoked_certificate_says_when_and_why(client, certificate, users):
    certificates.revoke(users["site_admin"], certificate, "Issued by mistake.")
    text = text_of(client.get(f"/certificates/{certificate.display_code}"))
    assert "Revoked on" in text and "Issued by mistake." in text and "Genuine" not in text


# --- the holder's certificates and PDF ----------------------------------------------------------------------


def test_the_holder_lists_their_certificates_from_their_account(client, auth, certificate, users):
    issue_to(users["outsider"], title="Someone else's course")
    assert client.get("/certificates/mine").headers["Location"].split("?")[0].endswith("/login")
    auth.login(users["professional"])
    account = read_html(client.get("/account"))
    assert account.find("a", href="/certificates/mine")
    text = text_of(client.get("/certificates/mine"))
    assert "Family group facilitation" in text and certificate.display_code in text
    assert "Someone else's course" not in text
    page = read_html(client.get(f"/certificates/{certificate.display_code}"))
    assert page.find("a", href=f"/certificates/{certificate.display_code}.pdf")


def test_only_the_holder_and_site_admins_download_the_pdf(client, auth, certificate, users, quick_pdfs):
    url = f"/certificates/{certificate.display_code}.pdf"
    assert client.get(url).headers["Location"].split("?")[0].endswith("/login")
    for kind in ("outsider", "institution_admin", "coordinator", "evaluator"):
        auth.login(users[kind])
        assert client.get(url).status_code == 403, kind
        auth.logout()
    for kind in ("professional", "site_admin"):
        auth.login(users[kind])
        response = client.get(url)
        assert response.status_code == 200 and response.data == FAKE_PDF, kind
        assert response.headers["Cache-Control"] == "private, no-store"
        assert f"certificate-{certificate.display_code}.pdf" in response.headers["Content-Disposition"]
        response.close()
        auth.logout()


def test_the_pdf_waits_for_the_job_worker(client, auth, certificate, users, queue, quick_pdfs):
    auth.login(users["professional"])
    url = f"/certificates/{certificate.display_code}.pdf"
    page = read_html(client.get(url))
    assert page.find("meta", attrs={"http-equiv": "refresh"}) and "being prepared" in page.get_text()
    client.get(url)  # asked again while it waits: not queued twice
    assert queue.counts() == {"queued": 1, "scheduled": 0}
    assert not pdf.pdf_path(certificate).exists()  # the request built nothing

    assert queue.run_due() == 1
    response = client.get(url)
    assert response.mimetype == "application/pdf" and response.data == FAKE_PDF
    response.close()
    assert pdf.pdf_status(certificate) == {"state": pdf.READY}


def test_a_failed_build_says_why_and_can_be_tried_again(client, auth, certificate, users, queue, quick_pdfs,
                                                         monkeypatch):
    def broken(*args):
        raise RuntimeError("no layout today")

    monkeypatch.setattr(pdf, "render_pdf", broken)
    auth.login(users["professional"])
    url = f"/certificates/{certificate.display_code}.pdf"
    client.get(url)
    assert queue.run_due() == 1
    page = read_html(client.get(url))
    assert "could not be prepared" in page.get_text() and "no layout today" in page.get_text()
    assert not page.find("meta", attrs={"http-equiv": "refresh"})
    assert page.find("a", href=f"{url}?retry=1")
    monkeypatch.setattr(pdf, "render_pdf", lambda certificate, verify_url: FAKE_PDF)
    client.get(f"{url}?retry=1")
    queue.run_due()
    response = client.get(url)
    assert response.data == FAKE_PDF
    response.close()


def test_without_weasyprint_the_page_says_what_is_missing(client, auth, certificate, users, monkeypatch):
    monkeypatch.setattr(pdf, "weasyprint_missing", lambda: "WeasyPrint cannot run here (no Pango)")
    auth.login(users["professional"])
    response = client.get(f"/certificates/{certificate.display_code}.pdf")
    assert response.status_code == 200 and "no Pango" in text_of(response)


def test_a_revoked_certificate_has_no_pdf(client, auth, certificate, users, quick_pdfs):
    auth.login(users["professional"])
    url = f"/certificates/{certificate.display_code}.pdf"
    client.get(url).close()
    assert pdf.pdf_path(certificate).exists()
    certificates.revoke(users["site_admin"], certificate, "Did not attend.")
    assert not pdf.pdf_path(certificate).exists()
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(certificate.display_code)


@needs_weasyprint
def test_the_pdf_is_made_through_the_job_runner_and_holds_the_name_and_the_code(client, auth, certificate,
                                                                                  users, queue):
    from pypdf import PdfReader

    auth.login(users["professional"])
    url = f"/certificates/{certificate.display_code}.pdf"
    client.get(url)
    assert queue.run_due() == 1
    response = client.get(url)
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    response.close()
    assert len(reader.pages) == 1
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert width > height  # landscape
    text = " ".join(reader.pages[0].extract_text().split())
    for expected in (users["professional"].name, certificate.display_code, "Family group facilitation",
                     "12.5", "Fundación Familias en Red", "Certificate of attendance",
                     f"http://localhost/certificates/{certificate.display_code}"):
        assert expected in text, expected
    assert reader.metadata.title.startswith("Certificate of attendance")


@needs_weasyprint
def test_the_pdf_speaks_the_certificates_language_and_fetches_nothing(app, users):
    users["professional"].locale = "es"
    certificate = issue_to(users["professional"])
    html = pdf.certificate_html(certificate, "http://localhost/certificates/x")
    assert '<html lang="es">' in html and "20 de noviembre de 2026" in html
    import weasyprint

    fetcher = printing.local_only_fetcher(weasyprint)
    with pytest.raises(ValueError):
        (fetcher.fetch if hasattr(fetcher, "fetch") else fetcher)("file:///etc/passwd")


# --- revoking ---------------------------------------------------------------------------------------------------


def test_the_kinds_organisers_and_site_admins_revoke_with_a_reason(client, auth, certificate, users, make_user):
    url = f"/certificates/{certificate.display_code}/revoke"
    auth.login(users["professional"])
    assert client.get(url).status_code == 403
    assert client.post(url, data={"reason": "No."}).status_code == 403
    auth.logout()
    auth.login(make_user(COORDINATOR))
    assert "Revoke this certificate" in text_of(client.get(f"/certificates/{certificate.display_code}"))
    assert client.get(url).status_code == 200
    assert client.post(url, data={"reason": "  "}).status_code == 422
    response = client.post(url, data={"reason": "Left on the first morning."})
    assert response.status_code == 302
    db.session.expire_all()
    assert certificate.revoked and certificate.revoked_reason == "Left on the first morning."
    assert client.get(url).status_code == 302  # already revoked: back to its page
