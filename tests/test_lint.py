"""The code is `ruff check` and `ruff format` clean (the project's style rule)."""

import re
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


def test_no_test_imports_from_conftest():
    # `from conftest import x` binds whichever conftest.py pytest imported first (tests/mechanisms
    # has its own), so it failed CI in one collection order; shared helpers live in plain modules.
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if re.search(r"^\s*(from conftest import|import conftest)", path.read_text(), re.M)
    ]
    assert not offenders, f"import helpers from a plain module, not conftest: {offenders}"
