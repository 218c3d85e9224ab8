"""Experiment files: a TOML declaration of rule sets, parameters, a design and replicates.

`load_experiment(path)` reads and validates a file; every problem is an `ExperimentError` that names
the file, the key, the value and what is allowed, raised before anything runs. The result is an
`Experiment`, which knows its runs (`Experiment.runs()`: one row per run, in run-id order) and the
packed parameter and lever vectors the kernel reads (`Experiment.arrays()`).

Run order and random numbers: runs are numbered point-major, then rule set, then replicate. Replicate
j of every rule set and point uses run key j with the experiment's base seed (common random numbers),
so any run can be reproduced alone as `CareSystem(rules=..., seed=seed, run=j, **params)`.
See docs/experiments.md for the file format.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.checks import MAX_SEED
from sim.core.constants import MEASURES, SCENARIOS, SUMMARIES
from sim.core.params import ParameterError, pack, validate
from sim.core.rules import RuleSet
from sim.core.schedule import Schedule, schedules_as_arrays
from sim.engine.placefile import PlaceSystem
from sim.experiment.checker import (
    NAME_RULE,
    Checker,
    ExperimentError,
    decode,
    printable,
    read_toml,
)
from sim.experiment.designs import DESIGN_KINDS, parse_design, salib_problem
from sim.experiment.experiment_places import parse_place_file_key
from sim.experiment.outcomes import DEFAULT_OUTCOMES, LOWER_IS_BETTER, default_fan
from sim.experiment.rulesets import parse_rule_sets
from sim.experiment.shipped import find_experiment, shipped_experiments

__all__ = [  # names other modules, tests and notebooks import from here
    "DEFAULT_OUTCOMES",
    "DESIGN_KINDS",
    "LOWER_IS_BETTER",
    "Crossover",
    "Experiment",
    "ExperimentError",
    "find_experiment",
    "load_experiment",
    "parse_experiment",
    "salib_problem",
    "shipped_experiments",
]

DEFAULT_CHUNK_SIZE = 500
MAX_RUNS = 5_000_000

TOP_KEYS = {
    "name": NAME_RULE,
    "description": "a text",
    "scenario": f"one of {', '.join(SCENARIOS)}",
    "rules": "a list of preset names or rule tables",
    "ablation": "a table: base, principles, include_base",
    "parameters": "a table of scenario parameters",
    "design": "a table: kind, parameters, samples, ...",
    "replicates": "an integer in [1, 1000000]",
    "months": "an integer in [1, 1200]",
    "seed": f"an integer in [0, {MAX_SEED}] (2**63 - 1)",
    "chunk_size": "an integer in [1, 1000000]",
    "outputs": "a table: series, series_replicates, series_measures",
    "report": "a table: reference, outcomes, crossover, bootstrap, ...",
    "place_file": "a path to a place file, relative to the experiment file (docs/place_files.md)",
}
OUTPUT_KEYS = {"series", "series_replicates", "series_measures"}
REPORT_KEYS = {"reference", "outcomes", "crossover", "bootstrap", "confidence", "fan_measures"}
CROSSOVER_KEYS = {"parameter", "outcomes", "treatment", "reference"}


@dataclass(frozen=True)
class Crossover:
    parameter: str
    outcomes: tuple[str, ...]
    treatment: str
    reference: str


@dataclass
class Experiment:
    """A validated experiment. Build with `load_experiment` or `parse_experiment`."""

    name: str
    description: str
    scenario: str
    rules: list[RuleSet]
    rule_specs: list[dict]
    parameters: dict[str, float]
    design: dict
    points: list[dict[str, float]]
    replicates: int
    months: int
    seed: int
    chunk_size: int
    series: bool
    series_replicates: int | None
    series_measures: tuple[str, ...]
    reference: str
    outcomes: tuple[str, ...]
    crossover: Crossover | None
    bootstrap: int
    confidence: float
    fan_measures: tuple[str, ...]
    ablation_base: str | None
    schedules: dict[str, Schedule] = field(default_factory=dict)  # policy schedules by rule name
    source: str = ""
    path: str = "<string>"
    sha256: str = ""
    overrides: dict = field(default_factory=dict)
    place_system: PlaceSystem | None = None  # the user's own system (place_file), or None

    # ------------------------------------------------------------------ runs
    @property
    def rule_names(self) -> list[str]:
        return [rs.name for rs in self.rules]

    @property
    def swept(self) -> list[str]:
        """Parameters the design varies (in declaration order)."""
        return list(self.design.get("parameters", {}))

    @property
    def n_runs(self) -> int:
        return len(self.points) * len(self.rules) * self.replicates

    @property
    def n_chunks(self) -> int:
        return math.ceil(self.n_runs / self.chunk_size)

    def chunk_bounds(self, k: int) -> tuple[int, int]:
        """Run ids [start, end) of chunk k."""
        start = k * self.chunk_size
        return start, min(self.n_runs, start + self.chunk_size)

    def runs(self) -> pd.DataFrame:
        """One row per run, in run-id order: run_id, rules, point, replicate, seed, run_key,
        the swept parameters' values, and `keep_series`."""
        n_p, n_r, n_rep = len(self.points), len(self.rules), self.replicates
        point = np.repeat(np.arange(n_p), n_r * n_rep)
        rule_idx = np.tile(np.repeat(np.arange(n_r), n_rep), n_p)
        replicate = np.tile(np.arange(n_rep), n_p * n_r)
        frame = pd.DataFrame(
            {
                "run_id": np.arange(self.n_runs, dtype=np.int64),
                "rules": pd.Series(np.array(self.rule_names, dtype=object)[rule_idx], dtype=object),
                "point": point.astype(np.int64),
                "replicate": replicate.astype(np.int64),
                "seed": np.full(self.n_runs, self.seed, dtype=np.int64),
                "run_key": replicate.astype(np.int64),
            }
        )
        for key in self.swept:
            frame[key] = np.array([pt[key] for pt in self.points])[point]
        limit = self.series_replicates if self.series_replicates is not None else n_rep
        frame["keep_series"] = self.series & (replicate < limit)
        return frame

    def arrays(self) -> dict[str, np.ndarray]:
        """Packed inputs of every run for `sim.engine.batch.simulate` (rows in run-id order)."""
        runs = self.runs()
        pvecs = np.array([pack(self.scenario, pt) for pt in self.points])
        lvecs, switch = schedules_as_arrays(self.rule_schedules())
        rule_idx = np.tile(np.repeat(np.arange(len(self.rules)), self.replicates), len(self.points))
        return {
            "params": pvecs[runs["point"].to_numpy()],
            "levers": lvecs[rule_idx],
            "switch": switch[rule_idx],
            "worlds": np.full(self.n_runs, SCENARIOS.index(self.scenario), dtype=np.int64),
            "seeds": runs["seed"].to_numpy(),
            "runs": runs["run_key"].to_numpy(),
            "keep_series": runs["keep_series"].to_numpy(),
            "layout": None if self.place_system is None else self.place_system.layout(),
        }

    def rule_schedules(self) -> list[Schedule]:
        """Each rule set's policy schedule (a fixed rule set: one step from month 0)."""
        return [self.schedules.get(rs.name, Schedule(((0, rs),), rs.name)) for rs in self.rules]

    def point_table(self) -> pd.DataFrame:
        """Every design point with the full parameter values used there."""
        frame = pd.DataFrame(self.points)
        frame.insert(0, "point", np.arange(len(self.points)))
        return frame

    def describe(self) -> str:
        return (
            f"{self.name}: {len(self.rules)} rule sets x {len(self.points)} points x "
            f"{self.replicates} replicates = {self.n_runs} runs of {self.months} months "
            f"({self.n_chunks} chunks of {self.chunk_size}); design {self.design['kind']}; "
            f"series {'on' if self.series else 'off'}"
            + (f"; place file {self.place_system.name}" if self.place_system else "")
        )


# ---------------------------------------------------------------------- reading a file
def load_experiment(
    path: str | Path, replicates: int | None = None, chunk_size: int | None = None
) -> Experiment:
    """Read and validate an experiment file. `replicates`/`chunk_size` override the file's.

    `path` may also name a shipped experiment (`fortress_vs_shared`), see `find_experiment`.
    """
    path = find_experiment(path)
    where = printable(str(path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ExperimentError(f"{where}: file not found") from None
    except OSError as exc:
        raise ExperimentError(f"{where}: cannot read ({exc.strerror})") from None
    return parse_experiment(
        decode(raw, where), where=where, replicates=replicates, chunk_size=chunk_size
    )


def parse_experiment(
    text: str,
    where: str = "<string>",
    replicates: int | None = None,
    chunk_size: int | None = None,
    place_record: dict | None = None,
) -> Experiment:
    """Validate the TOML text of an experiment. `replicates`/`chunk_size` override the file's;
    `place_record` (a manifest's `place_file`) stands in for reading the place file again."""
    data = read_toml(text, where)
    c = Checker(where)
    c.tree(data)
    c.keys(data, TOP_KEYS, "")
    for required in ("name", "scenario", "replicates", "months", "seed"):
        if required not in data:
            raise ExperimentError(
                f"{where}: {required} is missing; allowed: {TOP_KEYS[required]} (required)"
            )
    name = c.name(data["name"], "name")
    description = c.string(data.get("description", ""), "description")
    scenario = c.string(data["scenario"], "scenario", SCENARIOS)
    size = _parse_size(c, data, replicates, chunk_size)
    base_values = _parse_parameters(c, data, scenario)
    rules, specs, ablation_base, schedules = parse_rule_sets(c, data)
    design, points = parse_design(
        c, data.get("design", {"kind": "none"}), scenario, data.get("parameters", {}), size["seed"]
    )
    outputs = _parse_outputs(c, data)
    place_system = parse_place_file_key(c, data, scenario, design, place_record)
    exp = Experiment(
        name=name,
        description=description,
        scenario=scenario,
        rules=rules,
        rule_specs=specs,
        parameters=base_values,
        design=design,
        points=points,
        **size,
        **outputs,
        **_parse_report(c, data, scenario, [rs.name for rs in rules], design, outputs),
        ablation_base=ablation_base,
        schedules=schedules,
        source=text,
        path=where,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        place_system=place_system,
    )
    if exp.n_runs > MAX_RUNS:
        raise ExperimentError(
            f"{where}: rules x points x replicates = {exp.n_runs} runs; allowed: at most {MAX_RUNS}"
        )
    return exp


def _parse_size(
    c: Checker, data: dict, replicates: int | None, chunk_size: int | None
) -> dict[str, object]:
    """replicates, months, seed and chunk_size, with the command line's overrides applied."""
    size = {
        "replicates": c.integer(data["replicates"], "replicates", 1, 1_000_000),
        "months": c.integer(data["months"], "months", 1, 1200),
        "seed": c.seed(data["seed"], "seed"),
        "chunk_size": c.integer(
            data.get("chunk_size", DEFAULT_CHUNK_SIZE), "chunk_size", 1, 1_000_000
        ),
    }
    overrides = {}
    for key, option, value in (
        ("replicates", "--replicates", replicates),
        ("chunk_size", "--chunk-size", chunk_size),
    ):
        if value is not None:
            overrides[key] = size[key] = c.integer(value, option, 1)
    size["overrides"] = overrides
    return size


def _parse_parameters(c: Checker, data: dict, scenario: str) -> dict[str, float]:
    """The `[parameters]` table: scenario parameters fixed for every run, with the defaults."""
    params = c.table(data.get("parameters", {}), "parameters")
    c.parameter_keys(params, scenario, "parameters.")
    try:
        return validate(scenario, where="parameters.", **params)
    except ParameterError as exc:
        c.param_error("", exc)


def _parse_outputs(c: Checker, data: dict) -> dict[str, object]:
    """The `[outputs]` table: whether and which per-month series are kept."""
    outputs = c.table(data.get("outputs", {}), "outputs")
    c.keys(outputs, OUTPUT_KEYS, "outputs.")
    series_reps = None
    if "series_replicates" in outputs:
        series_reps = c.integer(
            outputs["series_replicates"], "outputs.series_replicates", 1, 1_000_000
        )
    return {
        "series": c.boolean(outputs.get("series", False), "outputs.series"),
        "series_replicates": series_reps,
        "series_measures": c.names(
            outputs.get("series_measures", list(MEASURES)), "outputs.series_measures", MEASURES
        ),
    }


def _parse_report(
    c: Checker, data: dict, scenario: str, rule_names: list[str], design: dict, outputs: dict
) -> dict[str, object]:
    """The `[report]` table: reference rule set, outcomes, statistics and the crossover."""
    report = c.table(data.get("report", {}), "report")
    c.keys(report, REPORT_KEYS, "report.")
    reference = c.string(report.get("reference", rule_names[0]), "report.reference", rule_names)
    measures = outputs["series_measures"]
    fan_default = [m for m in default_fan(scenario) if m in measures]
    crossover = None
    if "crossover" in report:
        crossover = _parse_crossover(c, report["crossover"], design, rule_names, reference)
    return {
        "reference": reference,
        "outcomes": c.names(
            report.get("outcomes", list(DEFAULT_OUTCOMES[scenario])), "report.outcomes", SUMMARIES
        ),
        "bootstrap": c.integer(report.get("bootstrap", 2000), "report.bootstrap", 100, 100_000),
        "confidence": c.number(report.get("confidence", 0.95), "report.confidence", 0.5, 0.999),
        "fan_measures": c.names(
            report.get("fan_measures", fan_default or [measures[0]]),
            "report.fan_measures",
            measures,
        ),
        "crossover": crossover,
    }


def _parse_crossover(
    c: Checker, raw: object, design: dict, rule_names: list[str], reference: str
) -> Crossover:
    table = c.table(raw, "report.crossover")
    c.keys(table, CROSSOVER_KEYS, "report.crossover.")
    swept = list(design.get("parameters", {}))
    if design["kind"] != "grid" or len(swept) != 1:
        c.fail(
            "report.crossover",
            table,
            "a crossover only with a grid design over exactly one parameter",
        )
    param = c.string(table.get("parameter", swept[0]), "report.crossover.parameter", swept)
    outcomes = c.names(
        table.get("outcomes", ["population_health"]), "report.crossover.outcomes", SUMMARIES
    )
    if "treatment" not in table:
        raise ExperimentError(
            f"{c.where}: report.crossover.treatment is missing; allowed: one of "
            f"{', '.join(rule_names)} (required)"
        )
    treatment = c.string(table["treatment"], "report.crossover.treatment", rule_names)
    ref = c.string(table.get("reference", reference), "report.crossover.reference", rule_names)
    if ref == treatment:
        c.fail("report.crossover.reference", ref, "a rule set other than the treatment")
    if len(design["parameters"][param]["values"]) < 2:
        c.fail(f"design.parameters.{param}", design["parameters"][param], "at least 2 values")
    return Crossover(param, outcomes, treatment, ref)
