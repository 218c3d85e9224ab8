"""Probabilistic runs: which priors a batch draws from, and the draw each replicate uses.

Replicate j of every rule set and point uses draw `j // seeds_per_draw` and run key j. So every
rule set compared at a replicate sees the same parameter draw and the same random numbers
(paired, common random numbers), and with `seeds_per_draw = k` the k replicates sharing a draw
differ by their seeds alone: the spread within a draw is seed noise, the spread between draws
parameter uncertainty. Both `run_many` and experiment files go through `Uncertainty`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sim.core.checks import check_int
from sim.core.params import COUNT_PARAMETERS, PARAMETER_INDEX, _check_consistency, parameter
from sim.core.priors import Prior, draw, resolve

# Parameters a constraint between parameters involves (`sim.core.params._check_consistency`):
# only when one of them is drawn must each draw be checked against the others.
SHARES = ("share_conditional", "share_free_rider", "share_hump")
LINKED = frozenset({*SHARES, *COUNT_PARAMETERS})


@dataclass(frozen=True)
class Uncertainty:
    """The priors a batch draws from and how many seeded replicates share each draw.

    Attributes:
        priors: The priors drawn (parameters given explicitly are left out: they win).
        seeds_per_draw: Replicates sharing each draw (replicate j uses draw j // seeds_per_draw).
    """

    priors: tuple[Prior, ...]
    seeds_per_draw: int = 1

    @property
    def names(self) -> tuple[str, ...]:
        """The drawn parameters, in table order."""
        return tuple(p.name for p in self.priors)

    def describe(self) -> str:
        """In a few words, e.g. "uncertainty over 78 priors, 1 seed per draw"."""
        k = self.seeds_per_draw
        return f"uncertainty over {len(self.priors)} priors, {k} seed{'s' * (k != 1)} per draw"

    @classmethod
    def build(
        cls, spec, scenario: str, seeds_per_draw: int = 1, fixed: Iterable[str] = ()
    ) -> Uncertainty | None:
        """The uncertainty of `spec` (anything `resolve` takes), less the `fixed` parameters.

        Returns None when `spec` is None or False (no probabilistic run).

        Raises:
            ParameterError: A bad spec or `seeds_per_draw` (not an integer >= 1).
        """
        seeds_per_draw = check_int(seeds_per_draw, "seeds_per_draw", 1)
        if spec is None or spec is False:
            return None
        fixed = set(fixed)
        return cls(tuple(p for p in resolve(spec, scenario) if p.name not in fixed), seeds_per_draw)

    def draw_of(self, replicates) -> np.ndarray:
        """The draw index of each replicate number."""
        return np.asarray(replicates, dtype=np.int64) // self.seeds_per_draw

    def values(self, seed: int, replicates) -> dict[str, np.ndarray]:
        """The drawn value of every parameter at each replicate number (aligned with it)."""
        reps = np.asarray(replicates, dtype=np.int64)
        draws, inverse = np.unique(self.draw_of(reps), return_inverse=True)
        return {k: v[inverse] for k, v in draw(self.priors, seed, draws).items()}

    def columns(self, seed: int, replicates) -> dict[str, np.ndarray]:
        """The columns a probabilistic run adds to its run table, aligned with `replicates`:
        `draw`, then each drawn parameter's value (integer parameters as integers)."""
        out = {"draw": self.draw_of(replicates)}
        for name, values in self.values(seed, replicates).items():
            out[name] = values.astype(np.int64) if parameter(name).kind is int else values
        return out

    def apply(self, params: np.ndarray, seed: int, replicates) -> dict[str, np.ndarray]:
        """Write each run's drawn values into its packed parameter row, in place.

        Args:
            params: [n_runs, n_params] packed parameter vectors (`sim.core.params.pack`).
            seed: The base seed.
            replicates: The replicate number of each run.

        Returns:
            The drawn values per run, by parameter name.
        """
        values = self.values(seed, replicates)
        for name, column in values.items():
            params[:, PARAMETER_INDEX[name]] = column
        return values

    def check(self, scenario: str, points: list[dict], seed: int, replicates: int) -> None:
        """Refuse draws that break a constraint between parameters (the behavioural shares sum
        to at most 1; at least one organisation) at any point, naming the point and the draw."""
        linked = LINKED & set(self.names)
        if not linked:
            return  # nothing drawn that a constraint involves; the points were checked
        draws = np.unique(self.draw_of(np.arange(replicates)))
        values = draw([p for p in self.priors if p.name in linked], seed, draws)
        for i, point in enumerate(points):
            where = f"points[{i}] with prior draw {{}}: "
            if linked <= set(SHARES):  # the usual case, checked for every draw at once
                total = sum(values.get(name, point[name]) for name in SHARES)
                bad = np.flatnonzero(np.broadcast_to(total, draws.shape) > 1.0 + 1e-12)
                if len(bad):
                    merged = {**point, **{k: float(v[bad[0]]) for k, v in values.items()}}
                    _check_consistency(scenario, merged, where.format(draws[bad[0]]))
                continue
            for j, d in enumerate(draws):
                merged = {**point, **{k: float(v[j]) for k, v in values.items()}}
                _check_consistency(scenario, merged, where.format(d))
