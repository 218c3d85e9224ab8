"""Statistics: the mechanisms produce the brief's patterns over 40 seeds at the default scenario,
and the one statistics module (`sim.analysis.stats`, `sim.analysis.tables`) computes what it says.
"""

import zlib

import numpy as np
import pytest
from scipy import stats

from sim import run_many
from sim.analysis import stats as st
from sim.analysis.tables import fmt_level, md_table

REPLICATES = 40
ALPHA = 0.001


@pytest.fixture(scope="module")
def runs():
    return run_many(
        ["fortress", "shared_governance", "partnership_board"],
        replicates=REPLICATES,
        months=120,
        seed=2024,
    )


def _outcome(runs, rules, column):
    return runs.loc[runs["rules"] == rules, column].to_numpy()


def test_shared_governance_ends_healthier_than_fortress(runs):
    shared = _outcome(runs, "shared_governance", "population_health")
    fortress = _outcome(runs, "fortress", "population_health")
    assert stats.mannwhitneyu(shared, fortress, alternative="greater").pvalue < ALPHA


def test_shared_governance_ends_with_smaller_system_deficit(runs):
    shared = _outcome(runs, "shared_governance", "system_deficit")
    fortress = _outcome(runs, "fortress", "system_deficit")
    assert stats.mannwhitneyu(shared, fortress, alternative="less").pvalue < ALPHA


def test_acute_share_of_spend_rises_under_fortress(runs):
    start = _outcome(runs, "fortress", "acute_share_start")
    end = _outcome(runs, "fortress", "acute_share")
    assert stats.wilcoxon(end, start, alternative="greater").pvalue < ALPHA


def test_partnership_board_cooperation_decays(runs):
    start = _outcome(runs, "partnership_board", "cooperation_start")
    end = _outcome(runs, "partnership_board", "mean_cooperation")
    assert stats.wilcoxon(end, start, alternative="less").pvalue < ALPHA


# ------------------------------------------------------------------------------------------------
# sim.analysis.stats and sim.analysis.tables: the one implementation of the project's statistics
# ------------------------------------------------------------------------------------------------
def test_t_interval_matches_scipy_and_covers_at_its_level():
    rng = np.random.default_rng(11)
    x = rng.normal(3.0, 2.0, size=25)
    m, lo, hi = st.t_interval(x, 0.9)
    ref = stats.t.interval(0.9, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
    assert m == pytest.approx(x.mean())
    assert (lo, hi) == pytest.approx(ref, rel=1e-12)
    # Coverage over many samples of known normal data: close to the nominal level.
    for level in (0.8, 0.95):
        samples = rng.normal(3.0, 2.0, size=(4000, 12))
        covered = 0
        for s in samples:
            _, lo, hi = st.t_interval(s, level)
            covered += lo <= 3.0 <= hi
        assert covered / len(samples) == pytest.approx(level, abs=0.02)


def test_t_interval_degenerate_samples():
    assert st.t_interval([2.0, 2.0, 2.0], 0.95) == (2.0, 2.0, 2.0)
    assert st.t_interval([5.0], 0.95) == (5.0, 5.0, 5.0)
    with pytest.raises(ValueError, match="level"):
        st.t_interval([1.0, 2.0], 95)


def test_bootstrap_ci_is_seeded_contains_the_mean_and_narrows_with_n():
    rng = np.random.default_rng(5)
    small, large = rng.exponential(2.0, 40), rng.exponential(2.0, 4000)
    lo, hi = st.bootstrap_mean_ci(small, 0.95, 2000, seed=7, tag="t")
    assert lo < small.mean() < hi
    assert (lo, hi) == st.bootstrap_mean_ci(small, 0.95, 2000, seed=7, tag="t")  # reproducible
    assert (lo, hi) != st.bootstrap_mean_ci(small, 0.95, 2000, seed=7, tag="other")
    lo_l, hi_l = st.bootstrap_mean_ci(large, 0.95, 2000, seed=7, tag="t")
    assert lo_l < large.mean() < hi_l
    assert (hi_l - lo_l) < (hi - lo) / 5  # about sqrt(100) = 10 times narrower
    # The documented procedure, written out independently.
    g = np.random.default_rng([7, zlib.crc32(b"t")])
    means = small[g.integers(0, 40, size=(2000, 40))].mean(axis=1)
    assert (lo, hi) == pytest.approx(tuple(np.quantile(means, [0.025, 0.975])))


def test_every_interval_honours_its_level():
    x = np.random.default_rng(3).normal(0.0, 1.0, 200)
    y = x + np.random.default_rng(4).normal(0.5, 1.0, 200)

    def width(interval):
        return interval[-1] - interval[-2]

    for compute in (
        lambda level: st.t_interval(x, level),
        lambda level: st.bootstrap_mean_ci(x, level, 3000, 1, "w"),
        lambda level: st.paired_difference_ci(y, x, level, 3000, 1, "w"),
        lambda level: st.percentile_interval(x, level),
    ):
        narrow, wide = width(compute(0.8)), width(compute(0.99))
        assert 0 < narrow < wide
        assert wide / narrow > 1.6  # normal theory: z(0.995) / z(0.9) = 2.01


def test_paired_difference():
    x = np.random.default_rng(8).normal(10.0, 3.0, 50)
    assert st.paired_difference_ci(x, x, 0.95, 500, 1, "d") == (0.0, 0.0, 0.0)
    # A constant shift: every resample's mean difference is the shift.
    mean, lo, hi = st.paired_difference_ci(x + 2.0, x, 0.95, 500, 1, "d")
    assert (mean, lo, hi) == pytest.approx((2.0, 2.0, 2.0))
    # Per month: runs along the first axis, one interval per column.
    cube = np.random.default_rng(9).normal(size=(30, 4))
    mean, lo, hi = st.paired_difference_ci(cube + 1.0, cube * 0.0, 0.9, 400, 2, "m")
    assert mean.shape == lo.shape == hi.shape == (4,)
    assert (lo <= mean).all()
    assert (mean <= hi).all()


def test_cliffs_delta_and_mann_whitney_p():
    low, high = np.arange(10.0), np.arange(10.0) + 100.0
    delta, p = st.cliffs_delta(high, low)
    assert delta == 1.0
    assert p < 0.001
    delta, p = st.cliffs_delta(low, high)
    assert delta == -1.0
    assert p < 0.001
    assert st.cliffs_delta(np.ones(5), np.ones(7)) == (0.0, 1.0)
    x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0])
    # P(X > Y) - P(X < Y), counted over all pairs
    pairs = [int(a > b) - int(a < b) for a in x for b in y]
    assert st.cliffs_delta(x, y)[0] == pytest.approx(sum(pairs) / len(pairs))


def test_fan_quantiles_follow_fan_bands():
    assert st.FAN_QUANTILES == (0.1, 0.25, 0.5, 0.75, 0.9)
    for lo, hi in st.FAN_BANDS:
        assert lo in st.FAN_QUANTILES
        assert hi in st.FAN_QUANTILES
    runs = np.tile(np.arange(101.0)[:, None], (1, 3))  # 101 runs, 3 months: values 0..100
    q = st.fan_quantiles(runs, axis=0)
    assert list(q) == list(st.FAN_QUANTILES)
    for level, values in q.items():
        assert values == pytest.approx([100 * level] * 3)
    assert st.fan_description() == "25-75% (dark) and 10-90% (light)"


def test_markdown_table_escapes_cells():
    text = md_table(["a|b", "c"], [["x|y", "two\nlines"], [1.5, None]])
    lines = text.split("\n")
    assert lines[0] == "| a\\|b | c |"
    assert lines[1] == "|---|---|"
    assert lines[2] == "| x\\|y | two lines |"
    assert lines[3] == "| 1.5 | None |"
    assert len(lines) == 4  # the line break stayed inside its cell
    # Every row has as many unescaped separators as the header.
    assert {line.replace("\\|", "").count("|") for line in lines} == {3}


def test_level_formatting():
    assert fmt_level(0.95) == "95%"
    assert fmt_level(0.8) == "80%"
    assert fmt_level(0.975) == "97.5%"
