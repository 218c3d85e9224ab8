"""Every function of the model also runs as plain Python, and gives the compiled results to the
bit: the per-agent engine's twins in this process, and the whole kernel with
CARE_COMMONS_INTERPRETED=1 in a subprocess (on fixed worlds through the batch runner, and on
hypothesis-drawn worlds and rule sets, every measure and the whole state)."""

import os
import pickle
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import clean, place_params, rule_sets
from test_engines import assert_same_bits, assert_same_state

from sim import CareSystem
from sim.core import init, jit
from sim.core.constants import N_MEASURES, N_SUMMARIES
from sim.core.submodels import PHASES
from sim.engine.batch import simulate

ROOT = Path(__file__).resolve().parent.parent
INTERPRETED_ENV = {**os.environ, "CARE_COMMONS_INTERPRETED": "1", "PYTHONPATH": str(ROOT)}


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
    subprocess.run(
        [sys.executable, str(script), str(tmp_path / "in.npz"), str(tmp_path / "out.npz")],
        check=True,
        env=INTERPRETED_ENV,
        cwd=ROOT,
        timeout=600,
    )
    out = np.load(tmp_path / "out.npz")
    summaries, series = simulate(
        params, levers, inputs["worlds"], inputs["seeds"], inputs["runs"], 14, series=True
    )
    assert np.array_equal(out["summaries"], summaries)
    assert np.array_equal(out["series"], series)
    compiled = CareSystem(rules="shared_governance", seed=4, run=1).run_for(14)
    assert np.array_equal(out["model"], compiled.history)
    assert np.array_equal(out["agents"], compiled.history)


# The worker: one interpreted process that runs the kernel on every case the parent sends it.
# Requests and replies are pickles on its stdin and stdout; anything else it prints goes to stderr.
_WORKER = textwrap.dedent(
    """
    import pickle, sys, traceback
    from sim import CareSystem
    from sim.core import jit
    replies, requests = sys.stdout.buffer, sys.stdin.buffer
    sys.stdout = sys.stderr
    # Nothing was compiled: no function of the package, generated modules included, is numba's.
    compiled = [
        f"{name}.{attr}"
        for name, module in list(sys.modules.items())
        if name.startswith(("sim", "agents", "care_commons_generated"))
        for attr, value in vars(module).items()
        if hasattr(value, "py_func")
    ]
    pickle.dump(("ready", (jit.INTERPRETED, compiled)), replies)
    replies.flush()
    while (case := pickle.load(requests)) is not None:
        try:
            months = case.pop("months")
            model = CareSystem(engine="numba", collect=False, **case).run_for(months)
            reply = ("ok", (model.world, model.history, model.summary()))
        except Exception:
            reply = ("error", traceback.format_exc())
        pickle.dump(reply, replies)
        replies.flush()
    """
)
REPLY_TIMEOUT = 300  # seconds; one case takes well under one


class InterpretedKernel:
    """The parent's side of the worker: `run(case)` -> (world, history, summary)."""

    def __init__(self):
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=INTERPRETED_ENV,
            cwd=ROOT,
        )

    def reply(self):
        ready, _, _ = select.select([self.proc.stdout], [], [], REPLY_TIMEOUT)
        if not ready:
            self.proc.kill()
            pytest.fail(f"the interpreted worker gave no reply in {REPLY_TIMEOUT} s")
        try:
            status, value = pickle.load(self.proc.stdout)
        except EOFError:
            pytest.fail(f"the interpreted worker died (exit code {self.proc.wait(10)})")
        if status == "error":
            pytest.fail(f"the interpreted kernel raised:\n{value}")
        return value

    def run(self, case: dict):
        pickle.dump(case, self.proc.stdin)
        self.proc.stdin.flush()
        return self.reply()

    def close(self):
        if self.proc.poll() is None:
            pickle.dump(None, self.proc.stdin)
            self.proc.stdin.close()
            self.proc.wait(60)


@pytest.fixture(scope="module")
def interpreted_kernel():
    worker = InterpretedKernel()
    try:
        interpreted, compiled = worker.reply()
        assert interpreted, "CARE_COMMONS_INTERPRETED=1 did not reach the worker"
        assert not compiled, compiled
        yield worker
    finally:
        worker.close()


RANDOM_MONTHS = 36
RANDOM_EXAMPLES = 200


@st.composite
def kernel_cases(draw):
    """One run: a scenario (the NHS place system with every parameter drawn by `place_params`, or
    a laboratory game with its group size drawn), a rule set drawn by `rule_sets` or a policy
    schedule of two (the second adopted at a drawn month), a seed and a run key."""
    scenario = draw(st.sampled_from(("place_system", "classroom_commons", "public_goods")))
    if scenario == "place_system":
        params = clean(draw(place_params()))
    else:
        params = {"n_appropriators": draw(st.integers(2, 12))}
    rules = draw(rule_sets())
    switch = draw(st.none() | st.integers(1, RANDOM_MONTHS - 1))
    if switch is not None:
        rules = [(0, rules), (switch, draw(rule_sets()))]
    seed, run = draw(st.integers(0, 2**40)), draw(st.integers(0, 2**20))
    return dict(scenario=scenario, rules=rules, seed=seed, run=run, **params)


@settings(max_examples=RANDOM_EXAMPLES, deadline=None, derandomize=True, database=None)
@given(case=kernel_cases())
def test_interpreted_kernel_equals_compiled_on_random_worlds(interpreted_kernel, case):
    """The kernel compiled here and run as plain Python in one CARE_COMMONS_INTERPRETED=1 worker
    process agree to the bit on every measure of every month, the summary and the whole state
    (every field of FIELDS) after RANDOM_MONTHS months, on drawn worlds and rule sets.

    Design: hypothesis draws the cases here (derandomized and without its example database, so
    every run tries the same RANDOM_EXAMPLES cases, and a failure shrinks and reports as usual);
    the module's one worker process (started once: its start-up costs more than a case) builds
    and runs each case with the kernel in plain Python, and sends back its `World`, history and
    summary; the same case runs compiled (`CareSystem(engine="numba")`, i.e. `kernel.step` over
    the compiled `WorldRef`) in this process. The worker first shows that no function of the
    package was compiled. Small worlds (at most 2 systems of 3 places) keep a case to about 10-80
    ms (both engines), so the 200 cases take under 10 s once the compiled cache is warm.
    """
    world, history, summary = interpreted_kernel.run({**case, "months": RANDOM_MONTHS})
    compiled = CareSystem(engine="numba", collect=False, **case).run_for(RANDOM_MONTHS)
    assert compiled.history.shape == (RANDOM_MONTHS, N_MEASURES)
    assert_same_bits(compiled.history, history, "measures")
    assert len(summary) == N_SUMMARIES
    assert list(summary) == list(compiled.summary())
    assert_same_bits(
        np.array(list(compiled.summary().values())), np.array(list(summary.values())), "summary"
    )
    assert_same_state(compiled.world, world)
