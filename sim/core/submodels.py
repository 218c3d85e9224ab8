"""The model's rules, one function per phase of a month, written once for both engines.

Each function is compiled by numba for the kernel; the per-agent Python engine calls the same
function's `.py_func` from the Mesa agent that owns the phase (`Trust.plan` calls `plan.py_func`).
Both therefore run the same arithmetic in the same order, which is what makes the two engines agree
to the bit. The equations and their parameter values are documented in docs/ODD.md, section 7.

Worlds (scenarios) choose the payoff function only; the behaviour (claiming, monitoring, sanctions,
trust, learning) is shared by all of them.
"""

import numpy as np
from numba import njit

from sim.core.constants import (
    ACTIVITY,
    ACUTE,
    ALLIANCE,
    BLOCK,
    CLASSROOM_COMMONS,
    N_LINES,
    PLACE_SYSTEM,
    PREVENTIVE,
    PUBLIC_GOODS,
    RNG_DEMAND_SHOCK_A,
    RNG_DEMAND_SHOCK_B,
    RNG_EXPLORATION,
    RNG_MONITORING,
)
from sim.core.params import PX as P
from sim.core.rng import uniform
from sim.core.rules import RX as R
from sim.core.state import CLOCK_BUDGET, CLOCK_NEED, CLOCK_RUN, CLOCK_SEED, CLOCK_STEP, CLOCK_WORLD

# Share of unfunded activity a provider still delivers (its duty to treat), by kind. Acute and
# ambulance trusts must see whoever arrives; a local authority must balance its budget.
DUTY_TO_TREAT = np.array([1.0, 0.3, 0.3, 0.2, 1.0, 0.0, 1.0])
# Transaction cost of commissioning, as a share of payments, by funding model (activity, block,
# capitated, alliance): many short activity contracts cost most to price, bill and dispute.
TRANSACTION_RATE = np.array([0.02, 0.006, 0.005, 0.006])
# Running cost of each governance lever at full strength, as a share of the allocation.
GOVERNANCE_RATE_VISION = 0.002
GOVERNANCE_RATE_COLLECTIVE = 0.002
GOVERNANCE_RATE_MONITORING = 0.003
GOVERNANCE_RATE_LEADERSHIP = 0.002
GOVERNANCE_RATE_CONFLICT = 0.001
GOVERNANCE_RATE_NESTED = 0.001
GOVERNANCE_RATE_WHOLE_SYSTEM = 0.001
GOVERNANCE_RATE_TEAM = 0.002
SQRT6 = 6.0**0.5  # scales the sum of two uniforms to unit standard deviation
ALLIANCE_GAIN_SHARE = 0.5  # share of an alliance's underspend returned to its providers
CONFLICT_SOFTENING = 0.6  # share of a trust fall that conflict resolution absorbs


@njit(cache=True)
def clamp(x, low, high):
    return min(high, max(low, x))


@njit(cache=True)
def world_of(w):
    return int(w.clock[CLOCK_WORLD])


@njit(cache=True)
def step_of(w):
    return int(w.clock[CLOCK_STEP])


# --------------------------------------------------------------------------------------------
# Model-level phases
# --------------------------------------------------------------------------------------------
@njit(cache=True)
def begin_step(w, p, r):
    """Advance the clock and clear this month's flows."""
    w.clock[CLOCK_STEP] += 1.0
    w.clock[CLOCK_BUDGET] *= 1.0 + p[P.budget_growth] / 12.0
    w.clock[CLOCK_NEED] *= 1.0 + (p[P.need_growth] + p[P.ageing]) / 12.0
    for i in range(w.org_kind.shape[0]):
        w.breach[i] = 0.0
        w.detected[i] = 0.0
        w.fine[i] = 0.0
        w.overclaim[i] = 0.0
        w.income[i] = 0.0
        w.spend[i] = 0.0
    for q in range(w.place_ics.shape[0]):
        w.takeover_cost[q] = 0.0
        w.fines_in[q] = 0.0


@njit(cache=True)
def pool_risk(w, p, r):
    """Nested enterprises: places move their pool balances towards their system's mean."""
    nu = r[R.nested_coordination]
    if nu <= 0.0:
        return
    n_place = w.place_ics.shape[0]
    n_ics = w.place_ics[n_place - 1] + 1
    total = np.zeros(n_ics)
    count = np.zeros(n_ics)
    for q in range(n_place):
        total[w.place_ics[q]] += w.pool_balance[q]
        count[w.place_ics[q]] += 1.0
    for q in range(n_place):
        s = w.place_ics[q]
        w.pool_balance[q] += nu * (total[s] / count[s] - w.pool_balance[q])


# --------------------------------------------------------------------------------------------
# Place
# --------------------------------------------------------------------------------------------
@njit(cache=True)
def update_need(w, p, r, q):
    """Need grows with ageing and multimorbidity, rises as health falls, varies with a monthly
    shock, and carries the waiting list; unmet out-of-hospital need arrives at acute care."""
    if world_of(w) != PLACE_SYSTEM:
        total = 0.0
        for idx in range(w.place_con_start[q], w.place_con_end[q]):
            total += w.claim[w.place_con[idx]]
        w.appropriation[q] = total
        return
    growth = 1.0 + (p[P.need_growth] + p[P.ageing]) / 12.0
    health_factor = (
        1.0 + p[P.health_need_elasticity] * (w.health_base[q] - w.health[q]) / w.health_base[q]
    )
    # A month's shock to new need (winter pressures, outbreaks): triangular, mean 1, s.d. demand_noise.
    seed = int(w.clock[CLOCK_SEED])
    run = int(w.clock[CLOCK_RUN])
    u1 = uniform(seed, run, step_of(w), q, RNG_DEMAND_SHOCK_A)
    u2 = uniform(seed, run, step_of(w), q, RNG_DEMAND_SHOCK_B)
    shock = max(0.0, 1.0 + p[P.demand_noise] * SQRT6 * (u1 + u2 - 1.0))
    factor = max(0.0, health_factor) * shock
    for k in range(N_LINES):
        w.need_base[q, k] *= growth
        w.need[q, k] = w.need_base[q, k] * factor + w.waiting[q, k]
    w.need[q, ACUTE] += w.spill[q]
    w.acute_new[q] = w.need_base[q, ACUTE] * factor + w.spill[q]


@njit(cache=True)
def update_health(w, p, r, q):
    """Count care delivered; unmet need joins the waiting list and spills into acute demand;
    prevention builds population health and unmet need erodes it."""
    if world_of(w) != PLACE_SYSTEM:
        return
    for k in range(N_LINES):
        w.delivered[q, k] = 0.0
    prevention = 0.0
    for idx in range(w.place_con_start[q], w.place_con_end[q]):
        c = w.place_con[idx]
        w.delivered[q, w.con_kind[c]] += w.activity[c]
        prevention += w.prevention_delivered[c]
    w.prevention_spend[q] = prevention
    need_total = 0.0
    unmet_total = 0.0
    spill = 0.0
    attrition = p[P.waiting_attrition]
    for k in range(N_LINES):
        unmet = max(0.0, w.need[q, k] - w.delivered[q, k])
        w.unmet[q, k] = unmet
        w.waiting[q, k] = (1.0 - attrition) * unmet
        need_total += w.need[q, k]
        unmet_total += unmet
        if PREVENTIVE[k] == 1:
            spill += unmet
    # Of those leaving the waiting list, a share arrives at acute care next month.
    w.spill[q] = p[P.spillover] * attrition * spill
    h = w.health[q]
    dh = p[P.health_recovery] * (w.health_base[q] - h)
    if need_total > 0.0:
        # Harm comes from those who leave the waiting list untreated this month.
        dh += p[P.prevention_effect] * prevention / need_total
        dh -= p[P.unmet_harm] * attrition * unmet_total / need_total
    w.health[q] = clamp(h + dh, 0.0, 1.0)


# --------------------------------------------------------------------------------------------
# Commissioner (one per place): holds the pool and pays providers under the funding model
# --------------------------------------------------------------------------------------------
@njit(cache=True)
def allocate(w, p, r, q):
    """The month's allocation arrives; part of any deficit is repaid by spending less."""
    if world_of(w) != PLACE_SYSTEM:
        return
    alloc = w.alloc_base[q] * w.clock[CLOCK_BUDGET]
    deficit = max(0.0, -w.pool_balance[q])
    repay = min(p[P.repayment_rate] * deficit, p[P.max_repayment_share] * alloc)
    reserve = max(0.0, w.pool_balance[q])
    w.allocation[q] = alloc
    w.available[q] = alloc - repay + p[P.reserve_draw] * reserve
    w.pool_balance[q] += alloc


@njit(cache=True)
def _paid_by_activity(r, kind):
    """Under payment by results the acute tariff pays per unit; the others hold block contracts."""
    return int(r[R.funding_model]) == ACTIVITY and kind == ACUTE


@njit(cache=True)
def _block_share(w, r, c):
    slice_ = r[R.prevention_slice] * r[R.agreed_shares] * w.org_member[w.con_org[c]]
    return w.con_base_share[c] * (1.0 - slice_) + slice_ * w.con_prev_share[c]


@njit(cache=True)
def pay(w, p, r, q):
    """Pay this place's contracts under the funding model, then commissioning costs."""
    world = world_of(w)
    if world == CLASSROOM_COMMONS:
        _pay_commons(w, p, q)
        return
    if world == PUBLIC_GOODS:
        _pay_public_goods(w, p, q)
        return
    f = int(r[R.funding_model])
    available = w.available[q]
    start = w.place_con_start[q]
    end = w.place_con_end[q]
    paid = 0.0
    ratio = 1.0
    if f == ACTIVITY:
        # Payment by results: the acute tariff is paid first (emergency growth at a marginal
        # rate); the others' block contracts, set from their activity plans (claims), are cut
        # in proportion to fit what is left.
        tariff = 1.0 + p[P.tariff_margin]
        acute_need = w.need[q, ACUTE]
        emergency = w.spill[q] / acute_need if acute_need > 0.0 else 0.0
        emergency = min(1.0, emergency)
        blocks = 0.0
        for idx in range(start, end):
            c = w.place_con[idx]
            if w.con_kind[c] == ACUTE:
                planned = w.claim[c] * (1.0 - emergency)
                urgent = w.claim[c] * emergency
                w.payment[c] = tariff * planned + tariff * p[P.emergency_marginal_rate] * urgent
                paid += w.payment[c]
            else:
                blocks += w.claim[c] + w.prevention[c]
        remaining = max(0.0, available - paid)
        ratio = min(1.0, remaining / blocks) if blocks > 0.0 else 1.0
        for idx in range(start, end):
            c = w.place_con[idx]
            if w.con_kind[c] != ACUTE:
                w.payment[c] = (w.claim[c] + w.prevention[c]) * ratio
                paid += w.payment[c]
    elif f == BLOCK:
        ratio = 0.0  # work beyond the block is not paid
        for idx in range(start, end):
            c = w.place_con[idx]
            w.payment[c] = _block_share(w, r, c) * available
            paid += w.payment[c]
    else:
        # Pooled capitated budget (and alliance): claims paid in full while the pool lasts.
        requested = 0.0
        for idx in range(start, end):
            c = w.place_con[idx]
            requested += w.claim[c] + w.prevention[c]
        ratio = min(1.0, available / requested) if requested > 0.0 else 1.0
        ratio = max(0.0, ratio)
        for idx in range(start, end):
            c = w.place_con[idx]
            w.payment[c] = (w.claim[c] + w.prevention[c]) * ratio
            paid += w.payment[c]
        if f == ALLIANCE:
            surplus = available - paid
            if surplus > 0.0:
                for idx in range(start, end):
                    c = w.place_con[idx]
                    bonus = ALLIANCE_GAIN_SHARE * surplus * w.con_base_share[c]
                    w.payment[c] += bonus
                    paid += bonus
    w.pay_ratio[q] = ratio
    for k in range(N_LINES):
        w.spend_line[q, k] = 0.0
    for idx in range(start, end):
        c = w.place_con[idx]
        w.spend_line[q, w.con_kind[c]] += w.payment[c]
    transaction = (
        TRANSACTION_RATE[f]
        * paid
        * (1.0 - 0.5 * r[R.strategic_commissioning])
        * (1.0 - 0.3 * r[R.dedicated_team])
    )
    governance = w.allocation[q] * (
        GOVERNANCE_RATE_VISION * r[R.shared_vision]
        + GOVERNANCE_RATE_COLLECTIVE * r[R.collective_choice]
        + GOVERNANCE_RATE_MONITORING * r[R.monitoring]
        + GOVERNANCE_RATE_LEADERSHIP * r[R.system_leadership]
        + GOVERNANCE_RATE_CONFLICT * r[R.conflict_resolution]
        + GOVERNANCE_RATE_NESTED * r[R.nested_coordination]
        + GOVERNANCE_RATE_WHOLE_SYSTEM * r[R.whole_system_regulation]
        + GOVERNANCE_RATE_TEAM * r[R.dedicated_team]
    )
    w.transaction_cost[q] = transaction
    w.governance_cost[q] = governance
    w.pool_balance[q] -= paid + transaction + governance


@njit(cache=True)
def commons_return(p, total):
    """Group return of the laboratory common-pool resource: F(X) = aX - bX^2 (cents)."""
    return p[P.cpr_a] * total - p[P.cpr_b] * total * total


@njit(cache=True)
def _pay_commons(w, p, q):
    total = 0.0
    for idx in range(w.place_con_start[q], w.place_con_end[q]):
        total += w.claim[w.place_con[idx]]
    group = commons_return(p, total)
    earnings = 0.0
    for idx in range(w.place_con_start[q], w.place_con_end[q]):
        c = w.place_con[idx]
        x = w.claim[c]
        share = x / total * group if total > 0.0 else 0.0
        w.payment[c] = p[P.outside_return] * (p[P.endowment] - x) + share
        earnings += w.payment[c]
    w.earnings[q] = earnings
    w.appropriation[q] = total


@njit(cache=True)
def _pay_public_goods(w, p, q):
    contributed = 0.0
    for idx in range(w.place_con_start[q], w.place_con_end[q]):
        contributed += p[P.endowment] - w.claim[w.place_con[idx]]
    earnings = 0.0
    for idx in range(w.place_con_start[q], w.place_con_end[q]):
        c = w.place_con[idx]
        w.payment[c] = w.claim[c] + p[P.mpcr] * contributed
        earnings += w.payment[c]
    w.earnings[q] = earnings


# --------------------------------------------------------------------------------------------
# Trust (provider organisation, or a player of a laboratory game)
# --------------------------------------------------------------------------------------------
@njit(cache=True)
def plan(w, p, r, i):
    """Claim from the pool: a blend, by cooperation, of the norm (the agreed share, or the fair
    share when nothing is agreed) and the selfish claim (all the activity it can bill)."""
    world = world_of(w)
    coop = w.cooperation[i]
    scope = r[R.scope]
    for c in range(w.org_con_start[i], w.org_con_end[i]):
        if world == PLACE_SYSTEM:
            q = w.con_place[c]
            k = w.con_kind[c]
            w.capacity[c] *= 1.0 + (p[P.need_growth] + p[P.ageing]) / 12.0
            demand = w.need[q, k] / w.providers[q, k]
            w.demand[c] = demand
            # The norm: the agreed share (with its prevention slice) for members of an agreement,
            # otherwise the fair, proportional share of the pool.
            slice_ = r[R.prevention_slice] * r[R.agreed_shares] * w.org_member[i]
            agreed = min(demand, w.con_base_share[c] * (1.0 - slice_) * w.available[q])
            activity_paid = 1.0 if _paid_by_activity(r, k) else 0.0
            selfish = min(w.capacity[c], demand * (1.0 + p[P.induced_demand] * activity_paid))
            w.agreed[c] = agreed
            w.agreed_prevention[c] = scope * slice_ * w.con_prev_share[c] * w.available[q]
            w.selfish_claim[c] = selfish
            w.coop_claim[c] = agreed
            w.claim[c] = coop * agreed + (1.0 - coop) * selfish
            w.prevention[c] = coop * w.agreed_prevention[c]
        elif world == CLASSROOM_COMMONS:
            e = p[P.endowment]
            previous = w.claim[c]
            others = w.appropriation[0] - previous
            best = clamp(
                (p[P.cpr_a] - p[P.outside_return] - p[P.cpr_b] * others) / (2.0 * p[P.cpr_b]),
                0.0,
                e,
            )
            selfish = previous + p[P.adjustment] * (best - previous)
            quota = min(e, commons_optimum(p) / w.org_kind.shape[0])
            w.agreed[c] = quota
            w.selfish_claim[c] = selfish
            w.coop_claim[c] = quota
            w.claim[c] = coop * quota + (1.0 - coop) * selfish
        else:
            # Public goods: the claim is the part of the endowment kept back from the group.
            e = p[P.endowment]
            w.agreed[c] = 0.0
            w.selfish_claim[c] = e
            w.coop_claim[c] = 0.0
            w.claim[c] = (1.0 - coop) * e


@njit(cache=True)
def deliver(w, p, r, i):
    """Deliver care: unfunded work is rationed by the duty to treat; finances move."""
    world = world_of(w)
    income = 0.0
    spend = 0.0
    for c in range(w.org_con_start[i], w.org_con_end[i]):
        income += w.payment[c]
        if world == PLACE_SYSTEM:
            requested = w.claim[c] + w.prevention[c]
            funded = min(1.0, w.payment[c] / requested) if requested > 0.0 else 1.0
            duty = DUTY_TO_TREAT[w.con_kind[c]]
            w.activity[c] = w.claim[c] * min(1.0, funded + (1.0 - funded) * duty)
            w.prevention_delivered[c] = w.prevention[c] * funded
            spend += w.activity[c] + w.prevention_delivered[c]
        else:
            w.activity[c] = w.claim[c]
    w.income[i] = income
    w.spend[i] = spend
    w.cum_income[i] += income
    w.cum_spend[i] += spend
    w.balance[i] += income - spend


@njit(cache=True)
def sanction_level(r, record):
    """Graduated sanctions: a warning first, then half, then the full fine."""
    if r[R.graduated_sanctions] > 0.0:
        return clamp((record - 1.0) / 2.0, 0.0, 1.0)
    return 1.0


@njit(cache=True)
def _overclaim(w, i):
    over = 0.0
    reference = 0.0
    for c in range(w.org_con_start[i], w.org_con_end[i]):
        over += max(0.0, w.claim[c] - w.coop_claim[c])
        over += max(0.0, w.agreed_prevention[c] - w.prevention[c])
        reference += w.coop_claim[c] + w.agreed_prevention[c]
    return over, reference


@njit(cache=True)
def update_trust(w, p, r, i):
    """Trust in each partner rises slowly when it kept the agreement and falls fast when it did
    not; conflict resolution softens the fall, system leadership speeds the rise, and a sanction
    imposed without agreement breeds resentment."""
    gain = p[P.trust_gain] * (1.0 + r[R.system_leadership])
    loss = p[P.trust_loss] * (1.0 - CONFLICT_SOFTENING * r[R.conflict_resolution])
    resent = p[P.resentment] * (1.0 - r[R.collective_choice]) * w.detected[i]
    for e in range(w.edge_start[i], w.edge_end[i]):
        t = w.trust[e]
        if w.breach[w.edge_dst[e]] > 0.0:
            t -= loss * t
        else:
            t += gain * (1.0 - t)
        t -= resent * t
        w.trust[e] = clamp(t, 0.0, 1.0)


@njit(cache=True)
def system_weight(r):
    """Weight an organisation puts on the system's outcome beside its own."""
    alliance = 1.0 if int(r[R.funding_model]) == ALLIANCE else 0.0
    return 0.6 * r[R.shared_vision] + 0.2 * r[R.whole_system_regulation] + 0.2 * alliance


@njit(cache=True)
def incentive_to_defect(w, p, r, i):
    """Net gain, per unit of expected income, of the selfish claim over the cooperative one:
    private gain, less the expected fine, less the weighted harm to the system."""
    world = world_of(w)
    detect = r[R.monitoring] * r[R.scope] * r[R.agreed_shares] * w.org_member[i]
    fine = r[R.sanction_severity] * p[P.fine_per_unit] * sanction_level(r, w.record[i] + 1.0)
    weight = system_weight(r)
    net = 0.0
    for c in range(w.org_con_start[i], w.org_con_end[i]):
        s = w.selfish_claim[c]
        k = w.coop_claim[c]
        if world == PLACE_SYSTEM:
            f = int(r[R.funding_model])
            if _paid_by_activity(r, w.con_kind[c]):
                value = p[P.tariff_margin]
            elif f == BLOCK:
                value = -1.0  # work beyond a fixed block is not paid
            else:
                value = w.pay_ratio[w.con_place[c]] - 1.0
            silo = 1.0 - r[R.whole_system_regulation] * r[R.local_autonomy]
            value += p[P.target_value] * silo
            more = max(0.0, s - k)
            prevention = w.agreed_prevention[c]
            private = value * more + prevention
            harm = more + p[P.prevention_value] * prevention
            over = more + prevention
        elif world == CLASSROOM_COMMONS:
            others = w.appropriation[0] - w.claim[c]
            private = _commons_payoff(p, s, others) - _commons_payoff(p, k, others)
            n = w.org_kind.shape[0]
            harm = _commons_group(p, n, others + k) - _commons_group(p, n, others + s)
            over = max(0.0, s - k)
        else:
            n = w.org_kind.shape[0]
            private = (1.0 - p[P.mpcr]) * (s - k)
            harm = (n * p[P.mpcr] - 1.0) * (s - k)
            over = max(0.0, s - k)
        net += private - detect * fine * over - weight * harm
    scale = w.org_income_ref[i]
    if world == CLASSROOM_COMMONS:
        scale = p[P.outside_return] * p[P.endowment]
    return net / scale if scale > 0.0 else 0.0


@njit(cache=True)
def _commons_payoff(p, x, others):
    total = x + others
    share = x / total * commons_return(p, total) if total > 0.0 else 0.0
    return p[P.outside_return] * (p[P.endowment] - x) + share


@njit(cache=True)
def _commons_group(p, n, total):
    return p[P.outside_return] * (n * p[P.endowment] - total) + commons_return(p, total)


@njit(cache=True)
def commons_optimum(p):
    """Total appropriation that maximises the group's earnings: (a - w) / 2b."""
    return max(0.0, (p[P.cpr_a] - p[P.outside_return]) / (2.0 * p[P.cpr_b]))


@njit(cache=True)
def commons_nash(p, n):
    """Total appropriation at the symmetric Nash equilibrium: n (a - w) / (b (n + 1))."""
    return max(0.0, n * (p[P.cpr_a] - p[P.outside_return]) / (p[P.cpr_b] * (n + 1.0)))


@njit(cache=True)
def learn(w, p, r, i):
    """Update cooperation from the payoff, from trusted partners' behaviour, from sanctions, and
    by trial; written to `cooperation_next` so that every agent learns from the same month."""
    c = w.cooperation[i]
    d = incentive_to_defect(w, p, r, i)
    w.incentive[i] = d
    pull = clamp(-p[P.payoff_sensitivity] * d, -1.0, 1.0)
    rate = p[P.learning_rate]
    if pull > 0.0:
        new = c + rate * pull * (1.0 - c)
    else:
        new = c + rate * pull * c
    # Conditional cooperation: move towards the cooperation it expects of its partners, which is
    # its trust in them (trust is learned from whether they kept to their shares).
    n = w.edge_end[i] - w.edge_start[i]
    if n > 0:
        expected = 0.0
        for e in range(w.edge_start[i], w.edge_end[i]):
            expected += w.trust[e]
        expected /= n
        follow = min(1.0, p[P.conditional_weight] * (1.0 + r[R.system_leadership]))
        new += rate * follow * (expected - c)
    if w.detected[i] > 0.0:
        legitimacy = r[R.collective_choice]
        new += p[P.deterrence] * legitimacy * (1.0 - new)
        new -= p[P.resentment] * (1.0 - legitimacy) * new
    u = uniform(int(w.clock[CLOCK_SEED]), int(w.clock[CLOCK_RUN]), step_of(w), i, RNG_EXPLORATION)
    new += p[P.exploration] * (u - 0.5)
    w.cooperation_next[i] = clamp(new, 0.0, 1.0)


@njit(cache=True)
def commit(w, p, r, i):
    w.cooperation[i] = w.cooperation_next[i]


# --------------------------------------------------------------------------------------------
# Regulator
# --------------------------------------------------------------------------------------------
@njit(cache=True)
def assess(w, p, r, i):
    """Monitor one organisation: a breach of its agreed share is detected with the monitoring
    probability and sanctioned, gradually when sanctions are graduated."""
    over, reference = _overclaim(w, i)
    if world_of(w) != PLACE_SYSTEM:
        reference = p[P.endowment] * (w.org_con_end[i] - w.org_con_start[i])
    w.overclaim[i] = over
    if over <= p[P.breach_tolerance] * reference:
        return
    w.breach[i] = 1.0
    if r[R.agreed_shares] * w.org_member[i] <= 0.0 or r[R.monitoring] <= 0.0:
        return
    u = uniform(int(w.clock[CLOCK_SEED]), int(w.clock[CLOCK_RUN]), step_of(w), i, RNG_MONITORING)
    if u >= r[R.monitoring] * r[R.scope]:
        return
    w.detected[i] = 1.0
    w.record[i] += 1.0
    fine = r[R.sanction_severity] * p[P.fine_per_unit] * sanction_level(r, w.record[i]) * over
    w.fine[i] = fine
    w.balance[i] -= fine
    n = w.org_con_end[i] - w.org_con_start[i]
    for c in range(w.org_con_start[i], w.org_con_end[i]):
        q = w.con_place[c]
        w.pool_balance[q] += fine / n
        w.fines_in[q] += fine / n


@njit(cache=True)
def intervene(w, p, r, i):
    """A provider whose deficit passes the failure threshold is taken over: its deficit is written
    off against the pool, the takeover costs money, and its breach record is wiped (its culture,
    and so its cooperation, carries on)."""
    if world_of(w) != PLACE_SYSTEM:
        return
    annual = 12.0 * w.org_income_ref[i]
    if w.balance[i] >= -p[P.failure_threshold] * annual:
        return
    cost = p[P.takeover_cost] * annual
    written_off = -w.balance[i]
    n = w.org_con_end[i] - w.org_con_start[i]
    for c in range(w.org_con_start[i], w.org_con_end[i]):
        q = w.con_place[c]
        w.pool_balance[q] -= (written_off + cost) / n
        w.takeover_cost[q] += cost / n
    w.balance[i] = 0.0
    w.failures[i] += 1.0
    w.record[i] = 0.0
