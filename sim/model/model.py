"""`CareSystem`: the place-based commons as a Mesa model, stepped by either engine."""

from __future__ import annotations

from functools import partial

import mesa
import numpy as np

from agents import Commissioner, Place, Regulator, Trust
from sim.core.checks import MAX_SEED, check_seed, fresh_seed  # noqa: F401  (re-exported)
from sim.core.constants import MEASURES, N_MEASURES, SCENARIOS, SUMMARIES
from sim.core.init import build_world
from sim.core.jit import as_python
from sim.core.measures import measure, summarize
from sim.core.params import ParameterError, check_scenario, pack, validate
from sim.core.rules import RuleSet, resolve
from sim.core.state import as_ref
from sim.core.submodels import PHASES
from sim.engine import kernel

ENGINES = ("numba", "python")


class CareSystem(mesa.Model):
    """Organisations of a place-based system of care drawing on a common pool.

    Args:
        rules: A preset name (see `sim.core.rules.PRESETS`), a `RuleSet`, or a dict of levers with an
            optional "preset" base and "without" principles.
        scenario: The world: "place_system" (default: the NHS place-based system of care),
            "classroom_commons" (the laboratory common-pool resource game) or "public_goods"
            (the linear public goods game).
        seed: Base seed of the keyed random numbers (random when None; see `self.seed`).
        run: Run key, so that replicates of one seed differ (as in `sim.run_many`).
        engine: "numba" (the compiled kernel) or "python" (each Mesa agent steps itself).
        **params: Scenario parameters (see `sim.core.params.PARAMETERS` or `commons list`).

    Each `step()` is one month (one round in the laboratory games).
    """

    def __init__(
        self,
        *,
        rules: str | RuleSet | dict = "shared_governance",
        scenario: str = "place_system",
        seed: int | None = None,
        run: int = 0,
        engine: str = "numba",
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
        self.rules = resolve(rules)
        self.params = validate(scenario, **params)
        self.p = pack(scenario, self.params)
        self.r = self.rules.vector()
        if self.engine == "numba":
            self.world = build_world(self.p, self.r, self.world_code, self.seed, self.run)
        else:  # every function of the model as plain Python, initialisation included
            self.world = as_python(build_world)(
                self.p, self.r, self.world_code, self.seed, self.run
            )
        self._world_ref = as_ref(self.world)  # the kernel's handle on the same arrays
        self._python_phases = {phase.name: as_python(phase.fn) for phase in PHASES}
        compiled = self.engine == "numba"
        self._measure = measure if compiled else as_python(measure)
        self._summarize = summarize if compiled else as_python(summarize)
        self.measures = np.zeros(N_MEASURES)
        self._history: list[np.ndarray] = []
        self.running = True

        w = self.world
        self.places = [Place(self, q) for q in range(w.place_ics.shape[0])]
        self.commissioners = [Commissioner(self, q) for q in range(w.place_ics.shape[0])]
        self.regulator = Regulator(self)
        self.trusts = [Trust(self, i) for i in range(w.org_kind.shape[0])]
        self._schedule = [(phase.name, self._actions(phase)) for phase in PHASES]

        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(i) for i, name in enumerate(MEASURES)},
            agenttype_reporters={
                Trust: {
                    "kind": "kind",
                    "cooperation": "cooperation",
                    "balance": "balance",
                    "mean_trust": "mean_trust",
                    "breaches": "breaches",
                },
                Place: {"health": "health"},
            },
        )

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

    def step(self):
        """Advance one month with the chosen engine and collect its measures."""
        if self.engine == "numba":
            kernel.step(self._world_ref, self.p, self.r)
            measure(self._world_ref, self.p, self.r, self.measures)
        else:
            for _, actions in self._schedule:
                for act in actions:
                    act()
            self._measure(self.world, self.p, self.r, self.measures)
        self._history.append(self.measures.copy())
        self.datacollector.collect(self)

    def run_for(self, months: int) -> CareSystem:
        """Step `months` times; returns the model, for chaining."""
        for _ in range(int(months)):
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


def _reporter(column: int):
    def report(model: CareSystem) -> float:
        return float(model.measures[column])

    return report
