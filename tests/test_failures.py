"""Operating-system and cluster failures end `commons` with one line and the documented exit code,
leave no debris, and the folder resumes to the data of an uninterrupted run.

A read-only folder and a full disk are real (a read-only bind mount and a small tmpfs) when the
tests run as root where mounting is allowed, as on this project's CI; a full disk is also
injected (ENOSPC part way through a write) everywhere.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess

import pytest
from cli_runs import (
    SMALL,
    FullDisk,
    after_chunks,
    assert_same_data,
    complete_chunks,
    mount_or_why,
    one_line,
    run,
    signal_when,
    start,
    temporaries,
    wait_until,
    write_spec,
)

from sim.commands import main
from sim.experiment import store
from sim.experiment.cli import EXIT_BAD_INPUT, EXIT_FAILURE


@pytest.fixture
def mounted():
    """mount(*args) -> None once mounted, else the reason it was not; everything mounted is
    unmounted at the end."""
    points = []

    def mount(*args: str) -> str | None:
        failed = mount_or_why(*args)
        if failed is None:
            points.append(args[-1])
        return failed

    yield mount
    for point in reversed(points):
        subprocess.run(["umount", "-l", point], capture_output=True)


def _no_debris(folder) -> None:
    assert temporaries(folder) == []
    empty = [p.name for p in folder.rglob("*") if p.is_file() and p.stat().st_size == 0]
    assert set(empty) <= {".commons.lock"}, empty


# ------------------------------------------------------------------ full disk
def test_full_disk_injected_mid_run_then_resume(tmp_path, reference, monkeypatch, capsys):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    monkeypatch.setattr(store, "open", FullDisk(after=12), raising=False)
    code = main(["run", str(spec), "--out", str(out), "--quiet", "--no-report"])
    assert code == EXIT_FAILURE
    line = one_line(capsys.readouterr().err)
    assert "No space left on device" in line
    assert "run the same command again" in line
    assert 0 < len(complete_chunks(out)) < 40
    _no_debris(out)
    monkeypatch.undo()
    assert main(["run", str(spec), "--out", str(out), "--quiet", "--no-report"]) == 0
    assert_same_data(out, reference)


def test_full_disk_while_writing_the_report_leaves_no_broken_table(tmp_path, reference, capsys):
    whole = shutil.copytree(reference, tmp_path / "whole")
    assert main(["report", str(whole), "--quiet"]) == 0
    out = shutil.copytree(reference, tmp_path / "out")
    disk = FullDisk(after=3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "open", disk, raising=False)
        assert main(["report", str(out)]) == EXIT_FAILURE
    assert disk.opened == 3  # the disk filled on the third file, after two whole ones
    assert "No space left on device" in one_line(capsys.readouterr().err)
    _no_debris(out)
    written = sorted((out / "tables").glob("*.csv"))
    assert written, "the two files written before the disk filled include a table"
    for table in written:  # each table is the whole one, or absent
        assert table.read_bytes() == (whole / "tables" / table.name).read_bytes(), table.name
    assert not (out / "report.md").exists()
    assert main(["report", str(out), "--quiet"]) == 0
    assert (out / "report.md").stat().st_size > 0


def test_full_disk_real_tmpfs_then_resume(tmp_path, reference, mounted):
    disk = tmp_path / "disk"
    disk.mkdir()
    failed = mounted("-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk))
    if failed:
        pytest.skip(failed)
    spec = write_spec(tmp_path)
    out = disk / "out"
    failed = run("run", str(spec), "--out", str(out), "--quiet", "--no-report")
    assert failed.returncode == EXIT_FAILURE
    assert "No space left on device" in one_line(failed.stderr)
    assert temporaries(disk) == []
    assert subprocess.run(["mount", "-o", "remount,size=64m", str(disk)]).returncode == 0
    resumed = run("run", str(spec), "--out", str(out), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    _no_debris(out)
    assert_same_data(out, reference)


# ------------------------------------------------------------------ read-only folder
def test_read_only_folder_then_resume(tmp_path, reference, mounted):
    spec = write_spec(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out"
    # an interrupted run to resume: stopped after a few chunks
    args = ("run", str(spec), "--out", str(out), "--quiet", "--no-report", "--threads", "1")
    assert signal_when(args, after_chunks(out, 3))[0] == 130
    failed = mounted("--bind", "-o", "ro", str(work), str(work))
    if not failed:
        pass
    elif os.geteuid() != 0:
        os.chmod(out, 0o555)
        os.chmod(out / "chunks", 0o555)
    else:
        pytest.skip(f"{failed} (as root, permissions cannot make a folder read-only)")
    for target in (out, work / "new"):
        failed = run("run", str(spec), "--out", str(target), "--quiet", "--no-report")
        assert failed.returncode == EXIT_FAILURE, failed.stderr
        line = one_line(failed.stderr)
        assert "Read-only file system" in line or "Permission denied" in line
        assert "--out" in line  # says what to do
    subprocess.run(["umount", "-l", str(work)], capture_output=True)
    if os.geteuid() != 0:
        os.chmod(out, 0o755)
        os.chmod(out / "chunks", 0o755)
    resumed = run("run", str(spec), "--out", str(out), "--quiet", "--no-report")
    assert resumed.returncode == 0, resumed.stderr
    assert_same_data(out, reference)


# ------------------------------------------------------------------ scheduler
@pytest.mark.parametrize(
    "address", ["not-an-address", "tcp://", "tcp://host:notaport", "http://h:1"]
)
def test_bad_scheduler_address_is_bad_input(tmp_path, address, capsys):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    args = ["run", str(spec), "--out", str(out), "--engine", "dask", "--scheduler", address]
    assert main(args) == EXIT_BAD_INPUT
    assert "--scheduler" in one_line(capsys.readouterr().err)
    assert not out.exists()


@pytest.mark.dask
def test_unreachable_scheduler_fails_fast_without_touching_the_folder(tmp_path):
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    args = ["run", str(spec), "--out", str(out), "--quiet", "--engine", "dask"]
    # A command that never gave up fails at the limit (against a hang, not a measure of speed);
    # that it gave up after the 2 s asked for is what its message says.
    failed = run(*args, "--scheduler", address, "--connect-timeout", "2", timeout=120)
    assert failed.returncode == EXIT_FAILURE, failed.stderr
    line = one_line(failed.stderr)
    assert "cannot reach a Dask scheduler" in line
    assert "within 2 s" in line  # the timeout asked for, not the default
    assert not out.exists()


@pytest.mark.dask
@pytest.mark.slow
def test_lost_scheduler_ends_the_run_then_resume_locally(tmp_path, reference, own_dask_cluster):
    spec = write_spec(tmp_path, SMALL.replace("chunk_size = 50", "chunk_size = 10"))
    out = tmp_path / "out"
    args = ("run", str(spec), "--out", str(out), "--no-report", "--quiet")
    proc = start(*args, "--engine", "dask", "--scheduler", own_dask_cluster["address"])
    try:
        wait_until(lambda: len(complete_chunks(out)) >= 2, proc)
        os.kill(own_dask_cluster["scheduler_proc"].pid, signal.SIGKILL)  # the scheduler, not us
        _stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == EXIT_FAILURE, stderr
    line = one_line(stderr)
    assert "lost the Dask scheduler" in line
    assert "run the same command again" in line
    assert len(complete_chunks(out)) < 200
    resumed = run(*args)  # on the local engine: results do not depend on it
    assert resumed.returncode == 0, resumed.stderr
    assert_same_data(out, reference)


@pytest.mark.dask
def test_an_address_that_is_not_a_scheduler_fails_within_the_timeout(tmp_path):
    """Something answers at the address but is not Dask (a port held open, say the dashboard's):
    `Client` alone could wait without end."""
    spec = write_spec(tmp_path)
    out = tmp_path / "out"
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()  # accepts connections, never speaks
        address = f"tcp://127.0.0.1:{server.getsockname()[1]}"
        # waiting without end fails at the limit (against a hang; 2 s timeout + 5 s grace
        # + start-up is all it should take)
        failed = run(
            "run", str(spec), "--out", str(out), "--quiet", "--engine", "dask",
            "--scheduler", address, "--connect-timeout", "2", timeout=120,
        )  # fmt: skip
    assert failed.returncode == EXIT_FAILURE, failed.stderr
    line = one_line(failed.stderr)
    assert "cannot reach a Dask scheduler at" in line
    assert "within 2 s" in line  # the timeout asked for, not the default
    assert not out.exists()


def test_report_on_a_read_only_folder_says_what_to_do(tmp_path, reference, mounted):
    folder = shutil.copytree(reference, tmp_path / "ro" / "out")
    failed = mounted("--bind", "-o", "ro", str(folder.parent), str(folder.parent))
    if failed:
        pytest.skip(failed)
    failed = run("report", str(folder))
    assert failed.returncode == EXIT_FAILURE
    line = one_line(failed.stderr)
    assert "Read-only file system" in line
    assert "copy it somewhere writable" in line
    assert "--out" not in line  # commons report has no --out
