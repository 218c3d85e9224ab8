"""Optional dependencies, imported only by the function that needs them.

The core install runs the model, `run_many` and local experiments; the `app`, `cluster`,
`sensitivity` and `calibration` extras of pyproject.toml add the Solara app, the Dask engine,
SALib designs and optuna (`commons calibrate`).
"""

from __future__ import annotations

import importlib


class MissingExtra(ImportError):
    """An optional dependency is not installed; the message names the extra that provides it."""


def require(module: str, extra: str, purpose: str):
    """Import `module`, or raise `MissingExtra` naming the extra to install for `purpose`."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(
            f"{purpose} needs {module.split('.')[0]}, which is not installed; install the "
            f"{extra!r} extra: pip install 'care-commons[{extra}]' ({exc})"
        ) from None
