"""Collective choice: the partners' vote on the prevention slice and the fine (ODD 7.25,
`Commissioner.choose_rules`), and the chosen rules at work in claims (7.5), fines (7.8) and the
expected fine of the incentive (7.11). Expected values are worked out by hand with the default
`prevention_value` 1.5, `prevention_saturation` 0.05, `special_measures_focus` 0.5 and
`vote_fine_spread` 1."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim import CareSystem, RuleSet

ACUTE, COMMUNITY, AMBULANCE = 0, 1, 4
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
    weighing the system at 0.5, the acute trust a part member (0.4). Need 80 and 20 (shares by
    need equal to the historical ones), expected need 100 and 100 available (a pound of prevention
    gives up a pound of care)."""
    model = tiny_world(_rules() if rules is None else rules, **params)
    w = model.world
    w.clock[0] = month
    w.org_type[:] = CONDITIONAL
    w.vision[:] = 0.5
    w.segment[:] = 1.0
    w.con_base_share[:] = [0.8, 0.2]
    w.con_prev_share[:] = [0.0, 0.5]
    w.conduct[:] = [1.0, 0.25]
    w.org_member[:] = [0.4, 1.0]
    w.need[0, :] = 0.0
    w.need[0, ACUTE] = 80.0
    w.need[0, COMMUNITY] = 20.0
    w.need_base[0, :] = 0.0
    w.need_base[0, ACUTE] = 80.0
    w.need_base[0, COMMUNITY] = 20.0
    w.available[0] = 100.0
    return model


def _vote(model):
    for commissioner in model.commissioners:
        commissioner.choose_rules()
    return model.world


# Community: loss 1 x (0.5 + 0.2) - 0.5 = 0.2 against gain 0.5 x 1.5 = 0.75: 0.05 ln(3.75).
COMMUNITY_IDEAL = 0.05 * math.log(3.75)


def test_each_member_votes_its_ideal_and_the_weighted_median_is_chosen(tiny_world):
    w = _vote(_voters(tiny_world))
    # Acute: loss 1 x (0.5 + 0.8) - 0 = 1.3 above gain 0.75: even the first pound does not pay.
    np.testing.assert_allclose(w.vote_slice, [0.0, COMMUNITY_IDEAL], rtol=1e-12)
    # Fines: 1 + (2 x 1 - 1) = 2 for the acute trust, 1 + (2 x 0.25 - 1) = 0.5 for community.
    np.testing.assert_allclose(w.vote_fine, [2.0, 0.5], rtol=1e-12)
    # Weights 0.4 and 1: the community trust alone holds more than half (1 of 1.4).
    assert w.chosen_slice[0] == pytest.approx(COMMUNITY_IDEAL, rel=1e-12)
    assert w.fine_factor[0] == pytest.approx(0.5, rel=1e-12)


@pytest.mark.parametrize(
    ("members", "slice_", "fine"),
    [
        # The acute trust holds 1 of 1.4: its ideals are chosen.
        ([1.0, 0.4], 0.0, 2.0),
        # Equal weights: half the weight is at or below the lower ideal of each vote.
        ([1.0, 1.0], 0.0, 0.5),
    ],
)
def test_the_weighted_lower_median_is_chosen(tiny_world, members, slice_, fine):
    model = _voters(tiny_world)
    model.world.org_member[:] = members
    w = _vote(model)
    assert w.chosen_slice[0] == slice_
    assert w.fine_factor[0] == pytest.approx(fine, rel=1e-12)


def test_a_member_outside_the_agreement_has_no_say(tiny_world):
    model = _voters(tiny_world)
    w = model.world
    w.org_member[:] = [0.0, 1.0]
    w.conduct[:] = [0.0, 1.0]  # the outsider's ideal fine would be 0
    _vote(model)
    assert w.vote_fine[0] == 0.0
    assert w.fine_factor[0] == pytest.approx(2.0, rel=1e-12)


def test_half_collective_choice_moves_half_way_from_the_tabled_rules(tiny_world):
    model = _voters(tiny_world, _rules().with_levers(None, collective_choice=0.5))
    w = _vote(model)
    assert w.chosen_slice[0] == pytest.approx(0.03 + 0.5 * (COMMUNITY_IDEAL - 0.03), rel=1e-12)
    assert w.fine_factor[0] == pytest.approx(1.0 + 0.5 * (0.5 - 1.0), rel=1e-12)


def test_care_is_dearer_to_give_up_when_money_is_short(tiny_world):
    model = _voters(tiny_world)
    model.world.available[0] = 80.0
    w = _vote(model)
    # 80 available for 100 of expected need: a unit of slice gives up 0.8 of care per pound of
    # prevention. Community: loss 0.8 x (0.5 + 0.2) - 0.5 = 0.06: 0.05 ln(0.75 / 0.06);
    # acute: loss 0.8 x 1.3 = 1.04, still above 0.75.
    np.testing.assert_allclose(w.vote_slice, [0.0, 0.05 * math.log(12.5)], rtol=1e-12)


def test_the_care_share_in_force_is_the_one_chosen_by_need(tiny_world):
    model = _voters(tiny_world)
    w = model.world
    w.need[0, ACUTE] = 60.0
    w.need[0, COMMUNITY] = 40.0
    _vote(model)
    # Community, a full member: share 0.2 + 1 x (0.4 - 0.2) = 0.4; loss 0.5 + 0.4 - 0.5 = 0.4.
    assert w.vote_slice[1] == pytest.approx(0.05 * math.log(0.75 / 0.4), rel=1e-12)


def test_a_board_in_special_measures_weighs_the_system_less(tiny_world):
    model = _voters(tiny_world)
    model.world.segment[:] = [1.0, 4.0]
    w = _vote(model)
    # Community: weight 0.5 x (1 - 0.5) = 0.25; loss 0.25 + 0.2 - 0.5 < 0: every pound pays it.
    assert w.vote_slice[1] == 0.2


def test_an_ideal_beyond_the_lever_range_is_capped(tiny_world):
    model = _voters(tiny_world)
    model.world.con_prev_share[:] = [0.0, 0.699]
    w = _vote(model)
    # Loss 0.7 - 0.699 = 0.001: 0.05 ln(750) = 0.33, above the slice lever's 0.2.
    assert w.vote_slice[1] == 0.2


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


def test_the_tabled_rules_get_a_full_year(tiny_world):
    model = _voters(tiny_world)
    model.world.rules_adopted[0] = 6.0  # adopted half a year before this round
    w = _vote(model)
    assert w.chosen_slice[0] == 0.03
    np.testing.assert_array_equal(w.vote_fine, 0.0)


@pytest.mark.parametrize(
    ("levers", "slice_", "factor"),
    [
        # Rules imposed: nothing is put to the vote.
        ({"collective_choice": 0.0}, 0.03, 1.0),
        # Prevention out of scope: the slice is not voted on; the fine still is.
        ({"prevention_slice": 0.0}, 0.0, 0.5),
        # No agreed shares: nothing agreed to vote a slice into; the fine still is.
        ({"agreed_shares": False}, 0.03, 0.5),
        # No fine: nothing to scale; the slice still is voted.
        ({"sanction_severity": 0.0}, COMMUNITY_IDEAL, 1.0),
    ],
)
def test_rules_out_of_scope_are_not_put_to_the_vote(tiny_world, levers, slice_, factor):
    w = _vote(_voters(tiny_world, _rules().with_levers(None, **levers)))
    assert w.chosen_slice[0] == pytest.approx(slice_, rel=1e-12)
    assert w.fine_factor[0] == pytest.approx(factor, rel=1e-12)


def test_a_place_with_no_prevention_to_fund_votes_no_slice(tiny_world):
    model = _voters(tiny_world)
    model.world.con_prev_share[:] = 0.0
    w = _vote(model)
    assert w.chosen_slice[0] == 0.03
    assert w.fine_factor[0] == pytest.approx(0.5, rel=1e-12)  # the fine is still voted


def test_nobody_inside_the_agreement_leaves_the_rules_in_force(tiny_world):
    model = _voters(tiny_world)
    model.world.org_member[:] = 0.0
    w = _vote(model)
    assert w.chosen_slice[0] == 0.03
    assert w.fine_factor[0] == 1.0


def test_each_place_votes_apart(tiny_world):
    model = tiny_world(_rules(), n_places=2)
    w = model.world
    w.clock[0] = PLANNING_ROUND
    w.org_member[:] = 1.0
    # Organisations 0 and 1 serve place 0, 2 and 3 place 1 (an acute and a community trust each).
    w.conduct[:] = [1.0, 1.0, 0.0, 0.25]
    _vote(model)
    # Place 0: ideals 2 and 2; place 1: 0 and 0.5, the lower median 0.
    np.testing.assert_allclose(w.fine_factor, [2.0, 0.0], rtol=1e-12)


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


def test_a_provider_of_two_places_is_fined_at_each_places_multiple(tiny_world, begin_month):
    model = tiny_world(_rules(), n_places=2, ambulance_per_ics=1)
    w = model.world
    ambulance = int(np.flatnonzero(w.org_kind == AMBULANCE)[0])
    contracts = range(int(w.org_con_start[ambulance]), int(w.org_con_end[ambulance]))
    assert [int(w.con_place[c]) for c in contracts] == [0, 1]
    w.claim[:] = w.coop_claim[:] = 10.0
    for c, over in zip(contracts, (10.0, 20.0), strict=True):
        w.claim[c] = 50.0 + over
        w.coop_claim[c] = 50.0
    w.agreed_prevention[:] = 0.0
    w.prevention[:] = 0.0
    w.fine_factor[:] = [1.5, 0.5]
    begin_month(model)
    balance, pools = w.balance[ambulance], w.pool_balance.copy()
    model.regulator.assess(model.trusts[ambulance])
    # 0.6 x (1.5 x 10 + 0.5 x 20) = 15; the overclaim itself is 30.
    assert w.overclaim[ambulance] == pytest.approx(30.0, rel=1e-12)
    assert w.fine[ambulance] == pytest.approx(15.0, rel=1e-12)
    # Each place gets what its own contract's overclaim earned at its own multiple: 0.6 x 1.5 x
    # 10 = 9 and 0.6 x 0.5 x 20 = 6 (not 7.5 each).
    np.testing.assert_allclose(w.fines_in, [9.0, 6.0], rtol=1e-12)
    # The multiple it was fined at, weighed by its overclaim at each place: 25 / 30.
    assert w.fined_multiple[ambulance] == pytest.approx(25.0 / 30.0, rel=1e-12)
    # Money moves, none is made: the provider pays 15, the pools get 9 and 6.
    assert w.balance[ambulance] == pytest.approx(balance - 15.0, rel=1e-12)
    np.testing.assert_allclose(w.pool_balance - pools, [9.0, 6.0], rtol=1e-12)


def test_a_fine_the_partners_voted_away_is_detected_but_costs_nothing(tiny_world, begin_month):
    model = tiny_world(_rules(), n_places=2, ambulance_per_ics=1)
    w = model.world
    ambulance = int(np.flatnonzero(w.org_kind == AMBULANCE)[0])
    for c in range(int(w.org_con_start[ambulance]), int(w.org_con_end[ambulance])):
        w.claim[c] = 60.0
        w.coop_claim[c] = 50.0
    w.agreed_prevention[:] = 0.0
    w.prevention[:] = 0.0
    w.fine_factor[:] = 0.0
    begin_month(model)
    balance = w.balance[ambulance]
    model.regulator.assess(model.trusts[ambulance])
    # The breach is detected and recorded, but at a multiple of 0 nobody pays or is paid, and the
    # sanction has no sting (fined at 0 times the tabled fine).
    assert w.detected[ambulance] == 1.0
    assert w.record[ambulance] == 1.0
    assert w.fine[ambulance] == 0.0
    assert w.fined_multiple[ambulance] == 0.0
    assert w.balance[ambulance] == balance
    np.testing.assert_array_equal(w.fines_in, [0.0, 0.0])


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


def test_a_laboratory_players_expected_fine_is_at_the_chosen_multiple():
    # The common-pool game: the expected fine enters the incentive linearly in the multiple, so
    # doubling it moves the incentive by as much as the first multiple did.
    rules = RuleSet(agreed_shares=True, scope=1.0, monitoring=1.0, sanction_severity=0.5)
    incentives = []
    for factor in (0.0, 1.0, 2.0):
        model = CareSystem(scenario="classroom_commons", rules=rules, seed=2, engine="python")
        model.run_for(3)
        model.world.fine_factor[:] = factor
        model.trusts[0].learn()
        incentives.append(float(model.world.incentive[0]))
    assert incentives[1] < incentives[0]  # a fine deters
    assert incentives[2] - incentives[1] == pytest.approx(incentives[1] - incentives[0], rel=1e-9)


# ------------------------------------------------------------------------------ in a full run
def test_a_change_of_rules_waits_a_year_for_its_vote():
    model = CareSystem(rules=[(0, "fortress"), (18, "shared_governance")], seed=3)
    model.run_for(35)
    w = model.world
    tabled = model.rules.prevention_slice
    # Shared governance from month 19: the round at month 24 is within a year of the change.
    np.testing.assert_array_equal(w.rules_adopted, 18.0)
    np.testing.assert_array_equal(w.chosen_slice, tabled)
    np.testing.assert_array_equal(w.fine_factor, 1.0)
    model.run_for(1)  # month 36: the first round a full year on
    assert (w.chosen_slice != tabled).any()
    assert (w.fine_factor != 1.0).any()


def test_a_change_of_rules_puts_the_new_rules_in_force():
    model = CareSystem(rules=[(0, "shared_governance"), (18, "fortress")], seed=3)
    model.run_for(18)
    w = model.world
    assert (w.fine_factor != 1.0).any()  # voted at month 12
    model.run_for(1)
    np.testing.assert_array_equal(w.chosen_slice, 0.0)  # fortress tables no slice
    np.testing.assert_array_equal(w.fine_factor, 1.0)


def test_the_vote_is_held_again_each_year_on_the_years_conduct():
    model = CareSystem(rules="shared_governance", seed=3)
    model.run_for(12)
    w = model.world
    first = w.vote_fine.copy()
    model.run_for(11)
    np.testing.assert_array_equal(w.vote_fine, first)  # no vote between rounds
    conduct = w.conduct[w.con_org]  # as the partners saw it in month 23
    model.run_for(1)  # month 24
    assert not np.array_equal(w.vote_fine, first)
    # Each ideal follows its holder's conduct at the round.
    np.testing.assert_allclose(w.vote_fine, np.maximum(0.0, 2.0 * conduct), rtol=1e-12)
