"""Calibration: fit chosen parameters to published NHS figures with optuna, and check the fit out
of sample on figures it was not fitted to.

The loss of a parameter set is the sum over the fitted targets of ((model - published) /
tolerance)^2, the model's figure being the mean over `replicates` fortress runs of the default
place world (`sim.validation.calibration_probe`). Every trial uses the same seed and run keys
(common random numbers), so two sets are compared on the same draws and the loss is smooth in the
parameters as far as the model is. The sampler is optuna's TPE, seeded.

The uncertainty of the fitted set: a trial is accepted when its loss is within
`chi2.ppf(level, number of parameters)` of the best (read as a likelihood with the tolerances as
standard deviations, this is the profile-likelihood region at `level`); the accepted trials'
spread is the uncertainty, and `CalibrationResult.priors()` turns it into triangular priors (low
and high the accepted trials' extremes, mode the best value) for probabilistic runs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from sim.core.checks import check_int, check_seed
from sim.core.params import ParameterError, parameter, parameters_for
from sim.core.priors import Prior
from sim.experiment.extras import require
from sim.experiment.limits import MAX_COUNT
from sim.validation.calibration_probe import simulate_targets
from sim.validation.calibration_targets import (
    DEFAULT_CHECK_ON,
    DEFAULT_FIT_ON,
    TARGET_INDEX,
    Target,
    months_needed,
)

# unmet_harm is left out: it acts only through its product with health_need_elasticity (halving
# either gives the same runs), so the two cannot be fitted apart (docs/calibration.md).
DEFAULT_PARAMETERS = (
    "spillover",
    "health_need_elasticity",
    "discharge_delay",
    "tariff_efficiency",
    "induced_demand",
)
# Search ranges of parameters without a prior in `sim.core.priors_table` (else half to double
# the default): the tariff's efficiency factor was 4% a year in 2011/12-2014/15 (R, ODD 5).
DEFAULT_RANGES = {
    "tariff_efficiency": (0.0, 0.05),
    "discharge_delay": (0.05, 0.5),
    "induced_demand": (0.0, 0.3),
}
LEVEL = 0.95  # of the accepted region
MIN_ACCEPTED = 3
# Trials: TPE's cost grows with those already told (400 take seconds), and the uncertainty
# settles long before. Replicates and runs in all: an experiment file's (sim.experiment.limits).
MAX_TRIALS = 10_000
MAX_REPLICATES = MAX_COUNT
SAMPLER_SEEDS = 2**32  # optuna's samplers take a seed below this (NumPy's RandomState)


@dataclass
class CalibrationResult:
    """What `calibrate` found.

    Attributes:
        parameters: Fitted parameters with their search ranges, {name: (low, high)}.
        fit_on: The targets fitted to; check_on: the targets checked out of sample.
        best: The fitted set (the lowest loss over the trials).
        best_loss: Its loss over the fitted targets.
        trials: One row per trial: number, loss, each parameter, each target's model figure.
        fitted: One row per target at the best set: role (fit, check), published, model,
            tolerance, standardised error z = (model - published) / tolerance.
        uncertainty: One row per parameter: best, and the accepted trials' count, min, 5%,
            median, 95% and max.
        settings: trials, replicates, seed, months, level, acceptance threshold.
    """

    parameters: dict[str, tuple[float, float]]
    fit_on: tuple[Target, ...]
    check_on: tuple[Target, ...]
    best: dict[str, float]
    best_loss: float
    trials: pd.DataFrame
    fitted: pd.DataFrame
    uncertainty: pd.DataFrame
    settings: dict = field(default_factory=dict)

    def priors(self, source: str | None = None) -> list[Prior]:
        """Triangular priors from the accepted trials: low and high their extremes, mode the
        best value (each kept inside the parameter's allowed range and its search range)."""
        source = source or (
            "calibrated (commons calibrate): fitted to "
            + ", ".join(t.name for t in self.fit_on)
            + f"; accepted trials within the {self.settings['level']:.0%} region"
        )
        out = []
        for row in self.uncertainty.itertuples():
            lo, hi, mode = float(row.min), float(row.max), float(row.best)
            if not hi > lo:  # one accepted value: a tenth of the search range either side
                s_lo, s_hi = self.parameters[row.parameter]
                half = 0.05 * (s_hi - s_lo)
                lo, hi = max(s_lo, mode - half), min(s_hi, mode + half)
            out.append(
                Prior(
                    row.parameter, "triangular", lo, hi, mode=min(max(mode, lo), hi), source=source
                )
            )
        return out

    def to_toml(self, source: str | None = None) -> str:
        """The priors as `[uncertainty.priors.NAME]` blocks of an experiment file."""
        blocks = []
        for p in self.priors(source):
            lines = [f"[uncertainty.priors.{p.name}]", f'dist = "{p.dist}"']
            lines += [f"low = {p.low:.6g}", f"high = {p.high:.6g}"]
            if p.mode is not None:
                lines.append(f"mode = {p.mode:.6g}")
            if p.sd is not None:
                lines.append(f"sd = {p.sd:.6g}")
            lines.append('source = "' + p.source.replace('"', "'") + '"')
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"


def resolve_targets(targets, what: str) -> tuple[Target, ...]:
    """Targets by name (`calibration_targets.TARGETS`) or as `Target` objects."""
    out = []
    for t in targets:
        if isinstance(t, Target):
            out.append(t)
        elif isinstance(t, str) and t in TARGET_INDEX:
            out.append(TARGET_INDEX[t])
        else:
            raise ParameterError(
                f"{what}={t!r} is not a target; allowed: {', '.join(TARGET_INDEX)}"
            )
    names = [t.name for t in out]
    if len(set(names)) != len(names):
        raise ParameterError(f"{what} names a target twice: {names}; allowed: once each")
    return tuple(out)


def resolve_parameters(parameters, what: str = "parameters") -> dict[str, tuple[float, float]]:
    """Search ranges: a name alone takes its prior's range (`sim.core.priors_table`), or half to
    double its default; a mapping gives {name: (low, high)} or {name: None} for the default."""
    from sim.core.priors_table import PRIOR_INDEX, PRIORS

    items = (
        parameters.items() if isinstance(parameters, Mapping) else [(p, None) for p in parameters]
    )
    accepted = {p.name for p in parameters_for("place_system")}
    out: dict[str, tuple[float, float]] = {}
    for name, span in items:
        if name in out:
            raise ParameterError(f"{what} names {name!r} twice; allowed: each parameter once")
        if name not in accepted or parameter(name).kind is not float:
            raise ParameterError(
                f"{what}: {name!r} is not a real-valued parameter of place_system; "
                f"allowed: {', '.join(sorted(n for n in accepted if parameter(n).kind is float))}"
            )
        spec = parameter(name)
        if span is None:  # a default range, kept inside the parameter's own
            lo, hi = _default_range(name, spec, PRIOR_INDEX, PRIORS)
            lo, hi = max(lo, float(spec.low)), min(hi, float(spec.high))
        else:  # a range given is used as given, or refused
            lo, hi = (float(v) for v in span)
        if not (float(spec.low) <= lo < hi <= float(spec.high)):
            raise ParameterError(
                f"{what} {name}={lo:g}:{hi:g} is not a range inside {name}'s own "
                f"({spec.allowed()}); allowed: LOW:HIGH with {float(spec.low):g} <= LOW < HIGH "
                f"<= {float(spec.high):g}"
            )
        out[name] = (lo, hi)
    if not out:
        raise ParameterError("parameters is empty; allowed: at least one parameter")
    return out


def _default_range(name: str, spec, prior_index, priors) -> tuple[float, float]:
    """The search range of a parameter named alone (see `resolve_parameters`)."""
    if name in DEFAULT_RANGES:
        return DEFAULT_RANGES[name]
    if name in prior_index:
        prior = priors[prior_index[name]]
        return float(prior.low), float(prior.high)
    d = float(spec.default)
    return (0.5 * d, 2.0 * d) if d > 0 else (float(spec.low), float(spec.high))


def check_runs(trials: int, replicates: int, names=("trials", "replicates")) -> None:
    """No more runs in all than an experiment may make (`sim.experiment.limits.MAX_RUNS`)."""
    from sim.experiment.limits import MAX_RUNS

    if trials * replicates > MAX_RUNS:
        raise ParameterError(
            f"{names[0]}={trials} x {names[1]}={replicates} = {trials * replicates:,} runs; "
            f"allowed: at most {MAX_RUNS:,} runs"
        )


def sampler_seed(seed: int) -> int:
    """The seed of optuna's sampler for a run seed (any seed in [0, 2**63 - 1]): the seed itself
    below 2**32 (what the sampler takes, so every calibration of earlier versions is unchanged),
    else 32 bits drawn from it by NumPy's SeedSequence."""
    if seed < SAMPLER_SEEDS:
        return seed
    return int(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint32)[0])


def loss(model: Mapping[str, float], targets: Sequence[Target]) -> float:
    """Sum of squared standardised errors of the model's figures against the targets."""
    return float(sum(((model[t.observable] - t.value) / t.tolerance) ** 2 for t in targets))


def check_split(fit, check) -> None:
    """Refuse no fitted target, or one both fitted and checked (not evidence: its own target)."""
    if not fit:
        raise ParameterError("fit_on is empty; allowed: at least one target")
    both = {t.name for t in fit} & {t.name for t in check}
    if both:
        raise ParameterError(f"check_on repeats fitted targets {sorted(both)}; allowed: disjoint")


def calibrate(
    parameters: Sequence[str] | Mapping = DEFAULT_PARAMETERS,
    targets: Sequence | None = None,
    fit_on: Sequence = DEFAULT_FIT_ON,
    check_on: Sequence = DEFAULT_CHECK_ON,
    trials: int = 60,
    replicates: int = 4,
    seed: int = 1,
    level: float = LEVEL,
    progress: bool = False,
    checkpoint: Callable[[], None] | None = None,
    **fixed,
) -> CalibrationResult:
    """Fit `parameters` to the `fit_on` targets and check the fit on the `check_on` targets.

    Args:
        parameters: Names (search range from the prior table, or half to double the default) or
            {name: (low, high)}.
        targets: Shorthand for fit_on when given (check_on then defaults to none).
        fit_on: Targets fitted to: names of `calibration_targets.TARGETS` or `Target` objects.
        check_on: Targets checked out of sample (never in the loss).
        trials: Parameter sets tried (optuna trials).
        replicates: Runs averaged per trial (run keys 0..replicates-1).
        seed: Seed of the runs and of the sampler.
        level: Level of the accepted region (see the module docstring).
        progress: Show a progress bar.
        checkpoint: Called before every run; raising there stops the calibration (a command's
            pending stop, say).
        **fixed: Other scenario parameters, held fixed in every run.

    Returns:
        A `CalibrationResult`.

    Raises:
        ParameterError: A bad parameter, range, target, count or seed, named in one line.
        MissingExtra: optuna is not installed (the `calibration` extra).
    """
    if targets is not None:
        fit_on, check_on = targets, ()
    space = resolve_parameters(parameters)
    fit = resolve_targets(fit_on, "fit_on")
    check = resolve_targets(check_on, "check_on")
    check_split(fit, check)
    trials = check_int(trials, "trials", 2, MAX_TRIALS)
    replicates = check_int(replicates, "replicates", 1, MAX_REPLICATES)
    check_runs(trials, replicates)
    seed = check_seed(seed)
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r}; allowed: a number in (0, 1)")
    months = max(months_needed([*fit, *check]), 36)
    search = (trials, replicates, seed, months, progress, checkpoint)
    table = _search(space, fit, search, fixed)
    return _result(space, fit, check, table, replicates, seed, months, level, trials)


def _search(space, fit, search, fixed) -> pd.DataFrame:
    """Run the optuna study; one row per trial with its loss and every model figure."""
    trials, replicates, seed, months, progress, checkpoint = search
    optuna = require("optuna", "calibration", "commons calibrate")
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(
        seed=sampler_seed(seed), n_startup_trials=max(2, min(10, trials // 3)), multivariate=True
    )
    study = optuna.create_study(direction="minimize", sampler=sampler)
    rows = []
    # The bar closes before any message, an interrupt's included, so that it ends its own line.
    with _bar(trials) if progress else contextlib.nullcontext() as bar:
        for _ in range(trials):
            trial = study.ask()
            values = {n: trial.suggest_float(n, lo, hi) for n, (lo, hi) in space.items()}
            model = simulate_targets({**fixed, **values}, months, seed, replicates, checkpoint)
            value = loss(model, fit)
            study.tell(trial, value)
            rows.append({"trial": trial.number, "loss": value, **values, **model})
            if bar is not None:
                bar.update(1)
                bar.set_postfix(best=f"{study.best_value:.3g}")
    return pd.DataFrame(rows)


def _bar(total: int):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="trial", desc="calibrating")


def _result(space, fit, check, table, replicates, seed, months, level, trials):
    best_row = table.loc[table["loss"].idxmin()]
    best = {n: float(best_row[n]) for n in space}
    threshold = float(stats.chi2.ppf(level, len(space)))
    accepted = table[table["loss"] <= best_row["loss"] + threshold]
    if len(accepted) < MIN_ACCEPTED:
        accepted = table.nsmallest(min(MIN_ACCEPTED, len(table)), "loss")
    rows = []
    for role, targets in (("fit", fit), ("check", check)):
        for t in targets:
            model = float(best_row[t.observable])
            rows.append(
                {
                    "target": t.name,
                    "role": role,
                    "label": t.label,
                    "years": ", ".join(_year(y) for y in t.years),
                    "unit": t.unit,
                    "published": t.value,
                    "model": model,
                    "tolerance": t.tolerance,
                    "z": (model - t.value) / t.tolerance,
                    "source": t.source,
                }
            )
    spread = [
        {
            "parameter": n,
            "low": space[n][0],
            "high": space[n][1],
            "best": best[n],
            "accepted": len(accepted),
            "min": float(accepted[n].min()),
            "q05": float(accepted[n].quantile(0.05)),
            "median": float(accepted[n].median()),
            "q95": float(accepted[n].quantile(0.95)),
            "max": float(accepted[n].max()),
        }
        for n in space
    ]
    settings = {
        "trials": trials,
        "replicates": replicates,
        "seed": seed,
        "months": months,
        "level": level,
        "threshold": threshold,
        "rules": "fortress",
    }
    return CalibrationResult(
        parameters=dict(space),
        fit_on=tuple(fit),
        check_on=tuple(check),
        best=best,
        best_loss=float(best_row["loss"]),
        trials=table,
        fitted=pd.DataFrame(rows),
        uncertainty=pd.DataFrame(spread),
        settings=settings,
    )


def _year(y: int) -> str:
    from sim.validation.calibration_targets import year_label

    return year_label(y)


def synthetic_targets(
    truth: Mapping[str, float],
    like: Sequence,
    replicates: int = 2,
    seed: int = 1,
    tolerance: float | Mapping[str, float] | None = None,
) -> tuple[Target, ...]:
    """Targets generated by the model itself at a known parameter set `truth`: copies of the
    `like` targets with the model's figures as their values (for recovery tests)."""
    base = resolve_targets(like, "like")
    model = simulate_targets(truth, max(months_needed(base), 36), seed, replicates)
    out = []
    for t in base:
        tol = tolerance.get(t.name, t.tolerance) if isinstance(tolerance, Mapping) else tolerance
        out.append(
            Target(**{**t.__dict__, "value": model[t.observable], "tolerance": tol or t.tolerance})
        )
    return tuple(out)
