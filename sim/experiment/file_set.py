"""A set of files replaced whole: what `commons discover` and `commons calibrate` write.

Unlike a `commons run` folder (`sim.experiment.store`), which grows chunk by chunk and resumes,
these commands write their files once, at the end, and an earlier set in the folder is replaced
whole or not at all. The set's manifest (`sha256sum` format) is renamed in last: the set in a
folder is complete when its manifest is there and every file has the sha256 it lists. The command
holds the folder's lock (`sim.experiment.lock`) while it runs, so two of them cannot interleave
their sets.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from sim.experiment import interrupts, store

STAGING = ".staging"  # DIR/.staging.tmp-<pid>-<random>/: a set being written


@contextmanager
def command_folder(out: Path, command: str, manifest: str):
    """Hold folder `out`'s lock for a command that writes a set into it (`write_file_set`): a
    file where the folder goes is refused first (exit 2), and a folder the command made is
    removed again if it stops or fails before its set is there, so that it leaves nothing."""
    from sim.experiment.lock import owned_folder
    from sim.experiment.manifest import check_path

    out = Path(out)
    check_path(out)
    with owned_folder(out, command, kept=(out / manifest).exists) as folder:
        yield folder


class SetIncomplete(OSError):
    """A failure while the new set was renamed in: the earlier manifest is gone, so the folder's
    set reads as incomplete until the command runs again whole."""


def write_file_set(out: Path, files: dict[str, bytes], manifest: str, check=None) -> None:
    """Replace the set of files in folder `out` by `files` ({path inside `out`: bytes}), whole.

    Every file is first written (fsynced) into a private staging folder inside `out`, with
    `manifest` (the set's paths and sha256); a failure there (a full disk) removes the staging
    folder and leaves the earlier set as it was. Then `check()` (a stop that arrived meanwhile
    raises there, the earlier set still untouched), and, with SIGINT and SIGTERM held back
    (`interrupts.deferred`), the earlier manifest is removed, each file renamed over its name in
    the order given (the report last), and the new manifest renamed in. Renames need no space, so
    only a crash within those milliseconds, or a rename the file system refuses (a folder where a
    file of the set goes: `SetIncomplete`), can leave a mix, and then no manifest.
    """
    out.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(out, store.TMP_MARK)
    staging = out / f"{STAGING}{store.TMP_MARK}{os.getpid()}-{os.urandom(3).hex()}"
    staging.mkdir()
    try:
        lines = []
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            lines.append(f"{store.atomic_write_bytes(staging / name, data)}  {name}\n")
        store.atomic_write_bytes(staging / manifest, "".join(lines).encode("utf-8"))
        for name in files:
            (out / name).parent.mkdir(parents=True, exist_ok=True)
        if check is not None:
            check()
        with interrupts.deferred():
            (out / manifest).unlink(missing_ok=True)
            try:
                for name in [*files, manifest]:
                    os.replace(staging / name, out / name)
            except OSError as exc:  # name what stands in the way, not the staged file
                raise SetIncomplete(exc.errno, exc.strerror, exc.filename2 or out) from exc
            for folder in {(out / name).parent for name in files} | {out}:
                store.fsync_folder(folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _remove_abandoned(out: Path, mark: str) -> None:
    """Remove the staging folders and temporary files of writers that died (killed mid-write).
    Only those of a process that is gone: the folder's lock keeps a live writer's own."""
    for path in [*out.glob(f".*{mark}*"), *out.glob(f"*/.*{mark}*")]:
        pid = path.name.rpartition(mark)[2].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0) if os.name == "posix" else None  # elsewhere: keep what may be its files
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        pass
    return True
