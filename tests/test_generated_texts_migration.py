"""Migration 4c8e1a7d2f90: texts the platform stored composed (in one language) become codes, rendered when read;
a downgrade writes them back as they were, and rows it cannot read stay as they are."""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from essays_helpers import written
from mobility_helpers import W1, set_today
from network.audit import AuditEntry
from network.auth.models import EVALUATOR
from network.events import services as events
from network.extensions import db
from network.mobility import services as mobility
from network.notifications.models import Notification

BEFORE = "1150f9fedd53"


def _rows(sql: str, **params) -> list:
    return db.session.execute(sa.text(sql), params).all()


def test_stored_sentences_become_codes_and_come_back_on_a_downgrade(app, exchange, make_applicant, make_user,
                                                                    make_institution, monkeypatch):
    application = make_applicant(interests=["interfamily groups"], languages=["en", "fi"])
    visit = mobility.book_visit(exchange.coordinator, application, exchange.seville_offer, W1, reasons=[
        {"code": "choice", "rank": 1}, {"code": "interests", "names": ["interfamily groups"]},
        {"code": "languages", "codes": ["en"]}])
    mobility.confirm_visit(exchange.seville_admin, visit)
    set_today(monkeypatch, W1)
    mobility.complete_visit(exchange.seville_admin, visit)
    event = events.visit_event_of(visit)
    evaluator = make_user(EVALUATOR, institution=make_institution(name="Evaluation Unit"))
    essay = written(visit.visitor, event, "published", reviewer=evaluator, title="Grupos")
    ids = dict(visit=visit.id, event=event.id, visitor=visit.visitor.id, essay_link=f"/essays/{essay.id}",
               name=visit.visitor.name)
    db.session.remove()

    downgrade(revision=BEFORE)
    assert _rows("SELECT match_reasons FROM visits WHERE id = :id", id=ids["visit"])[0][0] == (
        "Their choice number 1; Shared interests: interfamily groups; Shared languages: English")
    assert _rows("SELECT title, visit_id FROM training_events WHERE id = :id", id=ids["event"])[0] == (
        "Job-shadowing visit at Seville Family Centre", ids["visit"])
    # The column went without copying the table: what refers to the visit is still there (foreign keys are on).
    assert _rows("SELECT count(*) FROM visit_activities WHERE visit_id = :id", id=ids["visit"])[0][0] == 3
    labels = [row[0] for row in _rows("SELECT target_label FROM audit_entries WHERE target_type = 'visit'")]
    assert labels and all(label == f"{ids['name']} at Seville Family Centre, 2027-W09" for label in labels)
    # As rows were before: the essays' notification without its code; a sentence written in Spanish; one typed.
    db.session.execute(sa.text("UPDATE notifications SET message_id = NULL, params = NULL "
                               "WHERE link = :link AND user_id = :author"),
                       {"link": ids["essay_link"], "author": ids["visitor"]})
    db.session.execute(sa.text("UPDATE visits SET match_reasons = :text WHERE id = :id"),
                       {"id": ids["visit"],
                        "text": "Su opción n.º 2; Intereses comunes: grupos; Idiomas comunes: inglés"})
    db.session.commit()
    db.session.remove()

    upgrade()
    reasons, text = _rows("SELECT match_reason_codes, match_reasons FROM visits WHERE id = :id", id=ids["visit"])[0]
    assert text == "" and (reasons if isinstance(reasons, list) else json.loads(reasons)) == [
        {"code": "choice", "rank": 2}, {"code": "interests", "names": ["grupos"]},
        {"code": "languages", "codes": ["en"]}]
    assert _rows("SELECT title FROM training_events WHERE id = :id", id=ids["event"])[0][0] == ""
    note = db.session.scalar(sa.select(Notification).where(Notification.link == ids["essay_link"],
                                                            Notification.user_id == ids["visitor"]))
    assert note.message_id == "Your essay “%(title)s” is published." and note.params == {"title": "Grupos"}
    assert {e.target_label for e in db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.target_type == "visit"))} == {f"{ids['name']} · Seville Family Centre · 2027-W09"}
    proposed = db.session.scalars(sa.select(Notification).where(
        Notification.message_id == "A visit was proposed: %(label)s.")).all()
    assert proposed and all(n.params["label"] == f"{ids['name']} · Seville Family Centre · 2027-W09"
                            for n in proposed)


def test_a_sentence_the_migration_cannot_read_stays_and_is_shown(app, exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1,
                                reasons="preference 1; shared language: en")
    visit_id = visit.id
    db.session.remove()
    downgrade(revision=BEFORE)
    upgrade()
    assert _rows("SELECT match_reasons, match_reason_codes FROM visits WHERE id = :id", id=visit_id)[0] == (
        "preference 1; shared language: en", None)
