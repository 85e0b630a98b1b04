"""Assisted matching: propose an assignment of endorsed applicants to host weeks (issue 5).

Pure Python over plain values (no Flask, no database): the views read the partnership into `Applicant`s and
`HostOffer`s, call `propose()`, and show the `Proposal`; `hard_rule_violations()` refuses a manual assignment.

A visit is one Monday-to-Friday week; a week is named by its Monday (`Week`, a `datetime.date`).

Hard rules (never broken by `propose()`; each has a code in `hard_rule_violations()`)
-------------------------------------------------------------------------------------
- `week_full`: an offer's places in a week (`HostOffer.capacity[week]`, places still free) are not exceeded;
- `quota_exhausted`: an offer's visits over the partnership (`HostOffer.quota_left`) are not exceeded;
- `not_available`: a visitor visits only in one of their `available_weeks`;
- `week_not_offered`: and only in a week the host offers (a key of `capacity`);
- `own_institution`: nobody visits their own (sending) institution;
- `already_placed`: nobody is in two visits (`propose()` places each applicant at most once);
- `no_shared_language`: the visitor and the host share at least one language;
- `not_a_monday`: a week is given by its Monday.

Score of a pair (applicant, offer) - `pair_score()`, integer points
-------------------------------------------------------------------
    pair = preference + interests + languages
    preference = PREFERENCE_POINTS[r - 1]   (30 / 20 / 10) when the host institution is the applicant's
                                             r-th preferred host; 0 when it is not among the preferences
    interests  = INTEREST_POINTS (5) x min(|interests & approaches|, INTEREST_CAP (3))      (0..15)
    languages  = LANGUAGE_POINTS (1) x min(|shared languages| - 1, LANGUAGE_CAP (2))        (0..2)

Why: the applicant's own ranking is the strongest signal (one rank is worth two shared interests), what they
will learn comes next (capped, so a host with a long list of tags does not win on volume), and an extra
shared language makes the week easier but should only separate otherwise equal hosts.

Objective of `propose()`
------------------------
Lexicographic:

1. place as many applicants as possible (nobody is left out to raise someone else's score);
2. among those assignments, maximise

       sum over matches of pair(a, o)  -  sum over sending institutions s of  SPREAD_STEP x c_s (c_s - 1) / 2

   where c_s is the number of applicants of s placed: the k-th applicant placed from the same sending
   institution is worth SPREAD_STEP x (k - 1) points less (0, 5, 10, 15, ...). The penalty is convex, so when
   places are scarce they are spread over the sending institutions rather than all going to the institution
   that sent the most (or the best-scoring) applicants: with SPREAD_STEP = 5, a second visitor from one
   institution gives way to a first visitor from another who scores less than 5 points below them.
   (When every applicant is placed the penalty is the same for every assignment, and only the scores count.)
3. ties: among assignments equal under 1. and 2., maximise the sum over placed applicants of (n - r), where r
   is the applicant's rank by `application_id` (0 = lowest) among the n applicants: an earlier application is
   placed rather than a later one. Any tie left (two equally good weeks at one host, two hosts that score
   the same, two sets of applicants with the same sum) is decided by the solver, which is deterministic, on a
   model built in a canonical order (everything sorted by id and week), so the result does not depend on the
   order of the inputs. Which of those equal assignments it picks depends on the model it is given, not on
   the objective: in the model used before December 2026 (one arc per allowed triple), listing each
   applicant's weeks latest first instead of earliest first kept the score and the applicants placed but
   changed 2,667 of the 6,000 placements of bench/matching.py's 1,000 institutions. The model below gives the
   same score and the same applicants placed as that one at every size of the benchmark, and 1,882 of the
   6,000 placements differ from it (1,518 another week at the same host; 364 another host, 224 of them
   scoring the same for that applicant and the others traded between applicants for the same total).
   Another OR-Tools version may pick other equal assignments again.

`Proposal.total_score` is the value of 2. (pair scores minus `Proposal.spread_penalty`).

How it is solved
----------------
A minimum-cost maximum flow (OR-Tools' `SimpleMinCostFlow.solve_max_flow_with_min_cost()`, which is exactly
1. then 2.-3.), on integer costs:

    source -> sending institution s : n_s parallel arcs of capacity 1, the k-th costing SPREAD_STEP (k-1) S
    s -> applicant                  : capacity 1
    applicant -> slot (offer, week) : capacity 1, cost -(pair score x S + t_a), one arc per allowed triple
    slot -> offer                   : capacity = places left in that week
    offer -> sink                   : capacity = quota left

with t_a = n - r the tie-break value of 3. and S larger than the difference of the tie-break sums of any two
maximum flows, so that 3. never outweighs one point of 2.: when u applicants (of those with an allowed
triple) stay out of every maximum flow, S = u (n - u) + 1 (the u highest values n - r minus the u lowest);
when u = 0 every maximum flow places the same applicants, 3. is the same for all, and t_a = 0, S = 1. (Small
costs make the solver about twice as fast as with S = n (n + 1) / 2 + 1, the bound used before.) The parallel arcs
of increasing cost are the convex spread term: a cheapest flow takes an institution's k-th arc only after its
(k-1)-th. Every hard rule is an arc that is absent (own institution, no shared language, week not available
or not offered, no place, no quota) or a capacity (one visit per applicant, places per week, quota).
Capacities are integers, so the optimal flow is integral (the integrality theorem of network flows: the
node-arc incidence matrix is totally unimodular); `propose()` still checks the flow against every capacity
and raises `MatchingError` if it broke one.

The whole network has an arc for every allowed (applicant, offer, week): about 10 million for the
benchmark's 1,000 institutions and 6,000 applicants, where building them in Python (10 s) and solving them
(13 s) took 23-25 s and 1.8 GB before December 2026. Few of them matter, so the network is solved over a subset and grown by *pricing* (column
generation), which keeps the optimum of the whole network exactly:

- the pairs (applicant, offer) are scored with numpy, a block of applicants at a time (languages, tags and
  weeks as bit sets); every week of a pair costs the same;
- the first model holds each applicant's pairs with their preferred hosts and their FIRST_OPTIONS
  best-scoring other pairs;
- a maximum flow of the model (OR-Tools' `SimpleMaxFlow`, no costs) is one of the whole network when no
  allowed arc outside the model leads from a node the source reaches in the residual network to one it does
  not reach (that set stays closed, so no augmenting path exists); pairs with such an arc are added until
  none is left, which gives u and so S;
- then a minimum-cost maximum flow of the model; node potentials under which every residual arc has a
  non-negative reduced cost (Bellman-Ford from a virtual root, one numpy pass per step); an arc outside the
  model with a negative reduced cost could lower the cost, so its pair is added (at most PRICED_OPTIONS per
  applicant and round, the most negative first) and the model is solved again. When no arc outside the
  model has a negative reduced cost, the potentials prove the flow optimal for the whole network (no
  negative cycle can use an outside arc), and the maximum flow is still the whole network's.
- During the first DROP_ROUNDS rounds, pairs without flow whose reduced cost exceeds DROP_MARGIN points are
  dropped from the next model (pricing brings them back if they become useful; later rounds only add, so the
  loop ends).

On the benchmark's 1,000 institutions the last model holds about 77,000 arcs of the 9.9 million, after one
maximum flow and three minimum-cost flows: 2 s and 0.3 GB in all.

Why OR-Tools' min-cost flow and not a linear program (SciPy's HiGHS): on bench/matching.py's 100 institutions
x 6 applicants (about 100,000 triples) the same network as an LP (`scipy.optimize.linprog`, dual simplex or
interior point, with a `maximum_flow` first for 1.) took 1.5-9 s for the LP alone, against 0.1 s for the
flow solve and 0.4 s for all of `propose()` then; networkx's `max_flow_min_cost` took 23 s.
"""
from __future__ import annotations

import datetime
import itertools
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

Week = datetime.date  # the Monday of an ISO week

# --- score weights (integers: the tie-break relies on it) ---------------------------------------------------
PREFERENCE_POINTS: tuple[int, ...] = (30, 20, 10)  # 1st, 2nd, 3rd preferred host
INTEREST_POINTS = 5  # per interest of the applicant that is one of the host's approaches
INTEREST_CAP = 3  # at most this many shared interests count
LANGUAGE_POINTS = 1  # per shared language beyond the first
LANGUAGE_CAP = 2  # at most this many extra languages count
SPREAD_STEP = 5  # the k-th applicant placed from one sending institution is worth SPREAD_STEP * (k - 1) less

# --- machine codes ------------------------------------------------------------------------------------------
# hard rules (hard_rule_violations)
OWN_INSTITUTION = "own_institution"
NO_SHARED_LANGUAGE = "no_shared_language"
NOT_A_MONDAY = "not_a_monday"
NOT_AVAILABLE = "not_available"
WEEK_NOT_OFFERED = "week_not_offered"
WEEK_FULL = "week_full"
QUOTA_EXHAUSTED = "quota_exhausted"
ALREADY_PLACED = "already_placed"
HARD_RULES = (OWN_INSTITUTION, NO_SHARED_LANGUAGE, NOT_A_MONDAY, NOT_AVAILABLE, WEEK_NOT_OFFERED, WEEK_FULL,
              QUOTA_EXHAUSTED, ALREADY_PLACED)

# reasons an applicant is not placed (Unplaced.code), in the order they are checked: the first that holds
NO_AVAILABLE_WEEKS = "no_available_weeks"
NO_HOST = "no_host"
OWN_INSTITUTION_ONLY = "own_institution_only"
# NO_SHARED_LANGUAGE (above) is also an Unplaced code: no host of another institution shares a language
NO_COMMON_WEEK = "no_common_week"
HOSTS_FULL = "hosts_full"
PLACES_TAKEN = "places_taken"
UNPLACED_CODES = (NO_AVAILABLE_WEEKS, NO_HOST, OWN_INSTITUTION_ONLY, NO_SHARED_LANGUAGE, NO_COMMON_WEEK,
                  HOSTS_FULL, PLACES_TAKEN)


class MatchingError(RuntimeError):
    """The solver failed or returned a flow that breaks a capacity (never expected)."""


@dataclass(frozen=True)
class Weights:
    """The score's weights; the defaults are the module constants. Integers only (see the tie-break)."""

    preference: tuple[int, ...] = PREFERENCE_POINTS
    interest: int = INTEREST_POINTS
    interest_cap: int = INTEREST_CAP
    language: int = LANGUAGE_POINTS
    language_cap: int = LANGUAGE_CAP
    spread_step: int = SPREAD_STEP

    def __post_init__(self):
        values = (*self.preference, self.interest, self.interest_cap, self.language, self.language_cap,
                  self.spread_step)
        if any(not isinstance(v, int) or v < 0 for v in values):
            raise ValueError("weights must be non-negative integers")


DEFAULT_WEIGHTS = Weights()


@dataclass(frozen=True)
class HostOffer:
    offer_id: int
    institution_id: int  # the host institution
    languages: frozenset[str]  # ISO 639-1 codes
    approaches: frozenset[str]  # tags of the approaches visitors will see (lower-case)
    capacity: Mapping[Week, int]  # offered weeks -> places still free (the caller subtracts confirmed visits)
    quota_left: int  # visits still allowed over the partnership


@dataclass(frozen=True)
class Applicant:
    application_id: int
    institution_id: int  # the sending institution
    languages: frozenset[str]
    interests: frozenset[str]
    preferred_hosts: tuple[int, ...]  # host institution ids, best first (at most 3 count)
    available_weeks: frozenset[Week]


@dataclass(frozen=True)
class ScoreBreakdown:
    """Why a pair scores what it scores; `reasons` are English sentences for developers and tests (the pages
    write the pair's reasons in the reader's language from their codes: network/mobility/reasons.py)."""

    total: int
    preference_rank: int | None  # 1-based rank of the host among the applicant's preferences, None if absent
    preference_points: int
    shared_interests: tuple[str, ...]
    interest_points: int
    shared_languages: tuple[str, ...]
    language_points: int

    @property
    def reasons(self) -> tuple[str, ...]:
        if self.preference_rank is None:
            first = "Not among the applicant's preferences"
        else:
            first = f"The applicant's {_ordinal(self.preference_rank)} preference"
        return (
            first,
            ("Shared interests: " + ", ".join(self.shared_interests)) if self.shared_interests
            else "No shared interests",
            "Shared languages: " + ", ".join(self.shared_languages) if self.shared_languages
            else "No shared language",
        )


@dataclass(frozen=True)
class Match:
    application_id: int
    offer_id: int
    host_institution_id: int
    week: Week
    score: float  # the pair score (the spread penalty is counted in Proposal.total_score only)
    preference_rank: int | None
    shared_interests: tuple[str, ...]
    shared_languages: tuple[str, ...]
    reasons: tuple[str, ...] = ()  # English sentences: preference rank, shared interests, shared languages


@dataclass(frozen=True)
class Unplaced:
    application_id: int
    code: str  # one of UNPLACED_CODES
    reason: str  # a sentence for the coordinator


@dataclass
class Proposal:
    matches: list[Match] = field(default_factory=list)  # sorted by application_id
    unplaced: list[Unplaced] = field(default_factory=list)  # sorted by application_id
    total_score: float = 0.0  # sum of the matches' scores minus spread_penalty
    spread_penalty: float = 0.0


class Violation(str):
    """A broken hard rule: the sentence itself (a `str`), with its machine code in `.code`."""

    code: str

    def __new__(cls, code: str, message: str) -> Violation:
        obj = super().__new__(cls, message)
        obj.code = code
        return obj


# --- score --------------------------------------------------------------------------------------------------

def _norm(values: Iterable[str]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v and v.strip())


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def preference_rank(applicant: Applicant, host_institution_id: int) -> int | None:
    """1-based rank of the host institution among the applicant's preferences (their own institution never
    counts), None when it is not among them."""
    if host_institution_id == applicant.institution_id:
        return None
    for i, host in enumerate(applicant.preferred_hosts):
        if host == host_institution_id:
            return i + 1
    return None


def _points(rank: int | None, n_interests: int, n_languages: int, weights: Weights) -> tuple[int, int, int]:
    pref = weights.preference[rank - 1] if rank is not None and rank <= len(weights.preference) else 0
    return (pref, weights.interest * min(n_interests, weights.interest_cap),
            weights.language * min(max(n_languages - 1, 0), weights.language_cap))


def pair_score(applicant: Applicant, offer: HostOffer,
               weights: Weights = DEFAULT_WEIGHTS) -> tuple[float, ScoreBreakdown]:
    """The score of placing `applicant` with `offer` (in any week), and its breakdown (see the module
    docstring). It does not check the hard rules: `hard_rule_violations()` does."""
    rank = preference_rank(applicant, offer.institution_id)
    interests = tuple(sorted(_norm(applicant.interests) & _norm(offer.approaches)))
    langs = tuple(sorted(_norm(applicant.languages) & _norm(offer.languages)))
    pref, interest_points, language_points = _points(rank, len(interests), len(langs), weights)
    total = pref + interest_points + language_points
    return float(total), ScoreBreakdown(total, rank, pref, interests, interest_points, langs, language_points)


# --- hard rules ---------------------------------------------------------------------------------------------

def hard_rule_violations(applicant: Applicant, offer: HostOffer, week: Week, *,
                         already_placed: bool = False) -> list[Violation]:
    """Every hard rule that placing `applicant` with `offer` in `week` would break, as sentences (each a
    `Violation`, a str with a `.code`); empty when the assignment is allowed.

    Places and quota are read from `offer.capacity` and `offer.quota_left` (what is still free);
    `already_placed` says whether the applicant already has a visit in this partnership."""
    out: list[Violation] = []
    when = week.isoformat()
    if offer.institution_id == applicant.institution_id:
        out.append(Violation(OWN_INSTITUTION, "The visitor cannot visit their own institution"))
    if not (_norm(applicant.languages) & _norm(offer.languages)):
        host = ", ".join(sorted(_norm(offer.languages))) or "none"
        visitor = ", ".join(sorted(_norm(applicant.languages))) or "none"
        out.append(Violation(NO_SHARED_LANGUAGE, f"The host and the visitor share no language "
                                                 f"(host: {host}; visitor: {visitor})"))
    if week.weekday() != 0:
        out.append(Violation(NOT_A_MONDAY,
                             f"A visit week starts on a Monday; {when} is a {week.strftime('%A')}"))
    if week not in applicant.available_weeks:
        out.append(Violation(NOT_AVAILABLE, f"The visitor is not available in the week of {when}"))
    if week not in offer.capacity:
        out.append(Violation(WEEK_NOT_OFFERED, f"The host does not offer the week of {when}"))
    elif offer.capacity[week] <= 0:
        out.append(Violation(WEEK_FULL, f"The host has no place left in the week of {when}"))
    if offer.quota_left <= 0:
        out.append(Violation(QUOTA_EXHAUSTED, "The host has no visit left in its quota for this partnership"))
    if already_placed:
        out.append(Violation(ALREADY_PLACED, "The visitor already has a visit in this partnership"))
    return out


# --- proposal -----------------------------------------------------------------------------------------------

# Pricing (module docstring). The first model holds each applicant's pairs with their preferred hosts and
# this many other pairs, the best-scoring; each round adds at most PRICED_OPTIONS pairs per applicant; during
# the first DROP_ROUNDS rounds of minimum-cost flows, pairs without flow whose reduced cost exceeds DROP_MARGIN
# points leave the next model. Tuned on bench/matching.py (1,000 institutions: 48 / 16 / 3 / 3 gave one
# maximum flow and three minimum-cost flows; fewer first options gave more rounds, more gave larger models:
# both slower). Any values give the same optimum (tests/mobility/test_matching_pricing.py uses tiny ones).
FIRST_OPTIONS = 48
PRICED_OPTIONS = 16
DROP_ROUNDS = 3
DROP_MARGIN = 3
# Applicant x offer pairs scored at once (the memory of one block: about 30 bytes a pair while it is scored),
# and at most how many pairs' scores are kept between rounds (11 bytes a pair) rather than scored again.
BLOCK_PAIRS = 1 << 21
KEEP_PAIRS = 1 << 24


def propose(applicants: Iterable[Applicant], offers: Iterable[HostOffer], *,
            weights: Weights = DEFAULT_WEIGHTS, stats: dict[str, float] | None = None) -> Proposal:
    """The best assignment of `applicants` to offered weeks under the hard rules (see the module docstring).

    `stats`, when given, receives the wall and CPU seconds of each phase (`<phase>_wall`, `<phase>_cpu` for
    prepare, build, solve, price, write) and the model's size (`rounds`, `pairs` and `arcs` of the last model,
    `triples` of the whole network, the cost `scale`): bench/matching.py prints them.
    Raises ValueError for duplicate ids or a week that is not a Monday, MatchingError if the solver fails."""
    phase = _Phases(stats)
    with phase("prepare"):
        apps = sorted(applicants, key=lambda a: a.application_id)
        offs = sorted(offers, key=lambda o: o.offer_id)
        _validate(apps, offs)
        app_langs = [_norm(a.languages) for a in apps]
        off_langs = [_norm(o.languages) for o in offs]
        pairs = _Pairs(apps, offs, app_langs, off_langs, weights)
    chosen = pairs.solve(phase)

    with phase("write"):
        matches: list[Match] = []
        per_sender: dict[int, int] = defaultdict(int)
        for ai, oi, week in chosen:  # by applicant, so by application_id
            a, o = apps[ai], offs[oi]
            score, why = pair_score(a, o, weights)
            per_sender[a.institution_id] += 1
            matches.append(Match(a.application_id, o.offer_id, o.institution_id, week, score,
                                 why.preference_rank, why.shared_interests, why.shared_languages, why.reasons))
        placed = {ai for ai, _, _ in chosen}
        penalty = float(sum(weights.spread_step * c * (c - 1) // 2 for c in per_sender.values()))
        left = [ai for ai in range(len(apps)) if ai not in placed]
        unplaced = [_unplaced(apps[ai], app_langs[ai], counts)
                    for ai, counts in zip(left, pairs.unplaced_counts(left), strict=True)]
    return Proposal(matches, unplaced, sum(m.score for m in matches) - penalty, penalty)


class _Phases:
    """Adds the wall and CPU seconds of each phase to a dict (or does nothing without one)."""

    def __init__(self, into: dict[str, float] | None):
        self.into = into

    @contextmanager
    def __call__(self, name: str):
        if self.into is None:
            yield
            return
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.into[f"{name}_wall"] = self.into.get(f"{name}_wall", 0.0) + time.perf_counter() - wall
            self.into[f"{name}_cpu"] = self.into.get(f"{name}_cpu", 0.0) + time.process_time() - cpu

    def count(self, name: str, value: float) -> None:
        if self.into is not None:
            self.into[name] = value


def _bits(sets: list[frozenset], index: dict) -> np.ndarray:
    """Each set as a row of 64-bit words, bit i set when it holds the value numbered i in `index`."""
    words = max(1, (len(index) + 63) // 64)
    masks = [sum(1 << index[v] for v in s if v in index) for s in sets]
    out = np.zeros((len(sets), words), dtype=np.uint64)
    for k in range(words):
        out[:, k] = [(mask >> (64 * k)) & 0xFFFF_FFFF_FFFF_FFFF for mask in masks]
    return out


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a_i & b_j| for every row i of a and j of b (bit rows from `_bits`)."""
    out = np.zeros((len(a), len(b)), dtype=np.int16)
    for k in range(a.shape[1]):
        out += np.bitwise_count(a[:, None, k] & b[None, :, k])
    return out


def _tie_break(n: int, unplaced: int) -> tuple[int, np.ndarray]:
    """The scale S and the tie-break values t of the costs -(score x S + t) of n applicants (by rank) when
    `unplaced` of them (of those with an allowed pair) stay out of every maximum flow: two maximum flows'
    tie-break sums then differ by at most unplaced x (n - unplaced) (the sum of the highest `unplaced`
    values n - rank minus that of the lowest), and a scale above that makes one point of score outweigh any
    tie-break. With nobody left out every maximum flow places the same applicants: the tie-break is the same
    for all and is left out (t = 0, S = 1), which keeps the costs small and the solver fast."""
    if unplaced == 0:
        return 1, np.zeros(n, dtype=np.int64)
    return unplaced * (n - unplaced) + 1, n - np.arange(n, dtype=np.int64)


class _Pairs:
    """The applicants and offers as arrays, every (applicant, offer) pair scored a block of applicants at a
    time, and the pricing loop over flow networks that hold some of the pairs (module docstring).

    A pair is allowed when every hard rule but the capacities allows it in at least one week: another
    institution, a shared language, a week the applicant is available in and the offer still has a place in
    (quota left). Every week of a pair costs the same in the flow: -(pair score x scale + tie-break), see
    `_tie_break()`."""

    def __init__(self, apps: list[Applicant], offs: list[HostOffer], app_langs: list[frozenset[str]],
                 off_langs: list[frozenset[str]], weights: Weights):
        self.n_apps, self.n_offs = n, n_offs = len(apps), len(offs)
        self.weights = weights
        self.set_scale(0)  # scores alone until the maximum flow is known (_tie_break)
        # Slots (offer, week) with a place left, of offers with quota left, in canonical order.
        open_weeks = [sorted(w for w, c in o.capacity.items() if c > 0) if o.quota_left > 0 else [] for o in offs]
        self.weeks = sorted({w for weeks in open_weeks for w in weeks})
        week_index = {w: i for i, w in enumerate(self.weeks)}
        # Slot number of each offer and week, -1: none (also in an extra last column, for week_lists' padding).
        self.slot_of = np.full((n_offs, len(self.weeks) + 1), -1, dtype=np.int64)
        self.slots: list[tuple[int, Week]] = []
        for oi, weeks in enumerate(open_weeks):
            for w in weeks:
                self.slot_of[oi, week_index[w]] = len(self.slots)
                self.slots.append((oi, w))
        self.slot_cap = np.array([offs[oi].capacity[w] for oi, w in self.slots], dtype=np.int64)
        self.slot_offer = np.array([oi for oi, _ in self.slots], dtype=np.int64)
        self.quota = np.array([max(o.quota_left, 0) for o in offs], dtype=np.int64)
        app_weeks = [frozenset(week_index[w] for w in a.available_weeks if w in week_index) for a in apps]
        self.available = np.zeros((n, len(self.weeks)), dtype=bool)
        # Each applicant's weeks (their numbers), padded with len(self.weeks): a row of "no week" for pricing.
        self.week_lists = np.full((n, max(1, *map(len, app_weeks)) if app_weeks else 1), len(self.weeks),
                                  dtype=np.int64)
        for ai, weeks in enumerate(app_weeks):
            self.available[ai, list(weeks)] = True
            self.week_lists[ai, :len(weeks)] = sorted(weeks)

        languages = {v: i for i, v in enumerate(sorted(set().union(*app_langs, *off_langs)))}
        self.app_langs, self.off_langs = _bits(app_langs, languages), _bits(off_langs, languages)
        app_interests = [_norm(a.interests) for a in apps]
        off_approaches = [_norm(o.approaches) for o in offs]
        tags = sorted(set().union(*app_interests) & set().union(*off_approaches))
        tag_index = {v: i for i, v in enumerate(tags)}
        self.app_interests, self.off_approaches = _bits(app_interests, tag_index), _bits(off_approaches, tag_index)
        self.app_weeks = _bits(app_weeks, week_index := {i: i for i in range(len(self.weeks))})
        self.off_weeks = _bits([frozenset(np.flatnonzero(row >= 0).tolist()) for row in self.slot_of], week_index)
        # Every week an offer names (with places or not), for the reasons of the unplaced.
        any_index = {w: i for i, w in enumerate(sorted({w for o in offs for w in o.capacity}))}
        self.app_any_weeks = _bits([a.available_weeks for a in apps], any_index)
        self.off_any_weeks = _bits([frozenset(o.capacity) for o in offs], any_index)
        self.app_inst = np.array([a.institution_id for a in apps], dtype=np.int64)
        self.off_inst = np.array([o.institution_id for o in offs], dtype=np.int64)
        self.senders = [a.institution_id for a in apps]
        # Preference points as (applicant, offer, points) sorted by applicant: every offer of a preferred host.
        offers_of: dict[int, list[int]] = defaultdict(list)
        for oi, o in enumerate(offs):
            offers_of[o.institution_id].append(oi)
        rows, cols, points = [], [], []
        for ai, a in enumerate(apps):
            ranks: dict[int, int] = {}
            for i, host in enumerate(a.preferred_hosts):
                ranks.setdefault(host, i + 1)
            for host, rank in ranks.items():
                for oi in offers_of.get(host, ()):
                    rows.append(ai)
                    cols.append(oi)
                    points.append(weights.preference[rank - 1] if rank <= len(weights.preference) else 0)
        self.pref_rows = np.array(rows, dtype=np.int64)
        self.pref_cols = np.array(cols, dtype=np.int64)
        self.pref_points = np.array(points, dtype=np.int64)
        by_key = np.argsort(self.pref_rows * n_offs + self.pref_cols)
        self.pref_keys = (self.pref_rows * n_offs + self.pref_cols)[by_key]
        self.pref_points_by_key = self.pref_points[by_key]
        self.block = max(1, BLOCK_PAIRS // max(n_offs, 1))
        # The scored blocks are kept between rounds when they are small enough, else scored again each round.
        self.kept = [] if n * n_offs <= KEEP_PAIRS else None
        self.triples = 0  # allowed (applicant, offer, week) triples: the arcs of the whole network

    def blocks(self):
        """(first applicant, allowed pairs, pair scores, preferred pairs) for each block of applicants."""
        if self.kept:
            yield from self.kept
            return
        w = self.weights
        for lo in range(0, self.n_apps, self.block):
            hi = min(lo + self.block, self.n_apps)
            langs = _common(self.app_langs[lo:hi], self.off_langs)
            weeks = _common(self.app_weeks[lo:hi], self.off_weeks)
            allowed = (langs > 0) & (weeks > 0) & (self.app_inst[lo:hi, None] != self.off_inst[None, :])
            score = (w.interest * np.minimum(_common(self.app_interests[lo:hi], self.off_approaches),
                                             w.interest_cap).astype(np.int64)
                     + w.language * np.minimum(np.maximum(langs - 1, 0), w.language_cap))
            first, last = np.searchsorted(self.pref_rows, [lo, hi])
            preferred = np.zeros(score.shape, dtype=bool)
            preferred[self.pref_rows[first:last] - lo, self.pref_cols[first:last]] = True
            score[self.pref_rows[first:last] - lo, self.pref_cols[first:last]] += self.pref_points[first:last]
            if lo == 0:
                self.triples = 0
            self.triples += int(weeks[allowed].sum())
            block = (lo, allowed, score, preferred)
            if self.kept is not None:
                self.kept.append(block)
            yield block

    def score_of(self, app: np.ndarray, off: np.ndarray) -> np.ndarray:
        """The pair scores of the pairs (app[i], off[i])."""
        w = self.weights
        langs = np.bitwise_count(self.app_langs[app] & self.off_langs[off]).sum(axis=1, dtype=np.int64)
        interests = np.bitwise_count(self.app_interests[app] & self.off_approaches[off]).sum(axis=1, dtype=np.int64)
        score = (w.interest * np.minimum(interests, w.interest_cap)
                 + w.language * np.minimum(np.maximum(langs - 1, 0), w.language_cap))
        at = np.searchsorted(self.pref_keys, app * self.n_offs + off)
        found = at < len(self.pref_keys)
        found[found] = self.pref_keys[at[found]] == (app * self.n_offs + off)[found]
        score[found] += self.pref_points_by_key[at[found]]
        return score

    def unplaced_counts(self, rows: list[int]) -> list[tuple[int, int, int, int, int, int]]:
        """For each applicant of `rows`: the number of offers, of those of another institution, of those that
        share a language, of those that offer (places or not) a week the applicant is available in; the
        allowed pairs and triples (the host weeks still open to the applicant)."""
        out = []
        for lo in range(0, len(rows), self.block):
            at = np.array(rows[lo:lo + self.block], dtype=np.int64)
            others = self.app_inst[at, None] != self.off_inst[None, :]
            speaking = others & (_common(self.app_langs[at], self.off_langs) > 0)
            offering = speaking & (_common(self.app_any_weeks[at], self.off_any_weeks) > 0)
            open_weeks = np.where(offering, _common(self.app_weeks[at], self.off_weeks), 0)
            out += zip(itertools.repeat(self.n_offs), others.sum(axis=1).tolist(), speaking.sum(axis=1).tolist(),
                       offering.sum(axis=1).tolist(), (open_weeks > 0).sum(axis=1).tolist(),
                       open_weeks.sum(axis=1).tolist())
        return out

    def set_scale(self, unplaced: int) -> None:
        self.scale, self.tie = _tie_break(self.n_apps, unplaced)

    def solve(self, phase: _Phases) -> list[tuple[int, int, Week]]:
        """The (applicant, offer, week) triples of a minimum-cost maximum flow over every allowed triple."""
        with phase("build"):
            keys = self._first_pairs()
            used = np.unique(keys // max(self.n_offs, 1))  # applicants with at least one allowed pair
            network = _Network(self, used, keys)
        rounds = 0
        # 1. A maximum flow (no costs: fast) of a model that holds one of the whole network.
        while network.arcs:
            rounds += 1
            with phase("solve"):
                reached = network.maximum()
            with phase("price"):
                new = self._pricing(network, keys, reached=reached)
            if not len(new):
                break
            with phase("build"):
                keys = np.union1d(keys, new)
                network = _Network(self, used, keys)
        whole = network.maximum_flow  # the whole network's: every flow below carries as much
        self.set_scale(len(used) - whole)
        network.set_costs()
        # 2. Minimum-cost maximum flows until no pair outside the model could lower the cost.
        for cost_round in itertools.count(1):
            if not network.arcs:
                break
            rounds += 1
            with phase("solve"):
                network.solve()
            if network.maximum_flow != whole:
                raise MatchingError("a model lost the maximum flow")
            with phase("price"):
                distance = network.potentials()
                new = self._pricing(network, keys, distance=distance)
            if not len(new):
                break
            with phase("build"):
                if cost_round <= DROP_ROUNDS:
                    keys = keys[network.useful_pairs(distance, DROP_MARGIN * self.scale)]
                keys = np.union1d(keys, new)
                network = _Network(self, used, keys)
        phase.count("rounds", rounds)
        phase.count("pairs", len(keys))
        phase.count("arcs", network.arcs)
        phase.count("triples", self.triples)
        phase.count("scale", self.scale)
        return network.chosen()

    def _first_pairs(self) -> np.ndarray:
        """Keys (applicant x n_offers + offer, sorted) of the first model's pairs: every allowed pair with a
        preferred host and the FIRST_OPTIONS best others (by score, then offer: deterministic)."""
        keys = []
        for lo, allowed, score, preferred in self.blocks():
            pick = allowed & preferred
            others = allowed & ~preferred
            if self.n_offs > FIRST_OPTIONS:
                rank = np.where(others, -score * self.n_offs + np.arange(self.n_offs), np.iinfo(np.int64).max)
                kth = np.partition(rank, FIRST_OPTIONS - 1, axis=1)[:, FIRST_OPTIONS - 1]
                pick |= others & (rank <= kth[:, None])
            else:
                pick |= others
            rows, cols = np.nonzero(pick)
            keys.append((rows + lo) * self.n_offs + cols)
        return np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)

    def _pricing(self, network: _Network, keys: np.ndarray, *, reached: np.ndarray | None = None,
                 distance: np.ndarray | None = None) -> np.ndarray:
        """The allowed pairs outside the model (`keys`) that could improve its flow, at most PRICED_OPTIONS per
        applicant, the most useful first. Given `reached` (the nodes the source reaches in the residual network
        of a maximum flow): the pairs with a week whose arc leads from a reached applicant to a slot not
        reached, the better-scoring first. Given potentials (`distance`): the pairs with a week whose arc has
        a negative reduced cost, the most negative first. None: the flow is a maximum flow of the whole
        network, or one of minimum cost."""
        has_slot = self.slot_of >= 0
        slot_node = network.s0 + np.maximum(self.slot_of, 0)
        lowest, highest = np.iinfo(np.int64).min // 4, np.iinfo(np.int64).max
        if distance is not None:
            # The potential of each offer's slot in each week (lowest: no slot; the last row, "no week", pads
            # week_lists): an arc's reduced cost, cost + distance(applicant) - distance(slot), is lowest for
            # the applicant's week of highest potential.
            slot_distance = np.where(has_slot, distance[slot_node], lowest).T.copy()
            app_shift = distance[network.a0:network.a0 + self.n_apps] - self.tie
        else:
            unreached = (has_slot & ~reached[slot_node]).T.copy()  # slots by week, as above
            app_reached = reached[network.a0:network.a0 + self.n_apps]
        found = []
        for lo, allowed, score, _ in self.blocks():
            hi = lo + len(allowed)
            rows = np.arange(hi - lo) if distance is not None else np.flatnonzero(app_reached[lo:hi])
            if not len(rows):
                continue
            weeks = self.week_lists[lo + rows]
            if distance is not None:
                key = slot_distance[weeks[:, 0]]
                for j in range(1, weeks.shape[1]):
                    np.maximum(key, slot_distance[weeks[:, j]], out=key)
                np.negative(key, out=key)
                key -= score * self.scale
                key += app_shift[lo:hi, None]
            else:
                escape = unreached[weeks[:, 0]]
                for j in range(1, weeks.shape[1]):
                    escape |= unreached[weeks[:, j]]
                key = np.where(escape, lowest - score[rows], highest)
            inside = np.zeros(allowed.shape, dtype=bool)
            first, last = np.searchsorted(keys, [lo * self.n_offs, hi * self.n_offs])
            inside.flat[keys[first:last] - lo * self.n_offs] = True
            pick = allowed[rows] & ~inside[rows] & (key < 0)
            crowded = np.flatnonzero(pick.sum(axis=1) > PRICED_OPTIONS)
            if len(crowded):
                ranked = np.where(pick[crowded], key[crowded], highest)
                kth = np.partition(ranked, PRICED_OPTIONS - 1, axis=1)[:, PRICED_OPTIONS - 1]
                pick[crowded] &= ranked <= kth[:, None]
            at, cols = np.nonzero(pick)
            found.append((rows[at] + lo) * self.n_offs + cols)
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


class _Network:
    """A flow network over some pairs, every week of each pair an applicant -> slot arc:

    source -> sender (spread arcs) -> applicant -> slot (offer, week) -> offer -> sink."""

    def __init__(self, pairs: _Pairs, used: np.ndarray, keys: np.ndarray):
        self.pairs = pairs
        n_offs = max(pairs.n_offs, 1)
        self.pair_app, self.pair_off = pair_app, pair_off = keys // n_offs, keys % n_offs
        # Every week of each pair: applicant -> slot arcs in canonical order (applicant, offer, week), as the
        # pairs are sorted and each applicant's weeks too.
        slot = pairs.slot_of[pair_off[:, None], pairs.week_lists[pair_app]]
        self.arc_pair, self.arc_slot = np.nonzero(slot >= 0)[0], slot[slot >= 0]
        self.arc_app = pair_app[self.arc_pair]
        self.n_pairs = len(keys)
        self.arcs = m = len(self.arc_app)

        senders = pairs.senders
        n_apps, n_slots, n_offers = pairs.n_apps, len(pairs.slots), pairs.n_offs
        sender_ids = sorted({senders[a] for a in used.tolist()})
        sender_node = {s: 1 + i for i, s in enumerate(sender_ids)}
        self.a0 = a0 = 1 + len(sender_ids)
        self.s0 = s0 = a0 + n_apps
        o0 = s0 + n_slots
        self.sink = sink = o0 + n_offers
        self.n_nodes = sink + 1
        self.supply = len(used)
        # source -> sending institution: its k-th arc (k = 0, 1, ...) costs k x spread_cost.
        members: dict[int, int] = defaultdict(int)
        for a in used.tolist():
            members[senders[a]] += 1
        spread_heads = np.array([sender_node[s] for s in sender_ids for _ in range(members[s])], dtype=np.int64)
        self.spread_rank = np.array([k for s in sender_ids for k in range(members[s])], dtype=np.int64)
        n_spread, n_used = len(spread_heads), len(used)
        self.first_arc = n_spread + n_used
        self.tails = np.concatenate([np.zeros(n_spread, dtype=np.int64),
                                     np.array([sender_node[senders[a]] for a in used.tolist()], dtype=np.int64),
                                     a0 + self.arc_app, s0 + np.arange(n_slots), o0 + np.arange(n_offers)])
        self.heads = np.concatenate([spread_heads, a0 + used, s0 + self.arc_slot, o0 + pairs.slot_offer,
                                     np.full(n_offers, sink)])
        self.capacities = np.concatenate([np.ones(n_spread + n_used + m, dtype=np.int64), pairs.slot_cap,
                                          pairs.quota])
        self.costs = np.zeros(len(self.tails), dtype=np.int64)
        self.set_costs()
        self.flow = np.zeros(len(self.tails), dtype=np.int64)
        self.maximum_flow = 0

    def set_costs(self) -> None:
        """The arcs' costs, from the pairs' scores and the current scale and tie-break (`_tie_break()`)."""
        pairs = self.pairs
        pair_cost = -(pairs.score_of(self.pair_app, self.pair_off) * pairs.scale + pairs.tie[self.pair_app])
        self.costs[:len(self.spread_rank)] = self.spread_rank * (pairs.weights.spread_step * pairs.scale)
        self.costs[self.first_arc:self.first_arc + self.arcs] = pair_cost[self.arc_pair]

    def maximum(self) -> np.ndarray:
        """A maximum flow, without costs; returns the nodes the source reaches in its residual network."""
        solver = max_flow.SimpleMaxFlow()
        solver.add_arcs_with_capacity(self.tails.astype(np.int32), self.heads.astype(np.int32), self.capacities)
        status = solver.solve(0, self.sink)
        if status != solver.OPTIMAL:
            raise MatchingError(f"the maximum flow solver failed (status {status})")
        self.maximum_flow = solver.optimal_flow()
        reached = np.zeros(self.n_nodes, dtype=bool)
        reached[np.asarray(solver.get_source_side_min_cut(), dtype=np.int64)] = True
        return reached

    def solve(self) -> None:
        if self.arcs == 0:
            return
        solver = min_cost_flow.SimpleMinCostFlow()
        arcs = np.asarray(solver.add_arcs_with_capacity_and_unit_cost(
            self.tails.astype(np.int32), self.heads.astype(np.int32), self.capacities, self.costs))
        solver.set_node_supply(0, self.supply)
        solver.set_node_supply(self.sink, -self.supply)
        status = solver.solve_max_flow_with_min_cost()
        if status != solver.OPTIMAL:
            raise MatchingError(f"the min-cost flow solver failed (status {status})")
        self.flow = np.asarray(solver.flows(arcs.astype(np.int32)), dtype=np.int64)
        self.maximum_flow = solver.maximum_flow()

    def potentials(self) -> np.ndarray:
        """Node potentials under which every arc of the residual network has a non-negative reduced cost:
        the shortest distances from a virtual root joined to every node (Bellman-Ford, a numpy pass per
        step; the residual network of a minimum-cost flow has no negative cycle)."""
        forward, backward = self.flow < self.capacities, self.flow > 0
        tails = np.concatenate([self.tails[forward], self.heads[backward]])
        heads = np.concatenate([self.heads[forward], self.tails[backward]])
        costs = np.concatenate([self.costs[forward], -self.costs[backward]])
        distance = np.zeros(self.n_nodes, dtype=np.int64)
        for _ in range(self.n_nodes + 1):
            candidate = distance[tails] + costs
            shorter = candidate < distance[heads]
            if not shorter.any():
                return distance
            np.minimum.at(distance, heads[shorter], candidate[shorter])
        raise MatchingError("the residual network has a negative cycle: the flow is not of minimum cost")

    def useful_pairs(self, distance: np.ndarray, margin: int) -> np.ndarray:
        """Which of the model's pairs to keep: those that carry flow or have a week whose arc's reduced cost
        is at most `margin` (the others are unlikely to be used; pricing brings them back if they are)."""
        arcs = slice(self.first_arc, self.first_arc + self.arcs)
        reduced = self.costs[arcs] + distance[self.tails[arcs]] - distance[self.heads[arcs]]
        useful = np.zeros(self.n_pairs, dtype=bool)
        useful[self.arc_pair[(reduced <= margin) | (self.flow[arcs] > 0)]] = True
        return useful

    def chosen(self) -> list[tuple[int, int, Week]]:
        """(applicant, offer, week) of the applicant -> slot arcs that carry flow, checked against every
        capacity (the flow is integral by construction: cheap to check anyway)."""
        if self.arcs == 0:
            return []
        pairs = self.pairs
        x = self.flow[self.first_arc:self.first_arc + self.arcs]
        chosen = np.flatnonzero(x)
        if (np.any((x != 0) & (x != 1)) or len(chosen) != self.maximum_flow
                or np.bincount(self.arc_app[chosen], minlength=pairs.n_apps).max(initial=0) > 1
                or np.any(np.bincount(self.arc_slot[chosen], minlength=len(pairs.slots)) > pairs.slot_cap)
                or np.any(np.bincount(pairs.slot_offer[self.arc_slot[chosen]], minlength=pairs.n_offs)
                          > pairs.quota)):
            raise MatchingError("the solver's flow breaks a capacity")
        return [(int(self.arc_app[i]), *pairs.slots[self.arc_slot[i]]) for i in chosen]


def _validate(apps: list[Applicant], offs: list[HostOffer]) -> None:
    for what, ids in (("application_id", [a.application_id for a in apps]),
                      ("offer_id", [o.offer_id for o in offs])):
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate {what}")
    for a in apps:
        for w in a.available_weeks:
            if w.weekday() != 0:
                raise ValueError(f"application {a.application_id}: available week {w} is not a Monday")
    for o in offs:
        for w in o.capacity:
            if w.weekday() != 0:
                raise ValueError(f"offer {o.offer_id}: offered week {w} is not a Monday")


def _unplaced(a: Applicant, langs: frozenset[str], counts: tuple[int, int, int, int, int, int]) -> Unplaced:
    """Why `a` is not placed, from `_Pairs.unplaced_counts()`: the first of the reasons that holds."""
    hosts, others, speaking, offering, open_hosts, open_weeks = counts

    def out(code: str, reason: str) -> Unplaced:
        return Unplaced(a.application_id, code, reason)

    if not a.available_weeks:
        return out(NO_AVAILABLE_WEEKS, "The applicant has given no available week")
    if not hosts:
        return out(NO_HOST, "No host offers visits in this partnership")
    if not others:
        return out(OWN_INSTITUTION_ONLY, "The only host is the applicant's own institution")
    if not speaking:
        return out(NO_SHARED_LANGUAGE, "No host shares a language with the applicant (who speaks {})"
                   .format(", ".join(sorted(langs)) or "no language given"))
    if not offering:
        return out(NO_COMMON_WEEK, "None of the available weeks is offered by a suitable host "
                                   "(a host of another institution that shares a language)")
    if not open_weeks:
        return out(HOSTS_FULL, "Suitable hosts are full or out of quota in the available weeks")
    return out(PLACES_TAKEN,
               f"The places this applicant could take ({open_weeks} host week{'s' if open_weeks != 1 else ''} "
               f"at {open_hosts} host{'s' if open_hosts != 1 else ''}) went to other applicants: placing this "
               f"applicant instead would place no more people, or lower the score")
