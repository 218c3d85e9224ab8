"""`load_results(DIR)`: an experiment's results folder as pandas DataFrames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.experiment.store import MANIFEST, chunk_path, read_manifest


@dataclass
class Results:
    """The data of one results folder.

    Attributes:
        summaries: One row per run, sorted by run_id: run_id, rules, point, replicate, seed,
            run_key, the swept parameters, then every run summary (`sim.SUMMARIES`).
        series: One row per run and month for the runs that kept series (run_id, rules, point,
            replicate, month, measures), sorted by run_id and month; None if none were kept.
        points: Every design point with the full parameter values used there.
        manifest: The parsed manifest.json.
        complete: False when the folder holds an interrupted run (only complete chunks loaded).
    """

    summaries: pd.DataFrame
    series: pd.DataFrame | None
    points: pd.DataFrame
    manifest: dict
    complete: bool
    path: Path

    def __iter__(self):  # `summaries, series = load_results(DIR)`
        return iter((self.summaries, self.series))


def load_results(folder: str | Path) -> Results:
    """Load a results folder written by `commons run` (complete or interrupted)."""
    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        raise FileNotFoundError(f"{folder} holds no {MANIFEST}: not a results folder")
    manifest = read_manifest(folder)
    complete = manifest.get("status") == "complete" and (folder / "summaries.parquet").is_file()
    if complete:
        summaries = pd.read_parquet(folder / "summaries.parquet")
    else:
        done = [k for k in manifest.get("chunks_complete", []) if chunk_path(folder, k).is_file()]
        if done:
            summaries = pd.concat(
                [pd.read_parquet(chunk_path(folder, k)) for k in done], ignore_index=True
            )
            summaries = summaries.sort_values("run_id", kind="stable").reset_index(drop=True)
        else:
            summaries = pd.DataFrame()
    series = None
    series_dir = folder / "series"
    if series_dir.is_dir():
        done = set(manifest.get("chunks_complete", []))
        files = sorted(
            f for f in series_dir.glob("chunk-*.parquet") if int(f.stem.split("-")[1]) in done
        )
        if files:
            series = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
            series = series.sort_values(["run_id", "month"], kind="stable").reset_index(drop=True)
    points_file = folder / "points.parquet"
    points = pd.read_parquet(points_file) if points_file.is_file() else pd.DataFrame()
    return Results(summaries, series, points, manifest, complete, folder)
