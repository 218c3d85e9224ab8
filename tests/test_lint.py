"""The code is `ruff check` and `ruff format` clean (the project's style rule)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUFF = Path(sys.executable).parent / "ruff"


@pytest.mark.parametrize("args", [["check", "."], ["format", "--check", "."]])
def test_ruff_is_clean(args):
    if not RUFF.exists():
        pytest.fail(f"ruff not found at {RUFF}; run `make .venv`")
    done = subprocess.run([str(RUFF), *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
