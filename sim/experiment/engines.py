"""Where the chunks of an experiment run: in this process (`LocalEngine`) or as one task per chunk
on a dask.distributed cluster (`DaskEngine`, the `cluster` extra).

Either way a chunk is one call of `compute_chunk`, which depends on its inputs alone (parameter and
lever vectors, world, seed and run key of each run), so results do not depend on the engine, the
workers, the chunking or the order; `on_chunk(k, result)` is called once per chunk as it finishes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import numba
import numpy as np

from sim.core.checks import check_int
from sim.core.constants import SUMMARIES
from sim.core.params import ParameterError
from sim.engine.batch import simulate
from sim.experiment.checker import ExperimentError
from sim.experiment.extras import require
from sim.experiment.spec import Experiment

ENGINES = ("local", "dask")


def compute_chunk(
    params: np.ndarray,
    levers: np.ndarray,
    worlds: np.ndarray,
    seeds: np.ndarray,
    runs: np.ndarray,
    keep_series: np.ndarray,
    months: int,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Summaries of every run of a chunk and the series of the runs with keep_series.

    Module level so that Dask can ship it to workers by reference.
    """
    n = len(params)
    summaries = np.zeros((n, len(SUMMARIES)))
    series = None
    keep = np.asarray(keep_series, dtype=bool)
    groups = [(np.flatnonzero(~keep), False), (np.flatnonzero(keep), True)]
    for idx, want in groups:
        if len(idx) == 0:
            continue
        s, h = simulate(
            params[idx],
            levers[idx],
            worlds[idx],
            seeds[idx],
            runs[idx],
            months,
            series=want,
            threads=threads,
            chunk=max(1, len(idx)),
        )
        summaries[idx] = s
        if want:
            series = h
    return summaries, series


def chunk_payload(arrays: dict, start: int, end: int) -> dict:
    """The inputs of the runs [start, end) as contiguous arrays (the arguments of compute_chunk)."""
    return {
        k: np.ascontiguousarray(arrays[k][start:end])
        for k in ("params", "levers", "worlds", "seeds", "runs", "keep_series")
    }


# ---------------------------------------------------------------------- engines
class LocalEngine:
    """Chunks one after another in this process, each over the kernel's numba threads."""

    name = "local"

    def __init__(self, threads: int | None = None):
        self.threads = threads

    def run(self, exp: Experiment, arrays: dict, chunks: list[int], on_chunk: Callable) -> None:
        for k in chunks:
            start, end = exp.chunk_bounds(k)
            payload = chunk_payload(arrays, start, end)
            result = compute_chunk(**payload, months=exp.months, threads=self.threads)
            on_chunk(k, result)


class DaskEngine:
    """One Dask task per chunk on a dask.distributed cluster; chunks written as they arrive.

    A task lost with a worker is recomputed by the scheduler (and `retries` covers errors raised in
    a task); each chunk is written once, under its own number, so no run is lost or duplicated.
    """

    name = "dask"

    def __init__(self, scheduler: str, retries: int = 3, timeout: float = 60.0):
        self.scheduler = scheduler
        self.retries = retries
        self.timeout = timeout

    def run(self, exp: Experiment, arrays: dict, chunks: list[int], on_chunk: Callable) -> None:
        distributed = require("distributed", "cluster", "--engine dask")
        Client, as_completed = distributed.Client, distributed.as_completed
        try:
            client = Client(self.scheduler, timeout=self.timeout)
        except (OSError, TimeoutError) as exc:
            raise RuntimeError(
                f"cannot connect to the Dask scheduler at {self.scheduler}: {exc}"
            ) from None
        token = uuid.uuid4().hex[:8]
        try:
            futures = []
            chunk_of = {}
            for k in chunks:
                start, end = exp.chunk_bounds(k)
                payload = chunk_payload(arrays, start, end)
                fut = client.submit(
                    compute_chunk,
                    **payload,
                    months=exp.months,
                    threads=1,
                    key=f"commons-{exp.name}-{token}-chunk-{k:05d}",
                    retries=self.retries,
                    pure=False,
                )
                futures.append(fut)
                chunk_of[fut.key] = k
            done = set()
            for fut in as_completed(futures):
                k = chunk_of[fut.key]
                result = fut.result()
                if k in done:  # pragma: no cover - a future completes once
                    continue
                done.add(k)
                on_chunk(k, result)
                fut.release()
        finally:
            client.close()


def make_engine(engine: str, scheduler: str | None = None, threads: int | None = None):
    """The engine named `engine` ("local" or "dask"), checking its options."""
    if threads is not None:
        try:
            threads = check_int(threads, "--threads", 1, numba.config.NUMBA_NUM_THREADS)
        except ParameterError as exc:
            raise ExperimentError(str(exc)) from None
    if engine == "local":
        return LocalEngine(threads=threads)
    if engine == "dask":
        if not scheduler:
            raise ExperimentError(
                "--engine dask needs --scheduler tcp://HOST:PORT (the address of a "
                "dask.distributed scheduler)"
            )
        require("distributed", "cluster", "--engine dask")  # fail before touching the folder
        return DaskEngine(scheduler)
    raise ExperimentError(f"--engine={engine!r} is not allowed; allowed: {', '.join(ENGINES)}")
