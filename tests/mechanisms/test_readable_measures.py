"""Readable outcomes (ODD section 6): the month's spend and overspend, new need apart from the
waiting list, patients waiting, avoidable admissions, and the annual summaries, on worlds set by
hand with values worked out by hand.

The months here are simple by construction: providers do not cooperate (every claim is the selfish
claim, all the need their capacity can take), the budget is pooled (every claim is paid while the
pool holds), nobody prevents, and health sits at its baseline, so need is exactly need_base grown a
month plus the waiting list carried in."""

from __future__ import annotations

import numpy as np
import pytest

from sim import CareSystem, RuleSet
from sim.core.constants import MEASURES, PLACE_SYSTEM, SUMMARIES
from sim.core.measures import (
    ADMISSIONS_BEST,
    ADMISSIONS_WORST,
    HEALTH_BEST,
    HEALTH_WORST,
    summarize,
)
from sim.core.params import parameter
from sim.core.submodels.place import COST_PER_CASE

G = 1.0 + (0.015 + 0.01) / 12.0  # a month's growth of need (and of capacity)
A1 = (
    500_000 * 2_600 / 12 / 1e6 * (1.0 + 0.01 / 12.0)
)  # the first month's allocation (budget +1%/yr)
CAPITATED = RuleSet(funding_model="capitated")


def _selfish_world(tiny_world, need_base, capacity, carried, **params):
    """Providers that claim all they can deliver, on a pooled budget, health at its baseline; the
    NHS mechanisms that would move the hand values (productivity and the tariff's efficiency
    factor, 7.20; the elective drop-out, 7.21) off, so each list keeps 70% a month."""
    nhs_off = {
        "productivity_growth": 0.0,
        "tariff_efficiency": 0.0,
        "elective_share": 0.0,
        "capital_weight": 0.0,
    }
    model = tiny_world(CAPITATED, exploration=0.0, **{**nhs_off, **params})
    w = model.world
    w.cooperation[:] = 0.0
    w.health[:] = w.health_base
    w.need_base[0, :] = need_base
    w.capacity[:] = capacity
    w.waiting[0, :] = carried
    w.waiting_carried[0, :] = carried  # as the measures kept it at the end of last month
    return model


def test_spend_and_overspend_are_the_months_money_out_of_the_pool_and_balances(tiny_world):
    model = _selfish_world(tiny_world, [10, 4, 0, 0, 0, 0], [5.0, 100.0], [3, 2, 0, 0, 0, 0])
    w = model.world
    pool, balance = float(w.pool_balance.sum()), float(w.balance.sum())
    model.step()
    m = model.current()
    # Claims: acute min(5G, 10G + 3) = 5G, community min(100G, 4G + 2) = 4G + 2; all paid and
    # delivered at unit cost 1. Capacity grows after delivery (invest, ODD 7.19), so the acute
    # claim is the starting capacity 5: provider spend 5 + 4G + 2, and the pooled budget's
    # transaction cost 0.5% of it; no governance levers, no takeover.
    spend = 5.0 + 4.0 * G + 2.0
    assert m["provider_spend"] == pytest.approx(spend, rel=1e-12)
    assert m["system_spend"] == pytest.approx(spend * 1.005, rel=1e-12)
    assert m["overspend"] == pytest.approx(spend * 1.005 - A1, rel=1e-12)
    # The deficit flow is what left the pools and the providers' balances this month.
    moved = float(w.pool_balance.sum()) - pool + float(w.balance.sum()) - balance
    assert m["overspend"] == pytest.approx(-moved, rel=1e-12)


def test_new_need_leaves_out_the_waiting_list_carried_in(tiny_world):
    model = _selfish_world(tiny_world, [10, 4, 0, 0, 0, 0], [5.0, 100.0], [3, 2, 0, 0, 0, 0])
    w = model.world
    model.step()
    m = model.current()
    # Need: acute 10G + 3, community 4G + 2; new need 10G + 4G = 14G. Delivered: acute 5 (its
    # starting capacity: capacity grows after delivery, ODD 7.19), community 4G + 2 (all of it).
    # Care is counted against new need first: acute leaves 10G - 5 of its new need unmet;
    # community's care covers its new need (the 2 beyond it clears the list carried in and is
    # not counted twice).
    assert m["need"] == pytest.approx(14.0 * G + 5.0, rel=1e-12)
    assert m["new_need"] == pytest.approx(14.0 * G, rel=1e-12)
    assert m["new_unmet_need"] == pytest.approx((10.0 * G - 5.0) / (14.0 * G), rel=1e-12)
    # Beside it, unmet need counts the list carried in: (10G - 5 + 3) / (14G + 5).
    left = 10.0 * G - 5.0 + 3.0
    assert m["unmet_need"] == pytest.approx(left / (14.0 * G + 5.0), rel=1e-12)
    # The measures keep the list carried into next month: 0.7 of what was left.
    np.testing.assert_allclose(w.waiting_carried, w.waiting, rtol=0, atol=0)
    assert w.waiting_carried[0, 0] == pytest.approx(0.7 * left, rel=1e-12)
    assert w.waiting_carried[0, 1] == 0.0


def test_patients_waiting_are_each_lines_list_over_its_cost_per_case(tiny_world):
    # Every line, nobody able to deliver: 1,000 cases of each line carried in (cost per case x
    # 1,000, in GBP million), no new need. 70% of each list is still waiting at the end.
    lines = {
        "mental_health_per_place": 1,
        "primary_care_per_place": 1,
        "social_care_per_place": 1,
        "ambulance_per_ics": 1,
    }
    carried = COST_PER_CASE * 1000.0 / 1e6
    model = _selfish_world(tiny_world, np.zeros(6), 0.0, carried, **lines)
    model.step()
    assert not model.world.activity.any()
    m = model.current()
    assert m["waiting_patients"] == pytest.approx(6 * 700.0, rel=1e-12)
    assert m["waiting_patients_acute"] == pytest.approx(700.0, rel=1e-12)
    assert m["new_need"] == 0.0
    assert m["new_unmet_need"] == 0.0
    # The costs per case (GBP, docs/references.md): an acute referral-to-treatment pathway, a
    # community nursing contact, a mental health care contact, a GP consultation, an ambulance
    # incident, a month of long-term social care.
    np.testing.assert_array_equal(COST_PER_CASE, [520.0, 47.0, 250.0, 45.0, 270.0, 1840.0])
    # One count: the reported measure is the sum of the state's count by place and line.
    assert m["waiting_patients"] == pytest.approx(model.world.waiting_patients.sum(), rel=1e-12)


@pytest.mark.parametrize(
    ("health", "rates"),
    [
        # The anchors: the healthiest starting place at 9 per 1,000 a year, the least healthy at 22.
        ((0.784, 0.616), (900.0, 2200.0)),
        # Linear between: 0.7 is half way, 1,550; health 0.95 would be below 0, so 0.
        ((0.7, 0.95), (1550.0, 0.0)),
    ],
)
def test_avoidable_admissions_follow_each_places_health_and_people(tiny_world, health, rates):
    model = tiny_world(n_places=2)
    w = model.world
    w.need_base[:] = 0.0  # an idle month: health only recovers towards its baseline
    w.health[:] = health
    w.health_base[:] = health  # ... which is where it is
    w.population[:] = (300_000.0, 100_000.0)
    model.step()
    m = model.current()
    per_year = rates[0] * 3.0 + rates[1] * 1.0  # per 100,000, times 100,000s of people
    assert m["avoidable_admissions"] == pytest.approx(per_year / 12.0, rel=1e-12)
    assert m["avoidable_admission_rate"] == pytest.approx(per_year / 4.0, rel=1e-12)


def test_the_health_anchors_are_the_default_range_of_starting_health():
    mid = parameter("initial_health").default
    spread = parameter("health_spread").default
    assert pytest.approx(mid * (1.0 + spread), rel=1e-15) == HEALTH_BEST
    assert pytest.approx(mid * (1.0 - spread), rel=1e-15) == HEALTH_WORST
    assert (ADMISSIONS_BEST, ADMISSIONS_WORST) == (900.0, 2200.0)


def _history(months: int, **columns) -> np.ndarray:
    history = np.zeros((months, len(MEASURES)))
    for name, values in columns.items():
        history[:, MEASURES.index(name)] = values
    return history


def test_annual_summaries_from_a_history_by_hand():
    # Two years: allocation 100 a month the first year, 110 the second; spend 105 then 120; need
    # met 100 a month; costs 1 + 0.5 + 0.25 a month over the run; the system deficit ends at 330.
    months = 24
    first, second = np.arange(months) < 12, np.arange(months) >= 12
    allocation = np.where(first, 100.0, 110.0)
    spend = np.where(first, 105.0, 120.0)
    history = _history(
        months,
        allocation=allocation,
        system_spend=spend,
        overspend=spend - allocation,
        need_met=100.0,
        transaction_costs=1.0,
        governance_costs=0.5,
        takeover_costs=0.25,
        system_deficit=np.where(second, 330.0, 0.0),
        population_health=0.5,
        new_unmet_need=np.where(second, 0.2, 0.4),
        waiting_patients=np.arange(months),
        waiting_patients_acute=np.arange(months) / 2,
        avoidable_admissions=10.0,
        avoidable_admission_rate=np.arange(months) + 1000.0,
    )
    s = dict(zip(SUMMARIES, summarize(history, PLACE_SYSTEM), strict=True))
    assert s["allocation_per_year"] == pytest.approx((1200 + 1320) / 2)
    assert s["spend_per_year"] == pytest.approx((1260 + 1440) / 2)
    assert s["total_spend"] == pytest.approx(2700.0)
    assert s["overspend_per_year"] == pytest.approx((60 + 120) / 2)
    assert s["overspend_share"] == pytest.approx(180 / 2520)
    assert s["costs_per_year"] == pytest.approx(1.75 * 12)
    # The deficit at the end against the last year's allocation, 1,320.
    assert s["deficit_share"] == pytest.approx(330 / 1320)
    assert s["total_need_met"] == pytest.approx(2400.0)
    assert s["spend_per_need_met"] == pytest.approx(2700 / 2400)
    # GBP 1,350m a year over 50 points of health.
    assert s["spend_per_health_point"] == pytest.approx(1350 / 50)
    # The mean of the last year; the last month; the total.
    assert s["new_unmet_need"] == pytest.approx(0.2)
    assert s["waiting_patients"] == 23.0
    assert s["waiting_patients_acute"] == 11.5
    assert s["avoidable_admission_rate"] == 1023.0
    assert s["avoidable_admissions"] == pytest.approx(240.0)


def test_the_laboratory_games_have_no_readable_outcomes():
    model = CareSystem(rules="fortress", scenario="public_goods", seed=1, engine="python")
    model.run_for(3)
    later = [MEASURES.index(name) for name in MEASURES[MEASURES.index("system_spend") :]]
    assert not model.history[:, later].any()
