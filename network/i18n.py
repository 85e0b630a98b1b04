"""Which language the interface speaks: the person's saved choice, then the session's, then the browser's."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale

SESSION_KEY = "locale"


def supported_locales() -> list[str]:
    return list(current_app.config["SUPPORTED_LOCALES"])


def is_supported(code: str | None) -> bool:
    return bool(code) and code in supported_locales()


def select_locale() -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():  # command line, services called from tests and workers
        return default
    if not request.path.startswith("/api/"):  # the API never reads the session cookie (README, JSON API)
        chosen = _chosen_locale()
        if chosen:
            return chosen
    return request.accept_languages.best_match(supported_locales()) or default


def _chosen_locale() -> str | None:
    """The language picked with the switcher: saved on the account, or in the session of a visitor."""
    from flask_login import current_user

    saved = getattr(current_user, "locale", None) if current_user.is_authenticated else None
    if is_supported(saved):
        return saved
    in_session = session.get(SESSION_KEY)
    return in_session if is_supported(in_session) else None


def remember_for_visitor(code: str) -> None:
    session[SESSION_KEY] = code


def user_locale(user) -> str:
    """The language to write to this person in (emails, notifications) when they are not the reader."""
    saved = getattr(user, "locale", None)
    return saved if is_supported(saved) else current_app.config["BABEL_DEFAULT_LOCALE"]


@lru_cache(maxsize=64)
def own_name(code: str) -> str:
    """A language as its speakers write it ("Español", "Français"): what a switcher must show."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def interface_languages() -> list[tuple[str, str]]:
    return [(code, own_name(code)) for code in supported_locales()]


@lru_cache(maxsize=64)
def plural_samples(code: str) -> dict[str, int]:
    """One number per plural category of the language (CLDR: one, few, many, other...): a script picks the
    text for a count by its category (Intl.PluralRules) among texts the server wrote for these numbers."""
    locale = Locale.parse(code)
    samples: dict[str, int] = {}
    for number in range(0, 1000):
        samples.setdefault(locale.plural_form(number), number)
    return samples


# --- texts people wrote in several languages ------------------------------------------------------------------
# Content written per language as {"en": "...", "es": "..."} (the self-assessment's questionnaire, the evaluation's
# surveys): the reader's language when it exists, else English, else the first written, marked as a fallback.

TEXTS_FALLBACK = "en"


@dataclass(frozen=True)
class Localized:
    """A text a site admin wrote, in the reader's language if it exists, else in English (fallback=True: the
    page says so)."""

    text: str
    language: str
    fallback: bool

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(self.text))


def reader_language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else TEXTS_FALLBACK


def localized(texts: dict | None, language: str | None = None) -> Localized:
    texts = texts or {}
    language = language or reader_language()
    if texts.get(language):
        return Localized(texts[language], language, False)
    if texts.get(TEXTS_FALLBACK):
        return Localized(texts[TEXTS_FALLBACK], TEXTS_FALLBACK, language != TEXTS_FALLBACK)
    first = next((code for code, text in texts.items() if text), None)
    return Localized(texts[first] if first else "", first or language, first is not None)
