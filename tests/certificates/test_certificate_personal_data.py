"""A certificate is the holder's data: in their export; when they delete their account it stays, revoked as
"the holder's account was deleted", naming no one, and its PDF goes."""
from __future__ import annotations

import json

from certificates_helpers import issue_to
from conftest import PASSWORD, read_html
from network.auth import services as accounts
from network.certificates import pdf
from network.certificates import services as certificates
from network.certificates.models import HOLDER_ERASED, Certificate
from network.extensions import db


def test_the_export_holds_the_persons_certificates(app, users):
    ana = users["professional"]
    certificate = issue_to(ana, hours=None)
    issue_to(users["outsider"], title="Not Ana's")
    [exported] = json.loads(json.dumps(accounts.export_user_data(ana)))["certificates"]
    assert exported["code"] == certificate.display_code and exported["holder_name"] == ana.name
    assert exported["title"] == "Family group facilitation" and exported["hours"] is None
    assert exported["issued_on"] == "2026-11-20" and exported["revoked_at"] is None


def test_deleting_the_account_keeps_the_certificate_revoked_and_nameless(app, client, users, monkeypatch):
    ana = users["professional"]
    name = ana.name
    certificate = issue_to(ana)
    revoked = issue_to(ana, subject_id=2)
    certificates.revoke(users["site_admin"], revoked, f"{name} was not there.")  # a reason naming her
    path = pdf.pdf_path(certificate)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7 naming " + name.encode())
    code, other = certificate.display_code, revoked.display_code

    accounts.delete_account(ana, PASSWORD)
    db.session.expire_all()

    for kept in (db.session.get(Certificate, certificate.id), db.session.get(Certificate, revoked.id)):
        assert kept.person_id is None and kept.holder_name == "" and kept.revoked_reason == ""
        assert kept.revoked and kept.revocation == HOLDER_ERASED
    assert not path.exists()
    for shown in (code, other):
        response = client.get(f"/certificates/{shown}")
        text = read_html(response).get_text(" ", strip=True)
        assert response.status_code == 200 and name not in text
        assert "account has since been deleted" in text and "Genuine" not in text
        assert "Family group facilitation" in text  # what was issued, by whom and when: still true
