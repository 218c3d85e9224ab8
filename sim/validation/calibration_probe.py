"""What calibration observes: one run of the NHS world read month by month, reduced to the
figures the targets of `sim.validation.calibration_targets` name.

A run here is the kernel's own path (`build_world`, then `kernel.step` month by month), without
the Mesa layer: the targets need state the measures do not keep (each provider's income and cost
of care, the acute capacity delayed discharges take), so the probe reads the world's arrays after
each month. It is the same world `run_many` and `CareSystem` compute for the same seed and run key.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sim.core.constants import ACUTE, MONTHS_PER_YEAR, SCENARIOS, SOCIAL_CARE
from sim.core.init import build_world
from sim.core.params import pack, validate
from sim.core.rules import resolve
from sim.core.state import as_ref
from sim.engine import kernel
from sim.validation.calibration_targets import ENGLAND_PROVIDER_INCOME_2015_16

RULES = "fortress"  # the NHS of 2010/11 to 2016/17: payment by results, each for itself
SCALE_YEAR = 6  # 2015/16, the year of the scaling income


def run_monthly(params: Mapping[str, float], months: int, seed: int, run: int) -> dict:
    """One fortress run of the place world: the monthly series the targets are read from.

    Args:
        params: Scenario parameters (the rest at their defaults).
        months: Months to run (a multiple of 12).
        seed: Base seed.
        run: Run key (replicate).

    Returns:
        Arrays of one value a month: provider_net and acute_net (income less the cost of care,
        the efficiency factor paid back and fines, model GBP million), provider_income, acute
        payments and payments other than social care, new acute demand, and the delayed share
        of acute capacity.
    """
    scenario = "place_system"
    p = pack(scenario, validate(scenario, **dict(params)))
    r = resolve(RULES).vector()
    world = build_world(p, r, SCENARIOS.index(scenario), seed, run)
    ref = as_ref(world)
    acute_org = world.org_kind == ACUTE
    acute_con = world.con_kind == ACUTE
    names = ("provider_net", "acute_net", "provider_income", "acute_paid", "paid_ex_social")
    out = {k: np.zeros(months) for k in (*names, "acute_new", "delayed_share")}
    last_in, last_cost = world.cum_income.copy(), world.cum_spend.copy()
    for m in range(months):
        kernel.step(ref, p, r)
        income = world.cum_income - last_in - world.efficiency_paid
        net = income - (world.cum_spend - last_cost) - world.fine
        last_in, last_cost = world.cum_income.copy(), world.cum_spend.copy()
        out["provider_net"][m] = net.sum()
        out["acute_net"][m] = net[acute_org].sum()
        out["provider_income"][m] = income.sum()
        lines = world.spend_line.sum(axis=0)
        out["acute_paid"][m] = lines[ACUTE]
        out["paid_ex_social"][m] = lines.sum() - lines[SOCIAL_CARE]
        out["acute_new"][m] = world.acute_new.sum()
        capacity = world.capacity[acute_con].sum()
        out["delayed_share"][m] = world.delayed.sum() / capacity if capacity > 0 else 0.0
    return out


def yearly(series: np.ndarray) -> np.ndarray:
    """Sum of a monthly series by year."""
    n = int(len(series) // MONTHS_PER_YEAR)
    return series[: n * 12].reshape(n, 12).sum(axis=1)


def observe(monthly: Mapping[str, np.ndarray]) -> dict[str, float]:
    """The targets' observables from one run's monthly series (`run_monthly`).

    Money is scaled to England: GBP bn = model GBP m x (England's provider income in 2015/16 /
    the model's provider income in its year 6). Keys: provider_net_yN and acute_net_yN (GBP bn),
    acute_admissions_growth (% a year, years 1 to 8, or to the last year run),
    acute_share_change_y2_y3 (percentage points), delayed_share_yN (% of acute capacity).
    """
    income = yearly(monthly["provider_income"])
    years = len(income)
    scale_year = min(SCALE_YEAR, years)
    scale = ENGLAND_PROVIDER_INCOME_2015_16 / income[scale_year - 1]
    obs: dict[str, float] = {}
    for name in ("provider_net", "acute_net"):
        for y, v in enumerate(yearly(monthly[name]), start=1):
            obs[f"{name}_y{y}"] = float(v * scale)
    admissions = yearly(monthly["acute_new"])
    last = min(8, years)
    if last > 1:
        growth = (admissions[last - 1] / admissions[0]) ** (1.0 / (last - 1)) - 1.0
        obs["acute_admissions_growth"] = float(100.0 * growth)
    share = yearly(monthly["acute_paid"]) / yearly(monthly["paid_ex_social"])
    if years >= 3:
        obs["acute_share_change_y2_y3"] = float(100.0 * (share[2] - share[1]))
    for y, v in enumerate(yearly(monthly["delayed_share"]) / 12.0, start=1):
        obs[f"delayed_share_y{y}"] = float(100.0 * v)
    return obs


def simulate_targets(
    params: Mapping[str, float], months: int, seed: int, replicates: int, checkpoint=None
) -> dict[str, float]:
    """The mean over `replicates` runs (run keys 0..replicates-1) of every observable;
    `checkpoint()`, if given, is called before each run (raising there stops them)."""
    runs = []
    for k in range(replicates):
        if checkpoint is not None:
            checkpoint()
        runs.append(observe(run_monthly(params, months, seed, k)))
    return {key: float(np.mean([o[key] for o in runs])) for key in runs[0]}
