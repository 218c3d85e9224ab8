"""Priors: a distribution for every uncertain parameter, and keyed draws from them.

A probabilistic run draws one parameter set per replicate (a "draw"). Draw j of base seed s is a
pure function of (s, j, the parameter): its uniform number is the project's keyed hash
`uniform(s, j, -1, parameter index, RNG_PRIOR)`, mapped through the prior's quantile function. So
a draw does not depend on how many draws are made, which other parameters are drawn, the engine,
the thread count or the Dask worker count; and every rule set compared in replicate j sees the
same draw (and, with run key j, the same random numbers for the same purposes).

The table of priors (`PRIORS`) is declared in `sim.core.priors_table`; this module holds the
machinery. The ranges and their sources are shown in docs/ODD.md (section 5) and by
`commons list --priors`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from sim.core.checks import check_seed
from sim.core.constants import RNG_PRIOR
from sim.core.params import PARAMETER_INDEX, SCENARIO_DEFAULTS, ParameterError, parameters_for
from sim.core.prior_spec import (  # noqa: F401  (re-exported: the declaration lives there)
    DISTRIBUTIONS,
    Prior,
    check_prior,
    loguniform,
    triangular,
    uniform_prior,
)
from sim.core.priors_table import PRIOR_INDEX, PRIORS


def _keyed_uniforms(seed: int, draws: np.ndarray, index: int) -> np.ndarray:
    """`sim.core.rng.uniform(seed, draw, -1, index, RNG_PRIOR)` for many draws at once (NumPy)."""
    from sim.core.rng import _mix_array

    h = _mix_array(np.full(len(draws), seed, dtype=np.uint64))
    h = _mix_array(h ^ draws.astype(np.uint64))
    h = _mix_array(h ^ np.uint64(0))  # step -1: step + 1 = 0, before any month's draws
    h = _mix_array(h ^ np.uint64(index + 1))
    h = _mix_array(h ^ np.uint64(RNG_PRIOR))
    return (h >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def draw(priors: Iterable[Prior], seed: int, draws) -> dict[str, np.ndarray]:
    """The values of every prior at the given draw indices.

    Args:
        priors: The priors to draw from (see `resolve`).
        seed: The base seed of the runs.
        draws: Draw indices (replicate numbers), any non-negative integers.

    Returns:
        One array per parameter, aligned with `draws`.
    """
    seed = check_seed(seed)
    draws = np.asarray(draws, dtype=np.int64)
    if draws.size and draws.min() < 0:
        raise ParameterError(f"draws contains {int(draws.min())}; allowed: integers >= 0")
    return {p.name: p.ppf(_keyed_uniforms(seed, draws, PARAMETER_INDEX[p.name])) for p in priors}


def resolve(spec, scenario: str = "place_system") -> tuple[Prior, ...]:
    """The priors a run draws from, from any form `uncertainty=` takes.

    Args:
        spec: False or None (none); True or "all" (every prior of the table that the scenario
            accepts, less the laboratory designs: parameters whose scenario default differs from
            the table's, `sim.core.params.SCENARIO_DEFAULTS`); a list of parameter names (their
            table priors); a dict from parameter name to a `Prior`, a dict of its fields ({"dist": "uniform", "low": .., "high": ..}) or
            True (the table's prior); or a list of `Prior`s.
        scenario: The world; parameters it does not accept are refused.

    Raises:
        ParameterError: An unknown name, a parameter without a table prior, or a bad field.
    """
    accepted = {p.name for p in parameters_for(scenario)}
    if spec is None or spec is False:
        return ()
    if spec is True or (isinstance(spec, str) and spec == "all"):
        designs = SCENARIO_DEFAULTS[scenario]
        return tuple(p for p in PRIORS if p.name in accepted and p.name not in designs)
    if isinstance(spec, str):
        spec = [spec]
    if isinstance(spec, Prior):
        spec = [spec]
    if not isinstance(spec, Mapping | list | tuple):
        raise ParameterError(
            f"uncertainty={spec!r} has type {type(spec).__name__}; allowed: True, 'all', a list "
            "of parameter names or a dict from name to a prior"
        )
    items = spec.items() if isinstance(spec, Mapping) else [(s, True) for s in spec]
    out: list[Prior] = []
    for name, value in items:
        if isinstance(name, Prior):
            name, value = name.name, name
        if not isinstance(name, str) or name not in accepted:
            raise ParameterError(
                f"uncertainty: {name!r} is not a parameter of scenario {scenario!r}; allowed: "
                "its parameters (those with a prior: `commons list --priors`)"
            )
        out.append(_one(name, value, PRIOR_INDEX, PRIORS))
    names = [p.name for p in out]
    if len(set(names)) != len(names):
        raise ParameterError(f"uncertainty names a parameter twice: {names}; allowed: once each")
    return tuple(out)


def _one(name: str, value, index: dict, table) -> Prior:
    if isinstance(value, Prior):
        if value.name != name:
            raise ParameterError(f"uncertainty.{name} holds a prior of {value.name!r}")
        return value
    if value is True:
        if name not in index:
            raise ParameterError(
                f"uncertainty: {name!r} has no prior in the table; allowed: give its "
                "distribution, e.g. {'dist': 'uniform', 'low': .., 'high': ..}"
            )
        return table[index[name]]
    if isinstance(value, Mapping):
        fields = {"dist", "low", "high", "mode", "sd", "source"}
        unknown = sorted(set(value) - fields)
        if unknown:
            raise ParameterError(
                f"uncertainty.{name}.{unknown[0]} is not a field of a prior; allowed: "
                f"{', '.join(sorted(fields))}"
            )
        for key in ("dist", "low", "high"):
            if key not in value:
                raise ParameterError(f"uncertainty.{name}.{key} is missing; allowed: {key} given")
        return Prior(name=name, **{"source": "the user's own", **value})
    raise ParameterError(
        f"uncertainty.{name}={value!r} has type {type(value).__name__}; allowed: true, a Prior "
        "or a dict with dist, low, high (and mode, sd)"
    )
