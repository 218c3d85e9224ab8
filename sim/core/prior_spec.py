"""The declaration of a prior (`Prior`), its checks and the constructors the table uses.

The table of priors is `sim.core.priors_table`; drawing from priors and resolving what a run
draws from is `sim.core.priors`, which re-exports `Prior`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.params import PARAMETER_INDEX, ParameterError, parameter

DISTRIBUTIONS = ("uniform", "loguniform", "triangular", "normal")


@dataclass(frozen=True)
class Prior:
    """The distribution of one uncertain parameter.

    Attributes:
        name: The parameter (a key of `sim.core.params.PARAMETERS`).
        dist: "uniform", "loguniform", "triangular" (with `mode`) or "normal" (mean `mode`,
            standard deviation `sd`, truncated to [low, high]).
        low, high: The range of the draws, inside the parameter's allowed range.
        mode: The triangular mode, or the normal mean.
        sd: The normal standard deviation.
        source: Where the range comes from: a reference key of docs/references.md, or
            "reasoning: ...".
    """

    name: str
    dist: str
    low: float
    high: float
    mode: float | None = None
    sd: float | None = None
    source: str = ""

    def __post_init__(self):
        check_prior(self)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Values at the quantiles u (each in [0, 1))."""
        # scipy.stats takes over a second to import: only a draw from these priors pays for it
        from scipy import stats

        u = np.asarray(u, dtype=np.float64)
        lo, hi = self.low, self.high
        if self.dist == "uniform":
            x = lo + (hi - lo) * u
        elif self.dist == "loguniform":
            x = np.exp(np.log(lo) + (np.log(hi) - np.log(lo)) * u)
        elif self.dist == "triangular":
            c = (self.mode - lo) / (hi - lo)
            x = stats.triang.ppf(u, c, loc=lo, scale=hi - lo)
        else:  # normal, truncated to [low, high]
            a, b = (lo - self.mode) / self.sd, (hi - self.mode) / self.sd
            x = stats.truncnorm.ppf(u, a, b, loc=self.mode, scale=self.sd)
        x = np.clip(x, lo, hi)
        if parameter(self.name).kind is int:
            x = np.floor(x + 0.5)
        return x

    def describe(self) -> str:
        """The distribution in a few words, e.g. "triangular(0.01, 0.035, 0.07)"."""
        if self.dist == "triangular":
            return f"triangular({self.low:g}, {self.mode:g}, {self.high:g})"
        if self.dist == "normal":
            return f"normal({self.mode:g}, sd {self.sd:g}) in [{self.low:g}, {self.high:g}]"
        return f"{self.dist}({self.low:g}, {self.high:g})"


def check_prior(p: Prior, where: str = "") -> None:
    """Refuse a prior that cannot be drawn from, naming the field and what is allowed."""
    label = f"{where}{p.name}"
    if p.name not in PARAMETER_INDEX:
        raise ParameterError(f"{label} is not a parameter; see `commons list`")
    if p.dist not in DISTRIBUTIONS:
        raise ParameterError(
            f"{label}.dist={p.dist!r} is not a distribution; allowed: {', '.join(DISTRIBUTIONS)}"
        )
    spec = parameter(p.name)
    for key in ("low", "high"):
        value = getattr(p, key)
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise ParameterError(f"{label}.{key}={value!r} is not a number; allowed: a number")
        if not (spec.low <= value <= spec.high):
            raise ParameterError(
                f"{label}.{key}={value!r} is outside the parameter's range; allowed: "
                f"{spec.allowed()}"
            )
    for key in ("mode", "sd", "source"):
        value = getattr(p, key)
        wanted = str if key == "source" else int | float | np.integer | np.floating
        if value is not None and (isinstance(value, bool) or not isinstance(value, wanted)):
            allowed = "a text" if key == "source" else "a number"
            raise ParameterError(f"{label}.{key}={value!r} is not {allowed}; allowed: {allowed}")
    if not p.low < p.high:
        raise ParameterError(
            f"{label}.low={p.low!r} is not below high={p.high!r}; allowed: low < high"
        )
    if p.dist == "loguniform" and p.low <= 0:
        raise ParameterError(f"{label}.low={p.low!r} with dist loguniform; allowed: low > 0")
    bad_mode = p.mode is None or not (p.low <= p.mode <= p.high)
    if p.dist in ("triangular", "normal") and bad_mode:
        what = "mode" if p.dist == "triangular" else "mode (the mean)"
        given = " is missing" if p.mode is None else f"={p.mode!r}"
        raise ParameterError(
            f"{label}.mode{given} with dist {p.dist}; allowed: a {what} in [{p.low:g}, {p.high:g}]"
        )
    if p.dist == "normal" and (p.sd is None or not p.sd > 0):
        given = " is missing" if p.sd is None else f"={p.sd!r}"
        raise ParameterError(f"{label}.sd{given} with dist normal; allowed: a number > 0")


def triangular(name: str, low: float, mode: float, high: float, source: str) -> Prior:
    """A triangular prior (the table's usual form: half to double around the default)."""
    return Prior(name, "triangular", low, high, mode=mode, source=source)


def loguniform(name: str, low: float, high: float, source: str) -> Prior:
    """A log-uniform prior (a rate known only to within a factor)."""
    return Prior(name, "loguniform", low, high, source=source)


def uniform_prior(name: str, low: float, high: float, source: str) -> Prior:
    """A uniform prior."""
    return Prior(name, "uniform", low, high, source=source)
