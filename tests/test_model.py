"""The place-based commons model: structure, money, bounds, determinism and presets."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import clean, place_params, rule_sets

from sim import PRESETS, CareSystem, RuleSet
from sim.core.constants import M

FAST = settings(max_examples=25, deadline=None)


def test_default_world_is_one_system_of_three_places():
    model = CareSystem(rules="fortress", seed=1)
    kinds = [t.kind for t in model.trusts]
    assert len(model.places) == 3
    assert len(model.commissioners) == 3
    for kind in ("acute", "community", "mental_health", "primary_care", "social_care"):
        assert kinds.count(kind) == 3
    ambulance = [t for t in model.trusts if t.kind == "ambulance"]
    assert len(ambulance) == 1
    assert ambulance[0].places == [0, 1, 2]
    # Partners: a place's four other providers and the ambulance trust.
    acute = next(t for t in model.trusts if t.kind == "acute")
    assert len(acute.partners()) == 5


def test_counts_are_configurable():
    model = CareSystem(n_ics=2, n_places=4, acute_per_place=2, ambulance_per_ics=0, seed=1)
    kinds = [t.kind for t in model.trusts]
    assert kinds.count("acute") == 16
    assert "ambulance" not in kinds
    assert len(model.places) == 8


def _step_and_check_money(model: CareSystem):
    w = model.world
    pool_before = float(np.sum(w.pool_balance))
    providers_before = float(np.sum(w.balance))
    model.step()
    m = model.current()
    pool_change = float(np.sum(w.pool_balance)) - pool_before
    provider_change = float(np.sum(w.balance)) - providers_before
    costs = m["transaction_costs"] + m["governance_costs"] + m["takeover_costs"]
    accounted = m["provider_spend"] + costs + pool_change + provider_change
    assert np.isclose(m["allocation"], accounted, rtol=1e-9, atol=1e-9), (
        m["allocation"],
        accounted,
    )


@FAST
@given(
    params=place_params(), rules=rule_sets(), seed=st.integers(0, 2**40), months=st.integers(1, 30)
)
def test_money_is_conserved_every_month(params, rules, seed, months):
    model = CareSystem(rules=rules, seed=seed, **clean(params))
    for _ in range(months):
        _step_and_check_money(model)


@FAST
@given(
    params=place_params(), rules=rule_sets(), seed=st.integers(0, 2**40), months=st.integers(1, 40)
)
def test_state_stays_bounded_and_finite(params, rules, seed, months):
    model = CareSystem(rules=rules, seed=seed, **clean(params)).run_for(months)
    w = model.world
    for name, array in w._asdict().items():
        assert np.all(np.isfinite(array)), name
    for array in (w.health, w.cooperation, w.trust):
        assert np.all((array >= 0.0) & (array <= 1.0))
    assert np.all(np.isfinite(model.history))
    assert all(np.isfinite(v) for v in model.summary().values())


def test_same_seed_same_trajectory_and_different_seeds_differ():
    a = CareSystem(rules="partnership_board", seed=11).run_for(36)
    b = CareSystem(rules="partnership_board", seed=11).run_for(36)
    c = CareSystem(rules="partnership_board", seed=12).run_for(36)
    d = CareSystem(rules="partnership_board", seed=11, run=1).run_for(36)
    assert np.array_equal(a.history, b.history)
    assert not np.array_equal(a.history, c.history)
    assert not np.array_equal(a.history, d.history)


def test_custom_rule_set_with_preset_values_gives_identical_results():
    for name, preset in PRESETS.items():
        custom = RuleSet(**preset.levers(), name="my own rules")
        a = CareSystem(rules=name, seed=5).run_for(24)
        b = CareSystem(rules=custom, seed=5).run_for(24)
        assert np.array_equal(a.history, b.history), name


def test_ablation_switches_off_only_that_principle():
    shared = PRESETS["shared_governance"]
    ablated = shared.without("monitoring")
    assert ablated.monitoring == 0.0
    assert ablated.sanction_severity == shared.sanction_severity
    assert ablated.principles_on()["monitoring"] is False
    assert sum(ablated.principles_on().values()) == sum(shared.principles_on().values()) - 1


def test_summary_reads_the_history_as_odd_section_6_says():
    # Final values, means of the last 12 months and totals over the run (ODD section 6), read off
    # the month-by-month history of the same run.
    model = CareSystem(seed=3).run_for(24)
    summary, history = model.summary(), model.history

    def series(name):
        return history[:, M[name]]

    assert summary["population_health"] == series("population_health")[-1]
    assert summary["system_deficit"] == series("system_deficit")[-1]
    assert summary["provider_failures"] == series("provider_failures")[-1]
    for name in ("acute_share", "unmet_need", "mean_cooperation", "mean_trust"):
        assert summary[name] == pytest.approx(series(name)[-12:].mean(), rel=1e-12), name
    for name in ("sanctions", "transaction_costs"):
        assert summary[name] == pytest.approx(series(name).sum(), rel=1e-12), name
    assert summary["sanctions"] > 0  # shared governance fines someone in two years


# The month's measures as ODD section 6 lists them, written out here (not taken from the code).
EXPECTED_MEASURES = [
    "allocation",
    "pool_balance",
    "commissioner_deficit",
    "provider_deficit",
    "system_deficit",
    "payments",
    "provider_spend",
    "prevention_spend",
    "spend_acute",
    "spend_community",
    "spend_mental_health",
    "spend_primary_care",
    "spend_ambulance",
    "spend_social_care",
    "acute_share",
    "need",
    "need_met",
    "unmet_need",
    "waiting_list",
    "population_health",
    "acute_demand",
    "acute_demand_vs_trend",
    "mean_cooperation",
    "mean_trust",
    "breaches",
    "breaches_detected",
    "sanctions",
    "fines",
    "provider_failures",
    "providers_in_deficit",
    "acute_deficit_share",
    "transaction_costs",
    "governance_costs",
    "takeover_costs",
    "gini",
    "total_appropriation",
    "group_earnings",
    "efficiency",
    "mean_contribution",
    "system_spend",
    "overspend",
    "new_need",
    "new_unmet_need",
    "waiting_patients",
    "waiting_patients_acute",
    "avoidable_admissions",
    "avoidable_admission_rate",
    "providers_in_support",
    "providers_in_special_measures",
    "special_measures_entries",
    "delayed_discharges",
    "capital_invested",
    "efficiency_paid_back",
]


def test_datacollector_has_every_measure_each_month():
    model = CareSystem(rules="fortress", seed=2)
    w = model.world
    allocations, cooperation, health = [], [], []
    for _ in range(6):
        model.step()
        allocations.append(float(np.sum(w.allocation)))
        cooperation.append(float(np.mean(w.cooperation)))
        health.append(float(np.mean(w.health)))
    frame = model.datacollector.get_model_vars_dataframe()
    assert list(frame.columns) == EXPECTED_MEASURES
    assert len(frame) == 7  # step 0, the initial state, then months 1..6
    frame = frame.iloc[1:]
    # Each month's row holds that month's state, read here from the arrays themselves.
    np.testing.assert_allclose(frame["allocation"], allocations, rtol=1e-12)
    np.testing.assert_allclose(frame["mean_cooperation"], cooperation, rtol=1e-12)
    np.testing.assert_allclose(frame["population_health"], health, rtol=1e-12)
    # The allocation grows 1% a year from each place's drawn population x 2,600 x its allocation
    # index / 12 / 1e6 (places differ, ODD 7.15).
    base = float(np.sum(w.population * 2_600 * w.alloc_index)) / 12 / 1e6
    np.testing.assert_allclose(
        frame["allocation"], [base * (1 + 0.01 / 12) ** t for t in range(1, 7)], rtol=1e-12
    )
    trust_class = type(model.trusts[0])
    trusts = model.datacollector.get_agenttype_vars_dataframe(trust_class)
    assert len(trusts) == 7 * 16  # steps 0..6
    assert {"kind", "cooperation", "balance", "mean_trust", "breaches"} <= set(trusts.columns)
    last = trusts.xs(6, level="Step")
    assert sorted(last["kind"]) == sorted(
        ["acute", "community", "mental_health", "primary_care", "social_care"] * 3 + ["ambulance"]
    )
    np.testing.assert_allclose(sorted(last["cooperation"]), sorted(w.cooperation), rtol=1e-12)


def test_mesa_agents_read_the_current_state():
    model = CareSystem(rules="shared_governance", seed=4)
    trust = model.trusts[0]
    before = trust.cooperation
    model.run_for(12)
    assert trust.cooperation == model.world.cooperation[trust.index]
    assert trust.cooperation != before
    assert model.places[0].health == model.world.health[0]


def test_trust_agents_show_their_behaviour():
    """Each Trust agent reads its type, leadership, risk attitude and kept share from the
    world's arrays, and the DataCollector records them month by month."""
    from sim.core.constants import TYPE_NAMES

    model = CareSystem(rules="shared_governance", seed=4).run_for(3)
    w = model.world
    for agent in model.trusts:
        i = agent.index
        assert agent.behaviour_type == TYPE_NAMES[w.org_type[i]]
        assert agent.leadership == w.leadership[i]
        assert agent.risk_attitude == w.risk_attitude[i]
        assert agent.kept == w.kept[i]
        assert agent.vision == w.vision[i]
    frame = model.datacollector.get_agenttype_vars_dataframe(type(model.trusts[0]))
    last = frame.xs(3, level="Step")
    assert sorted(last["behaviour_type"]) == sorted(a.behaviour_type for a in model.trusts)
    assert np.allclose(sorted(last["kept"]), sorted(w.kept))
    assert len(set(last["behaviour_type"])) > 1  # 16 organisations drawn from four types


def test_a_shared_vision_adopted_by_a_schedule_is_recorded_as_it_is_taken_up():
    model = CareSystem(rules=[(0, "fortress"), (2, "shared_governance")], seed=4).run_for(8)
    frame = model.datacollector.get_agenttype_vars_dataframe(type(model.trusts[0]))
    by_month = frame.groupby(level="Step")["vision"].mean()
    assert by_month[2] == 0.0  # fortress asks for no weight on the system
    # From the switch on, it rises every month, and is still far from shared governance's 0.8.
    rising = by_month.loc[3:8].to_numpy()
    assert (np.diff(rising) > 0).all(), by_month.to_dict()
    assert 0.0 < rising[-1] < 0.5, by_month.to_dict()
    assert by_month[8] == pytest.approx(np.mean([a.vision for a in model.trusts]))


def test_without_collection_the_run_is_the_same_and_the_datacollector_stays_at_step_0():
    kept = CareSystem(seed=5).run_for(6)
    lean = CareSystem(seed=5, collect=False).run_for(6)
    np.testing.assert_array_equal(kept.history, lean.history)
    assert kept.summary() == lean.summary()
    assert len(kept.datacollector.get_model_vars_dataframe()) == 7  # step 0 and six months
    assert len(lean.datacollector.get_model_vars_dataframe()) == 1  # the initial state only


def test_commissioners_show_the_rules_their_partners_chose():
    """Under collective choice the first planning round (month 12) replaces the tabled slice and
    fine at each place; each Commissioner agent reads them, and the DataCollector records the
    change month by month."""
    model = CareSystem(rules="shared_governance", seed=3).run_for(13)
    w = model.world
    tabled = model.rules.prevention_slice
    for agent in model.commissioners:
        assert agent.prevention_slice == w.chosen_slice[agent.place]
        assert agent.fine_multiple == w.fine_factor[agent.place]
    frame = model.datacollector.get_agenttype_vars_dataframe(type(model.commissioners[0]))
    by_month = frame.groupby(level="Step")[["prevention_slice", "fine_multiple"]].mean()
    # The tabled rules until the vote, the chosen ones after it.
    assert by_month.loc[11, "prevention_slice"] == tabled
    assert by_month.loc[11, "fine_multiple"] == 1.0
    assert by_month.loc[12, "prevention_slice"] != tabled
    assert by_month.loc[12, "fine_multiple"] != 1.0
    np.testing.assert_allclose(by_month.loc[13].to_numpy(), by_month.loc[12].to_numpy())
