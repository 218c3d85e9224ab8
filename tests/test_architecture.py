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


def _imported(tree) -> list[str]:
    names = []
    for node in ast.walk(tree):  # function-level imports count too
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
    return names


def _target_layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] == "agents":
        return LAYERS.index("model")
    if parts[0] == "sim":
        if len(parts) == 1:
            return len(LAYERS)  # the facade sits above every layer
        return LAYERS.index(parts[1]) if parts[1] in LAYERS else None
    return None


def test_imports_flow_one_way():
    upward = []
    for path, tree in _modules():
        own = _layer(path)
        if own is None:
            continue
        for module in _imported(tree):
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
        graph[name] = {m for m in _imported(tree) if m.split(".")[0] in ("sim", "agents")}
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
