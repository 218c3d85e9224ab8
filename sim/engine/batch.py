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

from sim.core.constants import MEASURES, SCENARIOS, SUMMARIES
from sim.core.params import ParameterError, check_scenario, pack, validate
from sim.core.rules import RuleSet, resolve
from sim.core.seeds import check_seed
from sim.engine.kernel import run_batch

DEFAULT_CHUNK = 2_000  # runs per kernel call: bounds memory and paces the progress bar


@contextmanager
def numba_threads(threads: int | None):
    """Run a block with numba's thread count set (restored afterwards)."""
    if threads is None:
        yield numba.get_num_threads()
        return
    limit = numba.config.NUMBA_NUM_THREADS
    if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= limit:
        raise ParameterError(
            f"threads={threads!r} is not allowed; allowed: an integer in [1, {limit}]"
        )
    before = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        yield threads
    finally:
        numba.set_num_threads(before)


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
    if isinstance(months, bool) or not isinstance(months, int | np.integer) or months < 1:
        raise ParameterError(f"months={months!r} is not allowed; allowed: an integer >= 1")
    summaries = []
    histories = [] if series else None
    with numba_threads(threads):
        for start in range(0, n, chunk):
            end = min(n, start + chunk)
            s, h = run_batch(
                np.ascontiguousarray(params[start:end], dtype=np.float64),
                np.ascontiguousarray(levers[start:end], dtype=np.float64),
                np.asarray(worlds[start:end], dtype=np.int64),
                np.asarray(seeds[start:end], dtype=np.int64),
                np.asarray(runs[start:end], dtype=np.int64),
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
    check_scenario(scenario)
    seed = check_seed(seed)
    if (
        isinstance(replicates, bool)
        or not isinstance(replicates, int | np.integer)
        or replicates < 1
    ):
        raise ParameterError(f"replicates={replicates!r} is not allowed; allowed: an integer >= 1")
    rule_list = [rules] if isinstance(rules, str | RuleSet | dict) else list(rules)
    if not rule_list:
        raise ParameterError("rules=[] is empty; allowed: at least one rule set")
    rule_sets = [resolve(rs) for rs in rule_list]
    point_list = [dict(pt) for pt in (points if points is not None else [{}])]
    if not point_list:
        raise ParameterError("points=[] is empty; allowed: at least one parameter dict")
    validated = [validate(scenario, **{**params, **pt}) for pt in point_list]
    world = SCENARIOS.index(scenario)

    rows, p_rows, r_rows = [], [], []
    for pi, values in enumerate(validated):
        pvec = pack(scenario, values)
        for rs in rule_sets:
            rvec = rs.vector()
            for rep in range(replicates):
                rows.append((rs.name, pi, rep))
                p_rows.append(pvec)
                r_rows.append(rvec)
    n = len(rows)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="run", desc="runs")
    try:
        summaries, histories = simulate(
            np.array(p_rows),
            np.array(r_rows),
            np.full(n, world),
            np.full(n, seed),
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
    if not series:
        return frame
    month = np.tile(np.arange(1, months + 1), n)
    run_index = np.repeat(np.arange(n), months)
    long = pd.DataFrame(histories.reshape(n * months, len(MEASURES)), columns=list(MEASURES))
    long.insert(0, "month", month)
    long.insert(0, "replicate", frame["replicate"].to_numpy()[run_index])
    long.insert(0, "point", frame["point"].to_numpy()[run_index])
    long.insert(0, "rules", frame["rules"].to_numpy()[run_index])
    return frame, long
