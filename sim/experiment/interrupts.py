"""Ctrl-C and SIGTERM as a clean stop: exit 130 or 143, one line, a resumable folder.

Python turns SIGINT into a KeyboardInterrupt raised wherever the main thread happens to be. Raised
while a numba kernel runs, it surfaces as `SystemError: ... returned a result with an exception
set` instead; SIGTERM, by default, kills the process without any clean-up. So while `handling()`
is active, both signals raise `Interrupted` (a KeyboardInterrupt carrying the signal number),
except inside a `deferred()` block (a kernel call), where the signal is only recorded and
`check()`, called between slices of runs, raises it. A stop therefore waits at most one slice.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; `exit_code` is 128 + the signal number (130, 143)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum


class _State:
    depth = 0  # nesting of deferred() blocks
    pending: int | None = None  # a signal received inside a deferred block
    received: int | None = None  # the last signal received while handling() was active


def _handler(signum, frame):
    _State.received = signum
    if _State.depth > 0:
        _State.pending = signum
        return
    raise Interrupted(signum)


@contextmanager
def handling():
    """Within the block (main thread only), SIGINT and SIGTERM raise `Interrupted`.

    The previous handlers are restored afterwards, so library callers keep their own.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # A signal the process was started ignoring (SIGINT in a shell's background job, say) stays
    # ignored, as Python itself leaves it.
    previous = {s: signal.getsignal(s) for s in SIGNALS if signal.getsignal(s) != signal.SIG_IGN}
    _State.received = None
    for s in previous:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


@contextmanager
def deferred():
    """Within the block a signal is recorded, not raised; `check()` raises it. On leaving the
    outermost block a recorded signal is raised."""
    _State.depth += 1
    try:
        yield
    finally:
        _State.depth -= 1
    if _State.depth == 0:
        check()


def received() -> int | None:
    """The signal received while `handling()` was active, if any.

    An `Interrupted` raised inside an import of a C extension (pandas, pyarrow) can surface as
    another exception (an ImportError, say); the CLI asks this to report it as the stop it was.
    """
    return _State.received


def check(*_ignored) -> None:
    """Raise `Interrupted` if a signal arrived inside a deferred block (usable as a callback)."""
    signum, _State.pending = _State.pending, None
    if signum is not None:
        raise Interrupted(signum)
