"""The model-level phase that opens a month."""

from sim.core.constants import MONTHS_PER_YEAR
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.state import CLOCK_BUDGET, CLOCK_NEED, CLOCK_STEP
from sim.core.submodels.common import monthly_need_growth


@jit
def begin_step(w, p, r, lo, hi):
    """Advance the clock, compound the budget and need factors, and clear this month's flows."""
    clock = w.clock
    breach = w.breach
    detected = w.detected
    fine = w.fine
    overclaim = w.overclaim
    income = w.income
    spend = w.spend
    takeover_cost = w.takeover_cost
    support_cost = w.support_cost
    fines_in = w.fines_in
    org_kind = w.org_kind
    place_ics = w.place_ics
    clock[CLOCK_STEP] += 1.0
    clock[CLOCK_BUDGET] *= 1.0 + p[P.budget_growth] / MONTHS_PER_YEAR
    clock[CLOCK_NEED] *= 1.0 + monthly_need_growth(p)
    for i in range(org_kind.shape[0]):
        breach[i] = 0.0
        detected[i] = 0.0
        fine[i] = 0.0
        overclaim[i] = 0.0
        income[i] = 0.0
        spend[i] = 0.0
    for q in range(place_ics.shape[0]):
        takeover_cost[q] = 0.0
        support_cost[q] = 0.0
        fines_in[q] = 0.0
