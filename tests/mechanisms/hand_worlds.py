"""Hand-built states of the tiny world shared by several mechanism tests: a month of claims to plan
(test_trust.py, test_alone.py) and a breach (test_regulator.py, test_alone.py); and one
organisation's learning step, read back (test_trust.py, test_alone.py, test_agreement_alone.py)."""

from __future__ import annotations


def overclaiming(model, claim: float = 60.0):
    """`model` (a tiny world) with the acute trust claiming `claim` against a norm of 50 (tolerated:
    0.05 x 50 = 2.5) and the community trust keeping its 10; no prevention; balances and the
    place's pool at 0."""
    w = model.world
    w.claim[:] = [claim, 10.0]
    w.coop_claim[:] = [50.0, 10.0]
    w.agreed_prevention[:] = 0.0
    w.prevention[:] = 0.0
    w.balance[:] = 0.0
    w.pool_balance[0] = 0.0
    return model


def planning(model):
    """`model` (a tiny world) set for a month's claims: cooperation 0.4 (acute) and 0.8
    (community), full trust (nothing waits on trust, so each keeps to its cooperation), need 90
    and 10 against 100 available, capacity 95 and 10.5, base shares 0.8 and 0.2, all prevention
    the community trust's, and expected need on its trend 120 a month (more than is available)."""
    acute, community = 0, 1
    w = model.world
    w.cooperation[:] = [0.4, 0.8]
    w.trust[:] = 1.0
    w.need[0, acute] = 90.0
    w.need[0, community] = 10.0
    w.available[0] = 100.0
    w.capacity[:] = [95.0, 10.5]
    w.con_base_share[:] = [0.8, 0.2]
    w.con_prev_share[:] = [0.0, 1.0]
    w.need_base[0, :] = 0.0
    w.need_base[0, acute] = 96.0
    w.need_base[0, community] = 24.0
    return model


def learned(model, i: int) -> tuple[float, float]:
    """Organisation `i` learns once (ODD 7.11): (its incentive, its cooperation next month)."""
    model.trusts[i].learn()
    w = model.world
    return float(w.incentive[i]), float(w.cooperation_next[i])
