"""The Solara app in a real browser: `solara run sim/app/app.py --production`, driven by Playwright
with Debian's chromium. Loads the page, changes a principle and the funding pressure, refuses an
impossible one, steps and plays, runs replicates, opens the teaching view, and checks that the
plots changed, and that neither the browser console nor the server log shows an error.

Set APP_SCREENSHOT=docs/img/app.png to also write the README's screenshot.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser_checks import GAMES, NHS, SETTLED, listen, plot_src, shown_month

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

APP = Path(__file__).resolve().parent.parent / "sim" / "app" / "app.py"
FIRST_LOAD = 240_000  # ms: a cold numba cache compiles the kernel on the first page load
ACTION = 60_000


def _wait_src_change(page, name: str, before: str, view: str = NHS) -> str:
    page.wait_for_function(
        "([sel, before]) => { const i = document.querySelector(sel);"
        " return i && i.src && i.src !== before; }",
        arg=[f"{view} .cc-plot-{name} img", before],
        timeout=ACTION,
    )
    return plot_src(page, name, view)


# Whether the month (or round) a view shows has reached a number: the first number in its
# `.cc-month` text, as `shown_month` reads it.
MONTH_AT_LEAST = """([sel, n]) => {
  const e = document.querySelector(sel);
  const m = e && e.innerText.match(/(\\d+)/);
  return m !== null && parseInt(m[1], 10) >= n;
}"""


def _play_until_month(page, month: int) -> None:
    """Press Play, wait until the page shows `month` (or later), press Pause; fail if the month
    never comes (Playwright's timeout names the limit)."""
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(MONTH_AT_LEAST, arg=[f"{NHS} .cc-month", month], timeout=ACTION)
    page.get_by_role("button", name="Pause").click()


# The element under a point of the page and its title (the tooltip the browser shows there).
TITLE_AT = "([x, y]) => { const e = document.elementFromPoint(x, y); return e ? e.title : ''; }"
# Words of the visible card titles that the browser laid out over more than one line.
SPLIT_WORDS = """() => {
  const split = [];
  for (const title of document.querySelectorAll('.v-card__title')) {
    if (!title.offsetParent) { continue; }
    const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.textContent.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) { split.push(m[0]); }
      }
    }
    if (title.scrollWidth > title.clientWidth + 1) { split.push(title.innerText + ' (overflows)'); }
  }
  return split;
}"""


def _hover_gives_the_runs_values(page, tmp_path) -> None:
    """Hover over the population health plot: the tooltip there names a month and gives both
    panels' values, which must be those of this session's runs (its CSV export)."""
    import pandas as pd

    from sim.app.hover import number

    image = page.locator(f"{NHS} .cc-plot-series img").first
    image.scroll_into_view_if_needed()
    # The latest month's band of the population health axes (where it lies depends on how far
    # the time axis reaches, so it is found from the layer rather than from a fixed point).
    band = page.locator(f"{NHS} .cc-plot-series .cc-area[title*='Population health']").last
    band.wait_for(state="attached", timeout=ACTION)  # the layer, drawn once paused
    box = band.bounding_box()
    x, y = box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"]
    page.mouse.move(x, y)
    page.wait_for_function(TITLE_AT, arg=[x, y], timeout=ACTION)  # the layer once paused
    title = page.evaluate(TITLE_AT, [x, y])
    found = re.match(r"month (\d+), year \d+: Population health: A (\S+), B (\S+) ", title)
    assert found, f"no value under the pointer: {title!r}"
    with page.expect_download(timeout=ACTION) as download:
        page.get_by_role("button", name="Download runs (CSV)").click()
    runs = pd.read_csv(download.value.path())
    month = int(found.group(1))
    at = runs[runs["month"] == month].set_index("panel")["population_health"]
    assert (found.group(2), found.group(3)) == (number(at["Panel A"]), number(at["Panel B"]))


def _titles_wrap_between_words(page) -> None:
    titles = page.locator(".v-card__title")
    assert titles.count() >= 3
    assert page.evaluate(SPLIT_WORDS) == []


def test_app_in_a_real_browser(solara_server, chromium_path, chromium_args, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, log_path = solara_server(APP)
    console: list[tuple[str, str]] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=chromium_args)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 2300})
            listen(page, console)
            page.goto(url)
            page.wait_for_selector(f"{NHS} .cc-plot-series img", timeout=FIRST_LOAD)
            page.wait_for_selector(".cc-plot-organisations img", timeout=ACTION)
            series_shot = page.locator(".cc-plot-series").screenshot()
            src = plot_src(page, "series")

            # Step: month 1 and a new plot image.
            page.get_by_role("button", name="Step").click()
            src = _wait_src_change(page, "series", src)
            expect(page.locator(".cc-month")).to_contain_text("Month 1")

            # A design principle switched off in panel B: the panel says so, the plot changes.
            page.locator(".cc-switch-right-monitoring input").click(force=True)
            expect(page.locator(".cc-panel-right .v-card__title")).to_contain_text("modified")
            src = _wait_src_change(page, "series", src)

            # Funding pressure: five points more with the keyboard on the first slider (from the
            # default 1.5).
            gap = page.get_by_role("slider").first
            gap.focus()
            for _ in range(10):
                gap.press("ArrowRight")
            expect(page.get_by_text(re.compile(r"a gap of \+6\.5 points"))).to_be_visible(
                timeout=ACTION
            )
            src = _wait_src_change(page, "series", src)

            # An impossible combination (the budget would shrink 27.5% a year) is refused.
            # The gap slider offers only gaps the model accepts at this need growth: its end,
            # +22.5 points, runs; need growth then cut to its floor, -20% a year, would make the
            # budget shrink by 41.5% a year.
            gap.press("End")
            expect(page.get_by_text(re.compile(r"a gap of \+22\.5 points"))).to_be_visible(
                timeout=ACTION
            )
            expect(page.locator(".cc-error")).to_have_count(0)
            need = page.get_by_role("slider").nth(1)
            need.focus()
            need.press("Home")
            expect(page.locator(".cc-error")).to_contain_text("impossible", timeout=ACTION)
            expect(page.get_by_role("button", name="Step")).to_be_disabled()
            gap.focus()
            gap.press("Home")  # -10 points: budget outgrows need, a valid setting again
            expect(page.locator(".cc-error")).to_have_count(0, timeout=ACTION)
            src = _wait_src_change(page, "series", src)

            # Play for a few months, then pause.
            start = shown_month(page)
            _play_until_month(page, start + 4)
            expect(page.get_by_role("button", name="Play")).to_be_enabled(timeout=ACTION)
            assert shown_month(page) >= start + 4
            src = plot_src(page, "series")
            after_shot = page.locator(".cc-plot-series").screenshot()
            assert after_shot != series_shot
            _hover_gives_the_runs_values(page, tmp_path)

            # 100 replicates of each panel: fan charts and the difference.
            page.get_by_role("button", name="Run 100 replicates").click()
            page.wait_for_selector(".cc-plot-fan img", timeout=FIRST_LOAD)
            page.wait_for_selector(".cc-plot-difference img", timeout=ACTION)
            expect(page.get_by_text("95% CI high").first).to_be_visible(timeout=ACTION)
            page.evaluate("document.querySelector('.cc-plot-fan')?.scrollIntoView()")
            page.screenshot(path=str(tmp_path / "app-replicates.png"))

            # Export buttons are there.
            expect(page.get_by_text("Download runs (CSV)")).to_be_visible()
            expect(page.get_by_text("Download measures plot (PNG)")).to_be_visible()

            # README screenshot: top of the page after a year of play, fresh settings.
            page.evaluate("document.querySelector('.cc-month')?.scrollIntoView()")
            page.screenshot(path=str(tmp_path / "app.png"))
            target = os.environ.get("APP_SCREENSHOT")
            if target:
                page.get_by_role("button", name="Reset").click()
                gap.focus()
                gap.press("Home")
                for _ in range(25):  # towards a squeezed budget, as far as need growth allows
                    gap.press("ArrowRight")
                # The server has taken the slider's gap (the slider stops at the largest gap the
                # need growth allows): the help line says it, and both panels can run again.
                taken = f"a gap of {float(gap.get_attribute('aria-valuenow')):+.1f} points"
                expect(page.get_by_text(taken, exact=False)).to_be_visible(timeout=ACTION)
                expect(page.locator(".cc-error")).to_have_count(0, timeout=ACTION)
                expect(page.get_by_role("button", name="Play")).to_be_enabled(timeout=ACTION)
                page.get_by_role("button", name="12").click()
                _play_until_month(page, 36)
                # Paused and redrawn: Play is back, the hover layer (drawn only once paused) is
                # on the plot, and no animation is still running.
                expect(page.get_by_role("button", name="Play")).to_be_enabled(timeout=ACTION)
                assert shown_month(page) >= 36
                page.locator(f"{NHS} .cc-plot-series .cc-area").first.wait_for(
                    state="attached", timeout=ACTION
                )
                page.wait_for_function(SETTLED, timeout=ACTION)
                page.evaluate("window.scrollTo(0, 0)")
                page.screenshot(path=target, full_page=False)

            # At 1024 px wide no card title breaks inside a word, and Solara's banner is hidden.
            page.set_viewport_size({"width": 1024, "height": 768})
            page.evaluate("window.scrollTo(0, 0)")
            _titles_wrap_between_words(page)
            expect(page.get_by_text("This website runs on")).to_be_hidden()

            # The teaching view: the commons game with Nash and optimum lines.
            page.get_by_role("tab", name="Teaching: commons games").click()
            page.wait_for_selector(f"{GAMES} .cc-plot-series img", timeout=ACTION)
            expect(page.get_by_text("Game (shared by both panels)")).to_be_visible()
            before = plot_src(page, "series", GAMES)
            page.locator(GAMES).get_by_role("button", name="Step").click()
            _wait_src_change(page, "series", before, GAMES)
            expect(page.locator(f"{GAMES} .cc-month")).to_contain_text("Round 1")
            page.screenshot(path=str(tmp_path / "app-teaching.png"))
        finally:
            browser.close()

    assert (tmp_path / "app.png").stat().st_size > 10_000
    errors = [(kind, text) for kind, text in console if kind in ("error", "pageerror")]
    assert not errors, f"browser console errors: {errors}"
    log = log_path.read_text(errors="replace")
    for bad in ("Traceback", "Could not load URL", "ERROR", "Exception"):
        assert bad not in log, f"server log has {bad!r}:\n{log[-3000:]}"
