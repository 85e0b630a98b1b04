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
   placed rather than a later one. Any tie left (two equally good weeks at one host, say) is decided by the
   solver, which is deterministic, on a model built in a canonical order (everything sorted by id and week),
   so the result does not depend on the order of the inputs. (Another OR-Tools version may pick another of
   those equal assignments; 9.12 and 9.15 gave the same proposals on the benchmark.)

`Proposal.total_score` is the value of 2. (pair scores minus `Proposal.spread_penalty`).

How it is solved
----------------
A minimum-cost maximum flow (OR-Tools' `SimpleMinCostFlow.solve_max_flow_with_min_cost()`, which is exactly
1. then 2.-3.), on integer costs:

    source -> sending institution s : n_s parallel arcs of capacity 1, the k-th costing SPREAD_STEP (k-1) S
    s -> applicant                  : capacity 1
    applicant -> slot (offer, week) : capacity 1, cost -(pair score x S + n - r), one arc per allowed triple
    slot -> offer                   : capacity = places left in that week
    offer -> sink                   : capacity = quota left

with S = n (n + 1) / 2 + 1, larger than every tie-break sum, so 3. never outweighs one point of 2. The
parallel arcs of increasing cost are the convex spread term: a cheapest flow takes an institution's k-th arc
only after its (k-1)-th. Every hard rule is an arc that is absent (own institution, no shared language, week
not available or not offered, no place, no quota) or a capacity (one visit per applicant, places per week,
quota).
Capacities are integers, so the optimal flow is integral (the integrality theorem of network flows: the
node-arc incidence matrix is totally unimodular); `propose()` still checks the flow against every capacity
and raises `MatchingError` if it broke one.

Why OR-Tools' min-cost flow and not a linear program (SciPy's HiGHS): on bench/matching.py's 100 institutions
x 6 applicants (about 100,000 triples) the same network as an LP (`scipy.optimize.linprog`, dual simplex or
interior point, with a `maximum_flow` first for 1.) took 1.5-9 s for the LP alone, against 0.1 s for the
flow solve here and 0.4 s for all of `propose()`; networkx's `max_flow_min_cost` took 23 s.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

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

def propose(applicants: Iterable[Applicant], offers: Iterable[HostOffer], *,
            weights: Weights = DEFAULT_WEIGHTS) -> Proposal:
    """The best assignment of `applicants` to offered weeks under the hard rules (see the module docstring).

    Raises ValueError for duplicate ids or a week that is not a Monday, MatchingError if the solver fails."""
    apps = sorted(applicants, key=lambda a: a.application_id)
    offs = sorted(offers, key=lambda o: o.offer_id)
    _validate(apps, offs)
    n = len(apps)
    scale = n * (n + 1) // 2 + 1  # one point of score outweighs every tie-break bonus together

    app_langs = [_norm(a.languages) for a in apps]
    app_interests = [_norm(a.interests) for a in apps]
    off_langs = [_norm(o.languages) for o in offs]
    off_approaches = [_norm(o.approaches) for o in offs]
    off_inst = [o.institution_id for o in offs]
    # The weeks with a place left, of each offer with quota left; slots (offer, week) in canonical order.
    open_weeks = [frozenset(w for w, c in o.capacity.items() if c > 0) if o.quota_left > 0 else frozenset()
                  for o in offs]
    slot_index: dict[tuple[int, Week], int] = {}
    slots: list[tuple[int, Week]] = []
    for oi, weeks in enumerate(open_weeks):
        for w in sorted(weeks):
            slot_index[(oi, w)] = len(slots)
            slots.append((oi, w))

    # The allowed triples (applicant, offer, week): every hard rule but the capacities is checked here.
    arc_app: list[int] = []
    arc_slot: list[int] = []
    arc_cost: list[int] = []
    for ai, a in enumerate(apps):
        avail, langs, interests = a.available_weeks, app_langs[ai], app_interests[ai]
        if not avail or not langs:
            continue
        ranks: dict[int, int] = {}
        for i, host in enumerate(a.preferred_hosts):
            ranks.setdefault(host, i + 1)
        tie = n - ai
        for oi, host in enumerate(off_inst):
            if host == a.institution_id:
                continue
            shared = langs & off_langs[oi]
            if not shared:
                continue
            weeks = avail & open_weeks[oi]
            if not weeks:
                continue
            cost = -(sum(_points(ranks.get(host), len(interests & off_approaches[oi]), len(shared), weights))
                     * scale + tie)
            for w in sorted(weeks):
                arc_app.append(ai)
                arc_slot.append(slot_index[(oi, w)])
                arc_cost.append(cost)

    chosen = _solve(
        senders=[a.institution_id for a in apps],
        slot_cap=np.array([offs[oi].capacity[w] for oi, w in slots], dtype=np.int64),
        slot_offer=np.array([oi for oi, _ in slots], dtype=np.int64),
        quota=np.array([max(o.quota_left, 0) for o in offs], dtype=np.int64),
        arc_app=np.array(arc_app, dtype=np.int64), arc_slot=np.array(arc_slot, dtype=np.int64),
        arc_cost=np.array(arc_cost, dtype=np.int64), spread_cost=weights.spread_step * scale,
    )

    matches: list[Match] = []
    placed: set[int] = set()
    per_sender: dict[int, int] = defaultdict(int)
    for arc in chosen:
        ai = arc_app[arc]
        oi, week = slots[arc_slot[arc]]
        a, o = apps[ai], offs[oi]
        score, why = pair_score(a, o, weights)
        placed.add(ai)
        per_sender[a.institution_id] += 1
        matches.append(Match(a.application_id, o.offer_id, o.institution_id, week, score, why.preference_rank,
                             why.shared_interests, why.shared_languages, why.reasons))
    matches.sort(key=lambda m: m.application_id)
    penalty = float(sum(weights.spread_step * c * (c - 1) // 2 for c in per_sender.values()))
    unplaced = [_why_unplaced(a, app_langs[ai], offs, off_langs)
                for ai, a in enumerate(apps) if ai not in placed]
    return Proposal(matches, unplaced, sum(m.score for m in matches) - penalty, penalty)


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


def _solve(*, senders: list[int], slot_cap: np.ndarray, slot_offer: np.ndarray, quota: np.ndarray,
           arc_app: np.ndarray, arc_slot: np.ndarray, arc_cost: np.ndarray, spread_cost: int) -> list[int]:
    """Indexes (into arc_app/arc_slot) of the arcs of a minimum-cost maximum flow (module docstring)."""
    m = len(arc_app)
    if m == 0:
        return []
    n_apps, n_slots, n_offers = len(senders), len(slot_cap), len(quota)
    used = np.unique(arc_app)  # applicants with at least one allowed triple
    sender_ids = sorted({senders[a] for a in used.tolist()})
    sender_node = {s: 1 + i for i, s in enumerate(sender_ids)}
    a0 = 1 + len(sender_ids)
    s0 = a0 + n_apps
    o0 = s0 + n_slots
    sink = o0 + n_offers

    # source -> sending institution: its k-th arc (k = 0, 1, ...) costs k x spread_cost.
    members: dict[int, int] = defaultdict(int)
    for a in used.tolist():
        members[senders[a]] += 1
    spread_heads = np.array([sender_node[s] for s in sender_ids for _ in range(members[s])], dtype=np.int64)
    spread_costs = np.array([k * spread_cost for s in sender_ids for k in range(members[s])], dtype=np.int64)
    n_spread, n_used = len(spread_heads), len(used)
    tails = np.concatenate([np.zeros(n_spread, dtype=np.int64),
                            np.array([sender_node[senders[a]] for a in used.tolist()], dtype=np.int64),
                            a0 + arc_app, s0 + np.arange(n_slots), o0 + np.arange(n_offers)])
    heads = np.concatenate([spread_heads, a0 + used, s0 + arc_slot, o0 + slot_offer, np.full(n_offers, sink)])
    capacities = np.concatenate([np.ones(n_spread + n_used + m, dtype=np.int64), slot_cap, quota])
    costs = np.concatenate([spread_costs, np.zeros(n_used, dtype=np.int64), arc_cost,
                            np.zeros(n_slots + n_offers, dtype=np.int64)])

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = np.asarray(flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities, costs))
    flow.set_node_supply(0, n_used)
    flow.set_node_supply(sink, -n_used)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise MatchingError(f"the min-cost flow solver failed (status {status})")
    x = np.asarray(flow.flows(arcs[n_spread + n_used:n_spread + n_used + m].astype(np.int32)))
    chosen = np.flatnonzero(x)
    # The flow is integral by construction; check it against every capacity anyway (cheap).
    if (np.any((x != 0) & (x != 1)) or len(chosen) != flow.maximum_flow()
            or np.bincount(arc_app[chosen], minlength=n_apps).max(initial=0) > 1
            or np.any(np.bincount(arc_slot[chosen], minlength=n_slots) > slot_cap)
            or np.any(np.bincount(slot_offer[arc_slot[chosen]], minlength=n_offers) > quota)):
        raise MatchingError("the solver's flow breaks a capacity")
    return chosen.tolist()


def _why_unplaced(a: Applicant, langs: frozenset[str], offs: list[HostOffer],
                  off_langs: list[frozenset[str]]) -> Unplaced:
    def out(code: str, reason: str) -> Unplaced:
        return Unplaced(a.application_id, code, reason)

    if not a.available_weeks:
        return out(NO_AVAILABLE_WEEKS, "The applicant has given no available week")
    if not offs:
        return out(NO_HOST, "No host offers visits in this partnership")
    others = [i for i, o in enumerate(offs) if o.institution_id != a.institution_id]
    if not others:
        return out(OWN_INSTITUTION_ONLY, "The only host is the applicant's own institution")
    speaking = [i for i in others if langs & off_langs[i]]
    if not speaking:
        return out(NO_SHARED_LANGUAGE, "No host shares a language with the applicant (who speaks {})"
                   .format(", ".join(sorted(langs)) or "no language given"))
    offering = [i for i in speaking if a.available_weeks & offs[i].capacity.keys()]
    if not offering:
        return out(NO_COMMON_WEEK, "None of the available weeks is offered by a suitable host "
                                   "(a host of another institution that shares a language)")
    open_slots = [(i, w) for i in offering if offs[i].quota_left > 0
                  for w in a.available_weeks & offs[i].capacity.keys() if offs[i].capacity[w] > 0]
    if not open_slots:
        return out(HOSTS_FULL, "Suitable hosts are full or out of quota in the available weeks")
    hosts, weeks = len({i for i, _ in open_slots}), len(open_slots)
    return out(PLACES_TAKEN,
               f"The places this applicant could take ({weeks} host week{'s' if weeks != 1 else ''} "
               f"at {hosts} host{'s' if hosts != 1 else ''}) went to other applicants: placing this "
               f"applicant instead would place no more people, or lower the score")
