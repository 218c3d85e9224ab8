"""The app's controls: each panel's rule set and design principles, the shared scenario (NHS
place or laboratory game), and step / play / pause / reset."""

from __future__ import annotations

import math

import solara
import solara.lab

from sim.app.describe import growth_so_far
from sim.app.settings import (
    GAMES,
    MAX_LIVE_MONTHS,
    PRESET_LABELS,
    PRINCIPLE_LABELS,
    SIDE_COLOURS,
    SIDE_TITLES,
    SIDES,
    describe_rules,
    system_labels,
)
from sim.app.state import SPEEDS, ComparisonState
from sim.app.teaching import game_principle, game_text
from sim.core.params import parameter
from sim.core.rules import PRESETS, PRINCIPLES

LABEL_TO_PRESET = {label: key for key, label in PRESET_LABELS.items()}
LABEL_TO_GAME = {label: key for key, label in GAMES.items()}


def _pct(value: float) -> str:
    return f"{100 * value:+.1f}%"


def gap_range(sc) -> tuple[float, float]:
    """The funding gap slider's ends (points a year): the gaps whose budget growth the model
    accepts at the current need growth and ageing, within -10 to +30."""
    bg = parameter("budget_growth")
    drivers = 100 * (sc.need_growth + sc.ageing)
    low = max(-10.0, math.ceil(2 * (drivers - 100 * bg.high)) / 2)
    high = min(30.0, math.floor(2 * (drivers - 100 * bg.low)) / 2)
    return low, max(low, high)


@solara.component
def NeedGrowthHelp(state: ComparisonState, need_growth: float):
    """The need growth slider's help: the driver, and what the runs made of it so far (worse
    health feeds back into new need, so it grows faster than the drivers alone). Its own
    component: it follows the month, and the rest of the controls need not."""
    state.month.value  # noqa: B018  (re-render as the runs step)
    words = f"Need growth from multimorbidity: {_pct(need_growth)} a year."
    growth = growth_so_far(state.view.value)
    if growth is not None:
        a, b = (_pct(growth[side]) for side in SIDES)
        words += (
            f" With the feedbacks (worse health adds need), new need in these runs has grown {a}"
            f" a year in A and {b} in B since year 1."
        )
    solara.Text(words, classes=["cc-help"])


# --------------------------------------------------------------------------- panel controls
@solara.component
def Principle(state: ComparisonState, side: str, principle: str):
    rules = state.rules[side].value
    on = rules.principles_on()[principle]
    spec = PRINCIPLES[principle]
    full = PRESETS["shared_governance"]
    partial = [
        f"{lv.replace('_', ' ')} {getattr(rules, lv)}"
        for lv in spec["levers"]
        if on and getattr(rules, lv) != getattr(full, lv)
    ]
    label, explain = PRINCIPLE_LABELS[principle], spec["explain"]
    if state.kind == "games":  # the laboratory games' own words
        label, explain = game_principle(principle, label)
    with solara.Column(gap="0px"):
        solara.Switch(
            label=label,
            value=on,
            on_value=lambda value: state.set_principle(side, principle, value),
            color="primary",
            classes=[f"cc-switch-{side}-{principle}"],
        )
        note = explain + (f" Partly on here: {', '.join(partial)}." if partial else "")
        solara.HTML(tag="div", unsafe_innerHTML=note, classes=["cc-explain"])


@solara.component
def RulesPanel(state: ComparisonState, side: str):
    rules = state.rules[side].value
    preset = state.preset[side].value
    current = describe_rules(rules)
    changed = "" if current == preset else " (modified)"
    with solara.Card(
        title=f"{SIDE_TITLES[side]}: {PRESET_LABELS.get(preset, preset)}{changed}",
        style={"border-top": f"6px solid {SIDE_COLOURS[side]}"},
        classes=[f"cc-panel-{side}"],
    ):
        solara.Select(
            label="Start from a rule set",
            values=list(PRESET_LABELS.values()),
            value=PRESET_LABELS[preset],
            on_value=lambda label: state.set_preset(side, LABEL_TO_PRESET[label]),
        )
        solara.Markdown(
            "Switch each design principle on (as in shared governance) or off (as in fortress). "
            + (
                "Ham & Alderwick: The King's Fund's ten principles; Ostrom: the eight principles "
                "of long-enduring commons."
                if state.kind == "place_system"
                else "Ostrom's design principles as the players meet them; those marked NHS only "
                "change nothing in the laboratory game."
            ),
            style={"font-size": "0.8rem"},
        )
        if state.kind == "place_system":
            years = state.adopt_year[side].value
            solara.SliderInt(
                f"{SIDE_TITLES[side]}: adopt these rules in year (1: from the start; fortress "
                "before)",
                value=years + 1,
                min=1,
                max=10,
                on_value=lambda v: state.set_adopt_year(side, int(v) - 1),
                thumb_label="always",
            )
        with solara.Column(classes=["cc-principles"], gap="0px"):
            for principle in PRINCIPLES:
                Principle(state, side, principle)


# --------------------------------------------------------------------------- scenario controls
def _system_key(label: str, labels: dict[str, str]) -> str:
    """The key of the system whose label the System select shows."""
    return next(key for key, text in labels.items() if text == label)


@solara.component
def NHSScenarioControls(state: ComparisonState):
    # Long but flat: one slider and its help line per scenario control, in page order.
    sc = state.scenario.value
    need = parameter("need_growth")
    ageing = parameter("ageing")
    places = parameter("n_places")
    with solara.Card(title="Scenario (shared by both panels)"):
        with solara.Columns([1, 1, 1]):
            with solara.Column():
                low, high = gap_range(sc)
                solara.SliderFloat(
                    "Funding gap",
                    value=round(100 * sc.funding_gap, 2),
                    min=low,
                    max=high,
                    step=0.5,
                    on_value=lambda v: state.set_scenario(funding_gap=round(v / 100, 4)),
                )
                solara.Text(
                    f"Funding pressure: need grows {_pct(sc.need_growth + sc.ageing)} a year, "
                    f"the budget {_pct(sc.budget_growth)}: a gap of "
                    f"{100 * sc.funding_gap:+.1f} points a year (0 = budget keeps pace).",
                    classes=["cc-help"],
                )
            with solara.Column():
                solara.SliderFloat(
                    "Need growth",
                    value=round(100 * sc.need_growth, 2),
                    min=100 * need.low,
                    max=100 * need.high,
                    step=0.5,
                    on_value=lambda v: state.set_scenario(need_growth=round(v / 100, 4)),
                )
                NeedGrowthHelp(state, sc.need_growth)
                solara.SliderFloat(
                    "Ageing",
                    value=round(100 * sc.ageing, 2),
                    min=100 * ageing.low,
                    max=100 * ageing.high,
                    step=0.5,
                    on_value=lambda v: state.set_scenario(ageing=round(v / 100, 4)),
                )
                solara.Text(
                    f"Extra need from an ageing population: {_pct(sc.ageing)} a year.",
                    classes=["cc-help"],
                )
            with solara.Column():
                systems = system_labels(sc.uploaded)
                solara.Select(
                    "System",
                    value=systems[sc.system],
                    values=list(systems.values()),
                    on_value=lambda v: state.set_scenario(system=_system_key(v, systems)),
                )
                generic = sc.system == "generic"
                solara.SliderInt(
                    "Places",
                    value=sc.n_places,
                    min=int(places.low),
                    max=int(places.high),
                    on_value=lambda v: state.set_scenario(n_places=int(v)),
                    disabled=not generic,
                )
                solara.Text(
                    f"{sc.n_places} place(s) in one integrated care system."
                    if generic
                    else f"Places and organisations from your place file {sc.uploaded.name!r}."
                    if sc.system == "uploaded"
                    else "Places and organisations from a place file: an example of the format "
                    "built from a few public figures and stated placeholders, not a model of "
                    "that system (docs/place_files.md).",
                    classes=["cc-help"],
                )
                solara.InputInt(
                    "Seed (same seed, same run)",
                    value=sc.seed,
                    on_value=lambda v: state.set_scenario(seed=v),
                )
        solara.Text(
            "In the generic system each place has an acute trust, community and mental health "
            "trusts, a primary care network and social care; one ambulance trust serves every "
            "place. Money in GBP "
            "million; time in years (a step is a month). Changing a control re-runs both panels to the current "
            "month.",
            classes=["cc-help"],
        )


@solara.component
def GameScenarioControls(state: ComparisonState):
    sc = state.scenario.value
    players = parameter("n_appropriators")
    with solara.Card(title="Game (shared by both panels)"):
        with solara.Columns([2, 1, 1]):
            solara.Select(
                label="Laboratory game",
                values=list(GAMES.values()),
                value=GAMES[sc.game],
                on_value=lambda label: state.set_scenario(game=LABEL_TO_GAME[label]),
            )
            solara.SliderInt(
                "Players",
                value=sc.n_players,
                min=int(players.low),
                max=int(players.high),
                on_value=lambda v: state.set_scenario(n_players=int(v)),
                thumb_label="always",
            )
            solara.InputInt("Seed", value=sc.seed, on_value=lambda v: state.set_scenario(seed=v))
        solara.Markdown(game_text(sc.game, sc.n_players), style={"font-size": "0.85rem"})


# --------------------------------------------------------------------------- run controls
@solara.component
def RunControls(state: ComparisonState):
    unit = "month" if state.kind == "place_system" else "round"
    month = state.month.value
    playing = state.playing.value
    blocked = bool(state.error.value) or state.view.value is None
    state.runtime.remember_render_context()  # clicks re-render the page once (a batch)
    # Play and Pause stay clickable (each is idempotent), so a burst of clicks is never dropped by
    # a button the browser still shows disabled; the one in force is filled. The play loop is the
    # session's own thread (ComparisonState.play), not a task restarted by re-renders.
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Button(
            "Step",
            icon_name="mdi-step-forward",
            on_click=lambda: state.step(1),
            disabled=blocked or playing,
            color="primary",
            outlined=True,
        )
        solara.Button(
            "Play",
            icon_name="mdi-play",
            on_click=state.play,
            disabled=blocked or month >= MAX_LIVE_MONTHS,
            color="primary",
            outlined=playing is False,
            classes=["cc-play"],
        )
        solara.Button(
            "Pause",
            icon_name="mdi-pause",
            on_click=state.pause,
            color="primary",
            outlined=playing is True,
            classes=["cc-pause"],
        )
        solara.Button("Reset", icon_name="mdi-restore", on_click=state.reset, outlined=True)
        solara.Text(f"Speed ({unit}s a second):", classes=["cc-help"])
        solara.ToggleButtonsSingle(value=state.speed, values=list(SPEEDS), dense=True)
        years = f" = {month / 12:.1f} years" if unit == "month" else ""
        solara.HTML(
            tag="b",
            # the clicks handled so far, hidden: a test knows when a burst has been processed
            unsafe_innerHTML=f"{unit.capitalize()} {month}{years}"
            f'<span class="cc-actions" hidden>{state.actions.value}</span>',
            classes=["cc-month", "cc-playing" if playing else "cc-paused"],
        )
