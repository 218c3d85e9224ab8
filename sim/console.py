"""The `commons` console script: stops cleanly on SIGINT or SIGTERM from its first instant.

The script's own import of this module is all that runs before `main`, so the signal handlers
are in place before the command-line module (and, later, numba, pandas and the model) load. A stop
during those imports ends with 130 or 143 and one line, like a stop at any later moment.

Two more things hold for every command here:

- A stop that a library swallowed (a KeyboardInterrupt raised inside a weakref or ctypes callback
  is printed as "Exception ignored" and dropped by Python) still ends the command with 130 or 143
  and one line: the callback's report is silenced, and the signal, recorded when it arrived
  (`sim.experiment.interrupts.received`), is honoured when the command returns.
- A reader that goes away (`commons validate FILE | head -1`) is not a failure: once stdout (or
  stderr) is a closed pipe, the rest of the output goes nowhere and the command ends as it would
  have, as `commons list` always did.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys

_NAMES = {signal.SIGINT: "SIGINT (Ctrl-C)", signal.SIGTERM: "SIGTERM"}


class _ClosedPipeGuard:
    """A text stream whose writes, once its reader has gone (EPIPE), go to /dev/null."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._reader_gone()
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._reader_gone()

    def _reader_gone(self) -> None:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, self._stream.fileno())  # what is still buffered is flushed there
        finally:
            os.close(null)
        with contextlib.suppress(OSError):
            self._stream.flush()

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _guard_streams() -> None:
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _ClosedPipeGuard):
            setattr(sys, name, _ClosedPipeGuard(stream))


def _silence_swallowed_stops() -> None:
    """Python reports an exception it cannot raise (in a weakref or ctypes callback) with a
    traceback and drops it; a stop dropped so is reported once, as a stop, when the command ends."""
    default = sys.unraisablehook

    def hook(unraisable):
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            default(unraisable)

    sys.unraisablehook = hook


def _command() -> str:
    word = sys.argv[1] if len(sys.argv) > 1 else ""
    return f"commons {word}" if word.isidentifier() else "commons"


def _stopped(signum: int) -> int:
    again = "run the same command again"
    if _command() == "commons run":
        again += " to resume (complete chunks are kept)"
    print(f"{_command()}: interrupted by {_NAMES[signum]}; {again}", file=sys.stderr)
    return 128 + signum


def main() -> int:
    """Install early handlers, load `sim.commands` and run it (its exit code)."""
    received: list[int] = []

    def early(signum, frame):
        received.append(signum)
        raise KeyboardInterrupt

    for sig in _NAMES:
        if signal.getsignal(sig) != signal.SIG_IGN:  # an ignored signal stays ignored
            signal.signal(sig, early)
    atexit.register(_ignore_stops)  # registered first, so it runs after every other one
    _guard_streams()
    _silence_swallowed_stops()
    try:
        from sim.commands import main as cli_main

        code = cli_main()  # handles its own stops; only one in its first instant reaches here
        code = _swallowed(code, received)
    except KeyboardInterrupt:
        signum = received[-1] if received else signal.SIGINT
        print(
            f"commons: interrupted by {_NAMES[signum]}; run the same command again",
            file=sys.stderr,
        )
        return 128 + signum

    # The command is over and its exit code final: a signal while the interpreter shuts down
    # (numba's threads take a moment) ends it at once with that code, not with a traceback.
    def finished(signum, frame):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    for sig in _NAMES:
        if signal.getsignal(sig) != signal.SIG_IGN:
            signal.signal(sig, finished)
    sys.stdout.flush()  # a reader gone by now is met here, not by the interpreter's last flush
    return code


def _ignore_stops() -> None:
    """Once the exit functions have run, Python gives SIGINT and SIGTERM back their default action
    (killing the process, exit 130 or 143 and no word) while it tears its modules down, which
    takes up to a second with numba and LLVM loaded; the command is over and its exit code final,
    so a stop then is ignored (an ignored signal stays ignored through that)."""
    for sig in _NAMES:
        signal.signal(sig, signal.SIG_IGN)


def _swallowed(code: int, received: list[int]) -> int:
    """The exit code, made 130 or 143 when a stop arrived but was swallowed on its way."""
    from sim.experiment import interrupts

    if code in (128 + s for s in _NAMES):
        return code
    signum = interrupts.received() or (received[-1] if received else None)
    return code if signum is None else _stopped(signum)


if __name__ == "__main__":
    sys.exit(main())
