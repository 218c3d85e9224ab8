"""The results folder on disk: atomic writes, the manifest, chunk paths and reassembly.

Every file is written atomically (temporary file in the same folder, fsync, `os.replace`, fsync of
the folder), so a run killed at any moment leaves whole files and, at worst, a stray temporary file.
This module sits below the runner, the reader (`sim.experiment.results`) and the report; it knows
the layout, not the experiment. Layout (see docs/experiments.md)::

    DIR/manifest.json          experiment text and sha256, versions, seeds, times, chunks complete
    DIR/experiment.toml        a copy of the experiment file
    DIR/points.parquet         every design point with the full parameter values
    DIR/chunks/chunk-NNNNN.parquet   run summaries of one chunk (the unit of resume)
    DIR/summaries.parquet      all run summaries, one row per run, sorted by run_id (when complete)
    DIR/series/chunk-NNNNN.parquet   per-month measures of the runs that keep series (optional)
    DIR/report.md, DIR/figures/*.png, DIR/tables/*.csv   the report
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pandas as pd

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


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
    """Rewrite DIR/manifest.json atomically."""
    atomic_write_bytes(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=False).encode())


def read_manifest(out: Path) -> dict:
    """The parsed DIR/manifest.json."""
    with open(Path(out) / MANIFEST, encoding="utf-8") as fh:
        return json.load(fh)


def chunk_path(out: Path, k: int) -> Path:
    """The Parquet file of chunk k's run summaries."""
    return Path(out) / "chunks" / f"chunk-{k:05d}.parquet"


def series_path(out: Path, k: int) -> Path:
    """The Parquet file of chunk k's kept series."""
    return Path(out) / "series" / f"chunk-{k:05d}.parquet"


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
