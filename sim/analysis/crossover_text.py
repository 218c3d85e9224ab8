"""A crossover's findings in plain words (`sim.analysis.crossover`): "shared_governance is better
than fortress on population_health at every budget growth tried", or the stretches of pressure
where it is better, no different and worse, where it is no better, and where its mean advantage
changes sign."""

from __future__ import annotations

import pandas as pd

from sim.analysis.crossover import BETTER, SAME, WORSE, Crossover


def _stretches(table: pd.DataFrame) -> list[tuple[str, float, float]]:
    """Consecutive pressures with one verdict: [(verdict, first, last)] in pressure order."""
    out: list[list] = []
    for x, v in zip(table["pressure"], table["verdict"], strict=True):
        if out and out[-1][0] == v:
            out[-1][2] = x
        else:
            out.append([v, x, x])
    return [tuple(s) for s in out]


def in_words(result: Crossover, outcome: str, show=lambda x: f"{x:g}", name=None) -> str:
    """One outcome's finding in plain words, from its verdicts and crossings.

    `show` formats a pressure value (for example `lambda x: f"{100 * x:g}% a year"`) and `name`
    names the pressure (default: its column)."""
    table, cross, _ = result.outcome(outcome)
    who, other, what = result.treatment, result.reference, name or result.parameter
    stretches = _stretches(table.sort_values("pressure"))

    def span(first, last):
        return show(first) if first == last else f"{show(first)} to {show(last)}"

    verdicts = [s[0] for s in stretches]
    if len(stretches) == 1:
        state = {BETTER: "better than", WORSE: "worse than", SAME: "no different from"}
        return (
            f"{who} is {state[verdicts[0]]} {other} on {outcome} at every {what} tried "
            f"({span(*stretches[0][1:])})."
        )
    parts = [f"{v} at {what} {span(a, b)}" for v, a, b in stretches]
    text = f"On {outcome}, {who} is " + "; ".join(parts) + "."
    if verdicts.count(BETTER) == 1:
        k = verdicts.index(BETTER)
        first, last = stretches[k][1:]
        if k == 0:
            text += f" It is no better from {what} {show(stretches[1][1])} up."
        elif k == len(stretches) - 1:
            text += f" It is no better below {what} {show(first)}."
        else:
            text += f" It is better only from {what} {span(first, last)}."
    elif BETTER not in verdicts:
        text += f" It is better at no {what} tried."
    found = cross.dropna(subset=["crossing"])
    firm, loose = found[found["firm"]], found[~found["firm"]]
    if len(firm):
        marks = [
            f"{show(r.crossing)} ({100 * r.level:g}% CI {show(r.low)} to {show(r.high)})"
            for r in firm.itertuples()
        ]
        text += " Its mean advantage changes sign at " + ", ".join(marks) + "."
    if len(loose):
        text += (
            f" It also changes sign within noise at {', '.join(show(c) for c in loose.crossing)}."
        )
    return text
