"""Certificates in tests: a kind registered as an issuing feature would (events and learning will register
theirs), and a certificate of it issued to someone."""
from __future__ import annotations

from datetime import date

from network import permissions
from network.certificates import services as certificates

KIND = "test_attendance"
SENTENCE = "attended the test event “%(title)s” (%(hours)s hours)"


def register_test_kind() -> None:
    """The kind's coordinators may revoke its certificates, as an issuing feature's organisers would."""
    certificates.register_kind(KIND, SENTENCE, may_revoke=lambda user, _certificate: permissions.is_coordinator(user),
                               heading="Certificate of attendance")


def issue_to(person, subject_id: int = 1, title: str = "Family group facilitation", hours="12.5",
             issuer: str = "Fundación Familias en Red", **extra):
    register_test_kind()
    return certificates.issue(person, KIND, "test_event", subject_id, title, issuer, hours=hours,
                              issued_on=extra.pop("issued_on", date(2026, 11, 20)), **extra)
