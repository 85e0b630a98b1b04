"""A practice's history of changes names what its revisions store as codes: its evidence ("shared", "reviewed"),
status, visibility, sectors, intervention types, country and language read as words in the reader's language."""
from __future__ import annotations

from conftest import read_html
from network.auth import services as accounts
from network.practices import services


def test_the_history_names_codes_in_the_reader_s_language(client, auth, users, make_practice):
    author, evaluator = users["professional"], users["evaluator"]
    practice = make_practice(author.institution, actor=author, status="draft", visibility="members")
    services.mark_reviewed(evaluator, practice)
    data = services.PracticeData.from_practice(practice)
    data.status, data.visibility, data.sectors = "published", "public", ["social", "mental_health"]
    services.update_practice(author, practice, data)

    auth.login(author)
    assert [r.number for r in practice.revisions] == [1, 2, 3]  # written, reviewed, edited
    page = read_html(client.get(f"/practices/{practice.id}/revisions?from=1&to=3"))
    changes = {h3.get_text(): h3.find_next_sibling("div").get_text(" ", strip=True)
               for h3 in page.select("main h3")}
    assert changes["Evidence level"] == "removed: Shared by a partner added: Reviewed"
    assert changes["Status"] == "removed: Draft added: Published"
    assert changes["Visibility"] == "removed: Network members only added: Everyone"
    assert "Mental health" in changes["Sectors"] and "mental_health" not in changes["Sectors"]

    accounts.set_locale(author, "es")
    page = read_html(client.get(f"/practices/{practice.id}/revisions?from=0&to=1"))
    text = page.find("main").get_text(" ", strip=True)
    for code in ("shared", "draft", "members", "social"):
        assert f": {code} " not in f"{text} ", code
    assert "España" in text and "español" in text  # the country and the language, named in Spanish
