"""Run an experiment into a results folder, locally or on a Dask cluster; resumable.

The runs of an experiment (see `sim.experiment.spec`) are cut into chunks of `chunk_size`
consecutive run ids. Each chunk is computed by an engine (`sim.experiment.engines`) and written as
its own Parquet file, atomically; then `manifest.json` is rewritten atomically with the chunk marked
complete (`sim.experiment.store`). A chunk is complete only once the manifest says so, so a run
killed at any moment leaves complete chunks and, at worst, a stray temporary file. Running again
resumes: only chunks not in the manifest run. Every run is determined by its inputs alone, so
results do not depend on the engine, the workers, the chunking or the order.

The report is not written here: it sits above the runner and reads the folder afterwards
(`sim.experiment.report.build_report`, called by `commons run`).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.constants import MEASURES, SUMMARIES
from sim.experiment.engines import (  # noqa: F401  (re-exported: the runner's former contents)
    ENGINES,
    DaskEngine,
    LocalEngine,
    compute_chunk,
    make_engine,
)
from sim.experiment.manifest import fresh_manifest, now, prepare_folder
from sim.experiment.spec import Experiment
from sim.experiment.store import (  # noqa: F401  (re-exported for callers of the old runner)
    FORMAT_VERSION,
    MANIFEST,
    assemble,
    atomic_write_bytes,
    atomic_write_parquet,
    chunk_path,
    read_manifest,
    series_path,
    write_manifest,
)


def run_experiment(
    exp: Experiment,
    out: str | Path,
    engine: str = "local",
    scheduler: str | None = None,
    threads: int | None = None,
    force: bool = False,
    quiet: bool = False,
    report: bool = False,
) -> Path:
    """Run (or resume) an experiment into `out`. Returns the folder.

    The report is written by `sim.experiment.report.build_report(out)` afterwards (as `commons run`
    does); `report` is kept for callers that pass `report=False` and must be False.
    """
    if report:
        raise ValueError(
            "run_experiment(report=True) is no longer supported: call "
            "sim.experiment.report.build_report(out) after the run (as `commons run` does)"
        )
    out = Path(out)
    runner = make_engine(engine, scheduler, threads)
    manifest, created = prepare_folder(exp, out, force)
    if force and (out / MANIFEST).is_file():
        shutil.rmtree(out)
    fresh = manifest is None
    if fresh:
        manifest = fresh_manifest(exp)
        created = created or not out.exists()
    writer = _ChunkWriter(exp, out, manifest)
    out.mkdir(parents=True, exist_ok=True)
    (out / "chunks").mkdir(exist_ok=True)
    if exp.series:
        (out / "series").mkdir(exist_ok=True)
    try:
        if fresh:
            atomic_write_bytes(out / "experiment.toml", exp.source.encode("utf-8"))
            atomic_write_parquet(out / "points.parquet", exp.point_table())
        writer.start(runner.name)
        pending = [k for k in range(exp.n_chunks) if k not in writer.complete]
        t0 = time.perf_counter()
        writer.bar = _progress(exp.n_runs, writer.done_runs(), quiet, exp.name)
        try:
            if pending:
                runner.run(exp, exp.arrays(), pending, writer)
        finally:
            if writer.bar is not None:
                writer.bar.close()
        manifest["engine_history"][-1]["seconds"] = round(time.perf_counter() - t0, 3)
        writer.finish()
    except BaseException:
        if created and not writer.completed_any and out.exists():
            shutil.rmtree(out, ignore_errors=True)
        raise
    return out


class _ChunkWriter:
    """Writes each finished chunk (series, then summaries, then the manifest) and keeps count."""

    def __init__(self, exp: Experiment, out: Path, manifest: dict):
        self.exp, self.out, self.manifest = exp, out, manifest
        self.runs = exp.runs()
        self.columns = _run_columns(self.runs)
        self.tables: dict = {}  # chunks written in this session (not re-read when assembling)
        self.complete: set[int] = set()
        self.completed_any = False
        self.bar = None

    def start(self, engine: str) -> None:
        """Mark the manifest running; chunks listed there whose file went missing run again."""
        exp, out, manifest = self.exp, self.out, self.manifest
        self.complete = {
            k
            for k in manifest["chunks_complete"]
            if chunk_path(out, k).is_file() and (not exp.series or _series_ok(exp, out, k))
        }
        manifest["chunks_complete"] = sorted(self.complete)
        manifest["status"] = "running"
        manifest["finished"] = None
        manifest["engine_history"].append({"engine": engine, "started": now()})
        write_manifest(out, manifest)

    def done_runs(self) -> int:
        """Runs in the chunks already complete (the progress bar's start)."""
        return sum(end - start for start, end in map(self.exp.chunk_bounds, self.complete))

    def __call__(self, k: int, result) -> None:
        """Write chunk k's `(summaries, series)` as the engine hands it over."""
        exp = self.exp
        summaries, series = result
        start, end = exp.chunk_bounds(k)
        chunk_runs = self.runs.iloc[start:end]
        if exp.series and chunk_runs["keep_series"].any():
            atomic_write_parquet(
                series_path(self.out, k),
                _series_frame(chunk_runs, series, exp.series_measures, exp.months),
            )
        table = _summary_table(self.columns, start, end, summaries)
        atomic_write_parquet(chunk_path(self.out, k), table)
        self.tables[k] = table
        self.complete.add(k)
        self.manifest["chunks_complete"] = sorted(self.complete)
        write_manifest(self.out, self.manifest)
        self.completed_any = True
        if self.bar is not None:
            self.bar.update(end - start)

    def finish(self) -> None:
        """Check every run is there once, write summaries.parquet and mark the run complete."""
        exp = self.exp
        missing = sorted(set(range(exp.n_chunks)) - self.complete)
        if missing:
            raise RuntimeError(f"chunks {missing[:10]} did not complete")
        frame = assemble(self.out, exp.n_chunks, self.tables)
        if len(frame) != exp.n_runs or not np.array_equal(
            frame["run_id"].to_numpy(), np.arange(exp.n_runs)
        ):
            raise RuntimeError(
                f"assembled {len(frame)} rows for {exp.n_runs} runs: runs missing or duplicated"
            )
        atomic_write_parquet(self.out / "summaries.parquet", frame)
        self.manifest["status"] = "complete"
        self.manifest["finished"] = now()
        write_manifest(self.out, self.manifest)


def _series_ok(exp: Experiment, out: Path, k: int) -> bool:
    """Whether chunk k's series file is there (or the chunk keeps no series)."""
    start, end = exp.chunk_bounds(k)
    reps = np.arange(start, end) % exp.replicates
    limit = exp.series_replicates if exp.series_replicates is not None else exp.replicates
    return not (reps < limit).any() or series_path(out, k).is_file()


def _run_columns(runs: pd.DataFrame) -> dict[str, np.ndarray]:
    """The run table as plain arrays (sliced per chunk without pandas overhead)."""
    return {
        c: (runs[c].to_numpy(dtype=object) if c == "rules" else runs[c].to_numpy())
        for c in runs.columns
        if c != "keep_series"
    }


def _summary_table(columns: dict[str, np.ndarray], start: int, end: int, summaries: np.ndarray):
    """The Parquet table of one chunk: run columns, then every summary."""
    import pyarrow as pa

    arrays = [pa.array(v[start:end]) for v in columns.values()]
    names = list(columns)
    for j, name in enumerate(SUMMARIES):
        arrays.append(pa.array(np.ascontiguousarray(summaries[:, j])))
        names.append(name)
    return pa.Table.from_arrays(arrays, names=names)


def _series_frame(
    runs: pd.DataFrame, series: np.ndarray, measures: tuple[str, ...], months: int
) -> pd.DataFrame:
    kept = runs[runs["keep_series"].to_numpy()].reset_index(drop=True)
    n = len(kept)
    cols = [MEASURES.index(m) for m in measures]
    data = series[:, :, cols].reshape(n * months, len(cols))
    frame = pd.DataFrame(data, columns=list(measures))
    rep = np.repeat(np.arange(n), months)
    frame.insert(0, "month", np.tile(np.arange(1, months + 1, dtype=np.int64), n))
    for name in ("replicate", "point", "rules", "run_id"):
        frame.insert(0, name, kept[name].to_numpy()[rep])
    return frame


def _progress(total: int, initial: int, quiet: bool, name: str):
    if quiet:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="run",
        desc=name,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.1,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} runs "
        "[{elapsed}<{remaining}, {rate_fmt}]",
    )
