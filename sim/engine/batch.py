"""`run_many`: many independent runs in one call of the kernel, parallel over cores.

Each run is keyed by (seed, run): replicate j of every rule set and parameter point uses run key j,
so rule sets are compared on common random numbers, and any run can be reproduced alone as
`CareSystem(rules=..., seed=seed, run=j, **params)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace

import numba
import numpy as np
import pandas as pd

from sim.core.checks import MAX_SEED, check_int, check_seed
from sim.core.constants import FUNDING_MODELS, MEASURES, SCENARIOS, SUMMARIES
from sim.core.params import (
    PARAMETER_INDEX,
    ParameterError,
    check_scenario,
    pack,
    parameter,
    validate,
)
from sim.core.rules import LEVERS, RuleSet, resolve
from sim.engine.kernel import run_batch

DEFAULT_CHUNK = 2_000  # runs per kernel call: bounds memory and paces the progress bar


@contextmanager
def numba_threads(threads: int | None):
    """Run a block with numba's thread count set (restored afterwards)."""
    if threads is None:
        yield numba.get_num_threads()
        return
    threads = check_int(threads, "threads", 1, numba.config.NUMBA_NUM_THREADS)
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield threads
    finally:
        numba.set_num_threads(before)


def _check_keys(values, name: str) -> np.ndarray:
    """Seeds or run keys of many runs as int64; the first one outside the seed range is named."""
    arr = np.asarray(values)
    if arr.dtype.kind not in "iu":
        bad = np.arange(arr.size)
    else:
        bad = np.flatnonzero((arr < 0) | (arr > MAX_SEED))
    if len(bad):
        check_seed(arr.flat[bad[0]], f"{name}[{bad[0]}]")  # raises, naming the value
    return arr.astype(np.int64)


def simulate(
    params: np.ndarray,
    levers: np.ndarray,
    worlds: np.ndarray,
    seeds: np.ndarray,
    runs: np.ndarray,
    months: int,
    series: bool = False,
    threads: int | None = None,
    chunk: int = DEFAULT_CHUNK,
    progress=None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Run packed parameter and lever vectors (one row per run). Returns (summaries, series).

    The low-level entry used by `run_many` and the experiment runner; `progress`, if given, is
    called with the number of runs finished after each chunk.
    """
    n = len(params)
    for name, arr in (("levers", levers), ("worlds", worlds), ("seeds", seeds), ("runs", runs)):
        if len(arr) != n:
            raise ParameterError(
                f"{name} has {len(arr)} rows; allowed: {n} (one per run, as params)"
            )
    months = check_int(months, "months", 1)
    chunk = check_int(chunk, "chunk", 1)
    seeds, runs = _check_keys(seeds, "seeds"), _check_keys(runs, "runs")
    summaries = []
    histories = [] if series else None
    with numba_threads(threads):
        for start in range(0, n, chunk):
            end = min(n, start + chunk)
            s, h = run_batch(
                np.ascontiguousarray(params[start:end], dtype=np.float64),
                np.ascontiguousarray(levers[start:end], dtype=np.float64),
                np.asarray(worlds[start:end], dtype=np.int64),
                seeds[start:end],
                runs[start:end],
                int(months),
                bool(series),
            )
            summaries.append(s)
            if series:
                histories.append(h)
            if progress is not None:
                progress(end - start)
    out = np.vstack(summaries) if summaries else np.zeros((0, len(SUMMARIES)))
    return out, (np.concatenate(histories) if series and histories else None)


def run_many(
    rules: str | RuleSet | dict | Sequence = ("fortress", "shared_governance"),
    *,
    replicates: int = 100,
    months: int = 120,
    seed: int = 0,
    scenario: str = "place_system",
    points=None,
    names: Sequence[str] | None = None,
    round_integers: bool = False,
    series: bool = False,
    threads: int | None = None,
    progress: bool = False,
    **params,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Run every rule set at every parameter point for `replicates` seeded replicates.

    Args:
        rules: One rule set or a sequence of them (preset names, `RuleSet`s or lever dicts with
            an optional "preset", "without" and "name"). Each comes back under a unique label in
            the `rules` column: its name (a preset's name; `shared_governance[monitoring=0.5]`
            for a lever override, see `RuleSet.with_levers`); rule sets sharing a name but not
            their levers get the levers that tell them apart appended. Two rule sets that would
            still share a label (the same rule set twice) raise `ParameterError`.
        replicates: Replicates per rule set and point (run keys 0..replicates-1).
        months: Months (rounds) per run.
        seed: Base seed shared by all runs.
        scenario: The world (see `CareSystem`).
        points: Parameter points to sweep over (default: one point, the defaults plus `params`):
            a list of dicts, a pandas DataFrame (one column per parameter), a dict of equal-length
            columns, a NumPy structured array, or a plain 2-D array with `names`.
        names: The parameter of each column when `points` is a plain 2-D array.
        round_integers: Round integer parameters (counts such as `n_places`) given as
            non-whole numbers to the nearest integer (halves up) instead of refusing them.
            Whole floats (`2.0`) are always accepted; the output holds the value used.
        series: Also return the per-month measures of every run (memory grows with runs).
        threads: numba threads (default: all cores). Results do not depend on it.
        progress: Show a progress bar.
        **params: Scenario parameters applied at every point (a point's own value wins).

    Returns:
        A DataFrame with one row per run: rule set label (`rules`), point, replicate, seed, the
        swept parameters' values, one `lever_<name>` column per lever that differs between the
        rule sets, and every summary outcome. With `series=True`, a tuple (summaries, series)
        where series has one row per run and month.

    Raises:
        ParameterError: A bad rule set, parameter, point or count, named in one line.
    """
    # Long: mostly its docstring; the body checks, packs, runs and labels in one pass.
    check_scenario(scenario)
    seed = check_seed(seed)
    # Run keys are 0..replicates-1, so replicates may not exceed the seed range either.
    replicates = check_int(replicates, "replicates", 1, MAX_SEED)
    months = check_int(months, "months", 1)
    rule_sets = label_rule_sets(rules)
    point_list = as_points(points, names)
    params = _whole(params, "", round_integers)
    validate(scenario, **params)  # a bad keyword is named as given, not as part of a point
    validated = [
        validate(
            scenario, f"points[{i}].", **{**params, **_whole(pt, f"points[{i}].", round_integers)}
        )
        for i, pt in enumerate(point_list)
    ]
    rows, p_rows, r_rows = _plan(scenario, validated, rule_sets, replicates)
    n = len(rows)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="run", desc="runs")
    try:
        summaries, histories = simulate(
            np.array(p_rows),
            np.array(r_rows),
            np.full(n, SCENARIOS.index(scenario)),
            np.full(n, seed, dtype=np.int64),
            np.array([row[2] for row in rows]),
            months,
            series=series,
            threads=threads,
            progress=bar.update if bar else None,
        )
    finally:
        if bar:
            bar.close()

    frame = pd.DataFrame(rows, columns=["rules", "point", "replicate"])
    frame.insert(3, "seed", seed)
    swept = sorted({k for pt in point_list for k in pt})
    for key in swept:
        frame[key] = [validated[pi][key] for pi in frame["point"]]
    by_label = {rs.name: rs for rs in rule_sets}
    for lever in _varying(rule_sets):
        values = [getattr(by_label[label], lever) for label in frame["rules"]]
        if lever == "funding_model":  # numeric like every other column: its FUNDING_MODELS index
            values = [FUNDING_MODELS.index(v) for v in values]
        frame[f"lever_{lever}"] = values
    frame = pd.concat([frame, pd.DataFrame(summaries, columns=list(SUMMARIES))], axis=1)
    return (frame, _long_series(frame, histories, months)) if series else frame


def _varying(rule_sets: list[RuleSet]) -> list[str]:
    """The levers whose value differs between the rule sets, in `LEVERS` order."""
    return [k for k in LEVERS if len({getattr(rs, k) for rs in rule_sets}) > 1]


def label_rule_sets(rules) -> list[RuleSet]:
    """The rule sets of `run_many`, resolved and named so that no two share a label.

    Rule sets sharing a name but not their levers are renamed `name[lever=value, ...]` with the
    levers that differ within the group; a label still shared raises `ParameterError`.
    """
    rule_list = [rules] if isinstance(rules, str | RuleSet | dict) else list(rules)
    if not rule_list:
        raise ParameterError("rules=[] is empty; allowed: at least one rule set")
    rule_sets = [resolve(rs) for rs in rule_list]
    groups: dict[str, list[int]] = {}
    for i, rs in enumerate(rule_sets):
        groups.setdefault(rs.name, []).append(i)
    for name, members in groups.items():
        varying = _varying([rule_sets[i] for i in members])
        for i in members if varying else ():
            shown = ", ".join(f"{k}={_show(getattr(rule_sets[i], k))}" for k in varying)
            rule_sets[i] = replace(rule_sets[i], name=f"{name}[{shown}]")
    seen: dict[str, int] = {}
    for i, rs in enumerate(rule_sets):
        if rs.name in seen:
            j = seen[rs.name]
            same = "the same rule set" if rs == rule_sets[j] else "two rule sets"
            raise ParameterError(
                f"rules[{j}] and rules[{i}] are {same}, both labelled {rs.name!r}; allowed: "
                "each rule set once, under distinct names (RuleSet.with_levers(name=...))"
            )
        seen[rs.name] = i
    return rule_sets


def _show(value: object) -> str:
    """A lever value as rule set names write it (`RuleSet.with_levers`): 0.5, 1, True, block."""
    return str(value) if isinstance(value, bool | np.bool_ | str) else f"{float(value):.12g}"


def as_points(points, names: Sequence[str] | None = None) -> list[dict]:
    """Parameter points as a list of dicts, from any form `run_many(points=...)` accepts.

    Args:
        points: None (one point: the defaults), a list of dicts, a pandas DataFrame, a dict of
            equal-length columns, a NumPy structured array, or a plain 2-D array with `names`.
        names: One parameter name per column of a plain 2-D array (and only then).

    Raises:
        ParameterError: In one line, naming what was given and what to pass instead.
    """
    if points is None:
        if names is not None:
            raise ParameterError("names is given without points; allowed: names with a 2-D array")
        return [{}]
    columns = _columns(points, names)
    if columns is None:  # a list of dicts
        items = list(points)
        for i, pt in enumerate(items):
            if not isinstance(pt, Mapping):
                raise ParameterError(
                    f"points[{i}]={pt!r} has type {type(pt).__name__}; allowed: a dict of "
                    "parameter values (or pass a DataFrame, a dict of columns or a 2-D array)"
                )
    else:
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1:
            raise ParameterError(
                f"points has columns of lengths {sorted(lengths)}; allowed: equal lengths"
            )
        n = lengths.pop() if lengths else 0
        items = [{k: v[i] for k, v in columns.items()} for i in range(n)]
    if not items:
        raise ParameterError("points is empty; allowed: at least one parameter point")
    return [{str(k): _plain(v) for k, v in pt.items()} for pt in items]


def _columns(points, names) -> dict[str, np.ndarray] | None:
    """The columns of points given by column, or None for a list of dicts."""
    table = (isinstance(points, np.ndarray) and points.dtype.names is None) or (
        isinstance(points, list | tuple) and bool(points) and not isinstance(points[0], Mapping)
    )
    if names is not None and not table:
        raise ParameterError(
            f"names={list(names)!r} is given with points of type {type(points).__name__}; "
            "allowed: names only with a plain 2-D array (other forms carry their own names)"
        )
    if table:
        return _named_columns(np.asarray(points), names)
    if isinstance(points, pd.DataFrame):
        return {str(c): points[c].to_numpy() for c in points.columns}
    if isinstance(points, Mapping):
        return {str(k): _column(k, v) for k, v in points.items()}
    if isinstance(points, np.ndarray):  # structured or record array
        return {k: points[k] for k in points.dtype.names}
    return None


def _column(key, values) -> np.ndarray:
    """One column of a dict of columns, refused if it is a single value."""
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ParameterError(
            f"points[{key!r}]={values!r} is not a column; allowed: a list or 1-D array of values "
            "(for a single point pass points=[{...}] or the parameter as a keyword)"
        )
    return arr


def _named_columns(arr: np.ndarray, names) -> dict[str, np.ndarray]:
    """The columns of a plain 2-D array, named by `names`."""
    if arr.ndim != 2:
        raise ParameterError(
            f"points is an array of shape {arr.shape}; allowed: 2-D (one row per point) with "
            "names=[...], a DataFrame, a dict of columns or a list of dicts"
        )
    if names is None:
        raise ParameterError(
            f"points is a {arr.shape[0]}x{arr.shape[1]} array without names; allowed: pass "
            "names=[...] with one parameter name per column (or a DataFrame or a list of dicts)"
        )
    names = [names] if isinstance(names, str) else list(names)
    if len(names) != arr.shape[1] or len(set(names)) != len(names):
        raise ParameterError(
            f"names={names!r} has {len(names)} names for {arr.shape[1]} columns; allowed: "
            "one distinct parameter name per column"
        )
    return {str(name): arr[:, j] for j, name in enumerate(names)}


def _plain(value):
    """A NumPy scalar as the Python value it holds (so messages and outputs show 2, not np.int64)."""
    return value.item() if isinstance(value, np.generic) else value


def _whole(values: dict, where: str, round_integers: bool) -> dict:
    """Values of integer parameters given as non-whole numbers: refused, or rounded if asked."""
    out = dict(values)
    for key, value in values.items():
        if key not in PARAMETER_INDEX or parameter(key).kind is not int:
            continue
        if isinstance(value, bool | np.bool_) or not isinstance(value, float | np.floating):
            continue  # ints pass; other types are named by `validate`
        if not np.isfinite(value):
            raise ParameterError(
                f"{where}{key}={_plain(value)!r} is not a number; "
                f"allowed: {parameter(key).allowed()}"
            )
        if value != int(value):
            if not round_integers:
                raise ParameterError(
                    f"{where}{key}={_plain(value)!r} is not whole; allowed: "
                    f"{parameter(key).allowed()} (or round_integers=True to round to the nearest)"
                )
            out[key] = int(np.floor(value + 0.5))
    return out


def _plan(scenario: str, validated: list[dict], rule_sets: list[RuleSet], replicates: int):
    """Every run (rule set name, point, replicate) point-major, with its packed vectors."""
    rows, p_rows, r_rows = [], [], []
    for pi, values in enumerate(validated):
        pvec = pack(scenario, values)
        for rs in rule_sets:
            rvec = rs.vector()
            for rep in range(replicates):
                rows.append((rs.name, pi, rep))
                p_rows.append(pvec)
                r_rows.append(rvec)
    return rows, p_rows, r_rows


def _long_series(frame: pd.DataFrame, histories: np.ndarray, months: int) -> pd.DataFrame:
    """The per-month measures of every run, one row per run and month."""
    n = len(frame)
    run_index = np.repeat(np.arange(n), months)
    long = pd.DataFrame(histories.reshape(n * months, len(MEASURES)), columns=list(MEASURES))
    long.insert(0, "month", np.tile(np.arange(1, months + 1), n))
    long.insert(0, "replicate", frame["replicate"].to_numpy()[run_index])
    long.insert(0, "point", frame["point"].to_numpy()[run_index])
    long.insert(0, "rules", frame["rules"].to_numpy()[run_index])
    return long
