"""The tokens page says how to send a token, placeholder included: “Authorization: Bearer <token>” (the
placeholder was sent as markup inside the translated sentence, and browsers hid it)."""
from __future__ import annotations

import pytest

from conftest import read_html
from network.auth import services as accounts


@pytest.mark.parametrize("locale", ["en", "es", "fr", "it"])
def test_the_tokens_page_shows_the_header_with_its_placeholder(client, auth, users, locale):
    person = users["professional"]
    accounts.set_locale(person, locale)
    auth.login(person)
    response = client.get("/account/tokens")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Bearer &lt;token&gt;" in html and "<token>" not in html
    assert "Authorization: Bearer <token>" in read_html(response).find("main").get_text()
