"""`CareSystem`: the place-based commons as a Mesa model, stepped by either engine."""

from __future__ import annotations

import mesa
import numpy as np

from sim.core import submodels
from sim.core.checks import MAX_SEED, check_seed, fresh_seed  # noqa: F401  (re-exported)
from sim.core.constants import MEASURES, N_MEASURES, SCENARIOS, SUMMARIES
from sim.core.measures import measure, summarize
from sim.core.params import ParameterError, check_scenario, pack, validate
from sim.core.rules import RuleSet, resolve
from sim.core.state import as_ref, build_world
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
        self.world = build_world(self.p, self.r, self.world_code, self.seed, self.run)
        self._world_ref = as_ref(self.world)  # the kernel's handle on the same arrays
        self.measures = np.zeros(N_MEASURES)
        self._history: list[np.ndarray] = []
        self.running = True

        from agents import Commissioner, Place, Regulator, Trust

        w = self.world
        self.places = [Place(self, q) for q in range(w.place_ics.shape[0])]
        self.commissioners = [Commissioner(self, q) for q in range(w.place_ics.shape[0])]
        self.regulator = Regulator(self)
        self.trusts = [Trust(self, i) for i in range(w.org_kind.shape[0])]

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
    def step(self):
        """Advance one month with the chosen engine and collect its measures."""
        if self.engine == "numba":
            kernel.step(self._world_ref, self.p, self.r)
            measure(self._world_ref, self.p, self.r, self.measures)
        else:
            self._step_agents()
            measure.py_func(self.world, self.p, self.r, self.measures)
        self._history.append(self.measures.copy())
        self.datacollector.collect(self)

    def _step_agents(self):
        """One month, agent by agent, in the order of `sim.engine.kernel.PHASES`."""
        w, p, r = self.world, self.p, self.r
        submodels.begin_step.py_func(w, p, r)
        self.regulator.pool_risk()
        for place in self.places:
            place.update_need()
        for commissioner in self.commissioners:
            commissioner.allocate()
        for trust in self.trusts:
            trust.plan()
        for commissioner in self.commissioners:
            commissioner.pay()
        for trust in self.trusts:
            trust.deliver()
        for trust in self.trusts:
            self.regulator.assess(trust)
        for place in self.places:
            place.update_health()
        for trust in self.trusts:
            trust.update_trust()
        for trust in self.trusts:
            trust.learn()
        for trust in self.trusts:
            trust.commit()
        for trust in self.trusts:
            self.regulator.intervene(trust)

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
        values = summarize(self.history, self.world_code)
        return {name: float(v) for name, v in zip(SUMMARIES, values, strict=True)}


def _reporter(column: int):
    def report(model: CareSystem) -> float:
        return float(model.measures[column])

    return report
