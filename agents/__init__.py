"""Mesa agents of the care-commons model: trusts, commissioners, the regulator, and places.

Each agent owns phases of the month (see sim.core.submodels.PHASES). Its step methods call the model's
rules (sim.core.submodels) as plain Python on its own index; its attributes read the shared array state,
so they are current under either engine.
"""

from .commissioner import Commissioner
from .place import Place
from .regulator import Regulator
from .trust import Trust

__all__ = ["Commissioner", "Place", "Regulator", "Trust"]
