"""Experiment files: validation before anything runs (file, key, value and what is allowed)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.commands import main
from sim.core.rules import PRESETS, PRINCIPLES
from sim.experiment.report_analysis import sensitivity_indices
from sim.experiment.spec import (
    ExperimentError,
    load_experiment,
    parse_experiment,
    shipped_experiments,
)

ROOT = Path(__file__).resolve().parents[1]

GOOD = """
name = "tiny"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = 3
months = 12
seed = 7
"""


def test_shipped_experiments_are_valid():
    names = {p.name for p in shipped_experiments()}
    assert {
        "fortress_vs_shared.toml",
        "design_principles_ablation.toml",
        "funding_pressure_crossover.toml",
        "sensitivity.toml",
    } <= names
    for path in shipped_experiments():
        exp = load_experiment(path)
        assert exp.n_runs > 0
    fvs = load_experiment(ROOT / "experiments" / "fortress_vs_shared.toml")
    assert fvs.rule_names == list(PRESETS)
    assert fvs.replicates >= 1000
    assert fvs.months == 120
    # The headline is over the priors, with two seeds per draw or more (seeds apart from priors).
    assert fvs.uncertainty is not None
    assert fvs.uncertainty.seeds_per_draw >= 2
    abl = load_experiment(ROOT / "experiments" / "design_principles_ablation.toml")
    for principle in PRINCIPLES:
        assert f"shared_governance-{principle}" in abl.rule_names
    assert abl.ablation_base == "shared_governance"


def test_runs_are_ordered_with_common_random_numbers():
    exp = parse_experiment(
        GOOD + '\n[design]\nkind = "grid"\n[design.parameters]\nbudget_growth = [0.0, 0.02]\n'
    )
    runs = exp.runs()
    assert len(runs) == 2 * 2 * 3 == exp.n_runs
    assert runs["run_id"].tolist() == list(range(12))
    # point-major, then rule set, then replicate; replicate j uses run key j
    assert runs["point"].tolist() == [0] * 6 + [1] * 6
    assert runs["rules"].tolist()[:6] == ["fortress"] * 3 + ["shared_governance"] * 3
    assert (runs["run_key"] == runs["replicate"]).all()
    assert (runs["seed"] == 7).all()
    assert runs["budget_growth"].tolist() == [0.0] * 6 + [0.02] * 6
    arrays = exp.arrays()
    assert arrays["params"].shape[0] == 12
    assert arrays["levers"].shape[0] == 12
    # [runs, schedule steps, levers]: fixed rule sets are schedules of one step from month 0
    assert arrays["levers"].shape[1] == 1
    assert np.array_equal(arrays["levers"][3, 0], PRESETS["shared_governance"].vector())
    assert (arrays["switch"] == 0).all()


def test_rule_forms_ablation_overrides_and_designs():
    text = """
name = "forms"
scenario = "place_system"
replicates = 2
months = 6
seed = 1
[[rules]]
preset = "shared_governance"
without = ["monitoring", "graduated_sanctions"]
[[rules]]
preset = "shared_governance"
name = "weak_monitoring"
levers = { monitoring = 0.2 }
[[rules]]
preset = "fortress"
prevention_slice = 0.05
[ablation]
base = "shared_governance"
principles = ["monitoring"]
[design]
kind = "sobol"
samples = 8
[design.parameters]
budget_growth = { low = 0.0, high = 0.04 }
learning_rate = { low = 0.05, high = 0.3 }
"""
    exp = parse_experiment(text)
    names = exp.rule_names
    assert names[0] == "shared_governance-monitoring-graduated_sanctions"
    assert names[1] == "weak_monitoring"
    assert exp.rules[1].monitoring == 0.2
    assert names[2].startswith("fortress+prevention_slice=")
    assert "shared_governance" in names
    assert "shared_governance-monitoring" in names
    assert len(exp.points) == 8 * (2 + 2)  # Saltelli, first order
    again = parse_experiment(text)
    assert again.points == exp.points  # seeded design


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        (GOOD + "colour = 'blue'\n", ["colour", "'blue'", "allowed"]),  # unknown key
        (
            GOOD.replace("replicates = 3", 'replicates = "many"'),
            ["replicates", "'many'", "integer"],
        ),
        (GOOD.replace("months = 12", "months = 0"), ["months", "0", "[1, 1200]"]),
        (GOOD + "[parameters]\nbudget_growth = 0.9\n", ["budget_growth", "0.9", "[-0.2, 0.3]"]),
        (GOOD + "[parameters]\nbudget_grwth = 0.01\n", ["budget_grwth", "0.01", "budget_growth"]),
        (GOOD + "[parameters]\nn_places = 2.5\n", ["n_places", "2.5", "integer"]),
        (GOOD.replace('"fortress", ', '"fortres", '), ["fortres", "shared_governance"]),
        (GOOD + "[ablation]\nprinciples = ['teeth']\n", ["ablation.principles", "teeth"]),
        (GOOD + "[outputs]\nseries = 'yes'\n", ["outputs.series", "'yes'", "true or false"]),
        (
            GOOD
            + "[design]\nkind = 'grid'\n[design.parameters]\nageing = {low = 0.0, high = 9.0, steps = 3}\n",
            ["design.parameters.ageing.high", "9.0", "[0, 0.2]"],
        ),
        (GOOD + "[design]\nkind = 'factorial'\n", ["design.kind", "factorial", "grid"]),
        (GOOD + "[report]\nreference = 'nobody'\n", ["report.reference", "nobody"]),
        (GOOD + "[report]\noutcomes = ['happiness']\n", ["happiness", "population_health"]),
        (GOOD + "[[[broken\n", ["malformed TOML"]),
        ("name = 'x'\n", ["scenario", "missing"]),
    ],
    ids=[
        "unknown-key",
        "wrong-type",
        "out-of-range",
        "param-out-of-range",
        "unknown-param",
        "param-not-whole",
        "unknown-preset",
        "unknown-principle",
        "wrong-type-bool",
        "design-range",
        "design-kind",
        "report-reference",
        "unknown-outcome",
        "malformed",
        "missing-key",
    ],
)
def test_bad_input_exits_2_naming_file_key_value(tmp_path, capsys, text, needles):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "results"
    for argv in (["validate", str(path)], ["run", str(path), "--out", str(out), "-q"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert str(path) in err, err
        for needle in needles:
            assert needle in err, (needle, err)
        assert not out.exists(), "a results folder was left behind"


def test_bad_cli_options_exit_2(tmp_path, capsys):
    path = tmp_path / "ok.toml"
    path.write_text(GOOD)
    out = tmp_path / "r"
    assert main(["run", str(path), "--replicates", "0"]) == 2  # argparse's refusal, as exit 2
    assert "--replicates" in capsys.readouterr().err
    assert main(["run", str(path), "--engine", "dask", "--out", str(out)]) == 2
    assert "--scheduler" in capsys.readouterr().err
    # A Dask option without the Dask engine, and timeouts that are not whole seconds up to an hour
    assert main(["run", str(path), "--connect-timeout", "3", "--out", str(out)]) == 2
    assert "--connect-timeout=3 is only used with --engine dask" in capsys.readouterr().err
    for bad in ("0", "soon", "2.5", "10000000000"):
        assert main(["run", str(path), "--engine", "dask", "--connect-timeout", bad]) == 2
        err = capsys.readouterr().err
        assert f"--connect-timeout: {bad!r} is not allowed" in err, err
        assert "a whole number from 1 to 3600" in err, err
    assert main(["run", str(tmp_path / "missing.toml"), "--out", str(out)]) == 2
    assert "missing.toml" in capsys.readouterr().err
    (tmp_path / "notresults").mkdir()
    (tmp_path / "notresults" / "data.txt").write_text("precious")
    assert main(["run", str(path), "--out", str(tmp_path / "notresults"), "-q"]) == 2
    assert (tmp_path / "notresults" / "data.txt").read_text() == "precious"
    assert not out.exists()


def test_engine_options_are_checked_for_api_callers_too():
    from sim.experiment.engines import make_engine

    assert make_engine("local", scheduler="").name == "local"  # an empty address is no address
    for kwargs in ({"scheduler": "tcp://127.0.0.1:8786"}, {"connect_timeout": 5}):
        with pytest.raises(ExperimentError, match="is only used with --engine dask"):
            make_engine("local", **kwargs)
    assert make_engine("dask", "tcp://127.0.0.1:8786", connect_timeout=2.5).timeout == 2.5
    for bad in ("5", True, 0, -1, float("inf"), float("nan"), 1e10):
        with pytest.raises(ExperimentError, match=r"--connect-timeout=.* is not allowed"):
            make_engine("dask", "tcp://127.0.0.1:8786", connect_timeout=bad)


def test_installed_entry_point_exit_code(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(GOOD.replace("seed = 7", "seed = -1"))
    commons = Path(sys.executable).parent / "commons"
    proc = subprocess.run(
        [str(commons), "validate", str(path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2
    assert "seed=-1" in proc.stderr
    assert str(path) in proc.stderr


def test_parse_errors_are_experiment_errors():
    with pytest.raises(ExperimentError, match=r"x\.toml: replicates"):
        parse_experiment(GOOD.replace("replicates = 3", "replicates = -3"), where="x.toml")


ONE_PARAMETER_SOBOL = (
    GOOD.replace('["fortress", "shared_governance"]', '["fortress"]')
    + """
[design]
kind = "sobol"
samples = 4
[design.parameters]
budget_growth = { low = 0.0, high = 0.04 }
[report]
outcomes = ["population_health", "provider_failures"]
bootstrap = 100
"""
)


def test_one_parameter_sobol_is_exact_and_silent():
    exp = parse_experiment(ONE_PARAMETER_SOBOL)
    assert len(exp.points) == 4 * (1 + 2)
    x = np.array([pt["budget_growth"] for pt in exp.points])
    frame = pd.DataFrame(
        {"point": range(len(x)), "rules": "fortress", "replicate": 0, "y": x**2, "flat": 1.0}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        varying = sensitivity_indices(frame, exp, "y", "fortress").iloc[0]
        flat = sensitivity_indices(frame, exp, "flat", "fortress").iloc[0]
    assert not caught, [str(w.message) for w in caught]
    assert (varying["S1"], varying["ST"]) == (1.0, 1.0)  # all the variance is the one parameter's
    assert (varying["S1_conf"], varying["ST_conf"]) == (0.0, 0.0)
    assert flat[["S1", "S1_conf", "ST", "ST_conf"]].isna().all()  # no variance: undefined


def test_constant_outcome_of_a_wider_sobol_design_is_undefined_and_silent():
    text = ONE_PARAMETER_SOBOL.replace(
        "budget_growth = { low = 0.0, high = 0.04 }",
        "budget_growth = { low = 0.0, high = 0.04 }\nageing = { low = 0.0, high = 0.02 }",
    )
    exp = parse_experiment(text)
    frame = pd.DataFrame(
        {"point": range(len(exp.points)), "rules": "fortress", "replicate": 0, "flat": 2.5}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        idx = sensitivity_indices(frame, exp, "flat", "fortress")
    assert not caught, [str(w.message) for w in caught]
    assert len(idx) == 2
    assert idx[["S1", "ST"]].isna().all().all()


def test_quiet_run_of_a_one_parameter_sobol_file_with_a_byte_order_mark(tmp_path, capsys):
    raw = b"\xef\xbb\xbf" + ONE_PARAMETER_SOBOL.encode()
    path = tmp_path / "sobol1.toml"
    path.write_bytes(raw)
    out = tmp_path / "out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            code = main(["run", str(path), "--out", str(out), "--quiet"])
        except SystemExit as exc:
            code = exc.code
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert captured.err == ""  # --quiet: no warnings, no messages
    noisy = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    assert not noisy, [str(w.message) for w in noisy]
    # The manifest's hash and copy are of the file's bytes, byte-order mark included.
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["experiment"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert (out / "experiment.toml").read_bytes() == raw
    table = pd.read_csv(out / "tables" / "sensitivity.csv").set_index("outcome")
    summaries = pd.read_parquet(out / "summaries.parquet")
    for outcome in ("population_health", "provider_failures"):
        means = summaries.groupby("point")[outcome].mean()
        row = table.loc[outcome]
        if means.max() > means.min():  # all of the variance is the one parameter's
            assert (row["S1"], row["ST"], row["S1_conf"], row["ST_conf"]) == (1.0, 1.0, 0.0, 0.0)
        else:  # no variance to share out
            assert row[["S1", "ST"]].isna().all()
    assert summaries.groupby("point")["population_health"].mean().nunique() > 1
    assert "S1 = ST = 1 exactly" in (out / "report.md").read_text()
