"""The house: layers import one way, no cycles, small modules, PHASES drive both engines, and the
kernel's phases bind their arrays once (docs/architecture.md)."""

import ast
import inspect
from pathlib import Path

import pytest

import agents
from sim.core.submodels import PHASES
from sim.engine import kernel

ROOT = Path(__file__).resolve().parent.parent
# Each layer may import itself and the layers before it, never one after it.
LAYERS = ("core", "engine", "analysis", "model", "experiment", "validation", "app")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# The core holds the model's rules: no Mesa, no data frames, no user interface, no cluster.
FORBIDDEN_IN_CORE = ("mesa", "pandas", "pyarrow", "solara", "distributed", "dask", "matplotlib")


def _modules():
    for path in sorted((ROOT / "sim").rglob("*.py")) + sorted((ROOT / "agents").glob("*.py")):
        yield path, ast.parse(path.read_text())


def _layer(path: Path) -> int | None:
    parts = path.relative_to(ROOT).parts
    if parts[0] == "agents":
        return LAYERS.index("model")
    if len(parts) == 2:  # sim/__init__.py: the public facade over every layer
        return None
    return LAYERS.index(parts[1])


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imported(tree, package: str = "") -> list[str]:
    """Every module `tree` imports: `import a.b`, `from a import b` (as `a`, and as `a.b` when b is
    a module), relative imports resolved against `package`, and any string that names one of the
    project's modules (`importlib.import_module("sim.x")`, or a table of names to load later).
    Imports inside functions count too."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names.append(base)
            names += [f"{base}.{a.name}" for a in node.names if _is_module(f"{base}.{a.name}")]
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.split(".")[0] in ("sim", "agents")
            and _is_module(node.value)
        ):
            names.append(node.value)  # a module named in a string, to be loaded by name
    return names


def _package(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    return ".".join(rel.parts[:-1])


def _target_layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] == "agents":
        return LAYERS.index("model")
    if parts[0] == "sim":
        if len(parts) == 1 or parts[1] not in LAYERS:
            return len(LAYERS)  # the facade and the modules beside it sit above every layer
        return LAYERS.index(parts[1])
    return None


def test_imports_flow_one_way():
    upward = []
    for path, tree in _modules():
        own = _layer(path)
        if own is None:
            continue
        for module in _imported(tree, _package(path)):
            target = _target_layer(module)
            if target is not None and target > own:
                upward.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not upward, "\n".join(upward)


def test_no_relative_imports():
    """Absolute imports only, so the layer check above sees every import."""
    relative = [
        str(path.relative_to(ROOT))
        for path, tree in _modules()
        if any(isinstance(n, ast.ImportFrom) and n.level > 0 for n in ast.walk(tree))
        and path.parent.name != "agents"
    ]
    assert not relative


def test_no_import_cycle():
    graph = {}
    for path, tree in _modules():
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        imported = _imported(tree, _package(path))
        graph[name] = {m for m in imported if m.split(".")[0] in ("sim", "agents")}
    for name, targets in graph.items():  # a package import reaches its __init__
        graph[name] = {t for t in targets if t in graph and t != name}
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for name in graph:
        if name not in state and name != "sim":
            visit(name, [])


def test_core_needs_no_mesa_pandas_or_interface():
    found = [
        f"{path.relative_to(ROOT)} imports {m}"
        for path, tree in _modules()
        if _layer(path) == 0
        for m in _imported(tree)
        if m.split(".")[0] in FORBIDDEN_IN_CORE
    ]
    assert not found, found


def test_modules_and_functions_stay_small():
    too_long = []
    for path, tree in _modules():
        lines = path.read_text().splitlines()
        if len(lines) > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                body = "\n".join(lines[node.lineno - 1 : node.end_lineno]).lower()
                if length > MAX_FUNCTION_LINES and "# long" not in body:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.name}: {length} lines")
    assert not too_long, "\n".join(too_long)


def test_kernel_step_is_generated_from_phases():
    source = kernel.step_source()
    calls = [line.strip().split("(")[0] for line in source.splitlines() if "(w, p, r, 0," in line]
    assert calls == [phase.name for phase in PHASES]


@pytest.mark.parametrize("phase", PHASES, ids=lambda ph: ph.name)
def test_every_phase_has_its_agent_method(phase):
    owner = {
        "model": None,
        "regulator": agents.Regulator,
        "place": agents.Place,
        "commissioner": agents.Commissioner,
        "trust": agents.Trust,
    }[phase.actor]
    if owner is None:
        from sim.model import CareSystem

        owner = CareSystem
    method = getattr(owner, phase.name)
    params = list(inspect.signature(method).parameters)
    # the regulator acts on one organisation at a time; everyone else on itself
    expected = ["self", "trust"] if phase.actor == "regulator" and phase.unit == "org" else ["self"]
    assert params == expected
    assert list(inspect.signature(phase.fn.py_func).parameters) == ["w", "p", "r", "lo", "hi"]


def test_phases_bind_their_arrays_once():
    """No `w.<field>` inside a loop: each field access through the kernel's StructRef costs a
    reference count, so phases bind the arrays they use to locals before looping."""
    offenders = []
    core = ROOT / "sim" / "core"
    for path in [*sorted((core / "submodels").glob("*.py")), *sorted(core.glob("measures*.py"))]:
        tree = ast.parse(path.read_text())
        for loop in (n for n in ast.walk(tree) if isinstance(n, ast.For | ast.While)):
            for node in ast.walk(loop):
                if (
                    isinstance(node, ast.Attribute)
                    and isinstance(node.value, ast.Name)
                    and node.value.id == "w"
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} w.{node.attr}")
    assert not offenders, "\n".join(offenders)


def test_the_import_scan_sees_every_kind_of_import():
    """The layer and cycle checks above are only as good as this scan: a submodule imported from
    its package, a relative import and a module loaded by its name all count."""
    source = (
        "from sim.core import measures\n"
        "from .trust import Trust\n"
        "def later():\n"
        "    import importlib\n"
        "    return importlib.import_module('sim.validation.calibration_cli')\n"
        "LATER = {'report': 'sim.experiment.report'}\n"
    )
    found = set(_imported(ast.parse(source), "agents"))
    named = {"sim.core.measures", "agents.trust", "sim.validation.calibration_cli"}
    assert named | {"sim.experiment.report"} <= found
    assert _target_layer("sim.commands") > _target_layer("sim.validation.calibration_cli")


def test_docs_architecture_names_every_module():
    """docs/architecture.md says what each module is for, in its layer's paragraph of section 1
    (the classroom's in section 9): a new module without a line there fails
    (sim/analysis/sanctions.py once had none)."""
    import re

    text = (ROOT / "docs" / "architecture.md").read_text()
    layers = text.split("## 1. Layers")[1].split("\n## ")[0]
    # Each layer's paragraph opens with its package in bold: **`sim.core`**, **`agents`** ...
    parts = re.split(r"\*\*`(sim\.\w+|agents)`\*\*", layers)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    # The model and the agents share a paragraph, and the classroom has its own section.
    sections["agents"] = sections["sim.model"] = sections["sim.model"] + sections["agents"]
    sections["sim.app.classroom"] = text.split("## 9. Classroom")[1].split("\n## ")[0]
    unnamed = []
    for path, _tree in _modules():
        if path.name == "__init__.py" or path.parent == ROOT / "sim":
            continue
        parts_of = path.relative_to(ROOT).parts
        package = "agents" if parts_of[0] == "agents" else ".".join(parts_of[:-1])
        if package not in sections:  # a sub-package is described in its layer's paragraph
            package = ".".join(parts_of[:2])
        # `name.py`, or a path ending in it (`submodels/name.py`), not `other_name.py`
        named = re.search(r"`(?:[\w./]+/)?" + re.escape(path.name) + "`", sections[package])
        if named is None:
            unnamed.append(str(path.relative_to(ROOT)))
    assert unnamed == []
