"""The institutions' country filter lists the countries by their names in the reader's language, not by code."""
from __future__ import annotations

import pytest

from conftest import read_html


@pytest.mark.parametrize(("locale", "expected"), [
    # Codes sort DE, ES, NL, US: by name the order differs in each language (accents set aside: É is an E).
    ("en", ["Germany", "Netherlands", "Spain", "United States"]),
    ("es", ["Alemania", "España", "Estados Unidos", "Países Bajos"]),
    ("fr", ["Allemagne", "Espagne", "États-Unis", "Pays-Bas"]),
    ("it", ["Germania", "Paesi Bassi", "Spagna", "Stati Uniti"]),
])
def test_the_country_filter_is_in_the_order_of_the_names(client, make_institution, locale, expected):
    for code in ("US", "NL", "ES", "DE"):
        make_institution(country=code)
    page = read_html(client.get("/institutions/", headers={"Accept-Language": locale}))
    shown = [o.get_text() for o in page.select("#filter-country option") if o["value"]]
    assert shown == expected
