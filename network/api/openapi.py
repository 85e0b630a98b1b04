"""The OpenAPI 3.1 description of /api/v1, built from the same constants the code checks against."""
from __future__ import annotations

from network import labels
from network.practices import services
from network.practices.models import EVIDENCE_LEVELS, INTERVENTION_TYPES, STATUSES, VISIBILITIES

VERSION = "1.0.0"
REQUIRED_ON_CREATE = ["title", "summary", "context", "target_group", "methods", "outcomes", "sectors",
                      "country", "language"]


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _response(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _string(max_length: int | None = None, **extra) -> dict:
    schema = {"type": "string", **extra}
    if max_length:
        schema["maxLength"] = max_length
    return schema


def _input_properties() -> dict:
    sections = {name: _string(services.SECTION_MAX, description=f"Markdown: {services.SECTION_LABELS[name]}.")
                for name in services.SECTION_NAMES}
    return {
        "title": _string(services.TITLE_MAX),
        "summary": _string(services.SUMMARY_MAX, description="One paragraph, plain text."),
        **sections,
        "sectors": {"type": "array", "minItems": 1, "items": {"enum": sorted(labels.SECTOR_LABELS)}},
        "intervention_types": {"type": "array", "items": {"enum": list(INTERVENTION_TYPES)}},
        "tags": {"type": "array", "maxItems": services.TAGS_MAX, "items": _string(services.TAG_MAX),
                 "description": "Stored trimmed and in lower case."},
        "country": _string(2, description="ISO 3166-1 alpha-2 code, like ES."),
        "language": _string(2, description="ISO 639-1 code of the write-up, like es."),
        "institution": _string(description="Slug of the owning institution; on POST it defaults to the "
                                           "caller's home institution."),
        "partnership_id": {"type": ["integer", "null"], "minimum": 1},
        "external_ref": {"type": ["string", "null"], "maxLength": services.REFERENCE_MAX,
                         "description": "Your own identifier; unique across the platform (409 when taken)."},
        "external_link": {"type": ["string", "null"], "maxLength": services.LINK_MAX, "format": "uri"},
        "status": {"enum": list(STATUSES), "default": "draft"},
        "visibility": {"enum": list(VISIBILITIES), "default": "public"},
        "translation_of_id": {"type": ["integer", "null"], "minimum": 1,
                              "description": "The practice this one translates."},
    }


def _schemas() -> dict:
    inputs = _input_properties()
    output = {name: {k: v for k, v in schema.items() if k != "default"} for name, schema in inputs.items()}
    output.update(
        external_ref={"type": "string", "description": "Empty when none was given."},
        external_link={"type": "string"},
        partnership_id={"type": ["integer", "null"]},
        translation_of_id={"type": ["integer", "null"]},
        institution={"type": "object", "required": ["slug", "name"],
                     "properties": {"slug": {"type": "string"}, "name": {"type": "string"}}},
    )
    timestamp = {"type": "string", "format": "date-time"}
    practice_properties = {
        "id": {"type": "integer"},
        **output,
        "evidence_level": {"enum": list(EVIDENCE_LEVELS)},
        "authors": {"type": "array", "items": {"type": "string"},
                    "description": "Names; “former member” for a deleted account."},
        "created_at": timestamp,
        "updated_at": timestamp,
        "published_at": {"type": ["string", "null"], "format": "date-time"},
        "url": {"type": "string", "format": "uri", "description": "The practice's page on the site."},
        "attachments": {"type": "array", "items": {
            "type": "object",
            "required": ["name", "size", "content_type", "url"],
            "properties": {"name": {"type": "string"}, "size": {"type": "integer"},
                           "content_type": {"type": "string"}, "url": {"type": "string", "format": "uri"}},
        }},
        "translations": {"type": "array", "items": {"type": "integer"},
                         "description": "Ids of the other language versions you may see."},
    }
    return {
        "Practice": {"type": "object", "required": list(practice_properties),
                     "properties": practice_properties},
        "PracticeInput": {
            "type": "object",
            "additionalProperties": False,
            "description": "POST sends a whole practice (see the required fields there); PATCH sends only "
                           "the fields to change. Unknown and read-only fields are refused (422).",
            "properties": inputs,
        },
        "PracticeList": {
            "type": "object",
            "required": ["items", "total", "page", "per_page"],
            "properties": {
                "items": {"type": "array", "items": _ref("Practice")},
                "total": {"type": "integer", "description": "Matching practices on every page."},
                "page": {"type": "integer"},
                "per_page": {"type": "integer", "maximum": 100},
            },
        },
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string", "examples": ["validation_failed", "not_found"]},
                    "message": {"type": "string"},
                    "fields": {"type": "object", "description": "Field name -> messages (422 and 409).",
                               "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                },
            }},
        },
    }


ERRORS = {
    "BadRequest": (400, "Malformed JSON, a body that is not an object, or a bad query parameter."),
    "Unauthorized": (401, "No token, or an unknown or revoked one (with a WWW-Authenticate: Bearer header)."),
    "Forbidden": (403, "The token's owner may not do this."),
    "NotFound": (404, "No such practice, or one the caller may not see."),
    "Conflict": (409, "Another practice already has this external_ref."),
    "PayloadTooLarge": (413, "The body is larger than 1 MB."),
    "UnsupportedMediaType": (415, "The body is not sent as application/json."),
    "ValidationFailed": (422, "Invalid fields: error.fields maps each field to its messages."),
}


def _responses() -> dict:
    return {
        name: {"description": description,
               "content": {"application/json": {"schema": _ref("Error")}}}
        for name, (_status, description) in ERRORS.items()
    }


def _errors(*names: str) -> dict:
    return {str(ERRORS[name][0]): _response(name) for name in names}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema or {"type": "string"}}


def _list_parameters() -> list[dict]:
    return [
        _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
        _query("per_page", "Practices per page; a value above 100 is lowered to 100 (the response says which "
                           "was used).", {"type": "integer", "minimum": 1, "default": 20}),
        _query("sector", "A sector code.", {"enum": sorted(labels.SECTOR_LABELS)}),
        _query("intervention_type", "An intervention type.", {"enum": list(INTERVENTION_TYPES)}),
        _query("country", "ISO 3166-1 alpha-2 code."),
        _query("language", "ISO 639-1 code."),
        _query("institution", "Slug of the owning institution."),
        _query("tag", "A tag (compared trimmed, in lower case)."),
        _query("evidence", "Evidence level.", {"enum": list(EVIDENCE_LEVELS)}),
        _query("status", "Members only: draft and archived practices of their own institution; otherwise "
                         "published.", {"enum": list(STATUSES)}),
        _query("q", "Words in the title or summary."),
        _query("sort", "Order.", {"enum": list(services.SORTS), "default": "newest"}),
    ]


def document() -> dict:
    """The whole description as a dict (served as JSON at /api/v1/openapi.json)."""
    practice_id = {"name": "practice_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    bearer = [{"bearer": []}]
    optional_bearer = [{}, {"bearer": []}]
    json_body = {"application/json": {"schema": _ref("PracticeInput")}}
    one = {"description": "The practice.", "content": {"application/json": {"schema": _ref("Practice")}}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Peer Network API",
            "version": VERSION,
            "description": (
                "Practices shared by the partner institutions. Reads work without a token (as an anonymous "
                "visitor sees the site); writes need a personal access token, made on /account/tokens, sent "
                "as `Authorization: Bearer <token>`. The same permission rules as the web pages apply. "
                "Errors are JSON: {\"error\": {\"code\", \"message\", \"fields\"}}. "
                "Request bodies are at most 1 MB."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": optional_bearer,
        "paths": {
            "/practices": {
                "get": {
                    "operationId": "listPractices",
                    "summary": "Practices the caller may see, filtered like the list page, newest first.",
                    "parameters": _list_parameters(),
                    "security": optional_bearer,
                    "responses": {
                        "200": {"description": "One page.",
                                "content": {"application/json": {"schema": _ref("PracticeList")}}},
                        **_errors("BadRequest", "Unauthorized"),
                    },
                },
                "post": {
                    "operationId": "createPractice",
                    "summary": "Add a practice (approved members, for their own institution).",
                    "security": bearer,
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {
                        "allOf": [_ref("PracticeInput"), {"required": REQUIRED_ON_CREATE}]}}}},
                    "responses": {
                        "201": {**one, "description": "Created.",
                                "headers": {"Location": {"description": "The practice's API address.",
                                                         "schema": {"type": "string", "format": "uri"}}}},
                        **_errors("BadRequest", "Unauthorized", "Forbidden", "Conflict", "PayloadTooLarge",
                                  "UnsupportedMediaType", "ValidationFailed"),
                    },
                },
            },
            "/practices/{practice_id}": {
                "parameters": [practice_id],
                "get": {
                    "operationId": "getPractice",
                    "summary": "One practice.",
                    "security": optional_bearer,
                    "responses": {"200": one, **_errors("Unauthorized", "NotFound")},
                },
                "patch": {
                    "operationId": "updatePractice",
                    "summary": "Change the given fields only; a revision is kept when something changed.",
                    "security": bearer,
                    "requestBody": {"required": True, "content": json_body},
                    "responses": {
                        "200": one,
                        **_errors("BadRequest", "Unauthorized", "Forbidden", "NotFound", "Conflict",
                                  "PayloadTooLarge", "UnsupportedMediaType", "ValidationFailed"),
                    },
                },
                "delete": {
                    "operationId": "deletePractice",
                    "summary": "Delete a practice (administrators of the owning institution).",
                    "security": bearer,
                    "responses": {"204": {"description": "Deleted."},
                                  **_errors("Unauthorized", "Forbidden", "NotFound")},
                },
            },
            "/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Full-text search over practices and institutions, in rank order.",
                    "security": optional_bearer,
                    "parameters": [
                        {"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                         "description": description}
                        for name, description in (
                            ("q", "Words, a question, \"a phrase\" or a prefix* (cut at 200 characters)."),
                            ("type", "practice or institution"), ("sector", "social, educational, mental_health"),
                            ("country", "ISO 3166 code"), ("language", "ISO 639-1 code"), ("year", "e.g. 2026"),
                            ("institution", "institution slug"), ("sort", "relevance (default) or date"),
                        )
                    ] + [
                        {"name": "page", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "default": 1}},
                        {"name": "per_page", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
                    ],
                    "responses": {
                        "200": {"description": "Results.", "content": {"application/json": {"schema": {
                            "type": "object",
                            "required": ["total", "results", "facets", "suggestion", "page", "per_page"],
                            "properties": {
                                "total": {"type": "integer"},
                                "page": {"type": "integer"},
                                "per_page": {"type": "integer"},
                                "results": {"type": "array", "items": {"type": "object", "properties": {
                                    "type": {"type": "string"}, "id": {"type": "integer"},
                                    "title": {"type": "string"}, "url": {"type": "string", "format": "uri"},
                                    "snippet": {"type": "string", "description": "HTML with <mark> around matches"},
                                    "score": {"type": "number"}, "language": {"type": "string"}}}},
                                "facets": {"type": "object", "additionalProperties": {
                                    "type": "object", "additionalProperties": {"type": "integer"}}},
                                "suggestion": {"type": ["string", "null"]},
                            }}}}},
                        **_errors("BadRequest", "Unauthorized"),
                    },
                },
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This description.",
                    "security": [{}],
                    "responses": {"200": {"description": "OpenAPI 3.1 document.",
                                          "content": {"application/json": {"schema": {"type": "object"}}}}},
                },
            },
        },
        "components": {
            "schemas": _schemas(),
            "responses": _responses(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "pn_<43 characters>",
                           "description": "A personal access token from /account/tokens or "
                                          "`flask --app network tokens create EMAIL`."},
            },
        },
    }
