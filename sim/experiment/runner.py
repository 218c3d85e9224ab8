"""Run an experiment into a results folder, locally or on a Dask cluster; resumable.

The runs of an experiment (see `sim.experiment.spec`) are cut into chunks of `chunk_size` consecutive run
ids. Each chunk is computed by one call of `sim.engine.batch.simulate` (locally with the kernel's threads,
or as one Dask task with one thread in a worker) and written as its own Parquet file, atomically
(temporary file, fsync, `os.replace`); then `manifest.json` is rewritten atomically with the chunk
marked complete. A chunk is complete only once the manifest says so, so a run killed at any moment
leaves complete chunks and, at worst, a stray temporary file. Running again resumes: only chunks not
in the manifest run. Every run is determined by its inputs alone (parameter and lever vectors, world,
seed, run key), so results do not depend on the engine, the workers, the chunking or the order.

Results folder layout (see docs/experiments.md)::

    DIR/manifest.json          experiment text and sha256, versions, seeds, times, chunks complete
    DIR/experiment.toml        a copy of the experiment file
    DIR/points.parquet         every design point with the full parameter values
    DIR/chunks/chunk-NNNNN.parquet   run summaries of one chunk (the unit of resume)
    DIR/summaries.parquet      all run summaries, one row per run, sorted by run_id (when complete)
    DIR/series/chunk-NNNNN.parquet   per-month measures of the runs that keep series (optional)
    DIR/report.md, DIR/figures/*.png, DIR/tables/*.csv   the report
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import shutil
import sys
import time
import uuid
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.constants import MEASURES, SUMMARIES
from sim.experiment.spec import Experiment, ExperimentError

MANIFEST = "manifest.json"
FORMAT_VERSION = 1
ENGINES = ("local", "dask")
_PACKAGES = (
    "care-commons",
    "numpy",
    "numba",
    "pandas",
    "pyarrow",
    "scipy",
    "SALib",
    "dask",
    "distributed",
    "mesa",
    "matplotlib",
)


# ---------------------------------------------------------------------- atomic files
def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write data to path atomically: temporary file in the same folder, fsync, os.replace."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def atomic_write_parquet(path: Path, frame) -> None:
    """Write a DataFrame or pyarrow Table as Parquet atomically."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:6]}")
    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    with open(tmp, "wb") as fh:
        pq.write_table(table, fh, compression="zstd")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def write_manifest(out: Path, manifest: dict) -> None:
    atomic_write_bytes(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=False).encode())


def read_manifest(out: Path) -> dict:
    with open(Path(out) / MANIFEST, encoding="utf-8") as fh:
        return json.load(fh)


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def model_hash() -> str:
    """Hash of the compiled model's sources (changes whenever the model does)."""
    from sim.core.jit import _source_hash

    return _source_hash()


def chunk_path(out: Path, k: int) -> Path:
    return Path(out) / "chunks" / f"chunk-{k:05d}.parquet"


def series_path(out: Path, k: int) -> Path:
    return Path(out) / "series" / f"chunk-{k:05d}.parquet"


# ---------------------------------------------------------------------- computing one chunk
def compute_chunk(
    params: np.ndarray,
    levers: np.ndarray,
    worlds: np.ndarray,
    seeds: np.ndarray,
    runs: np.ndarray,
    keep_series: np.ndarray,
    months: int,
    threads: int | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Summaries of every run of a chunk and the series of the runs with keep_series.

    Module level so that Dask can ship it to workers by reference.
    """
    from sim.engine.batch import simulate

    n = len(params)
    summaries = np.zeros((n, len(SUMMARIES)))
    series = None
    keep = np.asarray(keep_series, dtype=bool)
    groups = [(np.flatnonzero(~keep), False), (np.flatnonzero(keep), True)]
    for idx, want in groups:
        if len(idx) == 0:
            continue
        s, h = simulate(
            params[idx],
            levers[idx],
            worlds[idx],
            seeds[idx],
            runs[idx],
            months,
            series=want,
            threads=threads,
            chunk=max(1, len(idx)),
        )
        summaries[idx] = s
        if want:
            series = h
    return summaries, series


def _chunk_payload(arrays: dict, start: int, end: int) -> dict:
    return {
        k: np.ascontiguousarray(arrays[k][start:end])
        for k in ("params", "levers", "worlds", "seeds", "runs", "keep_series")
    }


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


# ---------------------------------------------------------------------- engines
class LocalEngine:
    """Chunks one after another in this process, each over the kernel's numba threads."""

    name = "local"

    def __init__(self, threads: int | None = None):
        self.threads = threads

    def run(self, exp: Experiment, arrays: dict, chunks: list[int], on_chunk: Callable) -> None:
        for k in chunks:
            start, end = exp.chunk_bounds(k)
            payload = _chunk_payload(arrays, start, end)
            result = compute_chunk(**payload, months=exp.months, threads=self.threads)
            on_chunk(k, result)


class DaskEngine:
    """One Dask task per chunk on a dask.distributed cluster; chunks written as they arrive.

    A task lost with a worker is recomputed by the scheduler (and `retries` covers errors raised in
    a task); each chunk is written once, under its own number, so no run is lost or duplicated.
    """

    name = "dask"

    def __init__(self, scheduler: str, retries: int = 3, timeout: float = 60.0):
        self.scheduler = scheduler
        self.retries = retries
        self.timeout = timeout

    def run(self, exp: Experiment, arrays: dict, chunks: list[int], on_chunk: Callable) -> None:
        from distributed import Client, as_completed

        try:
            client = Client(self.scheduler, timeout=self.timeout)
        except (OSError, TimeoutError) as exc:
            raise RuntimeError(
                f"cannot connect to the Dask scheduler at {self.scheduler}: {exc}"
            ) from None
        token = uuid.uuid4().hex[:8]
        try:
            futures = []
            chunk_of = {}
            for k in chunks:
                start, end = exp.chunk_bounds(k)
                payload = _chunk_payload(arrays, start, end)
                fut = client.submit(
                    compute_chunk,
                    **payload,
                    months=exp.months,
                    threads=1,
                    key=f"commons-{exp.name}-{token}-chunk-{k:05d}",
                    retries=self.retries,
                    pure=False,
                )
                futures.append(fut)
                chunk_of[fut.key] = k
            done = set()
            for fut in as_completed(futures):
                k = chunk_of[fut.key]
                result = fut.result()
                if k in done:  # pragma: no cover - a future completes once
                    continue
                done.add(k)
                on_chunk(k, result)
                fut.release()
        finally:
            client.close()


def make_engine(engine: str, scheduler: str | None = None, threads: int | None = None):
    if engine == "local":
        return LocalEngine(threads=threads)
    if engine == "dask":
        if not scheduler:
            raise ExperimentError(
                "--engine dask needs --scheduler tcp://HOST:PORT (the address of a "
                "dask.distributed scheduler)"
            )
        return DaskEngine(scheduler)
    raise ExperimentError(f"--engine={engine!r} is not allowed; allowed: {', '.join(ENGINES)}")


# ---------------------------------------------------------------------- the run
def _fresh_manifest(exp: Experiment, engine: str) -> dict:
    return {
        "format_version": FORMAT_VERSION,
        "status": "running",
        "experiment": {
            "name": exp.name,
            "path": exp.path,
            "sha256": exp.sha256,
            "content": exp.source,
        },
        "overrides": dict(exp.overrides),
        "plan": {
            "scenario": exp.scenario,
            "rules": [
                {"name": rs.name, "spec": spec, "levers": rs.levers()}
                for rs, spec in zip(exp.rules, exp.rule_specs, strict=True)
            ],
            "design": exp.design,
            "swept": exp.swept,
            "n_points": len(exp.points),
            "replicates": exp.replicates,
            "months": exp.months,
            "base_seed": exp.seed,
            "run_keys": f"replicate j uses run key j (0..{exp.replicates - 1})",
            "n_runs": exp.n_runs,
            "chunk_size": exp.chunk_size,
            "n_chunks": exp.n_chunks,
            "series": exp.series,
            "series_replicates": exp.series_replicates,
        },
        "model_hash": model_hash(),
        "versions": versions(),
        "engine_history": [],
        "started": _now(),
        "finished": None,
        "chunks_complete": [],
    }


def _check_resume(exp: Experiment, out: Path, manifest: dict) -> None:
    old = manifest.get("experiment", {})
    if old.get("sha256") != exp.sha256:
        raise ExperimentError(
            f"{out}: the experiment file {exp.path} has changed since these results were started "
            f"(sha256 {str(old.get('sha256'))[:12]}... in the manifest, {exp.sha256[:12]}... now); "
            "use --force to start over, or --out to write elsewhere"
        )
    if manifest.get("overrides", {}) != exp.overrides:
        raise ExperimentError(
            f"{out}: these results were started with options {manifest.get('overrides')}, now "
            f"{exp.overrides}; use the same --replicates/--chunk-size to resume, or --force"
        )
    if manifest.get("model_hash") != model_hash():
        raise ExperimentError(
            f"{out}: the model has changed since these results were started (model hash "
            f"{manifest.get('model_hash')} in the manifest, {model_hash()} now); resuming would "
            "mix two versions of the model; use --force to start over"
        )
    points = out / "points.parquet"
    if points.exists():
        stored = pd.read_parquet(points)
        now = exp.point_table()
        if stored.shape != now.shape or not np.array_equal(
            stored.to_numpy(dtype=float), now.to_numpy(dtype=float)
        ):
            raise ExperimentError(
                f"{out}: the design points differ from those stored in points.parquet (a "
                "different SALib/SciPy version?); use --force to start over"
            )


def prepare_folder(exp: Experiment, out: Path, force: bool) -> tuple[dict, bool]:
    """Validate the folder for a fresh run or a resume. Returns (manifest or None, created)."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"--out {out} exists and is not a folder")
    has_manifest = (out / MANIFEST).is_file()
    if out.exists() and any(out.iterdir()) and not has_manifest:
        raise ExperimentError(
            f"--out {out} exists, is not empty and holds no {MANIFEST}: not a results folder; "
            "refusing to write into it (choose another --out)"
        )
    if has_manifest and not force:
        try:
            manifest = read_manifest(out)
        except (OSError, ValueError) as exc:
            raise ExperimentError(
                f"{out}/{MANIFEST} is unreadable ({exc}); use --force to start over"
            ) from None
        _check_resume(exp, out, manifest)
        return manifest, False
    return None, not out.exists()


def run_experiment(
    exp: Experiment,
    out: str | Path,
    engine: str = "local",
    scheduler: str | None = None,
    threads: int | None = None,
    force: bool = False,
    quiet: bool = False,
    report: bool = True,
) -> Path:
    """Run (or resume) an experiment into `out`; write the report. Returns the folder."""
    out = Path(out)
    runner = make_engine(engine, scheduler, threads)
    if threads is not None:
        import numba

        limit = numba.config.NUMBA_NUM_THREADS
        if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= limit:
            raise ExperimentError(f"--threads={threads!r} is not allowed; allowed: 1..{limit}")
    manifest, created = prepare_folder(exp, out, force)
    if force and (out / MANIFEST).is_file():
        shutil.rmtree(out)
    elif force and out.exists() and not any(out.iterdir()):
        pass
    fresh = manifest is None
    if fresh:
        manifest = _fresh_manifest(exp, runner.name)
        created = created or not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    (out / "chunks").mkdir(exist_ok=True)
    if exp.series:
        (out / "series").mkdir(exist_ok=True)
    completed_any = False
    try:
        if fresh:
            atomic_write_bytes(out / "experiment.toml", exp.source.encode("utf-8"))
            atomic_write_parquet(out / "points.parquet", exp.point_table())
        # Chunks listed in the manifest whose file went missing run again.
        complete = {
            k
            for k in manifest["chunks_complete"]
            if chunk_path(out, k).is_file() and (not exp.series or _series_ok(exp, out, k))
        }
        manifest["chunks_complete"] = sorted(complete)
        manifest["status"] = "running"
        manifest["finished"] = None
        manifest["engine_history"].append({"engine": runner.name, "started": _now()})
        write_manifest(out, manifest)
        pending = [k for k in range(exp.n_chunks) if k not in complete]
        runs = exp.runs()
        columns = _run_columns(runs)
        arrays = exp.arrays() if pending else None
        tables: dict = {}
        done_runs = sum(exp.chunk_bounds(k)[1] - exp.chunk_bounds(k)[0] for k in complete)
        bar = _progress(exp.n_runs, done_runs, quiet, exp.name)
        t0 = time.perf_counter()

        def on_chunk(k: int, result) -> None:
            nonlocal completed_any
            summaries, series = result
            start, end = exp.chunk_bounds(k)
            chunk_runs = runs.iloc[start:end]
            if exp.series and chunk_runs["keep_series"].any():
                atomic_write_parquet(
                    series_path(out, k),
                    _series_frame(chunk_runs, series, exp.series_measures, exp.months),
                )
            table = _summary_table(columns, start, end, summaries)
            atomic_write_parquet(chunk_path(out, k), table)
            tables[k] = table
            complete.add(k)
            manifest["chunks_complete"] = sorted(complete)
            write_manifest(out, manifest)
            completed_any = True
            if bar is not None:
                bar.update(end - start)

        try:
            if pending:
                runner.run(exp, arrays, pending, on_chunk)
        finally:
            if bar is not None:
                bar.close()
        missing = sorted(set(range(exp.n_chunks)) - complete)
        if missing:
            raise RuntimeError(f"chunks {missing[:10]} did not complete")
        manifest["engine_history"][-1]["seconds"] = round(time.perf_counter() - t0, 3)
        frame = assemble(out, exp.n_chunks, tables)
        if len(frame) != exp.n_runs or not np.array_equal(
            frame["run_id"].to_numpy(), np.arange(exp.n_runs)
        ):
            raise RuntimeError(
                f"assembled {len(frame)} rows for {exp.n_runs} runs: runs missing or duplicated"
            )
        atomic_write_parquet(out / "summaries.parquet", frame)
        manifest["status"] = "complete"
        manifest["finished"] = _now()
        write_manifest(out, manifest)
    except BaseException:
        if created and not completed_any and out.exists():
            shutil.rmtree(out, ignore_errors=True)
        raise
    if report:
        from sim.experiment.report import build_report

        build_report(out, quiet=quiet)
    return out


def _series_ok(exp: Experiment, out: Path, k: int) -> bool:
    start, end = exp.chunk_bounds(k)
    reps = np.arange(start, end) % exp.replicates
    limit = exp.series_replicates if exp.series_replicates is not None else exp.replicates
    return not (reps < limit).any() or series_path(out, k).is_file()


def assemble(out: Path, n_chunks: int, in_memory: dict | None = None) -> pd.DataFrame:
    """All chunk summaries, sorted by run id (chunks written in this session are not re-read)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    in_memory = in_memory or {}
    parts = [
        in_memory[k] if k in in_memory else pq.read_table(chunk_path(out, k))
        for k in range(n_chunks)
    ]
    frame = pa.concat_tables(parts).to_pandas()
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


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
