"""care-commons: competition versus collaboration over a common pool in a place-based system of care.

Quick start::

    from sim import CareSystem, run_many
    model = CareSystem(rules="fortress", seed=1).run_for(120)
    model.summary()["population_health"]
    run_many(["fortress", "shared_governance"], replicates=100).groupby("rules").mean()

The package is built in layers, each a sub-package that imports only the layers before it
(docs/architecture.md): `core` (the model's rules and state; no Mesa or pandas, no file I/O but the numba cache's),
`engine` (the numba kernel and batch runs), `analysis` (statistics), `model` (the Mesa model; its
agents are the top-level `agents` package), `experiment` (files, runner, results, report, CLI),
`validation` (published figures and checks) and `app` (the Solara app).
"""

_LAZY = {
    # Imported on first use, so that `import sim.<layer>` costs only that layer (the CLI handles
    # Ctrl-C before numba, Mesa or pandas load).
    "FUNDING_MODELS": ("sim.core.constants", "FUNDING_MODELS"),
    "MEASURES": ("sim.core.constants", "MEASURES"),
    "SCENARIOS": ("sim.core.constants", "SCENARIOS"),
    "SUMMARIES": ("sim.core.constants", "SUMMARIES"),
    "PARAMETERS": ("sim.core.params", "PARAMETERS"),
    "ParameterError": ("sim.core.params", "ParameterError"),
    "defaults": ("sim.core.params", "defaults"),
    "PRESETS": ("sim.core.rules", "PRESETS"),
    "PRIORS": ("sim.core.priors_table", "PRIORS"),
    "Prior": ("sim.core.priors", "Prior"),
    "PRINCIPLES": ("sim.core.rules", "PRINCIPLES"),
    "RuleSet": ("sim.core.rules", "RuleSet"),
    "run_many": ("sim.engine.batch", "run_many"),
    "simulate": ("sim.engine.batch", "simulate"),
    "load_place_file": ("sim.engine.placefile", "load_place_file"),
    "place_file_text": ("sim.engine.placemap", "place_file_text"),
    "CareSystem": ("sim.model", "CareSystem"),
    "load_results": ("sim.experiment.results", "load_results"),
    "rebuild": ("sim.experiment.results", "rebuild"),
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_LAZY])


__all__ = [
    "FUNDING_MODELS",
    "MEASURES",
    "PARAMETERS",
    "PRESETS",
    "PRINCIPLES",
    "PRIORS",
    "SCENARIOS",
    "SUMMARIES",
    "CareSystem",
    "ParameterError",
    "Prior",
    "RuleSet",
    "defaults",
    "load_place_file",
    "load_results",
    "place_file_text",
    "rebuild",
    "run_many",
    "simulate",
]
