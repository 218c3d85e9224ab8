"""Where the chunks of an experiment run: in this process (`LocalEngine`) or as one task per chunk
on a dask.distributed cluster (`DaskEngine`, the `cluster` extra).

Either way a chunk is one call of `compute_chunk`, which depends on its inputs alone (parameter and
lever vectors, world, seed and run key of each run), so results do not depend on the engine, the
workers, the chunking or the order; `on_chunk(k, result)` is called once per chunk as it finishes.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager

import numba
import numpy as np

from sim.core.checks import check_int
from sim.core.constants import SUMMARIES
from sim.core.params import ParameterError
from sim.engine.batch import simulate
from sim.experiment import interrupts
from sim.experiment.checker import ExperimentError
from sim.experiment.errors import DEFAULT_CONNECT_TIMEOUT, MAX_CONNECT_TIMEOUT, ClusterError
from sim.experiment.extras import require
from sim.experiment.spec import Experiment

ENGINES = ("local", "dask")
CONNECT_GRACE = 5.0  # seconds beyond the Client's own timeout before the connection is given up


def compute_chunk(
    params: np.ndarray,
    levers: np.ndarray,
    worlds: np.ndarray,
    seeds: np.ndarray,
    runs: np.ndarray,
    keep_series: np.ndarray,
    months: int,
    switch: np.ndarray | None = None,
    threads: int | None = None,
    on_slice: Callable | None = None,
    slice_runs: int | None = None,
    layout: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Summaries of every run of a chunk and the series of the runs with keep_series.

    Module level so that Dask can ship it to workers by reference. With `slice_runs`, the kernel
    is called on slices of that many runs and `on_slice(n)` after each (the local engine checks for
    an interrupt there); the results do not depend on the slicing. `layout` is the experiment's
    place file, packed (None: the generated world).
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
            switch=None if switch is None else switch[idx],
            series=want,
            threads=threads,
            chunk=slice_runs or max(1, len(idx)),
            progress=on_slice,
            layout=layout,
        )
        summaries[idx] = s
        if want:
            series = h
    return summaries, series


def chunk_payload(arrays: dict, start: int, end: int) -> dict:
    """The inputs of the runs [start, end) as contiguous arrays (the arguments of compute_chunk)."""
    payload = {
        k: np.ascontiguousarray(arrays[k][start:end])
        for k in ("params", "levers", "switch", "worlds", "seeds", "runs", "keep_series")
    }
    payload["layout"] = arrays.get("layout")  # the place file: the same for every run
    return payload


# ---------------------------------------------------------------------- engines
class LocalEngine:
    """Chunks one after another in this process, each over the kernel's numba threads.

    A kernel call is a `deferred` section: SIGINT or SIGTERM is honoured between slices of runs
    (`SLICE_RUNS_PER_THREAD` per thread, at least `MIN_SLICE_RUNS`), a fraction of a second apart.
    """

    name = "local"
    MIN_SLICE_RUNS = 256
    SLICE_RUNS_PER_THREAD = 64

    def __init__(self, threads: int | None = None):
        self.threads = threads

    @contextmanager
    def session(self):
        """Nothing to open for the local engine."""
        yield self

    def run(self, exp: Experiment, arrays: dict, chunks: list[int], on_chunk: Callable) -> None:
        threads = self.threads or numba.get_num_threads()
        slice_runs = max(self.MIN_SLICE_RUNS, self.SLICE_RUNS_PER_THREAD * threads)
        if chunks:
            # Compile (or load from the cache) before the deferred sections: a compile can take
            # minutes, and a signal must stop it at once, not wait for it.
            start, _ = exp.chunk_bounds(chunks[0])
            warm = chunk_payload(arrays, start, start + 1)
            compute_chunk(**warm, months=1, threads=self.threads)
        for k in chunks:
            start, end = exp.chunk_bounds(k)
            payload = chunk_payload(arrays, start, end)
            with interrupts.deferred():
                result = compute_chunk(
                    **payload,
                    months=exp.months,
                    threads=self.threads,
                    on_slice=interrupts.check,
                    slice_runs=slice_runs,
                )
            on_chunk(k, result)


class DaskEngine:
    """One Dask task per chunk on a dask.distributed cluster; chunks written as they arrive.

    A task lost with a worker is recomputed by the scheduler (and `retries` covers errors raised in
    a task); each chunk is written once, under its own number, so no run is lost or duplicated.
    The scheduler is reached in `session()`, before the results folder is touched, within
    `timeout` seconds; a scheduler lost during the run ends it with `ClusterError`.
    """

    name = "dask"

    def __init__(self, scheduler: str, retries: int = 3, timeout: float = DEFAULT_CONNECT_TIMEOUT):
        self.scheduler = check_scheduler_address(scheduler)
        self.retries = retries
        self.timeout = timeout
        self.client = None

    @contextmanager
    def session(self):
        """Connect to the scheduler (ClusterError if it does not answer within `timeout`)."""
        distributed = require("distributed", "cluster", "--engine dask")
        client = self._connect(distributed)
        self.client = client
        quiet = _silence("distributed")  # its reconnect tracebacks: we report in one line
        try:
            with client.as_current():  # distributed.wait and futures find this client
                yield self
        finally:
            self.client = None
            with contextlib.suppress(Exception):
                client.close(timeout=self.timeout)
            for logger, level in quiet.items():
                logger.setLevel(level)

    def _connect(self, distributed):
        """A Client of the scheduler, or ClusterError within `timeout` (plus a few seconds).

        The connection is made in a daemon thread with its own deadline: something that answers
        at the address but is not a Dask scheduler (a web server, the dashboard's port) can
        otherwise keep `Client` waiting without end, or fail with any error at all.
        """
        outcome: dict = {}

        def connect():
            try:
                outcome["client"] = distributed.Client(
                    self.scheduler, timeout=self.timeout, set_as_default=False
                )
            except BaseException as exc:  # reported below, as one line
                outcome["error"] = exc

        thread = threading.Thread(target=connect, name="commons-connect", daemon=True)
        thread.start()
        thread.join(self.timeout + CONNECT_GRACE)
        if "client" in outcome:
            return outcome["client"]
        why = type(outcome["error"]).__name__ if "error" in outcome else "no answer"
        raise ClusterError(
            f"cannot reach a Dask scheduler at {self.scheduler} within {self.timeout:g} s ({why}); "
            "is one running there? (`dask scheduler` starts one; its default port is 8786, "
            "the dashboard's 8787 is not a scheduler)"
        )

    def run(self, exp: Experiment, arrays: dict, chunks: list[int], on_chunk: Callable) -> None:
        distributed = require("distributed", "cluster", "--engine dask")
        client = self.client
        token = uuid.uuid4().hex[:8]
        chunk_of = {}
        for k in chunks:
            start, end = exp.chunk_bounds(k)
            fut = client.submit(
                compute_chunk,
                **chunk_payload(arrays, start, end),
                months=exp.months,
                threads=1,
                key=f"commons-{exp.name}-{token}-chunk-{k:05d}",
                retries=self.retries,
                pure=False,
            )
            chunk_of[fut] = k
        pending = set(chunk_of)
        while pending:
            done, pending = self._next(distributed, pending)
            for fut in done:
                on_chunk(chunk_of[fut], self._result(distributed, fut))
                fut.release()

    POLL_SECONDS = 1.0

    def _next(self, distributed, pending: set) -> tuple[set, set]:
        """The futures finished within one poll; ClusterError once the scheduler is gone."""
        try:
            done, pending = distributed.wait(
                pending, timeout=self.POLL_SECONDS, return_when="FIRST_COMPLETED"
            )
        except TimeoutError:  # nothing finished in this poll
            done = set()
        except (OSError, distributed.CancelledError) as exc:  # connection closed, futures dropped
            raise self._lost(exc) from None
        if not done and self.client.status not in ("running", "connecting"):
            raise self._lost(None)
        return set(done), set(pending)

    def _result(self, distributed, fut):
        try:
            return fut.result()
        except (OSError, distributed.CancelledError) as exc:
            raise self._lost(exc) from None

    def _lost(self, exc) -> ClusterError:
        why = f" ({type(exc).__name__})" if exc is not None else ""
        return ClusterError(
            f"lost the Dask scheduler at {self.scheduler}{why}; the chunks already complete are "
            "saved: run the same command again to resume"
        )


def _silence(prefix: str) -> dict:
    """Raise every logger under `prefix` to CRITICAL; returns their former levels."""
    names = [prefix, *(n for n in logging.root.manager.loggerDict if n.startswith(prefix + "."))]
    loggers = [logging.getLogger(n) for n in names]
    before = {logger: logger.level for logger in loggers}
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    return before


def check_scheduler_address(address: str) -> str:
    """A scheduler address as `tcp://HOST:PORT` (or another Dask protocol), else ExperimentError."""
    from urllib.parse import urlsplit

    protocols = ("tcp", "tls", "ws", "wss", "inproc", "ucx")
    text = str(address).strip()
    try:
        parts = urlsplit(text if "://" in text else f"tcp://{text}")
        port = parts.port
    except ValueError:
        port = None
        parts = None
    if parts is None or parts.scheme not in protocols or not parts.hostname or port is None:
        raise ExperimentError(
            f"--scheduler={address!r} is not a scheduler address; allowed: PROTOCOL://HOST:PORT "
            f"with PROTOCOL one of {', '.join(protocols)} (e.g. tcp://127.0.0.1:8786)"
        )
    return f"{parts.scheme}://{parts.netloc}"


def make_engine(
    engine: str,
    scheduler: str | None = None,
    threads: int | None = None,
    connect_timeout: float | None = None,
):
    """The engine named `engine` ("local" or "dask"), checking its options (`connect_timeout`:
    seconds the Dask engine waits for its scheduler, default `DEFAULT_CONNECT_TIMEOUT`)."""
    if threads is not None:
        try:
            threads = check_int(threads, "--threads", 1, numba.config.NUMBA_NUM_THREADS)
        except ParameterError as exc:
            raise ExperimentError(str(exc)) from None
    if engine == "local":
        for option, value in (("--scheduler", scheduler), ("--connect-timeout", connect_timeout)):
            if value not in (None, ""):
                raise ExperimentError(f"{option}={value!r} is only used with --engine dask")
        return LocalEngine(threads=threads)
    if engine == "dask":
        if not scheduler:
            raise ExperimentError(
                "--engine dask needs --scheduler tcp://HOST:PORT (the address of a "
                "dask.distributed scheduler)"
            )
        require("distributed", "cluster", "--engine dask")  # fail before touching the folder
        timeout = DEFAULT_CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
        number = isinstance(timeout, int | float) and not isinstance(timeout, bool)
        if not (number and 0 < timeout <= MAX_CONNECT_TIMEOUT):
            raise ExperimentError(
                f"--connect-timeout={connect_timeout!r} is not allowed; allowed: seconds above 0, "
                f"at most {MAX_CONNECT_TIMEOUT:g}"
            )
        return DaskEngine(scheduler, timeout=timeout)  # checks the address's form
    raise ExperimentError(f"--engine={engine!r} is not allowed; allowed: {', '.join(ENGINES)}")
