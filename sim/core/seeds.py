"""Seeds: what a valid seed is, and a fresh one when the user gives none."""

import numpy as np

from sim.core.params import ParameterError

MAX_SEED = 2**53 - 1  # seeds live in a float64 clock slot in the state, so must be exact there


def check_seed(seed, name: str = "seed") -> int:
    if (
        isinstance(seed, bool)
        or not isinstance(seed, int | np.integer)
        or not 0 <= seed <= MAX_SEED
    ):
        raise ParameterError(
            f"{name}={seed!r} is not allowed; allowed: an integer in [0, {MAX_SEED}]"
        )
    return int(seed)


def fresh_seed() -> int:
    """A random seed, for when the user gives none (recorded in `model.seed`)."""
    return int(np.random.SeedSequence().entropy % MAX_SEED)
