"""One integer check and one seed range for experiment files, `run_many` and `CareSystem`."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim import CareSystem, ParameterError, run_many
from sim.core.checks import MAX_SEED, check_int, check_seed, fresh_seed
from sim.core.constants import SUMMARIES
from sim.engine.batch import simulate
from sim.experiment.spec import ExperimentError, parse_experiment

EXPERIMENT = """
name = "seeds"
scenario = "place_system"
rules = ["fortress"]
replicates = 2
months = 6
seed = {seed}
"""

# Values refused as a seed or run key everywhere, with the text the message must show.
BAD_SEEDS = [
    (2**63, "9223372036854775808"),
    (-1, "-1"),
    (True, "True"),
    (1.5, "1.5"),
]
TOML = {True: "true"}  # how a value is written in a TOML file, where repr differs


def test_max_seed_is_the_int64_range():
    assert MAX_SEED == 2**63 - 1 == np.iinfo(np.int64).max
    assert 0 <= fresh_seed() <= MAX_SEED
    assert check_seed(np.int64(MAX_SEED)) == MAX_SEED
    assert type(check_seed(np.int64(3))) is int


def test_largest_seed_is_accepted_everywhere_and_runs_rebuild_alone():
    exp = parse_experiment(EXPERIMENT.format(seed=MAX_SEED))
    assert exp.seed == MAX_SEED
    assert (exp.arrays()["seeds"] == MAX_SEED).all()
    runs = run_many("fortress", replicates=2, months=6, seed=MAX_SEED)
    assert (runs["seed"] == MAX_SEED).all()
    # Run 1 of the batch, rebuilt alone as the docs promise (same seed, run key 1).
    alone = CareSystem(rules="fortress", seed=MAX_SEED, run=1).run_for(6)
    assert alone.seed == MAX_SEED
    assert alone.run == 1
    summary = alone.summary()
    for key in SUMMARIES:
        assert runs.loc[1, key] == pytest.approx(summary[key], rel=1e-12, abs=1e-12), key
    assert CareSystem(seed=0, run=MAX_SEED).run == MAX_SEED


@pytest.mark.parametrize(("value", "shown"), BAD_SEEDS, ids=["2**63", "-1", "True", "1.5"])
def test_bad_seed_is_refused_everywhere_in_one_line(value, shown):
    errors = []
    for call in (
        lambda: CareSystem(seed=value),
        lambda: run_many("fortress", replicates=1, months=1, seed=value),
    ):
        with pytest.raises(ParameterError) as err:
            call()
        errors.append(str(err.value))
    with pytest.raises(ParameterError) as err:
        CareSystem(seed=1, run=value)
    assert str(err.value).startswith(f"run={shown} ")
    text = EXPERIMENT.format(seed=TOML.get(value, value))
    with pytest.raises(ExperimentError) as err:
        parse_experiment(text, where="x.toml")
    errors.append(str(err.value).removeprefix("x.toml: "))
    for message in errors:
        assert "\n" not in message
        assert message.startswith(f"seed={shown} "), message
        assert f"allowed: an integer in [0, {MAX_SEED}]" in message, message


def test_design_seed_has_the_same_range():
    design = """
[design]
kind = "lhs"
samples = 3
seed = {seed}
[design.parameters]
ageing = {{low = 0.0, high = 0.1}}
"""
    exp = parse_experiment(EXPERIMENT.format(seed=1) + design.format(seed=MAX_SEED))
    assert exp.design["seed"] == MAX_SEED
    assert len(exp.points) == 3
    with pytest.raises(ExperimentError, match=r"design\.seed=-1 .*\[0, 9223372036854775807\]"):
        parse_experiment(EXPERIMENT.format(seed=1) + design.format(seed=-1))
    # without design.seed the design is seeded by the experiment's seed, whatever its size
    unseeded = design.replace("seed = {seed}\n", "").format()
    exp = parse_experiment(EXPERIMENT.format(seed=MAX_SEED) + unseeded)
    assert exp.design["seed"] == MAX_SEED


@pytest.mark.parametrize(
    ("kwargs", "start"),
    [
        ({"replicates": 0}, "replicates=0 is out of range"),
        ({"replicates": 2.0}, "replicates=2.0 has type float"),
        ({"replicates": True}, "replicates=True has type bool"),
        ({"months": 0}, "months=0 is out of range"),
        ({"months": "12"}, "months='12' has type str"),
        ({"threads": 0}, "threads=0 is out of range"),
        ({"threads": 1.0}, "threads=1.0 has type float"),
    ],
)
def test_run_many_counts_are_checked_by_the_one_helper(kwargs, start):
    with pytest.raises(ParameterError) as err:
        run_many("fortress", **{"replicates": 1, "months": 1, **kwargs})
    assert str(err.value).startswith(start)
    assert "allowed: an integer" in str(err.value)


def test_simulate_names_the_first_bad_seed_or_run_key():
    p = np.zeros((2, 1))
    for name, seeds, runs, shown in (
        ("seeds", np.array([1, -4]), np.array([0, 1]), "seeds[1]=-4"),
        ("runs", np.array([1, 1]), np.array([2**64 - 1, 0], dtype=np.uint64), "runs[0]="),
        ("seeds", np.array([1.0, 2.0]), np.array([0, 1]), "seeds[0]=1.0"),
    ):
        with pytest.raises(ParameterError) as err:
            simulate(p, p, np.zeros(2, dtype=np.int64), seeds, runs, 1)
        assert str(err.value).startswith(shown), (name, str(err.value))


@given(
    value=st.integers(min_value=-(2**70), max_value=2**70),
    low=st.one_of(st.none(), st.integers(min_value=-(2**65), max_value=2**65)),
    high=st.one_of(st.none(), st.integers(min_value=-(2**65), max_value=2**65)),
)
def test_check_int_accepts_exactly_the_integers_in_range(value, low, high):
    inside = (low is None or value >= low) and (high is None or value <= high)
    if inside:
        assert check_int(value, "k", low, high) == value
    else:
        with pytest.raises(ParameterError, match=rf"^k={value} is out of range; allowed: "):
            check_int(value, "k", low, high)
    if np.iinfo(np.int64).min <= value <= np.iinfo(np.int64).max:  # NumPy integers alike
        if inside:
            assert check_int(np.int64(value), "k", low, high) == value
        else:
            with pytest.raises(ParameterError):
                check_int(np.int64(value), "k", low, high)


@given(
    value=st.one_of(
        st.floats(allow_nan=True),
        st.booleans(),
        st.text(max_size=3),
        st.none(),
        st.builds(np.bool_, st.booleans()),
        st.builds(np.float64, st.integers(min_value=-(2**20), max_value=2**20)),
    )
)
def test_check_int_refuses_every_non_integer_even_whole_floats(value):
    with pytest.raises(ParameterError) as err:
        check_int(value, "key", 0, 10)
    message = str(err.value)
    assert message.startswith("key=")
    assert "has type" in message
    assert "\n" not in message
    assert message.endswith("allowed: an integer in [0, 10]")
