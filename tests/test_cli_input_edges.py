"""Bad input at the edges of `commons run`, `report` and `validate`: one line, exit 2, nothing
already written lost (docs/experiments.md, Input rules, Resume and Exit codes)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest

from sim import CareSystem
from sim.commands import main
from sim.core.params import ParameterError
from sim.core.schedule import as_schedule, check_horizon
from sim.engine.placefile import parse_place_file
from sim.engine.placemap import PlaceFileError
from sim.experiment import report as report_module
from sim.experiment.results import load_results
from sim.experiment.store import DamagedManifest

EXIT_BAD_INPUT = 2
HEAD = """\
scenario = "place_system"
replicates = 2
months = 12
seed = 3
"""
EDGES = f'name = "edges"\n{HEAD}rules = ["fortress", "shared_governance"]\n'
PLACES = """\
[[places]]
name = "North"
population = 200000
allocation = 440.0

[[places]]
name = "South"
population = 300000
allocation_per_head = 2000

[[organisations]]
name = "Community"
kind = "community"
budget = 120.0
places = {North = 0.4, South = 0.6}
"""


def _cli(capsys, *argv: str) -> tuple[int, str]:
    """Exit code and stderr of `commons ARGV` (in this process)."""
    code = main(list(argv))
    return code, capsys.readouterr().err


def _one_line(err: str) -> str:
    assert err.count("\n") == 1, err
    assert "Traceback" not in err, err
    return err


def _digests(folder: Path) -> dict[str, str]:
    """Every file of a folder (not the lock's) with its sha256."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.startswith(".commons")
    }


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A complete results folder of the experiment "edges"."""
    folder = tmp_path_factory.mktemp("finished")
    spec = _write(folder, "edges.toml", EDGES)
    assert main(["run", str(spec), "--out", str(folder / "out"), "-q", "--no-report"]) == 0
    return folder / "out"


@pytest.fixture
def results(tmp_path, finished) -> Path:
    """A copy of the finished folder, to damage."""
    return Path(shutil.copytree(finished, tmp_path / "out"))


# ---------------------------------------------------------------- 1. another experiment's folder
@pytest.mark.parametrize("extra", [[], ["--restart-stale"]])
def test_another_experiments_results_are_refused_never_started_over(
    tmp_path, capsys, results, extra
):
    before = _digests(results)
    other = _write(tmp_path, "other.toml", f'name = "other"\n{HEAD}rules = ["fortress"]\n')
    code, err = _cli(capsys, "run", str(other), "--out", str(results), "--no-report", *extra)
    assert code == EXIT_BAD_INPUT
    line = _one_line(err)  # the line alone: no plan, no "results: DIR" before it
    assert "holds the results of experiment 'edges'" in line
    assert "not of 'other'" in line
    assert "choose another --out" in line
    assert "has changed" not in line
    assert "starting over" not in line
    assert _digests(results) == before


def test_a_changed_file_of_the_same_experiment_says_so(tmp_path, capsys, results):
    changed = _write(tmp_path, "edges2.toml", EDGES.replace("seed = 3", "seed = 4"))
    code, err = _cli(capsys, "run", str(changed), "--out", str(results), "--no-report")
    assert code == EXIT_BAD_INPUT
    assert "the experiment file of 'edges' has changed" in _one_line(err)
    assert f"{changed}, " in err  # the file now, beside the one the results came from
    code, err = _cli(capsys, "run", str(changed), "--out", str(results), "-q", "--restart-stale")
    assert code == 0
    assert (load_results(results).summaries["seed"] == 4).all()


# ---------------------------------------------------------------- 2. a damaged manifest
@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"{", "is not valid JSON"),
        (b"{}", "has no format_version"),
        (b"[]", "holds a JSON array, not an object"),
        (b"", "is empty"),
        (b"\xff\xfe\x00binary", "byte 0xff at position 0 is not UTF-8"),
        (b'"text"', "holds a JSON string"),
        (b"[" * 100_000, "is not valid JSON"),
        (b'{"format_version": 2, "status": "complete"}', "has no experiment"),
    ],
    ids=["brace", "empty-object", "array", "empty", "binary", "string", "deep", "partial"],
)
def test_a_damaged_manifest_is_bad_input_and_nothing_is_deleted(
    tmp_path, capsys, results, content, needle
):
    (results / "manifest.json").write_bytes(content)
    before = _digests(results)
    spec = _write(tmp_path, "edges.toml", EDGES)
    for argv in (
        ["report", str(results)],
        ["run", str(spec), "--out", str(results), "--no-report"],
        ["run", str(spec), "--out", str(results), "-q", "--restart-stale"],
    ):
        code, err = _cli(capsys, *argv)
        assert code == EXIT_BAD_INPUT, err
        line = _one_line(err)
        assert f"{results / 'manifest.json'}: " in line
        assert needle in line
        assert _digests(results) == before
    with pytest.raises(DamagedManifest, match=r"manifest\.json"):
        load_results(results)


# ---------------------------------------------------------------- 3.-6. experiment files
GRID = f'name = "g"\n{HEAD}rules = ["fortress", "shared_governance"]\n[design]\nkind = "grid"\n'


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        (
            GRID + "[design.parameters]\nbudget_growth = [0.01, 0.01]\n[report.crossover]\n"
            'treatment = "shared_governance"\n',
            ["design.parameters.budget_growth[1]=0.01", "repeats design.parameters.budget_growth"],
        ),
        (
            GRID + "[design.parameters]\nbudget_growth = [0.0, 0.02, 0.0]\n",
            ["budget_growth[2]=0.0", "distinct values"],
        ),
        (
            GRID + "[design.parameters]\nn_places = { low = 1, high = 2, steps = 5 }\n",
            ["design.parameters.n_places.steps=5", "distinct whole values"],
        ),
        (
            f'name = "s"\n{HEAD}[[rules]]\n'
            'schedule = [{ month = 0, rules = "fortress" }, '
            '{ month = 500, rules = "shared_governance" }]\n',
            ["rules[0].schedule[1].month=500", "a month in [1, 11]"],
        ),
        (
            f'name = "s"\n{HEAD}[[rules]]\n'
            'schedule = [{ month = 0, rules = "fortress" }, '
            '{ month = 12, rules = "shared_governance" }]\n',
            ["rules[0].schedule[1].month=12", "a month in [1, 11]"],
        ),
        (
            f'name = "s"\n{HEAD}[[rules]]\n'
            'schedule = [{ month = 0, rules = "fortress" }, '
            '{ month = 9223372036854775807, rules = "shared_governance" }]\n',
            ["month=9223372036854775807", "a month in [1, 11]"],
        ),
        (
            f'name = "i"\n{HEAD}rules = ["fortress"]\n[parameters]\nn_places = 3.0\n',
            ["parameters.n_places=3.0 has type float", "an integer in [1, 50]"],
        ),
        (
            GRID + "[design.parameters]\nn_places = [2.0, 3]\n",
            ["design.parameters.n_places[0]=2.0 has type float", "an integer in [1, 50]"],
        ),
        (
            f'name = "c"\n{HEAD}'
            'rules = ["fortress", { preset = "fortress", name = "shared_governance-monitoring" }]\n'
            '[ablation]\nprinciples = ["monitoring", "prevention"]\n',
            ["rules[1]='shared_governance-monitoring'", "shared_governance without monitoring"],
        ),
        (
            f'name = "c"\n{HEAD}rules = [{{ preset = "fortress", name = "shared_governance" }}]\n'
            '[ablation]\nprinciples = ["monitoring"]\ninclude_base = false\n',
            ["rules[0]='shared_governance'", "its base shared_governance"],
        ),
        (
            GRID + "seed = -4\n[design.parameters]\nbudget_growth = [0.0, 0.02]\n",
            ["design.seed=-4", "not used by kind = 'grid'"],
        ),
        (
            f'name = "n"\n{HEAD}rules = ["fortress"]\n[design]\nseed = "abc"\n',
            ["design.seed='abc'", 'nothing with kind = "none"'],
        ),
        (
            f'name = "f"\n{HEAD}rules = ["fortress"]\n[report]\n'
            'fan_measures = ["population_health"]\n',
            ["report.fan_measures=['population_health']", "outputs.series = true"],
        ),
        (
            f'name = "d"\n{HEAD}replicates = 3\n',
            ["malformed TOML", "line 6 reads 'replicates = 3'"],
        ),
    ],
    ids=[
        "grid-duplicate-crossover",
        "grid-duplicate",
        "grid-integer-steps-repeat",
        "schedule-500",
        "schedule-at-months",
        "schedule-max",
        "integer-whole-float",
        "grid-integer-whole-float",
        "ablation-variant-clash",
        "ablation-base-clash",
        "grid-seed",
        "none-seed",
        "fan-without-series",
        "key-set-twice",
    ],
)
def test_bad_files_are_refused_before_any_run(tmp_path, capsys, text, needles):
    path = _write(tmp_path, "bad.toml", text)
    out = tmp_path / "out"
    for argv in (["validate", str(path)], ["run", str(path), "--out", str(out)]):
        code, err = _cli(capsys, *argv)
        assert code == EXIT_BAD_INPUT, err
        line = _one_line(err)
        assert line.startswith(f"commons {argv[0]}: error: {path}: "), line
        for needle in needles:
            assert needle in line, (needle, line)
    assert not out.exists()


@pytest.mark.parametrize(
    "text",
    [
        f'name = "s"\n{HEAD}[[rules]]\n'
        'schedule = [{ month = 0, rules = "fortress" }, { month = 11, rules = "fortress" }]\n',
        f'name = "i"\n{HEAD}rules = ["fortress"]\n[parameters]\nn_places = 3\n',
        f'name = "a"\n{HEAD}'
        'rules = ["fortress", { preset = "shared_governance", without = ["monitoring"] }]\n'
        '[ablation]\nprinciples = ["monitoring"]\n',
    ],
    ids=["schedule-last-month", "integer", "ablation-variant-listed-too"],
)
def test_their_valid_neighbours_pass(tmp_path, capsys, text):
    assert _cli(capsys, "validate", str(_write(tmp_path, "ok.toml", text)))[0] == 0


def test_the_python_api_keeps_its_documented_rules():
    """`CareSystem` accepts a whole float for an integer parameter (docs/interoperability.md:
    values from samplers) and a step at any month (it may run on past its horizon); a caller
    that knows the run's length refuses a step it would never reach with `check_horizon`."""
    assert CareSystem(n_places=3.0, seed=1).run_for(2).month == 2
    late = as_schedule([(0, "fortress"), (500, "shared_governance")])
    CareSystem(rules=late, seed=1).run_for(1)
    check_horizon(late, 501)
    with pytest.raises(ParameterError, match=r"rules\[1\] month=500 is too late.*\[1, 11\]"):
        check_horizon(late, 12)


# ---------------------------------------------------------------- 7. deep place files
DEEP_HEADER = PLACES + "[" + ".".join(["a"] * 1000) + "]\nb = 1\n"
DEEP_KEY = PLACES.replace("budget = 120.0", "budget = 120.0\n" + ".".join(["a"] * 1000) + " = 1")
DEEP_ARRAY = PLACES + "x = " + "[" * 2000 + "]" * 2000 + "\n"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (DEEP_HEADER, "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a is nested too deeply"),
        (DEEP_KEY, "organisations[0].a.a.a"),
        (DEEP_ARRAY, "line 16: arrays or inline tables nested too deeply"),
    ],
    ids=["header", "dotted-key", "arrays"],
)
def test_a_deep_place_file_is_one_line(tmp_path, capsys, text, needle):
    with pytest.raises(PlaceFileError, match="at most 16 levels"):
        parse_place_file(text, "deep.toml")
    place = _write(tmp_path, "deep.toml", text)
    spec = _write(tmp_path, "edges.toml", EDGES)
    named = _write(tmp_path, "named.toml", EDGES + 'place_file = "deep.toml"\n')
    out = tmp_path / "out"
    for argv in (
        ["run", str(spec), "--place-file", str(place), "--out", str(out)],
        ["validate", str(named)],
    ):
        code, err = _cli(capsys, *argv)
        assert code == EXIT_BAD_INPUT, err
        line = _one_line(err)
        assert needle in line
        assert "at most 16 levels" in line
    assert not out.exists()


# ---------------------------------------------------------------- 8. smaller edges
def test_an_out_below_a_file_is_bad_input(tmp_path, capsys):
    (tmp_path / "afile").write_text("mine")
    spec = _write(tmp_path, "edges.toml", EDGES)
    for out in ("afile/sub", "afile/sub/deeper"):
        code, err = _cli(capsys, "run", str(spec), "--out", str(tmp_path / out))
        assert code == EXIT_BAD_INPUT
        assert f"{tmp_path / 'afile'} is a file, not a folder" in _one_line(err)
    assert (tmp_path / "afile").read_text() == "mine"


def test_a_folder_given_as_place_file_is_called_a_folder(tmp_path, capsys, monkeypatch):
    (tmp_path / "places").mkdir()
    named = _write(tmp_path, "named.toml", EDGES + 'place_file = "places"\n')
    monkeypatch.chdir(tmp_path)
    for argv in (
        ["validate", str(named)],
        ["validate", "named.toml"],
        ["run", "named.toml", "--place-file", "places", "--out", "out"],
    ):
        code, err = _cli(capsys, *argv)
        assert code == EXIT_BAD_INPUT
        line = _one_line(err)
        assert "places: is a folder, not a place file" in line
        assert "not found" not in line


def test_a_results_folder_that_ran_before_the_new_checks_still_reports(tmp_path, capsys):
    # A folder written before the checks of integers, grids, schedules and names (here a whole
    # float for an integer parameter and a schedule step past the run, which ran then) holds its
    # text in the manifest: its report reads that text as it was accepted, not refused now.
    path = tmp_path / "old.toml"
    path.write_text(
        'name = "old"\nscenario = "place_system"\nreplicates = 2\nmonths = 12\nseed = 3\n'
        "[parameters]\nn_places = 3\n"
        '[[rules]]\nname = "late"\nschedule = [{month = 0, rules = "fortress"}, '
        '{month = 6, rules = "shared_governance"}]\n'
        '[design]\nkind = "grid"\n[design.parameters]\nbudget_growth = [0.0, 0.01]\n'
        "[report]\n"
    )
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "-q"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    text = manifest["experiment"]["content"].replace("n_places = 3", "n_places = 3.0")
    text = text.replace("month = 6,", "month = 40,")
    # a design seed a grid does not use, and fan charts without kept series (both ignored then)
    text = text.replace('kind = "grid"', 'kind = "grid"\nseed = 5')
    text = text.replace("[report]", '[report]\nfan_measures = ["population_health"]')
    manifest["experiment"]["content"] = text
    (out / "manifest.json").write_text(json.dumps(manifest))
    (out / "report.md").unlink()
    capsys.readouterr()
    assert main(["report", str(out)]) == 0, capsys.readouterr().err
    assert (out / "report.md").is_file()
    # the same text as a file about to run is refused: fixed one check at a time, each refuses
    fixes = [
        ("n_places = 3.0", "n_places = 3", "n_places"),
        ("month = 40,", "month = 6,", "month=40"),
        ("seed = 5\n", "", "design.seed"),
        ('fan_measures = ["population_health"]\n', "", "report.fan_measures"),
    ]
    for wrong, right, needle in fixes:
        path.write_text(text)
        assert main(["validate", str(path)]) == 2
        assert needle in capsys.readouterr().err
        text = text.replace(wrong, right)
    path.write_text(text)
    assert main(["validate", str(path)]) == 0


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["run", "fortress_vs_shared", "--threads", "0"], "--threads"),
        (["run", "fortress_vs_shared", "--engine", "gpu"], "--engine"),
        (["run", "fortress_vs_shared", "--chunk-size", "2000000"], "--chunk-size"),
        (["validate", "fortress_vs_shared", "--replicates", "5000000"], "--replicates"),
        (["validate", "fortress_vs_shared", "--replicates", "1.5"], "--replicates"),
        (["discover", "--points", "0"], "--points"),
        (["calibrate", "--trials", "0"], "--trials"),
        (["frobnicate"], "COMMAND"),
        (["run", "fortress_vs_shared", "--no-such-flag"], "--no-such-flag"),
        (["run", "fortress_vs_shared", "--out", ""], "--out"),
        (["discover", "--out", " "], "--out"),
        (["calibrate", "--out", ""], "--out"),
        (["report", ""], "DIR"),
    ],
)
def test_a_bad_option_is_one_line_naming_it(argv, option, tmp_path, capsys, monkeypatch):
    """argparse's own errors too: one line (no usage block before it), exit 2, nothing run. The
    replicates and chunk size a command line gives have the file's range (1 to 1,000,000)."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert option in err
    assert list(tmp_path.iterdir()) == []


def _tamper(folder: Path, name: str, data: bytes, record: bool) -> None:
    """Replace a file of a results folder; `record`: write its new sha256 into the manifest too
    (an edit that covers its tracks), else leave the manifest as the run wrote it."""
    (folder / name).write_bytes(data)
    if record:
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
        (folder / "manifest.json").write_text(json.dumps(manifest))


def test_an_edited_copy_of_the_experiment_file_is_not_reported_on(capsys, results):
    """The folder's experiment.toml is part of what the run wrote: edited, the folder is refused
    like any other edited file (docs/experiments.md, "Data checked, never silently used")."""
    edited = (results / "experiment.toml").read_bytes() + b"# edited\n"
    _tamper(results, "experiment.toml", edited, record=False)
    code, err = _cli(capsys, "report", str(results))
    assert code == EXIT_BAD_INPUT
    assert "experiment.toml" in _one_line(err)
    assert not (results / "report.md").exists()


@pytest.mark.parametrize("format_1", [False, True])
def test_data_that_is_not_parquet_is_damaged_results_not_a_crash(capsys, results, format_1):
    """A summaries file that is not Parquet, its sha256 recorded with it or in a folder of format
    1 (which records none): exit 2 and one line naming the file, not an unexpected error."""
    _tamper(results, "summaries.parquet", b"not parquet at all", record=True)
    if format_1:
        manifest = json.loads((results / "manifest.json").read_text())
        manifest["format_version"] = 1
        (results / "manifest.json").write_text(json.dumps(manifest))
    code, err = _cli(capsys, "report", str(results))
    assert code == EXIT_BAD_INPUT
    line = _one_line(err)
    assert "summaries.parquet" in line
    assert "unexpected" not in line


@pytest.mark.parametrize("checked_first", [True, False])
@pytest.mark.parametrize("column", ["population_health", "point"])
def test_summaries_without_a_column_the_report_reads_are_refused(
    capsys, results, column, checked_first, monkeypatch
):
    """An outcome and a run key, found by the check before any section runs, or (that check
    skipped) by the section that reads them."""
    if not checked_first:
        monkeypatch.setattr(report_module, "_columns_read", lambda _folder, frame, _exp: frame)
    frame = load_results(results).summaries.drop(columns=column)
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    _tamper(results, "summaries.parquet", buffer.getvalue(), record=True)
    code, err = _cli(capsys, "report", str(results))
    assert code == EXIT_BAD_INPUT
    line = _one_line(err)
    assert f"lacks the column(s) {column} " in line
    assert "unexpected" not in line


def test_a_complete_folder_without_its_summaries_says_what_is_missing(capsys, results):
    (results / "summaries.parquet").unlink()
    code, err = _cli(capsys, "report", str(results))
    assert code == EXIT_BAD_INPUT
    line = _one_line(err)
    assert "summaries.parquet is missing, though every chunk is complete" in line
    assert "not complete" not in line


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        ({"format_version": 0}, "format_version 0 is not a format"),
        ({"chunks_complete": [99]}, "chunks_complete holds something other than chunk numbers"),
        ({"chunks_complete": [-1]}, "chunks_complete holds something other than chunk numbers"),
        ({"plan": {"n_chunks": 0}}, "plan.n_chunks"),
        ({"files": {"../../escape.txt": "0" * 64}}, "'../../escape.txt', outside the results"),
        ({"files": {"/etc/passwd": "0" * 64}}, "'/etc/passwd', outside the results folder"),
        ({"overrides": {"replicates": "x"}}, "overrides.replicates is 'x'"),
    ],
    ids=[
        "format-0",
        "chunk-past-plan",
        "chunk-negative",
        "no-chunks",
        "escape",
        "absolute",
        "override-type",
    ],
)
def test_a_manifest_with_values_a_run_never_writes_is_damaged(capsys, results, edit, needle):
    """A manifest of the right shape whose values no run writes (an edit): refused like any other
    damaged manifest, by `report` and `run`, one line, nothing changed."""
    manifest = json.loads((results / "manifest.json").read_text())
    for key, value in edit.items():
        if isinstance(value, dict) and key in ("plan", "overrides"):
            manifest[key] = {**manifest[key], **value}
        else:
            manifest[key] = value
    (results / "manifest.json").write_text(json.dumps(manifest))
    before = _digests(results)
    code, err = _cli(capsys, "report", str(results))
    assert code == EXIT_BAD_INPUT
    line = _one_line(err)
    assert needle in line
    assert "manifest.json" in line
    assert _digests(results) == before


def test_a_folder_of_a_newer_format_is_not_called_damaged(tmp_path, capsys, results):
    """Results a newer care-commons wrote are refused by this one, saying so, never with advice to
    start over (--force would delete them); `run` into them too."""
    manifest = json.loads((results / "manifest.json").read_text())
    manifest["format_version"] = 99
    (results / "manifest.json").write_text(json.dumps(manifest))
    before = _digests(results)
    spec = _write(tmp_path, "edges.toml", EDGES)
    for argv in (["report", str(results)], ["run", str(spec), "--out", str(results)]):
        code, err = _cli(capsys, *argv)
        assert code == EXIT_BAD_INPUT
        line = _one_line(err)
        assert "format 99" in line
        assert "damaged" not in line
        assert _digests(results) == before
