"""Place: need across service lines and a stock of population health.

Phases loop over places `lo..hi-1` (the kernel passes every place, a Mesa `Place` its own).
"""

import math

from sim.core.constants import (
    ACUTE,
    N_LINES,
    PLACE_SYSTEM,
    PREVENTIVE,
    RNG_DEMAND_SHOCK_A,
    RNG_DEMAND_SHOCK_B,
)
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rng import uniform
from sim.core.state import CLOCK_STEP, KEY_RUN, KEY_SEED, KEY_WORLD
from sim.core.submodels.common import clamp, monthly_need_growth
from sim.core.submodels.games import tally_claims

SQRT6 = 6.0**0.5  # scales the sum of two uniforms to unit standard deviation


@jit
def update_need(w, p, r, lo, hi):
    """Need grows with ageing and multimorbidity, rises as health falls, varies with a monthly
    shock, and carries the waiting list; unmet out-of-hospital need arrives at acute care."""
    health = w.health
    health_base = w.health_base
    need_base = w.need_base
    need = w.need
    waiting = w.waiting
    spill = w.spill
    acute_new = w.acute_new
    key = w.key
    clock = w.clock
    if key[KEY_WORLD] != PLACE_SYSTEM:
        tally_claims(w, lo, hi)
        return
    growth = 1.0 + monthly_need_growth(p)
    elasticity = p[P.health_need_elasticity]
    noise = p[P.demand_noise]
    seed, run, step = key[KEY_SEED], key[KEY_RUN], int(clock[CLOCK_STEP])
    for q in range(lo, hi):
        health_factor = 1.0 + elasticity * (health_base[q] - health[q]) / health_base[q]
        # A month's shock to new need (winter, outbreaks): triangular, mean 1, s.d. demand_noise.
        u1 = uniform(seed, run, step, q, RNG_DEMAND_SHOCK_A)
        u2 = uniform(seed, run, step, q, RNG_DEMAND_SHOCK_B)
        shock = max(0.0, 1.0 + noise * SQRT6 * (u1 + u2 - 1.0))
        factor = max(0.0, health_factor) * shock
        for k in range(N_LINES):
            need_base[q, k] *= growth
            need[q, k] = need_base[q, k] * factor + waiting[q, k]
        need[q, ACUTE] += spill[q]
        acute_new[q] = need_base[q, ACUTE] * factor + spill[q]


@jit
def prevention_gain(effect, saturation, x):
    """Health gained a month from prevention worth `x` of need: `effect s (1 - exp(-x / s))`, slope
    `effect` at the first pound, never more than `effect s` in all."""
    return effect * saturation * (1.0 - math.exp(-x / saturation))


@jit
def update_health(w, p, r, lo, hi):
    """Count care delivered; left need joins the waiting list and spills into acute demand;
    prevention builds population health and left need erodes it."""
    place_con = w.place_con
    con_kind = w.con_kind
    activity = w.activity
    prevention_delivered = w.prevention_delivered
    delivered = w.delivered
    need = w.need
    unmet = w.unmet
    waiting = w.waiting
    health = w.health
    health_base = w.health_base
    key = w.key
    prevention_spend = w.prevention_spend
    spill = w.spill
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    if key[KEY_WORLD] != PLACE_SYSTEM:
        return
    attrition = p[P.waiting_attrition]
    spillover = p[P.spillover]
    recovery = p[P.health_recovery]
    prevention_effect = p[P.prevention_effect]
    saturation = p[P.prevention_saturation]
    unmet_harm = p[P.unmet_harm]
    delivered, need, unmet_line, waiting = delivered, need, unmet, waiting
    for q in range(lo, hi):
        for k in range(N_LINES):
            delivered[q, k] = 0.0
        prevention = 0.0
        for idx in range(place_con_start[q], place_con_end[q]):
            c = place_con[idx]
            delivered[q, con_kind[c]] += activity[c]
            prevention += prevention_delivered[c]
        prevention_spend[q] = prevention
        need_total = 0.0
        unmet_total = 0.0
        spilled = 0.0
        for k in range(N_LINES):
            left = max(0.0, need[q, k] - delivered[q, k])
            unmet_line[q, k] = left
            waiting[q, k] = (1.0 - attrition) * left
            need_total += need[q, k]
            unmet_total += left
            if PREVENTIVE[k] == 1:
                spilled += left
        # Of those leaving the waiting list, a share arrives at acute care next month.
        spill[q] = spillover * attrition * spilled
        h = health[q]
        dh = recovery * (health_base[q] - h)
        if need_total > 0.0:
            # Prevention with diminishing returns: the first pound gains `prevention_effect` per
            # unit of need; the marginal gain falls by 1/e every `saturation` of prevention/need.
            # Harm comes from those who leave the waiting list untreated this month.
            dh += prevention_gain(prevention_effect, saturation, prevention / need_total)
            dh -= unmet_harm * attrition * unmet_total / need_total
        health[q] = clamp(h + dh, 0.0, 1.0)
