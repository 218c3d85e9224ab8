"""Integers and seeds the app takes from people and files go through `sim.core.checks`: the
classroom's settings (`sim.app.classroom.inputs`, refused as a `RoomError`) and a scenario file or
link (`sim.app.snapshot`, refused as a `ScenarioError`), each refusal one line naming the key, the
value and what is allowed, with the model's one seed range [0, MAX_SEED]."""

from __future__ import annotations

import numpy as np
import pytest

from sim.app.classroom import inputs
from sim.app.classroom.room import Room, RoomError
from sim.app.snapshot import ScenarioError, Snapshot
from sim.app.state import ComparisonState
from sim.core.checks import MAX_SEED

SEED_RANGE = f"allowed: an integer in [0, {MAX_SEED}]"


@pytest.mark.parametrize(
    ("value", "shown", "problem"),
    [
        (-1, "-1", "is out of range"),
        (MAX_SEED + 1, str(MAX_SEED + 1), "is out of range"),
        (3.0, "3.0", "has type float"),
        ("7", "'7'", "has type str"),
        (True, "True", "has type bool"),
    ],
)
def test_a_bad_classroom_seed_is_one_line_naming_the_key_value_and_range(value, shown, problem):
    with pytest.raises(RoomError) as err:
        inputs.seed(value)
    assert str(err.value) == f"seed={shown} {problem}; {SEED_RANGE}"
    room = Room("SEED")
    with pytest.raises(RoomError) as err:
        room.configure(seed=value)
    assert str(err.value) == f"seed={shown} {problem}; {SEED_RANGE}"
    assert room.config["seed"] == 1  # refused: nothing changed


def test_the_classroom_takes_every_seed_the_model_takes():
    assert inputs.seed(MAX_SEED) == MAX_SEED
    assert inputs.seed(2**31) == 2**31  # beyond the old 31-bit limit
    assert inputs.seed(np.int64(5)) == 5
    assert type(inputs.seed(np.int64(5))) is int
    room = Room("BIG", seed=MAX_SEED)
    assert room.config["seed"] == MAX_SEED


def test_classroom_counts_are_checked_integers():
    assert inputs.rounds_per_block(np.int32(3)) == 3
    with pytest.raises(RoomError) as err:
        inputs.rounds_per_block(2.0)
    assert str(err.value) == (
        "rounds_per_block=2.0 has type float; allowed: an integer in "
        f"[1, {inputs.MAX_ROUNDS_PER_BLOCK}]"
    )
    with pytest.raises(RoomError, match=r"^rounds_per_block=0 is out of range; allowed: "):
        inputs.rounds_per_block(0)


def _scenario_dict() -> dict:
    state = ComparisonState("place_system")
    state.ensure()
    return Snapshot.of(state).to_dict()


@pytest.mark.parametrize(
    ("value", "shown", "problem"),
    [
        (-1, "-1", "is out of range"),
        (MAX_SEED + 1, str(MAX_SEED + 1), "is out of range"),
        (1.5, "1.5", "has type float"),
        (False, "False", "has type bool"),
    ],
)
def test_a_bad_scenario_seed_is_one_line_naming_the_key_value_and_range(value, shown, problem):
    data = _scenario_dict()
    data["scenario"]["seed"] = value
    with pytest.raises(ScenarioError) as err:
        Snapshot.from_dict(data, "my.json")
    assert str(err.value) == f"my.json: scenario.seed={shown} {problem}; {SEED_RANGE}"


def test_a_scenario_takes_the_largest_seed_and_checks_its_counts():
    data = _scenario_dict()
    data["scenario"]["seed"] = MAX_SEED
    assert Snapshot.from_dict(data, "my.json").scenario.seed == MAX_SEED
    data["scenario"]["n_places"] = 51
    with pytest.raises(ScenarioError) as err:
        Snapshot.from_dict(data, "my.json")
    assert str(err.value) == (
        "my.json: scenario.n_places=51 is out of range; allowed: an integer in [1, 50]"
    )
