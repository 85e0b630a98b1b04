"""The audit log names what it stores in the reader's language: the action, the kind of thing, each detail and
its value (roles by name, lists joined, yes or no), never a Python list; rows stored before read the same way."""
from __future__ import annotations

from datetime import datetime, timezone

from conftest import read_html
from network.audit import AuditEntry
from network.auth import services as accounts
from network.extensions import db


def rows(client, query=""):
    page = read_html(client.get(f"/admin/audit{query}"))
    return [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("tbody tr")]


def test_roles_changed_reads_as_words_not_as_a_python_list(client, auth, users):
    admin = users["site_admin"]
    auth.login(admin)
    client.post(f"/admin/users/{users['evaluator'].id}", data={"roles": ["evaluator", "coordinator"]})
    [row] = rows(client, "?action=user.roles_changed")
    assert row[2] == "Roles changed" and row[3].startswith("Account: ")
    assert "Before: Evaluator" in row[4] and "After: Coordinator, Evaluator" in row[4]
    assert "[" not in row[4] and "'" not in row[4]
    page = read_html(client.get("/admin/audit"))
    assert page.select_one("#action option[value='user.roles_changed']").get_text() == "Roles changed"


def test_an_entry_stored_before_reads_the_same_and_unknown_codes_stay_as_stored(client, auth, users):
    when = datetime(2026, 1, 5, 10, 0, tzinfo=timezone.utc)
    db.session.add_all([
        AuditEntry(action="user.roles_changed", target_type="user", target_label="former member", created_at=when,
                   details={"before": [], "after": ["evaluator"]}, by_person=False),
        AuditEntry(action="comment.restored", target_type="practice", target_label="Grupos", created_at=when,
                   details={"comment_id": 1234, "was_hidden": True, "flags_resolved": 2}, by_person=False),
        AuditEntry(action="plugin.did_something", target_type="gadget", target_label="x", created_at=when,
                   details={"weird_key": "value"}, by_person=False),
    ])
    db.session.commit()
    accounts.set_locale(users["site_admin"], "fr")
    auth.login(users["site_admin"])
    found = {row[2]: row for row in rows(client, "?since=2026-01-05&until=2026-01-05")}
    roles = next(row for action, row in found.items() if "Évaluat" in row[4])
    assert "[]" not in roles[4] and "['evaluator']" not in roles[4] and "—" in roles[4]
    assert "former member" not in roles[3]  # a deleted account, named in French
    restored = next(row for row in found.values() if "1234" in row[4])
    assert "1234" in restored[4] and "1 234" not in restored[4] and "True" not in restored[4]
    unknown = found["plugin.did_something"]  # another version's code: shown as stored, not dropped
    assert unknown[3].startswith("gadget") and "weird_key" in unknown[4] and "value" in unknown[4]
