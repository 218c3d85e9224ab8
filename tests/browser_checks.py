"""What the browser tests share: the app's views and how to read a plot and the month, the
page's console gathered, where axe-core is, and a clean console and server log.

A plain module (like `app_waits`), not `conftest`: `from conftest import` resolves to whichever
conftest.py pytest imported first (tests/mechanisms has its own), so it breaks under some orders.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

NHS = ".cc-view-place_system"  # the NHS view of the app
GAMES = ".cc-view-games"  # the laboratory games' view


def listen(page, console: list) -> None:
    """Gather the page's console messages and uncaught errors into `console` (kind, text)."""
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.on("pageerror", lambda e: console.append(("pageerror", str(e))))


def plot_src(page, name: str, view: str = NHS) -> str:
    """The address of the image a live plot shows now ('' while it has none)."""
    return page.locator(f"{view} .cc-plot-{name} img").first.get_attribute("src") or ""


def shown_month(page, view: str = NHS) -> int:
    """The month (or round) a view shows."""
    text = page.locator(f"{view} .cc-month").first.inner_text()
    return int(re.search(r"(\d+)", text).group(1))


def axe_js_path() -> Path:
    """axe.min.js as `make .venv` / `make test` put it (or AXE_CORE_JS)."""
    if os.environ.get("AXE_CORE_JS"):
        return Path(os.environ["AXE_CORE_JS"])
    found = sorted((Path(sys.prefix) / "share" / "axe").glob("axe-core@*/axe.min.js"))
    if not found:
        pytest.fail("axe-core is missing: run `python scripts/setup_axe_core.py` (make test does)")
    return found[-1]


# axe-core's violations, each with its impact, ids and first nodes.
AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
}"""
# No animation running: colours read mid-fade (a table fading in) fail contrast checks that the
# settled page passes.
SETTLED = "() => document.getAnimations().every(a => a.playState !== 'running')"


def axe_violations(page, impacts: tuple[str, ...], timeout: float = 60_000) -> list[dict]:
    """axe-core's violations of these `impacts` on the page, once its animations have settled."""
    page.wait_for_function(SETTLED, timeout=timeout)
    page.add_script_tag(path=str(axe_js_path()))
    return [v for v in page.evaluate(AXE_RUN) if v["impact"] in impacts]


def assert_clean(console: list, log_path: Path) -> None:
    """No error in a browser test's console messages (kind, text) nor in its server's log."""
    errors = [(kind, text) for kind, text in console if kind in ("error", "pageerror")]
    assert not errors, f"browser console errors: {errors}"
    log = log_path.read_text(errors="replace")
    for bad in ("Traceback", "Could not load URL", "ERROR", "Exception"):
        assert bad not in log, f"server log has {bad!r}:\n{log[-3000:]}"
