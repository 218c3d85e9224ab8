"""Run the test suite as `make test` does: the tests that drive a browser one at a time, every
other test on all cores (pytest-xdist, a test file per worker).

Browser tests measure what a user sees (a connection that holds, frames that keep their pace), so
they run alone: on a 2-core machine a browser beside a numba batch run is a different test. The
rest share the cores. Extra arguments go to both runs (`make test PYTEST_ARGS="-k infra"`).

Exit status: 0 when both runs pass (a run that selects no test counts as passed), else the first
failing run's pytest exit code.
"""

from __future__ import annotations

import subprocess
import sys

NO_TESTS = 5  # pytest's exit code when the selection is empty


def _pytest(*args: str) -> int:
    command = [sys.executable, "-m", "pytest", "-q", *args]
    print("+", " ".join(command[1:]), flush=True)
    return subprocess.call(command, stdin=subprocess.DEVNULL)


def main(extra: list[str]) -> int:
    # The slowest tests of each run are listed, to keep the suite inside CI's time.
    runs = (
        ("-n", "auto", "--dist", "loadfile", "-m", "not browser", "--durations=15", *extra),
        ("-m", "browser", "--durations=10", *extra),
    )
    codes = [_pytest(*args) for args in runs]
    failures = [code for code in codes if code not in (0, NO_TESTS)]
    return failures[0] if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
