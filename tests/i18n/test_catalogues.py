"""The interface catalogues (issue 8): complete for every supported language, in step with the code, compiled,
and every string of the templates marked for translation. A failure here names what `make translations` and
a translator still have to do (README, "Languages")."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from network import config

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "network" / "translations"
SOURCE = config.BABEL_DEFAULT_LOCALE  # the language the messages are written in: its msgstr may stay empty
TRANSLATED = [code for code in config.SUPPORTED_LOCALES if code != SOURCE]
# The keywords of `make translations` (Makefile): Babel's defaults and Flask-Babel's lazy functions.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]")


def catalogue(code: str):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=code)


def messages(cat):
    return [message for message in cat if message.id]


def forms(value) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _tuple(value):
    return tuple(value) if isinstance(value, list) else value


def extracted_ids() -> set:
    """What the code marks for translation now, extracted as `make translations` does (babel.cfg)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file)

    def ours(path: str) -> bool:
        relative = Path(path).resolve().relative_to(ROOT)
        return relative.parts[0] in ("network", "templates") and "__pycache__" not in relative.parts

    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=ours):
        found.add(message[:2] if isinstance(message, tuple) else message)
    return found


def test_every_supported_locale_has_a_compiled_catalogue():
    assert SOURCE in config.SUPPORTED_LOCALES and {"es", "fr", "it"} <= set(config.SUPPORTED_LOCALES)
    for code in config.SUPPORTED_LOCALES:
        assert (TRANSLATIONS / code / "LC_MESSAGES" / "messages.po").is_file(), code
        assert (TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo").is_file(), f"{code}: run make translations"


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalogue_is_complete(code):
    """No empty msgstr (every plural form counts), nothing fuzzy: a new or changed string fails here."""
    cat = catalogue(code)
    assert not cat.fuzzy, f"{code}: the catalogue's header is marked fuzzy"
    empty = [m.id for m in messages(cat) if not all(forms(m.string))]
    fuzzy = [m.id for m in messages(cat) if m.fuzzy]
    assert not empty, f"{code}: {len(empty)} messages without a translation, e.g. {empty[:5]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy translations to check, e.g. {fuzzy[:5]}"


def test_the_source_language_catalogue_has_nothing_fuzzy():
    assert not [m.id for m in messages(catalogue(SOURCE)) if m.fuzzy]


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_every_placeholder_and_plural_form(code):
    cat = catalogue(code)
    assert cat.num_plurals == 2, cat.plural_forms
    problems = []
    for message in messages(cat):
        for error in message.check(cat):  # Babel's checkers: python-format and the number of plural forms
            problems.append((message.id, str(error)))
        ids, strings = forms(message.id), forms(message.string)
        if isinstance(message.id, tuple):
            assert len(strings) == cat.num_plurals, message.id
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            if set(PLACEHOLDER.findall(text)) != wanted:
                problems.append((message.id, text))
    assert not problems, problems[:5]


@pytest.mark.parametrize("code", config.SUPPORTED_LOCALES)
def test_catalogue_is_up_to_date_with_the_code(code):
    """Every message the code marks is in the catalogue, and the catalogue keeps none the code dropped."""
    in_code = extracted_ids()
    in_catalogue = {m.id for m in messages(catalogue(code))}
    missing = in_code - in_catalogue
    assert len(in_code) > 1000
    assert not missing, f"{len(missing)} messages are not in the {code} catalogue (make translations): " \
                        f"{sorted(map(str, missing))[:5]}"
    assert not in_catalogue - in_code, sorted(map(str, in_catalogue - in_code))[:5]


def test_template_catalogue_is_up_to_date_with_the_code():
    with open(TRANSLATIONS / "messages.pot", "rb") as file:
        template = {m.id for m in read_po(file) if m.id}
    assert template == extracted_ids()


@pytest.mark.parametrize("code", config.SUPPORTED_LOCALES)
def test_compiled_catalogue_matches_its_po_file(code):
    """The .mo the server reads holds exactly the .po's translations (run make translations after editing)."""
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo", "rb") as file:
        compiled = {_tuple(m.id): _tuple(m.string) for m in read_mo(file) if m.id}
    written = {m.id: m.string for m in messages(catalogue(code)) if all(forms(m.string)) and not m.fuzzy}
    assert {key: compiled.get(key) for key in written} == written
    # Besides: untranslated plural messages, compiled as the English they are written in.
    assert all(compiled[key] == key for key in set(compiled) - set(written))


@pytest.mark.parametrize(("code", "one", "two"), [
    ("es", "1 resultado", "2 resultados"),
    ("fr", "1 résultat", "2 résultats"),
    ("it", "1 risultato", "2 risultati"),
    ("en", "1 result", "2 results"),
])
def test_plural_forms_follow_the_language(code, one, two):
    translations = Translations.load(str(TRANSLATIONS), [code])
    singular, plural = "%(num)d result", "%(num)d results"
    assert translations.ngettext(singular, plural, 1) % {"num": 1} == one
    assert translations.ngettext(singular, plural, 2) % {"num": 2} == two
    if code == "fr":  # French counts zero as singular
        assert translations.ngettext(singular, plural, 0) % {"num": 0} == "0 résultat"


# --- everything marked --------------------------------------------------------------------------------

_JINJA = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
_VISIBLE_ATTRIBUTES = re.compile(r'\b(?:title|placeholder|aria-label|alt|data-msg-[\w-]+)="([^"]*)"')


@pytest.mark.parametrize("template", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "templates").rglob("*.html")))
def test_templates_hold_no_text_outside_translation_calls(template):
    """Text a person reads is written only inside _() or ngettext(), so it reaches the catalogues."""
    text = _JINJA.sub(" ", (ROOT / template).read_text(encoding="utf-8"))
    text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text, flags=re.S)
    attributes = [value for value in _VISIBLE_ATTRIBUTES.findall(text) if re.search(r"[^\W\d_]{2,}", value)]
    words = [line.strip() for line in re.sub(r"<[^>]*>", " ", text, flags=re.S).splitlines()
             if re.search(r"[^\W\d_]{2,}", line)]
    assert not attributes and not words, attributes + words
