"""Counter-based random numbers keyed by (seed, run, step, agent, purpose).

A draw is a pure function of its key (a SplitMix64 hash chain), so it does not depend on the engine,
the thread count, the order runs are scheduled in, or the machine. Both engines call this one
compiled function.
"""

import functools

import numpy as np

from sim.core.jit import jit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def _wrapping(fn):
    """Plain-Python twins wrap around 2**64 silently, as compiled code does."""

    @functools.wraps(fn)
    def run(*args):
        with np.errstate(over="ignore"):
            return fn(*args)

    return run


@jit(python_wrapper=_wrapping)
def _mix(z):
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _mix_array(z: np.ndarray) -> np.ndarray:
    """`_mix` over a uint64 array at once (NumPy), for draws made outside the kernel."""
    with np.errstate(over="ignore"):
        z = z + _GOLDEN
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        return z ^ (z >> _S31)


@jit(python_wrapper=_wrapping)
def uniform(seed, run, step, agent, purpose):
    """A float in [0, 1) determined by the key alone."""
    h = _mix(np.uint64(seed))
    h = _mix(h ^ np.uint64(run))
    h = _mix(h ^ np.uint64(step + 1))
    h = _mix(h ^ np.uint64(agent + 1))
    h = _mix(h ^ np.uint64(purpose))
    return np.float64(h >> _S11) * _TO_UNIT
