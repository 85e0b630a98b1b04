"""Issuing, verifying and revoking certificates: once per person, kind and subject; codes anyone can type."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from certificates_helpers import KIND, issue_to, register_test_kind
from network.audit import AuditEntry
from network.auth.models import COORDINATOR
from network.certificates import services as certificates
from network.certificates.models import HOLDER_ERASED, WITHDRAWN, Certificate
from network.errors import ServiceError
from network.extensions import db


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_issuing_twice_gives_the_same_certificate(app, users):
    ana = users["professional"]
    first = issue_to(ana, subject_id=7)
    again = issue_to(ana, subject_id=7, title="Another title", hours=3)
    assert again.id == first.id and again.code == first.code and again.title == "Family group facilitation"
    assert count(Certificate) == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.action == "certificate.issued")) == 1


def test_each_person_subject_and_kind_has_its_own(app, users):
    ana, bob = users["professional"], users["outsider"]
    certificates.register_kind("other_kind", "did something else", may_revoke=lambda user, c: False)
    issued = {issue_to(ana, subject_id=1).id, issue_to(bob, subject_id=1).id, issue_to(ana, subject_id=2).id,
              certificates.issue(ana, "other_kind", "test_event", 1, "Other", "").id}
    assert len(issued) == 4


def test_what_it_certifies_is_frozen_at_issue(app, users):
    ana = users["professional"]
    ana.locale = "es"
    certificate = issue_to(ana)
    assert (certificate.holder_name, certificate.hours, certificate.issued_on, certificate.language) == (
        ana.name, Decimal("12.50"), date(2026, 11, 20), "es")
    ana.name = "Ana Renamed"
    db.session.commit()
    assert db.session.get(Certificate, certificate.id).holder_name != "Ana Renamed"


def test_the_sentence_is_the_kinds_and_is_worded_when_shown(app, users):
    """Only the kind's code is stored: the wording registered now is what every page and PDF shows."""
    certificate = issue_to(users["professional"], title="Peer supervision", hours=6)
    assert certificates.statement(certificate) == "attended the test event “Peer supervision” (6 hours)"
    assert certificates.heading(certificate) == "Certificate of attendance"
    certificates.register_kind(KIND, "took part in “%(title)s”", may_revoke=lambda user, c: False)
    try:
        assert certificates.statement(certificate) == "took part in “Peer supervision”"
    finally:
        register_test_kind()


def test_a_kind_must_be_registered_and_the_arguments_right(app, users):
    ana = users["professional"]
    with pytest.raises(ValueError, match="not registered"):
        certificates.issue(ana, "no_such_kind", "event", 1, "Title", "Issuer")
    register_test_kind()
    with pytest.raises(ValueError):
        certificates.issue(ana, KIND, "test_event", 1, "   ", "Issuer")
    with pytest.raises(ValueError):
        certificates.issue(ana, KIND, "test_event", 1, "Title", "Issuer", hours="many")
    with pytest.raises(ValueError):
        certificates.issue(ana, KIND, "test_event", 1, "Title", "Issuer", hours=-1)
    with pytest.raises(ValueError):
        certificates.issue(None, KIND, "test_event", 1, "Title", "Issuer")
    assert count(Certificate) == 0


def test_issued_inside_the_callers_transaction_it_waits_for_their_commit(app, users):
    certificate = issue_to(users["professional"], commit=False)
    assert certificate.id is not None
    db.session.rollback()
    assert count(Certificate) == 0


def test_two_requests_issuing_at_once_get_the_one_certificate(app, users, monkeypatch):
    ana = users["professional"]
    first = issue_to(ana)
    # The second request looked before the first committed, and found nothing.
    real_find, looked = certificates._find, []

    def found_nothing_the_first_time(*args):
        looked.append(args)
        return None if len(looked) == 1 else real_find(*args)

    monkeypatch.setattr(certificates, "_find", found_nothing_the_first_time)
    again = issue_to(ana)
    assert again.id == first.id and count(Certificate) == 1


def test_codes_are_unique_and_typable(app, users):
    codes = {certificates.new_code() for _ in range(5000)}
    assert len(codes) == 5000
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{12}", code) for code in codes)  # no I, L, O, U
    certificate = issue_to(users["professional"])
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", certificate.display_code)
    assert certificate.display_code.replace("-", "") == certificate.code


def test_verify_takes_the_code_as_people_type_it(app, users):
    certificate = issue_to(users["professional"])
    shown = certificate.display_code
    typed = [shown, shown.lower(), certificate.code, f"  {shown[:4]} {shown[5:9]} {shown[10:]} ",
             shown.replace("-", "\u2011"), shown.replace("-", " – "), shown.replace("0", "O").replace("1", "l")]
    for text in typed:
        assert certificates.verify(text) is certificate, text
    for text in ("", None, shown[:-1], shown + "7", shown.replace(shown[0], "U"), "x" * 5000, 42):
        assert certificates.verify(text) is None, text
    other = "".join("2" if c != "2" else "3" for c in certificate.code)
    assert certificates.verify(other) is None


def test_revoking_says_when_and_why_and_only_for_those_allowed(app, users, make_user):
    ana, admin = users["professional"], users["site_admin"]
    coordinator = make_user(COORDINATOR)
    certificate = issue_to(ana)
    with pytest.raises(ServiceError):
        certificates.revoke(ana, certificate, "I changed my mind")  # the holder may not
    with pytest.raises(ServiceError):
        certificates.revoke(admin, certificate, "   ")
    assert not certificate.revoked
    certificates.revoke(coordinator, certificate, "Did not attend the second day.")  # the kind's rule
    assert certificate.revoked and certificate.revocation == WITHDRAWN
    assert certificate.revoked_reason == "Did not attend the second day."
    with pytest.raises(ServiceError):
        certificates.revoke(admin, certificate, "Again")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "certificate.revoked"))
    assert entry.actor_id == coordinator.id and entry.target_label.startswith(certificate.display_code)
    assert ana.name not in entry.target_label and "second day" not in str(entry.details)
    # Issuing again gives the revoked certificate back, as it is.
    assert issue_to(ana).revoked


def test_site_admins_and_the_kinds_rule_may_revoke(app, users):
    from network import permissions

    certificate = issue_to(users["professional"])
    allowed = {kind for kind, user in users.items() if permissions.can_revoke_certificate(user, certificate)}
    assert allowed == {"coordinator", "site_admin"}
    downloads = {kind for kind, user in users.items() if permissions.can_download_certificate(user, certificate)}
    assert downloads == {"professional", "site_admin"}


def test_certificates_of_a_person_and_of_a_subject(app, users):
    ana, bob = users["professional"], users["outsider"]
    older = issue_to(ana, subject_id=1, issued_on=date(2026, 1, 10))
    newer = issue_to(ana, subject_id=2, issued_on=date(2026, 6, 10))
    bobs = issue_to(bob, subject_id=1)
    assert certificates.certificates_of(ana) == [newer, older]
    assert {c.id for c in certificates.certificates_for(KIND, "test_event", 1)} == {older.id, bobs.id}
    assert HOLDER_ERASED != WITHDRAWN
