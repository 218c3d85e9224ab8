"""Bad input gets a clear error naming the key, the value and what is allowed: the model's
arguments, and experiment files (`commons validate` and `commons run` exit 2 with one line)."""

import hashlib
import re

import pytest

from sim import CareSystem, ParameterError, RuleSet
from sim.analysis.tables import md_table, shown_path
from sim.commands import main
from sim.core.params import validate
from sim.core.rules import PRESETS, resolve
from sim.experiment.spec import load_experiment, parse_experiment


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


# ---------------------------------------------------------------------- experiment files
GOOD = """name = "tiny"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = 2
months = 3
seed = 7
"""


def _cli(capsys, *argv) -> tuple[int, str]:
    """Exit code and stderr of `commons ARGV` (in this process)."""
    try:
        code = main(list(argv))
    except SystemExit as exc:  # argparse, were main to let it through
        code = exc.code
    return code, capsys.readouterr().err


def _refused(tmp_path, capsys, text: str | bytes, *needles: str) -> str:
    """Both commands refuse the file with exit 2, one line naming it, and no results folder."""
    path = tmp_path / "bad.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "out"
    for cmd in ("validate", "run"):
        extra = ["--out", str(out), "-q"] if cmd == "run" else []
        code, err = _cli(capsys, cmd, str(path), *extra)
        assert code == 2, err
        assert err.startswith(f"commons {cmd}: error: {path}: "), err
        assert err.count("\n") == 1, err  # one line
        assert "Traceback" not in err
        for needle in needles:
            assert needle in err, (needle, err)
        assert not out.exists(), "a refused file left a results folder behind"
    return err


@pytest.mark.parametrize(
    "value",
    [
        "[" * 5000 + "]" * 5000,
        "{a = " * 5000 + "1" + "}" * 5000,
        "[" * 17 + "]" * 17,
        "[{a = " * 9 + "1" + "}]" * 9,
    ],
    ids=["arrays-5000", "tables-5000", "arrays-17", "mixed-18"],
)
def test_deep_nesting_is_refused_before_parsing(tmp_path, capsys, value):
    err = _refused(tmp_path, capsys, GOOD + f"description = {value}\n", "nested too deeply")
    assert "at most 16 levels" in err
    assert "line 7" in err


def test_deep_dotted_keys_are_refused_naming_the_key(tmp_path, capsys):
    err = _refused(tmp_path, capsys, GOOD + "[outputs]\n" + "a." * 5000 + "b = 1\n")
    assert "outputs.a.a.a" in err
    assert "nested too deeply" in err


def test_brackets_in_strings_and_comments_are_not_nesting():
    deep = "[" * 100 + "{" * 100
    exp = parse_experiment(
        GOOD.replace("name", f"# {deep}\nname")
        + f'description = """{deep}\n"quoted" {deep}"""\n'
        + f"[outputs]\nseries_measures = ['population_health', \"{deep}]\"] # {deep}\n".replace(
            f', "{deep}]"', ""
        )
    )
    assert exp.description.startswith(deep)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("monitoring = 2.0", "rules[0].monitoring=2.0"),
        ("levers = { monitoring = 2.0 }", "rules[0].levers.monitoring=2.0"),
        ("levers = { monitoring = true }", "rules[0].levers.monitoring=True has type boolean"),
        ("funding_model = 'bonus'", "rules[0].funding_model='bonus'"),
        ("agreed_shares = 1", "rules[0].agreed_shares=1 has type integer"),
        ("monitoring = 0.5\nlevers = { monitoring = 0.6 }", "rules[0].monitoring=0.5 is also set"),
    ],
)
def test_lever_errors_name_the_key_as_written(tmp_path, capsys, table, key):
    text = GOOD.replace('rules = ["fortress", "shared_governance"]\n', "")
    _refused(tmp_path, capsys, text + f"[[rules]]\npreset = 'fortress'\n{table}\n", key)


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("a|b", "name='a|b' is not allowed"),
        ("a\\nb", "name='a\\nb' is not allowed"),
        ("a b", "is not allowed"),
        ("café", "is not allowed"),
        ("-x", "starting with a letter or digit"),
        ("", "is not allowed"),
        ("x" * 65, "has 65 characters"),
        ("x" * 10_000, "has 10000 characters"),
        ("con", "Windows"),
        ("LPT1", "Windows"),
    ],
)
def test_experiment_names_are_safe_folder_names(tmp_path, capsys, monkeypatch, name, needle):
    monkeypatch.chdir(tmp_path)  # the default results folder is results/<name>
    text = GOOD.replace('name = "tiny"', f'name = "{name}"')
    err = _refused(tmp_path, capsys, text, needle, "1 to 64 ASCII letters, digits, _ and -")
    assert "\n" not in err.strip()
    assert not (tmp_path / "results").exists()


@pytest.mark.parametrize(
    "name", ["a|b", "a\\tb", "a\\u0000b", "two words", "x" * 65, "", ".hidden", "a/b", "a=b", "$x$"]
)
def test_rule_set_names_are_refused_outside_the_allowed_set(tmp_path, capsys, name):
    text = GOOD.replace('"shared_governance"', f'{{ preset = "fortress", name = "{name}" }}')
    _refused(tmp_path, capsys, text, "rules[1].name=", "ASCII letters, digits, _, -, + and .")


def test_allowed_names_pass():
    text = GOOD.replace('name = "tiny"', f'name = "{"x" * 64}"').replace(
        '"shared_governance"', '{ preset = "fortress", name = "v1.2+strict-monitoring_B" }'
    )
    exp = parse_experiment(text)
    assert exp.name == "x" * 64
    assert exp.rule_names == ["fortress", "v1.2+strict-monitoring_B"]


def _gfm_cells(row: str) -> list[str]:
    """Cells of a table row as GitHub splits it: a backslash escapes the next character."""
    cells = re.findall(r"(?:\\.|[^|\\])+", row.strip().strip("|"))
    return [c.strip() for c in cells]


@pytest.mark.parametrize(
    "text", ["a|b", "a\\|b", "a\\\\|b", "a\\", "x\ny", "x\r\ny", "x\x0bz", "x\u2028y", "||"]
)
def test_no_text_breaks_a_markdown_table(text):
    table = md_table(["one", "two"], [[text, "end"], ["start", text]])
    lines = table.split("\n")
    assert len(lines) == 4
    for line in (lines[0], lines[2], lines[3]):
        assert len(_gfm_cells(line)) == 2, line


def test_utf8_byte_order_mark_is_read_and_the_hash_is_of_the_bytes(tmp_path):
    raw = b"\xef\xbb\xbf" + GOOD.encode()
    path = tmp_path / "bom.toml"
    path.write_bytes(raw)
    exp = load_experiment(path)
    assert exp.name == "tiny"
    assert exp.sha256 == hashlib.sha256(raw).hexdigest()
    assert exp.source.encode("utf-8") == raw  # the manifest's copy is the file, byte for byte
    assert parse_experiment(exp.source).name == "tiny"  # as `commons report` reads it back


@pytest.mark.parametrize(
    ("raw", "needles"),
    [
        (GOOD.replace("tiny", "caf\xe9").encode("latin-1"), ["byte 0xe9 at line 1", "UTF-8"]),
        (GOOD.encode("utf-16"), ["UTF-16", "UTF-8"]),
        (b"\xff" + GOOD.encode(), ["byte 0xff at line 1", "UTF-8"]),
    ],
    ids=["latin-1", "utf-16", "stray-byte"],
)
def test_non_utf8_files_are_refused_in_one_line(tmp_path, capsys, raw, needles):
    _refused(tmp_path, capsys, raw, *needles)


@pytest.mark.parametrize(
    ("line", "needles"),
    [
        ("replicates = true", ["replicates=True has type boolean", "integer in [1, 1000000]"]),
        ("replicates = 2.0", ["replicates=2.0 has type float"]),
        ("months = [12]", ["months=[12] has type array"]),
        ("seed = 1979-05-27", ["seed=1979-05-27 has type date"]),
        (
            "seed = 18446744073709551616",
            ["seed=18446744073709551616 is out of range", "[0, 9223372036854775807]"],
        ),
        ("seed = " + "9" * 5000, ["integer too long"]),
        ("chunk_size = -9223372036854775809", ["chunk_size=-9223372036854775809 is too large"]),
        ("name = 3", ["name=3 has type integer"]),
        ("name = ''", ["name='' is not allowed"]),
        ("description = 1", ["description=1 has type integer"]),
        ("scenario = ''", ["scenario='' is not allowed", "place_system"]),
        ("scenario = {}", ["scenario={} has type table"]),
        ("rules = 1.5", ["rules=1.5 has type float"]),
        ("rules = []", ["rules is missing or empty"]),
        ("rules = ['']", ["rules[0]='' is not allowed"]),
        ("rules = [[]]", ["rules[0]=[] has type array"]),
        ("rules = ['fortress', 'fortress']", ["rules[1]='fortress' repeats the name"]),
        ("ablation = []", ["ablation=[] has type array"]),
        ("parameters = 'x'", ["parameters='x' has type string"]),
        (
            "parameters = { budget_growth = true }",
            ["parameters.budget_growth=True has type boolean"],
        ),
        ("parameters = { budget_growth = nan }", ["parameters.budget_growth=nan is not finite"]),
        ("parameters = { n_places = inf }", ["parameters.n_places=inf is not finite"]),
        ("parameters = { population = -inf }", ["parameters.population=-inf is not finite"]),
        ("parameters = { n_places = [] }", ["parameters.n_places=[] has type array"]),
        ("design = true", ["design=True has type boolean"]),
        ("outputs = 0", ["outputs=0 has type integer"]),
        ("outputs = { series = 1 }", ["outputs.series=1 has type integer", "true or false"]),
        ("outputs = { series_measures = [] }", ["outputs.series_measures=[] is not a non-empty"]),
        ("report = { outcomes = [] }", ["report.outcomes=[] is not a non-empty list"]),
        ("report = { confidence = true }", ["report.confidence=True has type boolean"]),
        ("report = { confidence = nan }", ["report.confidence=nan is not finite"]),
        ("report = { reference = '' }", ["report.reference='' is not allowed"]),
        ('"two\\nlines" = 1', ['"two\\nlines"=1 is not a known key']),
    ],
)
def test_wrong_values_are_refused_naming_the_key(tmp_path, capsys, line, needles):
    key = line.split(" = ")[0]
    text = "\n".join(ln for ln in GOOD.splitlines() if not ln.startswith(f"{key} ="))
    _refused(tmp_path, capsys, text + "\n" + line + "\n", *needles)


@pytest.mark.parametrize(
    ("design", "needles"),
    [
        (
            "kind = 'grid'\nparameters = { ageing = [0.0, []] }",
            ["design.parameters.ageing[1]=[] has type array"],
        ),
        (
            "kind = 'grid'\nparameters = { n_places = [1, 2.5] }",
            ["design.parameters.n_places[1]=2.5 is not whole"],
        ),
        (
            "kind = 'grid'\nparameters = { ageing = { low = 0.0, high = 0.1, steps = 1000 }, "
            "spillover = { low = 0.5, high = 3.0, steps = 1000 }, "
            "need_growth = { low = 0.0, high = 0.1, steps = 1000 } }",
            ["design has 1000000000 points", "at most 1000000"],
        ),
        (
            "kind = 'sobol'\nsamples = 524288\nparameters = { ageing = { low = 0.0, high = 0.1 }, "
            "spillover = { low = 0.5, high = 3.0 } }",
            ["design has 2097152 points"],
        ),
        (
            "kind = 'sobol'\nsamples = 4\nsecond_order = true\n"
            "parameters = { ageing = { low = 0.0, high = 0.1 } }",
            ["design.second_order=True", "false with one parameter"],
        ),
    ],
    ids=["grid-item-type", "grid-item-whole", "grid-too-big", "sobol-too-big", "sobol-s2-one"],
)
def test_bad_designs_are_refused_before_sampling(tmp_path, capsys, design, needles):
    _refused(tmp_path, capsys, GOOD + "[design]\n" + design + "\n", *needles)


def test_non_finite_and_huge_parameters_are_parameter_errors():
    for key, value in [
        ("n_places", float("nan")),
        ("n_places", float("inf")),
        ("population", 10**400),
        ("n_places", -(10**400)),
    ]:
        with pytest.raises(ParameterError, match=f"{key}=.* is out of range"):
            validate("place_system", **{key: value})


def test_a_generated_page_names_a_path_inside_the_repository_relative_to_it(tmp_path):
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    assert shown_path(root / "docs" / ".." / "docs" / "page.md", root) == "docs/page.md"
    outside = tmp_path / "elsewhere" / "page.md"
    assert shown_path(outside, root) == str(outside)
