"""network/printing.py's file handling, shared by every PDF the platform makes (certificates, collections' books,
reports): a PDF and its status are replaced whole or not at all, and one setting decides whether builds are queued."""
from __future__ import annotations

import os

import pytest

from network import printing


def test_a_pdf_is_written_whole_into_a_new_folder_and_replaced_whole(tmp_path):
    target = tmp_path / "reports" / "7" / "2.pdf"
    assert printing.write_pdf(target, b"%PDF-1.7 first") == target
    assert target.read_bytes() == b"%PDF-1.7 first"
    printing.write_pdf(target, b"%PDF-1.7 second")
    assert target.read_bytes() == b"%PDF-1.7 second"
    assert sorted(path.name for path in target.parent.iterdir()) == ["2.pdf"]  # no temporary file left


def test_a_failed_write_keeps_the_old_pdf_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "certificate.pdf"
    printing.write_pdf(target, b"%PDF-1.7 old")

    def refuse(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        printing.write_pdf(target, b"%PDF-1.7 new")
    assert target.read_bytes() == b"%PDF-1.7 old"
    assert [path.name for path in tmp_path.iterdir()] == ["certificate.pdf"]


def test_a_status_reads_back_with_its_time_and_a_missing_or_broken_one_is_empty(tmp_path):
    status = tmp_path / "3" / "edition-1.status.json"
    printing.write_status(status, {"state": "queued", "percent": 0})
    read = printing.read_status(status)
    assert read["state"] == "queued" and read["percent"] == 0 and isinstance(read["updated"], float)
    assert printing.read_status(tmp_path / "none.status.json") == {}
    status.write_text("{half", encoding="utf-8")
    assert printing.read_status(status) == {}


@pytest.mark.parametrize("value, testing, queued", [
    (None, True, False),  # tests make no PDF behind their back
    (None, False, True),
    ("off", False, False),
    ("jobs", True, True),
    ("thread", False, True),  # collections' values from before the jobs
    ("sync", False, True),
])
def test_the_builder_setting_decides_whether_builds_are_queued(app, monkeypatch, value, testing, queued):
    monkeypatch.setitem(app.config, "REPORTS_PDF_BUILDER", value)
    monkeypatch.setattr(app, "testing", testing)
    assert printing.queues_builds("REPORTS_PDF_BUILDER") is queued
