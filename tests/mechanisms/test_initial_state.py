"""The initial state of a small hand-described world, field by field, against its parameters
(ODD section 5; architecture issue item 2).

The world: one ICS of two places; in each place two acute trusts and one community, mental health,
primary care and social care provider; one ambulance trust serving both places. 13 organisations,
14 contracts (the ambulance trust holds one in each place).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import CareSystem, RuleSet

PARAMS = {
    "n_ics": 1,
    "n_places": 2,
    "acute_per_place": 2,
    "community_per_place": 1,
    "mental_health_per_place": 1,
    "primary_care_per_place": 1,
    "social_care_per_place": 1,
    "ambulance_per_ics": 1,
    "population": 240_000,
    "spend_per_head": 3_000.0,
    "running_cost_share": 0.05,
    "capacity_headroom": 0.2,
    "initial_trust": 0.37,
    "initial_cooperation": 0.65,
    "cooperation_spread": 0.0,
    "initial_health": 0.62,
    # Every organisation a conditional cooperator of typical leadership and risk attitude (the
    # draws of type, leadership and risk are checked in tests/mechanisms/test_behaviour.py).
    "share_conditional": 1.0,
    "share_free_rider": 0.0,
    "share_hump": 0.0,
    "leadership_spread": 0.0,
    "risk_spread": 0.0,
    # Identical places and identical organisations of each kind (the draws of places and
    # organisations that differ are checked in tests/mechanisms/test_heterogeneity.py).
    "population_spread": 0.0,
    "need_spread": 0.0,
    "allocation_spread": 0.0,
    "health_spread": 0.0,
    "unit_cost_spread": 0.0,
    "balance_spread": 0.0,
    "size_spread": 0.0,
}
SEED, RUN = 7, 3
# Half a shared vision and a quarter of whole-system regulation: the weight on the system's outcome
# the rules ask for is 0.6 x 0.5 + 0.2 x 0.25 = 0.35 (ODD 7.11), held from the start.
RULES = RuleSet(
    partnership_breadth=0.6, shared_vision=0.5, whole_system_regulation=0.25, prevention_slice=0.02
)
# Kinds: acute 0, community 1, mental health 2, primary care 3, ambulance 4, social care 5.
PLACE_KINDS = [0, 0, 1, 2, 3, 5]
# Line shares of spend (ODD section 5): acute .46, community .10, mental health .11,
# primary care .13, ambulance .04, social care .16.
# Allocation 240,000 x 3,000 / 12 / 1e6 = 60 a month; need (1 - 0.05) x 60 = 57 split by shares.
NEED = [26.22, 5.7, 6.27, 7.41, 2.28, 9.12]


def _expected() -> dict[str, np.ndarray]:
    place_of_org = [0] * 6 + [1] * 6 + [-1]
    # Partners: the other five providers of the place and the ambulance trust (12); the ambulance
    # trust partners all twelve.
    edge_dst = []
    for i in range(12):
        home = range(0, 6) if i < 6 else range(6, 12)
        edge_dst += [j for j in home if j != i] + [12]
    edge_dst += list(range(12))
    need_base = np.array([NEED, NEED])
    zeros_org, zeros_con, zeros_place = np.zeros(13), np.zeros(14), np.zeros(2)
    zeros_lines = np.zeros((2, 6))
    # Base shares: line share / providers of the line (two acute trusts: 0.23 each).
    base_share = [0.23, 0.23, 0.10, 0.11, 0.13, 0.16]
    # Prevention slice shares: preventive lines .10 + .11 + .13 + .16 = .50.
    prev_share = [0.0, 0.0, 0.2, 0.22, 0.26, 0.32]
    # Capacity: need per provider x 1.2: 26.22 / 2 x 1.2 = 15.732, 5.7 x 1.2 = 6.84, ...
    capacity = [15.732, 15.732, 6.84, 7.524, 8.892, 10.944]
    # Expected monthly income: base share x allocation 60; the ambulance trust 2 x 0.04 x 60.
    income_ref = [13.8, 13.8, 6.0, 6.6, 7.8, 9.6]
    # Members at breadth 0.6: acute, community (0.2), mental health (0.4), primary care (0.6);
    # not social care (0.8) nor ambulance (1.0).
    member = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0]
    return {
        # organisations
        "org_kind": np.array(PLACE_KINDS * 2 + [4]),
        "org_place": np.array(place_of_org),
        "org_ics": np.zeros(13, dtype=int),
        "org_con_start": np.arange(13),
        "org_con_end": np.array([*list(range(1, 13)), 14]),
        "org_eligible": np.array(member * 2 + [0.0]),
        "org_member": np.array(member * 2 + [0.0]),
        "org_income_ref": np.array(income_ref * 2 + [4.8]),
        "cooperation": np.full(13, 0.65),
        "cooperation_next": np.full(13, 0.65),
        # type 0: conditional cooperator; leadership and risk attitude 1 (no spread)
        "org_type": np.zeros(13, dtype=int),
        "leadership": np.ones(13),
        "risk_attitude": np.ones(13),
        "vision": np.full(13, 0.35),  # the rules a run starts under are taken as established
        "unit_cost": np.ones(13),  # every organisation at the average cost (no spread)
        # computed each month by plan and learn: zero before the first month
        "kept": zeros_org,
        "selfish_incentive": zeros_org,
        "balance": zeros_org,
        "record": zeros_org,
        "breach": zeros_org,
        "conduct": zeros_org,
        "detected": zeros_org,
        "fine": zeros_org,
        "fined_multiple": np.ones(13),  # the tabled fine, until a vote
        "overclaim": zeros_org,
        "incentive": zeros_org,
        "income": zeros_org,
        "spend": zeros_org,
        "cum_income": zeros_org,
        "cum_spend": zeros_org,
        "failures": zeros_org,
        # oversight (ODD 7.17): no support needs before the regulator's first review
        "segment": np.ones(13),
        "concern": zeros_org,
        "special_months": zeros_org,
        "special_spells": zeros_org,
        # capital and prices (ODD 7.19, 7.20): written each month by invest
        "invested": zeros_org,
        "efficiency_paid": zeros_org,
        "edge_start": np.array([6 * i for i in range(12)] + [72]),
        "edge_end": np.array([6 * (i + 1) for i in range(12)] + [84]),
        # contracts
        "con_org": np.array([*list(range(12)), 12, 12]),
        "con_place": np.array([0] * 6 + [1] * 6 + [0, 1]),
        "con_kind": np.array(PLACE_KINDS * 2 + [4, 4]),
        "con_base_share": np.array(base_share * 2 + [0.04, 0.04]),
        "con_prev_share": np.array(prev_share * 2 + [0.0, 0.0]),
        "con_size": np.ones(14),  # the two acute trusts of a place of equal size (no spread)
        "capacity": np.array(capacity * 2 + [2.736, 2.736]),
        "demand": zeros_con,
        "agreed": zeros_con,
        "agreed_prevention": zeros_con,
        "coop_claim": zeros_con,
        "selfish_claim": zeros_con,
        "claim": zeros_con,
        "prevention": zeros_con,
        "payment": zeros_con,
        "activity": zeros_con,
        "prevention_delivered": zeros_con,
        "vote_slice": zeros_con,  # no vote before the first planning round (ODD 7.25)
        "vote_fine": zeros_con,
        # partner edges
        "edge_dst": np.array(edge_dst),
        "trust": np.full(84, 0.37),
        # places
        "place_ics": np.array([0, 0]),
        "place_con_start": np.array([0, 7]),
        "place_con_end": np.array([7, 14]),
        "place_con": np.array([0, 1, 2, 3, 4, 5, 12, 6, 7, 8, 9, 10, 11, 13]),
        "population": np.array([240_000.0, 240_000.0]),
        "need_index": np.ones(2),  # need and allocation per head at the average (no spread)
        "alloc_index": np.ones(2),
        "alloc_base": np.array([60.0, 60.0]),
        "allocation": zeros_place,
        "available": zeros_place,
        "pool_balance": zeros_place,
        "pay_ratio": np.ones(2),  # nothing cut yet
        "health": np.full(2, 0.62),
        "health_base": np.full(2, 0.62),
        "need_base": need_base,
        "need": need_base,  # need starts level with the allocation
        "waiting": zeros_lines,
        "waiting_patients": zeros_lines,
        "unmet": zeros_lines,
        "delivered": zeros_lines,
        "spend_line": zeros_lines,
        "providers": np.array([[2.0, 1, 1, 1, 1, 1], [2.0, 1, 1, 1, 1, 1]]),
        # observation only: the waiting list carried into the month (none at the start)
        "waiting_carried": zeros_lines,
        "acute_need_start": np.array([26.22, 26.22]),
        "acute_new": np.array([26.22, 26.22]),  # admissions start at their starting level
        "spill": zeros_place,
        "prevention_spend": zeros_place,
        "transaction_cost": zeros_place,
        "governance_cost": zeros_place,
        "takeover_cost": zeros_place,
        "support_cost": zeros_place,
        "delayed": zeros_place,  # no delayed discharges before the first month (ODD 7.18)
        "fines_in": zeros_place,
        "chosen_slice": np.full(2, 0.02),  # the tabled slice is in force until a vote
        "fine_factor": np.ones(2),  # and the tabled fine
        "rules_adopted": zeros_place,  # adopted at the start
        "appropriation": zeros_place,
        "earnings": zeros_place,
        # scratch space of the phases: empty at the start
        "org_ratio": zeros_org,
        "paid": zeros_place,
        "need_covered": zeros_place,
        "need_trend": zeros_place,
        "ics_total": np.zeros(1),
        "ics_count": np.zeros(1),
        "line_total": np.zeros(6),
        # [step, budget factor B(0), need factor G(0)]
        "clock": np.array([0.0, 1.0, 1.0]),
        # [world (place_system = 0), seed, run]: the key of every random draw
        "key": np.array([0, SEED, RUN]),
    }


INDEX_FIELDS = (
    "org_kind",
    "org_type",
    "org_place",
    "org_ics",
    "org_con_start",
    "org_con_end",
    "edge_start",
    "edge_end",
    "con_org",
    "con_place",
    "con_kind",
    "edge_dst",
    "place_ics",
    "place_con_start",
    "place_con_end",
    "place_con",
    "key",
)


def _field_names(world) -> list[str]:
    names = getattr(world, "_fields", None)
    return list(names) if names is not None else [n for n in vars(world) if not n.startswith("_")]


@pytest.mark.parametrize("engine", ["numba", "python"])
def test_initial_state_field_by_field(engine):
    model = CareSystem(rules=RULES, seed=SEED, run=RUN, engine=engine, **PARAMS)
    w = model.world
    expected = _expected()
    # Every field of the state is described here: a new field needs its initial value stated.
    assert sorted(_field_names(w)) == sorted(expected)
    for name, value in expected.items():
        actual = np.asarray(getattr(w, name))
        assert actual.shape == value.shape, name
        if name in INDEX_FIELDS:
            assert np.issubdtype(actual.dtype, np.integer), name
            np.testing.assert_array_equal(actual, value, err_msg=name)
        else:
            np.testing.assert_allclose(actual, value, rtol=1e-12, atol=1e-12, err_msg=name)
    # The agents see the same world.
    assert len(model.trusts) == 13
    assert len(model.places) == 2
    assert len(model.commissioners) == 2
    assert [t.kind for t in model.trusts].count("acute") == 4
    assert model.trusts[12].places == [0, 1]
    assert len(model.trusts[0].partners()) == 6
    assert len(model.trusts[12].partners()) == 12
    assert all(v == 0.37 for t in model.trusts for v in t.partners().values())


def test_initial_cooperation_is_spread_around_its_mean():
    params = {**PARAMS, "cooperation_spread": 0.2}
    model = CareSystem(rules=RuleSet(), seed=SEED, engine="python", **params)
    c = model.world.cooperation
    # initial_cooperation + spread x (u - 0.5): within 0.65 +- 0.1, and not all alike.
    assert np.all((c >= 0.55) & (c <= 0.75))
    assert np.ptp(c) > 0.05
    np.testing.assert_array_equal(model.world.cooperation_next, c)


def test_base_shares_in_a_world_with_lines_missing():
    model = CareSystem(
        rules=RuleSet(),
        seed=1,
        engine="python",
        n_places=2,
        acute_per_place=1,
        community_per_place=1,
        mental_health_per_place=0,
        primary_care_per_place=0,
        social_care_per_place=0,
        ambulance_per_ics=1,
    )
    # Contracts: place 0 acute, community; place 1 acute, community; ambulance in 0 and 1. Each
    # line's share over those of the lines the place has (ODD 5): 0.46 + 0.10 + 0.04 = 0.60.
    w = model.world
    np.testing.assert_allclose(
        w.con_base_share,
        [0.46 / 0.60, 0.10 / 0.60, 0.46 / 0.60, 0.10 / 0.60, 0.04 / 0.60, 0.04 / 0.60],
        rtol=1e-12,
    )
    for q in range(2):
        assert w.con_base_share[w.con_place == q].sum() == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize(
    ("rules", "weights", "expected"),
    [
        # 0.8 x 0.5 (vision) + 0.4 x 0.25 (whole-system regulation) = 0.5
        (RULES, {"vision_weight": 0.8, "whole_system_weight": 0.4}, 0.5),
        # an alliance: 0.8 x 0.5 + 0.3 (alliance) = 0.7
        (
            RuleSet(shared_vision=0.5, funding_model="alliance"),
            {"vision_weight": 0.8, "alliance_weight": 0.3},
            0.7,
        ),
    ],
)
def test_the_weights_on_the_system_set_the_vision_the_rules_ask_for(rules, weights, expected):
    model = CareSystem(rules=rules, seed=SEED, run=RUN, **PARAMS, **weights)
    np.testing.assert_allclose(model.world.vision, expected, rtol=1e-12)
