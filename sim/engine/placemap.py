"""How the figures of a place file map onto the model (docs/place_files.md): the need index from
age and deprivation, the split of an organisation's budget over the places it serves, and the
packed layout the kernel reads (`sim.core.placed`).

The need index is need per head against the average English place. Given in the file it is used
as it is (NHS England's weighted population over the population is such an index). Otherwise it is
approximated from the share aged 65 and over and the average IMD score:

    need_index = age_factor x deprivation_factor
    age_factor = (1 + (AGE_COST_RATIO - 1) share_65) / (1 + (AGE_COST_RATIO - 1) ENGLAND_65)
    deprivation_factor = 1 + DEPRIVATION_WEIGHT (imd - ENGLAND_IMD) / ENGLAND_IMD

with either factor 1 when its figure is not given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.constants import KIND_NAMES
from sim.core.params import COUNT_PARAMETERS, ParameterError
from sim.core.placed import CON_COLS, HEADER, ORG_COLS, PLACE_COLS

# Share of England's population aged 65 and over, Census 2021 [ONS-C2021].
ENGLAND_65 = 0.184
# Health spending per head of people aged 65 and over against those under 65 [OBR-FSR]; reasoning:
# about 2.5 times (spend rises steeply with age; the 85+ cost several times the 65-74).
AGE_COST_RATIO = 2.5
# Average IMD 2019 score of England's neighbourhoods [MHCLG-IMD2019].
ENGLAND_IMD = 21.7
# Extra need per head of a place twice as deprived as the English average; reasoning: NHS England's
# health inequalities adjustment and need weights lift the most deprived areas' targets by about
# a tenth to a fifth [NHSE-ALLOC]: 0.15.
DEPRIVATION_WEIGHT = 0.15
KINDS = KIND_NAMES[:6]  # the service lines (the laboratory games' participant is not a kind)


class PlaceFileError(ParameterError):
    """A place file is invalid: the message names the file, the line, the field, the value and
    what is allowed."""


@dataclass(frozen=True)
class PlaceSpec:
    """One place of a place file, as read."""

    name: str
    population: float
    allocation: float  # GBP million a year
    need_index: float  # given or derived
    share_65_plus: float | None = None
    imd_score: float | None = None


@dataclass(frozen=True)
class OrganisationSpec:
    """One organisation of a place file, as read: `shares` is its budget's share in each place it
    serves (by place index), summing to 1."""

    name: str
    kind: str
    budget: float  # GBP million a year
    unit_cost: float
    balance: float  # GBP million
    shares: tuple[tuple[int, float], ...]


def derived_need_index(share_65: float | None, imd: float | None) -> float:
    """Need per head against the English average, from age and deprivation (module docstring)."""
    age = 1.0
    if share_65 is not None:
        age = (1.0 + (AGE_COST_RATIO - 1.0) * share_65) / (
            1.0 + (AGE_COST_RATIO - 1.0) * ENGLAND_65
        )
    deprivation = 1.0
    if imd is not None:
        deprivation = 1.0 + DEPRIVATION_WEIGHT * (imd - ENGLAND_IMD) / ENGLAND_IMD
    return age * deprivation


def population_shares(served: list[int], places: list[PlaceSpec]) -> tuple[tuple[int, float], ...]:
    """An organisation serving several places without stated shares: its budget split by the
    places' populations."""
    total = sum(places[q].population for q in served)
    return tuple((q, places[q].population / total) for q in served)


def pack_layout(
    places: list[PlaceSpec], orgs: list[OrganisationSpec], reference_per_head: float
) -> np.ndarray:
    """The flat vector `sim.core.placed` reads: the header, the places, the organisations and
    their contracts (one per place served, weighted by the budget it holds there)."""
    contracts = [
        (i, q, org.budget * share) for i, org in enumerate(orgs) for q, share in org.shares
    ]
    head = [len(places), len(orgs), len(contracts), reference_per_head]
    rows = [
        head,
        *([pl.population, pl.need_index, pl.allocation] for pl in places),
        *([KINDS.index(org.kind), org.unit_cost, org.balance] for org in orgs),
        *([i, q, weight] for i, q, weight in contracts),
    ]
    flat = np.array([x for row in rows for x in row], dtype=np.float64)
    expected = HEADER + len(places) * PLACE_COLS + len(orgs) * ORG_COLS
    assert flat.size == expected + len(contracts) * CON_COLS
    return flat


def _toml_value(value) -> str:
    """A value of a place file as TOML: text, number, list of names or table of shares."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{_toml_value(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
        )
    raise TypeError(
        f"{value!r} has type {type(value).__name__}; allowed: text, number, list, table"
    )


def place_file_text(data: dict) -> str:
    """The TOML text of a place file from a dict of the same shape (`system`, a table; `places`
    and `organisations`, lists of tables), e.g. to write your own figures from Python. The text
    is checked when it is read (`parse_place_file`), not here."""
    lines = []
    if "system" in data:
        lines.append("[system]")
        lines += [f"{key} = {_toml_value(v)}" for key, v in data["system"].items()]
        lines.append("")
    for section in ("places", "organisations"):
        for table in data.get(section, []):
            lines.append(f"[[{section}]]")
            lines += [f"{key} = {_toml_value(v)}" for key, v in table.items()]
            lines.append("")
    return "\n".join(lines)


# The world's shape, which a place file sets: refused beside one.
SHAPE_PARAMETERS = (*COUNT_PARAMETERS, "population")
# Parameters with a prior that only the generated world's draws read (ODD 7.15): with a place file
# its own allocations, unit costs, balances and budgets stand in their place, so a probabilistic
# run leaves them out rather than draw values that change nothing.
IDLE_WITH_PLACE_FILE = ("need_compensation", "unit_cost_spread", "balance_spread", "size_spread")


def not_drawn_with(system) -> tuple[str, ...]:
    """The priors a probabilistic run leaves out with the place file `system` (none without)."""
    return () if system is None else IDLE_WITH_PLACE_FILE


def check_place_params(system, scenario: str, params: dict, points) -> None:
    """With a place file: the place-based world, and none of the shape parameters it sets."""
    if system is None:
        return
    if scenario != "place_system":
        raise PlaceFileError(
            f"scenario={scenario!r} with the place file {system.path}; allowed: place_system"
        )
    for where, values in [("", params), *((f"points[{i}].", pt) for i, pt in enumerate(points))]:
        for key in SHAPE_PARAMETERS:
            if key in values:
                raise PlaceFileError(
                    f"{where}{key}={values[key]!r} is set by the place file {system.path}; "
                    "allowed: leave it out with a place file"
                )
