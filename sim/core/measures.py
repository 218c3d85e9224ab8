"""What the model reports: one row of measures per month, and run summaries from those rows. Both
engines call these same functions, so their reports agree to the bit."""

import numpy as np

from sim.core.constants import (
    ACUTE,
    CLASSROOM_COMMONS,
    MONTHS_PER_YEAR,
    N_LINES,
    N_SUMMARIES,
    PLACE_SYSTEM,
    PUBLIC_GOODS,
)
from sim.core.constants import MX as M
from sim.core.constants import SX as S
from sim.core.jit import jit
from sim.core.measures_nhs import measure_nhs, summarize_nhs
from sim.core.params import PX as P
from sim.core.state import CLOCK_NEED, KEY_WORLD
from sim.core.submodels.games import commons_optimum, commons_return
from sim.core.windows import YEAR_WINDOW, mean_of, summarize_windows, total_of

# Summaries average the first and last year of a place-based run (YEAR_WINDOW months, windows.py),
# and the last ten rounds of a laboratory game (the window the published experiments report).
LAST_ROUNDS = 10

# Readable outcomes (ODD 6; sources in docs/references.md, "Readable outcomes"): conversions of the
# model's units at observation only. They present the model's results in countable units; they
# are not calibrations, and no submodel reads them.
# Population health shown as emergency admissions for ambulatory care sensitive conditions a year
# per 100,000 people: linear, the healthiest starting place at the defaults (initial_health 0.7 x
# (1 + health_spread 0.12)) at the lowest local authority rate in England, 9 per 1,000, and the
# least healthy (0.7 x (1 - 0.12)) at the highest, 22 per 1,000 [KF-ACSC2012]; never below 0.
HEALTH_BEST = 0.7 * 1.12
HEALTH_WORST = 0.7 * 0.88
ADMISSIONS_BEST = 900.0
ADMISSIONS_WORST = 2200.0
PER_PEOPLE = 100_000.0
# Points of population health: the index x 100.
POINTS = 100.0


@jit
def gini(values):
    """Gini coefficient of non-negative values (0 equal, towards 1 concentrated)."""
    n = values.shape[0]
    if n == 0:
        return 0.0
    x = np.sort(values)
    total = 0.0
    weighted = 0.0
    for i in range(n):
        total += x[i]
        weighted += (2.0 * (i + 1) - n - 1.0) * x[i]
    if total <= 0.0:
        return 0.0
    return weighted / (n * total)


# The summaries read mean trust over the last year (or rounds) alone: a batch run that keeps no
# series sums the trust on every edge (a long chain of additions) in those months only.
TRUST_WINDOW = max(YEAR_WINDOW, LAST_ROUNDS)


@jit
def measure(w, p, r, out, costly=True, trust=True):
    """Fill `out` with this month's measures (see constants.MEASURES).

    Measures that cost more than the month itself (the Gini coefficient sorts every organisation)
    are computed only when `costly` is true: a batch run that keeps no series needs them for its
    last month alone, and leaves them 0 before it. Mean trust is computed only when `trust` is
    true (a batch run that keeps no series: its last `TRUST_WINDOW` months). Called once a month,
    after the month's phases: it keeps the waiting list carried into next month
    (`waiting_carried`, read by no submodel).
    """
    for m in range(out.shape[0]):
        out[m] = 0.0
    _measure_organisations(w, out)
    if trust:
        out[M.mean_trust] = mean_trust(w.trust)
    world = w.key[KEY_WORLD]
    if world == PLACE_SYSTEM:
        _measure_places(w, out)
        _measure_readable(w, out)
        measure_nhs(w, out)
        if costly:
            out[M.gini] = _income_gini(w)
    else:
        _measure_game(w, p, out, world)


@jit
def _measure_organisations(w, out):
    """Cooperation, breaches and sanctions, and providers' finances."""
    org_kind = w.org_kind
    cooperation = w.cooperation
    breach = w.breach
    detected = w.detected
    fine = w.fine
    failures = w.failures
    spend = w.spend
    balance = w.balance
    n_org = org_kind.shape[0]
    coop = 0.0
    in_deficit = 0.0
    provider_deficit = 0.0
    acute_deficit = 0.0
    breaches = 0.0
    total_detected = 0.0
    fines = 0.0
    total_failures = 0.0
    total_spend = 0.0
    for i in range(n_org):
        coop += cooperation[i]
        breaches += breach[i]
        total_detected += detected[i]
        fines += fine[i]
        total_failures += failures[i]
        total_spend += spend[i]
        if balance[i] < 0.0:
            in_deficit += 1.0
            provider_deficit -= balance[i]
            if org_kind[i] == ACUTE:
                acute_deficit -= balance[i]
    out[M.mean_cooperation] = coop / n_org
    out[M.breaches] = breaches
    out[M.breaches_detected] = total_detected
    out[M.sanctions] = total_detected
    out[M.fines] = fines
    out[M.provider_deficit] = provider_deficit
    out[M.provider_spend] = total_spend
    out[M.provider_failures] = total_failures
    out[M.providers_in_deficit] = in_deficit
    out[M.acute_deficit_share] = acute_deficit / provider_deficit if provider_deficit > 0.0 else 0.0


@jit
def mean_trust(trust):
    """Mean trust over every partner edge (0 without edges)."""
    total = 0.0
    n_edge = trust.shape[0]
    for e in range(n_edge):
        total += trust[e]
    return total / n_edge if n_edge > 0 else 0.0


@jit
def _income_gini(w):
    """Gini coefficient of organisations' income over spend so far (0 when nothing spent)."""
    ratios = w.org_ratio
    cum_income = w.cum_income
    cum_spend = w.cum_spend
    for i in range(ratios.shape[0]):
        ratios[i] = cum_income[i] / cum_spend[i] if cum_spend[i] > 0.0 else 0.0
    return gini(ratios)


@jit
def _measure_places(w, out):
    """Money, need, health and costs summed over places (after `_measure_organisations`)."""
    # Long: one pass over places and lines, with its arrays bound first and one sum per measure.
    lines = w.line_total
    allocation = w.allocation
    pool_balance = w.pool_balance
    prevention_spend = w.prevention_spend
    health = w.health
    acute_new = w.acute_new
    acute_need_start = w.acute_need_start
    transaction_cost = w.transaction_cost
    governance_cost = w.governance_cost
    takeover_cost = w.takeover_cost
    need = w.need
    unmet = w.unmet
    waiting = w.waiting
    spend_line = w.spend_line
    delivered = w.delivered
    n_place = allocation.shape[0]
    total_allocation = 0.0
    pool = 0.0
    commissioner_deficit = 0.0
    prevention = 0.0
    total_need = 0.0
    met = 0.0
    total_unmet = 0.0
    total_waiting = 0.0
    total_health = 0.0
    acute_need = 0.0
    acute_start = 0.0
    transaction = 0.0
    governance = 0.0
    takeover = 0.0
    for k in range(N_LINES):
        lines[k] = 0.0
    for q in range(n_place):
        total_allocation += allocation[q]
        pool += pool_balance[q]
        if pool_balance[q] < 0.0:
            commissioner_deficit -= pool_balance[q]
        prevention += prevention_spend[q]
        total_health += health[q]
        acute_need += acute_new[q]
        acute_start += acute_need_start[q]
        transaction += transaction_cost[q]
        governance += governance_cost[q]
        takeover += takeover_cost[q]
        for k in range(N_LINES):
            total_need += need[q, k]
            met += min(need[q, k], delivered[q, k])
            total_unmet += unmet[q, k]
            total_waiting += waiting[q, k]
            lines[k] += spend_line[q, k]
    payments = 0.0
    for k in range(N_LINES):
        payments += lines[k]
        out[M.spend_acute + k] = lines[k]
    out[M.allocation] = total_allocation
    out[M.pool_balance] = pool
    out[M.commissioner_deficit] = commissioner_deficit
    out[M.system_deficit] = commissioner_deficit + out[M.provider_deficit]
    out[M.payments] = payments
    out[M.prevention_spend] = prevention
    out[M.acute_share] = lines[ACUTE] / payments if payments > 0.0 else 0.0
    out[M.need] = total_need
    out[M.need_met] = met
    out[M.unmet_need] = total_unmet / total_need if total_need > 0.0 else 0.0
    out[M.waiting_list] = total_waiting
    out[M.population_health] = total_health / n_place
    out[M.acute_demand] = acute_need
    trend = acute_start * w.clock[CLOCK_NEED]
    out[M.acute_demand_vs_trend] = acute_need / trend if trend > 0.0 else 0.0
    out[M.transaction_costs] = transaction
    out[M.governance_costs] = governance
    out[M.takeover_costs] = takeover


@jit
def avoidable_admission_rate(health):
    """Avoidable emergency admissions a year per 100,000 people at a population health index: the
    linear presentation of ODD 6 (not a calibration), never below 0."""
    slope = (ADMISSIONS_WORST - ADMISSIONS_BEST) / (HEALTH_BEST - HEALTH_WORST)
    return max(0.0, ADMISSIONS_BEST + slope * (HEALTH_BEST - health))


@jit
def _measure_readable(w, out):
    """The month's spend, new need, patients waiting and avoidable admissions (after
    `_measure_places`); then keeps the waiting list carried into next month, the one piece of
    state the measures write (new need is this month's need less the list carried in)."""
    need = w.need
    carried = w.waiting_carried
    delivered = w.delivered
    waiting = w.waiting
    waiting_patients = w.waiting_patients
    health = w.health
    population = w.population
    new_need = 0.0
    new_unmet = 0.0
    patients = 0.0
    patients_acute = 0.0
    admissions = 0.0
    people = 0.0
    for q in range(need.shape[0]):
        for k in range(N_LINES):
            arrived = max(0.0, need[q, k] - carried[q, k])
            new_need += arrived
            new_unmet += max(0.0, arrived - delivered[q, k])
            cases = waiting_patients[q, k]  # counted where the list is made (ODD 7.21)
            patients += cases
            if k == ACUTE:
                patients_acute += cases
            carried[q, k] = waiting[q, k]
        admissions += avoidable_admission_rate(health[q]) * population[q] / PER_PEOPLE
        people += population[q]
    spend = (
        out[M.provider_spend]
        + out[M.transaction_costs]
        + out[M.governance_costs]
        + out[M.takeover_costs]
    )
    out[M.system_spend] = spend
    out[M.overspend] = spend - out[M.allocation]
    out[M.new_need] = new_need
    out[M.new_unmet_need] = new_unmet / new_need if new_need > 0.0 else 0.0
    out[M.waiting_patients] = patients
    out[M.waiting_patients_acute] = patients_acute
    out[M.avoidable_admissions] = admissions / MONTHS_PER_YEAR
    out[M.avoidable_admission_rate] = admissions / people * PER_PEOPLE if people > 0.0 else 0.0


@jit
def _measure_game(w, p, out, world):
    """Appropriation, earnings and efficiency of a laboratory game."""
    claim = w.claim
    e = p[P.endowment]
    total = 0.0
    for c in range(claim.shape[0]):
        total += claim[c]
    out[M.total_appropriation] = total
    out[M.group_earnings] = w.earnings[0]
    if world == CLASSROOM_COMMONS:
        best = commons_optimum(p)
        max_rent = commons_return(p, best) - p[P.outside_return] * best
        rent = commons_return(p, total) - p[P.outside_return] * total
        out[M.efficiency] = rent / max_rent if max_rent > 0.0 else 0.0
    elif world == PUBLIC_GOODS:
        n = claim.shape[0]
        contributed = n * e - total
        out[M.mean_contribution] = contributed / (n * e)
        best = n * e * (n * p[P.mpcr] - 1.0)
        out[M.efficiency] = (w.earnings[0] - n * e) / best if best > 0.0 else 0.0


@jit
def summarize(history, world):
    """Run summaries from the measure history (rows are months)."""
    out = np.zeros(N_SUMMARIES)
    n = history.shape[0]
    if n == 0:
        return out
    last = n - 1
    window = YEAR_WINDOW if world == PLACE_SYSTEM else LAST_ROUNDS
    out[S.population_health] = history[last, M.population_health]
    out[S.system_deficit] = history[last, M.system_deficit]
    out[S.commissioner_deficit] = history[last, M.commissioner_deficit]
    out[S.provider_deficit] = history[last, M.provider_deficit]
    out[S.pool_balance] = history[last, M.pool_balance]
    out[S.acute_share] = mean_of(history, M.acute_share, n - window, n)
    out[S.acute_share_start] = mean_of(history, M.acute_share, 0, window)
    out[S.acute_share_change] = out[S.acute_share] - out[S.acute_share_start]
    out[S.unmet_need] = mean_of(history, M.unmet_need, n - window, n)
    out[S.waiting_list] = history[last, M.waiting_list]
    out[S.acute_demand_vs_trend] = mean_of(history, M.acute_demand_vs_trend, n - window, n)
    out[S.mean_cooperation] = mean_of(history, M.mean_cooperation, n - window, n)
    out[S.cooperation_start] = mean_of(history, M.mean_cooperation, 0, window)
    out[S.cooperation_change] = out[S.mean_cooperation] - out[S.cooperation_start]
    out[S.mean_trust] = mean_of(history, M.mean_trust, n - window, n)
    out[S.provider_failures] = history[last, M.provider_failures]
    out[S.providers_in_deficit] = history[last, M.providers_in_deficit]
    out[S.acute_deficit_share] = history[last, M.acute_deficit_share]
    out[S.breaches_detected] = total_of(history, M.breaches_detected)
    out[S.sanctions] = total_of(history, M.sanctions)
    out[S.fines] = total_of(history, M.fines)
    out[S.transaction_costs] = total_of(history, M.transaction_costs)
    out[S.governance_costs] = total_of(history, M.governance_costs)
    out[S.takeover_costs] = total_of(history, M.takeover_costs)
    out[S.gini] = history[last, M.gini]
    out[S.total_allocation] = total_of(history, M.allocation)
    out[S.total_appropriation] = mean_of(history, M.total_appropriation, n - LAST_ROUNDS, n)
    out[S.efficiency] = mean_of(history, M.efficiency, n - LAST_ROUNDS, n)
    out[S.contribution_first] = history[0, M.mean_contribution]
    out[S.contribution_last] = history[last, M.mean_contribution]
    _summarize_readable(history, window, out)
    summarize_windows(history, out)
    summarize_nhs(history, out)  # zeros in the laboratory games, which have no NHS measures
    return out


@jit
def _summarize_readable(history, window, out):
    """Annual flows, shares of the allocation, patients waiting, avoidable admissions and costs
    per unit of outcome (after the other summaries)."""
    n = history.shape[0]
    last = n - 1
    years = n / MONTHS_PER_YEAR
    allocation = out[S.total_allocation]
    spend = total_of(history, M.system_spend)
    overspend = total_of(history, M.overspend)
    costs = out[S.transaction_costs] + out[S.governance_costs] + out[S.takeover_costs]
    met = total_of(history, M.need_met)
    year_allocation = mean_of(history, M.allocation, n - YEAR_WINDOW, n) * MONTHS_PER_YEAR
    points = POINTS * out[S.population_health]
    out[S.allocation_per_year] = allocation / years
    out[S.spend_per_year] = spend / years
    out[S.total_spend] = spend
    out[S.overspend_per_year] = overspend / years
    out[S.overspend_share] = overspend / allocation if allocation > 0.0 else 0.0
    out[S.costs_per_year] = costs / years
    out[S.deficit_share] = out[S.system_deficit] / year_allocation if year_allocation > 0.0 else 0.0
    out[S.total_need_met] = met
    out[S.new_unmet_need] = mean_of(history, M.new_unmet_need, n - window, n)
    out[S.waiting_patients] = history[last, M.waiting_patients]
    out[S.waiting_patients_acute] = history[last, M.waiting_patients_acute]
    out[S.avoidable_admission_rate] = history[last, M.avoidable_admission_rate]
    out[S.avoidable_admissions] = total_of(history, M.avoidable_admissions)
    out[S.spend_per_need_met] = spend / met if met > 0.0 else 0.0
    out[S.spend_per_health_point] = out[S.spend_per_year] / points if points > 0.0 else 0.0
