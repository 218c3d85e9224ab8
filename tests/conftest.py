"""Shared pytest fixtures for care-commons.

Fixtures
--------
chromium_path
    Path of the system chromium (``/usr/bin/chromium``) for Playwright. Fails (does not skip)
    when it is missing: run ``scripts/ensure_chromium.sh``. Launch it with
    ``p.chromium.launch(executable_path=chromium_path, args=chromium_args)``; never run
    ``playwright install`` (it downloads and fails here).
chromium_args
    The headless chromium arguments that work in this sandbox (``--no-sandbox`` etc.).
reference (session)
    The reliability tests' small experiment run once, uninterrupted (a results folder).
own_dask_cluster
    A cluster of its own for one test (1 worker), whose scheduler or worker the test may kill.
dask_cluster (session)
    A real ``dask.distributed`` cluster on 127.0.0.1: one scheduler and one ``dask worker``
    command with two worker processes of one thread each. Yields a dict with ``address``,
    ``scheduler_proc`` and ``worker_proc``. See the fixture's docstring for killing a worker.
solara_server (factory)
    ``url, log_path = solara_server("path/to/app.py")`` starts ``solara run APP --production``
    on a free port and waits for it; every server started is stopped at teardown.

Helpers
-------
free_port()
    A TCP port on 127.0.0.1 that was free a moment ago.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
TESTS_DIR = REPO_ROOT / "tests"
# Executables of the environment running the tests (the project's .venv under `make test`).
VENV_BIN = Path(sys.executable).parent

CHROMIUM = "/usr/bin/chromium"
# Arguments for launching the system chromium headless in this sandbox.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's `expect` waits 5 s by default; on a busy 2-core machine (the suite's other tests
# run beside the browser's) a re-render can take longer, so every expectation waits up to this.
EXPECT_TIMEOUT_MS = 30_000

DASK_WORKERS = 2
DASK_START_TIMEOUT = 60.0
SOLARA_START_TIMEOUT = 90.0


def _patient_expect() -> None:
    try:
        from playwright.sync_api import expect
    except ImportError:  # the browser tests then fail on their own import, with its message
        return
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


_patient_expect()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free when this was called."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _venv_executable(name: str) -> str:
    path = VENV_BIN / name
    if not path.exists():
        pytest.fail(f"{name} not found in {VENV_BIN}; run `make .venv` to install the project.")
    return str(path)


def _start(cmd: list[str], log_path: Path, **kwargs) -> subprocess.Popen:
    """Start cmd in its own process group (so teardown can kill its children), logging to file."""
    with open(log_path, "wb") as log:  # the child holds its own copy of the descriptor
        return subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )


def _stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Terminate the process group of proc (SIGTERM, then SIGKILL after `grace` seconds)."""
    if proc.poll() is not None:
        # The leader is gone; children (e.g. dask worker processes) may still be there.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        break
    with contextlib.suppress(ProcessLookupError):  # children that outlived the leader
        os.killpg(proc.pid, signal.SIGKILL)


def _log_tail(path: Path, n: int = 40) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(lines[-n:])


def _wait_for_port(host: str, port: int, proc: subprocess.Popen, timeout: float, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"process exited with code {proc.returncode} before listening on "
                f"{host}:{port}; log {log}:\n{_log_tail(log)}"
            )
        try:
            with socket.create_connection((host, port), timeout=1.0):
                return
        except OSError:
            time.sleep(0.25)
    pytest.fail(
        f"nothing listening on {host}:{port} after {timeout:.0f} s; log {log}:\n{_log_tail(log)}"
    )


@pytest.fixture
def chromium_path() -> str:
    """The system chromium for Playwright (``executable_path=``); fails if it is missing."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is missing. Install it with `bash scripts/ensure_chromium.sh` "
            "(apt-get install -y chromium); do not run `playwright install`."
        )
    return CHROMIUM


@pytest.fixture
def chromium_args() -> list[str]:
    """Arguments for ``p.chromium.launch(executable_path=chromium_path, args=chromium_args)``."""
    return list(CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A local dask.distributed cluster with 2 single-threaded worker processes.

    Yields ``{"address": "tcp://127.0.0.1:P", "scheduler_proc": Popen, "worker_proc": Popen}``.
    Connect with ``distributed.Client(dask_cluster["address"])`` (close it in the test).

    The workers run with ``PYTHONPATH`` set to the repository root and ``tests/``, so functions
    defined in ``sim``/``agents`` or at module level in a test module can be submitted.

    Killing one worker (fault-tolerance tests)::

        pids = client.run(os.getpid)          # {worker_address: pid of that worker process}
        addr, pid = next(iter(pids.items()))
        os.kill(pid, signal.SIGKILL)

    ``worker_proc`` is the ``dask worker`` command; each worker process runs under a nanny
    inside it, so a killed worker is restarted by its nanny (with a new address) after a few
    seconds and the session cluster returns to 2 workers: wait for that with
    ``client.wait_for_workers(2, timeout=60)`` before the test ends, so later tests see a full
    cluster. Do not kill ``worker_proc`` or ``scheduler_proc`` themselves: the cluster is
    shared by the whole session. To lose a worker for good, use
    ``client.retire_workers([addr])`` instead (that also changes the session cluster).
    """
    with start_dask_cluster(tmp_path_factory.mktemp("dask")) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reliability tests' small experiment (tests/cli_runs.py SMALL), run once in this
    process, uninterrupted: the data every interrupted or failed run must resume to."""
    from cli_runs import write_spec

    from sim.commands import main

    folder = tmp_path_factory.mktemp("reference")
    spec = write_spec(folder)
    assert main(["run", str(spec), "--out", str(folder / "out"), "--quiet", "--no-report"]) == 0
    return folder / "out"


@pytest.fixture
def own_dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A dask.distributed cluster for one test alone (1 worker process): its scheduler or
    worker may be killed. Yields the same dict as ``dask_cluster``."""
    with start_dask_cluster(tmp_path_factory.mktemp("own-dask"), workers=1) as cluster:
        yield cluster


@contextlib.contextmanager
def start_dask_cluster(workdir: Path, workers: int = 0) -> Iterator[dict]:
    """Start a scheduler and ``workers`` single-threaded worker processes (default
    ``DASK_WORKERS``) on 127.0.0.1; stop them on leaving."""
    from distributed import Client

    dask = _venv_executable("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    workers = workers or DASK_WORKERS
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(REPO_ROOT), str(TESTS_DIR), env.get("PYTHONPATH", "")) if p
    )

    scheduler_log = workdir / "scheduler.log"
    worker_log = workdir / "worker.log"
    scheduler = _start(
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        scheduler_log,
        cwd=workdir,
        env=env,
    )
    worker = None
    try:
        _wait_for_port("127.0.0.1", port, scheduler, DASK_START_TIMEOUT, scheduler_log)
        worker = _start(
            [
                dask,
                "worker",
                address,
                "--nworkers",
                str(workers),
                "--nthreads",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
                "--local-directory",
                str(workdir / "scratch"),
            ],
            worker_log,
            cwd=workdir,
            env=env,
        )
        deadline = time.monotonic() + DASK_START_TIMEOUT
        with Client(address, timeout=DASK_START_TIMEOUT) as client:
            while len(client.scheduler_info()["workers"]) < workers:
                if worker.poll() is not None:
                    pytest.fail(
                        f"`dask worker` exited with code {worker.returncode}; log:\n"
                        f"{_log_tail(worker_log)}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(
                        f"dask cluster did not reach {workers} workers in "
                        f"{DASK_START_TIMEOUT:.0f} s; worker log:\n{_log_tail(worker_log)}"
                    )
                time.sleep(0.25)
        yield {"address": address, "scheduler_proc": scheduler, "worker_proc": worker}
    finally:
        if worker is not None:
            _stop(worker)
        _stop(scheduler)


@pytest.fixture
def solara_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., tuple[str, Path]]]:
    """Factory: ``url, log_path = solara_server(app_path)`` serves a Solara app for the test.

    Runs ``solara run APP --host 127.0.0.1 --port P --production`` with the environment's
    solara, waits (up to 90 s) for the port and for the page to answer, and returns the base
    URL (``http://127.0.0.1:P/``) and the server's log file (it names any CDN asset the
    server could not load). Every server started is killed when the test ends.
    Extra environment variables can be passed as ``solara_server(app, env={...})``.
    """
    solara = _venv_executable("solara")
    started: list[subprocess.Popen] = []

    def start(
        app_path: str | os.PathLike,
        env: dict[str, str] | None = None,
        timeout: float = SOLARA_START_TIMEOUT,
    ) -> tuple[str, Path]:
        app = Path(app_path).resolve()
        if not app.exists():
            pytest.fail(f"Solara app {app} does not exist")
        port = free_port()
        log_path = tmp_path_factory.mktemp("solara") / "server.log"
        proc_env = dict(os.environ)
        proc_env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
        proc_env.update(env or {})
        cmd = [solara, "run", str(app), "--host", "127.0.0.1", "--port", str(port), "--production"]
        proc = _start(cmd, log_path, cwd=app.parent, env=proc_env)
        started.append(proc)
        start_time = time.monotonic()
        _wait_for_port("127.0.0.1", port, proc, timeout, log_path)
        url = f"http://127.0.0.1:{port}/"
        remaining = max(5.0, timeout - (time.monotonic() - start_time))
        try:
            with urllib.request.urlopen(url, timeout=remaining) as response:
                if response.status != 200:
                    pytest.fail(f"{url} answered {response.status}; log:\n{_log_tail(log_path)}")
        except (urllib.error.URLError, OSError) as exc:
            pytest.fail(f"{url} did not answer ({exc}); log:\n{_log_tail(log_path)}")
        return url, log_path

    yield start
    for proc in started:
        _stop(proc)


@pytest.fixture(scope="session", autouse=True)
def warm_numba_cache() -> None:
    """Compile the kernel once, first, in this process: the subprocesses that tests start later
    (the CLI, Dask workers, notebook kernels, the app server) then load it from the on-disk cache
    instead of each compiling it again on a fresh machine."""
    from sim import CareSystem, run_many

    for scenario in ("place_system", "classroom_commons"):
        CareSystem(scenario=scenario, seed=0).run_for(2)
        CareSystem(scenario=scenario, seed=0, engine="python").run_for(2)
    run_many("fortress", replicates=2, months=2)
