"""The logic behind the Solara app (`sim/app/app.py`), kept free of any user-interface code.

The app is a thin layer over the model; it adds no model logic. Its logic is split by job:

* `sim.app.settings`: panels, labels, rule sets from presets and switches, scenario controls;
* `sim.app.figures`: PNG encoding and figure helpers shared by the views (no pyplot);
* `sim.app.live`: two runs stepped side by side (`LivePair`) and their live figures (`LiveView`);
* `sim.app.replicates`: replicates of both panels, fan charts and the paired difference
  (`sim.analysis.stats`).

This module gathers their public names, so `from sim.app.core import ...` keeps working.
"""

from __future__ import annotations

from sim.app.figures import (
    GAME_PLOTS,
    LIVE_PLOTS,
    PNG_OPTIONS,
    nash_and_optimum,
    place_layout,
    plots_for,
    png,
    time_label,
    trust_graph,
)
from sim.app.live import LivePair, LiveView
from sim.app.replicates import (
    REPLICATE_PLOTS,
    ReplicateResult,
    difference_figure,
    fan_figure,
    run_replicates,
)
from sim.app.settings import (
    DEFAULT_PRESETS,
    GAMES,
    KIND_COLOURS,
    MAX_LIVE_MONTHS,
    PRESET_LABELS,
    PRINCIPLE_LABELS,
    SIDE_COLOURS,
    SIDE_TITLES,
    SIDES,
    GameScenario,
    Scenario,
    check_seed_value,
    describe_rules,
    panel_rules,
    rules_label,
    set_principle,
)

__all__ = [
    "DEFAULT_PRESETS",
    "GAMES",
    "GAME_PLOTS",
    "KIND_COLOURS",
    "LIVE_PLOTS",
    "MAX_LIVE_MONTHS",
    "PNG_OPTIONS",
    "PRESET_LABELS",
    "PRINCIPLE_LABELS",
    "REPLICATE_PLOTS",
    "SIDES",
    "SIDE_COLOURS",
    "SIDE_TITLES",
    "GameScenario",
    "LivePair",
    "LiveView",
    "ReplicateResult",
    "Scenario",
    "check_seed_value",
    "describe_rules",
    "difference_figure",
    "fan_figure",
    "nash_and_optimum",
    "panel_rules",
    "place_layout",
    "plots_for",
    "png",
    "rules_label",
    "run_replicates",
    "set_principle",
    "time_label",
    "trust_graph",
]
