"""`run_many`: many independent runs in one call of the kernel, parallel over cores.

Each run is keyed by (seed, run): replicate j of every rule set and parameter point uses run key j,
so rule sets are compared on common random numbers, and any run can be reproduced alone as
`CareSystem(rules=..., seed=seed, run=j, **params)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager

import numba
import numpy as np
import pandas as pd

from sim.core.checks import MAX_SEED, check_int, check_seed
from sim.core.constants import MEASURES, SCENARIOS, SUMMARIES
from sim.core.params import ParameterError, check_scenario, pack, validate
from sim.core.rules import RuleSet, resolve
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
    points: Iterable[dict] | None = None,
    series: bool = False,
    threads: int | None = None,
    progress: bool = False,
    **params,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Run every rule set at every parameter point for `replicates` seeded replicates.

    Args:
        rules: One rule set or a sequence of them (preset names, `RuleSet`s or lever dicts).
        replicates: Replicates per rule set and point (run keys 0..replicates-1).
        months: Months (rounds) per run.
        seed: Base seed shared by all runs.
        scenario: The world (see `CareSystem`).
        points: Parameter dicts to sweep over (default: one point, the defaults plus `params`).
        series: Also return the per-month measures of every run (memory grows with runs).
        threads: numba threads (default: all cores). Results do not depend on it.
        progress: Show a progress bar.
        **params: Scenario parameters applied at every point.

    Returns:
        A DataFrame with one row per run: rule set, point, replicate, seed, the point's parameter
        values and every summary outcome. With `series=True`, a tuple (summaries, series) where
        series has one row per run and month.
    """
    # Long: mostly its docstring; the body checks, packs, runs and labels in one pass.
    # Over 60 lines only through the docstring of the public arguments; the body is ~50 lines.
    check_scenario(scenario)
    seed = check_seed(seed)
    # Run keys are 0..replicates-1, so replicates may not exceed the seed range either.
    replicates = check_int(replicates, "replicates", 1, MAX_SEED)
    months = check_int(months, "months", 1)
    rule_list = [rules] if isinstance(rules, str | RuleSet | dict) else list(rules)
    if not rule_list:
        raise ParameterError("rules=[] is empty; allowed: at least one rule set")
    rule_sets = [resolve(rs) for rs in rule_list]
    point_list = [dict(pt) for pt in (points if points is not None else [{}])]
    if not point_list:
        raise ParameterError("points=[] is empty; allowed: at least one parameter dict")
    validated = [validate(scenario, **{**params, **pt}) for pt in point_list]
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
    frame = pd.concat([frame, pd.DataFrame(summaries, columns=list(SUMMARIES))], axis=1)
    return (frame, _long_series(frame, histories, months)) if series else frame


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
