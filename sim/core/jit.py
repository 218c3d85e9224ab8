"""Point numba's on-disk cache at a folder keyed by a hash of the compiled modules' sources.

numba checks only the timestamp of the file a cached function lives in, so a kernel cached in
kernel.py would keep stale copies of the submodels it inlines after submodels.py changes. Keying
the folder by those modules' sources makes any change to them start a fresh cache. Imported first by `sim`.
"""

import hashlib
import os
from pathlib import Path

import numba

_SIM = Path(__file__).resolve().parent.parent


def compiled_sources() -> list[Path]:
    """The files whose compiled functions (or the constants they freeze in) the cache holds."""
    return sorted((_SIM / "core").rglob("*.py")) + [_SIM / "engine" / "kernel.py"]


def _source_hash() -> str:
    digest = hashlib.sha256()
    for path in compiled_sources():
        digest.update(path.relative_to(_SIM).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def configure() -> Path:
    base = os.environ.get("CARE_COMMONS_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "care-commons" / "numba"
    folder = root / _source_hash()
    folder.mkdir(parents=True, exist_ok=True)
    numba.config.CACHE_DIR = str(folder)
    return folder


CACHE_DIR = configure()
