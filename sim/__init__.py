"""care-commons: competition versus collaboration over a common pool in a place-based system of care.

Quick start::

    from sim import CareSystem, run_many
    model = CareSystem(rules="fortress", seed=1).run_for(120)
    model.summary()["population_health"]
    run_many(["fortress", "shared_governance"], replicates=100).groupby("rules").mean()

The package is built in layers, each a sub-package that imports only the layers before it
(docs/architecture.md): `core` (the model's rules and state, no Mesa, pandas or file I/O),
`engine` (the numba kernel and batch runs), `analysis` (statistics), `model` (the Mesa model; its
agents are the top-level `agents` package), `experiment` (files, runner, results, report, CLI),
`validation` (published figures and checks) and `app` (the Solara app).
"""

from sim.core.constants import FUNDING_MODELS, MEASURES, SCENARIOS, SUMMARIES
from sim.core.params import PARAMETERS, ParameterError, defaults
from sim.core.rules import PRESETS, PRINCIPLES, RuleSet
from sim.engine.batch import run_many, simulate

_LAZY = {
    # Imported on first use: batch runs and the CLI need neither Mesa's nor pandas' import time.
    "CareSystem": ("sim.model", "CareSystem"),
    "load_results": ("sim.experiment.results", "load_results"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


__all__ = [
    "FUNDING_MODELS",
    "MEASURES",
    "PARAMETERS",
    "PRESETS",
    "PRINCIPLES",
    "SCENARIOS",
    "SUMMARIES",
    "CareSystem",
    "ParameterError",
    "RuleSet",
    "defaults",
    "load_results",
    "run_many",
    "simulate",
]
