"""Places and organisations that differ (ODD 7.15; issue 12, item 4).

Each place's population, need per head, allocation per head and starting health, and each
organisation's unit cost, starting balance and size among the providers of its line, are keyed
uniform draws taken once per run. The expected values are worked out here from the same draws,
read through `sim.core.rng.uniform`, and the formulas of ODD 7.15:

    d = 2 u(seed, run, 0, agent, purpose) - 1                    (uniform on [-1, 1))
    population_q  = population (1 + population_spread d_pop)
    need_index_q  = 1 + need_spread d_need
    alloc_index_q = 1 + need_compensation (need_index_q - 1) + allocation_spread d_alloc
    alloc_base_q  = population_q x spend_per_head x alloc_index_q / 12 / 1e6
    need_base_qk  = alloc_base_q (1 - running_cost_share) share_k x need_index_q / alloc_index_q
    health_q      = min(1, initial_health (1 - health_spread d_need))
    unit_cost_i   = 1 + unit_cost_spread d_cost
    balance_i     = balance_spread d_balance x 12 x income_ref_i
    con_size_c    = n s_i / (sum of s over the n providers of the line in the place),
                    s_i = 1 + size_spread d_size

With every spread 0 the world is the one the code built before these draws existed, field by field
(digests recorded from commit dfa69b1 in data/before_heterogeneity.json), and the laboratory games
are unchanged at the defaults.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from sim import CareSystem, RuleSet
from sim.core.constants import (
    BASE_SPEND_SHARE,
    MEASURES,
    PREVENTIVE,
    RNG_ORG_SIZE,
    RNG_PLACE_ALLOCATION,
    RNG_PLACE_NEED,
    RNG_PLACE_POPULATION,
    RNG_START_BALANCE,
    RNG_UNIT_COST,
)
from sim.core.rng import uniform

BEFORE = json.loads((Path(__file__).parent / "data" / "before_heterogeneity.json").read_text())
ZERO = {
    "population_spread": 0.0,
    "need_spread": 0.0,
    "allocation_spread": 0.0,
    "health_spread": 0.0,
    "unit_cost_spread": 0.0,
    "balance_spread": 0.0,
    "size_spread": 0.0,
}
# Spreads chosen so that each one shows (none is a default).
SPREADS = {
    "population_spread": 0.4,
    "need_spread": 0.2,
    "need_compensation": 0.6,
    "allocation_spread": 0.05,
    "health_spread": 0.1,
    "unit_cost_spread": 0.08,
    "balance_spread": 0.1,
    "size_spread": 0.5,
}
SEED, RUN = 5, 2
RTOL = 1e-12


def d(seed: int, run: int, agent: int, purpose: int) -> float:
    """The centred draw of ODD 7.15, from the model's own keyed uniform."""
    return 2.0 * float(uniform(seed, run, 0, agent, purpose)) - 1.0


def _digest(array) -> str:
    a = np.asarray(array)
    dtype = "<f8" if a.dtype.kind == "f" else "<i8"
    return hashlib.sha256(np.ascontiguousarray(a, dtype=dtype).tobytes()).hexdigest()[:16]


# ----------------------------------------------------------------- every spread 0: as before
# The worlds the digests were recorded for (CareSystem keyword arguments).
BEFORE_WORLDS = BEFORE["configs"]
NEW_FIELDS = ("unit_cost", "con_size", "population", "need_index", "alloc_index", "org_eligible")
# Added after the digests were recorded: observation only (ODD 6, readable outcomes), zero at
# the start and in the laboratory games.
LATER_FIELDS = ("waiting_carried",)
# Added with behaviour at the speed of trust: the weight on the system the rules ask for, held
# from the start (0 under these rules, which ask for none), and each organisation's conduct as its
# partners see it (0 until the first month's assessment).
VISION_FIELDS = ("vision", "conduct")
LATER_MEASURES = MEASURES[MEASURES.index("system_spend") :]
# Fields of the NHS mechanisms (ODD 7.17-7.23), added after the digests were recorded.
NHS_FIELDS = (
    "segment",
    "concern",
    "special_months",
    "special_spells",
    "invested",
    "efficiency_paid",
    "support_cost",
    "delayed",
    "waiting_patients",
)
# Fields of collective choice (ODD 7.25), added after the digests were recorded: the tabled rules
# in force at the start (a slice of 0 and the tabled fine under these rules), no vote yet.
CHOICE_FIELDS = (
    "chosen_slice",
    "fine_factor",
    "rules_adopted",
    "vote_slice",
    "vote_fine",
    "fined_multiple",
)
# Scratch space of the phases added for speed (plan's per-place need), after the digests.
SCRATCH_FIELDS = ("need_covered", "need_trend")


@pytest.mark.parametrize("engine", ["numba", "python"])
@pytest.mark.parametrize("name", sorted(BEFORE_WORLDS))
def test_every_spread_zero_gives_the_world_before_field_by_field(name, engine):
    config = BEFORE_WORLDS[name]
    model = CareSystem(rules=RuleSet(), engine=engine, **config, **ZERO)
    w = model.world
    recorded = BEFORE["worlds"][name]
    # Every field of the old state, to the bit (a -0.0 where 0.0 was would show too).
    later = {*LATER_FIELDS, *NHS_FIELDS, *VISION_FIELDS, *CHOICE_FIELDS, *SCRATCH_FIELDS}
    assert set(recorded) == set(w._fields) - set(NEW_FIELDS) - later
    np.testing.assert_array_equal(w.vision, 0.0)
    np.testing.assert_array_equal(w.conduct, 0.0)  # set by the regulator's first assessment
    np.testing.assert_array_equal(w.waiting_carried, 0.0)
    for field, digest in recorded.items():
        assert _digest(getattr(w, field)) == digest, field
    # The new fields at their neutral values.
    np.testing.assert_array_equal(w.unit_cost, 1.0)
    np.testing.assert_array_equal(w.con_size, 1.0)
    np.testing.assert_array_equal(w.need_index, 1.0)
    np.testing.assert_array_equal(w.alloc_index, 1.0)
    np.testing.assert_array_equal(w.population, model.params["population"])
    # The fields of the NHS mechanisms at their starting values: segment 1, the rest 0.
    np.testing.assert_array_equal(w.segment, 1.0)
    for name in NHS_FIELDS[1:]:
        np.testing.assert_array_equal(getattr(w, name), 0.0, err_msg=name)
    np.testing.assert_array_equal(w.chosen_slice, model.rules.prevention_slice)
    np.testing.assert_array_equal(w.fine_factor, 1.0)
    np.testing.assert_array_equal(w.rules_adopted, 0.0)
    np.testing.assert_array_equal(w.vote_slice, 0.0)
    np.testing.assert_array_equal(w.vote_fine, 0.0)


# Shared governance's laboratory rounds changed with the model's second version (graduated
# sanctions that escalate, ODD 7.8), after these digests were recorded; fortress engages none of
# those mechanisms, so its rounds still show that heterogeneity leaves the games alone.
@pytest.mark.parametrize("engine", ["numba", "python"])
@pytest.mark.parametrize("key", sorted(k for k in BEFORE["laboratory"] if "/fortress/" in k))
def test_laboratory_games_unchanged_at_the_defaults(key, engine):
    scenario, rules, seed = key.split("/")
    model = CareSystem(scenario=scenario, rules=rules, seed=int(seed), engine=engine)
    model.run_for(12)
    recorded = [i for i, name in enumerate(MEASURES) if name not in LATER_MEASURES]
    assert _digest(model.history[:, recorded]) == BEFORE["laboratory"][key]
    later = [MEASURES.index(name) for name in LATER_MEASURES]
    assert not model.history[:, later].any()
    np.testing.assert_array_equal(model.world.unit_cost, 1.0)
    np.testing.assert_array_equal(model.world.con_size, 1.0)


# ------------------------------------------------------------------------- places, by hand
def test_places_by_hand(tiny_world):
    params = {
        "n_places": 3,
        "population": 300_000.0,
        "spend_per_head": 2_400.0,
        "running_cost_share": 0.05,
        "initial_health": 0.6,
        **SPREADS,
    }
    model = tiny_world(seed=SEED, run=RUN, **params)
    w = model.world
    for q in range(3):
        population = 300_000.0 * (1.0 + 0.4 * d(SEED, RUN, q, RNG_PLACE_POPULATION))
        need = 1.0 + 0.2 * d(SEED, RUN, q, RNG_PLACE_NEED)
        alloc = 1.0 + 0.6 * (need - 1.0) + 0.05 * d(SEED, RUN, q, RNG_PLACE_ALLOCATION)
        alloc_base = population * 2_400.0 * alloc / 12.0 / 1e6
        assert w.population[q] == pytest.approx(population, rel=RTOL)
        assert w.need_index[q] == pytest.approx(need, rel=RTOL)
        assert w.alloc_index[q] == pytest.approx(alloc, rel=RTOL)
        assert w.alloc_base[q] == pytest.approx(alloc_base, rel=RTOL)
        # Need starts at the allocation net of running costs, times need over allocation index:
        # a place whose need runs ahead of its money starts under pressure.
        need_base = alloc_base * 0.95 * BASE_SPEND_SHARE * need / alloc
        np.testing.assert_allclose(w.need_base[q], need_base, rtol=RTOL)
        np.testing.assert_allclose(w.need[q], need_base, rtol=RTOL)
        assert w.acute_need_start[q] == pytest.approx(need_base[0], rel=RTOL)
        # Starting health is lower where need is higher (the same draw).
        health = 0.6 * (1.0 - 0.1 * d(SEED, RUN, q, RNG_PLACE_NEED))
        assert w.health[q] == pytest.approx(health, rel=RTOL)
        assert w.health_base[q] == w.health[q]
    # The agents read the same values.
    place = model.places[1]
    assert place.population == w.population[1]
    assert place.need_index == w.need_index[1]
    assert place.allocation_index == w.alloc_index[1]


def test_starting_health_is_at_most_one(tiny_world):
    model = tiny_world(n_places=40, initial_health=0.95, health_spread=0.5)
    h = model.world.health
    drawn = 0.95 * (1.0 - 0.5 * np.array([d(1, 0, q, RNG_PLACE_NEED) for q in range(40)]))
    assert (drawn > 1.0).any()
    np.testing.assert_allclose(h, np.minimum(1.0, drawn), rtol=RTOL)


# ------------------------------------------------------------------ organisations, by hand
def test_unit_cost_and_starting_balance_by_hand(tiny_world):
    model = tiny_world(seed=SEED, run=RUN, **SPREADS)
    w = model.world
    # Acute and community share the place's pool by their lines' shares among the lines present:
    # 0.46 / 0.56 and 0.10 / 0.56 of the allocation a month.
    income_ref = np.array([0.46, 0.10]) / 0.56 * w.alloc_base[0]
    np.testing.assert_allclose(w.org_income_ref, income_ref, rtol=RTOL)
    for i in range(2):
        cost = 1.0 + 0.08 * d(SEED, RUN, i, RNG_UNIT_COST)
        balance = 0.1 * d(SEED, RUN, i, RNG_START_BALANCE) * 12.0 * income_ref[i]
        assert w.unit_cost[i] == pytest.approx(cost, rel=RTOL)
        assert w.balance[i] == pytest.approx(balance, rel=RTOL)
        assert model.trusts[i].unit_cost == w.unit_cost[i]
        assert model.trusts[i].balance == w.balance[i]


def _size_world(tiny_world, **params):
    """Two places, three acute and two community trusts in each, two ambulance trusts serving
    both: lines with several providers."""
    return tiny_world(
        seed=SEED,
        run=RUN,
        n_places=2,
        acute_per_place=3,
        community_per_place=2,
        ambulance_per_ics=2,
        capacity_headroom=0.1,
        **{**SPREADS, **params},
    )


def test_sizes_of_providers_sharing_a_line_by_hand(tiny_world):
    model = _size_world(tiny_world)
    w = model.world
    covered = 0.46 + 0.10 + 0.04  # the lines with providers
    for c in range(w.con_org.shape[0]):
        q, k = w.con_place[c], w.con_kind[c]
        peers = [o for o in range(w.con_org.shape[0]) if w.con_place[o] == q and w.con_kind[o] == k]
        weights = {o: 1.0 + 0.5 * d(SEED, RUN, int(w.con_org[o]), RNG_ORG_SIZE) for o in peers}
        size = len(peers) * weights[c] / sum(weights.values())
        assert w.con_size[c] == pytest.approx(size, rel=RTOL)
        share = BASE_SPEND_SHARE[k] / covered * size / len(peers)
        assert w.con_base_share[c] == pytest.approx(share, rel=RTOL)
        if PREVENTIVE[k] == 1:  # community is the only preventive line here
            assert w.con_prev_share[c] == pytest.approx(size / len(peers), rel=RTOL)
        part = w.need_base[q, k] * size / len(peers)
        assert w.capacity[c] == pytest.approx(part * 1.1, rel=RTOL)
    assert np.ptp(w.con_size) > 0.1  # they do differ
    # An ambulance trust is as large against its peer in both places.
    amb = [t for t in model.trusts if t.kind == "ambulance"]
    for trust in amb:
        start, end = w.org_con_start[trust.index], w.org_con_end[trust.index]
        assert end - start == 2
        assert w.con_size[start] == w.con_size[start + 1]


def test_shares_of_a_place_still_sum_as_before(tiny_world):
    model = _size_world(tiny_world)
    w = model.world
    for q in range(2):
        mine = w.con_place == q
        assert w.con_base_share[mine].sum() == pytest.approx(1.0, rel=RTOL)
        assert w.con_prev_share[mine].sum() == pytest.approx(1.0, rel=RTOL)
        for k in (0, 1, 4):
            line = mine & (w.con_kind == k)
            assert w.con_size[line].mean() == pytest.approx(1.0, rel=RTOL)
            headroom = w.need_base[q, k] * 1.1
            assert w.capacity[line].sum() == pytest.approx(headroom, rel=RTOL)
    # Expected incomes add up to the allocations.
    assert w.org_income_ref.sum() == pytest.approx(w.alloc_base.sum(), rel=RTOL)


def test_demand_on_a_line_is_divided_by_size(tiny_world):
    model = _size_world(tiny_world)
    w = model.world
    w.need[0, 0] = 90.0
    w.available[0] = 100.0
    for trust in model.trusts:
        trust.plan()
    acute = (w.con_place == 0) & (w.con_kind == 0)
    # 90 / 3 providers x their sizes, which average 1: the line's need, shared by size.
    np.testing.assert_allclose(w.demand[acute], 30.0 * w.con_size[acute], rtol=RTOL)
    assert w.demand[acute].sum() == pytest.approx(90.0, rel=RTOL)


# ---------------------------------------------------------------------- unit cost and spend
def test_unit_cost_changes_spend_by_hand(tiny_world):
    model = tiny_world(social_care_per_place=1)  # contracts: acute, community, social care
    w = model.world
    w.unit_cost[:] = [1.1, 0.9, 1.0]
    w.claim[:] = [50.0, 10.0, 20.0]
    w.prevention[:] = [0.0, 2.0, 0.0]
    w.payment[:] = [40.0, 6.0, 10.0]
    w.balance[:] = [5.0, 0.0, -1.0]
    for trust in model.trusts:
        trust.deliver()
    # Delivered as at unit cost 1 (ODD 7.7): acute 50, community 6.5 + prevention 1, social care
    # 10. Spend = delivered x unit cost: 50 x 1.1 = 55; 7.5 x 0.9 = 6.75; 10 x 1 = 10.
    np.testing.assert_allclose(w.activity, [50.0, 6.5, 10.0], rtol=RTOL)
    np.testing.assert_allclose(w.spend, [55.0, 6.75, 10.0], rtol=RTOL)
    np.testing.assert_allclose(w.cum_spend, [55.0, 6.75, 10.0], rtol=RTOL)
    # Balance += payments - spend: 5 + 40 - 55 = -10; 0 + 6 - 6.75 = -0.75; -1 + 10 - 10 = -1.
    np.testing.assert_allclose(w.balance, [-10.0, -0.75, -1.0], rtol=RTOL)


def test_drawn_unit_cost_prices_what_is_delivered(tiny_world):
    model = tiny_world(seed=SEED, run=RUN, **SPREADS)
    w = model.world
    start = w.balance.copy()
    w.claim[:] = [50.0, 10.0]
    w.prevention[:] = [0.0, 2.0]
    w.payment[:] = [60.0, 15.0]  # fully funded: all delivered
    for trust in model.trusts:
        trust.deliver()
    cost = 1.0 + 0.08 * np.array([d(SEED, RUN, i, RNG_UNIT_COST) for i in range(2)])
    np.testing.assert_allclose(w.spend, [50.0 * cost[0], 12.0 * cost[1]], rtol=RTOL)
    np.testing.assert_allclose(w.balance, start + np.array([60.0, 15.0]) - w.spend, rtol=RTOL)


# ------------------------------------------------------------ distributions over many places
def _ks_uniform(values, low, high) -> float:
    """Kolmogorov-Smirnov distance of `values` from the uniform distribution on [low, high]."""
    x = np.sort((np.asarray(values) - low) / (high - low))
    n = x.shape[0]
    upper = np.arange(1, n + 1) / n - x
    lower = x - np.arange(n) / n
    return float(max(upper.max(), lower.max()))


def _check_uniform(values, mean, half_range):
    """Bounds, mean, standard deviation and shape of a uniform draw on mean +- half_range."""
    values = np.asarray(values)
    n = values.shape[0]
    sd = half_range / np.sqrt(3.0)
    assert values.min() >= mean - half_range - 1e-12
    assert values.max() <= mean + half_range + 1e-12
    assert abs(values.mean() - mean) < 4.0 * sd / np.sqrt(n)
    assert values.std() == pytest.approx(sd, rel=0.08)
    # 1.95 / sqrt(n): the critical distance at the 0.1% level.
    assert _ks_uniform(values, mean - half_range, mean + half_range) < 1.95 / np.sqrt(n)


def test_spreads_over_many_places_match_the_declared_distributions():
    # 1,000 places of one acute trust each (20 systems of 50 places).
    model = CareSystem(
        rules=RuleSet(),
        seed=11,
        n_ics=20,
        n_places=50,
        acute_per_place=1,
        community_per_place=0,
        mental_health_per_place=0,
        primary_care_per_place=0,
        social_care_per_place=0,
        ambulance_per_ics=0,
        population=400_000.0,
        initial_health=0.7,
        **SPREADS,
    )
    w = model.world
    _check_uniform(w.population, 400_000.0, 0.4 * 400_000.0)
    _check_uniform(w.need_index, 1.0, 0.2)
    # The allocation index: 0.6 of the extra need, plus a draw of its own, independent of need.
    own = w.alloc_index - 1.0 - 0.6 * (w.need_index - 1.0)
    _check_uniform(own, 0.0, 0.05)
    assert abs(np.corrcoef(own, w.need_index)[0, 1]) < 4.0 / np.sqrt(1000)
    _check_uniform(w.health, 0.7, 0.7 * 0.1)
    assert np.corrcoef(w.health, w.need_index)[0, 1] == pytest.approx(-1.0, abs=1e-9)
    _check_uniform(w.unit_cost, 1.0, 0.08)
    _check_uniform(w.balance / (12.0 * w.org_income_ref), 0.0, 0.1)
    # Draws for different jobs are independent of each other.
    assert abs(np.corrcoef(w.unit_cost, w.balance / w.org_income_ref)[0, 1]) < 4.0 / np.sqrt(1000)
    assert abs(np.corrcoef(w.population, w.need_index)[0, 1]) < 4.0 / np.sqrt(1000)


def test_sizes_over_many_lines_match_the_declared_distribution():
    # 200 places of two acute trusts: size_1 = 2 s_1 / (s_1 + s_2), s uniform on [0.5, 1.5].
    model = CareSystem(
        rules=RuleSet(),
        seed=12,
        n_ics=4,
        n_places=50,
        acute_per_place=2,
        community_per_place=0,
        mental_health_per_place=0,
        primary_care_per_place=0,
        social_care_per_place=0,
        ambulance_per_ics=0,
        size_spread=0.5,
    )
    w = model.world
    first, second = w.con_size[0::2], w.con_size[1::2]
    np.testing.assert_allclose(first + second, 2.0, rtol=RTOL)
    # The ratio of two providers' sizes s_1 / s_2 lies in [1/3, 3]; each size in [0.5, 1.5].
    assert first.min() >= 0.5
    assert first.max() <= 1.5
    assert np.ptp(first) > 0.8
    # By symmetry the first of a pair is on average of average size.
    assert abs(first.mean() - 1.0) < 4.0 * first.std() / np.sqrt(first.shape[0])


# ------------------------------------------------------------------------------ replicates
def test_replicates_draw_different_places_and_organisations():
    base = {"rules": RuleSet(), **SPREADS}
    a = CareSystem(seed=1, run=0, **base).world
    b = CareSystem(seed=1, run=1, **base).world
    c = CareSystem(seed=2, run=0, **base).world
    again = CareSystem(seed=1, run=0, **base).world
    for field in ("population", "need_index", "alloc_index", "health", "unit_cost", "balance"):
        first = getattr(a, field)
        assert np.all(first != getattr(b, field)), field
        assert np.all(first != getattr(c, field)), field
    for field in a._fields:
        np.testing.assert_array_equal(getattr(a, field), getattr(again, field), err_msg=field)


# ------------------------------------------------------------------- money is still conserved
@pytest.mark.parametrize("rules", ["fortress", "canterbury_alliance", "shared_governance"])
def test_money_is_conserved_in_a_world_that_differs(rules):
    model = CareSystem(
        rules=rules,
        seed=4,
        n_places=2,
        acute_per_place=2,
        community_per_place=2,
        ambulance_per_ics=2,
        failure_threshold=0.05,  # takeovers happen too
        **{**SPREADS, "unit_cost_spread": 0.3, "balance_spread": 0.3},
    )
    w = model.world
    for _ in range(24):
        pool, providers = float(w.pool_balance.sum()), float(w.balance.sum())
        model.step()
        m = model.current()
        costs = m["transaction_costs"] + m["governance_costs"] + m["takeover_costs"]
        accounted = (
            m["provider_spend"]
            + costs
            + (float(w.pool_balance.sum()) - pool)
            + (float(w.balance.sum()) - providers)
        )
        assert m["allocation"] == pytest.approx(accounted, rel=1e-9, abs=1e-9)
    assert model.summary()["provider_failures"] > 0
