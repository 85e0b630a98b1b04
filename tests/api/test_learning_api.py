"""Courses and certificates in the JSON API: the list (what the caller may see, paged, filtered), one course with
its modules and lessons in order (the caller's version, their enrolment and progress; never a quiz's answers),
the caller's own certificates (a token required), and responses that match the OpenAPI description."""
from __future__ import annotations

import json

import pytest

from api_helpers import assert_error, bearer
from learning_helpers import make_course, quiz_of, right_answers
from network.auth.models import INSTITUTION_ADMIN
from network.certificates import services as certificates
from network.learning import services
from network.learning.models import MEMBERS


def ids(response) -> list[int]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["items"]]


@pytest.fixture
def world(make_institution, make_user):
    home = make_institution(name="Seville Family Centre", country="ES")
    admin = make_user(INSTITUTION_ADMIN, institution=home)
    public = make_course(admin, home, title="Public course")
    closed = make_course(admin, home, title="Members course", visibility=MEMBERS)
    draft = make_course(admin, home, title="Draft course", publish=False)
    return {"home": home, "admin": admin, "public": public, "members": closed, "draft": draft,
            "member": make_user(institution=make_institution(name="Other Centre"))}


def complete(learner, course):
    """Enrol, do every required lesson and pass the quiz: the certificate is issued."""
    enrolment = services.enrol(learner, course)
    for lesson in course.lessons:
        if lesson.required:
            services.mark_lesson_done(enrolment, lesson.id)
    quiz = quiz_of(course)
    services.submit_attempt(enrolment, services.start_attempt(enrolment, quiz.id), right_answers(quiz))
    return enrolment


def test_the_list_holds_what_the_caller_may_see(client, world):
    public, closed, draft = world["public"].id, world["members"].id, world["draft"].id
    assert ids(client.get("/api/v1/courses")) == [public]
    assert set(ids(client.get("/api/v1/courses", headers=bearer(world["member"])))) == {public, closed}
    assert set(ids(client.get("/api/v1/courses", headers=bearer(world["admin"])))) == {public, closed, draft}


def test_the_list_items_pages_and_filters(client, world):
    body = client.get("/api/v1/courses").get_json()
    assert (body["total"], body["page"], body["per_page"]) == (1, 1, 20)
    item = body["items"][0]
    course = world["public"]
    assert item["title"] == "Public course" and item["summary_html"] == "<p>Helping families <strong>online</strong>.</p>"
    assert (item["language"], item["level"], item["hours"], item["dimensions"]) == (
        "en", "introductory", 6.0, ["mediation"])
    assert item["owner"] == {"type": "institution", "id": world["home"].id, "slug": world["home"].slug,
                             "name": "Seville Family Centre"}
    assert (item["visibility"], item["status"], item["latest_version"]) == ("public", "published", 1)
    assert item["url"] == f"http://localhost/courses/{course.id}" and "modules" not in item
    token = bearer(world["admin"])
    first = client.get("/api/v1/courses?per_page=2", headers=token).get_json()
    second = client.get("/api/v1/courses?per_page=2&page=2", headers=token).get_json()
    assert first["total"] == 3 and len(first["items"]) == 2 and len(second["items"]) == 1
    draft = next(i for i in first["items"] + second["items"] if i["id"] == world["draft"].id)
    assert (draft["status"], draft["latest_version"]) == ("draft", None)
    assert ids(client.get("/api/v1/courses?level=advanced", headers=token)) == []
    assert ids(client.get("/api/v1/courses?level=nonsense", headers=token)) == []
    assert ids(client.get("/api/v1/courses?language=es", headers=token)) == []
    assert len(ids(client.get("/api/v1/courses?language=en&level=introductory", headers=token))) == 3
    assert_error(client.get("/api/v1/courses?page=0"), 400, "bad_request")


def test_one_course_has_its_modules_and_lessons_in_order_and_no_answers(client, world):
    course = world["public"]
    response = client.get(f"/api/v1/courses/{course.id}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["version"] == 1 and body["enrolment"] is None and body["progress"] is None
    assert [m["title"] for m in body["modules"]] == ["Getting started", "In practice"]
    lessons = [lesson for module in body["modules"] for lesson in module["lessons"]]
    assert [lesson["title"] for lesson in lessons] == ["Welcome", "Appointments online", "Further reading"]
    assert [lesson["required"] for lesson in lessons] == [True, True, False]
    assert lessons[0]["url"] == f"http://localhost/courses/{course.id}/lessons/{course.lessons[0].id}"
    assert [(a["kind"], a["title"]) for a in lessons[0]["activities"]] == [
        ("quiz", "Check yourself"), ("reflection", "What do families ask you?")]
    assert all(set(a) == {"id", "kind", "title"} for lesson in lessons for a in lesson["activities"])
    text = response.get_data(as_text=True)
    for secret in ("correct", "feedback", "national police", "The police's", "phishing", "Which site", "options",
                   "questions"):
        assert secret not in text, secret


def test_who_may_not_see_a_course_gets_a_404(client, world):
    closed, draft = world["members"].id, world["draft"].id
    assert_error(client.get(f"/api/v1/courses/{closed}"), 404, "not_found")
    assert_error(client.get(f"/api/v1/courses/{draft}", headers=bearer(world["member"])), 404, "not_found")
    assert_error(client.get("/api/v1/courses/424242"), 404, "not_found")
    assert_error(client.get("/api/v1/courses/99999999999999999999"), 404, "not_found")
    assert client.get(f"/api/v1/courses/{closed}", headers=bearer(world["member"])).status_code == 200
    preview = client.get(f"/api/v1/courses/{draft}", headers=bearer(world["admin"])).get_json()
    assert preview["version"] is None and preview["status"] == "draft" and len(preview["modules"]) == 2


def test_an_enrolled_caller_reads_their_version_with_their_enrolment_and_progress(client, world, make_user):
    course, admin = world["public"], world["admin"]
    learner = make_user()
    enrolment = services.enrol(learner, course)
    services.mark_lesson_done(enrolment, course.lessons[0].id)
    services.update_lesson(course.lessons[0], services.LessonData(title="Welcome, version two", body="New."))
    services.publish(admin, course)
    mine = client.get(f"/api/v1/courses/{course.id}", headers=bearer(learner)).get_json()
    assert (mine["version"], mine["latest_version"]) == (1, 2)
    assert mine["modules"][0]["lessons"][0]["title"] == "Welcome"
    assert mine["enrolment"]["version"] == 1 and mine["enrolment"]["newer_version"] == 2
    assert mine["enrolment"]["completed_at"] is None and mine["enrolment"]["certificate"] is None
    progress = mine["progress"]
    assert (progress["lessons_done"], progress["lessons"], progress["quizzes_passed"], progress["quizzes"]) == (
        1, 2, 0, 1)
    assert progress["done_lesson_ids"] == [course.lessons[0].id] and progress["complete"] is False
    assert [(m["lessons_done"], m["lessons"]) for m in progress["modules"]] == [(1, 1), (0, 1)]
    anyone = client.get(f"/api/v1/courses/{course.id}").get_json()
    assert anyone["version"] == 2 and anyone["modules"][0]["lessons"][0]["title"] == "Welcome, version two"
    # Archived: the learner still reads it, anyone else no longer.
    services.archive_course(admin, course)
    assert client.get(f"/api/v1/courses/{course.id}", headers=bearer(learner)).status_code == 200
    assert_error(client.get(f"/api/v1/courses/{course.id}"), 404, "not_found")


def test_certificates_are_the_callers_own_and_need_a_token(client, world, make_user):
    error = assert_error(client.get("/api/v1/certificates"), 401, "unauthorized")
    assert error["message"]
    course = world["public"]
    learner, other = make_user(name="Lea Learner"), make_user()
    enrolment = complete(learner, course)
    complete(other, course)
    certificate = services.certificate_of(enrolment)
    assert certificate is not None
    body = client.get("/api/v1/certificates", headers=bearer(learner)).get_json()
    assert body["total"] == 1 and (body["page"], body["per_page"]) == (1, 20)
    item = body["items"][0]
    code = certificate.display_code
    assert item["code"] == code and item["kind"] == services.CERTIFICATE_KIND
    assert item["course"] == {"id": course.id, "title": "Public course",
                              "url": f"http://localhost/courses/{course.id}"}
    assert item["subject"] == {"type": "course", "id": course.id} and item["holder_name"] == "Lea Learner"
    assert item["issued_on"] == certificate.issued_on.isoformat() and item["issued_at"]
    assert item["revoked"] is False and item["hours"] == 6.0
    assert item["url"] == f"http://localhost/certificates/{code}"
    assert item["pdf_url"] == f"http://localhost/certificates/{code}.pdf"
    assert client.get(item["url"]).status_code == 200  # anyone can verify it
    detail = client.get(f"/api/v1/courses/{course.id}", headers=bearer(learner)).get_json()
    assert detail["enrolment"]["certificate"]["code"] == code and detail["progress"]["complete"] is True
    certificates.revoke(world["admin"], certificate, "Issued by mistake.")
    revoked = client.get("/api/v1/certificates", headers=bearer(learner)).get_json()["items"][0]
    assert revoked["revoked"] is True and revoked["revoked_at"] and revoked["pdf_url"] is None
    assert client.get("/api/v1/certificates", headers=bearer(make_user())).get_json()["items"] == []


def test_the_openapi_schemas_match_real_responses(client, world, make_user):
    spec = json.loads(client.get("/api/v1/openapi.json").get_data(as_text=True))
    schemas = spec["components"]["schemas"]
    course = world["public"]
    learner = make_user()
    complete(learner, course)
    token = bearer(learner)
    listing = client.get("/api/v1/courses", headers=token).get_json()
    assert set(listing) == set(schemas["CourseList"]["required"])
    assert set(listing["items"][0]) == set(schemas["CourseSummary"]["required"])
    body = client.get(f"/api/v1/courses/{course.id}", headers=token).get_json()
    assert set(body) == set(schemas["Course"]["properties"]) == set(schemas["Course"]["required"])
    module = schemas["Course"]["properties"]["modules"]["items"]
    assert set(body["modules"][0]) == set(module["required"])
    lesson = module["properties"]["lessons"]["items"]
    assert set(body["modules"][0]["lessons"][0]) == set(lesson["required"])
    assert set(body["modules"][0]["lessons"][0]["activities"][0]) == set(
        lesson["properties"]["activities"]["items"]["required"])
    enrolment, progress = (schemas["Course"]["properties"][name]["oneOf"][0] for name in ("enrolment", "progress"))
    assert set(body["enrolment"]) == set(enrolment["required"])
    assert set(body["progress"]) == set(progress["required"])
    certificates_body = client.get("/api/v1/certificates", headers=token).get_json()
    assert set(certificates_body) == set(schemas["CertificateList"]["required"])
    assert set(certificates_body["items"][0]) == set(schemas["Certificate"]["required"])
    assert set(schemas["Certificate"]["properties"]) == set(schemas["Certificate"]["required"])
