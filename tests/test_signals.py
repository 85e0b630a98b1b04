"""The signals between features (docs/architecture.md, "Signals"): each is sent by the service that makes the
change, with the arguments its contract names, at the moment it names, and its receivers act."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from markupsafe import Markup
from sqlalchemy import func, select

from collections_helpers import make_collection
from conftest import PASSWORD, read_html
from mobility_helpers import W1
from network.audit import AuditEntry
from network.auth import services as accounts
from network.auth.models import EVALUATOR, INSTITUTION_ADMIN, PENDING, SITE_ADMIN, User
from network.auth.signals import roles_changed, user_erased
from network.collections import services as collections
from network.collections.models import Collection, CollectionEdition, CollectionItem
from network.errors import ServiceError
from network.events.models import Event
from network.extensions import db
from network.institutions.signals import institution_page
from network.mobility import services as mobility
from network.mobility.signals import visit_completed
from network.practices.models import Practice
from network.practices.signals import practice_deleted, practice_page


class Received:
    """A receiver that notes each call: the sender, the arguments, and what `look` saw at that moment."""

    def __init__(self, look=lambda sender: None, returns=None):
        self.calls: list[tuple[object, dict, object]] = []
        self.look, self.returns = look, returns

    def __call__(self, sender, **kwargs):
        self.calls.append((sender, kwargs, self.look(sender)))
        return self.returns


def in_transaction(_sender) -> bool:
    return db.session().in_transaction()


# --- mobility.visit_completed -----------------------------------------------------------------------


def test_visit_completed_is_sent_in_the_transaction_and_essays_make_the_visit_an_event(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    received = Received(in_transaction)
    with visit_completed.connected_to(received):
        mobility.complete_visit(exchange.coordinator, visit, today=W1)

    assert received.calls == [(visit, {"actor": exchange.coordinator}, True)]
    event = db.session.scalar(select(Event).where(Event.visit_id == visit.id))
    assert event is not None and event.participants == [visit.visitor]


# --- practices.practice_deleted ---------------------------------------------------------------------


@pytest.fixture
def shelf(make_institution, make_user, make_practice):
    home = make_institution(name="Fundación Familias")
    admin = make_user(INSTITUTION_ADMIN, institution=home)
    first, gone, last = (make_practice(home, admin, title=title) for title in ("First", "Soon gone", "Last"))
    manual = make_collection(admin, home, practices=[first, gone, last], title="Manual")
    reading = make_collection(admin, home, practices=[gone], title="Reading list")
    edition = collections.publish_edition(admin, manual)
    long_ago = datetime(2020, 1, 1, tzinfo=timezone.utc)
    manual.updated_at = reading.updated_at = long_ago
    db.session.commit()
    return dict(admin=admin, first=first, gone=gone, last=last, manual=manual.id, reading=reading.id,
                edition=edition.id, long_ago=long_ago)


def test_practice_deleted_is_sent_before_the_row_goes_with_the_practice_and_the_actor(shelf):
    from network.practices import services as practices

    gone = shelf["gone"]
    still_there = Received(lambda practice: db.session.scalar(
        select(func.count()).select_from(Practice).where(Practice.id == practice.id)))
    with practice_deleted.connected_to(still_there):
        practices.delete_practice(shelf["admin"], gone)

    assert still_there.calls == [(gone, {"actor": shelf["admin"]}, 1)]
    assert db.session.scalar(select(func.count()).select_from(Practice).where(Practice.title == "Soon gone")) == 0


def test_the_collections_holding_a_deleted_practice_let_it_go_and_note_it(shelf):
    from network.practices import services as practices

    gone_id = shelf["gone"].id
    practices.delete_practice(shelf["admin"], shelf["gone"])
    db.session.expire_all()

    manual, reading = db.session.get(Collection, shelf["manual"]), db.session.get(Collection, shelf["reading"])
    # The others close up, as when an editor removes an item.
    assert sorted((i.practice_id, i.position) for i in manual.items) == [(shelf["first"].id, 0),
                                                                         (shelf["last"].id, 1)]
    assert reading.items == []
    assert db.session.scalar(select(func.count()).select_from(CollectionItem)
                             .where(CollectionItem.practice_id == gone_id)) == 0
    assert manual.updated_at > shelf["long_ago"] and reading.updated_at > shelf["long_ago"]
    notes = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "collection.practice_withdrawn")
                               .order_by(AuditEntry.target_id)).all()
    assert [(n.target_id, n.target_label, n.actor_id, n.details) for n in notes] == [
        (collection_id, title, shelf["admin"].id, {"practice_id": gone_id, "practice_title": "Soon gone"})
        for collection_id, title in sorted([(shelf["manual"], "Manual"), (shelf["reading"], "Reading list")])]
    # The published edition keeps its frozen text.
    edition = db.session.get(CollectionEdition, shelf["edition"])
    assert [item["title"] for item in edition.contents["chapters"][0]["items"]] == ["First", "Soon gone", "Last"]


# --- auth.roles_changed -----------------------------------------------------------------------------


def after_the_commit(user) -> tuple[bool, set[str], str]:
    """Whether a transaction was open when the signal came, then the person's roles and membership as read."""
    open_transaction = db.session().in_transaction()
    return open_transaction, set(user.roles), user.membership_status


def test_roles_changed_is_sent_after_the_commit_when_the_roles_change(make_user):
    site_admin, person = make_user(SITE_ADMIN), make_user()
    received = Received(after_the_commit)
    with roles_changed.connected_to(received):
        accounts.set_roles(site_admin, person, [EVALUATOR])
        accounts.set_roles(site_admin, person, [EVALUATOR])  # the same roles: nothing changed, nothing sent

    assert received.calls == [(person, {"actor": site_admin}, (False, {EVALUATOR}, "approved"))]


def test_roles_changed_is_sent_when_a_membership_is_decided(make_user, make_institution):
    home = make_institution()
    institution_admin, newcomer = make_user(INSTITUTION_ADMIN, institution=home), make_user(institution=home,
                                                                                           status=PENDING)
    received = Received(after_the_commit)
    with roles_changed.connected_to(received):
        accounts.decide_membership(institution_admin, newcomer, approve=True)

    assert received.calls == [(newcomer, {"actor": institution_admin}, (False, set(), "approved"))]


# --- auth.user_erased -------------------------------------------------------------------------------


def test_user_erased_is_sent_after_the_deletion_committed_with_who_the_account_was(make_user):
    person = make_user(name="Ana Pérez", email="ana@example.org")
    person_id = person.id
    received = Received(lambda user_id: (db.session().in_transaction(), db.session.get(User, user_id)))
    with user_erased.connected_to(received):
        accounts.delete_account(person, PASSWORD)

    assert received.calls == [(person_id, {"name": "Ana Pérez", "email": "ana@example.org"}, (False, None))]


def test_user_erased_is_not_sent_when_the_deletion_is_refused(make_user):
    received = Received()
    with user_erased.connected_to(received), pytest.raises(ServiceError):
        accounts.delete_account(make_user(), "not the password")
    assert received.calls == []


# --- the pages' panels (network/panels.py) ---------------------------------------------------------


def test_the_institution_page_shows_the_panels_of_its_signal_in_order(client, make_institution, make_practice):
    institution = make_institution(name="Casa Abierta")
    make_practice(institution, title="Walking groups for carers")
    calls = []

    def extra(sender, viewer):
        calls.append((sender.id, viewer.is_authenticated))
        return Markup('<section id="extra-panel">More</section>')

    with institution_page.connected_to(extra):
        page = read_html(client.get(f"/institutions/{institution.slug}"))

    assert calls == [(institution.id, False)]
    headings = [h.get_text() for h in page.select("h2")]
    assert "Practices" in headings  # practices' own panel, connected by its init_app
    text = page.find("main").get_text()  # (the header has a "More" menu of its own)
    assert text.index("Walking groups for carers") < text.index("More")
    assert page.find(id="extra-panel") is not None


def test_the_practice_page_shows_the_collections_holding_it_through_its_signal(client, make_institution,
                                                                             make_user, make_practice):
    home = make_institution()
    admin = make_user(INSTITUTION_ADMIN, institution=home)
    practice = make_practice(home, admin, title="Seed swapping")
    make_collection(admin, home, practices=[practice], title="Allotments")
    received = Received()
    with practice_page.connected_to(received):
        page = read_html(client.get(f"/practices/{practice.id}"))

    assert [(sender.id, sorted(kwargs)) for sender, kwargs, _seen in received.calls] == [(practice.id, ["viewer"])]
    section = page.find("section", attrs={"aria-labelledby": "in-collections-heading"})
    assert section is not None and "Allotments" in section.get_text()


def test_the_event_page_shows_the_essays_written_for_it_through_its_signal(client, auth, exchange, make_user):
    from essays_helpers import record_training, written
    from network.events.signals import event_page

    author = make_user(institution=exchange.sender, name="Aino Author")
    event = record_training(exchange, [author])  # in May 2026: over by the tests' today
    written(author, event, "published", reviewer=exchange.coordinator, title="What the groups taught me")
    received = Received()
    auth.login(author)
    with event_page.connected_to(received):
        page = read_html(client.get(f"/events/{event.id}"))

    assert [(sender.id, sorted(kwargs)) for sender, kwargs, _seen in received.calls] == [(event.id, ["viewer"])]
    section = page.find("section", attrs={"aria-labelledby": "event-essays-heading"})
    assert section is not None and "What the groups taught me" in section.get_text()


# --- events.event_ended -----------------------------------------------------------------------------


def test_event_ended_is_sent_once_in_the_transaction_and_essays_ask_for_the_essay(exchange, make_user):
    from essays_helpers import record_training
    from network.events import services as events
    from network.events.signals import event_ended
    from network.notifications.models import Notification

    author = make_user(institution=exchange.sender, name="Aino Author")
    event = record_training(exchange, [author])  # in May 2026: over by the tests' today
    received = Received(in_transaction)
    with event_ended.connected_to(received):
        events.end_events()
        events.end_events()

    assert received.calls == [(event, {"participants": [author], "actor": None}, True)]
    asked = db.session.scalars(select(Notification.link).where(Notification.user_id == author.id,
                                                                Notification.kind == "essay")).all()
    assert asked == [f"/essays/new?event={event.id}"]
