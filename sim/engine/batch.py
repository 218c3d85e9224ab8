"""`run_many`: many independent runs in one call of the kernel, parallel over cores.

Each run is keyed by (seed, run): replicate j of every rule set and parameter point uses run key j,
so rule sets are compared on common random numbers, and any run can be reproduced alone as
`CareSystem(rules=..., seed=seed, run=j, **params)`. A probabilistic run (`uncertainty=`) also
draws replicate j's uncertain parameters from their priors (draw j // seeds_per_draw, shared by
every rule set; `sim.core.uncertainty`), recorded as columns, so the recipe holds with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import contextmanager

import numba
import numpy as np
import pandas as pd

from sim.core.checks import MAX_SEED, check_int, check_seed
from sim.core.constants import FUNDING_MODELS, MEASURES, SCENARIOS, SUMMARIES
from sim.core.params import (
    ParameterError,
    check_scenario,
    pack,
    validate,
)
from sim.core.rules import RuleSet
from sim.core.schedule import Schedule, check_horizon, schedules_as_arrays
from sim.core.uncertainty import Uncertainty
from sim.engine.kernel import run_batch
from sim.engine.labels import (  # noqa: F401  (label_rule_sets re-exported)
    label_entries,
    label_rule_sets,
    varying_levers,
)
from sim.engine.placefile import as_place_system
from sim.engine.placemap import check_place_params, not_drawn_with
from sim.engine.points import _whole, as_points

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
    switch: np.ndarray | None = None,
    layout: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Run packed parameter and lever vectors (one row per run). Returns (summaries, series).

    The low-level entry used by `run_many` and the experiment runner; `progress`, if given, is
    called with the number of runs finished after each chunk. `levers` is [n_runs, n_levers] for
    fixed rules, or [n_runs, n_stages, n_levers] with `switch` [n_runs, n_stages] for policy
    schedules (see `sim.core.schedule.schedules_as_arrays`). `layout` is a place file packed by
    `PlaceSystem.layout()`, shared by every run (None: the generated world).
    """
    n = len(params)
    layout = np.zeros(0) if layout is None else np.ascontiguousarray(layout, dtype=np.float64)
    levers, switch = _stages(np.asarray(levers, dtype=np.float64), switch, n)
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
                np.ascontiguousarray(levers[start:end]),
                np.ascontiguousarray(switch[start:end]),
                np.asarray(worlds[start:end], dtype=np.int64),
                seeds[start:end],
                runs[start:end],
                int(months),
                bool(series),
                layout,
            )
            summaries.append(s)
            if series:
                histories.append(h)
            if progress is not None:
                progress(end - start)
    out = np.vstack(summaries) if summaries else np.zeros((0, len(SUMMARIES)))
    return out, (np.concatenate(histories) if series and histories else None)


def _stages(levers: np.ndarray, switch, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Levers as [n, n_stages, n_levers] and switch months as [n, n_stages] int64."""
    if levers.ndim == 2:
        if switch is not None:
            raise ParameterError("switch is given with 2-D levers; allowed: 3-D levers with it")
        return levers[:, None, :], np.zeros((len(levers), 1), dtype=np.int64)
    if switch is None or np.shape(switch) != levers.shape[:2]:
        raise ParameterError(
            f"switch has shape {np.shape(switch)}; allowed: {levers.shape[:2]} (one month per "
            "stage of each run's schedule)"
        )
    return levers, np.asarray(switch, dtype=np.int64)


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
    uncertainty=None,
    seeds_per_draw: int = 1,
    place_file=None,
    **params,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    """Run every rule set at every parameter point for `replicates` seeded replicates.

    Args:
        rules: One rule set or a sequence of them (preset names, `RuleSet`s or lever dicts with
            an optional "preset", "without" and "name"). Each comes back under a unique label in
            the `rules` column: its name (a preset's name; `shared_governance[monitoring=0.5]`
            for a lever override, see `RuleSet.with_levers`); rule sets sharing a name but not
            their levers get the levers that tell them apart appended. Two rule sets that would
            still share a label (the same rule set twice) raise `ParameterError`. An entry may
            also be a policy schedule: a `sim.core.schedule.Schedule` or a list of
            `(month, rule set)` pairs, the first at month 0, e.g.
            `[(0, "fortress"), (60, "shared_governance")]` (shared governance from month 61),
            labelled `fortress>shared_governance@60`.
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
        uncertainty: A probabilistic run over parameter priors: True or "all" (every prior of
            `sim.core.priors_table.PRIORS` the scenario takes), a list of parameter names, or a
            dict from name to a `Prior`, a dict of its fields (dist, low, high, mode, sd) or True
            (see `sim.core.priors.resolve`). Replicate j of every rule set and point uses draw
            j // seeds_per_draw (shared by all rule sets: paired) and run key j. A parameter
            given as a keyword or in a point wins over its prior and is not drawn.
        seeds_per_draw: Replicates (seeds) sharing each parameter draw (default 1).
        place_file: A place file (a path or a `PlaceSystem`, docs/place_files.md): the places and
            organisations of every run are the file's, in place of the draws; a probabilistic run
            then leaves out the priors only those draws read (`placemap.IDLE_WITH_PLACE_FILE`).
        **params: Scenario parameters applied at every point (a point's own value wins).

    Returns:
        A DataFrame with one row per run: rule set label (`rules`), point, replicate, seed, the
        swept parameters' values, one `lever_<name>` column per lever that differs between the
        rule sets (for a schedule: the rules in force at the end, and a `switch_month` column
        with the month of its last change, 0 for fixed rules), and every summary outcome. With
        `uncertainty`, also `draw` (the draw index) and one column per drawn parameter (the
        value used), after the swept ones; `frame.attrs["uncertain"]` is the tuple of drawn
        names (empty without). With `series=True`, a tuple (summaries, series) where series has
        one row per run and month.

    Raises:
        ParameterError: A bad rule set, parameter, point or count, named in one line.
    """
    # Long: mostly its docstring; the body checks, packs, runs and labels in one pass.
    check_scenario(scenario)
    seed = check_seed(seed)
    # Run keys are 0..replicates-1, so replicates may not exceed the seed range either.
    replicates = check_int(replicates, "replicates", 1, MAX_SEED)
    months = check_int(months, "months", 1)
    schedules = label_entries(rules)
    for i, schedule in enumerate(schedules):
        check_horizon(schedule, months, f"rules[{i}]")  # a step the runs never reach is a slip
    point_list = as_points(points, names)
    params = _whole(params, "", round_integers)
    system = as_place_system(place_file)
    check_place_params(system, scenario, params, point_list)
    validate(scenario, **params)  # a bad keyword is named as given, not as part of a point
    validated = [
        validate(
            scenario, f"points[{i}].", **{**params, **_whole(pt, f"points[{i}].", round_integers)}
        )
        for i, pt in enumerate(point_list)
    ]
    given = {*params, *(k for pt in point_list for k in pt), *not_drawn_with(system)}
    unc = Uncertainty.build(uncertainty, scenario, seeds_per_draw, given)
    rows, p_rows, which = _plan(scenario, validated, schedules, replicates)
    p_rows = np.array(p_rows)
    if unc is not None:
        unc.check(scenario, validated, seed, replicates)
        unc.apply(p_rows, seed, [row[2] for row in rows])
    stage_levers, stage_months = schedules_as_arrays(schedules)
    n = len(rows)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="run", desc="runs")
    try:
        summaries, histories = simulate(
            p_rows,
            stage_levers[which],
            np.full(n, SCENARIOS.index(scenario)),
            np.full(n, seed, dtype=np.int64),
            np.array([row[2] for row in rows]),
            months,
            series=series,
            threads=threads,
            progress=bar.update if bar else None,
            switch=stage_months[which],
            layout=None if system is None else system.layout(),
        )
    finally:
        if bar:
            bar.close()

    frame = _run_table(rows, seed, point_list, validated, unc)
    frame = _lever_columns(frame, schedules)
    frame = pd.concat([frame, pd.DataFrame(summaries, columns=list(SUMMARIES))], axis=1)
    frame.attrs["uncertain"] = unc.names if unc is not None else ()
    return (frame, _long_series(frame, histories, months)) if series else frame


def _run_table(rows, seed, point_list, validated, unc) -> pd.DataFrame:
    """The run columns: label, point, replicate, seed, swept parameters, draw, drawn ones."""
    frame = pd.DataFrame(rows, columns=["rules", "point", "replicate"])
    frame.insert(3, "seed", seed)
    swept = sorted({k for pt in point_list for k in pt})
    point = frame["point"].tolist()  # once: iterating a column is slow
    columns = {key: [validated[pi][key] for pi in point] for key in swept}
    if unc is not None:
        columns.update(unc.columns(seed, frame["replicate"].to_numpy()))
    # One concat, not a column at a time: dozens of drawn parameters would fragment the frame.
    return pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)


def _lever_columns(frame: pd.DataFrame, schedules: list[Schedule]) -> pd.DataFrame:
    """The frame with `switch_month` (schedules) and a `lever_<name>` column per lever that
    differs."""
    # Lever columns hold the rules in force at the end of each run.
    final = [s.steps[-1][1] for s in schedules]
    by_label = {s.name: rs for s, rs in zip(schedules, final, strict=True)}
    columns = {}
    labels = frame["rules"].tolist()  # once: iterating a string column is slow
    if any(len(s.steps) > 1 for s in schedules):
        last_switch = {s.name: int(s.steps[-1][0]) for s in schedules}
        columns["switch_month"] = [last_switch[label] for label in labels]
    for lever in varying_levers(final):
        value = {label: getattr(rs, lever) for label, rs in by_label.items()}
        values = [value[label] for label in labels]
        if lever == "funding_model":  # numeric like every other column: its FUNDING_MODELS index
            values = [FUNDING_MODELS.index(v) for v in values]
        columns[f"lever_{lever}"] = values
    return pd.concat([frame, pd.DataFrame(columns, index=frame.index)], axis=1)


def _plan(scenario: str, validated: list[dict], schedules: list[Schedule], replicates: int):
    """Every run (label, point, replicate) point-major, its packed parameters and its schedule's
    index in `schedules`."""
    rows, p_rows, which = [], [], []
    for pi, values in enumerate(validated):
        pvec = pack(scenario, values)
        for j, sched in enumerate(schedules):
            for rep in range(replicates):
                rows.append((sched.name, pi, rep))
                p_rows.append(pvec)
                which.append(j)
    return rows, p_rows, np.array(which, dtype=np.int64)


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
