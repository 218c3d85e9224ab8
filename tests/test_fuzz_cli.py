"""Fuzzing `commons validate` and `commons run` with random experiment files.

The files are the shipped experiments (experiments/*.toml) with random changes: keys deleted,
renamed or added, values replaced by random TOML values of any type (booleans, huge integers, NaN,
dates, nested arrays and tables...), values nested deeply, bytes inserted, slices cut, the file
truncated, a byte-order mark added; and random valid variants. Whatever the file, the command must
end with exit 0 or 2, never print a traceback, say what is wrong in one line on exit 2, and leave
no results folder behind when it refuses a file.

The CLI is called in this process (`sim.commands.main`) for speed; two cases go through the
installed `commons` script to show the same holds end to end. Hypothesis is derandomized and keeps
no example database, so every CI run tries the same cases.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from sim.commands import main
from sim.core.rules import LEVERS, PRESETS, PRINCIPLES
from sim.experiment.designs import DESIGN_KEYS
from sim.experiment.rulesets import ABLATION_KEYS, RULE_KEYS
from sim.experiment.spec import (
    CROSSOVER_KEYS,
    OUTPUT_KEYS,
    REPORT_KEYS,
    TOP_KEYS,
    ExperimentError,
    load_experiment,
)

pytestmark = pytest.mark.slow

EXPERIMENTS = sorted(Path(__file__).resolve().parent.parent.glob("experiments/*.toml"))
SHIPPED = {p.stem: p.read_bytes() for p in EXPERIMENTS}


def _cut_in_description(text: str) -> str:
    """The text up to a few characters into its first multi-line string."""
    return text[: text.index('"""') + 12]


# The shipped experiments made small enough to run in a moment: a few months, a small design.
SMALL = {
    "months": 3,
    "chunk_size": 7,
    "design": {"samples": 4},  # sensitivity: 4 x (5 + 2) = 28 points
}
RUN_BUDGET = 3_000  # run-months a run example may cost (with --replicates 1)
SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": list(HealthCheck),
}
KNOWN_KEYS = [
    *TOP_KEYS, *OUTPUT_KEYS, *REPORT_KEYS, *CROSSOVER_KEYS, *DESIGN_KEYS, *RULE_KEYS, *ABLATION_KEYS,
    "low", "high", "steps", "budget_growth", "need_growth", "n_places",
]  # fmt: skip
WORDS = [*KNOWN_KEYS, *PRESETS, *PRINCIPLES, *LEVERS, "all", "grid", "sobol", "morris", "lhs"]


# ---------------------------------------------------------------------- writing TOML
def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def _value(value) -> str:
    """A value as inline TOML (json.dumps writes TOML-compatible basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"


def to_toml(data: dict) -> bytes:
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in data.items()).encode("utf-8")


# ---------------------------------------------------------------------- random values and changes
scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.integers(-3, 2000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(-1, 2),
    st.text(max_size=12),
    st.sampled_from(["", "a|b", "x\ny", "fortress", "CON", "x" * 300, *WORDS]),
    st.dates(),
    st.datetimes(),
    st.times(),
)
toml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
keys = st.sampled_from(WORDS) | st.text(max_size=10)


def _paths(value, path=()):
    """Every (path, value) in the tree (path: keys and indices)."""
    yield path, value
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for k, v in items:
        yield from _paths(v, (*path, k))


@st.composite
def changed_tree(draw, data: dict) -> dict:
    """`data` with one to three random changes of its keys and values."""
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p, _ in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        last, op = path[-1], draw(st.sampled_from(["delete", "rename", "add", "replace", "nest"]))
        if op == "delete":
            del parent[last]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(keys)] = parent.pop(last)
        elif op == "add" and isinstance(parent, dict):
            parent[draw(keys)] = draw(toml_values)
        elif op == "nest":
            for _ in range(draw(st.integers(1, 24))):
                parent[last] = [parent[last]] if draw(st.booleans()) else {"x": parent[last]}
        else:
            parent[last] = draw(toml_values)
    return data


@st.composite
def changed_bytes(draw, raw: bytes) -> bytes:
    """`raw` with one random change of its bytes."""
    at = draw(st.integers(0, len(raw)))
    op = draw(st.sampled_from(["insert", "cut", "truncate", "bom", "deep", "flip"]))
    if op == "insert":
        return raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]
    if op == "cut":
        return raw[:at] + raw[at + draw(st.integers(1, 40)) :]
    if op == "truncate":
        return raw[:at]
    if op == "bom":
        return b"\xef\xbb\xbf" + raw
    if op == "deep":
        n = draw(st.sampled_from([15, 17, 100, 3000]))
        opener, closer = draw(st.sampled_from([("[", "]"), ("{a = ", "}")]))
        return raw + f"\nrules = {opener * n}1{closer * n}\n".encode()
    flipped = raw[at : at + 1] and bytes([raw[at] ^ draw(st.integers(1, 255))])
    return raw[:at] + flipped + raw[at + 1 :]


def _small(data: dict) -> dict:
    data = {**data, "months": SMALL["months"], "chunk_size": SMALL["chunk_size"]}
    if isinstance(data.get("design"), dict) and "samples" in data["design"]:
        data["design"] = {**data["design"], **SMALL["design"]}
    return data


@st.composite
def experiment_files(draw, small: bool = False) -> bytes:
    """A random experiment file: a shipped one, valid or changed."""
    raw = SHIPPED[draw(st.sampled_from(sorted(SHIPPED)))]
    data = tomllib.loads(raw.decode())
    if small:
        data = _small(data)
        raw = to_toml(data)
    kind = draw(st.sampled_from(["as is", "valid", "tree", "bytes", "tree+bytes"]))
    if kind == "valid":
        data["seed"] = draw(st.integers(0, 2**63 - 1))
        data["replicates"] = draw(st.integers(1, 3))
        if isinstance(data.get("rules"), list) and len(data["rules"]) > 1:
            data["rules"] = draw(st.lists(st.sampled_from(data["rules"]), min_size=1, unique=True))
            data.pop("report", None)
        raw = to_toml(data)
    if "tree" in kind:
        raw = to_toml(draw(changed_tree(data)))
    if "bytes" in kind:
        raw = draw(changed_bytes(raw))
    return raw


# ---------------------------------------------------------------------- calling the CLI
def call(argv: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of `commons ARGV`, in this process."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse, in case main lets it through
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def check_outcome(cmd: str, code: int, err: str) -> None:
    assert code in (0, 2), (code, err)
    assert "Traceback" not in err, err
    if code == 2:
        lines = err.strip("\n").split("\n")
        assert len(lines) == 1, err
        assert lines[0].startswith(f"commons {cmd}: error: "), err


_counter = iter(range(10**9))


@settings(max_examples=300, **SETTINGS)
@given(raw=experiment_files())
def test_validate_random_files(tmp_path, raw):
    path = tmp_path / f"fuzz-{next(_counter)}.toml"
    path.write_bytes(raw)
    code, out, err = call(["validate", str(path)])
    event(f"exit {code}")
    check_outcome("validate", code, err)
    if code == 0:
        assert out.startswith(f"{path}: valid"), out
        assert err == ""
    else:
        assert str(path) in err, err
    path.unlink()


@settings(max_examples=40, **SETTINGS)
@given(raw=experiment_files(small=True))
def test_run_random_files(tmp_path, raw):
    path = tmp_path / f"fuzz-{next(_counter)}.toml"
    path.write_bytes(raw)
    try:
        exp = load_experiment(path, replicates=1)
        assume(exp.n_runs * exp.months <= RUN_BUDGET)
    except ExperimentError:
        pass
    out_dir = tmp_path / f"out-{path.stem}"
    v_code, _, v_err = call(["validate", str(path), "--replicates", "1"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, _, err = call(
            ["run", str(path), "--replicates", "1", "--out", str(out_dir), "--no-report", "--quiet"]
        )
    event(f"exit {code}")
    check_outcome("run", code, err)
    assert code == v_code, (v_err, err)
    if code == 2:
        assert not out_dir.exists(), "a refused file left a results folder behind"
        assert err == v_err.replace("commons validate:", "commons run:", 1)
    else:
        assert err == "", "--quiet printed something"
        assert (out_dir / "summaries.parquet").is_file()
        noisy = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
        assert not noisy, [str(w.message) for w in noisy]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("rules = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        # Cut inside the description's multi-line string: a file that ends mid-value.
        (_cut_in_description(SHIPPED["fortress_vs_shared"].decode()), "malformed TOML"),
    ],
    ids=["deep", "truncated"],
)
def test_end_to_end_through_the_installed_script(tmp_path, text, needle):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    commons = Path(sys.executable).parent / "commons"
    out_dir = tmp_path / "out"
    for cmd in (["validate", str(path)], ["run", str(path), "--out", str(out_dir), "-q"]):
        proc = subprocess.run(
            [str(commons), *cmd], capture_output=True, text=True, timeout=300, check=False
        )
        check_outcome(cmd[0], proc.returncode, proc.stderr)
        assert proc.returncode == 2, proc.stderr
        assert needle in proc.stderr
        assert not out_dir.exists()
