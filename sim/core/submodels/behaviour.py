"""Behaviour of an organisation (or a laboratory player): its behavioural type, the cooperation it
aims at, and how much of its cooperation its trust in partners lets it deliver.

Types follow Fischbacher, Gaechter and Fehr (2001): conditional cooperators match what they
believe their partners do; free riders follow their own payoff alone and give no weight to the
system's outcome; hump-shaped ("triangle") contributors match partners up to half and then give
less; the unclassified rest hold an unconditional middling level. Beliefs about partners are the
trust on the partner edges (learned from whether they kept their shares, ODD 7.10). Helpers take
scalars; `gate_cooperation` owns its loop, as a phase does.
"""

from sim.core.constants import CONDITIONAL, FREE_RIDER, HUMP
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rules import RX as R
from sim.core.submodels.common import clamp


@jit
def payoff_target(sensitivity, incentive, current):
    """Cooperation the organisation's own payoff points to: from where it is, less where
    defecting pays and more where it costs (`sensitivity` per unit of the incentive)."""
    return clamp(current - sensitivity * incentive, 0.0, 1.0)


@jit
def type_target(kind, belief, own, weight, unconditional):
    """Target cooperation of a type: a blend, by `weight`, of what its type makes of its belief
    about partners and of its payoff target `own`."""
    if kind == FREE_RIDER:
        return own
    if kind == CONDITIONAL:
        social = belief
    elif kind == HUMP:
        social = min(belief, 1.0 - belief)
    else:
        social = unconditional
    return weight * social + (1.0 - weight) * own


@jit
def type_system_weight(kind, weight):
    """Weight a type puts on the system's outcome: none for a free rider."""
    return 0.0 if kind == FREE_RIDER else weight


@jit
def partner_belief(p, trust, start, end, eligible):
    """An organisation's belief in its partners: its mean trust on its partner edges
    `start..end-1`, lifted by talk at one table if the partnership reaches it, `partner_talk` of
    the way to full (an alternative rule, 0 by default, ODD 7.26); 1 for one without partners
    (it waits on nobody)."""
    n = end - start
    if n <= 0:
        return 1.0
    total = 0.0
    for e in range(start, end):
        total += trust[e]
    belief = total / n
    return belief + p[P.partner_talk] * eligible * (1.0 - belief)


@jit
def gate_cooperation(w, p, lo, hi):
    """What cooperation delivers this month: `kept = x (1 - trust_gate (1 - belief))`, the
    share of the norm an organisation keeps to, given how far it believes its partners will do
    the same (its mean trust in them, lifted by any talk: `partner_belief`; an organisation without
    partners waits on nobody); and how far an eligible organisation is inside the agreement:
    fully while that belief is at least `join_trust`, in proportion below it."""
    cooperation = w.cooperation
    kept = w.kept
    trust = w.trust
    edge_start = w.edge_start
    edge_end = w.edge_end
    org_member = w.org_member
    org_eligible = w.org_eligible
    gate = p[P.trust_gate]
    join = p[P.join_trust]
    for i in range(lo, hi):
        belief = partner_belief(p, trust, edge_start[i], edge_end[i], org_eligible[i])
        kept[i] = cooperation[i] * (1.0 - gate * (1.0 - belief))
        joined = 1.0 if join <= 0.0 else min(1.0, belief / join)
        org_member[i] = org_eligible[i] * joined


@jit
def legitimacy(p, r):
    """How legitimate the rules are to those bound by them: rules the partners chose (collective
    choice), and consent built by involving the public, at most 1."""
    return min(1.0, r[R.collective_choice] + p[P.public_legitimacy] * r[R.public_involvement])
