"""Scenario discovery: PRIM and CART recover a planted rule, the words name it, the design and the
pairing hold, and `commons discover` writes its files or refuses bad input with one line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis import discovery as disc
from sim.analysis.discovery_rules import choose_box
from sim.commands import main
from sim.core.params import ParameterError
from sim.core.priors import resolve
from sim.experiment import cli_discover
from sim.experiment.cli import build_parser
from sim.experiment.store import LOCK_NAME

INPUTS = ("budget_growth", "spillover", "unmet_harm", "prevention_effect", "need_growth")
# Planted rules: (input, side, cut) twice. The treatment fails inside the region (both hold).
PLANTED = [
    (("budget_growth", "<", 0.3), ("spillover", ">", 0.6)),
    (("unmet_harm", ">", 0.45), ("need_growth", "<", 0.55)),
]
TOL = 0.06  # how far a found bound may sit from the planted cut (in units of the unit range)


def _synthetic(planted, seed: int, n: int = 400, noise: float = 0.3) -> pd.DataFrame:
    """Uniform inputs on [0, 1]; the paired difference (treatment minus reference, lower is
    better) is +1 inside the planted region (the treatment fails) and -1 outside, plus noise
    too small to flip a case."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.random((n, len(INPUTS))), columns=list(INPUTS))
    inside = np.ones(n, dtype=bool)
    for name, side, cut in planted:
        inside &= frame[name] < cut if side == "<" else frame[name] > cut
    frame["system_deficit_difference"] = np.where(inside, 1.0, -1.0) + rng.uniform(-noise, noise, n)
    return frame


@pytest.fixture(scope="module", params=[(0, 1), (1, 2)], ids=["rule0-seed1", "rule1-seed2"])
def found(request):
    which, seed = request.param
    planted = PLANTED[which]
    frame = _synthetic(planted, seed)
    d = disc.analyse(frame, "system_deficit", lower_is_better=True, min_density=0.9)
    return planted, frame, d


def test_prim_recovers_the_planted_rule(found):
    planted, frame, d = found
    box = d.boxes["fails"]
    assert set(box.names) == {name for name, _, _ in planted}
    assert box.coverage >= 0.85
    assert box.density >= 0.9
    for r in box.restrictions:
        _, side, cut = next(p for p in planted if p[0] == r.name)
        if side == "<":  # only the upper end is cut, near the planted cut
            assert r.upper
            assert not r.lower
            assert abs(r.high - cut) <= TOL, (r, cut)
        else:
            assert r.lower
            assert not r.upper
            assert abs(r.low - cut) <= TOL, (r, cut)
    # the box's own statistics agree with the points it holds
    inside = np.ones(len(frame), dtype=bool)
    for r in box.restrictions:
        inside &= (frame[r.name] >= r.low) & (frame[r.name] <= r.high)
    fails = (d.frame["case"] == "fails").to_numpy()
    assert box.n == inside.sum()
    assert box.k == (inside & fails).sum()
    assert box.density == pytest.approx(box.k / box.n)
    assert box.coverage == pytest.approx(box.k / fails.sum())


def test_cart_finds_the_same_split(found):
    planted, _, d = found
    leaves = [leaf for leaf in d.tree.leaves if leaf.label == "fails"]
    best = max(leaves, key=d.tree.coverage)
    assert d.tree.coverage(best) >= 0.85
    assert best.density >= 0.9
    conditions = {name: (op, value) for name, op, value in best.conditions}
    for name, side, cut in planted:
        op, value = conditions[name]
        assert op == ("<=" if side == "<" else ">")
        assert abs(value - cut) <= TOL


def test_the_words_name_the_planted_inputs(found):
    planted, _, d = found
    sentence = next(s for s in d.text.split("\n\n") if s.startswith("Shared governance does worse"))
    for name, side, _ in planted:
        assert f"{name} {side} " in sentence
    for other in set(INPUTS) - {name for name, _, _ in planted}:
        assert other not in sentence
    assert f"{d.boxes['fails'].density:.0%} of such points (density)" in sentence
    assert f"{d.boxes['fails'].coverage:.0%} of all points where it does worse" in sentence
    markdown = d.markdown()
    assert "(chosen)" in markdown
    assert "| rule | case |" in markdown


def test_cases_follow_the_direction_and_the_threshold():
    frame = _synthetic(PLANTED[0], seed=5, noise=0.0)
    lower = disc.analyse(frame, "system_deficit", lower_is_better=True)
    higher = disc.analyse(frame, "system_deficit", lower_is_better=False)
    assert (lower.counts["fails"], lower.counts["wins"]) == (
        higher.counts["wins"],
        higher.counts["fails"],
    )
    assert lower.counts["fails"] == (frame["system_deficit_difference"] > 0).sum()
    broken = frame.copy()
    broken.loc[3, "system_deficit_difference"] = np.nan
    with pytest.raises(ParameterError, match="system_deficit_difference holds NaN"):
        disc.analyse(broken, "system_deficit", lower_is_better=True)
    with pytest.raises(ParameterError, match="min_density=0"):
        disc.analyse(frame, "system_deficit", lower_is_better=True, min_density=0)
    wide = disc.analyse(frame, "system_deficit", lower_is_better=True, threshold=2.0)
    assert wide.counts["neither"] == len(frame)
    assert wide.boxes == {"fails": None, "wins": None}
    assert "At no design point" in wide.text


def test_a_leaf_reads_one_condition_per_input():
    from sim.analysis.discovery_rules import Leaf

    leaf = Leaf((("a", "<=", 0.5), ("b", ">", 0.1), ("a", ">", 0.2)), "wins", 4, {"wins": 3})
    assert leaf.rule() == "0.2 < a <= 0.5 and b > 0.1"
    assert leaf.density == 0.75
    assert Leaf((), "wins", 1, {"wins": 1}).rule() == "always"


def test_choose_box_rule():
    t = pd.DataFrame(
        {
            "coverage": [1.0, 0.95, 0.9, 0.7, 0.5],
            "density": [0.2, 0.5, 0.82, 0.9, 1.0],
            "res_dim": [0, 1, 2, 2, 3],
        }
    )
    assert choose_box(t, 0.8)[0] == 2  # highest coverage with density >= 0.8
    assert choose_box(t, 0.95)[0] == 4
    index, rule, met = choose_box(t.iloc[:3], 0.9)  # none reaches it: the densest
    assert (index, met) == (2, False)
    assert "no box reaches" in rule
    majority = t.assign(density=[0.9, 0.92, 0.94, 0.96, 0.99])  # cases are 90% of all points
    index, rule, met = choose_box(majority, 0.8)  # level raised to 95%
    assert (index, met) == (3, True)
    assert "halfway" in rule


def test_design_is_a_seeded_latin_hypercube_over_the_priors():
    priors = resolve(True)
    a = disc.design(40, seed=3)
    assert a.equals(disc.design(40, seed=3))
    assert not a.equals(disc.design(40, seed=4))
    assert list(a.columns) == [p.name for p in priors if p.name != "budget_growth"] + [
        "budget_growth"
    ]
    low, high = disc.PRESSURE_RANGE
    bins = np.floor((a["budget_growth"] - low) / (high - low) * 40).astype(int)
    assert sorted(bins) == list(range(40))  # one point in each of 40 equal strata
    for p in priors:
        assert a[p.name].between(p.low, p.high).all()
    narrow = disc.design(20, seed=3, pressure_range=(0.0, 0.01), priors=["spillover"])
    assert list(narrow.columns) == ["spillover", "budget_growth"]
    assert narrow["budget_growth"].between(0.0, 0.01).all()


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"n_points": 5}, "points"),
        ({"n_points": 20, "pressure_range": (0.1, 0.0)}, "budget_growth range"),
        ({"n_points": 20, "pressure_range": (-0.5, 0.0)}, "budget_growth range"),
        ({"n_points": 20, "priors": ["not_a_parameter"]}, "not_a_parameter"),
    ],
)
def test_design_refuses_bad_input_in_one_line(kwargs, key):
    with pytest.raises(ParameterError) as info:
        disc.design(**kwargs)
    assert key in str(info.value)
    assert "\n" not in str(info.value)


def test_paired_differences_pair_by_point_and_replicate():
    rng = np.random.default_rng(0)
    rows = []
    for point in range(3):
        for rep in range(4):
            base = rng.normal()
            rows.append(("t", point, rep, point / 10, base + point + rep / 2))
            rows.append(("r", point, rep, point / 10, base))
    runs = pd.DataFrame(rows, columns=["rules", "point", "replicate", "x", "y"])
    runs = runs.sample(frac=1.0, random_state=1)  # the order of the rows does not matter
    out = disc.paired_differences(runs, "t", "r", ["y"], ["x"])
    assert list(out["point"]) == [0, 1, 2]
    expected = [p + np.mean([rep / 2 for rep in range(4)]) for p in range(3)]
    assert np.allclose(out["y_difference"], expected)
    assert np.allclose(out["y_difference_sd"], np.std([r / 2 for r in range(4)], ddof=1))
    assert list(out["x"]) == [0.0, 0.1, 0.2]
    assert list(out["replicates"]) == [4, 4, 4]
    each = disc.paired_differences(runs, "t", "r", ["y"], ["x"], by=None)
    assert len(each) == 12
    with pytest.raises(ParameterError, match="treatment='q' has no runs"):
        disc.paired_differences(runs, "q", "r", ["y"], ["x"])
    with pytest.raises(ParameterError, match="do not pair"):
        disc.paired_differences(runs.iloc[1:], "t", "r", ["y"], ["x"])


def test_run_pairs_matches_run_many():
    from sim import run_many

    points = disc.design(10, seed=1, priors=["spillover"])
    rules = ["shared_governance", "fortress"]
    shared = disc.run_pairs(
        points, outcomes=["system_deficit"], replicates=2, months=6, seed=4, common_seeds=True
    )
    runs = run_many(rules, replicates=2, months=6, seed=4, points=points)
    wide = runs.pivot_table(index="point", columns="rules", values="system_deficit")
    diff = wide["shared_governance"] - wide["fortress"]
    assert np.allclose(shared["system_deficit_difference"], diff.to_numpy())
    assert np.allclose(shared["spillover"], points["spillover"])
    own = disc.run_pairs(points, outcomes=["system_deficit"], replicates=2, months=6, seed=4)
    for i in (0, 7):  # point i runs with base seed 4 + i
        alone = run_many(rules, replicates=2, months=6, seed=4 + i, points=points.iloc[[i]])
        by_rules = alone.groupby("rules")["system_deficit"].mean()
        expected = by_rules["shared_governance"] - by_rules["fortress"]
        assert own["system_deficit_difference"].iloc[i] == pytest.approx(expected)
    assert not np.allclose(own["system_deficit_difference"], shared["system_deficit_difference"])


def test_cli_defaults_are_the_analysis_defaults():
    assert cli_discover.TREATMENT == disc.TREATMENT
    assert cli_discover.REFERENCE == disc.REFERENCE
    assert cli_discover.PRESSURE_RANGE == disc.PRESSURE_RANGE
    parser = build_parser()
    assert parser.parse_args(["discover"]).prim_inputs == disc.PRIM_INPUTS


def test_screening_keeps_the_planted_inputs_among_many_and_prim_finds_them():
    # The first planted rule, with 40 inputs of pure noise beside the five: without screening
    # PRIM peels on noise too; with it, the box restricts the two planted inputs.
    planted = PLANTED[0]
    frame = _synthetic(planted, seed=5, n=400)
    noise = np.random.default_rng(6).random((len(frame), 40))
    for j in range(40):
        frame[f"noise_{j}"] = noise[:, j]
    d = disc.analyse(frame, "system_deficit", lower_is_better=True, min_density=0.9)
    assert len(d.screened["fails"]) == disc.PRIM_INPUTS
    assert {"budget_growth", "spillover"} <= set(d.screened["fails"])
    box = d.boxes["fails"]
    assert set(box.names) == {"budget_growth", "spillover"}
    assert box.density >= 0.9
    assert box.coverage >= 0.85
    # Every input kept when asked, and fewer inputs than k leaves the list as it is.
    everything = disc.analyse(
        frame, "system_deficit", lower_is_better=True, min_density=0.9, prim_inputs=None
    )
    assert everything.screened["fails"] == everything.inputs


def test_commons_discover_writes_its_files(tmp_path, capsys):
    out = tmp_path / "found"
    argv = ["discover", "--points", "12", "--replicates", "2", "--months", "6", "--seed", "3"]
    assert main([*argv, "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().err == ""
    assert sorted(p.name for p in out.iterdir()) == sorted(
        (*cli_discover.FILES, cli_discover.MANIFEST, LOCK_NAME)  # the lock, released, stays
    )
    assert (out / LOCK_NAME).stat().st_size == 0
    table = pd.read_parquet(out / "discovery.parquet")
    assert len(table) == 12
    for o in cli_discover.DEFAULT_OUTCOMES:
        assert set(table[f"{o}_case"]) <= set(disc.CASES)
    assert np.allclose(pd.read_csv(out / "discovery.csv")["spillover"], table["spillover"])
    text = (out / "discovery.md").read_text()
    for o in cli_discover.DEFAULT_OUTCOMES:
        assert f"## {o} (" in text
    assert "Of 12 design points" in text
    assert "CART tree" in text
    assert (out / "discovery.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("options", "key"),
    [
        (["--points", "5"], "--points=5"),
        (["--outcome", "nonsense"], "outcome='nonsense'"),
        (["--treatment", "nope"], "--treatment='nope'"),
        (["--reference", "shared_governance"], "is the treatment"),
        (["--threshold", "-1"], "threshold=-1"),
        (["--threshold", "1", "--threshold", "2", "--threshold", "3"], "--threshold given 3"),
        (["--budget-growth", "0.05", "0.01"], "budget_growth range"),
        (["--seed", "-1"], "--seed"),
        (["--min-density", "1.5"], "min_density=1.5"),
        (["--outcome", "total_spend"], "neither better"),
        # counts capped at an experiment file's ranges (before, --points 99999999999 ran out of
        # memory making the design, exit 1), and --prim-inputs at the design's inputs
        (["--points", "99999999999"], "--points=99999999999 is out of range"),
        (["--points", "1000001"], "allowed: an integer in [10, 1000000]"),
        (["--replicates", "1000001"], "allowed: an integer in [1, 1000000]"),
        (["--months", "1201"], "--months=1201 is out of range; allowed: an integer in [1, 1200]"),
        (["--points", "1000000", "--replicates", "3"], "= 6,000,000 runs; allowed: at most"),
        (["--prim-inputs", "9999"], "--prim-inputs=9999 is out of range"),
    ],
)
def test_commons_discover_refuses_bad_input(tmp_path, capsys, options, key):
    out = tmp_path / "found"
    code = main(["discover", "--months", "6", "--out", str(out), "--quiet", *options])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert key in err, err
    assert not out.exists()


def test_prim_inputs_are_capped_at_the_designs_inputs(tmp_path, capsys):
    inputs = disc.design_inputs()
    assert inputs == list(disc.design(10, seed=1).columns)
    too_many = str(len(inputs) + 1)
    assert main(["discover", "--prim-inputs", too_many, "--out", str(tmp_path / "o")]) == 2
    assert f"allowed: an integer in [1, {len(inputs)}]" in capsys.readouterr().err


def test_commons_discover_refuses_a_file_as_out(tmp_path, capsys):
    target = tmp_path / "a_file"
    target.write_text("mine")
    assert main(["discover", "--out", str(target), "--quiet"]) == 2
    assert "is a file" in capsys.readouterr().err
    assert target.read_text() == "mine"


def test_discover_runs_design_runs_and_analysis_in_one_call():
    d = disc.discover(
        outcome="system_deficit", lower_is_better=True, n_points=12, replicates=1, months=6
    )
    assert len(d.frame) == 12
    assert set(d.boxes) == {"wins", "fails"}
    assert d.tree.leaves
    assert list(d.inputs) == list(disc.design(12, seed=0).columns)
    # The advantage is the reference's deficit less the treatment's (lower is better), each point
    # is a win or a failure by its sign, and the text counts them as the frame does.
    frame = d.frame
    np.testing.assert_allclose(
        frame["advantage"], frame["system_deficit_reference"] - frame["system_deficit_treatment"]
    )
    assert (frame.loc[frame["advantage"] > 0, "case"] == "wins").all()
    assert (frame.loc[frame["advantage"] < 0, "case"] == "fails").all()
    wins = int((frame["case"] == "wins").sum())
    fails = int((frame["case"] == "fails").sum())
    assert d.text.startswith(
        f"Of 12 design points, shared governance beats fortress on system_deficit at {wins} "
    ), d.text
    assert f"does worse at {fails} " in d.text, d.text


def test_commons_discover_help_names_its_options(capsys):
    assert main(["discover", "--help"]) == 0
    out = capsys.readouterr().out
    for option in (
        "--treatment",
        "--reference",
        "--outcome",
        "--points",
        "--replicates",
        "--months",
        "--seed",
        "--threshold",
        "--out",
        "--common-seeds",
    ):
        assert option in out


def test_commons_discover_names_the_missing_extra(tmp_path, capsys, monkeypatch):
    import importlib

    real = importlib.import_module

    def without_workbench(name, *args):
        if name.startswith("ema_workbench"):
            raise ImportError("No module named 'ema_workbench'")
        return real(name, *args)

    monkeypatch.setattr(importlib, "import_module", without_workbench)
    out = tmp_path / "found"
    assert main(["discover", "--out", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "'interop' extra" in err
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_the_document_names_every_option():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "discovery.md").read_text()
    parser_help = cli_discover.__doc__
    assert "discovery.md" in parser_help
    for option in (
        "--treatment",
        "--reference",
        "--outcome",
        "--points",
        "--replicates",
        "--months",
        "--seed",
        "--common-seeds",
        "--threshold",
        "--budget-growth",
        "--min-density",
        "--max-depth",
        "--threads",
        "--out",
        "--quiet",
    ):
        assert f"`{option}" in text, option


GRID = """
name = "grid"
description = "two rule sets over a grid, for discovery on saved results"
scenario = "place_system"
rules = ["shared_governance", "fortress"]
replicates = 2
months = 12
seed = 5
[design]
kind = "grid"
[design.parameters]
budget_growth = [-0.02, 0.0, 0.02, 0.04]
spillover = [0.5, 1.0, 1.4]
"""


def test_analyse_works_on_an_experiments_saved_results(tmp_path):
    from sim import load_results

    path = tmp_path / "grid.toml"
    path.write_text(GRID)
    out = tmp_path / "results"
    assert main(["run", str(path), "--out", str(out), "--quiet", "--no-report"]) == 0
    runs = load_results(out).summaries
    inputs = ["budget_growth", "spillover"]
    pairs = disc.paired_differences(
        runs, "shared_governance", "fortress", ["system_deficit"], inputs=inputs
    )
    assert len(pairs) == 12
    by_hand = runs.groupby(["point", "rules"])["system_deficit"].mean().unstack()
    expected = (by_hand["shared_governance"] - by_hand["fortress"]).to_numpy()
    assert np.allclose(pairs["system_deficit_difference"], expected)
    d = disc.analyse(pairs, "system_deficit", lower_is_better=True, inputs=inputs)
    assert sum(d.counts.values()) == 12
    assert d.text.startswith("Of 12 design points")
