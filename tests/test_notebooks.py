"""Every notebook in notebooks/ runs top to bottom at the small size (CARE_COMMONS_NOTEBOOK_SCALE).

The kernel is the "python3" kernel of the environment running the tests: jupyter_client starts the
native kernel with `sys.executable`, so under `make test` it is the project's .venv python (checked
by `test_kernel_is_this_environment`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

NOTEBOOKS_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
# Seconds any one cell may run: against a hang (nbclient then fails the notebook with a
# CellTimeoutError naming the limit), never a measure of speed; a cold numba cache compiles for a
# minute or two on first use.
CELL_TIMEOUT = 600
# Appended to each notebook that sizes its runs with notebook_scale(): prints the sizes it used.
SIZE_PROBE = "import json as _json; print(_json.dumps(SIZE))"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def warm_numba_cache():
    """Compile (or load from the on-disk cache) the kernel once, before the first notebook (so
    no notebook cell spends its time limit compiling)."""
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


def _sizes_used(executed: nbformat.NotebookNode) -> dict:
    """The run sizes SIZE_PROBE printed (the notebook's last cell)."""
    probe = executed.cells[-1]
    assert probe.source == SIZE_PROBE
    printed = "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")
    return json.loads(printed)


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
def test_notebook_runs(path, monkeypatch):
    from sim.validation.scales import SCALES

    nb = nbformat.read(path, as_version=4)
    # Stored without outputs, so the repository stays light and diffs stay readable.
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.get("outputs"), f"{path.name} is stored with outputs"
    # Readable as a lesson: prose between the code.
    kinds = [c.cell_type for c in nb.cells]
    assert kinds[0] == "markdown"
    assert kinds.count("markdown") >= max(3, kinds.count("code") // 3)
    sized = any("SIZE = notebook_scale()" in c.source for c in nb.cells if c.cell_type == "code")
    if sized:
        nb.cells.append(new_code_cell(SIZE_PROBE))
    _execute(nb, monkeypatch)
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert not errors
    if sized:  # it ran at the small size the tests ask for, not the default (medium)
        assert _sizes_used(nb) == {"scale": "small", **SCALES["small"]}
