"""Which outcomes each design principle moves beyond seed noise, both ways, under funding pressure.

Run `python scripts/principle_effects.py [--replicates N] [--pressures -0.02 0 0.02 0.04]
[--out docs/principles.md]` to run `sim.analysis.principles.principle_effects` (every principle
switched off from shared governance and switched on alone in fortress, paired on common random
numbers at each value of `budget_growth`), print a table per principle and write docs/principles.md.
tests/test_principles_work.py asserts, on fewer replicates, that each principle moves the outcome
it documents.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

import pandas as pd

from sim.analysis import principles as pe
from sim.analysis.sanctions import graduated_against_flat
from sim.analysis.tables import fmt_level, md_table, shown_path
from sim.core.jit import SOURCE_HASH
from sim.core.params import defaults
from sim.core.rules import PRESETS, PRINCIPLES

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "principles.md"
TITLES = {
    pe.OFF: "Switched off from shared_governance",
    pe.ON: "Switched on alone in fortress",
    pe.WITH: "Switched on in fortress beside the principles it acts through",
}
SHORT = {
    pe.OFF: "off from shared_governance",
    pe.ON: "on alone in fortress",
    pe.WITH: "on in fortress beside its requirements",
}


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=100, help="paired replicates (100)")
    ap.add_argument(
        "--pressures",
        type=float,
        nargs="+",
        default=pe.PRESSURES,
        help="values of budget_growth (-0.02 0 0.02 0.04)",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown file to write")
    ap.add_argument("--seed", type=int, default=pe.SEED, help=f"base seed ({pe.SEED})")
    ap.add_argument("--months", type=int, default=120, help="months per run (120)")
    ap.add_argument("--level", type=float, default=pe.LEVEL, help="confidence level (0.95)")
    return ap.parse_args(argv)


def num(x: float) -> str:
    return f"{x:.3g}"


def effect_text(row) -> str:
    """`population_health -0.0198 [-0.02, -0.0197]`."""
    return f"{row.outcome} {num(row.mean_difference)} [{num(row.low)}, {num(row.high)}]"


def pressure_text(pressure: float, gap: float) -> str:
    """`-2% (gap 4.5%)`: budget growth and the funding gap, a year."""
    return f"{100 * pressure:.3g}% (gap {100 * gap:.3g}%)"


def moved(rows: pd.DataFrame) -> str:
    beyond = rows[rows["beyond_noise"]]
    return "; ".join(effect_text(r) for r in beyond.itertuples()) or "**nothing**"


def inert_findings(table: pd.DataFrame) -> list[str]:
    """One line per principle and direction that moves nothing beyond noise at some pressure."""
    lines = []
    for (principle, direction), rows in table.groupby(["principle", "direction"], sort=False):
        by_pressure = rows.groupby("pressure")["beyond_noise"].any()
        still = [p for p, any_moved in by_pressure.items() if not any_moved]
        if not still:
            continue
        if len(still) == len(by_pressure):
            where = "at every pressure"
        else:
            where = "at budget growth " + ", ".join(f"{100 * p:.3g}%" for p in still)
        lines.append(f"`{principle}` {SHORT[direction]}: moves no outcome beyond noise {where}.")
    return lines


def levers_text(principle: str) -> str:
    shared, fortress = PRESETS["shared_governance"], PRESETS["fortress"]
    levers = PRINCIPLES[principle]["levers"]
    return ", ".join(
        f"`{lv}` ({getattr(shared, lv)!r} in shared_governance, {getattr(fortress, lv)!r} in "
        "fortress)"
        for lv in levers
    )


def principle_section(principle: str, rows: pd.DataFrame) -> list[str]:
    out = [f"## {principle}", "", f"Levers: {levers_text(principle)}.", ""]
    out += [str(PRINCIPLES[principle]["explain"]), ""]
    needs = pe.requirements(principle)
    if needs:
        out += [f"Acts through: {', '.join(f'`{n}`' for n in needs)}.", ""]
    for direction in pe.directions_of(principle):
        sub = rows[rows["direction"] == direction]
        out += [
            f"**{TITLES[direction]}** (`{sub['variant'].iloc[0]}` minus `{sub['base'].iloc[0]}`)"
        ]
        out += [""]
        table = [
            (pressure_text(p, g["funding_gap"].iloc[0]), moved(g))
            for p, g in sub.groupby("pressure")
        ]
        header = ["budget growth a year (funding gap)", "outcomes beyond seed noise"]
        out += [md_table(header, table), ""]
    return out


def summary_table(table: pd.DataFrame) -> str:
    """Per principle and direction: at how many pressures anything moves."""
    n = table["pressure"].nunique()
    rows = []
    for principle, sub in table.groupby("principle", sort=False):
        cells = []
        for direction in pe.DIRECTIONS:
            rows_d = sub[sub["direction"] == direction]
            if rows_d.empty:
                cells.append("(no requirements)")
                continue
            hits = int(rows_d.groupby("pressure")["beyond_noise"].any().sum())
            cells.append(f"{hits} of {n}")
        rows.append((f"[{principle}](#{principle})", *cells))
    header = ["principle", *(f"{SHORT[d]}: pressures with an effect" for d in pe.DIRECTIONS)]
    return md_table(header, rows)


def _verdict(health: pd.Series, deficit: pd.Series) -> str:
    """From the off-from-shared-governance rows of one pressure: health and deficit effects."""
    worse = (health.beyond_noise and health.mean_difference < 0) or (
        deficit.beyond_noise and deficit.mean_difference > 0
    )
    better = (health.beyond_noise and health.mean_difference > 0) or (
        deficit.beyond_noise and deficit.mean_difference < 0
    )
    if worse and better:
        return "mixed"
    if worse:
        return "pays"
    if better:
        return "costs"
    return "nothing"


def pays_table(table: pd.DataFrame) -> str:
    """Per principle and pressure: does dropping it from shared governance hurt (it pays)?"""
    off = table[table["direction"] == pe.OFF]
    pressures = sorted(off["pressure"].unique())
    rows = []
    for principle, sub in off.groupby("principle", sort=False):
        cells = []
        for p in pressures:
            at = sub[sub["pressure"] == p].set_index("outcome")
            if {"population_health", "system_deficit"} <= set(at.index):
                cells.append(_verdict(at.loc["population_health"], at.loc["system_deficit"]))
            else:
                cells.append("(not measured)")
        rows.append((f"`{principle}`", *cells))
    header = ["principle", *(f"budget growth {100 * p:+g}%" for p in pressures)]
    return md_table(header, rows)


def bare_section(bare: pd.DataFrame) -> list[str]:
    """The mechanisms alone: every principle's running cost at 0."""
    lines = [
        "## The mechanisms alone: running costs at 0",
        "",
        "The same comparisons with every principle's running cost (`cost_*`) at 0 "
        "(`sim.analysis.principles.running_costs_off`), so that what moves is the mechanism, not "
        "its cost. tests/test_principles_work.py asserts on runs like these (20 replicates, each "
        "pressure at the 98.75% level: 95% shared over the four pressures).",
        "",
    ]
    findings = inert_findings(bare)
    lines += [f"- {f}" for f in findings] if findings else ["Every principle moves something."]
    return [*lines, "", summary_table(bare), ""]


def sanctions_section(flat: pd.DataFrame) -> list[str]:
    """Graduated against flat sanctions under shared governance."""
    rows = [
        (f"{100 * r.pressure:+g}%", r.outcome, effect_text(r), "yes" if r.beyond_noise else "no")
        for r in flat.itertuples()
    ]
    header = ["budget growth", "outcome", "flat minus graduated [interval]", "beyond noise"]
    return [
        "## Graduated against flat sanctions",
        "",
        "Shared governance with its sanctions graduated (a warning first, then fines rising past "
        "the flat level with repetition) against the same rules with every detected breach fined "
        "at the flat level (`sim.analysis.sanctions.graduated_against_flat`; the "
        "`graduated_sanctions` principle below switches the fine itself too, so it compares "
        "sanctions with none). Paired replicates as above; graduation has no running cost.",
        "",
        md_table(header, rows),
        "",
    ]


def markdown(
    table: pd.DataFrame,
    args: argparse.Namespace,
    command: str,
    bare: pd.DataFrame | None = None,
    flat: pd.DataFrame | None = None,
) -> str:
    d = defaults("place_system")
    need = d["need_growth"] + d["ageing"]
    level = fmt_level(args.level)
    lines = [
        "# What each design principle moves",
        "",
        f"Generated by `{command}` (model source hash {SOURCE_HASH}, base seed {args.seed}, "
        f"{args.replicates} paired replicates, {args.months} months). Do not edit by hand: run "
        "the command again.",
        "",
        "Each principle of `sim.core.rules.PRINCIPLES` is switched off from `shared_governance` "
        "(its levers set as in fortress) and switched on alone in `fortress` (its levers set as "
        "in shared governance); a principle that acts through others in full (`requires`: "
        "sanctions through an agreement and monitoring, chosen shares through an agreement and "
        "members; alone, each acts through a weaker path of its own, docs/ODD.md 7.18 and 7.26) is "
        "also switched on in fortress beside them. Each variant is compared with its base on common random numbers: "
        "replicate j of both has the same seed and run key, and the difference is variant minus "
        "base. Funding pressure is swept through `budget_growth` with need growth at its default "
        f"({100 * need:.3g}% a year: `need_growth` + `ageing`); the funding gap is need growth "
        "minus budget growth. An outcome moves *beyond seed noise* when the mean paired "
        f"difference exceeds {table['z'].iloc[0]:.3g} standard errors and its {level} paired "
        "bootstrap interval (`sim.analysis.stats.paired_difference_ci`) excludes 0. Shown: mean "
        f"difference [{level} interval]; differences below {pe.RESOLUTION:g} of an outcome's "
        "largest magnitude are round-off and never count. Outcomes compared: "
        + ", ".join(f"`{o}`" for o in table["outcome"].unique())
        + " (run summaries: docs/ODD.md).",
        "",
        "An effect beyond noise is not necessarily the principle's own mechanism at work: a lever "
        "with a running cost (see `governance_costs`) moves the pool, and what follows from it, "
        "through that cost alone. tests/test_principles_work.py names, for each principle, the "
        "outcome its mechanism moves and asserts it.",
        "",
        "## Findings: principles that move nothing",
        "",
    ]
    findings = inert_findings(table)
    lines += [f"- {f}" for f in findings] if findings else ["Every principle moves something."]
    lines += ["", summary_table(table), ""]
    lines += [
        "## Does each principle pay?",
        "",
        "Shared governance without the principle, against shared governance, on the two outcomes "
        "a commissioner weighs first: *pays* when dropping it lowers population health or raises "
        "the system deficit beyond seed noise (and does not do the opposite on the other), "
        "*costs* when dropping it does the reverse, *mixed* when it trades one for the other, "
        "and *nothing* when neither moves beyond noise.",
        "",
        pays_table(table),
        "",
    ]
    if bare is not None:
        lines += bare_section(bare)
    if flat is not None:
        lines += sanctions_section(flat)
    for principle, rows in table.groupby("principle", sort=False):
        lines += principle_section(principle, rows)
    return "\n".join(lines).rstrip() + "\n"


def print_tables(table: pd.DataFrame) -> None:
    for principle, rows in table.groupby("principle", sort=False):
        print(f"\n{principle} ({', '.join(PRINCIPLES[principle]['levers'])})")
        for direction in pe.directions_of(principle):
            print(f"  {SHORT[direction]}")
            for p, g in rows[rows["direction"] == direction].groupby("pressure"):
                text = moved(g).replace("**", "")
                print(f"    {pressure_text(p, g['funding_gap'].iloc[0]):>16}  {text}")


def main(argv=None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    n_rules = len(pe.rule_sets())
    started = time.monotonic()

    def progress(i: int, n: int, pressure: float) -> None:
        print(
            f"pressure {i + 1}/{n} (budget_growth {pressure:g}): {n_rules} rule sets x "
            f"{args.replicates} replicates, {time.monotonic() - started:.0f} s so far",
            file=sys.stderr,
            flush=True,
        )

    design = {
        "pressures": args.pressures,
        "replicates": args.replicates,
        "months": args.months,
        "seed": args.seed,
        "level": args.level,
    }
    table = pe.principle_effects(**design, progress=progress)
    print("the mechanisms alone (running costs at 0)", file=sys.stderr, flush=True)
    bare = pe.principle_effects(**design, **pe.running_costs_off())
    flat = graduated_against_flat(
        args.pressures, args.replicates, args.months, args.seed, args.level
    )
    print(f"done in {time.monotonic() - started:.0f} s", file=sys.stderr)
    print_tables(table)
    command = "python scripts/principle_effects.py " + shlex.join(
        [
            "--replicates",
            str(args.replicates),
            "--pressures",
            *(f"{p:g}" for p in args.pressures),
            "--out",
            shown_path(args.out, ROOT),
        ]
        + ([] if args.seed == pe.SEED else ["--seed", str(args.seed)])
        + ([] if args.months == 120 else ["--months", str(args.months)])
        + ([] if args.level == pe.LEVEL else ["--level", f"{args.level:g}"])
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(markdown(table, args, command, bare, flat))
    print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
