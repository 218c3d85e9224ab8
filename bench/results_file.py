"""bench/results.json: each benchmark writes its figures under its own key, the others kept."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results.json"


def merge(key: str, figures: dict) -> None:
    """Read bench/results.json, set `key`, write it back atomically (a file that is not JSON
    starts afresh)."""
    data = {}
    if RESULTS.exists():
        try:
            data = json.loads(RESULTS.read_text())
        except json.JSONDecodeError:
            data = {}
    data[key] = figures
    fd, tmp = tempfile.mkstemp(dir=RESULTS.parent, suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, RESULTS)
