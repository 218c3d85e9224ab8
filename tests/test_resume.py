"""Resume: a run killed with SIGKILL part way, then run again, equals an uninterrupted run."""

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
from sim.commands import main

COMMONS = str(Path(sys.executable).parent / "commons")
MANY_CHUNKS = """
name = "resume"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = 400
months = 60
seed = 5
chunk_size = 10
[outputs]
series = true
series_replicates = 3
series_measures = ["population_health", "system_deficit"]
[report]
outcomes = ["population_health"]
bootstrap = 200
"""


def _complete_chunks(folder: Path) -> list[int]:
    try:
        return json.loads((folder / "manifest.json").read_text())["chunks_complete"]
    except (OSError, ValueError, KeyError):
        return []


@pytest.mark.slow
def test_sigkill_then_resume_equals_uninterrupted(tmp_path):
    path = tmp_path / "resume.toml"
    path.write_text(MANY_CHUNKS)
    killed = tmp_path / "killed"
    cmd = [COMMONS, "run", str(path), "--out", str(killed), "--threads", "1", "--quiet"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    try:
        while len(_complete_chunks(killed)) < 5:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no chunks written in time"
            time.sleep(0.005)  # a short poll: the rest of the run takes a fraction of a second
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    done = _complete_chunks(killed)
    assert 5 <= len(done) < 80, "the run was not interrupted part way"
    assert not (killed / "summaries.parquet").exists()
    partial = load_results(killed)
    assert not partial.complete
    assert len(partial.summaries) == 10 * len(done)

    # run the same command again: resumes (only missing chunks run)
    resumed = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert len(manifest["engine_history"]) == 2
    assert manifest["chunks_complete"] == list(range(80))
    leftovers = [p.name for p in killed.rglob(".*.tmp-*")]

    clean = tmp_path / "clean"
    assert main(["run", str(path), "--out", str(clean), "--quiet", "--no-report"]) == 0
    a, b = load_results(killed), load_results(clean)
    assert len(a.summaries) == 800
    assert a.summaries["run_id"].is_unique
    pd.testing.assert_frame_equal(a.summaries, b.summaries)
    pd.testing.assert_frame_equal(a.series, b.series)
    assert len(a.series) == 2 * 3 * 60
    # a temporary file of the chunk being written when killed may remain; never a chunk file
    assert all(".tmp-" in name for name in leftovers)
