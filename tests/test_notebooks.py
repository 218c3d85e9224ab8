"""Every notebook in notebooks/ runs top to bottom at the small size (CARE_COMMONS_NOTEBOOK_SCALE).

The kernel is the "python3" kernel of the environment running the tests: jupyter_client starts the
native kernel with `sys.executable`, so under `make test` it is the project's .venv python (checked
by `test_kernel_is_this_environment`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 600  # seconds; a cold numba cache compiles for a minute or two on first use
# Seconds for all notebooks together with a warm cache: a guard against a notebook that grows
# past "small", generous enough that a busy 2-core machine (tests run two at a time) passes.
BUDGET = 360.0

pytestmark = pytest.mark.slow
# Each notebook is executed once per session, by whichever test needs it first, so the tests do
# not depend on the order in which they run: notebook name -> (executed notebook, seconds).
_executed: dict[str, tuple[nbformat.NotebookNode, float]] = {}


@pytest.fixture(scope="module", autouse=True)
def warm_numba_cache():
    """Compile (or load from the on-disk cache) the kernel once, before any notebook is timed."""
    from sim import run_many

    for scenario in ("place_system", "classroom_commons", "public_goods"):
        run_many("fortress", scenario=scenario, replicates=1, months=2, series=True)


def _execute(nb, monkeypatch) -> None:
    monkeypatch.setenv("CARE_COMMONS_NOTEBOOK_SCALE", "small")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
    )
    client.execute()


def _run_notebook(path: Path) -> tuple[nbformat.NotebookNode, float]:
    """Execute the notebook at `path` (once per session) and return it with its running time."""
    if path.name not in _executed:
        nb = nbformat.read(path, as_version=4)
        with pytest.MonkeyPatch.context() as monkeypatch:
            start = time.perf_counter()
            _execute(nb, monkeypatch)
            _executed[path.name] = (nb, time.perf_counter() - start)
    return _executed[path.name]


def test_there_are_notebooks():
    names = {p.name for p in NOTEBOOKS}
    for expected in (
        "01_quickstart.ipynb",
        "02_fortress_vs_shared.ipynb",
        "03_design_principles_ablation.ipynb",
        "04_classroom_commons.ipynb",
        "05_validation.ipynb",
        "06_your_place.ipynb",
        "07_researchers_uncertainty.ipynb",
        "08_classroom_session.ipynb",
    ):
        assert expected in names


def test_kernel_is_this_environment(monkeypatch):
    nb = new_notebook(cells=[new_code_cell("import sys; print(sys.executable)")])
    _execute(nb, monkeypatch)
    printed = nb.cells[0].outputs[0]["text"].strip()
    assert Path(printed).resolve() == Path(sys.executable).resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path):
    nb = nbformat.read(path, as_version=4)
    # Stored without outputs, so the repository stays light and diffs stay readable.
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs"), f"{path.name} is stored with outputs"
    # Readable as a lesson: prose between the code.
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown"
    assert kinds.count("markdown") >= max(3, kinds.count("code") // 3)
    executed, _ = _run_notebook(path)
    errors = [
        out
        for cell in executed.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors


def test_notebooks_within_budget():
    times = {path.name: _run_notebook(path)[1] for path in NOTEBOOKS}
    total = sum(times.values())
    assert total < BUDGET, f"notebooks took {total:.0f} s: {times}"
