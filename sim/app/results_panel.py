"""The result at the top of the page: the comparison in plain words, headline cards at a year the
user picks, the trade-offs, the chance that B beats A over plausible worlds, the time to benefit
on a chosen outcome, and a flag when the replicates no longer match the controls.

The numbers come from `sim.app.verdict` and `sim.app.timing` (UI-free); this module holds the
Solara components and the few per-session choices they need (`ResultsState`).
"""

from __future__ import annotations

import math

import pandas as pd
import solara

from sim.analysis.uncertainty_text import percent
from sim.app.figures import png
from sim.app.plots import Plot
from sim.app.results_state import ResultsState, results_state
from sim.app.settings import SIDES
from sim.app.timing import advantage, benefit_figure, benefit_words
from sim.app.verdict import BY_NAME, OUTCOMES, cards, summary_words
from sim.core.params import ParameterError

CARD_CSS = """
.cc-cards { display: flex; flex-wrap: wrap; gap: 6px; }
.cc-card { flex: 1 1 130px; border: 1px solid #ddd; border-radius: 4px; padding: 4px 8px;
  font-size: 0.8rem; line-height: 1.25; background: #fff; }
.cc-card b { font-size: 0.85rem; }
.cc-card .cc-a { color: #c0392b; } .cc-card .cc-b { color: #1f5fa8; }
.cc-card-better { border-left: 5px solid #1f7a3c; }
.cc-card-worse { border-left: 5px solid #b35900; }
.cc-card-same { border-left: 5px solid #999; }
.cc-verdict p { margin: 0 0 4px 0; font-size: 0.9rem; line-height: 1.3; }
.cc-result > .v-card__title { font-size: 1.05rem; padding: 6px 12px 0 12px; }
.cc-result > .v-card__text { padding: 4px 12px 8px 12px; }
.cc-stale { background: #fff3cd; border: 1px solid #d39e00; padding: 4px 8px; border-radius: 4px; }
"""


def stale_reasons(result, state) -> list[str]:
    """What has changed since `result` was run, in words (empty when it matches the controls).

    Args:
        result: A `ReplicateResult` (with the `rules` it ran).
        state: The `ComparisonState` whose controls the page shows now.

    Returns:
        Phrases such as "the scenario", "panel B's rules", "the horizon".
    """
    reasons = []
    try:
        params = state.params()
    except ParameterError:
        params = None
    if params != result.params or int(state.scenario.value.seed) != int(result.seed):
        reasons.append("the scenario")
    for side, name in zip(SIDES, ("A", "B"), strict=True):
        if result.rules and state.schedule(side, result.months) != result.rules.get(side):
            reasons.append(f"panel {name}'s rules")
    if state.rep_months != result.months:
        reasons.append("the horizon")
    return reasons


def live_series(view) -> tuple[dict, int]:
    """The live runs as one-replicate cubes, and their month."""
    pair = view.pair
    return {side: pair.history(side)[None, :, :] for side in SIDES}, pair.month


@solara.component
def Card(card):
    """One headline outcome of both panels."""
    o = card.outcome
    share = {1.0: "all", 0.0: "none"}.get(card.p_better) or percent(card.p_better)
    chance = "" if math.isnan(card.p_better) else f"<br>B better in {share}"
    diff = f"{card.diff:+,.{o.digits}f}"
    if not math.isnan(card.low):
        diff += f" [{card.low:,.{o.digits}f}, {card.high:,.{o.digits}f}]"
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<b>{o.label.capitalize()}</b> <span style='color:#666'>({o.unit})</span><br>"
            f"<span class='cc-a'>A {o.amount(card.a)}</span> · "
            f"<span class='cc-b'>B {o.amount(card.b)}</span><br>"
            f"B - A {diff}: <b>{'about the same' if card.status == 'same' else card.status}"
            f"</b>{chance}"
        ),
        classes=["cc-card", f"cc-card-{card.status}", f"cc-card-{o.name}"],
    )


@solara.component
def ResultsSummary(state):
    """The verdict, the cards, the time to benefit and the stale flag (NHS view): from the
    replicates when there are any, else from the live runs."""
    solara.Style(CARD_CSS)
    result = state.rep_result.value
    view = state.view.value
    month = state.month.value  # the live runs step in place: re-render when the month moves
    if result is not None and result.scenario == "place_system":
        ResultsBody(state, "replicates", result.series, result.months, result.draws, id(result))
    elif view is not None and view.pair.month > 0:
        series, months = live_series(view)
        ResultsBody(state, "live", series, months, None, (id(view), month))
    else:
        with solara.Card(title="The result", classes=["cc-result"]):
            solara.Markdown(
                "Press **Step** or **Play** to run both panels, or **Run 100 replicates** "
                "(below) to compare them over plausible worlds."
            )


@solara.component
def ResultsBody(state, source: str, series: dict, months: int, draws, key):
    """The result of one source ("replicates" or "live"); `key` changes when the runs do."""
    rs = results_state(state)
    result = state.rep_result.value
    last_year = max(1, math.ceil(months / 12))
    year = min(rs.year.value or last_year, last_year)
    chosen, start = rs.outcome.value, rs.start_year.value or None
    # The replicates' own level; the live runs' cards at the session's (CONFIDENCE).
    level, seed = (result.level, result.seed) if source == "replicates" else (state.level, 0)
    cards_ = solara.use_memo(lambda: cards(series, year, draws, level, seed), (key, year))
    adv = solara.use_memo(
        lambda: advantage(series, BY_NAME[chosen], draws, level, seed), (key, chosen)
    )
    adopt = {s: state.adopt_year[s].value for s in SIDES}
    waiting = source == "live" and state.playing.value  # the chart waits for a pause
    image = solara.use_memo(
        lambda: None if waiting else png(benefit_figure(adv, start, adopt), 80),
        (key, chosen, start, waiting, *adopt.values()),
    )
    title = "The result" + (
        f" over {result.replicates} replicates" if source == "replicates" else ": one live run"
    )
    with solara.Card(title=title, classes=["cc-result", f"cc-result-{source}"]):
        if source == "replicates":
            StaleFlag(stale_reasons(result, state))
        else:
            solara.Text(
                f"One run of each panel, seed {state.scenario.value.seed}, to month {months} "
                f"({months / 12:.1f} years): run the replicates for how sure this is.",
                classes=["cc-help"],
            )
        words = summary_words(cards_, year, chosen, start)
        with solara.Div(classes=["cc-verdict"]):
            solara.Markdown("\n\n".join(words))
        with solara.Div(classes=["cc-cards"]):
            for card in cards_:
                Card(card)
        Pickers(rs, last_year, state.set_start_year)
        with solara.Div(classes=["cc-benefit"]):
            solara.Markdown(benefit_words(adv, start, adopt["right"]))
        if image is not None:
            Plot(image, "benefit")


@solara.component
def StaleFlag(reasons: list[str]):
    """A warning that the replicates were run with other controls than those shown."""
    if not reasons:
        return
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            "<b>Out of date:</b> " + ", ".join(reasons) + " changed since these replicates "
            "were run. Run them again to compare the settings shown."
        ),
        classes=["cc-stale"],
    )


@solara.component
def Pickers(rs: ResultsState, last_year: int, on_start_year=None):
    """The year of the cards, the outcome of the time to benefit, the first financial year
    (`on_start_year(year)` applies it to every plot as well; default: the words only)."""
    set_start = on_start_year or (lambda v: rs.start_year.set(max(0, min(int(v), 2100))))
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.SliderInt(
            f"Cards at year ({min(rs.year.value or last_year, last_year)})",
            value=min(rs.year.value or last_year, last_year),
            min=1,
            max=max(2, last_year),
            on_value=rs.year.set,
            thumb_label="always",
        )
        solara.Select(
            "Outcome for time to benefit and chance",
            value=BY_NAME[rs.outcome.value].label,
            values=[o.label for o in OUTCOMES],
            on_value=lambda label: rs.outcome.set(
                next(o.name for o in OUTCOMES if o.label == label)
            ),
        )
        solara.InputInt(
            "Year 1 is the financial year starting (0: none)",
            value=rs.start_year.value,
            on_value=lambda v: set_start(int(v or 0)),
        )


@solara.component
def Readout(state):
    """The live runs' values at their last month, both panels and B - A (values without hover)."""
    view = state.view.value
    if view is None or view.pair.month == 0:
        return
    series, month = live_series(view)
    rows = [
        {"outcome": c.outcome.label, "unit": c.outcome.unit, "A": c.a, "B": c.b, "B - A": c.diff}
        for c in cards(series, math.ceil(month / 12), None, state.level)  # the last month's year
    ]
    solara.Markdown(f"**Values at month {month} ({month / 12:.1f} years), live runs**")
    solara.DataFrame(pd.DataFrame(rows).round(3), items_per_page=10)


__all__ = ["Readout", "ResultsState", "ResultsSummary", "results_state", "stale_reasons"]
