"""Exports that carry every setting: the runs and replicates as CSV with the scenario, seed,
both panels' rules and the link that restores them; figures at print resolution.

No user-interface code: the page's download buttons call these (sim/app/sharing_panel.py).
"""

from __future__ import annotations

import pandas as pd

from sim.app.figures import png
from sim.app.share_url import to_query
from sim.app.snapshot import PANEL_KEYS, Snapshot

PRINT_DPI = 300  # print resolution of the PNG downloads (the page shows 72 dpi)


def settings_columns(snapshot: Snapshot) -> dict[str, object]:
    """Every setting as flat columns (one value each), with the link that restores them."""
    data = snapshot.to_dict()
    sc = snapshot.scenario
    cols: dict[str, object] = {f"setting_{k}": v for k, v in data["scenario"].items()}
    cols["setting_budget_growth"] = sc.budget_growth
    if sc.uploaded is not None and sc.system == "uploaded":
        cols["setting_place_file"] = sc.uploaded.name
        cols["setting_place_file_sha256"] = sc.uploaded.sha256
    for side, key in PANEL_KEYS.items():
        panel = data[key]
        cols[f"{key}_rules"] = panel["rules"]
        cols[f"{key}_switched_on"] = " ".join(panel["switched_on"])
        cols[f"{key}_switched_off"] = " ".join(panel["switched_off"])
        cols[f"{key}_adopt_in_year"] = panel["adopt_in_year"]
        for lever, value in snapshot.rules[side].levers().items():
            cols[f"{key}_lever_{lever}"] = value
    cols["setting_horizon_years"] = snapshot.horizon_years
    cols["setting_link_query"] = to_query(snapshot)
    return cols


def with_settings(frame: pd.DataFrame, snapshot: Snapshot) -> pd.DataFrame:
    """The frame with every setting as columns; a `place_file` object column becomes its name."""
    frame = frame.drop(columns=[c for c in ("place_file",) if c in frame])
    return frame.assign(**settings_columns(snapshot))


def runs_csv(view, snapshot: Snapshot) -> bytes:
    """Every measure of both live runs (one row per panel and month) with every setting."""
    if view is None:
        return b""
    return with_settings(view.pair.frame(), snapshot).to_csv(index=False).encode()


def replicates_csv(result, snapshot: Snapshot) -> bytes:
    """Every measure of every replicate and month with every setting, and the seed."""
    if result is None or result.raw is None:
        return b""
    frame = with_settings(result.raw, snapshot).assign(base_seed=result.seed)
    return frame.to_csv(index=False).encode()


def print_png(fig, lock=None) -> bytes:
    """A figure at print resolution (`PRINT_DPI`); `lock` keeps a running view still meanwhile."""
    if lock is None:
        return png(fig, PRINT_DPI)
    with lock:
        return png(fig, PRINT_DPI)
