"""Events' services: who organises, what an event must say, the programme, registration with its places,
waiting list and approval, dates relative to today, attendance (what essays read), and the event of a visit."""
from __future__ import annotations

import threading
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from events_helpers import CLOSES, FIRST_DAY, LAST_DAY, ONLINE_LINK, OPENS, make_event, session_data
from mobility_helpers import W1, set_today
from network import permissions
from network.auth.models import COORDINATOR, INSTITUTION_ADMIN, PENDING
from network.errors import ServiceError
from network.events import services as events
from network.events.models import APPROVED, CANCELLED, DECLINED, WAITING, Event, EventRegistration
from network.extensions import db
from network.mobility import services as mobility
from network.notifications.models import Notification


def messages(error: ServiceError, name: str) -> str:
    return " ".join(str(m) for m in error.errors.get(name, []))


def notes_of(person) -> list[str]:
    return list(db.session.scalars(select(Notification.message).where(Notification.user_id == person.id)
                                   .order_by(Notification.id)))


@pytest.fixture
def people(exchange, make_user):
    return [make_user(institution=exchange.sender, name=f"Person {n}") for n in range(5)]


# --- organising -------------------------------------------------------------------------------------


def test_a_coordinator_organises_an_event_of_their_partnership(exchange):
    event = make_event(exchange)
    assert (event.partnership_id, event.host_institution_id, event.timezone) == (
        exchange.partnership.id, exchange.seville.id, "Europe/Madrid")
    assert event.languages == ["en", "es"] and event.questions == ["dietary"]
    assert event.starts_at.isoformat() == "2027-01-19T09:00:00+01:00"
    assert permissions.organises_event(exchange.coordinator, event)
    assert permissions.organises_event(exchange.seville_admin, event)  # the host's admin
    assert not permissions.organises_event(exchange.arad_admin, event)


def test_an_institution_admin_organises_only_as_the_host_they_administer(exchange):
    event = make_event(exchange, actor=exchange.arad_admin, host_institution_id=exchange.arad.id)
    assert event.host_institution_id == exchange.arad.id
    with pytest.raises(ServiceError) as refused:
        make_event(exchange, actor=exchange.arad_admin)  # hosted by Seville
    assert "coordinate" in messages(refused.value, "partnership_id")


def test_a_professional_organises_nothing(exchange, people):
    with pytest.raises(ServiceError):
        make_event(exchange, actor=people[0])


@pytest.mark.parametrize("overrides, field", [
    ({"title": " "}, "title"),
    ({"kind": "party"}, "kind"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"timezone": "../../etc/passwd"}, "timezone"),
    ({"end_date": FIRST_DAY - timedelta(days=1)}, "end_date"),
    ({"start_date": date(2028, 1, 1), "end_date": date(2028, 1, 2)}, "start_date"),  # after the partnership
    ({"start_time": None}, "start_time"),  # an end time alone
    ({"online": True, "online_link": "meet.example.org/room"}, "online_link"),
    ({"city": ""}, "city"),
    ({"capacity": 0}, "capacity"),
    ({"registration_closes": FIRST_DAY}, "registration_closes"),
    ({"registration_opens": CLOSES + timedelta(days=1)}, "registration_closes"),
    ({"visibility": "secret"}, "visibility"),
    ({"questions": ["shoe size"]}, "questions"),
    ({"host_institution_id": 999_999}, "host_institution_id"),
])
def test_what_an_event_must_say(exchange, overrides, field):
    with pytest.raises(ServiceError) as refused:
        make_event(exchange, **overrides)
    assert field in refused.value.errors, refused.value.errors


def test_an_online_event_needs_no_place(exchange):
    event = make_event(exchange, online=True, online_link=ONLINE_LINK, city="", address="", country="")
    assert event.online and event.online_link == ONLINE_LINK


def test_the_time_zone_is_guessed_from_the_country():
    assert events.time_zone_of("FI") == "Europe/Helsinki"
    assert events.time_zone_of("ES") == "Europe/Madrid"
    assert events.time_zone_of("") == "UTC" and events.time_zone_of("XX") == "UTC"


def test_an_event_sent_back_unchanged_changes_nothing_and_tells_nobody(exchange, people):
    event = make_event(exchange)
    events.register(people[0], event)
    before = db.session.scalar(select(func.count(Notification.id)))
    events.update_event(exchange.coordinator, event, events.event_data_of(event))
    assert db.session.scalar(select(func.count(Notification.id))) == before


def test_the_registered_are_told_when_the_dates_change(exchange, people):
    event = make_event(exchange)
    events.register(people[0], event)
    data = events.event_data_of(event)
    data.start_time = time(10, 0)
    events.update_event(exchange.coordinator, event, data)
    assert "dates, times or place" in notes_of(people[0])[-1]
    assert event.start_time == time(10, 0)


def test_the_dates_cannot_leave_sessions_behind(exchange):
    event = make_event(exchange)
    events.add_session(exchange.coordinator, event, session_data(day=LAST_DAY))
    data = events.event_data_of(event)
    data.end_date = FIRST_DAY
    with pytest.raises(ServiceError) as refused:
        events.update_event(exchange.coordinator, event, data)
    assert "Sessions are planned" in messages(refused.value, "start_date")


# --- the programme ----------------------------------------------------------------------------------


def test_sessions_take_their_place_by_time_and_move_within_their_day(exchange):
    event = make_event(exchange)
    coordinator = exchange.coordinator
    lunch = events.add_session(coordinator, event, session_data(title="Lunch", start_time=time(13, 0),
                                                                  end_time=time(14, 0), kind="other"))
    welcome = events.add_session(coordinator, event, session_data(title="Welcome"))
    visit = events.add_session(coordinator, event, session_data(title="Visit", day=LAST_DAY, start_time=None,
                                                                  end_time=None, kind="service_visit"))
    days = {day: [s.title for s in sessions] for day, sessions in events.programme(event)}
    assert days == {FIRST_DAY: ["Welcome", "Lunch"], FIRST_DAY + timedelta(days=1): [], LAST_DAY: ["Visit"]}

    events.move_session(coordinator, lunch, up=True)
    assert [s.title for s in events.programme(event)[0][1]] == ["Lunch", "Welcome"]
    events.move_session(coordinator, lunch, up=True)  # first already: nothing moves
    assert [s.title for s in events.programme(event)[0][1]] == ["Lunch", "Welcome"]

    data = events.session_data_of(welcome)
    data.day = LAST_DAY
    events.update_session(coordinator, welcome, data)
    events.delete_session(coordinator, visit)
    assert [[s.title for s in sessions] for _day, sessions in events.programme(event)] == [["Lunch"], [], ["Welcome"]]


@pytest.mark.parametrize("overrides, field", [
    ({"day": LAST_DAY + timedelta(days=1)}, "day"), ({"title": ""}, "title"), ({"kind": "nap"}, "kind"),
    ({"start_time": time(11, 0), "end_time": time(10, 0)}, "end_time"), ({"start_time": None}, "start_time"),
    ({"room": "x" * 121}, "room"),
])
def test_what_a_session_must_say(exchange, overrides, field):
    with pytest.raises(ServiceError) as refused:
        events.add_session(exchange.coordinator, make_event(exchange), session_data(**overrides))
    assert field in refused.value.errors


def test_only_the_organisers_change_the_programme(exchange, people):
    event = make_event(exchange)
    with pytest.raises(ServiceError):
        events.add_session(exchange.arad_admin, event, session_data())


def test_the_registered_are_told_of_a_programme_change_once_until_they_read_it(exchange, people):
    event = make_event(exchange, capacity=1)
    events.register(people[0], event)  # approved
    events.register(people[1], event)  # waiting: not told
    for title in ("Welcome", "Lunch"):
        events.add_session(exchange.coordinator, event, session_data(title=title))
    told = [m for m in notes_of(people[0]) if "programme" in m]
    assert told == ["The programme of “Training on interfamily groups” changed."]
    assert not [m for m in notes_of(people[1]) if "programme" in m]
    data = events.session_data_of(event.sessions[0])
    before = db.session.scalar(select(func.count(Notification.id)))
    events.update_session(exchange.coordinator, event.sessions[0], data)  # unchanged: nothing
    assert db.session.scalar(select(func.count(Notification.id))) == before


# --- registration -----------------------------------------------------------------------------------


def test_registration_with_places_confirms_and_keeps_the_answers(exchange, people):
    event = make_event(exchange, capacity=2)
    registration = events.register(people[0], event, {"dietary": " Vegetarian ", "accessibility": "ignored"})
    assert registration.status == APPROVED and registration.answers == {"dietary": "Vegetarian"}
    assert "is confirmed" in notes_of(people[0])[-1]
    assert events.places_left(event) == 1
    with pytest.raises(ServiceError) as refused:
        events.register(people[0], event)
    assert "already" in messages(refused.value, "registration")


def test_a_full_event_puts_people_on_the_waiting_list_and_a_freed_place_goes_to_the_first(exchange, people):
    event = make_event(exchange, capacity=2)
    for person in people[:4]:
        events.register(person, event)
    assert [r.status for r in events.registrations(event)] == [APPROVED, APPROVED, WAITING, WAITING]
    assert "number 2 on the waiting list" in notes_of(people[3])[-1]

    events.cancel_registration(people[0], event)
    assert [(r.user_id, r.status) for r in events.registrations(event)] == [
        (people[0].id, CANCELLED), (people[1].id, APPROVED), (people[2].id, APPROVED), (people[3].id, WAITING)]
    assert "moved up from the waiting list and are registered" in notes_of(people[2])[-1]
    # Registering again after cancelling joins the end of the list.
    events.register(people[0], event)
    assert [r.user_id for r in events.waiting_list(event)] == [people[3].id, people[0].id]


def test_with_approval_registrations_wait_for_the_organisers_and_a_decline_frees_the_place(exchange, people):
    event = make_event(exchange, capacity=1, requires_approval=True)
    first, second = events.register(people[0], event), events.register(people[1], event)
    assert (first.status, second.status) == ("pending", WAITING)
    assert any("waits for your approval" in m for m in notes_of(exchange.coordinator))
    assert any("waits for your approval" in m for m in notes_of(exchange.seville_admin))

    events.decide_registration(exchange.seville_admin, first, approve=False)
    assert (first.status, second.status) == (DECLINED, "pending")  # moved up, to be approved in turn
    events.decide_registration(exchange.coordinator, second, approve=True)
    assert second.status == APPROVED and "approved your registration" in notes_of(people[1])[-1]
    with pytest.raises(ServiceError) as refused:
        events.register(people[0], event)
    assert "declined" in messages(refused.value, "registration")
    with pytest.raises(ServiceError):
        events.decide_registration(exchange.coordinator, second, approve=True)  # approved already
    with pytest.raises(ServiceError):
        events.decide_registration(people[2], second, approve=False)  # not an organiser


def test_more_places_move_the_waiting_list_up_and_fewer_than_taken_are_refused(exchange, people):
    event = make_event(exchange, capacity=1)
    for person in people[:3]:
        events.register(person, event)
    data = events.event_data_of(event)
    data.capacity = 2
    events.update_event(exchange.coordinator, event, data)
    assert [r.status for r in events.registrations(event)] == [APPROVED, APPROVED, WAITING]
    data.capacity = None
    events.update_event(exchange.coordinator, event, data)
    assert [r.status for r in events.registrations(event)] == [APPROVED] * 3
    data.capacity = 2
    with pytest.raises(ServiceError) as refused:
        events.update_event(exchange.coordinator, event, data)
    assert "3 people have a place" in messages(refused.value, "capacity")


@pytest.mark.parametrize("today, reason", [
    (OPENS - timedelta(days=1), "Registration opens on"),
    (CLOSES + timedelta(days=1), "Registration closed on"),
    (FIRST_DAY, "The event has begun"),
])
def test_registration_follows_today(exchange, people, monkeypatch, today, reason):
    event = make_event(exchange, registration_closes=FIRST_DAY - timedelta(days=1) if today == FIRST_DAY else CLOSES)
    set_today(monkeypatch, today)
    with pytest.raises(ServiceError) as refused:
        events.register(people[0], event)
    assert reason in messages(refused.value, "registration")


def test_an_event_without_registration_takes_none(exchange, people):
    event = make_event(exchange, takes_registrations=False)
    with pytest.raises(ServiceError) as refused:
        events.register(people[0], event)
    assert "no registrations" in messages(refused.value, "registration")


def test_who_may_register_and_see_the_event(exchange, people, make_user, make_institution):
    outsider = make_user(institution=make_institution(name="Far Away"))
    waiting_member = make_user(institution=exchange.sender, status=PENDING)
    partnership_event = make_event(exchange, visibility="partnership")
    assert not permissions.can_view_event(outsider, partnership_event)
    with pytest.raises(ServiceError):
        events.register(outsider, partnership_event)
    members_event = make_event(exchange, visibility="members")
    assert permissions.can_view_event(outsider, members_event)
    assert not permissions.can_register_for_event(waiting_member, members_event)
    events.register(outsider, members_event)


def test_the_online_link_is_for_the_organisers_and_the_approved_only(exchange, people):
    event = make_event(exchange, online=True, online_link=ONLINE_LINK, capacity=1, requires_approval=True)
    pending = events.register(people[0], event)
    events.register(people[1], event)  # waiting
    assert not permissions.can_see_online_link(people[0], event)
    assert not permissions.can_see_online_link(people[1], event)
    assert not permissions.can_see_online_link(people[2], event)
    assert permissions.can_see_online_link(exchange.coordinator, event)
    assert permissions.can_see_online_link(exchange.seville_admin, event)
    events.decide_registration(exchange.coordinator, pending, approve=True)
    assert permissions.can_see_online_link(people[0], event)


def test_cancelling_is_for_the_registered_before_the_event_begins(exchange, people, monkeypatch):
    event = make_event(exchange)
    with pytest.raises(ServiceError):
        events.cancel_registration(people[0], event)
    events.register(people[0], event)
    set_today(monkeypatch, FIRST_DAY)
    with pytest.raises(ServiceError) as refused:
        events.cancel_registration(people[0], event)
    assert "has begun" in messages(refused.value, "registration")


# --- attendance -------------------------------------------------------------------------------------


def test_attendance_makes_the_approved_participants_who_may_write_essays(exchange, people, monkeypatch):
    event = make_event(exchange, capacity=2)
    for person in people[:3]:
        events.register(person, event)
    with pytest.raises(ServiceError) as refused:
        events.mark_attendance(exchange.coordinator, event, [people[0].id])
    assert "once the event has begun" in messages(refused.value, "attendance")

    set_today(monkeypatch, FIRST_DAY)
    assert [person.id for person, attended in events.attendance_list(event)] == [people[0].id, people[1].id]
    with pytest.raises(ServiceError):
        events.mark_attendance(exchange.coordinator, event, [people[2].id])  # waiting: never approved
    assert events.mark_attendance(exchange.coordinator, event, [people[0].id]) == (1, 0)
    assert event.participants == [people[0]]
    assert permissions.can_write_essay(people[0], event) and not permissions.can_write_essay(people[1], event)
    assert events.events_of(people[0]) == [event]
    assert events.mark_attendance(exchange.seville_admin, event, [people[1].id]) == (1, 1)
    with pytest.raises(ServiceError):
        events.mark_attendance(people[1], event, [people[1].id])


# --- the event of a visit ---------------------------------------------------------------------------


def test_a_completed_visit_becomes_a_job_shadowing_event_once(exchange, make_applicant):
    visit = mobility.book_visit(exchange.coordinator, make_applicant(), exchange.seville_offer, W1)
    mobility.confirm_visit(exchange.coordinator, visit)
    mobility.complete_visit(exchange.coordinator, visit, today=W1)
    event = events.visit_event_of(visit)
    assert (event.kind, event.participants, event.start_date, event.end_date) == (
        "job_shadowing", [visit.visitor], W1, W1 + timedelta(days=4))
    assert event.timezone == "Europe/Madrid" and not event.takes_registrations
    assert events.ensure_visit_event(visit) is event
    assert db.session.scalar(select(func.count(Event.id)).where(Event.visit_id == visit.id)) == 1


# --- the last place, taken twice at once --------------------------------------------------------------


def test_two_people_registering_for_the_last_place_at_once_get_one_place(app, exchange, people, monkeypatch):
    """Each registration counts the places taken and then waits for the other to count too (up to 2 s):
    without the lock both would see the last place free and both take it. On SQLite and PostgreSQL alike."""
    event_id = make_event(exchange, capacity=1).id
    person_ids = [people[0].id, people[1].id]
    both_counted = threading.Barrier(2, timeout=2)
    real_count = events.places_taken

    def count_then_wait(event):
        taken = real_count(event)
        try:
            both_counted.wait()
        except threading.BrokenBarrierError:
            pass  # the other registration is queued behind this one's lock, as it should be
        return taken

    monkeypatch.setattr(events, "places_taken", count_then_wait)
    outcomes = []

    def register(person_id):
        from network.auth.models import User

        with app.app_context():
            try:
                outcomes.append(events.register(db.session.get(User, person_id), events.get_event(event_id)).status)
            except ServiceError as error:
                outcomes.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=register, args=(person_id,)) for person_id in person_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    monkeypatch.undo()
    assert sorted(outcomes) == [APPROVED, WAITING], outcomes
    db.session.expire_all()
    rows = db.session.scalars(select(EventRegistration).where(EventRegistration.event_id == event_id)).all()
    assert sorted(r.status for r in rows) == [APPROVED, WAITING]


# --- personal data ----------------------------------------------------------------------------------


def test_deleting_an_account_frees_its_place_for_the_first_waiting(exchange, people):
    from conftest import PASSWORD
    from network.auth import services as accounts

    event = make_event(exchange, capacity=1)
    events.register(people[0], event, {"dietary": "No nuts"})
    events.register(people[1], event)
    data = accounts.export_user_data(people[0])["events"]
    assert data["registrations"][0]["answers"] == {"dietary": "No nuts"}
    accounts.delete_account(people[0], PASSWORD)
    db.session.expire_all()
    assert [(r.user_id, r.status) for r in events.registrations(event)] == [(people[1].id, APPROVED)]
    assert "moved up" in notes_of(people[1])[-1]


def test_organisers_and_site_admins_see_every_event_in_the_lists(exchange, people, make_user, make_institution):
    from network.auth.models import EVALUATOR, SITE_ADMIN

    partnership_event = make_event(exchange, visibility="partnership")
    public = make_event(exchange, visibility="public", title="Open day")
    outsider = make_user(institution=make_institution(name="Elsewhere"))
    evaluator = make_user(EVALUATOR, institution=make_institution(name="Evaluators"))
    site_admin = make_user(SITE_ADMIN, institution=make_institution(name="Platform"))
    other_coordinator = make_user(COORDINATOR, institution=make_institution(name="Other coordinators"))
    other_admin = make_user(INSTITUTION_ADMIN, institution=make_institution(name="Other admins"))
    from flask_login import AnonymousUserMixin

    for user in (AnonymousUserMixin(), outsider, evaluator, site_admin, other_coordinator, other_admin,
                 people[0], exchange.coordinator, exchange.seville_admin):
        listed = {e.id for e in events.upcoming(user, events.ListFilters())}
        allowed = {e.id for e in (partnership_event, public) if permissions.can_view_event(user, e)}
        assert listed == allowed, user
