"""Helpers for the reliability tests: a small experiment, `commons` as a subprocess, waiting on
what a results folder shows, and comparing two folders' data."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from sim import load_results

COMMONS = str(Path(sys.executable).parent / "commons")

# 2 rule sets x 1,000 replicates of 120 months in 40 chunks of 50 runs, with series: about a
# second of simulation on one thread here, long enough to stop part way.
SMALL = """
name = "reliability"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = 1000
months = 120
seed = 11
chunk_size = 50
[outputs]
series = true
series_replicates = 2
series_measures = ["population_health", "system_deficit"]
[report]
outcomes = ["population_health"]
bootstrap = 100
"""


def write_spec(folder: Path, text: str = SMALL) -> Path:
    path = folder / "reliability.toml"
    path.write_text(text)
    return path


def start(*args: str) -> subprocess.Popen:
    """`commons ARGS` in its own process, stdout and stderr captured as text."""
    return subprocess.Popen(
        [COMMONS, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )


def run(*args: str, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    """`commons ARGS` to its end (in `env`, if given); a command still running after `timeout`
    seconds (a hang: the limits are generous, never a measure of speed) is killed and fails the
    test, naming it."""
    try:
        return subprocess.run(
            [COMMONS, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(
            f"`commons {' '.join(args)}` still running after {timeout:g} s (hung?)"
        ) from exc


def complete_chunks(folder: Path) -> list[int]:
    try:
        return json.loads((folder / "manifest.json").read_text())["chunks_complete"]
    except (OSError, ValueError, KeyError):
        return []


def wait_until(condition, proc: subprocess.Popen | None = None, timeout: float = 300) -> None:
    """Poll `condition()` until true; fail if `proc` exits first or after `timeout` seconds (a
    deadline against a hang, generous for a loaded machine)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            raise AssertionError(
                f"the command ended first ({proc.returncode}): {proc.stderr.read()}"
            )
        assert time.monotonic() < deadline, f"condition not met within {timeout:g} s"
        time.sleep(0.02)


def signal_when(args, when, sig: int = signal.SIGINT) -> tuple[int, str, int]:
    """Start `commons ARGS`, wait until `when(proc)` returns, send `sig`. A `when` may freeze the
    command at its moment (`pause`), so that it cannot run past it before the signal: it is
    continued after the signal, which it then meets first.

    Returns (exit code, stderr, pid).
    """
    proc = start(*args)
    try:
        when(proc)
        os.kill(proc.pid, sig)
        os.kill(proc.pid, signal.SIGCONT)  # a no-op unless `when` paused it
        try:
            _stdout, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(f"no exit within 120 s of signal {sig} (hung?)") from exc
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, stderr, proc.pid


def pause(proc: subprocess.Popen) -> None:
    """Freeze the command where it is (SIGSTOP); `signal_when` continues it after its signal."""
    os.kill(proc.pid, signal.SIGSTOP)


def catches(pid: int, sig: int = signal.SIGINT) -> bool:
    """Whether process `pid` has installed a handler for `sig` (Linux: SigCgt in /proc)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("SigCgt:"):
                return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except OSError:
        return False
    return False


def after_chunks(out: Path, n: int):
    """A `when` for `signal_when`: once `n` chunks of `out` are complete."""
    return lambda proc: wait_until(lambda: len(complete_chunks(out)) >= n, proc)


def one_line(stderr: str) -> str:
    """The single line a failing command printed (asserting it is one, with no traceback)."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


def assert_same_data(a: Path, b: Path) -> None:
    """Two results folders hold the same summaries and series, bit for bit."""
    x, y = load_results(a), load_results(b)
    assert x.complete
    assert y.complete
    pd.testing.assert_frame_equal(x.summaries, y.summaries)
    if x.series is None:
        assert y.series is None
    else:
        pd.testing.assert_frame_equal(x.series, y.series)


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in Path(folder).rglob(".*.tmp-*"))


def mount_or_why(*args: str) -> str | None:
    """`mount ARGS`: None once mounted, else why not (the reason a test skips with)."""
    if os.geteuid() != 0:
        return "mounting needs root"
    if not shutil.which("mount"):
        return "no mount command"
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    if done.returncode != 0:
        why = " ".join(done.stderr.split()) or f"exit {done.returncode}"
        return f"mount {' '.join(args)} refused: {why}"
    return None


class FullDisk:
    """A stand-in for `open` in sim.experiment.store: from the `after`-th file opened for
    writing, half the data is written, then ENOSPC, as a full disk would (naming the file when
    `named`, as the operating system does for most calls)."""

    def __init__(self, after: int, named: bool = True):
        self.after, self.opened, self.named = after, 0, named

    def __call__(self, path, mode="r", *args, **kwargs):
        fh = open(path, mode, *args, **kwargs)  # noqa: SIM115 - handed to the caller
        if "w" not in mode:
            return fh
        self.opened += 1
        if self.opened < self.after:
            return fh
        real_write = fh.write
        name = (str(path),) if self.named else ()

        def write(data):
            real_write(data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), *name)

        fh.write = write
        return fh
