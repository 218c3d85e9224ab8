"""Checks of the test and run-time infrastructure (not of the model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_checks import assert_clean, listen

TEMPLATE_REF = r"\{\{\s*cdn\s*\}\}/%s@(\d[A-Za-z0-9.+-]*)/"


def _template_versions(package: str) -> set[str]:
    import solara.server

    template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
    text = template.read_text(encoding="utf-8")
    return set(re.findall(TEMPLATE_REF % re.escape(package), text))


def test_solara_cdn_assets_match_template():
    import ipywidgets
    from solara.server.settings import assets

    cdn = Path(assets.proxy_cache_dir)
    assert cdn.is_dir(), f"{cdn} missing: run `make .venv` (scripts/setup_solara_assets.py)"

    widgets_major = ipywidgets.__version__.split(".")[0]
    vuetify_versions = _template_versions("@widgetti/solara-vuetify-app")
    requirejs_versions = _template_versions("requirejs")
    assert vuetify_versions, "template names no @widgetti/solara-vuetify-app version"
    assert requirejs_versions, "template names no requirejs version"

    for version in vuetify_versions:
        dist = cdn / f"@widgetti/solara-vuetify-app@{version}" / "dist"
        for name in (f"solara-vuetify-app{widgets_major}.min.js", f"main{widgets_major}.css"):
            assert (dist / name).is_file(), f"{dist / name} missing"
            assert (dist / name).stat().st_size > 0
    for version in requirejs_versions:
        require_js = cdn / f"requirejs@{version}" / "require.js"
        assert require_js.is_file(), f"{require_js} missing"
        assert "requirejs" in require_js.read_text(encoding="utf-8", errors="replace")


@pytest.mark.dask
def test_dask_cluster_has_two_workers_and_computes(dask_cluster):
    from distributed import Client

    assert dask_cluster["address"].startswith("tcp://127.0.0.1:")
    assert dask_cluster["scheduler_proc"].poll() is None
    assert dask_cluster["worker_proc"].poll() is None
    with Client(dask_cluster["address"], timeout=30) as client:
        workers = client.scheduler_info()["workers"]
        assert len(workers) == 2
        assert all(w["nthreads"] == 1 for w in workers.values())
        assert client.submit(sum, [1, 2, 3]).result(timeout=30) == 6


TRIVIAL_APP = """
import solara


@solara.component
def Page():
    solara.Text("care-commons infra check")
"""


@pytest.mark.browser
def test_solara_page_renders_in_chromium(solara_server, chromium_path, chromium_args, tmp_path):
    from playwright.sync_api import sync_playwright

    app = tmp_path / "app.py"
    app.write_text(TRIVIAL_APP, encoding="utf-8")
    url, log_path = solara_server(app)

    console: list = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=chromium_args)
        try:
            page = browser.new_page()
            listen(page, console)
            page.goto(url)
            page.get_by_text("care-commons infra check").wait_for(timeout=60_000)
        finally:
            browser.close()
    assert_clean(console, log_path)


# ---------------------------------------------------------------------- packaging
REPO_ROOT = Path(__file__).resolve().parent.parent
OPTIONAL = ("solara", "ipyvuetify", "altair", "distributed", "dask", "SALib", "networkx")
TINY = """
name = "tiny"
scenario = "place_system"
rules = ["fortress", "shared_governance"]
replicates = 2
months = 3
seed = 5
"""
SOBOL = (
    TINY
    + """
[design]
kind = "sobol"
samples = 4
[design.parameters]
ageing = {low = 0.0, high = 0.1}
"""
)
# Run in a fresh interpreter: the model, run_many and `commons run` with the local engine (with its
# report), importing none of `checked`; the modules in `blocked` behave as if not installed.
CORE_USE = """
import contextlib, io, sys
from importlib.abc import MetaPathFinder

blocked, checked = set(sys.argv[1].split(",")) - {""}, set(sys.argv[2].split(","))
tiny, sobol, out = sys.argv[3:6]


class Block(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (blocked by the test)", name=name)


sys.meta_path.insert(0, Block())
import sim

assert len(sim.run_many(["fortress", "shared_governance"], replicates=2, months=3, seed=1)) == 4
from sim import CareSystem

CareSystem(rules="fortress", seed=1).run_for(3)
from sim.commands import main

assert main(["run", tiny, "--out", out, "--quiet"]) == 0
loaded = sorted({m.split(".")[0] for m in sys.modules} & checked)
assert not loaded, f"imported: {loaded}"
if blocked:  # the features that need an extra say which one, in one line, and exit 1
    for argv, extra in (
        (["validate", sobol], "sensitivity"),
        (["run", tiny, "-q", "--out", out + "-dask", "--engine", "dask", "--scheduler", "tcp://x:1"], "cluster"),
    ):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = main(argv)
        text = err.getvalue().strip()
        assert code == 1 and f"pip install 'care-commons[{extra}]'" in text, (code, text)
        assert "\\n" not in text and "Traceback" not in text, text
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("blocked", "checked"),
    [
        (OPTIONAL, OPTIONAL),
        # installed but not imported (Mesa itself imports networkx whenever it is installed)
        ((), tuple(m for m in OPTIONAL if m != "networkx")),
    ],
    ids=["extras-missing", "extras-installed"],
)
def test_core_use_needs_no_extra(tmp_path, blocked, checked):
    import subprocess
    import sys

    (tmp_path / "tiny.toml").write_text(TINY)
    (tmp_path / "sobol.toml").write_text(SOBOL)
    argv = [",".join(blocked), ",".join(checked)]
    argv += [str(tmp_path / n) for n in ("tiny.toml", "sobol.toml", "out")]
    proc = subprocess.run(
        [sys.executable, "-c", CORE_USE, *argv],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "out" / "report.md").is_file()
    assert not (tmp_path / "out-dask").exists()


INSTALLED_USE = """
import sys
from pathlib import Path

import sim.experiment.spec as spec

site = Path(sys.argv[1]).resolve()
assert Path(spec.__file__).resolve().is_relative_to(site), spec.__file__
files = spec.shipped_experiments()
assert all(Path(f).resolve().is_relative_to(site) for f in files), files
print(",".join(sorted(f.name for f in files)))
exp = spec.load_experiment("fortress_vs_shared")
assert exp.name == "fortress_vs_shared" and exp.n_runs > 0
place = spec.load_experiment("illustrative_place").place_system  # its place file ships too
assert place is not None and Path(place.path).resolve().is_relative_to(site), place.path
"""


@pytest.mark.slow
def test_wheel_ships_the_experiments(tmp_path):
    import os
    import shutil
    import subprocess
    import sys
    import zipfile

    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO_ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.py[cod]", "*.nbi", "*.nbc")
    for name in ("sim", "agents", "experiments"):
        shutil.copytree(REPO_ROOT / name, src / name, symlinks=True, ignore=ignore)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    dist = tmp_path / "dist"
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(dist), str(src)], check=True, timeout=600)
    (wheel,) = dist.glob("care_commons-*.whl")
    folder = REPO_ROOT / "experiments"
    expected = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.toml")}
    assert {"fortress_vs_shared.toml", "places/illustrative_ics.toml"} <= set(expected)
    prefix = "sim/experiment/shipped/"
    with zipfile.ZipFile(wheel) as z:
        shipped = {n[len(prefix) :]: z.read(n) for n in z.namelist() if n.startswith(prefix)}
    assert shipped == expected

    site = tmp_path / "site"
    subprocess.run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], check=True)
    proc = subprocess.run(
        [sys.executable, "-c", INSTALLED_USE, str(site)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == ",".join(sorted(k for k in expected if "/" not in k))


def _experiment_imports() -> dict[str, set[str]]:
    """sim.experiment's modules and the sim.experiment modules each imports (anywhere in it)."""
    import ast

    folder = REPO_ROOT / "sim" / "experiment"
    modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    graph = {}
    for name in modules:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[:2] == ["sim", "experiment"]:
                    found |= {parts[2]} if len(parts) > 2 else {a.name for a in node.names}
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    parts = alias.name.split(".")
                    if parts[:2] == ["sim", "experiment"] and len(parts) > 2:
                        found.add(parts[2])
        graph[name] = (found & modules) - {name}
    return graph


def test_experiment_modules_import_without_cycles():
    graph = _experiment_imports()
    state: dict[str, str] = {}

    def visit(name, path):
        if state.get(name) == "open":
            raise AssertionError("import cycle: " + " -> ".join([*path, name]))
        if state.get(name) != "done":
            state[name] = "open"
            for dep in sorted(graph[name]):
                visit(dep, [*path, name])
            state[name] = "done"

    for name in sorted(graph):
        visit(name, [])
    # The store (files on disk) sits below everything that reads or writes results.
    above = {"runner", "engines", "manifest", "results", "report", "cli"}
    assert not graph["store"] & above, graph["store"]
    assert "runner" not in graph["results"]
    assert not {m for m in graph if m.startswith("report")} & graph["runner"]
