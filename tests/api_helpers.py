"""Shared helpers for the JSON API tests: a token header and the API's error format."""
from __future__ import annotations

from network.api import tokens


def bearer(user) -> dict[str, str]:
    """An Authorization header with a fresh token of this person."""
    _token, plain = tokens.create_token(user, "tests")
    return {"Authorization": f"Bearer {plain}"}


def assert_error(response, status: int, code: str) -> dict:
    """The response is the API's JSON error with this status and code; returns the error object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error
