"""The report behind docs/validation.md: every validation figure as Markdown tables.

Regenerate it with::

    .venv/bin/python -m sim.validation.teaching --replicates 200 --out docs/validation_figures.md

Means are shown with t confidence intervals at `level` (``--level``, default 0.95).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.analysis.tables import fmt_ci, fmt_level, md_table
from sim.core.jit import SOURCE_HASH
from sim.engine.batch import run_many
from sim.validation.intervals import LEVEL, ci_table
from sim.validation.laboratory import (
    band_check,
    classroom_runs,
    classroom_table,
    first_last_test,
    imposed_variant,
    imposed_vs_chosen_lab,
    public_goods_paths,
    public_goods_runs,
    theory_values,
)
from sim.validation.nhs import PRESSURE, nhs_facts, nhs_runs, success_vs_shared

NHS_SUMMARIES = [
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


def frame_table(frame: pd.DataFrame) -> str:
    """A data frame as a Markdown table (its columns as the header, index dropped)."""
    return md_table(frame.columns, frame.itertuples(index=False))


def _classroom_section(replicates: int, rounds: int, seed: int, level: float) -> list[str]:
    """Theory values, the Nash and optimum band checks, and the model beside the lab table."""
    pct = fmt_level(level)
    th = theory_values()
    out = [
        "## 1. Classroom commons (Walker, Gardner & Ostrom design)",
        "",
        f"Theory (closed forms, D): Nash X = {th['nash_X']:.2f}, optimum X = {th['optimum_X']:.2f}, "
        f"maximum rent {th['max_rent']:.0f} cents, efficiency at Nash {th['nash_efficiency']:.3f}.",
        "",
    ]
    summary, _ = classroom_runs(replicates=replicates, rounds=rounds, seed=seed)
    checks = [
        band_check(summary, "fortress", th["nash_X"], level=level),
        band_check(summary, "shared_governance", th["optimum_X"], level=level),
    ]
    rows = [
        {
            "rules": c["rules"],
            "target X": f"{c['target']:.1f}",
            "10% band": f"[{c['band'][0]:.1f}, {c['band'][1]:.1f}]",
            f"model X ({pct} CI)": fmt_ci(c["mean"], c["lo"], c["hi"], 2),
            "CI within band": c["within"],
        }
        for c in checks
    ]
    out += [frame_table(pd.DataFrame(rows)), ""]
    rows = [
        {
            "preset": rules,
            "model X": fmt_ci(r["X (mean)"], *r[f"X {pct} CI"], 1),
            "model gross": fmt_ci(r["gross efficiency"], *r[f"gross {pct} CI"], 2),
            "model net of fines": fmt_ci(r["net efficiency"], *r[f"net {pct} CI"], 2),
            "published analogue": r["published treatment"],
            "published gross": f"{r['published gross']:.2f} ({r['status']})",
            "published net": (
                "-" if np.isnan(r["published net"]) else f"{r['published net']:.2f} ({r['status']})"
            ),
        }
        for rules, r in classroom_table(summary, level).iterrows()
    ]
    return [*out, frame_table(pd.DataFrame(rows)), ""]


def _path_cell(r, rules: str) -> str:
    return fmt_ci(r[f"{rules} mean"], r[f"{rules} lo"], r[f"{rules} hi"], 2)


def _public_goods_section(replicates: int, rounds: int, seed: int, level: float) -> list[str]:
    """First against last period, the paths beside Fehr & Gaechter, imposed against chosen."""
    pg_summary, pg_series = public_goods_runs(replicates=replicates, seed=seed)
    tests = [
        first_last_test(pg_summary, r, level) for r in ("partnership_board", "shared_governance")
    ]
    rows = [
        {
            "rules": t["rules"],
            "first period": fmt_ci(*t["first"]),
            "last period": fmt_ci(*t["last"]),
            "change": fmt_ci(*t["change"]),
            "p (last < first)": f"{t['p_last_lower']:.2g}",
        }
        for t in tests
    ]
    paths = [
        {
            "period": month,
            "partnership_board": _path_cell(r, "partnership_board"),
            "F&G without": f"{r['F&G without punishment']:.2f}",
            "shared_governance": _path_cell(r, "shared_governance"),
            "F&G with": f"{r['F&G with punishment']:.2f}",
        }
        for month, r in public_goods_paths(pg_series, level).iterrows()
    ]
    lab = imposed_vs_chosen_lab(replicates=replicates, rounds=rounds, seed=seed, level=level)
    return [
        "## 2. Public goods (Fehr & Gaechter 2000 design)",
        "",
        frame_table(pd.DataFrame(rows)),
        "",
        frame_table(pd.DataFrame(paths)),
        "",
        "### Sanctions imposed without agreement, in the laboratory worlds",
        "",
        frame_table(lab),
        "",
    ]


def _nhs_section(replicates: int, months: int, seed: int, level: float) -> list[str]:
    """The stylised facts, success regime against shared governance, and every rule set."""
    pct = fmt_level(level)
    runs = nhs_runs(replicates=replicates, months=months, seed=seed)
    pressured = run_many(
        ["shared_governance", imposed_variant()],
        replicates=replicates,
        months=months,
        seed=seed,
        **PRESSURE,
    )
    facts = [
        {
            "fact": f.name,
            "published": f.published,
            "model": f.model,
            "test": f.statistic,
            "p": "-" if np.isnan(f.p_value) else f"{f.p_value:.2g}",
            "holds": f.holds,
        }
        for f in nhs_facts(runs, pressured, months=months, level=level)
    ]
    ci = ci_table(runs, "rules", NHS_SUMMARIES, level)
    table = pd.DataFrame(
        {
            col: [fmt_ci(r[col], r[f"{col}_lo"], r[f"{col}_hi"]) for _, r in ci.iterrows()]
            for col in NHS_SUMMARIES
        },
        index=ci.index,
    ).T.reset_index(names="summary")
    return [
        "## 3. NHS stylised facts (place_system, default parameters)",
        "",
        frame_table(pd.DataFrame(facts)),
        "",
        "Sanctions imposed without agreement at the default scenario: success_regime (imposed "
        "plan on the tariff, heavy flat sanctions, collective_choice 0) against shared_governance "
        f"(mean [{pct} CI]; fines and sanctions are totals over the run, failures cumulative):",
        "",
        frame_table(success_vs_shared(runs, level)),
        "",
        f"All rule sets, place_system defaults (mean [{pct} CI]):",
        "",
        frame_table(table),
        "",
    ]


def report(
    replicates: int = 200, months: int = 120, rounds: int = 40, seed: int = 1, level: float = LEVEL
) -> str:
    """Every validation figure as Markdown (the tables of docs/validation.md)."""
    t0 = time.time()
    command = (
        f"python -m sim.validation.teaching --replicates {replicates} --months {months} "
        f"--rounds {rounds} --seed {seed}" + (f" --level {level:g}" if level != LEVEL else "")
    )
    out = [
        "# Validation figures (generated)",
        "",
        f"Generated by `{command}` (model source hash {SOURCE_HASH}). Means over replicates "
        f"with {fmt_level(level)} t confidence intervals.",
        "",
    ]
    out += _classroom_section(replicates, rounds, seed, level)
    out += _public_goods_section(replicates, rounds, seed, level)
    out += _nhs_section(replicates, months, seed, level)
    out.append(f"_Run time {time.time() - t0:.0f} s._")
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: regenerate the validation figures (stdout, or `--out FILE`)."""
    parser = argparse.ArgumentParser(description="Regenerate the validation figures.")
    parser.add_argument("--replicates", type=int, default=200)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--level", type=float, default=LEVEL, help="confidence level (0.95)")
    parser.add_argument("--out", default=None, help="write Markdown here (default: stdout)")
    args = parser.parse_args(argv)
    text = report(args.replicates, args.months, args.rounds, args.seed, args.level)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        print(text)
