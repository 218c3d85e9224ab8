"""Sharing and accessibility of the app in a real browser (Playwright, Debian's chromium, one
`solara run --production` server, two browser contexts):

* the page's address follows the settings, and opened in a new context it restores every one;
* a scenario file saved in one context and loaded in the other restores every setting;
* a place file with a problem is refused in one line; a good one runs in both panels;
* axe-core (fetched from the npm registry at set-up, scripts/setup_axe_core.py) finds no serious,
  critical or moderate violation; the skip link reaches Step in a few key presses; the page has a language;
* neither the browser console nor the server log shows an error.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from browser_checks import NHS, assert_clean, axe_violations, listen

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "sim" / "app" / "app.py"
PLACE = ROOT / "experiments" / "places" / "illustrative_ics.toml"
FIRST_LOAD = 240_000  # ms: a cold numba cache compiles the kernel on the first page load
ACTION = 60_000
# axe-core's impacts the page must not have (only "minor" is left).
SEVERE = ("critical", "serious", "moderate")


def _query(url: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(url).query).items()}


def _open(context, url: str, console: list):
    page = context.new_page()
    listen(page, console)
    page.goto(url)
    page.wait_for_selector(f"{NHS} .cc-plot-series img", timeout=FIRST_LOAD)
    return page


def _wait_query(page, **expected) -> dict:
    """Wait until the address's query has these values; return the whole query."""
    checks = " && ".join(f"p.get({k!r}) === {v!r}" for k, v in expected.items())
    page.wait_for_function(
        f"() => {{ const p = new URLSearchParams(location.search); return {checks}; }}",
        timeout=ACTION,
    )
    return _query(page.url)


def _change_settings(page) -> None:
    """Change a principle, the rules' year, the funding gap and the seed with the controls."""
    page.locator(".cc-switch-right-monitoring input").click(force=True)
    _wait_query(page, b_off="monitoring")
    gap = page.get_by_role("slider").first
    gap.focus()
    for _ in range(4):
        gap.press("ArrowRight")
    _wait_query(page, gap="3.5")
    seed = page.get_by_label("Seed (same seed, same run)")
    seed.fill("42")
    seed.press("Tab")
    _wait_query(page, seed="42")


IDLE = """() => !document.querySelector('.v-overlay--active') &&
  [...document.querySelectorAll('[role="progressbar"]')].every(
    bar => bar.offsetHeight === 0 || getComputedStyle(bar).visibility === 'hidden')"""


def _axe(page) -> list:
    """axe-core's moderate, serious or critical violations once the page is idle (no busy
    overlay or bar over it)."""
    page.wait_for_function(IDLE, timeout=ACTION)
    return axe_violations(page, SEVERE, ACTION)


def test_share_save_load_upload_and_accessibility(
    solara_server, chromium_path, chromium_args, tmp_path
):
    from playwright.sync_api import expect, sync_playwright

    url, log_path = solara_server(APP)
    console: list[tuple[str, str]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=chromium_args)
        try:
            one = browser.new_context(viewport={"width": 1366, "height": 900})
            page = _open(one, url, console)
            assert page.evaluate("document.documentElement.lang") == "en-GB"
            _change_settings(page)
            shared = page.url
            settings = _query(shared)
            assert settings["b_off"] == "monitoring"
            assert settings["a"] == "fortress"

            # Accessibility: axe-core on the page with its settings changed, again with the
            # replicates' result, cards and charts shown, and on the teaching view.
            bad = _axe(page)
            assert not bad, f"axe-core: {bad}"
            page.get_by_role("button", name="Run 100 replicates").click()
            page.wait_for_selector(f"{NHS} .cc-plot-fan img", timeout=FIRST_LOAD)
            bad = _axe(page)
            assert not bad, f"axe-core with the replicates' result: {bad}"
            # At 1366x768 the result and the top of its cards show without scrolling.
            page.set_viewport_size({"width": 1366, "height": 768})
            page.evaluate(
                "window.scrollTo(0, 0); document.querySelectorAll('*').forEach("
                "e => { if (e.scrollTop) e.scrollTop = 0; });"
            )
            expect(page.get_by_text("The result over", exact=False).first).to_be_in_viewport(
                timeout=ACTION
            )
            cards = page.locator(".cc-cards").bounding_box()
            assert cards is not None
            assert 0 <= cards["y"] < 768 - 40, cards
            page.set_viewport_size({"width": 1366, "height": 900})
            page.get_by_role("tab", name="Teaching: commons games").click()
            page.wait_for_selector(".cc-view-games .cc-plot-series img", timeout=FIRST_LOAD)
            bad = _axe(page)
            assert not bad, f"axe-core on the teaching view: {bad}"
            page.get_by_role("tab", name="NHS place: fortress vs shared governance").click()

            # Save the scenario file.
            with page.expect_download(timeout=ACTION) as download:
                page.get_by_role("button", name="Save scenario (JSON)").click()
            saved = tmp_path / "scenario.json"
            download.value.save_as(saved)
            assert '"seed": 42' in saved.read_text()

            # The one-page brief: HTML with the settings that prints on one A4 page.
            with page.expect_download(timeout=ACTION) as download:
                page.get_by_role("button", name="One-page brief (HTML)").click()
            brief = Path(download.value.path()).read_text()
            assert "seed=42" in brief
            printer = one.new_page()
            printer.set_content(brief)
            pdf = printer.pdf(format="A4")
            assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1
            printer.close()

            # A new context opens the shared address: every setting restored (the page writes
            # back the address of its own settings, and it is the one shared).
            two = browser.new_context(viewport={"width": 1366, "height": 900})
            other = _open(two, shared, console)
            expect(other.locator(".cc-panel-right .v-card__title")).to_contain_text("modified")
            expect(other.get_by_text(re.compile(r"a gap of \+3\.5 points"))).to_be_visible()
            assert other.get_by_label("Seed (same seed, same run)").input_value() == "42"
            assert _query(other.url) == settings

            # Keyboard: the first Tab reaches the skip link, which leads to Step in one more.
            other.keyboard.press("Tab")
            assert other.evaluate("document.activeElement.textContent").startswith("Skip to")
            other.keyboard.press("Enter")
            other.keyboard.press("Tab")
            assert other.evaluate("document.activeElement.textContent").strip() == "Step"

            # Settings changed again (the other panel's preset, the seed), then the saved file
            # restores every setting.
            seed = other.get_by_label("Seed (same seed, same run)")
            seed.fill("7")
            seed.press("Tab")
            _wait_query(other, seed="7")
            other.locator(".cc-switch-left-prevention input").click(force=True)
            _wait_query(other, a_on="prevention")
            other.locator(".cc-share input[type=file]").set_input_files(str(saved))
            expect(other.locator(".cc-scenario-ok")).to_be_visible(timeout=ACTION)
            assert _wait_query(other, seed="42") == settings

            # The user's own place: a broken file is refused in one line, a good one runs.
            broken = tmp_path / "broken.toml"
            broken.write_text(PLACE.read_text().replace("population = ", "population = -", 1))
            upload = other.get_by_label("Choose or drop a place file (.toml)")
            if not upload.is_visible():
                other.get_by_text("Your own place: upload a place file").click()
            upload.set_input_files(str(broken))
            error = other.locator(".cc-place-error")
            expect(error).to_contain_text("broken.toml", timeout=ACTION)
            expect(error).to_contain_text("population")
            assert "\n" not in error.inner_text().strip()
            upload.set_input_files(str(PLACE))
            ok = other.locator(".cc-place-ok")
            expect(ok).to_contain_text("running in both panels", timeout=ACTION)
            _wait_query(other, system="uploaded")
            bad = _axe(other)
            assert not bad, f"axe-core with a place file: {bad}"
        finally:
            browser.close()

    assert_clean(console, log_path)
