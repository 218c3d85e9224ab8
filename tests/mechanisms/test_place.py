"""Place: need (ODD 7.3, `Place.update_need`) and health, waiting lists and spillover (ODD 7.9,
`Place.update_health`). Expected values are worked out by hand from the ODD's equations with the
default parameter values of ODD section 5."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

# Service lines, in the order of the [place, line] arrays (ODD section 5).
ACUTE, COMMUNITY, MENTAL_HEALTH, PRIMARY_CARE, AMBULANCE, SOCIAL_CARE = range(6)
# Need growth a month: 1 + (need_growth + ageing) / 12 = 1 + (0.015 + 0.01) / 12.
GROWTH = 1.0 + (0.015 + 0.01) / 12.0
# Share of the acute waiting list leaving untreated a month (ODD 7.21): its elective part (0.55)
# at elective_dropout 0.03, the rest at waiting_attrition 0.3: 0.0165 + 0.135 = 0.1515.
ACUTE_LEAVE = 0.55 * 0.03 + 0.45 * 0.3


def _set_need_inputs(model, health):
    w = model.world
    w.need_base[0, :] = [40.0, 10.0, 6.0, 12.0, 4.0, 8.0]
    w.waiting[0, :] = [2.0, 1.0, 0.5, 0.0, 0.0, 0.0]
    w.spill[0] = 3.0
    w.health[0] = health
    w.health_base[0] = 0.7


def test_need_grows_carries_the_waiting_list_and_receives_spillover(tiny_world, begin_month):
    model = tiny_world()
    _set_need_inputs(model, health=0.7)  # health at its baseline: health factor 1
    begin_month(model)
    model.places[0].update_need()
    w = model.world
    base = np.array([40.0, 10.0, 6.0, 12.0, 4.0, 8.0]) * GROWTH
    np.testing.assert_allclose(w.need_base[0], base, rtol=1e-12)
    # need = need_base x 1 (health) x 1 (no shock) + waiting; acute also receives the spillover.
    expected = base + np.array([2.0, 1.0, 0.5, 0.0, 0.0, 0.0])
    expected[ACUTE] += 3.0
    np.testing.assert_allclose(w.need[0], expected, rtol=1e-12)
    assert expected[ACUTE] == pytest.approx(40.0 * 1.0020833333333 + 2.0 + 3.0)
    # New acute demand (admissions): new acute need plus spillover, not the waiting list.
    assert w.acute_new[0] == pytest.approx(40.0 * GROWTH + 3.0, rel=1e-12)


@pytest.mark.parametrize(
    ("health", "factor"),
    [
        (0.56, 1.0 + 0.5 * (0.7 - 0.56) / 0.7),  # worse health: 1.1, more need
        (0.84, 1.0 + 0.5 * (0.7 - 0.84) / 0.7),  # better health: 0.9, less need
    ],
)
def test_need_rises_as_health_falls(tiny_world, begin_month, health, factor):
    model = tiny_world()
    _set_need_inputs(model, health=health)
    begin_month(model)
    model.places[0].update_need()
    base = np.array([40.0, 10.0, 6.0, 12.0, 4.0, 8.0]) * GROWTH
    expected = base * factor + np.array([2.0, 1.0, 0.5, 0.0, 0.0, 0.0])
    expected[ACUTE] += 3.0
    np.testing.assert_allclose(model.world.need[0], expected, rtol=1e-12)
    assert model.world.acute_new[0] == pytest.approx(40.0 * GROWTH * factor + 3.0, rel=1e-12)


def test_health_factor_is_floored_at_zero(tiny_world, begin_month):
    # h = max(0, 1 + 5 (0.1 - 0.5) / 0.1) = max(0, -19) = 0: need is only the waiting list.
    model = tiny_world(health_need_elasticity=5.0)
    _set_need_inputs(model, health=0.5)
    model.world.health_base[0] = 0.1
    begin_month(model)
    model.places[0].update_need()
    np.testing.assert_allclose(model.world.need[0], [2.0 + 3.0, 1.0, 0.5, 0.0, 0.0, 0.0])


def test_demand_shock_off_gives_the_same_need_for_every_seed(tiny_world, begin_month):
    needs = []
    for seed in (1, 2, 3):
        model = tiny_world(seed=seed, demand_noise=0.0)
        _set_need_inputs(model, health=0.7)
        for _ in range(3):
            begin_month(model)
            model.places[0].update_need()
        needs.append(model.world.need[0].copy())
    # Three months of growth, no shock, on the same waiting list and spillover.
    base = np.array([40.0, 10.0, 6.0, 12.0, 4.0, 8.0]) * GROWTH**3
    expected = base + np.array([2.0 + 3.0, 1.0, 0.5, 0.0, 0.0, 0.0])
    for need in needs:
        np.testing.assert_allclose(need, expected, rtol=1e-12)


def test_demand_shock_on_is_one_factor_per_place_with_mean_one(tiny_world, begin_month):
    # z = max(0, 1 + 0.1 sqrt(6) (u1 + u2 - 1)): triangular on [1 - 0.245, 1 + 0.245], mean 1, s.d. 0.1.
    model = tiny_world(demand_noise=0.1)
    w = model.world
    shocks = []
    for _ in range(300):
        w.need_base[0, :] = [40.0, 10.0, 6.0, 12.0, 4.0, 8.0]
        w.waiting[0, :] = 0.0
        w.spill[0] = 0.0
        w.health[0] = w.health_base[0]
        begin_month(model)
        model.places[0].update_need()
        per_line = w.need[0] / w.need_base[0]
        assert np.allclose(per_line, per_line[0], rtol=1e-12)  # the same shock on every line
        shocks.append(per_line[0])
    shocks = np.array(shocks)
    half_width = 0.1 * 6.0**0.5
    assert shocks.min() >= 1.0 - half_width
    assert shocks.max() <= 1.0 + half_width
    assert shocks.mean() == pytest.approx(1.0, abs=3 * 0.1 / 300**0.5)
    assert shocks.std() == pytest.approx(0.1, abs=0.015)


def _set_delivery(model, health):
    w = model.world
    w.need[0, :] = [50.0, 10.0, 4.0, 0.0, 2.0, 0.0]
    w.activity[0] = 45.0  # acute contract
    w.activity[1] = 8.0  # community contract
    w.prevention_delivered[0] = 0.0
    w.prevention_delivered[1] = 1.0
    w.health[0] = health
    w.health_base[0] = 0.7


def test_unmet_need_joins_the_waiting_list_and_spills_to_acute(tiny_world):
    model = tiny_world()
    _set_delivery(model, health=0.65)
    model.places[0].update_health()
    w = model.world
    np.testing.assert_allclose(w.delivered[0], [45.0, 8.0, 0.0, 0.0, 0.0, 0.0])
    # unmet = need - delivered = [5, 2, 4, 0, 2, 0]; waiting = (1 - 0.3) unmet, but the acute
    # list keeps (1 - 0.1515) of its 5: 4.2425.
    np.testing.assert_allclose(w.unmet[0], [5.0, 2.0, 4.0, 0.0, 2.0, 0.0])
    np.testing.assert_allclose(w.waiting[0], [4.2425, 1.4, 2.8, 0.0, 1.4, 0.0], rtol=1e-12)
    # Spillover from the preventive lines only (community 2 + mental health 4; not acute 5 nor
    # ambulance 2): 0.7 x 0.3 x 6 = 1.26.
    assert w.spill[0] == pytest.approx(1.26)
    assert w.prevention_spend[0] == pytest.approx(1.0)


def test_health_moves_with_recovery_prevention_and_unmet_harm(tiny_world):
    model = tiny_world()
    _set_delivery(model, health=0.65)
    model.places[0].update_health()
    # need 66 in all, unmet [5, 2, 4, 0, 2, 0], prevention 1 (x = 1 / 66); leaving the lists
    # untreated this month 0.1515 x 5 + 0.3 x 8 = 0.7575 + 2.4 = 3.1575:
    # dh = 0.01 (0.7 - 0.65) + 0.035 x 0.05 (1 - exp(-x / 0.05)) - 0.01 x 3.1575 / 66
    #    = 0.0005 + 0.000457491... - 0.000478409... = 0.000479082...
    gain = 0.035 * 0.05 * (1.0 - math.exp(-(1.0 / 66.0) / 0.05))
    assert gain == pytest.approx(0.000457491, abs=1e-9)
    expected = 0.65 + 0.0005 + gain - 0.01 * (ACUTE_LEAVE * 5.0 + 0.3 * 8.0) / 66.0
    assert model.world.health[0] == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize(
    ("x", "gain"),
    [
        (0.0, 0.0),
        (0.01, 0.035 * 0.05 * (1.0 - math.exp(-0.2))),  # 0.000317: 91% of linear 0.00035
        (0.05, 0.035 * 0.05 * (1.0 - math.exp(-1.0))),  # 0.00111: 63% of linear 0.00175
        (0.5, 0.035 * 0.05 * (1.0 - math.exp(-10.0))),  # near the ceiling 0.00175
    ],
)
def test_prevention_has_diminishing_returns(tiny_world, x, gain):
    assert _prevention_gain(tiny_world, x) == pytest.approx(gain, abs=1e-15)


def _prevention_gain(tiny_world, x: float) -> float:
    """The model's rise in health in one month from prevention `x` of need (everything else met)."""
    model = tiny_world()
    w = model.world
    w.need[0, :] = [50.0, 50.0, 0.0, 0.0, 0.0, 0.0]
    w.activity[:] = [50.0, 50.0]
    w.prevention_delivered[:] = [0.0, 100.0 * x]
    w.health[0] = w.health_base[0] = 0.7
    model.places[0].update_health()
    return float(w.health[0] - 0.7)


def test_each_pound_of_prevention_buys_less_health_than_the_last(tiny_world):
    # Diminishing returns, read off the model: the gain per unit of prevention falls as prevention
    # grows, and is never more than the first pound's rate (effect 0.035 a unit of need).
    levels = (0.001, 0.01, 0.05, 0.2, 0.5)
    per_unit = [_prevention_gain(tiny_world, x) / x for x in levels]
    assert all(a > b for a, b in itertools.pairwise(per_unit)), per_unit
    assert all(rate <= 0.035 for rate in per_unit), per_unit


def test_prevention_alone_raises_health_and_unmet_need_alone_lowers_it(tiny_world):
    model = tiny_world()
    w = model.world
    # Everything delivered, prevention 2 on need 60: dh = 0.035 x 0.05 (1 - exp(-(2/60)/0.05))
    # = 0.00084.
    w.need[0, :] = [50.0, 10.0, 0.0, 0.0, 0.0, 0.0]
    w.activity[:] = [50.0, 10.0]
    w.prevention_delivered[:] = [0.0, 2.0]
    w.health[0] = w.health_base[0] = 0.7
    model.places[0].update_health()
    rise = 0.035 * 0.05 * (1.0 - math.exp(-(2.0 / 60.0) / 0.05))
    assert w.health[0] == pytest.approx(0.7 + rise, abs=1e-15)
    assert rise > 0.0008
    assert w.spill[0] == 0.0
    assert not w.waiting[0].any()
    # Nothing delivered, no prevention: leaving untreated 0.1515 x 50 + 0.3 x 10 = 10.575, so
    # dh = -0.01 x 10.575 / 60 = -0.0017625.
    w.activity[:] = 0.0
    w.prevention_delivered[:] = 0.0
    w.health[0] = 0.7
    model.places[0].update_health()
    assert w.health[0] == pytest.approx(0.6982375, abs=1e-12)


def test_health_is_clamped_to_one(tiny_world):
    # Prevention nearly linear and strong: dh = 1 x 1 x (1 - exp(-50)), about 1.
    model = tiny_world(prevention_effect=1.0, prevention_saturation=1.0)
    w = model.world
    w.need[0, :] = [1.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    w.activity[:] = [1.0, 1.0]
    w.prevention_delivered[:] = [0.0, 100.0]
    w.health[0] = 0.9
    model.places[0].update_health()
    assert w.health[0] == 1.0
