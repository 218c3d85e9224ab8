"""The numba step kernel: the month of `submodels`, in the order the Mesa agents run it.

`step` advances one world by a month. `run_one` builds and runs one world; `run_batch` runs many
independent worlds in one call, in parallel over cores (`prange`). Each run's random numbers are
keyed by its own (seed, run) pair, so results do not depend on thread count or scheduling.
"""

import numpy as np
from numba import njit, prange

from sim.core.constants import N_MEASURES, N_SUMMARIES
from sim.core.measures import measure, summarize
from sim.core.state import as_ref, build_world
from sim.core.submodels import (
    allocate,
    assess,
    begin_step,
    commit,
    deliver,
    intervene,
    learn,
    pay,
    plan,
    pool_risk,
    update_health,
    update_need,
    update_trust,
)

# The order of the month's phases; the per-agent engine (sim.model.model) follows the same list.
PHASES = (
    ("model", "begin_step"),
    ("regulator", "pool_risk"),
    ("place", "update_need"),
    ("commissioner", "allocate"),
    ("trust", "plan"),
    ("commissioner", "pay"),
    ("trust", "deliver"),
    ("regulator", "assess"),
    ("place", "update_health"),
    ("trust", "update_trust"),
    ("trust", "learn"),
    ("trust", "commit"),
    ("regulator", "intervene"),
)


@njit(cache=True)
def step(w, p, r):
    """Advance one world (a `WorldRef`) by one month."""
    n_org = w.org_kind.shape[0]
    n_place = w.place_ics.shape[0]
    begin_step(w, p, r)
    pool_risk(w, p, r)
    for q in range(n_place):
        update_need(w, p, r, q)
    for q in range(n_place):
        allocate(w, p, r, q)
    for i in range(n_org):
        plan(w, p, r, i)
    for q in range(n_place):
        pay(w, p, r, q)
    for i in range(n_org):
        deliver(w, p, r, i)
    for i in range(n_org):
        assess(w, p, r, i)
    for q in range(n_place):
        update_health(w, p, r, q)
    for i in range(n_org):
        update_trust(w, p, r, i)
    for i in range(n_org):
        learn(w, p, r, i)
    for i in range(n_org):
        commit(w, p, r, i)
    for i in range(n_org):
        intervene(w, p, r, i)


@njit(cache=True)
def advance(w, p, r, n_steps, history):
    """Advance `n_steps` months, writing each month's measures into `history` rows."""
    for t in range(n_steps):
        step(w, p, r)
        measure(w, p, r, history[t])


@njit(cache=True)
def run_one(p, r, world, seed, run, n_steps):
    """Build one world, run it, and return (summary, history)."""
    w = as_ref(build_world(p, r, world, seed, run))
    history = np.zeros((n_steps, N_MEASURES))
    advance(w, p, r, n_steps, history)
    return summarize(history, world), history


@njit(cache=True, parallel=True)
def run_batch(params, levers, worlds, seeds, runs, n_steps, keep_series):
    """Run many independent worlds in parallel.

    Args:
        params: [n_runs, n_params] parameter vectors.
        levers: [n_runs, n_levers] rule vectors.
        worlds, seeds, runs: [n_runs] world code, base seed and run key of each run.
        n_steps: months per run.
        keep_series: when true, also return every run's measure history; otherwise the history
            array is empty and memory stays bounded by the number of threads.
    """
    n_runs = params.shape[0]
    summaries = np.zeros((n_runs, N_SUMMARIES))
    if keep_series:
        series = np.zeros((n_runs, n_steps, N_MEASURES))
    else:
        series = np.zeros((0, n_steps, N_MEASURES))
    for k in prange(n_runs):
        # Private copies: views of the shared inputs would share one reference count across
        # threads, and the contention on it costs more than the copy.
        p = params[k].copy()
        r = levers[k].copy()
        w = as_ref(build_world(p, r, worlds[k], seeds[k], runs[k]))
        history = np.zeros((n_steps, N_MEASURES))
        advance(w, p, r, n_steps, history)
        summaries[k] = summarize(history, worlds[k])
        if keep_series:
            series[k] = history
    return summaries, series
