"""Initialisation: the state of one run, from its parameters, rules, world code and random key.

Organisations (Trust agents) provide care through contracts: one per place they serve (an
ambulance trust holds one contract in every place of its integrated care system). Partners are
organisations that serve a common place; trust lives on those directed partner edges, so the cost
of a step grows with the number of partnerships, not with the square of the world's size.
"""

import numpy as np

from sim.core.constants import (
    AMBULANCE,
    BASE_SPEND_SHARE,
    CLASSROOM_COMMONS,
    CONDITIONAL,
    FREE_RIDER,
    HUMP,
    MEMBERSHIP_THRESHOLD,
    MONTHS_PER_YEAR,
    N_LINES,
    OTHER_TYPE,
    PARTICIPANT,
    PLACE_SYSTEM,
    PREVENTIVE,
    RNG_BEHAVIOUR_TYPE,
    RNG_INIT_COOPERATION,
    RNG_LEADERSHIP,
    RNG_RISK,
)
from sim.core.heterogeneity import draw_organisations, draw_places, draw_sizes, start_health
from sim.core.jit import as_python, jit
from sim.core.params import PX as P
from sim.core.placed import (
    count_placed_edges,
    fill_places_placed,
    health_placed,
    lay_out_placed,
    layout_sizes,
    orgs_placed,
    serving,
    sizes_placed,
)
from sim.core.rng import uniform
from sim.core.rules import RX as R
from sim.core.state import (
    CLOCK_BUDGET,
    CLOCK_NEED,
    CLOCK_STEP,
    KEY_RUN,
    KEY_SEED,
    KEY_WORLD,
    allocate_ref,
    allocate_state,
    as_ref,
)
from sim.core.submodels.choice import tabled_slice
from sim.core.submodels.incentives import system_weight

# Players of the common-pool game start by putting half their endowment into the pool.
START_CLAIM_SHARE = 0.5
POUNDS_PER_MILLION = 1.0e6


@jit
def kind_counts(p, world):
    """Organisations of each kind in every place (the laboratory games: one group of players)."""
    counts = np.zeros(6, dtype=np.int64)
    if world == PLACE_SYSTEM:
        counts[0] = int(p[P.acute_per_place])
        counts[1] = int(p[P.community_per_place])
        counts[2] = int(p[P.mental_health_per_place])
        counts[3] = int(p[P.primary_care_per_place])
        counts[5] = int(p[P.social_care_per_place])
    return counts


def build_world(p, r, world, seed, run, python=False):
    """Allocate and initialise the state of one run (a `World`, used by both engines); with
    `python`, every function of the build runs as plain Python."""
    return build_world_from(p, r, world, seed, run, np.zeros(0), python)


def build_world_from(p, r, world, seed, run, layout, python=False):
    """The state of one run (a `World`); with a packed place file (`layout`, `sim.core.placed`;
    empty for none) its places and organisations are the user's, in place of the draws. With
    `python`, every function of the build runs as plain Python (the per-agent engine)."""
    dims_fn, fill = (
        (as_python(world_dims), as_python(fill_world)) if python else (world_dims, fill_world)
    )
    state = allocate_state(*dims_fn(p, world, layout))
    fill(state if python else as_ref(state), p, r, world, seed, run, layout)
    return state


@jit
def build_ref(p, r, world, seed, run, layout):
    """The kernel's handle (`WorldRef`) on the state of one run, built as `build_world_from`
    builds it, with no named tuple: passed or returned between compiled functions, the tuple of
    about 100 arrays costs numba seconds of compilation at every call site (docs/architecture.md,
    section 6)."""
    n_org, n_con, n_edge, n_place, n_ics = world_dims(p, world, layout)
    w = allocate_ref(n_org, n_con, n_edge, n_place, n_ics)
    fill_world(w, p, r, world, seed, run, layout)
    return w


@jit
def _shape_of(p, world):
    """(integrated care systems, places per system, organisations per place, ambulance trusts
    per system) of the generated world."""
    if world == PLACE_SYSTEM:
        per_place = int(kind_counts(p, world).sum())
        return int(p[P.n_ics]), int(p[P.n_places]), per_place, int(p[P.ambulance_per_ics])
    return 1, 1, int(p[P.n_appropriators]), 0


@jit
def world_dims(p, world, layout):
    """(organisations, contracts, partner edges, places, integrated care systems) of one run."""
    if layout.shape[0] > 0:
        n_place, n_org, n_con = layout_sizes(layout)
        return n_org, n_con, count_placed_edges(serving(layout)), n_place, 1
    n_ics, n_places, per_place, amb = _shape_of(p, world)
    n_org = n_ics * (n_places * per_place + amb)
    n_con = n_ics * (n_places * per_place + amb * n_places)
    n_edge = _count_edges(n_ics, n_places, per_place, amb, world)
    return n_org, n_con, n_edge, n_ics * n_places, n_ics


@jit
def fill_world(w, p, r, world, seed, run, layout):
    """Fill freshly allocated state (through the handle `w`): the generated world, or the system
    of a packed place file."""
    _set_key(w, world, seed, run)
    if layout.shape[0] > 0:
        serves = serving(layout)
        lay_out_placed(w, layout, serves)
        fill_places_placed(w, p, layout)
        sizes_placed(w, layout)
        _fill_money(w, p, world, True)
        orgs_placed(w, layout)
        _fill_behaviour(w, p, r, world, seed, run)
        health_placed(w, p)
        return
    n_ics, n_places, per_place, amb = _shape_of(p, world)
    block = n_places * per_place + amb  # organisations of one integrated care system
    _lay_out(w, kind_counts(p, world), n_ics, n_places, per_place, amb, world)
    _link_partners(w, block, world)
    draw_places(w, p, world, seed, run)
    draw_sizes(w, p, world, seed, run)
    _fill_money(w, p, world, False)
    draw_organisations(w, p, world, seed, run)
    _fill_behaviour(w, p, r, world, seed, run)


@jit
def _set_key(w, world, seed, run):
    w.key[KEY_WORLD] = world
    w.key[KEY_SEED] = seed
    w.key[KEY_RUN] = run
    w.clock[CLOCK_BUDGET] = 1.0
    w.clock[CLOCK_NEED] = 1.0


@jit
def _count_edges(n_ics, n_places, per_place, amb, world):
    """Directed partner edges: organisations sharing a place (an ambulance trust partners every
    organisation of its system; every player of a laboratory game partners every other)."""
    if world != PLACE_SYSTEM:
        return per_place * (per_place - 1)
    same_place = n_places * per_place * (per_place - 1)
    with_ambulance = 2 * amb * n_places * per_place + amb * (amb - 1)
    return n_ics * (same_place + with_ambulance)


@jit
def _lay_out(w, counts, n_ics, n_places, per_place, amb, world):
    """Organisations and contracts ICS by ICS: each place's providers, then the ambulance trusts;
    then the contracts grouped by place (stable order: by contract id)."""
    o = 0
    c = 0
    for s in range(n_ics):
        for q in range(n_places):
            place = s * n_places + q
            w.place_ics[place] = s
            for k in range(6 if world == PLACE_SYSTEM else 1):
                n_kind = counts[k] if world == PLACE_SYSTEM else per_place
                kind = k if world == PLACE_SYSTEM else PARTICIPANT
                for _ in range(n_kind):
                    w.org_kind[o] = kind
                    w.org_place[o] = place
                    w.org_ics[o] = s
                    w.org_con_start[o] = c
                    w.con_org[c] = o
                    w.con_place[c] = place
                    w.con_kind[c] = kind
                    c += 1
                    w.org_con_end[o] = c
                    o += 1
        for _ in range(amb):
            w.org_kind[o] = AMBULANCE
            w.org_place[o] = -1
            w.org_ics[o] = s
            w.org_con_start[o] = c
            for q in range(n_places):
                w.con_org[c] = o
                w.con_place[c] = s * n_places + q
                w.con_kind[c] = AMBULANCE
                c += 1
            w.org_con_end[o] = c
            o += 1
    fill = 0
    for place in range(w.place_ics.shape[0]):
        w.place_con_start[place] = fill
        for cc in range(w.con_org.shape[0]):
            if w.con_place[cc] == place:
                w.place_con[fill] = cc
                fill += 1
        w.place_con_end[place] = fill


@jit
def _link_partners(w, block, world):
    """Partner edges grouped by source organisation, in the order of the partner's index."""
    e = 0
    for i in range(w.org_kind.shape[0]):
        w.edge_start[i] = e
        first = w.org_ics[i] * block
        for j in range(first, first + block):
            if j != i and _partners(w, i, j, world):
                w.edge_dst[e] = j
                e += 1
        w.edge_end[i] = e


@jit
def _partners(w, i, j, world):
    if world != PLACE_SYSTEM:
        return True
    if w.org_place[i] >= 0 and w.org_place[j] >= 0:
        return w.org_place[i] == w.org_place[j]
    return w.org_ics[i] == w.org_ics[j]


@jit
def _fill_money(w, p, world, given):
    """A place's allocation is its population times its allocation per head; its need starts at
    that allocation times its need index over its allocation index (level with the allocation
    when the two indices agree), line by line. Each contract's share of its place's pool follows
    its line's share of spend and its size among the line's providers (lines with no provider
    leave their need unmet and their money to the others, in proportion); capacity has headroom
    over the contract's part of starting need. With `given`, the allocations are already set
    (a place file)."""
    n_con = w.con_org.shape[0]
    for cc in range(n_con):
        if w.con_kind[cc] < N_LINES:
            w.providers[w.con_place[cc], w.con_kind[cc]] += 1.0
    for place in range(w.place_ics.shape[0]):
        if world == PLACE_SYSTEM:
            if not given:
                per_head = p[P.spend_per_head] * w.alloc_index[place]
                w.alloc_base[place] = (
                    w.population[place] * per_head / MONTHS_PER_YEAR / POUNDS_PER_MILLION
                )
            pressure = w.need_index[place] / w.alloc_index[place]
            net = w.alloc_base[place] * (1.0 - p[P.running_cost_share])
            for k in range(N_LINES):
                w.need_base[place, k] = net * BASE_SPEND_SHARE[k] * pressure
                w.need[place, k] = w.need_base[place, k]
        _fill_shares(w, place)
        w.acute_need_start[place] = w.need_base[place, 0]
        w.acute_new[place] = w.need_base[place, 0]
        w.pay_ratio[place] = 1.0
    for cc in range(n_con):
        k = w.con_kind[cc]
        q = w.con_place[cc]
        if k < N_LINES:
            part = w.need_base[q, k] / w.providers[q, k] * w.con_size[cc]
            w.capacity[cc] = part * (1.0 + p[P.capacity_headroom])
            w.org_income_ref[w.con_org[cc]] += w.con_base_share[cc] * w.alloc_base[q]
        else:
            w.org_income_ref[w.con_org[cc]] = p[P.endowment]


@jit
def _fill_shares(w, place):
    """Each contract's share of its place's pool, and of the prevention slice, from its line's
    share of spend among the lines the place has providers for, divided among the line's providers
    by size (`con_size`)."""
    covered = 0.0
    prev_total = 0.0
    for k in range(N_LINES):
        if w.providers[place, k] > 0:
            covered += BASE_SPEND_SHARE[k]
            if PREVENTIVE[k] == 1:
                prev_total += BASE_SPEND_SHARE[k]
    for idx in range(w.place_con_start[place], w.place_con_end[place]):
        cc = w.place_con[idx]
        k = w.con_kind[cc]
        if k < N_LINES and covered > 0.0:
            size = w.con_size[cc]
            w.con_base_share[cc] = BASE_SPEND_SHARE[k] / covered / w.providers[place, k] * size
            if PREVENTIVE[k] == 1 and prev_total > 0.0:
                w.con_prev_share[cc] = (
                    BASE_SPEND_SHARE[k] / prev_total / w.providers[place, k] * size
                )
        elif k == PARTICIPANT:
            w.con_base_share[cc] = 1.0 / w.con_org.shape[0]


@jit
def adopt_rules(w, p, r):
    """Who belongs to the partnership under rules `r`: at the start, and whenever a policy
    schedule changes the rules (`sim.core.schedule`). Before the first month the rules are taken
    as established: each organisation holds the vision they ask for (later it is taken up at the
    speed of trust, ODD 7.10)."""
    breadth = r[R.partnership_breadth]
    start = w.clock[CLOCK_STEP] == 0.0
    held = system_weight(p, r)
    for i in range(w.org_kind.shape[0]):
        eligible = 1.0 if breadth >= MEMBERSHIP_THRESHOLD[w.org_kind[i]] else 0.0
        w.org_eligible[i] = eligible
        w.org_member[i] = eligible  # until trust decides it, in the first month's plan
        if start:
            w.vision[i] = held
    # The tabled rules are in force until the partners' first planning round a year on (ODD 7.25).
    for q in range(w.place_ics.shape[0]):
        w.chosen_slice[q] = tabled_slice(p, r)
        w.fine_factor[q] = 1.0
        w.rules_adopted[q] = w.clock[CLOCK_STEP]


@jit
def behaviour_type(p, u):
    """The behavioural type a uniform draw `u` picks from the declared shares (in the order
    conditional cooperator, free rider, hump-shaped, then the unclassified rest)."""
    edge = p[P.share_conditional]
    if u < edge:
        return CONDITIONAL
    edge += p[P.share_free_rider]
    if u < edge:
        return FREE_RIDER
    edge += p[P.share_hump]
    if u < edge:
        return HUMP
    return OTHER_TYPE


@jit
def _fill_behaviour(w, p, r, world, seed, run):
    """Membership, starting cooperation, behavioural type, leadership and risk attitude (keyed
    draws), oversight segment, trust, each place's starting health and the games' first claims."""
    adopt_rules(w, p, r)
    c0 = p[P.initial_cooperation]
    spread = p[P.cooperation_spread]
    for i in range(w.org_kind.shape[0]):
        u = uniform(seed, run, 0, i, RNG_INIT_COOPERATION)
        w.cooperation[i] = min(1.0, max(0.0, c0 + spread * (u - 0.5)))
        w.cooperation_next[i] = w.cooperation[i]
        w.org_type[i] = behaviour_type(p, uniform(seed, run, 0, i, RNG_BEHAVIOUR_TYPE))
        u = uniform(seed, run, 0, i, RNG_LEADERSHIP)
        w.leadership[i] = 1.0 + p[P.leadership_spread] * (2.0 * u - 1.0)
        u = uniform(seed, run, 0, i, RNG_RISK)
        w.risk_attitude[i] = 1.0 + p[P.risk_spread] * (2.0 * u - 1.0)
        w.segment[i] = 1.0  # no support needs until the regulator's first review
        w.fined_multiple[i] = 1.0  # the tabled fine, until a vote
    for e in range(w.trust.shape[0]):
        w.trust[e] = p[P.initial_trust]
    for place in range(w.place_ics.shape[0]):
        if world == PLACE_SYSTEM:
            w.health[place] = start_health(p, seed, run, place)
            w.health_base[place] = w.health[place]
    if world == CLASSROOM_COMMONS:
        for cc in range(w.con_org.shape[0]):
            w.claim[cc] = p[P.endowment] * START_CLAIM_SHARE
    for cc in range(w.con_org.shape[0]):
        w.appropriation[w.con_place[cc]] += w.claim[cc]
