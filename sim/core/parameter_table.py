"""The parameter table: every scenario parameter with its default, type, range, scenarios, meaning
and source (or the reasoning for its value), declared once, in five files by topic.

Sources are keyed as in docs/references.md; "reasoning" marks a stylised value with the argument
for it (docs/ODD.md, section 5, says more). The machinery that validates and packs these values is
in `sim.core.params`; the order here is the order of the kernel's parameter vector.
"""

from __future__ import annotations

from sim.core.parameter_spec import Param
from sim.core.parameters_behaviour import BEHAVIOUR_PARAMETERS
from sim.core.parameters_costs import COST_PARAMETERS
from sim.core.parameters_nhs import DISCHARGE_PARAMETERS, NHS_PARAMETERS
from sim.core.parameters_place import PLACE_PARAMETERS
from sim.core.parameters_standalone import STANDALONE_PARAMETERS

PARAMETERS: tuple[Param, ...] = (
    *PLACE_PARAMETERS,
    *COST_PARAMETERS,
    *BEHAVIOUR_PARAMETERS,
    *NHS_PARAMETERS,
    *STANDALONE_PARAMETERS,
    # New parameters go last: a prior draw is keyed by the parameter's index (sim.core.priors),
    # so appending leaves every earlier parameter's draws, and the runs made from them, as they
    # were.
    *DISCHARGE_PARAMETERS,
)

__all__ = ["PARAMETERS", "Param"]
