"""Policy timing: B's advantage on one outcome month by month, and the time to benefit.

UI-free (matplotlib's object-oriented API only). The **advantage** is B - A on the outcome as the
cards read it (`sim.app.verdict.outcome_series`), signed so that positive means B is better. The
**time to benefit** is the first month from which the mean advantage is positive in every later
month of the runs; the **firm** time to benefit asks the same of the lower end of its interval.
The interval is a percentile bootstrap over parameter draws (draws resampled with their
replicates: `sim.analysis.stats.grouped_bootstrap_ci`), so replicates that share a draw are not
counted as independent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.stats import group_sums, grouped_bootstrap_ci
from sim.analysis.tables import fmt_level
from sim.app.verdict import Outcome, financial_year, outcome_series

RESAMPLES = 1000  # bootstrap resamples of the advantage's interval


def time_to_benefit(advantage) -> int | None:
    """The first month (1-based) from which `advantage` is above 0 to the end; None if never.

    Args:
        advantage: One value per month (NaN counts as no advantage).

    Returns:
        The month, or None when the last month shows no advantage.
    """
    a = np.nan_to_num(np.asarray(advantage, dtype=float), nan=0.0)
    if len(a) == 0 or a[-1] <= 0:
        return None
    not_positive = np.flatnonzero(a <= 0)
    return int(not_positive[-1]) + 2 if len(not_positive) else 1


@dataclass(frozen=True)
class Advantage:
    """B's advantage on one outcome by month: mean, interval, and the time to benefit.

    Attributes:
        outcome: The outcome.
        mean, low, high: Per month, the mean advantage and its interval (NaN for one run).
        level: The interval's confidence level.
        benefit: Time to benefit of the mean, a month (None: no lasting benefit).
        firm: Time to benefit of the interval's lower end (None: not firm).
        n: Replicates.
    """

    outcome: Outcome
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    level: float
    benefit: int | None
    firm: int | None
    n: int


def advantage(
    series: dict,
    outcome: Outcome,
    draws,
    level: float,
    seed: int = 0,
    resamples: int = RESAMPLES,
) -> Advantage:
    """B's advantage on `outcome` by month over the replicates in `series`.

    Args:
        series: Panel ("left", "right") -> measures, (replicates, months, measures).
        outcome: The outcome.
        draws: The parameter draw of each replicate (None: each replicate its own).
        level: Confidence level of the interval (the app's `sim.app.state.CONFIDENCE`).
        seed: Base seed of the bootstrap.
        resamples: Bootstrap resamples of the interval.

    Returns:
        An `Advantage`.
    """
    sign = -1.0 if outcome.lower_is_better else 1.0
    d = sign * (outcome_series(series["right"], outcome) - outcome_series(series["left"], outcome))
    n = d.shape[0]
    mean = d.mean(axis=0)
    if n < 2:
        nan = np.full_like(mean, math.nan)
        return Advantage(outcome, mean, nan, nan, level, time_to_benefit(mean), None, n)
    sums, counts = group_sums(d, np.arange(n) if draws is None else draws)
    low, high = grouped_bootstrap_ci(
        sums, counts, level, resamples, seed, f"benefit|{outcome.name}"
    )
    return Advantage(
        outcome, mean, low, high, level, time_to_benefit(mean), time_to_benefit(low), n
    )


def year_of(month: int) -> int:
    """The model year of a month: months 1-12 are year 1."""
    return (int(month) - 1) // 12 + 1


def benefit_words(adv: Advantage, start_year: int | None = None, adopt_year: int = 0) -> str:
    """The time to benefit in a sentence."""
    label = adv.outcome.label
    years = adv.mean.shape[0] / 12

    def when(month: int) -> str:
        y = year_of(month)
        fy = f" ({financial_year(y, start_year)})" if start_year else ""
        return f"month {month}, year {y}{fy}"

    adopt = f" B adopts its rules in year {adopt_year + 1}." if adopt_year else ""
    if adv.benefit is None:
        return (
            f"No lasting benefit on {label}: B's mean advantage is not positive at the end of "
            f"the {years:g} years.{adopt}"
        )
    text = (
        f"Time to benefit on {label}: B's mean advantage is positive from {when(adv.benefit)} "
        "and stays so"
    )
    if adv.n >= 2:
        if adv.firm is None:
            text += f"; its {fmt_level(adv.level)} interval still includes no advantage at the end"
        else:
            text += f"; firmly (its {fmt_level(adv.level)} interval above 0) from {when(adv.firm)}"
    return text + "." + adopt


def benefit_figure(
    adv: Advantage, start_year: int | None = None, adopt_years: dict | None = None
) -> Figure:
    """B's advantage by year with its interval, the time to benefit and the adoption years."""
    fig = Figure(figsize=(7.0, 2.6))
    fig.subplots_adjust(left=0.1, right=0.98, top=0.88, bottom=0.17)
    ax = fig.subplots()
    x = np.arange(1, len(adv.mean) + 1) / 12
    if adv.n >= 2:
        ax.fill_between(x, adv.low, adv.high, color="#1f5fa8", alpha=0.2, lw=0)
    ax.plot(x, adv.mean, color="#1f5fa8", lw=1.8, label="B's advantage (mean)")
    ax.axhline(0, color="#555555", lw=0.8)
    if adv.benefit is not None:
        t = adv.benefit / 12
        ax.axvline(
            t, color="black", ls="--", lw=1.2, label=f"time to benefit: year {year_of(adv.benefit)}"
        )
    for side, years in (adopt_years or {}).items():
        if years:
            name = "A" if side == "left" else "B"
            ax.axvspan(0, years, color="#777777", alpha=0.08, label=f"{name} runs fortress first")
            ax.axvline(years, color="#777777", ls=":", lw=1.0)
    ax.set_xlim(0, max(1.0, x[-1]))
    finite = np.concatenate([v[np.isfinite(v)] for v in (adv.mean, adv.low, adv.high)] + [[0.0]])
    pad = 0.06 * (finite.max() - finite.min()) or 1.0
    ax.set_ylim(finite.min() - pad, finite.max() + pad)
    ax.set_xlabel("financial year" if start_year else "year", fontsize=8)
    if start_year:
        years = np.arange(1, math.ceil(x[-1]) + 1, max(1, math.ceil(x[-1] / 6)))
        ax.set_xticks(years - 0.5, [financial_year(int(y), start_year) for y in years])
    ax.set_ylabel(f"advantage, {adv.outcome.unit}", fontsize=8)
    flip = "A - B: lower is better" if adv.outcome.lower_is_better else "B - A"
    ax.set_title(f"B's advantage on {adv.outcome.label} ({flip}; above 0: B better)", fontsize=9)
    ax.tick_params(labelsize=7)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, frameon=False, loc="best")
    return fig
