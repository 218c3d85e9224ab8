"""SIGINT and SIGTERM at any moment end `commons run` with 130 or 143, one line and a folder
that resumes to the data of an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess

import numpy as np
import pytest
from cli_runs import (
    COMMONS,
    SMALL,
    after_chunks,
    assert_same_data,
    catches,
    complete_chunks,
    one_line,
    pause,
    run,
    signal_when,
    wait_until,
    write_spec,
)

from sim.commands import main
from sim.experiment import interrupts
from sim.experiment.cli import EXIT_INTERRUPTED, EXIT_TERMINATED
from sim.experiment.engines import chunk_payload, compute_chunk
from sim.experiment.spec import parse_experiment
from sim.experiment.store import HOLDER_NAME


def _status(out) -> str | None:
    try:
        return json.loads((out / "manifest.json").read_text())["status"]
    except (OSError, ValueError, KeyError):
        return None


@pytest.mark.slow
def test_sigint_at_five_moments_then_resume_equals_uninterrupted(tmp_path):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    args = ("run", str(spec), "--out", str(out), "--quiet", "--threads", "1")
    rng = random.Random(20261129)  # seeded: the same "random" moment on every CI run
    extra_chunks = rng.randint(1, 10)
    seen = [0]  # chunks complete before this command
    # Every moment is a condition the command's own progress shows (never a pause), so a fast or
    # a loaded machine reaches each one while the command still runs, and every one interrupts.
    moments = {
        # while Python imports numba and the model: as soon as the console script has installed
        # its handlers (seen as SIGTERM caught: Python itself catches SIGINT but never SIGTERM;
        # before that, Python is starting and prints its own message)
        "start-up": lambda proc: wait_until(lambda: catches(proc.pid, signal.SIGTERM), proc),
        # the folder locked and prepared, before or at the first chunk
        "locked": lambda proc: wait_until(lambda: (out / HOLDER_NAME).is_file(), proc),
        # part way through the simulation
        "simulating": lambda proc: wait_until(
            lambda: len(complete_chunks(out)) >= seen[0] + 3, proc
        ),
        # a seeded moment of a resumed run: once it has completed 1 to 10 chunks more
        "random": lambda proc: wait_until(
            lambda: len(complete_chunks(out)) >= seen[0] + extra_chunks, proc
        ),
        # while the report is written (the data are complete); frozen there at once, so that a
        # quick report cannot finish before the signal
        "report": lambda proc: (
            wait_until(lambda: _status(out) == "complete", proc),
            pause(proc),
        ),
    }
    for name, when in moments.items():
        seen[0] = len(complete_chunks(out))
        try:
            code, stderr, _pid = signal_when(args, when)
        except AssertionError as exc:  # the command ended (or hung) before the moment came
            raise AssertionError(f"{name}: the moment never came: {exc}") from exc
        assert code == EXIT_INTERRUPTED, f"{name}: not interrupted (exit {code}): {stderr}"
        line = one_line(stderr)
        assert "interrupted by SIGINT" in line, name
        assert "run the same command again" in line, name
        if name == "start-up":
            assert complete_chunks(out) == [], "stopped after the simulation had begun"
        if name in ("simulating", "random"):
            assert _status(out) == "running", f"{name}: stopped after the simulation had finished"
            assert seen[0] < len(complete_chunks(out)) < 40, name
        if name == "report":
            assert not (out / "report.md").exists()
    resumed = run(*args)
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "report.md").is_file()
    assert list(out.rglob(".*.tmp-*")) == []
    reference = tmp_path / "reference"
    assert main(["run", str(spec), "--out", str(reference), "--quiet", "--no-report"]) == 0
    assert_same_data(out, reference)


@pytest.mark.slow
def test_sigterm_mid_simulation_exits_143_and_resumes(tmp_path):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    args = ("run", str(spec), "--out", str(out), "--quiet", "--no-report", "--threads", "1")
    code, stderr, _pid = signal_when(args, after_chunks(out, 2), signal.SIGTERM)
    assert code == EXIT_TERMINATED
    assert "interrupted by SIGTERM" in one_line(stderr)
    assert _status(out) == "running"
    assert run(*args).returncode == 0
    reference = tmp_path / "reference"
    assert main(["run", str(spec), "--out", str(reference), "--quiet", "--no-report"]) == 0
    assert_same_data(out, reference)


def test_signal_inside_a_kernel_call_waits_for_the_end_of_its_slice():
    exp = parse_experiment(SMALL)
    payload = chunk_payload(exp.arrays(), 0, 40)
    slices = []

    def on_slice(n):
        slices.append(n)
        if len(slices) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # arrives while "the kernel" runs
        interrupts.check()

    with (
        interrupts.handling(),
        pytest.raises(interrupts.Interrupted) as stop,
        interrupts.deferred(),
    ):
        compute_chunk(**payload, months=12, on_slice=on_slice, slice_runs=10)
    assert stop.value.exit_code == EXIT_INTERRUPTED
    assert slices == [10], "the stop did not come at the first slice boundary"


def test_slicing_does_not_change_results():
    exp = parse_experiment(SMALL)
    payload = chunk_payload(exp.arrays(), 0, 50)
    whole, series = compute_chunk(**payload, months=24)
    sliced, sliced_series = compute_chunk(
        **payload, months=24, on_slice=lambda n: None, slice_runs=7
    )
    np.testing.assert_array_equal(whole, sliced)
    np.testing.assert_array_equal(series, sliced_series)


def test_sigterm_outside_a_kernel_call_raises_at_once():
    with interrupts.handling(), pytest.raises(interrupts.Interrupted) as stop:
        signal.raise_signal(signal.SIGTERM)  # the handler raises before this call returns
    assert stop.value.exit_code == EXIT_TERMINATED
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the previous handler is back


@pytest.mark.slow
def test_a_stop_during_compilation_is_prompt(tmp_path):
    """With a cold numba cache the first kernel call compiles for a minute or more; the signal
    must not wait for it (the kernel is compiled outside the deferred sections). Compilation
    caches the entry point, `kernel.run_batch`, last: a stop that waited for it leaves it in the
    cache."""
    from sim.engine.kernel import run_batch  # the entry point whose cache file must be missing

    cache = tmp_path / "cache"
    spec = write_spec(tmp_path)
    env = {**os.environ, "CARE_COMMONS_CACHE_DIR": str(cache)}
    proc = subprocess.Popen(
        [COMMONS, "run", str(spec), "--out", str(tmp_path / "out"), "--quiet"],
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    limit = 300  # against a hang only: a cold compilation alone takes a minute or more
    try:
        # numba writes an index file per function as it compiles: compilation has begun
        wait_until(lambda: any(cache.rglob("*.nbi")), proc)
        proc.send_signal(signal.SIGINT)
        try:
            _stdout, stderr = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            pytest.fail(f"no exit within {limit} s of SIGINT during compilation")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT_INTERRUPTED, stderr
    assert "interrupted by SIGINT" in one_line(stderr)
    entry = f"*.{run_batch.__name__}-*.nbi"
    assert not list(cache.rglob(entry)), "the stop waited for the kernel's compilation to end"
    assert not (tmp_path / "out").exists()  # no chunk ran: the folder it created is removed
