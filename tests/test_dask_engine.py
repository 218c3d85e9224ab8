"""The Dask engine on a real cluster (scheduler + 2 worker processes): same results as local,
and a worker killed mid-run loses or duplicates no run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim import load_results
from sim.experiment.runner import run_experiment
from sim.experiment.spec import parse_experiment

COMMONS = str(Path(sys.executable).parent / "commons")
SPEC = """
name = "dask_check"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = {replicates}
months = 48
seed = 99
chunk_size = {chunk}
[design]
kind = "grid"
[design.parameters]
budget_growth = [0.0, 0.04]
[outputs]
series = true
series_replicates = 2
series_measures = ["population_health", "mean_trust"]
"""


def _manifest_chunks(folder: Path) -> list[int]:
    try:
        return json.loads((folder / "manifest.json").read_text())["chunks_complete"]
    except (OSError, ValueError, KeyError):
        return []


@pytest.mark.dask
@pytest.mark.slow
def test_dask_equals_local(dask_cluster, tmp_path):
    exp = parse_experiment(SPEC.format(replicates=30, chunk=13))
    local = run_experiment(exp, tmp_path / "local", quiet=True, report=False)
    remote = run_experiment(
        exp,
        tmp_path / "dask",
        engine="dask",
        scheduler=dask_cluster["address"],
        quiet=True,
        report=False,
    )
    a, b = load_results(local), load_results(remote)
    assert len(a.summaries) == exp.n_runs == 120
    pd.testing.assert_frame_equal(a.summaries, b.summaries)  # bit for bit
    pd.testing.assert_frame_equal(a.series, b.series)


@pytest.mark.dask
@pytest.mark.slow
def test_worker_killed_mid_run_loses_nothing(dask_cluster, tmp_path):
    from distributed import Client

    path = tmp_path / "dask.toml"
    path.write_text(SPEC.format(replicates=250, chunk=25))
    out = tmp_path / "dask"
    cmd = [COMMONS, "run", str(path), "--out", str(out), "--engine", "dask"]
    cmd += ["--scheduler", dask_cluster["address"], "--quiet", "--no-report"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with Client(dask_cluster["address"], timeout=60) as client:
        try:
            deadline = time.monotonic() + 300
            while len(_manifest_chunks(out)) < 2:
                assert proc.poll() is None, proc.stderr.read().decode()
                assert time.monotonic() < deadline
                time.sleep(0.01)  # a short poll, so that the kill comes while chunks remain
            pids = client.run(os.getpid)
            _addr, pid = next(iter(pids.items()))
            os.kill(pid, signal.SIGKILL)
            killed_at = len(_manifest_chunks(out))
            _stdout, stderr = proc.communicate(timeout=600)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, stderr.decode()
        assert killed_at < 40, "the worker was killed after the run had finished"
        client.wait_for_workers(2, timeout=120)

    exp = parse_experiment(path.read_text())
    local = run_experiment(exp, tmp_path / "local", quiet=True, report=False)
    a, b = load_results(local), load_results(out)
    assert len(b.summaries) == 1000
    assert b.summaries["run_id"].tolist() == list(range(1000))
    pd.testing.assert_frame_equal(a.summaries, b.summaries)
    pd.testing.assert_frame_equal(a.series, b.series)
