"""Measures of the NHS mechanisms (ODD 7.17-7.20): the regulator's oversight segments, delayed
discharges, capital invested and what the tariff's efficiency factor pays back, each month and
over a run. Observation only: no submodel reads them; zero in the laboratory games.
"""

from sim.core.constants import MONTHS_PER_YEAR
from sim.core.constants import MX as M
from sim.core.constants import SX as S
from sim.core.jit import jit
from sim.core.submodels.regulator import MANDATED_SUPPORT, SPECIAL_MEASURES
from sim.core.windows import YEAR_WINDOW, mean_of, total_of


@jit
def measure_nhs(w, out):
    """Providers in mandated support or special measures (segments 3-4) and in special measures
    alone, entries into special measures so far, acute capacity taken by delayed discharges, and
    the month's capital invested and efficiency paid back (GBP million)."""
    segment = w.segment
    special_spells = w.special_spells
    invested = w.invested
    efficiency_paid = w.efficiency_paid
    delayed = w.delayed
    support = 0.0
    special = 0.0
    entries = 0.0
    capital = 0.0
    paid_back = 0.0
    for i in range(segment.shape[0]):
        if segment[i] >= MANDATED_SUPPORT:
            support += 1.0
        if segment[i] >= SPECIAL_MEASURES:
            special += 1.0
        entries += special_spells[i]
        capital += invested[i]
        paid_back += efficiency_paid[i]
    beds = 0.0
    for q in range(delayed.shape[0]):
        beds += delayed[q]
    out[M.providers_in_support] = support
    out[M.providers_in_special_measures] = special
    out[M.special_measures_entries] = entries
    out[M.delayed_discharges] = beds
    out[M.capital_invested] = capital
    out[M.efficiency_paid_back] = paid_back


@jit
def summarize_nhs(history, out):
    """Providers in support and in special measures, and delayed discharges, as means over the
    last year; entries into special measures over the run; capital invested and efficiency paid
    back a year."""
    n = history.shape[0]
    if n == 0:
        return
    years = n / MONTHS_PER_YEAR
    out[S.providers_in_support] = mean_of(history, M.providers_in_support, n - YEAR_WINDOW, n)
    out[S.providers_in_special_measures] = mean_of(
        history, M.providers_in_special_measures, n - YEAR_WINDOW, n
    )
    out[S.special_measures_entries] = history[n - 1, M.special_measures_entries]
    out[S.delayed_discharges] = mean_of(history, M.delayed_discharges, n - YEAR_WINDOW, n)
    out[S.capital_invested_per_year] = total_of(history, M.capital_invested) / years
    out[S.efficiency_paid_back_per_year] = total_of(history, M.efficiency_paid_back) / years
