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
   institution gives way to a first visitor from another unless that one scores more than 5 points less.
   (When every applicant is placed the penalty is the same for every assignment, and only the scores count.)
3. ties: among assignments equal under 1. and 2., maximise sum over placed applicants of (n - r), where r is the
   applicant's rank by `application_id` (0 = lowest) among the n applicants: an earlier application is placed
   rather than a later one. Any tie left (two equally good weeks at one host, say) is decided by the solver,
   which is deterministic, on a model built in a canonical order (everything sorted by id and week), so the
   result does not depend on the order of the inputs.

`Proposal.total_score` is the value of 2. (pair scores minus `Proposal.spread_penalty`).

How it is solved
----------------
A minimum-cost maximum flow (OR-Tools' `SimpleMinCostFlow.solve_max_flow_with_min_cost()`, which is exactly
1. then 2.-3.), on integer costs:

    source -> sending institution s : n_s parallel arcs of capacity 1, costs 0, 5 S, 10 S, ... (SPREAD_STEP x (k-1) x S)
    s -> applicant                  : capacity 1
    applicant -> slot (offer, week) : capacity 1, cost -(pair score x S + n - r), one arc per allowed triple
    slot -> offer                   : capacity = places left in that week
    offer -> sink                   : capacity = quota left

with S = n (n + 1) / 2 + 1, larger than every tie-break sum, so 3. never outweighs one point of 2. The parallel
arcs of increasing cost are the convex spread term: a cheapest flow takes an institution's k-th arc only after
its (k-1)-th. Every hard rule is an arc that is absent (own institution, no shared language, week not
available/offered, full, no quota) or a capacity (one visit per applicant, places per week, quota).
Capacities are integers, so the optimal flow is integral (the integrality theorem of network flows: the
node-arc incidence matrix is totally unimodular); `propose()` still checks the flow against every capacity
and raises `MatchingError` if it broke one.

Why OR-Tools and not a linear program (SciPy's HiGHS): on the benchmark's 100 institutions x 6 applicants
(about 100,000 arcs) `scipy.optimize.linprog` on the same network took 1.5-9 s for the LP alone (dual simplex
or interior point) against 0.1 s for the flow including building it (bench/matching.py).
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

# reasons an applicant is not placed (Unplaced.code), in the order they are checked: the first that holds is given
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
    """The score's weights; the defaults are the module constants. All must be integers (see the tie-break)."""

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
    """Why a pair scores what it scores; `reasons` are the sentences shown beside a proposed match."""

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
    reasons: tuple[str, ...] = ()  # sentences: preference rank, shared interests, shared languages


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


# --- score ----------------------------------------------------------------------------------------------------

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


def pair_score(applicant: Applicant, offer: HostOffer,
               weights: Weights = DEFAULT_WEIGHTS) -> tuple[float, ScoreBreakdown]:
    """The score of placing `applicant` with `offer` (any week), and its breakdown (see the module docstring).

    The score does not check the hard rules: `hard_rule_violations()` does."""
    rank = preference_rank(applicant, offer.institution_id)
    pref = weights.preference[rank - 1] if rank is not None and rank <= len(weights.preference) else 0
    interests = tuple(sorted(_norm(applicant.interests) & _norm(offer.approaches)))
    langs = tuple(sorted(_norm(applicant.languages) & _norm(offer.languages)))
    interest_points = weights.interest * min(len(interests), weights.interest_cap)
    language_points = weights.language * min(max(len(langs) - 1, 0), weights.language_cap)
    total = pref + interest_points + language_points
    return float(total), ScoreBreakdown(total, rank, pref, interests, interest_points, langs, language_points)


# --- hard rules -----------------------------------------------------------------------------------------------

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
        out.append(Violation(NO_SHARED_LANGUAGE, "The host and the visitor share no language (host: {}; visitor: {})"
                             .format(", ".join(sorted(_norm(offer.languages))) or "none",
                                     ", ".join(sorted(_norm(applicant.languages))) or "none")))
    if week.weekday() != 0:
        out.append(Violation(NOT_A_MONDAY, f"A visit week starts on a Monday; {when} is a {week.strftime('%A')}"))
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


# --- proposal -------------------------------------------------------------------------------------------------

def propose(applicants: Iterable[Applicant], offers: Iterable[HostOffer], *,
            weights: Weights = DEFAULT_WEIGHTS) -> Proposal:
    """The best assignment of `applicants` to offered weeks under the hard rules (see the module docstring).

    Raises ValueError for duplicate ids or a week that is not a Monday, MatchingError if the solver fails."""
    apps = sorted(applicants, key=lambda a: a.application_id)
    offs = sorted(offers, key=lambda o: o.offer_id)
    _validate(apps, offs)
    n = len(apps)

    # Normalised sets, and the weeks with a place left of each offer that has quota left.
    app_langs = [_norm(a.languages) for a in apps]
    off_langs = [_norm(o.languages) for o in offs]
    open_weeks = [frozenset(w for w, c in o.capacity.items() if c > 0) if o.quota_left > 0 else frozenset()
                  for o in offs]

    # Slots (offer, week) in canonical order, and the allowed triples (arcs).
    slot_index: dict[tuple[int, Week], int] = {}
    slot_cap: list[int] = []
    slot_offer: list[int] = []
    for oi, o in enumerate(offs):
        for w in sorted(open_weeks[oi]):
            slot_index[(oi, w)] = len(slot_cap)
            slot_cap.append(int(o.capacity[w]))
            slot_offer.append(oi)

    arc_app: list[int] = []
    arc_slot: list[int] = []
    arc_value: list[float] = []
    pair_info: dict[tuple[int, int], ScoreBreakdown] = {}
    tie_unit = 1.0 / (n * (n + 1)) if n else 0.0
    for ai, a in enumerate(apps):
        avail = a.available_weeks
        if not avail or not app_langs[ai]:
            continue
        tie = (n - ai) * tie_unit
        for oi, o in enumerate(offs):
            if o.institution_id == a.institution_id or not (app_langs[ai] & off_langs[oi]):
                continue
            weeks = avail & open_weeks[oi]
            if not weeks:
                continue
            score, breakdown = pair_score(a, o, weights)
            pair_info[(ai, oi)] = breakdown
            for w in sorted(weeks):
                arc_app.append(ai)
                arc_slot.append(slot_index[(oi, w)])
                arc_value.append(score + tie)

    chosen = _solve(n, len(offs), np.asarray(slot_cap, dtype=np.int64), np.asarray(slot_offer, dtype=np.int64),
                    np.array([max(int(o.quota_left), 0) for o in offs], dtype=np.int64),
                    [a.institution_id for a in apps], np.asarray(arc_app, dtype=np.int64),
                    np.asarray(arc_slot, dtype=np.int64), np.asarray(arc_value, dtype=float),
                    weights.spread_step)

    slots = list(slot_index)  # canonical order, index -> (offer index, week)
    matches: list[Match] = []
    placed: set[int] = set()
    per_sender: dict[int, int] = defaultdict(int)
    for arc in chosen:
        ai, (oi, w) = int(arc_app[arc]), slots[arc_slot[arc]]
        a, o, b = apps[ai], offs[oi], pair_info[(ai, oi)]
        placed.add(ai)
        per_sender[a.institution_id] += 1
        matches.append(Match(a.application_id, o.offer_id, o.institution_id, w, float(b.total), b.preference_rank,
                             b.shared_interests, b.shared_languages, b.reasons))
    matches.sort(key=lambda m: m.application_id)
    penalty = float(sum(weights.spread_step * c * (c - 1) // 2 for c in per_sender.values()))
    unplaced = [_why_unplaced(a, app_langs[ai], offs, off_langs) for ai, a in enumerate(apps) if ai not in placed]
    return Proposal(matches, unplaced, sum(m.score for m in matches) - penalty, penalty)


def _validate(apps: list[Applicant], offs: list[HostOffer]) -> None:
    for what, ids in (("application_id", [a.application_id for a in apps]), ("offer_id", [o.offer_id for o in offs])):
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


def _solve(n_apps: int, n_offers: int, slot_cap: np.ndarray, slot_offer: np.ndarray, quota: np.ndarray,
           senders: list[int], arc_app: np.ndarray, arc_slot: np.ndarray, arc_value: np.ndarray,
           spread_step: int) -> list[int]:
    """Indexes of the chosen arcs: maximum flow first, then the best-valued flow of that size (see docstring)."""
    m = len(arc_app)
    if m == 0:
        return []
    n_slots = len(slot_cap)

    # 1. How many can be placed: source -> applicant -> slot -> offer -> sink.
    src, a0, s0 = 0, 1, 1 + n_apps
    o0 = s0 + n_slots
    sink = o0 + n_offers
    apps_used = np.unique(arc_app)
    tails = np.concatenate([np.full(len(apps_used), src), a0 + arc_app, s0 + np.arange(n_slots),
                            o0 + np.arange(n_offers)])
    heads = np.concatenate([a0 + apps_used, s0 + arc_slot, o0 + slot_offer, np.full(n_offers, sink)])
    caps = np.concatenate([np.ones(len(apps_used)), np.ones(m), slot_cap, quota]).astype(np.int32)
    graph = csr_matrix((caps, (tails, heads)), shape=(sink + 1, sink + 1))
    placeable = int(maximum_flow(graph, src, sink, method="dinic").flow_value)
    if placeable == 0:
        return []

    # 2. The LP. Variables: x (one per arc), then y[s, k] (spread arcs of each sending institution).
    sender_ids = sorted({senders[a] for a in apps_used})
    sender_row = {s: i for i, s in enumerate(sender_ids)}
    members: dict[int, int] = defaultdict(int)
    for a in apps_used:
        members[senders[a]] += 1
    y_sender: list[int] = []
    y_cost: list[float] = []
    for s in sender_ids:
        for k in range(members[s]):
            y_sender.append(sender_row[s])
            y_cost.append(float(spread_step * k))
    n_y = len(y_sender)
    c = np.concatenate([-arc_value, np.asarray(y_cost)])  # linprog minimises

    # A_ub x <= b_ub: one row per applicant (<= 1), per slot (<= places), per offer (<= quota left).
    x_cols = np.arange(m)
    rows = np.concatenate([arc_app, n_apps + arc_slot, n_apps + n_slots + slot_offer[arc_slot]])
    cols = np.concatenate([x_cols, x_cols, x_cols])
    a_ub = coo_matrix((np.ones(3 * m), (rows, cols)), shape=(n_apps + n_slots + n_offers, m + n_y)).tocsr()
    b_ub = np.concatenate([np.ones(n_apps), slot_cap, quota]).astype(float)
    # A_eq x = b_eq: per sending institution, sum of its x - sum of its y = 0; then sum of all x = placeable.
    arc_sender = np.array([sender_row[senders[a]] for a in arc_app.tolist()], dtype=np.int64)
    n_s = len(sender_ids)
    rows = np.concatenate([arc_sender, np.asarray(y_sender, dtype=np.int64), np.full(m, n_s)])
    cols = np.concatenate([x_cols, m + np.arange(n_y), x_cols])
    vals = np.concatenate([np.ones(m), -np.ones(n_y), np.ones(m)])
    a_eq = coo_matrix((vals, (rows, cols)), shape=(n_s + 1, m + n_y)).tocsr()
    b_eq = np.zeros(n_s + 1)
    b_eq[n_s] = placeable

    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=(0, 1), method="highs-ds")
    if res.status != 0:
        raise MatchingError(f"the solver did not find the optimum: {res.message}")
    x = res.x[:m]
    rounded = np.rint(x)
    if np.max(np.abs(x - rounded)) > INTEGRALITY_TOLERANCE:
        raise MatchingError("the solver returned a fractional solution")
    chosen = np.flatnonzero(rounded > 0.5)
    # Feasibility, checked on the integral solution (the model promises it; the check is cheap).
    if (len(chosen) != placeable
            or np.bincount(arc_app[chosen], minlength=n_apps).max(initial=0) > 1
            or np.any(np.bincount(arc_slot[chosen], minlength=n_slots) > slot_cap)
            or np.any(np.bincount(slot_offer[arc_slot[chosen]], minlength=n_offers) > quota)):
        raise MatchingError("the solver's solution breaks a hard rule")
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
                   .format(", ".join(sorted(langs)) or "no language"))
    offering = [i for i in speaking if a.available_weeks & offs[i].capacity.keys()]
    if not offering:
        return out(NO_COMMON_WEEK, "None of the available weeks is offered by a suitable host "
                                   "(a host of another institution that shares a language)")
    open_slots = [(i, w) for i in offering if offs[i].quota_left > 0
                  for w in a.available_weeks & offs[i].capacity.keys() if offs[i].capacity[w] > 0]
    if not open_slots:
        return out(HOSTS_FULL, "Suitable hosts are full or out of quota in the available weeks")
    hosts = len({i for i, _ in open_slots})
    return out(PLACES_TAKEN, f"The {len(open_slots)} place{'s' if len(open_slots) != 1 else ''} this applicant "
                             f"could take (at {hosts} host{'s' if hosts != 1 else ''}) went to other applicants: "
                             f"placing them would not place more people, or would lower the score")
