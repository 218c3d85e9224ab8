"""Where shared governance pays: its advantage over fortress along funding pressure, and checks of
the mechanisms behind it (issue 12, item 7; docs/validation.md, "Where shared governance pays").

Run `python scripts/crossover.py [--replicates N] [--check-replicates N] [--out docs/crossover.md]
[--figure docs/img/crossover.png]` to:

- run the sweep of `experiments/funding_pressure_crossover.toml` (fortress and shared governance
  at each value of `budget_growth`, with its seed, months, parameters and, unless `--replicates`
  says otherwise, its replicates: the runs `commons run` makes of that file, run by run) and
  measure, with `sim.analysis.crossover`, shared governance's paired advantage on every main
  outcome at each value, where it changes sign and its slope;
- run each mechanism check of `CHECKS` (a lever or parameter switched, on `--check-replicates`
  replicates over the same grid) and set its advantage beside the unchanged rules' on the same
  replicates, so that each explanation in docs/validation.md is tested;
- run the same comparison along need growth at a fixed budget, at the same funding gaps;
- print the findings and write them as Markdown to `--out` (and the figure to `--figure`).
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from sim.analysis import crossover as xo
from sim.analysis.crossover_text import in_words
from sim.analysis.tables import md_table, shown_path
from sim.core.jit import SOURCE_HASH
from sim.core.params import defaults
from sim.core.rules import PRESETS, RuleSet
from sim.engine.batch import run_many
from sim.experiment.outcomes import LOWER_IS_BETTER
from sim.experiment.report_figures import crossover_figure
from sim.experiment.spec import load_experiment

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENT = ROOT / "experiments" / "funding_pressure_crossover.toml"
DEFAULT_OUT = ROOT / "docs" / "crossover.md"
# Budget growth shown in the tables of the checks (the checks run the whole grid).
SHOWN = (-0.04, -0.02, 0.0, 0.01, 0.02, 0.025, 0.04, 0.07, 0.15)
# Funding gaps (need growth minus budget growth) of the sweep along need growth.
GAPS = (0.045, 0.025, 0.015, 0.005, -0.015, -0.045)
NEED_SWEEP_BUDGET = 0.02
SG = PRESETS[xo.TREATMENT]
_NO_RUNNING_COSTS = {k: 0.0 for k in defaults("place_system") if k.startswith("cost_")}


@dataclass(frozen=True)
class Check:
    """One mechanism check: shared governance with `rules` against fortress, both with `params`."""

    name: str
    claim: str
    outcomes: tuple[str, ...]
    rules: RuleSet = SG
    params: dict = field(default_factory=dict)


CHECKS = (
    Check(
        "no governance running costs",
        "Governance's running costs are a share of the allocation, so they grow with the budget "
        "while fortress's extra spending (transaction costs, induced activity) stops growing once "
        "need is met. Without them the pool-balance advantage should stop shrinking with plenty, "
        "and shared governance should be worse on money only under deeper cuts.",
        ("pool_balance", "system_deficit", "overhead_costs"),
        params=_NO_RUNNING_COSTS,
    ),
    Check(
        "breaches tolerated (breach_tolerance = 0.5)",
        "Under deep cuts agreed shares of the money fall far below need, so any organisation that "
        "keeps imperfectly to them breaches, its partners' trust collapses and the trust gate "
        "lets it keep to even less: it claims above the money and treats into deficit. If "
        "overclaims of up to half were tolerated, trust should hold, failures and deficits fall, "
        "and care be rationed to the money instead (more unmet need).",
        ("mean_trust", "provider_failures", "system_deficit", "unmet_need"),
        params={"breach_tolerance": 0.5},
    ),
    Check(
        "no trust gate (trust_gate = 0)",
        "The same chain cut at its last link: if what organisations keep to did not wait on trust, "
        "they would keep to their agreed shares however low trust fell.",
        ("provider_failures", "system_deficit", "unmet_need", "population_health"),
        params={"trust_gate": 0.0},
    ),
    Check(
        "shared governance without prevention",
        "Prevention, a slice of expected need with diminishing returns, carries the health "
        "advantage: without it the advantage should vanish once need is met and turn negative "
        "where shared governance rations care. Prevention is delivered at each provider's own "
        "unit cost, so the few extra failures under plenty should go too. And the slice, "
        "ring-fenced from a pool that is short, leaves less to share as agreed shares: without "
        "it trust should hold under deeper cuts, and the failures and deficits that follow its "
        "collapse begin lower.",
        ("population_health", "mean_trust", "provider_failures", "system_deficit"),
        rules=SG.without("prevention"),
        # The involved public would still ask for a slice of its own (ODD 7.26): none at all.
        params={"public_prevention": 0.0},
    ),
    Check(
        "shared governance without pooled funding",
        "Paid by activity, shared governance loses most of its transaction-cost saving, and the "
        "cuts of a short pool fall first on the block contracts of providers with little duty to "
        "treat rather than pro rata on all, so its deficits under deep cuts should shrink and its "
        "unmet need grow.",
        ("transaction_costs", "system_deficit", "unmet_need", "provider_failures"),
        rules=SG.without("pooled_funding"),
    ),
)
# Derived outcomes: the overhead of governing, running costs plus transaction costs.
DERIVED = {"overhead_costs": ("governance_costs", "transaction_costs")}
OUTCOMES = (*xo.OUTCOMES, *DERIVED)
LOWER = frozenset(LOWER_IS_BETTER) | set(DERIVED)
# Levels of both rule sets behind the mechanisms (means at the values of `SHOWN`).
LEVELS = ("mean_trust", "mean_cooperation", "commissioner_deficit", "provider_deficit")


def parse(argv) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--experiment", type=Path, default=EXPERIMENT, help="the sweep (TOML)")
    ap.add_argument("--replicates", type=int, help="replicates of the sweep (default: the file's)")
    ap.add_argument("--check-replicates", type=int, default=200, help="replicates per check (200)")
    ap.add_argument("--resamples", type=int, default=xo.RESAMPLES, help="bootstrap resamples")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown file to write")
    ap.add_argument("--figure", type=Path, help="PNG of the advantages (optional)")
    return ap.parse_args(argv)


def pct(x: float) -> str:
    return f"{100 * x:.3g}%"


def num(x: float) -> str:
    return f"{x:.4g}"


def sweep(exp, replicates: int, rules=SG, pressure="budget_growth", values=None, **params):
    """Fortress and `rules` at each value of `pressure` (the experiment's grid by default), with
    the `DERIVED` outcomes."""
    grid = values if values is not None else [pt["budget_growth"] for pt in exp.points]
    runs = run_many(
        ["fortress", rules],
        replicates=replicates,
        months=exp.months,
        seed=exp.seed,
        points=[{pressure: float(v)} for v in grid],
        **{**exp.parameters, **params},
    )
    for name, parts in DERIVED.items():
        runs[name] = runs[list(parts)].sum(axis=1)
    return runs


def analyse(runs, outcomes, treatment=xo.TREATMENT, pressure="budget_growth", resamples=None):
    return xo.crossover(
        runs,
        outcomes,
        lower_is_better=LOWER,
        treatment=treatment,
        pressure=pressure,
        resamples=resamples or xo.RESAMPLES,
    )


def crossing_text(result, outcome: str) -> str:
    """Firm crossings [95% CI], and how many sign changes lie within noise."""
    _, cross, _ = result.outcome(outcome)
    found = cross.dropna(subset=["crossing"])
    firm = found[found["firm"].astype(bool)]
    cells = [f"{pct(r.crossing)} [{pct(r.low)}, {pct(r.high)}]" for r in firm.itertuples()]
    if len(found) > len(firm):
        loose = ", ".join(pct(c) for c in found[~found["firm"].astype(bool)]["crossing"])
        cells.append(f"within noise at {loose}")
    if not cells:
        return f"none in the range ({cross['share_with_crossing'].iloc[0]:.0%} of resamples cross)"
    return "; ".join(cells)


def slope_text(result, outcome: str, name: str) -> str:
    _, _, slopes = result.outcome(outcome)
    r = slopes[slopes["range"] == name].iloc[0]
    return f"{num(r.slope / 100)} [{num(r.low / 100)}, {num(r.high / 100)}]"


def range_label(start: float, end: float) -> str:
    if start == -math.inf:
        return f"up to {pct(end)}"
    return f"from {pct(start)}" if end == math.inf else f"{pct(start)} to {pct(end)}"


def summary_table(result) -> str:
    names = list(xo.BUDGET_RANGES)[1:]
    header = ["outcome", "crossover [95% CI]"]
    header += [f"slope per point, {n} ({range_label(*xo.BUDGET_RANGES[n])})" for n in names]
    rows = [
        [o, crossing_text(result, o), *(slope_text(result, o, n) for n in names)]
        for o in dict.fromkeys(result.advantages["outcome"])
    ]
    return md_table(header, rows)


def outcome_table(result, outcome: str) -> str:
    table, _, _ = result.outcome(outcome)
    rows = [
        [
            pct(r.pressure),
            num(r.treatment_mean),
            num(r.reference_mean),
            num(r.advantage),
            f"[{num(r.low)}, {num(r.high)}]",
            r.verdict,
        ]
        for r in table.itertuples()
    ]
    header = ["budget growth a year", result.treatment, result.reference, "advantage", "95% CI"]
    return md_table([*header, "verdict"], rows)


def side_by_side(results, outcomes, values, labels, first: str) -> str:
    """At each value: per outcome, the advantage (verdict) of each result, side by side."""
    rows = []
    for x in values:
        row = [pct(x)]
        for o in outcomes:
            for res in results:
                t = res.advantages
                r = t[(t["outcome"] == o) & ((t["pressure"] - x).abs() < 1e-9)]
                row.append(f"{num(r.advantage.iloc[0])} ({r.verdict.iloc[0]})" if len(r) else "")
        rows.append(row)
    return md_table([first] + [f"{o}: {w}" for o in outcomes for w in labels], rows)


def run_checks(exp, args, log) -> list[str]:
    out = ["## Mechanism checks", ""]
    out += [
        f"Each check runs fortress and shared governance over the same grid on "
        f"{args.check_replicates} replicates with one mechanism switched, beside the rules as "
        "they are on the same replicates (advantage of shared governance, verdict from its 95% "
        "paired bootstrap interval; crossings with their 95% CI).",
        "",
    ]
    base_runs = sweep(exp, args.check_replicates)
    outcomes = sorted({o for c in CHECKS for o in c.outcomes}, key=list(OUTCOMES + LEVELS).index)
    base = analyse(base_runs, outcomes, resamples=args.resamples)
    for check in CHECKS:
        log(f"check: {check.name}")
        runs = sweep(exp, args.check_replicates, check.rules, **check.params)
        variant = analyse(runs, check.outcomes, check.rules.name, resamples=args.resamples)
        out += [f"### {check.name}", "", check.claim, ""]
        switched = [f"`{k}` = {v}" for k, v in check.params.items()]
        if check.rules is not SG:
            switched.insert(0, f"rules `{check.rules.name}` against fortress")
        out += ["Switched: " + ", ".join(switched) + ".", ""]
        table = side_by_side(
            (base, variant), check.outcomes, SHOWN, ("as is", "check"), "budget growth"
        )
        out += [table, ""]
        for o in check.outcomes:
            out.append(
                f"- {o}: crossover as is {crossing_text(base, o)}; with the check "
                f"{crossing_text(variant, o)}."
            )
        out.append("")
    return out


def need_sweep(exp, args) -> list[str]:
    """The advantage along need growth at a fixed budget, beside the budget sweep, by funding gap."""
    ageing = float(exp.parameters.get("ageing", defaults("place_system")["ageing"]))
    need = float(exp.parameters.get("need_growth", defaults("place_system")["need_growth"]))
    budgets = [round(need + ageing - g, 6) for g in GAPS]
    needs = [round(g + NEED_SWEEP_BUDGET - ageing, 6) for g in GAPS]
    outcomes = ("population_health", "unmet_need", "provider_failures", "system_deficit")
    b_runs = sweep(exp, args.check_replicates, values=budgets)
    n_runs = sweep(
        exp,
        args.check_replicates,
        pressure="need_growth",
        values=needs,
        budget_growth=NEED_SWEEP_BUDGET,
    )
    b_runs["funding_gap"] = need + ageing - b_runs["budget_growth"]
    n_runs["funding_gap"] = n_runs["need_growth"] + ageing - NEED_SWEEP_BUDGET
    res = [
        analyse(r, outcomes, pressure="funding_gap", resamples=args.resamples)
        for r in (b_runs, n_runs)
    ]
    table = side_by_side(res, outcomes, sorted(GAPS), ("budget", "need"), "funding gap a year")
    return [
        "## Along need growth at a fixed budget",
        "",
        f"The same funding gaps (need growth plus ageing minus budget growth) reached by cutting "
        f"the budget (need at {pct(need + ageing)} a year) or by raising need growth (budget at "
        f"{pct(NEED_SWEEP_BUDGET)} a year), {args.check_replicates} replicates each: shared "
        "governance's advantage (verdict) at each gap.",
        "",
        table,
        "",
    ]


def levels_table(runs) -> str:
    """Mean levels of both rule sets at the values of `SHOWN`."""
    at = runs[runs["budget_growth"].isin(SHOWN)]
    g = at.groupby(["budget_growth", "rules"])[list(LEVELS)].mean()
    pairs = [(m, r) for m in LEVELS for r in (xo.REFERENCE, xo.TREATMENT)]
    rows = [
        [pct(x), *(num(g.loc[(x, r), m]) for m, r in pairs)]
        for x in sorted(set(at["budget_growth"]))
    ]
    return md_table(["budget growth", *(f"{m}: {r}" for m, r in pairs)], rows)


def main_section(result, exp, replicates: int, runs) -> list[str]:
    lo, hi = xo.NHS_BUDGET_GROWTH
    out = [
        "## Shared governance against fortress along budget growth",
        "",
        f"{replicates} paired replicates at each of {len(exp.points)} values of budget growth, "
        f"need growing {pct(exp.parameters['need_growth'] + exp.parameters['ageing'])} a year, "
        f"{exp.months} months, base seed {exp.seed}. Advantage = shared governance minus "
        "fortress, signed so that positive is better for shared governance; its 95% interval is "
        "a paired bootstrap over replicates; the verdict is better or worse when the interval "
        "excludes 0. Crossover: where the mean advantage changes sign, with the 95% interval "
        "of the nearest crossing over joint bootstrap resamples of the replicates. Slopes: of "
        "the advantage per percentage point of budget growth (least squares, 95% bootstrap "
        f"interval); the NHS has seen about {pct(lo)} to {pct(hi)} a year of real growth.",
        "",
        summary_table(result),
        "",
        "`overhead_costs` is `governance_costs` + `transaction_costs`: the running cost of "
        "governing together against the cost of contracting it saves.",
        "",
        "Levels behind the mechanisms (means over replicates; deficits in GBP million at month "
        "120, trust and cooperation over the last 12 months):",
        "",
        levels_table(runs),
        "",
    ]
    for o in dict.fromkeys(result.advantages["outcome"]):
        better = "lower is better" if o in LOWER else "higher is better"
        out += [f"### {o} ({better})", "", in_words(result, o, pct, "budget growth"), ""]
        out += [outcome_table(result, o), ""]
    return out


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse(argv)
    started = time.monotonic()

    def log(text: str) -> None:
        print(f"{text} ({time.monotonic() - started:.0f} s)", file=sys.stderr, flush=True)

    exp = load_experiment(args.experiment)
    replicates = args.replicates or exp.replicates
    log(f"sweep: {len(exp.points)} values x 2 rule sets x {replicates} replicates")
    runs = sweep(exp, replicates)
    result = analyse(runs, OUTCOMES, resamples=args.resamples)
    lines = [
        "# Where shared governance pays: measured",
        "",
        f"Generated by `python scripts/crossover.py {shlex.join(argv)}` (model source hash {SOURCE_HASH}; experiment "
        f"`{shown_path(args.experiment, ROOT)}`, sha256 {exp.sha256[:16]}). Do not edit by hand: run the "
        "command again. What the figures mean and the mechanisms behind them: "
        'docs/validation.md, "Where shared governance pays".',
        "",
        *main_section(result, exp, replicates, runs),
    ]
    print("\n".join(in_words(result, o, pct, "budget growth") for o in OUTCOMES))
    lines += run_checks(exp, args, log)
    log("need growth at a fixed budget")
    lines += need_sweep(exp, args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines).rstrip() + "\n")
    if args.figure:
        args.figure.parent.mkdir(parents=True, exist_ok=True)
        crossover_figure(result, True, args.figure)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
