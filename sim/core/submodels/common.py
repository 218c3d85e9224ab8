"""Small scalar helpers shared by the submodels (scalars only: no arrays cross these calls)."""

from sim.core.constants import MONTHS_PER_YEAR
from sim.core.jit import jit
from sim.core.params import PX as P


@jit
def clamp(x, low, high):
    return min(high, max(low, x))


@jit
def monthly_need_growth(p):
    """Monthly growth of need from multimorbidity and ageing (a share of need)."""
    return (p[P.need_growth] + p[P.ageing]) / MONTHS_PER_YEAR
