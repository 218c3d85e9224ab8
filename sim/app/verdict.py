"""The comparison in plain words: headline figures of both panels at a chosen year ("cards"), which
panel does better on each, the trade-offs, and how often B beats A over plausible worlds.

UI-free: everything here is computed from series cubes (one array per panel of shape
(replicates, months, measures), as `ReplicateResult.series` holds, or a live run's history with one
replicate), so it is tested without a browser.

Definitions:

- **The value of an outcome at year y** (`outcome_series`): a stock (deficit, population health,
  patients waiting, providers taken over, organisations in deficit) is read at the year's last
  month, 12 y; a flow (unmet need, avoidable admissions) is its mean over the twelve months ending
  there (over the months so far in the first year), so one month's noise or season does not
  decide the verdict.
- **The difference** is B - A per replicate (paired: replicate j of both panels shares its
  parameter draw and random numbers), summarised by `sim.analysis.uncertainty.compare_uncertain`:
  the mean, its interval (bootstrap over parameter draws), and P(B better).
- **About the same**: the interval of the mean difference contains 0, or the difference is
  smaller than `MATERIAL` (2%) of the larger panel's value. Else B is better or worse, by the
  outcome's direction.
- **Plausible worlds** are parameter draws from the priors (docs/experiments.md, "Parameter
  uncertainty"); P(B better) is the share of draws where B is better on average once seed noise
  is taken out (two seeds or more per draw), else the share of draws (or runs) as run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.uncertainty import compare_uncertain
from sim.analysis.uncertainty_text import percent
from sim.core.constants import M as MI

MATERIAL = 0.02  # a difference below 2% of the larger value is "about the same"


@dataclass(frozen=True)
class Outcome:
    """A headline outcome: how to read it from the measures and how to say it.

    Attributes:
        name: The measure (`sim.MEASURES`).
        label: Its name in a sentence ("deficit").
        unit: Its unit on a card.
        scale: Factor from the measure to the unit.
        lower_is_better: Direction.
        flow: True to average the twelve months ending at a year; False to read the year's end.
        template: The sentence of a difference: {amount} and {word} (a word of `words`).
        words: (word when B is lower, word when B is higher).
        digits: Decimals of the amounts shown.
    """

    name: str
    label: str
    unit: str
    scale: float
    lower_is_better: bool
    flow: bool
    template: str
    words: tuple[str, str]
    digits: int = 0

    def amount(self, value: float) -> str:
        """A value in the outcome's unit, thousands separated."""
        return f"{value:,.{self.digits}f}"


OUTCOMES = (
    Outcome(
        "system_deficit", "deficit", "GBP million", 1.0, True, False,
        "£{amount}m {word} deficit", ("less", "more"),
    ),
    Outcome(
        "population_health", "population health", "index, 0 to 1", 1.0, False, False,
        "population health {amount} {word}", ("lower", "higher"), 3,
    ),
    Outcome(
        "unmet_need", "unmet need", "% of need, year's mean", 100.0, True, True,
        "unmet need {amount} points {word}", ("lower", "higher"), 1,
    ),
    Outcome(
        "waiting_patients", "patients waiting", "patients", 1.0, True, False,
        "{amount} {word} patients waiting", ("fewer", "more"),
    ),
    Outcome(
        "avoidable_admission_rate", "avoidable admissions", "a year per 100,000, year's mean",
        1.0, True, True, "{amount} {word} avoidable admissions a year per 100,000 people",
        ("fewer", "more"),
    ),
    Outcome(
        "provider_failures", "providers taken over", "since the start", 1.0, True, False,
        "{amount} {word} providers taken over", ("fewer", "more"), 1,
    ),
    Outcome(
        "providers_in_deficit", "organisations in deficit", "organisations", 1.0, True, False,
        "{amount} {word} organisations in deficit", ("fewer", "more"), 1,
    ),
)  # fmt: skip
BY_NAME = {o.name: o for o in OUTCOMES}


def outcome_series(cube: np.ndarray, outcome: Outcome) -> np.ndarray:
    """Per replicate and month, the outcome as the cards read it (in its unit).

    Args:
        cube: Measures of one panel, shape (replicates, months, measures).
        outcome: The outcome.

    Returns:
        Shape (replicates, months): the measure (a stock), or its mean over the twelve months
        ending at each month (a flow; over the months so far before month 12).
    """
    x = np.asarray(cube, dtype=float)[:, :, MI[outcome.name]] * outcome.scale
    if not outcome.flow:
        return x
    csum = np.cumsum(x, axis=1)
    lagged = np.zeros_like(csum)
    lagged[:, 12:] = csum[:, :-12]
    n = np.minimum(np.arange(1, x.shape[1] + 1), 12)
    return (csum - lagged) / n


@dataclass(frozen=True)
class Card:
    """One outcome of both panels at one year.

    Attributes:
        outcome: The outcome.
        a, b: Mean over replicates of panel A and panel B.
        diff: Mean of B - A; low, high its interval (NaN for one run).
        p_better: Share of plausible worlds where B is better (NaN for one run).
        p_basis: What the share is over, in words.
        status: "better", "worse" (for B) or "same".
    """

    outcome: Outcome
    a: float
    b: float
    diff: float
    low: float
    high: float
    p_better: float
    p_basis: str
    status: str

    def phrase(self) -> str:
        """'£361m less deficit', or 'deficit about the same'."""
        o = self.outcome
        if self.status == "same":
            return f"{o.label} about the same"
        word = o.words[1] if self.diff > 0 else o.words[0]
        return o.template.format(amount=o.amount(abs(self.diff)), word=word)


def _status(outcome: Outcome, a: float, b: float, diff: float, low: float, high: float) -> str:
    if not math.isnan(low) and low <= 0.0 <= high:
        return "same"
    if abs(diff) <= MATERIAL * max(abs(a), abs(b)) or diff == 0.0:
        return "same"
    better = diff < 0 if outcome.lower_is_better else diff > 0
    return "better" if better else "worse"


def _basis(row) -> tuple[float, str]:
    """P(B better) of a comparison row and what it is over, in words."""
    n, k = int(row["n_draws"]), int(row["seeds_per_draw"])
    if not row["parameters_drawn"]:
        return float(row["p_better_draws"]), f"{n:,} runs, parameters at their defaults"
    if bool(row["separable"]):
        return (
            float(row["p_better_parameters"]),
            f"{n:,} parameter draws from the priors, {k} seeds each, seed noise taken out",
        )
    return float(row["p_better_draws"]), f"{n:,} parameter draws from the priors, one seed each"


def cards(
    series: dict,
    year: int,
    draws,
    level: float,
    seed: int = 0,
    outcomes=OUTCOMES,
) -> list[Card]:
    """The headline cards of both panels at the end of `year`.

    Args:
        series: Panel ("left" for A, "right" for B) -> measures, (replicates, months, measures).
        year: The year (1 = the first twelve months); a year beyond the runs reads their end.
        draws: The parameter draw of each replicate, or None when no parameter was drawn
            (every replicate is then its own draw, of seed noise alone).
        level: Confidence level of the intervals (the app's `sim.app.state.CONFIDENCE`).
        seed: Base seed of the bootstrap.
        outcomes: The outcomes, in card order.

    Returns:
        One `Card` per outcome.
    """
    months = series["left"].shape[1]
    m = min(max(1, int(year)) * 12, months) - 1
    values = {
        side: {o.name: outcome_series(series[side], o)[:, m] for o in outcomes}
        for side in ("left", "right")
    }
    n = len(values["left"][outcomes[0].name])
    if n < 2:  # one run: no interval, no share
        return [_card(o, values["left"][o.name], values["right"][o.name], None) for o in outcomes]
    drawn = draws is not None
    draw = np.asarray(draws) if drawn else np.arange(n)
    frame = pd.concat(
        pd.DataFrame({"rules": label, "replicate": np.arange(n), "draw": draw, **values[side]})
        for side, label in (("left", "A"), ("right", "B"))
    )
    comp = compare_uncertain(
        frame,
        [o.name for o in outcomes],
        ["B"],
        "A",
        lower_is_better=[o.name for o in outcomes if o.lower_is_better],
        parameters=(),
        level=level,
        resamples=1000,
        seed=seed,
    )
    rows = {r["outcome"]: {**r, "parameters_drawn": drawn} for r in comp.summary.to_dict("records")}
    return [
        _card(o, values["left"][o.name], values["right"][o.name], rows.get(o.name))
        for o in outcomes
    ]


def _card(outcome: Outcome, a: np.ndarray, b: np.ndarray, row) -> Card:
    ma, mb = float(np.mean(a)), float(np.mean(b))
    diff = float(np.mean(b - a))
    if row is None:  # one run, or an outcome with no finite difference
        low = high = p = math.nan
        basis = "one run"
    else:
        low, high = float(row["low"]), float(row["high"])
        p, basis = _basis(row)
    return Card(
        outcome, ma, mb, diff, low, high, p, basis, _status(outcome, ma, mb, diff, low, high)
    )


# --------------------------------------------------------------------------- words
def year_name(year: int, start_year: int | None = None) -> str:
    """'year 10', or 'year 10 (2034/35)' when the first year is the financial year start_year."""
    if not start_year:
        return f"year {year}"
    return f"year {year} ({financial_year(year, start_year)})"


def financial_year(year: int, start_year: int) -> str:
    """Model year 1 as the financial year starting in April of `start_year`: 1 -> '2025/26'."""
    first = int(start_year) + int(year) - 1
    return f"{first}/{(first + 1) % 100:02d}"


def headline(cards_: list[Card], year: int, start_year: int | None = None) -> str:
    """'By the end of year 10, B has £361m less deficit; population health 0.046 higher; ...
    Unmet need is about the same.'"""
    when = f"By the end of {year_name(year, start_year)}"
    differ = [c.phrase() for c in cards_ if c.status != "same"]
    same = [c.outcome.label for c in cards_ if c.status == "same"]
    if not differ:
        return f"{when}, A and B are about the same on every headline outcome."
    text = f"{when}, B has " + "; ".join(differ) + "."
    if same:
        names = same[0] if len(same) == 1 else ", ".join(same[:-1]) + " and " + same[-1]
        verb = "is" if len(same) == 1 else "are"
        text += f" {names[0].upper()}{names[1:]} {verb} about the same."
    return text


def score(cards_: list[Card]) -> str:
    """'B does better on 5 of 7 headline outcomes, worse on 1, about the same on 1.'"""
    counts = {s: sum(c.status == s for c in cards_) for s in ("better", "worse", "same")}
    text = f"B does better than A on {counts['better']} of {len(cards_)} headline outcomes"
    extra = [f"worse on {counts['worse']}"] if counts["worse"] else []
    extra += [f"about the same on {counts['same']}"] if counts["same"] else []
    return text + (", " + ", ".join(extra) if extra else "") + "."


def trade_offs(cards_: list[Card]) -> str:
    """The trade-offs in words: what B gains, and what it gives up for it."""
    better = [c for c in cards_ if c.status == "better"]
    worse = [c for c in cards_ if c.status == "worse"]
    if not worse:
        return (
            "No trade-off among these outcomes: B is better or about the same on each."
            if better
            else "No trade-off: B is no better and no worse than A on these outcomes."
        )
    if not better:
        return "No trade-off in B's favour: it is worse or about the same on each outcome."
    gains = ", ".join(c.outcome.label for c in better)
    costs = "; ".join(
        f"{c.outcome.label} ({c.outcome.amount(c.b)} against {c.outcome.amount(c.a)})"
        for c in worse
    )
    return f"The trade-off: B gains on {gains}, and pays with {costs}."


def chance(card: Card) -> str:
    """'B has the better population health in 87% of plausible worlds (50 parameter draws ...).'"""
    if math.isnan(card.p_better):
        return (
            "One run with one set of random numbers: run the replicates to see how sure this "
            "is over plausible worlds."
        )
    where = "plausible worlds" if "parameter draws" in card.p_basis else "runs"
    share = {1.0: "every one", 0.0: "none"}.get(card.p_better, percent(card.p_better))
    return f"B has the better {card.outcome.label} in {share} of the {where} ({card.p_basis})."


def summary_words(
    cards_: list[Card], year: int, chosen: str = "population_health", start_year=None
) -> list[str]:
    """The paragraphs at the top of the page: score, headline, chance on the chosen outcome,
    trade-offs."""
    card = next((c for c in cards_ if c.outcome.name == chosen), cards_[0])
    return [score(cards_), headline(cards_, year, start_year), chance(card), trade_offs(cards_)]
