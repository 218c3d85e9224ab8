"""The `[uncertainty]` table of an experiment file: a probabilistic run over parameter priors.

```toml
[uncertainty]
parameters = "all"            # or a list of names; default "all"
seeds_per_draw = 5            # replicates sharing each parameter draw; default 1
[uncertainty.priors.spillover]  # override a table prior, or add one for another parameter
dist = "triangular"
low = 0.4
mode = 0.7
high = 1.0
source = "our own reading"
```

Each problem is one `ExperimentError` line naming the file, the key, the value and what is
allowed. Parameters fixed by the file (`[parameters]` or swept by the design) win over their
priors and are not drawn.
"""

from __future__ import annotations

from sim.core.params import ParameterError, parameter, parameters_for
from sim.core.priors import DISTRIBUTIONS, Prior
from sim.core.priors_table import PRIOR_INDEX
from sim.core.uncertainty import Uncertainty
from sim.experiment.checker import Checker, ExperimentError, label
from sim.experiment.limits import MAX_COUNT

UNCERTAINTY_KEYS = {"parameters", "seeds_per_draw", "priors"}
PRIOR_KEYS = {"dist", "low", "high", "mode", "sd", "source"}


def parse_uncertainty(c: Checker, data: dict, scenario: str, fixed: set[str]) -> Uncertainty | None:
    """The `[uncertainty]` table as an `Uncertainty`, or None when the file has none.

    Args:
        c: The file's checker.
        data: The whole file.
        scenario: The experiment's world.
        fixed: Parameters the file sets (`[parameters]` and the design's), and those its place
            file leaves idle (`sim.engine.placemap.IDLE_WITH_PLACE_FILE`): not drawn.
    """
    if "uncertainty" not in data:
        return None
    table = c.table(data["uncertainty"], "uncertainty")
    c.keys(table, UNCERTAINTY_KEYS, "uncertainty.")
    k = c.integer(table.get("seeds_per_draw", 1), "uncertainty.seeds_per_draw", 1, MAX_COUNT)
    names = _names(c, table.get("parameters", "all"), scenario)
    own = _priors(c, table.get("priors", {}), scenario)
    for i, name in enumerate([] if names == "all" else names):
        if name not in own and name not in PRIOR_INDEX:
            c.fail(
                f"uncertainty.parameters[{i}]",
                name,
                "a parameter with a prior (`commons list --priors`), or give it an "
                f"[uncertainty.priors.{name}] table",
                "has no prior in the table",
            )
    spec: dict | str = "all" if names == "all" else dict.fromkeys(names, True)
    if own:
        if names == "all":
            spec = dict.fromkeys(Uncertainty.build("all", scenario).names, True)
        spec = {**spec, **own}
    try:
        return Uncertainty.build(spec, scenario, k, fixed)
    except ParameterError as exc:
        c.param_error("", exc)


def _names(c: Checker, value: object, scenario: str) -> str | list[str]:
    """`uncertainty.parameters`: "all" or a list of the scenario's parameter names."""
    key = "uncertainty.parameters"
    allowed = '"all" or a list of parameter names (those with a prior: `commons list --priors`)'
    if value == "all":
        return "all"
    if not isinstance(value, list):
        c.fail(key, value, allowed, "is not allowed")
    accepted = {p.name for p in parameters_for(scenario)}
    for i, name in enumerate(value):
        if not isinstance(name, str) or name not in accepted:
            c.fail(f"{key}[{i}]", name, allowed, f"is not a parameter of scenario {scenario!r}")
    if len(set(value)) != len(value):
        c.fail(key, value, "each name once", "names a parameter twice")
    return list(value)


def _priors(c: Checker, value: object, scenario: str) -> dict[str, Prior]:
    """`[uncertainty.priors.NAME]` tables as priors, each field checked."""
    table = c.table(value, "uncertainty.priors")
    c.parameter_keys(table, scenario, "uncertainty.priors.", numbers=False)
    out = {}
    for name, raw in table.items():
        where = label("uncertainty.priors", name)
        fields = c.table(raw, where)
        c.keys(fields, PRIOR_KEYS, where + ".")
        for required in ("dist", "low", "high"):
            if required not in fields:
                raise ExperimentError(
                    f"{c.where}: {where}.{required} is missing; allowed: a {required} (required)"
                )
        c.string(fields["dist"], f"{where}.dist", DISTRIBUTIONS)
        spec = parameter(name)
        for key in ("low", "high", "mode", "sd"):
            if key in fields:
                low, high = (0.0, spec.high - spec.low) if key == "sd" else (spec.low, spec.high)
                c.number(fields[key], f"{where}.{key}", low, high)
        c.string(fields.get("source", ""), f"{where}.source")
        try:
            out[name] = Prior(name=name, **{"source": "the experiment file", **fields})
        except ParameterError as exc:
            c.param_error("uncertainty.priors.", exc)
    return out
