"""The laboratory games run by the model beside their published results: the classroom commons
(Walker, Gardner & Ostrom) and the public goods game (Fehr & Gaechter 2000).

Every interval is a t interval (`sim.analysis.stats.t_interval`) at the caller's `level`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.tables import fmt_ci, fmt_level
from sim.core.params import defaults
from sim.core.rules import PRESETS, RuleSet
from sim.engine.batch import run_many
from sim.validation.closed_forms import efficiency, max_rent, nash_closed_form, optimum_closed_form
from sim.validation.intervals import LEVEL, ci_table, mean_ci, series_ci
from sim.validation.published import CPR_PUBLISHED, FEHR_GAECHTER, PRESET_ANALOGUE


def imposed_variant(base: str = "shared_governance") -> RuleSet:
    """`base` with the rules imposed rather than chosen (collective_choice = 0)."""
    return PRESETS[base].with_levers(name=f"{base} (imposed)", collective_choice=0.0)


def classroom_runs(
    rules: Sequence = tuple(PRESETS), replicates: int = 200, rounds: int = 40, seed: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the classroom commons; add net efficiency (rent less fines, last 10 rounds) per run."""
    summary, series = run_many(
        list(rules),
        scenario="classroom_commons",
        replicates=replicates,
        months=rounds,
        seed=seed,
        series=True,
    )
    p = defaults("classroom_commons")
    top = max_rent(p["cpr_a"], p["cpr_b"], p["outside_return"])
    series = series.copy()
    series["net_efficiency"] = series["efficiency"] - series["fines"] / top
    last = series[series["month"] > rounds - 10]
    net = last.groupby(["rules", "replicate"], sort=False)["net_efficiency"].mean()
    summary = summary.copy()
    summary["net_efficiency"] = net.loc[
        list(zip(summary["rules"], summary["replicate"], strict=True))
    ].to_numpy()
    summary["fines_per_round"] = (
        last.groupby(["rules", "replicate"], sort=False)["fines"]
        .mean()
        .loc[list(zip(summary["rules"], summary["replicate"], strict=True))]
        .to_numpy()
    )
    return summary, series


def theory_values(scenario_params: dict | None = None) -> dict[str, float]:
    """Nash and optimum (closed forms) for the classroom commons' parameters."""
    p = dict(defaults("classroom_commons"))
    p.update(scenario_params or {})
    a, b, w, n = p["cpr_a"], p["cpr_b"], p["outside_return"], int(p["n_appropriators"])
    nash = nash_closed_form(a, b, w, n)
    opt = optimum_closed_form(a, b, w)
    return {
        "nash_X": nash,
        "optimum_X": opt,
        "max_rent": max_rent(a, b, w),
        "nash_efficiency": float(efficiency(nash, a, b, w)),
        "open_access_X": (a - w) / b,
    }


def classroom_table(summary: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """Per preset: total appropriation, gross and net efficiency (mean and CI at `level`; at 0.95
    the columns are f"X {pct} CI", f"gross {pct} CI", f"net {pct} CI") beside the published laboratory
    treatment it stands for and the theory values."""
    th = theory_values()
    ci = ci_table(summary, "rules", ["total_appropriation", "efficiency", "net_efficiency"], level)
    pct = fmt_level(level)
    rows = []
    for rules, row in ci.iterrows():
        analogue, why = PRESET_ANALOGUE.get(rules, (None, ""))
        pub = CPR_PUBLISHED.loc[analogue] if analogue else None
        rows.append(
            {
                "rules": rules,
                "X (mean)": row["total_appropriation"],
                f"X {pct} CI": (row["total_appropriation_lo"], row["total_appropriation_hi"]),
                "gross efficiency": row["efficiency"],
                f"gross {pct} CI": (row["efficiency_lo"], row["efficiency_hi"]),
                "net efficiency": row["net_efficiency"],
                f"net {pct} CI": (row["net_efficiency_lo"], row["net_efficiency_hi"]),
                "published treatment": pub["label"] if pub is not None else "",
                "published gross": pub["gross"] if pub is not None else np.nan,
                "published net": (
                    pub["net"] if pub is not None and pub["net"] is not None else np.nan
                ),
                "status": pub["status"] if pub is not None else "",
                "why this analogue": why,
            }
        )
    out = pd.DataFrame(rows).set_index("rules")
    out.attrs["theory"] = th
    return out


def band_check(
    summary: pd.DataFrame, rules: str, target: float, band: float = 0.10, level: float = LEVEL
) -> dict:
    """Does the CI (at `level`) of the mean total appropriation of `rules` lie within
    target +- band?"""
    m, lo, hi = mean_ci(summary.loc[summary["rules"] == rules, "total_appropriation"], level)
    return {
        "rules": rules,
        "target": target,
        "mean": m,
        "lo": lo,
        "hi": hi,
        "band": (target * (1 - band), target * (1 + band)),
        "within": target * (1 - band) <= lo and hi <= target * (1 + band),
    }


# ------------------------------------------------------------------------------------------------
# Public goods: contributions over periods beside Fehr & Gaechter (2000)
# ------------------------------------------------------------------------------------------------
def public_goods_runs(
    rules: Sequence = ("partnership_board", "shared_governance"),
    replicates: int = 200,
    periods: int = 10,
    seed: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return run_many(
        list(rules),
        scenario="public_goods",
        replicates=replicates,
        months=periods,
        seed=seed,
        series=True,
    )


def public_goods_paths(series: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """Mean share contributed per period (with its CI at `level`) for each rule set, beside the
    published Fehr & Gaechter paths (share of the 20-token endowment)."""
    paths = series_ci(series, "mean_contribution", level)
    wide = paths.pivot(index="month", columns="rules", values=["mean", "lo", "hi"])
    wide.columns = [f"{rules} {stat}" for stat, rules in wide.columns]
    e = FEHR_GAECHTER["endowment"]
    periods = len(FEHR_GAECHTER["series_without_punishment"])
    pub = pd.DataFrame(
        {
            "F&G without punishment": np.array(FEHR_GAECHTER["series_without_punishment"]) / e,
            "F&G with punishment": np.array(FEHR_GAECHTER["series_with_punishment"]) / e,
        },
        index=pd.RangeIndex(1, periods + 1, name="month"),
    )
    return wide.join(pub, how="left")


def first_last_test(summary: pd.DataFrame, rules: str, level: float = LEVEL) -> dict:
    """Paired test of last-period against first-period contribution for one rule set (means with
    CIs at `level`)."""
    g = summary[summary["rules"] == rules]
    first, last = g["contribution_first"].to_numpy(), g["contribution_last"].to_numpy()
    diff = last - first
    m, lo, hi = mean_ci(diff, level)
    if np.all(diff == diff[0]):
        p_lower = 0.0 if diff[0] < 0 else 1.0
    else:
        p_lower = float(stats.ttest_rel(last, first, alternative="less").pvalue)
    return {
        "rules": rules,
        "first": mean_ci(first, level),
        "last": mean_ci(last, level),
        "change": (m, lo, hi),
        "p_last_lower": p_lower,
    }


def imposed_vs_chosen_lab(
    replicates: int = 200, rounds: int = 40, seed: int = 1, level: float = LEVEL
) -> pd.DataFrame:
    """Shared governance with its rules chosen (collective_choice = 1) or imposed (0), in both
    laboratory worlds: fines, cooperation, trust and the outcome, mean [CI at `level`]."""
    rows = []
    for scenario, months, outcome in (
        ("classroom_commons", rounds, "efficiency"),
        ("public_goods", 10, "contribution_last"),
    ):
        runs = run_many(
            ["shared_governance", imposed_variant()],
            scenario=scenario,
            replicates=replicates,
            months=months,
            seed=seed,
        )
        for rules, g in runs.groupby("rules", sort=False):
            rows.append(
                {
                    "world": scenario,
                    "rules": rules,
                    "fines (total)": fmt_ci(*mean_ci(g["fines"], level), digits=1),
                    "cooperation": fmt_ci(*mean_ci(g["mean_cooperation"], level)),
                    "trust": fmt_ci(*mean_ci(g["mean_trust"], level)),
                    outcome: fmt_ci(*mean_ci(g[outcome], level)),
                }
            )
    return pd.DataFrame(rows).fillna("")
