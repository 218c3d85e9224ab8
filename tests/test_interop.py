"""run_many as tools drive it: unique rule-set labels and lever columns, parameter points in any
tabular form, and one rule for integer parameters (docs/interoperability.md)."""

import numpy as np
import pandas as pd
import pytest

from sim import PRESETS, SUMMARIES, ParameterError, RuleSet, run_many
from sim.core.rules import LEVERS, resolve
from sim.engine.batch import as_points, label_rule_sets

SMALL = {"replicates": 2, "months": 6, "seed": 3}
SHARED = PRESETS["shared_governance"]


# ------------------------------------------------------------------ labels and lever columns
def test_two_overrides_of_one_preset_are_two_labelled_policies():
    runs = run_many(
        [SHARED.with_levers(monitoring=0.2), SHARED.with_levers(monitoring=0.9)], **SMALL
    )
    assert list(runs["rules"].unique()) == [
        "shared_governance[monitoring=0.2]",
        "shared_governance[monitoring=0.9]",
    ]
    assert runs.groupby("rules").ngroups == 2
    assert runs.groupby("rules")["lever_monitoring"].unique().map(list).to_dict() == {
        "shared_governance[monitoring=0.2]": [0.2],
        "shared_governance[monitoring=0.9]": [0.9],
    }
    # only the lever that differs gets a column
    assert [c for c in runs.columns if c.startswith("lever_")] == ["lever_monitoring"]
    # the label changes nothing in the numbers: each policy run alone gives its rows
    alone = run_many(SHARED.with_levers(monitoring=0.9), **SMALL)
    mine = runs[runs["rules"] == "shared_governance[monitoring=0.9]"]
    np.testing.assert_array_equal(mine[list(SUMMARIES)].to_numpy(), alone[list(SUMMARIES)])


def test_dict_overrides_are_labelled_like_with_levers():
    specs = [
        {"preset": "shared_governance", "monitoring": 0.5, "sanction_severity": 1.2},
        {"preset": "shared_governance", "monitoring": 0.5},
        {"preset": "shared_governance", "without": ["monitoring"]},
        {"preset": "shared_governance", "without": "monitoring", "scope": 0.5},
        {"preset": "shared_governance", "monitoring": 0.8},  # the preset's own value
    ]
    labels = [rs.name for rs in label_rule_sets(specs)]
    assert labels == [
        "shared_governance[monitoring=0.5, sanction_severity=1.2]",
        "shared_governance[monitoring=0.5]",
        "shared_governance-monitoring",
        "shared_governance-monitoring[scope=0.5]",
        "shared_governance",
    ]
    assert resolve(specs[1]).name == SHARED.with_levers(monitoring=0.5).name


def test_with_levers_names_what_changed():
    changed = SHARED.with_levers(graduated_sanctions=False, funding_model="block")
    assert changed.name == "shared_governance[funding_model=block, graduated_sanctions=False]"
    # named against the preset, however many steps it took; back to the preset: its name
    assert changed.with_levers(funding_model="capitated").name == (
        "shared_governance[graduated_sanctions=False]"
    )
    assert changed.with_levers(graduated_sanctions=True, funding_model="capitated") == SHARED
    # numbers to 12 significant digits, in LEVERS order
    odd = PRESETS["fortress"].with_levers(sanction_severity=0.1 + 0.2, monitoring=1)
    assert odd.name == "fortress[monitoring=1, sanction_severity=0.3]"
    # a name the user gave is kept
    assert SHARED.with_levers(name="strict", monitoring=1.0).name == "strict"
    assert SHARED.with_levers(name="strict").with_levers(monitoring=0.1).name == "strict"


def test_unmodified_presets_keep_their_labels_and_columns():
    runs = run_many(["fortress", "shared_governance"], **SMALL)
    assert list(runs["rules"].unique()) == ["fortress", "shared_governance"]
    levers = [c for c in runs.columns if c.startswith("lever_")]
    differ = [k for k in LEVERS if getattr(PRESETS["fortress"], k) != getattr(SHARED, k)]
    assert levers == [f"lever_{k}" for k in differ]
    single = run_many("fortress", **SMALL)
    assert not [c for c in single.columns if c.startswith("lever_")]


def test_shared_names_get_the_levers_that_tell_them_apart():
    rules = [RuleSet(monitoring=0.1), RuleSet(monitoring=0.3, scope=0.5), "fortress"]
    labels = [rs.name for rs in label_rule_sets(rules)]
    assert labels == [
        "custom[scope=0, monitoring=0.1]",
        "custom[scope=0.5, monitoring=0.3]",
        "fortress",
    ]
    assert labels == [rs.name for rs in label_rule_sets(rules)]  # deterministic


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (["fortress", "shared_governance", "fortress"], r"rules\[0\] and rules\[2\] are the same"),
        (
            [
                RuleSet(monitoring=0.1),
                RuleSet(monitoring=0.2),
                RuleSet(name="custom[monitoring=0.1]"),
            ],
            r"rules\[0\] and rules\[2\] are two rule sets, both labelled 'custom\[monitoring=0.1\]'",
        ),
        ([], r"rules=\[\] is empty"),
    ],
)
def test_labels_that_would_still_be_shared_are_refused(rules, message):
    with pytest.raises(ParameterError, match=message):
        run_many(rules, **SMALL)


# ------------------------------------------------------------------ points
POINTS = [{"budget_growth": 0.0, "n_places": 2}, {"budget_growth": 0.03, "n_places": 4}]


@pytest.mark.parametrize(
    ("points", "names"),
    [
        (pd.DataFrame(POINTS), None),
        ({"budget_growth": [0.0, 0.03], "n_places": [2, 4]}, None),
        ({"budget_growth": np.array([0.0, 0.03]), "n_places": (2, 4)}, None),
        (np.rec.fromarrays([[0.0, 0.03], [2, 4]], names="budget_growth,n_places"), None),
        (
            np.array([(0.0, 2), (0.03, 4)], dtype=[("budget_growth", "f8"), ("n_places", "i8")]),
            None,
        ),
        (np.array([[0.0, 2.0], [0.03, 4.0]]), ["budget_growth", "n_places"]),
        ([[0.0, 2], [0.03, 4]], ("budget_growth", "n_places")),
        (tuple(POINTS), None),
    ],
)
def test_every_form_of_points_gives_the_same_runs(points, names):
    assert as_points(points, names) == POINTS
    expected = run_many("fortress", points=POINTS, **SMALL)
    got = run_many("fortress", points=as_points(points, names), **SMALL)
    pd.testing.assert_frame_equal(got, expected)
    assert got["n_places"].tolist() == [2, 2, 4, 4]
    assert got["n_places"].map(type).eq(int).all()  # the value used, as an integer


def test_points_from_a_generator():
    assert as_points(dict(pt) for pt in POINTS) == POINTS


@pytest.mark.parametrize(
    ("points", "names", "message"),
    [
        (np.zeros((3, 2)), None, r"^points is a 3x2 array without names; allowed: pass names="),
        ([[0.0, 2]], None, r"^points is a 1x2 array without names"),
        (np.zeros((2, 2)), ["budget_growth"], r"names=\['budget_growth'\] has 1 names for 2 col"),
        (np.zeros((2, 2)), ["ageing", "ageing"], r"one distinct parameter name per column"),
        (np.zeros(3), ["ageing"], r"points is an array of shape \(3,\); allowed: 2-D"),
        (pd.DataFrame(POINTS), ["a", "b"], r"names=\['a', 'b'\] is given with points of type Data"),
        ({"budget_growth": 0.01}, None, r"points\['budget_growth'\]=0.01 is not a column"),
        ({"ageing": [0.0], "n_places": [1, 2]}, None, r"columns of lengths \[1, 2\]"),
        ([{"ageing": 0.0}, 3], None, r"points\[1\]=3 has type int; allowed: a dict"),
        (pd.DataFrame({"ageing": []}), None, r"^points is empty"),
        ([], None, r"^points is empty"),
        (None, ["ageing"], r"names is given without points"),
    ],
)
def test_bad_points_are_refused_in_one_line(points, names, message):
    with pytest.raises(ParameterError, match=message) as err:
        run_many("fortress", points=points, names=names, **SMALL)
    assert "\n" not in str(err.value)


def test_unknown_parameter_names_are_refused_listing_valid_ones():
    with pytest.raises(ParameterError, match=r"^points\[0\]\.n_place=1 is not a par") as err:
        run_many("fortress", points=pd.DataFrame({"n_place": [1, 2]}), **SMALL)
    listed = str(err.value).split("; valid: ")[1].split(", ")
    assert listed == sorted(listed)  # every valid name, in order
    assert {"n_places", "acute_per_place", "ageing"} <= set(listed)
    with pytest.raises(ParameterError, match=r"^agein=0.1 is not a parameter"):
        run_many("fortress", points=POINTS, agein=0.1, **SMALL)


# ------------------------------------------------------------------ integer parameters
def test_whole_floats_are_integers():
    runs = run_many("fortress", points=[{"n_places": 2.0}, {"n_places": np.float32(3.0)}], **SMALL)
    assert runs["n_places"].tolist() == [2, 2, 3, 3]
    assert runs.equals(run_many("fortress", points=[{"n_places": 2}, {"n_places": 3}], **SMALL))


@pytest.mark.parametrize("value", [2.5, 2.0000001, np.float64(1.49)])
def test_non_whole_integers_are_refused_naming_point_parameter_and_value(value):
    with pytest.raises(ParameterError) as err:
        run_many("fortress", points=[{"n_places": 2}, {"n_places": value}], **SMALL)
    text = str(err.value)
    assert text.startswith(f"points[1].n_places={float(value)!r} is not whole; allowed: integer")
    assert "round_integers=True" in text
    with pytest.raises(ParameterError, match=rf"^n_places={float(value)!r} is not whole"):
        run_many("fortress", n_places=value, **SMALL)


def test_round_integers_rounds_to_the_nearest_and_records_it():
    points = {"n_places": [1.49, 1.5, 2.51, 3.0], "ageing": [0.01, 0.02, 0.03, 0.04]}
    runs = run_many("fortress", points=points, round_integers=True, **SMALL)
    assert runs.groupby("point")["n_places"].first().tolist() == [1, 2, 3, 3]
    same = run_many(
        "fortress",
        points={"n_places": [1, 2, 3, 3], "ageing": [0.01, 0.02, 0.03, 0.04]},
        **SMALL,
    )
    pd.testing.assert_frame_equal(runs, same)
    # rounding cannot carry a count out of its range, nor make a number of a non-number
    with pytest.raises(ParameterError, match=r"points\[0\]\.n_places=51 is out of range"):
        run_many("fortress", points=[{"n_places": 50.6}], round_integers=True, **SMALL)
    with pytest.raises(ParameterError, match=r"points\[0\]\.n_places=nan is not a number"):
        run_many("fortress", points=[{"n_places": np.nan}], round_integers=True, **SMALL)
