"""Words for the app's figures: alt text a screen reader reads out, and the rows of the
comparison the one-page brief tabulates (no user-interface code, no figures)."""

from __future__ import annotations

import numpy as np

from sim.app.settings import SIDES
from sim.core.constants import M as MI


def _fmt(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def live_rows(view) -> list[dict]:
    """Each plotted measure at the current month: A, B and B - A in the plot's unit."""
    rows = []
    if view is None or view.pair.month == 0:
        return rows
    for names, title, unit, scale in view.plots:
        for name in names:
            a, b = (float(view.pair.history(s)[-1, MI[name]]) * scale for s in SIDES)
            label = name.replace("_", " ") if len(names) > 1 else title
            rows.append({"measure": label, "unit": unit, "A": a, "B": b, "B - A": b - a})
    return rows


def series_alt(view) -> str:
    """Alt text of the live measures plot: what it shows and where each panel stands."""
    if view is None:
        return "Live measures of panels A and B (not drawn yet)."
    unit = "month" if view.pair.scenario == "place_system" else "round"
    head = (
        f"Line charts of {view.labels['left']} (circles) and {view.labels['right']} (squares) "
        f"by {unit}, up to {unit} {view.pair.month}."
    )
    rows = live_rows(view)
    if not rows:
        return head + " No steps run yet."
    parts = [f"{r['measure']}: A {_fmt(r['A'])}, B {_fmt(r['B'])} ({r['unit']})" for r in rows]
    return f"{head} Now: " + "; ".join(parts) + "."


def organisations_alt(view) -> str:
    """Alt text of the organisations plot."""
    if view is None:
        return "Organisations of panels A and B (not drawn yet)."
    out = []
    for side in SIDES:
        model = view.pair.models[side]
        values = np.array([t.balance for t in model.trusts])
        what = (
            f"{int((values < 0).sum())} of {len(values)} organisations in deficit"
            if view.pair.scenario == "place_system"
            else f"{len(values)} players"
        )
        out.append(f"{view.labels[side]}: {what}")
    return (
        "Each panel's organisations as dots coloured by kind, joined where they are partners "
        "(darker where trust is higher), and bars of each one's balance: " + "; ".join(out) + "."
    )


def replicate_rows(result) -> list[dict]:
    """The replicates' last month: medians of A and B, B - A and its interval."""
    if result is None:
        return []
    table = result.end_table()
    low, high = [c for c in table.columns if "CI" in c]
    return [
        {
            "measure": r["measure"],
            "unit": r["unit"],
            "A": r["median A"],
            "B": r["median B"],
            "B - A": r["B - A (mean)"],
            "interval": (r[low], r[high]),
        }
        for _, r in table.iterrows()
    ]


def replicates_alt(result, what: str = "fan") -> str:
    """Alt text of the fan charts ('fan') or of the difference charts ('difference')."""
    if result is None:
        return "Replicates not run yet."
    rows = replicate_rows(result)
    if what == "fan":
        head = (
            f"Fan charts of {result.replicates} replicates of each panel over {result.months} "
            "steps: median lines with 25-75% and 10-90% bands. Medians at the end: "
        )
        return head + "; ".join(f"{r['measure']} A {_fmt(r['A'])}, B {_fmt(r['B'])}" for r in rows)
    head = (
        "Panel B minus panel A by step, mean over paired replicates with its interval. At the end: "
    )
    return head + "; ".join(
        f"{r['measure']} {_fmt(r['B - A'])} ({_fmt(r['interval'][0])} to {_fmt(r['interval'][1])})"
        for r in rows
    )


def growth_so_far(view, name: str = "new_need") -> dict[str, float] | None:
    """Each panel's growth a year of the measure `name` from month 12 to now (None before month
    24): what the runs made of the need drivers, feedbacks included."""
    if view is None or view.pair.month < 24:
        return None
    years = (view.pair.month - 12) / 12
    growth = {}
    for side in SIDES:
        hist = view.pair.history(side)[:, MI[name]]
        start, now = float(hist[11]), float(hist[-1])
        growth[side] = (now / start) ** (1 / years) - 1 if start > 0 and now > 0 else float("nan")
    return growth
