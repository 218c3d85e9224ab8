"""Commissioner (one per place): holds the pool and pays providers under the funding model.

Phases loop over places `lo..hi-1`. The funding model is chosen once per phase, not per contract.
"""

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

# Transaction and running costs are parameters (sim/core/parameter_table.py, with their sources).


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
    _charge_costs(w, p, r, lo, hi, f)


@jit
def planned(r, eligible):
    """How far a provider's share is an activity plan agreed with the commissioner alone: where
    shares are agreed and the partnership does not reach it (ODD 7.26). Acute activity above the
    plan is paid `plan_marginal_rate` of the price it would otherwise get."""
    return r[R.agreed_shares] * (1.0 - eligible)


@jit
def _pay_by_activity(w, p, r, lo, hi):
    """Payment by results: the acute tariff is total first (emergency growth at a marginal rate,
    and activity above a plan agreed with the commissioner alone at the plan's marginal rate);
    the others' block contracts, set from their activity plans (claims), are cut in proportion to
    fit what is left."""
    # Long: one pass over places and their contracts, with its arrays bound first.
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
    con_org = w.con_org
    org_eligible = w.org_eligible
    agreed = w.agreed
    tariff = 1.0 + p[P.tariff_margin]
    marginal = p[P.emergency_marginal_rate]
    plan_rate = p[P.plan_marginal_rate]
    public = r[R.public_involvement]
    for q in range(lo, hi):
        start, end = place_con_start[q], place_con_end[q]
        acute_need = need[q, ACUTE]
        emergency = spill[q] / acute_need if acute_need > 0.0 else 0.0
        emergency = min(1.0, emergency)
        total = 0.0
        blocks = 0.0
        prevented = 0.0
        for idx in range(start, end):
            c = place_con[idx]
            if con_kind[c] == ACUTE:
                within = claim[c]
                over = planned(r, org_eligible[con_org[c]]) * max(0.0, within - agreed[c])
                if over > 0.0:
                    within -= over
                scheduled = within * (1.0 - emergency)
                urgent = within * emergency
                payment[c] = tariff * scheduled + tariff * marginal * urgent
                if over > 0.0:
                    # Above the plan, the price it would otherwise get, at the plan's rate.
                    full = tariff * over * (1.0 - emergency) + tariff * marginal * over * emergency
                    payment[c] += plan_rate * full
                total += payment[c]
            else:
                blocks += claim[c]
                prevented += prevention[c]
        remaining = max(0.0, available[q] - total)
        ratio, prevention_ratio = protected_ratios(remaining, blocks, prevented, public)
        for idx in range(start, end):
            c = place_con[idx]
            if con_kind[c] != ACUTE:
                payment[c] = claim[c] * ratio + prevention[c] * prevention_ratio
                total += payment[c]
        pay_ratio[q] = ratio
        paid[q] = total


@jit
def _pay_blocks(w, p, r, lo, hi):
    """Block contracts: each contract gets its base share of what is available (less the agreed
    prevention slice) plus its agreed prevention budget; work beyond the block is not paid."""
    place_con = w.place_con
    payment = w.payment
    available = w.available
    pay_ratio = w.pay_ratio
    paid = w.paid
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    con_base_share = w.con_base_share
    agreed_prevention = w.agreed_prevention
    chosen_slice = w.chosen_slice
    for q in range(lo, hi):
        budget = available[q]
        slice_ = chosen_slice[q]
        total = 0.0
        for idx in range(place_con_start[q], place_con_end[q]):
            c = place_con[idx]
            payment[c] = con_base_share[c] * (1.0 - slice_) * budget + agreed_prevention[c]
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
    public = r[R.public_involvement]
    gain_share = p[P.alliance_gain_share]  # of an alliance place's underspend, to its providers
    for q in range(lo, hi):
        start, end = place_con_start[q], place_con_end[q]
        budget = max(0.0, available[q])
        claims = 0.0
        prevented = 0.0
        for idx in range(start, end):
            c = place_con[idx]
            claims += claim[c]
            prevented += prevention[c]
        ratio, prevention_ratio = protected_ratios(budget, claims, prevented, public)
        total = 0.0
        for idx in range(start, end):
            c = place_con[idx]
            payment[c] = claim[c] * ratio + prevention[c] * prevention_ratio
            total += payment[c]
        if alliance:
            surplus = budget - total
            if surplus > 0.0:
                for idx in range(start, end):
                    c = place_con[idx]
                    bonus = gain_share * surplus * con_base_share[c]
                    payment[c] += bonus
                    total += bonus
        pay_ratio[q] = ratio
        paid[q] = total


@jit
def protected_ratios(budget, claims, prevention, public):
    """Shares of claims and of prevention paid from `budget`: in full while it lasts, otherwise
    pro rata, except that the share `public` of the prevention requested (the public's priority)
    is paid first. Pays at most `budget`."""
    requested = claims + prevention
    if requested <= budget or requested <= 0.0:
        return 1.0, 1.0
    protected = public * prevention
    first = min(budget, protected)
    rest = requested - protected
    ratio = (budget - first) / rest if rest > 0.0 else 0.0
    paid_first = first / protected if protected > 0.0 else 0.0
    return ratio, public * paid_first + (1.0 - public) * ratio


@jit
def transaction_rate(p, f):
    """Transaction cost of commissioning, as a share of payments, under funding model `f`."""
    if f == ACTIVITY:
        return p[P.transaction_activity]
    if f == BLOCK:
        return p[P.transaction_block]
    if f == ALLIANCE:
        return p[P.transaction_alliance]
    return p[P.transaction_capitated]


@jit
def governance_rate(p, r):
    """Running cost of the governance levers, as a share of the allocation."""
    return (
        p[P.cost_shared_vision] * r[R.shared_vision]
        + p[P.cost_collective_choice] * r[R.collective_choice]
        + p[P.cost_public] * r[R.public_involvement]
        + p[P.cost_monitoring] * r[R.monitoring]
        + p[P.cost_leadership] * r[R.system_leadership]
        + p[P.cost_conflict] * r[R.conflict_resolution]
        + p[P.cost_nested] * r[R.nested_coordination]
        + p[P.cost_whole_system] * r[R.whole_system_regulation]
        + p[P.cost_team] * r[R.dedicated_team]
    )


@jit
def _charge_costs(w, p, r, lo, hi, f):
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
    strategic = 1.0 - p[P.strategic_transaction_cut] * r[R.strategic_commissioning]
    team = 1.0 - p[P.team_transaction_cut] * r[R.dedicated_team]
    rate = governance_rate(p, r)
    transaction_share = transaction_rate(p, f)
    for q in range(lo, hi):
        for k in range(N_LINES):
            spend_line[q, k] = 0.0
        for idx in range(place_con_start[q], place_con_end[q]):
            c = place_con[idx]
            spend_line[q, con_kind[c]] += payment[c]
        total = paid[q]
        transaction = transaction_share * total * strategic * team
        governance = allocation[q] * rate
        transaction_cost[q] = transaction
        governance_cost[q] = governance
        pool_balance[q] -= total + transaction + governance
