"""Texts the platform composes are rendered when shown, in the reader's language (issue 23): why a visit was
proposed, the title of a visit's event, notifications, public holidays, the practices' history of changes, the
audit log's details, the editor's "Last saved". Each page holding them, in Spanish, French and Italian, has no
English left: neither a whole interface string (test_interface_language.untranslated) nor the words around the
values of a composed one."""
from __future__ import annotations

import re
from datetime import date

import pytest
from bs4 import NavigableString
from test_interface_language import untranslated

from conftest import PASSWORD, read_html
from essays_helpers import record_training, written
from mobility_helpers import W1, offer_data, set_today, week
from network.auth import services as accounts
from network.auth.models import EVALUATOR, SITE_ADMIN
from network.essays import services as essays
from network.events import services as events
from network.mobility import reasons
from network.mobility import services as mobility
from network.practices import services as practices
from network.search import sync

W50 = date(2026, 12, 7)  # Tuesday 8 December is a public holiday in Spain; the library has no French or Italian
LOCALES = ("es", "fr", "it")

# The English words of the composed messages, around their values: none of them may be left on these pages.
COMPOSED = {
    "reasons": ("Their choice number", "Not among their choices", "Shared interests", "No shared interests",
                "Shared languages", "No shared language", "Assigned by a coordinator"),
    "visit event": ("Job-shadowing visit at",),
    "holiday": ("Public holiday in", "its name in", "Immaculate Conception"),
    "notifications": ("Your essay “", "is published", "A visit was proposed", "is confirmed", "is completed",
                      "Write your essay about your visit to"),
    # ... and the codes they stood for before (raw codes, a Python list).
    "revisions": ("Shared by a partner", "Reviewed", "Published", "Draft", "Network members only", "Everyone",
                  "removed:", "added:", "shared", "reviewed", "draft", "published"),
    "audit": ("Roles changed", "Account created", "Before", "After", "Evaluator", "Coordinator", "Account:",
              "former member", "Membership approved", "user.roles_changed", "user.created", "before", "after",
              "evaluator", "coordinator", "['"),
    "saved": ("Last saved", "AM", "PM"),
}
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")  # "12/5/26" beside "5 dic 2026"


def shown_text(page, code: str) -> str:
    """The page's words in the interface's language (not what people wrote, nor a name marked as English)."""
    words = []
    for node in page.find_all(string=True):
        if not isinstance(node, NavigableString) or node.parent.name in ("script", "style"):
            continue
        lang = next((p.get("lang") for p in node.parents if hasattr(p, "get") and p.get("lang")), code)
        if lang == code:
            words.append(str(node))
    return " ".join(" ".join(words).split())


def _whole(words: str) -> str:
    """Words as a whole, not inside longer ones: Italian's "Coordinatore" is no English "Coordinator" left."""
    return ((r"(?<!\w)" if words[0].isalnum() else "") + re.escape(words)
            + (r"(?!\w)" if words[-1].isalnum() else ""))


def check(client, url: str, code: str, *kinds: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = read_html(response)
    assert page.html["lang"] == code, url
    assert untranslated(page, code) == [], (code, url)
    text = shown_text(page, code)
    left = [words for kind in kinds for words in COMPOSED[kind] if re.search(_whole(words.strip()), text)]
    if "saved" in kinds:
        left += NUMERIC_DATE.findall(text)
    assert left == [], (code, url, left)
    return page


@pytest.fixture
def world(client, exchange, make_applicant, make_user, make_institution, make_practice, monkeypatch):
    """A matching accepted, a visit completed (its event, the visitor's essay and notifications), a visit in a
    week with a holiday, a practice reviewed and changed, roles changed (the audit log), a draft being written."""
    application = make_applicant(interests=["interfamily groups"], languages=["en", "fi"])
    client.post("/login", data={"email": exchange.coordinator.email, "password": PASSWORD})
    box = read_html(client.get(f"/mobility/matching/{exchange.partnership.id}")).find(
        id="proposal").find("input", type="checkbox")
    client.post(f"/mobility/matching/{exchange.partnership.id}/accept", data={"match": [box["value"]]})
    client.post("/logout")
    visit = mobility.active_visit_of(application)
    assert visit.match_reason_codes and visit.week_start == W1
    mobility.confirm_visit(exchange.seville_admin, visit)

    mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville,
                        offer_data(weeks={week(W50): 1, week(W1): 2}))
    december = mobility.book_visit(exchange.coordinator, make_applicant(weeks=[week(W50)]), exchange.seville_offer,
                                   W50, reasons=reasons.one(reasons.ASSIGNED))

    set_today(monkeypatch, W1)
    mobility.complete_visit(exchange.seville_admin, visit)
    event = events.visit_event_of(visit)
    evaluator = make_user(EVALUATOR, institution=make_institution(name="Evaluation Unit", country="BE"))
    essay = written(visit.visitor, event, "published", reviewer=evaluator, title="Mitä opin", language="fi")
    draft = essays.start_essay(visit.visitor, record_training(exchange, [visit.visitor], title="Koulutus"))

    author = make_user(institution=exchange.seville)
    practice = make_practice(exchange.seville, actor=author, status="draft", visibility="members",
                             title="Grupos interfamiliares")
    practices.mark_reviewed(evaluator, practice)
    data = practices.PracticeData.from_practice(practice)
    data.status, data.visibility = "published", "public"
    practices.update_practice(author, practice, data)

    site_admin = make_user(SITE_ADMIN, institution=exchange.coordinating)
    sync.drain_all()
    return dict(visit=visit, december=december, event=event, essay=essay, draft=draft, visitor=visit.visitor,
                author=author, practice=practice, site_admin=site_admin, evaluator=evaluator)


def login(client, person, code: str):
    accounts.set_locale(person, code)
    client.post("/logout")
    assert client.post("/login", data={"email": person.email, "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("code", LOCALES)
def test_visits_their_reasons_events_and_holidays_in_the_reader_s_language(client, exchange, world, code):
    login(client, exchange.coordinator, code)
    check(client, f"/mobility/visits/{world['visit'].id}", code, "reasons")
    page = check(client, f"/mobility/visits/{world['december'].id}", code, "reasons", "holiday")
    assert page.select_one("#days .holiday")  # the holiday is there, named in English and said so
    check(client, f"/events/{world['event'].id}", code, "visit event")
    check(client, f"/essays/report/{exchange.partnership.id}", code, "visit event")


@pytest.mark.parametrize("code", LOCALES)
def test_the_visitor_s_essay_notifications_and_editor_in_the_reader_s_language(client, world, code):
    login(client, world["visitor"], code)
    check(client, "/notifications", code, "notifications", "visit event")
    check(client, f"/essays/{world['essay'].id}", code, "visit event")
    check(client, "/essays/", code, "visit event")
    check(client, f"/essays/{world['draft'].id}/edit", code, "saved")


@pytest.mark.parametrize("code", LOCALES)
def test_the_history_of_changes_and_the_audit_log_in_the_reader_s_language(client, users, world, code):
    login(client, world["author"], code)
    check(client, f"/practices/{world['practice'].id}/revisions?from=1&to=3", code, "revisions")
    admin = world["site_admin"]
    login(client, admin, code)
    client.post(f"/admin/users/{world['evaluator'].id}", data={"roles": ["evaluator", "coordinator"]})
    check(client, "/admin/audit", code, "audit")
