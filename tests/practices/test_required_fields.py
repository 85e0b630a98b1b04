"""One description of what a practice needs: the OpenAPI document's required list is the model's
REQUIRED_FIELDS, and validation refuses exactly those fields when they are empty (and the institution)."""
from dataclasses import fields, replace

import pytest

from conftest import practice_data
from network.api import openapi
from network.errors import ServiceError
from network.practices import services
from network.practices.models import REQUIRED_FIELDS, SECTIONS


def test_the_openapi_document_requires_what_the_model_requires(app):
    body = openapi.document()["paths"]["/practices"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"]["allOf"][1]["required"] == list(REQUIRED_FIELDS)
    assert {name for name, required in SECTIONS if required} <= set(REQUIRED_FIELDS)


@pytest.mark.parametrize("name", [f.name for f in fields(services.PracticeData)])
def test_validation_refuses_an_empty_field_exactly_when_it_is_required(make_institution, name):
    data = practice_data(make_institution())
    empty = [] if isinstance(getattr(data, name), list) else None if name == "partnership_id" else ""
    required = name in REQUIRED_FIELDS or name == "institution"
    try:
        services.validate(replace(data, **{name: empty}))
    except ServiceError as error:
        assert required and name in error.errors, (name, error.errors)
    else:
        assert not required, f"{name} is in REQUIRED_FIELDS but an empty one is accepted"
