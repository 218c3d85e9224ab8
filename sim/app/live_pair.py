"""Two runs of one scenario stepped side by side: the live view's models (`LivePair`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.app.settings import MAX_LIVE_MONTHS, SIDE_TITLES, SIDES, describe_rules
from sim.core.constants import MEASURES
from sim.core.rules import RuleSet
from sim.core.schedule import Schedule
from sim.model import CareSystem


@dataclass
class LivePair:
    """Two runs of one scenario side by side, stepped together (one step = one month/round)."""

    left: RuleSet | Schedule  # a rule set, or a policy schedule (rules adopted at a month)
    right: RuleSet | Schedule
    scenario: str = "place_system"
    params: dict = field(default_factory=dict)
    seed: int = 1
    models: dict = field(init=False)

    def __post_init__(self):
        self.models = {
            # collect=False: the page draws from `history`; Mesa's per-agent records cost
            # more than the month itself.
            side: CareSystem(
                rules=rules,
                scenario=self.scenario,
                seed=int(self.seed),
                collect=False,
                **self.params,
            )
            for side, rules in (("left", self.left), ("right", self.right))
        }
        self.positions = {side: None for side in SIDES}

    @property
    def month(self) -> int:
        return self.models["left"].month

    def step(self, n: int = 1) -> None:
        for _ in range(int(n)):
            if self.month >= MAX_LIVE_MONTHS:
                return
            for model in self.models.values():
                model.step()

    def rebuilt(self, **changes) -> LivePair:
        """A fresh pair with some settings changed, stepped to this pair's month."""
        new = LivePair(
            left=changes.get("left", self.left),
            right=changes.get("right", self.right),
            scenario=changes.get("scenario", self.scenario),
            params=changes.get("params", self.params),
            seed=changes.get("seed", self.seed),
        )
        new.step(changes.get("month", self.month))
        return new

    def history(self, side: str) -> np.ndarray:
        return self.models[side].history

    def frame(self) -> pd.DataFrame:
        """Every measure of both runs, one row per panel and month (the CSV export)."""
        parts = []
        for side in SIDES:
            model = self.models[side]
            df = pd.DataFrame(model.history, columns=list(MEASURES))
            df.insert(0, "month", np.arange(1, len(df) + 1))
            df.insert(0, "seed", self.seed)
            df.insert(0, "scenario", self.scenario)
            df.insert(0, "rules", describe_rules(model.rules))
            df.insert(0, "panel", SIDE_TITLES[side])
            for key, value in self.params.items():
                df[key] = value
            for lever, value in model.rules.levers().items():
                df[f"lever_{lever}"] = value
            parts.append(df)
        return pd.concat(parts, ignore_index=True)

    def csv(self) -> bytes:
        return self.frame().to_csv(index=False).encode()


__all__ = ["LivePair"]
