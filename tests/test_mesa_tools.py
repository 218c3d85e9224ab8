"""The model works with Mesa's own tools unchanged: batch_run (horizon, steps, agent rows,
replicates), SolaraViz, pickling and copying, and an import that leaves the start method alone."""

import copy
import pickle
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import mesa
import numpy as np
import pandas as pd
import pytest

from sim import CareSystem, ParameterError

ROOT = Path(__file__).resolve().parents[1]


def test_mesa_batch_run_gives_each_models_own_run():
    results = mesa.batch_run(
        CareSystem,
        parameters={"rules": ["fortress", "shared_governance"], "seed": [1, 2]},
        max_steps=6,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert {(row["rules"], row["seed"]) for row in results} == {
        (rules, seed) for rules in ("fortress", "shared_governance") for seed in (1, 2)
    }
    # Each row holds the last month of the model batch_run built: the same as building it here.
    for row in results:
        model = CareSystem(rules=row["rules"], seed=row["seed"]).run_for(6)
        last = model.datacollector.get_model_vars_dataframe().iloc[-1]
        for name in ("population_health", "pool_balance", "mean_cooperation"):
            assert row[name] == last[name], (row["rules"], row["seed"], name)
    health = {row["rules"]: row["population_health"] for row in results if row["seed"] == 1}
    assert health["fortress"] != health["shared_governance"]


def test_solara_viz_renders_a_plot_of_the_model():
    """Mesa's SolaraViz takes the model as it is: rendering the page draws one chart per
    component from this model's DataCollector (another model's runs draw other charts, the same
    runs the same ones). SolaraViz's Reset rebuilds the model as `model.__class__(**model_params)`
    (mesa.visualization.solara_viz, `do_reset`); what that needs of the model, that those
    parameters alone replay its run, is checked here (clicking the button itself is not: it sits
    in the page's sidebar, outside what `solara.render` returns)."""
    import solara
    from mesa.visualization import SolaraViz, make_plot_component
    from solara.widgets import GridLayout

    model_params = {"rules": "fortress", "seed": 1}

    def charts(model) -> list[bytes]:
        components = [
            make_plot_component("population_health"),
            make_plot_component("system_deficit"),
        ]
        page = SolaraViz(model, components=components, model_params=model_params, name="cc")
        _, rendered = solara.render(page, handle_error=False)
        grids = rendered.find(GridLayout).widgets
        assert len(grids) == 1
        return [bytes(chart.value) for chart in grids[0].items]

    model = CareSystem(**model_params).run_for(3)
    drawn = charts(model)
    assert len(drawn) == 2
    for png in drawn:
        # Each component is a matplotlib figure of the model's series, sent as a PNG.
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(png) > 1000
    assert drawn[0] != drawn[1]  # population health and deficit, not one chart twice
    assert charts(CareSystem(**model_params).run_for(3)) == drawn  # the same runs, same charts
    longer = charts(CareSystem(**model_params).run_for(12))
    assert all(a != b for a, b in zip(drawn, longer, strict=True))  # the model's own series
    # What Reset builds, `model.__class__(**model_params)`, replays the run of the model shown.
    rebuilt = model.__class__(**model_params).run_for(3)
    np.testing.assert_array_equal(rebuilt.history, model.history)
    pd.testing.assert_frame_equal(
        rebuilt.datacollector.get_model_vars_dataframe(),
        model.datacollector.get_model_vars_dataframe(),
    )


# ------------------------------------------------------------------ horizon and batch_run
class _Recorded(CareSystem):
    """CareSystem keeping every instance batch_run makes, to look at them afterwards."""

    made: ClassVar[list] = []

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        _Recorded.made.append(self)


def test_batch_run_runs_exactly_the_horizon():
    _Recorded.made = []
    rows = mesa.batch_run(
        _Recorded,
        parameters={"rules": "fortress", "seed": 5, "horizon": [4, 9]},
        max_steps=9,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    assert [(m.horizon, m.month, m.steps, m.running) for m in _Recorded.made] == [
        (4, 4, 4, False),
        (9, 9, 9, False),
    ]
    frame = pd.DataFrame(rows)
    # Mesa 3.3 reports steps 0 .. model.steps - 1 (docs/interoperability.md, "The last month")
    assert sorted(frame.loc[frame["horizon"] == 4, "Step"].unique()) == [0, 1, 2, 3]
    # without a horizon at or below max_steps, Mesa's loop runs max_steps + 1 months
    _Recorded.made = []
    mesa.batch_run(
        _Recorded,
        parameters={"rules": "fortress", "seed": 5},
        max_steps=3,
        number_processes=1,
        display_progress=False,
    )
    assert _Recorded.made[0].month == 4
    assert _Recorded.made[0].running


def test_batch_run_steps_agree_for_model_and_agents():
    """Step k of batch_run's rows is month k (step 0 the initial state), for the model's measures
    and every agent's row alike."""
    rows = mesa.batch_run(
        CareSystem,
        parameters={"rules": "shared_governance", "seed": 6, "horizon": 7},
        max_steps=7,
        number_processes=1,
        data_collection_period=1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    reference = CareSystem(rules="shared_governance", seed=6)
    n_agents = len(reference.agents)
    assert frame.groupby("Step").size().tolist() == [n_agents] * 7
    for step in range(7):
        if step:
            reference.step()
        at = frame[frame["Step"] == step]
        assert (at["population_health"] == reference.current()["population_health"]).all()
        assert (at["mean_cooperation"] == reference.current()["mean_cooperation"]).all()
        trusts = at[at["agent_type"] == "Trust"].set_index("AgentID")
        for trust in reference.trusts:
            assert trusts.loc[trust.unique_id, "cooperation"] == trust.cooperation
            assert trusts.loc[trust.unique_id, "kind"] == trust.kind
        places = at[at["agent_type"] == "Place"].set_index("AgentID")
        assert places["health"].tolist() == [p.health for p in reference.places]
    assert reference.month == 6


def test_agent_reporters_cover_every_agent_type_without_clashing():
    model = CareSystem(rules="fortress", seed=1).run_for(2)
    agents = model.datacollector.get_agent_vars_dataframe()
    assert set(agents.columns).isdisjoint(model.datacollector.model_reporters)
    assert set(agents.index.get_level_values("Step")) == {0, 1, 2}
    last = agents.xs(2, level="Step")
    by_type = last.groupby("agent_type")
    assert by_type.size().to_dict() == {"Commissioner": 3, "Place": 3, "Regulator": 1, "Trust": 16}
    regulator = last[last["agent_type"] == "Regulator"].iloc[0]
    assert regulator.drop("agent_type").isna().all()
    commissioners = last[last["agent_type"] == "Commissioner"]
    assert commissioners["place_pool_balance"].tolist() == [
        c.pool_balance for c in model.commissioners
    ]
    assert commissioners["cooperation"].isna().all()
    trusts = last[last["agent_type"] == "Trust"]
    assert trusts["partner_trust"].tolist() == [t.mean_trust for t in model.trusts]
    assert trusts["breach_record"].tolist() == [t.breaches for t in model.trusts]


def test_replicates_differ_by_run_key_not_by_iteration():
    common = {"max_steps": 5, "number_processes": 1, "display_progress": False}
    same = pd.DataFrame(
        mesa.batch_run(CareSystem, parameters={"seed": 2, "horizon": 5}, iterations=3, **common)
    )
    final = same[same["agent_type"] == "Regulator"]
    assert final["iteration"].tolist() == [0, 1, 2]
    assert final["population_health"].nunique() == 1  # Mesa passes no per-iteration seed
    runs = pd.DataFrame(
        mesa.batch_run(CareSystem, parameters={"seed": 2, "horizon": 5, "run": range(3)}, **common)
    )
    final = runs[runs["agent_type"] == "Regulator"].set_index("run")
    assert final["population_health"].nunique() == 3
    for run in range(3):  # each replicate is CareSystem(seed=2, run=j), reproducibly
        alone = CareSystem(seed=2, run=run).run_for(4)
        assert final.loc[run, "population_health"] == alone.current()["population_health"]


def test_horizon_defaults_and_checks():
    assert CareSystem(seed=1).horizon == 120
    assert CareSystem(seed=1, scenario="classroom_commons").horizon == 40
    assert CareSystem(seed=1, scenario="public_goods").horizon == 10
    model = CareSystem(seed=1, horizon=2)
    model.step()
    assert model.running
    model.step()
    assert not model.running
    model.run_for(3)  # stepping on past the horizon still works
    assert model.month == 5
    for bad, message in ((0, "is out of range"), (2.0, "has type float"), ("12", "has type str")):
        with pytest.raises(ParameterError, match=f"^horizon={bad!r} {message}; allowed: an int"):
            CareSystem(seed=1, horizon=bad)


@pytest.mark.parametrize(
    ("months", "shown", "problem"),
    [
        (-5, "-5", "is out of range"),
        ("12", "'12'", "has type str"),
        (2.5, "2.5", "has type float"),
        (True, "True", "has type bool"),
        (12.0, "12.0", "has type float"),
    ],
)
def test_run_for_refuses_what_is_not_a_count_of_months(months, shown, problem):
    model = CareSystem(seed=1)
    with pytest.raises(ParameterError) as err:
        model.run_for(months)
    assert str(err.value) == f"months={shown} {problem}; allowed: an integer >= 0"
    assert model.month == 0
    assert model.run_for(0).month == 0
    assert model.run_for(np.int64(2)).month == 2


# ------------------------------------------------------------------ pickling and copying
@pytest.mark.parametrize("engine", ["numba", "python"])
def test_pickled_and_copied_models_continue_identically(engine):
    model = CareSystem(rules="shared_governance", seed=8, engine=engine).run_for(20)
    restored = pickle.loads(pickle.dumps(model))
    copied = copy.deepcopy(model)
    # Mesa's own state came across: agents, agent sets, the random generators
    for other in (restored, copied):
        assert other is not model
        assert len(other.agents) == len(model.agents) == 23
        assert all(agent.model is other for agent in other.agents)
        assert {t: len(s) for t, s in other.agents_by_type.items()} == {
            t: len(s) for t, s in model.agents_by_type.items()
        }
        assert other.random.getstate() == model.random.getstate()
        assert other.rng.bit_generator.state == model.rng.bit_generator.state
        assert other.world.balance is not model.world.balance
    copied.run_for(5)  # the copy moves on alone
    assert model.month == 20
    assert copied.month == 25
    for other in (model, restored, copied):
        other.run_for(30 - (other.month - 20))
    for other in (restored, copied):
        np.testing.assert_array_equal(other.history, model.history)
        assert other.summary() == model.summary()
        pd.testing.assert_frame_equal(
            other.datacollector.get_model_vars_dataframe(),
            model.datacollector.get_model_vars_dataframe(),
        )
        pd.testing.assert_frame_equal(
            other.datacollector.get_agent_vars_dataframe(),
            model.datacollector.get_agent_vars_dataframe(),
        )
        assert other.steps == model.steps == 50
        assert [a.unique_id for a in other.agents] == [a.unique_id for a in model.agents]
    # a fresh model of the same seed ran the same 50 months
    np.testing.assert_array_equal(
        CareSystem(rules="shared_governance", seed=8, engine=engine).run_for(50).history,
        model.history,
    )


# ------------------------------------------------------------------ the start method
@pytest.mark.parametrize(
    ("before", "imports"),
    [
        ("", "from sim import CareSystem; CareSystem"),
        ("", "import agents"),
        ("multiprocessing.set_start_method('forkserver')", "import sim.model"),
        ("multiprocessing.set_start_method('fork')", "from sim.model.model import CareSystem"),
    ],
)
def test_importing_the_model_keeps_the_start_method(before, imports):
    code = (
        "import multiprocessing, sys\n"
        f"{before}\n"
        "was = multiprocessing.get_start_method(allow_none=True)\n"
        f"{imports}\n"
        "assert 'mesa.batchrunner' in sys.modules\n"
        "print(was, multiprocessing.get_start_method(allow_none=True))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.returncode == 0, done.stderr
    was, now = done.stdout.split()
    assert now == was
