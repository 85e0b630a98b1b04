"""Mobility services: offers, applications, endorsement, matching, the visit state machine, waiting lists."""
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from mobility_helpers import W1, W2, W3, application_data, offer_data, set_today, week
from network import mail
from network.auth.models import COORDINATOR
from network.errors import ServiceError
from network.extensions import db
from network.mobility import services as mobility
from network.mobility.models import CANCELLED, COMPLETED, CONFIRMED, DECLINED, ENDORSED, PROPOSED, SUBMITTED, Visit
from network.mobility.services import ActivityData
from network.mobility.weeks import WeekError, has_begun, holidays_in_week, parse_week, still_to_come
from network.notifications.models import Notification


def messages(error: ServiceError, name: str) -> str:
    return " ".join(str(m) for m in error.errors.get(name, []))


# --- weeks ---------------------------------------------------------------------------------------


def test_a_week_is_read_from_an_iso_week_or_its_monday():
    assert parse_week("2027-W09") == W1
    assert parse_week("2027-03-01") == W1
    with pytest.raises(WeekError, match="not a Monday"):
        parse_week("2027-03-02")
    with pytest.raises(WeekError, match="not a week"):
        parse_week("next week")
    with pytest.raises(WeekError):
        parse_week("2027-W60")


def test_a_week_has_begun_from_its_monday_on(monkeypatch):
    assert not has_begun(W2, date(2027, 3, 7))  # the Sunday before
    assert has_begun(W2, W2) and has_begun(W2, W3)
    set_today(monkeypatch, W2)
    assert has_begun(W1) and has_begun(W2) and not has_begun(W3)
    assert still_to_come([W3, W1, W2]) == [W3]


def test_public_holidays_in_the_host_country_are_marked():
    spanish = holidays_in_week("ES", date(2026, 12, 7))
    assert date(2026, 12, 8) in spanish  # Immaculate Conception
    assert date(2026, 12, 8) not in holidays_in_week("FI", date(2026, 12, 7))
    assert holidays_in_week("XX", date(2026, 12, 7)) == {}  # a country the library does not know


# --- offers --------------------------------------------------------------------------------------


def test_an_offer_keeps_weeks_programme_and_approaches(exchange):
    offer = exchange.seville_offer
    assert [(w.week_start, w.capacity) for w in offer.weeks] == [(W1, 1), (W2, 1), (W3, 2)]
    assert [(a.day, a.kind) for a in offer.activities] == [(1, "formal_session"), (2, "interfamily_group"),
                                                          (5, "reflection")]
    assert offer.tag_names == ["home visits", "interfamily groups"]
    assert offer.languages == ["es", "en"] and offer.total_quota == 6


@pytest.mark.parametrize("weeks, expected", [
    ({"2027-03-02": 1}, "not a Monday"),
    ({"2028-W10": 1}, "outside the partnership's dates"),
    ({"2025-W40": 1}, "outside the partnership's dates"),
    ({week(W1): -1}, "capacity"),
    ({"soon": 1}, "not a week"),
])
def test_an_offer_with_a_bad_week_is_refused_with_the_rule_named(exchange, weeks, expected):
    with pytest.raises(ServiceError) as raised:
        mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville, offer_data(weeks=weeks))
    assert expected in messages(raised.value, "weeks")
    db.session.rollback()
    assert [w.week_start for w in mobility.get_offer(exchange.seville_offer.id).weeks] == [W1, W2, W3]  # unchanged


def test_capacity_and_quota_cannot_drop_below_the_visits_already_planned(exchange, make_applicant):
    application = make_applicant()
    mobility.book_visit(exchange.coordinator, application, exchange.seville_offer, W1)
    with pytest.raises(ServiceError) as raised:
        mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville,
                            offer_data(weeks={week(W1): 0, week(W2): 1}, total_quota=0))
    assert "already has 1 visits" in messages(raised.value, "weeks")
    assert "cannot be lower" in messages(raised.value, "total_quota")


def test_an_offer_needs_a_language_and_valid_activities(exchange):
    with pytest.raises(ServiceError) as raised:
        mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville, offer_data(
            languages=[], activities=[ActivityData(day=6, kind="formal_session")]))
    assert raised.value.errors.keys() >= {"languages", "activities"}


# --- applications --------------------------------------------------------------------------------


def test_applying_notifies_the_home_admins_and_waits_for_endorsement(exchange, make_user):
    person = make_user(institution=exchange.sender)
    application = mobility.save_application(person, exchange.partnership, application_data(
        preferred_hosts=[exchange.arad.id, exchange.seville.id]))
    assert application.status == SUBMITTED
    assert application.preferred_host_ids == [exchange.arad.id, exchange.seville.id]
    assert application.available_weeks == [W1, W2]
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == exchange.sender_admin.id)) == 1
    assert mobility.applications_to_endorse(exchange.sender_admin) == [application]
    assert mobility.applications_to_endorse(exchange.seville_admin) == []


@pytest.mark.parametrize("overrides, field, expected", [
    (dict(weeks=[]), "weeks", "at least one week"),
    (dict(weeks=["2027-03-03"]), "weeks", "not a Monday"),
    (dict(motivation=" "), "motivation", "why"),
    (dict(languages=[]), "languages", "languages"),
])
def test_a_bad_application_is_refused_with_the_rule_named(exchange, make_user, overrides, field, expected):
    person = make_user(institution=exchange.sender)
    with pytest.raises(ServiceError) as raised:
        mobility.save_application(person, exchange.partnership, application_data(**overrides))
    assert expected in messages(raised.value, field)
    assert mobility.application_of(person, exchange.partnership) is None  # nothing half-saved


@pytest.fixture
def third_host(exchange):
    """The coordinating institution offers visits too: a third host to choose."""
    mobility.save_offer(exchange.coordinator, exchange.partnership, exchange.coordinating,
                        offer_data(languages=["fr", "en"]))
    return exchange.coordinating


@pytest.mark.parametrize("hosts, weeks", [
    (["seville", "third"], [W1, W2]),  # another second choice
    (["arad", "seville"], [W1, W2]),  # first and second choice swapped
    (["arad"], [W2, W3]),  # one host dropped; one week kept, one dropped, one added
    (["third", "seville", "arad"], [W3]),
    (["seville", "arad"], [W1, W2]),  # saved again unchanged
    ([], [W1, W3]),  # no host preferred any more; one week kept
])
def test_an_application_changes_its_hosts_and_weeks(exchange, make_user, third_host, hosts, weeks):
    person = make_user(institution=exchange.sender)
    ids = {"seville": exchange.seville.id, "arad": exchange.arad.id, "third": third_host.id}
    application = mobility.save_application(person, exchange.partnership, application_data(
        preferred_hosts=[exchange.seville.id, exchange.arad.id], weeks=[week(W1), week(W2)]))

    changed = mobility.save_application(person, exchange.partnership, application_data(
        preferred_hosts=[ids[name] for name in hosts], weeks=[week(monday) for monday in weeks]))

    assert changed.id == application.id
    db.session.expire_all()  # read back what the database holds
    assert application.preferred_host_ids == [ids[name] for name in hosts]
    assert [p.rank for p in application.preferences] == list(range(1, len(hosts) + 1))
    assert application.available_weeks == weeks


@pytest.mark.parametrize("hosts", [["seville", "seville"], ["seville", "arad", "seville"],
                                   ["arad", "arad", "arad"]])
def test_a_host_chosen_twice_is_refused_rather_than_dropped(exchange, make_user, hosts):
    person = make_user(institution=exchange.sender)
    ids = {"seville": exchange.seville.id, "arad": exchange.arad.id}
    with pytest.raises(ServiceError) as raised:
        mobility.save_application(person, exchange.partnership, application_data(
            preferred_hosts=[ids[name] for name in hosts]))
    assert "same host twice" in messages(raised.value, "repeated_hosts")
    assert mobility.application_of(person, exchange.partnership) is None


def test_nobody_applies_to_visit_their_own_institution(exchange, make_user):
    person = make_user(institution=exchange.seville)
    with pytest.raises(ServiceError) as raised:
        mobility.save_application(person, exchange.partnership, application_data(preferred_hosts=[exchange.seville.id]))
    assert "own institution" in messages(raised.value, "preferred_hosts")


def test_outsiders_cannot_apply(exchange, make_user, make_institution):
    person = make_user(institution=make_institution(name="Elsewhere"))
    with pytest.raises(ServiceError):
        mobility.save_application(person, exchange.partnership, application_data())


def test_only_the_home_admins_endorse(exchange, make_applicant):
    application = make_applicant(endorse=False)
    with pytest.raises(ServiceError):
        mobility.decide_application(exchange.seville_admin, application, endorse=True)
    mobility.decide_application(exchange.sender_admin, application, endorse=False, note="Not this year")
    assert application.status == DECLINED and application.decision_note == "Not this year"
    mobility.decide_application(exchange.sender_admin, application, endorse=True)
    assert application.status == ENDORSED


# --- matching and booking -------------------------------------------------------------------------


def test_matching_proposes_and_accepting_books_proposed_visits_with_the_programme(exchange, make_applicant):
    first = make_applicant(preferred_hosts=[exchange.seville.id], weeks=[week(W1)])
    second = make_applicant(preferred_hosts=[exchange.arad.id], weeks=[week(W1)], interests=["attachment"])
    proposal = mobility.propose_matching(exchange.partnership)
    chosen = {(m.application_id, m.offer_id, m.week) for m in proposal.matches}
    assert chosen == {(first.id, exchange.seville_offer.id, W1), (second.id, exchange.arad_offer.id, W1)}

    result = mobility.accept_matches(exchange.coordinator, exchange.partnership, sorted(chosen))

    assert not result.refused and len(result.created) == 2
    visit = mobility.active_visit_of(first)
    assert visit.status == PROPOSED and visit.week_start == W1 and visit.visitor_id == first.user_id
    assert [(a.day, a.kind) for a in visit.activities] == [(1, "formal_session"), (2, "interfamily_group"),
                                                          (5, "reflection")]
    assert mobility.propose_matching(exchange.partnership).matches == []  # nobody left to place


@pytest.mark.parametrize("case, expected", [
    ("own institution", "own institution"),
    ("unavailable week", "not available"),
    ("no shared language", "language"),
    ("week full", "no place left"),
    ("already placed", "already"),
])
def test_a_manual_assignment_breaking_a_rule_is_refused_with_the_rule_named(exchange, make_applicant, case, expected):
    application = make_applicant(weeks=[week(W1), week(W2)])
    offer, monday = exchange.seville_offer, W1
    if case == "own institution":
        application = make_applicant(institution=exchange.seville, preferred_hosts=[exchange.arad.id])
    elif case == "unavailable week":
        monday = W3
    elif case == "no shared language":
        application = make_applicant(languages=["fi"])
    elif case == "week full":
        mobility.book_visit(exchange.coordinator, make_applicant(), offer, W1)
    elif case == "already placed":
        mobility.book_visit(exchange.coordinator, application, exchange.arad_offer, W2)

    with pytest.raises(ServiceError) as raised:
        mobility.book_visit(exchange.coordinator, application, offer, monday)

    assert expected in messages(raised.value, "visit").lower()


def test_the_quota_over_the_partnership_holds(exchange, make_applicant):
    mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville,
                        offer_data(total_quota=1, weeks={week(W1): 2}))
    mobility.book_visit(exchange.coordinator, make_applicant(weeks=[week(W1)]), exchange.seville_offer, W1)
    with pytest.raises(ServiceError) as raised:
        mobility.book_visit(exchange.coordinator, make_applicant(weeks=[week(W1)]), exchange.seville_offer, W1)
    assert "quota" in messages(raised.value, "visit").lower()


def test_only_coordinators_book(exchange, make_applicant):
    with pytest.raises(ServiceError):
        mobility.book_visit(exchange.seville_admin, make_applicant(), exchange.seville_offer, W1)


def test_an_unendorsed_application_cannot_be_booked(exchange, make_applicant):
    with pytest.raises(ServiceError) as raised:
        mobility.book_visit(exchange.coordinator, make_applicant(endorse=False), exchange.seville_offer, W1)
    assert "not endorsed" in messages(raised.value, "visit")


# --- the visit's life -----------------------------------------------------------------------------


def test_proposed_confirmed_completed(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    with pytest.raises(ServiceError):
        mobility.complete_visit(exchange.seville_admin, visit, today=W2)  # not confirmed yet
    mobility.confirm_visit(exchange.seville_admin, visit)
    assert visit.status == CONFIRMED and visit.confirmed_at is not None
    with pytest.raises(ServiceError, match="week has begun"):
        mobility.complete_visit(exchange.seville_admin, visit, today=date(2027, 2, 26))
    mobility.complete_visit(exchange.seville_admin, visit, today=W2)
    assert visit.status == COMPLETED
    with pytest.raises(ServiceError):
        mobility.cancel_visit(exchange.coordinator, visit, "Too late")
    essay_prompt = db.session.scalar(select(Notification.message).where(Notification.user_id == visit.visitor_id)
                                     .order_by(Notification.id.desc()))
    assert "essay" in essay_prompt


@pytest.fixture
def sent_emails(app, monkeypatch):
    """(to, subject) of every notification email sent, as with a mail server configured."""
    sent = []
    app.config["MAIL_SERVER"] = "smtp.example.org"
    monkeypatch.setattr(mail, "send_email", lambda to, subject, body: sent.append((to, subject)))
    return sent


def test_completing_a_visit_asks_the_visitor_for_an_essay_once(exchange, make_applicant, sent_emails):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.seville_admin, visit)
    before = db.session.scalar(select(func.max(Notification.id)))
    sent_emails.clear()

    mobility.complete_visit(exchange.seville_admin, visit, today=W1)

    told = db.session.execute(select(Notification.user_id, Notification.kind, Notification.message)
                              .where(Notification.id > before)).all()
    to_the_visitor = [(kind, message) for user_id, kind, message in told if user_id == visit.visitor_id]
    assert len([message for _kind, message in to_the_visitor if "essay" in message]) == 1, to_the_visitor
    assert len(to_the_visitor) == 1, to_the_visitor
    assert [to for to, _subject in sent_emails].count(visit.visitor.email) == 1, sent_emails
    # The host's admins and the coordinators still learn that the visit is completed.
    others = {user_id for user_id, kind, _message in told if kind == "visit"}
    assert {exchange.seville_admin.id, exchange.coordinator.id} <= others


def test_the_visitor_of_another_host_cannot_confirm(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    with pytest.raises(ServiceError):
        mobility.confirm_visit(exchange.arad_admin, visit)
    with pytest.raises(ServiceError):
        mobility.confirm_visit(visit.visitor, visit)


def test_a_cancellation_needs_a_reason_and_frees_the_place(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    with pytest.raises(ServiceError) as raised:
        mobility.cancel_visit(visit.visitor, visit, "  ")
    assert "why" in messages(raised.value, "reason")
    mobility.cancel_visit(visit.visitor, visit, "Illness in the family")
    assert visit.status == CANCELLED and visit.cancel_reason == "Illness in the family"
    assert mobility.booked_per_week(exchange.seville_offer)[W1] == 0


def test_everyone_concerned_is_notified_of_a_change(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.seville_admin, visit)
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.link == f"/mobility/visits/{visit.id}")))
    assert {visit.visitor_id, exchange.seville_admin.id, exchange.coordinator.id} <= told


def test_the_programme_can_be_adjusted_per_visit(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.update_programme(exchange.seville_admin, visit, [ActivityData(day=3, kind="service_visit",
                                                                           description="Day centre")])
    assert [(a.day, a.kind, a.description) for a in visit.activities] == [(3, "service_visit", "Day centre")]
    assert len(exchange.seville_offer.activities) == 3  # the template is unchanged
    with pytest.raises(ServiceError):
        mobility.update_programme(exchange.seville_admin, visit, [ActivityData(day=7, kind="x")])


# --- weeks that have begun -------------------------------------------------------------------------
# Nothing offers a week that has begun (its Monday is today or earlier): not the forms' lists, not the
# services that save offers and applications, not the matching, not booking nor confirming.


def test_an_application_cannot_choose_a_week_that_has_begun(exchange, make_user, monkeypatch):
    person = make_user(institution=exchange.sender)
    set_today(monkeypatch, W2)
    with pytest.raises(ServiceError) as raised:
        mobility.save_application(person, exchange.partnership,
                                  application_data(weeks=[week(W1), week(W2), week(W3)]))
    refused = messages(raised.value, "weeks")
    assert "2027-W09 has begun" in refused and "2027-W10 has begun" in refused and "W11" not in refused
    assert mobility.application_of(person, exchange.partnership) is None


def test_an_application_whose_weeks_have_all_passed_chooses_new_ones(exchange, make_user, monkeypatch):
    person = make_user(institution=exchange.sender)
    application = mobility.save_application(person, exchange.partnership, application_data(weeks=[week(W1)]))
    set_today(monkeypatch, date(2027, 3, 7))  # Sunday: W1 is over, W2 still to come

    assert mobility.application_data_of(application).weeks == []  # nothing left to keep ticked
    assert mobility.weeks_to_choose(mobility.offers_in(exchange.partnership), application) == [W2, W3]
    mobility.save_application(person, exchange.partnership, application_data(weeks=[week(W2)]))
    assert application.available_weeks == [W2]


def test_an_offer_cannot_add_a_week_that_has_begun_and_keeps_those_that_have(exchange, monkeypatch):
    set_today(monkeypatch, W2)

    def save(weeks):
        return mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville,
                                   offer_data(weeks=weeks))

    for weeks, wrong in (({"2027-W08": 1, week(W3): 2}, "2027-W08 has begun"),  # a new week
                         ({week(W1): 3, week(W3): 2}, "2027-W09 has begun")):  # a begun week's capacity
        with pytest.raises(ServiceError) as raised:
            save(weeks)
        assert wrong in messages(raised.value, "weeks")
        db.session.rollback()

    save({week(W3): 1})  # the weeks that have begun are left out, as the offer form shows them
    offer = mobility.get_offer(exchange.seville_offer.id)
    assert [(w.week_start, w.capacity) for w in offer.weeks] == [(W1, 1), (W2, 1), (W3, 1)]  # history kept
    assert mobility.offer_data_of(offer).weeks == {week(W3): 1}
    save({week(W1): 1, week(W2): 1, week(W3): 2})  # the whole list sent back unchanged is fine too
    assert [w.capacity for w in mobility.get_offer(exchange.seville_offer.id).weeks] == [1, 1, 2]
    assert mobility.weeks_to_offer(exchange.partnership)[0] == W3


def test_the_matching_never_proposes_a_week_that_has_begun(exchange, make_applicant, monkeypatch):
    only_w1 = make_applicant(preferred_hosts=[exchange.seville.id], weeks=[week(W1)])
    w1_or_w2 = make_applicant(preferred_hosts=[exchange.seville.id], weeks=[week(W1), week(W2)])
    set_today(monkeypatch, W1)

    proposal = mobility.propose_matching(exchange.partnership)

    assert [(m.application_id, m.week) for m in proposal.matches] == [(w1_or_w2.id, W2)]
    assert [u.application_id for u in proposal.unplaced] == [only_w1.id]


def test_booking_accepting_and_confirming_refuse_a_week_that_has_begun(exchange, make_applicant, monkeypatch):
    in_w1, in_w2 = make_applicant(weeks=[week(W1)]), make_applicant(weeks=[week(W2)])
    proposed = mobility.book_visit(exchange.coordinator, in_w2, exchange.seville_offer, W2)
    set_today(monkeypatch, W1)

    with pytest.raises(ServiceError) as raised:
        mobility.book_visit(exchange.coordinator, in_w1, exchange.seville_offer, W1)
    assert "2027-W09" in messages(raised.value, "visit") and "has begun" in messages(raised.value, "visit")
    result = mobility.accept_matches(exchange.coordinator, exchange.partnership,
                                     [(in_w1.id, exchange.arad_offer.id, W1)])
    assert not result.created and "has begun" in " ".join(result.refused[in_w1.id])
    assert mobility.active_visit_of(in_w1) is None

    set_today(monkeypatch, W2)
    with pytest.raises(ServiceError) as raised:
        mobility.confirm_visit(exchange.seville_admin, proposed)
    assert "has begun" in messages(raised.value, "visit")
    db.session.rollback()
    assert mobility.get_visit(proposed.id).status == PROPOSED


def test_a_visit_whose_week_has_passed_is_still_completed_or_cancelled(exchange, make_applicant, monkeypatch):
    done = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.seville_admin, done)
    dropped = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.arad_offer, W2)
    set_today(monkeypatch, W3)

    mobility.complete_visit(exchange.seville_admin, done)
    mobility.cancel_visit(exchange.coordinator, dropped, "Nobody went")

    assert (done.status, dropped.status) == (COMPLETED, CANCELLED)


def test_a_cancelled_place_in_a_week_that_has_begun_goes_to_nobody(exchange, make_applicant, monkeypatch):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(preferred_hosts=[exchange.seville.id]),
                                exchange.seville_offer, W1)
    waiting = make_applicant(preferred_hosts=[exchange.seville.id], weeks=[week(W1), week(W3)])
    mobility.update_waiting_lists(exchange.partnership)
    set_today(monkeypatch, W1)
    mobility.cancel_visit(exchange.coordinator, visit, "Ill on Monday morning")

    assert mobility.next_suitable(visit) is None
    with pytest.raises(ServiceError):
        mobility.offer_place_to_next(exchange.coordinator, visit)
    assert mobility.active_visit_of(waiting) is None


# --- visits that already took place ----------------------------------------------------------------


def test_a_coordinator_records_a_visit_that_already_took_place(exchange, make_applicant, monkeypatch,
                                                               sent_emails):
    application = make_applicant(weeks=[week(W3)])
    set_today(monkeypatch, W2)
    sent_emails.clear()

    visit = mobility.record_past_visit(exchange.coordinator, application, exchange.arad_offer, W1)

    assert (visit.status, visit.week_start, visit.visitor_id) == (COMPLETED, W1, application.user_id)
    assert visit.confirmed_at and visit.completed_at
    assert [(a.day, a.kind) for a in visit.activities] == [(1, "formal_session"), (2, "interfamily_group"),
                                                          (5, "reflection")]
    essay_prompts = db.session.scalars(select(Notification.link).where(
        Notification.user_id == visit.visitor_id, Notification.kind == "essay")).all()
    assert len(essay_prompts) == 1 and essay_prompts[0].startswith("/essays/new?event=")
    assert [to for to, _subject in sent_emails].count(visit.visitor.email) == 1
    assert mobility.quota_used(exchange.arad_offer) == 1


@pytest.mark.parametrize("case, expected", [
    ("not begun", "not begun"),
    ("not a coordinator", "coordinators"),
    ("already placed", "already"),
    ("own institution", "own institution"),
    ("not endorsed", "not endorsed"),
])
def test_recording_a_past_visit_keeps_the_rules_about_people(exchange, make_applicant, monkeypatch, case,
                                                             expected):
    application, actor, offer, monday = make_applicant(), exchange.coordinator, exchange.seville_offer, W1
    if case == "already placed":
        mobility.book_visit(exchange.coordinator, application, exchange.arad_offer, W2)
    elif case == "not begun":
        monday = W3
    elif case == "not a coordinator":
        actor = exchange.seville_admin
    elif case == "own institution":
        application = make_applicant(institution=exchange.seville, preferred_hosts=[exchange.arad.id])
    elif case == "not endorsed":
        application = make_applicant(endorse=False)
    set_today(monkeypatch, W2)

    with pytest.raises(ServiceError) as raised:
        mobility.record_past_visit(actor, application, offer, monday)

    assert expected in messages(raised.value, "visit").lower()
    db.session.rollback()
    assert mobility.quota_used(exchange.seville_offer) == 0


# --- waiting list ---------------------------------------------------------------------------------


def test_unplaced_applicants_wait_in_order_and_the_next_suitable_one_gets_a_cancelled_place(exchange, make_applicant):
    mobility.save_offer(exchange.seville_admin, exchange.partnership, exchange.seville,
                        offer_data(weeks={week(W1): 1}))
    placed = make_applicant(preferred_hosts=[exchange.seville.id], weeks=[week(W1)])
    unsuitable = make_applicant(preferred_hosts=[exchange.seville.id], weeks=[week(W2)])
    suitable = make_applicant(preferred_hosts=[exchange.seville.id], weeks=[week(W1)])
    result = mobility.accept_matches(exchange.coordinator, exchange.partnership,
                                     [(placed.id, exchange.seville_offer.id, W1)])
    assert result.waiting == 2
    assert [e.application_id for e in mobility.waiting_list(exchange.seville_offer)] == [unsuitable.id, suitable.id]

    visit = mobility.active_visit_of(placed)
    mobility.cancel_visit(exchange.coordinator, visit, "Could not travel")
    assert mobility.next_suitable(visit) == suitable  # the first one is not free that week
    replacement = mobility.offer_place_to_next(exchange.coordinator, visit)

    assert replacement.application_id == suitable.id and replacement.week_start == W1
    assert suitable.id not in [e.application_id for e in mobility.waiting_list(exchange.seville_offer)]
    with pytest.raises(ServiceError):
        mobility.offer_place_to_next(exchange.coordinator, visit)  # the place is taken again


# --- dashboard ------------------------------------------------------------------------------------


def test_the_dashboard_counts_quota_senders_and_months(exchange, make_applicant):
    mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    cancelled = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.arad_offer, W2)
    mobility.cancel_visit(exchange.coordinator, cancelled, "Changed plans")
    make_applicant(endorse=False)

    board = mobility.dashboard(exchange.partnership)

    assert {offer.institution.name: used for offer, used in board.quota} == {
        "Arad Social Services": 0, "Seville Family Centre": 1}
    assert [(i.name, n) for i, n in board.by_sending_institution] == [("Helsinki Family Clinic", 1)]
    assert board.by_country == [("FI", 1)]
    assert [(month, len(visits)) for month, visits in board.by_month] == [("2027-03", 1)]
    assert len(board.open_applications) == 2  # the cancelled visitor's and the unendorsed one
    rows = mobility.visits_csv_rows(exchange.partnership)
    assert rows[0][:3] == ["visit", "week", "monday"] and len(rows) == 3


def test_a_visitor_holds_one_visit_at_a_time_in_the_database(exchange, make_applicant):
    application = make_applicant()
    mobility.book_visit(exchange.coordinator, application, exchange.seville_offer, W1)
    db.session.add(Visit(partnership_id=exchange.partnership.id, offer_id=exchange.arad_offer.id,
                         host_institution_id=exchange.arad.id, application_id=application.id,
                         visitor_id=application.user_id, week_start=W2, status=PROPOSED))
    with pytest.raises(IntegrityError):
        db.session.commit()  # the partial unique index refuses a second active visit
    db.session.rollback()


# --- concurrency ----------------------------------------------------------------------------------


def test_two_coordinators_booking_the_last_place_at_once_get_one_visit(app, exchange, make_user, make_applicant,
                                                                       monkeypatch):
    """Each booking counts the places left and then waits for the other to count too (up to 2 s): without
    the lock both would see a free place and both book it."""
    import threading

    second_coordinator = make_user(COORDINATOR, institution=exchange.coordinating)
    applications = [make_applicant(weeks=[week(W1)]).id, make_applicant(weeks=[week(W1)]).id]
    offer_id, coordinators = exchange.seville_offer.id, [exchange.coordinator.id, second_coordinator.id]
    both_counted = threading.Barrier(2, timeout=2)
    real_count = mobility.booked_per_week

    def count_then_wait(offer):
        booked = real_count(offer)
        try:
            both_counted.wait()
        except threading.BrokenBarrierError:
            pass  # the other booking is queued behind this one's lock, as it should be
        return booked

    monkeypatch.setattr(mobility, "booked_per_week", count_then_wait)
    outcomes = []

    def book(coordinator_id, application_id):
        from network.auth.models import User

        with app.app_context():
            try:
                mobility.book_visit(db.session.get(User, coordinator_id), mobility.get_application(application_id),
                                    mobility.get_offer(offer_id), W1)
                outcomes.append("booked")
            except ServiceError as error:
                outcomes.append(messages(error, "visit"))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=pair) for pair in zip(coordinators, applications)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert outcomes.count("booked") == 1 and any("no place left" in o for o in outcomes), outcomes
    monkeypatch.undo()
    db.session.expire_all()
    assert mobility.booked_per_week(mobility.get_offer(offer_id))[W1] == 1


def test_an_application_sent_back_unchanged_keeps_its_endorsement_and_tells_nobody(exchange, make_applicant):
    application = make_applicant()
    person = application.user
    before = db.session.scalar(select(func.count(Notification.id)))
    again = mobility.save_application(person, exchange.partnership, mobility.application_data_of(application))
    assert again.status == ENDORSED
    assert db.session.scalar(select(func.count(Notification.id))) == before
    changed = mobility.application_data_of(application)
    changed.motivation += " And the evening groups."
    assert mobility.save_application(person, exchange.partnership, changed).status == SUBMITTED  # asks again
    assert db.session.scalar(select(func.count(Notification.id))) == before + 1  # the sending admin


def test_a_programme_sent_back_unchanged_tells_nobody(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    programme = [ActivityData(day=a.day, kind=a.kind, description=a.description) for a in visit.activities]
    before = db.session.scalar(select(func.count(Notification.id)))
    mobility.update_programme(exchange.seville_admin, visit, programme)
    assert db.session.scalar(select(func.count(Notification.id))) == before
    programme[0].description += " (with lunch)"
    mobility.update_programme(exchange.seville_admin, visit, programme)
    assert db.session.scalar(select(func.count(Notification.id))) > before
