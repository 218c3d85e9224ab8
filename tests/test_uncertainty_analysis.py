"""The comparison over seeds and parameters recovers what was planted in constructed runs.

Each frame is built with a known structure: draw g has parameters a (which drives the paired
difference) and b (which does not); replicate j uses draw j // k; the difference of replicate j
is effect(a_g) plus seed noise of a known standard deviation. The reference's own outcome is
noise shared by both rule sets (common random numbers), so it cancels in the difference.
"""

from __future__ import annotations

import math
import zlib
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.uncertainty import compare_uncertain, paired_differences, spread
from sim.analysis.uncertainty_text import share_in_words, verdicts

SEED_SD = 0.01


def _frame(draws=800, k=4, slope=0.1, centre=0.02, seed_sd=SEED_SD, seed=1):
    """Two rule sets over `draws` parameter draws with `k` seeds each; returns (frame, effect)."""
    rng = np.random.default_rng(seed)
    draw = np.repeat(np.arange(draws), k)
    a, b = rng.uniform(0, 1, draws), rng.uniform(0, 1, draws)
    effect = centre + slope * (a - 0.5)  # the planted mean difference of each draw
    shared = rng.normal(5.0, 1.0, draws * k)  # common random numbers: cancels when paired
    d = effect[draw] + rng.normal(0.0, seed_sd, draws * k)
    parts = []
    for rules, y in (("fortress", shared), ("shared_governance", shared + d)):
        parts.append(
            pd.DataFrame(
                {
                    "rules": rules,
                    "point": 0,
                    "replicate": np.arange(draws * k),
                    "seed": 7,
                    "draw": draw,
                    "a": a[draw],
                    "b": b[draw],
                    "population_health": y,
                    "system_deficit": -y,
                    "spend_per_year": y,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame.attrs["uncertain"] = ("a", "b")
    return frame, effect


def _compare(frame, level=0.9):
    return compare_uncertain(
        frame,
        ["population_health", "system_deficit", "spend_per_year"],
        ["fortress", "shared_governance"],
        "fortress",
        lower_is_better={"system_deficit"},
        neutral={"spend_per_year"},
        level=level,
        resamples=500,
        seed=3,
    )


def _row(comp, outcome):
    return comp.summary.set_index("outcome").loc[outcome]


def test_the_driving_parameter_ranks_first_with_the_advantages_sign():
    comp = _compare(_frame()[0])
    drv = comp.drivers
    health = drv[drv["outcome"] == "population_health"].set_index("parameter")
    assert health.loc["a", "rank"] == 1
    assert health.loc["a", "significant"]
    assert health.loc["a", "rho"] > 0.9
    assert health.loc["a", "prcc"] > 0.9
    assert not health.loc["b", "significant"]
    # Lower is better for the deficit, which falls with a: a drives the advantage up there too.
    deficit = drv[drv["outcome"] == "system_deficit"].set_index("parameter")
    assert deficit.loc["a", "rank"] == 1
    assert deficit.loc["a", "rho"] > 0.9


def test_p_better_matches_the_planted_share_within_sampling_error():
    frame, effect = _frame(centre=0.02, slope=0.1)
    comp = _compare(frame)
    truth = float((effect > 0).mean())  # the share of draws whose planted effect is positive
    row = _row(comp, "population_health")
    se = math.sqrt(truth * (1 - truth) / len(effect))
    assert abs(row["p_better_draws"] - truth) < 4 * se + 0.01
    assert row["p_better_low"] <= row["p_better_draws"] <= row["p_better_high"]
    # The deficit is the health with its sign turned and lower is better: the same share.
    assert _row(comp, "system_deficit")["p_better_draws"] == row["p_better_draws"]
    assert row["p_better_runs"] == pytest.approx(truth, abs=0.05)


def test_seed_interval_matches_the_planted_within_draw_noise():
    comp = _compare(_frame(seed_sd=SEED_SD)[0], level=0.9)
    row = _row(comp, "population_health")
    z = stats.norm.ppf(0.95)
    assert row["sd_seeds"] == pytest.approx(SEED_SD, rel=0.05)
    width = row["seeds_high"] - row["seeds_low"]
    assert width == pytest.approx(2 * z * SEED_SD, rel=0.08)
    assert row["seeds_low"] < row["mean"] < row["seeds_high"]


def test_parameter_interval_matches_the_planted_between_draw_spread():
    # Seed noise as large as the parameter spread: the decomposition must take it out.
    frame, effect = _frame(slope=0.1, seed_sd=0.03, k=4, draws=1500)
    row = _row(_compare(frame, level=0.9), "population_health")
    lo, hi = np.quantile(effect, [0.05, 0.95])
    assert row["parameters_low"] == pytest.approx(lo, abs=0.006)
    assert row["parameters_high"] == pytest.approx(hi, abs=0.006)
    assert row["sd_parameters"] == pytest.approx(effect.std(ddof=1), rel=0.08)
    # Both together is wider than either alone.
    assert row["both_high"] - row["both_low"] > row["parameters_high"] - row["parameters_low"]
    assert row["both_high"] - row["both_low"] > row["seeds_high"] - row["seeds_low"]


def test_the_mean_difference_and_its_interval_cover_the_planted_mean():
    frame, effect = _frame()
    row = _row(_compare(frame), "population_health")
    assert row["mean"] == pytest.approx(effect.mean(), abs=0.003)
    assert row["low"] < effect.mean() < row["high"]


def test_one_seed_per_draw_cannot_separate_seeds_from_parameters():
    frame, _ = _frame(k=1)
    comp = _compare(frame)
    row = _row(comp, "population_health")
    assert not row["separable"]
    assert math.isnan(row["seeds_low"])
    assert math.isnan(row["sd_seeds"])
    assert row["parameters_low"] == pytest.approx(row["both_low"], abs=1e-3)
    text = verdicts(comp).set_index("outcome").loc["population_health", "verdict"]
    assert "cannot be separated" in text


def test_no_parameter_effect_no_driver_and_unbiased_share():
    frame, _ = _frame(slope=0.0, centre=0.0, seed_sd=0.01, k=2)
    comp = _compare(frame)
    row = _row(comp, "population_health")
    assert row["sd_parameters"] < 0.002  # nothing planted between draws
    assert abs(row["p_better_draws"] - 0.5) < 0.07
    text = verdicts(comp).set_index("outcome").loc["population_health", "verdict"]
    assert "no drawn parameter moves it beyond noise" in text


def test_verdicts_name_the_share_the_range_and_the_driver():
    frame, _effect = _frame(centre=0.2, slope=0.1)  # better in every draw
    comp = _compare(frame)
    v = verdicts(comp).set_index("outcome")["verdict"]
    assert v["population_health"].startswith(
        "shared_governance is better than fortress on population health in all 800 parameter"
    )
    assert "depends most on a (" in v["population_health"]
    assert "lower is better" in v["system_deficit"]
    assert v["spend_per_year"].startswith("shared_governance has a higher spend per year")


def test_share_in_words():
    assert share_in_words(0.914, 1000) == "in 91% of 1,000 parameter draws"
    assert share_in_words(0.0, 10) == "in none of the 10 parameter draws"
    assert share_in_words(0.004, 1000) == "in 0.4% of 1,000 parameter draws"


def test_pairing_is_checked():
    frame, _ = _frame(draws=10, k=2)
    bad = frame.copy()
    bad.loc[(bad["rules"] == "fortress") & (bad["replicate"] == 3), "draw"] = 99
    with pytest.raises(ValueError, match="not paired"):
        paired_differences(bad, ["population_health"], "shared_governance", "fortress")
    pairs = paired_differences(frame, ["population_health"], "shared_governance", "fortress")
    assert list(pairs["replicate"]) == list(range(20))


def test_spread_of_equal_draws_has_no_parameter_part():
    d = np.array([1.0, 3.0, 1.0, 3.0, 1.0, 3.0])
    s = spread(d, np.array([0, 0, 1, 1, 2, 2]), 0.9, resamples=200)
    assert s.sd_parameters == 0.0
    assert s.parameters == (2.0, 2.0)
    assert s.sd_seeds == pytest.approx(math.sqrt(2.0))  # residuals +-1 over n_g - 1 = 1 each


def _experiment(uncertain: bool, seeds: int = 4):
    """A stand-in for `sim.experiment.spec.Experiment` with (or without) its uncertainty."""
    from sim.core.priors_table import PRIOR_INDEX, PRIORS

    unc = None
    if uncertain:
        unc = SimpleNamespace(
            priors=tuple(PRIORS[PRIOR_INDEX[n]] for n in DRAWN),
            seeds_per_draw=seeds,
            names=DRAWN,
        )
    return SimpleNamespace(
        uncertainty=unc,
        points=[{}],
        outcomes=["population_health", "system_deficit", "spend_per_year"],
        rule_names=["fortress", "shared_governance"],
        reference="fortress",
        confidence=0.9,
        bootstrap=200,
        seed=3,
    )


DRAWN = ("prevention_effect", "spillover")


def _named_frame(**kw):
    frame, effect = _frame(**kw)
    return frame.rename(columns=dict(zip(("a", "b"), DRAWN, strict=True))), effect


def test_report_section_appears_with_uncertainty(tmp_path):
    from sim.experiment.report_uncertainty import seeds_only_note, uncertainty_section

    frame, _ = _named_frame(draws=200, k=4)
    out: list[str] = []
    uncertainty_section(frame, _experiment(True), tmp_path, tmp_path, out.append)
    text = "\n".join(out)
    assert text.startswith("## Uncertainty: seeds and parameters")
    assert "### shared_governance against fortress" in text
    assert "| prevention_effect | triangular(" in text  # the priors table
    assert "depends most on prevention_effect" in text
    assert "| population_health (higher is better) |" in text
    for name in ("uncertainty.png", "uncertainty.csv", "uncertainty_drivers.csv"):
        assert (tmp_path / name).is_file()
    table = pd.read_csv(tmp_path / "uncertainty.csv")
    assert set(table["outcome"]) == {"population_health", "system_deficit", "spend_per_year"}
    assert "over seeds alone" not in seeds_only_note(_experiment(True))


def test_report_without_uncertainty_says_intervals_are_over_seeds_alone(tmp_path):
    from sim.experiment.report_uncertainty import plan_rows, seeds_only_note, uncertainty_section

    frame, _ = _named_frame(draws=20, k=1)
    out: list[str] = []
    uncertainty_section(frame, _experiment(False), tmp_path, tmp_path, out.append)
    assert out == []
    assert not (tmp_path / "uncertainty.csv").exists()
    note = seeds_only_note(_experiment(False))
    assert "over seeds alone, at fixed parameter values" in note
    assert "[uncertainty]" in note
    assert "intervals over seeds alone" in plan_rows(None, frame)[0][1]


def test_report_section_with_one_seed_per_draw_says_so(tmp_path):
    from sim.experiment.report_uncertainty import uncertainty_section

    frame, _ = _named_frame(draws=100, k=1)
    out: list[str] = []
    uncertainty_section(frame, _experiment(True, seeds=1), tmp_path, tmp_path, out.append)
    text = "\n".join(out)
    assert "seed noise cannot be separated from parameter uncertainty" in text


def test_p_better_over_parameters_takes_the_seed_noise_out():
    # Seed noise three times the parameter spread: the draw means as run are pulled towards one
    # half, the share once seed noise is taken out stays near the planted share.
    frame, effect = _frame(centre=0.03, slope=0.1, seed_sd=0.09, k=3, draws=2000)
    row = _row(_compare(frame), "population_health")
    truth = float((effect > 0).mean())
    assert truth > 0.75
    assert abs(row["p_better_parameters"] - truth) < 0.05
    assert row["p_better_draws"] < truth - 0.05


TINY = """
name = "uncertainty_wiring"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = 6
months = 12
seed = 5
[report]
reference = "fortress"
outcomes = ["population_health", "system_deficit"]
bootstrap = 200
"""


class _WithUncertainty:
    """An experiment as parsed, with an `uncertainty` declaration added (until the spec has it)."""

    def __init__(self, exp):
        self._exp = exp
        self.uncertainty = SimpleNamespace(priors=(), seeds_per_draw=1, names=())

    def __getattr__(self, name):
        return getattr(self._exp, name)


@pytest.mark.slow
def test_build_report_has_the_section_only_with_uncertainty(tmp_path, monkeypatch):
    from sim.commands import main
    from sim.experiment import report

    path = tmp_path / "exp.toml"
    path.write_text(TINY)
    out = tmp_path / "res"
    assert main(["run", str(path), "--out", str(out), "-q"]) == 0
    text = (out / "report.md").read_text()
    assert "## Uncertainty: seeds and parameters" not in text
    assert "These intervals are over seeds alone, at fixed parameter values" in text
    assert "| uncertainty | none: parameters fixed (intervals over seeds alone) |" in text
    assert "These runs also draw their parameters from the priors" not in text
    if getattr(report.parse_experiment(TINY), "uncertainty", None) is None:
        parse = report.parse_experiment
        monkeypatch.setattr(
            report, "parse_experiment", lambda *a, **k: _WithUncertainty(parse(*a, **k))
        )
    report.build_report(out)
    text = (out / "report.md").read_text()
    assert "## Uncertainty: seeds and parameters" in text
    assert "### shared_governance against fortress" in text
    assert "These intervals are over seeds alone" not in text
    assert "These runs also draw their parameters from the priors" in text  # the spread's note
    assert (out / "figures" / "uncertainty.png").is_file()


def test_verdict_says_when_the_parameters_move_nothing_and_the_mean_is_no_different():
    # Every draw has the same two differences, +0.01 and -0.01: no parameter part, mean 0.
    frame, _ = _frame(draws=50, k=2)
    sg = frame["rules"] == "shared_governance"
    ref = frame.loc[~sg, "population_health"].to_numpy()
    frame.loc[sg, "population_health"] = ref + np.where(np.arange(100) % 2, -0.01, 0.01)
    comp = _compare(frame)
    row = _row(comp, "population_health")
    assert row["sd_parameters"] == 0.0
    text = verdicts(comp).set_index("outcome").loc["population_health", "verdict"]
    assert "less than seed noise can show" in text
    assert "is no different from 0" in text


def test_mean_interval_is_the_documented_bootstrap_over_draws(monkeypatch):
    import sim.analysis.stats as st
    import sim.analysis.uncertainty as unc

    rng = np.random.default_rng(4)
    draws = np.repeat(np.arange(30), 3)[:-1]  # the last draw has two seeds
    d = rng.normal(size=len(draws))
    monkeypatch.setattr(st, "BOOTSTRAP_BLOCK", 70)  # blocks of two resamples: the same numbers
    s = unc.spread(d, draws, 0.9, resamples=301, seed=11, tag="unc|x|t|0")
    counts = np.bincount(draws)
    means = np.bincount(draws, weights=d) / counts
    idx = np.random.default_rng([11, zlib.crc32(b"unc|x|t|0")]).integers(0, 30, size=(301, 30))
    boot = (counts * means)[idx].sum(axis=1) / counts[idx].sum(axis=1)
    assert (s.low, s.high) == tuple(np.quantile(boot, [0.05, 0.95]))


def test_runs_without_a_value_are_left_out_of_that_outcome():
    frame, _ = _frame(draws=50, k=2)
    full = _row(_compare(frame), "population_health")
    frame.loc[frame.index[::7], "population_health"] = np.nan
    frame["system_deficit"] = np.nan
    comp = _compare(frame)
    row = _row(comp, "population_health")
    assert row["n_runs"] == 100 - frame[frame["population_health"].isna()]["replicate"].nunique()
    assert np.isfinite([row["mean"], row["low"], row["parameters_low"]]).all()
    assert row["mean"] == pytest.approx(full["mean"], abs=0.01)
    assert "system_deficit" not in set(comp.summary["outcome"])


def test_prcc_separates_a_driver_from_a_parameter_correlated_with_it():
    from sim.analysis.drivers import drivers

    rng = np.random.default_rng(8)
    a = rng.uniform(size=600)
    b = a + rng.normal(0.0, 0.2, 600)  # b follows a but does not act on y
    y = a + rng.normal(0.0, 0.05, 600)
    out = drivers(pd.DataFrame({"a": a, "b": b}), y, level=0.95).set_index("parameter")
    assert out.loc["b", "rho"] > 0.6  # the plain rank correlation is fooled
    assert abs(out.loc["b", "prcc"]) < 0.15  # the partial one is not
    assert out.loc["a", "prcc"] > 0.9
    assert out.loc["a", "rank"] == 1


def test_console_prints_p_better_from_the_table(tmp_path, capsys):
    from sim.analysis.uncertainty_text import percent
    from sim.experiment.report_uncertainty import print_uncertainty, uncertainty_section

    frame, _ = _named_frame(draws=200, k=2)
    (tmp_path / "tables").mkdir()
    uncertainty_section(frame, _experiment(True, 2), tmp_path, tmp_path / "tables", lambda _: None)
    print_uncertainty(tmp_path, ("population_health", "system_deficit"))
    out = capsys.readouterr().out
    table = pd.read_csv(tmp_path / "tables" / "uncertainty.csv").set_index("outcome")
    assert "seed noise taken out" in out
    line = next(x for x in out.splitlines() if x.startswith("shared_governance"))
    assert percent(table.loc["population_health", "p_better_parameters"]) in line
    print_uncertainty(tmp_path / "nowhere", ("population_health",))
    assert capsys.readouterr().out == ""


def test_prcc_equals_the_correlation_of_the_two_regression_residuals():
    # The definition, computed independently: residuals of rank(x_j) and rank(y) after a
    # least-squares fit (with an intercept) on the other columns' ranks. A constant column
    # gives NaN and leaves the others alone.
    from scipy import stats as st

    from sim.analysis.drivers import _prcc

    rng = np.random.default_rng(11)
    n, m = 250, 8
    x = rng.random((n, m))
    x[:, 5] = 0.25
    y = 2 * x[:, 0] - x[:, 1] + x[:, 0] * x[:, 2] + rng.normal(0, 0.3, n)
    r, p = _prcc(x, y)
    rx = np.column_stack([st.rankdata(x[:, j]) for j in range(m)])
    ry = st.rankdata(y)
    for j in (0, 1, 2, 4):
        others = np.column_stack([np.ones(n), np.delete(rx, j, axis=1)])
        ex = rx[:, j] - others @ np.linalg.lstsq(others, rx[:, j], rcond=None)[0]
        ey = ry - others @ np.linalg.lstsq(others, ry, rcond=None)[0]
        assert r[j] == pytest.approx(np.corrcoef(ex, ey)[0, 1], abs=1e-9)
    assert np.isnan(r[5])
    assert np.isnan(p[5])
    assert p[0] < 1e-6 < p[4]
