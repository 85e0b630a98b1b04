"""The OpenAPI description: valid JSON, every API route documented, schemas that match the responses."""
from __future__ import annotations

import json
import re

import pytest

from network.api import tokens
from network.practices import services

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def resolve(spec, ref: str):
    assert ref.startswith("#/"), ref
    node = spec
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_it_is_an_openapi_3_1_document(spec):
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["servers"] == [{"url": "/api/v1"}]
    assert {"/practices", "/practices/{practice_id}", "/search", "/openapi.json", "/visits", "/visits/{visit_id}",
            "/offers", "/essays", "/essays/{essay_id}", "/collections", "/collections/{collection_id}",
            "/events", "/events/{event_id}", "/events/registrations", "/self-assessments",
            "/self-assessments/aggregates", "/courses", "/courses/{course_id}", "/certificates",
            "/partnerships/{partnership_id}/indicators", "/surveys", "/surveys/{survey_id}/results"} == set(spec["paths"])
    assert {"Practice", "PracticeInput", "PracticeList", "Error"} <= set(spec["components"]["schemas"])
    bearer = spec["components"]["securitySchemes"]["bearer"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")


def test_every_route_of_the_api_blueprint_is_documented(app, spec):
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        assert rule.endpoint.startswith("api."), rule
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - IGNORED_METHODS:
            routes.add((path, method.lower()))
    documented = {(path, method) for path, item in spec["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")}
    assert routes == documented
    assert len(routes) == 27


def test_every_operation_has_an_id_responses_and_security(spec):
    operation_ids = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            operation_ids.append(operation["operationId"])
            assert operation["responses"], (path, method)
            assert "security" in operation
            if method in ("post", "patch", "delete"):
                assert operation["security"] == [{"bearer": []}]
                assert operation["responses"]["401"]
            for placeholder in re.findall(r"{(\w+)}", path):
                parameters = item.get("parameters", []) + operation.get("parameters", [])
                assert any(p["name"] == placeholder and p["in"] == "path" for p in parameters)
    assert len(operation_ids) == len(set(operation_ids))


def test_every_reference_resolves(spec):
    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    resolve(spec, value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)


def test_the_input_schema_names_the_services_fields(spec):
    schema = spec["components"]["schemas"]["PracticeInput"]
    assert set(schema["properties"]) == set(services.PracticeData.field_names())
    assert schema["additionalProperties"] is False
    create = spec["paths"]["/practices"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    required = create["allOf"][1]["required"]
    assert "institution" not in required  # the caller's home institution by default
    assert set(required) <= set(schema["properties"])


def test_the_practice_schema_matches_a_real_response(client, spec, users):
    home = users["professional"].institution
    practice = services.create_practice(None, services.PracticeData(
        title="Kinship care circles", summary="Relatives meet.", context="Context.", target_group="Families.",
        methods="Methods.", outcomes="Outcomes.", sectors=["social"], country="ES", language="es",
        institution=home.slug, status="published",
    ))
    body = client.get(f"/api/v1/practices/{practice.id}").get_json()
    schema = spec["components"]["schemas"]["Practice"]
    assert set(body) == set(schema["properties"]) == set(schema["required"])

    listing = client.get("/api/v1/practices").get_json()
    assert set(listing) == set(spec["components"]["schemas"]["PracticeList"]["required"])


def test_error_responses_match_the_error_schema(client, spec, users):
    schema = spec["components"]["schemas"]["Error"]["properties"]["error"]
    _token, plain = tokens.create_token(users["professional"], "t")
    responses = [
        client.get("/api/v1/practices/4242"),
        client.post("/api/v1/practices", json={}),
        client.post("/api/v1/practices", json={"title": ""}, headers={"Authorization": f"Bearer {plain}"}),
    ]
    for response in responses:
        assert set(response.get_json()["error"]) == set(schema["required"])
    documented = spec["paths"]["/practices"]["post"]["responses"]
    assert {"400", "401", "403", "409", "413", "415", "422"} <= set(documented)


def test_the_document_is_the_same_json_whoever_asks(client, users):
    _token, plain = tokens.create_token(users["professional"], "t")
    anonymous = client.get("/api/v1/openapi.json").get_json()
    with_token = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {plain}"})
    assert with_token.get_json() == anonymous
