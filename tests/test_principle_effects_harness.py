"""The harness of tests/test_principles_work.py (sim/analysis/principles.py) on cases checked by hand.

- Rule sets that differ in nothing give a paired difference of exactly 0, never beyond noise:
  the harness pairs replicate j of a variant with replicate j of its base (common random numbers).
- The running cost of shared vision is worked out by hand: 0.2% of the allocation a month, and the
  allocation is n_places x population x spend per head / 12 (GBP million) grown by budget_growth.
"""

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis import principles as pe
from sim.core.params import ParameterError, parameter
from sim.core.rules import PRESETS, PRINCIPLES

MONTHS = 12
REPLICATES = 4


def test_a_principle_with_no_levers_changes_nothing_exactly(monkeypatch):
    # A principle whose variants are their bases (nothing switched): every difference is 0.0.
    monkeypatch.setitem(PRINCIPLES, "nothing", {"levers": (), "explain": "switches nothing"})
    table = pe.principle_effects(
        ["nothing"], pressures=(0.0, 0.04), replicates=REPLICATES, months=MONTHS, resamples=200
    )
    assert len(table) == 2 * 2 * len(pe.OUTCOMES)  # directions x pressures x outcomes
    assert set(table["levers_changed"]) == {"(none)"}
    assert (table["mean_difference"] == 0.0).all()
    assert (table["se"] == 0.0).all()
    assert (table["low"] == 0.0).all()
    assert (table["high"] == 0.0).all()
    assert not table["beyond_noise"].any()
    # and the runs themselves differ between replicates: the zeros are the pairing
    runs = pe.run_variants(["nothing"], pressures=(0.0,), replicates=REPLICATES, months=MONTHS)
    deficit = runs[runs["rules"] == "shared_governance"]["system_deficit"]
    assert deficit.nunique() > 1


def test_two_names_for_one_rule_set_pair_replicate_by_replicate():
    # run_many gives replicate j of every rule set the same run key: identical levers under two
    # names give identical runs, replicate by replicate.
    again = PRESETS["fortress"].with_levers(name="fortress_again")
    runs = pe.run_variants([], pressures=(0.02,), replicates=REPLICATES, months=MONTHS)
    extra = pe.run_many(
        [again], replicates=REPLICATES, months=MONTHS, seed=pe.SEED, budget_growth=0.02
    )
    extra.insert(1, "pressure", 0.02)
    both = pd.concat([runs, extra], ignore_index=True)
    base, other = pe.paired_runs(both, "fortress", "fortress_again", 0.02)
    assert base.shape == (REPLICATES, len(pe.OUTCOMES))
    assert np.array_equal(base, other)
    k = pe.OUTCOMES.index("system_deficit")
    assert len(np.unique(base[:, k])) > 1  # and differs between replicates
    effect = pe.paired_effect(other[:, k], base[:, k], 0.95, 200, 1, "tag")
    assert effect["mean_difference"] == 0.0
    assert not effect["beyond_noise"]


def _allocation(months: int, budget_growth: float) -> float:
    """Total allocation over a run by hand: 3 places x 500,000 people x GBP 2,600 a year, monthly
    in GBP million (325 a month), grown each month by budget_growth / 12 before it arrives."""
    monthly = 3 * 500_000 * 2_600.0 / 12.0 / 1.0e6
    return sum(monthly * (1.0 + budget_growth / 12.0) ** t for t in range(1, months + 1))


@pytest.mark.parametrize("budget_growth", [0.0, 0.04])
def test_shared_vision_costs_what_its_rate_says(budget_growth):
    rate = parameter("cost_shared_vision").default  # 0.2% of the allocation a month
    # Identical places (ODD 7.15), so that the allocation is the hand-computed one in every run.
    same = {"population_spread": 0.0, "need_spread": 0.0, "allocation_spread": 0.0}
    table = pe.principle_effects(
        ["shared_vision"],
        pressures=(budget_growth,),
        replicates=REPLICATES,
        months=MONTHS,
        outcomes=("governance_costs",),
        resamples=200,
        **same,
    ).set_index("direction")
    expected = (
        rate * PRESETS["shared_governance"].shared_vision * _allocation(MONTHS, budget_growth)
    )
    if budget_growth == 0.0:
        assert expected == pytest.approx(7.8)  # 0.002 x 325 x 12
    on, off = table.loc[pe.ON], table.loc[pe.OFF]
    assert on["base_mean"] == 0.0  # fortress has no governance levers
    assert on["mean_difference"] == pytest.approx(expected, rel=1e-12)
    assert off["mean_difference"] == pytest.approx(-expected, rel=1e-12)
    for row in (on, off):
        # the same in every replicate: no seed noise, an interval of one point, beyond noise
        assert row["se"] == pytest.approx(0.0, abs=1e-9)
        assert row["low"] == pytest.approx(row["mean_difference"], rel=1e-12)
        assert row["high"] == pytest.approx(row["mean_difference"], rel=1e-12)
        assert row["beyond_noise"]
        assert math.isclose(row["funding_gap"], 0.025 - budget_growth)


def test_noise_verdict_on_hand_made_differences():
    base = np.array([1.0, 2.0, 3.0, 4.0])
    # a shift of 1 in every replicate: se 0, beyond noise
    shifted = pe.paired_effect(base + 1.0, base, 0.95, 200, 0, "shift")
    assert shifted["mean_difference"] == 1.0
    assert shifted["se"] == 0.0
    assert shifted["beyond_noise"]
    # differences +1, -1, +1, -1: mean 0, se 0.5, never beyond noise
    noisy = pe.paired_effect(base + np.array([1.0, -1.0, 1.0, -1.0]), base, 0.95, 200, 0, "noise")
    assert noisy["mean_difference"] == 0.0
    assert noisy["se"] == pytest.approx(math.sqrt(4 / 3) / 2)
    assert not noisy["beyond_noise"]
    # differences 1, 2, 1, 2: mean 1.5, se = sd / 2 = 0.2887, 1.5 > 1.96 x 0.2887
    small = pe.paired_effect(base + np.array([1.0, 2.0, 1.0, 2.0]), base, 0.95, 200, 0, "small")
    assert small["se"] == pytest.approx(math.sqrt(1 / 3) / 2)
    assert small["z"] == pytest.approx(1.959964, abs=1e-6)
    assert small["beyond_noise"]
    # a multiple of the standard error above |mean| / se (5.2) says no
    assert not pe.paired_effect(base + np.array([1.0, 2.0, 1.0, 2.0]), base, 0.95, 200, 0, "z", 6)[
        "beyond_noise"
    ]


def test_variants_are_built_from_the_presets_and_follow_principles_at_call_time(monkeypatch):
    off = pe.variant("monitoring", pe.OFF)
    on = pe.variant("monitoring", pe.ON)
    assert off.name == "shared_governance-monitoring"
    assert pe.levers_changed(off, PRESETS["shared_governance"]) == ("monitoring",)
    assert on.name == "fortress+monitoring"
    assert on.monitoring == PRESETS["shared_governance"].monitoring
    assert pe.levers_changed(on, PRESETS["fortress"]) == ("monitoring",)
    monkeypatch.setitem(PRINCIPLES, "eyes", {"levers": ("monitoring",), "explain": "a copy"})
    names = [rs.name for rs in pe.rule_sets()]
    assert names[:2] == ["shared_governance", "fortress"]
    # Each principle's variants, and for one with requirements its base beside them, each rule
    # set once (boundary's base beside monitoring is monitoring's own variant, fortress+monitoring).
    assert len(names) == len(set(names))
    expected = {"shared_governance", "fortress"}
    for p in PRINCIPLES:
        for d in pe.directions_of(p):
            expected |= {pe.base_of(p, d).name, pe.variant(p, d).name}
    assert set(names) == expected
    assert "fortress+monitoring+boundary" in names
    assert "fortress+eyes" in names


def test_a_principle_beside_its_requirements_is_compared_with_them():
    base = pe.base_of("graduated_sanctions", pe.WITH)
    other = pe.variant("graduated_sanctions", pe.WITH)
    needs = pe.requirements("graduated_sanctions")
    assert needs == ("agreed_shares", "partners", "boundary", "monitoring")
    assert base.name == "fortress+agreed_shares+partners+boundary+monitoring"
    assert pe.levers_changed(other, base) == ("sanction_severity", "graduated_sanctions")
    changed = set(pe.levers_changed(base, PRESETS["fortress"]))
    assert changed == {"agreed_shares", "partnership_breadth", "scope", "monitoring"}
    # A principle with no requirements is measured only off and on alone.
    assert pe.directions_of("shared_vision") == (pe.OFF, pe.ON)


def test_bad_inputs_are_refused():
    with pytest.raises(ParameterError, match="not a design principle"):
        pe.variant("no_such_principle", pe.ON)
    with pytest.raises(ParameterError, match="direction"):
        pe.variant("monitoring", "sideways")
    with pytest.raises(ParameterError, match="budget_growth is swept"):
        pe.run_variants(["monitoring"], replicates=1, months=1, budget_growth=0.0)
    runs = pe.run_variants([], pressures=(0.0,), replicates=2, months=1)
    with pytest.raises(ParameterError, match="not run summaries"):
        pe.effects(runs, [], outcomes=("happiness",))
    # runs that are not paired are refused before any difference is taken
    unpaired = runs.copy()
    unpaired.loc[unpaired["rules"] == "fortress", "replicate"] += 10
    with pytest.raises(ValueError, match="differ in replicate"):
        pe.paired_runs(unpaired, "shared_governance", "fortress", 0.0)


def test_round_off_is_not_an_effect():
    # the same difference of 1e-18 in every replicate: no seed noise, but below the resolution
    base = np.array([0.0, 1e-17, 0.0, 2e-17])
    tiny = pe.paired_effect(base + 1e-18, base, 0.95, 200, 0, "tiny", floor=1e-12)
    assert tiny["se"] < 1e-30
    assert tiny["mean_difference"] > 0.0
    assert not tiny["beyond_noise"]
    assert pe.paired_effect(base + 1e-18, base, 0.95, 200, 0, "tiny")["beyond_noise"]
