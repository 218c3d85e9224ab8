"""The report's readable outcomes, for place-based experiments with one design point.

- **Outcomes in readable units**: money in GBP million a year and as shares of the allocation, new
  need left unmet beside all need unmet, patients waiting, avoidable emergency admissions.
- **Where the money went**: who holds the deficit, failures, and the costs that bought no care.
- **At equal spend**: what each rule set's extra spend bought against the reference (GBP million
  per point of population health, GBP per avoidable admission averted).
- **The trade-offs**: the mechanisms behind those numbers, in words, with this experiment's figures.
- **How much replicates differ**: mean, sd, coefficient of variation and the central 90% of the
  runs of each main outcome (`sim.analysis.stats.between_run_spread`), and where the spread comes
  from (the sources of ODD 7.15, as `scripts/replicate_spread.py` measures them).

Every number is a mean over a rule set's runs (summaries.parquet), or a difference of two such
means; tables/readable.csv, tables/equal_spend.csv and tables/spread.csv hold them in full.
The measures are defined in docs/ODD.md (section 6) and `sim/core/measures.py`.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from sim.analysis.stats import between_run_spread
from sim.analysis.tables import md_table
from sim.experiment.spec import Experiment
from sim.experiment.store import atomic_write_csv

# (run summary, label, format) of the table in readable units.
READABLE = (
    ("allocation_per_year", "allocation, GBP m a year", "money"),
    ("spend_per_year", "spend (care, running and takeover costs), GBP m a year", "money"),
    ("overspend_per_year", "spent above the allocation, GBP m a year", "money"),
    ("overspend_share", "... as a share of the allocation", "share"),
    (
        "costs_per_year",
        "of the spend: transaction, governance and takeover costs, GBP m a year",
        "money",
    ),
    ("system_deficit", "deficit at the end (commissioners + providers), GBP m", "money"),
    ("deficit_share", "... as a share of the last year's allocation", "share"),
    ("new_unmet_need", "new need left unmet, last year", "share"),
    ("unmet_need", "need unmet, waiting list carried in included, last year", "share"),
    ("waiting_patients", "patients waiting at the end, all services", "count"),
    ("waiting_patients_acute", "... of them for hospital care", "count"),
    ("population_health", "population health index at the end", "index"),
    (
        "avoidable_admission_rate",
        "avoidable emergency admissions a year per 100,000 at the end",
        "count",
    ),
    ("spend_per_need_met", "GBP spent per GBP of need met (standard unit cost)", "ratio"),
    ("spend_per_health_point", "GBP m spent a year per point of population health", "ratio"),
)
# Where the money went.
MONEY = (
    ("commissioner_deficit", "commissioners' deficit at the end, GBP m", "money"),
    ("provider_deficit", "providers' deficit at the end, GBP m", "money"),
    ("acute_deficit_share", "... share of it held by acute trusts", "share"),
    ("providers_in_deficit", "providers in deficit at the end", "count1"),
    ("provider_failures", "providers taken over during the run", "count1"),
    ("takeover_costs", "takeover costs over the run, GBP m", "money"),
    ("transaction_costs", "transaction costs over the run, GBP m", "money"),
    ("governance_costs", "governance running costs over the run, GBP m", "money"),
)
# The NHS mechanisms' own measures (shown when the results have them: folders written before
# them still get the rest of the section).
NHS = (
    (
        "providers_in_support",
        "providers in mandated support or special measures, last year",
        "count1",
    ),
    ("providers_in_special_measures", "... of them in special measures", "count1"),
    ("special_measures_entries", "entries into special measures over the run", "count1"),
    ("delayed_discharges", "acute capacity taken by delayed discharges, GBP m a month", "count1"),
    ("capital_invested_per_year", "capital invested in capacity, GBP m a year", "money"),
    (
        "efficiency_paid_back_per_year",
        "paid back to the pools by the tariff's efficiency factor, GBP m a year",
        "money",
    ),
)
# The main outcomes whose spread between replicates the report states.
SPREAD = (
    "population_health",
    "avoidable_admission_rate",
    "system_deficit",
    "overspend_per_year",
    "new_unmet_need",
    "waiting_patients_acute",
    "provider_failures",
    "spend_per_need_met",
)
NEEDED = {name for name, _, _ in READABLE + MONEY} | set(SPREAD) | {"total_spend", "total_need_met"}
NEEDED |= {"avoidable_admissions", "total_allocation"}

# Where the spread between replicates comes from: scripts/replicate_spread.py at the default
# spreads, 1,000 replicates of fortress and shared governance (the table of docs/ODD.md 7.15).
SOURCES = (
    "Each replicate draws its own places and organisations (docs/ODD.md 7.15: population, need "
    "and allocation per head, starting health, unit cost of care, starting balance, size) and its "
    "own behaviour (types, leadership, risk attitude, demand shocks, monitoring draws and trials). "
    "`scripts/replicate_spread.py` switches the sources on one at a time (1,000 replicates of "
    "fortress and shared governance at the default spreads, ODD 7.15): starting health explains "
    "73.0% (fortress) and 62.2% (shared governance) of the variance of population health, and so "
    "of avoidable admissions, need 2.3% and 5.3%, and behaviour alone 0.1% and 0.6%. Under "
    "fortress population (the size of the sums) explains 66.0% of the variance of the system "
    "deficit, unit cost 12.1% and need 9.4%; under shared governance need explains 75.0%, "
    "allocation apart from need 33.3%, unit cost 31.2% and behaviour alone 11.4%, overlapping. "
    "Provider failures under "
    "fortress vary with the run's own shocks and behaviour alone (43.6%) as much as with need "
    "(39.1%), allocation (33.3%), unit cost (28.1%) and starting balance (22.1%); under shared "
    "governance need explains 72.3% of them, allocation 28.7% and behaviour alone 13.0%. The "
    "rest is the sources' "
    "interaction. Those shares are the script's at the default spreads, not these runs': an "
    "experiment that changes the spreads changes them."
)


def _show(value: float, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if kind == "money":
        return f"{value:,.0f}"
    if kind == "share":
        return f"{100.0 * value:.1f}%"
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "count1":
        return f"{value:,.1f}"
    return f"{value:.3f}"


def _table(means: pd.DataFrame, rows, names: list[str]) -> str:
    cells = [[label, *(_show(means.at[r, col], kind) for r in names)] for col, label, kind in rows]
    return md_table(["", *names], cells)


def _per_gain(cost: float, gain: float, per: tuple[str, str], scale: float = 1.0) -> str:
    """Extra cost per unit of outcome gained (`per[0]`), the saving per unit lost (`per[1]`), or
    which side dominates."""
    if gain == 0.0 or math.isnan(gain) or math.isnan(cost):
        return "n/a"
    if cost <= 0.0 and gain > 0.0:
        return "dominates: spends less and gains"
    if cost >= 0.0 and gain < 0.0:
        return "dominated: spends more and loses"
    ratio = scale * cost / gain
    return f"{ratio:,.0f} {per[0]}" if gain > 0.0 else f"saves {ratio:,.0f} {per[1]}"


PER_POINT = ("GBP m per point gained", "GBP m per point lost")
PER_ADMISSION = ("GBP per admission averted", "GBP per extra admission")


def equal_spend(means: pd.DataFrame, exp: Experiment) -> pd.DataFrame:
    """Each rule set against the reference: differences of means, and costs per unit of outcome.

    Returns:
        One row per rule set other than the reference: extra spend (GBP m over the run) and its
        share of the allocation, extra need met (GBP m), health points (100 x the index),
        avoidable admissions averted over the run, the deficit at the end (GBP m), GBP m per
        point of health gained and GBP per admission averted.
    """
    ref = means.loc[exp.reference]
    rows = []
    for name in exp.rule_names:
        if name == exp.reference:
            continue
        r = means.loc[name]
        spend = r["total_spend"] - ref["total_spend"]
        points = 100.0 * (r["population_health"] - ref["population_health"])
        averted = ref["avoidable_admissions"] - r["avoidable_admissions"]
        allocation = ref["total_allocation"]
        rows.append(
            {
                "rules": name,
                "extra_spend": spend,
                "extra_spend_share": spend / allocation if allocation else math.nan,
                "extra_need_met": r["total_need_met"] - ref["total_need_met"],
                "health_points": points,
                "admissions_averted": averted,
                "extra_deficit": r["system_deficit"] - ref["system_deficit"],
                "gbp_m_per_point": spend / points if points else math.nan,
                "gbp_per_admission_averted": 1e6 * spend / averted if averted else math.nan,
                "per_point": _per_gain(spend, points, PER_POINT),
                "per_admission": _per_gain(spend, averted, PER_ADMISSION, 1e6),
            }
        )
    return pd.DataFrame(rows)


def _more(value: float, more: str = "more", less: str = "less") -> str:
    return more if value >= 0 else less


def _tradeoff_sentence(row, means: pd.DataFrame, exp: Experiment) -> str:
    """What one rule set spends, meets and gains against the reference, in one paragraph."""
    years = exp.months / 12.0
    ref, r = means.loc[exp.reference], means.loc[row.rules]
    rate = r["avoidable_admission_rate"] - ref["avoidable_admission_rate"]
    return (
        f"- **{row.rules} against {exp.reference}.** Over {years:g} years {row.rules} spends "
        f"GBP {abs(row.extra_spend):,.0f}m {_more(row.extra_spend)} "
        f"({100.0 * abs(row.extra_spend_share):.1f}% of the allocation) and meets GBP "
        f"{abs(row.extra_need_met):,.0f}m {_more(row.extra_need_met)} need; it ends with "
        f"population health {abs(row.health_points):.1f} points "
        f"{_more(row.health_points, 'higher', 'lower')} (about {abs(rate):,.0f} "
        f"{_more(-rate, 'fewer', 'more')} avoidable admissions a year per 100,000 people; "
        f"{abs(row.admissions_averted):,.0f} {_more(row.admissions_averted, 'fewer', 'more')} "
        f"over the run) and a deficit GBP {abs(row.extra_deficit):,.0f}m "
        f"{_more(row.extra_deficit, 'larger', 'smaller')}. It leaves "
        f"{100.0 * r['new_unmet_need']:.1f}% of the last year's new need unmet against "
        f"{100.0 * ref['new_unmet_need']:.1f}%, and {r['waiting_patients_acute']:,.0f} patients "
        f"waiting for hospital care against {ref['waiting_patients_acute']:,.0f}.\n"
    )


WHY = """Why these trade-offs (docs/ODD.md section 7):

- **Spending more meets more need, for a while.** Under activity payment each provider claims all
  it can bill, and acute and ambulance trusts must treat whoever arrives (the duty to treat, 7.7):
  they deliver care nobody has paid for and run deficits. That care is real, so more need is met;
  it is paid for later. A commissioner repays its deficit by spending less in later months (7.4),
  a failed provider's deficit is written off against the pools (7.12), and the transaction costs of
  billing buy no care (7.6).
- **Keeping to an agreed share is rationing.** A member of the agreement claims its agreed share
  of the money available, not all the need it faces (7.5): need beyond the share waits (compare
  the hospital waiting lists) or leaves the list untreated. What the agreement buys is a
  ring-fenced prevention slice (7.9), balanced books and trust; the health it gains shows over
  years.
- **Meeting more need is not the same as better health.** Need rises as health falls (7.3), so a
  less healthy population has more need to meet: a rule set can meet more need in pounds and
  still leave its population less healthy.
- **Where the deficit goes**: "Where the money went" splits it between commissioners (the pool,
  repaid by spending less) and providers (with the share acute trusts hold), who carry it until
  they recover or fail and are taken over.
- **Comparing at equal spend**: a rule set that spends more should buy more; the columns GBP m per
  point and GBP per admission say what it bought, or that one side spends less and gains
  (dominates).
"""

ADMISSIONS_NOTE = (
    "Avoidable admissions are population health shown on a countable scale, a presentation and "
    "not a calibration: the health index is mapped linearly onto emergency admissions for "
    "ambulatory care sensitive conditions, from the healthiest starting place at the defaults "
    "(index 0.784) at the lowest rate among English local authorities, 9 per 1,000 people a "
    "year, to the least healthy (0.616) at the highest, 22 per 1,000 (King's Fund 2012; "
    "docs/references.md, 'Readable outcomes'). One point of health is about 77 admissions a year "
    "per 100,000 people. Patients waiting convert each service's waiting list (GBP m of care) at "
    "a cost per case: a hospital referral-to-treatment pathway GBP 520, a community nursing contact 47, a mental "
    "health contact 250, a GP consultation 45, an ambulance incident 270, a month of long-term "
    "social care 1,840. New need left unmet counts the month's care against the need that "
    "arrived that month, leaving out the waiting list carried in.\n"
)


def _means(frame: pd.DataFrame, columns: list[str], names: list[str]) -> pd.DataFrame:
    """Each rule set's mean of `columns` at the first design point, rows in `names` order."""
    return frame[frame["point"] == 0].groupby("rules")[columns].mean().loc[names]


def readable_section(frame: pd.DataFrame, exp: Experiment, tables: Path, w) -> None:
    """The outcomes in readable units, where the money went, the comparison at equal spend, the
    trade-offs and the spread between replicates (place-based, one design point)."""
    missing = sorted(NEEDED - set(frame.columns))
    w("## The outcomes in readable units\n")
    if missing:
        w(f"Not available: these results have no {', '.join(missing)} (written before them).\n")
        return
    names = list(exp.rule_names)
    means = _means(frame, sorted(NEEDED), names)
    atomic_write_csv(tables / "readable.csv", means.reset_index())
    w(f"Means over the runs of each rule set ({exp.months} months; money at base-year prices).\n")
    w(_table(means, READABLE, names) + "\n")
    w(ADMISSIONS_NOTE)
    w("### Where the money went\n")
    w(_table(means, MONEY, names) + "\n")
    nhs = [name for name, _, _ in NHS]
    if set(nhs) <= set(frame.columns):
        nhs_means = _means(frame, nhs, names)
        atomic_write_csv(tables / "nhs.csv", nhs_means.reset_index())
        w("### Oversight, delayed discharges and capital\n")
        w(_table(nhs_means, NHS, names) + "\n")
    if len(names) > 1:
        eq = equal_spend(means, exp)
        atomic_write_csv(tables / "equal_spend.csv", eq)
        w(f"### At equal spend: each rule set against {exp.reference}\n")
        w(
            "Differences of means over the run (rule set minus reference); health in points "
            "(the index x 100); admissions averted over the run.\n"
        )
        cells = [
            [
                r.rules,
                _show(r.extra_spend, "money"),
                _show(r.extra_spend_share, "share"),
                _show(r.extra_need_met, "money"),
                f"{r.health_points:+.2f}",
                _show(r.admissions_averted, "count"),
                _show(r.extra_deficit, "money"),
                r.per_point,
                r.per_admission,
            ]
            for r in eq.itertuples()
        ]
        header = ["rule set", "extra spend, GBP m", "of the allocation", "extra need met, GBP m"]
        header += ["health, points", "admissions averted", "extra deficit, GBP m"]
        header += ["GBP m per point of health", "GBP per admission averted"]
        w(md_table(header, cells) + "\n")
        w("### The trade-offs\n")
        for r in eq.itertuples():
            w(_tradeoff_sentence(r, means, exp))
        w(WHY)
    spread_section(frame, exp, tables, w)


def spread_section(frame: pd.DataFrame, exp: Experiment, tables: Path, w) -> None:
    """Mean, sd, coefficient of variation and the central 90% of the runs of each main outcome."""
    rows = []
    for name in exp.rule_names:
        runs = frame[(frame["point"] == 0) & (frame["rules"] == name)]
        for outcome in SPREAD:
            rows.append({"rules": name, "outcome": outcome, **between_run_spread(runs[outcome])})
    table = pd.DataFrame(rows)
    atomic_write_csv(tables / "spread.csv", table)
    w("### How much replicates differ, and why\n")
    w(
        "Spread over the runs of each rule set: standard deviation, coefficient of variation "
        "(sd / |mean|) and the central 90% of the runs.\n"
    )
    cells = [
        [
            r.outcome,
            r.rules,
            _number(r.mean),
            _number(r.sd),
            "n/a" if math.isnan(r.cv) else f"{100.0 * r.cv:.1f}%",
            f"{_number(r.low)} to {_number(r.high)}",
        ]
        for r in table.sort_values(["outcome", "rules"], key=_order).itertuples()
    ]
    w(md_table(["outcome", "rule set", "mean", "sd", "CV", "90% of runs"], cells) + "\n")
    w(SOURCES + "\n")
    if getattr(exp, "uncertainty", None) is not None:
        w(
            "These runs also draw their parameters from the priors, so their spread holds "
            'parameter uncertainty too; the section "Uncertainty: seeds and parameters" '
            "separates it from seed noise.\n"
        )


def _number(value: float) -> str:
    """Four significant digits, or whole numbers with separators from 1,000 up."""
    if math.isnan(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1000.0 else f"{value:.4g}"


def _order(column: pd.Series) -> pd.Series:
    """Sort outcomes in the order of SPREAD (rule sets keep the experiment's order)."""
    if column.name == "outcome":
        return column.map(SPREAD.index)
    return column.map({name: i for i, name in enumerate(pd.unique(column))})
