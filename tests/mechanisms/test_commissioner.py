"""Commissioner: allocation with deficit repayment and reserve draw (ODD 7.4,
`Commissioner.allocate`) and payment under each funding model with its commissioning and
governance costs (ODD 7.6, `Commissioner.pay`). Expected values are worked out by hand from the
ODD's equations and the constants listed in ODD section 5."""

from __future__ import annotations

import numpy as np
import pytest

from sim import PRESETS, RuleSet

ACUTE = 0
# Budget factor after one month: B(1) = 1 + budget_growth / 12 = 1 + 0.01 / 12.
B1 = 1.0 + 0.01 / 12.0
A = 100.0 * B1  # this month's allocation on a base allocation of 100


@pytest.mark.parametrize(
    ("pool", "available", "pool_after"),
    [
        # deficit 100: repay min(0.04 x 100, 0.05 x A) = 4
        (-100.0, A - 4.0, -100.0 + A),
        # deficit 200: repay min(0.04 x 200, 0.05 x A) = 0.05 x A (the cap binds)
        (-200.0, A - 0.05 * A, -200.0 + A),
        # reserve 50: draw 0.1 x 50 = 5 on top of the allocation
        (50.0, A + 5.0, 50.0 + A),
        # balanced pool: the allocation, no more, no less
        (0.0, A, A),
    ],
)
def test_allocation_repays_deficit_and_draws_on_reserve(
    tiny_world, begin_month, pool, available, pool_after
):
    model = tiny_world()
    w = model.world
    w.alloc_base[0] = 100.0
    w.pool_balance[0] = pool
    begin_month(model)
    model.commissioners[0].allocate()
    assert w.allocation[0] == pytest.approx(A, rel=1e-12)
    assert w.available[0] == pytest.approx(available, rel=1e-12)
    assert w.pool_balance[0] == pytest.approx(pool_after, rel=1e-12)


def _three_providers(tiny_world, rules, **params):
    """Acute (contract 0), community (1) and mental health (2) in one place, with requests."""
    model = tiny_world(rules, mental_health_per_place=1, **params)
    w = model.world
    w.con_base_share[:] = [0.6, 0.25, 0.15]
    w.con_prev_share[:] = [0.0, 0.4, 0.6]
    w.claim[:] = [60.0, 30.0, 20.0]
    w.prevention[:] = [0.0, 2.0, 1.0]
    w.need[0, ACUTE] = 60.0
    w.spill[0] = 6.0  # emergency share of acute need: 6 / 60 = 0.1
    w.allocation[0] = 100.0
    w.pool_balance[0] = 0.0
    return model


def test_payment_by_results_pays_the_acute_tariff_first_and_cuts_blocks(tiny_world):
    model = _three_providers(tiny_world, RuleSet(funding_model="activity"), tariff_margin=0.1)
    w = model.world
    w.available[0] = 100.0
    model.commissioners[0].pay()
    # Acute: planned 60 x 0.9 = 54 at tariff 1.1, urgent 60 x 0.1 = 6 at 0.3 of tariff:
    # 1.1 x 54 + 1.1 x 0.3 x 6 = 59.4 + 1.98 = 61.38.
    # Blocks: (30 + 2) + (20 + 1) = 53 asked, 100 - 61.38 = 38.62 left: ratio 38.62 / 53.
    ratio = 38.62 / 53.0
    np.testing.assert_allclose(w.payment, [61.38, 32.0 * ratio, 21.0 * ratio], rtol=1e-12)
    assert w.pay_ratio[0] == pytest.approx(ratio, rel=1e-12)
    np.testing.assert_allclose(w.spend_line[0], [61.38, 32.0 * ratio, 21.0 * ratio, 0, 0, 0])
    # Transaction cost 2% of the 100 paid; no governance levers; pool -= 100 + 2.
    assert w.transaction_cost[0] == pytest.approx(2.0, rel=1e-12)
    assert w.governance_cost[0] == 0.0
    assert w.pool_balance[0] == pytest.approx(-102.0, rel=1e-12)


def test_payment_by_results_pays_acute_in_full_even_when_the_pool_is_short(tiny_world):
    model = _three_providers(tiny_world, RuleSet(funding_model="activity"))
    w = model.world
    w.available[0] = 50.0
    model.commissioners[0].pay()
    # Tariff 1: 54 + 0.3 x 6 = 55.8 for acute, more than the 50 available; the blocks get nothing.
    np.testing.assert_allclose(w.payment, [55.8, 0.0, 0.0], atol=1e-12)
    assert w.pay_ratio[0] == 0.0


def test_payment_by_results_pays_blocks_in_full_when_money_allows(tiny_world):
    model = _three_providers(tiny_world, RuleSet(funding_model="activity"))
    w = model.world
    w.available[0] = 200.0
    model.commissioners[0].pay()
    np.testing.assert_allclose(w.payment, [55.8, 32.0, 21.0], rtol=1e-12)
    assert w.pay_ratio[0] == 1.0
    # Pool: -(108.8 + 0.02 x 108.8) = -110.976.
    assert w.pool_balance[0] == pytest.approx(-110.976, rel=1e-12)


def test_block_payment_is_the_share_of_the_pool_whatever_is_claimed(tiny_world):
    model = _three_providers(tiny_world, RuleSet(funding_model="block"))
    w = model.world
    w.claim[:] = [10.0, 50.0, 0.0]
    w.available[0] = 80.0
    model.commissioners[0].pay()
    # 0.6, 0.25 and 0.15 of 80.
    np.testing.assert_allclose(w.payment, [48.0, 20.0, 12.0], rtol=1e-12)
    assert w.transaction_cost[0] == pytest.approx(0.006 * 80.0, rel=1e-12)
    assert w.pool_balance[0] == pytest.approx(-(80.0 + 0.48), rel=1e-12)


def test_block_payment_under_an_agreement_includes_the_prevention_slice(tiny_world):
    rules = RuleSet(
        funding_model="block",
        agreed_shares=True,
        scope=1.0,
        partnership_breadth=1.0,
        prevention_slice=0.05,
    )
    model = _three_providers(tiny_world, rules)
    w = model.world
    w.available[0] = 80.0
    w.agreed_prevention[:] = [0.0, 2.0, 3.0]  # the prevention budgets plan() agreed (from need)
    model.commissioners[0].pay()
    # base share x (1 - 0.05) of 80, plus the agreed prevention budget:
    # acute 0.6 x 0.95 x 80 = 45.6; community 0.25 x 76 + 2 = 21; mental health 0.15 x 76 + 3 =
    # 14.4: 81 in all, the budget for prevention on top of the shares of what is available.
    np.testing.assert_allclose(w.payment, [45.6, 21.0, 14.4], rtol=1e-12)
    assert w.pool_balance[0] == pytest.approx(-(81.0 + 0.006 * 81.0), rel=1e-12)


def test_capitated_pool_pays_every_request_pro_rata_when_short(tiny_world):
    model = _three_providers(tiny_world, RuleSet(funding_model="capitated"))
    w = model.world
    w.available[0] = 90.0
    model.commissioners[0].pay()
    # Requests 60, 32 and 21 (113 in all) against 90: ratio 90 / 113, no tariff, no priority.
    ratio = 90.0 / 113.0
    np.testing.assert_allclose(w.payment, [60.0 * ratio, 32.0 * ratio, 21.0 * ratio], rtol=1e-12)
    assert w.pay_ratio[0] == pytest.approx(ratio, rel=1e-12)
    assert w.transaction_cost[0] == pytest.approx(0.005 * 90.0, rel=1e-12)
    assert w.pool_balance[0] == pytest.approx(-(90.0 + 0.45), rel=1e-12)


def test_capitated_pool_pays_in_full_and_keeps_the_underspend(tiny_world):
    model = _three_providers(tiny_world, RuleSet(funding_model="capitated"))
    w = model.world
    w.available[0] = 150.0
    model.commissioners[0].pay()
    np.testing.assert_allclose(w.payment, [60.0, 32.0, 21.0], rtol=1e-12)
    assert w.pay_ratio[0] == 1.0
    assert w.pool_balance[0] == pytest.approx(-(113.0 + 0.005 * 113.0), rel=1e-12)


def test_alliance_shares_half_the_underspend_by_base_share(tiny_world):
    model = _three_providers(tiny_world, RuleSet(funding_model="alliance"))
    w = model.world
    w.available[0] = 150.0
    model.commissioners[0].pay()
    # Requests 113 paid in full; underspend 37, half of it (18.5) shared 0.6 / 0.25 / 0.15:
    # 11.1, 4.625 and 2.775.
    np.testing.assert_allclose(w.payment, [71.1, 36.625, 23.775], rtol=1e-12)
    assert w.transaction_cost[0] == pytest.approx(0.006 * 131.5, rel=1e-12)
    assert w.pool_balance[0] == pytest.approx(-(131.5 + 0.789), rel=1e-12)


def test_the_alliance_gain_share_sets_how_much_of_the_underspend_is_shared(tiny_world):
    model = _three_providers(tiny_world, RuleSet(funding_model="alliance"), alliance_gain_share=0.2)
    w = model.world
    w.available[0] = 150.0
    model.commissioners[0].pay()
    # Underspend 37, a fifth of it (7.4) shared 0.6 / 0.25 / 0.15: 4.44, 1.85 and 1.11.
    np.testing.assert_allclose(w.payment, [64.44, 33.85, 22.11], rtol=1e-12)


def test_alliance_shares_nothing_when_the_pool_is_short(tiny_world):
    model = _three_providers(tiny_world, RuleSet(funding_model="alliance"))
    w = model.world
    w.available[0] = 90.0
    model.commissioners[0].pay()
    ratio = 90.0 / 113.0
    np.testing.assert_allclose(w.payment, [60.0 * ratio, 32.0 * ratio, 21.0 * ratio], rtol=1e-12)


def _pay_100_under(tiny_world, rules):
    model = _three_providers(tiny_world, rules)
    w = model.world
    w.claim[:] = [60.0, 25.0, 12.0]  # requests 60 + 27 + 13 = 100
    w.available[0] = 100.0
    model.commissioners[0].pay()
    return w


def test_transaction_and_governance_costs_under_shared_governance(tiny_world):
    w = _pay_100_under(tiny_world, PRESETS["shared_governance"])
    # Capitated 0.5% of 100 paid, halved by strategic commissioning, cut 30% by the team:
    # 0.005 x 100 x 0.5 x 0.7 = 0.175.
    assert w.transaction_cost[0] == pytest.approx(0.175, rel=1e-12)
    # Governance on an allocation of 100: vision 0.2 + collective 0.2 + public 0.1 + monitoring
    # 0.3 x 0.8 + leadership 0.2 + conflict 0.1 + nested 0.1 + whole-system 0.1 + team 0.2 = 1.44.
    assert w.governance_cost[0] == pytest.approx(1.44, rel=1e-12)
    assert w.pool_balance[0] == pytest.approx(-(100.0 + 0.175 + 1.44), rel=1e-12)


def test_cost_rates_are_parameters(tiny_world):
    model = _three_providers(
        tiny_world,
        RuleSet(funding_model="capitated", monitoring=1.0),
        transaction_capitated=0.14,
        cost_monitoring=0.01,
    )
    w = model.world
    w.claim[:] = [60.0, 25.0, 12.0]
    w.available[0] = 100.0
    model.commissioners[0].pay()
    assert w.transaction_cost[0] == pytest.approx(14.0, rel=1e-12)
    assert w.governance_cost[0] == pytest.approx(1.0, rel=1e-12)


@pytest.mark.parametrize(
    ("public", "claims_ratio", "prevention_ratio"),
    [
        # Requests: claims 110 and prevention 3 (113) against 90: all pro rata at 90 / 113.
        (0.0, 90.0 / 113.0, 90.0 / 113.0),
        # The public's priority: half the prevention (1.5) paid first; the other 88.5 pro rata
        # over the remaining 111.5: claims 88.5 / 111.5, prevention 0.5 x 1 + 0.5 x 88.5 / 111.5.
        (0.5, 88.5 / 111.5, 0.5 + 0.5 * 88.5 / 111.5),
        # All of it first: 3 paid, 87 over the claims' 110.
        (1.0, 87.0 / 110.0, 1.0),
    ],
)
def test_involving_the_public_pays_prevention_first_when_the_pool_is_short(
    tiny_world, public, claims_ratio, prevention_ratio
):
    model = _three_providers(
        tiny_world, RuleSet(funding_model="capitated", public_involvement=public)
    )
    w = model.world
    w.available[0] = 90.0
    claims, prevention = w.claim.copy(), w.prevention.copy()
    model.commissioners[0].pay()
    expected = claims * claims_ratio + prevention * prevention_ratio
    np.testing.assert_allclose(w.payment, expected, rtol=1e-12)
    assert w.payment.sum() == pytest.approx(90.0, rel=1e-12)  # never more than the budget


def test_strategic_commissioning_halves_the_transaction_cost(tiny_world):
    w = _pay_100_under(tiny_world, RuleSet(funding_model="capitated", strategic_commissioning=1.0))
    assert w.transaction_cost[0] == pytest.approx(0.005 * 100.0 * 0.5, rel=1e-12)
    assert w.governance_cost[0] == 0.0
