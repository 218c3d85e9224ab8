"""What a results folder's manifest records, and whether a folder may be resumed.

`fresh_manifest` describes a new run (the experiment text and its sha256, the plan, the model's
source hash, the package versions, and then the sha256 of every data file as it is written);
`prepare_folder` refuses a folder that is not a results folder, or whose manifest does not match
the format, the experiment, the overrides, the model or the design.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import platform
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.jit import _source_hash
from sim.experiment.checker import ExperimentError
from sim.experiment.spec import Experiment
from sim.experiment.store import (
    FORMAT_VERSION,
    HOLDER_NAME,
    MANIFEST,
    is_lock_file,
    read_manifest,
)

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


def now() -> str:
    """The current UTC time, to the second (ISO 8601)."""
    return _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")


def versions() -> dict[str, str]:
    """Python's version and that of every package the results depend on."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def model_hash() -> str:
    """Hash of the compiled model's sources (changes whenever the model does)."""
    return _source_hash()


def fresh_manifest(exp: Experiment) -> dict:
    """The manifest of a new run of `exp`: nothing complete yet."""
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
        "place_file": None if exp.place_system is None else exp.place_system.record(),
        "plan": {
            "scenario": exp.scenario,
            "rules": [
                {"name": rs.name, "spec": spec, "levers": rs.levers()}
                | _schedule_record(exp.schedules.get(rs.name))
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
            "uncertainty": _uncertainty_record(exp.uncertainty),
        },
        "model_hash": model_hash(),
        "versions": versions(),
        "engine_history": [],
        "started": now(),
        "finished": None,
        "chunks_complete": [],
        "files": {},  # sha256 of every data file, by its path inside the folder
    }


def _uncertainty_record(unc) -> dict | None:
    """The priors drawn (every field) and how replicates map to draws (None: no `[uncertainty]`)."""
    if unc is None:
        return None
    return {
        "seeds_per_draw": unc.seeds_per_draw,
        "draws": f"replicate j uses prior draw j // {unc.seeds_per_draw} and run key j",
        "priors": [dataclasses.asdict(p) for p in unc.priors],
    }


def _schedule_record(schedule) -> dict:
    """A policy schedule's steps with every lever (nothing for fixed rules)."""
    if schedule is None:
        return {}
    return {"schedule": [{"month": m, "levers": rs.levers()} for m, rs in schedule.steps]}


class StaleResults(ExperimentError):
    """The folder holds results of another version of the model or of the experiment file (or of
    an older format, or design points this version makes differently): resuming would mix them,
    and `commons run --restart-stale` starts over instead. A different command-line option or
    place file is a plain `ExperimentError`: a typo must not cost a finished run.

    Attributes:
        reason: What changed, as a phrase (the message is `"{out}: {reason}; {advice}"`).
    """

    def __init__(self, out: Path, reason: str, advice: str = "use --force to start over"):
        self.reason = reason
        super().__init__(f"{out}: {reason}; {advice}")


def check_resume(exp: Experiment, out: Path, manifest: dict) -> None:
    """Refuse to resume when the folder holds another experiment's results (another name: never
    `StaleResults`, so `--restart-stale` cannot start them over), when the format is not this
    version's, or the file, the place file, the options, the model or the design points changed
    (`StaleResults` for the format when older, the file, the model and the points;
    `ExperimentError` otherwise). `manifest` is one `read_manifest` checked."""
    elsewhere = "use --force to start over, or --out to write elsewhere"
    old = manifest["experiment"]
    if old["name"] != exp.name:  # another experiment's results: never started over for this one
        raise ExperimentError(
            f"{out}: this folder holds the results of experiment {old['name']!r} (from "
            f"{old['path']}), not of {exp.name!r} ({exp.path}); choose another --out for "
            f"{exp.name!r}"
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        reason = f"these results were written in format {version}, this version writes format "
        reason += str(FORMAT_VERSION)
        if isinstance(version, int) and version < FORMAT_VERSION:
            raise StaleResults(out, reason, elsewhere)
        raise ExperimentError(f"{out}: {reason}; {elsewhere}")
    if old["sha256"] != exp.sha256:
        raise StaleResults(
            out,
            f"the experiment file of {exp.name!r} has changed since these results were started "
            f"({old['path']}, sha256 {old['sha256'][:12]}... in the manifest; {exp.path}, "
            f"{exp.sha256[:12]}... now)",
            elsewhere,
        )
    place = None if exp.place_system is None else exp.place_system.sha256
    if (manifest.get("place_file") or {}).get("sha256") != place:
        raise ExperimentError(
            f"{out}: the place file has changed since these results were started; {elsewhere}"
        )
    if manifest.get("overrides", {}) != exp.overrides:
        raise ExperimentError(
            f"{out}: these results were started with options {manifest.get('overrides')}, now "
            f"{exp.overrides}; use the same --replicates/--chunk-size to resume, or --force"
        )
    if manifest.get("model_hash") != model_hash():
        raise StaleResults(
            out,
            f"the model has changed since these results were started (model hash "
            f"{manifest.get('model_hash')} in the manifest, {model_hash()} now)",
            "resuming would mix two versions of the model; use --force to start over",
        )
    points = out / "points.parquet"
    if points.exists():
        stored = pd.read_parquet(points)
        now = exp.point_table()
        if stored.shape != now.shape or not np.array_equal(
            stored.to_numpy(dtype=float), now.to_numpy(dtype=float)
        ):
            raise StaleResults(
                out,
                "the design points differ from those stored in points.parquet (a different "
                "SALib/SciPy version?)",
            )


def check_path(out: Path) -> None:
    """Refuse an --out that is a file, or that cannot be made because a file stands above it."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"--out {out} exists and is not a folder; choose a folder")
    above = next((p for p in out.parents if p.exists()), None)
    if not out.exists() and above is not None and not above.is_dir():
        raise ExperimentError(
            f"--out {out}: {above} is a file, not a folder, so {out} cannot be made; choose "
            "another --out"
        )


def check_target(out: Path) -> None:
    """Refuse an --out that is a file, or a non-empty folder that is not a results folder."""
    out = Path(out)
    check_path(out)
    stray = out.is_dir() and not all(is_lock_file(p.name) for p in out.iterdir())
    if stray and not (out / MANIFEST).is_file():
        raise ExperimentError(
            f"--out {out} exists, is not empty and holds no {MANIFEST}: not a results folder; "
            "refusing to write into it (choose another --out)"
        )


def check_target_before_lock(out: Path) -> None:
    """`check_target` for a command that has not taken the folder's lock yet: a folder whose lock
    is held (its holder is recorded) may show that run's files before its manifest, so it is left
    to the lock, which says who holds it (and, once taken, the check is made again under it)."""
    if not (Path(out) / HOLDER_NAME).is_file():
        check_target(out)


def prepare_folder(exp: Experiment, out: Path, force: bool) -> dict | None:
    """Check the folder (held under its lock) for a fresh run or a resume.

    Returns the manifest to resume, or None for a fresh run.
    """
    out = Path(out)
    check_target(out)
    if (out / MANIFEST).is_file() and not force:
        try:
            manifest = read_manifest(out)  # a damaged one: DamagedManifest, bad input
        except OSError as exc:
            raise ExperimentError(
                f"{out}/{MANIFEST} is unreadable ({exc.strerror or exc}); use --force to start over"
            ) from None
        check_resume(exp, out, manifest)
        return manifest
    return None


def check_resumable_before_lock(
    exp: Experiment, out: Path, force: bool, restart_stale: bool
) -> None:
    """`prepare_folder`'s refusals, before the lock is taken (so that `commons run` prints a
    refusal alone, not after the plan). A folder whose lock is held is left to the lock, and the
    checks are made again under it; a folder `restart_stale` would start over passes."""
    out = Path(out)
    if (out / HOLDER_NAME).is_file():
        return
    try:
        prepare_folder(exp, out, force)
    except StaleResults:
        if not restart_stale:
            raise
