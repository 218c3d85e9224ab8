"""The regulator's oversight segments and special measures (ODD 7.17, `Regulator.oversee`), their
effects on behaviour (7.5's recovery plan, 7.11's weight on the system) and the takeover of a
provider special measures did not turn round (7.23, `Regulator.intervene`). Expected values are
worked out by hand from the ODD's equations with the default parameter values of ODD section 5:
reviews every 3 months; special measures from a concern of 0.75 (segments 2 and 3 from 0.25 and
0.5; a provider leaves special measures below 0.5); concern about access greatest at a mean wait
of 4.15 months; support 0.5% of monthly income a month; takeover after 18 months."""

from __future__ import annotations

import pytest

from sim import RuleSet

ACUTE, COMMUNITY = 0, 1


def _rated(tiny_world, rules=None, months=3, **params):
    """The acute trust (organisation 0) with an expected income of 10 a month (annual 120, so its
    financial concern is 1 at a deficit of 0.5 x 120 = 60), facing 100 and delivering 100; the
    month is `months` (a review falls on months 3, 6, ...)."""
    model = tiny_world(rules, **params)
    w = model.world
    w.org_income_ref[:] = [10.0, 10.0]
    w.balance[:] = 0.0
    w.demand[:] = [100.0, 10.0]
    w.activity[:] = [100.0, 10.0]
    w.pool_balance[0] = 0.0
    return model, months


def _review(model, months, begin_month):
    for _ in range(months):
        begin_month(model)
    model.regulator.oversee(model.trusts[0])
    return model.world


@pytest.mark.parametrize(
    ("balance", "concern", "segment"),
    [
        (0.0, 0.0, 1.0),  # in balance, no wait
        (-10.0, 10.0 / 60.0, 1.0),  # concern 0.167: below segment 2's 0.25
        (-20.0, 20.0 / 60.0, 2.0),  # 0.333: targeted support
        (-30.0, 0.5, 3.0),  # 0.5: mandated support
        (-45.0, 0.75, 4.0),  # 0.75: special measures
        (-90.0, 1.0, 4.0),  # past the failure threshold: concern at most 1
    ],
)
def test_the_segment_follows_the_financial_concern(
    tiny_world, begin_month, balance, concern, segment
):
    model, months = _rated(tiny_world)
    model.world.balance[0] = balance
    w = _review(model, months, begin_month)
    assert w.concern[0] == pytest.approx(concern, rel=1e-12)
    assert w.segment[0] == segment


@pytest.mark.parametrize(
    ("activity", "whole_system", "concern", "segment"),
    [
        # 60 of 100 left over 40 delivered: a mean wait of 1.5 months; 1.5 / 4.15 = 0.3614.
        (40.0, 0.0, 1.5 / 4.15, 2.0),
        # 80 left over 20: 4 months; 4 / 4.15 = 0.9639: special measures for access.
        (20.0, 0.0, 4.0 / 4.15, 4.0),
        # Whole-system regulation rates the place, not the provider, on access: concern 0.
        (20.0, 1.0, 0.0, 1.0),
        # Half of it: 0.5 x 0.9639 = 0.4819, below 0.5: targeted support.
        (20.0, 0.5, 0.5 * 4.0 / 4.15, 2.0),
    ],
)
def test_the_segment_follows_the_wait(
    tiny_world, begin_month, activity, whole_system, concern, segment
):
    model, months = _rated(tiny_world, RuleSet(whole_system_regulation=whole_system))
    model.world.activity[0] = activity
    w = _review(model, months, begin_month)
    assert w.concern[0] == pytest.approx(concern, rel=1e-12)
    assert w.segment[0] == segment


def test_segments_change_only_at_a_review(tiny_world, begin_month):
    # Month 2 is not a review (reviews fall on months 3, 6, ...): the segment stays 1 and the
    # concern is not updated, however deep the deficit.
    model, _ = _rated(tiny_world)
    model.world.balance[0] = -90.0
    w = _review(model, 2, begin_month)
    assert w.segment[0] == 1.0
    assert w.concern[0] == 0.0
    assert w.special_months[0] == 0.0


@pytest.mark.parametrize(
    ("balance", "segment", "months"),
    [
        (-36.0, 4.0, 6.0),  # concern 0.6: still at least 0.5, so it stays; month 6 counted
        (-27.0, 2.0, 0.0),  # concern 0.45: out of special measures, straight to segment 2
    ],
)
def test_a_provider_leaves_special_measures_only_below_segment_3s_start(
    tiny_world, begin_month, balance, segment, months
):
    model, _ = _rated(tiny_world)
    w = model.world
    w.segment[0] = 4.0
    w.special_months[0] = 5.0
    w.special_spells[0] = 1.0
    w.balance[0] = balance
    w = _review(model, 6, begin_month)
    assert w.segment[0] == segment
    assert w.special_months[0] == months
    assert w.special_spells[0] == 1.0  # not a new spell


def test_special_measures_are_supported_from_the_pool_every_month(tiny_world, begin_month):
    model, months = _rated(tiny_world)
    w = model.world
    w.balance[0] = -45.0
    w = _review(model, months, begin_month)
    # Entered at the review of month 3: a first spell and a first month, support
    # 0.005 x 10 = 0.05 from the place's pool, counted as an intervention cost.
    assert w.segment[0] == 4.0
    assert w.special_spells[0] == 1.0
    assert w.special_months[0] == 1.0
    assert w.pool_balance[0] == pytest.approx(-0.05, rel=1e-12)
    assert w.takeover_cost[0] == pytest.approx(0.05, rel=1e-12)
    assert w.support_cost[0] == pytest.approx(0.05, rel=1e-12)
    # The next month (no review) it is supported again: two months, 0.1 from the pool so far.
    w = _review(model, 1, begin_month)
    assert w.special_months[0] == 2.0
    assert w.pool_balance[0] == pytest.approx(-0.1, rel=1e-12)
    assert w.support_cost[0] == pytest.approx(0.05, rel=1e-12)  # this month's


def test_special_measures_that_do_not_turn_a_provider_round_end_in_a_takeover(
    tiny_world, begin_month
):
    # Concern 0.75 from month 3 on: special measures from the review of month 3 (its first month
    # there); month m is its (m - 2)th, so the 18th is month 20, when it is taken over.
    model, _ = _rated(tiny_world)
    w = model.world
    taken_over = None
    for month in range(1, 31):
        begin_month(model)
        w.balance[0] = -45.0  # its deficit stays where it is
        model.regulator.oversee(model.trusts[0])
        model.regulator.intervene(model.trusts[0])
        if w.failures[0] > 0 and taken_over is None:
            taken_over = month
    assert taken_over == 20
    # Taken over in month 20: the deficit written off, a new start; it re-enters special measures
    # at the next review (month 21) with the same concern, and is not taken over again by month 30.
    assert w.failures[0] == 1.0
    assert w.special_spells[0] == 2.0
    assert w.special_months[0] == 10.0  # months 21 to 30


def test_a_board_in_special_measures_gives_up_half_its_weight_on_the_system(learner):
    # The community trust of test_trust.py's learning tests (2 units of overclaim on an income of
    # 20, shared vision 1: weight on the system W = 0.6). In special measures W = 0.6 x (1 - 0.5)
    # = 0.3: net = 0.4 - 0.3 x 2 = -0.2, D = -0.01; payoff target 0.5 + 20 x 0.01 = 0.7; target
    # max(0.1, 0.6 x 0.5 + 0.4 x 0.7 = 0.58) = 0.58; x' = 0.5 + 0.1 x 0.08 = 0.508 (0.52 out of
    # special measures, test_a_negative_incentive_moves_cooperation_towards_the_norm).
    model = learner(RuleSet(shared_vision=1.0))
    w = model.world
    w.segment[1] = 4.0
    model.trusts[1].learn()
    assert w.incentive[1] == pytest.approx(-0.01, rel=1e-12)
    assert w.selfish_incentive[1] == pytest.approx(0.02, rel=1e-12)
    assert w.cooperation_next[1] == pytest.approx(0.508, rel=1e-12)
