"""Probabilistic runs over parameter priors (issue 13, item 1): the table of priors, keyed draws,
pairing of rule sets within a replicate, seeds per draw, explicit values winning, bad input
refused in one line, experiment files, resume, the Dask engine and rebuilding a recorded run.

Runs are short (a few months, a few replicates) so the file stays fast compiled or interpreted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import load_results
from sim.commands import main
from sim.core.constants import RNG_PRIOR, SUMMARIES
from sim.core.params import PARAMETER_INDEX, ParameterError, defaults, parameter, parameters_for
from sim.core.priors import Prior, draw, resolve
from sim.core.priors_table import PRIORS
from sim.core.rng import uniform
from sim.engine.batch import run_many
from sim.experiment.checker import ExperimentError
from sim.experiment.results import rebuild
from sim.experiment.runner import run_experiment
from sim.experiment.spec import parse_experiment
from sim.model import CareSystem

ROOT = Path(__file__).resolve().parents[1]
FEW = {"replicates": 4, "months": 3, "seed": 11}
SPEC = """
name = "unc"
scenario = "place_system"
rules = {rules}
replicates = 6
months = 3
seed = 23
chunk_size = {chunk}
[parameters]
spillover = 0.6
[uncertainty]
seeds_per_draw = 2
[uncertainty.priors.budget_growth]
dist = "uniform"
low = 0.0
high = 0.02
"""


def _spec(rules='["fortress", "shared_governance"]', chunk=5) -> str:
    return SPEC.format(rules=rules, chunk=chunk)


# ---------------------------------------------------------------------- the table of priors
def test_every_prior_is_a_place_parameter_inside_its_range_with_a_source():
    references = (ROOT / "docs" / "references.md").read_text()
    keys = set(re.findall(r"^- \[([A-Za-z0-9-]+)\]", references, flags=re.M))
    accepted = {p.name for p in parameters_for("place_system")}
    base = defaults("place_system")
    assert len({p.name for p in PRIORS}) == len(PRIORS)
    for p in PRIORS:
        spec = parameter(p.name)
        assert p.name in accepted
        assert spec.low <= p.low < p.high <= spec.high, p.name
        assert p.low <= base[p.name] <= p.high, f"{p.name}: its default is outside its prior"
        if p.dist == "triangular":
            assert p.mode == base[p.name], f"{p.name}: the mode is not the default"
        assert p.source.strip(), p.name
        for cited in re.findall(r"\[([A-Za-z]+[A-Za-z0-9-]*\d[A-Za-z0-9-]*)", p.source):
            for key in re.split(r",\s*", cited):
                assert key in keys, f"{p.name} cites [{key}], not in docs/references.md"


def test_the_behavioural_shares_cannot_be_drawn_above_one():
    high = {p.name: p.high for p in PRIORS}
    assert high["share_conditional"] + high["share_free_rider"] + high["share_hump"] <= 1 + 1e-12


def test_shape_and_pressure_have_no_prior_and_laboratory_designs_are_not_drawn():
    names = {p.name for p in PRIORS}
    assert not names & {"n_places", "population", "spend_per_head", "budget_growth"}
    lab = {p.name for p in resolve(True, "classroom_commons")}
    assert not lab & {"learning_rate", "trust_gate", "fine_per_unit", "join_trust"}
    assert "trust_gain" in lab


def test_a_draw_is_the_keyed_uniform_through_the_quantile_function():
    prior = next(p for p in PRIORS if p.name == "trust_gain")
    many = draw(PRIORS, 5, np.arange(8))
    alone = draw([prior], 5, [6])
    assert alone["trust_gain"][0] == many["trust_gain"][6]  # not the count or the others drawn
    u = uniform(5, 6, -1, PARAMETER_INDEX["trust_gain"], RNG_PRIOR)
    assert many["trust_gain"][6] == prior.ppf(np.array([u]))[0]
    assert len(set(many["trust_gain"])) == 8


def test_integer_priors_draw_whole_numbers_across_their_range():
    values = draw([p for p in PRIORS if p.name == "oversight_review"], 1, np.arange(300))
    assert set(values["oversight_review"]) == {2.0, 3.0, 4.0}


# ---------------------------------------------------------------------- run_many
def test_run_many_is_reproducible_and_records_each_draw():
    a = run_many(["fortress", "shared_governance"], uncertainty=True, **FEW)
    b = run_many(["fortress", "shared_governance"], uncertainty=True, threads=1, **FEW)
    pd.testing.assert_frame_equal(a, b)
    names = a.attrs["uncertain"]
    assert names == tuple(p.name for p in resolve(True))
    assert {"draw", *names} <= set(a.columns)
    table = draw(resolve(True), FEW["seed"], a["draw"].to_numpy())
    for name in names:
        np.testing.assert_array_equal(a[name].to_numpy(), table[name])
    assert a["oversight_review"].dtype.kind == "i"


def test_rule_sets_at_a_replicate_share_the_draw_and_the_random_numbers():
    twins = [{"preset": "fortress", "name": "one"}, {"preset": "fortress", "name": "two"}]
    frame = run_many([*twins, "shared_governance"], uncertainty=True, **FEW)
    names = list(frame.attrs["uncertain"])
    for _, group in frame.groupby("replicate"):
        assert (group[names].nunique() == 1).all()
    one = frame[frame.rules == "one"].reset_index(drop=True)
    two = frame[frame.rules == "two"].reset_index(drop=True)
    pd.testing.assert_frame_equal(one[list(SUMMARIES)], two[list(SUMMARIES)])
    first = one.loc[0, names].to_numpy(dtype=float)
    second = one.loc[1, names].to_numpy(dtype=float)
    assert (first != second).mean() > 0.9  # different draws: (nearly) every parameter differs


def test_seeds_per_draw_groups_replicates_on_one_draw():
    frame = run_many("fortress", uncertainty=["trust_gain"], seeds_per_draw=3, replicates=7,
                     months=3, seed=4)  # fmt: skip
    assert frame["draw"].tolist() == [0, 0, 0, 1, 1, 1, 2]
    gain = frame["trust_gain"].to_numpy()
    assert gain[0] == gain[1] == gain[2] != gain[3] == gain[5] != gain[6]
    health = frame["population_health"].to_numpy()
    assert len(set(health[:3])) == 3  # same parameters, different seeds


def test_an_explicit_value_wins_over_its_prior():
    frame = run_many("fortress", uncertainty=True, spillover=0.5,
                     points=[{"trust_gain": 0.05}], **FEW)  # fmt: skip
    assert "spillover" not in frame.attrs["uncertain"]
    assert "trust_gain" not in frame.attrs["uncertain"]
    assert (frame["trust_gain"] == 0.05).all()
    assert "spillover" not in frame.columns
    mine = run_many(
        "fortress", uncertainty={"spillover": {"dist": "uniform", "low": 0.1, "high": 0.2}}, **FEW
    )
    assert mine.attrs["uncertain"] == ("spillover",)
    assert mine["spillover"].between(0.1, 0.2).all()


def test_a_run_many_row_rebuilt_on_the_per_agent_engine_gives_the_same_summary():
    frame = run_many(["fortress", "shared_governance"], uncertainty=True, **FEW)
    for i in (1, 6):
        row = frame.iloc[i]
        model = CareSystem(
            rules=row.rules,
            seed=int(row.seed),
            run=int(row.replicate),
            engine="python",
            **{name: row[name] for name in frame.attrs["uncertain"]},
        ).run_for(FEW["months"])
        got = model.summary()
        assert [got[k] for k in SUMMARIES] == [row[k] for k in SUMMARIES]


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"uncertainty": ["no_such"]}, "'no_such' is not a parameter"),
        ({"uncertainty": ["budget_growth"]}, "has no prior in the table"),
        ({"uncertainty": {"spillover": {"dist": "beta", "low": 0, "high": 1}}}, "dist='beta'"),
        ({"uncertainty": {"spillover": {"dist": "uniform", "low": 2, "high": 1}}}, "not below"),
        ({"uncertainty": {"spillover": {"dist": "uniform", "low": 0, "high": 9}}}, "high=9"),
        ({"uncertainty": {"spillover": {"dist": "triangular", "low": 0, "high": 1}}}, "mode"),
        ({"uncertainty": {"spillover": {"dist": "uniform", "low": 0, "high": "1"}}}, "high='1'"),
        (
            {"uncertainty": {"spillover": {"dist": "normal", "low": 0, "high": 1, "mode": "x"}}},
            "mode='x' is not a number",
        ),
        ({"uncertainty": 5}, "uncertainty=5 has type int"),
        ({"uncertainty": True, "seeds_per_draw": 0}, "seeds_per_draw=0"),
    ],
)
def test_bad_uncertainty_is_refused_in_one_line(kwargs, words):
    params = {k: v for k, v in kwargs.items() if k not in ("uncertainty", "seeds_per_draw")}
    rest = {k: v for k, v in kwargs.items() if k in ("uncertainty", "seeds_per_draw")}
    with pytest.raises(ParameterError) as err:
        run_many("fortress", replicates=2, months=2, **rest, **params)
    assert words in str(err.value)
    assert "\n" not in str(err.value)


def test_drawn_shares_above_one_are_refused_naming_the_draw():
    with pytest.raises(ParameterError, match=r"prior draw \d+: share_conditional\+"):
        run_many("fortress", replicates=50, months=2, share_hump=0.2, uncertainty=True)


# ---------------------------------------------------------------------- experiment files
def test_experiment_runs_and_arrays_carry_the_draws():
    exp = parse_experiment(_spec())
    unc = exp.uncertainty
    assert unc.seeds_per_draw == 2
    assert "spillover" not in unc.names
    assert "budget_growth" in unc.names
    assert isinstance(unc.priors[0], Prior)
    runs, arrays = exp.runs(), exp.arrays()
    assert runs["draw"].tolist() == [0, 0, 1, 1, 2, 2] * 2
    for name in unc.names:
        np.testing.assert_array_equal(arrays["params"][:, PARAMETER_INDEX[name]], runs[name])
    assert (arrays["params"][:, PARAMETER_INDEX["spillover"]] == 0.6).all()


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('parameters = ["no_such"]', "uncertainty.parameters[0]='no_such'"),
        ('parameters = "some"', "uncertainty.parameters='some'"),
        ('seeds_per_draw = "2"', "uncertainty.seeds_per_draw='2' has type string"),
        ("seeds_per_draw = 0", "uncertainty.seeds_per_draw=0"),
        ("colour = 1", "uncertainty.colour=1 is not a known key"),
        ('[uncertainty.priors.no_such]\ndist = "uniform"', "uncertainty.priors.no_such"),
        ('[uncertainty.priors.spillover]\ndist = "beta"\nlow = 0\nhigh = 1', "dist='beta'"),
        ('[uncertainty.priors.spillover]\ndist = "uniform"\nlow = "a"\nhigh = 1', "low='a'"),
        ('[uncertainty.priors.spillover]\ndist = "uniform"\nlow = 1\nhigh = 0.5', "not below"),
        ('[uncertainty.priors.spillover]\ndist = "uniform"\nlow = 0\nhigh = 50', "high=50"),
        ('[uncertainty.priors.spillover]\ndist = "uniform"\nlow = 0', "spillover.high is missing"),
        (
            '[uncertainty.priors.spillover]\ndist = "normal"\nlow = 0\nhigh = 2\nmode = 1',
            "spillover.sd is missing with dist normal",
        ),
        (
            '[uncertainty.priors.spillover]\ndist = "triangular"\nlow = 0\nhigh = 2',
            "spillover.mode is missing with dist triangular",
        ),
        ('parameters = ["budget_growth"]', "[0]='budget_growth' has no prior in the table"),
        ('[uncertainty.priors.spillover]\ndist = "uniform"\nlow = 0\nhigh = 1\nx = 1', ".x=1"),
    ],
)
def test_bad_uncertainty_tables_are_refused_in_one_line(table, words, tmp_path):
    text = 'name = "bad"\nscenario = "place_system"\nrules = "all"\nreplicates = 2\n'
    text += f"months = 2\nseed = 1\n[uncertainty]\n{table}\n"
    with pytest.raises(ExperimentError) as err:
        parse_experiment(text, where="bad.toml")
    message = str(err.value)
    assert message.startswith("bad.toml: ")
    assert words in message
    assert "\n" not in message
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["validate", str(path)]) == 2


def test_results_carry_the_draws_the_manifest_the_priors_and_each_run_rebuilds(tmp_path):
    exp = parse_experiment(_spec())
    folder = run_experiment(exp, tmp_path / "out", quiet=True)
    res = load_results(folder)
    runs = exp.runs()
    for column in ("draw", *exp.uncertainty.names):
        np.testing.assert_array_equal(res.summaries[column].to_numpy(), runs[column].to_numpy())
    recorded = res.manifest["plan"]["uncertainty"]
    assert recorded["seeds_per_draw"] == 2
    assert [p["name"] for p in recorded["priors"]] == list(exp.uncertainty.names)
    assert res.uncertain == exp.uncertainty.names
    mine = next(p for p in recorded["priors"] if p["name"] == "budget_growth")
    assert mine == {"name": "budget_growth", "dist": "uniform", "low": 0.0, "high": 0.02,
                    "mode": None, "sd": None, "source": "the experiment file"}  # fmt: skip
    import sim

    assert sim.rebuild is rebuild
    for run_id in (0, 9):
        got = rebuild(res, run_id).summary()
        row = res.summaries.loc[run_id]
        assert [got[k] for k in SUMMARIES] == [row[k] for k in SUMMARIES]


def test_chunking_order_and_resume_give_the_same_results(tmp_path):
    exp = parse_experiment(_spec())
    whole = load_results(run_experiment(exp, tmp_path / "whole", quiet=True)).summaries
    small = parse_experiment(_spec(chunk=1))
    other = load_results(run_experiment(small, tmp_path / "small", quiet=True, threads=1))
    pd.testing.assert_frame_equal(whole, other.summaries)
    reverse = parse_experiment(_spec(rules='["shared_governance", "fortress"]'))
    flipped = load_results(run_experiment(reverse, tmp_path / "flip", quiet=True)).summaries
    key = ["rules", "replicate"]
    columns = [c for c in whole.columns if c not in ("run_id",)]
    pd.testing.assert_frame_equal(
        whole[columns].sort_values(key).reset_index(drop=True),
        flipped[columns].sort_values(key).reset_index(drop=True),
    )
    # resume: forget chunk 1 (its file and its entry), run again, same data
    folder = tmp_path / "whole"
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["chunks_complete"].remove(1)
    manifest["status"] = "running"
    (folder / "manifest.json").write_text(json.dumps(manifest))
    (folder / "chunks" / "chunk-00001.parquet").unlink()
    (folder / "summaries.parquet").unlink()
    run_experiment(exp, folder, quiet=True)
    resumed = load_results(folder)
    assert len(resumed.manifest["engine_history"]) == 2
    pd.testing.assert_frame_equal(whole, resumed.summaries)


@pytest.mark.dask
@pytest.mark.slow
@pytest.mark.parametrize("cluster", ["own_dask_cluster", "dask_cluster"])
def test_the_dask_engine_with_one_or_two_workers_equals_local(cluster, request, tmp_path):
    address = request.getfixturevalue(cluster)["address"]
    exp = parse_experiment(_spec(chunk=3))
    local = load_results(run_experiment(exp, tmp_path / "local", quiet=True)).summaries
    remote = run_experiment(exp, tmp_path / "dask", engine="dask", scheduler=address, quiet=True)
    pd.testing.assert_frame_equal(local, load_results(remote).summaries)


_WORDS = st.sampled_from(
    ["parameters", "seeds_per_draw", "priors", "spillover", "trust_gain", "n_places", "dist",
     "low", "high", "mode", "sd", "source", "x"]
)  # fmt: skip


def _nested(inner):
    return st.lists(inner, max_size=3) | st.dictionaries(_WORDS, inner, max_size=4)


_TOML_VALUES = st.recursive(
    st.one_of(
        st.booleans(),
        st.integers(-5, 10),
        st.floats(-1, 6),
        st.sampled_from(["all", "uniform", "triangular", "normal", "spillover", "x", ""]),
    ),
    _nested,
    max_leaves=8,
)


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(st.dictionaries(_WORDS, _TOML_VALUES, max_size=4))
def test_any_uncertainty_table_is_accepted_or_refused_in_one_line(table):
    data = {"name": "f", "scenario": "place_system", "rules": "all", "replicates": 3,
            "months": 2, "seed": 1, "uncertainty": table}  # fmt: skip
    text = "".join(f"{k} = {_toml(v)}\n" for k, v in data.items())
    message = ""
    try:
        exp = parse_experiment(text)
    except ExperimentError as exc:  # refused: one line (any other exception fails the test)
        message = str(exc)
    else:
        assert exp.uncertainty.seeds_per_draw >= 1
    assert "\n" not in message


def _toml(value) -> str:
    """A value as inline TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return repr(value)
