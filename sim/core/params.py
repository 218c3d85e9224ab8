"""Scenario parameters: declared once, validated, packed into one float vector for the kernel.

Every parameter has a default, a type, an allowed range, the scenarios it applies to and a one-line
description; unknown keys, wrong types and out-of-range values raise `ParameterError` naming the key,
the value and what is allowed (as Starsim and Covasim do).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from sim.core.constants import FLOAT, SCENARIOS
from sim.core.parameter_table import PARAMETERS, Param


class ParameterError(ValueError):
    """A scenario parameter or rule lever was given a value it cannot take."""


PARAMETER_INDEX = {p.name: i for i, p in enumerate(PARAMETERS)}
# Positions in the parameter vector by attribute (`PX.n_ics`), usable inside compiled code.
PX = namedtuple("ParameterIndex", PARAMETER_INDEX)(*PARAMETER_INDEX.values())
N_PARAMS = len(PARAMETERS)
_BY_NAME = {p.name: p for p in PARAMETERS}

# Scenario defaults that differ from the table (the published laboratory designs).
SCENARIO_DEFAULTS: dict[str, dict[str, float]] = {
    "place_system": {},
    "classroom_commons": {
        "n_appropriators": 8,
        "endowment": 25.0,
        "fine_per_unit": 10.0,
        "trust_gate": 0.0,
        "learning_rate": 0.4,
        "breach_visibility": 1.0,
        "join_trust": 0.0,
    },
    "public_goods": {
        "n_appropriators": 4,
        "endowment": 20.0,
        "mpcr": 0.4,
        "fine_per_unit": 1.0,
        "trust_gate": 0.0,
        "learning_rate": 0.4,
        "breach_visibility": 1.0,
        "join_trust": 0.0,
    },
}


# The counts that give the place-based world its shape (a place file sets them; the consistency
# check below and the draws of `sim.core.uncertainty` read them together).
COUNT_PARAMETERS = (
    "n_ics",
    "n_places",
    "acute_per_place",
    "community_per_place",
    "mental_health_per_place",
    "primary_care_per_place",
    "social_care_per_place",
    "ambulance_per_ics",
)


def parameter(name: str) -> Param:
    return _BY_NAME[name]


def parameters_for(scenario: str) -> tuple[Param, ...]:
    """The parameters a scenario accepts."""
    check_scenario(scenario)
    return tuple(p for p in PARAMETERS if scenario in p.scenarios)


def check_scenario(scenario: object) -> str:
    if not isinstance(scenario, str) or scenario not in SCENARIOS:
        raise ParameterError(
            f"scenario={scenario!r} is not a scenario; allowed: {', '.join(SCENARIOS)}"
        )
    return scenario


def defaults(scenario: str = "place_system") -> dict[str, float]:
    """Default values of every parameter the scenario accepts."""
    out = {p.name: p.default for p in parameters_for(scenario)}
    out.update(SCENARIO_DEFAULTS[scenario])
    return out


def coerce(param: Param, value: object, where: str = "") -> float:
    """Check one value against its declaration; return it as the declared type."""
    label = f"{where}{param.name}"
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ParameterError(
            f"{label}={value!r} has type {type(value).__name__}; allowed: {param.allowed()}"
        )
    # Range first (NaN compares false; a huge int is compared exactly, never made a float).
    if not (param.low <= value <= param.high):
        raise ParameterError(f"{label}={value!r} is out of range; allowed: {param.allowed()}")
    if param.kind is int:
        if float(value) != int(value):
            raise ParameterError(f"{label}={value!r} is not whole; allowed: {param.allowed()}")
        value = int(value)
    else:
        value = float(value)
    if not np.isfinite(value) or not (param.low <= value <= param.high):
        raise ParameterError(f"{label}={value!r} is out of range; allowed: {param.allowed()}")
    return value


def validate(scenario: str = "place_system", where: str = "", **overrides) -> dict[str, float]:
    """Merge overrides into the scenario's defaults, rejecting unknown keys and bad values."""
    values = defaults(scenario)
    for key, value in overrides.items():
        if key not in values:
            valid = ", ".join(sorted(values))
            raise ParameterError(
                f"{where}{key}={value!r} is not a parameter of scenario {scenario!r}; valid: {valid}"
            )
        values[key] = coerce(_BY_NAME[key], value, where)
    _check_consistency(scenario, values, where)
    return values


def _check_consistency(scenario: str, values: dict[str, float], where: str) -> None:
    types = values["share_conditional"] + values["share_free_rider"] + values["share_hump"]
    if types > 1.0 + 1e-12:
        raise ParameterError(
            f"{where}share_conditional+share_free_rider+share_hump={types:g}; allowed: at most 1"
        )
    if scenario == "place_system":
        per_place = sum(
            values[k]
            for k in (
                "acute_per_place",
                "community_per_place",
                "mental_health_per_place",
                "primary_care_per_place",
                "social_care_per_place",
            )
        )
        if per_place + values["ambulance_per_ics"] == 0:
            raise ParameterError(
                f"{where}acute_per_place..social_care_per_place and ambulance_per_ics are all 0; "
                "allowed: at least one organisation"
            )
        n_orgs = values["n_ics"] * (values["n_places"] * per_place + values["ambulance_per_ics"])
        if n_orgs > 20_000:
            raise ParameterError(
                f"{where}n_ics*n_places*(organisations per place)={n_orgs:g} organisations; "
                "allowed: at most 20000"
            )


def pack(scenario: str, values: dict[str, float]) -> np.ndarray:
    """The parameter vector the kernel reads (parameters of other scenarios keep their defaults, or
    the value they declare for elsewhere: `Param.elsewhere`)."""
    vec = np.array(
        [
            p.default if scenario in p.scenarios or p.elsewhere is None else p.elsewhere
            for p in PARAMETERS
        ],
        dtype=FLOAT,
    )
    for key, value in values.items():
        vec[PARAMETER_INDEX[key]] = value
    return vec
