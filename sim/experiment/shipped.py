"""The experiment files shipped with the package, found through `importlib.resources`.

In the source tree they live in the top-level `experiments/` folder; `sim/experiment/shipped` is a
symbolic link to it, so the same files are package data of `sim.experiment` and a wheel (or any
non-editable install) carries them as `sim/experiment/shipped/*.toml`.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SHIPPED = "shipped"  # the package-data folder of sim.experiment holding the shipped files


def _folder() -> Path:
    folder = resources.files("sim.experiment") / SHIPPED
    # Installed packages are plain folders (pip unpacks wheels); a zipped install is not supported.
    return Path(str(folder))


def shipped_experiments() -> list[Path]:
    """The shipped experiment files (fortress_vs_shared.toml, ...), sorted by name."""
    folder = _folder()
    return sorted(folder.glob("*.toml")) if folder.is_dir() else []


def find_experiment(name_or_path: str | Path) -> Path:
    """An experiment file: `name_or_path` if it exists, else the shipped experiment of that name
    (`fortress_vs_shared` or `fortress_vs_shared.toml`); else `name_or_path` unchanged (so reading
    it reports the missing file)."""
    path = Path(name_or_path)
    if path.exists() or len(path.parts) != 1:
        return path
    stem = path.name.removesuffix(".toml")
    for shipped in shipped_experiments():
        if shipped.stem == stem:
            return shipped
    return path


def shipped_place_file(name: str) -> Path:
    """A shipped place file (`illustrative_ics.toml`), from the `places/` folder beside the
    shipped experiments (docs/place_files.md)."""
    return _folder() / "places" / name
