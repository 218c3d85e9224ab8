"""Failures (not bad input) the experiment layer reports as one line and exit 1."""

from __future__ import annotations

# Seconds `--engine dask` waits for its scheduler to answer before it fails (`--connect-timeout`);
# here, in a light module, so that the CLI's help can say it without importing the engines.
DEFAULT_CONNECT_TIMEOUT = 10.0
MAX_CONNECT_TIMEOUT = 3600.0  # an hour: longer is a mistake, and a thread's wait overflows


class ClusterError(RuntimeError):
    """The Dask scheduler cannot be reached, or was lost during the run."""
