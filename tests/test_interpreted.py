"""Every function of the model also runs as plain Python, and gives the compiled results to the
bit: the per-agent engine's twins in this process, and the whole kernel with
CARE_COMMONS_INTERPRETED=1 in a subprocess."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

from sim.core import init, jit
from sim.core.submodels import PHASES
from sim.engine.batch import simulate

ROOT = Path(__file__).resolve().parent.parent


def _compiled_names(fn) -> list[str]:
    twin = jit.as_python(fn)
    return [n for n in twin.__code__.co_names if jit.is_compiled(twin.__globals__.get(n))]


def test_python_twins_call_no_compiled_code():
    """The per-agent engine steps through plain Python all the way down (helpers included), from
    building the world to every phase of the month."""
    seen, todo = set(), [phase.fn for phase in PHASES] + [init.world_dims, init.fill_world]
    while todo:
        fn = todo.pop()
        twin = jit.as_python(fn)
        if twin in seen:
            continue
        seen.add(twin)
        assert not _compiled_names(fn), (fn, _compiled_names(fn))
        todo += [
            jit_fn
            for name in twin.__code__.co_names
            if callable(jit_fn := twin.__globals__.get(name)) and hasattr(jit_fn, "__code__")
        ]
    assert len(seen) > len(PHASES)  # helpers were reached


_SCRIPT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from sim.core import jit
    assert jit.INTERPRETED and not hasattr(jit.as_python, "py_func")
    from sim.engine.batch import simulate
    from sim import CareSystem
    data = np.load(sys.argv[1])
    summaries, series = simulate(data["params"], data["levers"], data["worlds"], data["seeds"],
                                 data["runs"], int(data["months"]), series=True)
    model = CareSystem(rules="shared_governance", seed=4, run=1).run_for(int(data["months"]))
    agents = CareSystem(rules="shared_governance", seed=4, run=1, engine="python")
    agents.run_for(int(data["months"]))
    np.savez(sys.argv[2], summaries=summaries, series=series, model=model.history,
             agents=agents.history)
    """
)


def test_interpreted_kernel_equals_compiled(tmp_path):
    from sim.core.params import pack, validate
    from sim.core.rules import PRESETS

    rows = [
        ("place_system", "fortress", {}),
        ("place_system", "shared_governance", {"n_places": 2, "ambulance_per_ics": 0}),
        ("place_system", "canterbury_alliance", {"budget_growth": -0.02}),
        ("classroom_commons", "partnership_board", {}),
        ("public_goods", "success_regime", {}),
    ]
    worlds = {"place_system": 0, "classroom_commons": 1, "public_goods": 2}
    params = np.array([pack(s, validate(s, **kw)) for s, _, kw in rows])
    levers = np.array([PRESETS[name].vector() for _, name, _ in rows])
    inputs = dict(
        params=params,
        levers=levers,
        worlds=np.array([worlds[s] for s, _, _ in rows]),
        seeds=np.arange(len(rows)) * 7919 + 11,
        runs=np.arange(len(rows)),
        months=np.array(14),
    )
    np.savez(tmp_path / "in.npz", **inputs)
    script = tmp_path / "interpreted.py"
    script.write_text(_SCRIPT)
    env = {**os.environ, "CARE_COMMONS_INTERPRETED": "1", "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, str(script), str(tmp_path / "in.npz"), str(tmp_path / "out.npz")],
        check=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )
    out = np.load(tmp_path / "out.npz")
    summaries, series = simulate(
        params, levers, inputs["worlds"], inputs["seeds"], inputs["runs"], 14, series=True
    )
    assert np.array_equal(out["summaries"], summaries)
    assert np.array_equal(out["series"], series)
    from sim import CareSystem

    compiled = CareSystem(rules="shared_governance", seed=4, run=1).run_for(14)
    assert np.array_equal(out["model"], compiled.history)
    assert np.array_equal(out["agents"], compiled.history)
