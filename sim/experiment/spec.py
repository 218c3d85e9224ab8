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
import itertools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.constants import MEASURES, SCENARIOS, SUMMARIES
from sim.core.params import ParameterError, pack, parameter, parameters_for, validate
from sim.core.rules import LEVER_RANGES, PRESETS, PRINCIPLES, RuleSet

DESIGN_KINDS = ("none", "grid", "lhs", "sobol", "morris")
DEFAULT_CHUNK_SIZE = 500
MAX_RUNS = 5_000_000
EXPERIMENTS_DIR = Path(__file__).resolve().parents[2] / "experiments"

# Outcomes the report shows when the file does not choose, per scenario.
DEFAULT_OUTCOMES = {
    "place_system": (
        "population_health",
        "system_deficit",
        "pool_balance",
        "unmet_need",
        "acute_share_change",
        "acute_demand_vs_trend",
        "mean_cooperation",
        "mean_trust",
        "provider_failures",
        "governance_costs",
    ),
    "classroom_commons": ("efficiency", "total_appropriation", "mean_cooperation", "fines"),
    "public_goods": ("contribution_first", "contribution_last", "efficiency", "mean_cooperation"),
}
# Outcomes where less is better (used to orient "advantage" in the crossover analysis).
LOWER_IS_BETTER = {
    "system_deficit",
    "commissioner_deficit",
    "provider_deficit",
    "unmet_need",
    "waiting_list",
    "acute_share",
    "acute_share_change",
    "acute_demand_vs_trend",
    "provider_failures",
    "providers_in_deficit",
    "transaction_costs",
    "governance_costs",
    "takeover_costs",
    "gini",
    "breaches_detected",
    "sanctions",
    "fines",
    "total_appropriation",
}

TOP_KEYS = {
    "name": "a short name (letters, digits, _ and -)",
    "description": "a text",
    "scenario": f"one of {', '.join(SCENARIOS)}",
    "rules": "a list of preset names or rule tables",
    "ablation": "a table: base, principles, include_base",
    "parameters": "a table of scenario parameters",
    "design": "a table: kind, parameters, samples, ...",
    "replicates": "an integer >= 1",
    "months": "an integer in [1, 1200]",
    "seed": "an integer in [0, 2**63 - 1]",
    "chunk_size": "an integer in [1, 1000000]",
    "outputs": "a table: series, series_replicates, series_measures",
    "report": "a table: reference, outcomes, crossover, bootstrap, ...",
}
RULE_KEYS = {"preset", "name", "without", "levers"}
ABLATION_KEYS = {"base", "principles", "include_base"}
DESIGN_KEYS = {"kind", "parameters", "samples", "levels", "second_order", "seed"}
OUTPUT_KEYS = {"series", "series_replicates", "series_measures"}
REPORT_KEYS = {"reference", "outcomes", "crossover", "bootstrap", "confidence", "fan_measures"}
CROSSOVER_KEYS = {"parameter", "outcomes", "treatment", "reference"}


class ExperimentError(ValueError):
    """An experiment file (or an option given with it) is invalid. The message names the file,
    the key, the value and what is allowed."""


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
    source: str = ""
    path: str = "<string>"
    sha256: str = ""
    overrides: dict = field(default_factory=dict)

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
        lvecs = np.array([rs.vector() for rs in self.rules])
        rule_idx = np.tile(np.repeat(np.arange(len(self.rules)), self.replicates), len(self.points))
        return {
            "params": pvecs[runs["point"].to_numpy()],
            "levers": lvecs[rule_idx],
            "worlds": np.full(self.n_runs, SCENARIOS.index(self.scenario), dtype=np.int64),
            "seeds": runs["seed"].to_numpy(),
            "runs": runs["run_key"].to_numpy(),
            "keep_series": runs["keep_series"].to_numpy(),
        }

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
        )


# ---------------------------------------------------------------------- parsing helpers
class _Checker:
    def __init__(self, where: str):
        self.where = where

    def fail(self, key: str, value: object, allowed: str, problem: str = "is not allowed"):
        raise ExperimentError(f"{self.where}: {key}={_show(value)} {problem}; allowed: {allowed}")

    def keys(self, table: dict, allowed: set[str] | dict, prefix: str) -> None:
        for key in table:
            if key not in allowed:
                label = f"{prefix}{key}" if prefix else key
                self.fail(
                    label,
                    table[key],
                    "keys " + ", ".join(sorted(allowed)),
                    "is not a known key",
                )

    def table(self, value: object, key: str) -> dict:
        if not isinstance(value, dict):
            self.fail(key, value, "a table", f"has type {_tname(value)}")
        return value

    def string(self, value: object, key: str, choices=None) -> str:
        if not isinstance(value, str):
            allowed = "one of " + ", ".join(choices) if choices else "a string"
            self.fail(key, value, allowed, f"has type {_tname(value)}")
        if choices is not None and value not in choices:
            self.fail(key, value, "one of " + ", ".join(choices))
        return value

    def integer(self, value: object, key: str, low: int, high: int) -> int:
        allowed = f"an integer in [{low}, {high}]"
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, value, allowed, f"has type {_tname(value)}")
        if not low <= value <= high:
            self.fail(key, value, allowed, "is out of range")
        return value

    def number(self, value: object, key: str, low: float, high: float) -> float:
        allowed = f"a number in [{low:g}, {high:g}]"
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(key, value, allowed, f"has type {_tname(value)}")
        if not (math.isfinite(value) and low <= value <= high):
            self.fail(key, value, allowed, "is out of range")
        return float(value)

    def boolean(self, value: object, key: str) -> bool:
        if not isinstance(value, bool):
            self.fail(key, value, "true or false", f"has type {_tname(value)}")
        return value

    def names(self, value: object, key: str, choices) -> tuple[str, ...]:
        allowed = "a list of: " + ", ".join(choices)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.fail(key, value, allowed, "is not a non-empty list")
        for item in value:
            if not isinstance(item, str) or item not in choices:
                self.fail(key, item, allowed, "is not allowed")
        return tuple(value)

    def param_error(self, key_prefix: str, exc: ParameterError) -> None:
        raise ExperimentError(f"{self.where}: {key_prefix}{exc}") from None


def _tname(value: object) -> str:
    return {
        str: "string",
        int: "integer",
        float: "float",
        bool: "boolean",
        list: "array",
        dict: "table",
    }.get(type(value), type(value).__name__)


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------- main entry points
def load_experiment(
    path: str | Path, replicates: int | None = None, chunk_size: int | None = None
) -> Experiment:
    """Read and validate an experiment file. `replicates`/`chunk_size` override the file's."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ExperimentError(f"{path}: file not found") from None
    except OSError as exc:
        raise ExperimentError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExperimentError(f"{path}: not UTF-8 text ({exc})") from None
    return parse_experiment(text, where=str(path), replicates=replicates, chunk_size=chunk_size)


def parse_experiment(
    text: str,
    where: str = "<string>",
    replicates: int | None = None,
    chunk_size: int | None = None,
) -> Experiment:
    """Validate the TOML text of an experiment."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExperimentError(f"{where}: malformed TOML: {exc}") from None
    c = _Checker(where)
    c.keys(data, TOP_KEYS, "")
    for required in ("name", "scenario", "replicates", "months", "seed"):
        if required not in data:
            raise ExperimentError(
                f"{where}: {required} is missing; allowed: {TOP_KEYS[required]} (required)"
            )
    name = c.string(data["name"], "name")
    if not name or not all(ch.isalnum() or ch in "_-" for ch in name):
        c.fail("name", name, TOP_KEYS["name"])
    description = c.string(data.get("description", ""), "description")
    scenario = c.string(data["scenario"], "scenario", SCENARIOS)
    reps = c.integer(data["replicates"], "replicates", 1, 1_000_000)
    overrides = {}
    if replicates is not None:
        if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
            raise ExperimentError(
                f"{where}: --replicates={replicates!r} is not allowed; allowed: an integer >= 1"
            )
        reps = replicates
        overrides["replicates"] = replicates
    months = c.integer(data["months"], "months", 1, 1200)
    seed = c.integer(data["seed"], "seed", 0, 2**63 - 1)
    chunk = c.integer(data.get("chunk_size", DEFAULT_CHUNK_SIZE), "chunk_size", 1, 1_000_000)
    if chunk_size is not None:
        if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
            raise ExperimentError(
                f"{where}: --chunk-size={chunk_size!r} is not allowed; allowed: an integer >= 1"
            )
        chunk = chunk_size
        overrides["chunk_size"] = chunk_size

    # --- scenario parameters
    params = c.table(data.get("parameters", {}), "parameters")
    allowed_params = {p.name for p in parameters_for(scenario)}
    for key, value in params.items():
        if key not in allowed_params:
            c.fail(
                f"parameters.{key}",
                value,
                f"parameters of scenario {scenario!r}: " + ", ".join(sorted(allowed_params)),
                "is not a known key",
            )
    try:
        base_values = validate(scenario, where="parameters.", **params)
    except ParameterError as exc:
        c.param_error("", exc)

    # --- rule sets
    rules, specs = _parse_rules(c, data)
    ablation_base = None
    if "ablation" in data:
        ab_rules, ab_specs, ablation_base = _parse_ablation(c, data["ablation"])
        for rs, spec in zip(ab_rules, ab_specs, strict=True):
            if rs.name not in [r.name for r in rules]:
                rules.append(rs)
                specs.append(spec)
    if not rules:
        raise ExperimentError(
            f"{where}: rules is missing or empty; allowed: at least one rule set "
            f"(a preset: {', '.join(PRESETS)}, a rule table, or an [ablation] table)"
        )
    seen = set()
    for rs in rules:
        if rs.name in seen:
            c.fail("rules", rs.name, "unique rule set names (set name = ...)", "is a duplicate")
        seen.add(rs.name)
    if ablation_base is None:
        names = {rs.name for rs in rules}
        for rs_name in names:
            if any(f"{rs_name}-{p}" in names for p in PRINCIPLES):
                ablation_base = rs_name
                break

    # --- design
    design, points = _parse_design(c, data.get("design", {"kind": "none"}), scenario, params, seed)

    # --- outputs
    outputs = c.table(data.get("outputs", {}), "outputs")
    c.keys(outputs, OUTPUT_KEYS, "outputs.")
    series = c.boolean(outputs.get("series", False), "outputs.series")
    series_reps = None
    if "series_replicates" in outputs:
        series_reps = c.integer(
            outputs["series_replicates"], "outputs.series_replicates", 1, 1_000_000
        )
    measures = c.names(
        outputs.get("series_measures", list(MEASURES)), "outputs.series_measures", MEASURES
    )

    # --- report
    report = c.table(data.get("report", {}), "report")
    c.keys(report, REPORT_KEYS, "report.")
    rule_names = [rs.name for rs in rules]
    reference = c.string(report.get("reference", rule_names[0]), "report.reference", rule_names)
    outcomes = c.names(
        report.get("outcomes", list(DEFAULT_OUTCOMES[scenario])), "report.outcomes", SUMMARIES
    )
    boot = c.integer(report.get("bootstrap", 2000), "report.bootstrap", 100, 100_000)
    conf = c.number(report.get("confidence", 0.95), "report.confidence", 0.5, 0.999)
    fan_default = [m for m in _default_fan(scenario) if m in measures]
    fan = c.names(
        report.get("fan_measures", fan_default or [measures[0]]), "report.fan_measures", measures
    )
    crossover = None
    if "crossover" in report:
        crossover = _parse_crossover(c, report["crossover"], design, rule_names, reference)

    exp = Experiment(
        name=name,
        description=description,
        scenario=scenario,
        rules=rules,
        rule_specs=specs,
        parameters=base_values,
        design=design,
        points=points,
        replicates=reps,
        months=months,
        seed=seed,
        chunk_size=chunk,
        series=series,
        series_replicates=series_reps,
        series_measures=measures,
        reference=reference,
        outcomes=outcomes,
        crossover=crossover,
        bootstrap=boot,
        confidence=conf,
        fan_measures=fan,
        ablation_base=ablation_base,
        source=text,
        path=where,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        overrides=overrides,
    )
    if exp.n_runs > MAX_RUNS:
        raise ExperimentError(
            f"{where}: rules x points x replicates = {exp.n_runs} runs; allowed: at most {MAX_RUNS}"
        )
    return exp


def _default_fan(scenario: str) -> list[str]:
    if scenario == "place_system":
        return [
            "population_health",
            "system_deficit",
            "mean_cooperation",
            "mean_trust",
            "acute_share",
            "unmet_need",
        ]
    if scenario == "classroom_commons":
        return ["total_appropriation", "efficiency", "mean_cooperation"]
    return ["mean_contribution", "efficiency", "mean_cooperation"]


def _parse_rule(c: _Checker, item: object, key: str) -> tuple[RuleSet, dict]:
    if isinstance(item, str):
        if item not in PRESETS:
            c.fail(key, item, "a preset: " + ", ".join(PRESETS))
        return PRESETS[item], {"preset": item}
    table = c.table(item, key)
    allowed = RULE_KEYS | set(LEVER_RANGES)
    c.keys(table, allowed, f"{key}.")
    spec: dict = {}
    preset = c.string(table.get("preset", "fortress"), f"{key}.preset", tuple(PRESETS))
    spec["preset"] = preset
    levers = dict(c.table(table.get("levers", {}), f"{key}.levers"))
    for lever in levers:
        if lever not in LEVER_RANGES:
            c.fail(
                f"{key}.levers.{lever}",
                levers[lever],
                "levers " + ", ".join(LEVER_RANGES),
                "is not a known key",
            )
    levers.update({k: v for k, v in table.items() if k in LEVER_RANGES})
    without = table.get("without", [])
    if isinstance(without, str):
        without = [without]
    if not isinstance(without, list):
        c.fail(f"{key}.without", without, "a list of principles", f"has type {_tname(without)}")
    for principle in without:
        if principle not in PRINCIPLES:
            c.fail(f"{key}.without", principle, "principles " + ", ".join(PRINCIPLES))
    rs = PRESETS[preset]
    if levers:
        try:
            rs = rs.with_levers(**levers)
        except ParameterError as exc:
            c.param_error(f"{key}.", exc)
        except TypeError as exc:  # pragma: no cover - dataclass guard
            c.fail(f"{key}.levers", levers, "rule levers", str(exc))
        spec["levers"] = levers
    for principle in without:
        rs = rs.without(principle)
    if without:
        spec["without"] = list(without)
    if "name" in table:
        name = c.string(table["name"], f"{key}.name")
        if not name or "/" in name or "=" in name or name.startswith("."):
            c.fail(f"{key}.name", name, "a non-empty name without '/', '=' or a leading '.'")
    elif levers:
        name = rs.name + "+" + "+".join(f"{k}={v}" for k, v in sorted(levers.items()))
    else:
        name = rs.name
    rs = rs.with_levers(name=name)
    spec["name"] = name
    return rs, spec


def _parse_rules(c: _Checker, data: dict) -> tuple[list[RuleSet], list[dict]]:
    raw = data.get("rules", [])
    if isinstance(raw, str):
        raw = list(PRESETS) if raw == "all" else [raw]
    if not isinstance(raw, list):
        c.fail("rules", raw, 'a list of rule sets or "all"', f"has type {_tname(raw)}")
    rules, specs = [], []
    for i, item in enumerate(raw):
        rs, spec = _parse_rule(c, item, f"rules[{i}]")
        rules.append(rs)
        specs.append(spec)
    return rules, specs


def _parse_ablation(c: _Checker, raw: object) -> tuple[list[RuleSet], list[dict], str]:
    table = c.table(raw, "ablation")
    c.keys(table, ABLATION_KEYS, "ablation.")
    base = c.string(table.get("base", "shared_governance"), "ablation.base", tuple(PRESETS))
    principles = table.get("principles", "all")
    if principles == "all":
        principles = list(PRINCIPLES)
    principles = c.names(principles, "ablation.principles", tuple(PRINCIPLES))
    include = c.boolean(table.get("include_base", True), "ablation.include_base")
    rules, specs = [], []
    if include:
        rules.append(PRESETS[base])
        specs.append({"preset": base, "name": base})
    for principle in principles:
        rs = PRESETS[base].without(principle)
        rules.append(rs)
        specs.append({"preset": base, "without": [principle], "name": rs.name})
    return rules, specs, base


def _range_spec(c: _Checker, key: str, value: object, kind: str) -> dict:
    """A design range {low, high} (and steps/values for grids), checked against the parameter."""
    name = key.rsplit(".", 1)[-1]
    p = parameter(name)
    if kind == "grid" and isinstance(value, list):
        if not value:
            c.fail(key, value, f"a non-empty list of values, each a {p.allowed()}")
        for v in value:
            try:
                validate_one(p, v, key)
            except ParameterError as exc:
                raise ExperimentError(f"{c.where}: {exc}") from None
        return {"values": list(value)}
    table = c.table(value, key)
    allowed_keys = {"low", "high", "steps"} if kind == "grid" else {"low", "high"}
    c.keys(table, allowed_keys, f"{key}.")
    for bound in ("low", "high"):
        if bound not in table:
            raise ExperimentError(
                f"{c.where}: {key}.{bound} is missing; allowed: {p.allowed()} (required)"
            )
        c.number(table[bound], f"{key}.{bound}", p.low, p.high)
    if not table["low"] < table["high"]:
        c.fail(f"{key}.high", table["high"], f"a number > low={table['low']!r}")
    out = {"low": float(table["low"]), "high": float(table["high"])}
    if kind == "grid":
        if "steps" not in table:
            raise ExperimentError(
                f"{c.where}: {key}.steps is missing; allowed: an integer in [2, 1000] (or give a "
                "list of values)"
            )
        steps = c.integer(table["steps"], f"{key}.steps", 2, 1000)
        out["values"] = [float(v) for v in np.linspace(out["low"], out["high"], steps)]
    return out


def validate_one(p, value, key):
    from sim.core.params import coerce

    return coerce(p, value, where=key.rsplit(".", 1)[0] + ".")


def _parse_design(
    c: _Checker, raw: object, scenario: str, base_params: dict, seed: int
) -> tuple[dict, list[dict]]:
    table = c.table(raw, "design")
    c.keys(table, DESIGN_KEYS, "design.")
    kind = c.string(table.get("kind", "none"), "design.kind", DESIGN_KINDS)
    params = c.table(table.get("parameters", {}), "design.parameters")
    allowed_params = {p.name for p in parameters_for(scenario)}
    design: dict = {"kind": kind, "parameters": {}}
    if kind == "none":
        for extra in ("parameters", "samples", "levels", "second_order"):
            if extra in table and (extra != "parameters" or table[extra]):
                c.fail(f"design.{extra}", table[extra], 'nothing with kind = "none"')
        design.pop("parameters")
        return design, [validate(scenario, **base_params)]
    if not params:
        c.fail("design.parameters", params, "a table of at least one parameter range")
    for key, value in params.items():
        if key not in allowed_params:
            c.fail(
                f"design.parameters.{key}",
                value,
                f"parameters of scenario {scenario!r}: " + ", ".join(sorted(allowed_params)),
                "is not a known key",
            )
        if key in base_params:
            c.fail(
                f"design.parameters.{key}",
                value,
                f"a parameter not also fixed in [parameters] (it is: {base_params[key]!r})",
            )
        design["parameters"][key] = _range_spec(c, f"design.parameters.{key}", value, kind)
    names = list(design["parameters"])
    if kind != "grid":
        for extra in ("levels", "second_order"):
            if extra in table and not (
                (extra == "levels" and kind == "morris")
                or (extra == "second_order" and kind == "sobol")
            ):
                c.fail(f"design.{extra}", table[extra], f"not used by kind = {kind!r}")
    elif "samples" in table:
        c.fail("design.samples", table["samples"], 'not used by kind = "grid"')
    design_seed = (
        c.integer(table.get("seed", seed), "design.seed", 0, 2**32 - 1) if kind != "grid" else None
    )

    if kind == "grid":
        grid = list(itertools.product(*(design["parameters"][k]["values"] for k in names)))
        samples = np.array(grid, dtype=float)
    else:
        if "samples" not in table:
            raise ExperimentError(
                f"{c.where}: design.samples is missing; allowed: an integer >= 2 (required for "
                f"kind = {kind!r})"
            )
        n = c.integer(table["samples"], "design.samples", 2, 1_000_000)
        design["samples"] = n
        design["seed"] = design_seed
        problem = salib_problem(design)
        if kind == "lhs":
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(d=len(names), seed=design_seed).random(n)
            lows = np.array(problem["bounds"])[:, 0]
            highs = np.array(problem["bounds"])[:, 1]
            samples = lows + unit * (highs - lows)
        elif kind == "sobol":
            from SALib.sample import sobol

            if n & (n - 1):
                c.fail("design.samples", n, "a power of 2 for kind = 'sobol'")
            second = c.boolean(table.get("second_order", False), "design.second_order")
            design["second_order"] = second
            samples = sobol.sample(problem, n, calc_second_order=second, seed=design_seed)
        else:
            from SALib.sample import morris

            levels = c.integer(table.get("levels", 4), "design.levels", 2, 100)
            design["levels"] = levels
            samples = morris.sample(problem, n, num_levels=levels, seed=design_seed)
    points = []
    for row in samples:
        pt = dict(base_params)
        for key, value in zip(names, row, strict=True):
            p = parameter(key)
            pt[key] = int(round(value)) if p.kind is int else float(value)
        try:
            points.append(validate(scenario, where="design point: ", **pt))
        except ParameterError as exc:
            c.param_error("", exc)
    if len(points) * 1 > 1_000_000:
        c.fail("design", len(points), "at most 1000000 points")
    return design, points


def salib_problem(design: dict) -> dict:
    """The SALib problem of a sensitivity (or LHS) design."""
    names = list(design["parameters"])
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [
            [design["parameters"][k]["low"], design["parameters"][k]["high"]] for k in names
        ],
    }


def shipped_experiments() -> list[Path]:
    """The experiment files shipped in experiments/."""
    return sorted(EXPERIMENTS_DIR.glob("*.toml"))


def _parse_crossover(
    c: _Checker, raw: object, design: dict, rule_names: list[str], reference: str
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
