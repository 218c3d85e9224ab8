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

from sim.core.checks import MAX_SEED, printable
from sim.core.constants import SCENARIOS
from sim.core.params import ParameterError, pack, validate
from sim.core.rules import RuleSet
from sim.core.schedule import Schedule, schedules_as_arrays
from sim.core.uncertainty import Uncertainty
from sim.engine.placefile import PlaceSystem
from sim.engine.placemap import not_drawn_with
from sim.experiment.checker import (
    NAME_RULE,
    Checker,
    ExperimentError,
    decode,
    read_toml,
)
from sim.experiment.designs import DESIGN_KINDS, parse_design, salib_problem
from sim.experiment.experiment_places import parse_place_file_key
from sim.experiment.limits import MAX_COUNT, MAX_MONTHS, MAX_RUNS
from sim.experiment.outcomes import DEFAULT_OUTCOMES, LOWER_IS_BETTER
from sim.experiment.rulesets import parse_rule_sets
from sim.experiment.shipped import find_experiment, shipped_experiments
from sim.experiment.spec_report import (  # noqa: F401  (the key sets re-exported for tests)
    CROSSOVER_KEYS,
    OUTPUT_KEYS,
    REPORT_KEYS,
    Crossover,
    _parse_outputs,
    _parse_report,
)
from sim.experiment.uncertainty_spec import parse_uncertainty

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

TOP_KEYS = {
    "name": NAME_RULE,
    "description": "a text",
    "scenario": f"one of {', '.join(SCENARIOS)}",
    "rules": "a list of preset names or rule tables",
    "ablation": "a table: base, principles, include_base",
    "parameters": "a table of scenario parameters",
    "design": "a table: kind, parameters, samples, ...",
    "replicates": f"an integer in [1, {MAX_COUNT}]",
    "months": f"an integer in [1, {MAX_MONTHS}]",
    "seed": f"an integer in [0, {MAX_SEED}] (2**63 - 1)",
    "chunk_size": f"an integer in [1, {MAX_COUNT}]",
    "outputs": "a table: series, series_replicates, series_measures",
    "report": "a table: reference, outcomes, crossover, bootstrap, ...",
    "uncertainty": "a table: parameters, seeds_per_draw, priors",
    "place_file": "a path to a place file, relative to the experiment file (docs/place_files.md)",
}


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
    uncertainty: Uncertainty | None = None  # the `[uncertainty]` table: priors drawn per replicate
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
        the swept parameters' values, (with `[uncertainty]`) draw and the drawn parameters'
        values, and `keep_series`."""
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
        if self.uncertainty is not None:
            for key, values in self.uncertainty.columns(self.seed, replicate).items():
                frame[key] = values
        limit = self.series_replicates if self.series_replicates is not None else n_rep
        frame["keep_series"] = self.series & (replicate < limit)
        return frame

    def arrays(self) -> dict[str, np.ndarray]:
        """Packed inputs of every run for `sim.engine.batch.simulate` (rows in run-id order)."""
        runs = self.runs()
        pvecs = np.array([pack(self.scenario, pt) for pt in self.points])
        lvecs, switch = schedules_as_arrays(self.rule_schedules())
        rule_idx = np.tile(np.repeat(np.arange(len(self.rules)), self.replicates), len(self.points))
        params = pvecs[runs["point"].to_numpy()]
        if self.uncertainty is not None:
            self.uncertainty.apply(params, self.seed, runs["replicate"].to_numpy())
        return {
            "params": params,
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
            + (f"; {self.uncertainty.describe()}" if self.uncertainty is not None else "")
            + (f"; place file {self.place_system.name}" if self.place_system else "")
        )


# ---------------------------------------------------------------------- reading a file
def load_experiment(
    path: str | Path,
    replicates: int | None = None,
    chunk_size: int | None = None,
    place_file: str | Path | None = None,
) -> Experiment:
    """Read and validate an experiment file. `replicates`/`chunk_size`/`place_file` override the
    file's (`place_file` relative to the working folder, as `commons run --place-file` gives it).

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
        decode(raw, where),
        where=where,
        replicates=replicates,
        chunk_size=chunk_size,
        place_file=place_file,
    )


def parse_experiment(
    text: str,
    where: str = "<string>",
    replicates: int | None = None,
    chunk_size: int | None = None,
    place_record: dict | None = None,
    place_file: str | Path | None = None,
) -> Experiment:
    """Validate the TOML text of an experiment. `replicates`/`chunk_size`/`place_file` override
    the file's; `place_record` (a manifest's `place_file`) stands in for reading the place file
    again."""
    data = _with_place_file(read_toml(text, where), place_file)
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
    rules, specs, ablation_base, schedules = parse_rule_sets(c, data, size["months"])
    design, points = parse_design(
        c, data.get("design", {"kind": "none"}), scenario, data.get("parameters", {}), size["seed"]
    )
    outputs = _parse_outputs(c, data)
    fixed = {*c.table(data.get("parameters", {}), "parameters"), *design.get("parameters", {})}
    place_system = parse_place_file_key(c, data, scenario, design, place_record)
    fixed |= set(not_drawn_with(place_system))  # priors the place file leaves idle
    uncertainty = parse_uncertainty(c, data, scenario, fixed)
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
        uncertainty=uncertainty,
        source=text,
        path=where,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        place_system=place_system,
    )
    _check_runs(c, exp)
    return exp


def _check_runs(c: Checker, exp: Experiment) -> None:
    """Refuse a plan too large to run, or draws that no run could take."""
    if exp.n_runs > MAX_RUNS:
        raise ExperimentError(
            f"{c.where}: rules x points x replicates = {exp.n_runs} runs; allowed: at most "
            f"{MAX_RUNS}"
        )
    if exp.uncertainty is not None:
        try:
            exp.uncertainty.check(exp.scenario, exp.points, exp.seed, exp.replicates)
        except ParameterError as exc:
            c.param_error("uncertainty: ", exc)


def _with_place_file(data: dict, place_file: str | Path | None) -> dict:
    """The file's tables with `place_file` overridden (made absolute, so that it is not read
    relative to the experiment file)."""
    if place_file is not None:
        data["place_file"] = str(Path(place_file).resolve())
    return data


def _parse_size(
    c: Checker, data: dict, replicates: int | None, chunk_size: int | None
) -> dict[str, object]:
    """replicates, months, seed and chunk_size, with the command line's overrides applied."""
    size = {
        "replicates": c.integer(data["replicates"], "replicates", 1, MAX_COUNT),
        "months": c.integer(data["months"], "months", 1, MAX_MONTHS),
        "seed": c.seed(data["seed"], "seed"),
        "chunk_size": c.integer(
            data.get("chunk_size", DEFAULT_CHUNK_SIZE), "chunk_size", 1, MAX_COUNT
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
