"""Registration as a state machine: Hypothesis drives people registering, cancelling and registering again, the
organisers approving, declining, changing the number of places and taking attendance, and time passing, in any
order, through the services the pages call, and checks after every step:

- never more places held (approved or waiting for approval) than the event has;
- while the event has not begun, nobody waits while a place is free;
- the waiting list moves up in order, first come first served (someone registering again joins its end);
- a cancelled or declined registration holds no place, and whoever attended has an approved registration;
- one notification per person and step.

Each example builds a partnership of its own, so examples share the database without seeing each other. The
number of examples is the Hypothesis profile's (tests/conftest.py); `make test-deep` runs more.
"""
from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from conftest import PASSWORD
from events_helpers import event_data
from network.auth import services as accounts
from network.auth.models import COORDINATOR, INSTITUTION_ADMIN
from network.errors import ServiceError
from network.events import services as events
from network.events.models import APPROVED, HOLDS_A_PLACE, PENDING, WAITING
from network.extensions import db
from network.institutions import services as institutions
from network.mobility import weeks as mobility_weeks
from network.notifications.models import Notification

PEOPLE = 6
START = date(2026, 12, 1)
_numbers = itertools.count(1)


class RegistrationMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.today = START
        self._clock = pytest.MonkeyPatch()
        self._clock.setattr(mobility_weeks, "today", lambda: self.today)
        n = next(_numbers)

        def institution(name):
            return institutions.create_institution(None, institutions.InstitutionData(
                name=f"{name} {n}", country="ES", city="Sevilla", sectors=["social"], languages=["es", "en"]))

        coordinating, host = institution("Coordinating"), institution("Host")
        self.partnership = institutions.create_partnership(None, institutions.PartnershipData(
            title=f"Machine {n}", reference=f"2026-1-EV01-KA220-{n:06d}", start_date=date(2025, 11, 1),
            end_date=date(2027, 10, 31), coordinating_institution=coordinating, partners=[host]))
        self.coordinator = accounts.create_user(f"Coordinator {n}", f"ev{n}-coordinator@example.org", PASSWORD,
                                                coordinating, roles=[COORDINATOR], approved=True)
        self.host_admin = accounts.create_user(f"Host Admin {n}", f"ev{n}-admin@example.org", PASSWORD, host,
                                               roles=[INSTITUTION_ADMIN], approved=True)
        self.people = [accounts.create_user(f"Person {n}-{i}", f"ev{n}-person{i}@example.org", PASSWORD, host,
                                            approved=True) for i in range(PEOPLE)]
        self.host = host
        self.event = None
        self.waiting: list[int] = []  # the waiting list as the machine expects it: user ids, in order
        self.step_started = 0

    def teardown(self):
        self._clock.undo()
        db.session.rollback()

    # --- helpers ------------------------------------------------------------------------------------

    def _last_notification(self) -> int:
        return db.session.scalar(select(func.max(Notification.id))) or 0

    def _attempt(self, action, *args, **kwargs):
        """A service call; a refusal (ServiceError) is a normal outcome, rolled back as the views do."""
        self.step_started = self._last_notification()
        try:
            result = action(*args, **kwargs)
        except ServiceError as error:
            db.session.rollback()
            note(f"{action.__name__} refused: {error.errors}")
            return None
        note(f"{action.__name__} done")
        return result

    def _registration(self, who: int):
        return events.registration_of(self.people[who], self.event)

    def _with_status(self, *statuses) -> list[int]:
        return [i for i in range(PEOPLE) if (r := self._registration(i)) is not None and r.status in statuses]

    def _begun(self) -> bool:
        return self.today >= self.event.start_date

    # --- the event ----------------------------------------------------------------------------------

    @initialize(capacity=st.integers(1, 3), approval=st.booleans())
    def organise(self, capacity, approval):
        exchange = type("Exchange", (), {"partnership": self.partnership, "seville": self.host})
        self.event = events.create_event(self.coordinator, event_data(
            exchange, capacity=capacity, requires_approval=approval, city="Sevilla"))
        self.step_started = self._last_notification()

    # --- registration -------------------------------------------------------------------------------

    @rule(who=st.integers(0, PEOPLE - 1))
    def register(self, who):
        registration = self._attempt(events.register, self.people[who], self.event, {"dietary": "None"})
        if registration is not None:
            assert not self._begun(), "registered for an event that has begun"
            if registration.status == WAITING:
                self.waiting.append(self.people[who].id)

    @precondition(lambda self: self._with_status(PENDING, APPROVED, WAITING))
    @rule(data=st.data())
    def cancel(self, data):
        who = data.draw(st.sampled_from(self._with_status(PENDING, APPROVED, WAITING)))
        if self._attempt(events.cancel_registration, self.people[who], self.event) is not None:
            assert not self._begun(), "cancelled once the event had begun"
            if self.people[who].id in self.waiting:
                self.waiting.remove(self.people[who].id)

    @precondition(lambda self: self._with_status(PENDING))
    @rule(data=st.data(), host=st.booleans())
    def approve(self, data, host):
        who = data.draw(st.sampled_from(self._with_status(PENDING)))
        organiser = self.host_admin if host else self.coordinator
        registration = self._attempt(events.decide_registration, organiser, self._registration(who), True)
        assert registration is not None and registration.status == APPROVED, "a pending registration not approved"

    @precondition(lambda self: self._with_status(PENDING, WAITING))
    @rule(data=st.data())
    def decline(self, data):
        who = data.draw(st.sampled_from(self._with_status(PENDING, WAITING)))
        if self._attempt(events.decide_registration, self.coordinator, self._registration(who), False) is not None:
            if self.people[who].id in self.waiting:
                self.waiting.remove(self.people[who].id)

    @rule(capacity=st.one_of(st.none(), st.integers(1, 4)))
    def change_the_places(self, capacity):
        data = events.event_data_of(self.event)
        data.capacity = capacity
        taken = events.places_taken(self.event)
        if self._attempt(events.update_event, self.coordinator, self.event, data) is None:
            assert capacity is not None and capacity < taken, "a number of places refused for no reason"

    @rule(data=st.data())
    def take_attendance(self, data):
        approved = self._with_status(APPROVED)
        chosen = data.draw(st.lists(st.sampled_from(approved), unique=True)) if approved else []
        if self._attempt(events.mark_attendance, self.coordinator, self.event,
                         [self.people[i].id for i in chosen]) is not None:
            assert self._begun(), "attendance taken before the event began"

    @rule(days=st.sampled_from([1, 7, 21]))  # from START, three long steps reach the event (19 January 2027)
    def time_passes(self, days):
        self.today += timedelta(days=days)
        note(f"today is {self.today}")

    # --- invariants ---------------------------------------------------------------------------------

    @invariant()
    def never_more_places_held_than_the_event_has(self):
        if self.event is None:
            return
        taken = events.places_taken(self.event)
        if self.event.capacity is not None:
            assert taken <= self.event.capacity, (taken, self.event.capacity)

    @invariant()
    def nobody_waits_while_a_place_is_free(self):
        if self.event is None or self._begun():
            return
        if events.waiting_list(self.event):
            assert events.places_left(self.event) == 0, "someone waits while a place is free"

    @invariant()
    def the_waiting_list_moves_up_in_order(self):
        if self.event is None:
            return
        actual = [r.user_id for r in events.waiting_list(self.event)]
        moved_up = len(self.waiting) - len(actual)
        assert moved_up >= 0 and self.waiting[moved_up:] == actual, (self.waiting, actual)
        for user_id in self.waiting[:moved_up]:
            person = next(p for p in self.people if p.id == user_id)
            assert events.registration_of(person, self.event).status in HOLDS_A_PLACE, "moved up out of order"
        self.waiting = actual

    @invariant()
    def whoever_attended_is_approved(self):
        if self.event is None:
            return
        db.session.expire(self.event, ["participants"])
        for person in self.event.participants:
            assert events.registration_of(person, self.event).status == APPROVED, person.name

    @invariant()
    def one_notification_per_person_and_step(self):
        told = Counter(db.session.scalars(select(Notification.user_id).where(Notification.id > self.step_started)))
        assert not [user for user, n in told.items() if n > 1], told


def test_registration_keeps_its_rules_whatever_happens(app):
    run_state_machine_as_test(RegistrationMachine, settings=settings(deadline=None))

