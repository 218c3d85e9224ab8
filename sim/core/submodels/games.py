"""The laboratory games as worlds of the same engine: the common-pool resource game (Ostrom,
Gardner and Walker 1994) and the linear public goods game (Fehr and Gaechter 2000).

A world only picks the payoff function and the selfish best response; the behaviour (claiming,
monitoring, sanctions, trust, learning) is shared with the place-based system.
"""

from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.submodels.common import clamp


@jit
def commons_return(p, total):
    """Group return of the laboratory common-pool resource: F(X) = aX - bX^2 (cents)."""
    return p[P.cpr_a] * total - p[P.cpr_b] * total * total


@jit
def commons_optimum(p):
    """Total appropriation that maximises the group's earnings: (a - w) / 2b."""
    return max(0.0, (p[P.cpr_a] - p[P.outside_return]) / (2.0 * p[P.cpr_b]))


@jit
def commons_nash(p, n):
    """Total appropriation at the symmetric Nash equilibrium: n (a - w) / (b (n + 1))."""
    return max(0.0, n * (p[P.cpr_a] - p[P.outside_return]) / (p[P.cpr_b] * (n + 1.0)))


@jit
def commons_payoff(p, x, others):
    """A player's earnings: the outside option on what it keeps, its share of the group return."""
    total = x + others
    share = x / total * commons_return(p, total) if total > 0.0 else 0.0
    return p[P.outside_return] * (p[P.endowment] - x) + share


@jit
def commons_group(p, n, total):
    """The group's earnings when it appropriates `total` in all."""
    return p[P.outside_return] * (n * p[P.endowment] - total) + commons_return(p, total)


@jit
def tally_claims(w, lo, hi):
    """Each group's total appropriation last round (what players see before choosing)."""
    appropriation = w.appropriation
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    claim = w.claim
    place_con = w.place_con
    for q in range(lo, hi):
        total = 0.0
        for idx in range(place_con_start[q], place_con_end[q]):
            total += claim[place_con[idx]]
        appropriation[q] = total


@jit
def pay_commons(w, p, lo, hi):
    """Common-pool game: each player earns the outside return on what it keeps and a share of
    the group return in proportion to what it put in."""
    tally_claims(w, lo, hi)  # this round's appropriation, which the payoff shares out
    earnings = w.earnings
    appropriation = w.appropriation
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    claim = w.claim
    place_con = w.place_con
    payment = w.payment
    for q in range(lo, hi):
        total = appropriation[q]
        group = commons_return(p, total)
        total_earnings = 0.0
        for idx in range(place_con_start[q], place_con_end[q]):
            c = place_con[idx]
            x = claim[c]
            share = x / total * group if total > 0.0 else 0.0
            payment[c] = p[P.outside_return] * (p[P.endowment] - x) + share
            total_earnings += payment[c]
        earnings[q] = total_earnings


@jit
def pay_public_goods(w, p, lo, hi):
    """Public goods game: each keeps what it did not contribute, plus the per-capita return on
    everything contributed."""
    earnings = w.earnings
    place_con_start = w.place_con_start
    place_con_end = w.place_con_end
    place_con = w.place_con
    payment = w.payment
    claim = w.claim
    for q in range(lo, hi):
        contributed = 0.0
        for idx in range(place_con_start[q], place_con_end[q]):
            contributed += p[P.endowment] - claim[place_con[idx]]
        total_earnings = 0.0
        for idx in range(place_con_start[q], place_con_end[q]):
            c = place_con[idx]
            payment[c] = claim[c] + p[P.mpcr] * contributed
            total_earnings += payment[c]
        earnings[q] = total_earnings


@jit
def plan_commons(w, p, lo, hi):
    """Common-pool game: the selfish claim moves part of the way to the best response to the
    others' last appropriation; the norm is the group's optimum split equally."""
    org_kind = w.org_kind
    kept = w.kept
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    claim = w.claim
    agreed = w.agreed
    selfish_claim = w.selfish_claim
    coop_claim = w.coop_claim
    appropriation = w.appropriation
    e = p[P.endowment]
    n = org_kind.shape[0]
    quota = min(e, commons_optimum(p) / n)
    for i in range(lo, hi):
        coop = kept[i]
        for c in range(org_con_start[i], org_con_end[i]):
            previous = claim[c]
            others = appropriation[0] - previous
            best = clamp(
                (p[P.cpr_a] - p[P.outside_return] - p[P.cpr_b] * others) / (2.0 * p[P.cpr_b]),
                0.0,
                e,
            )
            selfish = previous + p[P.adjustment] * (best - previous)
            agreed[c] = quota
            selfish_claim[c] = selfish
            coop_claim[c] = quota
            claim[c] = coop * quota + (1.0 - coop) * selfish


@jit
def plan_public_goods(w, p, lo, hi):
    """Public goods game: the claim is the part of the endowment kept back from the group."""
    kept = w.kept
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    agreed = w.agreed
    selfish_claim = w.selfish_claim
    coop_claim = w.coop_claim
    claim = w.claim
    e = p[P.endowment]
    for i in range(lo, hi):
        coop = kept[i]
        for c in range(org_con_start[i], org_con_end[i]):
            agreed[c] = 0.0
            selfish_claim[c] = e
            coop_claim[c] = 0.0
            claim[c] = (1.0 - coop) * e


@jit
def commons_gains(p, s, k, others, n):
    """Private gain and group harm of appropriating s rather than k when the others take `others`."""
    private = commons_payoff(p, s, others) - commons_payoff(p, k, others)
    harm = commons_group(p, n, others + k) - commons_group(p, n, others + s)
    return private, harm, max(0.0, s - k)


@jit
def public_goods_gains(p, s, k, n):
    """Private gain and group harm of keeping s rather than k back from the public account."""
    private = (1.0 - p[P.mpcr]) * (s - k)
    harm = (n * p[P.mpcr] - 1.0) * (s - k)
    return private, harm, max(0.0, s - k)
