"""Commissioners: each holds one place's allocation (the common pool) and pays its providers."""

import mesa


class Commissioner(mesa.Agent):
    """The commissioner of one place: receives the allocation, repays deficit, and pays providers
    under the rule set's funding model.

    Args:
        model: The `CareSystem` it belongs to.
        place: Index of the place whose pool it holds.
    """

    def __init__(self, model, place: int):
        super().__init__(model)
        self.place = place

    @property
    def pool_balance(self) -> float:
        """The pool's balance: reserve (+) or deficit (-), GBP million."""
        return float(self.model.world.pool_balance[self.place])

    @property
    def allocation(self) -> float:
        return float(self.model.world.allocation[self.place])

    @property
    def available(self) -> float:
        return float(self.model.world.available[self.place])

    @property
    def prevention_slice(self) -> float:
        """The prevention slice in force at this place: the rules' tabled one, or the one its
        partners chose at the last planning round (collective choice, ODD 7.25)."""
        return float(self.model.world.chosen_slice[self.place])

    @property
    def fine_multiple(self) -> float:
        """The multiple of the rules' tabled fine in force at this place (1 unless its partners
        voted another)."""
        return float(self.model.world.fine_factor[self.place])

    def allocate(self):
        """Receive the month's allocation; hold some back to repay deficit."""
        self.model.run_phase("allocate", self.place, self.place + 1)

    def choose_rules(self):
        """Put the tabled prevention slice and fine to this place's partners' vote, at each annual
        planning round under collective choice."""
        self.model.run_phase("choose_rules", self.place, self.place + 1)

    def pay(self):
        """Pay this place's contracts and the costs of commissioning and governance."""
        self.model.run_phase("pay", self.place, self.place + 1)
