"""The app's plots: the live runs (measures and organisations) and the replicates (fan charts,
the paired difference between the panels and its confidence interval), with their exports."""

from __future__ import annotations

import solara
import solara.lab

from sim.analysis.stats import fan_description
from sim.analysis.tables import fmt_level
from sim.app.accessible import AltImage
from sim.app.describe import organisations_alt, replicates_alt, series_alt
from sim.app.replicates import SEEDS_PER_DRAW
from sim.app.sharing_panel import LiveExports, ReplicateExports
from sim.app.state import REPLICATES, ComparisonState


@solara.component
def Plot(image: bytes | None, name: str, alt: str = "", hover: str = ""):
    """A plot image with its alt text and its values on hover (`sim.app.hover`)."""
    if not image:
        solara.Text("Preparing the model (the first start compiles the fast kernel: 1-2 min)...")
        solara.ProgressLinear(True)
        return
    AltImage(image, name, alt or name.replace("_", " "), hover)


@solara.component
def LivePlots(state: ComparisonState):
    images = state.images.value
    kind = state.kind
    hover = state.hover.value  # made with the images, under the session's lock
    solara.Markdown(
        "**Live runs.** Orange-red with circles: panel A; dark blue with squares: panel B; "
        "same seed, so the panels differ only by their rules."
        + (
            " Pool balance is the commissioners' reserve (+) or deficit (-); system deficit adds "
            "the providers' deficits. Unmet need is the share of need not met this month."
            if kind == "place_system"
            else ""
        )
    )
    view = state.view.value
    Plot(images.get("series"), "series", series_alt(view), hover.get("series", ""))
    solara.Markdown(
        "**Organisations.** Each dot is an organisation coloured by its kind; lines join "
        "partners and are darker where they trust each other. Bars: each organisation's "
        "financial balance (GBP million, reserve above zero, deficit below)."
        if kind == "place_system"
        else "**Players.** Dots are players, lines darker where they trust each other; bars "
        "show each player's tokens this round."
    )
    Plot(
        images.get("organisations"),
        "organisations",
        organisations_alt(view),
        hover.get("organisations", ""),
    )
    LiveExports(state)


@solara.component
def Replicates(state: ComparisonState):
    # Long: one card whose parts (the text, the button, the charts, the exports) read the same
    # replicate state; split, each part would re-read it and re-render on its own.
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
            + (
                f" The model's parameters are uncertain too: each replicate draws those the "
                f"controls leave free from their priors ({REPLICATES // SEEDS_PER_DRAW} draws, "
                f"{SEEDS_PER_DRAW} seeds each; docs/experiments.md, Parameter uncertainty), and "
                "the interval is a bootstrap over the draws."
                if state.kind == "place_system"
                else ""
            )
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
            Plot(images["fan"], "fan", replicates_alt(result, "fan"), images.get("fan_hover", ""))
            Plot(
                images["difference"],
                "difference",
                replicates_alt(result, "difference"),
                images.get("difference_hover", ""),
            )
            table = result.end_table().round(3)
            solara.Markdown(f"**At the end of the horizon ({result.months} steps): B - A**")
            solara.DataFrame(table, items_per_page=10)
            ReplicateExports(state, result)
