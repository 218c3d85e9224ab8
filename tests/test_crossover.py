"""Where shared governance pays (sim/analysis/crossover.py) on frames made by hand, and the crossover
section of an experiment's report end to end on a tiny run.

The hand-made runs: at pressure x, replicate j of the treatment scores `1 + 2x + e_j + u_j` and of
the reference `4 + 0.5x + e_j`, where e_j is shared by the pair (common random numbers) and
u_j = +0.1 for even j and -0.1 for odd j, so that it averages exactly 0 over an even number of
replicates. The mean advantage is then exactly `(1 + 2x) - (4 + 0.5x) = 1.5x - 3`: a line that
crosses 0 at x = 2, with slope 1.5.
"""

from __future__ import annotations

import math
import sys
import zlib

import numpy as np
import pandas as pd
import pytest

from sim.analysis import crossover as xo
from sim.analysis.crossover_text import in_words
from sim.analysis.stats import paired_difference_ci
from sim.commands import main

XS = (0.0, 0.5, 1.5, 2.5, 3.0)  # the crossing at 2 lies between grid values 1.5 and 2.5
N = 8
SEED = 11


def runs(treatment=lambda x: 1.0 + 2.0 * x, reference=lambda x: 4.0 + 0.5 * x, xs=XS, n=N):
    """One row per run: rules, replicate, seed, budget_growth and the outcome `y`."""
    rows = []
    for x in xs:
        for j in range(n):
            e = math.sin(7.0 * j + 1.0)  # the pair's common random number
            u = 0.1 if j % 2 == 0 else -0.1
            common = {"replicate": j, "seed": SEED, "run_key": j, "budget_growth": x}
            rows.append({"rules": "shared_governance", **common, "y": treatment(x) + e + u})
            rows.append({"rules": "fortress", **common, "y": reference(x) + e})
    return pd.DataFrame(rows)


def analyse(frame, lower=(), **kwargs):
    return xo.crossover(frame, ["y"], lower_is_better=lower, resamples=500, **kwargs)


def test_two_lines_crossing_at_a_known_pressure():
    result = analyse(runs(), ranges={"all": (-math.inf, math.inf)})
    adv = result.advantages
    # the mean advantage is 1.5 x - 3 at each x, worked out above
    assert np.allclose(adv["advantage"], [1.5 * x - 3.0 for x in XS])
    assert np.allclose(adv["treatment_mean"] - adv["reference_mean"], adv["advantage"])
    assert adv["verdict"].tolist() == ["worse", "worse", "worse", "better", "better"]
    # interpolated between 1.5 (-0.75) and 2.5 (+0.75): 1.5 + 1 x 0.75 / 1.5 = 2
    cross = result.crossings
    assert len(cross) == 1
    row = cross.iloc[0]
    assert row["crossing"] == pytest.approx(2.0)
    assert row["low"] <= 2.0 <= row["high"]
    assert row["share_with_crossing"] == 1.0
    assert not row["better_below"]
    assert row["firm"]
    slope = result.slopes.iloc[0]
    assert slope["slope"] == pytest.approx(1.5)
    assert slope["low"] <= 1.5 <= slope["high"]
    words = in_words(result, "y", name="x")
    assert "worse at x 0 to 1.5; better at x 2.5 to 3" in words
    assert "It is no better below x 2.5." in words
    assert "changes sign at 2 (95% CI" in words


def test_lower_is_better_flips_the_advantage_not_the_crossing():
    result = analyse(runs(), lower=("y",))
    assert np.allclose(result.advantages["advantage"], [3.0 - 1.5 * x for x in XS])
    row = result.crossings.iloc[0]
    assert row["crossing"] == pytest.approx(2.0)
    assert row["better_below"]
    assert result.slopes.iloc[0]["slope"] == pytest.approx(-1.5)
    assert "It is no better from x 2.5 up." in in_words(result, "y", name="x")


def test_no_crossover_in_the_range():
    result = analyse(runs(reference=lambda x: 0.5 * x))  # advantage 1 + 1.5 x > 0
    assert (result.advantages["verdict"] == "better").all()
    row = result.crossings.iloc[0]
    assert row["n_crossings"] == 0
    assert math.isnan(row["crossing"])
    assert row["share_with_crossing"] == 0.0
    assert in_words(result, "y", name="x") == (
        "shared_governance is better than fortress on y at every x tried (0 to 3)."
    )


def test_slopes_over_ranges_worked_out_by_hand():
    # advantage |x - 1|, a V: slope -1 on [0, 1], +1 on [1, 3]; over all five points
    # x mean 1.3, y mean 0.9, Sxy = -0.13 + 0.32 + 0.27 + 0.07 + 1.87 = 2.4,
    # Sxx = 1.69 + 0.64 + 0.09 + 0.49 + 2.89 = 5.8: slope 2.4 / 5.8 = 12/29
    xs = (0.0, 0.5, 1.0, 2.0, 3.0)
    ranges = {"falling": (0.0, 1.0), "rising": (1.0, 3.0), "all": (-math.inf, math.inf)}
    ranges["one point"] = (2.5, 3.5)
    frame = runs(treatment=lambda x: abs(x - 1.0), reference=lambda x: 0.0, xs=xs)
    slopes = analyse(frame, ranges=ranges).slopes.set_index("range")
    assert slopes.loc["falling", "slope"] == pytest.approx(-1.0)
    assert slopes.loc["rising", "slope"] == pytest.approx(1.0)
    assert slopes.loc["all", "slope"] == pytest.approx(12 / 29)
    assert slopes.loc["rising", "low"] <= 1.0 <= slopes.loc["rising", "high"]
    assert slopes.loc["one point", "n_points"] == 1
    assert math.isnan(slopes.loc["one point", "slope"])
    # the default ranges: budget growth below, within and above the NHS's, or the whole range
    assert list(analyse(frame).slopes["range"]) == list(xo.BUDGET_RANGES)
    other = frame.rename(columns={"budget_growth": "need_growth"})
    assert list(analyse(other, pressure="need_growth").slopes["range"]) == ["all"]


def test_pairing_is_by_replicate_and_checked():
    frame = runs()
    base = analyse(frame)
    # the order of the rows does not matter: replicate j is paired with replicate j
    shuffled = analyse(frame.sample(frac=1.0, random_state=3))
    pd.testing.assert_frame_equal(base.advantages, shuffled.advantages)
    pd.testing.assert_frame_equal(base.crossings, shuffled.crossings)
    # the per-value interval is the paired bootstrap of sim.analysis.stats, tag adv|y|x
    t = frame[(frame["rules"] == "shared_governance") & (frame["budget_growth"] == 1.5)]
    r = frame[(frame["rules"] == "fortress") & (frame["budget_growth"] == 1.5)]
    _, low, high = paired_difference_ci(t["y"], r["y"], 0.95, 500, SEED, "adv|y|1.5")
    row = base.advantages[base.advantages["pressure"] == 1.5].iloc[0]
    assert (row["low"], row["high"]) == pytest.approx((low, high))
    # each broken pairing is refused, naming what is wrong
    fortress = frame["rules"] == "fortress"
    cases = {
        "differ in replicate": frame[~(fortress & (frame["replicate"] == 0))],
        "replicate twice": pd.concat([frame, frame.iloc[[0]]]),
        "differ in seed": frame.assign(seed=np.where(fortress, SEED + 1, SEED)),
        "differ in run_key": frame.assign(run_key=np.where(fortress, 0, frame["run_key"])),
        "differ from those at": frame[
            ~((frame["budget_growth"] == 3.0) & (frame["replicate"] == 7))
        ],
        "no runs of 'fortress'": frame[~(fortress & (frame["budget_growth"] == 0.5))],
    }
    for message, broken in cases.items():
        with pytest.raises(ValueError, match=message):
            analyse(broken)
    with pytest.raises(ValueError, match="no column 'z'"):
        xo.crossover(frame, ["z"], lower_is_better=())


def test_the_paired_advantage_needs_the_pairs():
    # A common random number the size of the effect: paired, the advantage is clear; the two
    # rule sets' runs alone overlap entirely.
    frame = runs(treatment=lambda x: 0.1, reference=lambda x: 0.0)
    treated = frame["rules"] == "shared_governance"
    u = np.where(frame["replicate"] % 2 == 0, 0.1, -0.1)
    frame.loc[treated, "y"] -= u[treated]  # T_j - R_j = 0.1 exactly
    assert frame.loc[~treated, "y"].max() > frame.loc[treated, "y"].min()  # unpaired: overlap
    result = analyse(frame)
    assert (result.advantages["verdict"] == "better").all()
    assert np.allclose(result.advantages["low"], 0.1)
    assert np.allclose(result.advantages["high"], 0.1)


def test_find_crossings():
    xs = np.array([0.0, 1.0, 2.0, 3.0])
    assert xo.find_crossings(xs, [-2.0, -1.0, 1.0, 2.0]) == [1.5]
    assert xo.find_crossings(xs, [1.0, 2.0, 3.0, 4.0]) == []
    assert xo.find_crossings(xs, [1.0, -1.0, -1.0, 1.0]) == [0.5, 2.5]
    assert xo.find_crossings(xs, [1.0, 0.0, 0.0, -1.0]) == [1.5]  # the middle of the zeros
    assert xo.find_crossings(xs, [1.0, 0.0, -3.0, -1.0]) == [1.0]
    assert xo.find_crossings(xs, [2.0, 1.0, 0.0, 0.0]) == []  # level is not a crossing
    assert xo.find_crossings(xs, [0.0, 0.0, 0.0, 0.0]) == []


def test_round_off_is_no_difference():
    # unmet need of 1e-18 against 4e-18 when both meet all need: no difference at all
    frame = runs(treatment=lambda x: 0.0, reference=lambda x: 0.0)
    frame["y"] = np.where(frame["rules"] == "fortress", 4e-18, 1e-18)
    frame.loc[frame["budget_growth"] == 0.0, "y"] *= 1e17  # 0.1 and 0.4 at x = 0: real
    result = analyse(frame, lower=("y",))
    verdicts = result.advantages.set_index("pressure")["verdict"]
    assert verdicts[0.0] == "better"
    assert (verdicts.drop(0.0) == "no different").all()
    assert (result.advantages.set_index("pressure")["advantage"].drop(0.0) == 0.0).all()
    assert result.crossings.iloc[0]["n_crossings"] == 0


def test_joint_resamples_draw_each_replicate_at_every_pressure():
    pair = xo.paired(runs(), "y")
    boot = xo.resampled_advantages(pair, 600, SEED)  # more than one block of resamples
    idx = np.random.default_rng([SEED, zlib.crc32(b"crossover|y")]).integers(0, N, size=(600, N))
    assert np.allclose(boot, pair.differences[:, idx].mean(axis=2).T)


def test_noise_crossings_are_not_firm():
    # better, better, then no different with the mean wandering around 0: the sign changes in
    # the no-different stretch are noise, the words say so
    means = {0.0: 2.0, 0.5: 1.5, 1.5: 0.01, 2.5: -0.01, 3.0: 0.01}
    result = analyse(runs(treatment=lambda x: means[x], reference=lambda x: 0.0))
    assert result.advantages["verdict"].tolist()[:2] == ["better", "better"]
    assert set(result.advantages["verdict"].tolist()[2:]) == {"no different"}
    cross = result.crossings
    assert len(cross) == 2
    assert not cross["firm"].any()
    words = in_words(result, "y", name="x")
    assert "It is no better from x 1.5 up." in words
    assert "changes sign within noise at 2, 2.75" in words
    assert "changes sign at" not in words.replace("changes sign within", "")


CROSSOVER = """
name = "tiny_crossover"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = 6
months = 24
seed = 5
[parameters]
need_growth = 0.015
ageing = 0.01
[design]
kind = "grid"
[design.parameters]
budget_growth = [-0.02, 0.02, 0.06]
[report]
outcomes = ["population_health", "system_deficit"]
bootstrap = 200
[report.crossover]
outcomes = ["population_health", "system_deficit", "governance_costs"]
treatment = "shared_governance"
"""


@pytest.mark.slow
def test_the_report_crossover_section_end_to_end(tmp_path):
    path = tmp_path / "cross.toml"
    path.write_text(CROSSOVER)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "-q"]) == 0
    text = (out / "report.md").read_text()
    section = text.split("## Crossover: shared_governance versus fortress along budget_growth")[1]
    assert "![crossover](figures/crossover.png)" in section
    assert (out / "figures" / "crossover.png").stat().st_size > 0
    for outcome in ("population_health", "system_deficit", "governance_costs"):
        assert f"### {outcome} (" in section
    # governance costs: shared governance pays them, fortress does not
    assert (
        "shared_governance is worse than fortress on governance_costs at every budget growth "
        "tried (-2% to 6%)." in section
    )
    adv = pd.read_csv(out / "tables" / "crossover_advantages.csv")
    assert len(adv) == 3 * 3
    s = pd.read_parquet(out / "summaries.parquet")
    for outcome, sign in (("population_health", 1.0), ("system_deficit", -1.0)):
        g = s.pivot_table(index=["budget_growth", "replicate"], columns="rules", values=outcome)
        d = sign * (g["shared_governance"] - g["fortress"])
        mine = adv[adv["outcome"] == outcome].set_index("pressure")["advantage"]
        assert np.allclose(mine.to_numpy(), d.groupby(level=0).mean().to_numpy())
    assert len(pd.read_csv(out / "tables" / "crossover_slopes.csv")) == 3 * len(xo.BUDGET_RANGES)
    assert set(pd.read_csv(out / "tables" / "crossover_crossings.csv")["outcome"]) == {
        "population_health",
        "system_deficit",
        "governance_costs",
    }


def _script():
    """scripts/crossover.py as a module."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "scripts" / "crossover.py"
    spec = importlib.util.spec_from_file_location("crossover_script", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_script_runs_what_commons_run_runs_and_writes_its_findings(tmp_path):
    from sim.experiment.spec import load_experiment

    script = _script()
    path = tmp_path / "cross.toml"
    path.write_text(CROSSOVER)
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q", "--no-report"]) == 0
    # the script's sweep is the experiment's runs, run by run
    summaries = pd.read_parquet(tmp_path / "out" / "summaries.parquet")
    runs = script.sweep(load_experiment(path), 6)
    key = ["rules", "budget_growth", "replicate"]
    mine = runs.set_index(key).sort_index()
    theirs = summaries.set_index(key).sort_index()
    for outcome in xo.OUTCOMES:
        assert np.array_equal(mine[outcome].to_numpy(), theirs[outcome].to_numpy()), outcome
    assert np.allclose(
        mine["overhead_costs"], theirs["governance_costs"] + theirs["transaction_costs"]
    )
    # and it writes its findings: every outcome, every check, the sweep along need growth
    out = tmp_path / "crossover.md"
    argv = ["--experiment", str(path), "--check-replicates", "4", "--resamples", "100"]
    assert script.main([*argv, "--out", str(out), "--figure", str(tmp_path / "x.png")]) == 0
    text = out.read_text()
    for outcome in script.OUTCOMES:
        assert f"### {outcome} (" in text
    for check in script.CHECKS:
        assert f"### {check.name}" in text
    assert "## Along need growth at a fixed budget" in text
    assert (tmp_path / "x.png").stat().st_size > 0
