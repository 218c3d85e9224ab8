"""The edges of `commons` around its tools: a compiled-code cache folder that cannot be made, a
reader that closes stdout, and stops and full disks while `commons calibrate` and `commons discover`
replace an earlier set of files (the folder holds the old set or the new one, never a mix).

A full disk is injected (ENOSPC part way through a write) everywhere, and is real (a small tmpfs)
when the tests run as root where mounting is allowed, as tests/test_failures.py does.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runs import COMMONS, FullDisk, catches, mount_or_why, run, wait_until

from sim.commands import main
from sim.experiment import cli_discover, store
from sim.experiment.cli import EXIT_FAILURE, EXIT_INTERRUPTED
from sim.validation.calibration_report import MANIFEST as CALIBRATION_MANIFEST


def _env(**changes: str | None) -> dict:
    env = dict(os.environ)
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _complete(folder: Path, manifest: str) -> bool:
    """The set the manifest lists is there, each file with its sha256, and nothing half-written."""
    if not (folder / manifest).is_file():
        return False
    listed = {}
    for line in (folder / manifest).read_text().splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    # The folder's lock file stays, empty, beside the set (sim.experiment.lock).
    files = {
        k: v for k, v in _digests(folder).items() if k != manifest and not store.is_lock_file(k)
    }
    return files == listed


def _no_debris(folder: Path) -> None:
    assert [p.name for p in folder.rglob(f"*{store.TMP_MARK}*")] == []


# ------------------------------------------------------------------ 1. the cache folder
@pytest.mark.parametrize("argv", [("list",), ("validate", "fortress_vs_shared")])
@pytest.mark.parametrize("where", ["CARE_COMMONS_CACHE_DIR", "HOME"])
def test_a_cache_folder_that_cannot_be_made_falls_back_with_one_warning(tmp_path, argv, where):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    if where == "HOME":  # ~/.cache cannot be made: the home folder is under a file
        env = _env(CARE_COMMONS_CACHE_DIR=None, HOME=str(afile / "home"), TMPDIR=str(tmp))
    else:
        env = _env(CARE_COMMONS_CACHE_DIR=str(afile), TMPDIR=str(tmp))
    done = run(*argv, env=env)
    assert done.returncode == 0, done.stderr
    line = _one_line(done.stderr)
    assert line.startswith("care-commons: warning: cannot use the compiled-code cache folder")
    assert f"({afile} is a file, not a folder)" in line
    assert f"caching in {tmp}" in line
    assert done.stdout.strip()
    assert afile.read_text() == "mine"
    assert list((tmp / f"care-commons-{os.getuid()}" / "numba").iterdir())


def test_without_any_folder_for_the_cache_nothing_is_cached_on_disk(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("mine")
    script = (
        "import sys, tempfile\n"
        "tempfile.tempdir = sys.argv[1]  # no temporary folder either\n"
        "from sim.core import jit\n"
        "assert jit.CACHE_DIR is None\n"
        "import sim.core.state  # its generated module, built from its text\n"
        "assert jit.jit(lambda x: x + 1)(1) == 2\n"
        "print('ok')\n"
    )
    env = _env(CARE_COMMONS_CACHE_DIR=str(afile))
    done = subprocess.run(
        [sys.executable, "-c", script, str(afile / "tmp")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"
    assert "compiling without a disk cache" in _one_line(done.stderr)


# ------------------------------------------------------------------ 7. a closed stdout
@pytest.mark.parametrize(
    "argv", [("validate", "fortress_vs_shared"), ("calibrate", "--list-targets"), ("list",)]
)
@pytest.mark.parametrize("unbuffered", ["1", None])
def test_a_reader_that_goes_away_is_not_a_failure(argv, unbuffered):
    proc = subprocess.Popen(
        [COMMONS, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=_env(PYTHONUNBUFFERED=unbuffered),
    )
    proc.stdout.close()  # `| head -c0`: gone before the command writes anything
    _, err = proc.communicate(timeout=600)
    assert (proc.returncode, err.decode()) == (0, "")


# ------------------------------------------------------------------ 5. stops while writing
CALIBRATION = ["calibrate", "--parameters", "tariff_efficiency", "--fit-on", "surplus_2010"]
CALIBRATION += ["--check-on", "deficit_2014", "--replicates", "1", "--quiet"]
CALIBRATE = [*CALIBRATION, "--trials", "3"]


def _calibrate(out: Path, seed: int) -> int:
    return main([*CALIBRATE, "--seed", str(seed), "--out", str(out)])


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """A calibration folder of seed 1: the earlier set a later command replaces."""
    out = tmp_path_factory.mktemp("earlier") / "cal"
    assert _calibrate(out, 1) == 0
    assert _complete(out, CALIBRATION_MANIFEST)
    return out


def _after_writes(monkeypatch, count: int, action) -> None:
    """Do `action()` before the `count`-th file of the set is written (into the staging folder)."""
    real, seen = store.atomic_write_bytes, [0]

    def write(path, data):
        seen[0] += 1
        if seen[0] == count:
            action()
        return real(path, data)

    monkeypatch.setattr(store, "atomic_write_bytes", write)


def _swallowed_stop() -> None:
    """A SIGINT whose KeyboardInterrupt a library drops (as a weakref callback's is dropped)."""
    try:
        signal.raise_signal(signal.SIGINT)
        for _ in range(1000):  # the handler runs here, and raises
            pass
    except KeyboardInterrupt:
        pass


@pytest.mark.parametrize("stop", ["raised", "swallowed"])
def test_a_stop_while_the_files_are_written_keeps_the_earlier_set(
    earlier, tmp_path, monkeypatch, capsys, stop
):
    out = shutil.copytree(earlier, tmp_path / "cal")
    before = _digests(out)
    action = (lambda: signal.raise_signal(signal.SIGINT)) if stop == "raised" else _swallowed_stop
    _after_writes(monkeypatch, 4, action)
    assert _calibrate(out, 2) == EXIT_INTERRUPTED
    assert "interrupted by SIGINT" in _one_line(capsys.readouterr().err)
    assert _digests(out) == before
    _no_debris(out)


def test_a_stop_while_the_set_is_swapped_in_ends_with_the_new_set_whole(
    earlier, tmp_path, monkeypatch, capsys
):
    out = shutil.copytree(earlier, tmp_path / "cal")
    before = _digests(out)
    real = os.replace

    def replace(src, dst):
        if Path(dst) == out / "fitted.csv":  # renaming the new set in, one file done
            signal.raise_signal(signal.SIGINT)
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    assert _calibrate(out, 2) == EXIT_INTERRUPTED
    assert "interrupted by SIGINT" in _one_line(capsys.readouterr().err)
    assert _complete(out, CALIBRATION_MANIFEST)
    assert _digests(out) != before
    _no_debris(out)


@pytest.mark.slow
def test_sigint_at_any_moment_leaves_the_old_set_or_the_new_one(earlier, tmp_path):
    """The audit's case: `commons calibrate` over an earlier run, SIGINT at moments spread over
    the whole command (start-up, the trials, the figures, the writing). Each runs in a folder of
    its own with `--out cal`, so that the new sets (which quote the command) are alike."""
    command = [COMMONS, *CALIBRATION, "--trials", "20", "--seed", "2", "--out", "cal"]
    (tmp_path / "fresh").mkdir()
    start = time.monotonic()
    done = subprocess.run(command, cwd=tmp_path / "fresh", capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    duration = time.monotonic() - start
    new, old = _digests(tmp_path / "fresh" / "cal"), _digests(earlier)
    for i in range(8):
        out = shutil.copytree(earlier, tmp_path / f"at{i}" / "cal")
        proc = subprocess.Popen(
            command,
            cwd=out.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )
        # From the moment the command handles signals (before that, Python itself is starting
        # and answers a SIGINT with its own traceback: not the command's to report).
        wait_until(lambda p=proc: catches(p.pid, signal.SIGTERM) or p.poll() is not None)
        try:
            proc.wait(timeout=0.05 + duration * i / 7)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
        assert "Traceback" not in err, err
        assert "Exception ignored" not in err, err
        if proc.returncode == 0:  # finished first
            assert (err, _digests(out)) == ("", new)
            continue
        assert proc.returncode == EXIT_INTERRUPTED, err
        assert "interrupted by SIGINT" in _one_line(err)
        assert _digests(out) in (old, new), f"a mix after a stop at moment {i}"
        _no_debris(out)


def test_a_stop_swallowed_by_a_library_still_ends_the_command_with_130(tmp_path):
    """A KeyboardInterrupt raised inside a weakref callback is dropped by Python with an
    "Exception ignored" traceback; the console script reports it as the stop it was, in one line."""
    script = (
        "import signal, sys, weakref\n"
        "import sim.validation.calibration_cli as cc\n"
        "real = cc.run\n"
        "class Thing: pass\n"
        "def swallowing(args):\n"
        "    def callback(ref):\n"
        "        signal.raise_signal(signal.SIGINT)\n"
        "        for _ in range(1000): pass\n"
        "    thing = Thing()\n"
        "    ref = weakref.ref(thing, callback)\n"
        "    del thing  # the stop lands in the callback, and Python drops it\n"
        "    return real(args)\n"
        "cc.run = swallowing\n"
        "from sim.console import main\n"
        "sys.argv = ['commons', 'calibrate', '--list-targets']\n"
        "sys.exit(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == EXIT_INTERRUPTED, done.stderr
    assert "commons calibrate: interrupted by SIGINT" in _one_line(done.stderr)


# ------------------------------------------------------------------ 6. a full disk
DISCOVER = ["discover", "--replicates", "1", "--months", "6", "--common-seeds", "--quiet"]


def _full_disk_line(stderr: str, out: Path) -> None:
    line = _one_line(stderr)
    assert "No space left on device" in line
    assert f"writing into {out}" in line
    assert "nothing was replaced" in line
    assert "resume" not in line  # nothing to resume: only `commons run` resumes


@pytest.mark.parametrize("command", ["discover", "calibrate"])
def test_a_full_disk_keeps_the_earlier_set_with_one_line(
    earlier, tmp_path, monkeypatch, capsys, command
):
    out = tmp_path / "out"
    if command == "discover":
        assert main([*DISCOVER, "--points", "10", "--seed", "1", "--out", str(out)]) == 0
        assert _complete(out, cli_discover.MANIFEST)
        again = [*DISCOVER, "--points", "10", "--seed", "2", "--out", str(out)]
    else:
        shutil.copytree(earlier, out)
        again = [*CALIBRATE, "--seed", "2", "--out", str(out)]
    before = _digests(out)
    capsys.readouterr()
    monkeypatch.setattr(store, "open", FullDisk(after=3, named=False), raising=False)
    assert main(again) == EXIT_FAILURE
    _full_disk_line(capsys.readouterr().err, out)
    assert _digests(out) == before
    _no_debris(out)


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    failed = mount_or_why("-t", "tmpfs", "-o", "size=1m,nr_inodes=64", "tmpfs", str(disk))
    if failed:
        pytest.skip(failed)
    yield disk
    subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def _fill(disk: Path, leave: int) -> None:
    """Fill the disk to `leave` bytes free."""
    info = os.statvfs(disk)
    (disk / "filler").write_bytes(b"\0" * max(0, info.f_bavail * info.f_frsize - leave))


def test_discover_on_a_real_full_disk_keeps_the_earlier_set(small_disk, capsys):
    out = small_disk / "found"
    assert main([*DISCOVER, "--points", "10", "--seed", "1", "--out", str(out)]) == 0
    assert _complete(out, cli_discover.MANIFEST)
    before = _digests(out)
    _fill(small_disk, 40_000)  # less than the new set needs: its figure alone is larger
    capsys.readouterr()
    assert main([*DISCOVER, "--points", "30", "--seed", "2", "--out", str(out)]) == EXIT_FAILURE
    _full_disk_line(capsys.readouterr().err, out)
    assert _digests(out) == before
    _no_debris(out)


@pytest.mark.parametrize("argv", [("list",), ("validate", "fortress_vs_shared")])
def test_list_and_validate_with_the_cache_on_a_full_disk(small_disk, tmp_path, argv):
    """No inode left (mkdir fails with ENOSPC): before, every command failed, saying to resume."""
    for i in range(100):
        try:
            (small_disk / f"f{i}").touch()
        except OSError:
            break
    env = _env(CARE_COMMONS_CACHE_DIR=str(small_disk / "cache"), TMPDIR=str(tmp_path))
    done = run(*argv, env=env)
    assert done.returncode == 0, done.stderr
    line = _one_line(done.stderr)
    assert "No space left on device" in line
    assert "resume" not in line


# ------------------------------------------------------------------ 8. one writer at a time
@pytest.mark.parametrize("command", ["discover", "calibrate"])
def test_a_second_command_into_a_folder_in_use_is_refused_and_changes_nothing(
    earlier, tmp_path, capsys, command
):
    """Two commands writing one folder could interleave their sets' renames: the second is
    refused at once (exit 2, naming the holder), and the first's folder is as it was."""
    from sim.experiment.cli import EXIT_BAD_INPUT
    from sim.experiment.lock import folder_lock

    out = shutil.copytree(earlier, tmp_path / "out")
    before = _digests(out)
    again = (
        [*DISCOVER, "--points", "10", "--seed", "2", "--out", str(out)]
        if command == "discover"
        else [*CALIBRATE, "--seed", "2", "--out", str(out)]
    )
    with folder_lock(out, "the first command"):
        assert main(again) == EXIT_BAD_INPUT
        line = _one_line(capsys.readouterr().err)
    assert f"commons {command}: error: {out} is in use by process {os.getpid()}" in line
    assert "'the first command'" in line
    assert _digests(out) == before
    _no_debris(out)


def test_a_rename_refused_part_way_says_the_set_is_now_incomplete(tmp_path, capsys):
    """A folder where the report goes: the other files are renamed in, the report's rename fails
    (EISDIR). The earlier manifest is gone, so the set reads as incomplete, and the line says so
    rather than "nothing was replaced"."""
    out = tmp_path / "found"
    assert main([*DISCOVER, "--points", "10", "--seed", "1", "--out", str(out)]) == 0
    (out / "discovery.md").unlink()
    (out / "discovery.md").mkdir()
    capsys.readouterr()
    assert main([*DISCOVER, "--points", "10", "--seed", "2", "--out", str(out)]) == EXIT_FAILURE
    line = _one_line(capsys.readouterr().err)
    assert "Is a directory" in line
    assert f"({out / 'discovery.md'})" in line  # what stands in the way, not the staged file
    assert "now reads as incomplete" in line
    assert "nothing was replaced" not in line
    assert not _complete(out, cli_discover.MANIFEST)
    _no_debris(out)


@pytest.mark.parametrize("command", ["discover", "calibrate"])
def test_a_folder_the_command_made_is_removed_when_it_fails_before_its_set(
    tmp_path, monkeypatch, capsys, command
):
    """A full disk part way through writing a new folder's set: exit 1, and the folder the command
    made (with its lock file) is gone, as a refused command leaves none."""
    out = tmp_path / "new"
    argv = (
        [*DISCOVER, "--points", "10", "--seed", "1", "--out", str(out)]
        if command == "discover"
        else [*CALIBRATE, "--seed", "1", "--out", str(out)]
    )
    monkeypatch.setattr(store, "open", FullDisk(after=3, named=False), raising=False)
    assert main(argv) == EXIT_FAILURE
    assert "No space left on device" in _one_line(capsys.readouterr().err)
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["discover", "--threads", "999"], "--threads=999"),
        (["discover", "--out", "FILE/below"], "is a file, not a folder"),
        (["calibrate", "--out", "FILE/below"], "is a file, not a folder"),
    ],
)
def test_input_refused_before_the_folder_is_made(tmp_path, capsys, argv, named):
    from sim.experiment.cli import EXIT_BAD_INPUT

    (tmp_path / "FILE").write_text("a file")
    argv = [a.replace("FILE", str(tmp_path / "FILE")) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "new")]
    tail = ["--quiet"] + (["--parameters", "tariff_efficiency"] if argv[0] == "calibrate" else [])
    assert main([*argv, *tail]) == EXIT_BAD_INPUT
    assert named in _one_line(capsys.readouterr().err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["FILE"]
