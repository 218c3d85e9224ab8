"""`load_results(DIR)`: an experiment's results folder as pandas DataFrames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.experiment.checker import ExperimentError, rereading
from sim.experiment.store import FORMAT_VERSION, MANIFEST, chunk_path, damaged_files, read_manifest


class DamagedResults(ExperimentError):
    """A results folder whose files do not match the sha256 its manifest recorded."""


@dataclass
class Results:
    """The data of one results folder.

    Attributes:
        summaries: One row per run, sorted by run_id: run_id, rules, point, replicate, seed,
            run_key, the swept parameters, with `[uncertainty]` the draw index (`draw`) and each
            drawn parameter's value, then every run summary (`sim.SUMMARIES`).
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

    @property
    def uncertain(self) -> tuple[str, ...]:
        """The parameters drawn from priors (`[uncertainty]`), as the manifest records them;
        each is a column of `summaries`. Empty without uncertainty."""
        record = self.manifest.get("plan", {}).get("uncertainty")
        return tuple(p["name"] for p in record["priors"]) if record else ()

    def __iter__(self):  # `summaries, series = load_results(DIR)`
        return iter((self.summaries, self.series))


def load_results(folder: str | Path, verify: bool = True) -> Results:
    """Load a results folder written by `commons run` (complete or interrupted).

    Args:
        folder: The results folder.
        verify: Check every file read against the sha256 the manifest recorded when it was
            written (folders of format 2 and later).

    Raises:
        FileNotFoundError: the folder holds no manifest.json.
        DamagedResults: a file is missing or differs from what the run wrote (damaged, edited or
            mixed with another run's files).
        DamagedManifest: manifest.json is not a manifest as `commons run` writes it.
    """
    folder = Path(folder)
    if not (folder / MANIFEST).is_file():
        raise FileNotFoundError(f"{folder} holds no {MANIFEST}: not a results folder")
    manifest = read_manifest(folder)
    if manifest["format_version"] > FORMAT_VERSION:
        raise ExperimentError(
            f"{folder}: these results were written in format {manifest['format_version']} by a "
            f"newer care-commons; this version reads formats 1 to {FORMAT_VERSION} (upgrade it)"
        )
    complete = manifest.get("status") == "complete" and (folder / "summaries.parquet").is_file()
    listed = manifest.get("chunks_complete", [])
    done = [k for k in listed if chunk_path(folder, k).is_file()]
    checked = verify and manifest.get("format_version", 1) >= FORMAT_VERSION
    series_files = _series_files(folder, manifest, listed if checked else done, checked)
    points_file = folder / "points.parquet"
    if checked:
        read = (
            [folder / "summaries.parquet"] if complete else [chunk_path(folder, k) for k in listed]
        )
        # The inputs too: the copy of the experiment file is part of what the run wrote.
        read += [folder / name for name in INPUTS if name in manifest.get("files", {})]
        _verify(folder, manifest, read + series_files)
    if complete:
        summaries = _parquet(folder / "summaries.parquet")
    elif done:
        summaries = pd.concat([_parquet(chunk_path(folder, k)) for k in done])
        summaries = summaries.sort_values("run_id", kind="stable").reset_index(drop=True)
    else:
        summaries = pd.DataFrame()
    series = None
    if series_files:
        series = pd.concat([_parquet(f) for f in series_files], ignore_index=True)
        series = series.sort_values(["run_id", "month"], kind="stable").reset_index(drop=True)
    points = _parquet(points_file) if points_file.is_file() else pd.DataFrame()
    return Results(summaries, series, points, manifest, complete, folder)


INPUTS = ("points.parquet", "experiment.toml")


def _parquet(path: Path) -> pd.DataFrame:
    """A data file of the folder; one that is not Parquet (a folder of format 1, which records no
    sha256, or one edited with its sha256) is damaged results, not an unexpected error."""
    import pyarrow

    try:
        return pd.read_parquet(path)
    except pyarrow.ArrowException as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DamagedResults(
            f"{path}: not a data file as `commons run` writes it ({reason}); run the experiment "
            "again into a new folder, or with --force"
        ) from exc


def _series_files(folder: Path, manifest: dict, chunks: list[int], recorded: bool) -> list[Path]:
    """The series files of `chunks`: every one the manifest recorded (present or not), or, for
    an unchecked load, those on disk."""
    wanted = set(chunks)
    if recorded:
        keys = [k for k in manifest.get("files", {}) if k.startswith("series/")]
        paths = [folder / k for k in keys]
    else:
        paths = list((folder / "series").glob("chunk-*.parquet"))
    return sorted(p for p in paths if int(Path(p).stem.split("-")[1]) in wanted)


def _verify(folder: Path, manifest: dict, paths: list[Path]) -> None:
    """Raise DamagedResults naming the files that are missing or differ from their sha256."""
    bad = damaged_files(folder, manifest, paths)
    if bad:
        raise DamagedResults(
            f"{folder}: {', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''} missing or not as "
            "the run wrote it (sha256 differs from manifest.json): the folder is damaged or mixed "
            "with another run's files; run the same `commons run` again to recompute (or rewrite) "
            "them, or --force to start over"
        )


def rebuild(results: Results, run_id: int, engine: str = "numba"):
    """One recorded run rebuilt alone: a `CareSystem` run for the experiment's months.

    The model is `CareSystem(rules=<the run's rule set or schedule>, scenario=..., seed=row.seed,
    run=row.run_key, **<its point's parameters>, **{name: row[name] for name in drawn})`, where
    `drawn` are the parameters drawn from their priors (`[uncertainty]`), so its `summary()`
    equals the run's row of `results.summaries`.

    Args:
        results: A results folder (`load_results`).
        run_id: The run to rebuild.
        engine: "numba" or "python" (the per-agent engine, to step through a decision).

    Raises:
        ExperimentError: No run `run_id` in the folder.
    """
    from sim.experiment.spec import parse_experiment
    from sim.model import CareSystem

    manifest = results.manifest
    with rereading():  # the text that ran, read as it was accepted then
        exp = parse_experiment(manifest["experiment"]["content"], **manifest.get("overrides", {}))
    rows = results.summaries.loc[results.summaries["run_id"] == run_id]
    if rows.empty:
        raise ExperimentError(f"run_id={run_id!r} is not a run of {results.path}")
    row = rows.iloc[0]
    params = dict(exp.points[int(row["point"])])
    if exp.uncertainty is not None:
        params.update({name: row[name] for name in exp.uncertainty.names})
    model = CareSystem(
        rules=exp.rule_schedules()[exp.rule_names.index(row["rules"])],
        scenario=exp.scenario,
        seed=int(row["seed"]),
        run=int(row["run_key"]),
        engine=engine,
        **params,
    )
    return model.run_for(exp.months)


def outcome_table(folder: str | Path, name: str, outcomes) -> tuple[pd.DataFrame, list[str]] | None:
    """The rows of the report's `tables/<name>` for `outcomes`, and those outcomes it holds in
    their given order; None when the table is missing or holds none of them (for printouts)."""
    path = Path(folder) / "tables" / name
    if not path.exists():
        return None
    table = pd.read_csv(path)
    table = table[table["outcome"].isin(outcomes)]
    if table.empty:
        return None
    return table, [o for o in outcomes if o in set(table["outcome"])]
