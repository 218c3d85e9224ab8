"""The recipes of docs/interoperability.md run as written, and give what the text says.

Each ```python block runs on its own in a fresh namespace (a block whose first line is
`# script: NAME` runs as a separate Python process, as a user would run the file); the tests then
check the names each recipe leaves behind.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import PARAMETERS, SUMMARIES

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "interoperability.md"
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _blocks() -> list[str]:
    return BLOCK.findall(DOC.read_text())


def _block(first_words: str) -> str:
    """The one block containing `first_words`."""
    found = [code for code in _blocks() if first_words in code]
    assert len(found) == 1, f"{len(found)} blocks contain {first_words!r}"
    return found[0]


def _run(code: str) -> dict:
    namespace = {"__name__": "__recipe__"}
    exec(compile(code, str(DOC), "exec"), namespace)
    return namespace


def test_every_block_is_covered_below():
    markers = [
        "variants = [",
        'names=["budget_growth", "n_places"]',
        "sobol.analyze",
        "SequentialEvaluator(model)",
        "# script: ema_parallel.py",
        "mesa.batch_run(",
        "pickle.dumps(model)",
    ]
    assert len(_blocks()) == len(markers)
    for marker in markers:
        _block(marker)


def test_lever_grid_with_pandas():
    ns = _run(_block("variants = ["))
    runs, table = ns["runs"], ns["table"]
    assert runs["rules"].nunique() == 4 == len(runs) // 4
    assert "shared_governance[monitoring=0.2, sanction_severity=0.3]" in set(runs["rules"])
    assert table.index.names == ["lever_monitoring", "lever_sanction_severity"]
    assert len(table) == 4
    # each cell is the mean of its policy's own runs
    for (m, s), value in table.items():
        own = runs[(runs["lever_monitoring"] == m) & (runs["lever_sanction_severity"] == s)]
        assert own["rules"].nunique() == 1
        assert value == pytest.approx(own["mean_cooperation"].mean())


def test_named_array_points_round_integers():
    ns = _run(_block('names=["budget_growth", "n_places"]'))
    runs = ns["runs"]
    used = runs[["point", "budget_growth", "n_places"]].drop_duplicates()
    assert used["n_places"].tolist() == [2, 4]
    assert used["budget_growth"].tolist() == [0.01, 0.03]


def test_salib_recipe():
    ns = _run(_block("sobol.analyze"))
    problem, X, runs, Y, Si = ns["problem"], ns["X"], ns["runs"], ns["Y"], ns["Si"]
    assert X.shape == (16 * (3 + 2), 3)
    assert len(Y) == len(X)
    assert np.isfinite(Y).all()
    assert runs["point"].nunique() == len(X)
    # the counts were rounded to the nearest, and the frame records what ran
    n_places = runs.groupby("point")["n_places"].first().to_numpy()
    np.testing.assert_array_equal(n_places, np.floor(X[:, 2] + 0.5).astype(int))
    assert len(Si["ST"]) == 3
    assert np.isfinite(Si["ST"]).all()
    assert set(runs.columns) >= set(problem["names"]) | set(SUMMARIES)


def test_ema_workbench_sequential_and_prim():
    ns = _run(_block("SequentialEvaluator(model)"))
    experiments, outcomes, box = ns["experiments"], ns["outcomes"], ns["box"]
    assert len(experiments) == 16 * 2
    assert experiments["n_places"].between(1, 4).all()
    assert set(outcomes) == {"population_health", "system_deficit"}
    # one experiment, recomputed by hand, gives the outcome the workbench recorded
    row = experiments.iloc[5]
    again = ns["care_commons"](
        budget_growth=row["budget_growth"],
        n_places=int(row["n_places"]),
        monitoring=row["monitoring"],
        months=36,
    )
    assert again["system_deficit"] == outcomes["system_deficit"][5]
    assert set(box.box_lim.columns) <= {"budget_growth", "n_places", "monitoring"}
    assert 0.0 < box.coverage <= 1.0
    assert 0.0 < box.density <= 1.0


def test_ema_workbench_multiprocessing_script(tmp_path):
    code = _block("# script: ema_parallel.py")
    assert 'if __name__ == "__main__":' in code
    script = tmp_path / "ema_parallel.py"
    script.write_text(code)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("8 experiments; mean deficit ")
    assert "Terminating" not in done.stderr


def test_mesa_batch_run_recipe():
    ns = _run(_block("mesa.batch_run("))
    frame, last = ns["frame"], ns["last"]
    assert isinstance(frame, pd.DataFrame)
    # 2 rule sets x 3 runs; steps 0..11 (Mesa 3.3 leaves out the last collection, see the text)
    assert frame.groupby(["rules", "run"]).ngroups == 6
    assert sorted(frame["Step"].unique()) == list(range(12))
    assert set(frame["agent_type"]) == {"Place", "Commissioner", "Regulator", "Trust"}
    # the three runs of one rule set differ
    spread = last.groupby(["rules", "run"])["cooperation"].mean().groupby("rules").nunique()
    assert (spread == 3).all()


def test_pickle_recipe():
    ns = _run(_block("pickle.dumps(model)"))
    assert ns["resumed"].month == ns["model"].month == 30


def test_the_integer_parameters_named_in_the_text_are_integer_parameters():
    text = DOC.read_text()
    integers = {p.name for p in PARAMETERS if p.kind is int}
    named = re.search(r"\*\*Integer parameters\*\* \(counts: (.*?)\)", text, re.DOTALL)[1]
    listed = re.findall(r"`(\w+)`", named)
    assert len(listed) >= 4
    assert set(listed) <= integers
