"""Point numba's on-disk cache at a folder keyed by a hash of the compiled modules' sources.

numba checks only the timestamp of the file a cached function lives in, so a kernel cached in
kernel.py would keep stale copies of the submodels it inlines after submodels.py changes. Keying
the folder by those modules' sources makes any change to them start a fresh cache. Imported first by `sim`.
"""

import hashlib
import os
from pathlib import Path

import numba

# The modules that define compiled functions or the constants they freeze in.
COMPILED_MODULES = (
    "constants.py",
    "params.py",
    "rules.py",
    "rng.py",
    "world.py",
    "submodels.py",
    "measures.py",
    "kernel.py",
)


def _source_hash() -> str:
    digest = hashlib.sha256()
    for name in COMPILED_MODULES:
        digest.update(name.encode())
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:16]


def configure() -> Path:
    base = os.environ.get("CARE_COMMONS_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "care-commons" / "numba"
    folder = root / _source_hash()
    folder.mkdir(parents=True, exist_ok=True)
    numba.config.CACHE_DIR = str(folder)
    return folder


CACHE_DIR = configure()
