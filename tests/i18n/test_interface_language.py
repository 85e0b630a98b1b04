"""The interface in the reader's language (issue 8): every main page rendered in each supported locale with
no interface string left in English, the language switcher (remembered on the account, in the session of a
visitor, Accept-Language otherwise), dates, numbers, country and language names in the reader's locale, and
emails in the recipient's language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from bs4 import NavigableString
from flask_babel import refresh

from conftest import read_html
from essays_helpers import record_training, written
from mobility_helpers import W1
from network import config
from network.auth import services as accounts
from network.auth.models import EVALUATOR
from network.extensions import db
from network.mobility import services as mobility
from network.search import sync

TRANSLATIONS = Path(__file__).resolve().parents[2] / "network" / "translations"
LOCALES = config.SUPPORTED_LOCALES
ATTRIBUTES = ("placeholder", "aria-label", "title", "alt")


def english_strings(code: str) -> set[str]:
    """The catalogue's English messages that read differently in this language (without placeholders):
    finding one of them on a page in this language means a string escaped translation."""
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as file:
        catalogue = read_po(file, locale=code)
    found = set()
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for source, text in zip(ids, strings):
            if "%(" not in source and text and text != source and len(source) > 2:
                found.add(source)
    return found


_ENGLISH = {code: english_strings(code) for code in LOCALES}


def _in_other_language(node, code: str) -> bool:
    """Inside an element that declares another language: content people wrote, not the interface."""
    for parent in node.parents:
        lang = parent.get("lang") if hasattr(parent, "get") else None
        if lang:
            return lang != code
    return False


def untranslated(page, code: str) -> list[str]:
    english = _ENGLISH[code]
    left = []
    for node in page.find_all(string=True):
        if not isinstance(node, NavigableString) or node.parent.name in ("script", "style", "title"):
            continue
        text = " ".join(node.split())
        if text in english and not _in_other_language(node, code):
            left.append(text)
    for element in page.find_all(True):
        for name in ATTRIBUTES + tuple(a for a in element.attrs if a.startswith("data-msg-")):
            value = element.get(name)
            if isinstance(value, str) and value.strip() in english and not _in_other_language(element, code):
                left.append(f"{name}={value.strip()}")
    return left


def check_page(client, url: str, code: str, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code in (200, 404), (url, response.status_code)
    page = read_html(response)
    assert page.html["lang"] == code, url
    assert untranslated(page, code) == [], (code, url)
    return page


@pytest.fixture
def world(exchange, make_applicant, make_user, make_practice):
    """A little of everything: two language versions of a practice, a visit, a published essay."""
    application = make_applicant()
    person = application.user
    evaluator = make_user(EVALUATOR, institution=exchange.coordinating, name="Eva Evaluator")
    original = make_practice(exchange.seville, title="Grupos interfamiliares", language="es",
                             summary="Las familias se reúnen cada quince días.")
    translation = make_practice(exchange.seville, title="Groupes interfamiliaux", language="fr",
                                summary="Les familles se réunissent tous les quinze jours.",
                                translation_of_id=original.id)
    visit = mobility.book_visit(exchange.coordinator, application, exchange.seville_offer, W1)
    event = record_training(exchange, [person])
    essay = written(person, event, status="published", reviewer=evaluator, language="fi",
                    title="Mitä opin perheryhmistä")
    sync.drain_all()
    return dict(person=person, evaluator=evaluator, original=original, translation=translation,
                visit=visit, application=application, essay=essay, exchange=exchange)


@pytest.mark.parametrize("code", LOCALES)
def test_every_main_page_speaks_the_chosen_language(client, auth, world, code):
    original = world["original"]
    anonymous = ["/", "/practices/", f"/practices/{original.id}", "/search?q=interfamiliares",
                 "/search?q=nothing-matches-this", "/login", "/register", "/reset-password", "/institutions/",
                 "/partnerships/", f"/partnerships/{world['exchange'].partnership.id}",
                 f"/institutions/{world['exchange'].seville.slug}", "/no/such/page"]
    for url in anonymous:
        check_page(client, url, code, **{"Accept-Language": f"{code},en;q=0.5"})

    # Logged in: the saved choice decides, whatever the browser asks for.
    person = world["person"]
    accounts.set_locale(person, code)
    assert auth.login(person).status_code == 302
    partnership = world["exchange"].partnership
    member = ["/", "/account", "/notifications", "/mobility/", "/mobility/calendars", "/essays/",
              f"/essays/{world['essay'].id}", f"/mobility/visits/{world['visit'].id}",
              f"/mobility/applications/{world['application'].id}", f"/mobility/apply/{partnership.id}",
              f"/mobility/offers/{world['exchange'].seville_offer.id}", f"/practices/{original.id}",
              "/practices/bookmarks", "/account/tokens", "/account/password"]
    for url in member:
        check_page(client, url, code, **{"Accept-Language": "de"})
    auth.logout()

    coordinator = world["exchange"].coordinator
    accounts.set_locale(coordinator, code)
    auth.login(coordinator)
    for url in (f"/mobility/matching/{partnership.id}", f"/mobility/dashboard/{partnership.id}",
                f"/essays/report/{partnership.id}", f"/essays/rubric/{partnership.id}",
                f"/essays/events/new/{partnership.id}"):
        check_page(client, url, code)


def test_forms_sent_back_with_errors_speak_the_language(client):
    page = read_html(client.post("/register", data={"email": "not an address"}, headers={"Accept-Language": "fr"}))
    assert untranslated(page, "fr") == []
    assert "Saisissez votre nom." in page.get_text()
    page = read_html(client.post("/login", data={"email": "nobody@example.org", "password": "wrong password"},
                                 headers={"Accept-Language": "it"}))
    assert "L'indirizzo email o la password non sono corretti." in page.get_text()


@pytest.mark.parametrize(("code", "one", "two"), [
    ("es", "1 resultado", "2 resultados"), ("fr", "1 résultat", "2 résultats"), ("it", "1 risultato", "2 risultati"),
])
def test_plural_forms_on_the_search_page(client, make_institution, make_practice, code, one, two):
    home = make_institution()
    make_practice(home, title="Ateliers parents-enfants", language="fr")
    make_practice(home, title="Ateliers de lecture", language="fr")
    make_practice(home, title="Cafés des parents", language="fr")
    sync.drain_all()
    headers = {"Accept-Language": code}
    assert read_html(client.get("/search?q=lecture", headers=headers)).find(id="results-heading").get_text() == one
    assert read_html(client.get("/search?q=ateliers", headers=headers)).find(id="results-heading").get_text() == two


# --- the switcher -------------------------------------------------------------------------------------


def switcher(page):
    return page.find("ul", class_="language-list")


def test_every_page_has_a_switcher_naming_each_language_in_itself(client):
    page = read_html(client.get("/", headers={"Accept-Language": "it"}))
    links = switcher(page).find_all("a")
    assert {a["hreflang"]: (a.find(class_="language-name").get_text(), a["lang"]) for a in links} == {
        "en": ("English", "en"), "es": ("Español", "es"), "fr": ("Français", "fr"), "it": ("Italiano", "it")}
    assert page.find(id=switcher(page)["aria-labelledby"]).get_text(strip=True) == "Lingua"
    assert [a["hreflang"] for a in links if a.get("aria-current") == "true"] == ["it"]
    assert all(a["href"].startswith(f"/language/{a['hreflang']}?next=") for a in links)  # plain links


def test_a_visitor_gets_the_browser_language_until_they_choose(client):
    assert read_html(client.get("/", headers={"Accept-Language": "fr-BE,fr;q=0.9"})).html["lang"] == "fr"
    assert read_html(client.get("/", headers={"Accept-Language": "pl,de"})).html["lang"] == "en"  # no catalogue
    response = client.post("/language", data={"locale": "es", "next": "/practices/?sector=social"},
                           headers={"Accept-Language": "fr"})
    assert response.status_code == 303 and response.headers["Location"] == "/practices/?sector=social"
    page = read_html(client.get("/", headers={"Accept-Language": "fr"}))
    assert page.html["lang"] == "es" and page.find("a", href="/practices/").get_text() == "Prácticas"


def test_the_switcher_ignores_unknown_languages_and_foreign_addresses(client):
    response = client.post("/language", data={"locale": "xx", "next": "https://elsewhere.example/"})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert read_html(client.get("/", headers={"Accept-Language": "it"})).html["lang"] == "it"


def test_a_logged_in_choice_is_saved_on_the_account_and_used_in_every_session(app, client, auth, users):
    person = users["professional"]
    auth.login(person)
    client.post("/language", data={"locale": "fr", "next": "/account"})
    db.session.refresh(person)
    assert person.locale == "fr"

    other_device = app.test_client()
    other_device.post("/login", data={"email": person.email, "password": "correct horse battery"})
    page = read_html(other_device.get("/account", headers={"Accept-Language": "it"}))
    assert page.html["lang"] == "fr" and page.h1.get_text() == "Mon compte"
    assert accounts.export_user_data(person)["account"]["interface_language"] == "fr"


def test_a_choice_made_before_logging_in_becomes_the_account_s(client, auth, users):
    person = users["professional"]
    client.post("/language", data={"locale": "it"})
    auth.login(person)
    db.session.refresh(person)
    assert person.locale == "it"
    auth.logout()  # logging out keeps the language
    assert read_html(client.get("/", headers={"Accept-Language": "es"})).html["lang"] == "it"


def test_an_account_s_language_wins_over_an_earlier_choice(client, auth, users):
    person = users["professional"]
    accounts.set_locale(person, "es")
    client.post("/language", data={"locale": "it"})
    auth.login(person)
    db.session.refresh(person)
    assert person.locale == "es"
    assert read_html(client.get("/")).html["lang"] == "es"


def test_the_switcher_needs_the_form_s_token(csrf_app, client):
    response = client.post("/language", data={"locale": "fr"})
    assert response.status_code == 400
    page = read_html(client.get("/login"))  # a form's token (the header's switcher is links, no form)
    token = page.find("input", attrs={"name": "csrf_token"})["value"]
    assert client.post("/language", data={"locale": "fr", "csrf_token": token}).status_code == 303
    assert read_html(client.get("/")).html["lang"] == "fr"


def test_the_api_follows_accept_language_only(client):
    client.post("/language", data={"locale": "it"})
    response = client.get("/api/v1/practices/999999", headers={"Accept-Language": "es"})
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "No existe la práctica 999999, o no tiene permiso para verla."


# --- locale data ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "country", "language", "month"), [
    ("en", "Spain", "Spanish", "March"),
    ("es", "España", "español", "marzo"),
    ("fr", "Espagne", "espagnol", "mars"),
    ("it", "Spagna", "spagnolo", "marzo"),
])
def test_country_language_names_and_dates_in_the_reader_s_locale(client, auth, world, code, country, language,
                                                                 month):
    headers = {"Accept-Language": code}
    page = read_html(client.get("/practices/", headers=headers))
    assert country in [o.get_text().rsplit(" (", 1)[0] for o in page.select("#country option")]
    assert language in [o.get_text().rsplit(" (", 1)[0] for o in page.select("#language option")]
    accounts.set_locale(world["person"], code)
    auth.login(world["person"])
    visit_page = read_html(client.get(f"/mobility/visits/{world['visit'].id}")).get_text()
    assert month in visit_page  # the visit's week, 1 to 5 March 2027


def test_numbers_use_the_reader_s_digit_grouping(app):
    from network.web import kilobytes

    for code, expected in (("en", "1,234 KB"), ("es", "1.234 KB"), ("fr", "1\u202f234 Ko"), ("it", "1.234 KB")):
        with app.test_request_context("/", headers={"Accept-Language": code}):
            refresh()  # the test's application context outlives each request's: forget the last locale
            assert kilobytes(1234 * 1024) == expected, code


def test_the_dashboard_names_months_in_the_reader_s_language(app):
    from network.web import month_label

    for code, expected in (("en", "March 2027"), ("es", "marzo de 2027"), ("fr", "mars 2027"),
                           ("it", "marzo 2027")):
        with app.test_request_context("/", headers={"Accept-Language": code}):
            refresh()
            assert month_label("2027-03") == expected


def test_the_word_count_has_a_text_for_each_plural_category(client, auth, world):
    from network.essays import services as essays

    draft = essays.start_essay(world["person"], record_training(world["exchange"], [world["person"]],
                                                                title="Second event"))
    accounts.set_locale(world["person"], "fr")
    auth.login(world["person"])
    counter = read_html(client.get(f"/essays/{draft.id}/edit")).find(id="word-count")
    assert counter["data-one"].startswith("{n} mot ") and counter["data-other"].startswith("{n} mots ")


# --- to people who are not the reader -----------------------------------------------------------------


def test_emails_and_notifications_are_in_the_recipient_s_language(app, client, outbox, users, make_practice,
                                                                  make_user):
    author = users["professional"]
    accounts.set_locale(author, "it")
    practice = make_practice(author.institution, actor=author, title="Gruppi di genitori", language="it")
    app.config["MAIL_SERVER"] = None
    from network.notifications.models import Notification
    from network.practices import discussion

    commenter = make_user(institution=author.institution, name="Carmen Ruiz")
    with app.test_request_context("/", headers={"Accept-Language": "es"}):  # the commenter reads Spanish
        discussion.add_comment(commenter, practice, "Muy útil.")
    note = db.session.query(Notification).filter_by(user_id=author.id).one()
    assert note.message == "Carmen Ruiz ha commentato «Gruppi di genitori»."

    client.post("/reset-password", data={"email": author.email}, headers={"Accept-Language": "fr"})
    assert outbox[-1]["Subject"] == "Reimposti la sua password di Peer Network"
    assert re.search(r"^Gentile Person \d+,", outbox[-1].get_content(), re.M)
