"""Policy schedules: rules that change at a chosen month, the same in `run_many`, in `CareSystem`
(both engines) and by hand with `set_rules`; money conserved across the change."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import clean, place_params, rule_sets
from test_model import _step_and_check_money

from sim import CareSystem, ParameterError, run_many
from sim.core.rules import PRESETS
from sim.core.schedule import Schedule, as_schedule

SWITCH = [(0, "fortress"), (12, "shared_governance")]


def test_a_schedule_of_one_step_is_the_rule_set_itself():
    fixed = run_many(["fortress", "shared_governance"], replicates=4, months=24)
    scheduled = run_many([[(0, "fortress")], [(0, "shared_governance")]], replicates=4, months=24)
    assert list(scheduled["rules"].unique()) == ["fortress", "shared_governance"]
    assert "switch_month" not in scheduled
    np.testing.assert_array_equal(fixed.to_numpy(), scheduled.to_numpy())


def test_the_switch_happens_after_the_given_month():
    plain = CareSystem(rules="fortress", seed=3).run_for(30)
    switched = CareSystem(rules=SWITCH, seed=3).run_for(30)
    np.testing.assert_array_equal(plain.history[:12], switched.history[:12])  # months 1..12
    assert not np.array_equal(plain.history[12], switched.history[12])  # month 13 differs
    assert switched.rules == PRESETS["shared_governance"]


@pytest.mark.parametrize("engine", ["numba", "python"])
def test_run_many_care_system_and_set_rules_agree(engine):
    batch = run_many([SWITCH], replicates=2, months=30, seed=5, series=True)[1]
    for rep in (0, 1):
        scheduled = CareSystem(rules=SWITCH, seed=5, run=rep, engine=engine).run_for(30)
        by_hand = CareSystem(rules="fortress", seed=5, run=rep, engine=engine).run_for(12)
        by_hand.set_rules("shared_governance")
        by_hand.run_for(18)
        np.testing.assert_array_equal(scheduled.history, by_hand.history)
        rows = batch[batch["replicate"] == rep]
        measures = rows.drop(columns=["rules", "point", "replicate", "month"])
        np.testing.assert_array_equal(measures.to_numpy(), scheduled.history)
        assert by_hand.schedule.name == "fortress>shared_governance@12"


def test_membership_is_redecided_under_the_new_breadth():
    model = CareSystem(rules=SWITCH, seed=1).run_for(12)
    before = model.world.org_member.copy()
    model.run_for(1)
    fresh = CareSystem(rules="shared_governance", seed=1)
    assert not np.array_equal(before, fresh.world.org_member)  # the breadths differ
    np.testing.assert_array_equal(model.world.org_member, fresh.world.org_member)


def test_labels_and_switch_month_column():
    frame = run_many([SWITCH, "fortress"], replicates=2, months=18)
    assert list(frame["rules"].unique()) == ["fortress>shared_governance@12", "fortress"]
    assert frame.groupby("rules")["switch_month"].first().to_dict() == {
        "fortress": 0,
        "fortress>shared_governance@12": 12,
    }
    # the lever columns hold the rules in force at the end of each run
    shared = PRESETS["shared_governance"]
    row = frame[frame["rules"] == "fortress>shared_governance@12"].iloc[0]
    assert row["lever_monitoring"] == shared.monitoring


@pytest.mark.parametrize(
    ("steps", "needle"),
    [
        ([(5, "fortress")], "rules[0] month=5"),
        ([(0, "fortress"), (12, "shared_governance"), (12, "fortress")], "rules[2] month=12"),
        ([(0, "fortress"), (-3, "shared_governance")], "rules[1] month=-3"),
        ([(0, "fortress"), (6, "no_such_preset")], "rules[1]"),
    ],
)
def test_bad_schedules_are_refused_in_one_line(steps, needle):
    with pytest.raises(ParameterError) as err:
        as_schedule(steps)
    assert needle in str(err.value)
    assert "\n" not in str(err.value)


def test_schedule_at():
    sched = as_schedule([(0, "fortress"), (24, "partnership_board"), (60, "shared_governance")])
    assert isinstance(sched, Schedule)
    assert [sched.at(m).name for m in (0, 23, 24, 59, 60, 500)] == [
        "fortress",
        "fortress",
        "partnership_board",
        "partnership_board",
        "shared_governance",
        "shared_governance",
    ]


@settings(max_examples=20, deadline=None)
@given(
    params=place_params(),
    first=rule_sets(),
    second=rule_sets(),
    switch=st.integers(1, 20),
    seed=st.integers(0, 2**40),
)
def test_money_is_conserved_across_a_change_of_rules(params, first, second, switch, seed):
    model = CareSystem(rules=[(0, first), (switch, second)], seed=seed, **clean(params))
    for _ in range(switch + 6):
        _step_and_check_money(model)


SCHEDULED_FILE = """
name = "adopt"
scenario = "place_system"
replicates = 3
months = 30
seed = 5
[[rules]]
schedule = [{ month = 0, rules = "fortress" }, { month = 12, rules = "shared_governance" }]
[[rules]]
name = "monitored"
schedule = [{ month = 0, rules = "fortress" }, { month = 6, rules = { preset = "fortress", monitoring = 1.0 } }]
"""


def test_experiment_file_schedules_run_as_in_run_many(tmp_path):
    from sim import load_results
    from sim.experiment.runner import run_experiment
    from sim.experiment.spec import parse_experiment

    exp = parse_experiment(SCHEDULED_FILE)
    assert exp.rule_names == ["fortress>shared_governance@12", "monitored"]
    out = run_experiment(exp, tmp_path / "out", quiet=True)
    got = load_results(out).summaries
    monitored = [(0, "fortress"), (6, PRESETS["fortress"].with_levers(monitoring=1.0))]
    want = run_many(
        [SWITCH, as_schedule(monitored).with_name("monitored")], replicates=3, months=30, seed=5
    )
    for label in exp.rule_names:
        a = got[got["rules"] == label].reset_index(drop=True)
        b = want[want["rules"] == label].reset_index(drop=True)
        np.testing.assert_array_equal(a["population_health"], b["population_health"])
        np.testing.assert_array_equal(a["system_deficit"], b["system_deficit"])


@pytest.mark.parametrize(
    ("step", "needle"),
    [
        ('{ month = 3, rules = "fortress" }', "rules[0].schedule[0].month=3"),
        ('{ month = 0, rules = "no_such" }', "rules[0].schedule[0].rules"),
        ("{ month = 0 }", "rules[0].schedule[0].rules"),
        ('{ month = 0, rules = "fortress", when = 2 }', "rules[0].schedule[0].when"),
    ],
)
def test_bad_schedules_in_files_name_the_key(step, needle):
    from sim.experiment.spec import ExperimentError, parse_experiment

    text = 'name = "x"\nscenario = "place_system"\nreplicates = 1\nmonths = 3\nseed = 1\n'
    text += f"[[rules]]\nschedule = [{step}]\n"
    with pytest.raises(ExperimentError) as err:
        parse_experiment(text)
    assert needle in str(err.value)


@pytest.mark.parametrize("month", [12, 500])
def test_run_many_refuses_a_step_its_runs_never_reach(month):
    # A step at month m governs months m+1 onwards: in a 12-month run one at 12 or later would
    # never apply, and the results would be labelled with rules that never ran.
    with pytest.raises(ParameterError, match=rf"rules\[1\]\[1\] month={month} is too late") as err:
        run_many(["fortress", [(0, "fortress"), (month, "shared_governance")]], months=12)
    assert "\n" not in str(err.value)
    last = run_many([[(0, "fortress"), (11, "shared_governance")]], months=12, replicates=1)
    assert last["rules"].tolist() == ["fortress>shared_governance@11"]
