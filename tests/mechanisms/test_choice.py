"""Collective choice: the partners' vote on the prevention slice and the fine (ODD 7.25,
`Commissioner.choose_rules`), and the chosen rules at work in claims (7.5), fines (7.8) and the
expected fine of the incentive (7.11). Expected values are worked out by hand with the default
`prevention_value` 1.5, `prevention_saturation` 0.05 and `vote_fine_spread` 1."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import RuleSet

ACUTE, COMMUNITY = 0, 1
CONDITIONAL, FREE_RIDER = 0, 1
PLANNING_ROUND = 12.0  # the month of the first annual planning round


def _rules(**levers):
    return RuleSet(
        agreed_shares=True,
        scope=1.0,
        partnership_breadth=1.0,
        prevention_slice=0.03,
        monitoring=1.0,
        sanction_severity=0.6,
        collective_choice=1.0,
        **levers,
    )


def _voters(tiny_world, rules=None, month=PLANNING_ROUND, **params):
    """Acute (0): care share 0.8, no prevention, kept its whole norm; community (1): care share
    0.2, half the prevention budget, kept a quarter of its norm; both conditional cooperators
    weighing the system at 0.5, the acute trust a part member (0.4)."""
    model = tiny_world(_rules() if rules is None else rules, **params)
    w = model.world
    w.clock[0] = month
    w.org_type[:] = CONDITIONAL
    w.vision[:] = 0.5
    w.con_base_share[:] = [0.8, 0.2]
    w.con_prev_share[:] = [0.0, 0.5]
    w.conduct[:] = [1.0, 0.25]
    w.org_member[:] = [0.4, 1.0]
    return model


def _vote(model):
    model.commissioners[0].choose_rules()
    return model.world


# Community: loss 0.5 + 0.2 - 0.5 = 0.2 against gain 0.5 x 1.5 = 0.75: 0.05 ln(3.75).
COMMUNITY_IDEAL = 0.05 * math.log(3.75)


def test_each_member_votes_its_ideal_and_the_weighted_median_is_chosen(tiny_world):
    w = _vote(_voters(tiny_world))
    # Acute: loss 0.5 + 0.8 - 0 = 1.3 above gain 0.75: even the first pound does not pay it.
    np.testing.assert_allclose(w.vote_slice, [0.0, COMMUNITY_IDEAL], rtol=1e-12)
    # Fines: 1 + (2 x 1 - 1) = 2 for the acute trust, 1 + (2 x 0.25 - 1) = 0.5 for community.
    np.testing.assert_allclose(w.vote_fine, [2.0, 0.5], rtol=1e-12)
    # Weights 0.4 and 1: the community trust alone holds more than half (1 of 1.4).
    assert w.chosen_slice[0] == pytest.approx(COMMUNITY_IDEAL, rel=1e-12)
    assert w.fine_factor[0] == pytest.approx(0.5, rel=1e-12)


def test_the_heavier_vote_carries_the_median(tiny_world):
    model = _voters(tiny_world)
    model.world.org_member[:] = [1.0, 0.4]
    w = _vote(model)
    # Now the acute trust holds 1 of 1.4: its ideals are chosen.
    assert w.chosen_slice[0] == 0.0
    assert w.fine_factor[0] == pytest.approx(2.0, rel=1e-12)


def test_with_equal_weights_the_lower_median_is_chosen(tiny_world):
    model = _voters(tiny_world)
    model.world.org_member[:] = [1.0, 1.0]
    w = _vote(model)
    # Half the weight at or below the lower ideal of each vote.
    assert w.chosen_slice[0] == 0.0
    assert w.fine_factor[0] == pytest.approx(0.5, rel=1e-12)


def test_half_collective_choice_moves_half_way_from_the_tabled_rules(tiny_world):
    model = _voters(tiny_world, _rules().with_levers(None, collective_choice=0.5))
    w = _vote(model)
    assert w.chosen_slice[0] == pytest.approx(0.03 + 0.5 * (COMMUNITY_IDEAL - 0.03), rel=1e-12)
    assert w.fine_factor[0] == pytest.approx(1.0 + 0.5 * (0.5 - 1.0), rel=1e-12)


def test_a_free_rider_votes_its_own_money_alone(tiny_world):
    model = _voters(tiny_world)
    w = model.world
    w.org_type[:] = FREE_RIDER
    _vote(model)
    # No weight on the system: the acute trust loses care money (0); the community trust gains
    # more from its prevention share (0.5) than it loses from its care share (0.2): the cap.
    np.testing.assert_allclose(w.vote_slice, [0.0, 0.2])


def test_no_vote_outside_a_planning_round(tiny_world):
    w = _vote(_voters(tiny_world, month=13.0))
    assert w.chosen_slice[0] == 0.03  # the tabled slice stands
    assert w.fine_factor[0] == 1.0
    np.testing.assert_array_equal(w.vote_slice, 0.0)


@pytest.mark.parametrize(
    ("levers", "slice_", "factor"),
    [
        # Rules imposed: nothing is put to the vote.
        ({"collective_choice": 0.0}, 0.03, 1.0),
        # Prevention out of scope: the slice is not voted on; the fine still is.
        ({"prevention_slice": 0.0}, 0.0, 0.5),
        # No agreed shares: nothing agreed to vote a slice into; no fine to scale either.
        ({"agreed_shares": False, "sanction_severity": 0.0}, 0.03, 1.0),
    ],
)
def test_rules_out_of_scope_are_not_put_to_the_vote(tiny_world, levers, slice_, factor):
    w = _vote(_voters(tiny_world, _rules().with_levers(None, **levers)))
    assert w.chosen_slice[0] == pytest.approx(slice_, rel=1e-12)
    assert w.fine_factor[0] == pytest.approx(factor, rel=1e-12)


def test_nobody_inside_the_agreement_leaves_the_rules_in_force(tiny_world):
    model = _voters(tiny_world)
    model.world.org_member[:] = 0.0
    w = _vote(model)
    assert w.chosen_slice[0] == 0.03
    assert w.fine_factor[0] == 1.0


# ----------------------------------------------------------------- the chosen rules at work
def test_claims_use_the_chosen_slice(tiny_world):
    model = tiny_world(_rules())
    w = model.world
    w.cooperation[:] = 1.0
    w.trust[:] = 1.0
    w.need[0, ACUTE] = 90.0
    w.need[0, COMMUNITY] = 10.0
    w.available[0] = 100.0
    w.capacity[:] = [95.0, 10.5]
    w.con_prev_share[:] = [0.0, 1.0]
    w.need_base[0, :] = 0.0
    w.need_base[0, ACUTE] = 96.0
    w.need_base[0, COMMUNITY] = 24.0
    w.chosen_slice[0] = 0.05
    for trust in model.trusts:
        trust.plan()
    # Prevention: 0.05 x 1 x 120 = 6 for the community trust. Care: the chosen shares follow need
    # (90 and 10 of 100) of the pool less the slice: 0.9 x 0.95 x 100 = 85.5 and 0.1 x 95 = 9.5.
    np.testing.assert_allclose(w.agreed_prevention, [0.0, 6.0], rtol=1e-12)
    np.testing.assert_allclose(w.agreed, [85.5, 9.5], rtol=1e-12)


def test_the_regulator_fines_at_the_chosen_multiple(tiny_world, begin_month):
    model = tiny_world(_rules())
    w = model.world
    w.claim[:] = [60.0, 10.0]
    w.coop_claim[:] = [50.0, 10.0]
    w.agreed_prevention[:] = 0.0
    w.prevention[:] = 0.0
    w.balance[:] = 0.0
    w.pool_balance[0] = 0.0
    w.fine_factor[0] = 1.5
    begin_month(model)
    model.regulator.assess(model.trusts[0])
    # Flat fine 0.6 x 1 x 10 over, at 1.5 times: 9 (not 6).
    assert w.fine[0] == pytest.approx(9.0, rel=1e-12)
    assert w.pool_balance[0] == pytest.approx(9.0, rel=1e-12)


@pytest.mark.parametrize(("factor", "incentive"), [(1.0, -0.03), (0.5, -0.005), (2.0, -0.08)])
def test_the_expected_fine_is_at_the_chosen_multiple(learner, factor, incentive):
    rules = RuleSet(
        agreed_shares=True,
        scope=1.0,
        partnership_breadth=1.0,
        monitoring=1.0,
        sanction_severity=0.5,
    )
    model = learner(rules)
    w = model.world
    w.fine_factor[0] = factor
    model.trusts[1].learn()
    # Flat fine 0.5 a unit on 2 units overclaimed, times the factor, against a private gain of 0.4
    # on an income of 20: D = (0.4 - f) / 20.
    assert w.incentive[1] == pytest.approx(incentive, rel=1e-12)
