"""Courses and lessons in search: only published courses, as their latest version reads, found by whom may see
them (anyone for a public course, members for a members' one), kept in step with new versions, and found by the
self-assessment's recommendations."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from learning_helpers import make_course
from network.auth.models import INSTITUTION_ADMIN
from network.extensions import db
from network.learning import services
from network.learning.models import MEMBERS
from network.search import sync
from search_helpers import keys, search
from self_assessment_helpers import tiny_questionnaire


@pytest.fixture
def owner(make_institution, make_user):
    home = make_institution(name="Seville Family Centre", country="ES")
    return home, make_user(INSTITUTION_ADMIN, institution=home)


def course_with_words(admin, home, title, visibility="public", publish=True, summary="Helping families.",
                      lesson_body="Hummingbird rehearsal of the appointment."):
    course = services.create_course(admin, services.CourseData(
        title=title, summary=summary, language="en", level="introductory", hours="2", dimensions=["mediation"],
        visibility=visibility, owner=f"institution-{home.id}"))
    module = services.add_module(course, "First steps")
    services.add_lesson(module, services.LessonData(title="Booking together", body=lesson_body))
    if publish:
        services.publish(admin, course)
    return course


def found(user, q, doc_type=None) -> set[tuple[str, int]]:
    options = {"type": doc_type} if doc_type else {}
    return keys(search(user, q, per_page=100, **options))


def test_a_public_course_and_its_lesson_are_found_by_anyone(owner, make_user):
    home, admin = owner
    course = course_with_words(admin, home, "Kestrel mediation course", summary="Paperwork with *families*.")
    lesson = course.lessons[0]
    sync.drain_all()
    for user in (None, make_user()):
        assert ("course", course.id) in found(user, "kestrel")  # title
        assert ("course", course.id) in found(user, "paperwork")  # summary
        assert ("lesson", lesson.id) in found(user, "hummingbird rehearsal")  # the lesson's text
    hit = next(h for h in search(None, "hummingbird").hits if h.doc_type == "lesson")
    assert (hit.title, hit.url) == ("Booking together", f"/courses/{course.id}/lessons/{lesson.id}")
    course_hit = next(h for h in search(None, "kestrel").hits if h.doc_type == "course")
    assert course_hit.url == f"/courses/{course.id}"
    only = search(None, "", type="course", per_page=100)
    assert {h.doc_type for h in only.hits} == {"course"} and only.total == 1


def test_the_course_is_tagged_with_its_dimensions_codes_and_english_names(owner):
    home, admin = owner
    tiny_questionnaire()
    course = course_with_words(admin, home, "Tagged course")
    sync.drain_all()
    assert ("course", course.id) in found(None, "digital mediation", "course")
    assert ("course", course.id) in found(None, "", "course")


def test_a_quiz_never_carries_its_answers_into_the_index(exchange):
    course = make_course(exchange.seville_admin, exchange.seville)
    sync.drain_all()
    assert found(None, "national police") == set()  # an option's feedback
    assert found(None, "phishing") == set()  # a question
    assert ("lesson", course.lessons[0].id) in found(None, "check yourself")  # the quiz's title


def test_a_members_course_is_found_by_members_only(owner, make_user, make_institution):
    home, admin = owner
    course = course_with_words(admin, home, "Osprey members course", visibility=MEMBERS)
    lesson = course.lessons[0]
    sync.drain_all()
    expected = {("course", course.id), ("lesson", lesson.id)}
    member = make_user(institution=make_institution(name="Elsewhere"))
    assert found(member, "osprey") | found(member, "hummingbird") == expected
    assert found(None, "osprey") == set() and found(None, "hummingbird") == set()
    assert search(None, "hummingbird").total == 0


def test_a_draft_and_an_archived_course_are_not_found(owner, users):
    home, admin = owner
    draft = course_with_words(admin, home, "Pelican draft course", publish=False)
    archived = course_with_words(admin, home, "Albatross archived course",
                                 lesson_body="Albatross lesson text.")
    sync.drain_all()
    # A site admin's search has no permission filter: what it does not find is not in the index.
    assert found(users["site_admin"], "pelican") == set() and found(admin, "pelican") == set()
    assert ("lesson", draft.lessons[0].id) not in found(users["site_admin"], "hummingbird")
    assert ("course", archived.id) in found(None, "albatross")
    services.archive_course(admin, archived)
    sync.drain_all()
    assert found(users["site_admin"], "albatross") == set()


def test_publishing_a_new_version_reindexes_the_lessons(owner):
    home, admin = owner
    course = course_with_words(admin, home, "Heron course")
    lesson = course.lessons[0]
    sync.drain_all()
    services.update_lesson(lesson, services.LessonData(title="Booking with a flamingo", body="New words."))
    sync.drain_all()
    # The draft changed, not the published version: the index still has what learners read.
    assert found(None, "flamingo") == set() and ("lesson", lesson.id) in found(None, "hummingbird")
    services.publish(admin, course)
    sync.drain_all()
    # The lesson under its new title, and the course (its lessons' titles are in its text) too.
    assert found(None, "flamingo") == {("lesson", lesson.id), ("course", course.id)}
    assert found(None, "hummingbird") == set()
    hit = next(h for h in search(None, "flamingo").hits if h.doc_type == "lesson")
    assert hit.title == "Booking with a flamingo"


def test_a_lesson_left_out_of_a_new_version_leaves_the_index(owner):
    home, admin = owner
    course = course_with_words(admin, home, "Stork course")
    module = course.modules[0]
    extra = services.add_lesson(module, services.LessonData(title="Cormorant extra", body="Extra words."))
    services.publish(admin, course)
    sync.drain_all()
    assert found(None, "cormorant", "lesson") == {("lesson", extra.id)}
    services.delete_lesson(extra)
    sync.drain_all()
    assert found(None, "cormorant", "lesson") == {("lesson", extra.id)}  # still in the latest version learners read
    services.publish(admin, course)
    sync.drain_all()
    assert found(None, "cormorant") == set()
    assert found(None, "hummingbird") == {("lesson", course.lessons[0].id)}


def test_a_course_made_members_only_is_no_longer_found_anonymously(owner, make_user):
    home, admin = owner
    course = course_with_words(admin, home, "Puffin course")
    sync.drain_all()
    assert len(found(None, "puffin") | found(None, "hummingbird")) == 2
    course.visibility = MEMBERS
    db.session.commit()
    sync.drain_all()
    assert found(None, "puffin") | found(None, "hummingbird") == set()
    assert len(found(make_user(), "puffin") | found(make_user(), "hummingbird")) == 2


def test_recommendations_include_a_course_of_the_dimension(app, owner, make_user):
    from network.self_assessment.services import recommendations

    home, admin = owner
    questionnaire = tiny_questionnaire()
    mediation = next(d for d in questionnaire.dimensions if d.code == "mediation")
    course = course_with_words(admin, home, "Mediation at the front desk",
                               summary="Helping families with online procedures for benefits.")
    closed = course_with_words(admin, home, "Members' mediation clinic", visibility=MEMBERS,
                               summary="Online procedures and benefits, for colleagues.")
    sync.drain_all()
    with app.test_request_context():
        seen = recommendations(AnonymousUserMixin(), mediation)
        assert ("course", "Mediation at the front desk", f"/courses/{course.id}") in {
            (r.doc_type, r.title, r.url) for r in seen}
        assert all(r.title != closed.title for r in seen)
        member = {(r.doc_type, r.title) for r in recommendations(make_user(institution=home), mediation)}
        assert {("course", course.title), ("course", closed.title)} <= member
