"""Run summaries over time windows: a fact read at one month can be an artefact of that month
(the acute share of the provider deficit jumps when failed providers' deficits are written off),
so the validation checks it in every year of the run instead. Also the windows every summary uses:
`mean_of` a column over some months, `total_of` it over the run.
"""

from sim.core.constants import MONTHS_PER_YEAR
from sim.core.constants import MX as M
from sim.core.constants import SX as S
from sim.core.jit import jit

YEAR_WINDOW = 12  # months in a place-based run's first and last year


@jit
def mean_of(history, column, first, last):
    """Mean of history[first:last, column] (rows clipped to the run; 0 when none is left)."""
    first = max(0, first)
    last = min(history.shape[0], last)
    if last <= first:
        return 0.0
    total = 0.0
    for t in range(first, last):
        total += history[t, column]
    return total / (last - first)


@jit
def total_of(history, column):
    """Sum of a column over every month of the run."""
    total = 0.0
    for t in range(history.shape[0]):
        total += history[t, column]
    return total


@jit
def summarize_windows(history, out):
    """`acute_deficit_share_years`: the mean acute share of the provider deficit over the months
    of years 2 onwards that have a provider deficit; `acute_deficit_share_low_year`: the lowest
    of those years' means (years with no provider deficit are skipped; 0 when none has one)."""
    n = history.shape[0]
    year = int(MONTHS_PER_YEAR)
    total = 0.0
    months = 0.0
    low = -1.0
    for start in range(year, n, year):
        share = 0.0
        count = 0.0
        for t in range(start, min(n, start + year)):
            if history[t, M.provider_deficit] > 0.0:
                share += history[t, M.acute_deficit_share]
                count += 1.0
        if count > 0.0:
            total += share
            months += count
            mean = share / count
            low = mean if low < 0.0 or mean < low else low
    out[S.acute_deficit_share_years] = total / months if months > 0.0 else 0.0
    out[S.acute_deficit_share_low_year] = max(low, 0.0)
