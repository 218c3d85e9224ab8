"""The one grouped bootstrap (`sim.analysis.stats.grouped_bootstrap_ci`, with `group_sums`): what
it documents, the level it is given, groups resampled whole, the same numbers in any block size,
and its two users (the uncertainty section's mean interval, the app's time to benefit) reading it
unchanged. Also the report's response band through `fan_quantiles`."""

from __future__ import annotations

import math
import zlib

import numpy as np
import pandas as pd
import pytest

import sim.analysis.stats as st
from sim.analysis.uncertainty import spread
from sim.app.timing import advantage
from sim.app.verdict import BY_NAME, outcome_series
from sim.core.constants import MEASURES
from sim.experiment.report_figures import outer_band


def _runs(groups: int, per_group: int, seed: int = 0, months: int | None = None):
    """Runs with a shared effect per group (sd 1) and noise per run (sd 0.5)."""
    rng = np.random.default_rng(seed)
    shape = (groups,) if months is None else (groups, months)
    effect = np.repeat(rng.normal(size=shape), per_group, axis=0)
    x = effect + 0.5 * rng.normal(size=effect.shape)
    return x, np.repeat(np.arange(groups), per_group)


def test_it_is_the_documented_bootstrap():
    x, groups = _runs(12, 3, seed=1)
    sums, counts = st.group_sums(x, groups)
    np.testing.assert_array_equal(counts, [3] * 12)
    np.testing.assert_allclose(sums, x.reshape(12, 3).sum(axis=1))
    low, high = st.grouped_bootstrap_ci(sums, counts, 0.9, 500, seed=4, tag="g")
    idx = np.random.default_rng([4, zlib.crc32(b"g")]).integers(0, 12, size=(500, 12))
    boot = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    assert (low, high) == st.percentile_interval(boot, 0.9)
    assert (low, high) == pytest.approx(np.quantile(boot, [0.05, 0.95]), rel=1e-12)
    assert isinstance(low, float)
    assert low < x.mean() < high


def test_one_run_per_group_is_the_plain_bootstrap_of_the_mean():
    x = np.random.default_rng(2).normal(size=40)
    sums, counts = st.group_sums(x, np.arange(40))
    assert st.grouped_bootstrap_ci(sums, counts, 0.95, 800, 3, "m") == st.bootstrap_mean_ci(
        x, 0.95, 800, 3, "m"
    )


def test_the_level_is_honoured():
    x, groups = _runs(30, 2, seed=3)
    sums, counts = st.group_sums(x, groups)
    (lo80, hi80), (lo95, hi95) = (
        st.grouped_bootstrap_ci(sums, counts, level, 2000, 5, "lvl") for level in (0.8, 0.95)
    )
    assert lo95 < lo80 < hi80 < hi95
    with pytest.raises(ValueError, match=r"^level=95: a confidence level lies strictly"):
        st.grouped_bootstrap_ci(sums, counts, 95, 100, 5, "lvl")  # a percentage, not a level


def test_the_interval_narrows_with_more_groups():
    def width(groups: int) -> float:
        x, g = _runs(groups, 2, seed=groups)
        low, high = st.grouped_bootstrap_ci(*st.group_sums(x, g), 0.95, 2000, 0, "n")
        return high - low

    w10, w40, w160 = width(10), width(40), width(160)
    assert w10 > w40 > w160
    assert w10 / w160 > 2.5  # about sqrt(16) = 4


def test_groups_are_resampled_whole():
    """Replicates sharing a draw are not independent: treating them as such understates the
    interval when the draw's effect dominates."""
    x, groups = _runs(20, 5, seed=6)
    grouped = st.grouped_bootstrap_ci(*st.group_sums(x, groups), 0.95, 2000, 0, "w")
    as_runs = st.grouped_bootstrap_ci(*st.group_sums(x, np.arange(len(x))), 0.95, 2000, 0, "w")
    assert grouped[1] - grouped[0] > 1.5 * (as_runs[1] - as_runs[0])


def test_block_size_never_changes_the_numbers(monkeypatch):
    x, groups = _runs(9, 2, seed=7, months=5)
    sums, counts = st.group_sums(x, groups)
    whole = st.grouped_bootstrap_ci(sums, counts, 0.9, 301, 8, "b")
    monkeypatch.setattr(st, "BOOTSTRAP_BLOCK", 100)  # two resamples a block
    blocked = st.grouped_bootstrap_ci(sums, counts, 0.9, 301, 8, "b")
    for a, b in zip(whole, blocked, strict=True):
        assert a.shape == (5,)
        np.testing.assert_array_equal(a, b)


def test_months_get_one_interval_each():
    x, groups = _runs(15, 2, seed=9, months=4)
    low, high = st.grouped_bootstrap_ci(*st.group_sums(x, groups), 0.95, 1000, 1, "mo")
    for m in range(4):
        lo_m, hi_m = st.grouped_bootstrap_ci(*st.group_sums(x[:, m], groups), 0.95, 1000, 1, "mo")
        assert (low[m], high[m]) == pytest.approx((lo_m, hi_m))


def test_edges_are_refused_or_nan():
    assert all(math.isnan(v) for v in st.grouped_bootstrap_ci([], [], 0.95, 10, 0, "e"))
    with pytest.raises(ValueError, match="resamples=0"):
        st.grouped_bootstrap_ci([1.0], [1], 0.95, 0, 0, "e")
    with pytest.raises(ValueError, match="one group per run"):
        st.group_sums([1.0, 2.0], [0])


def test_the_uncertainty_section_and_the_time_to_benefit_use_it():
    d, draws = _runs(25, 3, seed=10)
    s = spread(d, draws, 0.9, resamples=700, seed=2, tag="unc|x")
    assert (s.low, s.high) == pytest.approx(
        st.grouped_bootstrap_ci(*st.group_sums(d, draws), 0.9, 700, 2, "unc|x"), rel=1e-12
    )
    rng = np.random.default_rng(11)
    series = {side: rng.normal(size=(12, 24, len(MEASURES))) for side in ("left", "right")}
    outcome = BY_NAME["population_health"]
    draws = np.arange(12) // 3
    adv = advantage(series, outcome, draws, 0.9, 3)
    diff = outcome_series(series["right"], outcome) - outcome_series(series["left"], outcome)
    low, high = st.grouped_bootstrap_ci(
        *st.group_sums(diff, draws), 0.9, 1000, 3, "benefit|population_health"
    )
    np.testing.assert_array_equal(adv.low, low)
    np.testing.assert_array_equal(adv.high, high)


def test_the_response_band_is_the_fan_band_of_the_runs():
    runs = pd.Series([3.0, np.nan, 1.0, 7.0, 2.0, 10.0])
    low, high = outer_band(runs)
    lo_q, hi_q = st.FAN_BANDS[0]
    assert (low, high) == (runs.quantile(lo_q), runs.quantile(hi_q))  # NaN left out, as pandas
    q = st.fan_quantiles([3.0, 1.0, 7.0, 2.0, 10.0])
    assert (low, high) == (q[lo_q], q[hi_q])
    assert all(math.isnan(v) for v in outer_band(pd.Series([np.nan, np.nan])))
