"""What seed-demo adds for learning modules: the partnership's published course "Digital mediation in social
work", a cohort of its kick-off meeting with varied progress, and two certificates of completion, one held by
professional@demo.example."""
from __future__ import annotations

from sqlalchemy import func, select

from network.auth.models import User
from network.certificates import services as certificates
from network.certificates.models import Certificate
from network.demo import PARTNERSHIP_REFERENCE, seed_demo
from network.events.models import Event
from network.extensions import db
from network.institutions.models import Partnership
from network.learning import services
from network.learning.models import QUIZ, REFLECTION, TASK, Cohort, Course, Enrolment

TITLE = "Digital mediation in social work"


def _course() -> Course:
    return db.session.scalar(select(Course).where(Course.title == TITLE))


def test_the_demo_course_is_published_with_its_modules_lessons_and_activities(demo):
    course = _course()
    partnership = db.session.scalar(select(Partnership).where(Partnership.reference == PARTNERSHIP_REFERENCE))
    assert course.status == "published" and course.visibility == "public" and course.partnership_id == partnership.id
    assert (course.language, course.level, str(course.hours)) == ("en", "introductory", "12.0")
    assert set(course.dimensions) == {"mediation", "ethics", "safety"}
    contents = course.latest_version.contents
    assert len(contents["modules"]) == 4
    lessons = services.lessons_of(contents)
    assert len(lessons) == 12 and all(len(module["lessons"]) == 3 for module in contents["modules"])
    assert sum(lesson["language"] == "es" for lesson in lessons) == 2
    assert sum(not lesson["required"] for lesson in lessons) == 1
    assert all(lesson["html"].startswith("<p>") for lesson in lessons)
    assert any(lesson["practice_ids"] for lesson in lessons)
    quizzes = services.quizzes_of(contents)
    assert len(quizzes) == 4
    for module in contents["modules"]:
        in_module = [a for lesson in module["lessons"] for a in lesson["activities"] if a["kind"] == QUIZ]
        assert len(in_module) == 1
        (quiz,) = in_module
        assert 60 <= quiz["pass_mark"] <= 70 and 2 <= len(quiz["questions"]) <= 3
        assert any(question["multiple"] for question in quiz["questions"])
        assert all(option["feedback"] for question in quiz["questions"] for option in question["options"])
    kinds = [a["kind"] for lesson in lessons for a in lesson["activities"]]
    assert kinds.count(REFLECTION) >= 3 and kinds.count(TASK) >= 1


def test_the_kick_off_cohort_has_learners_with_varied_progress(demo):
    course = _course()
    cohort = db.session.scalar(select(Cohort).where(Cohort.course_id == course.id))
    assert cohort.name == "Kick-off meeting cohort"
    event = db.session.get(Event, cohort.event_id)
    assert event.partnership_id == course.partnership_id
    assert (cohort.ends_on - cohort.starts_on).days == 60 and cohort.starts_on == event.end_date
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id)).all()
    assert len(enrolments) >= 8
    participants = {person.id for person in event.participants}
    assert sum(e.user_id in participants for e in enrolments) >= 7
    done = sorted(len(services.progress(e).done) for e in enrolments)
    assert done[0] == 0 and done[-1] >= 11 and len(set(done)) >= 4
    attempts = [a for e in enrolments for a in e.attempts]
    assert any(a.passed for a in attempts) and any(not a.passed for a in attempts)
    assert sum(bool(e.reflections) for e in enrolments) >= 3
    assert sum(e.completed_at is not None for e in enrolments) == 2


def test_two_verifiable_certificates_one_held_by_the_demo_professional(demo):
    course = _course()
    issued = db.session.scalars(select(Certificate).where(
        Certificate.kind == services.CERTIFICATE_KIND, Certificate.subject_id == course.id)).all()
    assert len(issued) == 2
    holders = db.session.scalars(select(User.email).where(User.id.in_([cert.person_id for cert in issued]))).all()
    assert "professional@demo.example" in holders
    for cert in issued:
        assert certificates.verify(cert.code) == cert and not cert.revoked
        assert cert.title == TITLE


def test_seeding_again_adds_nothing(demo):
    def counts():
        return [db.session.scalar(select(func.count()).select_from(model))
                for model in (Course, Cohort, Enrolment, Certificate)]

    before = counts()
    seed_demo()
    assert counts() == before
