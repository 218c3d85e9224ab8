"""Incentives: what an organisation (or a laboratory player) gains by claiming selfishly rather than
keeping to the norm, net of the expected fine and of the weight it puts on the system's outcome.

`weigh_incentives` loops over organisations `lo..hi-1` and writes `incentive` and
`selfish_incentive`, which `learn` (sim/core/submodels/trust.py) reads.
"""

from sim.core.constants import ACTIVITY, ACUTE, ALLIANCE, BLOCK, CLASSROOM_COMMONS, PLACE_SYSTEM
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rules import RX as R
from sim.core.state import KEY_WORLD
from sim.core.submodels.behaviour import type_system_weight
from sim.core.submodels.commissioner import planned
from sim.core.submodels.games import commons_gains, public_goods_gains
from sim.core.submodels.regulator import (
    SPECIAL_MEASURES,
    control_total_chance,
    detection_rate,
    outside,
    sanction_level,
)

UNPAID_VALUE = -1.0  # value of a pound of work beyond a fixed block: it is not paid


@jit
def system_weight(p, r):
    """Weight an organisation puts on the system's outcome beside its own: from a shared vision,
    whole-system regulation and an alliance contract, each at full strength a parameter."""
    alliance = 1.0 if int(r[R.funding_model]) == ALLIANCE else 0.0
    return (
        p[P.vision_weight] * r[R.shared_vision]
        + p[P.whole_system_weight] * r[R.whole_system_regulation]
        + p[P.alliance_weight] * alliance
    )


@jit
def weigh_incentives(w, p, r, lo, hi):
    """Each organisation's net gain, per unit of expected income, of the selfish claim over the
    cooperative one: private gain, less the expected fine, less the weighted harm to the system.
    Written to `incentive` (and, with no weight on the system, `selfish_incentive`). The world
    is chosen once: its payoffs give the gain and the harm of each contract."""
    world = w.key[KEY_WORLD]
    if world == PLACE_SYSTEM:
        _weigh_place(w, p, r, lo, hi)
    else:
        _weigh_game(w, p, r, lo, hi, world == CLASSROOM_COMMONS)


@jit
def _rule_terms(p, r):
    """What the rules make of a breach: the probability an agreement's breach is detected, the
    chance the regulator finds a breach of its control total by a provider outside any agreement,
    whether shares are agreed, the full fine per unit, whether sanctions are
    graduated, their escalation, and the share of its weight on the system a board in special
    measures gives up (it answers for its own recovery)."""
    agreed = r[R.agreed_shares]
    monitored = detection_rate(p, r) * agreed
    severity = r[R.sanction_severity] * p[P.fine_per_unit]
    graduated = r[R.graduated_sanctions]
    focus = p[P.special_measures_focus]
    regulated = control_total_chance(p, r)
    return monitored, regulated, agreed, severity, graduated, p[P.sanction_escalation], focus


@jit
def _stake_and_weight(terms, member, eligible, record, risk, kind, vision, segment):
    """An organisation's expected fine per unit overclaimed (its risk attitude weighs it) and the
    weight it puts on the system's outcome (none for a free rider). A member is found by the
    agreement's open books, a provider outside any agreement by the regulator."""
    monitored, regulated, agreed, severity, graduated, escalation, focus = terms
    detect = monitored * member + regulated * outside(agreed, eligible)
    fine = severity * sanction_level(graduated, record + 1.0, escalation) * risk
    return detect * fine, board_weight(kind, vision, segment, focus)


@jit
def board_weight(kind, vision, segment, focus):
    """Weight an organisation's board puts on the system's outcome: its vision (none for a free
    rider), less the share `focus` of it while in special measures (it answers for its own
    recovery)."""
    weight = type_system_weight(kind, vision)
    if segment >= SPECIAL_MEASURES:
        weight *= 1.0 - focus
    return weight


@jit
def _per_unit(net, harm, weight, scale):
    """(selfish incentive, incentive): the net gain per unit of `scale`, without and with the
    weighted harm to the system."""
    selfish = net / scale if scale > 0.0 else 0.0
    net -= weight * harm
    return selfish, (net / scale if scale > 0.0 else 0.0)


@jit
def _weigh_place(w, p, r, lo, hi):
    """The place-based system: overclaiming is paid at the contract's funding model (the acute
    tariff's margin under payment by activity, nothing beyond a block, the pool's pay ratio
    otherwise) plus the pull of the organisation's own targets; skimping prevention keeps its
    agreed budget; the harm to the system is the care overclaimed and the prevention's value."""
    # Long: one loop over organisations and their contracts, with its arrays bound first.
    selfish_claim = w.selfish_claim
    coop_claim = w.coop_claim
    agreed_prevention = w.agreed_prevention
    con_kind = w.con_kind
    con_place = w.con_place
    pay_ratio = w.pay_ratio
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    org_member = w.org_member
    org_eligible = w.org_eligible
    record = w.record
    risk_attitude = w.risk_attitude
    org_type = w.org_type
    vision = w.vision
    segment = w.segment
    org_income_ref = w.org_income_ref
    incentive = w.incentive
    selfish_incentive = w.selfish_incentive
    fine_factor = w.fine_factor
    terms = _rule_terms(p, r)
    f = int(r[R.funding_model])
    by_activity = f == ACTIVITY
    block = f == BLOCK
    margin = p[P.tariff_margin]
    plan_rate = p[P.plan_marginal_rate]
    prevention_value = p[P.prevention_value]
    # Organisations rated on their own targets value their own activity; whole-system
    # regulation that respects local agreements removes that pull.
    silo = 1.0 - r[R.whole_system_regulation] * r[R.local_autonomy]
    target = p[P.target_value] * silo
    for i in range(lo, hi):
        stake, weight = _stake_and_weight(
            terms,
            org_member[i],
            org_eligible[i],
            record[i],
            risk_attitude[i],
            org_type[i],
            vision[i],
            segment[i],
        )
        net = 0.0
        harm_total = 0.0
        plan = planned(r, org_eligible[i])
        for c in range(org_con_start[i], org_con_end[i]):
            if by_activity and con_kind[c] == ACUTE:
                # Above a plan agreed with the commissioner alone, the tariff pays its marginal
                # rate: the gain per unit is tariff x rate - 1 there.
                value = margin
                if plan > 0.0:
                    value -= plan * (1.0 + margin) * (1.0 - plan_rate)
            elif block:
                value = UNPAID_VALUE
            else:
                value = pay_ratio[con_place[c]] - 1.0
            value += target
            more = max(0.0, selfish_claim[c] - coop_claim[c])
            prevention = agreed_prevention[c]
            # The fine in force at the contract's place (the partners may have voted it).
            fined = stake * fine_factor[con_place[c]]
            net += value * more + prevention - fined * (more + prevention)
            harm_total += more + prevention_value * prevention
        selfish_incentive[i], incentive[i] = _per_unit(net, harm_total, weight, org_income_ref[i])


@jit
def _weigh_game(w, p, r, lo, hi, commons):
    """A laboratory game: the gain and the group's loss of taking the selfish amount rather than
    the cooperative one. In the common-pool resource (`commons`) given what the others take, per
    endowment's outside return; in the linear public goods game, kept back from the public
    account, per expected income."""
    selfish_claim = w.selfish_claim
    coop_claim = w.coop_claim
    claim = w.claim
    appropriation = w.appropriation
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    org_member = w.org_member
    org_eligible = w.org_eligible
    record = w.record
    risk_attitude = w.risk_attitude
    org_type = w.org_type
    vision = w.vision
    segment = w.segment
    org_income_ref = w.org_income_ref
    incentive = w.incentive
    selfish_incentive = w.selfish_incentive
    con_place = w.con_place
    fine_factor = w.fine_factor
    terms = _rule_terms(p, r)
    n = org_type.shape[0]
    outside = p[P.outside_return] * p[P.endowment]
    for i in range(lo, hi):
        stake, weight = _stake_and_weight(
            terms,
            org_member[i],
            org_eligible[i],
            record[i],
            risk_attitude[i],
            org_type[i],
            vision[i],
            segment[i],
        )
        net = 0.0
        harm_total = 0.0
        for c in range(org_con_start[i], org_con_end[i]):
            if commons:
                others = appropriation[0] - claim[c]
                private, harm, over = commons_gains(p, selfish_claim[c], coop_claim[c], others, n)
            else:
                private, harm, over = public_goods_gains(p, selfish_claim[c], coop_claim[c], n)
            net += private - stake * fine_factor[con_place[c]] * over
            harm_total += harm
        scale = outside if commons else org_income_ref[i]
        selfish_incentive[i], incentive[i] = _per_unit(net, harm_total, weight, scale)
