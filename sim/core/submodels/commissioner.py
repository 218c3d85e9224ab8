"""Commissioner (one per place): holds the pool and pays providers under the funding model.

Phases loop over places `lo..hi-1`. The funding model is chosen once per phase, not per contract.
"""

import numpy as np

from sim.core.constants import (
    ACTIVITY,
    ACUTE,
    ALLIANCE,
    BLOCK,
    CLASSROOM_COMMONS,
    N_LINES,
    PLACE_SYSTEM,
    PUBLIC_GOODS,
)
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rules import RX as R
from sim.core.state import CLOCK_BUDGET, KEY_WORLD
from sim.core.submodels.games import pay_commons, pay_public_goods

# Transaction cost of commissioning, as a share of payments, by funding model (activity, block,
# capitated, alliance): many short activity contracts cost most to price, bill and dispute.
TRANSACTION_RATE = np.array([0.02, 0.006, 0.005, 0.006])
# Share of transaction costs saved by strategic commissioning (fewer, longer contracts) and by a
# dedicated team, each at full strength.
STRATEGIC_TRANSACTION_CUT = 0.5
TEAM_TRANSACTION_CUT = 0.3
# Running cost of each governance lever at full strength, as a share of the allocation.
GOVERNANCE_RATE_VISION = 0.002
GOVERNANCE_RATE_COLLECTIVE = 0.002
GOVERNANCE_RATE_MONITORING = 0.003
GOVERNANCE_RATE_LEADERSHIP = 0.002
GOVERNANCE_RATE_CONFLICT = 0.001
GOVERNANCE_RATE_NESTED = 0.001
GOVERNANCE_RATE_WHOLE_SYSTEM = 0.001
GOVERNANCE_RATE_TEAM = 0.002
ALLIANCE_GAIN_SHARE = 0.5  # share of an alliance's underspend returned to its providers


@jit
def allocate(w, p, r, lo, hi):
    """The month's allocation arrives; part of any deficit is repaid by spending less."""
    pool_balance = w.pool_balance
    clock = w.clock
    key = w.key
    allocation = w.allocation
    available = w.available
    alloc_base = w.alloc_base
    if key[KEY_WORLD] != PLACE_SYSTEM:
        return
    budget = clock[CLOCK_BUDGET]
    repayment_rate = p[P.repayment_rate]
    max_repayment = p[P.max_repayment_share]
    reserve_draw = p[P.reserve_draw]
    pool = pool_balance
    for q in range(lo, hi):
        alloc = alloc_base[q] * budget
        deficit = max(0.0, -pool[q])
        repay = min(repayment_rate * deficit, max_repayment * alloc)
        reserve = max(0.0, pool[q])
        allocation[q] = alloc
        available[q] = alloc - repay + reserve_draw * reserve
        pool[q] += alloc


@jit
def block_share(slice_, base_share, prev_share):
    """A contract's share of its place's pool under the agreement (with its prevention slice)."""
    return base_share * (1.0 - slice_) + slice_ * prev_share


@jit
def pay(w, p, r, lo, hi):
    """Pay this place's contracts under the funding model, then commissioning costs."""
    key = w.key
    world = key[KEY_WORLD]
    if world == CLASSROOM_COMMONS:
        pay_commons(w, p, lo, hi)
        return
    if world == PUBLIC_GOODS:
        pay_public_goods(w, p, lo, hi)
        return
    f = int(r[R.funding_model])
    if f == ACTIVITY:
        _pay_by_activity(w, p, r, lo, hi)
    elif f == BLOCK:
        _pay_blocks(w, p, r, lo, hi)
    else:
        _pay_pooled(w, p, r, lo, hi, f == ALLIANCE)
    _charge_costs(w, r, lo, hi, f)


@jit
def _pay_by_activity(w, p, r, lo, hi):
    """Payment by results: the acute tariff is total first (emergency growth at a marginal rate);
    the others' block contracts, set from their activity plans (claims), are cut in proportion to
    fit what is left."""
    place_con = w.place_con
    con_kind = w.con_kind
    claim = w.claim
    prevention = w.prevention
    payment = w.payment
    need = w.need
    pay_ratio = w.pay_ratio
    paid = w.paid
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    spill = w.spill
    available = w.available
    tariff = 1.0 + p[P.tariff_margin]
    marginal = p[P.emergency_marginal_rate]
    for q in range(lo, hi):
        start, end = place_con_start[q], place_con_end[q]
        acute_need = need[q, ACUTE]
        emergency = spill[q] / acute_need if acute_need > 0.0 else 0.0
        emergency = min(1.0, emergency)
        total = 0.0
        blocks = 0.0
        for idx in range(start, end):
            c = place_con[idx]
            if con_kind[c] == ACUTE:
                planned = claim[c] * (1.0 - emergency)
                urgent = claim[c] * emergency
                payment[c] = tariff * planned + tariff * marginal * urgent
                total += payment[c]
            else:
                blocks += claim[c] + prevention[c]
        remaining = max(0.0, available[q] - total)
        ratio = min(1.0, remaining / blocks) if blocks > 0.0 else 1.0
        for idx in range(start, end):
            c = place_con[idx]
            if con_kind[c] != ACUTE:
                payment[c] = (claim[c] + prevention[c]) * ratio
                total += payment[c]
        pay_ratio[q] = ratio
        paid[q] = total


@jit
def _pay_blocks(w, p, r, lo, hi):
    """Block contracts: each contract gets its agreed share of what is budget; work beyond
    the block is not total."""
    place_con = w.place_con
    con_org = w.con_org
    payment = w.payment
    available = w.available
    pay_ratio = w.pay_ratio
    paid = w.paid
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    org_member = w.org_member
    con_base_share = w.con_base_share
    con_prev_share = w.con_prev_share
    agreed_slice = r[R.prevention_slice] * r[R.agreed_shares]
    for q in range(lo, hi):
        budget = available[q]
        total = 0.0
        for idx in range(place_con_start[q], place_con_end[q]):
            c = place_con[idx]
            slice_ = agreed_slice * org_member[con_org[c]]
            share = block_share(slice_, con_base_share[c], con_prev_share[c])
            payment[c] = share * budget
            total += payment[c]
        pay_ratio[q] = 0.0
        paid[q] = total


@jit
def _pay_pooled(w, p, r, lo, hi, alliance):
    """Pooled capitated budget (and alliance): claims total in full while the pool lasts; an
    alliance returns part of any underspend to its providers by their base shares."""
    place_con = w.place_con
    claim = w.claim
    prevention = w.prevention
    payment = w.payment
    available = w.available
    pay_ratio = w.pay_ratio
    paid = w.paid
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    con_base_share = w.con_base_share
    for q in range(lo, hi):
        start, end = place_con_start[q], place_con_end[q]
        budget = available[q]
        requested = 0.0
        for idx in range(start, end):
            c = place_con[idx]
            requested += claim[c] + prevention[c]
        ratio = min(1.0, budget / requested) if requested > 0.0 else 1.0
        ratio = max(0.0, ratio)
        total = 0.0
        for idx in range(start, end):
            c = place_con[idx]
            payment[c] = (claim[c] + prevention[c]) * ratio
            total += payment[c]
        if alliance:
            surplus = budget - total
            if surplus > 0.0:
                for idx in range(start, end):
                    c = place_con[idx]
                    bonus = ALLIANCE_GAIN_SHARE * surplus * con_base_share[c]
                    payment[c] += bonus
                    total += bonus
        pay_ratio[q] = ratio
        paid[q] = total


@jit
def governance_rate(r):
    """Running cost of the governance levers, as a share of the allocation."""
    return (
        GOVERNANCE_RATE_VISION * r[R.shared_vision]
        + GOVERNANCE_RATE_COLLECTIVE * r[R.collective_choice]
        + GOVERNANCE_RATE_MONITORING * r[R.monitoring]
        + GOVERNANCE_RATE_LEADERSHIP * r[R.system_leadership]
        + GOVERNANCE_RATE_CONFLICT * r[R.conflict_resolution]
        + GOVERNANCE_RATE_NESTED * r[R.nested_coordination]
        + GOVERNANCE_RATE_WHOLE_SYSTEM * r[R.whole_system_regulation]
        + GOVERNANCE_RATE_TEAM * r[R.dedicated_team]
    )


@jit
def _charge_costs(w, r, lo, hi, f):
    """Spend by line, then transaction and governance costs, all drawn from the pool."""
    place_con = w.place_con
    con_kind = w.con_kind
    payment = w.payment
    spend_line = w.spend_line
    paid = w.paid
    transaction_cost = w.transaction_cost
    governance_cost = w.governance_cost
    pool_balance = w.pool_balance
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    allocation = w.allocation
    strategic = 1.0 - STRATEGIC_TRANSACTION_CUT * r[R.strategic_commissioning]
    team = 1.0 - TEAM_TRANSACTION_CUT * r[R.dedicated_team]
    rate = governance_rate(r)
    for q in range(lo, hi):
        for k in range(N_LINES):
            spend_line[q, k] = 0.0
        for idx in range(place_con_start[q], place_con_end[q]):
            c = place_con[idx]
            spend_line[q, con_kind[c]] += payment[c]
        total = paid[q]
        transaction = TRANSACTION_RATE[f] * total * strategic * team
        governance = allocation[q] * rate
        transaction_cost[q] = transaction
        governance_cost[q] = governance
        pool_balance[q] -= total + transaction + governance
