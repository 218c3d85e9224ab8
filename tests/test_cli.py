"""The `commons` command line: help, list, run, report; results match sim.run_many."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import PARAMETERS, PRESETS, PRINCIPLES, SUMMARIES, load_results, run_many
from sim.commands import main

COMMONS = str(Path(sys.executable).parent / "commons")
SMALL = """
name = "small"
description = "two rule sets, a two-point grid"
scenario = "place_system"
rules = ["fortress", {preset = "shared_governance", without = ["monitoring"]}]
replicates = 4
months = 18
seed = 11
chunk_size = 5
[design]
kind = "grid"
[design.parameters]
budget_growth = [0.0, 0.03]
[outputs]
series = true
series_replicates = 2
series_measures = ["population_health", "mean_cooperation"]
[report]
outcomes = ["population_health", "system_deficit"]
bootstrap = 200
"""


def test_help_on_every_command():
    """Through the console script, as a user runs it: every command, those of later layers
    (`calibrate`, handed to the command line by `sim.commands`) included, answers --help."""
    top = subprocess.run([COMMONS, "--help"], capture_output=True, text=True, timeout=120)
    for command in ("run", "report", "validate", "list", "discover", "calibrate"):
        assert command in top.stdout, f"commons --help does not list {command}"
    for argv in ([], ["run"], ["report"], ["validate"], ["list"], ["discover"], ["calibrate"]):
        proc = subprocess.run(
            [COMMONS, *argv, "--help"], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, proc.stderr
        assert "usage: commons" in proc.stdout
    run_help = subprocess.run([COMMONS, "run", "--help"], capture_output=True, text=True).stdout
    for option in ("--out", "--replicates", "--engine", "--scheduler", "--force", "--quiet"):
        assert option in run_help


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in PRESETS:
        assert name in out
    for name, spec in PRINCIPLES.items():
        assert name in out
        assert spec["explain"][:30] in out
    for p in PARAMETERS:
        assert p.name in out
    assert "[-0.2, 0.3]" in out  # budget_growth's range
    assert "fortress_vs_shared.toml" in out
    assert "sensitivity.toml" in out


def test_run_report_and_equality_with_run_many(tmp_path, capsys):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    out = tmp_path / "res"
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().err == ""  # quiet
    for name in ("manifest.json", "summaries.parquet", "points.parquet", "report.md"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["chunks_complete"] == list(range(4))
    assert manifest["experiment"]["content"] == SMALL
    assert manifest["plan"]["base_seed"] == 11
    assert manifest["versions"]["numpy"]

    res = load_results(out)
    s = res.summaries
    assert len(s) == 16
    assert s["run_id"].tolist() == list(range(16))
    assert list(s.columns[:7]) == [
        "run_id",
        "rules",
        "point",
        "replicate",
        "seed",
        "run_key",
        "budget_growth",
    ]
    assert set(SUMMARIES) <= set(s.columns)
    # series: replicates 0 and 1 of every rule set and point, 18 months each
    assert res.series is not None
    assert len(res.series) == 2 * 2 * 2 * 18
    assert set(res.series["replicate"]) == {0, 1}

    # the same runs through sim.run_many give the same numbers
    ref = run_many(
        ["fortress", {"preset": "shared_governance", "without": ["monitoring"]}],
        replicates=4,
        months=18,
        seed=11,
        points=[{"budget_growth": 0.0}, {"budget_growth": 0.03}],
    )
    assert np.array_equal(ref[list(SUMMARIES)].to_numpy(), s[list(SUMMARIES)].to_numpy())

    # rebuilding the report gives the same text
    before = (out / "report.md").read_text()
    assert main(["report", str(out), "-q"]) == 0
    assert (out / "report.md").read_text() == before
    assert main(["report", str(tmp_path / "nothing")]) == 2

    # running again: nothing to do, same data
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 0
    pd.testing.assert_frame_equal(load_results(out).summaries, s)

    # a changed experiment file is refused (exit 2) unless --force
    path.write_text(SMALL.replace("seed = 11", "seed = 12"))
    assert main(["run", str(path), "--out", str(out), "--quiet"]) == 2
    assert "changed" in capsys.readouterr().err
    assert (out / "summaries.parquet").is_file()  # old results untouched
    assert main(["run", str(path), "--out", str(out), "--quiet", "--force"]) == 0
    forced = load_results(out).summaries
    assert (forced["seed"] == 12).all()
    assert len(forced) == 16
    # --restart-stale: starts over on a changed file, saying why, and resumes an unchanged one
    path.write_text(SMALL.replace("seed = 11", "seed = 13"))
    assert main(["run", str(path), "--out", str(out), "--restart-stale", "--no-report"]) == 0
    assert "starting over: the experiment file" in capsys.readouterr().err
    restarted = load_results(out).summaries
    assert (restarted["seed"] == 13).all()
    assert len(restarted) == 16
    assert main(["run", str(path), "--out", str(out), "--restart-stale", "--no-report"]) == 0
    assert "starting over" not in capsys.readouterr().err
    pd.testing.assert_frame_equal(load_results(out).summaries, restarted)
    # ... but a different option (a typo, say) is still refused, and a stray folder untouched
    again = ["run", str(path), "--restart-stale", "--no-report"]
    assert main([*again, "--out", str(out), "--replicates", "3"]) == 2
    assert "started with options" in capsys.readouterr().err
    pd.testing.assert_frame_equal(load_results(out).summaries, restarted)
    stray = tmp_path / "stray"
    stray.mkdir()
    (stray / "notes.txt").write_text("mine")
    assert main([*again, "--out", str(stray)]) == 2
    assert (stray / "notes.txt").read_text() == "mine"


@pytest.mark.slow
def test_thread_count_does_not_change_results(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL)
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(path), "--out", str(a), "-q", "--threads", "1", "--no-report"]) == 0
    assert main(["run", str(path), "--out", str(b), "-q", "--chunk-size", "3", "--no-report"]) == 0
    pd.testing.assert_frame_equal(load_results(a).summaries, load_results(b).summaries)
    pd.testing.assert_frame_equal(load_results(a).series, load_results(b).series)


def test_list_shows_each_prior(capsys):
    from sim.core.priors_table import PRIORS

    assert main(["list", "--priors"]) == 0
    out = capsys.readouterr().out
    for p in PRIORS:
        assert f"{p.name:26s} {p.describe()}: {p.source}" in out
    assert "Rule-set presets" not in out
    assert main(["list"]) == 0
    spill = next(p for p in PRIORS if p.name == "spillover")
    assert f"prior: {spill.describe()} ({spill.source})" in capsys.readouterr().out


def test_list_into_a_reader_that_stops_early_is_not_a_failure():
    # `commons list | head -1`: the listing meets a closed pipe; it stops quietly with exit 0.
    import subprocess
    import sys
    from pathlib import Path

    commons = Path(sys.executable).parent / "commons"
    proc = subprocess.run(
        ["bash", "-c", f"'{commons}' list | head -1; exit ${{PIPESTATUS[0]}}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Rule-set presets")
    assert proc.stderr == ""
