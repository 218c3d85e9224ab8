"""Behaviour at the speed of trust (ODD 5 and 7.5, 7.10, 7.11): behavioural types, leadership and
risk attitude drawn per organisation; the trust gate on what cooperation delivers; inertia in
learning; trust that falls in months and rebuilds in years. Expected values are worked out by hand
from the ODD's equations with the default parameter values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hand_worlds import planning

from sim import CareSystem, RuleSet
from sim.core.constants import RNG_BEHAVIOUR_TYPE, RNG_LEADERSHIP, RNG_RISK
from sim.core.rng import uniform

ACUTE, COMMUNITY = 0, 1


# ------------------------------------------------------------------- types, leadership, risk (5)
def test_type_leadership_and_risk_are_keyed_draws_from_the_declared_distributions():
    seed, run = 7, 3
    model = CareSystem(rules=RuleSet(), seed=seed, run=run, engine="python")
    w = model.world
    for i in range(len(model.trusts)):
        # Type: u below 0.5 a conditional cooperator (0), below 0.5 + 0.3 a free rider (1),
        # below 0.8 + 0.14 hump-shaped (2), else unclassified (3).
        u = uniform(seed, run, 0, i, RNG_BEHAVIOUR_TYPE)
        kind = 0 if u < 0.5 else 1 if u < 0.8 else 2 if u < 0.94 else 3
        assert w.org_type[i] == kind, i
        # Leadership and risk attitude: 1 + 0.5 (2u - 1), uniform on [0.5, 1.5].
        u = uniform(seed, run, 0, i, RNG_LEADERSHIP)
        assert w.leadership[i] == pytest.approx(1.0 + 0.5 * (2.0 * u - 1.0), rel=1e-15)
        u = uniform(seed, run, 0, i, RNG_RISK)
        assert w.risk_attitude[i] == pytest.approx(1.0 + 0.5 * (2.0 * u - 1.0), rel=1e-15)


def test_type_shares_over_many_organisations_match_the_declared_shares():
    model = CareSystem(rules=RuleSet(), seed=3, engine="python", n_ics=30)  # 480 organisations
    w = model.world
    shares = np.bincount(w.org_type, minlength=4) / w.org_type.size
    # Binomial standard error at 480 draws is at most 0.023: four of them is 0.09.
    np.testing.assert_allclose(shares, [0.5, 0.3, 0.14, 0.06], atol=0.09)
    assert w.leadership.min() >= 0.5
    assert w.leadership.max() < 1.5
    assert w.leadership.std() > 0.2  # uniform on a width of 1: sd 0.29


def test_replicates_draw_different_organisations():
    a = CareSystem(rules=RuleSet(), seed=1, engine="python").world
    b = CareSystem(rules=RuleSet(), seed=2, engine="python").world
    assert not np.array_equal(a.org_type, b.org_type) or not np.array_equal(
        a.leadership, b.leadership
    )


# ----------------------------------------------------------------------- the trust gate (7.5)
def _plan_world(tiny_world, rules=None, trust=0.5, **params):
    model = planning(tiny_world(rules, **params))  # tests/mechanisms/hand_worlds.py
    w = model.world
    w.trust[:] = trust
    w.need_base[0, :] = 0.0  # expected need 100 on its trend: the prevention budget's base
    w.need_base[0, :2] = [80.0, 20.0]
    for trust_agent in model.trusts:
        trust_agent.plan()
    return w


def test_trust_gates_the_share_of_the_norm_kept(tiny_world):
    rules = RuleSet(agreed_shares=True, scope=1.0, partnership_breadth=1.0, prevention_slice=0.03)
    w = _plan_world(tiny_world, rules)
    # kept = x (1 - 0.5 (1 - 0.5)) = 0.75 x: 0.3 and 0.6.
    np.testing.assert_allclose(w.kept, [0.3, 0.6], rtol=1e-12)
    # Acute: agreed 77.6, selfish min(capacity 95, 90 x 1.15) = 95 (capacity no longer grows in
    # plan: ODD 7.19); claim 0.3 x 77.6 + 0.7 x 95 = 23.28 + 66.5 = 89.78.
    assert w.claim[0] == pytest.approx(23.28 + 0.7 * 95.0, rel=1e-12)
    # Community prevention: 0.6 x the agreed 3 = 1.8 (with full trust it would be 2.4).
    assert w.prevention[1] == pytest.approx(1.8, rel=1e-12)


@pytest.mark.parametrize(
    ("trust", "gate", "kept"),
    [
        (1.0, 0.5, [0.4, 0.8]),  # full trust: nothing held back
        (0.0, 0.5, [0.2, 0.4]),  # no trust: half of cooperation waits on it
        (0.0, 1.0, [0.0, 0.0]),  # everything waits on trust
        (0.2, 0.0, [0.4, 0.8]),  # no gate: kept is cooperation
    ],
)
def test_the_gate_by_trust_and_its_strength(tiny_world, trust, gate, kept):
    w = _plan_world(tiny_world, trust=trust, trust_gate=gate)
    np.testing.assert_allclose(w.kept, kept, rtol=1e-12, atol=1e-15)


def test_an_organisation_without_partners_waits_on_nobody(tiny_world):
    model = tiny_world(community_per_place=0)  # one acute trust alone
    w = model.world
    w.cooperation[:] = 0.4
    w.available[0] = 100.0
    model.trusts[0].plan()
    assert w.kept[0] == 0.4


# ------------------------------------------------------------------------- inertia (7.11)
def test_a_conditional_cooperator_closes_the_gap_to_its_belief_with_inertia(tiny_world):
    model = tiny_world(exploration=0.0)
    w = model.world
    w.org_type[:] = 0
    w.cooperation[:] = 0.2
    w.trust[:] = 0.8
    w.selfish_claim[:] = w.coop_claim[:] = 0.0  # nothing to gain: D = 0
    w.agreed_prevention[:] = 0.0
    path = []
    for _ in range(24):
        model.trusts[1].learn()
        model.trusts[1].commit()
        path.append(float(w.cooperation[1]))
    # D = 0: the payoff target is where it is, x; target 0.6 x 0.8 + 0.4 x; x' = x + 0.1 (0.48 -
    # 0.6 x) = 0.94 x + 0.048: the gap to 0.8 shrinks by 0.94 a month, x_n = 0.8 - 0.6 x 0.94^n.
    expected = [0.8 - 0.6 * 0.94**n for n in range(1, 25)]
    np.testing.assert_allclose(path, expected, rtol=1e-12)
    # Smooth, not bang-bang: no month moves more than 0.1 x 0.6 x 0.6 = 0.036; half the way
    # (0.5) takes ln 0.5 / ln 0.94 = 11.2, so 12 months.
    assert np.max(np.diff([0.2, *path])) <= 0.036 + 1e-12
    assert next(n for n, x in enumerate(path, 1) if x >= 0.5) == math.ceil(
        math.log(0.5) / math.log(0.94)
    )


# ------------------------------------------------------------- months to break, years to build
def test_trust_falls_in_months_and_rebuilds_in_years_under_shared_governance(tiny_world, edge):
    # Open books: full monitoring over the whole scope, so every breach is seen.
    rules = RuleSet(conflict_resolution=1.0, system_leadership=1.0, monitoring=1.0, scope=1.0)
    model = tiny_world(rules)
    w = model.world
    w.leadership[:] = 1.0
    e = edge(model, 0, 1)
    w.trust[e] = 0.9
    w.breach[1] = 1.0
    for _ in range(3):
        model.trusts[0].update_trust()
    # Conflict resolution absorbs 60% of the fall: 10% a month; 0.9 x 0.9^3 = 0.6561.
    assert w.trust[e] == pytest.approx(0.6561, rel=1e-12)
    w.breach[1] = 0.0
    months = 0
    while w.trust[e] < 0.9:
        model.trusts[0].update_trust()
        months += 1
    # Rise 0.03 x (1 + 1 x 1) = 0.06 of the gap a month: 1 - T = 0.3439 x 0.94^n <= 0.1 when
    # n >= ln(0.1 / 0.3439) / ln 0.94 = 19.96: 20 months to rebuild what 3 months broke.
    assert months == 20


@pytest.mark.parametrize(
    ("trust", "join", "member"),
    [
        (0.5, 0.25, [1.0, 1.0]),  # trust above the threshold: fully in
        (0.1, 0.25, [0.4, 0.4]),  # 0.1 / 0.25: in only in part
        (0.0, 0.25, [0.0, 0.0]),  # no trust: out
        (0.0, 0.0, [1.0, 1.0]),  # no threshold: eligibility alone decides
    ],
)
def test_trust_decides_how_far_an_eligible_organisation_joins(tiny_world, trust, join, member):
    rules = RuleSet(agreed_shares=True, scope=1.0, partnership_breadth=1.0)
    w = _plan_world(tiny_world, rules, trust=trust, join_trust=join)
    np.testing.assert_allclose(w.org_eligible, [1.0, 1.0])
    np.testing.assert_allclose(w.org_member, member, rtol=1e-12)


def test_an_organisation_not_eligible_stays_out_whatever_its_trust(tiny_world):
    # Breadth 0.1 is below the acute and community threshold of 0.2.
    rules = RuleSet(agreed_shares=True, scope=1.0, partnership_breadth=0.1)
    w = _plan_world(tiny_world, rules, trust=1.0)
    np.testing.assert_allclose(w.org_eligible, [0.0, 0.0])
    np.testing.assert_allclose(w.org_member, [0.0, 0.0])
