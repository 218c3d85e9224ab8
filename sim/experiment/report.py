"""The report of a results folder: statistics, figures (PNG) and report.md.

Every number in report.md is recomputable from the Parquet files (and the procedure is written
into the report). The statistics are those of `sim.analysis.stats`, at the experiment's
confidence level (`[report] confidence`, default 0.95) with its `bootstrap` resamples:

- mean: the arithmetic mean over runs of the rule set (and point);
- confidence interval of a mean: percentile bootstrap of the runs with replacement, generator
  `numpy.random.default_rng([seed, zlib.crc32(tag)])` where seed is the experiment's base seed
  and tag = "mean|OUTCOME|RULES|POINT";
- difference vs the reference rule set: mean(rule set) - mean(reference), CI by a paired bootstrap
  over replicates (common random numbers: replicate j of both used run key j), tag
  "diff|OUTCOME|RULES|POINT";
- Cliff's delta: P(X > Y) - P(X < Y) for X a run of the rule set and Y a run of the reference,
  = 2U/(n1 n2) - 1 with U the Mann-Whitney statistic of X; p value: two-sided Mann-Whitney U
  (`scipy.stats.mannwhitneyu`, method "auto"); p = 1 when both samples are one identical constant.

The numbers are computed in `report_analysis.py`, the figures drawn in `report_figures.py`, and
the design-specific sections written in `report_sections.py`, the section "Uncertainty: seeds
and parameters" (when the experiment draws its parameters from priors) in `report_uncertainty.py`
(statistics: `sim/analysis/uncertainty.py`), and the outcomes in readable units
(money a year, patients, admissions, the trade-offs and the spread between replicates) in
`report_outcomes.py`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.analysis.stats import fan_description
from sim.analysis.tables import fmt, fmt_level, fmt_p, md_table
from sim.core.constants import SUMMARIES
from sim.core.params import PARAMETERS
from sim.core.rules import LEVERS
from sim.experiment import report_sections as sections
from sim.experiment.checker import ExperimentError, rereading
from sim.experiment.lock import folder_lock
from sim.experiment.outcomes import direction
from sim.experiment.report_analysis import (
    compare,
    crossover_result,
    find_crossings,
    sensitivity_indices,
)
from sim.experiment.report_figures import comparison_figure, fan_chart
from sim.experiment.report_outcomes import readable_section
from sim.experiment.report_uncertainty import (
    plan_rows,
    seeds_only_note,
    uncertainty_of,
    uncertainty_section,
)
from sim.experiment.results import DamagedResults, load_results
from sim.experiment.spec import Experiment, parse_experiment
from sim.experiment.store import MANIFEST, atomic_write_bytes, atomic_write_csv

__all__ = [
    "build_report",
    "compare",
    "crossover_result",
    "find_crossings",
    "sensitivity_indices",
]


def _place_row(exp: Experiment) -> list[list[str]]:
    """The plan's row of the place file (docs/place_files.md), if the experiment has one."""
    system = exp.place_system
    if system is None:
        return []
    size = f"{len(system.places)} places, {len(system.organisations)} organisations"
    return [
        ["place file", f"{system.name}: {size} (`{system.path}`, sha256 `{system.sha256[:16]}`)"]
    ]


def _plan_section(m: dict, exp: Experiment, frame: pd.DataFrame, w) -> None:
    """The plan of the experiment and the statistical procedure."""
    n_runs = len(frame)
    n_points = len(exp.points)
    plan = [
        ["experiment file", f"`{m['experiment']['path']}` (sha256 `{exp.sha256[:16]}`)"],
        ["scenario", exp.scenario],
        *_place_row(exp),
        ["rule sets", ", ".join(exp.rule_names)],
        ["reference", exp.reference],
        ["design", f"{exp.design['kind']} ({n_points} point{'s' if n_points != 1 else ''})"],
        ["swept parameters", ", ".join(exp.swept) or "none"],
        ["replicates", str(exp.replicates)],
        ["months", str(exp.months)],
        ["runs", str(n_runs)],
        ["base seed", f"{exp.seed} (replicate j uses run key j)"],
        *plan_rows(uncertainty_of(exp), frame),
        ["model hash", str(m.get("model_hash"))],
        ["started / finished", f"{m.get('started')} / {m.get('finished')}"],
        ["versions", ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())],
    ]
    w("## Plan\n")
    w(md_table(["item", "value"], plan) + "\n")
    w(
        "Statistics: means over runs; "
        f"{fmt_level(exp.confidence)} percentile bootstrap confidence intervals ({exp.bootstrap} "
        "resamples, `numpy.random.default_rng([base seed, crc32(tag)])`, tags as in "
        "`sim/experiment/report.py`); differences against the reference with a paired bootstrap "
        "over replicates (common random numbers); effect size Cliff's delta (-1..1: share of "
        "pairs where the rule set is higher minus share where it is lower); p: two-sided "
        "Mann-Whitney U test. Full-precision tables are in `tables/`.\n"
    )


def _comparison_rows(tab: pd.DataFrame) -> list[list[str]]:
    return [
        [
            r.rules,
            str(r.n),
            fmt(r.mean),
            f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
            fmt(r.diff),
            f"[{fmt(r.diff_low)}, {fmt(r.diff_high)}]",
            fmt(r.cliffs_delta),
            fmt_p(r.p_value),
        ]
        for r in tab.itertuples()
    ]


def _comparison_section(frame, exp: Experiment, figs: Path, tables: Path, w) -> None:
    """One table per outcome: every rule set against the reference (single-point designs)."""
    level = fmt_level(exp.confidence)
    header = ["rule set", "n", "mean", f"{level} CI", f"diff vs {exp.reference}", "diff CI"]
    header += ["Cliff's delta", "Mann-Whitney p"]
    w("## Comparison of rule sets\n")
    w(seeds_only_note(exp))
    parts = []
    for outcome in exp.outcomes:
        tab = compare(
            frame,
            outcome,
            exp.rule_names,
            exp.reference,
            exp.bootstrap,
            exp.confidence,
            exp.seed,
        )
        tab.insert(0, "outcome", outcome)
        parts.append(tab)
        w(f"### {outcome} ({direction(outcome)})\n")
        w(md_table(header, _comparison_rows(tab)) + "\n")
    comp = pd.concat(parts, ignore_index=True)
    comp["level"] = exp.confidence  # the CI columns' confidence level (read by `commons run`)
    atomic_write_csv(tables / "comparison.csv", comp)
    comparison_figure(comp, len(exp.rules), figs / "comparison.png")
    w("![comparison](figures/comparison.png)\n")


def _fan_section(series: pd.DataFrame, exp: Experiment, figs: Path, w) -> None:
    """Fan charts of the runs that kept series, one figure per design point (at most six)."""
    fan = [mm for mm in exp.fan_measures if mm in series.columns]
    by_point = series["point"].unique()
    w("## Time series (fan charts)\n")
    w(
        f"Median (line), {fan_description()} bands over the runs that kept "
        f"series ({series['run_id'].nunique()} runs"
        + (f", first {exp.series_replicates} replicates" if exp.series_replicates else "")
        + ").\n"
    )
    for p in sorted(by_point)[:6]:
        name = f"fan_point{p}.png" if len(by_point) > 1 else "fan.png"
        fan_chart(series[series["point"] == p], fan, exp.rule_names, figs / name)
        label = f"point {p}" if len(by_point) > 1 else "fan chart"
        w(f"![{label}](figures/{name})\n")


class IncompleteResults(ExperimentError):
    """The results folder holds an interrupted run: there is nothing to report yet."""


def build_report(folder: str | Path, quiet: bool = True) -> Path:
    """Write report.md, figures/*.png and tables/*.csv from a complete results folder.

    Every file is written atomically, under the folder's lock (`sim.experiment.lock`).

    Raises:
        ExperimentError: `folder` is not a results folder, or is in use (`FolderInUse`).
        IncompleteResults: the run in `folder` is not complete.
        DamagedResults: a data file differs from what the run wrote, is not Parquet, or lacks a
            column the report reads.
    """
    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        raise ExperimentError(f"{folder}: not a results folder (no {MANIFEST})")
    with folder_lock(folder):
        try:
            return _build_report(folder, quiet)
        except KeyError as exc:  # a column the summaries lack, found by the section that reads it
            name = exc.args[0] if exc.args else None
            if not (isinstance(name, str) and name in _COLUMNS):
                raise
            raise DamagedResults(_lacks(folder, [name])) from None


# The summaries' columns: run keys, summaries, parameters and levers (as `lever_<name>`).
_COLUMNS = frozenset(
    ("rules", "replicate", "point", "seed", "run_id", *SUMMARIES, *(p.name for p in PARAMETERS))
) | {f"lever_{name}" for name in LEVERS}


def _lacks(folder: Path, missing: list[str]) -> str:
    return (
        f"{folder}: summaries.parquet lacks the column(s) {', '.join(missing)} the report "
        "reads; run the experiment again into a new folder, or with --force"
    )


def _columns_read(folder: Path, frame: pd.DataFrame, exp: Experiment) -> pd.DataFrame:
    """`frame`, once it holds every column the report reads (else DamagedResults)."""
    crossed = exp.crossover.outcomes if exp.crossover is not None else ()
    wanted = ("rules", "replicate", "point", *exp.outcomes, *crossed, *exp.swept)
    missing = [name for name in dict.fromkeys(wanted) if name not in frame]
    if missing:
        raise DamagedResults(_lacks(folder, missing))
    return frame


def _build_report(folder: Path, quiet: bool) -> Path:
    # Long: the report's outline, one section call per line, in the order it is read.
    res = load_results(folder)
    if not res.complete:
        done = len(res.manifest.get("chunks_complete", []))
        chunks = res.manifest["plan"]["n_chunks"]
        state = (
            "its summaries.parquet is missing, though every chunk is complete"
            if done >= chunks
            else f"the run is not complete ({done} of {chunks} chunks)"
        )
        raise IncompleteResults(
            f"{folder}: {state}; run the same `commons run` command again to complete it, and "
            "the report is written when it completes"
        )
    m = res.manifest
    with rereading():  # the text that ran, read as it was accepted then
        exp = parse_experiment(
            m["experiment"]["content"],
            where=m["experiment"]["path"],
            replicates=m["overrides"].get("replicates"),
            chunk_size=m["overrides"].get("chunk_size"),
            place_record=m.get("place_file"),
        )
    frame = _columns_read(folder, res.summaries, exp)
    figs, tables = folder / "figures", folder / "tables"
    figs.mkdir(exist_ok=True)
    tables.mkdir(exist_ok=True)
    out: list[str] = []
    w = out.append
    w(f"# {exp.name}\n")
    if exp.description:
        w(exp.description.strip() + "\n")
    _plan_section(m, exp, frame, w)
    if len(exp.points) == 1:
        _comparison_section(frame, exp, figs, tables, w)
        if exp.scenario == "place_system":
            readable_section(frame, exp, tables, w)
    uncertainty_section(frame, exp, figs, tables, w)  # only with an [uncertainty] section
    if res.series is not None and len(res.series):
        _fan_section(res.series, exp, figs, w)
    if exp.ablation_base and len(exp.points) == 1:
        sections.ablation_section(frame, exp, figs, tables, w)
    kind = exp.design["kind"]
    if kind == "grid":
        sections.sweep_section(frame, exp, figs, tables, w)
    if kind == "lhs":
        sections.lhs_section(frame, exp, figs, w)
    if exp.crossover is not None:
        sections.crossover_section(frame, exp, figs, tables, w)
    if kind in ("sobol", "morris"):
        sections.sensitivity_section(frame, exp, figs, tables, w)
    atomic_write_bytes(folder / "report.md", "\n".join(out).encode("utf-8"))
    if not quiet:
        print(f"report: {folder / 'report.md'}")
    return folder / "report.md"
