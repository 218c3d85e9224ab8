"""Measures (ODD section 6) on states set by hand. A month is run with `model.step()` on a world
whose need is zero, so that nobody claims, is paid or spends: the month's flows are then zero and
the measures read the state set by the test (checked before the measures are)."""

from __future__ import annotations

import numpy as np
import pytest

from sim import CareSystem, RuleSet

A1 = 500_000 * 2_600 / 12 / 1e6 * (1.0 + 0.01 / 12.0)  # the first month's allocation


def _idle_month(tiny_world, cum_income, cum_spend, balance=(0.0, 0.0, 0.0), pool=0.0):
    """Acute, community and mental health trusts in one place, with no need this month."""
    model = tiny_world(mental_health_per_place=1, exploration=0.0, breach_visibility=1.0)
    w = model.world
    w.need_base[:] = 0.0
    w.cooperation[:] = 0.5
    w.org_type[:] = 0  # conditional cooperators
    w.trust[:] = 0.5
    w.cum_income[:] = cum_income
    w.cum_spend[:] = cum_spend
    w.balance[:] = balance
    w.pool_balance[0] = pool
    model.step()
    # The precondition: no flows this month, so the state is still the one set above.
    np.testing.assert_allclose(w.cum_income, cum_income)
    np.testing.assert_allclose(w.cum_spend, cum_spend)
    np.testing.assert_allclose(w.balance, balance)
    assert not w.payment.any()
    assert not w.activity.any()
    return model


@pytest.mark.parametrize(
    ("cum_income", "cum_spend", "gini"),
    [
        # ratios 1, 1, 2: mean 4/3, sum over ordered pairs of |x_i - x_j| = 4;
        # G = 4 / (2 x 3^2 x 4/3) = 1/6
        ((10.0, 20.0, 60.0), (10.0, 20.0, 30.0), 1.0 / 6.0),
        # equal ratios: 0
        ((5.0, 20.0, 30.0), (10.0, 40.0, 60.0), 0.0),
        # ratios 1, 2, 3: mean 2, pairs 2 x (1 + 2 + 1) = 8; G = 8 / (2 x 9 x 2) = 2/9
        ((10.0, 20.0, 30.0), (10.0, 10.0, 10.0), 2.0 / 9.0),
        # ratios 0, 0, 1 (all income to one): G = (n - 1) / n = 2/3
        ((0.0, 0.0, 10.0), (10.0, 10.0, 10.0), 2.0 / 3.0),
    ],
)
def test_gini_of_income_to_cost_ratios(tiny_world, cum_income, cum_spend, gini):
    model = _idle_month(tiny_world, cum_income, cum_spend)
    assert model.current()["gini"] == pytest.approx(gini, abs=1e-12)
    assert model.summary()["gini"] == pytest.approx(gini, abs=1e-12)


def test_deficits_where_they_fall_and_the_system_deficit(tiny_world):
    model = _idle_month(
        tiny_world, (1.0, 1.0, 1.0), (1.0, 1.0, 1.0), balance=(-30.0, -10.0, 5.0), pool=-500.0
    )
    m = model.current()
    assert m["provider_deficit"] == pytest.approx(40.0)
    assert m["providers_in_deficit"] == 2.0
    assert m["acute_deficit_share"] == pytest.approx(30.0 / 40.0)
    # The pool: -500 + this month's allocation 108.333 x (1 + 0.01 / 12), nothing paid.
    assert m["allocation"] == pytest.approx(A1, rel=1e-12)
    assert m["pool_balance"] == pytest.approx(-500.0 + A1, rel=1e-12)
    assert m["commissioner_deficit"] == pytest.approx(500.0 - A1, rel=1e-12)
    assert m["system_deficit"] == pytest.approx(500.0 - A1 + 40.0, rel=1e-12)
    # Nobody breached (nothing claimed); everyone kept the agreement: trust 0.5 -> 0.515.
    assert m["breaches"] == 0.0
    assert m["mean_trust"] == pytest.approx(0.515, rel=1e-12)
    # Learning follows the trust update (phases 10, 11): no incentive, so the payoff target is
    # where cooperation is (0.5); a conditional cooperator's target blends its belief, the new
    # trust: 0.6 x 0.515 + 0.4 x 0.5 = 0.509; it closes 0.1 of the gap: 0.5 + 0.1 x 0.009 = 0.5009.
    assert m["mean_cooperation"] == pytest.approx(0.5009, rel=1e-12)
    assert m["population_health"] == pytest.approx(0.7, rel=1e-12)


def test_commons_efficiency_is_the_rent_kept():
    model = CareSystem(
        rules=RuleSet(), scenario="classroom_commons", seed=1, engine="python", exploration=0.0
    )
    model.world.cooperation[:] = 0.0
    model.step()
    m = model.current()
    # Everyone starts at 12.5 tokens (X = 100); the best response to 87.5 is 0, so each moves
    # 0.3 of the way: 8.75 each, X = 70; rent F(70) - 5 x 70 = 1610 - 1225 - 350 = 35 of the
    # maximum 324; group earnings 5 x (200 - 70) + 385 = 1035.
    assert m["total_appropriation"] == pytest.approx(70.0, rel=1e-12)
    assert m["efficiency"] == pytest.approx(35.0 / 324.0, rel=1e-12)
    assert m["group_earnings"] == pytest.approx(1035.0, rel=1e-12)


@pytest.mark.parametrize(
    ("cooperation", "contribution", "efficiency"), [(0.25, 0.25, 0.25), (1.0, 1, 1)]
)
def test_public_goods_contribution_and_efficiency(cooperation, contribution, efficiency):
    model = CareSystem(
        rules=RuleSet(), scenario="public_goods", seed=1, engine="python", exploration=0.0
    )
    model.world.cooperation[:] = cooperation
    model.step()
    m = model.current()
    # Cooperation 0.25: each keeps 15 and contributes 5 (20 in all); each earns 15 + 0.4 x 20 = 23;
    # efficiency (92 - 80) / (80 x (4 x 0.4 - 1)) = 12 / 48 = 0.25.
    # Cooperation 1: each contributes all 20 and earns 32; (128 - 80) / 48 = 1.
    assert m["mean_contribution"] == pytest.approx(contribution, rel=1e-12)
    assert m["efficiency"] == pytest.approx(efficiency, rel=1e-12)


def test_acute_deficit_share_over_the_years_skips_year_one_and_months_without_deficit():
    from sim.core.constants import MEASURES, N_SUMMARIES
    from sim.core.constants import M as MI
    from sim.core.constants import S as SI
    from sim.core.jit import as_python
    from sim.core.windows import summarize_windows

    history = np.zeros((36, len(MEASURES)))
    history[:, MI["provider_deficit"]] = 10.0
    history[:12, MI["acute_deficit_share"]] = 0.9  # year 1: not counted
    history[12:24, MI["acute_deficit_share"]] = 0.3  # year 2: mean 0.3
    history[24:36, MI["acute_deficit_share"]] = 0.6  # year 3: 0.6 in months with a deficit
    history[30:36, MI["provider_deficit"]] = 0.0  # ... of which only the first six have one
    history[30:36, MI["acute_deficit_share"]] = 0.0
    out = np.zeros(N_SUMMARIES)
    as_python(summarize_windows)(history, out)
    # (12 x 0.3 + 6 x 0.6) / 18 = 0.4; the lower year is year 2 (0.3).
    assert out[SI["acute_deficit_share_years"]] == pytest.approx(0.4, rel=1e-12)
    assert out[SI["acute_deficit_share_low_year"]] == pytest.approx(0.3, rel=1e-12)
    # No deficit after year 1: both 0.
    history[12:, MI["provider_deficit"]] = 0.0
    out[:] = 0.0
    as_python(summarize_windows)(history, out)
    assert out[SI["acute_deficit_share_years"]] == 0.0
    assert out[SI["acute_deficit_share_low_year"]] == 0.0
