"""The `commons` console script: stops cleanly on SIGINT or SIGTERM from its first instant.

The script's own import of this module is all that runs before `main`, so the signal handlers
are in place before the command-line module (and, later, numba, pandas and the model) load. A stop
during those imports ends with 130 or 143 and one line, like a stop at any later moment.
"""

from __future__ import annotations

import os
import signal
import sys

_NAMES = {signal.SIGINT: "SIGINT (Ctrl-C)", signal.SIGTERM: "SIGTERM"}


def main() -> int:
    """Install early handlers, load `sim.commands` and run it (its exit code)."""
    received: list[int] = []

    def early(signum, frame):
        received.append(signum)
        raise KeyboardInterrupt

    for sig in _NAMES:
        if signal.getsignal(sig) != signal.SIG_IGN:  # an ignored signal stays ignored
            signal.signal(sig, early)
    try:
        from sim.commands import main as cli_main

        code = cli_main()  # handles its own stops; only one in its first instant reaches here
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
    return code


if __name__ == "__main__":
    sys.exit(main())
