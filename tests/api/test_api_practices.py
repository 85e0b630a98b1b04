"""The JSON API on practices: reading as anyone, writing with a token, the error envelope, hostile input."""
from __future__ import annotations

import io
import json
from dataclasses import replace

import pytest
from sqlalchemy import event, func, select

from api_helpers import assert_error, bearer
from conftest import PASSWORD
from hostile import naughty_strings, page_sample
from network.api import serializers, tokens
from network.auth import services as accounts
from network.auth.models import PENDING
from network.errors import ServiceError
from network.extensions import db
from network.practices import services
from network.practices.attachments import Upload
from network.practices.models import Practice, PracticeRevision

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def practice_data(institution, **overrides) -> services.PracticeData:
    values = dict(
        title="Interfamily group sessions",
        summary="Families meet every fortnight to share how they solve everyday problems.",
        context="Started in 2015 in a family support centre.",
        target_group="Families with children at social risk.",
        methods="Fortnightly sessions with two facilitators.",
        outcomes="Families report more support from each other.",
        sectors=["social"],
        intervention_types=["family"],
        tags=["interfamily groups"],
        country=institution.country,
        language="es",
        institution=institution.slug,
        status="published",
        visibility="public",
    )
    values.update(overrides)
    return services.PracticeData(**values)


def make(institution, actor=None, uploads=(), **overrides) -> Practice:
    return services.create_practice(actor, practice_data(institution, **overrides), uploads)


def new_practice(**overrides) -> dict:
    """A valid POST body (no institution: the caller's home institution is the default)."""
    body = dict(
        title="Community kitchens",
        summary="Neighbours cook together once a week.",
        context="A neighbourhood with many isolated older people.",
        target_group="Older people living alone.",
        methods="Weekly cooking sessions.",
        outcomes="Fewer people report loneliness.",
        sectors=["social"],
        country="ES",
        language="es",
    )
    body.update(overrides)
    return body


def ids(response) -> list[int]:
    return sorted(item["id"] for item in response.get_json()["items"])


# --- reading --------------------------------------------------------------------------------------


def test_list_has_items_total_page_and_per_page(client, users):
    home = users["professional"].institution
    created = [make(home, title=f"Practice {n}").id for n in range(5)]

    first = client.get("/api/v1/practices", query_string={"per_page": 2})
    assert first.status_code == 200
    body = first.get_json()
    assert set(body) == {"items", "total", "page", "per_page"}
    assert (body["total"], body["page"], body["per_page"]) == (5, 1, 2)
    assert len(body["items"]) == 2

    seen = []
    for page in (1, 2, 3):
        seen += ids(client.get("/api/v1/practices", query_string={"per_page": 2, "page": page}))
    assert sorted(seen) == sorted(created)
    beyond = client.get("/api/v1/practices", query_string={"per_page": 2, "page": 4}).get_json()
    assert beyond["items"] == [] and beyond["total"] == 5


def test_default_page_size_is_20(client, users):
    body = client.get("/api/v1/practices").get_json()
    assert (body["page"], body["per_page"]) == (1, 20)


def test_per_page_above_100_is_lowered_to_100(client, users):
    body = client.get("/api/v1/practices", query_string={"per_page": 500}).get_json()
    assert body["per_page"] == 100


@pytest.mark.parametrize("args", [{"per_page": 0}, {"per_page": "many"}, {"page": 0}, {"page": "-1"},
                                  {"page": "1.5"}, {"page": 10**30}])
def test_bad_paging_parameters_are_400(client, args):
    error = assert_error(client.get("/api/v1/practices", query_string=args), 400, "bad_request")
    assert set(error["fields"]) == set(args)


@pytest.mark.parametrize("name, wanted, other", [
    ("sector", {"sectors": ["social"]}, {"sectors": ["educational"]}),
    ("intervention_type", {"intervention_types": ["peer"]}, {"intervention_types": ["digital"]}),
    ("country", {"country": "ES"}, {"country": "RO"}),
    ("language", {"language": "es"}, {"language": "ro"}),
    ("tag", {"tags": ["kinship care"]}, {"tags": ["street work"]}),
])
def test_list_filters(client, users, name, wanted, other):
    home = users["professional"].institution
    match = make(home, **wanted)
    make(home, **other)
    value = {"sector": "social", "intervention_type": "peer", "country": "es", "language": "ES",
             "tag": " Kinship Care "}[name]
    assert ids(client.get("/api/v1/practices", query_string={name: value})) == [match.id]


def test_institution_filter_and_unknown_values_match_nothing(client, users):
    home, other = users["professional"].institution, users["outsider"].institution
    mine = make(home)
    make(other)
    assert ids(client.get("/api/v1/practices", query_string={"institution": home.slug})) == [mine.id]
    for name in ("sector", "intervention_type", "country", "language", "tag", "institution", "evidence"):
        response = client.get("/api/v1/practices", query_string={name: "no-such-value<>"})
        assert response.status_code == 200
        assert response.get_json()["total"] == (2 if name == "evidence" else 0)  # an unknown level: no filter
        # A NUL character (which nobody types, and PostgreSQL refuses) is refused for the whole site.
        refused = client.get("/api/v1/practices", query_string={name: "x\x00"})
        assert refused.status_code == 400 and refused.get_json()["error"]["code"]


def test_visitors_see_what_the_web_pages_show_them(client, users):
    home = users["professional"].institution
    public = make(home, title="Public")
    members = make(home, title="Members only", visibility="members")
    draft = make(home, title="Draft", status="draft")

    assert ids(client.get("/api/v1/practices")) == [public.id]
    member = bearer(users["professional"])
    assert ids(client.get("/api/v1/practices", headers=member)) == sorted([public.id, members.id])
    # Drafts: only for the owning institution, as on the list page's status filter.
    drafts = {"status": "draft"}
    assert ids(client.get("/api/v1/practices", query_string=drafts, headers=member)) == [draft.id]
    outsider = bearer(users["outsider"])
    assert ids(client.get("/api/v1/practices", query_string=drafts, headers=outsider)) == []
    assert ids(client.get("/api/v1/practices", query_string=drafts)) == [public.id]  # ignored for visitors

    assert client.get(f"/api/v1/practices/{public.id}").status_code == 200
    for hidden in (members, draft):
        assert_error(client.get(f"/api/v1/practices/{hidden.id}"), 404, "not_found")
    assert client.get(f"/api/v1/practices/{members.id}", headers=outsider).status_code == 200
    assert_error(client.get(f"/api/v1/practices/{draft.id}", headers=outsider), 404, "not_found")
    assert client.get(f"/api/v1/practices/{draft.id}", headers=member).status_code == 200
    assert client.get(f"/api/v1/practices/{draft.id}", headers=bearer(users["site_admin"])).status_code == 200


def test_a_pending_member_reads_like_a_visitor(client, users):
    members = make(users["professional"].institution, visibility="members")
    pending = bearer(users["pending"])
    assert_error(client.get(f"/api/v1/practices/{members.id}", headers=pending), 404, "not_found")


def test_reads_ignore_the_session_cookie(client, auth, users):
    members = make(users["professional"].institution, visibility="members")
    assert auth.login(users["professional"]).status_code == 302
    assert client.get(f"/practices/{members.id}").status_code == 200  # the web page knows the person
    assert_error(client.get(f"/api/v1/practices/{members.id}"), 404, "not_found")


def test_missing_and_huge_ids_are_404(client):
    for practice_id in (1, 999999, 2**31, 10**40):
        assert_error(client.get(f"/api/v1/practices/{practice_id}"), 404, "not_found")


def test_one_practice_has_every_field(app, client, users, make_user):
    home = users["professional"].institution
    leaving = make_user(institution=home)
    original = make(home, leaving, uploads=[Upload("plan.png", "image/png", PNG)], external_ref="ES-42",
                    external_link="https://example.org/plan", objectives="Build trust.")
    translation = make(home, title="Grupos interfamiliares", language="es", translation_of_id=original.id)
    make(users["outsider"].institution, title="Hidden draft", status="draft", translation_of_id=original.id)
    accounts.delete_account(leaving, PASSWORD)

    response = client.get(f"/api/v1/practices/{original.id}")
    assert response.status_code == 200
    body = response.get_json()
    for name in services.PracticeData.field_names():
        assert name in body, name
    assert body["id"] == original.id
    assert body["title"] == "Interfamily group sessions"
    assert body["objectives"] == "Build trust."
    assert body["sectors"] == ["social"] and body["intervention_types"] == ["family"]
    assert body["tags"] == ["interfamily groups"]
    assert body["external_ref"] == "ES-42" and body["external_link"] == "https://example.org/plan"
    assert body["institution"] == {"slug": home.slug, "name": home.name}
    assert body["status"] == "published" and body["visibility"] == "public"
    assert body["evidence_level"] == "shared"
    assert body["authors"] == ["former member"]
    assert body["created_at"].endswith("+00:00") and body["published_at"].endswith("+00:00")
    assert body["updated_at"]
    assert body["url"] == f"http://localhost/practices/{original.id}"
    [attachment] = body["attachments"]
    assert attachment["name"] == "plan.png" and attachment["size"] == len(PNG)
    assert attachment["content_type"] == "image/png"
    assert attachment["url"].startswith(f"http://localhost/practices/{original.id}/attachments/")
    with client.get(attachment["url"]) as download:
        assert download.status_code == 200 and download.data == PNG
    assert body["translations"] == [translation.id]  # not the other institution's draft
    assert client.get(f"/api/v1/practices/{translation.id}").get_json()["translations"] == [original.id]


def test_the_list_runs_the_same_queries_for_3_or_12_practices(app, client, users):
    home = users["professional"].institution

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/api/v1/practices", query_string={"per_page": 50}).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    for n in range(3):
        make(home, users["professional"], uploads=[Upload(f"p{n}.png", "image/png", PNG)], title=f"A{n}")
    few = count_queries()
    for n in range(9):
        make(home, users["coordinator"], uploads=[Upload(f"q{n}.png", "image/png", PNG)], title=f"B{n}",
             translation_of_id=home_first_id(home))
    assert count_queries() == few


def home_first_id(institution) -> int:
    return db.session.scalar(select(func.min(Practice.id)).where(Practice.institution_id == institution.id))


# --- creating -------------------------------------------------------------------------------------


def test_post_creates_in_the_callers_institution(client, users):
    user = users["professional"]
    response = client.post("/api/v1/practices", json=new_practice(tags=["Food", "food "]),
                           headers=bearer(user))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"http://localhost/api/v1/practices/{body['id']}"
    assert body["institution"]["slug"] == user.institution.slug
    assert body["status"] == "draft" and body["visibility"] == "public"  # the services' defaults
    assert body["tags"] == ["food"]
    assert body["authors"] == [user.name]
    assert client.get(response.headers["Location"], headers=bearer(user)).get_json() == body
    practice = db.session.get(Practice, body["id"])
    assert practice.created_by_id == user.id and len(practice.revisions) == 1


def test_post_for_another_institution_is_403(client, users):
    error = assert_error(
        client.post("/api/v1/practices", json=new_practice(institution=users["outsider"].institution.slug),
                    headers=bearer(users["professional"])), 403, "forbidden")
    assert "institution" in error["fields"]
    assert db.session.scalar(select(func.count(Practice.id))) == 0


def test_a_site_admin_may_post_for_any_institution(client, users):
    other = users["outsider"].institution
    response = client.post("/api/v1/practices", json=new_practice(institution=other.slug, country="RO"),
                           headers=bearer(users["site_admin"]))
    assert response.status_code == 201
    assert response.get_json()["institution"]["slug"] == other.slug


def test_only_approved_members_may_post(client, users):
    assert users["pending"].membership_status == PENDING
    assert_error(client.post("/api/v1/practices", json=new_practice(), headers=bearer(users["pending"])),
                 403, "forbidden")


def test_invalid_fields_are_422_naming_each_field(client, users):
    response = client.post(
        "/api/v1/practices",
        json=new_practice(title="  ", sectors=["astrology"], country="XX", institution="no-such-place"),
        headers=bearer(users["professional"]),
    )
    error = assert_error(response, 422, "validation_failed")
    assert {"title", "sectors", "country", "institution"} <= set(error["fields"])
    assert all(isinstance(m, str) for messages in error["fields"].values() for m in messages)


@pytest.mark.parametrize("fields, bad", [
    ({"title": 5}, "title"),
    ({"sectors": "social"}, "sectors"),
    ({"tags": [1, 2]}, "tags"),
    ({"partnership_id": "3"}, "partnership_id"),
    ({"translation_of_id": True}, "translation_of_id"),
    ({"translation_of_id": 10**30}, "translation_of_id"),
    ({"title": "nul \x00 inside"}, "title"),
    ({"id": 3}, "id"),
    ({"evidence_level": "reviewed"}, "evidence_level"),
])
def test_wrong_types_and_unknown_fields_are_422(client, users, fields, bad):
    response = client.post("/api/v1/practices", json=new_practice(**fields),
                           headers=bearer(users["professional"]))
    assert list(assert_error(response, 422, "validation_failed")["fields"]) == [bad]


def test_lone_surrogates_are_422_not_500(client, users):
    body = json.dumps(new_practice()).replace('"Community kitchens"', '"half \\ud800 a pair"')
    response = client.post("/api/v1/practices", data=body, content_type="application/json",
                           headers=bearer(users["professional"]))
    assert list(assert_error(response, 422, "validation_failed")["fields"]) == ["title"]


def test_duplicate_external_ref_is_409(client, users):
    home = users["professional"].institution
    make(home, external_ref="ES-2025-01")
    headers = bearer(users["professional"])
    error = assert_error(client.post("/api/v1/practices", json=new_practice(external_ref="ES-2025-01"),
                                     headers=headers), 409, "conflict")
    assert list(error["fields"]) == ["external_ref"]
    # With other mistakes too, the body is first of all invalid: 422 lists them all.
    both = new_practice(external_ref="ES-2025-01", title="")
    error = assert_error(client.post("/api/v1/practices", json=both, headers=headers),
                         422, "validation_failed")
    assert {"title", "external_ref"} == set(error["fields"])


def test_a_race_on_external_ref_is_409(client, users, monkeypatch):
    make(users["professional"].institution, external_ref="RACE")
    check = services.validate

    def validate_as_if_the_other_was_not_yet_saved(data, existing=None):
        clean = check(replace(data, external_ref=""), existing)
        clean.external_ref = data.external_ref
        return clean

    monkeypatch.setattr(services, "validate", validate_as_if_the_other_was_not_yet_saved)
    response = client.post("/api/v1/practices", json=new_practice(external_ref="RACE"),
                           headers=bearer(users["professional"]))
    assert list(assert_error(response, 409, "conflict")["fields"]) == ["external_ref"]
    assert db.session.scalar(select(func.count(Practice.id))) == 1


@pytest.mark.parametrize("data, content_type, status, code", [
    ("title=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
    ('{"title": "x"}', "text/plain", 415, "unsupported_media_type"),
    ("{not json", "application/json", 400, "bad_request"),
    ('["a", "list"]', "application/json", 400, "bad_request"),
    ("", "application/json", 400, "bad_request"),
    (b"\xff\xfe\xfa", "application/json", 400, "bad_request"),
    ("[" * 100_000, "application/json", 400, "bad_request"),
])
def test_bodies_that_are_not_a_json_object(client, users, data, content_type, status, code):
    headers = bearer(users["professional"])
    assert_error(client.post("/api/v1/practices", data=data, content_type=content_type, headers=headers),
                 status, code)
    practice = make(users["professional"].institution)
    assert_error(client.patch(f"/api/v1/practices/{practice.id}", data=data, content_type=content_type,
                              headers=headers), status, code)


def test_a_body_over_1_mb_is_413(client, users):
    headers = bearer(users["professional"])
    big = new_practice(context="x" * (1024 * 1024))
    assert_error(client.post("/api/v1/practices", json=big, headers=headers), 413, "payload_too_large")
    # Just under the limit, the services' own limits answer instead.
    under = new_practice(context="x" * (1024 * 1024 - 1000))
    assert_error(client.post("/api/v1/practices", json=under, headers=headers), 422, "validation_failed")


def test_a_chunked_body_without_content_length_is_cut_at_1_mb(client, users):
    body = json.dumps(new_practice(context="x" * (2 * 1024 * 1024))).encode()
    response = client.post(
        "/api/v1/practices", input_stream=io.BytesIO(body), content_type="application/json",
        headers={**bearer(users["professional"]), "Transfer-Encoding": "chunked"},
        # As a server does for a chunked request: no length announced, the stream ends by itself.
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.request.content_length is None
    assert_error(response, 413, "payload_too_large")
    # A chunked body within the limit is read whole.
    small = json.dumps(new_practice(context="y" * 10_000)).encode()
    response = client.post(
        "/api/v1/practices", input_stream=io.BytesIO(small), content_type="application/json",
        headers={**bearer(users["professional"]), "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["context"] == "y" * 10_000


# --- authentication -------------------------------------------------------------------------------


def test_writes_without_a_token_are_401_with_a_bearer_challenge(client, users):
    practice = make(users["professional"].institution)
    for response in (
        client.post("/api/v1/practices", json=new_practice()),
        client.patch(f"/api/v1/practices/{practice.id}", json={"title": "Changed"}),
        client.delete(f"/api/v1/practices/{practice.id}"),
        client.delete("/api/v1/practices/999999"),
    ):
        assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    db.session.expire_all()
    assert db.session.get(Practice, practice.id).title == "Interfamily group sessions"


@pytest.mark.parametrize("header", ["Bearer pn_not-a-real-token", "Bearer", "Basic dXNlcjpwYXNz",
                                    "Bearer " + "pn_" + "x" * 5000, "Token abc"])
def test_unknown_tokens_and_other_schemes_are_401_even_for_reads(client, header):
    response = client.get("/api/v1/practices", headers={"Authorization": header})
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401(client, users):
    user = users["professional"]
    token, plain = tokens.create_token(user, "script")
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.post("/api/v1/practices", json=new_practice(), headers=headers).status_code == 201
    tokens.revoke_token(user, token.id)
    response = client.post("/api/v1/practices", json=new_practice(title="Again"), headers=headers)
    assert_error(response, 401, "unauthorized")
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
    assert_error(client.get("/api/v1/practices", headers=headers), 401, "unauthorized")


def test_a_disabled_account_token_is_401(client, users):
    user = users["professional"]
    headers = bearer(user)
    user.is_active_account = False
    db.session.commit()
    assert_error(client.get("/api/v1/practices", headers=headers), 401, "unauthorized")


def test_the_session_cookie_alone_cannot_write(client, auth, users):
    # CSRF checks are off in tests: only the API's refusal of the cookie stands between a browser and a write.
    user = users["institution_admin"]
    practice = make(user.institution)
    assert auth.login(user).status_code == 302
    assert client.get("/account").status_code == 200  # the browser session is live
    for response in (
        client.post("/api/v1/practices", json=new_practice()),
        client.patch(f"/api/v1/practices/{practice.id}", json={"title": "Changed"}),
        client.delete(f"/api/v1/practices/{practice.id}"),
    ):
        assert_error(response, 401, "unauthorized")
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Practice.id))) == 1
    assert db.session.get(Practice, practice.id).title == "Interfamily group sessions"


def test_the_api_needs_no_csrf_token(csrf_app, client, users):
    response = client.post("/api/v1/practices", json=new_practice(), headers=bearer(users["professional"]))
    assert response.status_code == 201


# --- changing and deleting ------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields_and_keeps_a_revision(client, users):
    user = users["professional"]
    practice = make(user.institution, external_ref="ES-7", tags=["one", "two"])
    headers = bearer(user)
    before = client.get(f"/api/v1/practices/{practice.id}", headers=headers).get_json()

    response = client.patch(f"/api/v1/practices/{practice.id}",
                            json={"title": "A better title", "tags": ["three"]}, headers=headers)
    assert response.status_code == 200, response.get_json()
    after = response.get_json()
    assert after["title"] == "A better title" and after["tags"] == ["three"]
    changed = {"title", "tags", "updated_at", "authors"}
    assert {k: v for k, v in after.items() if k not in changed} == {
        k: v for k, v in before.items() if k not in changed}
    assert after["authors"] == [user.name]
    revisions = db.session.scalars(select(PracticeRevision).where(PracticeRevision.practice_id == practice.id)
                                   .order_by(PracticeRevision.number)).all()
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[-1].author_id == user.id and revisions[-1].data["title"] == "A better title"

    # Sending what is already there changes nothing and keeps no revision.
    assert client.patch(f"/api/v1/practices/{practice.id}", json={"title": "A better title"},
                        headers=headers).status_code == 200
    assert db.session.scalar(select(func.count(PracticeRevision.id))
                             .where(PracticeRevision.practice_id == practice.id)) == 2


def test_patch_can_clear_optional_fields_and_publish(client, users):
    user = users["professional"]
    practice = make(user.institution, status="draft", external_ref="ES-8",
                    external_link="https://example.org")
    response = client.patch(f"/api/v1/practices/{practice.id}",
                            json={"external_ref": None, "external_link": "", "status": "published"},
                            headers=bearer(user))
    body = response.get_json()
    assert (body["external_ref"], body["external_link"], body["status"]) == ("", "", "published")
    assert body["published_at"]


def test_patch_errors(client, users):
    home = users["professional"].institution
    practice = make(home, visibility="members")
    make(home, external_ref="TAKEN")
    draft_elsewhere = make(users["outsider"].institution, status="draft")
    member = bearer(users["professional"])

    assert_error(client.patch(f"/api/v1/practices/{practice.id}", json={"summary": ""}, headers=member),
                 422, "validation_failed")
    assert_error(client.patch(f"/api/v1/practices/{practice.id}", json={"external_ref": "TAKEN"},
                              headers=member), 409, "conflict")
    assert_error(client.patch(f"/api/v1/practices/{practice.id}",
                              json={"institution": users["outsider"].institution.slug}, headers=member),
                 403, "forbidden")
    # Another institution's member sees the practice but may not change it; a draft they cannot even see.
    outsider = bearer(users["outsider"])
    assert_error(client.patch(f"/api/v1/practices/{practice.id}", json={"title": "Mine"},
                              headers=bearer(users["evaluator"])), 403, "forbidden")
    assert_error(client.patch(f"/api/v1/practices/{draft_elsewhere.id}", json={"title": "x"}, headers=member),
                 404, "not_found")
    assert client.patch(f"/api/v1/practices/{draft_elsewhere.id}", json={"title": "Ours"},
                        headers=outsider).status_code == 200
    assert_error(client.patch("/api/v1/practices/424242", json={"title": "x"}, headers=member),
                 404, "not_found")
    db.session.expire_all()
    assert db.session.get(Practice, practice.id).summary


def test_delete_by_an_institution_admin_is_204(client, users):
    practice_id = make(users["professional"].institution).id
    response = client.delete(f"/api/v1/practices/{practice_id}", headers=bearer(users["institution_admin"]))
    assert response.status_code == 204 and response.data == b""
    assert_error(client.get(f"/api/v1/practices/{practice_id}"), 404, "not_found")
    db.session.expire_all()
    assert db.session.get(Practice, practice_id) is None


def test_delete_by_a_plain_member_is_403_and_invisible_is_404(client, users):
    practice = make(users["professional"].institution)
    draft_elsewhere = make(users["outsider"].institution, status="draft")
    assert_error(client.delete(f"/api/v1/practices/{practice.id}", headers=bearer(users["professional"])),
                 403, "forbidden")
    assert_error(client.delete(f"/api/v1/practices/{draft_elsewhere.id}",
                               headers=bearer(users["institution_admin"])), 404, "not_found")
    db.session.expire_all()
    assert db.session.get(Practice, practice.id) is not None


# --- errors are always JSON -----------------------------------------------------------------------


def test_unknown_addresses_and_methods_answer_in_json(client, users):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.get("/api/v1"), 404, "not_found")
    response = client.put("/api/v1/practices", json={})
    assert_error(response, 405, "method_not_allowed")
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert_error(client.post("/api/v1/openapi.json"), 405, "method_not_allowed")
    # The rest of the site keeps its HTML error pages.
    assert client.get("/no-such-page").mimetype == "text/html"


# --- hostile input --------------------------------------------------------------------------------


def test_every_naughty_string_is_taken_or_refused_by_the_api_validation(users):
    """The whole list through what POST /practices checks (the JSON conversion, then the service's rules),
    without the round trip: no exception but the refusals the API turns into 422."""
    home = users["professional"].institution.slug
    slugs = {home}
    taken = refused = 0
    for text in naughty_strings():
        try:
            data = serializers.practice_from_json(new_practice(title=text, summary=text),
                                                  services.PracticeData(institution=home))
            clean = services.validate(data, institution_slugs=slugs, taken_refs=set())
        except (serializers.InputError, ServiceError) as error:
            assert set(error.errors) <= {"title", "summary"}, (text, error.errors)
            refused += 1
        else:
            assert (clean.title, clean.summary) == (text.strip(), text.strip()), text
            taken += 1
    assert taken > 450 and refused >= 1


def test_naughty_strings_as_title_and_summary(client, users):
    """The page sample (tests/hostile.py) through the HTTP round trip: created, then read back as sent."""
    headers = bearer(users["professional"])
    for text in page_sample():
        response = client.post("/api/v1/practices", json=new_practice(title=text, summary=text),
                               headers=headers)
        stored = text.strip()
        if not stored or len(stored) > services.TITLE_MAX:
            assert_error(response, 422, "validation_failed")
            assert "title" in response.get_json()["error"]["fields"]
            continue
        assert response.status_code == 201, (text, response.get_data(as_text=True)[:300])
        body = client.get(response.headers["Location"], headers=headers).get_json()
        # Kept as given (only surrounding white space is trimmed, as on the web form).
        assert (body["title"], body["summary"]) == (stored, stored), text
