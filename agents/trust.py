"""Provider organisations (and the players of the laboratory games)."""

import mesa

from sim.core.constants import KIND_NAMES, TYPE_NAMES


class Trust(mesa.Agent):
    """A provider organisation: acute, community, mental health, primary care, ambulance, social
    care, or a participant of a laboratory game.

    Args:
        model: The `CareSystem` it belongs to.
        index: Its row in the model's organisation arrays.
    """

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    # --- state, read from the model's arrays ---
    @property
    def kind(self) -> str:
        return KIND_NAMES[self.model.world.org_kind[self.index]]

    @property
    def place(self) -> int:
        """Home place index (-1 for an organisation serving every place of its system)."""
        return int(self.model.world.org_place[self.index])

    @property
    def places(self) -> list[int]:
        w = self.model.world
        return [
            int(w.con_place[c])
            for c in range(w.org_con_start[self.index], w.org_con_end[self.index])
        ]

    @property
    def cooperation(self) -> float:
        return float(self.model.world.cooperation[self.index])

    @property
    def behaviour_type(self) -> str:
        """Its behavioural type (Fischbacher, Gaechter and Fehr 2001): conditional, free_rider,
        hump or other."""
        return TYPE_NAMES[self.model.world.org_type[self.index]]

    @property
    def leadership(self) -> float:
        """How strongly system leadership speeds the rise of its trust (1 = the average)."""
        return float(self.model.world.leadership[self.index])

    @property
    def risk_attitude(self) -> float:
        """How heavily it weighs an expected fine (above 1: risk averse)."""
        return float(self.model.world.risk_attitude[self.index])

    @property
    def vision(self) -> float:
        """The weight it puts on the system's outcome beside its own: what the rules ask for,
        taken up at the speed of trust after a change of rules (ODD 7.10)."""
        return float(self.model.world.vision[self.index])

    @property
    def conduct(self) -> float:
        """How much of the way from its selfish claim to its norm it kept this month (1 all the
        way; ODD 7.8); graded trust reads it (ODD 7.10)."""
        return float(self.model.world.conduct[self.index])

    @property
    def unit_cost(self) -> float:
        """Cost of a unit of care it delivers (1 = the average organisation)."""
        return float(self.model.world.unit_cost[self.index])

    @property
    def kept(self) -> float:
        """The share of the agreed norm it keeps to this month: its cooperation, gated by its
        trust in its partners."""
        return float(self.model.world.kept[self.index])

    @property
    def balance(self) -> float:
        """Financial balance: reserves (+) or deficit (-), GBP million."""
        return float(self.model.world.balance[self.index])

    @property
    def claim(self) -> float:
        w = self.model.world
        return float(
            sum(w.claim[c] for c in range(w.org_con_start[self.index], w.org_con_end[self.index]))
        )

    @property
    def income(self) -> float:
        return float(self.model.world.income[self.index])

    @property
    def breaches(self) -> int:
        """Detected breaches on record."""
        return int(self.model.world.record[self.index])

    @property
    def in_breach(self) -> bool:
        return bool(self.model.world.breach[self.index] > 0)

    @property
    def sanctioned(self) -> bool:
        return bool(self.model.world.detected[self.index] > 0)

    @property
    def failures(self) -> int:
        """Times it has failed and been taken over."""
        return int(self.model.world.failures[self.index])

    @property
    def segment(self) -> int:
        """Its oversight segment: 1 (no support needs) to 4 (special measures)."""
        return int(self.model.world.segment[self.index])

    @property
    def in_special_measures(self) -> bool:
        return bool(self.model.world.segment[self.index] >= 4)

    @property
    def capacity(self) -> float:
        """Care it can deliver a month, over all its contracts."""
        w = self.model.world
        return float(w.capacity[w.org_con_start[self.index] : w.org_con_end[self.index]].sum())

    @property
    def member(self) -> bool:
        return bool(self.model.world.org_member[self.index] > 0)

    def partners(self) -> dict[int, float]:
        """Trust in each partner, by the partner's unique_id."""
        w = self.model.world
        return {
            self.model.trusts[int(w.edge_dst[e])].unique_id: float(w.trust[e])
            for e in range(w.edge_start[self.index], w.edge_end[self.index])
        }

    @property
    def mean_trust(self) -> float:
        """Mean trust in its partners (0 without partners)."""
        w = self.model.world
        lo, hi = w.edge_start[self.index], w.edge_end[self.index]
        return float(w.trust[lo:hi].mean()) if hi > lo else 0.0

    # --- behaviour: each phase runs the model's rule (sim.core.submodels.trust) for this
    # organisation only, as plain Python ---
    def _run(self, phase: str):
        self.model.run_phase(phase, self.index, self.index + 1)

    def plan(self):
        """Claim from the pool: between the agreed share and all it can bill."""
        self._run("plan")

    def deliver(self):
        """Deliver care, rationing unfunded work by its duty to treat; finances move."""
        self._run("deliver")

    def invest(self):
        """Pay back the efficiency factor; invest the capital element of its costs (and its
        reserves) in capacity as far as it has the cash; unit cost falls with productivity."""
        self._run("invest")

    def update_trust(self):
        """Update trust in each partner from whether it kept to its share."""
        self._run("update_trust")

    def learn(self):
        """Choose next month's cooperation from payoff, partners and sanctions."""
        self._run("learn")

    def commit(self):
        """Adopt the cooperation learned this month."""
        self._run("commit")

    def __repr__(self):
        return f"Trust({self.unique_id}, {self.kind}, cooperation={self.cooperation:.2f})"
