"""The model core: parameters, rule sets, state, initialisation, submodels and measures.

Pure NumPy and numba: no Mesa or pandas, and no file I/O but the numba cache's (`jit.py`), so a
Dask worker or a kernel-only user needs nothing else. Both engines run this code. `sim.core.jit` must be imported before any compiled
function is defined (it points numba's cache at a folder keyed by these sources).
"""

from sim.core import jit as _jit  # noqa: F401  (configures the compiled-code cache first)
