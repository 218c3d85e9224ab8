"""One writer per results folder: an operating-system lock on `DIR/.commons.lock`.

The lock is `filelock.FileLock` (fcntl.flock on Linux and macOS, msvcrt on Windows): the kernel
releases it when its holder exits, however it exits, so a lock left by a killed run is simply free
for the next command, which then resumes the folder. Who holds it (process, host, command, time)
is written beside it, in `DIR/.commons.holder.json`, so a refused command can say; that file is
removed when the holder finishes. The empty lock file stays: deleting a lock file that another
process may be opening could let two processes hold two locks on one folder. A file system without working locks (some network mounts) falls
back to filelock's soft lock; see docs/experiments.md.
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import socket
import sys
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from sim.experiment.checker import ExperimentError
from sim.experiment.manifest import now
from sim.experiment.store import HOLDER_NAME, LOCK_NAME, atomic_write_bytes


class FolderInUse(ExperimentError):
    """Another command holds the results folder's lock."""


def holder(out: Path) -> dict:
    """What `DIR/.commons.holder.json` says about the lock's holder ({} if unreadable)."""
    try:
        return json.loads((Path(out) / HOLDER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _describe(info: dict) -> str:
    if not info:
        return "another command (it has not yet recorded who it is)"
    return (
        f"process {info.get('pid')} on {info.get('host')} (user {info.get('user')}), "
        f"running {info.get('command')!r} since {info.get('since')}"
    )


@contextmanager
def folder_lock(out: Path, command: str | None = None):
    """Hold the lock of results folder `out` (created if missing) for the block.

    Raises:
        FolderInUse: another command holds it (refused at once, naming the holder).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(out / LOCK_NAME, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise FolderInUse(
            f"{out} is in use by {_describe(holder(out))}; wait for it to finish, or write "
            "elsewhere with --out (one command at a time may write a results folder)"
        ) from None
    try:
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "user": _user(),
            "command": command or " ".join(sys.argv),
            "since": now(),
        }
        atomic_write_bytes(out / HOLDER_NAME, json.dumps(info).encode())
        yield
    finally:
        from sim.experiment import interrupts

        with interrupts.deferred():  # a stop here would leave the holder's record behind
            (out / HOLDER_NAME).unlink(missing_ok=True)
            lock.release()


@contextmanager
def owned_folder(out: Path, command: str | None, kept: Callable[[], bool]):
    """`folder_lock` for a command that may create `out`: if it did, and the block stops or fails
    before `kept()` says anything worth keeping was written, the folder is removed again once the
    lock is released, so that the command leaves nothing behind. A folder another command holds
    is left alone, whoever created it."""
    out = Path(out)
    created = not out.exists()
    try:
        with folder_lock(out, command):
            yield out
    except FolderInUse:
        raise
    except BaseException:
        if created and not kept():
            shutil.rmtree(out, ignore_errors=True)
        raise


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no user name for this uid
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"
