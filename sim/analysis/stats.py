"""The statistics of the project: one implementation used by the report, the app and validation.

Every interval takes its confidence `level` (for example 0.95) as an argument; nothing here
assumes 95%. Bootstrap resampling is seeded: the generator of a named quantity is
``numpy.random.default_rng([seed % 2**63, zlib.crc32(tag)])``, so each number can be recomputed
alone from the runs, the base seed and its tag.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
from scipy import stats as _scipy_stats

# Bootstrap indices drawn at once by `grouped_bootstrap_ci` (about 32 MB); the block size never
# changes the numbers, only the memory.
BOOTSTRAP_BLOCK = 1 << 22
# Fan charts: the median and these bands of runs, outer band first (light, then dark).
FAN_BANDS = ((0.10, 0.90), (0.25, 0.75))
# Every quantile a fan chart needs, ascending: the bands' bounds and the median.
FAN_QUANTILES = tuple(sorted({0.5, *(q for band in FAN_BANDS for q in band)}))


def seeded_rng(seed: int, tag: str) -> np.random.Generator:
    """The generator of one named quantity.

    Args:
        seed: The base seed (of the experiment or the runs); taken modulo 2**63.
        tag: The quantity's name, for example ``"mean|population_health|fortress|0"``.

    Returns:
        ``numpy.random.default_rng([seed % 2**63, zlib.crc32(tag)])``.
    """
    return np.random.default_rng([int(seed) % 2**63, zlib.crc32(tag.encode("utf-8"))])


def _tails(level: float) -> tuple[float, float]:
    if not 0.0 < level < 1.0:
        raise ValueError(f"level={level!r}: a confidence level lies strictly between 0 and 1")
    alpha = (1.0 - level) / 2.0
    return alpha, 1.0 - alpha


def percentile_interval(samples, level: float, axis: int = 0):
    """The central `level` percentile interval of samples (linear interpolation).

    Args:
        samples: Values, for example bootstrap means or bootstrap crossings.
        level: Confidence level in (0, 1).
        axis: The axis of the samples.

    Returns:
        (low, high): floats for 1-D samples, else arrays without `axis`.
    """
    lo, hi = np.quantile(np.asarray(samples, dtype=float), _tails(level), axis=axis)
    if np.ndim(lo) == 0:
        return float(lo), float(hi)
    return lo, hi


def bootstrap_mean_ci(x, level: float, resamples: int, seed: int, tag: str):
    """Percentile bootstrap confidence interval of a mean over runs.

    Draws ``resamples`` resamples of the n runs with replacement (indices
    ``seeded_rng(seed, tag).integers(0, n, size=(resamples, n))``) and takes the central
    `level` interval of their means.

    Args:
        x: Runs along the first axis; further axes (for example months) get one interval each.
        level: Confidence level in (0, 1).
        resamples: Number of bootstrap resamples.
        seed: Base seed.
        tag: Name of the quantity (see `seeded_rng`).

    Returns:
        (low, high): floats for 1-D x, else arrays of shape ``x.shape[1:]``; NaN without runs.
    """
    x = np.asarray(x, dtype=float)
    n = x.shape[0]
    if n == 0:
        nan = math.nan if x.ndim == 1 else np.full(x.shape[1:], math.nan)
        return nan, nan
    idx = seeded_rng(seed, tag).integers(0, n, size=(int(resamples), n))
    return percentile_interval(x[idx].mean(axis=1), level, axis=0)


def paired_difference_ci(x, y, level: float, resamples: int, seed: int, tag: str):
    """Bootstrap confidence interval of mean(x - y) over paired runs.

    Run j of x and run j of y share their random numbers (common random numbers), so the pairs
    (x_j, y_j) are resampled together: the bootstrap of the mean of the differences.

    Args:
        x: Runs of the treatment, runs along the first axis.
        y: Runs of the reference, same shape and order as x.
        level: Confidence level in (0, 1).
        resamples: Number of bootstrap resamples.
        seed: Base seed.
        tag: Name of the quantity (see `seeded_rng`).

    Returns:
        (mean difference, low, high), floats for 1-D input, else arrays.
    """
    d = np.asarray(x, dtype=float) - np.asarray(y, dtype=float)
    lo, hi = bootstrap_mean_ci(d, level, resamples, seed, tag)
    mean = d.mean(axis=0) if len(d) else math.nan
    return (float(mean) if np.ndim(mean) == 0 else mean), lo, hi


def group_sums(x, groups) -> tuple[np.ndarray, np.ndarray]:
    """Each group's sum of runs and its number of runs, for `grouped_bootstrap_ci`.

    Args:
        x: Runs along the first axis; further axes (for example months) are summed apart.
        groups: The group (for example the parameter draw) of each run, any sortable labels.

    Returns:
        (sums, counts): sums of shape ``(G, *x.shape[1:])`` and counts of shape ``(G,)``, the
        G groups in the sorted order of their labels; the runs of a group are added in run order.
    """
    x = np.asarray(x, dtype=float)
    inverse = np.unique(np.asarray(groups), return_inverse=True)[1].reshape(-1)
    if len(inverse) != x.shape[0]:
        raise ValueError(f"{len(inverse)} groups for {x.shape[0]} runs: one group per run")
    sums = np.zeros((inverse.max() + 1 if len(inverse) else 0, *x.shape[1:]))
    np.add.at(sums, inverse, x)
    return sums, np.bincount(inverse, minlength=len(sums))


def grouped_bootstrap_ci(sums, counts, level: float, resamples: int, seed: int, tag: str):
    """Percentile bootstrap confidence interval of the mean over runs, groups resampled whole.

    Runs that share a group (replicates of one parameter draw) are not independent, so the G
    groups are resampled with replacement, each with all its runs (indices
    ``seeded_rng(seed, tag).integers(0, G, size=(resamples, G))``), and a resample's value is the
    mean of its runs: ``sums[idx].sum(axis=1) / counts[idx].sum(axis=1)``. The interval is the
    central `level` of those values (`percentile_interval`). With one run per group this is
    `bootstrap_mean_ci`'s bootstrap. The resamples are drawn in blocks of rows of about
    `BOOTSTRAP_BLOCK` values (the same numbers as one call), so memory stays bounded.

    Args:
        sums: Each group's sum of its runs, groups along the first axis (`group_sums`); further
            axes (for example months) get one interval each.
        counts: Each group's number of runs (positive).
        level: Confidence level in (0, 1).
        resamples: Number of bootstrap resamples (at least 1).
        seed: Base seed.
        tag: Name of the quantity (see `seeded_rng`).

    Returns:
        (low, high): floats for 1-D sums, else arrays of shape ``sums.shape[1:]``; NaN without
        groups.
    """
    sums = np.asarray(sums, dtype=float)
    counts = np.asarray(counts)
    resamples = int(resamples)
    _tails(level)  # a bad level is refused before any drawing
    if resamples < 1:
        raise ValueError(f"resamples={resamples!r}: a bootstrap needs at least 1 resample")
    g = len(counts)
    if sums.shape[0] != g:
        raise ValueError(f"{sums.shape[0]} group sums for {g} group counts")
    if g == 0:
        nan = math.nan if sums.ndim == 1 else np.full(sums.shape[1:], math.nan)
        return nan, nan
    rng = seeded_rng(seed, tag)
    rows = max(1, BOOTSTRAP_BLOCK // (g * max(1, math.prod(sums.shape[1:]))))
    boot = []
    for start in range(0, resamples, rows):
        idx = rng.integers(0, g, size=(min(rows, resamples - start), g))
        total = counts[idx].sum(axis=1).reshape(-1, *([1] * (sums.ndim - 1)))
        boot.append(sums[idx].sum(axis=1) / total)
    return percentile_interval(np.concatenate(boot), level, axis=0)


def t_interval(x, level: float) -> tuple[float, float, float]:
    """Mean and its Student t confidence interval.

    Args:
        x: Independent observations.
        level: Confidence level in (0, 1).

    Returns:
        (mean, low, high); low = high = mean with fewer than two values or no spread.
    """
    x = np.asarray(x, dtype=float)
    m = float(x.mean()) if len(x) else math.nan
    if len(x) < 2 or float(x.std(ddof=1)) == 0.0:
        return m, m, m
    half = float(
        _scipy_stats.t.ppf(_tails(level)[1], len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    )
    return m, m - half, m + half


def between_run_spread(x, share: float = 0.9) -> dict[str, float]:
    """How much runs differ: mean, standard deviation (n - 1), coefficient of variation and the
    central `share` of the runs.

    Args:
        x: One outcome of independent runs (replicates).
        share: The share of runs between `low` and `high` (quantiles (1 - share)/2 and
            (1 + share)/2, numpy's linear interpolation).

    Returns:
        {mean, sd, cv, low, high}; cv = sd / |mean|, NaN when the mean is 0; sd and cv NaN with
        fewer than two runs; every value NaN with none.
    """
    x = np.asarray(x, dtype=float)
    if len(x) == 0:
        return dict.fromkeys(("mean", "sd", "cv", "low", "high"), math.nan)
    mean = float(x.mean())
    sd = float(x.std(ddof=1)) if len(x) > 1 else math.nan
    cv = sd / abs(mean) if mean != 0.0 else math.nan
    low, high = np.quantile(x, _tails(share))
    return {"mean": mean, "sd": sd, "cv": cv, "low": float(low), "high": float(high)}


def cliffs_delta(x, y) -> tuple[float, float]:
    """Cliff's delta of x against y and the two-sided Mann-Whitney U p value.

    delta = P(X > Y) - P(X < Y) = 2U / (n_x n_y) - 1 with U the Mann-Whitney statistic of x
    (``scipy.stats.mannwhitneyu``, method "auto").

    Args:
        x: Runs of one rule set.
        y: Runs of the other.

    Returns:
        (delta, p); (0, 1) when both samples are the same constant; NaN when either is empty.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if len(x) == 0 or len(y) == 0:
        return math.nan, math.nan
    if np.all(x == x[0]) and np.all(y == y[0]) and x[0] == y[0]:
        return 0.0, 1.0
    res = _scipy_stats.mannwhitneyu(x, y, alternative="two-sided")
    return 2.0 * float(res.statistic) / (len(x) * len(y)) - 1.0, float(res.pvalue)


def fan_quantiles(values, axis: int = 0) -> dict[float, np.ndarray]:
    """The quantiles a fan chart draws (`FAN_QUANTILES`), over runs.

    Args:
        values: Runs along `axis` (for example an array of replicates x months).
        axis: The axis of the runs.

    Returns:
        {quantile: array without `axis`} for every quantile in `FAN_QUANTILES`.
    """
    q = np.quantile(np.asarray(values, dtype=float), FAN_QUANTILES, axis=axis)
    return dict(zip(FAN_QUANTILES, q, strict=True))


def fan_description() -> str:
    """The bands of `FAN_BANDS` in words, inner band first: '25-75% (dark) and 10-90% (light)'."""
    shades = ["light", *["dark"] * (len(FAN_BANDS) - 1)]
    parts = [
        f"{100 * lo:.0f}-{100 * hi:.0f}% ({shade})"
        for (lo, hi), shade in zip(FAN_BANDS, shades, strict=True)
    ]
    return " and ".join(reversed(parts))
