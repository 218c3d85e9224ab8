"""Designs of an experiment: the parameter points it runs (none, grid, Latin hypercube, Sobol, Morris).

`parse_design` checks a `[design]` table and returns the design (as recorded in the manifest) and
its points, each a full, validated parameter dict. Sampled designs are seeded (`design.seed`, by
default the experiment's seed), so the same file always gives the same points. Sobol and Morris
samples come from SALib (the `sensitivity` extra), Latin hypercubes from SciPy.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from sim.core.params import ParameterError, parameter, validate
from sim.experiment.checker import Checker, ExperimentError, is_rereading, tname
from sim.experiment.extras import require
from sim.experiment.limits import MAX_COUNT

DESIGN_KINDS = ("none", "grid", "lhs", "sobol", "morris")
DESIGN_KEYS = {"kind", "parameters", "samples", "levels", "second_order", "seed"}
MAX_POINTS = MAX_COUNT
# Keys each kind reads besides kind and parameters (seed: a sampling seed).
_KIND_KEYS = {
    "none": set(),
    "grid": set(),
    "lhs": {"samples", "seed"},
    "sobol": {"samples", "second_order", "seed"},
    "morris": {"samples", "levels", "seed"},
}


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


def parse_design(
    c: Checker, raw: object, scenario: str, base_params: dict, seed: int
) -> tuple[dict, list[dict]]:
    """The checked design table and its points (each the base parameters plus the swept values)."""
    table = c.table(raw, "design")
    c.keys(table, DESIGN_KEYS, "design.")
    kind = c.string(table.get("kind", "none"), "design.kind", DESIGN_KINDS)
    # A seed a design does not use was accepted before it was checked: what ran is read as it was.
    unused = ("samples", "levels", "second_order") + (() if is_rereading() else ("seed",))
    if kind == "none":
        for extra in ("parameters", *unused):
            if extra in table and (extra != "parameters" or table[extra]):
                c.fail(f"design.{extra}", table[extra], 'nothing with kind = "none"')
        return {"kind": kind}, [validate(scenario, **base_params)]
    for extra in unused:
        if extra in table and extra not in _KIND_KEYS[kind]:
            c.fail(f"design.{extra}", table[extra], f"not used by kind = {kind!r}")
    design: dict = {"kind": kind, "parameters": _ranges(c, table, kind, scenario, base_params)}
    if kind == "grid":
        names = list(design["parameters"])
        _check_size(c, math.prod(len(design["parameters"][k]["values"]) for k in names))
        grid = itertools.product(*(design["parameters"][k]["values"] for k in names))
        samples = np.array(list(grid), dtype=float)
    else:
        samples = _sample(c, table, design, c.seed(table.get("seed", seed), "design.seed"))
    return design, _points(c, scenario, base_params, list(design["parameters"]), samples)


def _ranges(c: Checker, table: dict, kind: str, scenario: str, base_params: dict) -> dict:
    """The checked range of every swept parameter."""
    params = c.table(table.get("parameters", {}), "design.parameters")
    if not params:
        c.fail("design.parameters", params, "a table of at least one parameter range")
    c.parameter_keys(params, scenario, "design.parameters.", numbers=False)
    ranges = {}
    for key, value in params.items():
        if key in base_params:
            c.fail(
                f"design.parameters.{key}",
                value,
                f"a parameter not also fixed in [parameters] (it is: {base_params[key]!r})",
            )
        ranges[key] = _range_spec(c, f"design.parameters.{key}", value, kind)
    return ranges


def _range_spec(c: Checker, key: str, value: object, kind: str) -> dict:
    """A design range {low, high} (and steps/values for grids), checked against the parameter."""
    p = parameter(key.rsplit(".", 1)[-1])
    if kind == "grid" and isinstance(value, list):
        return {"values": _grid_values(c, key, value)}
    table = c.table(value, key)
    c.keys(table, {"low", "high", "steps"} if kind == "grid" else {"low", "high"}, f"{key}.")
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
        whole = [round(v) for v in out["values"]] if p.kind is int else out["values"]
        if len(set(whole)) < len(whole):  # an integer parameter's values are rounded
            c.fail(
                f"{key}.steps",
                steps,
                f"steps that give distinct whole values (these give {whole})",
                "repeats a value",
            )
    return out


def _grid_values(c: Checker, key: str, value: list) -> list:
    """A grid's list of values: each within the parameter's range (an integer parameter's an
    integer, 3 not 3.0, as everywhere in a file), and each once."""
    p = parameter(key.rsplit(".", 1)[-1])
    if not value:
        c.fail(key, value, f"a non-empty list of values, each a {p.allowed()}")
    strict = not is_rereading()  # what already ran is read as it was accepted
    seen: dict[float, int] = {}
    for i, v in enumerate(value):
        if isinstance(v, bool) or not isinstance(v, int | float):
            c.fail(f"{key}[{i}]", v, p.allowed(), f"has type {tname(v)}")
        if not p.low <= v <= p.high:
            c.fail(f"{key}[{i}]", v, p.allowed(), "is out of range")
        if p.kind is int and v != int(v):
            c.fail(f"{key}[{i}]", v, p.allowed(), "is not whole")
        if p.kind is int and strict:  # and a whole float (3.0) is not an integer either
            c.integer(v, f"{key}[{i}]", int(p.low), int(p.high))
        if v in seen and strict:  # two points alike: the report would meet one replicate twice
            c.fail(f"{key}[{i}]", v, "distinct values (each once)", f"repeats {key}[{seen[v]}]")
        seen.setdefault(v, i)
    return list(value)


def _sample(c: Checker, table: dict, design: dict, design_seed: int) -> np.ndarray:
    """Seeded samples of a Latin hypercube, Sobol or Morris design (one row per point)."""
    kind = design["kind"]
    if "samples" not in table:
        raise ExperimentError(
            f"{c.where}: design.samples is missing; allowed: an integer >= 2 (required for "
            f"kind = {kind!r})"
        )
    n = c.integer(table["samples"], "design.samples", 2, MAX_COUNT)
    design["samples"] = n
    design["seed"] = design_seed
    problem = salib_problem(design)
    d = problem["num_vars"]
    second = c.boolean(table.get("second_order", False), "design.second_order")
    if second and d < 2:
        c.fail("design.second_order", second, "false with one parameter (S2 is between two)")
    points_per_sample = {"lhs": 1, "sobol": 2 * d + 2 if second else d + 2, "morris": d + 1}
    _check_size(c, n * points_per_sample[kind])
    if kind == "lhs":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=problem["num_vars"], seed=design_seed).random(n)
        bounds = np.array(problem["bounds"])
        return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])
    if kind == "sobol":
        if n & (n - 1):
            c.fail("design.samples", n, "a power of 2 for kind = 'sobol'")
        design["second_order"] = second
        sobol = require("SALib.sample.sobol", "sensitivity", "a Sobol design")
        return sobol.sample(problem, n, calc_second_order=second, seed=design_seed)
    levels = c.integer(table.get("levels", 4), "design.levels", 2, 100)
    design["levels"] = levels
    morris = require("SALib.sample.morris", "sensitivity", "a Morris design")
    return morris.sample(problem, n, num_levels=levels, seed=design_seed)


def _check_size(c: Checker, n_points: int) -> None:
    """Refuse a design of more than `MAX_POINTS` points before making any."""
    if n_points > MAX_POINTS:
        raise ExperimentError(
            f"{c.where}: design has {n_points} points; allowed: at most {MAX_POINTS} points "
            "(fewer samples, steps or values)"
        )


def _points(
    c: Checker, scenario: str, base_params: dict, names: list[str], samples: np.ndarray
) -> list[dict]:
    """Every sampled row as a validated parameter dict (integer parameters rounded)."""
    points = []
    for row in samples:
        pt = dict(base_params)
        for key, value in zip(names, row, strict=True):
            pt[key] = round(value) if parameter(key).kind is int else float(value)
        try:
            points.append(validate(scenario, where="design point: ", **pt))
        except ParameterError as exc:
            c.param_error("", exc)
    return points
