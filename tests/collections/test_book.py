"""An edition read as a book: its contents, notes about what changed since, and the page that shows it."""
from __future__ import annotations

import pytest
from book_helpers import MEMBERS, frozen_item, make_edition

from conftest import read_html
from network.collections.book import book_context
from network.extensions import db
from network.practices.models import PracticeRevision


@pytest.fixture
def book(make_institution, make_practice):
    """Three chapters: an untitled one first (items outside any chapter), then two named ones."""
    home = make_institution(name="Fundación Familias", country="ES")
    groups = make_practice(home, title="Interfamily groups", tags=["groups", "families"])
    visits = make_practice(home, title="Home visits", tags=["home", "Families"], language="en")
    mentors = make_practice(home, title="Peer mentors", tags=["peers"])
    edition = make_edition(home, [
        (None, "", [frozen_item(mentors)]),
        ("Working with groups", "<p>Groups <strong>first</strong>.</p>",
         [frozen_item(groups, note_html="<p>Start here.</p>",
                      attachments=[{"name": "guide.pdf", "size": 204800,
                                    "content_type": "application/pdf"}])]),
        ("At home", "", [frozen_item(visits)]),
    ])
    return {"edition": edition, "home": home, "groups": groups, "visits": visits, "mentors": mentors}


def test_context_numbers_items_in_book_order_and_builds_the_table_of_contents(app, book):
    context = book_context(book["edition"])
    assert [c["title"] for c in context["toc"]] == [None, "Working with groups", "At home"]
    assert [i["title"] for c in context["toc"] for i in c["items"]] == ["Peer mentors", "Interfamily groups",
                                                                         "Home visits"]
    assert [i["anchor"] for i in context["items"]] == ["item-1", "item-2", "item-3"]
    assert context["book_title"] == "Manual of family resources"
    assert context["can_edit"] is False


def test_editors_are_told_they_can_publish_a_new_edition(app, client, auth, book, make_user):
    from network.auth.models import INSTITUTION_ADMIN

    book["groups"].revisions.append(PracticeRevision(number=2, data={}))
    db.session.commit()
    admin = make_user(INSTITUTION_ADMIN, institution=book["home"])
    assert book_context(book["edition"], viewer=admin)["can_edit"] is True
    auth.login(admin)
    page = read_html(client.get(f"/collections/{book['edition'].collection_id}/editions/1"))
    assert page.select_one(".book-editor-hint") is not None
    auth.logout()
    page = read_html(client.get(f"/collections/{book['edition'].collection_id}/editions/1"))
    assert page.select_one(".book-editor-hint") is None
    assert "A newer revision of this practice exists." in page.select_one("#item-2").get_text()


def test_tag_index_is_alphabetical_and_merges_tags_differing_only_in_case(app, book):
    index = {entry["tag"].casefold(): [ref["title"] for ref in entry["items"]]
             for entry in book_context(book["edition"])["tag_index"]}
    assert list(index) == ["families", "groups", "home", "peers"]
    assert index["families"] == ["Interfamily groups", "Home visits"]


def test_a_newer_revision_is_flagged_and_the_frozen_text_stays(app, book):
    groups = book["groups"]
    groups.title = "Interfamily groups (second version)"
    groups.revisions.append(PracticeRevision(number=2, data={}))
    db.session.commit()
    context = book_context(book["edition"])
    item = next(i for i in context["items"] if i["id"] == groups.id)
    assert item["newer_revision"] and not item["withdrawn"]
    assert item["title"] == "Interfamily groups"
    assert context["newer_revision_count"] == 1
    assert not any(i["newer_revision"] for i in context["items"] if i["id"] != groups.id)


def test_deleted_unpublished_or_no_longer_public_practices_are_withdrawn(app, book):
    db.session.delete(book["mentors"])
    book["groups"].status = "draft"
    book["visits"].visibility = "members"
    db.session.commit()
    context = book_context(book["edition"])
    assert [i["withdrawn"] for i in context["items"]] == [True, True, True]
    assert all(i["current_url"] is None and not i["newer_revision"] for i in context["items"])
    assert [i["title"] for i in context["items"]] == ["Peer mentors", "Interfamily groups", "Home visits"]


def test_members_only_practice_in_a_members_collection_is_not_withdrawn(app, make_institution, make_practice):
    home = make_institution()
    practice = make_practice(home, visibility="members")
    edition = make_edition(home, [("Chapter", "", [frozen_item(practice)])], visibility=MEMBERS)
    assert book_context(edition)["items"][0]["withdrawn"] is False


def test_the_pdf_context_has_no_notes_about_later_changes(app, book):
    db.session.delete(book["mentors"])
    db.session.commit()
    context = book_context(book["edition"], for_pdf=True)
    assert not any(i["withdrawn"] or i["newer_revision"] for i in context["items"])
    assert "@page" in context["book_css"]


def test_frozen_html_is_cleaned_again_and_its_headings_go_below_the_sections(app, make_institution,
                                                                             make_practice):
    home = make_institution()
    practice = make_practice(home)
    hostile = '<h3>Sub</h3><script>alert(1)</script><img src="http://x/y.png">'
    item = frozen_item(practice, sections=[{"name": "context", "heading": "Context", "html": hostile}])
    edition = make_edition(home, [("Chapter", "", [item])])
    html = str(book_context(edition)["items"][0]["sections"][0]["html"])
    assert "<h5>Sub</h5>" in html and "<script" not in html and "<img" not in html


def test_the_edition_page_is_a_book(client, book):
    edition = book["edition"]
    response = client.get(f"/collections/{edition.collection_id}/editions/1")
    assert response.status_code == 200
    page = read_html(response)
    assert page.h1.get_text(strip=True) == "Manual of family resources"
    assert "Edition 1" in page.select_one(".book-title-page").get_text()
    assert "Why this manual exists." in page.select_one(".book-introduction").get_text()
    toc = page.select_one("[role=doc-toc]")
    assert [a["href"] for a in toc.select("a.toc-item")] == ["#item-1", "#item-2", "#item-3"]
    assert [h.get_text(strip=True) for h in page.select("h2.chapter-title")] == [
        "Working with groups", "At home"]
    assert [h.get_text(strip=True) for h in page.select("h3.item-title")] == [
        "Peer mentors", "Interfamily groups", "Home visits"]
    item = page.select_one("#item-2")
    assert [h.get_text(strip=True) for h in item.select("h4")][:4] == [
        "Context and framework", "Target group", "Methods and activities", "Outcomes and evidence"]
    assert item.select_one("h3")["lang"] == "es"
    assert "Start here." in item.select_one(".editor-note").get_text()
    assert "guide.pdf" in item.select_one(".item-attachments").get_text()
    assert "Fundación Familias" in item.select_one(".book-item-meta").get_text()
    index = page.select_one("#tag-index")
    assert [dt.get_text(strip=True) for dt in index.select("dt")] == ["families", "groups", "home", "peers"]
    assert any("css/book.css" in link["href"] for link in page.select("link[rel=stylesheet]"))
    pdf_link = page.find("a", string="Download PDF")
    assert pdf_link["href"] == f"/collections/{edition.collection_id}/editions/1.pdf"


def test_the_page_notes_withdrawn_practices_and_links_other_editions(client, book):
    edition = book["edition"]
    second = make_edition(book["home"], edition.contents["chapters"] and [("Only", "", [])], number=2,
                          collection=edition.collection)
    db.session.delete(book["mentors"])
    db.session.commit()
    page = read_html(client.get(f"/collections/{edition.collection_id}/editions/1"))
    assert "withdrawn after this edition was published" in page.select_one("#item-1").get_text()
    assert "withdrawn" not in page.select_one("#item-2").get_text()
    title_page = page.select_one(".book-title-page")
    newer = title_page.find("a", href=f"/collections/{second.collection_id}/editions/2")
    assert newer is not None


def test_a_members_only_edition_is_not_found_for_visitors(client, make_institution):
    edition = make_edition(make_institution(), [("Chapter", "", [])], visibility=MEMBERS)
    assert client.get(f"/collections/{edition.collection_id}/editions/1").status_code == 404
    assert client.get(f"/collections/{edition.collection_id}/editions/1.pdf").status_code == 404
    assert client.get(f"/collections/{edition.collection_id}/editions/1/pdf-status").status_code == 404


def test_the_book_reads_the_database_the_same_number_of_times_whatever_its_size(app, make_institution,
                                                                                make_practice):
    import sqlalchemy as sa

    home = make_institution()

    def queries_for(n: int) -> int:
        items = [frozen_item(make_practice(home, title=f"Practice {n}-{i}", tags=[f"tag {i}"])) for i in range(n)]
        edition = make_edition(home, [("Chapter", "", items)], title=f"Book of {n}")
        db.session.expire_all()
        edition = db.session.get(type(edition), edition.id)
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            book_context(edition)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert queries_for(2) == queries_for(6)
