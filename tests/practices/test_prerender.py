"""A practice's HTML is rendered and stored when it is saved (issue 24): the page shows the stored HTML and
runs neither Markdown nor the sanitiser; stale or missing HTML is rendered for the page without being stored,
and `flask practices render-html` (and the migration that added the table) makes it."""
from __future__ import annotations

import json

import bleach.linkifier
import bleach.sanitizer
import markdown
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from flask_migrate import downgrade, upgrade

from conftest import read_html
from hostile import XSS, page_sample
from network.extensions import db
from network.practices import importer, rendering
from network.practices import services as practices
from network.practices.models import SECTION_NAMES, Practice, PracticeHtml
from network.sanitize import render_markdown

BEFORE = "4c8e1a7d2f90"  # the revision before 5d1e8a3c9f27, which added practice_html
RICH = dict(
    context="Started in 2015 in a **family support centre**; see https://example.org/groups.",
    objectives="1. Build support between families\n2. Share solutions\n\n# A heading",
    methods="- Fortnightly sessions\n- Two facilitators\n\n| Week | Topic |\n|---|---|\n| 1 | Sleep |",
    lessons="Keep `&nbsp;` in code as written.\n\n```\n<b>not bold</b>\n```",
)
EXECUTABLE = ["script", "style", "iframe", "img", "svg", "form", "input", "object", "embed"]


def stored(practice_id: int) -> PracticeHtml | None:
    db.session.expire_all()
    return db.session.get(PracticeHtml, practice_id)


def expected_html(practice: Practice) -> dict[str, str]:
    """What the sanitiser itself makes of each section, as the page used to render it on every view."""
    return {name: str(render_markdown(getattr(practice, name))) if getattr(practice, name).strip() else ""
            for name in SECTION_NAMES}


class Spy:
    """Counts the calls of Markdown's and bleach's working methods, however they are reached."""

    TARGETS = ((markdown.Markdown, "convert"), (bleach.sanitizer.Cleaner, "clean"),
               (bleach.linkifier.Linker, "linkify"), (markdown, "markdown"), (bleach, "clean"))

    def __init__(self, monkeypatch):
        self.calls: list[str] = []
        for owner, name in self.TARGETS:
            original = getattr(owner, name)

            def counted(*args, _original=original, _name=name, **kwargs):
                self.calls.append(_name)
                return _original(*args, **kwargs)

            monkeypatch.setattr(owner, name, counted)
        self.reset()

    def reset(self) -> None:
        self.calls.clear()
        render_markdown.cache_clear()  # a page rendered from the per-worker cache would call nothing either


@pytest.fixture
def spy(monkeypatch):
    return Spy(monkeypatch)


@pytest.fixture
def practice(make_practice, users):
    return make_practice(users["professional"].institution, **RICH)


def sections_of(page) -> dict[str, str]:
    return {section["aria-labelledby"].removeprefix("section-"): section.select_one(".prose").decode_contents()
            for section in page.select("main section[aria-labelledby^=section-]")}


# --- saving ----------------------------------------------------------------------------------------------


def test_saving_a_practice_stores_the_html_the_sanitiser_gives(practice, users):
    row = stored(practice.id)
    assert row is not None and row.rules == rendering.RULES
    assert {name: getattr(row, name) for name in SECTION_NAMES} == expected_html(practice)
    assert row.resources == "" and "<strong>family support centre</strong>" in row.context
    assert "<h3>A heading</h3>" in row.objectives and "<table>" in row.methods
    assert 'rel="nofollow noopener"' in row.context and "&amp;nbsp;" in row.lessons

    data = practices.PracticeData.from_practice(practice)
    data.methods = "- Monthly sessions"
    practices.update_practice(users["professional"], practice, data)
    row = stored(practice.id)
    assert row.methods == str(render_markdown("- Monthly sessions")) and "Monthly" in row.methods
    assert row.context == expected_html(practice)["context"]


def test_a_save_that_changes_no_section_renders_nothing(practice, users, spy):
    practices.change_status(users["professional"], practice, "archived")
    practices.mark_reviewed(users["evaluator"], practice)
    assert spy.calls == []
    assert stored(practice.id).rules == rendering.RULES


def test_deleting_a_practice_deletes_its_html(practice, users):
    practice_id = practice.id
    practices.delete_practice(users["site_admin"], practice)
    assert stored(practice_id) is None


def test_imported_practices_have_their_html(app, users, tmp_path):
    home = users["professional"].institution
    path = tmp_path / "practices.jsonl"
    record = dict(title="Imported", summary="A summary.", sectors=["social"], country=home.country, language="es",
                  institution=home.slug, status="published", **{name: f"**{name}**" for name in SECTION_NAMES})
    path.write_text("\n".join(json.dumps({**record, "external_ref": f"x-{n}"}) for n in range(3)) + "\n")
    assert importer.import_file(path, batch_size=2).created == 3
    rows = db.session.scalars(sa.select(PracticeHtml)).all()
    assert len(rows) == 3 and all(row.context == "<p><strong>context</strong></p>" for row in rows)


def test_the_demo_practices_have_their_html(demo):
    report = practices.store_missing_html()
    assert report.checked == demo["practices"] > 0 and (report.made, report.remade) == (0, 0)


# --- showing ---------------------------------------------------------------------------------------------


def test_a_page_view_runs_neither_markdown_nor_the_sanitiser(client, auth, practice, users, spy):
    practice_id, expected, member = practice.id, expected_html(practice), users["outsider"].email
    shown = {name: html for name, html in expected.items() if html}
    spy.reset()  # expected_html() ran the sanitiser, and filled its cache
    db.session.remove()  # the page loads the practice as a fresh request does
    page = read_html(client.get(f"/practices/{practice_id}"))
    assert spy.calls == []
    assert sections_of(page) == shown
    # Also the page shown again with a refused comment (practices.discussion_views.show_context), to a member.
    auth.login(member)
    refused = client.post(f"/practices/{practice_id}/comments", data={"body": " "})
    assert refused.status_code == 422 and sections_of(read_html(refused)) == shown
    assert spy.calls == []


def test_the_page_reads_the_stored_html(client, practice):
    """What the page prints is the stored row's, not something rendered beside it."""
    db.session.execute(sa.update(PracticeHtml).where(PracticeHtml.practice_id == practice.id)
                       .values(methods="<p>as stored</p>"))
    db.session.commit()
    assert sections_of(read_html(client.get(f"/practices/{practice.id}")))["methods"] == "<p>as stored</p>"


def test_missing_html_is_rendered_for_the_page_and_not_stored(client, practice, spy):
    practice_id, expected = practice.id, expected_html(practice)
    db.session.execute(sa.delete(PracticeHtml))
    db.session.commit()
    db.session.remove()
    spy.reset()
    page = read_html(client.get(f"/practices/{practice_id}"))
    assert sections_of(page) == {name: html for name, html in expected.items() if html}
    assert "convert" in spy.calls and "clean" in spy.calls  # the spy sees rendering when there is some
    assert stored(practice_id) is None  # a GET writes nothing


def test_stale_html_is_not_shown_and_is_rendered_again_by_the_command_not_before(client, runner, practice,
                                                                                users, make_practice):
    other = make_practice(users["professional"].institution, title="Another", methods="- untouched")
    ids = practice.id, other.id
    expected = expected_html(practice)
    # Made under older rules; and a text changed by SQL, past the services.
    db.session.execute(sa.update(PracticeHtml).where(PracticeHtml.practice_id == practice.id)
                       .values(rules="0.000000000000", methods="<p>old rules</p>"))
    db.session.execute(sa.update(Practice).where(Practice.id == other.id).values(methods="- changed by SQL"))
    db.session.commit()

    assert sections_of(read_html(client.get(f"/practices/{ids[0]}")))["methods"] == expected["methods"]
    assert "changed by SQL" in sections_of(read_html(client.get(f"/practices/{ids[1]}")))["methods"]
    assert stored(ids[0]).rules == "0.000000000000" and "untouched" in stored(ids[1]).methods  # not before

    result = runner.invoke(args=["practices", "render-html", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "Checked 2 practices: 0 rendered (had no stored HTML), 2 rendered again (stale), 0 already current" \
        in result.output
    assert stored(ids[0]).rules == rendering.RULES and stored(ids[0]).methods == expected["methods"]
    assert stored(ids[1]).methods == str(render_markdown("- changed by SQL"))

    again = runner.invoke(args=["practices", "render-html"])
    assert "Checked 2 practices: 0 rendered (had no stored HTML), 0 rendered again (stale), 2 already current" \
        in again.output


def test_the_command_makes_missing_html(runner, practice):
    db.session.execute(sa.delete(PracticeHtml))
    db.session.commit()
    result = runner.invoke(args=["practices", "render-html"])
    assert "1 rendered (had no stored HTML)" in result.output, result.output
    assert {name: getattr(stored(practice.id), name) for name in SECTION_NAMES} == expected_html(practice)


def test_the_command_renders_in_several_processes_the_same_html(runner, practice, make_practice, users):
    others = [make_practice(users["professional"].institution, title=f"Practice {n}", methods=f"- step {n}")
              for n in range(3)]
    expected = {p.id: expected_html(p) for p in (practice, *others)}
    db.session.execute(sa.delete(PracticeHtml))
    db.session.commit()
    result = runner.invoke(args=["practices", "render-html", "--jobs", "2", "--batch-size", "3"])
    assert "Checked 4 practices: 4 rendered (had no stored HTML)" in result.output, result.output
    assert {row.practice_id: {name: getattr(row, name) for name in SECTION_NAMES}
            for row in db.session.scalars(sa.select(PracticeHtml))} == expected


def test_new_rules_make_the_stored_html_stale(client, practice, monkeypatch, spy):
    """RENDER_VERSION bumped (or bleach upgraded): the page renders afresh until the command has run."""
    monkeypatch.setattr(rendering, "RULES", "2.000000000000")
    client.get(f"/practices/{practice.id}")
    assert "convert" in spy.calls
    assert practices.store_missing_html().remade == 1 and stored(practice.id).rules == "2.000000000000"


# --- hostile text ----------------------------------------------------------------------------------------


def _inert(html: str, text: str) -> None:
    page = BeautifulSoup(html, "html.parser")
    assert not page.find_all(EXECUTABLE), text
    for element in page.find_all(True):
        assert not any(name.startswith("on") or name == "style" for name in element.attrs), text
        assert not element.get("href", "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), text


@pytest.mark.filterwarnings("ignore::bs4.MarkupResemblesLocatorWarning")
def test_hostile_markdown_is_stored_cleaned_and_shown_cleaned(client, make_practice, users):
    """The hostile sample (tests/hostile.py), seven strings a practice, one in each section: the stored HTML is
    the sanitiser's and nothing executable reaches the page."""
    home = users["professional"].institution
    strings = XSS + [text for text in page_sample() if text.strip()]
    for start in range(0, len(strings), len(SECTION_NAMES)):
        chunk = strings[start:start + len(SECTION_NAMES)]
        texts = {name: f"Section.\n\n{text}" for name, text in zip(SECTION_NAMES, chunk)}
        practice = make_practice(home, title=f"Hostile {start}", **texts)
        row = stored(practice.id)
        for name, text in texts.items():
            assert getattr(row, name) == str(render_markdown(getattr(practice, name))), text
            _inert(getattr(row, name), text)
        page = read_html(client.get(f"/practices/{practice.id}"))
        assert all(s.get("src", "").startswith("/static/") and not s.string for s in page.find_all("script"))
        for html in sections_of(page).values():
            _inert(html, chunk)


# --- the migration ---------------------------------------------------------------------------------------


def test_the_migration_fills_the_html_of_the_practices_there_are(app, practice, make_practice, users):
    others = [make_practice(users["professional"].institution, title=f"Practice {n}", methods=f"- step {n}")
              for n in range(3)]
    made_by_saving = {row.practice_id: {name: getattr(row, name) for name in (*SECTION_NAMES, "source_digest")}
                      for row in db.session.scalars(sa.select(PracticeHtml))}
    assert set(made_by_saving) == {practice.id, *(p.id for p in others)}
    db.session.remove()

    downgrade(revision=BEFORE)
    assert "practice_html" not in sa.inspect(db.engine).get_table_names()
    upgrade()
    rows = db.session.scalars(sa.select(PracticeHtml)).all()
    assert {row.practice_id: {name: getattr(row, name) for name in (*SECTION_NAMES, "source_digest")}
            for row in rows} == made_by_saving
    assert {row.rules for row in rows} == {rendering.RULES}
    assert practices.store_missing_html().current == 4
