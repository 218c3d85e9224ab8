"""Bad input gets a clear error naming the key, the value and what is allowed."""

import pytest

from sim import CareSystem, ParameterError, RuleSet
from sim.core.rules import PRESETS, resolve


@pytest.mark.parametrize(
    ("kwargs", "parts"),
    [
        ({"budget_grwth": 0.01}, ["budget_grwth", "valid:", "budget_growth"]),
        ({"n_places": 2.5}, ["n_places=2.5", "integer in [1, 50]"]),
        ({"n_places": "3"}, ["n_places='3'", "str", "integer in [1, 50]"]),
        ({"n_places": True}, ["n_places=True", "integer"]),
        ({"budget_growth": 0.9}, ["budget_growth=0.9", "out of range", "[-0.2, 0.3]"]),
        ({"initial_health": float("nan")}, ["initial_health=nan", "[0.05, 0.95]"]),
        ({"endowment": 10}, ["endowment=10", "not a parameter of scenario 'place_system'"]),
        ({"scenario": "moon"}, ["scenario='moon'", "place_system", "classroom_commons"]),
        ({"engine": "gpu"}, ["engine='gpu'", "numba", "python"]),
        ({"seed": -1}, ["seed=-1", "integer in [0,"]),
        ({"seed": 1.5}, ["seed=1.5"]),
        ({"rules": "fortres"}, ["rules='fortres'", "fortress", "shared_governance"]),
        ({"rules": 42}, ["rules=42", "int", "preset name"]),
        (
            {"acute_per_place": 0, "community_per_place": 0, "mental_health_per_place": 0,
             "primary_care_per_place": 0, "social_care_per_place": 0, "ambulance_per_ics": 0},
            ["at least one organisation"],
        ),
    ],
)  # fmt: skip
def test_bad_model_input_is_named(kwargs, parts):
    with pytest.raises(ParameterError) as err:
        CareSystem(**kwargs)
    for part in parts:
        assert part in str(err.value)


@pytest.mark.parametrize(
    ("levers", "parts"),
    [
        ({"monitoring": 1.5}, ["rules.monitoring=1.5", "out of range", "[0, 1]"]),
        ({"monitoring": "high"}, ["rules.monitoring='high'", "str", "number in [0, 1]"]),
        ({"agreed_shares": 1}, ["rules.agreed_shares=1", "true or false"]),
        ({"funding_model": "bonus"}, ["rules.funding_model='bonus'", "activity", "alliance"]),
    ],
)
def test_bad_rule_values_are_named(levers, parts):
    with pytest.raises(ParameterError) as err:
        RuleSet(**levers)
    for part in parts:
        assert part in str(err.value)


def test_unknown_rule_field_and_principle_are_named():
    with pytest.raises(ParameterError) as err:
        PRESETS["fortress"].with_levers(monitorng=0.5)
    assert "monitorng=0.5" in str(err.value)
    assert "monitoring" in str(err.value)
    with pytest.raises(ParameterError) as err:
        PRESETS["shared_governance"].without("telepathy")
    assert "telepathy" in str(err.value)
    assert "graduated_sanctions" in str(err.value)
    with pytest.raises(ParameterError) as err:
        resolve({"preset": "shared_governance", "colour": "blue"})
    assert "colour='blue'" in str(err.value)


def test_dict_rules_build_ablations():
    rules = resolve(
        {"preset": "shared_governance", "without": ["monitoring"], "name": "no_monitoring"}
    )
    assert rules.name == "no_monitoring"
    assert rules.monitoring == 0.0
