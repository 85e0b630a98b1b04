"""Assisted matching (network.mobility.matching): hard rules, brute-force optimality, reasons, spread."""
from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import date, timedelta

import pytest

from network.mobility import matching as m
from network.mobility.matching import Applicant, HostOffer, Weights, hard_rule_violations, pair_score, propose

MONDAY = date(2027, 3, 1)


def wk(i: int) -> date:
    return MONDAY + timedelta(weeks=i)


def app(aid, inst=1, langs=("en",), interests=(), prefs=(), weeks=(0,)) -> Applicant:
    return Applicant(application_id=aid, institution_id=inst, languages=frozenset(langs),
                     interests=frozenset(interests), preferred_hosts=tuple(prefs),
                     available_weeks=frozenset(wk(i) for i in weeks))


def offer(oid, inst=100, langs=("en",), approaches=(), capacity=None, quota=6) -> HostOffer:
    capacity = {0: 1} if capacity is None else capacity
    return HostOffer(offer_id=oid, institution_id=inst, languages=frozenset(langs),
                     approaches=frozenset(approaches), capacity={wk(i): c for i, c in capacity.items()},
                     quota_left=quota)


def placed(proposal) -> dict[int, tuple[int, date]]:
    return {x.application_id: (x.offer_id, x.week) for x in proposal.matches}


def codes(proposal) -> dict[int, str]:
    return {u.application_id: u.code for u in proposal.unplaced}


def assert_feasible(proposal, applicants, offers):
    """Every hard rule, checked here independently of the module (and through hard_rule_violations)."""
    apps = {a.application_id: a for a in applicants}
    offs = {o.offer_id: o for o in offers}
    per_app = Counter(x.application_id for x in proposal.matches)
    assert all(c == 1 for c in per_app.values()), "a visitor in two visits"
    per_slot = Counter((x.offer_id, x.week) for x in proposal.matches)
    per_offer = Counter(x.offer_id for x in proposal.matches)
    for (oid, week), count in per_slot.items():
        assert count <= offs[oid].capacity.get(week, 0), "more visitors than places in a week"
    for oid, count in per_offer.items():
        assert count <= offs[oid].quota_left, "more visits than the quota"
    for x in proposal.matches:
        a, o = apps[x.application_id], offs[x.offer_id]
        assert x.host_institution_id == o.institution_id
        assert a.institution_id != o.institution_id, "visit to one's own institution"
        assert {s.lower() for s in a.languages} & {s.lower() for s in o.languages}, "no shared language"
        assert x.week in a.available_weeks, "visitor not available"
        assert x.week in o.capacity, "week not offered"
        assert hard_rule_violations(a, o, x.week) == []
    assert set(per_app) | {u.application_id for u in proposal.unplaced} == set(apps)
    assert not set(per_app) & {u.application_id for u in proposal.unplaced}


def objective(assignment, apps, offs, weights) -> float:
    """Pair scores minus the spread penalty, for {application_id: (offer_id, week)}."""
    score = sum(pair_score(apps[aid], offs[oid], weights)[0] for aid, (oid, _) in assignment.items())
    per_sender = Counter(apps[aid].institution_id for aid in assignment)
    return score - sum(weights.spread_step * c * (c - 1) / 2 for c in per_sender.values())


# --- score --------------------------------------------------------------------------------------------------

def test_pair_score_formula_and_reasons():
    a = app(1, inst=1, langs=("en", "fr", "de", "es"), prefs=(7, 8, 9),
            interests=("Outreach", "housing", "peer support", "debt", "x"))
    o = offer(1, inst=8, langs=("EN", "fr", "de", "es"),
              approaches=("outreach", "housing", "peer support", "debt"))
    score, why = pair_score(a, o)
    # 2nd preference 20 + 4 shared interests capped at 3 x 5 + 3 extra languages capped at 2 x 1
    assert score == 20 + 15 + 2
    assert why.preference_rank == 2
    assert why.shared_interests == ("debt", "housing", "outreach", "peer support")
    assert why.shared_languages == ("de", "en", "es", "fr")
    assert why.reasons[0] == "The applicant's 2nd preference"
    assert "Shared interests: debt, housing, outreach, peer support" in why.reasons

    assert pair_score(a, offer(2, inst=7))[0] == 30
    assert pair_score(a, offer(3, inst=9))[0] == 10
    score, why = pair_score(a, offer(4, inst=50))
    assert (score, why.preference_rank) == (0, None)
    assert why.reasons == ("Not among the applicant's preferences", "No shared interests",
                           "Shared languages: en")


def test_weights_must_be_integers():
    with pytest.raises(ValueError):
        Weights(interest=2.5)
    assert Weights() == m.DEFAULT_WEIGHTS


# --- hard rules: one test each ------------------------------------------------------------------------------

def test_rule_capacity_per_week():
    apps = [app(i, inst=i, weeks=(0,)) for i in range(1, 5)]
    offs = [offer(1, capacity={0: 2})]
    proposal = propose(apps, offs)
    assert len(proposal.matches) == 2
    assert_feasible(proposal, apps, offs)
    full = offer(1, capacity={0: 0})
    assert [v.code for v in hard_rule_violations(apps[0], full, wk(0))] == [m.WEEK_FULL]
    assert hard_rule_violations(apps[0], full, wk(0)) == [
        "The host has no place left in the week of 2027-03-01"]


def test_rule_quota():
    apps = [app(i, inst=i, weeks=(0, 1, 2)) for i in range(1, 6)]
    offs = [offer(1, capacity={0: 2, 1: 2, 2: 2}, quota=3)]
    proposal = propose(apps, offs)
    assert len(proposal.matches) == 3
    assert_feasible(proposal, apps, offs)
    assert [v.code for v in hard_rule_violations(apps[0], offer(1, quota=0), wk(0))] == [m.QUOTA_EXHAUSTED]


def test_rule_available_weeks():
    apps = [app(1, weeks=(2,)), app(2, inst=2, weeks=(0, 1))]
    offs = [offer(1, capacity={0: 5, 1: 5, 2: 0, 3: 5})]
    proposal = propose(apps, offs)
    assert placed(proposal) == {2: (1, wk(0))} or placed(proposal) == {2: (1, wk(1))}
    assert codes(proposal) == {1: m.HOSTS_FULL}
    assert_feasible(proposal, apps, offs)
    assert [v.code for v in hard_rule_violations(apps[0], offs[0], wk(3))] == [m.NOT_AVAILABLE]


def test_rule_week_offered():
    apps = [app(1, weeks=(0, 1))]
    offs = [offer(1, capacity={1: 1})]
    assert placed(propose(apps, offs)) == {1: (1, wk(1))}
    violations = hard_rule_violations(apps[0], offs[0], wk(0))
    assert [v.code for v in violations] == [m.WEEK_NOT_OFFERED]
    assert violations == ["The host does not offer the week of 2027-03-01"]


def test_rule_own_institution():
    a = app(1, inst=5, prefs=(5,))
    offs = [offer(1, inst=5, capacity={0: 3}), offer(2, inst=6, capacity={0: 1})]
    proposal = propose([a], offs)
    assert placed(proposal) == {1: (2, wk(0))}
    assert [v.code for v in hard_rule_violations(a, offs[0], wk(0))] == [m.OWN_INSTITUTION]
    assert codes(propose([a], offs[:1])) == {1: m.OWN_INSTITUTION_ONLY}


def test_rule_one_visit_per_visitor():
    apps = [app(1, weeks=(0, 1, 2))]
    offs = [offer(1, capacity={0: 3, 1: 3, 2: 3}), offer(2, inst=101, capacity={0: 3})]
    proposal = propose(apps, offs)
    assert len(proposal.matches) == 1
    assert_feasible(proposal, apps, offs)
    violations = hard_rule_violations(apps[0], offs[0], wk(1), already_placed=True)
    assert [v.code for v in violations] == [m.ALREADY_PLACED]


def test_rule_shared_language():
    apps = [app(1, langs=("fi",)), app(2, inst=2, langs=("FR", "en"))]
    offs = [offer(1, langs=("fr", "de"), capacity={0: 2})]
    proposal = propose(apps, offs)
    assert placed(proposal) == {2: (1, wk(0))}
    assert codes(proposal) == {1: m.NO_SHARED_LANGUAGE}
    violations = hard_rule_violations(apps[0], offs[0], wk(0))
    assert [v.code for v in violations] == [m.NO_SHARED_LANGUAGE]
    assert violations == ["The host and the visitor share no language (host: de, fr; visitor: fi)"]


def test_rule_monday():
    a, o = app(1), offer(1)
    tuesday = wk(0) + timedelta(days=1)
    assert m.NOT_A_MONDAY in [v.code for v in hard_rule_violations(a, o, tuesday)]
    with pytest.raises(ValueError):
        propose([Applicant(1, 1, frozenset({"en"}), frozenset(), (), frozenset({tuesday}))], [o])
    with pytest.raises(ValueError):
        propose([a], [HostOffer(1, 100, frozenset({"en"}), frozenset(), {tuesday: 1}, 1)])


def test_allowed_assignment_has_no_violation_and_all_are_named_together():
    a, o = app(1), offer(1)
    assert hard_rule_violations(a, o, wk(0)) == []
    bad = offer(2, inst=1, langs=("is",), capacity={0: 0}, quota=0)
    found = hard_rule_violations(a, bad, wk(0), already_placed=True)
    assert [v.code for v in found] == [m.OWN_INSTITUTION, m.NO_SHARED_LANGUAGE, m.WEEK_FULL,
                                       m.QUOTA_EXHAUSTED, m.ALREADY_PLACED]
    assert all(isinstance(v, str) and v for v in found)


def test_duplicate_ids_refused():
    with pytest.raises(ValueError):
        propose([app(1), app(1, inst=2)], [offer(1)])
    with pytest.raises(ValueError):
        propose([app(1)], [offer(1), offer(1, inst=101)])


# --- optimality ---------------------------------------------------------------------------------------------

LANGS = ("en", "fr", "de")
TAGS = ("outreach", "housing", "youth", "family")


def random_instance(rng: random.Random):
    n_weeks = rng.randint(1, 3)
    offs = []
    for oid in range(1, rng.randint(1, 3) + 1):
        capacity = {w: rng.randint(0, 2) for w in range(n_weeks) if rng.random() < 0.85}
        offs.append(offer(oid, inst=rng.randint(2, 5), langs=rng.sample(LANGS, rng.randint(1, 3)),
                          approaches=rng.sample(TAGS, rng.randint(0, 3)), capacity=capacity,
                          quota=rng.randint(0, 3)))
    apps = []
    for aid in range(1, rng.randint(2, 6) + 1):
        apps.append(app(aid, inst=rng.randint(1, 3), langs=rng.sample(LANGS, rng.randint(1, 2)),
                        interests=rng.sample(TAGS, rng.randint(0, 3)),
                        prefs=rng.sample(range(1, 6), rng.randint(0, 3)),
                        weeks=[w for w in range(n_weeks) if rng.random() < 0.8]))
    weights = rng.choice([m.DEFAULT_WEIGHTS, Weights(spread_step=0), Weights(spread_step=25)])
    return apps, offs, weights


def tie_break(assignment, apps) -> int:
    """Rule 3 of the objective: sum over placed applicants of (n - rank by id)."""
    ranks = {a.application_id: r for r, a in enumerate(sorted(apps, key=lambda a: a.application_id))}
    return sum(len(apps) - ranks[aid] for aid in assignment)


def brute_force(apps, offs, weights):
    """(most placed, best objective among those, best tie-break among those), by trying every assignment."""
    options = []
    for a in apps:
        mine = [None]
        for o in offs:
            for week in sorted(a.available_weeks):
                if (o.institution_id != a.institution_id and a.languages & o.languages
                        and o.capacity.get(week, 0) > 0 and o.quota_left > 0):
                    mine.append((o.offer_id, week))
        options.append(mine)
    by_app = {a.application_id: a for a in apps}
    by_offer = {o.offer_id: o for o in offs}
    best = (-1, float("-inf"), -1)
    slot_left = {(o.offer_id, w): c for o in offs for w, c in o.capacity.items()}
    quota_left = {o.offer_id: o.quota_left for o in offs}
    chosen: dict[int, tuple[int, date]] = {}

    def walk(i):
        nonlocal best
        if i == len(apps):
            value = (len(chosen), objective(chosen, by_app, by_offer, weights), tie_break(chosen, apps))
            if (value[0], round(value[1], 6), value[2]) > (best[0], round(best[1], 6), best[2]):
                best = value
            return
        for option in options[i]:
            if option is None:
                walk(i + 1)
                continue
            oid, _ = option
            if slot_left[option] > 0 and quota_left[oid] > 0:
                slot_left[option] -= 1
                quota_left[oid] -= 1
                chosen[apps[i].application_id] = option
                walk(i + 1)
                del chosen[apps[i].application_id]
                slot_left[option] += 1
                quota_left[oid] += 1

    walk(0)
    return best


@pytest.mark.parametrize("block", range(8))
def test_equals_brute_force_optimum(block):
    for seed in range(block * 25, block * 25 + 25):
        rng = random.Random(seed)
        apps, offs, weights = random_instance(rng)
        proposal = propose(apps, offs, weights=weights)
        assert_feasible(proposal, apps, offs)
        best_count, best_value, best_tie = brute_force(apps, offs, weights)
        by_app = {a.application_id: a for a in apps}
        by_offer = {o.offer_id: o for o in offs}
        mine = objective(placed(proposal), by_app, by_offer, weights)
        assert len(proposal.matches) == best_count, f"seed {seed}"
        assert mine == pytest.approx(best_value, abs=1e-6), f"seed {seed}"
        assert tie_break(placed(proposal), apps) == best_tie, f"seed {seed}"
        assert proposal.total_score == pytest.approx(mine, abs=1e-6), f"seed {seed}"
        for u in proposal.unplaced:
            assert u.code in m.UNPLACED_CODES and u.reason


def test_placing_more_comes_before_score():
    # 1 would score most at host 10 (its first choice), but then 2 (who can only go there) would stay out.
    apps = [app(1, prefs=(10,), weeks=(0,)), app(2, inst=2, langs=("fr",), weeks=(0,))]
    offs = [offer(1, inst=10, langs=("en", "fr"), capacity={0: 1}), offer(2, inst=11, capacity={0: 1})]
    assert placed(propose(apps, offs)) == {1: (2, wk(0)), 2: (1, wk(0))}


def test_larger_random_instance_is_feasible():
    rng = random.Random(7)
    offs = [offer(oid, inst=oid, langs=rng.sample(LANGS, 2),
                  capacity={w: rng.randint(0, 2) for w in rng.sample(range(12), 6)}, quota=rng.randint(0, 5))
            for oid in range(1, 21)]
    apps = [app(aid, inst=rng.randint(1, 20), langs=rng.sample(LANGS, 1), interests=rng.sample(TAGS, 2),
                prefs=rng.sample(range(1, 21), 3), weeks=rng.sample(range(12), 4)) for aid in range(1, 121)]
    proposal = propose(apps, offs)
    assert_feasible(proposal, apps, offs)
    assert proposal.matches and proposal.unplaced


# --- reasons ------------------------------------------------------------------------------------------------

def test_match_shows_why():
    a = app(1, langs=("en", "fr"), interests=("housing", "youth"), prefs=(20, 10))
    proposal = propose([a], [offer(1, inst=10, langs=("fr", "en", "de"), approaches=("youth", "family"))])
    (x,) = proposal.matches
    assert (x.preference_rank, x.shared_interests, x.shared_languages) == (2, ("youth",), ("en", "fr"))
    assert x.score == 20 + 5 + 1
    assert x.reasons == ("The applicant's 2nd preference", "Shared interests: youth",
                         "Shared languages: en, fr")
    assert (x.offer_id, x.host_institution_id, x.week) == (1, 10, wk(0))
    assert proposal.total_score == x.score


def test_match_outside_preferences_says_so():
    (x,) = propose([app(1, prefs=(30,))], [offer(1, inst=10)]).matches
    assert x.preference_rank is None
    assert x.reasons[0] == "Not among the applicant's preferences"


@pytest.mark.parametrize("applicants, offers, code", [
    ([app(1, weeks=())], [offer(1)], m.NO_AVAILABLE_WEEKS),
    ([app(1)], [], m.NO_HOST),
    ([app(1, inst=100)], [offer(1, inst=100)], m.OWN_INSTITUTION_ONLY),
    ([app(1, langs=("is",))], [offer(1, langs=("en", "da")), offer(2, inst=1, langs=("is",))],
     m.NO_SHARED_LANGUAGE),
    ([app(1, weeks=(3, 4))], [offer(1, capacity={0: 2, 1: 2})], m.NO_COMMON_WEEK),
    # the week is offered by a host that shares no language: still no common week with a suitable host
    ([app(1, langs=("fr",), weeks=(3,))],
     [offer(1, langs=("fr",), capacity={0: 2}), offer(2, inst=101, langs=("de",), capacity={3: 2})],
     m.NO_COMMON_WEEK),
    ([app(1, weeks=(0,))], [offer(1, capacity={0: 0, 1: 2})], m.HOSTS_FULL),
    ([app(1, weeks=(0,))], [offer(1, capacity={0: 2}, quota=0)], m.HOSTS_FULL),
    ([app(1, weeks=(0,)), app(2, inst=2, weeks=(0,), prefs=(100,))], [offer(1, capacity={0: 1})],
     m.PLACES_TAKEN),
])
def test_unplaced_reason(applicants, offers, code):
    proposal = propose(applicants, offers)
    assert codes(proposal)[1] == code
    (u,) = [u for u in proposal.unplaced if u.application_id == 1]
    assert u.reason and u.reason[0].isupper()


def test_unplaced_reason_texts():
    proposal = propose([app(1, langs=("is",)), app(2, inst=2, weeks=(5,))], [offer(1, langs=("en",))])
    reasons = {u.application_id: u.reason for u in proposal.unplaced}
    assert reasons[1] == "No host shares a language with the applicant (who speaks is)"
    assert reasons[2].startswith("None of the available weeks is offered by a suitable host")


# --- fair spread, ties, determinism -------------------------------------------------------------------------

def test_fair_spread_changes_who_is_placed():
    # Two places at one host. Institution 1's two applicants score 32 each (1st choice + 2 extra languages),
    # institution 2's one applicant 30 (1st choice). Without the spread term 1+2 win (64 > 62); with it the
    # second applicant of institution 1 is worth 32 - 5 = 27 < 30, so institution 2 gets a place.
    langs = ("en", "fr", "de")
    apps = [app(1, inst=1, langs=langs, prefs=(10,)), app(2, inst=1, langs=langs, prefs=(10,)),
            app(3, inst=2, langs=("en",), prefs=(10,))]
    offs = [offer(1, inst=10, langs=langs, capacity={0: 2})]
    fair = propose(apps, offs)
    assert sorted(placed(fair)) == [1, 3]  # 1 rather than 2: the earlier application wins the tie
    assert fair.total_score == 62 and fair.spread_penalty == 0
    unfair = propose(apps, offs, weights=Weights(spread_step=0))
    assert sorted(placed(unfair)) == [1, 2]
    assert unfair.total_score == 64
    assert codes(unfair) == {3: m.PLACES_TAKEN}


def test_fair_spread_every_sending_institution_gets_some_when_scarce():
    # Institution 1 sends four applicants who rank the host first (30 each); institutions 2 and 3 one each,
    # who rank it second and share an interest with it (25 each). Four places. Institution 1's third and
    # fourth applicants are worth 30 - 10 = 20 and 30 - 15 = 15, less than 25: institutions 2 and 3 get one
    # place each.
    apps = [app(i, inst=1, prefs=(10,)) for i in range(1, 5)] + [
        app(5, inst=2, prefs=(11, 10), interests=("youth",)),
        app(6, inst=3, prefs=(12, 10), interests=("youth",))]
    offs = [offer(1, inst=10, approaches=("youth",), capacity={0: 4})]
    by_sender = Counter(a.institution_id for a in apps if a.application_id in placed(propose(apps, offs)))
    assert by_sender == {1: 2, 2: 1, 3: 1}
    by_sender = Counter(a.institution_id for a in apps
                        if a.application_id in placed(propose(apps, offs, weights=Weights(spread_step=0))))
    assert by_sender == {1: 4}


def test_ties_go_to_the_earlier_application_whatever_the_order():
    apps = [app(i, inst=i) for i in (7, 3, 9, 5)]
    offs = [offer(1, capacity={0: 2})]
    for order in itertools.permutations(apps):
        assert sorted(placed(propose(list(order), offs))) == [3, 5]


def test_deterministic_whatever_the_input_order():
    rng = random.Random(3)
    offs = [offer(oid, inst=oid, langs=rng.sample(LANGS, 2), approaches=rng.sample(TAGS, 2),
                  capacity={w: rng.randint(1, 2) for w in rng.sample(range(6), 4)}, quota=3)
            for oid in range(1, 9)]
    apps = [app(aid, inst=rng.randint(1, 8), langs=rng.sample(LANGS, 2), interests=rng.sample(TAGS, 2),
                prefs=rng.sample(range(1, 9), 3), weeks=rng.sample(range(6), 3)) for aid in range(1, 41)]
    first = propose(apps, offs)
    for _ in range(5):
        rng.shuffle(apps)
        rng.shuffle(offs)
        again = propose(apps, offs)
        assert again.matches == first.matches
        assert again.unplaced == first.unplaced
        assert again.total_score == first.total_score


def test_empty_inputs():
    assert propose([], []) == m.Proposal([], [], 0.0, 0.0)
    assert propose([], [offer(1)]).matches == []
    proposal = propose([app(1), app(2, inst=2)], [])
    assert proposal.matches == [] and codes(proposal) == {1: m.NO_HOST, 2: m.NO_HOST}


def test_only_preferred_host_is_own_institution():
    a = app(1, inst=10, prefs=(10,))
    own, other = offer(1, inst=10, capacity={0: 5}), offer(2, inst=11, capacity={0: 1})
    (x,) = propose([a], [own, other]).matches
    assert (x.offer_id, x.preference_rank) == (2, None)
    assert x.reasons[0] == "Not among the applicant's preferences"
    assert m.preference_rank(a, 10) is None
    assert codes(propose([a], [own])) == {1: m.OWN_INSTITUTION_ONLY}
