"""The model's state: one NumPy array per attribute, in one named tuple both engines share.

Organisations (Trust agents) provide care through contracts: one per place they serve (an
ambulance trust holds one contract in every place of its integrated care system). Partners are
organisations that serve a common place; trust lives on those directed partner edges, so the cost
of a step grows with the number of partnerships, not with the square of the world's size.
"""

from collections import namedtuple

import numpy as np
from numba import njit
from numba.core import types
from numba.experimental import structref

from sim.core.constants import (
    AMBULANCE,
    BASE_SPEND_SHARE,
    CLASSROOM_COMMONS,
    MEMBERSHIP_THRESHOLD,
    N_LINES,
    PARTICIPANT,
    PLACE_SYSTEM,
    PREVENTIVE,
    RNG_INIT_COOPERATION,
)
from sim.core.params import PX as P
from sim.core.rng import uniform
from sim.core.rules import RX as R

# Field name -> dtype, declared once. Suffixes say what indexes the array: org (N organisations),
# con (C contracts), edge (E partner edges), place (P places), and line (6 service lines).
FIELDS = {
    # organisations
    "org_kind": np.int64,
    "org_place": np.int64,  # home place; -1 when it serves several places
    "org_ics": np.int64,
    "org_con_start": np.int64,
    "org_con_end": np.int64,
    "org_member": np.float64,  # 1 when inside the partnership agreement
    "org_income_ref": np.float64,  # expected monthly income at the start
    "cooperation": np.float64,
    "cooperation_next": np.float64,
    "balance": np.float64,  # reserves (+) or deficit (-)
    "record": np.float64,  # detected breaches so far
    "breach": np.float64,  # 1 when it broke the agreed share this month
    "detected": np.float64,  # 1 when the breach was detected this month
    "fine": np.float64,
    "overclaim": np.float64,
    "incentive": np.float64,  # net incentive to defect, per pound of expected income
    "income": np.float64,  # payments received this month
    "spend": np.float64,  # cost of care and prevention delivered this month
    "cum_income": np.float64,
    "cum_spend": np.float64,
    "failures": np.float64,
    "edge_start": np.int64,
    "edge_end": np.int64,
    # contracts
    "con_org": np.int64,
    "con_place": np.int64,
    "con_kind": np.int64,
    "con_base_share": np.float64,  # share of the place's pool at the start
    "con_prev_share": np.float64,  # share of the prevention slice
    "capacity": np.float64,
    "demand": np.float64,
    "agreed": np.float64,  # agreed activity claim this month
    "agreed_prevention": np.float64,
    "coop_claim": np.float64,
    "selfish_claim": np.float64,
    "claim": np.float64,
    "prevention": np.float64,
    "payment": np.float64,
    "activity": np.float64,
    "prevention_delivered": np.float64,
    # partner edges
    "edge_dst": np.int64,
    "trust": np.float64,
    # places
    "place_ics": np.int64,
    "place_con_start": np.int64,
    "place_con_end": np.int64,
    "place_con": np.int64,  # contract ids grouped by place
    "alloc_base": np.float64,
    "allocation": np.float64,
    "available": np.float64,
    "pool_balance": np.float64,
    "pay_ratio": np.float64,
    "health": np.float64,
    "health_base": np.float64,
    "need_base": np.float64,  # [place, line]
    "need": np.float64,  # [place, line]
    "waiting": np.float64,  # [place, line]
    "unmet": np.float64,  # [place, line]
    "delivered": np.float64,  # [place, line]
    "spend_line": np.float64,  # [place, line]
    "providers": np.float64,  # [place, line] contracts of each line
    "acute_need_start": np.float64,
    "spill": np.float64,
    "acute_new": np.float64,  # new acute demand this month (admissions, not the backlog)
    "prevention_spend": np.float64,
    "transaction_cost": np.float64,
    "governance_cost": np.float64,
    "takeover_cost": np.float64,
    "fines_in": np.float64,
    "appropriation": np.float64,  # laboratory games: total claim last round
    "earnings": np.float64,  # laboratory games: group earnings this round
    # world-wide scalars: [world, step, budget factor, need factor, seed, run]
    "clock": np.float64,
}
World = namedtuple("World", tuple(FIELDS))

CLOCK_WORLD, CLOCK_STEP, CLOCK_BUDGET, CLOCK_NEED, CLOCK_SEED, CLOCK_RUN = range(6)


# The kernel steps the same arrays through a StructRef: one reference count for the whole state,
# where passing the named tuple to a compiled call would count references on every array.
@structref.register
class WorldRefType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class WorldRef(structref.StructRefProxy):
    """The kernel's handle on a `World`'s arrays (shared, not copied)."""


structref.define_constructor(WorldRef, WorldRefType, tuple(FIELDS))
structref.define_boxing(WorldRefType, WorldRef)


@njit(cache=True)
def as_ref(w):
    """A `WorldRef` over the arrays of the named tuple `w` (no copy)."""
    return WorldRef(
        w.org_kind,
        w.org_place,
        w.org_ics,
        w.org_con_start,
        w.org_con_end,
        w.org_member,
        w.org_income_ref,
        w.cooperation,
        w.cooperation_next,
        w.balance,
        w.record,
        w.breach,
        w.detected,
        w.fine,
        w.overclaim,
        w.incentive,
        w.income,
        w.spend,
        w.cum_income,
        w.cum_spend,
        w.failures,
        w.edge_start,
        w.edge_end,
        w.con_org,
        w.con_place,
        w.con_kind,
        w.con_base_share,
        w.con_prev_share,
        w.capacity,
        w.demand,
        w.agreed,
        w.agreed_prevention,
        w.coop_claim,
        w.selfish_claim,
        w.claim,
        w.prevention,
        w.payment,
        w.activity,
        w.prevention_delivered,
        w.edge_dst,
        w.trust,
        w.place_ics,
        w.place_con_start,
        w.place_con_end,
        w.place_con,
        w.alloc_base,
        w.allocation,
        w.available,
        w.pool_balance,
        w.pay_ratio,
        w.health,
        w.health_base,
        w.need_base,
        w.need,
        w.waiting,
        w.unmet,
        w.delivered,
        w.spend_line,
        w.providers,
        w.acute_need_start,
        w.spill,
        w.acute_new,
        w.prevention_spend,
        w.transaction_cost,
        w.governance_cost,
        w.takeover_cost,
        w.fines_in,
        w.appropriation,
        w.earnings,
        w.clock,
    )  # fmt: skip


@njit(cache=True)
def _count_orgs(p):
    n_ics = int(p[P.n_ics])
    n_places = int(p[P.n_places])
    per_place = (
        int(p[P.acute_per_place])
        + int(p[P.community_per_place])
        + int(p[P.mental_health_per_place])
        + int(p[P.primary_care_per_place])
        + int(p[P.social_care_per_place])
    )
    amb = int(p[P.ambulance_per_ics])
    return n_ics, n_places, per_place, amb


@njit(cache=True)
def build_world(p, r, world, seed, run):
    """Allocate and initialise the state of one run (used by both engines)."""
    if world == PLACE_SYSTEM:
        n_ics, n_places, per_place, amb = _count_orgs(p)
        n_place_total = n_ics * n_places
        n_org = n_ics * (n_places * per_place + amb)
        n_con = n_ics * (n_places * per_place + amb * n_places)
    else:
        n_ics, n_places, per_place, amb = 1, 1, int(p[P.n_appropriators]), 0
        n_place_total = 1
        n_org = per_place
        n_con = per_place
    counts = np.zeros(6, dtype=np.int64)
    if world == PLACE_SYSTEM:
        counts[0] = int(p[P.acute_per_place])
        counts[1] = int(p[P.community_per_place])
        counts[2] = int(p[P.mental_health_per_place])
        counts[3] = int(p[P.primary_care_per_place])
        counts[5] = int(p[P.social_care_per_place])

    org_kind = np.zeros(n_org, dtype=np.int64)
    org_place = np.zeros(n_org, dtype=np.int64)
    org_ics = np.zeros(n_org, dtype=np.int64)
    org_con_start = np.zeros(n_org, dtype=np.int64)
    org_con_end = np.zeros(n_org, dtype=np.int64)
    con_org = np.zeros(n_con, dtype=np.int64)
    con_place = np.zeros(n_con, dtype=np.int64)
    con_kind = np.zeros(n_con, dtype=np.int64)
    place_ics = np.zeros(n_place_total, dtype=np.int64)

    # Lay out organisations ICS by ICS: each place's providers, then the ICS's ambulance trusts.
    o = 0
    c = 0
    for s in range(n_ics):
        for q in range(n_places):
            place = s * n_places + q
            place_ics[place] = s
            if world == PLACE_SYSTEM:
                for k in range(6):
                    for _ in range(counts[k]):
                        org_kind[o] = k
                        org_place[o] = place
                        org_ics[o] = s
                        org_con_start[o] = c
                        con_org[c] = o
                        con_place[c] = place
                        con_kind[c] = k
                        c += 1
                        org_con_end[o] = c
                        o += 1
            else:
                for _ in range(per_place):
                    org_kind[o] = PARTICIPANT
                    org_place[o] = 0
                    org_con_start[o] = c
                    con_org[c] = o
                    con_place[c] = 0
                    con_kind[c] = PARTICIPANT
                    c += 1
                    org_con_end[o] = c
                    o += 1
        for _ in range(amb):
            org_kind[o] = AMBULANCE
            org_place[o] = -1
            org_ics[o] = s
            org_con_start[o] = c
            for q in range(n_places):
                con_org[c] = o
                con_place[c] = s * n_places + q
                con_kind[c] = AMBULANCE
                c += 1
            org_con_end[o] = c
            o += 1

    # Contracts grouped by place (stable order: by contract id).
    place_con_start = np.zeros(n_place_total, dtype=np.int64)
    place_con_end = np.zeros(n_place_total, dtype=np.int64)
    place_con = np.zeros(n_con, dtype=np.int64)
    fill = 0
    for place in range(n_place_total):
        place_con_start[place] = fill
        for cc in range(n_con):
            if con_place[cc] == place:
                place_con[fill] = cc
                fill += 1
        place_con_end[place] = fill

    # Partners: organisations sharing a place (an ambulance trust partners every organisation in
    # its system). Edges are directed (i trusts j), grouped by source organisation.
    n_edge = 0
    for i in range(n_org):
        for j in _candidates(
            i, org_place, org_ics, org_con_start, n_org, n_places, per_place, amb, world
        ):
            if j != i and _partners(i, j, org_place, org_ics, world):
                n_edge += 1
    edge_start = np.zeros(n_org, dtype=np.int64)
    edge_end = np.zeros(n_org, dtype=np.int64)
    edge_dst = np.zeros(n_edge, dtype=np.int64)
    e = 0
    for i in range(n_org):
        edge_start[i] = e
        for j in _candidates(
            i, org_place, org_ics, org_con_start, n_org, n_places, per_place, amb, world
        ):
            if j != i and _partners(i, j, org_place, org_ics, world):
                edge_dst[e] = j
                e += 1
        edge_end[i] = e
    trust = np.full(n_edge, p[P.initial_trust])

    # Money and need: need starts level with the allocation, line by line.
    alloc_base = np.zeros(n_place_total)
    need_base = np.zeros((n_place_total, N_LINES))
    providers = np.zeros((n_place_total, N_LINES))
    for cc in range(n_con):
        if con_kind[cc] < N_LINES:
            providers[con_place[cc], con_kind[cc]] += 1.0
    for place in range(n_place_total):
        if world == PLACE_SYSTEM:
            alloc_base[place] = p[P.population] * p[P.spend_per_head] / 12.0 / 1.0e6
            for k in range(N_LINES):
                need_base[place, k] = (
                    alloc_base[place] * (1.0 - p[P.running_cost_share]) * BASE_SPEND_SHARE[k]
                )
    # Shares of each contract in its place's pool: lines with no provider leave their need unmet
    # and their money to the others, in proportion.
    con_base_share = np.zeros(n_con)
    con_prev_share = np.zeros(n_con)
    for place in range(n_place_total):
        covered = 0.0
        prev_total = 0.0
        for k in range(N_LINES):
            if providers[place, k] > 0:
                covered += BASE_SPEND_SHARE[k]
                if PREVENTIVE[k] == 1:
                    prev_total += BASE_SPEND_SHARE[k]
        for idx in range(place_con_start[place], place_con_end[place]):
            cc = place_con[idx]
            k = con_kind[cc]
            if k < N_LINES and covered > 0.0:
                con_base_share[cc] = BASE_SPEND_SHARE[k] / covered / providers[place, k]
                if PREVENTIVE[k] == 1 and prev_total > 0.0:
                    con_prev_share[cc] = BASE_SPEND_SHARE[k] / prev_total / providers[place, k]
            elif k == PARTICIPANT:
                con_base_share[cc] = 1.0 / n_con

    capacity = np.zeros(n_con)
    org_income_ref = np.zeros(n_org)
    for cc in range(n_con):
        k = con_kind[cc]
        if k < N_LINES:
            capacity[cc] = (
                need_base[con_place[cc], k]
                / providers[con_place[cc], k]
                * (1.0 + p[P.capacity_headroom])
            )
            org_income_ref[con_org[cc]] += con_base_share[cc] * alloc_base[con_place[cc]]
        else:
            org_income_ref[con_org[cc]] = p[P.endowment]

    org_member = np.zeros(n_org)
    cooperation = np.zeros(n_org)
    breadth = r[R.partnership_breadth]
    c0 = p[P.initial_cooperation]
    spread = p[P.cooperation_spread]
    for i in range(n_org):
        org_member[i] = 1.0 if breadth >= MEMBERSHIP_THRESHOLD[org_kind[i]] else 0.0
        u = uniform(seed, run, 0, i, RNG_INIT_COOPERATION)
        cooperation[i] = min(1.0, max(0.0, c0 + spread * (u - 0.5)))

    health = (
        np.full(n_place_total, p[P.initial_health])
        if world == PLACE_SYSTEM
        else np.zeros(n_place_total)
    )
    acute_need_start = np.zeros(n_place_total)
    for place in range(n_place_total):
        acute_need_start[place] = need_base[place, 0]

    clock = np.zeros(6)
    clock[CLOCK_WORLD] = world
    clock[CLOCK_BUDGET] = 1.0
    clock[CLOCK_NEED] = 1.0
    clock[CLOCK_SEED] = seed
    clock[CLOCK_RUN] = run

    zo = np.zeros(n_org)
    zc = np.zeros(n_con)
    zp = np.zeros(n_place_total)
    zl = np.zeros((n_place_total, N_LINES))
    # Laboratory games: every player starts at the group's agreed quota.
    claim = zc.copy()
    if world == CLASSROOM_COMMONS:
        for cc in range(n_con):
            claim[cc] = p[P.endowment] * 0.5
    appropriation = np.zeros(n_place_total)
    for cc in range(n_con):
        appropriation[con_place[cc]] += claim[cc]
    return World(
        org_kind, org_place, org_ics, org_con_start, org_con_end, org_member, org_income_ref,
        cooperation, cooperation.copy(), zo.copy(), zo.copy(), zo.copy(), zo.copy(), zo.copy(),
        zo.copy(), zo.copy(), zo.copy(), zo.copy(), zo.copy(), zo.copy(), zo.copy(),
        edge_start, edge_end,
        con_org, con_place, con_kind, con_base_share, con_prev_share, capacity, zc.copy(),
        zc.copy(), zc.copy(), zc.copy(), zc.copy(), claim, zc.copy(), zc.copy(), zc.copy(),
        zc.copy(),
        edge_dst, trust,
        place_ics, place_con_start, place_con_end, place_con, alloc_base, zp.copy(), zp.copy(),
        zp.copy(), np.ones(n_place_total), health, health.copy(), need_base, need_base.copy(),
        zl.copy(), zl.copy(), zl.copy(), zl.copy(), providers, acute_need_start, zp.copy(),
        acute_need_start.copy(), zp.copy(), zp.copy(), zp.copy(), zp.copy(), zp.copy(),
        appropriation, zp.copy(),
        clock,
    )  # fmt: skip


@njit(cache=True)
def _partners(i, j, org_place, org_ics, world):
    if world != PLACE_SYSTEM:
        return True
    if org_place[i] >= 0 and org_place[j] >= 0:
        return org_place[i] == org_place[j]
    return org_ics[i] == org_ics[j]


@njit(cache=True)
def _candidates(i, org_place, org_ics, org_con_start, n_org, n_places, per_place, amb, world):
    """Organisations that may be partners of i: those of its integrated care system."""
    if world != PLACE_SYSTEM:
        return np.arange(n_org)
    block = n_places * per_place + amb
    first = org_ics[i] * block
    return np.arange(first, first + block)
