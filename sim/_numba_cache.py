"""Point numba's on-disk cache at a folder keyed by a hash of this package's sources.

numba checks only the timestamp of the file a cached function lives in, so a kernel cached in
kernel.py would keep stale copies of the submodels it inlines after submodels.py changes. Keying
the folder by every source file makes any change start a fresh cache. Imported first by `sim`.
"""

import hashlib
import os
from pathlib import Path

import numba


def _source_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
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
