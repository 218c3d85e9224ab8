"""Mesa agents of the care-commons model: trusts, commissioners, the regulator, and places.

Each agent owns phases of the month (see sim.core.submodels.PHASES). Its step methods call the model's
rules (sim.core.submodels) as plain Python on its own index; its attributes read the shared array state,
so they are current under either engine.

Mesa is imported here first, with the process's multiprocessing start method saved and restored:
`mesa.batchrunner` calls `multiprocessing.set_start_method("spawn", force=True)` when imported,
which would change how every later pool in the process starts its workers (docs/interoperability.md).
"""

import multiprocessing

_START_METHOD = multiprocessing.get_start_method(allow_none=True)
import mesa  # noqa: E402, F401  (forces "spawn" as it loads; restored on the next line)

multiprocessing.set_start_method(_START_METHOD, force=True)

from .commissioner import Commissioner  # noqa: E402
from .place import Place  # noqa: E402
from .regulator import Regulator  # noqa: E402
from .trust import Trust  # noqa: E402

__all__ = ["Commissioner", "Place", "Regulator", "Trust"]
