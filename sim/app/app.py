"""Care commons: fortress or shared governance? The Solara app for policy teams.

Start it with `make app` (or `solara run sim/app/app.py --host 127.0.0.1 --port 8765 --production`).
Two runs of the model side by side (panel A, default fortress; panel B, default shared
governance) under one scenario; every design principle can be switched on or off; live plots,
100 replicates with fan charts and the difference between the panels, CSV and PNG export; and a
teaching view with the laboratory commons and public goods games. See docs/app.md.

The app is a thin layer: the logic is in `sim/app/core.py` (runs and figures) and
`sim/app/state.py` (session state and actions); the model is `sim.CareSystem`.
"""

from __future__ import annotations

import time

import reacton.ipywidgets as rw
import solara
import solara.lab

from sim.app.core import (
    GAMES,
    MAX_LIVE_MONTHS,
    PRESET_LABELS,
    PRINCIPLE_LABELS,
    SIDE_COLOURS,
    SIDE_TITLES,
    describe_rules,
)
from sim.app.state import REPLICATES, SPEEDS, ComparisonState
from sim.core.params import parameter
from sim.core.rules import PRESETS, PRINCIPLES

TITLE = "Care commons: fortress or shared governance?"
LABEL_TO_PRESET = {label: key for key, label in PRESET_LABELS.items()}
LABEL_TO_GAME = {label: key for key, label in GAMES.items()}

# One state per comparison; solara keeps the values of reactive variables per browser session.
NHS = ComparisonState("place_system")
TEACHING = ComparisonState("games")

CSS = """
.cc-explain { font-size: 0.75rem; color: #555; margin: -18px 0 2px 44px; line-height: 1.1; }
.cc-principles .v-input--switch { margin-top: 4px; }
.cc-help { font-size: 0.85rem; color: #444; }
.cc-principles { max-height: 330px; overflow-y: auto; padding-right: 6px; }
.cc-plot img { width: 100%; height: auto; }
"""


def _pct(value: float) -> str:
    return f"{100 * value:+.1f}%"


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
    with solara.Column(gap="0px"):
        solara.Switch(
            label=PRINCIPLE_LABELS[principle],
            value=on,
            on_value=lambda value: state.set_principle(side, principle, value),
            color="primary",
            classes=[f"cc-switch-{side}-{principle}"],
        )
        note = spec["explain"] + (f" Partly on here: {', '.join(partial)}." if partial else "")
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
            "Ham & Alderwick: The King's Fund's ten principles; Ostrom: the eight principles "
            "of long-enduring commons.",
            style={"font-size": "0.8rem"},
        )
        with solara.Column(classes=["cc-principles"], gap="0px"):
            for principle in PRINCIPLES:
                Principle(state, side, principle)


# --------------------------------------------------------------------------- scenario controls
@solara.component
def NHSScenarioControls(state: ComparisonState):
    sc = state.scenario.value
    need = parameter("need_growth")
    ageing = parameter("ageing")
    places = parameter("n_places")
    with solara.Card(title="Scenario (shared by both panels)"):
        with solara.Columns([1, 1, 1]):
            with solara.Column():
                solara.SliderFloat(
                    "Funding gap",
                    value=round(100 * sc.funding_gap, 2),
                    min=-10.0,
                    max=30.0,
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
                solara.Text(
                    f"Need growth from multimorbidity: {_pct(sc.need_growth)} a year.",
                    classes=["cc-help"],
                )
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
                solara.SliderInt(
                    "Places",
                    value=sc.n_places,
                    min=int(places.low),
                    max=int(places.high),
                    on_value=lambda v: state.set_scenario(n_places=int(v)),
                )
                solara.Text(
                    f"{sc.n_places} place(s) in one integrated care system.", classes=["cc-help"]
                )
                solara.InputInt(
                    "Seed (same seed, same run)",
                    value=sc.seed,
                    on_value=lambda v: state.set_scenario(seed=v),
                )
        solara.Text(
            "Each place has an acute trust, community and mental health trusts, a primary care "
            "network and social care; one ambulance trust serves every place. Money in GBP "
            "million; time in months. Changing a control re-runs both panels to the current "
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
            )
            solara.InputInt("Seed", value=sc.seed, on_value=lambda v: state.set_scenario(seed=v))
        if sc.game == "classroom_commons":
            solara.Markdown(
                "Each round every player splits 25 tokens between an outside market (5 cents a "
                "token) and a common pool whose group return is 23X - 0.25X^2 cents for X tokens "
                "in total. Selfish players end near the **Nash equilibrium** (64 tokens with 8 "
                "players); the group earns most at the **social optimum** (36 tokens). "
                "Efficiency is the share of that maximum rent the group keeps.",
                style={"font-size": "0.85rem"},
            )
        else:
            solara.Markdown(
                "Each round every player keeps or gives tokens from 20 to a public account that "
                "returns 0.4 a token to every member. Without sanctions contributions start near "
                "half and decay; with sanctions they are sustained (Fehr & Gaechter 2000).",
                style={"font-size": "0.85rem"},
            )


# --------------------------------------------------------------------------- run controls
@solara.component
def RunControls(state: ComparisonState):
    unit = "month" if state.kind == "place_system" else "round"
    month = state.month.value
    playing = state.playing.value
    blocked = bool(state.error.value) or state.view.value is None

    def play_loop():
        state.play_loop()

    solara.lab.use_task(play_loop, dependencies=[playing])

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
            on_click=lambda: state.playing.set(True),
            disabled=blocked or playing or month >= MAX_LIVE_MONTHS,
            color="primary",
        )
        solara.Button(
            "Pause",
            icon_name="mdi-pause",
            on_click=lambda: state.playing.set(False),
            disabled=not playing,
            outlined=True,
        )
        solara.Button("Reset", icon_name="mdi-restore", on_click=state.reset, outlined=True)
        solara.Text(f"Speed ({unit}s a second):", classes=["cc-help"])
        solara.ToggleButtonsSingle(value=state.speed, values=list(SPEEDS), dense=True)
        years = f" = {month / 12:.1f} years" if unit == "month" else ""
        solara.HTML(
            tag="b",
            unsafe_innerHTML=f"{unit.capitalize()} {month}{years}",
            classes=["cc-month"],
        )


# --------------------------------------------------------------------------- plots
@solara.component
def Plot(image: bytes | None, name: str):
    if not image:
        solara.Text("Preparing the model (the first start compiles the fast kernel: 1-2 min)...")
        solara.ProgressLinear(True)
        return
    with solara.Div(classes=["cc-plot", f"cc-plot-{name}"]):
        rw.Image(value=image, format="png", layout={"width": "100%", "height": "auto"})


@solara.component
def LivePlots(state: ComparisonState):
    images = state.images.value
    kind = state.kind
    stamp = time.strftime("%Y%m%d-%H%M%S")
    solara.Markdown(
        "**Live runs.** Red: panel A; blue: panel B; same seed, so the panels differ only by "
        "their rules."
        + (
            " Pool balance is the commissioners' reserve (+) or deficit (-); system deficit adds "
            "the providers' deficits. Unmet need is the share of need not met this month."
            if kind == "place_system"
            else ""
        )
    )
    Plot(images.get("series"), "series")
    solara.Markdown(
        "**Organisations.** Each dot is an organisation coloured by its kind; lines join "
        "partners and are darker where they trust each other. Bars: each organisation's "
        "financial balance (GBP million, reserve above zero, deficit below)."
        if kind == "place_system"
        else "**Players.** Dots are players, lines darker where they trust each other; bars "
        "show each player's tokens this round."
    )
    Plot(images.get("organisations"), "organisations")
    view = state.view.value
    with solara.Row():
        solara.FileDownload(
            lambda: view.pair.csv() if view is not None else b"",
            filename=f"care-commons-{kind}-runs-{stamp}.csv",
            label="Download runs (CSV)",
            mime_type="text/csv",
        )
        solara.FileDownload(
            images.get("series", b""),
            filename=f"care-commons-{kind}-measures-{stamp}.png",
            label="Download measures plot (PNG)",
            mime_type="image/png",
        )
        solara.FileDownload(
            images.get("organisations", b""),
            filename=f"care-commons-{kind}-organisations-{stamp}.png",
            label="Download organisations plot (PNG)",
            mime_type="image/png",
        )


@solara.component
def Replicates(state: ComparisonState):
    running = state.rep_running.value
    result = state.rep_result.value
    images = state.rep_images.value
    solara.lab.use_task(state.replicates_if_requested, dependencies=[state.rep_request.value])
    with solara.Card(title=f"Uncertainty: {REPLICATES} replicates of each panel"):
        solara.Markdown(
            f"One run can be lucky. This runs {REPLICATES} replicates of each panel's rule set "
            "with the fast kernel (replicate *j* of both panels shares its random numbers, so "
            "the difference is paired) and shows the **median** with the **25-75%** (dark) and "
            "**10-90%** (light) bands, then panel B minus panel A with its **95% confidence "
            "interval** (bootstrap over replicates)."
        )
        with solara.Row(style={"align-items": "center"}):
            if state.kind == "place_system":
                solara.SliderInt("Horizon (years)", value=state.rep_years, min=1, max=30)
            else:
                solara.SliderInt("Rounds", value=state.rep_rounds, min=5, max=100)
            solara.Button(
                f"Run {REPLICATES} replicates",
                icon_name="mdi-chart-bell-curve",
                on_click=state.request_replicates,
                disabled=running or bool(state.error.value),
                color="primary",
            )
        if running:
            solara.Text("Running replicates...")
            solara.ProgressLinear(True)
        if state.rep_error.value:
            solara.Error(state.rep_error.value)
        if result is not None and images:
            solara.Text(
                f"{result.replicates} replicates x 2 panels x {result.months} "
                f"{'months' if result.scenario == 'place_system' else 'rounds'} "
                f"in {result.seconds:.2f} s. Panels: {result.labels['left']}; "
                f"{result.labels['right']}.",
                classes=["cc-help"],
            )
            Plot(images["fan"], "fan")
            Plot(images["difference"], "difference")
            table = result.end_table().round(3)
            solara.Markdown(f"**At the end of the horizon ({result.months} steps): B - A**")
            solara.DataFrame(table, items_per_page=10)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            with solara.Row():
                solara.FileDownload(
                    result.csv,
                    filename=f"care-commons-replicates-{stamp}.csv",
                    label="Download replicates (CSV)",
                    mime_type="text/csv",
                )
                solara.FileDownload(
                    images["fan"],
                    filename=f"care-commons-fan-{stamp}.png",
                    label="Download fan charts (PNG)",
                    mime_type="image/png",
                )
                solara.FileDownload(
                    images["difference"],
                    filename=f"care-commons-difference-{stamp}.png",
                    label="Download difference (PNG)",
                    mime_type="image/png",
                )


# --------------------------------------------------------------------------- a comparison
@solara.component
def ComparisonView(state: ComparisonState):
    """Panels, scenario, run controls, live plots and replicates of one comparison."""
    solara.use_effect(state.ensure, [])
    with solara.Column(classes=[f"cc-view-{state.kind}"]):
        ComparisonBody(state)


@solara.component
def ComparisonBody(state: ComparisonState):
    if state.kind == "place_system":
        NHSScenarioControls(state)
    else:
        GameScenarioControls(state)
    if state.error.value:
        solara.Error(
            f"Not applied: {state.error.value} The plots still show the last valid settings.",
            classes=["cc-error"],
        )
    with solara.Columns([1, 1]):
        RulesPanel(state, "left")
        RulesPanel(state, "right")
    with solara.Card():
        RunControls(state)
        LivePlots(state)
    Replicates(state)


GUIDE = """
### How to read this page

* **Two panels, one place.** Panel A (red) and panel B (blue) run the same place with the same
  random numbers; only their rules differ. By default A is *fortress* (payment by activity,
  each organisation rated on its own finances, no agreed shares) and B is *shared governance*
  (a pooled, capitated budget with agreed shares, a prevention slice, monitoring, graduated
  sanctions, conflict resolution, system leadership, nested across places).
* **Design principles.** Each switch turns one principle on (its levers as in shared
  governance) or off (as in fortress). The line under it says what it does and where it comes
  from: Ham & Alderwick (2015), *Place-based systems of care*, The King's Fund; Ostrom (1990),
  *Governing the Commons*.
* **Funding pressure** is need growth (multimorbidity plus ageing) minus budget growth, in
  percentage points a year. The larger it is, the faster the common pool runs short. Settings
  the model cannot take (for example budget growth below -20% a year) are refused with a
  message, and the plots keep the last valid settings.
* **Step / Play / Pause / Reset.** One step is one month. Changing any control re-runs both
  panels to the current month.
* **Units.** Money in GBP million (summed over the places), time in months; health is an index
  from 0 to 1; acute share and unmet need are percentages.
* **Run replicates** for the uncertainty: fan charts and the difference between the panels with
  a 95% confidence interval.
* **Export.** CSV of every measure of the current runs (and of the replicates), PNG of the plots.
* The **teaching** tab runs the classic laboratory games where the theory is exact.
"""


@solara.component
def Page():
    solara.Title(TITLE)
    solara.Style(CSS)
    with solara.Column(style={"padding": "12px 20px", "max-width": "1500px", "margin": "auto"}):
        solara.Markdown(
            f"## {TITLE}\n"
            "The organisations of one place (acute, community, mental health, primary care, "
            "ambulance and social care) draw on **one common pool** of money. Compare rules "
            "side by side: each organisation for itself (**fortress**) or **shared governance** "
            "of a pooled budget. Move the funding pressure, switch design principles on and "
            "off, press *Play*; then *Run replicates* to see the uncertainty."
        )
        with solara.lab.Tabs(lazy=True):
            with solara.lab.Tab(
                "NHS place: fortress vs shared governance", icon_name="mdi-hospital-building"
            ):
                ComparisonView(NHS)
            with solara.lab.Tab("Teaching: commons games", icon_name="mdi-school"):
                ComparisonView(TEACHING)
            with solara.lab.Tab("Guide", icon_name="mdi-help-circle-outline"):
                solara.Markdown(GUIDE)


# `solara run sim/app/app.py` serves `Page`.
__all__ = ["Page", "ComparisonView", "NHS", "TEACHING"]
