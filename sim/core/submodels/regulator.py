"""Regulator (with the integrated care system's board): pools risk across places, monitors agreed
shares (open books, and what they and the place's data let partners see of each other) and
sanctions breaches (those of a provider outside any agreement against its own control totals),
rates each provider's need for support (the NHS Oversight Framework's segments 1-4, special
measures in segment 4) and takes over providers that special measures did not turn round.

`assess`, `oversee` and `intervene` loop over organisations `lo..hi-1` (a Mesa `Regulator` passes
one trust); `pool_risk` acts on the whole world.
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
# Oversight segments: 1 no support needs, 2 targeted support, 3 mandated support, 4 special
# measures. Segments 2 and 3 start at these shares of the concern that puts a provider in special
# measures; a provider leaves special measures when its concern falls below segment 3's start.
SEGMENT_2_START = 1.0 / 3.0
SEGMENT_3_START = 2.0 / 3.0
SPECIAL_MEASURES = 4.0
MANDATED_SUPPORT = 3.0


@jit
def sanction_level(graduated, record, escalation):
    """Multiple of the full fine for an organisation with `record` detected breaches: always 1 when
    flat; graduated, 0 (a warning) at the first, rising by 1/GRADUATION_STEPS with each further one
    up to `escalation`."""
    if graduated > 0.0:
        return clamp((record - 1.0) / GRADUATION_STEPS, 0.0, escalation)
    return 1.0


@jit
def open_books_cover(p, r):
    """Share of the partners' conduct open books cover: all of what the agreed boundary bounds
    (`scope`), and the share `unbounded_cover` of the rest (the contracts the place's
    commissioner holds): `1 - (1 - unbounded_cover)(1 - scope)`, exactly 1 at full scope."""
    return 1.0 - (1.0 - p[P.unbounded_cover]) * (1.0 - r[R.scope])


@jit
def detection_rate(p, r):
    """Probability that a breach of an agreed share is detected: open books (monitoring) over what
    they cover, raised by a dedicated team that reads them."""
    team = 1.0 + p[P.team_detection_gain] * r[R.dedicated_team]
    return min(1.0, r[R.monitoring] * open_books_cover(p, r) * team)


@jit
def visibility(p, r):
    """Share of a partner's conduct an organisation sees: some without open books, all with full
    monitoring over the whole scope (without a boundary the books cover less). Within a defined
    boundary the place's own data show part of it even without open books (`place_data_sight`
    times `scope`); what the books show includes what those data show, so the larger counts."""
    base = p[P.breach_visibility]
    books = r[R.monitoring] * open_books_cover(p, r)
    return base + (1.0 - base) * max(books, p[P.place_data_sight] * r[R.scope])


@jit
def control_total_chance(p, r):
    """Monthly chance that the regulator finds the breach of its control total (the provider's
    norm: its historical share, or the fair share chosen openly where nothing is agreed) by a
    provider outside any agreement, where there is a sanction to impose. A provider
    the partners' agreement reaches answers to the agreement instead (`detection_rate`); so the
    chance for provider i is this times `outside(agreed_shares, eligible_i)`. A laboratory game
    has no regulator: its `control_total_detection` is 0 (`Param.elsewhere`)."""
    if r[R.sanction_severity] <= 0.0:
        return 0.0
    return p[P.control_total_detection]


@jit
def outside(agreed, eligible):
    """1 for a provider outside any agreement (nothing agreed, or a kind the partnership does not
    reach), else 0: `agreed` the rules' `agreed_shares`, `eligible` the provider's."""
    return 1.0 - agreed * eligible


@jit
def recovery_pressure(p, balance, income_ref):
    """How close an organisation is to failure: its deficit as a share of the failure threshold,
    in [0, 1] (0 in balance or in surplus)."""
    if balance >= 0.0:
        return 0.0
    limit = p[P.failure_threshold] * MONTHS_PER_YEAR * income_ref
    if limit <= 0.0 or -balance >= limit:
        return 1.0
    return -balance / limit


@jit
def override_reach(segment, autonomy):
    """How far the regulator's recovery plan reaches into a provider's agreement: not at all in
    segments 1-2, as far as local autonomy allows in segment 3 (mandated support), fully in
    special measures (segment 4: the provider loses its autonomy)."""
    if segment >= SPECIAL_MEASURES:
        return 1.0
    if segment >= MANDATED_SUPPORT:
        return 1.0 - autonomy
    return 0.0


@jit
def segment_for(concern, entry, current):
    """The segment of a provider whose concern is `concern`, with special measures from `entry`;
    a provider already in special measures stays until its concern is below segment 3's start."""
    if concern >= entry or (current >= SPECIAL_MEASURES and concern >= SEGMENT_3_START * entry):
        return SPECIAL_MEASURES
    if concern >= SEGMENT_3_START * entry:
        return MANDATED_SUPPORT
    if concern >= SEGMENT_2_START * entry:
        return 2.0
    return 1.0


@jit
def access_concern(waiting, treated, wait_limit):
    """Concern about access: the mean wait (months, care left over care delivered, by Little's
    law) over the wait at which concern is greatest, at most 1."""
    if waiting <= 0.0:
        return 0.0
    if treated <= 0.0:
        return 1.0
    return min(1.0, waiting / treated / wait_limit)


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
def overclaimed(claim, coop_claim, agreed_prevention, prevention, c):
    """Contract `c`'s claim above its norm and the agreed prevention it skimped."""
    return max(0.0, claim[c] - coop_claim[c]), max(0.0, agreed_prevention[c] - prevention[c])


@jit
def assess(w, p, r, lo, hi):
    """Monitor each organisation: a breach of its agreed share is detected with the monitoring
    probability and sanctioned, gradually when sanctions are graduated. Also records each one's
    conduct: how much of the way from its selfish claim to its norm it kept."""
    # Long: one loop over organisations and their contracts, with its arrays bound first.
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
    selfish_claim = w.selfish_claim
    conduct = w.conduct
    agreed_prevention = w.agreed_prevention
    claim = w.claim
    prevention = w.prevention
    org_member = w.org_member
    org_eligible = w.org_eligible
    fine_factor = w.fine_factor
    fined_multiple = w.fined_multiple
    place_system = key[KEY_WORLD] == PLACE_SYSTEM
    tolerance = p[P.breach_tolerance]
    agreed = r[R.agreed_shares]
    monitoring = r[R.monitoring]
    detection = detection_rate(p, r)
    regulated = control_total_chance(p, r)
    severity = r[R.sanction_severity] * p[P.fine_per_unit]
    graduated = r[R.graduated_sanctions]
    escalation = p[P.sanction_escalation]
    seed, run, step = key[KEY_SEED], key[KEY_RUN], int(clock[CLOCK_STEP])
    for i in range(lo, hi):
        start, end = org_con_start[i], org_con_end[i]
        over = 0.0
        # The overclaim weighed by the fine in force at each contract's place (ODD 7.25).
        fined = 0.0
        reference = 0.0
        # Conduct: how much of the way from its selfish claim to its norm it kept.
        kept_way = 0.0
        whole_way = 0.0
        for c in range(start, end):
            care, skimped = overclaimed(claim, coop_claim, agreed_prevention, prevention, c)
            over += care
            over += skimped
            factor = fine_factor[con_place[c]]
            fined += factor * care
            fined += factor * skimped
            reference += coop_claim[c] + agreed_prevention[c]
            kept_way += max(0.0, selfish_claim[c] - claim[c]) + min(
                prevention[c], agreed_prevention[c]
            )
            whole_way += max(0.0, selfish_claim[c] - coop_claim[c]) + agreed_prevention[c]
        conduct[i] = min(1.0, kept_way / whole_way) if whole_way > 0.0 else 1.0
        if not place_system:
            reference = p[P.endowment] * (end - start)
        overclaim[i] = over
        if over <= tolerance * reference:
            continue
        breach[i] = 1.0
        # A member's breach of the agreement is found by the open books; the regulator's own
        # returns find a breach of its control total by a provider outside any agreement.
        chance = regulated * outside(agreed, org_eligible[i])
        if agreed * org_member[i] > 0.0 and monitoring > 0.0:
            chance = detection * org_member[i]
        if chance <= 0.0:
            continue
        u = uniform(seed, run, step, i, RNG_MONITORING)
        if u >= chance:
            continue
        detected[i] = 1.0
        record[i] += 1.0
        fined_multiple[i] = fined / over
        # Each place's pool gets the part of the fine its own contracts' overclaims earned, at
        # its own multiple.
        scale = severity * sanction_level(graduated, record[i], escalation)
        amount = 0.0
        for c in range(start, end):
            q = con_place[c]
            care, skimped = overclaimed(claim, coop_claim, agreed_prevention, prevention, c)
            part = scale * fine_factor[q] * (care + skimped)
            pool_balance[q] += part
            fines_in[q] += part
            amount += part
        fine[i] = amount
        balance[i] -= amount


@jit
def oversee(w, p, r, lo, hi):
    """NHS Oversight Framework: at each review (quarterly) the regulator rates every provider into
    a segment by its concern, the larger of its financial concern (its deficit against the
    failure threshold) and its concern about access (its patients' mean wait; under
    whole-system regulation the place, not the provider, answers for access). A provider in
    special measures (segment 4) gets support, paid from its places' pools, every month."""
    # Long: one loop over organisations and their contracts, with its arrays bound first.
    key = w.key
    clock = w.clock
    balance = w.balance
    org_income_ref = w.org_income_ref
    segment = w.segment
    concern = w.concern
    special_months = w.special_months
    special_spells = w.special_spells
    demand = w.demand
    activity = w.activity
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    con_place = w.con_place
    pool_balance = w.pool_balance
    takeover_cost = w.takeover_cost
    support_cost = w.support_cost
    if key[KEY_WORLD] != PLACE_SYSTEM:
        return
    review = int(clock[CLOCK_STEP]) % int(p[P.oversight_review]) == 0
    entry = p[P.special_measures_concern]
    wait_limit = p[P.oversight_wait]
    own_access = 1.0 - r[R.whole_system_regulation]
    support = p[P.special_measures_cost]
    for i in range(lo, hi):
        start, end = org_con_start[i], org_con_end[i]
        if review:
            waiting = 0.0
            treated = 0.0
            for c in range(start, end):
                waiting += max(0.0, demand[c] - activity[c])
                treated += activity[c]
            finance = recovery_pressure(p, balance[i], org_income_ref[i])
            access = own_access * access_concern(waiting, treated, wait_limit)
            concern[i] = max(finance, access)
            rated = segment_for(concern[i], entry, segment[i])
            if rated >= SPECIAL_MEASURES and segment[i] < SPECIAL_MEASURES:
                special_spells[i] += 1.0
            if rated < SPECIAL_MEASURES:
                special_months[i] = 0.0
            segment[i] = rated
        if segment[i] < SPECIAL_MEASURES:
            continue
        special_months[i] += 1.0
        cost = support * org_income_ref[i]
        n = end - start
        for c in range(start, end):
            q = con_place[c]
            pool_balance[q] -= cost / n
            takeover_cost[q] += cost / n
            support_cost[q] += cost / n


@jit
def intervene(w, p, r, lo, hi):
    """A provider that special measures did not turn round (in segment 4 for
    `special_measures_limit` months without a break) is taken over: its deficit is written off
    against the pool, the takeover costs money, its breach record is wiped and it starts again in
    segment 1 (its culture, and so its cooperation, carries on)."""
    key = w.key
    balance = w.balance
    failures = w.failures
    record = w.record
    segment = w.segment
    special_months = w.special_months
    org_income_ref = w.org_income_ref
    org_con_start = w.org_con_start
    org_con_end = w.org_con_end
    con_place = w.con_place
    pool_balance = w.pool_balance
    takeover_cost = w.takeover_cost
    if key[KEY_WORLD] != PLACE_SYSTEM:
        return
    limit = p[P.special_measures_limit]
    takeover = p[P.takeover_cost]
    for i in range(lo, hi):
        if segment[i] < SPECIAL_MEASURES or special_months[i] < limit:
            continue
        cost = takeover * MONTHS_PER_YEAR * org_income_ref[i]
        written_off = max(0.0, -balance[i])
        start, end = org_con_start[i], org_con_end[i]
        n = end - start
        for c in range(start, end):
            q = con_place[c]
            pool_balance[q] -= (written_off + cost) / n
            takeover_cost[q] += cost / n
        balance[i] += written_off
        failures[i] += 1.0
        record[i] = 0.0
        segment[i] = 1.0
        special_months[i] = 0.0
