"""The Mesa model (`CareSystem`); its agents are the top-level `agents` package.

`agents` is imported first: it imports Mesa without letting Mesa change the process's
multiprocessing start method.
"""

import agents  # noqa: F401  (first: see above)
from sim.model.model import CareSystem

__all__ = ["CareSystem"]
