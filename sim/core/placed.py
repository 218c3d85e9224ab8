"""A system described by the user (a place file, docs/place_files.md): its places and organisations
as packed arrays, in place of the draws of `sim.core.heterogeneity`.

The layout is one flat float64 vector, so that the kernel takes it as one argument shared by every
run of a batch (an empty vector: no place file, the generated world of `build_world`):

    header    n_place, n_org, n_con, reference_per_head (GBP a year; 0: the `spend_per_head`
              parameter)
    places    population, need_index, allocation (GBP million a year)          per place
    orgs      kind, unit_cost, balance (GBP million)                          per organisation
    contracts org, place, weight (the organisation's budget in that place)    per contract,
              grouped by organisation in organisation order

The packing is done outside the core, from the parsed file (`sim.engine.placefile`).
"""

import numpy as np

from sim.core.constants import MONTHS_PER_YEAR
from sim.core.jit import jit
from sim.core.params import PX as P

HEADER = 4
PLACE_COLS = 3
ORG_COLS = 3
CON_COLS = 3
REFERENCE = 3  # header position of the reference allocation per head
POUNDS_PER_MILLION = 1.0e6


@jit
def layout_sizes(layout):
    """(n_place, n_org, n_con) of a packed layout."""
    return int(layout[0]), int(layout[1]), int(layout[2])


@jit
def _offsets(layout):
    """Where the places, organisations and contracts start in the packed layout."""
    n_place, n_org, _ = layout_sizes(layout)
    places = HEADER
    orgs = places + n_place * PLACE_COLS
    cons = orgs + n_org * ORG_COLS
    return places, orgs, cons


@jit
def serving(layout):
    """[n_org, n_place] true where the organisation holds a contract in the place."""
    n_place, n_org, n_con = layout_sizes(layout)
    _, _, cons = _offsets(layout)
    serves = np.zeros((n_org, n_place), dtype=np.bool_)
    for c in range(n_con):
        row = cons + c * CON_COLS
        serves[int(layout[row]), int(layout[row + 1])] = True
    return serves


@jit
def _share_a_place(serves, i, j):
    shared = False
    for q in range(serves.shape[1]):
        shared = shared or (serves[i, q] and serves[j, q])
    return shared


@jit
def count_placed_edges(serves):
    """Directed partner edges: organisations that serve a common place."""
    n = 0
    for i in range(serves.shape[0]):
        for j in range(serves.shape[0]):
            if j != i and _share_a_place(serves, i, j):
                n += 1
    return n


@jit
def lay_out_placed(w, layout, serves):
    """Organisations in the file's order (one integrated care system), their contracts as packed,
    the contracts grouped by place, and the partner edges (organisations sharing a place, in the
    order of the partner's index). An organisation with contracts in several places has no home
    place (-1), as an ambulance trust of the generated world."""
    n_place, n_org, n_con = layout_sizes(layout)
    _, orgs, cons = _offsets(layout)
    for q in range(n_place):
        w.place_ics[q] = 0
    for i in range(n_org):
        w.org_kind[i] = int(layout[orgs + i * ORG_COLS])
        w.org_ics[i] = 0
        w.org_place[i] = -1
        w.org_con_start[i] = n_con
        w.org_con_end[i] = 0
    for c in range(n_con):
        row = cons + c * CON_COLS
        i = int(layout[row])
        w.con_org[c] = i
        w.con_place[c] = int(layout[row + 1])
        w.con_kind[c] = w.org_kind[i]
        w.org_con_start[i] = min(w.org_con_start[i], c)
        w.org_con_end[i] = max(w.org_con_end[i], c + 1)
    for i in range(n_org):
        if w.org_con_end[i] - w.org_con_start[i] == 1:
            w.org_place[i] = w.con_place[w.org_con_start[i]]
    fill = 0
    for q in range(n_place):
        w.place_con_start[q] = fill
        for c in range(n_con):
            if w.con_place[c] == q:
                w.place_con[fill] = c
                fill += 1
        w.place_con_end[q] = fill
    e = 0
    for i in range(n_org):
        w.edge_start[i] = e
        for j in range(n_org):
            if j != i and _share_a_place(serves, i, j):
                w.edge_dst[e] = j
                e += 1
        w.edge_end[i] = e


@jit
def fill_places_placed(w, p, layout):
    """Each place's population, need index and allocation (GBP million a month) as given; its
    allocation index is its allocation per head over the reference per head."""
    n_place, _, _ = layout_sizes(layout)
    places, _, _ = _offsets(layout)
    reference = layout[REFERENCE] if layout[REFERENCE] > 0.0 else p[P.spend_per_head]
    for q in range(n_place):
        row = places + q * PLACE_COLS
        people = layout[row]
        annual = layout[row + 2]
        w.population[q] = people
        w.need_index[q] = layout[row + 1]
        w.alloc_base[q] = annual / MONTHS_PER_YEAR
        w.alloc_index[q] = annual * POUNDS_PER_MILLION / people / reference


@jit
def sizes_placed(w, layout):
    """Each contract's size against the average provider of its line in its place, from the
    budgets the organisations hold there: `n weight_c / (sum of the line's weights)`."""
    _, _, cons = _offsets(layout)
    con_size = w.con_size
    con_kind = w.con_kind
    place_con = w.place_con
    for q in range(w.place_con_start.shape[0]):
        start, end = w.place_con_start[q], w.place_con_end[q]
        for idx in range(start, end):
            cc = place_con[idx]
            n = 0.0
            total = 0.0
            for other in range(start, end):
                co = place_con[other]
                if con_kind[co] == con_kind[cc]:
                    n += 1.0
                    total += layout[cons + co * CON_COLS + 2]
            con_size[cc] = n * layout[cons + cc * CON_COLS + 2] / total


@jit
def orgs_placed(w, layout):
    """Each organisation's unit cost and starting balance, as given."""
    _, n_org, _ = layout_sizes(layout)
    _, orgs, _ = _offsets(layout)
    for i in range(n_org):
        w.unit_cost[i] = layout[orgs + i * ORG_COLS + 1]
        w.balance[i] = layout[orgs + i * ORG_COLS + 2]


@jit
def health_placed(w, p):
    """Starting health from the need index, on the slope the draws of 7.15 imply: the need index
    `1 + need_spread d` gives `d`, and health `initial_health (1 - health_spread d)`, in [0, 1]
    (no slope when need_spread is 0)."""
    spread = p[P.need_spread]
    for q in range(w.need_index.shape[0]):
        d = (w.need_index[q] - 1.0) / spread if spread > 0.0 else 0.0
        h = p[P.initial_health] * (1.0 - p[P.health_spread] * d)
        w.health[q] = min(1.0, max(0.0, h))
        w.health_base[q] = w.health[q]
