"""The model's rules: one function per phase of a month, each owning its loop over its agents.

Every phase has the signature `phase(w, p, r, lo, hi)`: the state (a `World`, or the kernel's
`WorldRef` over the same arrays), the parameter and lever vectors, and the range of agents it acts
on. The kernel calls each phase once over all its agents; a Mesa agent calls the same phase over
itself alone (`lo=i, hi=i+1`). Both engines therefore run the same code in the same order, which
is what makes them agree to the bit. `PHASES` is the month's order; both engines are driven by it.
Equations and parameter values are documented in docs/ODD.md, section 7.

Worlds (scenarios) choose the payoff function only; the behaviour (claiming, monitoring, sanctions,
trust, learning) is shared by all of them.
"""

from collections.abc import Callable
from typing import NamedTuple

from sim.core.submodels.choice import choose_rules
from sim.core.submodels.clock import begin_step
from sim.core.submodels.commissioner import allocate, pay
from sim.core.submodels.place import update_health, update_need
from sim.core.submodels.regulator import assess, intervene, oversee, pool_risk
from sim.core.submodels.trust import commit, deliver, invest, learn, plan, update_trust


class Phase(NamedTuple):
    """One phase of the month.

    Attributes:
        name: The phase's function name, and the method of the Mesa agent that runs it.
        actor: Who acts: "model", "regulator", "place", "commissioner" or "trust".
        unit: What it loops over: "world" (once), "place" or "org".
        fn: The phase function `fn(w, p, r, lo, hi)`.
    """

    name: str
    actor: str
    unit: str
    fn: Callable


PHASES: tuple[Phase, ...] = (
    Phase("begin_step", "model", "world", begin_step),
    Phase("pool_risk", "regulator", "world", pool_risk),
    Phase("update_need", "place", "place", update_need),
    Phase("allocate", "commissioner", "place", allocate),
    Phase("choose_rules", "commissioner", "place", choose_rules),
    Phase("plan", "trust", "org", plan),
    Phase("pay", "commissioner", "place", pay),
    Phase("deliver", "trust", "org", deliver),
    Phase("invest", "trust", "org", invest),
    Phase("assess", "regulator", "org", assess),
    Phase("update_health", "place", "place", update_health),
    Phase("update_trust", "trust", "org", update_trust),
    Phase("learn", "trust", "org", learn),
    Phase("commit", "trust", "org", commit),
    Phase("oversee", "regulator", "org", oversee),
    Phase("intervene", "regulator", "org", intervene),
)
PHASE = {phase.name: phase for phase in PHASES}

__all__ = ["PHASE", "PHASES", "Phase"]
