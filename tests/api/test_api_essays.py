"""The JSON API on essays: the archive and one essay as each role may see them, writing by authors, the
refused submission that keeps the draft, hostile Markdown, and what a caller without a token gets."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from api_helpers import assert_error
from essays_helpers import essay_data, record_training, written
from network.api import tokens
from network.auth.models import COORDINATOR, EVALUATOR, SITE_ADMIN
from network.essays import services as essays
from network.essays.models import Essay
from network.extensions import db

HOSTILE = ('<script>alert(1)</script>\n\n[click](javascript:alert(2)) <img src=x onerror="alert(3)">\n\n'
           '<a href="#" onclick="steal()">x</a> <iframe src="https://evil.example"></iframe>')


@pytest.fixture
def bearer():
    """A token header per person (made once: each token is a database write)."""
    made = {}

    def header(user) -> dict[str, str]:
        if user.id not in made:
            _token, plain = tokens.create_token(user, "tests")
            made[user.id] = {"Authorization": f"Bearer {plain}"}
        return made[user.id]

    return header


def ids(response) -> set[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


@pytest.fixture
def people(exchange, make_user, make_institution):
    evaluator_home = make_institution(name="Evaluation Unit", country="BE")
    return {
        "author": make_user(institution=exchange.sender, name="Aino Author"),
        "colleague": make_user(institution=exchange.sender, name="Ville Colleague"),
        "discreet": make_user(institution=exchange.sender, name="Dana Discreet"),
        "late": make_user(institution=exchange.sender, name="Lauri Late"),
        "member": make_user(institution=exchange.arad),
        "evaluator": make_user(EVALUATOR, institution=evaluator_home),
        # A coordinator, but of another institution: reads like any member here.
        "other_coordinator": make_user(COORDINATOR, institution=exchange.arad),
        "site_admin": make_user(SITE_ADMIN, institution=evaluator_home),
    }


@pytest.fixture
def training(exchange, people):
    return record_training(exchange, [people[name] for name in ("author", "colleague", "discreet", "late")])


@pytest.fixture
def archive(exchange, people, training):
    """Essays in each state about one training, and the author's draft about a later conference."""
    reviewer = people["evaluator"]
    conference = record_training(exchange, [people["author"]], title="Conference on kinship care",
                                 start_date=date(2027, 2, 1), end_date=date(2027, 2, 2),
                                 host_institution_id=exchange.arad.id)
    return {
        "named": written(people["author"], training, "published", reviewer, title="Named essay"),
        "anonymous": written(people["colleague"], training, "published", reviewer, title="Anonymous essay",
                             display="anonymous", language="fi"),
        "private": written(people["discreet"], training, "published", reviewer, title="Private essay",
                           display="private"),
        "submitted": written(people["late"], training, "submitted", title="Submitted essay"),
        "draft": written(people["author"], conference, "draft", title="Draft essay"),
    }


def essay_ids(archive, *names) -> set[int]:
    return {archive[name].id for name in names}


# --- the archive ------------------------------------------------------------------------------------


def test_each_role_lists_the_essays_the_archive_shows_them(client, exchange, people, archive, bearer):
    expected = {
        "author": ("named", "anonymous", "draft"),  # their own (even the draft), and published ones
        "member": ("named", "anonymous"),
        "other_coordinator": ("named", "anonymous"),
        "evaluator": ("named", "anonymous", "private", "submitted"),  # never someone's draft
        "site_admin": ("named", "anonymous", "private", "submitted"),
    }
    for name, wanted in expected.items():
        response = client.get("/api/v1/essays", headers=bearer(people[name]))
        assert ids(response) == essay_ids(archive, *wanted), name
        assert response.get_json()["total"] == len(wanted)
    coordinator = client.get("/api/v1/essays", headers=bearer(exchange.coordinator))
    assert ids(coordinator) == essay_ids(archive, "named", "anonymous", "private", "submitted")


def test_without_a_token_the_list_is_empty_and_essays_are_404(client, archive):
    # As the practices: the caller is an anonymous visitor, and published essays are for members.
    response = client.get("/api/v1/essays")
    assert response.get_json() == {"items": [], "total": 0, "page": 1, "per_page": 20}
    assert_error(client.get(f"/api/v1/essays/{archive['named'].id}"), 404, "not_found")


def test_the_list_filters_like_the_archive(client, exchange, people, archive, training, bearer):
    headers = bearer(people["evaluator"])

    def listed(**args):
        return ids(client.get("/api/v1/essays", query_string=args, headers=headers))

    published = essay_ids(archive, "named", "anonymous", "private")
    every = published | essay_ids(archive, "submitted")
    assert listed(status="published") == published
    assert listed(status="submitted") == essay_ids(archive, "submitted")
    assert listed(status="nonsense") == set()
    assert listed(event=training.id) == every
    assert listed(partnership=exchange.partnership.id, language="fi") == essay_ids(archive, "anonymous")
    assert listed(host=exchange.seville.id, year=2026, country="fi") == every
    assert listed(host=exchange.arad.id) == set()  # the only essay there is a draft
    assert listed(year=2025) == set()
    assert listed(partnership=999) == set()
    titles = [item["title"] for item in client.get("/api/v1/essays", query_string={"sort": "title"},
                                                   headers=headers).get_json()["items"]]
    assert titles == sorted(titles, key=str.lower)
    assert ids(client.get("/api/v1/essays", query_string={"sort": "sideways"}, headers=headers)) == every


def test_the_practice_filter_and_linked_practices(client, exchange, people, training, make_practice, bearer):
    practice = make_practice(exchange.seville, title="Interfamily groups")
    members_only = make_practice(exchange.sender, title="Members only", visibility="members")
    essay = written(people["author"], training, "published", people["evaluator"],
                    practice_ids=[practice.id, members_only.id])
    other = written(people["colleague"], training, "published", people["evaluator"])
    listed = client.get("/api/v1/essays", query_string={"practice": practice.id},
                        headers=bearer(people["member"]))
    assert ids(listed) == {essay.id}
    item = listed.get_json()["items"][0]
    assert [p["title"] for p in item["practices"]] == ["Interfamily groups", "Members only"]
    assert item["practices"][0]["url"].endswith(f"/practices/{practice.id}")
    assert other.id not in ids(listed)


@pytest.mark.parametrize("args", [
    {"partnership": "x"}, {"event": "0"}, {"host": "-1"}, {"year": "twenty"}, {"year": "10000"},
    {"practice": "1.5"}, {"page": "0"}, {"per_page": "none"},
])
def test_a_bad_numeric_filter_is_a_400_naming_it(client, people, bearer, args):
    error = assert_error(client.get("/api/v1/essays", query_string=args, headers=bearer(people["member"])),
                         400, "bad_request")
    assert set(error["fields"]) == set(args)


def test_paging(client, people, archive, bearer):
    headers = bearer(people["evaluator"])
    first = client.get("/api/v1/essays", query_string={"per_page": 3}, headers=headers).get_json()
    second = client.get("/api/v1/essays", query_string={"per_page": 3, "page": 2}, headers=headers).get_json()
    assert (first["total"], len(first["items"]), len(second["items"])) == (4, 3, 1)
    assert client.get("/api/v1/essays", query_string={"per_page": 500}, headers=headers).get_json()[
        "per_page"] == 100


def test_list_items_leave_out_the_text_and_the_assessments(client, people, archive, bearer):
    item = client.get("/api/v1/essays", headers=bearer(people["evaluator"])).get_json()["items"][0]
    assert not {"body", "body_html", "assessments"} & set(item)


def test_the_list_runs_the_same_queries_for_few_or_many_essays(client, exchange, people, make_user,
                                                               make_practice, bearer):
    headers = bearer(people["evaluator"])
    practice = make_practice(exchange.seville)

    def count_queries() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        try:
            response = client.get("/api/v1/essays", query_string={"per_page": 50}, headers=headers)
            assert response.status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    def add(n: int, host) -> None:
        authors = [make_user(institution=exchange.sender) for _ in range(n)]
        training = record_training(exchange, authors, host_institution_id=host.id,
                                   title=f"Training at {host.name}")
        for author in authors:
            written(author, training, "published", people["evaluator"], practice_ids=[practice.id])

    add(2, exchange.seville)
    count_queries()  # the token's first use is written down once
    few = count_queries()
    add(7, exchange.arad)
    assert count_queries() == few


# --- one essay --------------------------------------------------------------------------------------


def test_one_essay_has_every_field(client, exchange, people, archive, training, bearer):
    essay = archive["named"]
    response = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(people["member"]))
    assert response.status_code == 200
    body = response.get_json()
    assert body["id"] == essay.id and body["title"] == "Named essay"
    assert body["body"] == essay_data().body
    assert "<strong>families</strong>" in body["body_html"]
    assert (body["language"], body["status"], body["display"]) == ("en", "published", "named")
    assert body["word_count"] == essay.word_count > 0
    assert body["author"] == {"id": people["author"].id, "name": "Aino Author"}
    assert body["author_country"] == "FI"
    assert body["event"] == {
        "id": training.id, "title": training.title, "kind": "training_event",
        "partnership_id": exchange.partnership.id, "start_date": "2026-05-11", "end_date": "2026-05-13",
        "host": {"id": exchange.seville.id, "slug": exchange.seville.slug, "name": "Seville Family Centre",
                 "city": exchange.seville.city, "country": "ES"},
    }
    assert body["visit_id"] is None and body["practices"] == []
    assert body["submitted_at"] and body["published_at"]
    assert body["url"].endswith(f"/essays/{essay.id}")
    assert "assessments" not in body
    assert "email" not in json.dumps(body) and people["author"].email not in json.dumps(body)


def test_an_anonymous_essay_hides_its_author_except_from_reviewers_and_the_author(client, exchange, people,
                                                                               archive, bearer):
    essay = archive["anonymous"]
    for name in ("member", "author"):  # the author of another essay is just a member here
        body = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(people[name])).get_json()
        assert body["author"] == {"id": None, "name": "A professional from Finland"}, name
        assert "Ville" not in json.dumps(body)
    for viewer in (people["colleague"], people["evaluator"], exchange.coordinator):
        body = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(viewer)).get_json()
        assert body["author"] == {"id": people["colleague"].id, "name": "Ville Colleague"}
    listed = client.get("/api/v1/essays", headers=bearer(people["member"])).get_json()["items"]
    assert {"id": None, "name": "A professional from Finland"} in [item["author"] for item in listed]


def test_who_may_read_which_essay(client, exchange, people, archive, bearer):
    cases = [
        ("private", people["member"], 404), ("private", people["evaluator"], 200),
        ("private", exchange.coordinator, 200), ("private", people["discreet"], 200),
        ("submitted", people["member"], 404), ("submitted", people["evaluator"], 200),
        ("draft", people["evaluator"], 404), ("draft", exchange.coordinator, 404),
        ("draft", people["author"], 200),
    ]
    for name, viewer, status in cases:
        response = client.get(f"/api/v1/essays/{archive[name].id}", headers=bearer(viewer))
        assert response.status_code == status, (name, viewer.name)
    for missing in (424242, 2**31, 0):
        assert_error(client.get(f"/api/v1/essays/{missing}", headers=bearer(people["evaluator"])), 404,
                     "not_found")


def test_assessments_only_for_evaluators_and_site_admins(client, exchange, people, archive, bearer):
    essay = archive["named"]
    criteria = essays.rubric_of(exchange.partnership)
    essays.assess(people["evaluator"], essay, essays.AssessmentData(
        scores={c.id: n + 2 for n, c in enumerate(criteria)}, strengths=["Concrete plans"],
        weaknesses=["Vague context"], skills=["Group facilitation"], notes="Strong on transfer."))
    body = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(people["evaluator"])).get_json()
    [assessment] = body["assessments"]
    assert assessment["evaluator"]["id"] == people["evaluator"].id
    assert [(s["criterion"], s["score"]) for s in assessment["scores"]] == [
        (c.name, n + 2) for n, c in enumerate(criteria)]
    assert (assessment["strengths"], assessment["weaknesses"], assessment["skills"]) == (
        ["concrete plans"], ["vague context"], ["group facilitation"])
    assert assessment["notes"] == "Strong on transfer."
    site_admin = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(people["site_admin"])).get_json()
    assert "assessments" in site_admin
    for viewer in (people["author"], people["member"], exchange.coordinator):
        body = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(viewer)).get_json()
        assert "assessments" not in body and "Strong on transfer" not in json.dumps(body)


def test_hostile_markdown_is_kept_as_written_and_rendered_safe(client, people, training, bearer):
    essay = written(people["author"], training, "published", people["evaluator"], body=HOSTILE)
    body = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(people["member"])).get_json()
    assert body["body"] == HOSTILE
    html = body["body_html"].lower()
    for bad in ("<script", "javascript:", "onerror", "onclick", "<iframe", "<img"):
        assert bad not in html, bad


def test_the_schema_matches_real_responses(client, people, archive, bearer):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    path = f"/api/v1/essays/{archive['named'].id}"
    evaluator = client.get(path, headers=bearer(people["evaluator"])).get_json()
    member = client.get(path, headers=bearer(people["member"])).get_json()
    assert set(member) == set(schemas["Essay"]["required"])
    assert set(evaluator) == set(schemas["Essay"]["properties"]) == set(member) | {"assessments"}
    listing = client.get("/api/v1/essays", headers=bearer(people["member"])).get_json()
    assert set(listing) == set(schemas["EssayList"]["required"])
    assert set(listing["items"][0]) == set(schemas["EssaySummary"]["required"])
    update, create = schemas["EssayUpdate"]["properties"], schemas["EssayCreate"]["properties"]
    assert set(update) | {"event_id"} == set(create)


# --- writing ----------------------------------------------------------------------------------------


def new_essay(event, **overrides) -> dict:
    body = {"event_id": event.id, "title": "What I learned in Seville",
            "body": "Families help each other.\n\nWe will start a group.", "language": "en"}
    body.update(overrides)
    return body


def test_a_participant_starts_a_draft(client, people, training, bearer):
    response = client.post("/api/v1/essays", json=new_essay(training), headers=bearer(people["author"]))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["status"], body["title"], body["language"], body["display"]) == (
        "draft", "What I learned in Seville", "en", "named")
    assert body["word_count"] == 9 and body["submitted_at"] is None
    assert response.headers["Location"].endswith(f"/api/v1/essays/{body['id']}")
    essay = db.session.get(Essay, body["id"])
    assert (essay.author_id, essay.event_id, essay.author_country) == (people["author"].id, training.id, "FI")


def test_a_draft_may_be_empty_and_takes_the_language_of_the_institution(client, people, training, bearer):
    response = client.post("/api/v1/essays", json={"event_id": training.id}, headers=bearer(people["author"]))
    assert response.status_code == 201
    # The Finnish institution works in Finnish and English: its own language, not English, is the guess.
    assert sorted(people["author"].institution.languages) == ["en", "fi"]
    assert (response.get_json()["title"], response.get_json()["language"]) == ("", "fi")


def test_a_participant_submits_at_once(client, people, training, make_practice, exchange, bearer):
    practice = make_practice(exchange.seville)
    response = client.post("/api/v1/essays", headers=bearer(people["author"]), json=new_essay(
        training, submit=True, display="anonymous", practice_ids=[practice.id]))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["status"], body["display"]) == ("submitted", "anonymous")
    assert body["submitted_at"] and [p["id"] for p in body["practices"]] == [practice.id]
    # The author still sees their own name.
    assert body["author"] == {"id": people["author"].id, "name": "Aino Author"}


def test_a_refused_submission_keeps_the_draft(client, people, training, bearer):
    response = client.post("/api/v1/essays", headers=bearer(people["author"]),
                           json=new_essay(training, title="  ", submit=True))
    error = assert_error(response, 422, "validation_failed")
    assert set(error["fields"]) == {"title"} and "saved" in error["message"]
    essay = db.session.scalar(select(Essay).where(Essay.author_id == people["author"].id))
    assert (essay.status, essay.body) == ("draft", "Families help each other.\n\nWe will start a group.")
    assert response.headers["Location"].endswith(f"/api/v1/essays/{essay.id}")

    response = client.patch(f"/api/v1/essays/{essay.id}", headers=bearer(people["author"]),
                            json={"body": "", "title": "Now with a title", "submit": True})
    error = assert_error(response, 422, "validation_failed")
    assert set(error["fields"]) == {"body"}
    db.session.refresh(essay)
    assert (essay.status, essay.title, essay.body) == ("draft", "Now with a title", "")


def test_only_participants_may_write(client, people, training, bearer):
    response = client.post("/api/v1/essays", json=new_essay(training), headers=bearer(people["member"]))
    error = assert_error(response, 403, "forbidden")
    assert "took part" in error["message"] and set(error["fields"]) == {"event_id"}
    assert db.session.scalar(select(Essay)) is None
    error = assert_error(client.post("/api/v1/essays", json={"event_id": 424242},
                                     headers=bearer(people["author"])), 422, "validation_failed")
    assert set(error["fields"]) == {"event_id"}


def test_a_second_essay_for_the_same_event_is_409(client, people, training, bearer):
    first = client.post("/api/v1/essays", json=new_essay(training), headers=bearer(people["author"]))
    response = client.post("/api/v1/essays", json=new_essay(training, title="Another"),
                           headers=bearer(people["author"]))
    assert_error(response, 409, "conflict")
    assert response.headers["Location"] == first.headers["Location"]
    assert db.session.get(Essay, first.get_json()["id"]).title == "What I learned in Seville"


@pytest.mark.parametrize("fields, bad", [
    ({"title": 5}, "title"), ({"body": ["x"]}, "body"), ({"language": "klingon"}, "language"),
    ({"display": "loud"}, "display"), ({"practice_ids": ["1"]}, "practice_ids"),
    ({"submit": "yes"}, "submit"),
    ({"status": "published"}, "status"), ({"event_id": True}, "event_id"), ({"title": "x" * 301}, "title"),
    ({"body": "a\x00b"}, "body"), ({"practice_ids": [424242]}, "practice_ids"),
])
def test_wrong_fields_are_422_naming_them_and_save_nothing(client, people, training, bearer, fields, bad):
    response = client.post("/api/v1/essays", json={**new_essay(training), **fields},
                           headers=bearer(people["author"]))
    error = assert_error(response, 422, "validation_failed")
    assert set(error["fields"]) == {bad}
    assert db.session.scalar(select(Essay)) is None


def test_a_practice_the_author_may_not_see_is_refused(client, exchange, people, training, make_practice,
                                                     bearer):
    hidden = make_practice(exchange.arad, status="draft")
    response = client.post("/api/v1/essays", json=new_essay(training, practice_ids=[hidden.id]),
                           headers=bearer(people["author"]))
    assert set(assert_error(response, 422, "validation_failed")["fields"]) == {"practice_ids"}


def test_bodies_that_are_not_a_json_object(client, people, training, bearer):
    headers = bearer(people["author"])
    assert_error(client.post("/api/v1/essays", data="[1]", content_type="application/json", headers=headers),
                 400, "bad_request")
    assert_error(client.post("/api/v1/essays", data="{", content_type="application/json", headers=headers),
                 400, "bad_request")
    assert_error(client.post("/api/v1/essays", data="title=x", headers=headers), 415,
                 "unsupported_media_type")
    big = {"event_id": training.id, "body": "x" * (1024 * 1024)}
    assert_error(client.post("/api/v1/essays", json=big, headers=headers), 413, "payload_too_large")


def test_writing_needs_a_token(client, people, archive, training):
    response = client.post("/api/v1/essays", json=new_essay(training))
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(client.patch(f"/api/v1/essays/{archive['draft'].id}", json={"title": "x"}), 401,
                 "unauthorized")


def test_writing_needs_no_csrf_token(csrf_app, client, people, training, bearer):
    response = client.post("/api/v1/essays", json=new_essay(training), headers=bearer(people["author"]))
    assert response.status_code == 201


def test_patch_changes_only_the_given_fields(client, people, archive, bearer):
    draft = archive["draft"]
    response = client.patch(f"/api/v1/essays/{draft.id}", json={"title": "A better title"},
                            headers=bearer(people["author"]))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["title"], body["body"], body["status"]) == ("A better title", essay_data().body, "draft")
    response = client.patch(f"/api/v1/essays/{draft.id}", json={"submit": True},
                            headers=bearer(people["author"]))
    assert response.get_json()["status"] == "submitted"


def test_after_submitting_only_the_display_may_change(client, people, archive, bearer):
    essay = archive["named"]
    headers = bearer(people["author"])
    response = client.patch(f"/api/v1/essays/{essay.id}", json={"title": "Rewritten"}, headers=headers)
    error = assert_error(response, 403, "forbidden")
    assert "display" in error["message"]
    assert_error(client.patch(f"/api/v1/essays/{essay.id}", json={"display": "private", "body": "x"},
                              headers=headers), 403, "forbidden")
    assert db.session.get(Essay, essay.id).display == "named"
    response = client.patch(f"/api/v1/essays/{essay.id}", json={"display": "anonymous"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["display"] == "anonymous"
    member = client.get(f"/api/v1/essays/{essay.id}", headers=bearer(people["member"])).get_json()
    assert member["author"]["id"] is None


def test_a_returned_essay_can_be_revised_and_resubmitted(client, people, training, bearer):
    essay = written(people["author"], training, "returned", people["evaluator"])
    response = client.patch(f"/api/v1/essays/{essay.id}", headers=bearer(people["author"]),
                            json={"body": "Revised: I say more about my team.", "submit": True})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert (response.get_json()["status"], response.get_json()["body"]) == (
        "submitted", "Revised: I say more about my team.")


def test_patch_by_someone_else_is_403_when_visible_and_404_otherwise(client, exchange, people, archive,
                                                                     bearer):
    assert_error(client.patch(f"/api/v1/essays/{archive['submitted'].id}", json={"display": "named"},
                              headers=bearer(people["evaluator"])), 403, "forbidden")
    assert_error(client.patch(f"/api/v1/essays/{archive['named'].id}", json={"title": "Mine now"},
                              headers=bearer(people["member"])), 403, "forbidden")
    assert_error(client.patch(f"/api/v1/essays/{archive['draft'].id}", json={"title": "Mine now"},
                              headers=bearer(exchange.coordinator)), 404, "not_found")
    assert_error(client.patch("/api/v1/essays/424242", json={}, headers=bearer(people["author"])), 404,
                 "not_found")
    assert db.session.get(Essay, archive["draft"].id).title == "Draft essay"


def test_patch_cannot_move_an_essay_to_another_event(client, people, archive, training, bearer):
    response = client.patch(f"/api/v1/essays/{archive['draft'].id}", json={"event_id": training.id},
                            headers=bearer(people["author"]))
    assert set(assert_error(response, 422, "validation_failed")["fields"]) == {"event_id"}
