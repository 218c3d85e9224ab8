"""Regulator (with the integrated care system's board): pools risk across places, monitors agreed
shares and sanctions breaches, and takes over failing providers.

`assess` and `intervene` loop over organisations `lo..hi-1` (a Mesa `Regulator` passes one trust);
`pool_risk` acts on the whole world.
"""

from sim.core.constants import MONTHS_PER_YEAR, PLACE_SYSTEM, RNG_MONITORING
from sim.core.jit import jit
from sim.core.params import PX as P
from sim.core.rng import uniform
from sim.core.rules import RX as R
from sim.core.state import CLOCK_STEP, KEY_RUN, KEY_SEED, KEY_WORLD
from sim.core.submodels.common import clamp

# Graduated sanctions: the first detected breach is a warning, and the fine then rises by half the
# full level with each further breach (0, 0.5, 1, 1.5, ...) up to `sanction_escalation`.
GRADUATION_STEPS = 2.0


@jit
def sanction_level(graduated, record, escalation):
    """Multiple of the full fine for an organisation with `record` detected breaches: always 1 when
    flat; graduated, 0 (a warning) at the first, rising by 1/GRADUATION_STEPS with each further one
    up to `escalation`."""
    if graduated > 0.0:
        return clamp((record - 1.0) / GRADUATION_STEPS, 0.0, escalation)
    return 1.0


@jit
def detection_rate(p, r):
    """Probability that a breach of an agreed share is detected: open books (monitoring) over the
    agreement's scope, raised by a dedicated team that reads them."""
    team = 1.0 + p[P.team_detection_gain] * r[R.dedicated_team]
    return min(1.0, r[R.monitoring] * r[R.scope] * team)


@jit
def recovery_pressure(p, balance, income_ref):
    """How close an organisation is to failure: its deficit as a share of the failure threshold,
    in [0, 1] (0 in balance or in surplus)."""
    if balance >= 0.0:
        return 0.0
    limit = p[P.failure_threshold] * MONTHS_PER_YEAR * income_ref
    if limit <= 0.0:
        return 1.0
    return min(1.0, -balance / limit)


@jit
def pool_risk(w, p, r, lo, hi):
    """Nested enterprises: places move their pool balances towards their system's mean."""
    ics_total = w.ics_total
    ics_count = w.ics_count
    pool_balance = w.pool_balance
    place_ics = w.place_ics
    nu = r[R.nested_coordination]
    if nu <= 0.0:
        return
    total, count, pool, place_ics = ics_total, ics_count, pool_balance, place_ics
    for s in range(total.shape[0]):
        total[s] = 0.0
        count[s] = 0.0
    for q in range(pool.shape[0]):
        total[place_ics[q]] += pool[q]
        count[place_ics[q]] += 1.0
    for q in range(pool.shape[0]):
        s = place_ics[q]
        pool[q] += nu * (total[s] / count[s] - pool[q])


@jit
def assess(w, p, r, lo, hi):
    """Monitor each organisation: a breach of its agreed share is detected with the monitoring
    probability and sanctioned, gradually when sanctions are graduated."""
    key = w.key
    overclaim = w.overclaim
    breach = w.breach
    detected = w.detected
    record = w.record
    fine = w.fine
    balance = w.balance
    clock = w.clock
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    con_place = w.con_place
    pool_balance = w.pool_balance
    fines_in = w.fines_in
    coop_claim = w.coop_claim
    agreed_prevention = w.agreed_prevention
    claim = w.claim
    prevention = w.prevention
    org_member = w.org_member
    place_system = key[KEY_WORLD] == PLACE_SYSTEM
    tolerance = p[P.breach_tolerance]
    agreed = r[R.agreed_shares]
    monitoring = r[R.monitoring]
    detection = detection_rate(p, r)
    severity = r[R.sanction_severity] * p[P.fine_per_unit]
    graduated = r[R.graduated_sanctions]
    escalation = p[P.sanction_escalation]
    seed, run, step = key[KEY_SEED], key[KEY_RUN], int(clock[CLOCK_STEP])
    for i in range(lo, hi):
        start, end = org_con_start[i], org_con_end[i]
        over = 0.0
        reference = 0.0
        for c in range(start, end):
            over += max(0.0, claim[c] - coop_claim[c])
            over += max(0.0, agreed_prevention[c] - prevention[c])
            reference += coop_claim[c] + agreed_prevention[c]
        if not place_system:
            reference = p[P.endowment] * (end - start)
        overclaim[i] = over
        if over <= tolerance * reference:
            continue
        breach[i] = 1.0
        if agreed * org_member[i] <= 0.0 or monitoring <= 0.0:
            continue
        u = uniform(seed, run, step, i, RNG_MONITORING)
        if u >= detection * org_member[i]:
            continue
        detected[i] = 1.0
        record[i] += 1.0
        amount = severity * sanction_level(graduated, record[i], escalation) * over
        fine[i] = amount
        balance[i] -= amount
        n = end - start
        for c in range(start, end):
            q = con_place[c]
            pool_balance[q] += amount / n
            fines_in[q] += amount / n


@jit
def intervene(w, p, r, lo, hi):
    """A provider whose deficit passes the failure threshold is taken over: its deficit is written
    off against the pool, the takeover costs money, and its breach record is wiped (its culture,
    and so its cooperation, carries on)."""
    key = w.key
    balance = w.balance
    failures = w.failures
    record = w.record
    org_income_ref = w.org_income_ref
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    con_place = w.con_place
    pool_balance = w.pool_balance
    takeover_cost = w.takeover_cost
    if key[KEY_WORLD] != PLACE_SYSTEM:
        return
    limit = -p[P.failure_threshold]
    takeover = p[P.takeover_cost]
    for i in range(lo, hi):
        annual = MONTHS_PER_YEAR * org_income_ref[i]
        if balance[i] >= limit * annual:
            continue
        cost = takeover * annual
        written_off = -balance[i]
        start, end = org_con_start[i], org_con_end[i]
        n = end - start
        for c in range(start, end):
            q = con_place[c]
            pool_balance[q] -= (written_off + cost) / n
            takeover_cost[q] += cost / n
        balance[i] = 0.0
        failures[i] += 1.0
        record[i] = 0.0
