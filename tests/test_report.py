"""The report's numbers match a recomputation from the Parquet files."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pandas as pd
import pytest
from scipy.stats import mannwhitneyu

from sim import load_results
from sim.commands import main
from sim.experiment.cli import print_comparison
from sim.experiment.report_analysis import find_crossings, sensitivity_indices

ABLATION = """
name = "report_check"
scenario = "place_system"
rules = ["fortress"]
replicates = 12
months = 24
seed = 3
chunk_size = 25
[ablation]
base = "shared_governance"
principles = ["monitoring", "pooled_funding"]
[outputs]
series = true
series_replicates = 4
[report]
reference = "fortress"
outcomes = ["population_health", "system_deficit", "mean_cooperation"]
bootstrap = 500
confidence = 0.9
"""


def _boot(x, seed, tag, resamples=500, confidence=0.9):
    """The documented procedure, written out again."""
    rng = np.random.default_rng([seed, zlib.crc32(tag.encode())])
    idx = rng.integers(0, len(x), size=(resamples, len(x)))
    means = x[idx].mean(axis=1)
    a = (1 - confidence) / 2
    return np.quantile(means, [a, 1 - a])


def _tables(text: str, heading: str) -> dict[str, list[list[str]]]:
    """{outcome: rows} of the markdown tables under one '## heading'."""
    section = text.split(f"## {heading}")[1].split("\n## ")[0]
    out = {}
    for block in section.split("### ")[1:]:
        title = block.split("\n")[0].split(" ")[0]
        rows = [
            [c.strip() for c in line.strip("|").split("|")]
            for line in block.splitlines()
            if line.startswith("|") and not line.startswith("|---")
        ]
        out[title] = rows[1:]
    return out


def _close(shown: str, value: float) -> bool:
    return np.isclose(float(shown), value, rtol=1e-5, atol=1e-9)


def _interval(shown: str) -> tuple[float, float]:
    lo, hi = re.match(r"\[(.*), (.*)\]", shown).groups()
    return float(lo), float(hi)


@pytest.mark.slow
def test_report_numbers_recomputed_from_parquet(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(ABLATION)
    out = tmp_path / "res"
    assert main(["run", str(path), "--out", str(out), "-q"]) == 0
    text = (out / "report.md").read_text()
    s = pd.read_parquet(out / "summaries.parquet")  # straight from Parquet
    for fig in ("comparison.png", "fan.png", "ablation.png"):
        assert (out / "figures" / fig).stat().st_size > 1000
        assert f"figures/{fig}" in text

    # Every interval is at the experiment's level (0.9), never a fixed 95%.
    assert "90% percentile bootstrap" in text
    assert "| 90% CI |" in text
    assert "95%" not in text
    tables = _tables(text, "Comparison of rule sets")
    assert set(tables) == {"population_health", "system_deficit", "mean_cooperation"}
    for outcome, rows in tables.items():
        ref = s[s["rules"] == "fortress"].sort_values("replicate")[outcome].to_numpy()
        assert [r[0] for r in rows] == [
            "fortress",
            "shared_governance",
            "shared_governance-monitoring",
            "shared_governance-pooled_funding",
        ]
        for name, n, mean, ci, diff, diff_ci, delta, p in rows:
            x = s[s["rules"] == name].sort_values("replicate")[outcome].to_numpy()
            assert int(n) == len(x) == 12
            assert _close(mean, x.mean())
            lo, hi = _boot(x, 3, f"mean|{outcome}|{name}|0")
            assert _close(_interval(ci)[0], lo)
            assert _close(_interval(ci)[1], hi)
            assert _close(diff, x.mean() - ref.mean())
            if name == "fortress":
                continue
            dlo, dhi = _boot(x - ref, 3, f"diff|{outcome}|{name}|0")
            assert _close(_interval(diff_ci)[0], dlo)
            assert _close(_interval(diff_ci)[1], dhi)
            mw = mannwhitneyu(x, ref, alternative="two-sided")
            assert _close(delta, 2 * mw.statistic / (len(x) * len(ref)) - 1)
            if p != "<1e-300":
                assert np.isclose(float(p), mw.pvalue, rtol=1e-2)

    ablation = _tables(text, "Ablation")
    assert set(ablation) == {"population_health", "system_deficit", "mean_cooperation"}
    base = s[s["rules"] == "shared_governance"].sort_values("replicate")
    for outcome, rows in ablation.items():
        assert [row[0] for row in rows] == ["monitoring", "pooled_funding"], outcome
        for principle, change, _ci, _delta, _p in rows:
            abl = s[s["rules"] == f"shared_governance-{principle}"].sort_values("replicate")
            assert _close(change, abl[outcome].mean() - base[outcome].mean())

    # fan-chart data: the series of the first 4 replicates of each rule set
    res = load_results(out)
    assert set(res.series["replicate"]) == set(range(4))
    assert res.series["month"].max() == 24


@pytest.mark.slow
def test_crossover_and_sensitivity_reports(tmp_path):
    crossover = """
name = "cross"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = 6
months = 60
seed = 4
[design]
kind = "grid"
[design.parameters]
budget_growth = [-0.05, 0.0, 0.1]
[report]
outcomes = ["pool_balance"]
bootstrap = 200
[report.crossover]
outcomes = ["pool_balance"]
treatment = "shared_governance"
"""
    path = tmp_path / "cross.toml"
    path.write_text(crossover)
    assert main(["run", str(path), "--out", str(tmp_path / "c"), "-q"]) == 0
    text = (tmp_path / "c" / "report.md").read_text()
    assert "## Crossover" in text
    assert "figures/crossover.png" in text
    assert "figures/response.png" in text
    s = pd.read_parquet(tmp_path / "c" / "summaries.parquet")
    g = s.groupby(["budget_growth", "rules"])["pool_balance"].mean().unstack()
    adv = (g["shared_governance"] - g["fortress"]).to_numpy()
    # Under a real cut of 5% a year fortress keeps the larger pool; with flat or growing budgets
    # shared governance does: one crossing, between -5% and 0%, which the report must give.
    crossings = find_crossings(g.index.to_numpy(), adv)
    assert len(crossings) == 1, (adv, crossings)
    assert -0.05 < crossings[0] < 0.0, (adv, crossings)
    table = pd.read_csv(tmp_path / "c" / "tables" / "crossover_crossings.csv")
    assert np.allclose(table["crossing"].dropna().to_numpy(), crossings)
    advantages = pd.read_csv(tmp_path / "c" / "tables" / "crossover_advantages.csv")
    assert np.allclose(advantages["advantage"].to_numpy(), adv)
    row = next(line for line in text.splitlines() if line.startswith("| pool_balance |"))
    assert "none in the range" not in row, row

    sens = """
name = "sens"
scenario = "place_system"
rules = ["shared_governance"]
replicates = 2
months = 24
seed = 8
[design]
kind = "morris"
samples = 4
[design.parameters]
learning_rate = { low = 0.05, high = 0.4 }
trust_loss = { low = 0.05, high = 0.5 }
[report]
outcomes = ["mean_cooperation"]
"""
    path.write_text(sens)
    assert main(["run", str(path), "--out", str(tmp_path / "m"), "-q"]) == 0
    text = (tmp_path / "m" / "report.md").read_text()
    assert "Sensitivity analysis (SALib morris)" in text
    assert "mu_star" in text
    table = pd.read_csv(tmp_path / "m" / "tables" / "sensitivity.csv")
    assert set(table["parameter"]) == {"learning_rate", "trust_loss"}
    assert table[["mu_star", "mu_star_conf", "sigma"]].notna().all().all()


def _constructed(kind: str, response):
    """A sensitivity experiment over a, b, c in [0, 1] whose outcome is `response(point)`."""
    from types import SimpleNamespace

    from SALib.sample import morris, sobol

    design = {
        "kind": kind,
        "parameters": {k: {"low": 0.0, "high": 1.0} for k in ("a", "b", "c")},
        "levels": 4,
    }
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0.0, 1.0]] * 3}
    if kind == "morris":
        x = morris.sample(problem, 20, num_levels=4, seed=1)
    else:
        x = sobol.sample(problem, 512, calc_second_order=False, seed=1)
    points = [dict(zip("abc", row, strict=True)) for row in x]
    frame = pd.DataFrame(
        {
            "point": range(len(points)),
            "rules": "r",
            "replicate": 0,
            "y": [response(p) for p in points],
        }
    )
    return frame, SimpleNamespace(design=design, points=points, confidence=0.9, seed=3)


def test_sensitivity_ranks_the_parameter_that_drives_the_outcome():
    frame, exp = _constructed("morris", lambda p: 10 * p["a"] + p["b"])
    idx = sensitivity_indices(frame, exp, "y", "r").set_index("parameter")
    assert list(idx["mu_star"].sort_values(ascending=False).index) == ["a", "b", "c"]
    # A linear response: every elementary effect is the coefficient, so mu_star is exact.
    assert idx["mu_star"].to_numpy() == pytest.approx([10.0, 1.0, 0.0], abs=1e-9)
    assert idx["sigma"].to_numpy() == pytest.approx([0.0, 0.0, 0.0], abs=1e-9)

    frame, exp = _constructed("sobol", lambda p: 10 * p["a"] + p["c"])
    idx = sensitivity_indices(frame, exp, "y", "r").set_index("parameter")
    assert list(idx["ST"].sort_values(ascending=False).index) == ["a", "c", "b"]
    assert idx.loc["a", "S1"] == pytest.approx(100 / 101, abs=0.05)  # variance share of a
    assert abs(idx.loc["b", "ST"]) < 0.01


def test_cli_comparison_states_the_experiments_level(tmp_path, capsys):
    (tmp_path / "tables").mkdir()
    pd.DataFrame(
        {
            "outcome": ["population_health"] * 2,
            "rules": ["fortress", "shared_governance"],
            "mean": [0.5, 0.6],
            "ci_low": [0.45, 0.55],
            "ci_high": [0.55, 0.65],
            "level": [0.8, 0.8],
        }
    ).to_csv(tmp_path / "tables" / "comparison.csv", index=False)
    print_comparison(tmp_path)
    out = capsys.readouterr().out
    assert "[80% bootstrap CI]" in out
    assert "95%" not in out
    assert "0.6 [0.55, 0.65]" in out


def test_find_crossings():
    xs = np.array([0.0, 1.0, 2.0, 3.0])
    assert find_crossings(xs, np.array([-2.0, -1.0, 1.0, 2.0])) == [1.5]
    assert find_crossings(xs, np.array([1.0, 2.0, 3.0, 4.0])) == []
    assert find_crossings(xs, np.array([1.0, -1.0, -1.0, 1.0])) == [0.5, 2.5]
