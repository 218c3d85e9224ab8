"""Teaching and validation: published laboratory and NHS figures, closed forms, and comparison tables.

This module adds no model logic. It holds

* the published figures the model is checked against (MODEL-BRIEF section 7), as data, each with
  its source and a status code copied from ``docs/references.md``: **V** verified in a source,
  **D** derived exactly from stated parameters, **R** recalled (not confirmed; a soft target);
* the closed forms of the laboratory commons game re-derived from first principles, and an
  independent numerical solution (scipy) to check both them and the engine's
  ``commons_optimum``/``commons_nash``;
* functions that run the engine over many seeds (``sim.run_many``) and return the tables
  "model beside published" shown in ``docs/validation.md`` and the notebooks.

Regenerate every number in ``docs/validation.md`` with::

    .venv/bin/python -m sim.validation.teaching --replicates 200 --out docs/validation_figures.md
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from sim.core.params import defaults
from sim.core.rules import PRESETS, RuleSet
from sim.engine.batch import run_many

# ------------------------------------------------------------------------------------------------
# Published figures (copied from docs/references.md; keep the status codes)
# ------------------------------------------------------------------------------------------------
CPR_GAME = {
    # Walker, Gardner & Ostrom (1990); Ostrom, Walker & Gardner (1992); Ostrom, Gardner & Walker
    # (1994, ch. 5). Parameters R (recalled), theory values D (exact given the parameters).
    "n_players": 8,
    "endowment": 25,
    "a": 23.0,  # F(X) = aX - bX^2 cents
    "b": 0.25,
    "outside_return": 5.0,  # cents per token in market 1
    "social_optimum_X": 36,
    "max_rent_cents": 324,
    "nash_X": 64,
    "nash_efficiency": 128 / 324,
    "open_access_X": 72,
    "status": "parameters R, theory values D",
}

# "Average net yield as a percentage of maximum rent", Ostrom, Walker & Gardner (1992) and Ostrom,
# Gardner & Walker (1994). Gross excludes the fees and fines of sanctioning; net subtracts them.
# Every number here is R (recalled; the OWG 1992 table could not be read during the review).
CPR_PUBLISHED = pd.DataFrame(
    [
        (
            "baseline",
            "Baseline, no communication (25-token)",
            0.21,
            None,
            "R",
            "OWG1992; OGW1994 ch. 5",
        ),
        ("oneshot_comm", "One-shot communication", 0.55, None, "R", "OWG1992"),
        ("repeated_comm", "Repeated communication", 0.73, None, "R", "OWG1992"),
        ("sanction_imposed", "Sanctioning imposed, no communication", 0.37, 0.09, "R", "OWG1992"),
        ("comm_sanction", "Communication + imposed sanctioning", 0.85, 0.67, "R", "OWG1992"),
        (
            "comm_chosen_sanction",
            "Communication + sanctioning chosen by the group",
            0.93,
            0.90,
            "R",
            "OWG1992",
        ),
    ],
    columns=["treatment", "label", "gross", "net", "status", "source"],
).set_index("treatment")

# Which laboratory treatment each preset stands for (by the levers it sets, never by its name in
# the model: the model only sees levers).
PRESET_ANALOGUE = {
    "fortress": ("baseline", "no agreement, no monitoring: the non-cooperative baseline"),
    "partnership_board": (
        "repeated_comm",
        "agreed shares made together (talk), no monitoring, no sanctions",
    ),
    "success_regime": (
        "sanction_imposed",
        "quotas and heavy flat fines imposed from outside, partners did not choose them",
    ),
    "canterbury_alliance": (
        "comm_chosen_sanction",
        "agreement made together, half monitoring, light graduated sanctions",
    ),
    "shared_governance": (
        "comm_chosen_sanction",
        "agreement made together, monitoring, graduated sanctions, conflict resolution",
    ),
}

FEHR_GAECHTER = {
    # Fehr & Gaechter (2000) AER 90(4): 980-994. Design R (corroborated by oTree
    # re-implementations). Paths: mean tokens (of 20) in periods 1..10, digitised from the F&G figure
    # by the Bowles & Halliday textbook repository [BH-FG]: V as secondary data, R as to treatment
    # (order matches the Stranger design).
    "group_size": 4,
    "endowment": 20,
    "mpcr": 0.4,
    "series_without_punishment": [6.5, 4.9, 6.5, 5.8, 5.5, 4.5, 4.7, 2.9, 3.5, 2.0],
    "series_with_punishment": [7.7, 9.5, 9.9, 10.5, 10.2, 10.3, 11.7, 12.4, 12.7, 13.2],
    "first_round_share_ledyard": (0.4, 0.6),  # Ledyard (1995), R
    "status": "design R; paths V (secondary) / R (treatment label)",
}

NHS_FACTS = {
    "provider_deficit_2015_16_gbp_bn": (2.45, "V", "HF2016; PF2016; NAO2016"),
    "share_providers_in_deficit_2015_16": (0.65, "V", "PF2016; NAO2016"),
    "share_acute_trusts_in_deficit_2015_16": (0.85, "V", "HF2016"),
    "hospital_share_of_spend_2011_12": (0.506, "V", "HSJ2013"),
    "hospital_share_of_spend_2012_13": (0.510, "V", "HSJ2013"),
    "real_growth_acute_pa_2016_23": (0.044, "V", "NT2024"),
    "real_growth_community_pa_2016_23": (0.005, "V", "NT2024"),
    "emergency_admissions_growth_pa_2006_18": (0.032, "V", "HF2018"),
    "canterbury_acute_med_adm_2008_09_per_100k": (4743, "V", "CWI"),
    "nz_acute_med_adm_2008_09_per_100k": (6809, "V", "CWI"),
    "canterbury_ratio_to_nz_2008_09": (4743 / 6809, "D", "CWI"),
    "canterbury_low_growth_years": (18, "V", "McG2019"),
}


# ------------------------------------------------------------------------------------------------
# The laboratory commons game: closed forms (re-derived) and an independent numerical solution
# ------------------------------------------------------------------------------------------------
def group_return(x_total, a: float = 23.0, b: float = 0.25):
    """F(X) = aX - bX^2: the group's return (cents) from X tokens in the common pool."""
    return a * np.asarray(x_total, dtype=float) - b * np.asarray(x_total, dtype=float) ** 2


def rent(x_total, a: float = 23.0, b: float = 0.25, w: float = 5.0):
    """Net yield of the pool: F(X) - wX, the return above what the tokens earn outside."""
    return group_return(x_total, a, b) - w * np.asarray(x_total, dtype=float)


def optimum_closed_form(a: float = 23.0, b: float = 0.25, w: float = 5.0) -> float:
    """Social optimum X*. The group maximises R(X) = (a - w)X - bX^2; R'(X) = a - w - 2bX = 0
    gives X* = (a - w) / 2b (R'' = -2b < 0, so a maximum)."""
    return max(0.0, (a - w) / (2.0 * b))


def max_rent(a: float = 23.0, b: float = 0.25, w: float = 5.0) -> float:
    """R(X*) = (a - w)^2 / 4b."""
    return float(rent(optimum_closed_form(a, b, w), a, b, w))


def nash_closed_form(a: float = 23.0, b: float = 0.25, w: float = 5.0, n: int = 8) -> float:
    """Total appropriation X^N at the symmetric Nash equilibrium.

    Player i earns u_i = w(e - x_i) + (x_i / X) F(X) = w(e - x_i) + x_i (a - bX). With the others'
    tokens fixed, du_i/dx_i = -w + a - bX - b x_i = 0. At a symmetric equilibrium x_i = X/n, so
    a - w = bX (1 + 1/n), giving X^N = n(a - w) / (b(n + 1)) (d2u_i/dx_i^2 = -2b < 0). Valid while
    X^N/n does not exceed the endowment.
    """
    return max(0.0, n * (a - w) / (b * (n + 1.0)))


def efficiency(x_total, a: float = 23.0, b: float = 0.25, w: float = 5.0):
    """Rent kept, as a share of the maximum rent (1 at the optimum, 0 at open access)."""
    return rent(x_total, a, b, w) / max_rent(a, b, w)


def player_payoff(x_i: float, others: float, a: float, b: float, w: float, e: float) -> float:
    """A player's earnings (cents): the outside return on tokens kept out plus a pro-rata share."""
    total = x_i + others
    share = x_i / total * (a * total - b * total * total) if total > 0 else 0.0
    return w * (e - x_i) + share


def numerical_optimum(a: float, b: float, w: float, n: int, e: float) -> float:
    """Total appropriation maximising the group's earnings, by bounded numerical maximisation."""
    res = optimize.minimize_scalar(
        lambda x: -(w * (n * e - x) + a * x - b * x * x),
        bounds=(0.0, n * e),
        method="bounded",
        options={"xatol": 1e-10},
    )
    return float(res.x)


def best_response(others: float, a: float, b: float, w: float, e: float) -> float:
    """A player's payoff-maximising tokens given the others' total (numerical maximisation)."""
    res = optimize.minimize_scalar(
        lambda x: -player_payoff(x, others, a, b, w, e),
        bounds=(0.0, e),
        method="bounded",
        options={"xatol": 1e-11},
    )
    return float(res.x)


def numerical_nash(a: float, b: float, w: float, n: int, e: float) -> float:
    """Total appropriation at the symmetric Nash equilibrium, found numerically: the fixed point
    x = BR((n - 1) x) of the numerically computed best response (root found by brentq)."""

    def gap(x):
        return best_response((n - 1) * x, a, b, w, e) - x

    lo, hi = 1e-9, e
    if gap(hi) >= 0:  # corner: everyone invests the whole endowment
        return n * e
    x = optimize.brentq(gap, lo, hi, xtol=1e-10)
    return float(n * x)


def is_nash(x_total: float, a: float, b: float, w: float, n: int, e: float, tol=1e-6) -> bool:
    """True when no player gains more than `tol` cents by any deviation on a fine grid."""
    x = x_total / n
    others = x_total - x
    here = player_payoff(x, others, a, b, w, e)
    grid = np.linspace(0.0, e, 2001)
    best = max(player_payoff(g, others, a, b, w, e) for g in grid)
    return best <= here + tol


# ------------------------------------------------------------------------------------------------
# Statistics
# ------------------------------------------------------------------------------------------------
def mean_ci(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its t-based confidence interval (lo, hi)."""
    x = np.asarray(values, dtype=float)
    m = float(x.mean())
    if len(x) < 2 or float(x.std(ddof=1)) == 0.0:
        return m, m, m
    half = float(stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))
    return m, m - half, m + half


def ci_table(frame: pd.DataFrame, by: str, columns: Sequence[str], level=0.95) -> pd.DataFrame:
    """Mean, lower and upper CI bound of each column for each group (columns: col, col_lo, col_hi)."""
    rows = {}
    for key, group in frame.groupby(by, sort=False):
        row = {}
        for col in columns:
            m, lo, hi = mean_ci(group[col], level)
            row[col], row[f"{col}_lo"], row[f"{col}_hi"] = m, lo, hi
        rows[key] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = by
    return out


def fmt_ci(m: float, lo: float, hi: float, digits: int = 3) -> str:
    return f"{m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"


def ci_text(frame: pd.DataFrame, by: str, columns: Sequence[str], digits: int = 3) -> pd.DataFrame:
    """Like `ci_table`, but one readable "mean [lo, hi]" cell per group and column."""
    ci = ci_table(frame, by, columns)
    return pd.DataFrame(
        {
            c: [fmt_ci(r[c], r[f"{c}_lo"], r[f"{c}_hi"], digits) for _, r in ci.iterrows()]
            for c in columns
        },
        index=ci.index,
    )


def series_ci(series: pd.DataFrame, column: str, level=0.95) -> pd.DataFrame:
    """Per rule set and month: mean, lo, hi of a measure over replicates (long format)."""
    rows = []
    for (rules, month), group in series.groupby(["rules", "month"], sort=False):
        m, lo, hi = mean_ci(group[column], level)
        rows.append((rules, month, m, lo, hi))
    return pd.DataFrame(rows, columns=["rules", "month", "mean", "lo", "hi"])


# ------------------------------------------------------------------------------------------------
# Sizes for notebooks (CARE_COMMONS_NOTEBOOK_SCALE = small | medium | full)
# ------------------------------------------------------------------------------------------------
SCALES = {
    "small": {"replicates": 8, "months": 60, "rounds": 40},
    "medium": {"replicates": 50, "months": 120, "rounds": 40},
    "full": {"replicates": 200, "months": 120, "rounds": 40},
}


def notebook_scale() -> dict[str, int]:
    """Run sizes chosen by the environment variable CARE_COMMONS_NOTEBOOK_SCALE (default medium)."""
    name = os.environ.get("CARE_COMMONS_NOTEBOOK_SCALE", "medium").strip().lower()
    if name not in SCALES:
        raise ValueError(
            f"CARE_COMMONS_NOTEBOOK_SCALE={name!r} is not a scale; allowed: {', '.join(SCALES)}"
        )
    return {"scale": name, **SCALES[name]}


# ------------------------------------------------------------------------------------------------
# Classroom commons: model beside the published table
# ------------------------------------------------------------------------------------------------
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


def classroom_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Per preset: total appropriation, gross and net efficiency (mean, 95% CI) beside the
    published laboratory treatment it stands for and the theory values."""
    th = theory_values()
    ci = ci_table(summary, "rules", ["total_appropriation", "efficiency", "net_efficiency"])
    rows = []
    for rules, row in ci.iterrows():
        analogue, why = PRESET_ANALOGUE.get(rules, (None, ""))
        pub = CPR_PUBLISHED.loc[analogue] if analogue else None
        rows.append(
            {
                "rules": rules,
                "X (mean)": row["total_appropriation"],
                "X 95% CI": (row["total_appropriation_lo"], row["total_appropriation_hi"]),
                "gross efficiency": row["efficiency"],
                "gross 95% CI": (row["efficiency_lo"], row["efficiency_hi"]),
                "net efficiency": row["net_efficiency"],
                "net 95% CI": (row["net_efficiency_lo"], row["net_efficiency_hi"]),
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


def band_check(summary: pd.DataFrame, rules: str, target: float, band: float = 0.10) -> dict:
    """Does the 95% CI of the mean total appropriation of `rules` lie within target +- band?"""
    m, lo, hi = mean_ci(summary.loc[summary["rules"] == rules, "total_appropriation"])
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


def public_goods_paths(series: pd.DataFrame) -> pd.DataFrame:
    """Mean share contributed per period (with 95% CI) for each rule set, beside the published
    Fehr & Gaechter paths (share of the 20-token endowment)."""
    paths = series_ci(series, "mean_contribution")
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


def first_last_test(summary: pd.DataFrame, rules: str) -> dict:
    """Paired test of last-period against first-period contribution for one rule set."""
    g = summary[summary["rules"] == rules]
    first, last = g["contribution_first"].to_numpy(), g["contribution_last"].to_numpy()
    diff = last - first
    m, lo, hi = mean_ci(diff)
    if np.all(diff == diff[0]):
        p_lower = 0.0 if diff[0] < 0 else 1.0
    else:
        p_lower = float(stats.ttest_rel(last, first, alternative="less").pvalue)
    return {
        "rules": rules,
        "first": mean_ci(first),
        "last": mean_ci(last),
        "change": (m, lo, hi),
        "p_last_lower": p_lower,
    }


# ------------------------------------------------------------------------------------------------
# NHS stylised facts (place_system)
# ------------------------------------------------------------------------------------------------
ACUTE_SHARE_OF_ORGANISATIONS = 3 / 16  # default world: 3 places x 5 kinds + 1 ambulance trust
NHS_EMERGENCY_ADMISSIONS_GROWTH = 0.032  # a year, England 2006/07-2017/18 (V: HF2018)


def need_trend() -> float:
    """Annual growth of need in the default place world: need_growth + ageing."""
    d = defaults("place_system")
    return float(d["need_growth"] + d["ageing"])


def implied_annual_growth(ratio, years: float = 10.0, trend: float | None = None):
    """Annual growth of acute demand implied by its ratio to the need trend after `years`:
    trend + ln(ratio) / years (continuous rates; ratio 1 means growth on the trend)."""
    trend = need_trend() if trend is None else trend
    return trend + np.log(np.asarray(ratio, dtype=float)) / years


def imposed_variant(base: str = "shared_governance") -> RuleSet:
    """`base` with the rules imposed rather than chosen (collective_choice = 0)."""
    return PRESETS[base].with_levers(name=f"{base} (imposed)", collective_choice=0.0)


@dataclass
class Fact:
    name: str
    published: str
    model: str
    statistic: str
    p_value: float
    holds: bool


def _welch_less(a, b) -> float:
    """p-value of H1: mean(a) < mean(b) (Welch); 0/1 when both are constant."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    if a.std() == 0 and b.std() == 0:
        return 0.0 if a.mean() < b.mean() else 1.0
    return float(stats.ttest_ind(a, b, equal_var=False, alternative="less").pvalue)


def _one_sample_greater(x, value) -> float:
    x = np.asarray(x, float)
    if x.std() == 0:
        return 0.0 if x.mean() > value else 1.0
    return float(stats.ttest_1samp(x, value, alternative="greater").pvalue)


def nhs_runs(replicates: int = 200, months: int = 120, seed: int = 1, **params) -> pd.DataFrame:
    """The place_system runs behind the NHS stylised facts (default scenario)."""
    rules = [
        "fortress",
        "partnership_board",
        "success_regime",
        "canterbury_alliance",
        "shared_governance",
        imposed_variant(),
    ]
    return run_many(rules, replicates=replicates, months=months, seed=seed, **params)


PRESSURE = {"budget_growth": -0.05}  # a real-terms cut of 5% a year: scarcity makes breaches


def nhs_facts(
    runs: pd.DataFrame,
    pressured: pd.DataFrame | None = None,
    alpha: float = 0.01,
    months: int = 120,
) -> list[Fact]:
    """The NHS stylised facts of MODEL-BRIEF section 7, each with a one-sided significance test."""
    by = {name: g for name, g in runs.groupby("rules", sort=False)}
    fort, board, cant = by["fortress"], by["partnership_board"], by["canterbury_alliance"]
    sg, imposed = by["shared_governance"], by[imposed_variant().name]
    facts = []

    x = fort["acute_deficit_share"]
    p = _one_sample_greater(x, ACUTE_SHARE_OF_ORGANISATIONS)
    facts.append(
        Fact(
            "Fortress: provider deficits concentrate on acute trusts",
            "2015/16: providers' deficit GBP 2.45bn; 85% of acute trusts vs 65% of all "
            "providers in deficit (V: HF2016, PF2016, NAO2016)",
            f"acute trusts' share of provider deficit {fmt_ci(*mean_ci(x))} vs their share "
            f"of organisations {ACUTE_SHARE_OF_ORGANISATIONS:.3f}",
            "one-sample t, greater",
            p,
            p < alpha,
        )
    )

    d = fort["acute_share"] - fort["acute_share_start"]
    p = _one_sample_greater(d, 0.0)
    facts.append(
        Fact(
            "Fortress: the acute share of spend creeps up",
            "hospital share of PCT spend 50.6% (2011/12) -> 51.0% (2012/13) (V: HSJ2013); acute "
            "real growth 4.4%/yr vs community 0.5%/yr 2016/17-2022/23 (V: NT2024)",
            f"acute share first 12 months {fmt_ci(*mean_ci(fort['acute_share_start']))}, "
            f"last 12 months {fmt_ci(*mean_ci(fort['acute_share']))}; "
            f"change {fmt_ci(*mean_ci(d), digits=4)}",
            "paired t (last - first), greater",
            p,
            p < alpha,
        )
    )

    p = _welch_less(cant["acute_demand_vs_trend"], fort["acute_demand_vs_trend"])
    years = months / 12.0

    def growth(g) -> str:
        m, lo, hi = mean_ci(g["acute_demand_vs_trend"])
        return fmt_ci(*(100 * implied_annual_growth([m, lo, hi], years)), digits=2)

    facts.append(
        Fact(
            "One system, one budget: acute demand growth flattens",
            "Canterbury acute medical admissions 4,743 vs NZ 6,809 per 100,000 (2008/09, 30% "
            "lower, V: CWI); growth 'managed to very low rates for 18 years' (V: McG2019); "
            f"NHS emergency admissions +{100 * NHS_EMERGENCY_ADMISSIONS_GROWTH:.1f}%/yr 2006/07-2017/18 "
            "(V: HF2018)",
            "acute demand / its starting trend at the end of the run: canterbury_alliance "
            f"{fmt_ci(*mean_ci(cant['acute_demand_vs_trend']))} vs fortress "
            f"{fmt_ci(*mean_ci(fort['acute_demand_vs_trend']))}; implied growth "
            f"{growth(cant)} vs {growth(fort)} %/yr (need trend {100 * need_trend():.1f}%/yr)",
            "Welch t, less",
            p,
            p < alpha,
        )
    )

    x = board["cooperation_change"]
    p = float(
        stats.ttest_1samp(x, 0.0, alternative="less").pvalue
        if x.std() > 0
        else float(x.mean() >= 0)
    )
    facts.append(
        Fact(
            "Partnership board without teeth: cooperation decays",
            "seed texts: partnership boards become talking shops (Ham, seed 003); lab: "
            "communication without sanctions keeps 55-73% of rent, below chosen sanctions (R)",
            f"cooperation first 12 months {fmt_ci(*mean_ci(board['cooperation_start']))}, last "
            f"12 months {fmt_ci(*mean_ci(board['mean_cooperation']))}",
            "one-sample t on the change, less",
            p,
            p < alpha,
        )
    )

    # Sanctions without agreement, at the default scenario: do sanctions land at all?
    facts.append(
        Fact(
            "Default pressure: few breaches, so imposing the rules leaves cooperation unchanged",
            "(model check, no published figure)",
            f"sanctions over the run: shared_governance {fmt_ci(*mean_ci(sg['sanctions']), digits=2)}, "
            f"imposed {fmt_ci(*mean_ci(imposed['sanctions']), digits=2)}; fines "
            f"{fmt_ci(*mean_ci(sg['fines']), digits=2)} vs {fmt_ci(*mean_ci(imposed['fines']), digits=2)}; "
            f"cooperation {mean_ci(sg['mean_cooperation'])[0]:.3f} vs "
            f"{mean_ci(imposed['mean_cooperation'])[0]:.3f}",
            "descriptive",
            float("nan"),
            True,
        )
    )

    # The success regime: an imposed plan on the tariff with heavy flat sanctions, no collective
    # choice, against shared governance, at the default scenario.
    sr = by["success_regime"]
    p_f = _welch_less(sg["fines"], sr["fines"])
    p_c = _welch_less(sr["mean_cooperation"], sg["mean_cooperation"])
    p = max(p_f, p_c)
    facts.append(
        Fact(
            "Success regime (imposed plan, heavy flat sanctions): more fines, less cooperation",
            "lab: imposed sanctioning keeps 37% gross but 9% net of fines and fees, vs 93%/90% "
            "when the group chose it (R: OWG1992)",
            f"default scenario, success_regime vs shared_governance: fines "
            f"{fmt_ci(*mean_ci(sr['fines']), digits=2)} vs {fmt_ci(*mean_ci(sg['fines']), digits=2)}; "
            f"cooperation {fmt_ci(*mean_ci(sr['mean_cooperation']))} vs "
            f"{fmt_ci(*mean_ci(sg['mean_cooperation']))}",
            "Welch t (max p of fines, cooperation)",
            p,
            p < alpha,
        )
    )
    if pressured is not None:
        pb = {name: g for name, g in pressured.groupby("rules", sort=False)}
        sgp, imp = pb["shared_governance"], pb[imposed_variant().name]
        p_f = _welch_less(sgp["fines"], imp["fines"])
        p_c = _welch_less(imp["mean_cooperation"], sgp["mean_cooperation"])
        p_t = _welch_less(imp["mean_trust"], sgp["mean_trust"])
        p = max(p_f, p_c, p_t)
        facts.append(
            Fact(
                "Sanctions imposed without agreement burn resources without restoring cooperation",
                "lab: imposed sanctioning keeps 37% gross but 9% net of fines and fees, vs 93%/90% "
                "when the group chose it (R: OWG1992)",
                f"under a 5%/yr real cut, imposed vs chosen: fines {fmt_ci(*mean_ci(imp['fines']), digits=1)} "
                f"vs {fmt_ci(*mean_ci(sgp['fines']), digits=1)}; cooperation "
                f"{fmt_ci(*mean_ci(imp['mean_cooperation']))} vs {fmt_ci(*mean_ci(sgp['mean_cooperation']))}; "
                f"trust {fmt_ci(*mean_ci(imp['mean_trust']))} vs {fmt_ci(*mean_ci(sgp['mean_trust']))}",
                "Welch t (max p of fines, cooperation, trust)",
                p,
                p < alpha,
            )
        )
    return facts


def imposed_vs_chosen_lab(replicates: int = 200, rounds: int = 40, seed: int = 1) -> pd.DataFrame:
    """Shared governance with its rules chosen (collective_choice = 1) or imposed (0), in both
    laboratory worlds: fines, cooperation, trust and the outcome, mean [95% CI]."""
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
                    "fines (total)": fmt_ci(*mean_ci(g["fines"]), digits=1),
                    "cooperation": fmt_ci(*mean_ci(g["mean_cooperation"])),
                    "trust": fmt_ci(*mean_ci(g["mean_trust"])),
                    outcome: fmt_ci(*mean_ci(g[outcome])),
                }
            )
    return pd.DataFrame(rows).fillna("")


SUCCESS_VS_SHARED = [
    "fines",
    "sanctions",
    "mean_cooperation",
    "mean_trust",
    "provider_failures",
    "population_health",
]


def success_vs_shared(runs: pd.DataFrame) -> pd.DataFrame:
    """success_regime (imposed plan on the tariff, heavy flat sanctions, collective_choice 0)
    against shared_governance at the same scenario: mean [95% CI] of each of
    `SUCCESS_VS_SHARED`, with the two-sided Welch p of a difference ("-" when both are the same
    constant, "0" when they are different constants)."""
    by = {name: g for name, g in runs.groupby("rules", sort=False)}
    sr, sg = by["success_regime"], by["shared_governance"]
    rows = []
    for col in SUCCESS_VS_SHARED:
        a, b = np.asarray(sr[col], float), np.asarray(sg[col], float)
        if a.std() == 0 and b.std() == 0:
            p = "-" if a.mean() == b.mean() else "0"
        else:
            p = f"{stats.ttest_ind(a, b, equal_var=False).pvalue:.2g}"
        rows.append(
            {
                "measure": col,
                "success_regime": fmt_ci(*mean_ci(a)),
                "shared_governance": fmt_ci(*mean_ci(b)),
                "p (Welch, two-sided)": p,
            }
        )
    return pd.DataFrame(rows)


def facts_frame(facts: list[Fact]) -> pd.DataFrame:
    return pd.DataFrame([f.__dict__ for f in facts])


# ------------------------------------------------------------------------------------------------
# The report behind docs/validation.md
# ------------------------------------------------------------------------------------------------
def _md_table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(str(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    for _, row in frame.iterrows():
        lines.append("| " + " | ".join(str(v) for v in row.to_numpy()) + " |")
    return "\n".join(lines)


def report(replicates: int = 200, months: int = 120, rounds: int = 40, seed: int = 1) -> str:
    """Every validation figure as Markdown (the tables of docs/validation.md)."""
    t0 = time.time()
    out = [
        "# Validation figures (generated)",
        "",
        f"Generated by `python -m sim.validation.teaching --replicates {replicates} --months {months} "
        f"--rounds {rounds} --seed {seed}`. Means over replicates with 95% t confidence intervals.",
        "",
        "## 1. Classroom commons (Walker, Gardner & Ostrom design)",
        "",
    ]
    th = theory_values()
    out.append(
        f"Theory (closed forms, D): Nash X = {th['nash_X']:.2f}, optimum X = {th['optimum_X']:.2f}, "
        f"maximum rent {th['max_rent']:.0f} cents, efficiency at Nash {th['nash_efficiency']:.3f}."
    )
    out.append("")
    summary, _ = classroom_runs(replicates=replicates, rounds=rounds, seed=seed)
    checks = [
        band_check(summary, "fortress", th["nash_X"]),
        band_check(summary, "shared_governance", th["optimum_X"]),
    ]
    out.append(
        _md_table(
            pd.DataFrame(
                [
                    {
                        "rules": c["rules"],
                        "target X": f"{c['target']:.1f}",
                        "10% band": f"[{c['band'][0]:.1f}, {c['band'][1]:.1f}]",
                        "model X (95% CI)": fmt_ci(c["mean"], c["lo"], c["hi"], 2),
                        "CI within band": c["within"],
                    }
                    for c in checks
                ]
            )
        )
    )
    out.append("")
    tab = classroom_table(summary)
    rows = []
    for rules, r in tab.iterrows():
        rows.append(
            {
                "preset": rules,
                "model X": fmt_ci(r["X (mean)"], *r["X 95% CI"], 1),
                "model gross": fmt_ci(r["gross efficiency"], *r["gross 95% CI"], 2),
                "model net of fines": fmt_ci(r["net efficiency"], *r["net 95% CI"], 2),
                "published analogue": r["published treatment"],
                "published gross": f"{r['published gross']:.2f} ({r['status']})",
                "published net": (
                    "-"
                    if np.isnan(r["published net"])
                    else f"{r['published net']:.2f} ({r['status']})"
                ),
            }
        )
    out.append(_md_table(pd.DataFrame(rows)))
    out.append("")

    out.append("## 2. Public goods (Fehr & Gaechter 2000 design)")
    out.append("")
    pg_summary, pg_series = public_goods_runs(replicates=replicates, seed=seed)
    tests = [first_last_test(pg_summary, r) for r in ("partnership_board", "shared_governance")]
    out.append(
        _md_table(
            pd.DataFrame(
                [
                    {
                        "rules": t["rules"],
                        "first period": fmt_ci(*t["first"]),
                        "last period": fmt_ci(*t["last"]),
                        "change": fmt_ci(*t["change"]),
                        "p (last < first)": f"{t['p_last_lower']:.2g}",
                    }
                    for t in tests
                ]
            )
        )
    )
    out.append("")
    paths = public_goods_paths(pg_series)
    prow = []
    for month, r in paths.iterrows():
        prow.append(
            {
                "period": month,
                "partnership_board": fmt_ci(
                    r["partnership_board mean"],
                    r["partnership_board lo"],
                    r["partnership_board hi"],
                    2,
                ),
                "F&G without": f"{r['F&G without punishment']:.2f}",
                "shared_governance": fmt_ci(
                    r["shared_governance mean"],
                    r["shared_governance lo"],
                    r["shared_governance hi"],
                    2,
                ),
                "F&G with": f"{r['F&G with punishment']:.2f}",
            }
        )
    out.append(_md_table(pd.DataFrame(prow)))
    out.append("")

    out.append("### Sanctions imposed without agreement, in the laboratory worlds")
    out.append("")
    out.append(_md_table(imposed_vs_chosen_lab(replicates=replicates, rounds=rounds, seed=seed)))
    out.append("")

    out.append("## 3. NHS stylised facts (place_system, default parameters)")
    out.append("")
    runs = nhs_runs(replicates=replicates, months=months, seed=seed)
    pressured = run_many(
        ["shared_governance", imposed_variant()],
        replicates=replicates,
        months=months,
        seed=seed,
        **PRESSURE,
    )
    facts = nhs_facts(runs, pressured, months=months)
    out.append(
        _md_table(
            pd.DataFrame(
                [
                    {
                        "fact": f.name,
                        "published": f.published,
                        "model": f.model,
                        "test": f.statistic,
                        "p": "-" if np.isnan(f.p_value) else f"{f.p_value:.2g}",
                        "holds": f.holds,
                    }
                    for f in facts
                ]
            )
        )
    )
    out.append("")
    cols = [
        "acute_deficit_share",
        "acute_share_start",
        "acute_share",
        "acute_demand_vs_trend",
        "cooperation_start",
        "mean_cooperation",
        "mean_trust",
        "sanctions",
        "fines",
        "population_health",
        "provider_deficit",
        "system_deficit",
    ]
    out.append(
        "Sanctions imposed without agreement at the default scenario: success_regime (imposed "
        "plan on the tariff, heavy flat sanctions, collective_choice 0) against shared_governance "
        "(mean [95% CI]; fines and sanctions are totals over the run, failures cumulative):"
    )
    out.append("")
    out.append(_md_table(success_vs_shared(runs)))
    out.append("")
    ci = ci_table(runs, "rules", cols)
    out.append("All rule sets, place_system defaults (mean [95% CI]):")
    out.append("")
    table = pd.DataFrame(
        {
            col: [fmt_ci(r[col], r[f"{col}_lo"], r[f"{col}_hi"]) for _, r in ci.iterrows()]
            for col in cols
        },
        index=ci.index,
    ).T.reset_index(names="summary")
    out.append(_md_table(table))
    out.append("")
    out.append(f"_Run time {time.time() - t0:.0f} s._")
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Regenerate the validation figures.")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=None, help="write Markdown here (default: stdout)")
    args = parser.parse_args(argv)
    text = report(args.replicates, args.months, args.rounds, args.seed)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        print(text)


if __name__ == "__main__":
    main()
