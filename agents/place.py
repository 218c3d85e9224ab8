"""Places: a population with need across service lines and a stock of population health."""

import mesa

from sim.core.constants import KIND_NAMES, N_LINES


class Place(mesa.Agent):
    """A place (about 250,000 to 500,000 people) within an integrated care system. The trusts and
    commissioner of the place refer to it; it updates its own need and health.

    Args:
        model: The `CareSystem` it belongs to.
        index: Its row in the model's place arrays.
    """

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def ics(self) -> int:
        return int(self.model.world.place_ics[self.index])

    @property
    def health(self) -> float:
        return float(self.model.world.health[self.index])

    @property
    def population(self) -> float:
        return float(self.model.world.population[self.index])

    @property
    def need_index(self) -> float:
        """Need per head against the average place (age structure and deprivation)."""
        return float(self.model.world.need_index[self.index])

    @property
    def allocation_index(self) -> float:
        """Allocation per head against the average place."""
        return float(self.model.world.alloc_index[self.index])

    def _lines(self, array) -> dict[str, float]:
        return {KIND_NAMES[k]: float(array[self.index, k]) for k in range(N_LINES)}

    @property
    def need(self) -> dict[str, float]:
        return self._lines(self.model.world.need)

    @property
    def unmet(self) -> dict[str, float]:
        return self._lines(self.model.world.unmet)

    @property
    def waiting(self) -> dict[str, float]:
        return self._lines(self.model.world.waiting)

    @property
    def waiting_patients(self) -> dict[str, float]:
        """Its waiting lists in patients (cases), by line."""
        return self._lines(self.model.world.waiting_patients)

    @property
    def delayed_discharges(self) -> float:
        """Acute capacity (GBP million a month) taken next month by patients fit to leave who
        wait for social care."""
        return float(self.model.world.delayed[self.index])

    @property
    def spend(self) -> dict[str, float]:
        return self._lines(self.model.world.spend_line)

    def update_need(self):
        """Need grows, responds to health and carries the waiting list and spillover."""
        self.model.run_phase("update_need", self.index, self.index + 1)

    def update_health(self):
        """Count care delivered; unmet need and prevention move population health."""
        self.model.run_phase("update_health", self.index, self.index + 1)
