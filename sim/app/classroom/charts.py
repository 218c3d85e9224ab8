"""The classroom's two charts, drawn on the server as PNG (matplotlib's object API, as in the
main app's `sim/app/figures.py`): the group's path round by round against the Nash and optimum
lines, and the debrief's treatments side by side. UI-free: they take the room's tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.app.figures import png
from sim.app.teaching import NASH_COLOUR, OPTIMUM_COLOUR, reference_limits
from sim.core.params import defaults

CLASS_COLOUR = "#1b3a8c"  # the class (dark blue)
AGENTS_COLOUR = "#d1495b"  # the agents under the same rules (orange-red)
PUBLISHED_COLOUR = "#6c757d"  # the published laboratory result (grey)


def rounds_table(records: pd.DataFrame) -> pd.DataFrame:
    """One row per round played: block, round, treatment, group total, Nash and optimum."""
    if records is None or records.empty:
        return pd.DataFrame(
            columns=["block", "round", "treatment", "group_total", "nash", "optimum"]
        )
    keys = ["block", "round"] if "block" in records else ["round"]
    cols = ["treatment", "group_total", "nash", "optimum"]
    table = records.groupby(keys, sort=True)[cols].first().reset_index()
    if "block" not in table:
        table.insert(0, "block", 1)
    return table


def _finite(value) -> float | None:
    """A number, or None for a missing one (the place game has no Nash or optimum)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def path_png(records: pd.DataFrame, nash: float | None, optimum: float | None) -> bytes:
    """The group's total round by round, the Nash and optimum lines, and each treatment's block
    marked and named."""
    table = rounds_table(records)
    fig = Figure(figsize=(8.0, 3.4), layout="constrained")
    ax = fig.subplots()
    x = np.arange(1, len(table) + 1)
    totals = table["group_total"].to_numpy(dtype=float)
    nash = _finite(table["nash"].iloc[-1] if len(table) else nash)
    optimum = _finite(table["optimum"].iloc[-1] if len(table) else optimum)
    if len(table):
        ax.plot(x, totals, marker="o", color=CLASS_COLOUR, label="the group (students and agents)")
        for _block, rows in table.groupby("block", sort=True):
            first = int(rows.index[0]) + 1
            if first > 1:
                ax.axvline(first - 0.5, color="#999", lw=0.8)
            ax.text(first - 0.4, 0.98, str(rows["treatment"].iloc[0]), fontsize=7,
                    va="top", transform=ax.get_xaxis_transform())  # fmt: skip
    if nash is not None:
        ax.axhline(nash, color=NASH_COLOUR, ls="--", label=f"Nash equilibrium ({nash:.3g})")
    if optimum is not None:
        ax.axhline(optimum, color=OPTIMUM_COLOUR, ls=":", lw=2, label=f"optimum ({optimum:.3g})")
    low, top = reference_limits(totals, nash or 0.0, optimum or 0.0)
    ax.set_ylim(low, top)
    ax.set_xlim(0.5, max(len(table), 1) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("round played", fontsize=9)
    if nash is None and optimum is None:  # the NHS place game: claims on the place's budget
        ax.set_ylabel("claims in all, GBP million", fontsize=9)
        ax.set_title("The organisations' claims on the place's budget each round", fontsize=10)
    else:
        ax.set_ylabel("tokens in the pool", fontsize=9)
        ax.set_title("The group's tokens in the pool each round against Nash and the optimum",
                     fontsize=10)  # fmt: skip
    ax.legend(fontsize=7, loc="lower right")
    return png(fig)


def with_nash_efficiency(debrief: pd.DataFrame) -> pd.DataFrame:
    """The debrief with the share of the maximum rent kept at the Nash equilibrium (the commons
    game's rent a X - b X^2 - w X at X = Nash, over its value at the optimum)."""
    table = debrief.copy()
    p = defaults("classroom_commons")
    a, b, w = p["cpr_a"], p["cpr_b"], p["outside_return"]

    def rent(x):
        x = pd.to_numeric(x, errors="coerce")
        return a * x - b * x**2 - w * x

    table["nash_efficiency"] = rent(table["nash"]) / rent(table["optimum"]) if len(table) else []
    return table


# (columns, title, scale) of the debrief's two panels in each game.
COMMONS_PANELS = (
    (("class_group_total", "agents_group_total", "nash", "optimum"), "Tokens in the pool", 1.0),
    (
        ("class_efficiency", "agents_efficiency", "nash_efficiency", "published_gross"),
        "Share of the maximum rent kept, %",
        100.0,
    ),
)
PLACE_PANELS = (
    (("class_population_health", "agents_population_health"), "Population health", 1.0),
    (("class_system_deficit", "agents_system_deficit"), "System deficit", 1.0),
)
NAMES = {"class": "the class", "agents": "the agents", "nash": "Nash", "optimum": "optimum",
         "published": "the laboratory (published)"}  # fmt: skip


def _series(column: str) -> tuple[str, str]:
    """(legend label, colour) of a debrief column."""
    for key, colour in (
        ("class", CLASS_COLOUR),
        ("agents", AGENTS_COLOUR),
        ("nash", NASH_COLOUR),
        ("optimum", OPTIMUM_COLOUR),
        ("published", PUBLISHED_COLOUR),
    ):
        if column.startswith(key):
            return NAMES[key], colour
    return column, "#888888"


def debrief_png(debrief: pd.DataFrame) -> bytes:
    """Treatment by treatment, two panels of bars: the class, the agents under the same rules,
    Nash, the optimum and the published laboratory result (the commons game), or the class and
    the agents (the NHS place game)."""
    place = len(debrief) > 0 and debrief["class_efficiency"].isna().all()
    panels = PLACE_PANELS if place else COMMONS_PANELS
    labels = [str(v) for v in debrief["treatment"]]
    fig = Figure(figsize=(10.0, 4.0), layout="constrained")
    x = np.arange(len(labels))
    for ax, (columns, title, scale) in zip(fig.subplots(1, 2), panels, strict=True):
        width = 0.8 / len(columns)
        for k, column in enumerate(columns):
            values = pd.to_numeric(debrief[column], errors="coerce").to_numpy(dtype=float)
            label, colour = _series(column)
            offset = (k - (len(columns) - 1) / 2) * width
            ax.bar(x + offset, values * scale, width, label=label, color=colour)
        ax.set_xticks(x, labels, fontsize=8)
        ax.axhline(0, color="#333", lw=0.6)
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncols=2)
    return png(fig)
