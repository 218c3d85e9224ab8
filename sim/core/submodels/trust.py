"""Trust (a provider organisation, or a player of a laboratory game): claims, delivery, trust in
partners, and learning how cooperatively to behave.

Phases loop over organisations `lo..hi-1` (the kernel passes every organisation, a Mesa `Trust`
its own). The world and the funding model are chosen once per phase.
"""

import numpy as np

from sim.core.constants import (
    ACTIVITY,
    ACUTE,
    ALLIANCE,
    BLOCK,
    CLASSROOM_COMMONS,
    PLACE_SYSTEM,
    RNG_EXPLORATION,
)
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rng import uniform
from sim.core.rules import RX as R
from sim.core.state import CLOCK_STEP, KEY_RUN, KEY_SEED, KEY_WORLD
from sim.core.submodels.behaviour import (
    gate_cooperation,
    payoff_target,
    type_system_weight,
    type_target,
)
from sim.core.submodels.common import clamp, monthly_need_growth
from sim.core.submodels.games import (
    commons_gains,
    plan_commons,
    plan_public_goods,
    public_goods_gains,
)
from sim.core.submodels.regulator import sanction_level

# Share of unfunded activity a provider still delivers (its duty to treat), by kind. Acute and
# ambulance trusts must see whoever arrives; a local authority must balance its budget.
DUTY_TO_TREAT = np.array([1.0, 0.3, 0.3, 0.2, 1.0, 0.0, 1.0])
CONFLICT_SOFTENING = 0.6  # share of a trust fall that conflict resolution absorbs
# Weight an organisation puts on the system's outcome beside its own, from each lever at full
# strength: a shared vision, whole-system regulation, and an alliance contract sharing gains.
WEIGHT_SHARED_VISION = 0.6
WEIGHT_WHOLE_SYSTEM = 0.2
WEIGHT_ALLIANCE = 0.2
UNPAID_VALUE = -1.0  # value of a pound of work beyond a fixed block: it is not paid


@jit
def plan(w, p, r, lo, hi):
    """Claim from the pool: a blend, by the share of the norm it keeps to (its cooperation gated
    by its trust in partners), of the norm (the agreed share, or the fair share when nothing is
    agreed) and the selfish claim (all the activity it can bill)."""
    gate_cooperation(w, p, lo, hi)
    key = w.key
    con_place = w.con_place
    con_kind = w.con_kind
    capacity = w.capacity
    need = w.need
    providers = w.providers
    available = w.available
    kept = w.kept
    org_member = w.org_member
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    demand = w.demand
    agreed = w.agreed
    agreed_prevention = w.agreed_prevention
    selfish_claim = w.selfish_claim
    coop_claim = w.coop_claim
    claim = w.claim
    prevention = w.prevention
    con_prev_share = w.con_prev_share
    con_base_share = w.con_base_share
    con_size = w.con_size
    world = key[KEY_WORLD]
    if world == CLASSROOM_COMMONS:
        plan_commons(w, p, lo, hi)
        return
    if world != PLACE_SYSTEM:
        plan_public_goods(w, p, lo, hi)
        return
    growth = 1.0 + monthly_need_growth(p)
    scope = r[R.scope]
    agreed_slice = r[R.prevention_slice] * r[R.agreed_shares]
    induced = p[P.induced_demand]
    activity_model = int(r[R.funding_model]) == ACTIVITY
    for i in range(lo, hi):
        coop = kept[i]
        # The norm: the agreed share (with its prevention slice) for members of an agreement,
        # otherwise the fair, proportional share of the pool.
        slice_ = agreed_slice * org_member[i]
        for c in range(org_con_start[i], org_con_end[i]):
            q = con_place[c]
            k = con_kind[c]
            capacity[c] *= growth
            faced = need[q, k] / providers[q, k] * con_size[c]
            demand[c] = faced
            norm = min(faced, con_base_share[c] * (1.0 - slice_) * available[q])
            activity_paid = 1.0 if activity_model and k == ACUTE else 0.0
            selfish = min(capacity[c], faced * (1.0 + induced * activity_paid))
            agreed[c] = norm
            agreed_prevention[c] = scope * slice_ * con_prev_share[c] * available[q]
            selfish_claim[c] = selfish
            coop_claim[c] = norm
            claim[c] = coop * norm + (1.0 - coop) * selfish
            prevention[c] = coop * agreed_prevention[c]


@jit
def deliver(w, p, r, lo, hi):
    """Deliver care: unfunded work is rationed by the duty to treat; finances move."""
    claim = w.claim
    prevention = w.prevention
    payment = w.payment
    activity = w.activity
    key = w.key
    income = w.income
    spend = w.spend
    cum_income = w.cum_income
    cum_spend = w.cum_spend
    balance = w.balance
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    prevention_delivered = w.prevention_delivered
    con_kind = w.con_kind
    unit_cost = w.unit_cost
    place_system = key[KEY_WORLD] == PLACE_SYSTEM
    for i in range(lo, hi):
        received = 0.0
        cost = 0.0
        for c in range(org_con_start[i], org_con_end[i]):
            received += payment[c]
            if place_system:
                requested = claim[c] + prevention[c]
                funded = min(1.0, payment[c] / requested) if requested > 0.0 else 1.0
                duty = DUTY_TO_TREAT[con_kind[c]]
                activity[c] = claim[c] * min(1.0, funded + (1.0 - funded) * duty)
                prevention_delivered[c] = prevention[c] * funded
                cost += (activity[c] + prevention_delivered[c]) * unit_cost[i]
            else:
                activity[c] = claim[c]
        income[i] = received
        spend[i] = cost
        cum_income[i] += received
        cum_spend[i] += cost
        balance[i] += received - cost


@jit
def update_trust(w, p, r, lo, hi):
    """Trust in each partner rises slowly when it kept the agreement and falls fast when it did
    not; conflict resolution softens the fall, system leadership (the lever, times the strength of
    the organisation's own leaders) speeds the rise, and a sanction imposed without agreement
    breeds resentment."""
    trust = w.trust
    leadership = w.leadership
    edge_dst = w.edge_dst
    breach = w.breach
    detected = w.detected
    edge_start = w.edge_start
    edge_end = w.edge_end
    base_gain = p[P.trust_gain]
    lead = r[R.system_leadership]
    loss = p[P.trust_loss] * (1.0 - CONFLICT_SOFTENING * r[R.conflict_resolution])
    imposed = p[P.resentment] * (1.0 - r[R.collective_choice])
    for i in range(lo, hi):
        resent = imposed * detected[i]
        gain = base_gain * (1.0 + lead * leadership[i])
        for e in range(edge_start[i], edge_end[i]):
            t = trust[e]
            if breach[edge_dst[e]] > 0.0:
                t -= loss * t
            else:
                t += gain * (1.0 - t)
            t -= resent * t
            trust[e] = clamp(t, 0.0, 1.0)


@jit
def system_weight(r):
    """Weight an organisation puts on the system's outcome beside its own."""
    alliance = 1.0 if int(r[R.funding_model]) == ALLIANCE else 0.0
    return (
        WEIGHT_SHARED_VISION * r[R.shared_vision]
        + WEIGHT_WHOLE_SYSTEM * r[R.whole_system_regulation]
        + WEIGHT_ALLIANCE * alliance
    )


@jit
def weigh_incentives(w, p, r, lo, hi):
    """Each organisation's net gain, per unit of expected income, of the selfish claim over the
    cooperative one: private gain, less the expected fine, less the weighted harm to the system.
    Written to `incentive`."""
    # Long: one loop over organisations and their contracts, with its arrays bound first.
    key = w.key
    org_kind = w.org_kind
    org_income_ref = w.org_income_ref
    incentive = w.incentive
    selfish_incentive = w.selfish_incentive
    org_member = w.org_member
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    selfish_claim = w.selfish_claim
    coop_claim = w.coop_claim
    agreed_prevention = w.agreed_prevention
    record = w.record
    con_kind = w.con_kind
    appropriation = w.appropriation
    claim = w.claim
    pay_ratio = w.pay_ratio
    con_place = w.con_place
    org_type = w.org_type
    risk_attitude = w.risk_attitude
    world = key[KEY_WORLD]
    monitored = r[R.monitoring] * r[R.scope] * r[R.agreed_shares]
    severity = r[R.sanction_severity] * p[P.fine_per_unit]
    graduated = r[R.graduated_sanctions]
    system = system_weight(r)
    f = int(r[R.funding_model])
    # Organisations rated on their own targets value their own activity; whole-system
    # regulation that respects local agreements removes that pull.
    silo = 1.0 - r[R.whole_system_regulation] * r[R.local_autonomy]
    target = p[P.target_value] * silo
    n = org_kind.shape[0]
    for i in range(lo, hi):
        detect = monitored * org_member[i]
        # Risk attitude weighs the expected fine; a free rider gives the system no weight.
        fine = severity * sanction_level(graduated, record[i] + 1.0) * risk_attitude[i]
        weight = type_system_weight(org_type[i], system)
        net = 0.0
        harm_total = 0.0
        for c in range(org_con_start[i], org_con_end[i]):
            s = selfish_claim[c]
            k = coop_claim[c]
            if world == PLACE_SYSTEM:
                if f == ACTIVITY and con_kind[c] == ACUTE:
                    value = p[P.tariff_margin]
                elif f == BLOCK:
                    value = UNPAID_VALUE
                else:
                    value = pay_ratio[con_place[c]] - 1.0
                value += target
                more = max(0.0, s - k)
                prevention = agreed_prevention[c]
                private = value * more + prevention
                harm = more + p[P.prevention_value] * prevention
                over = more + prevention
            elif world == CLASSROOM_COMMONS:
                others = appropriation[0] - claim[c]
                private, harm, over = commons_gains(p, s, k, others, n)
            else:
                private, harm, over = public_goods_gains(p, s, k, n)
            net += private - detect * fine * over
            harm_total += harm
        scale = org_income_ref[i]
        if world == CLASSROOM_COMMONS:
            scale = p[P.outside_return] * p[P.endowment]
        selfish_incentive[i] = net / scale if scale > 0.0 else 0.0
        net -= weight * harm_total
        incentive[i] = net / scale if scale > 0.0 else 0.0


@jit
def learn(w, p, r, lo, hi):
    """Move cooperation part of the way (`learning_rate`) towards a target set by the
    organisation's type, its incentive and its trust in partners; then sanctions and trials.
    Written to `cooperation_next` so that every agent learns from the same month."""
    trust = w.trust
    key = w.key
    cooperation = w.cooperation
    cooperation_next = w.cooperation_next
    clock = w.clock
    edge_end = w.edge_end
    edge_start = w.edge_start
    detected = w.detected
    incentive = w.incentive
    selfish_incentive = w.selfish_incentive
    org_type = w.org_type
    weigh_incentives(w, p, r, lo, hi)
    sensitivity = p[P.payoff_sensitivity]
    rate = p[P.learning_rate]
    follow = p[P.conditional_weight]
    unconditional = p[P.initial_cooperation]
    legitimacy = r[R.collective_choice]
    deterrence = p[P.deterrence]
    resentment = p[P.resentment]
    exploration = p[P.exploration]
    seed, run, step = key[KEY_SEED], key[KEY_RUN], int(clock[CLOCK_STEP])
    for i in range(lo, hi):
        c = cooperation[i]
        own = payoff_target(sensitivity, incentive[i], c)
        # Belief about partners: its trust in them (learned from whether they kept their shares).
        n = edge_end[i] - edge_start[i]
        belief = 0.0
        weight = 0.0
        if n > 0:
            for e in range(edge_start[i], edge_end[i]):
                belief += trust[e]
            belief /= n
            weight = follow
        # No type cooperates less than self-interest alone would (fines can make keeping to the
        # norm pay even for one who does not trust its partners).
        selfish = payoff_target(sensitivity, selfish_incentive[i], c)
        target = max(selfish, type_target(org_type[i], belief, own, weight, unconditional))
        new = c + rate * (target - c)
        if detected[i] > 0.0:
            new += deterrence * legitimacy * (1.0 - new)
            new -= resentment * (1.0 - legitimacy) * new
        u = uniform(seed, run, step, i, RNG_EXPLORATION)
        new += exploration * (u - 0.5)
        cooperation_next[i] = clamp(new, 0.0, 1.0)


@jit
def commit(w, p, r, lo, hi):
    """Adopt the cooperation learned this month."""
    cooperation = w.cooperation
    cooperation_next = w.cooperation_next
    for i in range(lo, hi):
        cooperation[i] = cooperation_next[i]
