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
from .model import CareSystem
from .params import PARAMETERS, ParameterError, defaults
from .rules import PRESETS, PRINCIPLES, RuleSet

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
    "run_many",
    "simulate",
]
