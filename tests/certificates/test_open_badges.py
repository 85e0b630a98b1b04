"""Open Badges 2.0 for certificates: the Assertion (hosted, the holder's address hashed with its salt), its
BadgeClass and the Issuer link up by their ids; a revoked certificate's assertion answers 410 with the reason."""
from __future__ import annotations

import hashlib
import re

from learning_helpers import make_course, quiz_of, right_answers
from network.certificates import services as certificates
from network.learning import services as learning


def _completed(exchange, make_user):
    course = make_course(exchange.seville_admin, exchange.seville)
    learner = make_user(email="lucia@example.org")
    enrolment = learning.enrol(learner, course)
    for lesson in course.lessons[:2]:
        learning.mark_lesson_done(enrolment, lesson.id)
    quiz = quiz_of(course)
    learning.submit_attempt(enrolment, learning.start_attempt(enrolment, quiz.id), right_answers(quiz))
    return course, learning.certificate_of(enrolment)


def test_the_assertion_badge_class_and_issuer_link_up(client, exchange, make_user):
    course, certificate = _completed(exchange, make_user)
    response = client.get(f"/certificates/{certificate.display_code}/badge.json")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assertion = response.get_json()
    assert (assertion["@context"], assertion["type"]) == ("https://w3id.org/openbadges/v2", "Assertion")
    assert assertion["id"].endswith(f"/certificates/{certificate.display_code}/badge.json")
    assert assertion["verification"] == {"type": "HostedBadge"}
    recipient = assertion["recipient"]
    expected = "sha256$" + hashlib.sha256(("lucia@example.org" + recipient["salt"]).encode()).hexdigest()
    assert (recipient["type"], recipient["hashed"], recipient["identity"]) == ("email", True, expected)
    assert "lucia@example.org" not in response.get_data(as_text=True)
    assert client.get(f"/certificates/{certificate.display_code}/badge.json").get_json() == assertion  # stable

    badge_class = client.get(assertion["badge"].replace("http://localhost", "")).get_json()
    assert (badge_class["type"], badge_class["name"]) == ("BadgeClass", course.title)
    assert re.search(r"/static/[0-9a-f]{12}/badge\.svg$", badge_class["image"])  # fingerprinted
    image = client.get(badge_class["image"].replace("http://localhost", ""))
    assert image.status_code == 200 and image.get_data().startswith(b"<svg")
    image.close()
    issuer = client.get(badge_class["issuer"].replace("http://localhost", "")).get_json()
    assert (issuer["type"], issuer["name"]) == ("Profile", "Peer Network")


def test_a_revoked_certificates_assertion_says_so(client, exchange, make_user):
    _course, certificate = _completed(exchange, make_user)
    certificates.revoke(exchange.seville_admin, certificate, "Completed by someone else.")
    response = client.get(f"/certificates/{certificate.display_code}/badge.json")
    assert response.status_code == 410
    assert response.get_json()["revoked"] is True
    assert response.get_json()["revocationReason"] == "Completed by someone else."


def test_unknown_codes_and_badges_are_404(client):
    assert client.get("/certificates/0000-0000-0000/badge.json").status_code == 404
    assert client.get("/certificates/badges/course_completion/course/999999/0123456789abcdef01234567.json"
                      ).status_code == 404


def test_a_badge_class_is_read_only_at_the_address_its_assertions_give(client, exchange, make_user):
    """A members-only course's title cannot be read by trying course ids: the address holds a keyed digest."""
    course, certificate = _completed(exchange, make_user)
    address = client.get(f"/certificates/{certificate.display_code}/badge.json").get_json()["badge"]
    address = address.replace("http://localhost", "")
    assert client.get(address).status_code == 200
    *folders, key = address.removesuffix(".json").split("/")
    assert len(key) == 24
    wrong = "/".join(folders) + "/" + ("0" if key[0] != "0" else "1") + key[1:] + ".json"
    assert client.get(wrong).status_code == 404
    other_course = "/".join(folders[:-1]) + f"/{course.id + 1}/{key}.json"
    assert client.get(other_course).status_code == 404
