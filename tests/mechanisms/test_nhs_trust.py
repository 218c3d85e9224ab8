"""Trust: capacity that needs investment (ODD 7.19) and productivity with the tariff's efficiency
factor (7.20), both in `Trust.invest`. Expected values are worked out by hand from the ODD's
equations with the default parameter values of ODD section 5: capital_share 0.04, capital_weight
0.5, capital_depreciation 0.02, capital_intensity 6, capacity_headroom 0.1, need growth 0.025 a
year, productivity_growth and tariff_efficiency 0.01 a year (switched off where a test says so).

Capacity moves by `1 + g - capital_weight (1 - funded)(g + wear)` a month: grown with need when
the capital element is reinvested (funded 1); with none of it, its capital half neither grows nor
is renewed, so it grows by 0.5 g - 0.5 wear."""

from __future__ import annotations

import numpy as np
import pytest

ACUTE, COMMUNITY = 0, 1
GROW = 0.025 / 12.0  # capacity grown with need a month, when renewed
WEAR = 0.02 / 12.0  # capacity worn a month, when not
NO_PRICES = {"productivity_growth": 0.0, "tariff_efficiency": 0.0}


def _month(model, income, spend, activity, capacity, balance):
    """Both organisations' month after delivery (organisation i holds contract i)."""
    w = model.world
    w.payment[:] = income
    w.income[:] = income
    w.spend[:] = spend
    w.activity[:] = activity
    w.capacity[:] = capacity
    w.balance[:] = balance
    w.pool_balance[0] = 0.0
    return w


def _invest(model):
    for trust in model.trusts:
        trust.invest()
    return model.world


@pytest.mark.parametrize(
    ("income", "funded"),
    [
        (9.0, 0.0),  # 9 - 10 + 0.4 = -0.6: a deficit even without its capital element
        (9.8, 0.5),  # 9.8 - 10 + 0.4 = 0.2: half of the element covered
        (10.0, 1.0),  # 0.4: all of it
    ],
)
def test_the_capital_element_renews_capacity_as_far_as_the_months_surplus_covers_it(
    tiny_world, begin_month, income, funded
):
    model = tiny_world(**NO_PRICES)
    begin_month(model)
    # Acute: paid 100 for 95 of care (spend 95, of which 0.04 x 95 = 3.8 is its capital element):
    # surplus before the element 100 - 95 + 3.8 = 8.8 covers it; capacity 120 renewed and grown
    # with need: 120 x (1 + 0.025/12) = 120.25.
    # Community: spend 10 (element 0.4), paid `income`; capacity 12 moves by
    # 1 + 0.025/12 - 0.5 (1 - funded)(0.025/12 + 0.02/12).
    w = _month(model, [100.0, income], [95.0, 10.0], [95.0, 10.0], [120.0, 12.0], 0.0)
    _invest(model)
    assert w.capacity[ACUTE] == pytest.approx(120.25, rel=1e-12)
    expected = 12.0 * (1.0 + GROW - 0.5 * (1.0 - funded) * (GROW + WEAR))
    assert w.capacity[COMMUNITY] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(w.invested, [3.8, funded * 0.4], rtol=1e-12)
    # The element is a cost whether or not it is reinvested: balance and spend do not move.
    np.testing.assert_array_equal(w.balance, [0.0, 0.0])
    np.testing.assert_array_equal(w.spend, [95.0, 10.0])
    assert w.capacity[COMMUNITY] == pytest.approx(
        {0.0: 12.0025, 0.5: 12.01375, 1.0: 12.025}[funded], rel=1e-12
    )


@pytest.mark.parametrize(
    ("reserves", "capacity", "balance", "spend"),
    [
        # Capacity 100 renewed to 100.2083; its target 1.1 x 100 = 110 is 9.7917 short, which
        # costs 6 x 9.7917 = 58.75; reserves of 30 buy 30 / 6 = 5 of it.
        (30.0, 100.0 * (1.0 + GROW) + 5.0, 0.0, 130.0),
        # Reserves of 100 buy the whole gap for 58.75 and keep 41.25.
        (100.0, 110.0, 100.0 - 6.0 * (110.0 - 100.0 * (1.0 + GROW)), 100.0 + 58.75),
        # A deficit buys nothing.
        (-30.0, 100.0 * (1.0 + GROW), -30.0, 100.0),
    ],
)
def test_reserves_buy_capacity_up_to_the_headroom_over_the_care_delivered(
    tiny_world, begin_month, reserves, capacity, balance, spend
):
    model = tiny_world(**NO_PRICES)
    begin_month(model)
    # Acute: paid 100 for 100 of care (spend 100, element 4; surplus before it 4): renewed.
    w = _month(model, [100.0, 10.0], [100.0, 10.0], [100.0, 10.0], [100.0, 20.0], 0.0)
    w.balance[ACUTE] = reserves
    _invest(model)
    assert w.capacity[ACUTE] == pytest.approx(capacity, rel=1e-12)
    assert w.balance[ACUTE] == pytest.approx(balance, rel=1e-12)
    assert w.spend[ACUTE] == pytest.approx(spend, rel=1e-12)
    assert w.invested[ACUTE] == pytest.approx(4.0 + spend - 100.0, rel=1e-12)


@pytest.mark.parametrize(
    ("weight", "deficit"),
    [
        # Half its capacity needs capital: 100 x (1 + 0.5 x 0.025/12 - 0.5 x 0.02/12)^24 = 100.50.
        (0.5, 100.50),
        # All of it: 100 x (1 - 0.02/12)^24 = 96.08, worn out.
        (1.0, 96.08),
        # None of it: capacity grows with need whatever the finances, as before (105.12).
        (0.0, 105.12),
    ],
)
def test_a_provider_in_deficit_cannot_invest_and_falls_behind(
    tiny_world, begin_month, weight, deficit
):
    # Acute: paid 90 for 100 of care every month (90 - 100 + 4 = -6: nothing to reinvest).
    # Community: paid 10 for 10 (0.4 left for its element): renewed and grown with need,
    # 10 x (1 + 0.025/12)^24 = 10.51 in two years.
    model = tiny_world(capital_weight=weight, **NO_PRICES)
    w = model.world
    w.capacity[:] = [100.0, 10.0]
    for _ in range(24):
        begin_month(model)
        w.payment[:] = [90.0, 10.0]
        w.income[:] = [90.0, 10.0]
        w.spend[:] = [100.0, 10.0]
        w.activity[:] = [100.0, 10.0]
        w.balance[:] = [-50.0, 0.0]
        _invest(model)
    rate = 1.0 + GROW - weight * (GROW + WEAR)
    np.testing.assert_allclose(w.capacity, [100.0 * rate**24, 10.0 * (1.0 + GROW) ** 24])
    np.testing.assert_allclose(w.capacity, [deficit, 10.51], atol=0.005)
    np.testing.assert_allclose(w.invested, [0.0, 0.4], rtol=1e-12)


def test_productivity_lowers_unit_cost_and_the_efficiency_factor_returns_the_price_cut(
    tiny_world, begin_month
):
    model = tiny_world()
    begin_month(model)
    # Month 1: the price of care is 1 - 0.01/12 of the base year's, so 0.01/12 of the 100 paid
    # (0.083333) goes back to the place's pool; the surplus before the element,
    # 100 - 0.083333 - 95 + 3.8, still covers it: capacity 120 x (1 + 0.025/12) / (1 - 0.01/12)
    # = 120.350292 (productivity gets more care from the same means); unit cost 1 - 0.01/12.
    w = _month(model, [100.0, 10.0], [95.0, 10.0], [95.0, 10.0], [120.0, 20.0], 0.0)
    pool, balance, spend = 0.0, w.balance.sum(), w.spend.sum()
    _invest(model)
    cut = 0.01 / 12.0
    np.testing.assert_allclose(w.efficiency_paid, [100.0 * cut, 10.0 * cut], rtol=1e-12)
    assert w.pool_balance[0] == pytest.approx(pool + 110.0 * cut, rel=1e-12)
    assert w.balance[ACUTE] == pytest.approx(-100.0 * cut, rel=1e-12)
    assert w.capacity[ACUTE] == pytest.approx(120.0 * (1.0 + GROW) / (1.0 - cut), rel=1e-12)
    assert w.capacity[ACUTE] == pytest.approx(120.350292, abs=1e-6)
    np.testing.assert_allclose(w.unit_cost, [1.0 - cut, 1.0 - cut], rtol=1e-12)
    # Money moves between the provider and the pool and into capital, nowhere else.
    moved = (w.balance.sum() - balance) + (w.pool_balance[0] - pool) - (w.spend.sum() - spend)
    assert moved == pytest.approx(0.0, abs=1e-12)


def test_the_price_index_falls_by_the_efficiency_factor():
    from sim.core.jit import as_python
    from sim.core.params import pack, validate
    from sim.core.submodels.trust import price_index

    p = pack("place_system", validate("place_system", tariff_efficiency=0.012))
    price = as_python(price_index)
    assert price(p, 0.0) == 1.0
    assert price(p, 12.0) == pytest.approx(0.999**12, rel=1e-12)  # 0.98806 after a year
    assert price(p, 120.0) == pytest.approx(0.8869, abs=1e-4)  # after ten years
