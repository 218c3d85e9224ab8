"""Run an experiment into a results folder, locally or on a Dask cluster; resumable.

The runs of an experiment (see `sim.experiment.spec`) are cut into chunks of `chunk_size`
consecutive run ids. Each chunk is computed by an engine (`sim.experiment.engines`) and written as
its own Parquet file, atomically; then `manifest.json` is rewritten atomically with the chunk marked
complete and the sha256 of its files recorded (`sim.experiment.store`). A chunk is complete only
once the manifest says so, so a run killed at any moment leaves complete chunks and, at worst, a
stray temporary file, which the next run deletes. Running again resumes: only chunks not in the
manifest run, and a chunk whose files no longer match their recorded sha256 runs again. One command
at a time writes a folder (`sim.experiment.lock`); SIGINT and SIGTERM stop the run between slices
of runs (`sim.experiment.interrupts`). Every run is determined by its inputs alone, so results do
not depend on the engine, the workers, the chunking or the order.

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
from sim.experiment import interrupts
from sim.experiment.engines import (  # noqa: F401  (re-exported: the runner's former contents)
    ENGINES,
    DaskEngine,
    LocalEngine,
    compute_chunk,
    make_engine,
)
from sim.experiment.lock import owned_folder
from sim.experiment.manifest import (
    StaleResults,
    check_target_before_lock,
    fresh_manifest,
    now,
    prepare_folder,
)
from sim.experiment.spec import Experiment
from sim.experiment.store import (  # noqa: F401  (re-exported for callers of the old runner)
    FORMAT_VERSION,
    HOLDER_NAME,
    LOCK_FILES,
    MANIFEST,
    assemble,
    atomic_write_bytes,
    atomic_write_parquet,
    chunk_path,
    damaged_files,
    parquet_bytes,
    read_manifest,
    relative,
    remove_stale_temporaries,
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
    notify=None,
    restart_stale: bool = False,
    connect_timeout: float | None = None,
) -> Path:
    """Run (or resume) an experiment into `out`, holding the folder's lock. Returns the folder.

    The report is written by `sim.experiment.report.build_report(out)` afterwards (as `commons run`
    does); `report` is kept for callers that pass `report=False` and must be False. `notify(text)`
    receives one-line notices (a damaged chunk that runs again); by default they go to stderr
    unless `quiet`. With `restart_stale`, a folder whose results came from another version of the
    model or of the experiment file (`StaleResults`) is cleared and run afresh, with a notice,
    instead of refused; any other folder resumes, or is refused, as usual. `connect_timeout` is
    the seconds the Dask engine waits for its scheduler (default `DEFAULT_CONNECT_TIMEOUT`).

    Raises:
        FolderInUse: another command holds the folder (an ExperimentError).
        ExperimentError: the folder cannot be resumed with this experiment.
        Interrupted: SIGINT or SIGTERM (complete chunks are kept; run again to resume).
    """
    if report:
        raise ValueError(
            "run_experiment(report=True) is no longer supported: call "
            "sim.experiment.report.build_report(out) after the run (as `commons run` does)"
        )
    out = Path(out)
    if notify is None:
        notify = _stderr_notice if not quiet else (lambda text: None)
    runner = make_engine(engine, scheduler, threads, connect_timeout)
    check_target_before_lock(out)  # a stray folder, before the lock writes into it
    writers: list[_ChunkWriter] = []  # the run's writer, as soon as it exists

    def kept() -> bool:  # a folder this run created and never completed a chunk in goes again
        return any(w.completed_any for w in writers)

    with interrupts.handling(), runner.session(), owned_folder(out, None, kept):
        _run_locked(exp, out, runner, force, quiet, notify, writers, restart_stale)
    return out


def _run_locked(
    exp: Experiment, out: Path, runner, force, quiet, notify, writers: list, restart_stale=False
) -> None:
    """The run proper, under the folder's lock: prepare, resume or start, run, assemble."""
    try:
        manifest = prepare_folder(exp, out, force)
    except StaleResults as exc:
        if not restart_stale:
            raise
        notify(f"{out}: starting over: {exc.reason}")
        manifest, force = None, True
    if force:
        clear_folder(out)
    remove_stale_temporaries(out)
    if manifest is None:
        manifest = fresh_manifest(exp)
        # The manifest first: from its first data file on, the folder is a results folder that
        # another command recognises (and refuses while this one holds the lock), and a run
        # killed at any moment after this leaves a folder that resumes.
        write_manifest(out, manifest)
    writer = _ChunkWriter(exp, out, manifest)
    writers.append(writer)
    for sub in ("chunks", "series") if exp.series else ("chunks",):
        (out / sub).mkdir(exist_ok=True)
    _write_inputs(exp, out, manifest)
    writer.start(runner.name, notify)
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


def _write_inputs(exp: Experiment, out: Path, manifest: dict) -> None:
    """The copy of the experiment file and the design points, unless already there as recorded
    (a run killed before writing them wrote them on resume)."""
    inputs = {
        "experiment.toml": exp.source.encode("utf-8"),
        "points.parquet": parquet_bytes(exp.point_table()),
    }
    for name, data in inputs.items():
        if name not in manifest["files"] or damaged_files(out, manifest, [out / name]):
            manifest["files"][name] = atomic_write_bytes(out / name, data)


def clear_folder(out: Path) -> None:
    """Delete a results folder's contents (--force), keeping the lock this process holds."""
    for path in Path(out).iterdir():
        if path.name in LOCK_FILES:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def _stderr_notice(text: str) -> None:
    print(text, file=sys.stderr)


class _ChunkWriter:
    """Writes each finished chunk (series, then summaries, then the manifest with their sha256)."""

    def __init__(self, exp: Experiment, out: Path, manifest: dict):
        self.exp, self.out, self.manifest = exp, out, manifest
        self.runs = exp.runs()
        self.columns = _run_columns(self.runs)
        self.tables: dict = {}  # chunks written in this session (not re-read when assembling)
        self.complete: set[int] = set()
        self.completed_any = False
        self.bar = None

    def chunk_files(self, k: int) -> list[Path]:
        """The files chunk k writes: its summaries, and its series if it keeps any."""
        files = [chunk_path(self.out, k)]
        start, end = self.exp.chunk_bounds(k)
        if self.exp.series and self.runs["keep_series"].iloc[start:end].any():
            files.append(series_path(self.out, k))
        return files

    def start(self, engine: str, notify) -> None:
        """Mark the manifest running. A chunk listed complete whose files are missing, or differ
        from the sha256 the manifest recorded for them, is reported and runs again."""
        out, manifest = self.out, self.manifest
        self.complete = set()
        for k in manifest["chunks_complete"]:
            bad = damaged_files(out, manifest, self.chunk_files(k))
            if bad:
                notify(
                    f"{out}: chunk {k} runs again: {', '.join(bad)} missing or not as recorded "
                    "(sha256 differs from the manifest's)"
                )
            else:
                self.complete.add(k)
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
        exp, out, files = self.exp, self.out, self.manifest["files"]
        summaries, series = result
        start, end = exp.chunk_bounds(k)
        chunk_runs = self.runs.iloc[start:end]
        if exp.series and chunk_runs["keep_series"].any():
            path = series_path(out, k)
            frame = _series_frame(chunk_runs, series, exp.series_measures, exp.months)
            files[relative(out, path)] = atomic_write_parquet(path, frame)
        table = _summary_table(self.columns, start, end, summaries)
        files[relative(out, chunk_path(out, k))] = atomic_write_parquet(chunk_path(out, k), table)
        self.tables[k] = table
        self.complete.add(k)
        self.manifest["chunks_complete"] = sorted(self.complete)
        write_manifest(out, self.manifest)
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
        digest = atomic_write_parquet(self.out / "summaries.parquet", frame)
        self.manifest["files"]["summaries.parquet"] = digest
        self.manifest["status"] = "complete"
        self.manifest["finished"] = now()
        write_manifest(self.out, self.manifest)


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
