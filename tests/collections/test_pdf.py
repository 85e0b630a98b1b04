"""An edition's PDF: made with WeasyPrint in the background, once, under a lock; served when ready."""
from __future__ import annotations

import io
import json
import os
import re

import pytest
from book_helpers import frozen_item, make_edition

from conftest import read_html
from network import printing
from network.collections import pdf

needs_weasyprint = pytest.mark.skipif(
    bool(pdf.weasyprint_missing()), reason=f"no PDFs on this machine: {pdf.weasyprint_missing()}")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.fixture
def small_book(make_institution, make_practice):
    home = make_institution(name="Casa Deschisă", country="RO")
    first = make_practice(home, title="Interfamily groups", tags=["groups"])
    second = make_practice(home, title="Home visits by peer families", tags=["home"])
    third = make_practice(home, title="Community kitchens", tags=["groups", "food"])
    return make_edition(home, [
        ("Groups", "<p>Working together.</p>", [frozen_item(first), frozen_item(third)]),
        ("At home", "", [frozen_item(second)])])


def test_paths_live_under_the_instance_folder_and_the_filename_is_safe(app, small_book):
    assert str(pdf.pdf_path(small_book)).startswith(app.instance_path)
    assert pdf.pdf_path(small_book).name == "edition-1.pdf"
    assert pdf.pdf_filename(small_book) == "manual-of-family-resources-edition-1.pdf"
    assert pdf.pdf_status(small_book)["state"] == pdf.MISSING


def test_a_second_build_waits_for_the_lock_and_a_dead_owner_lock_is_taken_over(app, small_book):
    assert pdf._acquire(small_book)
    assert not pdf._acquire(small_book)
    assert pdf.pdf_status(small_book)["state"] == pdf.RUNNING
    with pytest.raises(pdf.PdfBusy):
        pdf.build_pdf(small_book)
    # A worker killed mid-build leaves its lock; the next one takes it over.
    lock = pdf._lock_path(small_book)
    owner = json.loads(lock.read_text())
    lock.write_text(json.dumps({**owner, "pid": 2 ** 22 + 12345}))
    assert pdf.pdf_status(small_book)["state"] == pdf.MISSING
    assert pdf._acquire(small_book)
    pdf._release(small_book)
    assert not lock.exists()


def test_a_silent_lock_is_stale_after_the_timeout(app, small_book):
    assert pdf._acquire(small_book)
    lock = pdf._lock_path(small_book)
    lock.write_text(json.dumps({"pid": 1, "host": "another-machine"}))
    old = lock.stat().st_mtime - 3600
    os.utime(lock, (old, old))
    assert pdf.pdf_status(small_book)["state"] == pdf.MISSING


def test_remote_resources_are_refused(app):
    if pdf.weasyprint_missing():
        pytest.skip(pdf.weasyprint_missing())
    import weasyprint

    fetcher = printing.local_only_fetcher(weasyprint)
    for url in ("http://127.0.0.1:9/x.png", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            (fetcher.fetch if hasattr(fetcher, "fetch") else fetcher)(url)


@needs_weasyprint
def test_the_pdf_has_the_table_of_contents_and_every_title(app, small_book):
    stages = []
    path = pdf.build_pdf(small_book, progress=lambda stage, percent, details: stages.append((stage, percent)))
    text, pages = _pdf_text(path.read_bytes())
    assert pages >= 4  # title page, contents, one page per chapter at least
    assert "Contents" in text
    for title in ("Manual of family resources", "Interfamily groups", "Home visits by peer families",
                  "Community kitchens", "Groups", "At home", "Index of tags"):
        assert title in text
    assert "000" not in text  # the contents' and index's placeholder page numbers were replaced
    assert "Index of tags" in text.split("Contents", 1)[1].split("Interfamily groups", 1)[1]
    assert [s for s, _ in stages][0] == "html" and stages[-1] == ("done", 100)
    assert [p for _, p in stages] == sorted(p for _, p in stages)
    assert pdf.pdf_status(small_book)["state"] == pdf.READY
    assert not pdf._lock_path(small_book).exists() and not pdf._status_path(small_book).exists()


@needs_weasyprint
def test_the_pdf_route_prepares_it_in_the_background_then_serves_it(app, client, small_book):
    app.config["COLLECTIONS_PDF_BUILDER"] = "thread"
    url = f"/collections/{small_book.collection_id}/editions/1.pdf"
    pdf._acquire(small_book)  # as if another worker had started: the page shows the progress
    response = client.get(url)
    assert response.status_code == 200
    page = read_html(response)
    assert "The PDF is being prepared" in page.get_text()
    assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == "3"
    assert page.find("progress")["max"] == "100"
    pdf._release(small_book)

    response = client.get(url)  # starts the build in a thread and answers at once
    assert response.status_code == 200
    pdf.wait_for(small_book, timeout=120)
    status = client.get(f"/collections/{small_book.collection_id}/editions/1/pdf-status").get_json()
    assert status["state"] == "ready" and status["pdf_url"] == url

    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "manual-of-family-resources-edition-1.pdf" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF")
    response.close()


def test_a_failed_build_says_why_and_can_be_retried(app, client, small_book, monkeypatch):
    app.config["COLLECTIONS_PDF_BUILDER"] = "sync"

    def broken(*args, **kwargs):
        raise RuntimeError("no layout today")

    monkeypatch.setattr(pdf, "render_book", broken)
    monkeypatch.setattr(pdf, "weasyprint_missing", lambda: None)
    url = f"/collections/{small_book.collection_id}/editions/1.pdf"
    page = read_html(client.get(url))
    assert "could not be prepared" in page.get_text() and "no layout today" in page.get_text()
    assert page.find("meta", attrs={"http-equiv": "refresh"}) is None
    assert pdf.pdf_status(small_book)["state"] == pdf.FAILED
    assert not pdf._lock_path(small_book).exists()
    assert page.find("a", string="Try again")["href"].endswith("?retry=1")


@needs_weasyprint
def test_the_command_builds_the_pdf(app, runner, small_book):
    result = runner.invoke(args=["collections", "pdf", str(small_book.collection_id), "1"])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and pdf.pdf_path(small_book).exists()
    result = runner.invoke(args=["collections", "pdf", str(small_book.collection_id), "9"])
    assert result.exit_code == 1 and "no edition 9" in result.output


@needs_weasyprint
def test_every_page_but_the_title_page_counts_the_whole_book(app, small_book):
    """The contents and the index are laid out again on their own (render_book): they read "2 / 2" and "23 / 3"
    when they counted only their own pages."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.build_pdf(small_book).read_bytes()))
    total = len(reader.pages)
    assert total >= 5  # title page, contents, two chapters, the index
    footers = [re.findall(r"(\d+) / (\d+)", page.extract_text()) for page in reader.pages]
    assert footers[0] == []  # the title page has none
    for number, found in enumerate(footers[1:], start=2):
        assert (str(number), str(total)) in found, (number, found)
