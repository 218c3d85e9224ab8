"""Trust (a provider organisation, or a player of a laboratory game): claims, delivery, trust in
partners, and learning how cooperatively to behave.

Phases loop over organisations `lo..hi-1` (the kernel passes every organisation, a Mesa `Trust`
its own). The world and the funding model are chosen once per phase.
"""

from sim.core.constants import (
    ACTIVITY,
    ACUTE,
    CLASSROOM_COMMONS,
    COMMUNITY,
    MENTAL_HEALTH,
    MONTHS_PER_YEAR,
    PLACE_SYSTEM,
    PRIMARY_CARE,
    RNG_EXPLORATION,
    SOCIAL_CARE,
)
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rng import uniform
from sim.core.rules import RX as R
from sim.core.state import CLOCK_STEP, KEY_RUN, KEY_SEED, KEY_WORLD
from sim.core.submodels.behaviour import (
    gate_cooperation,
    legitimacy,
    partner_belief,
    payoff_target,
    type_target,
)
from sim.core.submodels.common import clamp, monthly_need_growth
from sim.core.submodels.games import plan_commons, plan_public_goods
from sim.core.submodels.incentives import system_weight, weigh_incentives
from sim.core.submodels.place import (
    contract_need,
    covered_need,
    need_choice,
    share_in_force,
    trend_need,
)
from sim.core.submodels.regulator import (
    override_reach,
    recovery_pressure,
    sanction_level,
    visibility,
)


@jit
def duty_to_treat(p, kind):
    """Share of unfunded activity a provider of `kind` still delivers. Where it is a rule: acute
    and ambulance trusts must see whoever arrives (1), a local authority must balance its budget
    (0). For community, mental health and primary care it is a judgement, a parameter."""
    if kind in (COMMUNITY, MENTAL_HEALTH):
        return p[P.duty_to_treat_community]
    if kind == PRIMARY_CARE:
        return p[P.duty_to_treat_primary]
    if kind == SOCIAL_CARE:
        return 0.0
    return 1.0


@jit
def plan(w, p, r, lo, hi):
    """Claim from the pool: a blend, by the share of the norm it keeps to (its cooperation gated
    by its trust in partners, less what a regulator's recovery plan overrides), of the norm (the
    agreed share, chosen by need or imposed by history, or the fair share when nothing is agreed)
    and the selfish claim (all the activity it can bill), within its capacity (an acute trust's
    less the beds its place's delayed discharges take)."""
    # Long: one loop over organisations and their contracts, with its arrays bound first.
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
    need_base = w.need_base
    balance = w.balance
    income_ref = w.org_income_ref
    con_size = w.con_size
    segment = w.segment
    delayed = w.delayed
    world = key[KEY_WORLD]
    if world == CLASSROOM_COMMONS:
        plan_commons(w, p, lo, hi)
        return
    if world != PLACE_SYSTEM:
        plan_public_goods(w, p, lo, hi)
        return
    # The commissioner ring-fences the prevention slice in force at each place (tabled, or chosen
    # by the partners' vote) for every provider, agreement or not.
    chosen_slice = w.chosen_slice
    # Shares the partners chose (collective choice) follow each one's need; imposed shares follow
    # history (the base shares). With nothing agreed, a fair share may still be chosen openly.
    chosen, open_ = need_choice(p, r)
    # The regulator puts a provider in mandated support (segment 3; without the right to organise)
    # or in special measures (segment 4; whatever the rules) on its own recovery plan, which
    # overrides that share of its agreement.
    override = p[P.regulator_override]
    autonomy = r[R.local_autonomy]
    induced = p[P.induced_demand]
    activity_model = int(r[R.funding_model]) == ACTIVITY
    # Each place's need (over the lines it has providers for, and on its trend), once a month
    # rather than once per contract: every place, since an organisation's contracts may be anywhere.
    need_covered = w.need_covered
    need_trend = w.need_trend
    for q in range(need_trend.shape[0]):
        if chosen > 0.0 or open_ > 0.0:
            need_covered[q] = covered_need(need, providers, q)
        need_trend[q] = trend_need(need_base, q)
    for i in range(lo, hi):
        reach = override * override_reach(segment[i], autonomy)
        coop = kept[i] * (1.0 - reach * recovery_pressure(p, balance[i], income_ref[i]))
        # The norm: the agreed share for members of an agreement, otherwise the fair,
        # proportional share of the pool; less the prevention slice.
        choose = chosen * org_member[i] + open_
        for c in range(org_con_start[i], org_con_end[i]):
            q = con_place[c]
            k = con_kind[c]
            faced = contract_need(need, providers, con_size[c], q, k)
            room = capacity[c]
            if k == ACUTE:
                room = max(0.0, room - delayed[q] / providers[q, k] * con_size[c])
            demand[c] = faced
            share = share_in_force(con_base_share[c], faced, need_covered[q], choose)
            slice_ = chosen_slice[q]
            norm = min(faced, share * (1.0 - slice_) * available[q])
            activity_paid = 1.0 if activity_model and k == ACUTE else 0.0
            selfish = min(room, faced * (1.0 + induced * activity_paid))
            agreed[c] = norm
            # The prevention budget is a slice of the place's expected need, not of its reserves.
            agreed_prevention[c] = slice_ * con_prev_share[c] * need_trend[q]
            selfish_claim[c] = selfish
            coop_claim[c] = norm
            claim[c] = min(room, coop * norm + (1.0 - coop) * selfish)
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
                duty = duty_to_treat(p, con_kind[c])
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
def invest(w, p, r, lo, hi):
    """Prices, capital and productivity. The price of a unit of care falls by the tariff's
    efficiency factor: what a provider was paid above it goes back to its places' pools. The
    capital element of its costs (the wear of its assets, in its prices) renews the capital part
    of its capacity and grows it with need as far as the month's income covers its costs; a
    provider running a deficit cannot reinvest it, and that part wears out while its staff
    still grow with need. Reserves buy capacity beyond that, up to its headroom over the care
    it delivers. Productivity lowers its unit cost and gets more care from the same means."""
    # Long: one loop over organisations and their contracts, with its arrays bound first.
    key = w.key
    clock = w.clock
    balance = w.balance
    spend = w.spend
    income = w.income
    unit_cost = w.unit_cost
    invested = w.invested
    efficiency_paid = w.efficiency_paid
    capacity = w.capacity
    activity = w.activity
    payment = w.payment
    con_place = w.con_place
    pool_balance = w.pool_balance
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    if key[KEY_WORLD] != PLACE_SYSTEM:
        return
    cut = 1.0 - price_index(p, clock[CLOCK_STEP])
    grow = monthly_need_growth(p)
    wear = p[P.capital_depreciation] / MONTHS_PER_YEAR
    target = 1.0 + p[P.capacity_headroom]
    intensity = p[P.capital_intensity]
    element_share = p[P.capital_share]
    productivity = p[P.productivity_growth] / MONTHS_PER_YEAR
    weight = p[P.capital_weight]
    for i in range(lo, hi):
        start, end = org_con_start[i], org_con_end[i]
        back = 0.0
        for c in range(start, end):
            part = cut * payment[c]
            pool_balance[con_place[c]] += part
            back += part
        balance[i] -= back
        efficiency_paid[i] = back
        # The capital element is reinvested as far as this month's surplus before it covers it.
        element = element_share * spend[i]
        funded = capital_funded(income[i] - back - spend[i] + element, element)
        # Staff grow with need from revenue; the capital part of capacity is renewed and grown as
        # far as the element is reinvested, and wears out as far as it is not; productivity gets
        # more care from the same means.
        lost = weight * (1.0 - funded) * (grow + wear)
        rate = (1.0 + grow - lost) / (1.0 - productivity)
        gap = 0.0
        for c in range(start, end):
            capacity[c] *= rate
            gap += max(0.0, target * activity[c] - capacity[c])
        # Reserves buy capacity up to its headroom over the care it delivers.
        extra = min(max(0.0, balance[i]), intensity * gap)
        if extra > 0.0:
            for c in range(start, end):
                short = max(0.0, target * activity[c] - capacity[c])
                capacity[c] += extra / intensity * short / gap
            balance[i] -= extra
            spend[i] += extra
        invested[i] = funded * element + extra
        unit_cost[i] *= 1.0 - productivity


@jit
def capital_funded(surplus, element):
    """Share of its capital element a provider reinvests: all of it while this month's surplus
    before the capital element covers it, none when it runs a deficit even without it, in
    proportion between."""
    if surplus >= element:
        return 1.0
    if surplus <= 0.0:
        return 0.0
    return surplus / element


@jit
def price_index(p, step):
    """Price of a unit of care in month `step` against the base year: it falls by the tariff's
    efficiency factor, `(1 - tariff_efficiency/12)^step`."""
    return (1.0 - p[P.tariff_efficiency] / MONTHS_PER_YEAR) ** step


@jit
def update_trust(w, p, r, lo, hi):
    """Trust in each partner rises slowly when it kept the agreement and falls fast when it did
    not, as far as its conduct can be seen (open books make it visible); conflict resolution
    softens the fall, system leadership (the lever, times the strength of the organisation's own
    leaders) speeds the rise, and a sanction the organisation sees as illegitimate breeds
    resentment (a warning breeds none). The weight on the system's outcome the rules ask for (a
    shared vision, whole-system regulation, an alliance) is taken up at the same speed and
    dropped at once."""
    trust = w.trust
    leadership = w.leadership
    edge_dst = w.edge_dst
    breach = w.breach
    detected = w.detected
    record = w.record
    edge_start = w.edge_start
    edge_end = w.edge_end
    seen = visibility(p, r)
    base_gain = p[P.trust_gain] * seen
    lead = r[R.system_leadership]
    loss = p[P.trust_loss] * seen * (1.0 - p[P.conflict_softening] * r[R.conflict_resolution])
    imposed = p[P.resentment] * (1.0 - legitimacy(p, r))
    graduated = r[R.graduated_sanctions]
    escalation = p[P.sanction_escalation]
    vision = w.vision
    fined_multiple = w.fined_multiple
    held = system_weight(p, r)
    conduct = w.conduct
    grading = p[P.trust_grading]
    for i in range(lo, hi):
        gain = base_gain * (1.0 + lead * leadership[i])
        # The rules' weight on the system is taken up at the speed of trust, and dropped at once.
        v = vision[i]
        vision[i] = held if v >= held else v + gain * (held - v)
        resent = 0.0
        if detected[i] > 0.0:
            sting = sanction_level(graduated, record[i], escalation) * fined_multiple[i]
            resent = imposed * min(1.0, sting)
        for e in range(edge_start[i], edge_end[i]):
            t = trust[e]
            j = edge_dst[e]
            # How badly the partner broke the agreement: whether it breached, blended with how
            # much of its norm it fell short of.
            s = (1.0 - grading) * breach[j] + grading * (1.0 - conduct[j])
            t = t + gain * (1.0 - t) * (1.0 - s) - loss * t * s
            t -= resent * t
            trust[e] = clamp(t, 0.0, 1.0)


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
    org_eligible = w.org_eligible
    weigh_incentives(w, p, r, lo, hi)
    sensitivity = p[P.payoff_sensitivity]
    rate = p[P.learning_rate]
    follow = p[P.conditional_weight]
    unconditional = p[P.initial_cooperation]
    legit = legitimacy(p, r)
    graduated = r[R.graduated_sanctions]
    escalation = p[P.sanction_escalation]
    record = w.record
    fined_multiple = w.fined_multiple
    deterrence = p[P.deterrence]
    resentment = p[P.resentment]
    exploration = p[P.exploration]
    seed, run, step = key[KEY_SEED], key[KEY_RUN], int(clock[CLOCK_STEP])
    for i in range(lo, hi):
        c = cooperation[i]
        own = payoff_target(sensitivity, incentive[i], c)
        # Belief about partners, as the trust gate reads it (`partner_belief`); with no partners
        # there is no weight on them, and its type follows its payoff alone.
        belief = partner_belief(p, trust, edge_start[i], edge_end[i], org_eligible[i])
        weight = follow if edge_end[i] > edge_start[i] else 0.0
        # No type cooperates less than self-interest alone would (fines can make keeping to the
        # norm pay even for one who does not trust its partners).
        selfish = payoff_target(sensitivity, selfish_incentive[i], c)
        target = max(selfish, type_target(org_type[i], belief, own, weight, unconditional))
        new = c + rate * (target - c)
        if detected[i] > 0.0:
            # Being caught deters, as far as the rules are legitimate and the organisation trusts
            # its partners to keep them too (quasi-voluntary compliance); the sanction's sting
            # (its level at the multiple in force: none for a warning, or for a fine the partners
            # voted away) breeds resentment, as far as they are not legitimate.
            sting = min(1.0, sanction_level(graduated, record[i], escalation) * fined_multiple[i])
            new += deterrence * legit * belief * (1.0 - new)
            new -= resentment * (1.0 - legit) * sting * new
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
