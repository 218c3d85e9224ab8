"""Scenario parameters: declared once, validated, packed into one float vector for the kernel.

Every parameter has a default, a type, an allowed range, the scenarios it applies to and a one-line
description; unknown keys, wrong types and out-of-range values raise `ParameterError` naming the key,
the value and what is allowed (as Starsim and Covasim do).
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np

from sim.core.constants import FLOAT, SCENARIOS


class ParameterError(ValueError):
    """A scenario parameter or rule lever was given a value it cannot take."""


@dataclass(frozen=True)
class Param:
    name: str
    default: float
    kind: type  # int or float
    low: float
    high: float
    doc: str
    scenarios: tuple[str, ...] = ("place_system",)

    def allowed(self) -> str:
        kind = "integer" if self.kind is int else "number"
        return f"{kind} in [{self.low:g}, {self.high:g}]"


_PS = ("place_system",)
_CPR = ("classroom_commons",)
_PG = ("public_goods",)
_ALL = SCENARIOS

PARAMETERS: tuple[Param, ...] = (
    # --- world shape (place-based system of care) ---
    Param("n_ics", 1, int, 1, 100, "integrated care systems in the world", _PS),
    Param("n_places", 3, int, 1, 50, "places in each integrated care system", _PS),
    Param("acute_per_place", 1, int, 0, 5, "acute trusts in each place", _PS),
    Param("community_per_place", 1, int, 0, 5, "community trusts in each place", _PS),
    Param("mental_health_per_place", 1, int, 0, 5, "mental health trusts in each place", _PS),
    Param("primary_care_per_place", 1, int, 0, 5, "primary care networks in each place", _PS),
    Param("social_care_per_place", 1, int, 0, 5, "local authority social care providers", _PS),
    Param("ambulance_per_ics", 1, int, 0, 3, "ambulance trusts, each serving every place", _PS),
    Param("population", 500_000, float, 1_000, 5_000_000, "people in each place", _PS),
    Param("spend_per_head", 2_600.0, float, 100, 20_000, "annual allocation per person (GBP)", _PS),
    # --- pressure ---
    Param("budget_growth", 0.02, float, -0.2, 0.3, "annual real growth of the allocation", _PS),
    Param("need_growth", 0.015, float, -0.2, 0.3, "annual growth of need (multimorbidity)", _PS),
    Param("ageing", 0.01, float, 0.0, 0.2, "annual growth of need from an ageing population", _PS),
    # --- population health and demand ---
    Param(
        "demand_noise",
        0.03,
        float,
        0.0,
        0.3,
        "standard deviation of a place's monthly demand shock (winter, outbreaks)",
        _PS,
    ),
    Param("initial_health", 0.7, float, 0.05, 0.95, "population health stock at the start", _PS),
    Param(
        "health_need_elasticity",
        0.5,
        float,
        0.0,
        5.0,
        "rise in need per relative fall in health",
        _PS,
    ),
    Param(
        "health_recovery", 0.01, float, 0.0, 0.5, "monthly pull of health back to its baseline", _PS
    ),
    Param(
        "prevention_effect", 0.03, float, 0.0, 1.0, "health gained per unit prevention/need", _PS
    ),
    Param(
        "unmet_harm",
        0.01,
        float,
        0.0,
        1.0,
        "health lost per unit share of need leaving untreated",
        _PS,
    ),
    Param(
        "spillover",
        0.7,
        float,
        0.0,
        5.0,
        "acute demand per pound of out-of-hospital need left untreated",
        _PS,
    ),
    Param(
        "waiting_attrition",
        0.3,
        float,
        0.01,
        1.0,
        "share of the waiting list leaving each month",
        _PS,
    ),
    Param(
        "running_cost_share",
        0.02,
        float,
        0.0,
        0.5,
        "share of the base-year allocation for running costs",
        _PS,
    ),
    Param("capacity_headroom", 0.1, float, 0.0, 1.0, "provider capacity above starting need", _PS),
    Param(
        "induced_demand",
        0.15,
        float,
        0.0,
        1.0,
        "extra activity billable when activity is paid",
        _PS,
    ),
    Param(
        "tariff_margin", 0.0, float, -0.5, 0.5, "margin on planned activity under the tariff", _PS
    ),
    Param("emergency_marginal_rate", 0.3, float, 0.0, 1.0, "tariff paid for emergency growth", _PS),
    Param(
        "target_value",
        0.3,
        float,
        0.0,
        2.0,
        "value to an organisation of meeting its own targets",
        _PS,
    ),
    Param("prevention_value", 1.5, float, 0.0, 5.0, "system value of a pound of prevention", _PS),
    # --- finance and failure ---
    Param(
        "repayment_rate", 0.04, float, 0.0, 1.0, "share of system deficit repaid each month", _PS
    ),
    Param(
        "max_repayment_share", 0.05, float, 0.0, 0.5, "cap on repayment as share of allocation", _PS
    ),
    Param(
        "reserve_draw",
        0.1,
        float,
        0.0,
        1.0,
        "share of reserves a commissioner may spend a month",
        _PS,
    ),
    Param(
        "failure_threshold",
        0.5,
        float,
        0.0,
        2.0,
        "deficit/annual income at which a provider fails",
        _PS,
    ),
    Param("takeover_cost", 0.02, float, 0.0, 1.0, "one-off cost of a takeover/annual income", _PS),
    # --- the laboratory common-pool resource game (Ostrom, Gardner & Walker 1994) ---
    Param("n_appropriators", 8, int, 2, 100, "players in the group", _CPR + _PG),
    Param("endowment", 25.0, float, 1, 1000, "tokens each player holds each round", _CPR + _PG),
    Param("cpr_a", 23.0, float, 0.0, 1000, "group return F(X) = aX - bX^2: a (cents)", _CPR),
    Param("cpr_b", 0.25, float, 0.0001, 100, "group return F(X) = aX - bX^2: b (cents)", _CPR),
    Param(
        "outside_return",
        5.0,
        float,
        0.0,
        1000,
        "return of a token in the outside market (cents)",
        _CPR,
    ),
    Param(
        "adjustment",
        0.3,
        float,
        0.01,
        1.0,
        "share of the gap to a best response closed a round",
        _CPR,
    ),
    # --- the linear public goods game (Fehr & Gaechter 2000) ---
    Param("mpcr", 0.4, float, 0.0, 1.0, "marginal per-capita return of the public account", _PG),
    # --- behaviour (all worlds) ---
    Param("initial_cooperation", 0.5, float, 0.0, 1.0, "mean starting cooperation", _ALL),
    Param("cooperation_spread", 0.2, float, 0.0, 1.0, "range of starting cooperation", _ALL),
    Param("initial_trust", 0.5, float, 0.0, 1.0, "starting trust between partners", _ALL),
    Param("learning_rate", 0.1, float, 0.0, 1.0, "share of the gap to target closed a month", _ALL),
    Param("payoff_sensitivity", 20.0, float, 0.0, 1000.0, "response to the incentive", _ALL),
    Param("conditional_weight", 0.6, float, 0.0, 1.0, "weight on belief about partners", _ALL),
    Param("share_conditional", 0.5, float, 0.0, 1.0, "conditional cooperators [FGF2001]", _ALL),
    Param("share_free_rider", 0.3, float, 0.0, 1.0, "free riders [FGF2001]", _ALL),
    Param("share_hump", 0.14, float, 0.0, 1.0, "hump-shaped contributors [FGF2001]", _ALL),
    Param("leadership_spread", 0.5, float, 0.0, 1.0, "half-range of leadership around 1", _ALL),
    Param("risk_spread", 0.5, float, 0.0, 1.0, "half-range of fine weight around 1 [HL2002]", _ALL),
    Param("trust_gate", 0.5, float, 0.0, 1.0, "share of kept norm that waits on trust", _ALL),
    Param(
        "exploration", 0.04, float, 0.0, 1.0, "range of random trial changes in cooperation", _ALL
    ),
    Param(
        "trust_gain", 0.03, float, 0.0, 1.0, "monthly rise of trust after a kept agreement", _ALL
    ),
    Param("trust_loss", 0.25, float, 0.0, 1.0, "fall of trust after a breach", _ALL),
    Param(
        "breach_tolerance", 0.05, float, 0.0, 1.0, "overclaim share tolerated before a breach", _ALL
    ),
    Param(
        "deterrence", 0.2, float, 0.0, 1.0, "cooperation gained from a legitimate sanction", _ALL
    ),
    Param(
        "resentment",
        0.15,
        float,
        0.0,
        1.0,
        "cooperation and trust lost to an imposed sanction",
        _ALL,
    ),
    Param(
        "fine_per_unit", 1.0, float, 0.0, 100.0, "fine per unit overclaimed at full severity", _ALL
    ),
)

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
    },
    "public_goods": {
        "n_appropriators": 4,
        "endowment": 20.0,
        "mpcr": 0.4,
        "fine_per_unit": 1.0,
        "trust_gate": 0.0,
        "learning_rate": 0.4,
    },
}


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
    """The parameter vector the kernel reads (parameters of other scenarios keep their defaults)."""
    vec = np.array([p.default for p in PARAMETERS], dtype=FLOAT)
    for key, value in values.items():
        vec[PARAMETER_INDEX[key]] = value
    return vec
