"""The model behind a room: a `CareSystem` whose organisations are the seats, stepped a round at a
time, phase by phase, with the students' choices put in after the `plan` phase.

The agents' choices are the model's own rules (the `plan` phase); a student's choice replaces only
the `claim` of that seat's contracts, so payments, monitoring, fines, trust and learning then
treat the student exactly as an agent. With no choice to put in, a round is the kernel's month to
the bit (`tests/test_classroom_room.py` checks this).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.core.constants import MX as M
from sim.core.params import PX as P
from sim.core.params import pack, validate
from sim.core.submodels import PHASES
from sim.core.submodels.games import commons_nash, commons_optimum, commons_return
from sim.model import CareSystem

GAMES = ("commons", "place")
SCENARIO = {"commons": "classroom_commons", "place": "place_system"}
# Seats a room may have: the commons game's group size (n_appropriators); the place game's
# organisations of one place (up to 5 providers of each of five kinds) and its ambulance trust.
SEAT_RANGE = {"commons": (2, 100), "place": (2, 26)}
# The place game's choice: the claim as a multiple of the agreed share (1 = the agreed share).
FACTOR_RANGE = (0.5, 1.5)
# The place game's providers, dealt round-robin to the seats (the last seat is the ambulance trust).
PLACE_ROLES = ("acute trust", "community trust", "mental health trust", "primary care network",
               "social care")  # fmt: skip
_PLACE_COUNTS = (
    "acute_per_place",
    "community_per_place",
    "mental_health_per_place",
    "primary_care_per_place",
    "social_care_per_place",
)


def game_params(game: str, seats: int) -> dict:
    """The scenario parameters that give the model exactly `seats` organisations."""
    if game == "commons":
        return {"n_appropriators": seats}
    counts = dict.fromkeys(_PLACE_COUNTS, 0)
    for k in range(seats - 1):
        counts[_PLACE_COUNTS[k % len(_PLACE_COUNTS)]] += 1
    return {"n_ics": 1, "n_places": 1, "ambulance_per_ics": 1, **counts}


def limits(game: str, endowment: float) -> tuple[float, float]:
    """The allowed choice: tokens in [0, endowment], or the factor range of the place game."""
    return (0.0, float(endowment)) if game == "commons" else FACTOR_RANGE


def build_model(game: str, seats: int, seed: int, rules, horizon: int) -> CareSystem:
    """The room's model: the game's scenario with `seats` organisations (compiled engine)."""
    return CareSystem(
        rules=rules,
        scenario=SCENARIO[game],
        seed=seed,
        horizon=horizon,
        **game_params(game, seats),
    )


@dataclass(frozen=True)
class Bounds:
    """What a game's numbers are: the endowment, Nash and optimum totals, the maximum rent."""

    endowment: float
    nash: float
    optimum: float
    max_rent: float


def bounds(game: str, seats: int) -> Bounds:
    """The commons game's closed forms for a room; NaN where the place game has none."""
    params = validate(SCENARIO[game], **game_params(game, seats))
    if game != "commons":
        return Bounds(math.nan, math.nan, math.nan, math.nan)
    p = pack(SCENARIO[game], params)
    best = commons_optimum(p)
    rent = commons_return(p, best) - p[P.outside_return] * best
    return Bounds(float(p[P.endowment]), float(commons_nash(p, seats)), float(best), float(rent))


def seat_roles(game: str, seats: int) -> list[str]:
    """What each seat plays: an appropriator of the commons game, or the kind of organisation
    (the order the model lays them out: providers by kind, then the ambulance trust)."""
    if game == "commons":
        return ["appropriator"] * seats
    counts = game_params(game, seats)
    roles = []
    for kind, name in zip(_PLACE_COUNTS, PLACE_ROLES, strict=True):
        roles += [name] * counts[kind]
    return [*roles, "ambulance trust"]


def _put_choices(model: CareSystem, game: str, choices: dict[int, float]) -> None:
    """Replace the planned claims of the students' seats (after `plan`)."""
    w = model.world  # the same arrays as the kernel's handle
    for seat, choice in choices.items():
        for c in range(w.org_con_start[seat], w.org_con_end[seat]):
            if game == "commons":
                w.claim[c] = choice
            else:  # the agreed share times the factor, within the contract's capacity
                w.claim[c] = min(w.capacity[c], w.agreed[c] * choice)


def play_round(model: CareSystem, game: str, choices: dict[int, float]) -> dict:
    """One round (a month of the model) with the students' `choices` (seat: tokens or factor).

    Returns:
        A dict: per seat arrays (claim, agreed, choice, earnings, fine) and the group's
        total, efficiency, fines, population health and system deficit.
    """
    model.adopt_due_rules()
    ref, w = model._world_ref, model.world
    count = {"world": 1, "place": w.place_ics.shape[0], "org": w.org_kind.shape[0]}
    for phase in PHASES:  # the kernel's month, in the same order, one call per phase
        phase.fn(ref, model.p, model.r, 0, count[phase.unit])
        if phase.name == "plan" and choices:
            _put_choices(model, game, choices)
    model.record_month()
    return _outcome(model, game)


def _outcome(model: CareSystem, game: str) -> dict:
    w = model.world
    # Each organisation owns consecutive contracts from org_con_start (one in the commons game).
    starts = w.org_con_start
    claim = np.add.reduceat(w.claim, starts)
    agreed = np.add.reduceat(w.agreed, starts)
    payment = np.add.reduceat(w.payment, starts)
    if game == "commons":
        choice = claim.copy()
    else:
        choice = np.divide(claim, agreed, out=np.full_like(claim, np.nan), where=agreed > 0)
    m = model.measures
    b = bounds(game, w.org_kind.shape[0])
    fines = float(w.fine.sum())
    group_total = float(claim.sum())
    efficiency = float(m[M.efficiency]) if game == "commons" else math.nan
    net = efficiency - fines / b.max_rent if game == "commons" and b.max_rent > 0 else math.nan
    return {
        "claim": claim,
        "agreed": agreed,
        "choice": choice,
        "earnings": payment,
        "fine": w.fine.copy(),
        "group_total": group_total,
        "efficiency": efficiency,
        "net_efficiency": net,
        "fines": fines,
        "population_health": float(m[M.population_health]) if game == "place" else math.nan,
        "system_deficit": float(m[M.system_deficit]) if game == "place" else math.nan,
        "nash": b.nash,
        "optimum": b.optimum,
    }


def schedule_for(treatment_rules: list) -> list:
    """A policy schedule from the rules of each round in turn: a change at round k + 1 is the
    pair (k, rules), as `CareSystem` reads it."""
    steps = [(0, treatment_rules[0])]
    for k in range(1, len(treatment_rules)):
        if treatment_rules[k] != steps[-1][1]:
            steps.append((k, treatment_rules[k]))
    return steps


def agents_path(game: str, seats: int, seed: int, treatment_rules: list) -> list[dict]:
    """The same rounds with every seat an agent (a plain `CareSystem` run of the same scenario,
    seed and schedule of rules): one outcome dict per round."""
    if not treatment_rules:
        return []
    rounds = len(treatment_rules)
    model = build_model(game, seats, seed, schedule_for(treatment_rules), rounds)
    out = []
    for _ in range(rounds):
        model.step()
        out.append(_outcome(model, game))
    return out
