"""care-commons: competition versus collaboration over a common pool in a place-based system of care.

Quick start::

    from sim import CareSystem, run_many
    model = CareSystem(rules="fortress", seed=1).run_for(120)
    model.summary()["population_health"]
    run_many(["fortress", "shared_governance"], replicates=100).groupby("rules").mean()
"""

from . import _numba_cache  # noqa: F401  (must run before any compiled function is defined)
from .batch import run_many, simulate
from .constants import FUNDING_MODELS, MEASURES, SCENARIOS, SUMMARIES
from .params import PARAMETERS, ParameterError, defaults
from .results import load_results
from .rules import PRESETS, PRINCIPLES, RuleSet


def __getattr__(name):
    # The Mesa model is imported on first use: batch runs and the CLI do not need Mesa's import time.
    if name == "CareSystem":
        from .model import CareSystem

        return CareSystem
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = [
    "CareSystem",
    "FUNDING_MODELS",
    "MEASURES",
    "PARAMETERS",
    "PRESETS",
    "PRINCIPLES",
    "ParameterError",
    "RuleSet",
    "SCENARIOS",
    "SUMMARIES",
    "defaults",
    "load_results",
    "run_many",
    "simulate",
]
