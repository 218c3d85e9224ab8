"""The app's plots: the live runs (measures and organisations) and the replicates (fan charts,
the paired difference between the panels and its confidence interval), with their exports."""

from __future__ import annotations

import time

import reacton.ipywidgets as rw
import solara
import solara.lab

from sim.analysis.stats import fan_description
from sim.analysis.tables import fmt_level
from sim.app.state import REPLICATES, ComparisonState


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
            f"the difference is paired) and shows the **median** with the {fan_description()} "
            "bands, then panel B minus panel A with its "
            f"**{fmt_level(state.level)} confidence interval** (bootstrap over replicates)."
        )
        with solara.Row(style={"align-items": "center"}):
            if state.kind == "place_system":
                solara.SliderInt(
                    "Horizon (years)", value=state.rep_years, min=1, max=30, thumb_label="always"
                )
            else:
                solara.SliderInt(
                    "Rounds", value=state.rep_rounds, min=5, max=100, thumb_label="always"
                )
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
            ReplicateExports(result, images)


@solara.component
def ReplicateExports(result, images: dict):
    """Download buttons: the replicates (CSV), the fan charts and the difference (PNG)."""
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
