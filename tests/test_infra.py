"""Checks of the test and run-time infrastructure (not of the model)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=chromium_args)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(url)
            page.get_by_text("care-commons infra check").wait_for(timeout=60_000)
        finally:
            browser.close()
    assert errors == []
    assert "Could not load URL" not in log_path.read_text(errors="replace")
