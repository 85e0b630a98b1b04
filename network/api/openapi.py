"""The OpenAPI 3.1 description of /api/v1, built from the same constants the code checks against."""
from __future__ import annotations

from network import labels
from network.collections.models import KINDS as COLLECTION_KINDS
from network.collections.models import VISIBILITIES as COLLECTION_VISIBILITIES
from network.essays import services as essays
from network.essays.models import DISPLAY_CHOICES, ESSAY_STATUSES, SCALE
from network.evaluation import models as evaluation
from network.events.models import EVENT_KINDS, REGISTRATION_STATUSES, SESSION_KINDS
from network.events.models import VISIBILITIES as EVENT_VISIBILITIES
from network.events.services import BEGUN, CLOSED, NO_REGISTRATION, NOT_YET, OPEN
from network.learning.models import ACTIVITY_KINDS as COURSE_ACTIVITY_KINDS
from network.learning.models import LEVELS as COURSE_LEVELS
from network.learning.models import STATUSES as COURSE_STATUSES
from network.learning.models import VISIBILITIES as COURSE_VISIBILITIES
from network.mobility.models import ACTIVITY_KINDS, VISIT_STATUSES
from network.practices import services
from network.practices.models import EVIDENCE_LEVELS, INTERVENTION_TYPES, REQUIRED_FIELDS, STATUSES, VISIBILITIES
from network.self_assessment.models import TAKER_ROLES
from network.self_assessment.services import MIN_GROUP

VERSION = "1.0.0"
# The owning institution is required too, but the API takes the caller's own when none is given.
REQUIRED_ON_CREATE = list(REQUIRED_FIELDS)


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
        "PracticeList": _list_of("Practice", "practices"),
        **_mobility_schemas(),
        **_essay_schemas(),
        **_collection_schemas(),
        **_event_schemas(),
        **_self_assessment_schemas(),
        **_learning_schemas(),
        **_evaluation_schemas(),
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


def _object(properties: dict, description: str | None = None) -> dict:
    """An object whose every property is always present."""
    schema = {"type": "object", "required": list(properties), "properties": properties}
    if description:
        schema["description"] = description
    return schema


def _list_of(name: str, what: str) -> dict:
    return _object({
        "items": {"type": "array", "items": _ref(name)},
        "total": {"type": "integer", "description": f"Matching {what} on every page."},
        "page": {"type": "integer"},
        "per_page": {"type": "integer", "maximum": 100},
    })


def _mobility_schemas() -> dict:
    timestamp = {"type": "string", "format": "date-time"}
    maybe_timestamp = {"type": ["string", "null"], "format": "date-time"}
    day = {"type": "string", "format": "date"}
    iso_week = {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$", "examples": ["2027-W10"]}
    programme = {"type": "array", "items": _object({
        "day": {"type": "integer", "minimum": 1, "maximum": 5, "description": "1 is Monday, 5 is Friday."},
        "kind": {"enum": list(ACTIVITY_KINDS)},
        "description": {"type": "string"},
    })}
    text = {"type": "string"}
    institution = _object({"id": {"type": "integer"}, "slug": text, "name": text, "city": text,
                           "country": {"type": "string", "description": "ISO 3166-1 alpha-2."}})
    partnership = _object({"id": {"type": "integer"}, "reference": text, "title": text})
    return {
        "Visit": _object({
            "id": {"type": "integer"},
            "partnership": partnership,
            "host": institution,
            "visitor": _object({"id": {"type": "integer"}, "name": {"type": "string"}},
                               "The visitor's id and name (never their email address)."),
            "sending_institution": {**institution,
                                    "description": "The visitor's institution when they applied."},
            "week": iso_week,
            "monday": day,
            "friday": day,
            "status": {"enum": list(VISIT_STATUSES)},
            "programme": programme,
            "holidays": {"type": "array", "description": "Public holidays in the host's country that week.",
                         "items": _object({"date": day, "name": {"type": "string"}})},
            "cancel_reason": {"type": "string", "description": "Empty unless the visit was cancelled."},
            "created_at": timestamp,
            "updated_at": timestamp,
            "confirmed_at": maybe_timestamp,
            "completed_at": maybe_timestamp,
            "cancelled_at": maybe_timestamp,
            "url": {"type": "string", "format": "uri", "description": "The visit's page on the site."},
            "calendar_url": {"type": "string", "format": "uri",
                             "description": "The visit as an iCalendar file."},
        }, "A 5-day job-shadowing visit: a visitor at a host from Monday to Friday of one week."),
        "VisitList": _list_of("Visit", "visits"),
        "Offer": _object({
            "id": {"type": "integer"},
            "partnership": partnership,
            "institution": institution,
            "description": {"type": "string", "description": "Markdown."},
            "languages": {"type": "array", "items": {"type": "string"}, "description": "ISO 639-1 codes."},
            "approaches": {"type": "array", "items": {"type": "string"}},
            "weeks": {"type": "array", "items": _object({
                "week": iso_week, "monday": day, "capacity": {"type": "integer", "minimum": 0},
                "booked": {"type": "integer", "minimum": 0,
                           "description": "Proposed, confirmed and completed visits that week."}})},
            "quota": _object({"total": {"type": "integer", "minimum": 0},
                              "used": {"type": "integer", "minimum": 0,
                                       "description": "Proposed, confirmed and completed visits."}},
                             "Visits the host accepts over the whole partnership."),
            "programme": programme,
            "created_at": timestamp,
            "updated_at": timestamp,
            "url": {"type": "string", "format": "uri", "description": "The offer's page on the site."},
        }, "What one institution offers visitors within one partnership."),
        "OfferList": _list_of("Offer", "offers"),
    }


# The orders essays.archive_query knows (see ArchiveFilters.sort); any other value is the newest first.
ESSAY_SORTS = ("newest", "oldest", "title", "words")


def _essay_input(creating: bool) -> dict:
    properties = {
        "title": _string(essays.TITLE_MAX, description="May stay empty in a draft."),
        "body": _string(essays.BODY_MAX, description="Markdown, kept as written (shown sanitised)."),
        "language": _string(2, description="ISO 639-1 code of the essay, like en; by default a "
                                           "language of the author's institution."),
        "practice_ids": {"type": "array", "maxItems": 100, "items": {"type": "integer", "minimum": 1},
                         "description": "Practices the essay is about; each one the author may see (422 "
                                        "names the others). Replaces the list."},
        "display": {"enum": list(DISPLAY_CHOICES), "default": "named",
                    "description": "How the published essay appears: named, anonymous (the author shown as "
                                   "“a professional from <country>”), or private (evaluators only). The "
                                   "author may change it at any time, even after submitting."},
        "submit": {"type": "boolean", "default": False,
                   "description": "Submit the essay after saving it. A refused submission is a 422 naming "
                                  "the missing fields; the draft is saved all the same."},
    }
    if creating:
        properties = {"event_id": {"type": "integer", "minimum": 1,
                                   "description": "A training event or completed visit the author took part "
                                                  "in (403 otherwise; 409 when they already have an essay "
                                                  "for it)."},
                      **properties}
    schema = {"type": "object", "additionalProperties": False, "properties": properties,
              "description": ("A new essay: a draft, or submitted at once with “submit”: true." if creating
                              else "Only the fields to change. The text (title, body, language, practices) "
                                   "and submit need a draft or a returned essay; display can change at any "
                                   "time.")}
    if creating:
        schema["required"] = ["event_id"]
    return schema


def _essay_schemas() -> dict:
    text = {"type": "string"}
    maybe_timestamp = {"type": ["string", "null"], "format": "date-time"}
    timestamp = {"type": "string", "format": "date-time"}
    day = {"type": "string", "format": "date"}
    host = {"type": ["object", "null"], "required": ["id", "slug", "name", "city", "country"], "properties": {
        "id": {"type": "integer"}, "slug": text, "name": text, "city": text, "country": text}}
    summary = {
        "id": {"type": "integer"},
        "title": text,
        "language": {"type": "string", "description": "ISO 639-1."},
        "word_count": {"type": "integer", "minimum": 0},
        "status": {"enum": list(ESSAY_STATUSES)},
        "display": {"enum": list(DISPLAY_CHOICES)},
        "author": _object({"id": {"type": ["integer", "null"],
                                  "description": "Null when the essay is anonymous for you, or by a former "
                                                 "member."},
                           "name": {"type": "string", "description": "The author's name, or for an anonymous "
                                                                     "essay “A professional from <country>” "
                                                                     "(evaluators and coordinators see the "
                                                                     "name)."}},
                          "Never an email address."),
        "author_country": {"type": "string", "description": "ISO 3166-1 alpha-2 code of the author's "
                                                            "institution when they wrote it."},
        "event": {"oneOf": [
            _object({"id": {"type": "integer"}, "title": text, "kind": {"enum": list(EVENT_KINDS)},
                     "partnership_id": {"type": "integer"}, "start_date": day, "end_date": day, "host": host}),
            _object({"month": {"type": "string", "examples": ["2027-03"]}, "hidden": {"const": True}},
                    "An anonymous essay, for you: the month of its event only (its event, host and dates would "
                    "say who wrote it)."),
        ]},
        "visit_id": {"type": ["integer", "null"], "description": "The visit, when the event is a completed "
                                                                 "job-shadowing visit (null for an essay "
                                                                 "anonymous to you)."},
        "practices": {"type": "array", "description": "Linked practices that you may see.", "items": _object({
            "id": {"type": "integer"}, "title": text, "url": {"type": "string", "format": "uri"}})},
        "created_at": timestamp,
        "updated_at": timestamp,
        "submitted_at": maybe_timestamp,
        "published_at": maybe_timestamp,
        "url": {"type": "string", "format": "uri", "description": "The essay's page on the site."},
    }
    full = {
        **summary,
        "body": {"type": "string", "description": "Markdown, as the author wrote it."},
        "body_html": {"type": "string", "description": "The body rendered and sanitised (safe to insert)."},
    }
    assessment = _object({
        "id": {"type": "integer"},
        "evaluator": _object({"id": {"type": ["integer", "null"]}, "name": text}),
        "scores": {"type": "array", "items": _object({
            "criterion_id": {"type": "integer"}, "criterion": text,
            "score": {"type": "integer", "minimum": min(SCALE), "maximum": max(SCALE)}})},
        "strengths": {"type": "array", "items": text},
        "weaknesses": {"type": "array", "items": text},
        "skills": {"type": "array", "items": text},
        "notes": {"type": "string", "description": "Private to evaluators."},
        "created_at": timestamp,
        "updated_at": timestamp,
    }, "One evaluator's assessment with the partnership's rubric.")
    essay = _object(full, "An essay about a training event or a completed visit. “assessments” is present "
                          "only for evaluators and site admins.")
    essay["properties"]["assessments"] = {"type": "array", "items": _ref("Assessment")}
    return {
        "EssaySummary": _object(summary, "An essay in a list: everything but its text and assessments."),
        "Essay": essay,
        "EssayList": _list_of("EssaySummary", "essays"),
        "Assessment": assessment,
        "EssayCreate": _essay_input(creating=True),
        "EssayUpdate": _essay_input(creating=False),
    }


def _json_error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _essay_paths() -> dict:
    bearer = [{"bearer": []}]
    optional_bearer = [{}, {"bearer": []}]
    one = {"description": "The essay.", "content": {"application/json": {"schema": _ref("Essay")}}}
    location = {"Location": {"description": "The essay's API address.",
                             "schema": {"type": "string", "format": "uri"}}}
    not_found = _json_error("No such essay, or one the caller may not see.")
    refused = _json_error("Invalid fields; or a refused submission: the draft is saved all the same "
                          "(Location names it) and error.fields lists what to complete.")
    integer = {"type": "integer", "minimum": 1}
    return {
        "/essays": {
            "get": _paged_list(
                "listEssays", "Essays", "EssayList",
                "The essay archive as the caller may see it: their own essays, published ones for members, every "
                "submitted one for evaluators and the partnership's coordinators. Without a token the list is empty "
                "(published essays are for members).",
                filters=[
                    _query("partnership", "Id of a partnership.", integer),
                    _query("event", "Id of an event.", integer),
                    _query("host", "Id of the event's host institution.", integer),
                    _query("practice", "Id of a linked practice.", integer),
                    _query("year", "Year the event started.", {"type": "integer", "minimum": 1,
                                                               "maximum": 9999}),
                    _query("country", "The author's country (ISO 3166-1 alpha-2)."),
                    _query("language", "ISO 639-1 code."),
                    _query("status", "Essay status; an unknown one matches nothing.",
                           {"enum": list(ESSAY_STATUSES)}),
                    _query("sort", "Order; another value is the newest first.",
                           {"enum": list(ESSAY_SORTS), "default": "newest"}),
                ]),
            "post": {
                "operationId": "createEssay",
                "summary": "Start your essay about an event you took part in; submit it at once with "
                           "“submit”: true.",
                "security": bearer,
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("EssayCreate")}}},
                "responses": {
                    "201": {**one, "description": "Created.", "headers": location},
                    **_errors("BadRequest", "Unauthorized", "PayloadTooLarge", "UnsupportedMediaType"),
                    "403": _json_error("Not a participant of the event."),
                    "409": {**_json_error("You already have an essay for this event (Location names it)."),
                            "headers": location},
                    "422": {**refused, "headers": location},
                },
            },
        },
        "/essays/{essay_id}": {
            "parameters": [{"name": "essay_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getEssay",
                "summary": "One essay with its text; its assessments for evaluators.",
                "security": optional_bearer,
                "responses": {"200": one, **_errors("Unauthorized"), "404": not_found},
            },
            "patch": {
                "operationId": "updateEssay",
                "summary": "Change your essay's given fields; submit it with “submit”: true.",
                "security": bearer,
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": _ref("EssayUpdate")}}},
                "responses": {
                    "200": one,
                    **_errors("BadRequest", "Unauthorized", "PayloadTooLarge", "UnsupportedMediaType"),
                    "403": _json_error("Not the author, or the text of a submitted or published essay."),
                    "404": not_found,
                    "422": refused,
                },
            },
        },
    }


def _collection_schemas() -> dict:
    text = {"type": "string"}
    uri = {"type": "string", "format": "uri"}
    edition = _object({
        "number": {"type": "integer", "minimum": 1},
        "published_at": {"type": "string", "format": "date-time"},
        "url": {**uri, "description": "The edition as a book on the site."},
        "pdf_url": {**uri, "description": "The edition as a PDF."},
    }, "A published edition: frozen, it keeps the text of every practice as it was then.")
    owner = {"type": "object", "required": ["type", "id", "name"], "properties": {
        "type": {"enum": ["institution", "partnership"]}, "id": {"type": "integer"}, "name": text,
        "slug": {**text, "description": "An institution's slug."},
        "reference": {**text, "description": "A partnership's reference."}}}
    summary = {
        "id": {"type": "integer"},
        "title": text,
        "kind": {"enum": list(COLLECTION_KINDS)},
        "visibility": {"enum": list(COLLECTION_VISIBILITIES),
                       "description": "public: anyone; members: approved members of the network."},
        "language": {"type": "string", "description": "ISO 639-1."},
        "owner": owner,
        "introduction": {"type": "string", "description": "Markdown, as the editors wrote it."},
        "introduction_html": {"type": "string", "description": "Rendered and sanitised (safe to insert)."},
        "chapter_count": {"type": "integer", "minimum": 0},
        "item_count": {"type": "integer", "minimum": 0,
                       "description": "Every item, including those hidden from you."},
        "latest_edition": {"oneOf": [edition, {"type": "null"}]},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "url": {**uri, "description": "The collection's page on the site."},
    }
    item = _object({
        "kind": {"enum": ["practice", "essay"]},
        "hidden": {"type": "boolean", "description": "true for an item you may not read (a practice that "
                                                     "became members-only, a draft): it keeps its place, "
                                                     "without its id, title or the editor's note."},
        "id": {"type": ["integer", "null"], "description": "The practice's or essay's id."},
        "title": {"type": ["string", "null"]},
        "url": {"type": ["string", "null"], "format": "uri"},
        "note": {"type": "string", "description": "The editor's note, Markdown."},
        "note_html": {"type": "string", "description": "The editor's note, rendered and sanitised."},
    })
    chapter = _object({
        "id": {"type": ["integer", "null"]},
        "title": {"type": ["string", "null"],
                  "description": "Null for the items outside any chapter, listed first."},
        "introduction": {"type": "string", "description": "Markdown."},
        "introduction_html": {"type": "string"},
        "items": {"type": "array", "items": item, "description": "In the collection's order."},
    })
    full = _object({**summary,
                    "chapters": {"type": "array", "items": chapter, "description": "In order."},
                    "editions": {"type": "array", "items": edition, "description": "Oldest first."}},
                   "A collection (manual, toolbox or reading list) with its chapters and items in order.")
    return {
        "CollectionSummary": _object(summary, "A collection in a list: everything but its chapters."),
        "Collection": full,
        "CollectionList": _list_of("CollectionSummary", "collections"),
    }


def _collection_paths() -> dict:
    optional_bearer = [{}, {"bearer": []}]
    return {
        "/collections": {
            "get": _paged_list(
                "listCollections", "Collections", "CollectionList",
                "Collections the caller may see (public ones; members-only ones for approved members), recently "
                "updated first.",
                filters=[
                    _query("kind", "Kind of collection; an unknown one matches nothing.",
                           {"enum": list(COLLECTION_KINDS)}),
                    _query("owner", "The owner: institution-<id> or partnership-<id>; another value "
                                    "matches nothing.",
                           {"type": "string", "pattern": "^(institution|partnership)-[0-9]+$",
                            "examples": ["partnership-1"]}),
                ]),
        },
        "/collections/{collection_id}": {
            "parameters": [{"name": "collection_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getCollection",
                "summary": "One collection: its chapters in order, each with its items in order, and its "
                           "editions.",
                "security": optional_bearer,
                "responses": {
                    "200": {"description": "The collection.",
                            "content": {"application/json": {"schema": _ref("Collection")}}},
                    **_errors("Unauthorized"),
                    "404": _json_error("No such collection, or one the caller may not see."),
                },
            },
        },
    }


def _event_schemas() -> dict:
    text = {"type": "string"}
    uri = {"type": "string", "format": "uri"}
    day = {"type": "string", "format": "date"}
    maybe_day = {"type": ["string", "null"], "format": "date"}
    clock = {"type": ["string", "null"], "pattern": "^[0-9]{2}:[0-9]{2}$",
             "description": "A time of day in the event's time zone; null when none was given."}
    moment = {"type": ["string", "null"], "format": "date-time",
              "description": "The day and time with the offset of the event's time zone; null without a time."}
    timestamp = {"type": "string", "format": "date-time"}
    maybe_timestamp = {"type": ["string", "null"], "format": "date-time"}
    registration = _object({
        "id": {"type": "integer"},
        "status": {"enum": list(REGISTRATION_STATUSES),
                   "description": "pending: waiting for the organisers' approval (holding a place); approved: "
                                  "registered; waiting: on the waiting list; declined; cancelled."},
        "waiting_position": {"type": ["integer", "null"], "minimum": 1,
                             "description": "1 for the first on the waiting list; null unless waiting."},
        "answers": {"type": "object", "additionalProperties": text,
                    "description": "Your answers to the organisers' questions (dietary, accessibility, travel)."},
        "registered_at": timestamp,
        "decided_at": maybe_timestamp,
        "cancelled_at": maybe_timestamp,
    }, "Your own registration for an event (never anyone else's).")
    summary = {
        "id": {"type": "integer"},
        "title": text,
        "kind": {"enum": list(EVENT_KINDS)},
        "visibility": {"enum": list(EVENT_VISIBILITIES),
                       "description": "public: anyone; members: approved members of the network; partnership: "
                                      "the members of the partnership's institutions and evaluators (organisers "
                                      "and whoever registered or took part always see it)."},
        "partnership": _object({"id": {"type": "integer"}, "reference": text, "title": text}),
        "host": {"type": ["object", "null"], "required": ["id", "slug", "name", "city", "country"],
                 "properties": {"id": {"type": "integer"}, "slug": text, "name": text, "city": text,
                                "country": text}},
        "description": {**text, "description": "Markdown, as the organisers wrote it."},
        "description_html": {**text, "description": "Rendered and sanitised (safe to insert)."},
        "start_date": day,
        "end_date": day,
        "start_time": clock,
        "end_time": clock,
        "timezone": {**text, "description": "The IANA time zone of the event's place, like Europe/Helsinki."},
        "starts_at": moment,
        "ends_at": moment,
        "languages": {"type": "array", "items": text, "description": "ISO 639-1 codes of its working languages."},
        "online": {"type": "boolean"},
        "online_link": {"type": ["string", "null"], "format": "uri",
                        "description": "The online meeting's link, for its organisers and the people whose "
                                       "registration is approved (or who took part) only; null for anyone else "
                                       "and for an event held in a place."},
        "address": text,
        "city": text,
        "country": {**text, "description": "ISO 3166-1 alpha-2; empty when online or unknown."},
        "takes_registrations": {"type": "boolean"},
        "capacity": {"type": ["integer", "null"], "minimum": 1, "description": "Places; null: no limit."},
        "registration_opens": maybe_day,
        "registration_closes": maybe_day,
        "requires_approval": {"type": "boolean"},
        "registration_state": {"enum": [NO_REGISTRATION, NOT_YET, OPEN, CLOSED, BEGUN],
                               "description": "Whether registration is open today (none: it takes none)."},
        "registration": {"oneOf": [registration, {"type": "null"}],
                         "description": "Your registration for it; null without a token or when you have none."},
        "visit_id": {"type": ["integer", "null"], "description": "The visit, for the event of a completed "
                                                                 "job-shadowing visit."},
        "created_at": timestamp,
        "updated_at": maybe_timestamp,
        "url": {**uri, "description": "The event's page on the site."},
        "calendar_url": {**uri, "description": "The whole event as an iCalendar file, in its time zone."},
    }
    session = _object({
        "id": {"type": "integer"},
        "start_time": clock,
        "end_time": clock,
        "starts_at": moment,
        "ends_at": moment,
        "title": text,
        "kind": {"enum": list(SESSION_KINDS)},
        "speakers": text,
        "room": text,
        "description": {**text, "description": "Plain text with its line breaks."},
        "calendar_url": {**uri, "description": "The session as an iCalendar file."},
    })
    full = _object({
        **summary,
        "places_left": {"type": ["integer", "null"], "minimum": 0, "description": "Null: no limit."},
        "programme": {"type": "array", "description": "Every day of the event, in order, each with its sessions "
                                                      "in the organisers' order (an empty list for a day "
                                                      "without any).",
                      "items": _object({"date": day, "sessions": {"type": "array", "items": session}})},
    }, "An event with its programme.")
    own = _object({
        **registration["properties"],
        "event": {"oneOf": [_ref("EventSummary"), _object({"id": {"type": "integer"}, "hidden": {"const": True}},
                                                           "An event you registered for once and may no "
                                                           "longer see.")]},
    }, "One of your registrations, with its event.")
    return {
        "EventSummary": _object(summary, "An event in a list: everything but its programme."),
        "Event": full,
        "EventList": _list_of("EventSummary", "events"),
        "EventRegistration": own,
        "EventRegistrationList": _list_of("EventRegistration", "registrations"),
    }


def _event_paths() -> dict:
    optional_bearer = [{}, {"bearer": []}]
    return {
        "/events": {
            "get": _paged_list(
                "listEvents", "Events", "EventList",
                "Events the caller may see (as on /events/), the soonest first, each with the caller's own "
                "registration.",
                filters=[
                    _query("kind", "Kind of event; an unknown one matches nothing.", {"enum": list(EVENT_KINDS)}),
                    _query("partnership", "Id of a partnership.", {"type": "integer", "minimum": 1}),
                    _query("from", "Events running on this day or later (they end on it or after); another value "
                                   "than a date is a 400 naming the field.", {"type": "string", "format": "date"}),
                    _query("to", "Events running on this day or earlier (they start on it or before).",
                           {"type": "string", "format": "date"}),
                ]),
        },
        "/events/{event_id}": {
            "parameters": [{"name": "event_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getEvent",
                "summary": "One event with its programme (days, each with its sessions) and the caller's own "
                           "registration.",
                "security": optional_bearer,
                "responses": {
                    "200": {"description": "The event.",
                            "content": {"application/json": {"schema": _ref("Event")}}},
                    **_errors("Unauthorized"),
                    "404": _json_error("No such event, or one the caller may not see."),
                },
            },
        },
        "/events/registrations": {
            "get": _paged_list(
                "listEventRegistrations", "Registrations", "EventRegistrationList",
                "The caller's own registrations, whatever their status, the soonest event first. Needs a token.",
                needs_token=True,
                filters=[_query("status", "Registration status; an unknown one matches nothing.",
                                {"enum": list(REGISTRATION_STATUSES)})]),
        },
    }


def _self_assessment_schemas() -> dict:
    text = {"type": "string"}
    score = {"type": ["number", "null"], "minimum": 0, "maximum": 100}
    level = {"type": ["string", "null"], "description": "The code of the questionnaire's level the score reaches; "
                                                       "null without a score."}
    result = _object({
        "id": {"type": "integer"},
        "questionnaire_version": {"type": "integer", "description": "The version of the questionnaire answered."},
        "role": {"enum": list(TAKER_ROLES)},
        "completed_at": {"type": "string", "format": "date-time"},
        "overall": {**score, "description": "The index: the mean of the dimensions' scores (0-100)."},
        "level": level,
        "dimensions": {"type": "array", "items": _object({
            "code": text, "name": {**text, "description": "In the reader's language, or English."},
            "score": {**score, "description": "0-100; null when every statement was “does not apply”."},
            "level": level})},
    }, "One of your own completed results (never anyone else's).")
    group = _object({
        "kind": {"enum": ["partnership", "institution", "country", "role"]},
        "value": {**text, "description": "The partnership's or institution's id, the country's code or the role."},
        "name": text,
    })
    dimension = _object({
        "code": text,
        "name": text,
        "mean": {**score, "description": f"Null when fewer than {MIN_GROUP} people answered the dimension."},
        "count": {"type": ["integer", "null"], "description": f"People who answered it; null below {MIN_GROUP}."},
        "distribution": {"type": "object", "additionalProperties": {"type": "integer"},
                         "description": "Level code -> people at that level (empty below the minimum)."},
        "needing_share": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                          "description": "The share of people below the second level: a training need."},
    })
    period = _object({
        "label": {**text, "examples": ["2026-Q3"], "description": "A calendar quarter."},
        "count": {"type": ["integer", "null"], "description": f"People that quarter; null below {MIN_GROUP}."},
        "means": {"type": "object", "additionalProperties": score,
                  "description": "Dimension code -> mean of each person's latest result of the quarter (empty "
                                 f"below {MIN_GROUP} people)."},
    })
    return {
        "SelfAssessmentResult": result,
        "SelfAssessmentResults": _object({"results": {"type": "array", "items": _ref("SelfAssessmentResult")}}),
        "SelfAssessmentAggregate": {"oneOf": [
            _object({"group": group, "enough": {"const": True}, "count": {"type": "integer", "minimum": MIN_GROUP},
                     "dimensions": {"type": "array", "items": dimension},
                     "periods": {"type": "array", "items": period}}, "The group's figures."),
            _object({"group": group, "enough": {"const": False}, "count": {"type": "null"}, "message": text},
                    f"Fewer than {MIN_GROUP} people: no figure at all, not even how many."),
        ]},
    }


def _self_assessment_paths() -> dict:
    bearer = [{"bearer": []}]
    return {
        "/self-assessments": {
            "get": {
                "operationId": "listSelfAssessments",
                "summary": "The caller's own completed self-assessment results, newest first, with their scores by "
                           "dimension. Needs a token.",
                "security": bearer,
                "responses": {
                    "200": {"description": "Your results.",
                            "content": {"application/json": {"schema": _ref("SelfAssessmentResults")}}},
                    **_errors("Unauthorized"),
                },
            },
        },
        "/self-assessments/aggregates": {
            "get": {
                "operationId": "getSelfAssessmentAggregates",
                "summary": "A group's self-assessment figures (as on /self-assessment/groups): name exactly one "
                           "group. Partnerships: their coordinators and evaluators; institutions: their admins, "
                           "evaluators and the coordinators of their partnerships; countries and roles: site "
                           "admins, evaluators and coordinators. Needs a token.",
                "security": bearer,
                "parameters": [
                    _query("partnership", "Id of a partnership.", {"type": "integer", "minimum": 1}),
                    _query("institution", "Id of an institution.", {"type": "integer", "minimum": 1}),
                    _query("country", "ISO 3166-1 alpha-2 code: people of the institutions in that country."),
                    _query("role", "Students or professionals.", {"enum": list(TAKER_ROLES)}),
                ],
                "responses": {
                    "200": {"description": f"The figures, or (below {MIN_GROUP} people) a message and none.",
                            "content": {"application/json": {"schema": _ref("SelfAssessmentAggregate")}}},
                    **_errors("BadRequest", "Unauthorized", "Forbidden"),
                    "404": _json_error("No such partnership or institution."),
                },
            },
        },
    }


def _learning_schemas() -> dict:
    text = {"type": "string"}
    uri = {"type": "string", "format": "uri"}
    maybe_timestamp = {"type": ["string", "null"], "format": "date-time"}
    hours = {"type": ["number", "null"], "minimum": 0, "description": "The duration estimate, in hours."}
    owner = {"type": ["object", "null"], "required": ["type", "id", "name"], "properties": {
        "type": {"enum": ["institution", "partnership"]}, "id": {"type": "integer"}, "name": text,
        "slug": {**text, "description": "An institution's slug."},
        "reference": {**text, "description": "A partnership's reference."}}}
    summary = {
        "id": {"type": "integer"},
        "title": text,
        "summary_html": {**text, "description": "The latest published version's summary, as sanitised HTML (the "
                         "draft's for its editors)."},
        "language": {**text, "description": "ISO 639-1."},
        "level": {"enum": list(COURSE_LEVELS)},
        "hours": hours,
        "dimensions": {"type": "array", "items": text,
                       "description": "Codes of the self-assessment's dimensions the course serves."},
        "owner": owner,
        "visibility": {"enum": list(COURSE_VISIBILITIES),
                       "description": "public: anyone; members: approved members of the network."},
        "status": {"enum": list(COURSE_STATUSES),
                   "description": "Drafts and archived courses are listed for their editors only."},
        "latest_version": {"type": ["integer", "null"], "minimum": 1,
                           "description": "The number of the latest published version; null if never published."},
        "published_at": {**maybe_timestamp, "description": "When the latest version was published."},
        "updated_at": {"type": "string", "format": "date-time"},
        "url": {**uri, "description": "The course's page on the site."},
    }
    activity = _object({
        "id": {"type": "integer"},
        "kind": {"enum": list(COURSE_ACTIVITY_KINDS)},
        "title": text,
    }, "An activity, named only: a quiz's questions, answers and feedback are on its page.")
    lesson = _object({
        "id": {"type": "integer"},
        "title": text,
        "required": {"type": "boolean", "description": "Needed to complete the course."},
        "minutes": {"type": ["integer", "null"], "minimum": 1},
        "language": {**text, "description": "ISO 639-1 (the course's unless the lesson has its own)."},
        "url": {**uri, "description": "The lesson's page on the site."},
        "activities": {"type": "array", "items": activity, "description": "In order."},
    })
    module = _object({
        "id": {"type": "integer"},
        "title": text,
        "summary_html": {**text, "description": "Rendered and sanitised (safe to insert)."},
        "lessons": {"type": "array", "items": lesson, "description": "In order."},
    })
    count = {"type": "integer", "minimum": 0}
    progress = _object({
        "lessons_done": {**count, "description": "Required lessons done."},
        "lessons": {**count, "description": "Required lessons."},
        "quizzes_passed": count,
        "quizzes": count,
        "complete": {"type": "boolean"},
        "done_lesson_ids": {"type": "array", "items": {"type": "integer"}},
        "passed_quiz_ids": {"type": "array", "items": {"type": "integer"}},
        "next_lesson_id": {"type": ["integer", "null"], "description": "Where to go on (or resume)."},
        "modules": {"type": "array", "items": _object({
            "id": {"type": "integer"}, "lessons_done": count, "lessons": count, "quizzes_passed": count,
            "quizzes": count, "complete": {"type": "boolean"}}), "description": "In the course's order."},
    }, "Your own progress on the version you follow.")
    enrolment = _object({
        "version": {"type": "integer", "description": "The version you follow."},
        "newer_version": {"type": ["integer", "null"],
                          "description": "A newer version you may move to (on the course's page); null if none."},
        "enrolled_at": {"type": "string", "format": "date-time"},
        "last_active_at": {"type": "string", "format": "date-time"},
        "completed_at": maybe_timestamp,
        "certificate": {"oneOf": [_ref("Certificate"), {"type": "null"}]},
    }, "Your own enrolment.")
    certificate = _object({
        "code": {**text, "pattern": "^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", "description": "The verification code."},
        "kind": {**text, "examples": ["course_completion", "event_attendance"]},
        "title": {**text, "description": "What it certifies (the course's or event's title), as issued."},
        "subject": _object({"type": {**text, "examples": ["course", "event"]}, "id": {"type": "integer"}}),
        "course": {"type": ["object", "null"], "required": ["id", "title", "url"],
                   "properties": {"id": {"type": "integer"}, "title": text, "url": uri},
                   "description": "The course, for a course's certificate; null for another kind."},
        "holder_name": text,
        "issuer": text,
        "hours": hours,
        "language": text,
        "issued_on": {"type": "string", "format": "date"},
        "issued_at": {"type": "string", "format": "date-time"},
        "revoked": {"type": "boolean"},
        "revoked_at": maybe_timestamp,
        "url": {**uri, "description": "The public verification page: anyone can check the certificate there."},
        "pdf_url": {"type": ["string", "null"], "format": "uri",
                    "description": "The PDF (signed in as its holder); null once revoked."},
    }, "One of your own certificates.")
    full = _object({
        **summary,
        "version": {"type": ["integer", "null"],
                    "description": "The version shown: yours if you are enrolled, else the latest; null for an "
                                   "editor's preview of a course never published."},
        "summary_html": {**text, "description": "The version's summary, rendered and sanitised."},
        "modules": {"type": "array", "items": module, "description": "In order, each with its lessons in order."},
        "enrolment": {"oneOf": [enrolment, {"type": "null"}],
                      "description": "Yours; null without a token or when you are not enrolled."},
        "progress": {"oneOf": [progress, {"type": "null"}]},
    }, "A course with its modules and lessons.")
    return {
        "CourseSummary": _object(summary, "A course in a list: everything but its modules."),
        "Course": full,
        "CourseList": _list_of("CourseSummary", "courses"),
        "Certificate": certificate,
        "CertificateList": _list_of("Certificate", "certificates"),
    }


def _learning_paths() -> dict:
    optional_bearer = [{}, {"bearer": []}]
    return {
        "/courses": {
            "get": _paged_list(
                "listCourses", "Courses", "CourseList",
                "Courses the caller may see (published public ones; members' ones for approved members; drafts for "
                "their editors), recently updated first.",
                filters=[
                    _query("language", "ISO 639-1 code of the course's language."),
                    _query("level", "Level; an unknown one matches nothing.", {"enum": list(COURSE_LEVELS)}),
                ]),
        },
        "/courses/{course_id}": {
            "parameters": [{"name": "course_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getCourse",
                "summary": "One course: the modules of the version the caller reads (theirs if enrolled, else the "
                           "latest), each with its lessons and their activities in order, and the caller's own "
                           "enrolment and progress.",
                "security": optional_bearer,
                "responses": {
                    "200": {"description": "The course.",
                            "content": {"application/json": {"schema": _ref("Course")}}},
                    **_errors("Unauthorized"),
                    "404": _json_error("No such course, or one the caller may not see."),
                },
            },
        },
        "/certificates": {
            "get": _paged_list(
                "listCertificates", "Certificates", "CertificateList",
                "The caller's own certificates (courses completed, events attended), newest first, revoked ones "
                "too. Needs a token.",
                needs_token=True),
        },
    }


def _evaluation_schemas() -> dict:
    text = {"type": "string"}
    figure = {"type": ["number", "null"]}
    progress = {
        "target": {**figure, "description": "The target in its unit (null: none set)."},
        "done": {"type": "number", "description": "What is reached, in the target's unit."},
        "late": {"type": "boolean", "description": "A target is set and what is done is below what was due by "
                                                   "today."},
    }
    indicator = _object({
        "kind": {"enum": list(evaluation.TARGET_KINDS), "description": "visitors_per_host: completed visits per "
                 "host; essays_per_visit and sessions_per_visitor: ratios; response_rate: % of survey invitations "
                 "answered; practices_published: practices the partnership's institutions published in its period."},
        **progress,
        "expected": {**figure, "description": "What was due by today: the target pro rata of the partnership's "
                                              "period for counts, the target itself for ratios."},
        "institutions": {"type": "array", "items": _object({
            "id": {"type": "integer"}, "name": text, **progress})},
    })
    survey = _object({
        "id": {"type": "integer"},
        "partnership": _object({"id": {"type": "integer"}, "reference": text}),
        "title": {**text, "description": "In the reader's language, or English."},
        "moment": {"enum": list(evaluation.MOMENTS)},
        "anonymous": {"type": "boolean", "description": "Answers stored without the person; figures only from "
                                                        "five answers."},
        "status": {"enum": list(evaluation.SURVEY_STATUSES)},
        "opened_on": {"type": ["string", "null"], "format": "date"},
        "sent": {"type": "integer", "description": "Invitations sent."},
        "answered": {"type": "integer", "description": "Invitations answered."},
    })
    question = _object({
        "id": {"type": "integer"},
        "kind": {"enum": list(evaluation.QUESTION_KINDS)},
        "text": text,
        "answered": {"type": "integer"},
        "mean": {**figure, "description": "Scales (1-5) and numbers; null otherwise."},
        "distribution": {"type": "array", "items": _object({
            "value": {**text, "description": "A scale's point or a choice's code."},
            "label": {**text, "description": "The choice in the reader's language."},
            "count": {"type": "integer"}})},
        "texts": {"type": "array", "items": _object({
            "respondent": {"type": ["string", "null"], "description": "Named surveys only."}, "text": text})},
        "withheld": {"type": ["string", "null"], "description": "Why the question's figures and texts are not shown "
                     "(an anonymous survey's question answered by fewer than five, or what a subtraction would "
                     "reveal), in the reader's language; null when they are."},
    })
    return {
        "Indicator": indicator,
        "IndicatorList": _list_of("Indicator", "targets"),
        "Survey": survey,
        "SurveyList": _list_of("Survey", "surveys"),
        "SurveyResults": _object({
            "survey": _ref("Survey"),
            "host": {"type": ["integer", "null"], "description": "The host institution the figures are limited to."},
            "enough": {"type": "boolean", "description": "False: an anonymous survey (or host) with too few answers; "
                                                         "then no question is listed."},
            "minimum": {"type": ["integer", "null"], "description": "Answers an anonymous survey needs."},
            "questions": {"type": "array", "items": question},
        }),
    }


def _evaluation_paths() -> dict:
    bearer = [{"bearer": []}]
    return {
        "/partnerships/{partnership_id}/indicators": {
            "parameters": [{"name": "partnership_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "get": _paged_list(
                "listPartnershipIndicators", "Targets", "IndicatorList",
                "The partnership's targets with their progress, overall and per institution (as on its mobility "
                "dashboard): its coordinators and evaluators. Needs a token.",
                needs_token=True, page="One page (five kinds of target).",
                errors=("BadRequest", "Unauthorized", "Forbidden"),
                responses={"404": _json_error("No such partnership.")}),
        },
        "/surveys": {
            "get": _paged_list(
                "listSurveys", "Surveys", "SurveyList",
                "The partnerships' surveys whose results the caller may read (their coordinators, evaluators), "
                "newest first. Needs a token.",
                needs_token=True,
                filters=[_query("partnership", "Id of a partnership.", {"type": "integer", "minimum": 1})]),
        },
        "/surveys/{survey_id}/results": {
            "parameters": [{"name": "survey_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {
                "operationId": "getSurveyResults",
                "summary": "A survey's results per question (as on its results page). Needs a token.",
                "security": bearer,
                "parameters": [_query("host", "Id of a host institution: the answers about visits to it.",
                                      {"type": "integer", "minimum": 1})],
                "responses": {
                    "200": {"description": "The figures, or (an anonymous survey with too few answers) none.",
                            "content": {"application/json": {"schema": _ref("SurveyResults")}}},
                    **_errors("BadRequest", "Unauthorized"),
                    "404": _json_error("No such survey, or one the caller may not read."),
                },
            },
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
    "TooManyRequests": (429, "Too many unknown or revoked tokens from this address (20 in 15 minutes): wait "
                             "the number of seconds in the Retry-After header."),
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


def _practice_filters() -> list[dict]:
    return [
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


def _paging_parameters(what: str) -> list[dict]:
    return [
        _query("page", "Page number, from 1.", {"type": "integer", "minimum": 1, "default": 1}),
        _query("per_page", f"{what} per page; a value above 100 is lowered to 100 (the response says which "
                           "was used).", {"type": "integer", "minimum": 1, "default": 20}),
    ]


def _paged_list(operation_id: str, what: str, schema: str, summary: str, *, needs_token: bool = False,
                filters: list[dict] | None = None, page: str = "One page.",
                errors: tuple[str, ...] = ("BadRequest", "Unauthorized"), responses: dict | None = None) -> dict:
    """The GET of one of the API's paged lists (views.paged): ?page= and ?per_page= (`what` per page) before the
    list's own filters; 200 with one page of `schema` (a _list_of: items, total, page, per_page), described by
    `page`; the errors every list answers, or `errors`, and any other `responses`. Without needs_token it reads
    as an anonymous visitor when no token is sent."""
    return {
        "operationId": operation_id,
        "summary": summary,
        "security": [{"bearer": []}] if needs_token else [{}, {"bearer": []}],
        "parameters": [*_paging_parameters(what), *(filters or [])],
        "responses": {
            "200": {"description": page, "content": {"application/json": {"schema": _ref(schema)}}},
            **_errors(*errors),
            **(responses or {}),
        },
    }


def document() -> dict:
    """The whole description as a dict (served as JSON at /api/v1/openapi.json)."""
    practice_id = {"name": "practice_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    bearer = [{"bearer": []}]
    optional_bearer = [{}, {"bearer": []}]
    json_body = {"application/json": {"schema": _ref("PracticeInput")}}
    one = {"description": "The practice.", "content": {"application/json": {"schema": _ref("Practice")}}}
    spec = {
        "openapi": "3.1.0",
        "info": {
            "title": "Peer Network API",
            "version": VERSION,
            "description": (
                "Practices shared by the partner institutions. Reads work without a token (as an anonymous "
                "visitor sees the site); writes need a personal access token, made on /account/tokens, sent "
                "as `Authorization: Bearer <token>`. The same permission rules as the web pages apply. "
                "Mobility visits and hosting offers are for members: reading them needs a token too. "
                "Essays follow the archive's rules: without a token none is visible (published essays are "
                "for members); their authors write them with a token. "
                "Collections (manuals, toolboxes, reading lists) are read only: public ones by anyone, "
                "members-only ones with an approved member's token. "
                "Events are read only, as their pages show them (an online event's link only to its organisers "
                "and the approved participants); with a token, each carries your registration and "
                "/events/registrations lists yours. "
                "Courses are read only, as their pages show them, with your enrolment and progress; "
                "/certificates lists your certificates (with a token). "
                "Self-assessments: your own results with a token, and a group's figures for those who run it "
                "(never below 5 people, never anyone's own answers). "
                "Errors are JSON: {\"error\": {\"code\", \"message\", \"fields\"}}. "
                "Request bodies are at most 1 MB."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": optional_bearer,
        "paths": {
            "/practices": {
                "get": _paged_list("listPractices", "Practices", "PracticeList",
                                   "Practices the caller may see, filtered like the list page, newest first.",
                                   filters=_practice_filters()),
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
                    "summary": "Full-text search over practices, institutions, hosting offers, visits, events, essays, "
                               "collections, courses and lessons the caller may see, in rank order (the list shape of the other "
                               "lists: items, total, page, per_page).",
                    "security": optional_bearer,
                    "parameters": [
                        {"name": name, "in": "query", "required": False, "schema": {"type": "string"},
                         "description": description}
                        for name, description in (
                            ("q", "Words, a question, \"a phrase\" or a prefix* (cut at 200 characters)."),
                            ("type", "practice, institution, offer, visit, event, essay, collection, course or lesson"),
                            ("sector", "social, educational, mental_health"),
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
                            "required": ["items", "total", "page", "per_page", "total_is_estimate", "facets",
                                         "suggestion"],
                            "properties": {
                                "total": {"type": "integer"},
                                "total_is_estimate": {"type": "boolean", "description": (
                                    "true when checking a quoted phrase in every document took too long: "
                                    "the total is then estimated from the documents checked, best first")},
                                "page": {"type": "integer"},
                                "per_page": {"type": "integer"},
                                "items": {"type": "array", "items": {"type": "object", "properties": {
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
            "/visits": {
                "get": _paged_list(
                    "listVisits", "Visits", "VisitList",
                    "Visits the caller may see (as on the mobility pages), by week. Needs a token.",
                    needs_token=True, page="One page, by week.",
                    filters=[
                        _query("partnership", "Id of a partnership.", {"type": "integer", "minimum": 1}),
                        _query("host", "Id of the host institution.", {"type": "integer", "minimum": 1}),
                        _query("status", "Visit status; an unknown one matches nothing.",
                               {"enum": list(VISIT_STATUSES)}),
                        _query("week", "An ISO week like 2027-W10 (or the date of its Monday); another "
                                       "value is a 400 naming the field.",
                               {"type": "string", "examples": ["2027-W10"]}),
                    ]),
            },
            "/visits/{visit_id}": {
                "parameters": [{"name": "visit_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "get": {
                    "operationId": "getVisit",
                    "summary": "One visit, with its programme and the public holidays of its week. "
                               "Needs a token.",
                    "security": bearer,
                    "responses": {
                        "200": {"description": "The visit.",
                                "content": {"application/json": {"schema": _ref("Visit")}}},
                        **_errors("Unauthorized"),
                        "404": {"description": "No such visit, or one the caller may not see.",
                                "content": {"application/json": {"schema": _ref("Error")}}},
                    },
                },
            },
            "/offers": {
                "get": _paged_list(
                    "listOffers", "Offers", "OfferList",
                    "Hosting offers in the partnerships the caller takes part in (all of them for evaluators and "
                    "site admins), with places booked. Needs a token.",
                    needs_token=True, page="One page, by partnership and institution name.",
                    filters=[_query("partnership", "Id of a partnership.", {"type": "integer", "minimum": 1})]),
            },
            **_essay_paths(),
            **_collection_paths(),
            **_event_paths(),
            **_self_assessment_paths(),
            **_learning_paths(),
            **_evaluation_paths(),
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
    # Every operation that reads a token may answer 429 when its address has sent too many bad ones.
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and {"bearer": []} in operation.get("security", []):
                operation["responses"].update(_errors("TooManyRequests"))
    return spec
