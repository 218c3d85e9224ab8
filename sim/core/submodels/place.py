"""Place: need across service lines and a stock of population health; its waiting lists (in money
and in patients) and the acute capacity its delayed discharges take.

Phases loop over places `lo..hi-1` (the kernel passes every place, a Mesa `Place` its own).
"""

import math

import numpy as np

from sim.core.constants import (
    ACUTE,
    MONTHS_PER_YEAR,
    N_LINES,
    PLACE_SYSTEM,
    PREVENTIVE,
    RNG_DEMAND_SHOCK_A,
    RNG_DEMAND_SHOCK_B,
    SOCIAL_CARE,
)
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rng import uniform
from sim.core.rules import RX as R
from sim.core.state import CLOCK_STEP, KEY_RUN, KEY_SEED, KEY_WORLD
from sim.core.submodels.common import clamp, monthly_need_growth
from sim.core.submodels.games import tally_claims

SQRT6 = 6.0**0.5  # scales the sum of two uniforms to unit standard deviation
# A run starts in April, the first month of the NHS financial year; winter peaks in January.
FIRST_MONTH = 4
PEAK_MONTH = 1
POUNDS_PER_MILLION = 1.0e6
# Cost of a case on each line's waiting list (GBP), to count the list in patients (ODD 7.21; the
# one table: the measures sum these counts): an acute referral-to-treatment pathway, a community
# nursing contact, a mental health care contact, a GP consultation, an ambulance incident, a month
# of long-term social care (sources in docs/references.md, "Readable outcomes").
COST_PER_CASE = np.array([520.0, 47.0, 250.0, 45.0, 270.0, 1840.0])


@jit
def season(p, step):
    """Winter: need's seasonal factor in month `step`, `1 + winter_amplitude cos(2 pi (m - 1)/12)`
    with m the calendar month (January 1), so January is the peak and July the trough; it
    averages 1 over any twelve months."""
    month = (step - 1 + FIRST_MONTH - 1) % 12 + 1
    angle = 2.0 * math.pi * (month - PEAK_MONTH) / MONTHS_PER_YEAR
    return 1.0 + p[P.winter_amplitude] * math.cos(angle)


@jit
def update_need(w, p, r, lo, hi):
    """Need grows with ageing and multimorbidity, rises as health falls, varies with the season and
    a monthly shock, and carries the waiting list; unmet out-of-hospital need arrives at acute
    care."""
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
    winter = season(p, step)
    for q in range(lo, hi):
        health_factor = 1.0 + elasticity * (health_base[q] - health[q]) / health_base[q]
        # A month's shock to new need (winter, outbreaks): triangular, mean 1, s.d. demand_noise.
        u1 = uniform(seed, run, step, q, RNG_DEMAND_SHOCK_A)
        u2 = uniform(seed, run, step, q, RNG_DEMAND_SHOCK_B)
        shock = max(0.0, 1.0 + noise * SQRT6 * (u1 + u2 - 1.0))
        factor = max(0.0, health_factor) * shock * winter
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
    """Count care delivered; left need joins the waiting list (counted in patients too) and
    spills into acute demand; unmet social care delays discharges from acute care, less what
    partners who plan discharges together avoid; prevention builds population health and left
    need erodes it."""
    # Long: one pass over places and lines, with its arrays bound first.
    place_con = w.place_con
    con_kind = w.con_kind
    activity = w.activity
    prevention_delivered = w.prevention_delivered
    delivered = w.delivered
    need = w.need
    unmet = w.unmet
    waiting = w.waiting
    waiting_patients = w.waiting_patients
    delayed = w.delayed
    health = w.health
    health_base = w.health_base
    key = w.key
    prevention_spend = w.prevention_spend
    spill = w.spill
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    con_org = w.con_org
    org_eligible = w.org_eligible
    if key[KEY_WORLD] != PLACE_SYSTEM:
        return
    attrition = p[P.waiting_attrition]
    # The acute list: planned care waits on a referral-to-treatment list and loses few untreated
    # a month; the rest (emergency care) turns over as the other lists do.
    elective = p[P.elective_share]
    dropout = elective * p[P.elective_dropout] + (1.0 - elective) * attrition
    spillover = p[P.spillover]
    recovery = p[P.health_recovery]
    prevention_effect = p[P.prevention_effect]
    saturation = p[P.prevention_saturation]
    unmet_harm = p[P.unmet_harm]
    delay = p[P.discharge_delay]
    # Partners who plan discharges together avoid the delays that wait on their own processes
    # (ODD 7.18): where the partnership reaches a social care provider of the place. Like an
    # activity plan, this follows whom it reaches (eligibility), not how far they trust each
    # other (membership).
    planned_delay = delay * (1.0 - p[P.joint_discharge])
    delivered, need, unmet_line, waiting = delivered, need, unmet, waiting
    for q in range(lo, hi):
        for k in range(N_LINES):
            delivered[q, k] = 0.0
        prevention = 0.0
        joint = False
        for idx in range(place_con_start[q], place_con_end[q]):
            c = place_con[idx]
            delivered[q, con_kind[c]] += activity[c]
            prevention += prevention_delivered[c]
            if con_kind[c] == SOCIAL_CARE and org_eligible[con_org[c]] > 0.0:
                joint = True
        prevention_spend[q] = prevention
        need_total = 0.0
        leaving = 0.0
        spilled = 0.0
        for k in range(N_LINES):
            left = max(0.0, need[q, k] - delivered[q, k])
            leave = dropout if k == ACUTE else attrition
            unmet_line[q, k] = left
            waiting[q, k] = (1.0 - leave) * left
            waiting_patients[q, k] = waiting[q, k] * POUNDS_PER_MILLION / COST_PER_CASE[k]
            need_total += need[q, k]
            leaving += leave * left
            if PREVENTIVE[k] == 1:
                spilled += left
        # Of those leaving the waiting list, a share arrives at acute care next month.
        spill[q] = spillover * attrition * spilled
        # Patients fit to leave hospital wait for the social care left unmet: acute beds taken.
        delayed[q] = (planned_delay if joint else delay) * unmet_line[q, SOCIAL_CARE]
        h = health[q]
        dh = recovery * (health_base[q] - h)
        if need_total > 0.0:
            # Prevention with diminishing returns: the first pound gains `prevention_effect` per
            # unit of need; the marginal gain falls by 1/e every `saturation` of prevention/need.
            # Harm comes from those who leave the waiting lists untreated this month.
            dh += prevention_gain(prevention_effect, saturation, prevention / need_total)
            dh -= unmet_harm * leaving / need_total
        health[q] = clamp(h + dh, 0.0, 1.0)


@jit
def covered_need(need, providers, q):
    """A place's need across the lines it has providers for."""
    total = 0.0
    for k in range(N_LINES):
        if providers[q, k] > 0.0:
            total += need[q, k]
    return total


@jit
def contract_need(need, providers, size, q, kind):
    """The need a contract of `size` (against the average provider of its line) faces on line
    `kind` at place `q`: its part of the line's need, shared among the line's providers."""
    return need[q, kind] / providers[q, kind] * size


@jit
def share_of(faced, total):
    """`faced` as a share of `total` (0 when there is nothing to share)."""
    return faced / total if total > 0.0 else 0.0


@jit
def need_choice(p, r):
    """(by members, by all): how far a chosen share follows need. Shares an agreement's partners
    chose bind its members: `collective_choice` of the way, times how far each is inside. With
    nothing agreed, those the rules affect still choose the fair share they judge each other by,
    `open_choice` as far (ODD 7.26)."""
    choice = r[R.collective_choice]
    agreed = r[R.agreed_shares]
    return choice * agreed, choice * p[P.open_choice] * (1.0 - agreed)


@jit
def share_in_force(base, faced, covered, choose):
    """A contract's care share in force: its base (historical) share, moved the share `choose` of
    the way to its need, `faced` of the place's `covered` need (collective choice, ODD 7.5)."""
    share = base
    if choose > 0.0:
        share += choose * (share_of(faced, covered) - share)
    return share


@jit
def trend_need(need_base, q):
    """A place's expected monthly need on its trend (before health, shocks and waiting lists)."""
    total = 0.0
    for k in range(N_LINES):
        total += need_base[q, k]
    return total
