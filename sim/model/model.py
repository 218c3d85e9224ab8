"""`CareSystem`: the place-based commons as a Mesa model, stepped by either engine.

The model works with Mesa's tools as Mesa users expect (docs/interoperability.md): the
`DataCollector` collects once when the model is made (step 0, the initial state) and once a month;
`running` turns False after the declared `horizon`, so `mesa.batch_run(max_steps=N)` with
`horizon=N` runs N months; agent reporters cover every agent type; and the model pickles and
deep-copies, continuing bit-identically after the round trip.
"""

from __future__ import annotations

import itertools
from functools import partial

import mesa
import numpy as np

from agents import Commissioner, Place, Regulator, Trust
from sim.core.checks import MAX_SEED, check_int, check_seed, fresh_seed  # noqa: F401 (MAX_SEED)
from sim.core.constants import MEASURES, N_MEASURES, SCENARIOS, SUMMARIES
from sim.core.init import adopt_rules, build_world_from
from sim.core.jit import as_python
from sim.core.measures import measure, summarize
from sim.core.params import ParameterError, check_scenario, pack, validate
from sim.core.rules import RuleSet, resolve
from sim.core.schedule import Schedule, as_schedule
from sim.core.state import as_ref
from sim.core.submodels import PHASES
from sim.engine import kernel
from sim.engine.placefile import as_place_system
from sim.engine.placemap import check_place_params

ENGINES = ("numba", "python")
# The usual length of a run: ten years of months (run_many and the shipped experiments), the 40
# rounds of the laboratory commons studies, the 10 periods of Fehr & Gaechter's public goods game.
HORIZONS = {"place_system": 120, "classroom_commons": 40, "public_goods": 10}
# Rebuilt after unpickling or copying: the kernel's handle and the functions bound to this model.
_REBUILT = ("_world_ref", "_python_phases", "_measure", "_summarize", "_schedule")
# Agent reporters for every agent type, column: attribute (None where an agent lacks it): the
# columns `mesa.batch_run` gives each agent's rows, named apart from the model's measures.
AGENT_REPORTERS = {
    "kind": "kind",
    "place": "place",
    "cooperation": "cooperation",
    "kept": "kept",
    "behaviour_type": "behaviour_type",
    "balance": "balance",
    "partner_trust": "mean_trust",
    "breach_record": "breaches",
    "health": "health",
    "place_pool_balance": "pool_balance",
}


class CareSystem(mesa.Model):
    """Organisations of a place-based system of care drawing on a common pool.

    Args:
        rules: A preset name (see `sim.core.rules.PRESETS`), a `RuleSet`, a dict of levers with an
            optional "preset" base and "without" principles, or a policy schedule: a list of
            `(month, rules)` pairs from month 0 (`[(0, "fortress"), (60, "shared_governance")]`
            runs shared governance from month 61), or a `sim.core.schedule.Schedule`.
        scenario: The world: "place_system" (default: the NHS place-based system of care),
            "classroom_commons" (the laboratory common-pool resource game) or "public_goods"
            (the linear public goods game).
        seed: Base seed of the keyed random numbers (random when None; see `self.seed`).
        run: Run key, so that replicates of one seed differ (as in `sim.run_many`); with
            `mesa.batch_run`, pass `"run": range(k)` for k distinct, reproducible replicates.
        engine: "numba" (the compiled kernel) or "python" (each Mesa agent steps itself).
        horizon: Months after which `running` turns False (default: the scenario's usual length,
            `HORIZONS`). `step()` and `run_for()` still advance past it when called.
        place_file: The user's own system (a path or a `sim.engine.placefile.PlaceSystem`,
            docs/place_files.md): its places and organisations replace the draws of ODD 7.15;
            kept as `self.place_system` (None without one).
        collect: When False, the `DataCollector` gathers nothing after the initial state (the
            measures and `history` are kept as always): for a caller that reads `history` only
            and steps often, such as the app, where the per-agent records cost more than the
            month itself.
        **params: Scenario parameters (see `sim.core.params.PARAMETERS` or `commons list`).

    Each `step()` is one month (one round in the laboratory games). The `DataCollector` holds the
    initial state as step 0 and month k as step k, for the model and its agents alike.

    Raises:
        ParameterError: A bad seed, run, engine, horizon, scenario, rule set or parameter.
    """

    def __init__(
        self,
        *,
        rules: str | RuleSet | dict | list | Schedule = "shared_governance",
        scenario: str = "place_system",
        seed: int | None = None,
        run: int = 0,
        engine: str = "numba",
        horizon: int | None = None,
        place_file=None,
        collect: bool = True,
        **params,
    ):
        seed = fresh_seed() if seed is None else check_seed(seed)
        super().__init__(seed=seed)
        self.seed = seed
        self.run = check_seed(run, "run")
        if engine not in ENGINES:
            raise ParameterError(
                f"engine={engine!r} is not an engine; allowed: {', '.join(ENGINES)}"
            )
        self.engine = engine
        self.scenario = check_scenario(scenario)
        self.world_code = SCENARIOS.index(scenario)
        self.schedule = as_schedule(rules)
        self.rules = self.schedule.at(0)
        self.place_system = as_place_system(place_file)
        check_place_params(self.place_system, scenario, params, [])
        self.params = validate(scenario, **params)
        self.p = pack(scenario, self.params)
        self.r = self.rules.vector()  # the rules in force, read by every phase each month
        system = self.place_system
        layout = np.zeros(0) if system is None else system.layout()
        # With engine="python", every function of the model runs as plain Python, init included.
        python = self.engine != "numba"
        self.world = build_world_from(
            self.p, self.r, self.world_code, self.seed, self.run, layout, python
        )
        self.measures = np.zeros(N_MEASURES)
        self._history: list[np.ndarray] = []
        self.horizon = HORIZONS[scenario] if horizon is None else check_int(horizon, "horizon", 1)
        self.running = True

        w = self.world
        self.places = [Place(self, q) for q in range(w.place_ics.shape[0])]
        self.commissioners = [Commissioner(self, q) for q in range(w.place_ics.shape[0])]
        self.regulator = Regulator(self)
        self.trusts = [Trust(self, i) for i in range(w.org_kind.shape[0])]
        self._bind()

        self.collect = bool(collect)
        self.datacollector = _datacollector()
        self._measure_now()  # the initial state: step 0 of the DataCollector
        self.datacollector.collect(self)

    def _bind(self) -> None:
        """The kernel's handle on the world's arrays and the functions the engines call."""
        self._world_ref = as_ref(self.world)  # the kernel's handle on the same arrays
        self._python_phases = {phase.name: as_python(phase.fn) for phase in PHASES}
        compiled = self.engine == "numba"
        self._measure = measure if compiled else as_python(measure)
        self._summarize = summarize if compiled else as_python(summarize)
        self._schedule = [(phase.name, self._actions(phase)) for phase in PHASES]

    def __getstate__(self) -> dict:
        """The model without its compiled handle and bound functions (rebuilt on load)."""
        return {k: v for k, v in self.__dict__.items() if k not in _REBUILT}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._bind()
        # Mesa numbers agents per model: a restored model goes on from its highest id.
        mesa.Agent._ids[self] = itertools.count(max(a.unique_id for a in self.agents) + 1)

    # ------------------------------------------------------------------ stepping
    def _actions(self, phase) -> list:
        """The agent methods that run one phase, in the order the kernel runs its agents."""
        if phase.unit == "world":
            owner = self if phase.actor == "model" else self.regulator
            return [getattr(owner, phase.name)]
        if phase.actor == "regulator":  # the regulator acts on each organisation in turn
            return [partial(getattr(self.regulator, phase.name), t) for t in self.trusts]
        agents = {"trust": self.trusts, "place": self.places, "commissioner": self.commissioners}
        return [getattr(agent, phase.name) for agent in agents[phase.actor]]

    def run_phase(self, name: str, lo: int, hi: int) -> None:
        """Run one phase of the month (plain Python) for agents `lo..hi-1` of its kind."""
        self._python_phases[name](self.world, self.p, self.r, lo, hi)

    def begin_step(self) -> None:
        """Open a month: advance the clock and clear the month's flows."""
        self.run_phase("begin_step", 0, 1)

    def set_rules(self, rules) -> None:
        """Change the rules from the next month on, as a policy schedule would (recorded in
        `self.schedule`); the organisations re-decide who belongs to the partnership.

        Args:
            rules: A preset name, a `RuleSet` or a lever dict.
        """
        rs = resolve(rules)
        kept = tuple(step for step in self.schedule.steps if step[0] < self.month)
        self.schedule = Schedule((*kept, (self.month, rs)))
        self._adopt(rs)

    def _adopt(self, rs: RuleSet) -> None:
        self.rules = rs
        self.r[:] = rs.vector()
        if self.engine == "numba":
            adopt_rules(self._world_ref, self.p, self.r)
        else:
            as_python(adopt_rules)(self.world, self.p, self.r)

    def step(self):
        """Advance one month with the chosen engine and collect its measures; after the
        `horizon`-th month, `running` turns False. A policy schedule's change due this month
        takes effect first."""
        self.adopt_due_rules()
        if self.engine == "numba":
            kernel.step(self._world_ref, self.p, self.r)
        else:
            for _, actions in self._schedule:
                for act in actions:
                    act()
        self.record_month()

    def adopt_due_rules(self) -> None:
        """Before a month's phases: the policy schedule's change due this month takes effect (a
        caller that runs the phases itself, such as the classroom, calls this first)."""
        due = self.schedule.at(self.month)
        if due != self.rules:
            self._adopt(due)

    def record_month(self) -> None:
        """After a month's phases: its measures, one history row, the DataCollector's collection
        (unless `collect` is off) and, past the horizon, `running` turned False (as `step`
        does)."""
        self._measure_now()
        self._history.append(self.measures.copy())
        if self.collect:
            self.datacollector.collect(self)
        if self.month >= self.horizon:
            self.running = False

    def _measure_now(self) -> None:
        """This month's measures into `self.measures`."""
        world = self._world_ref if self.engine == "numba" else self.world
        self._measure(world, self.p, self.r, self.measures)

    def run_for(self, months: int) -> CareSystem:
        """Step `months` times (an integer >= 0, past the horizon if asked); returns the model.

        Raises:
            ParameterError: `months` is not an integer >= 0 (a string, float or bool included).
        """
        for _ in range(check_int(months, "months", 0)):
            self.step()
        return self

    # ------------------------------------------------------------------ reporting
    @property
    def month(self) -> int:
        return len(self._history)

    @property
    def history(self) -> np.ndarray:
        """Measures so far: one row per month, columns as `sim.core.constants.MEASURES`."""
        if not self._history:
            return np.zeros((0, N_MEASURES))
        return np.vstack(self._history)

    def current(self) -> dict[str, float]:
        """This month's measures by name."""
        return {name: float(v) for name, v in zip(MEASURES, self.measures, strict=True)}

    def summary(self) -> dict[str, float]:
        """Run outcomes so far, as a flat dict (see `sim.core.constants.SUMMARIES`)."""
        values = self._summarize(self.history, self.world_code)
        return {name: float(v) for name, v in zip(SUMMARIES, values, strict=True)}


def _measure_value(column: int, model: CareSystem) -> float:
    """A model reporter: one of this month's measures (a module function, so it pickles)."""
    return float(model.measures[column])


def _agent_type(agent) -> str:
    """An agent reporter: the agent's class name ("Trust", "Place", ...)."""
    return type(agent).__name__


class Attribute:
    """An agent reporter reading one attribute, None for an agent without it (picklable, unlike
    the closures Mesa makes of attribute names)."""

    def __init__(self, name: str):
        self.name = name

    def __call__(self, agent):
        return getattr(agent, self.name, None)

    def __repr__(self) -> str:
        return f"Attribute({self.name!r})"


# What the DataCollector records of each Trust agent, beside the reporters of every agent type.
TRUST_REPORTERS = (
    "kind",
    "cooperation",
    "kept",
    "balance",
    "mean_trust",
    "breaches",
    "behaviour_type",
    "leadership",
    "risk_attitude",
    "vision",
)


# The commissioner's pool and the rules in force at its place (chosen by vote under collective
# choice, ODD 7.25).
COMMISSIONER_REPORTERS = ("pool_balance", "prevention_slice", "fine_multiple")


def _datacollector() -> mesa.DataCollector:
    """Every measure of the model; agent reporters for every agent type (None where an agent
    lacks one); and the Trust, Place and Commissioner reporters by type."""
    return mesa.DataCollector(
        model_reporters={name: partial(_measure_value, i) for i, name in enumerate(MEASURES)},
        agent_reporters={"agent_type": _agent_type}
        | {column: Attribute(name) for column, name in AGENT_REPORTERS.items()},
        agenttype_reporters={
            Trust: {name: Attribute(name) for name in TRUST_REPORTERS},
            Place: {"health": Attribute("health")},
            Commissioner: {name: Attribute(name) for name in COMMISSIONER_REPORTERS},
        },
    )
