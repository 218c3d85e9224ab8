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
from sim.core.submodels.games import commons_gains, public_goods_gains
from sim.core.submodels.regulator import SPECIAL_MEASURES, detection_rate, sanction_level

# Weight an organisation puts on the system's outcome beside its own, from each lever at full
# strength: a shared vision, whole-system regulation, and an alliance contract sharing gains.
WEIGHT_SHARED_VISION = 0.6
WEIGHT_WHOLE_SYSTEM = 0.2
WEIGHT_ALLIANCE = 0.2
UNPAID_VALUE = -1.0  # value of a pound of work beyond a fixed block: it is not paid


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
    segment = w.segment
    vision = w.vision
    world = key[KEY_WORLD]
    monitored = detection_rate(p, r) * r[R.agreed_shares]
    severity = r[R.sanction_severity] * p[P.fine_per_unit]
    graduated = r[R.graduated_sanctions]
    escalation = p[P.sanction_escalation]
    f = int(r[R.funding_model])
    # Organisations rated on their own targets value their own activity; whole-system
    # regulation that respects local agreements removes that pull.
    silo = 1.0 - r[R.whole_system_regulation] * r[R.local_autonomy]
    target = p[P.target_value] * silo
    # A board in special measures answers for its own recovery: it gives up part of its weight
    # on the system.
    focus = p[P.special_measures_focus]
    n = org_kind.shape[0]
    for i in range(lo, hi):
        detect = monitored * org_member[i]
        # Risk attitude weighs the expected fine; a free rider gives the system no weight.
        fine = severity * sanction_level(graduated, record[i] + 1.0, escalation) * risk_attitude[i]
        weight = type_system_weight(org_type[i], vision[i])
        if segment[i] >= SPECIAL_MEASURES:
            weight *= 1.0 - focus
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
