"""Failures (not bad input) the experiment layer reports as one line and exit 1."""

from __future__ import annotations


class ClusterError(RuntimeError):
    """The Dask scheduler cannot be reached, or was lost during the run."""
