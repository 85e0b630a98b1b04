"""Mobility as a state machine: Hypothesis drives applications (apply, change, withdraw, endorse, decline),
matching (propose and accept, or assign one visit), visits (confirm, cancel, complete, refill from the waiting
list) and time (a week passes) in any order, through the services the pages call, and checks after every step:

- no host has more visits in a week than places, nor more in all than its quota;
- each application's host choices have distinct ranks and distinct hosts, and it holds one visit at most;
- nothing is planned in a week that has begun: a booking or a confirmation that succeeds is for a week to
  come, and the weeks offered or chosen at that moment are all still to come;
- one notification per event: a step tells each person once about each thing that happened in it;
- every completed visit has exactly one essay event, and its visitor was asked for the essay once.

Each example builds a partnership of its own (two hosts, a sending institution, five applicants), so examples
share the database without seeing each other. The number of examples is the "ci" Hypothesis profile's
(tests/conftest.py: 40 examples of up to 30 steps); `make test-deep` runs 300 of 60.
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
from mobility_helpers import W1, application_data, offer_data, week
from network.auth import services as accounts
from network.auth.models import COORDINATOR, INSTITUTION_ADMIN
from network.errors import ServiceError
from network.events.models import Event
from network.extensions import db
from network.institutions import services as institutions
from network.mobility import services as mobility
from network.mobility import weeks as mobility_weeks
from network.mobility.models import (
    ACTIVE_STATUSES,
    CANCELLED,
    COMPLETED,
    CONFIRMED,
    PROPOSED,
    ApplicationPreference,
    HostingOffer,
    MobilityApplication,
    Visit,
)
from network.notifications.models import Notification

START = W1 - timedelta(days=3)  # the machine's first day: the Friday before the first offered week
WEEKS = [W1 + timedelta(weeks=n) for n in range(4)]
APPLICANTS = 5
_numbers = itertools.count(1)


class MobilityMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.today = START
        self._clock = pytest.MonkeyPatch()
        self._clock.setattr(mobility_weeks, "today", lambda: self.today)
        n = next(_numbers)

        def institution(name, country, languages):
            return institutions.create_institution(None, institutions.InstitutionData(
                name=f"{name} {n}", country=country, city="Town", sectors=["social"], languages=languages))

        def person(name, home, role=None):
            return accounts.create_user(f"{name} {n}", f"sm{n}-{name.lower().replace(' ', '-')}@example.org",
                                        PASSWORD, home, roles=[role] if role else [], approved=True)

        coordinating = institution("Coordinating", "BE", ["fr", "en"])
        self.seville, self.arad = institution("Seville", "ES", ["es", "en"]), institution("Arad", "RO", ["ro", "en"])
        sender = institution("Helsinki", "FI", ["fi", "en"])
        self.partnership = institutions.create_partnership(None, institutions.PartnershipData(
            title=f"Machine {n}", reference=f"2026-1-SM01-KA220-{n:06d}", start_date=date(2025, 11, 1),
            end_date=date(2027, 10, 31), coordinating_institution=coordinating,
            partners=[self.seville, self.arad, sender]))
        self.coordinator = person("Coordinator", coordinating, COORDINATOR)
        self.host_admins = {self.seville.id: person("Seville Admin", self.seville, INSTITUTION_ADMIN),
                            self.arad.id: person("Arad Admin", self.arad, INSTITUTION_ADMIN)}
        self.sender_admin = person("Sender Admin", sender, INSTITUTION_ADMIN)
        # Small capacities and a small quota, so that the places run out.
        self.offers = [mobility.save_offer(self.host_admins[self.seville.id], self.partnership, self.seville,
                                           offer_data(total_quota=3, weeks={week(w): 1 for w in WEEKS})),
                       mobility.save_offer(self.host_admins[self.arad.id], self.partnership, self.arad,
                                           offer_data(languages=["ro", "en"], total_quota=2,
                                                      weeks={week(WEEKS[0]): 2, week(WEEKS[2]): 1}))]
        self.people = [person(f"Applicant {i}", sender) for i in range(APPLICANTS)]
        self.essay_requests: Counter = Counter()  # visit id -> "write your essay" notifications seen
        self.step_started = self._last_notification()
        self.events_in_step = 1  # how many things happened in the last step (accepting a matching: many)

    def teardown(self):
        self._clock.undo()
        db.session.rollback()

    # --- helpers ------------------------------------------------------------------------------------

    def _last_notification(self) -> int:
        return db.session.scalar(select(func.max(Notification.id))) or 0

    def _application(self, index: int) -> MobilityApplication | None:
        return mobility.application_of(self.people[index], self.partnership)

    def _applicants(self) -> list[int]:
        """The indexes of the people who have applied."""
        return [i for i in range(APPLICANTS) if self._application(i) is not None]

    def _visits(self, *statuses) -> list[Visit]:
        query = select(Visit).where(Visit.partnership_id == self.partnership.id).order_by(Visit.id)
        if statuses:
            query = query.where(Visit.status.in_(statuses))
        return list(db.session.scalars(query))

    def _attempt(self, action, *args, **kwargs):
        """Call a service; a refusal (ServiceError) is a normal outcome, rolled back as the views do."""
        self.step_started = self._last_notification()
        self.events_in_step = 1
        try:
            result = action(*args, **kwargs)
        except ServiceError as error:
            db.session.rollback()
            note(f"{action.__name__} refused: {error.errors}")
            return None
        note(f"{action.__name__} done")
        return result

    def _assert_to_come(self, monday: date, what: str) -> None:
        assert monday > self.today, f"{what} in the week of {monday}, which began by {self.today}"

    # --- applications -------------------------------------------------------------------------------

    @initialize(endorsed=st.integers(0, 3))
    def some_applicants_are_endorsed_already(self, endorsed):
        """A head start, so that short examples reach matching and visits too."""
        for who in range(endorsed):
            application = mobility.save_application(self.people[who], self.partnership, application_data(
                preferred_hosts=[self.seville.id, self.arad.id][::(-1) ** who], weeks=[week(w) for w in WEEKS]))
            mobility.decide_application(self.sender_admin, application, endorse=True)
        self.step_started = self._last_notification()

    @rule(who=st.integers(0, APPLICANTS - 1),
          # Mostly distinct hosts in some order; now and then one chosen twice (refused, never dropped).
          hosts=st.one_of(st.permutations(["seville", "arad"]).flatmap(
              lambda order: st.integers(1, 2).map(lambda n: order[:n])),
              st.just(["seville", "seville"])),
          weeks=st.lists(st.sampled_from(WEEKS), min_size=1, max_size=4, unique=True))
    def apply_or_change(self, who, hosts, weeks):
        data = application_data(preferred_hosts=[getattr(self, host).id for host in hosts],
                                weeks=[week(w) for w in weeks])
        application = self._attempt(mobility.save_application, self.people[who], self.partnership, data)
        if application is not None:
            assert len(hosts) == len(set(hosts)), "a host chosen twice was taken"
            for monday in application.available_weeks:
                self._assert_to_come(monday, "a week chosen")

    @precondition(lambda self: self._applicants())
    @rule(data=st.data(), endorse=st.sampled_from([True, True, True, False]))
    def decide(self, data, endorse):
        who = data.draw(st.sampled_from(self._applicants()))
        self._attempt(mobility.decide_application, self.sender_admin, self._application(who), endorse)

    @precondition(lambda self: self._applicants())
    @rule(data=st.data())
    def withdraw(self, data):
        who = data.draw(st.sampled_from(self._applicants()))
        self._attempt(mobility.withdraw_application, self.people[who], self._application(who))

    # --- matching -----------------------------------------------------------------------------------

    @rule()
    def propose_and_accept(self):
        proposal = mobility.propose_matching(self.partnership)
        for match in proposal.matches:
            self._assert_to_come(match.week, "a match proposed")
        result = self._attempt(mobility.accept_matches, self.coordinator, self.partnership,
                               [(m.application_id, m.offer_id, m.week) for m in proposal.matches])
        self.events_in_step = max(1, len(result.created) if result else 0)  # one visit proposed per match
        for visit in (result.created if result else []):
            self._assert_to_come(visit.week_start, "a visit booked")

    @precondition(lambda self: self._applicants())
    @rule(data=st.data(), offer=st.integers(0, 1), monday=st.sampled_from(WEEKS))
    def assign(self, data, offer, monday):
        application = self._application(data.draw(st.sampled_from(self._applicants())))
        visit = self._attempt(mobility.book_visit, self.coordinator, application, self.offers[offer], monday)
        if visit is not None:
            self._assert_to_come(monday, "a visit booked")

    # --- visits -------------------------------------------------------------------------------------

    @precondition(lambda self: self._visits(PROPOSED))
    @rule(data=st.data())
    def confirm(self, data):
        visit = data.draw(st.sampled_from(self._visits(PROPOSED)))
        if self._attempt(mobility.confirm_visit, self.coordinator, visit) is not None:
            self._assert_to_come(visit.week_start, "a visit confirmed")

    @precondition(lambda self: self._visits(PROPOSED, CONFIRMED))
    @rule(data=st.data())
    def cancel(self, data):
        visit = data.draw(st.sampled_from(self._visits(PROPOSED, CONFIRMED)))
        self._attempt(mobility.cancel_visit, self.coordinator, visit, "The visitor is ill.")

    @precondition(lambda self: self._visits(CONFIRMED))
    @rule(data=st.data(), wait=st.booleans())
    def complete(self, data, wait):
        visit = data.draw(st.sampled_from(self._visits(CONFIRMED)))
        if wait:  # time goes on to the visit's Friday, as it would before the host marks it completed
            self.today = max(self.today, visit.week_start + timedelta(days=4))
        if self._attempt(mobility.complete_visit, self.coordinator, visit) is not None:
            assert mobility_weeks.has_begun(visit.week_start), "a visit completed before its week"
            asked = db.session.scalar(select(func.count(Notification.id)).where(
                Notification.id > self.step_started, Notification.user_id == visit.visitor_id,
                Notification.kind == "essay"))
            self.essay_requests[visit.id] += asked

    @precondition(lambda self: self._visits(CANCELLED))
    @rule(data=st.data())
    def refill(self, data):
        cancelled = data.draw(st.sampled_from(self._visits(CANCELLED)))
        visit = self._attempt(mobility.offer_place_to_next, self.coordinator, cancelled)
        if visit is not None:
            self._assert_to_come(visit.week_start, "a freed place given")

    # --- time ---------------------------------------------------------------------------------------

    @rule()
    def a_week_passes(self):
        self.today += timedelta(weeks=1)
        note(f"today is {self.today}")

    # --- invariants ---------------------------------------------------------------------------------

    @invariant()
    def places_and_quotas_are_never_exceeded(self):
        for offer in db.session.scalars(select(HostingOffer).where(
                HostingOffer.partnership_id == self.partnership.id)):
            booked = mobility.booked_per_week(offer)
            for monday, count in booked.items():
                assert count <= offer.capacity_in(monday), (offer.institution_id, monday, count)
            assert sum(booked.values()) <= offer.total_quota

    @invariant()
    def ranks_and_hosts_are_unique_and_one_visit_per_application(self):
        rows = db.session.execute(select(ApplicationPreference.application_id, ApplicationPreference.rank,
                                         ApplicationPreference.host_institution_id)
                                  .join(MobilityApplication)
                                  .where(MobilityApplication.partnership_id == self.partnership.id)).all()
        assert len({(a, rank) for a, rank, _ in rows}) == len(rows)
        assert len({(a, host) for a, _, host in rows}) == len(rows)
        active = Counter(v.application_id for v in self._visits(*ACTIVE_STATUSES))
        assert not [a for a, n in active.items() if n > 1]

    @invariant()
    def one_notification_per_person_and_event(self):
        told = Counter(db.session.scalars(select(Notification.user_id).where(Notification.id > self.step_started)))
        too_many = {user: n for user, n in told.items() if n > self.events_in_step}
        assert not too_many, f"{self.events_in_step} event(s), yet these people were told more often: {too_many}"

    @invariant()
    def every_completed_visit_has_one_essay_event_and_one_request(self):
        for visit in self._visits(COMPLETED):
            events = db.session.scalar(select(func.count(Event.id)).where(Event.visit_id == visit.id))
            assert events == 1, (visit.id, events)
            assert self.essay_requests[visit.id] == 1, (visit.id, self.essay_requests[visit.id])


def test_mobility_keeps_its_rules_whatever_happens(app):
    # Examples and steps come from the Hypothesis profile ("ci" by default, "deep" for make test-deep).
    run_state_machine_as_test(MobilityMachine, settings=settings(deadline=None))
