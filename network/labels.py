"""Human names for the codes the platform stores: countries (ISO 3166), languages (ISO 639-1), sectors."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from network.auth.models import COORDINATOR, EVALUATOR, INSTITUTION_ADMIN, PROFESSIONAL, SITE_ADMIN

ROLE_LABELS = {
    PROFESSIONAL: _l("Professional"),
    INSTITUTION_ADMIN: _l("Institution admin"),
    COORDINATOR: _l("Coordinator"),
    EVALUATOR: _l("Evaluator"),
    SITE_ADMIN: _l("Site admin"),
}

SECTOR_LABELS = {
    "social": _l("Social"),
    "educational": _l("Educational"),
    "mental_health": _l("Mental health"),
}

# Babel lists some codes that are not countries (EU, UN, test codes): they are not offered.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}


def _locale() -> Locale:
    try:
        return get_locale() or Locale("en")
    except RuntimeError:  # outside a request: CLI and tests of services
        return Locale("en")


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    return frozenset(code for code in Locale("en").territories if len(code) == 2 and code.isalpha()) - _NOT_COUNTRIES


@lru_cache(maxsize=1)
def language_codes() -> frozenset[str]:
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return _locale().territories.get(code.upper(), code)


def language_name(code: str | None) -> str:
    if not code:
        return ""
    return _locale().languages.get(code.lower(), code)


def by_country_name(pairs):
    """(code, value) pairs, such as a facet's counts, in the alphabetical order of the reader's country names."""
    return sorted(pairs, key=lambda pair: country_name(pair[0]).casefold())


def by_language_name(pairs):
    return sorted(pairs, key=lambda pair: language_name(pair[0]).casefold())


def sector_label(code: str) -> str:
    return str(SECTOR_LABELS.get(code, code))


def country_choices() -> list[tuple[str, str]]:
    return _country_choices(str(_locale()))


def language_choices() -> list[tuple[str, str]]:
    return _language_choices(str(_locale()))


# Several hundred names looked up and sorted: done once per interface language, not on every form.
@lru_cache(maxsize=32)
def _country_choices(locale: str) -> list[tuple[str, str]]:
    names = Locale.parse(locale).territories
    return sorted(((code, names.get(code, code)) for code in country_codes()), key=lambda pair: pair[1])


@lru_cache(maxsize=32)
def _language_choices(locale: str) -> list[tuple[str, str]]:
    names = Locale.parse(locale).languages
    return sorted(((code, names.get(code, code)) for code in language_codes()), key=lambda pair: pair[1])


def sector_choices() -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in SECTOR_LABELS.items()]


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
