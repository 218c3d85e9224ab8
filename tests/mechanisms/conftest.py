"""Hand-built worlds for the mechanism tests (one file per actor, as Axelrod tests each strategy).

Each test builds a world of two or three organisations in one place, sets the state arrays it needs
by name, runs one phase through the agents' own methods and checks the effect against values worked
out by hand from docs/ODD.md (section 7). The tests use only the model's public surface:
`CareSystem(...)`, `model.world.<field>`, `model.params`, `RuleSet`, the agents' methods,
`model.step()`, `model.current()` and `model.summary()`. The one exception, the start of a month,
is kept in the `begin_month` fixture below so that it can be switched in one place.

Fixtures
--------
tiny_world(rules=None, **params)
    A `CareSystem` on the per-agent Python engine: one ICS, one place, one acute and one community
    trust, no other providers, no ambulance trust, no demand noise and no winter (ODD 7.22; the
    tests of winter set `winter_amplitude`), and places and organisations
    that do not differ (every spread of ODD 7.15 at 0: the population, need, allocation and
    health of the place are the parameters', every organisation costs 1 a unit and starts with
    a balance of 0, and providers of one line share it equally). Any parameter can be changed;
    tests/mechanisms/test_heterogeneity.py sets the spreads.
begin_month(model)
    Starts a month: advances the clock and clears the month's flows.
learner(rules=None, **params)
    The tiny world set for the learning tests of ODD 7.11 (see `make_learner`).
edge(model, i, j)
    Index of the partner edge "i trusts j" in `model.world.trust`.
"""

from __future__ import annotations

import pytest

from sim import CareSystem, RuleSet

# One place; one acute and one community trust; every other count zero; no demand noise and no
# seasonal swing of need; identical places and organisations.
TINY = {
    "n_ics": 1,
    "n_places": 1,
    "acute_per_place": 1,
    "community_per_place": 1,
    "mental_health_per_place": 0,
    "primary_care_per_place": 0,
    "social_care_per_place": 0,
    "ambulance_per_ics": 0,
    "demand_noise": 0.0,
    "winter_amplitude": 0.0,
    "population_spread": 0.0,
    "need_spread": 0.0,
    "allocation_spread": 0.0,
    "health_spread": 0.0,
    "unit_cost_spread": 0.0,
    "balance_spread": 0.0,
    "size_spread": 0.0,
}
# The spreads of places and organisations that differ (ODD 7.15), for the tests that set them.
SPREADS = (
    "population_spread",
    "need_spread",
    "allocation_spread",
    "health_spread",
    "unit_cost_spread",
    "balance_spread",
    "size_spread",
)


def make_tiny_world(rules=None, seed: int = 1, **params) -> CareSystem:
    """A small place-based world on the per-agent engine (see the module docstring)."""
    settings = {**TINY, **params}
    return CareSystem(
        rules=RuleSet() if rules is None else rules, seed=seed, engine="python", **settings
    )


def start_month(model: CareSystem) -> None:
    """Begin a month (the clock and the month's flows). The one place that reaches past the
    public surface: switch it here when the kernel's phase functions change."""
    for name in ("begin_month", "begin_step"):
        method = getattr(model, name, None)
        if callable(method):
            method()
            return
    from sim.core import submodels

    submodels.begin_step.py_func(model.world, model.p, model.r)


def edge_index(model: CareSystem, i: int, j: int) -> int:
    """The edge on which organisation i holds its trust in organisation j."""
    w = model.world
    for e in range(int(w.edge_start[i]), int(w.edge_end[i])):
        if int(w.edge_dst[e]) == j:
            return e
    raise AssertionError(f"organisation {i} has no partner edge to {j}")


def make_learner(rules=None, **params) -> CareSystem:
    """The tiny world set for the learning tests (ODD 7.11): the community trust (organisation 1)
    weighs 2 units of overclaim on a 20 income, paid 90% of what the blocks asked; cooperation 0.5
    and trust 0.5; conditional cooperators of neutral risk attitude. Its target is then 0.6 x
    belief 0.5 + 0.4 x payoff target (no lower than the payoff target of self-interest alone), and
    it closes 0.1 of the gap a month."""
    model = make_tiny_world(rules, **{"exploration": 0.0, **params})
    w = model.world
    w.org_type[:] = 0
    w.risk_attitude[:] = 1.0
    w.cooperation[:] = [0.5, 0.5]
    w.trust[:] = 0.5
    w.selfish_claim[:] = [50.0, 12.0]
    w.coop_claim[:] = [50.0, 10.0]
    w.agreed_prevention[:] = 0.0
    w.pay_ratio[0] = 0.9
    w.org_income_ref[:] = [90.0, 20.0]
    return model


@pytest.fixture
def tiny_world():
    return make_tiny_world


@pytest.fixture
def learner():
    return make_learner


@pytest.fixture
def begin_month():
    return start_month


@pytest.fixture
def edge():
    return edge_index
