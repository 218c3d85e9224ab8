"""One command per results folder, and data checked against the sha256 the manifest recorded.

A second run on a folder another run holds exits 2 naming the holder, and two runs started
together never both write; a killed run's lock is taken over by the next run, which resumes to the
data of an uninterrupted run; a damaged, edited or foreign chunk file is reported and never used.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cli_runs import (
    after_chunks,
    assert_same_data,
    complete_chunks,
    one_line,
    run,
    signal_when,
    start,
    temporaries,
    wait_until,
    write_spec,
)

from sim import load_results
from sim.commands import main
from sim.experiment.cli import EXIT_BAD_INPUT
from sim.experiment.lock import FolderInUse, folder_lock
from sim.experiment.results import DamagedResults
from sim.experiment.store import HOLDER_NAME

pytestmark = pytest.mark.slow


def test_second_run_on_a_held_folder_is_refused_at_once(tmp_path, reference, capsys):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    first = start("run", str(spec), "--out", str(out), "--quiet", "--no-report", "--threads", "1")
    try:
        wait_until(lambda: (out / HOLDER_NAME).is_file(), first)
        capsys.readouterr()
        code = main(["run", str(spec), "--out", str(out), "--quiet", "--replicates", "100"])
        assert code == EXIT_BAD_INPUT
        line = one_line(capsys.readouterr().err)
        assert "in use by process" in line
        assert str(first.pid) in line  # says who holds it
        _stdout, stderr = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, stderr
    assert not (out / HOLDER_NAME).exists()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["overrides"] == {}  # the refused command changed nothing
    assert_same_data(out, reference)


def test_a_folder_whose_holder_is_being_recorded_is_not_taken_for_a_stray(tmp_path):
    """The moment a run has taken the lock and is writing who holds it (a temporary file, for the
    milliseconds of an fsync): a second command looking then must be sent to the lock ("in use
    by"), not refused as a folder of someone else's files."""
    from sim.experiment.checker import ExperimentError
    from sim.experiment.manifest import check_target
    from sim.experiment.store import HOLDER_NAME, LOCK_NAME, TMP_MARK

    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).touch()
    (out / f".{HOLDER_NAME}{TMP_MARK}4242-abcdef").write_text("{")
    check_target(out)  # not a stray folder
    (out / "notes.txt").write_text("mine")
    with pytest.raises(ExperimentError, match="not a results folder"):
        check_target(out)  # anything else still is


def test_a_held_folder_showing_its_runs_files_before_the_manifest_is_left_to_the_lock(tmp_path):
    """Between a run recording itself as the holder and writing its manifest, its folder holds
    its files but no manifest. A second command must not call it a stray folder before it has
    asked the lock (the lock then says who holds it); under the lock the check is made in full."""
    from sim.experiment.checker import ExperimentError
    from sim.experiment.manifest import check_target, check_target_before_lock
    from sim.experiment.store import LOCK_NAME, TMP_MARK

    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).touch()
    (out / HOLDER_NAME).write_text('{"pid": 4242}')
    (out / f".manifest.json{TMP_MARK}4242-abcdef").write_text("{")  # the manifest on its way
    check_target_before_lock(out)  # left to the lock
    with pytest.raises(ExperimentError, match="not a results folder"):
        check_target(out)  # the full check, as a command holding the lock makes it
    (out / HOLDER_NAME).unlink()  # nobody holds it: a stray folder again
    with pytest.raises(ExperimentError, match="not a results folder"):
        check_target_before_lock(out)


def _stopped(pid: int) -> bool:
    """Whether process `pid` is stopped (SIGSTOP has taken effect: state T in /proc)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] in ("T", "t")


def test_a_second_run_started_while_the_first_holds_the_folder_is_refused(tmp_path, reference):
    """Two `commons run` processes on one folder: the second, started once the first holds the
    lock, exits 2 naming the holder; the first finishes 0 to the data of an uninterrupted run.
    The first is paused (SIGSTOP) while it holds the lock, so it cannot finish before the second
    has asked for it, however fast or loaded the machine."""
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    args = ("run", str(spec), "--out", str(out), "--quiet", "--no-report")
    first = start(*args)
    try:
        wait_until(lambda: (out / HOLDER_NAME).is_file(), first)
        os.kill(first.pid, signal.SIGSTOP)
        wait_until(lambda: _stopped(first.pid), first, timeout=60)
        assert (out / HOLDER_NAME).is_file(), "the first run let go of the folder before pausing"
        second = run(*args, timeout=120)  # refused at once, not left waiting for the lock
        os.kill(first.pid, signal.SIGCONT)
        _stdout, stderr = first.communicate(timeout=600)
    finally:
        if first.poll() is None:
            os.kill(first.pid, signal.SIGCONT)
            first.kill()
    assert second.returncode == EXIT_BAD_INPUT, second.stderr
    line = one_line(second.stderr)
    assert "in use by process" in line
    assert str(first.pid) in line  # says who holds it
    assert first.returncode == 0, stderr
    assert not (out / HOLDER_NAME).exists()
    assert temporaries(out) == []
    assert_same_data(out, reference)


def test_two_runs_started_together_never_both_write(tmp_path, reference):
    """The race itself: two runs started at the same moment. Which one takes the lock, and whether
    the other still finds it held or finds the run already complete, depends on scheduling, so
    this asserts only what holds in every order: one exits 0, the other 0 (it found the run
    complete) or 2 (refused, saying the folder is in use), never a failure; and the folder holds
    exactly the data of an uninterrupted run, with no debris. The refusal itself is checked,
    deterministically, by the test above."""
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    procs = [start("run", str(spec), "--out", str(out), "--quiet", "--no-report") for _ in (0, 1)]
    results = []
    try:
        for proc in procs:
            _stdout, stderr = proc.communicate(timeout=600)
            results.append((proc.returncode, stderr))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    codes = sorted(code for code, _ in results)
    assert codes in ([0, EXIT_BAD_INPUT], [0, 0]), results
    for code, stderr in results:
        if code == EXIT_BAD_INPUT:  # the holder may not have recorded who it is yet
            assert "in use by" in one_line(stderr)
    assert not (out / HOLDER_NAME).exists()
    assert temporaries(out) == []
    assert_same_data(out, reference)


def test_killed_runs_lock_is_taken_over_and_the_run_resumes(tmp_path, reference):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    args = ("run", str(spec), "--out", str(out), "--quiet", "--no-report", "--threads", "1")
    code, _stderr, pid = signal_when(args, after_chunks(out, 3), signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert 3 <= len(complete_chunks(out)) < 40, "not killed part way"
    assert json.loads((out / HOLDER_NAME).read_text())["pid"] == pid  # left by the dead run
    # debris a killed write would leave: removed by the next run, which holds the lock
    stray = out / "chunks" / ".chunk-00039.parquet.tmp-1-abcdef"
    stray.write_bytes(b"half a file")
    resumed = run("run", str(spec), "--out", str(out), "--quiet", "--no-report")
    assert resumed.returncode == 0, resumed.stderr
    assert temporaries(out) == []
    assert not (out / HOLDER_NAME).exists()
    assert_same_data(out, reference)


def test_lock_in_process_names_holder_and_frees_on_exit(tmp_path):
    out = tmp_path / "held"
    with (
        folder_lock(out, command="first"),
        pytest.raises(FolderInUse, match="running 'first'"),
        folder_lock(out),
    ):
        pass
    with folder_lock(out, command="second"):  # free again
        assert json.loads((out / HOLDER_NAME).read_text())["command"] == "second"


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def test_edited_chunk_is_reported_and_rerun(tmp_path, reference):
    out = _copy(reference, tmp_path / "out")
    spec = write_spec(tmp_path)
    chunk = out / "chunks" / "chunk-00004.parquet"
    table = pq.read_table(chunk).to_pandas()
    table.loc[0, "population_health"] += 0.01  # a plausible edit, still valid Parquet
    pq.write_table(__import__("pyarrow").Table.from_pandas(table, preserve_index=False), chunk)
    # the complete folder's summaries.parquet is still right; a partial load reads the chunks
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["status"] = "running"
    (out / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DamagedResults, match=re.escape("chunks/chunk-00004.parquet")):
        load_results(out)
    report = run("report", str(out))
    assert report.returncode == EXIT_BAD_INPUT
    assert "chunk-00004" in one_line(report.stderr)

    resumed = run("run", str(spec), "--out", str(out), "--no-report")
    assert resumed.returncode == 0, resumed.stderr
    assert "chunk 4 runs again" in resumed.stderr
    assert_same_data(out, reference)


def test_foreign_summaries_file_is_never_used(tmp_path, reference):
    out = _copy(reference, tmp_path / "out")
    other = tmp_path / "other.toml"
    other.write_text(write_spec(tmp_path).read_text().replace("seed = 11", "seed = 12"))
    foreign = tmp_path / "foreign"
    assert main(["run", str(other), "--out", str(foreign), "--quiet", "--no-report"]) == 0
    shutil.copy(foreign / "summaries.parquet", out / "summaries.parquet")  # a mixed folder
    with pytest.raises(DamagedResults, match=re.escape("summaries.parquet")):
        load_results(out)
    assert len(load_results(out, verify=False).summaries) == 2000  # readable only on request


def test_report_on_an_interrupted_folder_is_refused_with_one_line(tmp_path, reference, capsys):
    out = _copy(reference, tmp_path / "out")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["status"], manifest["chunks_complete"] = "running", list(range(7))
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "summaries.parquet").unlink()
    assert main(["report", str(out)]) == EXIT_BAD_INPUT
    line = one_line(capsys.readouterr().err)
    assert "not complete (7 of 40 chunks)" in line
    assert not (out / "report.md").exists()
    assert len(load_results(out).summaries) == 7 * 50  # the partial data still load


def test_a_missing_series_file_is_never_silently_left_out(tmp_path, reference):
    out = _copy(reference, tmp_path / "out")
    (out / "series" / "chunk-00000.parquet").unlink()
    with pytest.raises(DamagedResults, match=re.escape("series/chunk-00000.parquet")):
        load_results(out)
    assert main(["report", str(out), "--quiet"]) == EXIT_BAD_INPUT


def test_a_run_killed_before_its_first_chunk_resumes(tmp_path, reference):
    """The manifest is written before any other file, so a fresh run killed at once leaves a
    results folder (never a folder that `run` refuses as foreign), and the inputs it had not yet
    written are written on resume."""
    out = _copy(reference, tmp_path / "out")
    for path in [out / "experiment.toml", out / "points.parquet", out / "summaries.parquet"]:
        path.unlink()
    shutil.rmtree(out / "chunks")
    shutil.rmtree(out / "series")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(status="running", chunks_complete=[], files={}, engine_history=[])
    (out / "manifest.json").write_text(json.dumps(manifest))
    spec = write_spec(tmp_path)
    assert main(["run", str(spec), "--out", str(out), "--quiet", "--no-report"]) == 0
    assert (out / "points.parquet").is_file()
    assert_same_data(out, reference)
