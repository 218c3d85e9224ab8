"""Collective choice (Ostrom's third principle): the partners at each place vote on the operational
rules they live under, once a year at the planning round (ODD 7.25).

The rule set tables a prevention slice and a sanction severity. Under collective choice the members
of each place's agreement amend them: each member has an ideal value, and the membership-weighted
median of the ideals (the value no majority would vote to move, Black's median voter) is chosen.
`collective_choice` sets how far the tabled value moves to the chosen one; a rule out of scope (a
tabled slice or severity of 0, or a place with no prevention to fund) is not put to the vote. The
tabled rules hold until the first planning round a full year after they were adopted (months 1-11
of a run; after a change of rules, until the round at least 12 months later).

- Prevention slice. A member weighs the system's outcome by its board's weight on it (none for a
  free rider, less in special measures) and its own money at 1. At slice `x` of expected need `N`
  a unit more buys `N` of prevention, worth `prevention_value e^(-x/s)` a pound to the system (the
  diminishing returns of ODD 7.9), and gives up `A` of care (`A` the money available); to the
  member it brings its share of the prevention budget and takes its share of the care budget (the
  share in force, by need under collective choice). Its ideal slice sets that marginal value to
  zero (`ideal_slice`).
- Sanction severity. Members who kept to their norms vote for stronger fines on breaches, those
  who broke them for weaker ones (Ertan, Page and Putterman 2009: groups voted to punish low
  contributors, never high ones): the ideal multiple of the tabled fine is
  `1 + vote_fine_spread (2 conduct - 1)`, at least 0.

Legitimacy follows from having chosen (`behaviour.legitimacy`, ODD 7.11).
"""

import math

import numpy as np

from sim.core.constants import MONTHS_PER_YEAR
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rules import LEVER_RANGES
from sim.core.rules import RX as R
from sim.core.state import CLOCK_STEP
from sim.core.submodels.incentives import board_weight
from sim.core.submodels.place import (
    contract_need,
    covered_need,
    need_choice,
    share_in_force,
    trend_need,
)

# The largest slice a vote can choose: the lever's own upper bound.
SLICE_CAP = LEVER_RANGES["prevention_slice"][1]


@jit
def tabled_slice(p, r):
    """The prevention slice the rules table: the rule set's, or, where it is smaller, what an
    involved public asks for (`public_prevention` at full involvement, ODD 7.26)."""
    return max(r[R.prevention_slice], p[P.public_prevention] * r[R.public_involvement])


@jit
def ideal_slice(weight, value, saturation, care_share, prevention_share, cost_ratio, cap):
    """The prevention slice a member would choose: where its marginal gain from a larger slice,
    per pound of expected need, `weight (value e^(-x/s) - cost_ratio) + prevention_share -
    care_share cost_ratio`, is zero (`cost_ratio`: care given up per pound of prevention, the money
    available over expected need); 0 where even the first pound does not pay it, `cap` where every
    pound does."""
    loss = cost_ratio * (weight + care_share) - prevention_share
    gain = weight * value
    if loss <= 0.0:
        return cap
    if gain <= loss:
        return 0.0
    return min(cap, saturation * math.log(gain / loss))


@jit
def ideal_fine(conduct, spread):
    """The multiple of the tabled fine a member would choose, from how far it kept to its norm."""
    return max(0.0, 1.0 + spread * (2.0 * conduct - 1.0))


@jit
def weighted_median(values, weights, total, order, start, end):
    """The lower weighted median of `values[order[k]]` for k in start..end-1, each weighing
    `weights[k - start]` (which sum to `total`): the smallest value with at least half the total
    weight at or below it."""
    best = math.inf
    for k in range(start, end):
        v = values[order[k]]
        if v >= best:
            continue
        below = 0.0
        for j in range(start, end):
            if values[order[j]] <= v:
                below += weights[j - start]
        if 2.0 * below >= total:
            best = v
    return best


@jit
def choose_rules(w, p, r, lo, hi):
    """At each annual planning round at least a year after the rules were adopted, the members of
    each place's agreement vote on the prevention slice (`chosen_slice`) and the sanction severity
    (`fine_factor`, the multiple of the tabled fine); each member's ideal is kept in `vote_slice`
    and `vote_fine`."""
    # Long: one pass over places and their members, with its arrays bound first.
    step = w.clock[CLOCK_STEP]
    choice = r[R.collective_choice]
    if choice <= 0.0 or step % MONTHS_PER_YEAR != 0.0:
        return
    place_con = w.place_con
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    rules_adopted = w.rules_adopted
    con_org = w.con_org
    con_kind = w.con_kind
    con_size = w.con_size
    con_base_share = w.con_base_share
    con_prev_share = w.con_prev_share
    need = w.need
    need_base = w.need_base
    providers = w.providers
    available = w.available
    org_member = w.org_member
    org_type = w.org_type
    vision = w.vision
    segment = w.segment
    conduct = w.conduct
    vote_slice = w.vote_slice
    vote_fine = w.vote_fine
    chosen_slice = w.chosen_slice
    fine_factor = w.fine_factor
    tabled = tabled_slice(p, r)
    # Only rules in scope are put to the vote: shares the members agree, fines that exist.
    by_need, open_ = need_choice(p, r)
    slice_move = by_need if tabled > 0.0 else 0.0
    fine_move = choice if r[R.sanction_severity] > 0.0 else 0.0
    value = p[P.prevention_value]
    saturation = p[P.prevention_saturation]
    spread = p[P.vote_fine_spread]
    focus = p[P.special_measures_focus]
    for q in range(lo, hi):
        if step - rules_adopted[q] < MONTHS_PER_YEAR:
            continue  # the tabled rules get a full year first
        start, end = place_con_start[q], place_con_end[q]
        expected = trend_need(need_base, q)
        cost_ratio = available[q] / expected if expected > 0.0 else 1.0
        weights = np.empty(end - start)
        total = 0.0
        funded = 0.0
        for k in range(start, end):
            c = place_con[k]
            i = con_org[c]
            vote_fine[c] = ideal_fine(conduct[i], spread)
            weights[k - start] = org_member[i]
            total += org_member[i]
            funded += con_prev_share[c]
        if total <= 0.0:
            continue  # nobody inside the agreement: the rules in force stand
        # A place with no prevention to fund (a laboratory game) has no slice to choose.
        if funded > 0.0:
            covered = covered_need(need, providers, q)
            for k in range(start, end):
                c = place_con[k]
                i = con_org[c]
                kind = con_kind[c]
                # The care share in force, as `plan` sets it: by need as far as it is chosen.
                faced = contract_need(need, providers, con_size[c], q, kind)
                choose = by_need * org_member[i] + open_
                share = share_in_force(con_base_share[c], faced, covered, choose)
                weight = board_weight(org_type[i], vision[i], segment[i], focus)
                vote_slice[c] = ideal_slice(
                    weight, value, saturation, share, con_prev_share[c], cost_ratio, SLICE_CAP
                )
            median = weighted_median(vote_slice, weights, total, place_con, start, end)
            chosen_slice[q] = tabled + slice_move * (median - tabled)
        median = weighted_median(vote_fine, weights, total, place_con, start, end)
        fine_factor[q] = 1.0 + fine_move * (median - 1.0)
