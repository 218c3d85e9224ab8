"""The results folder on disk: atomic writes, the manifest, chunk paths and reassembly.

Every file is written atomically (temporary file in the same folder, fsync, `os.replace`, fsync of
the folder), so a run killed at any moment leaves whole files and, at worst, a stray temporary file.
This module sits below the runner, the reader (`sim.experiment.results`) and the report; it knows
the layout, not the experiment. Layout (see docs/experiments.md)::

    DIR/manifest.json          experiment text and sha256, versions, seeds, times, chunks complete,
                               and the sha256 of every data file ("files")
    DIR/experiment.toml        a copy of the experiment file
    DIR/points.parquet         every design point with the full parameter values
    DIR/chunks/chunk-NNNNN.parquet   run summaries of one chunk (the unit of resume)
    DIR/summaries.parquet      all run summaries, one row per run, sorted by run_id (when complete)
    DIR/series/chunk-NNNNN.parquet   per-month measures of the runs that keep series (optional)
    DIR/report.md, DIR/figures/*.png, DIR/tables/*.csv   the report
    DIR/.commons.lock, DIR/.commons.holder.json   while a command writes (sim.experiment.lock)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import uuid
from pathlib import Path

import pandas as pd

from sim.experiment.checker import ExperimentError

MANIFEST = "manifest.json"
FORMAT_VERSION = 2  # 2: the manifest records the sha256 of every data file
TMP_MARK = ".tmp-"  # temporary files are named .<name>.tmp-<pid>-<random>
SUBFOLDERS = ("chunks", "series", "tables", "figures")
LOCK_NAME = ".commons.lock"  # the folder's lock (sim.experiment.lock)
HOLDER_NAME = ".commons.holder.json"  # who holds it
LOCK_FILES = (LOCK_NAME, HOLDER_NAME)


def is_lock_file(name: str) -> bool:
    """The lock, its holder's record, or that record while it is being written (its temporary
    file lives for the milliseconds of an fsync, and a second command may look then)."""
    return name in LOCK_FILES or name.startswith(f".{HOLDER_NAME}{TMP_MARK}")


def fsync_folder(path: Path) -> None:
    """Make the renames in folder `path` durable (where a folder can be opened and synced)."""
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


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:6]}")


def atomic_write_bytes(path: Path, data: bytes) -> str:
    """Write data to path atomically (temporary file in the same folder, fsync, os.replace).

    On any failure (a full disk, say) the temporary file is removed and the error re-raised, so
    nothing half-written is left. Returns the sha256 of the data.
    """
    path = Path(path)
    tmp = _temp_name(path)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
    return hashlib.sha256(data).hexdigest()


def parquet_bytes(frame) -> bytes:
    """A DataFrame or pyarrow Table as the bytes of a zstd-compressed Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = (
        frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def atomic_write_parquet(path: Path, frame) -> str:
    """Write a DataFrame or pyarrow Table as Parquet atomically. Returns the file's sha256."""
    return atomic_write_bytes(path, parquet_bytes(frame))


def atomic_write_csv(path: Path, frame) -> str:
    """Write a DataFrame as CSV (no index) atomically. Returns the file's sha256."""
    return atomic_write_bytes(path, frame.to_csv(index=False).encode("utf-8"))


def atomic_savefig(fig, path: Path) -> str:
    """Save a matplotlib figure as PNG atomically. Returns the file's sha256."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90)
    return atomic_write_bytes(path, buf.getvalue())


def file_sha256(path: Path) -> str:
    """The sha256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def remove_stale_temporaries(out: Path) -> list[Path]:
    """Delete the temporary files an interrupted or failed write left in a results folder.

    Call only while holding the folder's lock: no other writer can then own them.
    """
    removed = []
    for folder in (out, *(out / sub for sub in SUBFOLDERS)):
        if folder.is_dir():
            for tmp in folder.glob(f".*{TMP_MARK}*"):
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
    return removed


def write_manifest(out: Path, manifest: dict) -> None:
    """Rewrite DIR/manifest.json atomically."""
    atomic_write_bytes(out / MANIFEST, json.dumps(manifest, indent=2, sort_keys=False).encode())


class DamagedManifest(ExperimentError):
    """DIR/manifest.json is not a manifest as `commons run` writes it (damaged or edited): bad
    input, one line naming the file and what is wrong; nothing in the folder is changed."""


# What a manifest holds, as `sim.experiment.manifest.fresh_manifest` writes it: key -> (type, what
# it is). Format 2 (`FORMAT_VERSION`) adds the sha256 of every file and the engines used.
_MANIFEST_SHAPE = {
    "format_version": (int, "an integer"),
    "status": (str, "a text"),
    "experiment": (dict, "an object with name, path, sha256 and content"),
    "overrides": (dict, "an object"),
    "plan": (dict, "an object with n_chunks"),
    "chunks_complete": (list, "a list of chunk numbers"),
}
_FORMAT_2_SHAPE = {
    "files": (dict, "an object of file names and their sha256"),
    "engine_history": (list, "a list of the engines used"),
}


def read_manifest(out: Path) -> dict:
    """The parsed DIR/manifest.json, checked to be a manifest `commons run` writes.

    Raises:
        DamagedManifest: the file is not UTF-8 JSON, or not an object with the keys and types a
            manifest has (one line naming the file and what is wrong).
        OSError: the file cannot be read.
    """
    path = Path(out) / MANIFEST
    raw = path.read_bytes()
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        problem = f"byte 0x{raw[exc.start]:02x} at position {exc.start} is not UTF-8 text"
        raise _damaged(path, problem) from None
    except json.JSONDecodeError as exc:
        problem = "is empty" if not raw.strip() else f"is not valid JSON ({exc})"
        raise _damaged(path, problem) from None
    except RecursionError:
        raise _damaged(path, "is not valid JSON (nested too deeply)") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise _damaged(path, problem)
    return manifest


def _damaged(path: Path, problem: str) -> DamagedManifest:
    return DamagedManifest(
        f"{path}: {problem}; allowed: a manifest.json as commons run writes it (this one is "
        "damaged or was edited: restore it, run the experiment into another folder, or start "
        "over with --force)"
    )


def _manifest_problem(manifest: object) -> str | None:
    """What makes `manifest` (parsed JSON) not a manifest, as a phrase; None if it is one."""
    if not isinstance(manifest, dict):
        return f"holds a JSON {_json_type(manifest)}, not an object"
    shape = dict(_MANIFEST_SHAPE)
    if _is_int(manifest.get("format_version")) and manifest["format_version"] >= 2:
        shape |= _FORMAT_2_SHAPE
    missing = [key for key in shape if key not in manifest]
    if missing:
        return "has no " + ", ".join(missing)
    for key, (kind, what) in shape.items():
        value = manifest[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            return f"{key} is a JSON {_json_type(value)}; a manifest's {key} is {what}"
    for key in ("name", "path", "sha256", "content"):
        if not isinstance(manifest["experiment"].get(key), str):
            return f"experiment.{key} is missing or not a text"
    return _values_problem(manifest)


def _values_problem(manifest: dict) -> str | None:
    """What in a manifest of the right shape holds a value `commons run` never writes."""
    if manifest["format_version"] < 1:  # a newer format is not damage: its readers say so
        return f"format_version {manifest['format_version']} is not a format (1 or more)"
    n_chunks = manifest["plan"].get("n_chunks")
    if not _is_int(n_chunks) or n_chunks < 1:
        return "plan.n_chunks is missing or not a whole number of at least 1"
    if not all(_is_int(k) and 0 <= k < n_chunks for k in manifest["chunks_complete"]):
        return f"chunks_complete holds something other than chunk numbers 0 to {n_chunks - 1}"
    files = manifest.get("files", {})
    if not all(isinstance(v, str) for v in files.values()):
        return "files holds something other than sha256 texts"
    outside = [k for k in files if k.startswith("/") or ".." in k.split("/")]
    if outside:
        return f"files names {outside[0]!r}, outside the results folder"
    for key, value in manifest["overrides"].items():
        if key in ("replicates", "chunk_size") and not (_is_int(value) and value >= 1):
            return f"overrides.{key} is {value!r}, not a whole number of at least 1"
    place = manifest.get("place_file")
    if place is not None and not (
        isinstance(place, dict) and all(isinstance(place.get(k), str) for k in ("path", "content"))
    ):
        return "place_file is not an object with the place file's path and content"
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type(value: object) -> str:
    """The JSON name of a parsed value's type."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return names.get(type(value), "number")


def relative(out: Path, path: Path) -> str:
    """A file's path inside the results folder, with forward slashes (the manifest's keys)."""
    return Path(path).relative_to(out).as_posix()


def damaged_files(out: Path, manifest: dict, paths) -> list[str]:
    """Those of `paths` (inside `out`) that are missing or whose sha256 differs from the manifest's.

    A file the manifest records no hash for counts as damaged: it was not written by this run.
    """
    recorded = manifest.get("files", {})
    bad = []
    for path in paths:
        key = relative(out, path)
        if not Path(path).is_file() or recorded.get(key) != file_sha256(path):
            bad.append(key)
    return bad


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
