"""Care commons: fortress or shared governance? The Solara app for policy teams.

Start it with `make app` (or `solara run sim/app/app.py --host 127.0.0.1 --port 8765 --production`).
Two runs of the model side by side (panel A, default fortress; panel B, default shared
governance) under one scenario; every design principle can be switched on or off; live plots,
100 replicates with fan charts and the difference between the panels, CSV and PNG export; and a
teaching view with the laboratory commons and public goods games. See docs/app.md.

The app is a thin layer: the controls are in `sim/app/controls.py`, the plots in
`sim/app/plots.py`, the logic in `sim/app/settings.py`, `live.py` and `replicates.py` (gathered
in `sim/app/core.py`), the session state and actions in `sim/app/state.py`; the model is
`sim.CareSystem`.
"""

from __future__ import annotations

import solara
import solara.lab

from sim.analysis.tables import fmt_level
from sim.app.accessible import Anchor, PageSetup, SkipLinks
from sim.app.controls import (
    GameScenarioControls,
    NHSScenarioControls,
    RulesPanel,
    RunControls,
)
from sim.app.plots import LivePlots, Replicates
from sim.app.results_panel import Readout, ResultsSummary
from sim.app.sharing_panel import PlaceUpload, SharePanel, UrlSync
from sim.app.state import CONFIDENCE, ComparisonState

TITLE = "Care commons: fortress or shared governance?"

# One state per comparison; solara keeps the values of reactive variables per browser session.
NHS = ComparisonState("place_system")
TEACHING = ComparisonState("games")

CSS = """
.cc-explain { font-size: 0.75rem; color: #555; margin: -18px 0 2px 44px; line-height: 1.1; }
.cc-principles .v-input--switch { margin-top: 4px; }
.cc-help { font-size: 0.85rem; color: #444; }
.cc-principles { max-height: 330px; overflow-y: auto; padding-right: 6px; }
.cc-plot img { width: 100%; height: auto; }
.cc-layout > .col { overflow: visible !important; min-width: 0; }
@media (min-width: 1200px) {
  .cc-controls { position: sticky; top: 0; max-height: 100vh; overflow-y: auto; }
}
.cc-intro h2 { font-size: 1.35rem; margin: 0 0 2px 0; }
.cc-intro p { font-size: 0.85rem; margin: 0; }
.cc-controls .v-card__title { font-size: 1rem; padding: 8px 12px; }
/* Vuetify breaks card titles anywhere (word-break: break-all): at 1024 px "governance" split
   mid-word. Titles wrap between words only. */
.v-card__title { word-break: normal; overflow-wrap: normal; hyphens: none; }
/* Solara's "This website runs on Solara" banner is fixed over the page's bottom right corner
   and covered its text; the Guide credits Solara instead. */
div:has(> b > a[href="https://solara.dev"]) { display: none !important; }
"""


# --------------------------------------------------------------------------- a comparison
@solara.component
def ComparisonView(state: ComparisonState):
    """Panels, scenario, run controls, live plots and replicates of one comparison."""
    solara.use_effect(state.ensure, [])
    with solara.Column(classes=[f"cc-view-{state.kind}"]):
        ComparisonBody(state)


@solara.component
def ComparisonBody(state: ComparisonState):
    # Controls on the left (scrolling on their own), results on the right: the result, the run
    # controls and the live plots are in view without scrolling from 1366x768 up (docs/app.md).
    nhs = state.kind == "place_system"
    if nhs:
        UrlSync(state)  # the address holds every setting (sim/app/share_url.py)
    with solara.Columns([5, 7], wrap=False, classes=["cc-layout"]):
        with solara.Column(classes=["cc-controls"]):
            if nhs:
                NHSScenarioControls(state)
                PlaceUpload(state)
            else:
                GameScenarioControls(state)
            if state.error.value:
                solara.Error(
                    f"Not applied: {state.error.value} The plots still show the last valid "
                    "settings.",
                    classes=["cc-error"],
                )
            with solara.Columns([1, 1]):
                RulesPanel(state, "left")
                RulesPanel(state, "right")
        with solara.Column(classes=["cc-results"]):
            if nhs:
                Anchor("cc-results")  # a skip link's target
            with solara.Card():
                RunControls(state)
            if nhs:
                ResultsSummary(state)
            with solara.Card():
                LivePlots(state)
                if nhs:
                    Readout(state)
            Replicates(state)
            if nhs:
                SharePanel(state)


GUIDE = """
## How to read this page

* **Two panels, one place.** Panel A (orange-red, circles) and panel B (dark blue, squares)
  run the same place with the same random numbers; only their rules differ. By default A is *fortress* (payment by activity,
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
* **The result** (top right) says in words which panel does better by a year you pick, on
  seven headline outcomes (cards: A, B, B - A with its interval, and how often B is better), the
  trade-offs, and the time to benefit on the outcome you choose. Before replicates it reads one
  live run; after, the replicates over plausible worlds (parameter draws from the priors). It is
  flagged *out of date* when the controls no longer match the replicates.
* **Units.** Money in GBP million (summed over the places), time in years (one step is a
  month; set a first financial year to read years as 2025/26, ...); health is an index from 0 to
  1; acute share and unmet need are percentages.
* **Run replicates** for the uncertainty: fan charts and the difference between the panels with
  a {level} confidence interval.
* **Save and share.** The page's address holds every setting: send it and it opens this
  comparison. Save or load a scenario file; upload your own place file. CSV exports carry every
  setting and the seed; plots download at 300 dpi; the one-page brief is HTML to circulate.
* **Values on hover.** Rest the pointer on a plot: a tooltip gives the values of both panels at
  that time (each month for the first 40 months, then by quarter, half year or year: the values
  at the band's last month), or of the organisation under it.
* The **teaching** tab runs the classic laboratory games where the theory is exact.
* The **classroom** (`make classroom`, docs/classroom.md): students play the commons game live.

Made with [Solara](https://solara.dev), matplotlib and numba.
"""


@solara.component
def Page():
    solara.Title(TITLE)
    solara.Style(CSS)
    PageSetup()  # the page's language; zoom allowed (sim/app/accessible.py)
    SkipLinks()
    with solara.Column(style={"padding": "12px 20px", "max-width": "1500px", "margin": "auto"}):
        with solara.Div(classes=["cc-intro"]):
            solara.Markdown(
                f"# {TITLE}\n"
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
                solara.Markdown(GUIDE.format(level=fmt_level(CONFIDENCE)))


# `solara run sim/app/app.py` serves `Page`.
__all__ = ["NHS", "TEACHING", "ComparisonView", "Page"]
