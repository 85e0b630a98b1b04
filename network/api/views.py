"""The JSON API at /api/v1: practices to read and write, mobility visits and hosting offers to read, essays
to read and (by their authors) to write, collections and events (with the caller's registrations) to read, courses
(with the caller's progress) and the caller's certificates to read, with personal access tokens.

Only a Bearer token identifies the caller: the session cookie is never read here, so a page on another site
cannot make a logged-in browser write through the API (and the blueprint needs no CSRF token). Without a
token the caller is an anonymous visitor. Every error is JSON: {"error": {"code", "message", "fields"}}.
"""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import HTTPException

from network import permissions
from network.api import openapi, serializers, tokens
from network.auth import services as accounts
from network.errors import ServiceError
from network.essays import services as essays
from network.events import services as events
from network.extensions import db, login_manager
from network.institutions import services as institutions
from network.institutions.models import Institution, Partnership
from network.mobility import services as mobility
from network.mobility.models import HostingOffer, Visit
from network.mobility.weeks import WeekError, parse_week
from network.practices import services
from network.practices.models import Practice

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PREFIX = "/api/v1"
MAX_BODY_BYTES = 1024 * 1024  # API_MAX_CONTENT_LENGTH in the configuration overrides it
PER_PAGE, PER_PAGE_MAX = 20, 100  # a larger per_page is lowered to PER_PAGE_MAX, as the response shows
PAGE_MAX = 1_000_000
ID_MAX = serializers.ID_MAX
ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
    500: "server_error",
}


class ApiError(Exception):
    """An error response in the envelope; raised anywhere in a view."""

    def __init__(self, status: int, message: str, fields: dict | None = None, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.fields, self.headers = status, message, fields or {}, headers or {}


def error_response(status: int, message: str, fields: dict | None = None, headers: dict | None = None):
    body = {"error": {"code": ERROR_CODES.get(status, "error"), "message": str(message),
                      "fields": {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}}}
    response = jsonify(body)
    response.status_code = status
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def _unauthorized(message: str, invalid_token: bool = False) -> ApiError:
    challenge = 'Bearer realm="Peer Network API"'
    if invalid_token:
        challenge += ', error="invalid_token"'
    return ApiError(401, message, headers={"WWW-Authenticate": challenge})


# --- errors ---------------------------------------------------------------------------------------


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    return error_response(error.status, error.message, error.fields, error.headers)


def _http_error(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="Peer Network API"'
    message = error.description if status < 500 else _("Something went wrong on our side.")
    return error_response(status, message, headers=headers)


# Codes first: the application's HTML error pages are registered per code and would otherwise win.
for _code in ERROR_CODES:
    bp.register_error_handler(_code, _http_error)
bp.register_error_handler(HTTPException, _http_error)


@bp.before_app_request
def _routing_errors_as_json():
    """An unknown address or method under /api/v1 never reaches the blueprint: answer it in JSON here."""
    exception = request.routing_exception
    if exception is None or not (request.path == PREFIX or request.path.startswith(PREFIX + "/")):
        return None
    if isinstance(exception, HTTPException) and exception.code in (404, 405):
        return _http_error(exception)
    return None


# --- authentication and request limits ------------------------------------------------------------


@bp.before_request
def _limit_and_authenticate():
    limit = _body_limit()
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    # A chunked body announces no length: werkzeug stops reading one byte past the limit, and
    # _json_object() tells a body that reached it from one that fits.
    request.max_content_length = limit + 1
    g.api_user = _authenticate()


def _body_limit() -> int:
    return int(current_app.config.get("API_MAX_CONTENT_LENGTH", MAX_BODY_BYTES))


def _too_large(limit: int) -> ApiError:
    return ApiError(413, _("The request body can be at most %(n)d bytes.", n=limit))


def _authenticate():
    header = request.headers.get("Authorization", "")
    if not header:
        return login_manager.anonymous_user()
    scheme, _sep, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise _unauthorized(_("Send a personal access token as “Authorization: Bearer <token>”."))
    try:
        user = tokens.authenticate(credentials.strip(), request.remote_addr or "unknown")
    except accounts.LoginThrottled as error:
        message = _("Too many unknown or revoked tokens from your address: wait %(seconds)d seconds.",
                    seconds=error.retry_after)
        raise ApiError(429, message, headers={"Retry-After": str(error.retry_after)}) from None
    if user is None:
        raise _unauthorized(_("The token is unknown or has been revoked."), invalid_token=True)
    return user


def _caller():
    """The token's owner, required for every write."""
    user = g.api_user
    if not user.is_authenticated:
        raise _unauthorized(_("Writing needs a personal access token: “Authorization: Bearer <token>”."))
    return user


def _json_object(message: str | None = None) -> dict:
    if not request.is_json:
        raise ApiError(415, _("Send the body as JSON, with the header “Content-Type: application/json”."))
    raw = request.get_data(cache=True)
    if len(raw) > _body_limit():
        raise _too_large(_body_limit())
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, _("The body is not valid JSON (UTF-8).")) from None
    if not isinstance(payload, dict):
        raise ApiError(400, message or _("The body must be a JSON object with the practice's fields."))
    return payload


def _visible_practice(practice_id: int) -> Practice:
    practice = services.get(practice_id) if 0 < practice_id <= ID_MAX else None
    if practice is None or not permissions.can_view_practice(g.api_user, practice):
        raise ApiError(404, _("There is no practice %(id)d, or you may not see it.", id=practice_id))
    return practice


def _int_arg(name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        limits = f"{low}–{high}" if high is not None else f"≥ {low}"
        raise ApiError(400, _("Invalid query parameter “%(name)s”.", name=name),
                       fields={name: [_("Must be an integer (%(limits)s).", limits=limits)]})
    return value


def _check_owner(user, data: services.PracticeData) -> None:
    """403 for an institution the caller may not write for; an unknown slug is left to validation (422)."""
    owner = institutions.get_by_slug(data.institution) if data.institution else None
    if owner is not None and not permissions.can_write_for_institution(user, owner):
        raise ApiError(403, _("You can only write practices for your own institution."),
                       fields={"institution": [_("You may not write for this institution.")]})


def _input(payload: dict, base: services.PracticeData) -> services.PracticeData:
    try:
        return serializers.practice_from_json(payload, base)
    except serializers.InputError as error:
        raise ApiError(422, _("Some fields are not valid."), fields=error.errors) from None


def _write(save, refused=None):
    """Run a service write; its refusal (ServiceError) is a 422 naming the fields, unless refused(error) gives
    another ApiError for it. The API's one counterpart of web.attempt()."""
    try:
        return save()
    except ServiceError as error:
        special = refused(error) if refused is not None else None
        raise special or ApiError(422, _("Some fields are not valid."), fields=error.errors) from None


def _save(save, data: services.PracticeData, existing: Practice | None = None) -> Practice:
    """Run a service write; turn its refusals into 409 (a duplicate external_ref alone) or 422."""

    def conflict(error: ServiceError) -> ApiError | None:
        if set(error.errors) == {"external_ref"} and _reference_taken(data.external_ref, existing):
            return ApiError(409, _("Another practice already has this external reference."), fields=error.errors)
        return None

    try:
        return _write(save, conflict)
    except IntegrityError:
        # Two clients sending one external_ref at the same moment: the unique index decides.
        db.session.rollback()
        raise ApiError(409, _("Another practice already has this external reference."),
                       fields={"external_ref": [_("Another practice already has this external reference.")]}
                       ) from None


def _reference_taken(reference: str, existing: Practice | None) -> bool:
    reference = (reference or "").strip()
    if not reference:
        return False
    query = select(Practice.id).where(Practice.external_ref == reference)
    if existing is not None:
        query = query.where(Practice.id != existing.id)
    return db.session.scalar(query) is not None


def _one(practice: Practice):
    return serializers.practice_to_json(
        practice, serializers.visible_translations([practice], g.api_user).get(practice.id, []))


# --- practices ------------------------------------------------------------------------------------


@bp.get("/practices")
def list_practices():
    page, per_page = _paging()
    # A NUL cannot be sent to PostgreSQL; a filter holding one simply matches nothing.
    args = {name: value.replace("\x00", "\ufffd") for name, value in request.args.items()}
    filters = services.PracticeFilters.from_args(args)
    query = serializers.with_related(services.practice_query(g.api_user, filters))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return _page_json(serializers.practices_to_json(list(pagination.items), g.api_user), pagination.total, page,
                      per_page)


@bp.get("/practices/<int:practice_id>")
def get_practice(practice_id: int):
    return jsonify(_one(_visible_practice(practice_id)))


@bp.post("/practices")
def create_practice():
    user = _caller()
    if not permissions.can_create_practice(user):
        raise ApiError(403, _("Only approved members of a partner institution can add practices."))
    payload = _json_object()
    home = user.institution.slug if user.institution is not None else ""
    data = _input(payload, services.PracticeData(institution=home))
    _check_owner(user, data)
    practice = _save(lambda: services.create_practice(user, data), data)
    response = jsonify(_one(practice))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_practice", practice_id=practice.id, _external=True)
    return response


@bp.patch("/practices/<int:practice_id>")
def update_practice(practice_id: int):
    user = _caller()
    practice = _visible_practice(practice_id)
    if not permissions.can_edit_practice(user, practice):
        raise ApiError(403, _("You may not edit this practice."))
    payload = _json_object()
    data = _input(payload, services.PracticeData.from_practice(practice))
    if data.institution != practice.institution.slug:
        _check_owner(user, data)
    practice = _save(lambda: services.update_practice(user, practice, data), data, existing=practice)
    return jsonify(_one(practice))


@bp.delete("/practices/<int:practice_id>")
def delete_practice(practice_id: int):
    user = _caller()
    practice = _visible_practice(practice_id)
    if not permissions.can_delete_practice(user, practice):
        raise ApiError(403, _("Only an administrator of the owning institution may delete this practice."))
    services.delete_practice(user, practice)
    return "", 204


# --- mobility: visits and hosting offers (read only) ------------------------------------------------


def _member_caller():
    """Visits and offers are never public: an anonymous caller is told to send a token (401), not shown an
    empty list that would look like "no visits"."""
    user = g.api_user
    if not user.is_authenticated:
        raise _unauthorized(_("Visits and hosting offers are for members: send a personal access token as "
                              "“Authorization: Bearer <token>”."))
    return user


def _week_arg(name: str = "week"):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return parse_week(raw)
    except WeekError as error:
        raise ApiError(400, _("Invalid query parameter “%(name)s”.", name=name),
                       fields={name: [str(error)]}) from None


def _paging() -> tuple[int, int]:
    return _int_arg("page", 1, 1, PAGE_MAX), min(_int_arg("per_page", PER_PAGE, 1), PER_PAGE_MAX)


def _page_json(items, total: int, page: int, per_page: int):
    """The answer of every paged list (openapi._paged_list): one page of items, the total on every page, and the
    page and per_page used (per_page as lowered to PER_PAGE_MAX)."""
    return jsonify({"items": list(items), "total": total, "page": page, "per_page": per_page})


def _one_page(rows: list, page: int, per_page: int, to_json=None):
    """A paged list over rows already in memory, filtered by permission in Python (visits, a few targets, the
    surveys one person may read): only the page's rows are serialised (to_json)."""
    start = (page - 1) * per_page
    shown = rows[start:start + per_page]
    return _page_json(map(to_json, shown) if to_json else shown, len(rows), page, per_page)


@bp.get("/visits")
def list_visits():
    user = _member_caller()
    page, per_page = _paging()
    partnership_id = _int_arg("partnership", 0, 1, ID_MAX)
    host_id = _int_arg("host", 0, 1, ID_MAX)
    monday = _week_arg()
    status = request.args.get("status", "")
    query = select(Visit).order_by(Visit.week_start, Visit.id)
    if partnership_id:
        query = query.where(Visit.partnership_id == partnership_id)
    if host_id:
        query = query.where(Visit.host_institution_id == host_id)
    if monday is not None:
        query = query.where(Visit.week_start == monday)
    if status:  # an unknown status matches nothing, as the practices' filters do
        query = query.where(Visit.status == status)
    # Who sees a visit (its visitor, the host's members, the sender's admins, coordinators...) is decided by
    # permissions.can_view_visit alone, so the page is cut after that check: a network has hundreds of visits.
    visible = [visit for visit in db.session.scalars(serializers.with_visit_related(query)).unique()
               if permissions.can_view_visit(user, visit)]
    return _one_page(visible, page, per_page, serializers.visit_to_json)


@bp.get("/visits/<int:visit_id>")
def get_visit(visit_id: int):
    user = _member_caller()
    visit = mobility.get_visit(visit_id) if 0 < visit_id <= ID_MAX else None
    if visit is None or not permissions.can_view_visit(user, visit):
        raise ApiError(404, _("There is no visit %(id)d, or you may not see it.", id=visit_id))
    return jsonify(serializers.visit_to_json(visit))


@bp.get("/offers")
def list_offers():
    user = _member_caller()
    page, per_page = _paging()
    partnership_id = _int_arg("partnership", 0, 1, ID_MAX)
    partnerships = select(Partnership).options(selectinload(Partnership.partners))
    if partnership_id:
        partnerships = partnerships.where(Partnership.id == partnership_id)
    visible = [p.id for p in db.session.scalars(partnerships) if permissions.can_view_mobility(user, p)]
    query = (select(HostingOffer).join(Institution, HostingOffer.institution_id == Institution.id)
             .where(HostingOffer.partnership_id.in_(visible))
             .order_by(HostingOffer.partnership_id, Institution.name, HostingOffer.id))
    pagination = db.paginate(serializers.with_offer_related(query), page=page, per_page=per_page,
                             error_out=False)
    offers = list(pagination.items)
    booked = serializers.places_booked([offer.id for offer in offers])
    return _page_json([serializers.offer_to_json(offer, booked[offer.id]) for offer in offers], pagination.total,
                      page, per_page)


# --- essays ---------------------------------------------------------------------------------------
# Reads follow the archive's rules (essays.archive_query, permissions.can_view_essay) for whoever calls,
# as the practices do: without a token the caller is an anonymous visitor, who under the current rules
# sees no essay (published essays are for members), so the list is empty and every essay is a 404.


def _visible_essay(essay_id: int):
    essay = essays.get_essay(essay_id) if 0 < essay_id <= ID_MAX else None
    if essay is None or not permissions.can_view_essay(g.api_user, essay):
        raise ApiError(404, _("There is no essay %(id)d, or you may not see it.", id=essay_id))
    return essay


def _text_arg(name: str) -> str:
    # A NUL cannot be sent to PostgreSQL; a filter holding one simply matches nothing.
    return (request.args.get(name) or "").strip()[:100].replace("\x00", "\ufffd")


def _essay_json_object() -> dict:
    return _json_object(_("The body must be a JSON object with the essay's fields."))


def _essay_input(creating: bool) -> serializers.EssayInput:
    try:
        return serializers.essay_from_json(_essay_json_object(), creating)
    except serializers.InputError as error:
        raise ApiError(422, _("Some fields are not valid."), fields=error.errors) from None


def _check_practices(user, given: serializers.EssayInput) -> None:
    """Linked practices must be ones the author may see (the editor offers no others): 422 names the rest."""
    if "practice_ids" not in given.changed:
        return
    unknown = []
    for practice_id in given.data.practice_ids:
        practice = services.get(practice_id)
        if practice is None or not permissions.can_view_practice(user, practice):
            unknown.append(practice_id)
    if unknown:
        raise ApiError(422, _("Some fields are not valid."), fields={"practice_ids": [
            _("There is no practice %(id)d, or you may not see it.", id=number) for number in unknown]})


def _essay_location(essay) -> dict:
    return {"Location": url_for("api.get_essay", essay_id=essay.id, _external=True)}


def _save_essay(user, essay, data: essays.EssayData, submit: bool):
    """Save the draft, or save and submit it. A refused submission is a 422 whose fields say what is missing;
    the draft is saved all the same (the message says so; Location names the essay).

    Both ways the services save the draft first; the two reasons they could refuse that save (an essay no
    longer editable, a text over essays.BODY_MAX) are checked before, so "saved" is true when we say it."""
    if not submit:
        return _write(lambda: essays.save_draft(user, essay, data))
    return _write(lambda: essays.submit_essay(user, essay, data), lambda error: ApiError(
        422, _("Your draft (essay %(id)d) is saved, but it could not be submitted: complete "
               "the fields named here and send “submit”: true again.", id=essay.id),
        fields=error.errors, headers=_essay_location(essay)))


def _one_essay(essay, status: int = 200, headers: dict | None = None):
    response = jsonify(serializers.essay_to_json(essay, g.api_user))
    response.status_code = status
    response.headers.update(headers or {})
    return response


@bp.get("/essays")
def list_essays():
    page, per_page = _paging()
    filters = essays.ArchiveFilters(
        partnership=_int_arg("partnership", 0, 1, ID_MAX) or None,
        event=_int_arg("event", 0, 1, ID_MAX) or None,
        host=_int_arg("host", 0, 1, ID_MAX) or None,
        practice=_int_arg("practice", 0, 1, ID_MAX) or None,
        year=_int_arg("year", 0, 1, 9999) or None,
        country=_text_arg("country"),
        language=_text_arg("language"),
        status=_text_arg("status"),  # an unknown status matches nothing, as in the archive
        sort=_text_arg("sort") or "newest",  # an unknown order is the newest first, as in the archive
    )
    query = serializers.with_essay_related(essays.archive_query(g.api_user, filters))
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False)
    return _page_json([serializers.essay_summary_to_json(essay, g.api_user) for essay in pagination.items],
                      pagination.total, page, per_page)


@bp.get("/essays/<int:essay_id>")
def get_essay(essay_id: int):
    return _one_essay(_visible_essay(essay_id))


@bp.post("/essays")
def create_essay():
    user = _caller()
    given = _essay_input(creating=True)
    event = events.get_event(given.event_id)
    if event is None:
        raise ApiError(422, _("Some fields are not valid."),
                       fields={"event_id": [_("There is no event %(id)d.", id=given.event_id)]})
    if not permissions.can_write_essay(user, event):
        raise ApiError(403, _("You can only write about an event you took part in."),
                       fields={"event_id": [_("You are not a participant of this event.")]})
    existing = essays.essay_of(user, event)
    if existing is not None:
        raise _already_written(existing)
    _check_practices(user, given)
    try:
        essay = essays.start_essay(user, event)
    except IntegrityError:
        # The same author sending two first drafts at once: one essay per event, the unique index decides.
        db.session.rollback()
        raise _already_written(essays.essay_of(user, event)) from None
    essay = _save_essay(user, essay, given.applied_to(essays.essay_data_of(essay)), given.submit)
    return _one_essay(essay, 201, _essay_location(essay))


def _already_written(essay) -> ApiError:
    return ApiError(409, _("You already have an essay for this event (essay %(id)d): change it with PATCH.",
                           id=essay.id),
                    fields={"event_id": [_("You already have an essay for this event.")]},
                    headers=_essay_location(essay))


@bp.patch("/essays/<int:essay_id>")
def update_essay(essay_id: int):
    user = _caller()
    essay = _visible_essay(essay_id)
    if essay.author_id != user.id:
        raise ApiError(403, _("Only the author can change an essay."))
    given = _essay_input(creating=False)
    changes_text = bool(given.changed - {"display"}) or given.submit
    if changes_text and not permissions.can_edit_essay(user, essay):
        raise ApiError(403, _("This essay is %(status)s: its text can no longer change (only “display” can).",
                              status=essay.status))
    _check_practices(user, given)
    if "display" in given.changed and given.data.display != essay.display:
        # How the essay appears is the author's choice at any time, recorded apart from the text.
        _write(lambda: essays.set_display(user, essay, given.data.display))
    if changes_text:
        essay = _save_essay(user, essay, given.applied_to(essays.essay_data_of(essay)), given.submit)
    return _one_essay(essay)


# --- collections (read only) ------------------------------------------------------------------------
# Serialised in network/collections/api.py; permissions.can_view_collection decides who sees one.


@bp.get("/collections")
def list_collections():
    from network.collections import api as collections_api

    page, per_page = _paging()
    collections, total = collections_api.collection_page(
        g.api_user, page, per_page, kind=_text_arg("kind"), owner=_text_arg("owner"))
    return _page_json(map(collections_api.collection_summary_to_json, collections), total, page, per_page)


@bp.get("/collections/<int:collection_id>")
def get_collection(collection_id: int):
    from network.collections import api as collections_api

    collection = collections_api.visible_collection(g.api_user, collection_id) if collection_id <= ID_MAX else None
    if collection is None:
        raise ApiError(404, _("There is no collection %(id)d, or you may not see it.", id=collection_id))
    return jsonify(collections_api.collection_to_json(collection, g.api_user))


# --- events (read only) -------------------------------------------------------------------------------
# Serialised in network/events/api.py; permissions.can_view_event decides who sees one (services.visible_to in
# SQL for the list) and permissions.can_see_online_link who reads its online link.


def _date_arg(name: str):
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, _("Invalid query parameter “%(name)s”.", name=name),
                       fields={name: [_("Must be a date like 2027-01-19.")]}) from None


@bp.get("/events")
def list_events():
    from network.events import api as events_api

    page, per_page = _paging()
    found, total = events_api.event_page(
        g.api_user, page, per_page, kind=_text_arg("kind"), partnership=_int_arg("partnership", 0, 1, ID_MAX) or None,
        first=_date_arg("from"), last=_date_arg("to"))
    mine = events_api.registrations_of(g.api_user, found)
    return _page_json([events_api.event_to_json(event, g.api_user, mine.get(event.id)) for event in found], total,
                      page, per_page)


@bp.get("/events/<int:event_id>")
def get_event(event_id: int):
    from network.events import api as events_api

    event = events_api.visible_event(g.api_user, event_id) if event_id <= ID_MAX else None
    if event is None:
        raise ApiError(404, _("There is no event %(id)d, or you may not see it.", id=event_id))
    mine = events_api.registrations_of(g.api_user, [event])
    return jsonify(events_api.event_with_programme_to_json(event, g.api_user, mine.get(event.id)))


@bp.get("/events/registrations")
def list_event_registrations():
    from network.events import api as events_api

    user = g.api_user
    if not user.is_authenticated:
        raise _unauthorized(_("Your registrations are yours: send a personal access token as "
                              "“Authorization: Bearer <token>”."))
    page, per_page = _paging()
    registrations, total = events_api.registration_page(user, page, per_page, status=_text_arg("status"))
    return _page_json([events_api.own_registration_to_json(registration, user) for registration in registrations],
                      total, page, per_page)


# --- courses and certificates (read only) -------------------------------------------------------------------
# Serialised in network/learning/api.py; permissions.can_view_course decides who sees a course
# (services.courses_visible_to in SQL for the list); a certificate is its holder's alone.


@bp.get("/courses")
def list_courses():
    from network.learning import api as learning_api

    page, per_page = _paging()
    courses, total = learning_api.course_page(g.api_user, page, per_page, language=_text_arg("language"),
                                              level=_text_arg("level"))
    return _page_json([learning_api.course_summary_to_json(course, g.api_user) for course in courses], total, page,
                      per_page)


@bp.get("/courses/<int:course_id>")
def get_course(course_id: int):
    from network.learning import api as learning_api

    found = learning_api.visible_course(g.api_user, course_id) if course_id <= ID_MAX else None
    if found is None:
        raise ApiError(404, _("There is no course %(id)d, or you may not see it.", id=course_id))
    course, enrolment = found
    return jsonify(learning_api.course_to_json(course, enrolment, g.api_user))


@bp.get("/certificates")
def list_certificates():
    from network.learning import api as learning_api

    user = g.api_user
    if not user.is_authenticated:
        raise _unauthorized(_("Your certificates are yours: send a personal access token as "
                              "“Authorization: Bearer <token>”."))
    page, per_page = _paging()
    certificates, total = learning_api.certificate_page(user, page, per_page)
    return _page_json(map(learning_api.certificate_to_json, certificates), total, page, per_page)


# --- self-assessment (read only) ----------------------------------------------------------------------------
# A result is its taker's alone; a group is read only as aggregates (permissions.can_read_assessment_aggregates),
# and never below network.self_assessment.services.MIN_GROUP people: then no figure at all, not even the count.


def _assessment_result_to_json(result) -> dict:
    from network.self_assessment import services as assessments

    questionnaire = result.questionnaire
    dimensions = {d.code: d for d in questionnaire.dimensions}
    scores = {s.dimension_code: s.score for s in result.scores}

    def level_code(score) -> str | None:
        level = assessments.level_for(questionnaire, score)
        return level.code if level is not None else None

    return {
        "id": result.id,
        "questionnaire_version": questionnaire.version,
        "role": result.role,
        "completed_at": result.completed_at.isoformat(),
        "overall": result.overall,
        "level": level_code(result.overall),
        "dimensions": [
            {"code": code, "name": str(assessments.localized(dimension.name)), "score": scores.get(code),
             "level": level_code(scores.get(code))}
            for code, dimension in dimensions.items()],
    }


@bp.get("/self-assessments")
def list_self_assessments():
    from network.self_assessment import services as assessments

    user = g.api_user
    if not user.is_authenticated:
        raise _unauthorized(_("Your self-assessment results are yours: send a personal access token as "
                              "“Authorization: Bearer <token>”."))
    return jsonify({"results": [_assessment_result_to_json(r) for r in reversed(assessments.results_of(user))]})


@bp.get("/self-assessments/aggregates")
def self_assessment_aggregates():
    from network.self_assessment import services as assessments
    from network.self_assessment.group_forms import GROUP_ARGS, chosen_group, may_read

    user = g.api_user
    if not user.is_authenticated:
        raise _unauthorized(_("A group's figures are for those who run it: send a personal access token as "
                              "“Authorization: Bearer <token>”."))
    # A malformed choice is a 400 naming the parameter; an id of no partnership or institution a 404.
    chosen = _write(lambda: chosen_group(request.args), refused=lambda error: ApiError(
        400, _("Invalid query parameter “%(name)s”.", name=next(iter(error.errors))), fields=error.errors))
    if chosen is None:
        raise ApiError(400, _("Name one group: %(names)s.", names=", ".join(GROUP_ARGS)))
    if not may_read(user, chosen):
        raise ApiError(403, _("You may not read this group's figures."))
    figures = assessments.aggregate(chosen.group)
    group = {"kind": chosen.kind, "value": chosen.group.value, "name": chosen.name}
    if not figures.enough:
        return jsonify({"group": group, "enough": False, "count": None,
                        "message": _("Not enough answers to show without identifying people (fewer than "
                                     "%(n)d).", n=assessments.MIN_GROUP) if figures.too_few else
                        _("Not enough answers to show without identifying people: some of its people belong to "
                          "institutions with too few answers to show on their own.")})
    return jsonify({
        "group": group,
        "enough": True,
        "count": figures.count,
        "dimensions": [
            {"code": d.code, "name": str(d.name), "mean": d.mean, "count": d.count if d.mean is not None else None,
             "distribution": d.distribution, "needing_share": round(d.needing_share, 4) if d.mean is not None
             else None}
            for d in figures.dimensions],
        "periods": [{"label": p.label, "count": p.count if p.means else None, "means": p.means}
                    for p in figures.periods],
    })


# --- evaluation (read only) ---------------------------------------------------------------------------------
# For coordinators and evaluators, by the pages' rules (permissions.can_read_indicators, can_read_survey_results);
# serialised in network/evaluation/api.py. An anonymous survey below its minimum of answers has no figure at all.


def _evaluation_caller(message: str):
    user = g.api_user
    if not user.is_authenticated:
        raise _unauthorized(message)
    return user


@bp.get("/partnerships/<int:partnership_id>/indicators")
def partnership_indicators(partnership_id: int):
    from network.evaluation import api as evaluation_api

    user = _evaluation_caller(_("A partnership's indicators are for those who run it: send a personal access token "
                                "as “Authorization: Bearer <token>”."))
    partnership = db.session.get(Partnership, partnership_id)
    if partnership is None:
        raise ApiError(404, _("There is no partnership %(id)d.", id=partnership_id))
    if not permissions.can_read_indicators(user, partnership):
        raise ApiError(403, _("You may not read this partnership's indicators."))
    return _one_page(evaluation_api.indicators_to_json(partnership), *_paging())


@bp.get("/surveys")
def list_surveys():
    from network.evaluation import api as evaluation_api
    from network.evaluation.editing import invitation_counts

    user = _evaluation_caller(_("Surveys are for those who run a partnership: send a personal access token as "
                                "“Authorization: Bearer <token>”."))
    readable = evaluation_api.readable_surveys(user, _int_arg("partnership", 0, 1, ID_MAX) or None)
    counts = invitation_counts([survey.id for survey in readable])
    return _one_page(readable, *_paging(),
                     to_json=lambda survey: evaluation_api.survey_to_json(survey, counts.get(survey.id, (0, 0))))


@bp.get("/surveys/<int:survey_id>/results")
def survey_results(survey_id: int):
    from network.evaluation import api as evaluation_api
    from network.evaluation.models import Survey

    user = _evaluation_caller(_("A survey's results are for those who run its partnership: send a personal access "
                                "token as “Authorization: Bearer <token>”."))
    survey = db.session.get(Survey, survey_id)
    if survey is None or not permissions.can_read_survey_results(user, survey):
        raise ApiError(404, _("There is no survey %(id)d, or you may not read its results.", id=survey_id))
    host = _int_arg("host", 0, 1, ID_MAX) or None
    return jsonify(evaluation_api.results_to_json(survey, host))


@bp.get("/search")
def search():
    from network.search import services as search_services

    search_request = search_services.SearchRequest.from_args(request.args)
    search_request.page = _int_arg("page", 1, 1, 1_000_000)
    search_request.per_page = min(_int_arg("per_page", 20, 1), 100)
    results = search_services.search(g.api_user, search_request)
    return jsonify({  # the list shape of every other list, plus what a search adds
        "items": [
            {"type": hit.doc_type, "id": hit.doc_id, "title": hit.title,
             "url": request.host_url.rstrip("/") + hit.url, "snippet": hit.snippet,
             "score": round(hit.score, 4), "language": hit.language}
            for hit in results.hits
        ],
        "total": results.total,
        "page": search_request.page,
        "per_page": search_request.per_page,
        "total_is_estimate": results.estimated,
        "facets": results.facets,
        "suggestion": results.suggestion,
    })


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.document())
