"""Places and organisations that differ (ODD 7.15): keyed draws, once per run, of each place's
population, need per head, allocation per head and starting health, and of each organisation's
unit cost, starting balance and size against the others of its line in its place.

Every draw is uniform on a half-range (a "spread") around its average, keyed by (seed, run, step 0,
place or organisation, purpose), so it depends on nothing but the run's key. With every spread 0
places are identical and so are organisations of one kind, exactly as before these draws existed
(each factor is then exactly 1). Only the place-based world draws; the laboratory games are left
as they were.
"""

from sim.core.constants import (
    MONTHS_PER_YEAR,
    PLACE_SYSTEM,
    RNG_ORG_SIZE,
    RNG_PLACE_ALLOCATION,
    RNG_PLACE_NEED,
    RNG_PLACE_POPULATION,
    RNG_START_BALANCE,
    RNG_UNIT_COST,
)
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rng import uniform


@jit
def centred(seed, run, agent, purpose):
    """A keyed uniform draw on [-1, 1), taken at initialisation (step 0)."""
    return 2.0 * uniform(seed, run, 0, agent, purpose) - 1.0


@jit
def draw_places(w, p, world, seed, run):
    """Each place's population, need index (need per head against the average: its age structure
    and deprivation, one draw d) and allocation index (allocation per head against the average:
    partly following need, partly its own):

        population_q = population (1 + population_spread d_pop)
        need_index_q = 1 + need_spread d
        alloc_index_q = 1 + need_compensation (need_index_q - 1) + allocation_spread d_alloc
    """
    population = w.population
    need_index = w.need_index
    alloc_index = w.alloc_index
    place_system = world == PLACE_SYSTEM
    people = p[P.population]
    people_spread = p[P.population_spread]
    need_spread = p[P.need_spread]
    compensation = p[P.need_compensation]
    alloc_spread = p[P.allocation_spread]
    for q in range(population.shape[0]):
        need_index[q] = 1.0
        alloc_index[q] = 1.0
        if not place_system:
            continue
        population[q] = people * (1.0 + people_spread * centred(seed, run, q, RNG_PLACE_POPULATION))
        need_index[q] = 1.0 + need_spread * centred(seed, run, q, RNG_PLACE_NEED)
        own = alloc_spread * centred(seed, run, q, RNG_PLACE_ALLOCATION)
        alloc_index[q] = 1.0 + compensation * (need_index[q] - 1.0) + own


@jit
def start_health(p, seed, run, q):
    """Starting health of place q, lower where need is higher (the same draw d as its need index):
    `min(1, initial_health (1 - health_spread d))`."""
    d = centred(seed, run, q, RNG_PLACE_NEED)
    return min(1.0, p[P.initial_health] * (1.0 - p[P.health_spread] * d))


@jit
def draw_sizes(w, p, world, seed, run):
    """Each contract's size against the average provider of its line in its place. Organisation i
    weighs `s_i = 1 + size_spread d_i` (one draw, so an ambulance trust is as large against its
    peers in every place it serves); among the n contracts of a line in a place,
    `con_size = n s_i / (sum of their s)`, so the sizes of a line average exactly 1 and its
    providers' shares still sum to the line's share."""
    con_size = w.con_size
    con_org = w.con_org
    con_kind = w.con_kind
    place_con = w.place_con
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    spread = p[P.size_spread]
    for cc in range(con_size.shape[0]):
        con_size[cc] = 1.0
    if world != PLACE_SYSTEM:
        return
    for q in range(place_con_start.shape[0]):
        start, end = place_con_start[q], place_con_end[q]
        for idx in range(start, end):
            cc = place_con[idx]
            n = 0.0
            total = 0.0
            for other in range(start, end):
                co = place_con[other]
                if con_kind[co] == con_kind[cc]:
                    n += 1.0
                    total += 1.0 + spread * centred(seed, run, con_org[co], RNG_ORG_SIZE)
            own = 1.0 + spread * centred(seed, run, con_org[cc], RNG_ORG_SIZE)
            con_size[cc] = n * own / total


@jit
def draw_organisations(w, p, world, seed, run):
    """Each organisation's unit cost, `1 + unit_cost_spread d`, and starting balance,
    `balance_spread d' x 12 x expected monthly income` (reserves or a deficit, symmetric around
    0). Needs `org_income_ref`, so it runs after the money is filled in."""
    unit_cost = w.unit_cost
    balance = w.balance
    org_income_ref = w.org_income_ref
    place_system = world == PLACE_SYSTEM
    cost_spread = p[P.unit_cost_spread]
    balance_spread = p[P.balance_spread]
    for i in range(unit_cost.shape[0]):
        unit_cost[i] = 1.0
        if not place_system:
            continue
        unit_cost[i] = 1.0 + cost_spread * centred(seed, run, i, RNG_UNIT_COST)
        if balance_spread > 0.0:
            annual = MONTHS_PER_YEAR * org_income_ref[i]
            balance[i] = balance_spread * centred(seed, run, i, RNG_START_BALANCE) * annual
