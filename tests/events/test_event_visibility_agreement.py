"""Who sees an event is one rule written twice: network.events.services.visible_to (SQL, for the lists) and
network.permissions.can_view_event (Python, for the pages, the API and search's check). Hypothesis drives the
changes that move the rule, in any order, through the services the pages call: roles granted and removed,
memberships approved and declined, people moving to another institution, registering, cancelling, approved and
declined by the organisers, an event's visibility changing, institutions leaving and joining the partnership, and
time passing (events move from the upcoming list to the past one). After every step, for every person (and an
anonymous visitor), the events `upcoming` and `past` list are exactly the events `can_view_event` allows, the
upcoming ones still to end and the past ones over, and the partnerships offered as a filter are theirs.

Each example builds a partnership of its own (and filters the lists by it), so examples share the database
without seeing each other. The number of examples is a third of the Hypothesis profile's (tests/conftest.py).
"""
from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from flask_login import AnonymousUserMixin
from hypothesis import note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from conftest import PASSWORD
from essays_helpers import record_training
from events_helpers import event_data
from network import permissions
from network.auth import services as accounts
from network.auth.models import COORDINATOR, EVALUATOR, INSTITUTION_ADMIN, SITE_ADMIN
from network.errors import ServiceError
from network.events import services as events
from network.events.models import ACTIVE, MEMBERS, PARTNERSHIP, PUBLIC
from network.extensions import db
from network.institutions import services as institutions
from network.mobility import weeks as mobility_weeks

START = date(2026, 12, 1)  # registration is open (events_helpers: November to 10 January); the events in January
VISIBILITY = st.sampled_from([PUBLIC, MEMBERS, PARTNERSHIP])
ROLES = st.lists(st.sampled_from([COORDINATOR, INSTITUTION_ADMIN, EVALUATOR]), unique=True, max_size=2)
HOMES = ("coordinating", "first", "second", "outside")  # the institutions a person may belong to
PEOPLE = 6
EVENTS = 3
_numbers = itertools.count(1)


class VisibilityMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.today = START
        self._clock = pytest.MonkeyPatch()
        self._clock.setattr(mobility_weeks, "today", lambda: self.today)
        n = self.n = next(_numbers)

        def institution(name):
            return institutions.create_institution(None, institutions.InstitutionData(
                name=f"Agreement {name} {n}", country="ES", city="Sevilla", sectors=["social"],
                languages=["es", "en"]))

        self.homes = {name: institution(name) for name in HOMES}
        self.partnership = institutions.create_partnership(None, institutions.PartnershipData(
            title=f"Agreement {n}", reference=f"2026-1-AG01-KA220-{n:06d}", start_date=date(2025, 11, 1),
            end_date=date(2027, 10, 31), coordinating_institution=self.homes["coordinating"],
            partners=[self.homes["first"], self.homes["second"]]))
        # The site admin acts for everyone (roles, memberships, partners, and as an organiser); the coordinator
        # records a past event with its participants.
        self.admin = accounts.create_user(f"Admin {n}", f"ag{n}-admin@example.org", PASSWORD,
                                          self.homes["outside"], roles=[SITE_ADMIN], approved=True)
        self.coordinator = accounts.create_user(f"Coordinator {n}", f"ag{n}-coordinator@example.org", PASSWORD,
                                                self.homes["coordinating"], roles=[COORDINATOR], approved=True)
        homes = ("first", "second", "outside", "coordinating", "first", "second")
        self.people = [accounts.create_user(f"Person {n}-{i}", f"ag{n}-person{i}@example.org", PASSWORD,
                                            self.homes[homes[i]], approved=i != PEOPLE - 1)  # the last one waits
                       for i in range(PEOPLE)]
        self.events = []

    def teardown(self):
        self._clock.undo()
        db.session.rollback()

    def _attempt(self, action, *args, **kwargs):
        """A service call; a refusal (ServiceError) is a normal outcome, rolled back as the views do."""
        try:
            result = action(*args, **kwargs)
        except ServiceError as error:
            db.session.rollback()
            note(f"{action.__name__} refused: {error.errors}")
            return None
        note(f"{action.__name__} done")
        return result

    # --- the events -----------------------------------------------------------------------------------

    @initialize(visibilities=st.lists(VISIBILITY, min_size=EVENTS, max_size=EVENTS),
                hosts=st.lists(st.sampled_from(["first", "second", "coordinating", None]),
                               min_size=EVENTS, max_size=EVENTS),
                approval=st.lists(st.booleans(), min_size=EVENTS, max_size=EVENTS),
                capacity=st.lists(st.one_of(st.none(), st.integers(1, 2)), min_size=EVENTS, max_size=EVENTS),
                participants=st.lists(st.sampled_from([0, 1, 3, 4]), unique=True, max_size=3),
                roles=st.lists(ROLES, min_size=PEOPLE, max_size=PEOPLE),
                registered=st.lists(st.tuples(st.integers(0, PEOPLE - 1), st.integers(0, EVENTS - 1)), max_size=6))
    def organise(self, visibilities, hosts, approval, capacity, participants, roles, registered):
        exchange = type("Exchange", (), {"partnership": self.partnership, "seville": self.homes["first"],
                                         "coordinator": self.coordinator})
        for i in range(EVENTS):
            host = self.homes[hosts[i]].id if hosts[i] else None
            self.events.append(events.create_event(self.admin, event_data(
                exchange, title=f"Event {self.n}-{i}", host_institution_id=host, visibility=visibilities[i],
                requires_approval=approval[i], capacity=capacity[i],
                # one ends on its first day, one a week later: time passing moves them to the past at other steps
                end_date=event_data(exchange).start_date + timedelta(days=7 * (i % 2)), end_time=None)))
        # An event that took place (recorded with its participants, partnership-only), already in the past.
        self.events.append(record_training(exchange, [self.people[i] for i in participants],
                                           title=f"Recorded {self.n}"))
        # People start with roles and registrations, so that few steps reach the cases where only a role or a
        # registration lets someone see an event (a host's admin once the host left the partnership...).
        for person, given in zip(self.people, roles):
            accounts.set_roles(self.admin, person, given)
        for who, which in registered:
            self.register(who, which)

    # --- people -------------------------------------------------------------------------------------

    @rule(who=st.integers(0, PEOPLE - 1), roles=ROLES)
    def set_roles(self, who, roles):
        accounts.set_roles(self.admin, self.people[who], roles)
        note(f"person {who} roles {roles}")

    @rule(who=st.integers(0, PEOPLE - 1), approve=st.booleans())
    def decide_membership(self, who, approve):
        accounts.decide_membership(self.admin, self.people[who], approve)
        note(f"person {who} {'approved' if approve else 'declined'}")

    @rule(who=st.integers(0, PEOPLE - 1), home=st.sampled_from(HOMES))
    def move(self, who, home):
        self.people[who].institution_id = self.homes[home].id
        db.session.commit()
        note(f"person {who} moves to {home}")

    # --- registration -------------------------------------------------------------------------------

    @rule(who=st.integers(0, PEOPLE - 1), which=st.integers(0, EVENTS - 1))
    def register(self, who, which):
        self._attempt(events.register, self.people[who], self.events[which], {"dietary": "None"})

    @rule(who=st.integers(0, PEOPLE - 1), which=st.integers(0, EVENTS - 1))
    def cancel(self, who, which):
        self._attempt(events.cancel_registration, self.people[who], self.events[which])

    @rule(who=st.integers(0, PEOPLE - 1), which=st.integers(0, EVENTS - 1), approve=st.booleans())
    def decide_registration(self, who, which, approve):
        registration = events.registration_of(self.people[who], self.events[which])
        if registration is not None and registration.status in ACTIVE:
            self._attempt(events.decide_registration, self.admin, registration, approve)

    # --- the event and the partnership --------------------------------------------------------------

    @rule(which=st.integers(0, EVENTS), visibility=VISIBILITY)
    def change_visibility(self, which, visibility):
        event = self.events[which]
        data = events.event_data_of(event)
        data.visibility = visibility
        self._attempt(events.update_event, self.admin, event, data)

    @rule(partners=st.lists(st.sampled_from(["first", "second", "outside"]), unique=True))
    def change_partners(self, partners):
        """Institutions leave the partnership (a host among them) or join it."""
        partnership = self.partnership
        institutions.update_partnership(self.admin, partnership, institutions.PartnershipData(
            title=partnership.title, reference=partnership.reference, start_date=partnership.start_date,
            end_date=partnership.end_date, coordinating_institution=partnership.coordinating_institution,
            partners=[self.homes[name] for name in partners]))
        note(f"partners now {partners}")

    @rule(days=st.sampled_from([1, 7, 21]))  # from START, three long steps reach the events (19 January 2027)
    def time_passes(self, days):
        self.today += timedelta(days=days)
        note(f"today is {self.today}")

    # --- the invariant ------------------------------------------------------------------------------

    @invariant()
    def the_lists_show_what_the_pages_allow(self):
        if not self.events:
            return
        db.session.expire_all()  # what the pages would read in a new request
        mine = events.ListFilters(partnership=self.partnership.id)
        for person in [AnonymousUserMixin(), self.admin, self.coordinator, *self.people]:
            who = getattr(person, "email", "anonymous")
            upcoming = events.upcoming(person, mine)
            past = list(db.session.scalars(events.past_query(person, mine)))
            allowed = {e.id for e in self.events if permissions.can_view_event(person, e)}
            listed = [e.id for e in upcoming] + [e.id for e in past]
            assert len(listed) == len(set(listed)), (who, "listed twice")
            assert set(listed) == allowed, (who, sorted(listed), sorted(allowed))
            assert all(e.end_date >= self.today for e in upcoming) and all(e.end_date < self.today for e in past)
            offered = {p.id for p in events.partnerships_with_events(person)} & {self.partnership.id}
            assert offered == ({self.partnership.id} if allowed else set()), who


def test_the_lists_and_the_pages_agree_on_who_sees_an_event(app):
    # Each step checks ten people against two queries: a third of the profile's examples keeps this test's
    # share of CI in line with the others (15 in the suite); `make test-deep` still runs 100.
    examples = max(15, settings.default.max_examples // 3)
    run_state_machine_as_test(VisibilityMachine, settings=settings(deadline=None, max_examples=examples))
